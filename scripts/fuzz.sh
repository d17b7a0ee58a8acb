#!/usr/bin/env bash
# fuzz.sh — builds (make fuzz) and runs libFuzzer targets (tests/fuzz/fuzz_<name>.c).
#   scripts/fuzz.sh TARGET... [--seconds N] [--runs N] [--jobs N] [--regress]
# TARGET is a name (scenario, csv, ...) or `all` (every tests/fuzz/fuzz_*.c).
# Each target starts from its committed seed corpus tests/fuzz/corpus/<name>/
# (read-only here) and a working corpus build-fuzz/corpus/<name>/ that keeps
# what the runs found (copy the interesting small ones into the committed
# corpus). --seconds N (default 20) bounds each target's time, --runs N its
# executions; --regress only replays the corpora (every input once, as CI
# does before fuzzing). A crash leaves its input in build-fuzz/artifacts/<name>/
# and fails the script; reproduce it with build-fuzz/fuzz_<name> FILE.
# Prints one line per target: "fuzz <name>: N executions in S s, ok" and the total.
set -u
cd "$(dirname "$0")/.."
seconds=20 runs="" jobs=1 regress=0 targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2;;
    --runs) runs=$2; shift 2;;
    --jobs) jobs=$2; shift 2;;
    --regress) regress=1; shift;;
    -h|--help) sed -n '2,13p' "$0"; exit 0;;
    all) for f in tests/fuzz/fuzz_*.c; do n=$(basename "$f" .c); targets+=("${n#fuzz_}"); done; shift;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2;;
    *) targets+=("$1"); shift;;
  esac
done
[ ${#targets[@]} -gt 0 ] || { echo "usage: scripts/fuzz.sh TARGET...|all [--seconds N] [--runs N] [--regress]" >&2; exit 2; }
B=${FUZZ_BUILD:-build-fuzz}
make --no-print-directory -j2 fuzz FUZZ_BUILD="$B" >/dev/null || { echo "fuzz.sh: make fuzz failed" >&2; exit 2; }
total=0 bad=0
for t in "${targets[@]}"; do
  bin=$B/fuzz_$t seeds=tests/fuzz/corpus/$t work=$B/corpus/$t art=$B/artifacts/$t/
  [ -x "$bin" ] || { echo "fuzz.sh: no target $t ($bin)" >&2; exit 2; }
  mkdir -p "$work" "$art" "$seeds"
  args=(-print_final_stats=1 -artifact_prefix="$art" -max_len=65536 -timeout=10 -rss_limit_mb=2048)
  if [ $regress = 1 ]; then args+=(-runs=0)
  else
    args+=(-max_total_time="$seconds")
    [ -n "$runs" ] && args+=(-runs="$runs")
  fi
  log=$B/fuzz_$t.log
  start=$(date +%s)
  if [ "$jobs" -gt 1 ] && [ $regress = 0 ]; then
    "$bin" "${args[@]}" -fork="$jobs" "$work" "$seeds" > "$log" 2>&1; rc=$?
  else
    "$bin" "${args[@]}" "$work" "$seeds" > "$log" 2>&1; rc=$?
  fi
  el=$(( $(date +%s) - start ))
  n=$(awk '/stat::number_of_executed_units:/ { s += $2 } END { print s + 0 }' "$log")
  total=$((total + n))
  if [ $rc -ne 0 ]; then
    bad=1; echo "fuzz $t: FAILED (exit $rc) after $n executions in $el s; log $log, artifacts $art"
    grep -E "ERROR|SUMMARY|Test unit written" "$log" | head -5
  else
    echo "fuzz $t: $n executions in $el s, ok"
  fi
done
echo "fuzz: $total executions, $([ $bad = 0 ] && echo "no crash" || echo "FAILURES")"
exit $bad
