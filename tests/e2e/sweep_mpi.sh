# retrysim sweep --mpi: under mpirun with 1, 2 and 3 ranks (rank 0 coordinates,
# the others run), the output files are byte-identical to a local --jobs 1
# sweep; a rank that dies stops the sweep with the run and rank named, keeps
# sweep.partial.csv, and --resume (under MPI) completes it to the same bytes;
# Ctrl-C on mpirun keeps the finished runs too;
# a bad grid exits 2 before any run; --mpi with --jobs is refused.
. tests/e2e/lib.sh
command -v mpirun > /dev/null || { echo "SKIP: mpirun is not installed (scripts/deps.sh installs openmpi-bin)"; exit 0; }
# containers: allow root, shared memory without CMA (ptrace is often denied)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
[ -n "${SANITIZE:-}" ] && export ASAN_OPTIONS=detect_leaks=0   # libmpi's own allocations at exit
mpi() { local np=$1; shift; timeout 60 mpirun --oversubscribe --mca btl self,vader -np "$np" "$@"; }
S=scenarios/metastable-retry.yaml
G=(--grid 'retry.timeout=500ms,1s' --grid 'workload.rate=60/s, 70/s' --replications 2
   --policy no-retry --policy immediate-3-retries --policy backoff-jitter-3-retries --quiet)
same() {  # same DIR1 DIR2 WHAT
  for f in sweep.csv sweep-ci.csv ranking.csv; do
    cmp -s "$1/$f" "$2/$f" || { diff "$1/$f" "$2/$f" | head -5 >&2; fail "$3: $f differs"; }
  done
  ok "$3: sweep.csv, sweep-ci.csv, ranking.csv identical"
}

expect_status 0 "$RETRYSIM" sweep $S "${G[@]}" --jobs 1 --out "$TMPDIR/j1"
for np in 3 2 1; do
  expect_status 0 mpi $np "$RETRYSIM" sweep $S "${G[@]}" --mpi --out "$TMPDIR/m$np"
  same "$TMPDIR/j1" "$TMPDIR/m$np" "mpirun -np $np --mpi vs --jobs 1"
done

# --- a rank dies on run 3: mpirun ends the job, rank 0 names the run and rank, keeps the finished runs
out=$TMPDIR/crash
mpi 3 "$RETRYSIM" sweep $S "${G[@]}" --mpi --out "$out" --crash-run 3 > "$TMPDIR/out" 2> "$TMPDIR/err"; st=$?
[ $st -ne 0 ] || fail "a dead rank: mpirun exited 0"
grep -q "abandoning the runs in progress" "$TMPDIR/err" \
  && grep -Eq "run 3 \(point 0: retry.timeout=500ms, workload.rate=60/s; policy immediate-3-retries; replication 1\) on rank [12] " "$TMPDIR/err" \
  || { cat "$TMPDIR/err" >&2; fail "the dead rank's run is not named"; }
[ -s "$out/sweep.partial.csv" ] && [ ! -e "$out/sweep.csv" ] || fail "no partial file, or a sweep.csv, after a rank died"
grep -q '^3,' "$out/sweep.partial.csv" && fail "the run of the dead rank is in the partial file"
ok "a rank died (mpirun exit $st): run 3 and its rank named, $(($(wc -l < "$out/sweep.partial.csv") - 1)) runs kept"
expect_status 0 mpi 3 "$RETRYSIM" sweep $S "${G[@]}" --mpi --out "$out" --resume
grep -q "resuming: .* of 24 runs done" "$TMPDIR/err" || { cat "$TMPDIR/err" >&2; fail "resume message"; }
same "$TMPDIR/j1" "$out" "rank died, --resume under MPI"

# --- Ctrl-C on mpirun (SIGINT): rank 0 names the runs in progress and keeps the finished ones.
# Open MPI (4.1) turns the SIGINT into SIGTERM to the ranks and exits 1; the signal goes once
# rank 0 has journalled a finished run (the partial file's first row), not after a fixed time.
out=$TMPDIR/sig
timeout 120 mpirun --oversubscribe --mca btl self,vader -np 3 "$RETRYSIM" sweep scenarios/provider-outage.yaml \
  --grid 'retry.base=500ms,1s' --replications 300 --mpi --quiet --out "$out" > /dev/null 2> "$TMPDIR/sigerr" &
pid=$!
wait_for 90 has_rows "$out/sweep.partial.csv" 1 || { kill $pid; cat "$TMPDIR/sigerr" >&2; fail "SIGINT: no finished run in $out/sweep.partial.csv within 90 s"; }
before=$(($(wc -l < "$out/sweep.partial.csv") - 1))
mpirun_pid=$(pgrep -P $pid -x mpirun) || fail "SIGINT: mpirun is not running (timeout's child)"
kill -INT "$mpirun_pid"   # one SIGINT to mpirun, as Ctrl-C (timeout would signal the group: a second one forces SIGKILL)
wait $pid; st=$?
[ $st -ne 0 ] || fail "SIGINT: mpirun exited 0"
grep -q "stopped by signal 15 (Terminated)" "$TMPDIR/sigerr" \
  || { cat "$TMPDIR/sigerr" >&2; fail "SIGINT under mpirun (exit $st): rank 0 does not report mpirun's SIGTERM"; }
n=$(sed -n 's/.*interrupted after \([0-9]*\) of 2400 runs; wrote .*sweep\.partial\.csv.*/\1/p' "$TMPDIR/sigerr")
[ -n "$n" ] || { cat "$TMPDIR/sigerr" >&2; ls -la "$out" >&2; fail "SIGINT under mpirun (exit $st): no 'interrupted after N of 2400 runs' message"; }
[ -s "$out/sweep.partial.csv" ] && [ ! -e "$out/sweep.csv" ] || fail "SIGINT under mpirun: no partial file, or a sweep.csv"
kept=$(($(wc -l < "$out/sweep.partial.csv") - 1))
[ "$kept" -eq "$n" ] && [ "$kept" -ge "$before" ] && [ "$kept" -lt 2400 ] \
  || fail "SIGINT under mpirun: $kept rows in the partial file; rank 0 said $n, $before were there before the signal"
ok "Ctrl-C on mpirun (exit $st; rank 0 got SIGTERM): $kept finished runs in sweep.partial.csv ($before before the signal)"

# --- bad input: exit 2 once, before any run; --jobs with --mpi refused
expect_status 2 mpi 3 "$RETRYSIM" sweep $S --grid 'retry.bsae=1s,2s' --mpi --out "$TMPDIR/bad"
[ "$(grep -c "unknown key 'bsae'" "$TMPDIR/err")" -eq 1 ] || { cat "$TMPDIR/err" >&2; fail "bad grid under MPI: not one message"; }
expect_status 2 mpi 2 "$RETRYSIM" sweep $S --mpi --jobs 2 --out "$TMPDIR/bad"
grep -q -- "--jobs and --mpi cannot be combined" "$TMPDIR/err" || fail "--jobs with --mpi"
[ -z "$(ls -A "$TMPDIR/bad" 2>/dev/null)" ] || fail "bad input left files"
ok "bad grid key under MPI: one message, exit 2; --jobs with --mpi: exit 2"
