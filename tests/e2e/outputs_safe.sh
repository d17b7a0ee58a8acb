# Outputs safe under any signal (docs/robustness.md, rows 63-80; docs/cli.md,
# "Output directories"):
#  - SIGINT/SIGTERM during `run --trace` remove every temporary (and the
#    directory when the run created it), exit 130; SIGKILL leaves them, and
#    the next run into the directory removes the dead process's ones (not a
#    live process's);
#  - a run that fails leaves no directory it created, and nothing in one that
#    existed; "cannot create output directory" says why;
#  - a second run, sweep, tune, plot or live into a directory in use exits 2
#    naming the holder's pid; a lock left by a killed process blocks nothing;
#  - a sweep killed with SIGKILL resumes from its journal to the same bytes;
#    a torn last journal row is dropped, a bad one is an error;
#  - --jobs with --mpi is refused before MPI starts: one message, exit 2, no
#    leak report.
# Every wait is on an observable state (a temporary's size, the lock file's
# pid, journal rows), bounded; no fixed sleeps.
. tests/e2e/lib.sh
S=scenarios/metastable-retry.yaml
LONG=(--replications 30 --quiet)       # ~5 s of runs (metastable-retry: 10 replications ~1.8 s)
HOST=$(uname -n)
temps() { ls -A "$1" 2>/dev/null | grep -E '^\..*\.tmp\.[0-9]+' ; }   # the temporaries in DIR
# run --trace writes 8 files: summary, summary-ci, summary-classes, summary-classes-ci,
# timeseries, timeseries-requests, alerts and attempts .csv
NT=8
started() { [ -s "$1/.attempts.csv.tmp.$2" ]; }                        # run PID is writing its trace in DIR
holds() { grep -qs "^$2 " "$1/.retrysim.lock"; }                       # PID holds DIR's lock
# start_run DIR ARGS...: a `run` in the background ($BG), once it writes its trace
start_run() {
  local d=$1; shift
  "$RETRYSIM" run $S "${LONG[@]}" --trace --out "$d" "$@" > /dev/null 2> "$TMPDIR/bg.err" &
  BG=$!
  wait_for 60 started "$d" $BG || { kill $BG; cat "$TMPDIR/bg.err" >&2; fail "run into $d: no trace written within 60 s"; }
}

# --- 63: SIGINT during run --trace into a new directory: exit 130, nothing left, not even the directory
start_run "$TMPDIR/int"
[ "$(temps "$TMPDIR/int" | wc -l)" -eq $NT ] || fail "SIGINT: expected $NT temporaries while running, got: $(temps "$TMPDIR/int")"
kill -INT $BG; wait $BG; st=$?
[ $st -eq 130 ] || { cat "$TMPDIR/bg.err" >&2; fail "SIGINT: run exited $st, want 130"; }
grep -q "^retrysim run: interrupted by signal 2 (Interrupt); removed $NT unfinished output files$" "$TMPDIR/bg.err" \
  || { cat "$TMPDIR/bg.err" >&2; fail "SIGINT: message"; }
[ ! -e "$TMPDIR/int" ] || fail "SIGINT: the run's own directory is left: $(ls -A "$TMPDIR/int")"
ok "63 SIGINT during run --trace: exit 130, $NT temporaries and the directory removed"

# --- 64: SIGTERM into a directory that existed: its file stays, nothing of the run's
mkdir -p "$TMPDIR/term"; echo mine > "$TMPDIR/term/notes.txt"
start_run "$TMPDIR/term"
kill -TERM $BG; wait $BG; st=$?
[ $st -eq 130 ] || { cat "$TMPDIR/bg.err" >&2; fail "SIGTERM: run exited $st, want 130"; }
grep -q "interrupted by signal 15 (Terminated); removed $NT unfinished output files" "$TMPDIR/bg.err" || fail "SIGTERM: message"
[ "$(ls -A "$TMPDIR/term")" = notes.txt ] || fail "SIGTERM: the directory holds $(ls -A "$TMPDIR/term" | tr '\n' ' ')"
ok "64 SIGTERM during run --trace: exit 130; the existing directory keeps only its own file"

# --- 65-67: SIGKILL leaves the temporaries and the lock file; the next run removes the dead
# process's temporaries, not those of a live process, and is not blocked by the lock file
start_run "$TMPDIR/kill"
dead=$BG
kill -KILL $dead; wait $dead 2> /dev/null
[ "$(temps "$TMPDIR/kill" | grep -c "\.tmp\.$dead$")" -eq $NT ] && [ -f "$TMPDIR/kill/.retrysim.lock" ] \
  || fail "SIGKILL: expected the $NT temporaries and the lock file, got: $(ls -A "$TMPDIR/kill" | tr '\n' ' ')"
: > "$TMPDIR/kill/.draft.csv.tmp.$$"          # a temporary of a live process (this shell)
expect_status 0 "$RETRYSIM" run scenarios/nested-retries.yaml --quiet --out "$TMPDIR/kill"
grep -q "retrysim run: note: removed $NT temporary files left in $TMPDIR/kill by pid $dead (no longer running)" "$TMPDIR/err" \
  || { cat "$TMPDIR/err" >&2; fail "SIGKILL: the next run's note"; }
[ "$(temps "$TMPDIR/kill")" = ".draft.csv.tmp.$$" ] || fail "after the next run: $(temps "$TMPDIR/kill" | tr '\n' ' ')"
[ -f "$TMPDIR/kill/summary.csv" ] && [ ! -e "$TMPDIR/kill/.retrysim.lock" ] || fail "the next run's outputs, or its lock file left"
ok "65 SIGKILL: $NT temporaries left; the next run removes them (note names pid $dead)"
ok "66 a live process's temporary (.draft.csv.tmp.$$) is kept"
ok "67 the dead run's lock file blocks nothing; the next run removes it when done"

# --- 68-70: a run that fails leaves no directory it created, nothing in one that existed
cat > "$TMPDIR/livelock.yaml" <<'YAML'
scenario: livelock
duration: 1m
providers: [ { name: p } ]
workload: { clients: 10 }
policies: [ { name: x, retry: { max_attempts: 1 } } ]
YAML
expect_status 2 timeout 60 "$RETRYSIM" run "$TMPDIR/livelock.yaml" --out "$TMPDIR/new/a/b"
grep -q "virtual time stopped advancing" "$TMPDIR/err" || fail "livelock message: $(cat "$TMPDIR/err")"
[ ! -e "$TMPDIR/new" ] || fail "a failed run left $(find "$TMPDIR/new")"
ok "68 a livelocked run into new/a/b: exit 2, no directory left (new/ removed too)"
mkdir -p "$TMPDIR/had"; echo keep > "$TMPDIR/had/keep.txt"
expect_status 2 timeout 60 "$RETRYSIM" run "$TMPDIR/livelock.yaml" --out "$TMPDIR/had"
[ "$(ls -A "$TMPDIR/had")" = keep.txt ] || fail "a failed run into an existing directory: $(ls -A "$TMPDIR/had" | tr '\n' ' ')"
ok "69 a failed run into an existing directory: its file stays, nothing else (no lock, no temporaries)"
expect_status 2 "$RETRYSIM" run $S --policy nope --out "$TMPDIR/nope"
grep -q "has no policy 'nope'" "$TMPDIR/err" && [ ! -e "$TMPDIR/nope" ] || fail "bad --policy: message or directory"
ok "70 an unknown --policy: exit 2, no directory"

# --- 71-72: "cannot create output directory" says why, and what is there
echo x > "$TMPDIR/afile"
expect_status 2 "$RETRYSIM" run scenarios/nested-retries.yaml --out "$TMPDIR/afile/sub"
grep -qx "retrysim run: cannot create output directory '$TMPDIR/afile/sub': '$TMPDIR/afile' exists and is a regular file, not a directory" "$TMPDIR/err" \
  || fail "under a file: $(cat "$TMPDIR/err")"
ok "71 --out under a regular file: exit 2, names the file"
ln -s "$TMPDIR/nowhere" "$TMPDIR/dangling"
expect_status 2 "$RETRYSIM" run scenarios/nested-retries.yaml --out "$TMPDIR/dangling/sub"
grep -qx "retrysim run: cannot create output directory '$TMPDIR/dangling/sub': '$TMPDIR/dangling' is a symbolic link to '$TMPDIR/nowhere', which does not exist" "$TMPDIR/err" \
  || fail "dangling link: $(cat "$TMPDIR/err")"
ok "72 --out through a dangling symbolic link: exit 2, names the link and its target"

# --- 73-74: a directory in use: every verb that writes one exits 2 naming the holder
"$RETRYSIM" run $S --replications 300 --quiet --out "$TMPDIR/busy" > /dev/null 2> "$TMPDIR/bg.err" &
A=$!
wait_for 60 holds "$TMPDIR/busy" $A || { kill $A; fail "the first run did not take the lock within 60 s"; }
in_use() {  # in_use VERB ARGS...: exit 2 and the message
  local verb=$1; shift
  expect_status 2 "$RETRYSIM" "$verb" "$@"
  grep -q "^retrysim $verb: $TMPDIR/busy is in use by pid $A (retrysim run on $HOST; lock $TMPDIR/busy/.retrysim.lock)" "$TMPDIR/err" \
    || { cat "$TMPDIR/err" >&2; fail "$verb into a directory in use: message"; }
}
in_use run scenarios/nested-retries.yaml --out "$TMPDIR/busy"
ok "73 a second run into a directory in use: exit 2, 'is in use by pid $A (retrysim run on $HOST ...)'"
in_use sweep scenarios/nested-retries.yaml --grid 'retry.base=1s,2s' --out "$TMPDIR/busy"
in_use tune $S --policy no-retry --param 'retry.timeout=500ms..2s' --minimize latency_p99 --out "$TMPDIR/busy"
in_use live scenarios/nested-retries.yaml --target http://127.0.0.1:9 --out "$TMPDIR/busy"
if command -v gnuplot > /dev/null; then
  expect_status 0 "$RETRYSIM" run scenarios/nested-retries.yaml --quiet --out "$TMPDIR/plotme"
  in_use plot "$TMPDIR/plotme" --out "$TMPDIR/busy"
fi
[ -z "$(ls "$TMPDIR/busy")" ] || fail "the refused verbs wrote into the busy directory: $(ls "$TMPDIR/busy")"
kill -INT $A; wait $A; st=$?
[ $st -eq 130 ] && [ ! -e "$TMPDIR/busy" ] || fail "the holder, interrupted: exit $st, or its directory left"
ok "74 sweep, tune, live$(command -v gnuplot > /dev/null && echo ", plot") into it: exit 2, the same message; nothing written"

# --- 75-78: a sweep killed with SIGKILL loses only the runs in flight; --resume gives the same bytes
reps=20
G=(--grid 'retry.timeout=500ms,1s' --grid 'workload.rate=60/s,70/s' --replications $reps
   --policy no-retry --policy immediate-3-retries --quiet)
runs=$((4 * 2 * reps))
same() {  # same DIR1 DIR2 WHAT
  for f in sweep.csv sweep-ci.csv ranking.csv; do
    cmp -s "$1/$f" "$2/$f" || { diff "$1/$f" "$2/$f" | head -5 >&2; fail "$3: $f differs"; }
  done
}
expect_status 0 "$RETRYSIM" sweep $S "${G[@]}" --jobs 2 --out "$TMPDIR/whole"
"$RETRYSIM" sweep $S "${G[@]}" --jobs 2 --out "$TMPDIR/sk" 2> "$TMPDIR/sk.err" &
K=$!
wait_for 120 has_rows "$TMPDIR/sk/sweep.partial.csv" 3 || { kill $K; cat "$TMPDIR/sk.err" >&2; fail "no journal rows within 120 s"; }
kill -KILL $K; wait $K 2> /dev/null
kept=$(($(wc -l < "$TMPDIR/sk/sweep.partial.csv") - 1))
[ "$kept" -ge 3 ] && [ "$kept" -lt $runs ] && [ ! -e "$TMPDIR/sk/sweep.csv" ] \
  || fail "SIGKILL: $kept journal rows of $runs, or a sweep.csv"
# the workers may still be finishing a run: they do not hold the directory
expect_status 0 "$RETRYSIM" sweep $S "${G[@]}" --jobs 2 --out "$TMPDIR/sk" --resume
grep -q "resuming: $kept of $runs runs done" "$TMPDIR/err" || { cat "$TMPDIR/err" >&2; fail "SIGKILL: resume message"; }
same "$TMPDIR/whole" "$TMPDIR/sk" "SIGKILL + --resume"
[ -z "$(ls -A "$TMPDIR/sk" | grep -v -e '^sweep.csv$' -e '^sweep-ci.csv$' -e '^ranking.csv$' -e '^run.csv$')" ] \
  || fail "after the resumed sweep (sweep, sweep-ci, ranking and run .csv only): $(ls -A "$TMPDIR/sk" | tr '\n' ' ')"
ok "75 SIGKILL of a local sweep after $kept journalled runs: --resume runs the other $((runs - kept)), same bytes, nothing else left"
# a torn last row (a write cut short) is dropped with a note
expect_status 130 "$RETRYSIM" sweep $S "${G[@]}" --jobs 1 --out "$TMPDIR/torn" --max-runs 5
row=$(sed -n 6p "$TMPDIR/torn/sweep.partial.csv")
sed -i 6d "$TMPDIR/torn/sweep.partial.csv"
printf '%s' "${row:0:120}" >> "$TMPDIR/torn/sweep.partial.csv"
expect_status 0 "$RETRYSIM" sweep $S "${G[@]}" --jobs 2 --out "$TMPDIR/torn" --resume
grep -q "note: dropped the torn last row of $TMPDIR/torn/sweep.partial.csv (120 bytes without an end of line" "$TMPDIR/err" \
  && grep -q "resuming: 4 of $runs runs done" "$TMPDIR/err" || { cat "$TMPDIR/err" >&2; fail "torn row: messages"; }
same "$TMPDIR/whole" "$TMPDIR/torn" "torn last row + --resume"
ok "76 a torn last journal row: dropped with a note, the run redone, same bytes"
# a complete row that does not read is an error, located
expect_status 130 "$RETRYSIM" sweep $S "${G[@]}" --jobs 1 --out "$TMPDIR/badrow" --max-runs 5
sed -i '3s/,[^,]*$/,zz/' "$TMPDIR/badrow/sweep.partial.csv"
expect_status 2 "$RETRYSIM" sweep $S "${G[@]}" --jobs 1 --out "$TMPDIR/badrow" --resume
grep -Eq "sweep.partial.csv:3:[0-9]+: expected a number for [a-z_]+, got 'zz'" "$TMPDIR/err" || fail "bad row: $(cat "$TMPDIR/err")"
ok "77 a malformed complete journal row: exit 2, file:line:col"
# without --resume a leftover journal is replaced
expect_status 0 "$RETRYSIM" sweep $S "${G[@]}" --jobs 2 --out "$TMPDIR/badrow"
grep -q "sweep.partial.csv is left from an interrupted sweep; replaced without --resume" "$TMPDIR/err" || fail "replaced note"
same "$TMPDIR/whole" "$TMPDIR/badrow" "a leftover journal, no --resume"
ok "78 a leftover journal without --resume: replaced (note), same bytes"

# --- 79-80: --jobs with --mpi: refused before MPI starts (no MPI_Init: nothing for the leak checker)
expect_status 2 timeout 60 "$RETRYSIM" sweep $S --jobs 2 --mpi --out "$TMPDIR/mpibad"
[ "$(grep -c . "$TMPDIR/err")" -eq 1 ] && grep -q "retrysim sweep: --jobs and --mpi cannot be combined" "$TMPDIR/err" \
  || { cat "$TMPDIR/err" >&2; fail "--jobs 2 --mpi: not exactly one message"; }
grep -q LeakSanitizer "$TMPDIR/err" && fail "--jobs 2 --mpi: a leak report"
[ ! -e "$TMPDIR/mpibad" ] || fail "--jobs 2 --mpi created its --out"
expect_status 2 timeout 60 "$RETRYSIM" tune $S --policy no-retry --param 'retry.timeout=500ms..2s' --minimize latency_p99 --jobs 2 --mpi
[ "$(grep -c . "$TMPDIR/err")" -eq 1 ] && grep -q "retrysim tune: --jobs and --mpi cannot be combined" "$TMPDIR/err" \
  || { cat "$TMPDIR/err" >&2; fail "tune --jobs 2 --mpi: not exactly one message"; }
ok "79 sweep/tune --jobs 2 --mpi: exit 2, one message, no leak report (SANITIZE=${SANITIZE:-none})"
if command -v mpirun > /dev/null; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
  expect_status 2 timeout 60 mpirun --oversubscribe --mca btl self,vader -np 2 "$RETRYSIM" sweep $S --jobs 2 --mpi --out "$TMPDIR/mpibad"
  [ "$(grep -c "retrysim sweep:" "$TMPDIR/err")" -eq 1 ] || { cat "$TMPDIR/err" >&2; fail "mpirun -np 2 --jobs 2 --mpi: not one message"; }
  grep -q LeakSanitizer "$TMPDIR/err" && fail "mpirun --jobs 2 --mpi: a leak report"
  timeout 60 mpirun --oversubscribe --mca btl self,vader -np 2 "$RETRYSIM" sweep --mpi --help > "$TMPDIR/out" 2> /dev/null
  [ "$(grep -c '^usage: retrysim sweep' "$TMPDIR/out")" -eq 1 ] || fail "mpirun -np 2 sweep --mpi --help: not printed once"
  ok "80 under mpirun -np 2: --jobs 2 --mpi exits 2 with one message (rank 0's), --help printed once"
else
  ok "80 skipped: mpirun is not installed"
fi
# `--out --mpi`: the word is a directory, not the flag (no MPI)
mkdir -p "$TMPDIR/cwd"
(cd "$TMPDIR/cwd" && "$RETRYSIM" sweep "$OLDPWD/scenarios/nested-retries.yaml" --out --mpi --quiet) > /dev/null 2> "$TMPDIR/err" \
  && [ -f "$TMPDIR/cwd/--mpi/sweep.csv" ] || { cat "$TMPDIR/err" >&2; fail "--out --mpi"; }
ok "81 sweep --out --mpi: a local sweep into the directory '--mpi'"
