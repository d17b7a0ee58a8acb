#!/usr/bin/env bash
# Runs every CUnit program in $BUILD/tests and every end-to-end test in
# tests/e2e/*.sh, then prints "N passed, N failed" and exits non-zero on any
# failure. End-to-end tests get RETRYSIM (the binary), BUILD and TMPDIR (a
# scratch directory of their own) in the environment; exit 0 means pass.
set -u
BUILD=${BUILD:-build}
export RETRYSIM="$PWD/$BUILD/retrysim" BUILD SANITIZE=${SANITIZE:-}
pass=0; fail=0; failed=()
for t in "$BUILD"/tests/test_*; do
  [ -x "$t" ] || continue
  case "$t" in *.o|*.d) continue;; esac
  echo "== unit: $(basename "$t")"
  if "$t"; then pass=$((pass+1)); else fail=$((fail+1)); failed+=("$(basename "$t")"); fi
done
for e in tests/e2e/*.sh; do
  case "$(basename "$e")" in lib.sh) continue;; esac
  [ -f "$e" ] || continue
  name=$(basename "$e" .sh)
  echo "== e2e: $name"
  scratch=$(mktemp -d)
  if TMPDIR="$scratch" bash "$e" > "$scratch.log" 2>&1; then
    pass=$((pass+1)); tail -n 3 "$scratch.log" | sed 's/^/   /'
  else
    fail=$((fail+1)); failed+=("$name"); sed 's/^/   | /' "$scratch.log" | tail -n 40
  fi
  rm -rf "$scratch" "$scratch.log"
done
[ ${#failed[@]} -gt 0 ] && echo "failed: ${failed[*]}"
echo "tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
