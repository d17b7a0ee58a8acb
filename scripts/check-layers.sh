#!/usr/bin/env bash
# check-layers.sh — fails on any #include that crosses the layers of
# layers.mk upward or sideways, or that reaches a layer's internal header.
#
# For every .c and .h file of every layer directory (and tests/), each
# `#include "x.h"` is resolved as the compiler does: the includer's own
# directory first, then the -I paths of its layer (LAYER_<dir>). It fails when
#   - x.h is not found there but exists in another layer's directory
#     (an upward or sideways include: the build would not compile it either,
#     this names the rule that forbids it);
#   - x.h resolves into a layer that declares PUBLIC_<dir> and is not one of
#     its public headers (the layer's internals);
#   - a file of policies/ includes a system header that reads clocks, does
#     I/O or threads (libretrypol never does: docs/policies.md).
# Prints one line per violation, "file:line: ...", and exits 1; 0 when clean.
# Cost: linear in the size of the sources.
set -u
cd "$(dirname "$0")/.."
mk=layers.mk
[ -f "$mk" ] || { echo "check-layers: no $mk" >&2; exit 2; }

declare -A ALLOW PUBLIC
while IFS= read -r line; do
  line=${line%%#*}
  if [[ $line =~ ^(LAYER|PUBLIC)_([A-Za-z0-9_/]+)[[:space:]]*:=[[:space:]]*(.*)$ ]]; then
    val=$(echo "${BASH_REMATCH[3]}" | xargs)
    if [ "${BASH_REMATCH[1]}" = LAYER ]; then ALLOW[${BASH_REMATCH[2]}]=$val
    else PUBLIC[${BASH_REMATCH[2]}]=$val; fi
  fi
done < "$mk"
[ ${#ALLOW[@]} -gt 0 ] || { echo "check-layers: no LAYER_ rows in $mk" >&2; exit 2; }

# every header of every layer, for naming where a forbidden include lives
declare -A OWNER
for d in "${!ALLOW[@]}"; do
  [ "$d" = tests ] && continue
  for h in "$d"/*.h; do [ -f "$h" ] && OWNER[$(basename "$h")]+="$d "; done
done

FORBIDDEN_IN_POLICIES='^(stdio\.h|time\.h|sys/time\.h|unistd\.h|pthread\.h|threads\.h|fcntl\.h|sys/.*)$'
bad=0
report() { echo "$1"; bad=1; }

for d in "${!ALLOW[@]}"; do
  read -r -a paths <<< "${ALLOW[$d]}"
  for f in "$d"/*.c "$d"/*.h; do
    [ -f "$f" ] || continue
    n=0
    while IFS= read -r src; do
      n=$((n + 1))
      if [[ $src =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\"([^\"]+)\" ]]; then
        inc=${BASH_REMATCH[1]}
        where=""
        if [ -f "$d/$inc" ]; then where=$d
        else
          for p in "${paths[@]}"; do [ -f "$p/$inc" ] && { where=$p; break; }; done
        fi
        if [ -z "$where" ]; then
          owner=${OWNER[$(basename "$inc")]:-}
          if [ -n "$owner" ]; then
            report "$f:$n: includes \"$inc\" from ${owner% } — $d may include only: ${ALLOW[$d]} (layers.mk)"
          else
            report "$f:$n: includes \"$inc\", found in no layer $d may include (${ALLOW[$d]})"
          fi
        elif [ "$where" != "$d" ] && [ "$d" != tests ] && [ -n "${PUBLIC[$where]:-}" ]; then
          ok=0
          for h in ${PUBLIC[$where]}; do [ "$h" = "$inc" ] && ok=1; done
          [ $ok = 1 ] || report "$f:$n: includes \"$inc\", an internal header of $where (its public headers: ${PUBLIC[$where]})"
        fi
      elif [ "$d" = policies ] && [[ $src =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\<([^\>]+)\> ]]; then
        sys=${BASH_REMATCH[1]}
        [[ $sys =~ $FORBIDDEN_IN_POLICIES ]] && report "$f:$n: libretrypol includes <$sys> (no I/O, no clock, no threads in policies/)"
      fi
    done < "$f"
  done
done
# a source directory that layers.mk does not know would compile with no rule
for f in $(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]'); do
  d=$(dirname "${f#./}")
  case "$d" in examples|tests/fuzz|python*) continue;; esac
  [ -n "${ALLOW[$d]:-}" ] || report "$f: directory $d is not a layer of layers.mk"
done
if [ $bad = 0 ]; then echo "check-layers: ok (${#ALLOW[@]} layers, every include within its layer's rule)"; fi
exit $bad
