# retrysim sweep: byte-identical outputs whatever the number of workers; a
# grid file equals the same --grid; each point's rows equal `retrysim run`
# with the same overrides; bad grids exit 2 before any run; an interrupted or
# crashed sweep resumes to the same bytes as an uninterrupted one.
. tests/e2e/lib.sh
S=scenarios/metastable-retry.yaml
P=(--policy no-retry --policy immediate-3-retries --policy backoff-jitter-3-retries)   # fixed, whatever the file adds
G0=(--grid 'retry.timeout=500ms,1s' --grid 'workload.rate=60/s, 70/s' --replications 2 "${P[@]}")
G=("${G0[@]}" --quiet)
runs=24   # 4 points x 3 policies x 2 replications
same() {  # same DIR1 DIR2 WHAT: the three result files are byte-identical
  for f in sweep.csv sweep-ci.csv ranking.csv; do
    cmp -s "$1/$f" "$2/$f" || { diff "$1/$f" "$2/$f" | head -5 >&2; fail "$3: $f differs"; }
  done
  ok "$3: sweep.csv, sweep-ci.csv, ranking.csv identical"
}

# --- determinism: 1 vs 2 workers
expect_status 0 "$RETRYSIM" sweep $S "${G[@]}" --jobs 1 --out "$TMPDIR/j1"
expect_status 0 "$RETRYSIM" sweep $S "${G[@]}" --jobs 2 --out "$TMPDIR/j2"
same "$TMPDIR/j1" "$TMPDIR/j2" "--jobs 1 vs --jobs 2"
n=$(($(wc -l < "$TMPDIR/j1/sweep.csv") - 1)); [ "$n" -eq $runs ] || fail "sweep.csv has $n rows, want $runs"
head -1 "$TMPDIR/j1/sweep.csv" | grep -q '^point,"retry.timeout","workload.rate",scenario,policy,replication,seed,requests,' \
  || fail "sweep.csv header: $(head -1 "$TMPDIR/j1/sweep.csv" | cut -c1-120)"
# the first grid varies slowest: point 1 = (500ms, 70/s), point 2 = (1s, 60/s)
grep -q '^1,"500ms","70/s","metastable-retry","no-retry",0,' "$TMPDIR/j1/sweep.csv" || fail "point 1 is not (500ms, 70/s)"
grep -q '^2,"1s","60/s",' "$TMPDIR/j1/sweep.csv" || fail "point 2 is not (1s, 60/s)"
ok "sweep.csv: $runs rows, point/key columns, first grid slowest"
nm=$(head -1 "$TMPDIR/j1/sweep.csv" | tr ',' '\n' | tail -n +8 | wc -l)
n=$(($(wc -l < "$TMPDIR/j1/sweep-ci.csv") - 1)); [ "$n" -eq $((12 * nm)) ] || fail "sweep-ci.csv has $n rows, want $((12 * nm))"
n=$(($(wc -l < "$TMPDIR/j1/ranking.csv") - 1)); [ "$n" -eq 12 ] || fail "ranking.csv has $n rows, want 12"
ok "sweep-ci.csv: 12 (point, policy) x $nm metrics; ranking.csv: 12 rows"

# --- each point is the run of the scenario with that point's overrides
expect_status 0 "$RETRYSIM" run $S --set retry.timeout=1s --set workload.rate=70/s --replications 2 "${P[@]}" --quiet --out "$TMPDIR/run3"
diff <(tail -n +2 "$TMPDIR/run3/summary.csv") <(grep '^3,' "$TMPDIR/j1/sweep.csv" | cut -d, -f4-) > /dev/null \
  || fail "point 3's rows differ from retrysim run with the same overrides"
diff <(tail -n +2 "$TMPDIR/run3/summary-ci.csv") <(grep '^3,' "$TMPDIR/j1/sweep-ci.csv" | cut -d, -f4-) > /dev/null \
  || fail "point 3's CIs differ from retrysim run's summary-ci.csv"
ok "point 3 = retrysim run --set retry.timeout=1s --set workload.rate=70/s (runs and CIs)"

# --- ranking: sorted by the objective's mean, best first, CI overlap marked
awk -F, 'NR>1 { gsub(/"/,""); if (NR>2 && $9 > prev) exit 1; prev=$9 }' "$TMPDIR/j1/ranking.csv" \
  || fail "ranking.csv is not sorted by slo_success_rate, highest first"
[ "$(awk -F, 'NR==2 { print $NF }' "$TMPDIR/j1/ranking.csv")" = 1 ] || fail "the best row does not overlap itself"
expect_status 0 "$RETRYSIM" sweep $S --grid 'retry.timeout=500ms,1s' --grid 'workload.rate=60/s,70/s' --replications 2 --quiet \
  --jobs 2 --out "$TMPDIR/p99" --objective latency_p99 --policy no-retry
awk -F, 'NR>1 { gsub(/"/,""); if (NR>2 && $9 < prev) exit 1; prev=$9 } END { exit NR != 5 }' "$TMPDIR/p99/ranking.csv" \
  || fail "--objective latency_p99 --policy no-retry: not 4 rows, lowest first"
grep -q '"latency_p99","min"' "$TMPDIR/p99/ranking.csv" || fail "latency_p99 should default to min"
"$RETRYSIM" sweep $S "${G0[@]}" --jobs 2 --out "$TMPDIR/p99" --top 3 > "$TMPDIR/table" 2>/dev/null
grep -q "ranking by slo_success_rate (higher is better)" "$TMPDIR/table" && grep -q "(9 more rows in ranking.csv)" "$TMPDIR/table" \
  || { cat "$TMPDIR/table" >&2; fail "printed ranking"; }
ok "ranking: sorted, overlap of the best marked, --objective direction, --policy, --top"

# --- a grid file is the same sweep
printf 'retry.timeout,workload.rate\n500ms,60/s\n500ms,70/s\n1s,60/s\n1s,70/s\n' > "$TMPDIR/params.csv"
expect_status 0 "$RETRYSIM" sweep $S --grid-file "$TMPDIR/params.csv" --replications 2 "${P[@]}" --quiet --jobs 2 --out "$TMPDIR/gf"
same "$TMPDIR/j1" "$TMPDIR/gf" "--grid-file vs --grid"

# --- bad input: exit 2 with the loader's message, before any run, no files
expect_status 2 "$RETRYSIM" sweep $S --grid 'retry.bsae=1s,2s' --out "$TMPDIR/bad"
grep -q "point 0 (retry.bsae=1s): override 'retry.bsae=1s': unknown key 'bsae'.*did you mean 'base'" "$TMPDIR/err" \
  || { cat "$TMPDIR/err" >&2; fail "bad grid key message"; }
expect_status 2 "$RETRYSIM" sweep $S --grid 'retry.timeout=1s,soon' --out "$TMPDIR/bad"
grep -q "point 1 (retry.timeout=soon): override 'retry.timeout=soon': expected a duration" "$TMPDIR/err" \
  || { cat "$TMPDIR/err" >&2; fail "bad grid value message"; }
printf 'retry.timeout,workload.rate\n1s,60/s\n2s\n' > "$TMPDIR/short.csv"
expect_status 2 "$RETRYSIM" sweep $S --grid-file "$TMPDIR/short.csv" --out "$TMPDIR/bad"
grep -q "short.csv:3:1: expected 2 cells as in the header, got 1" "$TMPDIR/err" || { cat "$TMPDIR/err" >&2; fail "short row message"; }
printf 'retry.timeout,workload.rate\n1s,60/s\n2s,fast\n' > "$TMPDIR/badval.csv"
expect_status 2 "$RETRYSIM" sweep $S --grid-file "$TMPDIR/badval.csv" --out "$TMPDIR/bad"
grep -q "badval.csv:3:4: point 1: override 'workload.rate=fast'" "$TMPDIR/err" || { cat "$TMPDIR/err" >&2; fail "bad cell message"; }
expect_status 2 "$RETRYSIM" sweep $S --grid 'retry.timeout=1s' --grid 'retry.timeout=2s' --out "$TMPDIR/bad"
expect_status 2 "$RETRYSIM" sweep $S --grid 'retry.timeout=1s' --policy nope --out "$TMPDIR/bad"
expect_status 2 "$RETRYSIM" sweep $S --policy no-retry --policy no-retry --out "$TMPDIR/bad"
expect_status 2 "$RETRYSIM" sweep $S --objective succes_rate --out "$TMPDIR/bad"
[ -z "$(ls -A "$TMPDIR/bad" 2>/dev/null)" ] || fail "bad input left files: $(ls -A "$TMPDIR/bad")"
ok "bad key, value, grid-file row and cell, repeated key, unknown or repeated policy, objective: exit 2, located message, no files"

# --- interrupted (deterministically: --max-runs stops as SIGINT would), then --resume
out=$TMPDIR/int
expect_status 130 "$RETRYSIM" sweep $S "${G[@]}" --jobs 2 --out "$out" --max-runs 7
grep -q "interrupted after 7 of $runs runs; wrote .*sweep.partial.csv" "$TMPDIR/err" || { cat "$TMPDIR/err" >&2; fail "interrupt message"; }
[ ! -e "$out/sweep.csv" ] || fail "an interrupted sweep wrote sweep.csv"
[ "$(($(wc -l < "$out/sweep.partial.csv") - 1))" -eq 7 ] || fail "partial file does not hold 7 runs"
expect_status 130 "$RETRYSIM" sweep $S "${G[@]}" --jobs 1 --out "$out" --max-runs 5 --resume
grep -q "resuming: 7 of $runs runs done" "$TMPDIR/err" || fail "resume message"
awk -F, 'NR>1 { if ($1 <= prev && NR>2) exit 1; prev=$1 } END { exit NR != 13 }' "$out/sweep.partial.csv" \
  || fail "partial file: not 12 runs in index order"
expect_status 0 "$RETRYSIM" sweep $S "${G[@]}" --jobs 2 --out "$out" --resume
same "$TMPDIR/j1" "$out" "interrupted twice, resumed"
[ ! -e "$out/sweep.partial.csv" ] || fail "the partial file outlived the completed sweep"
# a partial file of another sweep is refused
expect_status 130 "$RETRYSIM" sweep $S "${G[@]}" --jobs 1 --out "$out" --max-runs 2
expect_status 2 "$RETRYSIM" sweep $S --grid 'retry.timeout=2s,500ms' --grid 'workload.rate=60/s,70/s' --replications 2 "${P[@]}" --out "$out" --resume
grep -q "sweep.partial.csv:2:5: '500ms' where this sweep's run 0 has '2s'" "$TMPDIR/err" \
  || { cat "$TMPDIR/err" >&2; fail "a foreign partial file was not refused"; }
ok "--max-runs 7, --resume --max-runs 5, --resume: exit 130, 130, 0; same bytes as uninterrupted"

# --- a real SIGINT: the sweep finishes the runs in progress, writes the partial file, exits 130
out=$TMPDIR/sig
"$RETRYSIM" sweep $S --grid 'retry.timeout=500ms,1s' --replications 300 "${P[@]}" --jobs 2 --out "$out" --quiet 2> "$TMPDIR/sigerr" &
pid=$!
# the signal goes once the workers are forked (the sweep then has runs in progress and
# catches SIGINT: signals stay blocked from before the fork until the handler is set)
wait_for 60 pgrep -P $pid > /dev/null || { kill $pid; cat "$TMPDIR/sigerr" >&2; fail "SIGINT: the sweep started no worker within 60 s"; }
kill -INT $pid
wait $pid; st=$?
[ $st -eq 130 ] || { cat "$TMPDIR/sigerr" >&2; fail "SIGINT: exit $st, want 130"; }
inprog=$(sed -n 's/.*interrupted; finishing \([0-9]*\) runs* in progress.*/\1/p' "$TMPDIR/sigerr")
[ -n "$inprog" ] || { cat "$TMPDIR/sigerr" >&2; fail "SIGINT message"; }
[ -s "$out/sweep.partial.csv" ] && [ ! -e "$out/sweep.csv" ] || fail "SIGINT: no partial file, or a sweep.csv"
kept=$(($(wc -l < "$out/sweep.partial.csv") - 1))
[ "$kept" -ge "$inprog" ] || fail "SIGINT: $inprog runs were finishing, only $kept in sweep.partial.csv"
ok "SIGINT: exit 130 with $kept finished runs in sweep.partial.csv ($inprog in progress at the signal)"

# --- a worker dies: the run is named, exit 2, the partial file is kept and resumable
out=$TMPDIR/crash
expect_status 2 "$RETRYSIM" sweep $S "${G[@]}" --jobs 2 --out "$out" --crash-run 3
grep -q "running run 3 (point 0: retry.timeout=500ms, workload.rate=60/s; policy immediate-3-retries; replication 1) killed by signal" "$TMPDIR/err" \
  || { cat "$TMPDIR/err" >&2; fail "crash message"; }
[ -s "$out/sweep.partial.csv" ] || fail "no partial file after a crash"
grep -q '^3,' "$out/sweep.partial.csv" && fail "the crashed run is in the partial file"
expect_status 0 "$RETRYSIM" sweep $S "${G[@]}" --jobs 2 --out "$out" --resume
same "$TMPDIR/j1" "$out" "crashed, resumed"

# --- a worker dies inside a batch (short runs: a batch's results come back in
# one write): still the run that killed it is named, and a resume (which runs
# the batch's unreported runs again) gives the uninterrupted bytes
A=(scenarios/aws-backoff-jitter.yaml --grid workload.clients=10,20 --replications 100 --jobs 1)
expect_status 0 "$RETRYSIM" sweep "${A[@]}" --out "$TMPDIR/b1"
out=$TMPDIR/bcrash
expect_status 2 "$RETRYSIM" sweep "${A[@]}" --out "$out" --crash-run 777
grep -q "running run 777 (point 1: workload.clients=20; policy equal-jitter; replication 77) killed by signal" "$TMPDIR/err" \
  || { cat "$TMPDIR/err" >&2; fail "crash in a batch: message"; }
done_runs=$(sed -n 's/.*stopped: \([0-9]*\) of 1000 runs done.*/\1/p' "$TMPDIR/err")
[ -n "$done_runs" ] && [ "$done_runs" -lt 777 ] || { cat "$TMPDIR/err" >&2; fail "crash in a batch: runs done"; }
grep -q '^777,' "$out/sweep.partial.csv" && fail "crash in a batch: the crashed run is in the partial file"
expect_status 0 "$RETRYSIM" sweep "${A[@]}" --out "$out" --resume
same "$TMPDIR/b1" "$out" "crashed inside a batch ($done_runs of 1000 runs reported), resumed"
