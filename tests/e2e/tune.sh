# retrysim tune on the AWS backoff experiment (full jitter, 10 replications):
# the best retry.base found for "fewest attempts" and for "fewest attempts
# with latency_mean <= 1.5s" (an interior optimum) lies within a factor of 2
# of the best point of a dense 25-point grid sweep; an impossible constraint
# is reported as infeasible with the closest point and exit 1; tune.csv has
# every evaluation; --jobs 1, --jobs 2 and MPI give the same tune.csv; the
# YAML block validates; an interrupt keeps tune.csv (exit 130); bad arguments
# exit 2 before any run.
. tests/e2e/lib.sh
S=scenarios/aws-backoff-jitter.yaml
T=(tune $S --policy full-jitter --param 'retry.base=1ms..200ms:log' --minimize attempts --replications 10)

# the dense grid: 25 log-spaced bases in 1ms..200ms, with the same seeds (the scenario's)
grid=$(awk 'BEGIN { for (i = 0; i < 25; i++) printf "%s%.4gms", i ? "," : "", 200 ^ (i / 24) }')
expect_status 0 "$RETRYSIM" sweep $S --policy full-jitter --grid "retry.base=$grid" --replications 10 \
  --objective attempts --jobs 2 --quiet --out "$TMPDIR/grid"
ms() { awk -v t="$1" 'BEGIN { v = t + 0; u = t; sub(/^[0-9.e+-]+/, "", u);
  print v * (u == "s" ? 1000 : u == "ms" ? 1 : u == "us" ? 0.001 : u == "ns" ? 1e-6 : 0) }'; }
grid_best=$(awk -F, 'NR == 2 { gsub(/"/, ""); print $3 }' "$TMPDIR/grid/ranking.csv")
# best feasible grid point under latency_mean <= 1.5 s (mean over the replications)
grid_best_c=$(awk -F, '{ gsub(/"/, "") } NR > 1 && $5 == "latency_mean" && $7 <= 1.5 { ok[$2] = 1 }
  NR > 1 && $5 == "attempts" { att[$2] = $7 }
  END { for (b in ok) if (best == "" || att[b] < att[best]) best = b; print best }' "$TMPDIR/grid/sweep-ci.csv")
[ -n "$grid_best" ] && [ -n "$grid_best_c" ] || fail "no best grid point"

within2() {  # within2 WHAT TUNED GRID
  local a b; a=$(ms "$2"); b=$(ms "$3")
  fcmp "$a" "<=" "$(awk -v b="$b" 'BEGIN { print 2 * b }')" && fcmp "$a" ">=" "$(awk -v b="$b" 'BEGIN { print b / 2 }')" \
    || fail "$1: tune's best base $2 is not within a factor 2 of the dense grid's $3"
  ok "$1: tune's best retry.base $2 vs the 25-point grid's $3 (within a factor of 2)"
}
best_base() { sed -n 's/^  retry.base = //p' "$1" | head -1; }

# --- unconstrained: fewest attempts
expect_status 0 "$RETRYSIM" "${T[@]}" --jobs 2 --out "$TMPDIR/t1"
cp "$TMPDIR/out" "$TMPDIR/t1.out"
grep -q "^best: point" "$TMPDIR/t1.out" || { cat "$TMPDIR/t1.out" >&2; fail "no best point printed"; }
runs=$(sed -n 's/.*: \([0-9]*\) runs of a budget of \([0-9]*\).*/\1 \2/p' "$TMPDIR/t1.out")
set -- $runs; [ "$1" -le "$2" ] || fail "used $1 runs of a budget of $2"
within2 "min attempts ($1 runs, budget $2)" "$(best_base "$TMPDIR/t1.out")" "$grid_best"

# --- constrained: an interior optimum where latency_mean reaches 1.5 s
expect_status 0 "$RETRYSIM" "${T[@]}" --subject-to 'latency_mean<=1.5s' --jobs 2 --out "$TMPDIR/t2"
cp "$TMPDIR/out" "$TMPDIR/t2.out"
grep -q "latency_mean<=1.5s: holds" "$TMPDIR/t2.out" || { cat "$TMPDIR/t2.out" >&2; fail "the best point does not meet its constraint"; }
runs=$(sed -n 's/.*: \([0-9]*\) runs of a budget.*/\1/p' "$TMPDIR/t2.out")
within2 "min attempts s.t. latency_mean<=1.5s ($runs runs)" "$(best_base "$TMPDIR/t2.out")" "$grid_best_c"

# --- tune.csv: one row per evaluation, the phases, the constraint column, penalised objectives
csv=$TMPDIR/t2/tune.csv
head -1 "$csv" | grep -q '^point,"retry.base",phase,replications,metric,direction,mean,ci95_low,ci95_high,"latency_mean<=1.5s",violation,feasible,penalized$' \
  || fail "tune.csv header: $(head -1 "$csv")"
for ph in start simplex; do grep -q ",\"$ph\",10," "$csv" || fail "no $ph row with 10 replications in tune.csv"; done
[ "$(grep -c '"start"' "$csv")" -eq 8 ] || fail "not 8 start points (4 x (1 parameter + 1))"
awk -F, 'NR > 1 && $12 == 0 { bad++ } END { exit !bad }' "$csv" || fail "no infeasible point was tried: the constraint did not bind"
ok "tune.csv: $(($(wc -l < "$csv") - 1)) evaluations, start/simplex phases, infeasible points penalised"

# --- the YAML block is a valid policy (the scenario with only that policy validates)
awk '/^YAML/ { on = 1; next } /^wrote / { on = 0 } on' "$TMPDIR/t2.out" > "$TMPDIR/block"
grep -q "base: $(best_base "$TMPDIR/t2.out")" "$TMPDIR/block" || { cat "$TMPDIR/block" >&2; fail "the YAML block lacks the tuned base"; }
{ sed -n '/^policies:/q;p' $S; echo "policies:"; cat "$TMPDIR/block"; } > "$TMPDIR/tuned.yaml"
expect_status 0 "$RETRYSIM" validate "$TMPDIR/tuned.yaml"
ok "the printed YAML policy block validates"

# --- determinism: the worker count does not change anything
expect_status 0 "$RETRYSIM" "${T[@]}" --subject-to 'latency_mean<=1.5s' --jobs 1 --quiet --out "$TMPDIR/t2j1"
cmp -s "$csv" "$TMPDIR/t2j1/tune.csv" || fail "tune.csv differs between --jobs 2 and --jobs 1"
ok "tune.csv identical with --jobs 1 and --jobs 2"

# --- infeasible: exit 1, the closest point
expect_status 1 "$RETRYSIM" "${T[@]}" --subject-to 'success_rate>=1.01' --replications 4 --out "$TMPDIR/t3"
grep -q "^infeasible: none of the [0-9]* points meets every constraint" "$TMPDIR/out" \
  && grep -q "^closest point (least total relative violation" "$TMPDIR/out" && grep -q "success_rate>=1.01: VIOLATED" "$TMPDIR/out" \
  || { cat "$TMPDIR/out" >&2; fail "infeasible report"; }
grep -q "^YAML" "$TMPDIR/out" && fail "a YAML block for an infeasible point"
[ -s "$TMPDIR/t3/tune.csv" ] || fail "no tune.csv for an infeasible search"
ok "success_rate>=1.01: infeasible, closest point printed, exit 1"

# --- interrupted: the evaluations so far are in tune.csv, exit 130. tune writes nothing
# before it ends, but on a terminal its progress bar counts the runs done after each batch:
# it runs under script(1), and the signal goes once the bar shows the first batch (8 points
# of 20 replications) done, so there are evaluations to keep, however slow the machine.
printf -v cmd 'exec %q tune scenarios/429-storm.yaml --policy full-jitter --param %q --minimize latency_p99 --replications 20 --jobs 2 --out %q' \
  "$RETRYSIM" 'retry.base=50ms..5s:log' "$TMPDIR/tint"
script -qfec "$cmd" "$TMPDIR/tinterr" < /dev/null > /dev/null &
pid=$!
wait_for 120 grep -aqs 'tune \[[#.]*\] [1-9][0-9]*/' "$TMPDIR/tinterr" \
  || { kill $pid; cat "$TMPDIR/tinterr" >&2; fail "SIGINT: no batch of tune's runs done within 120 s"; }
tpid=$(pgrep -P $pid) || fail "SIGINT: tune is not running under script"
kill -INT $tpid
wait $pid; st=$?
[ $st -eq 130 ] || { cat "$TMPDIR/tinterr" >&2; fail "SIGINT: tune exited $st, want 130"; }
grep -aq "interrupted after [0-9]* runs; the [0-9]* evaluations so far are in" "$TMPDIR/tinterr" && [ -s "$TMPDIR/tint/tune.csv" ] \
  || { cat "$TMPDIR/tinterr" >&2; fail "SIGINT: message or tune.csv"; }
ok "SIGINT: exit 130, $(($(wc -l < "$TMPDIR/tint/tune.csv") - 1)) evaluations in tune.csv"

# --- bad arguments: exit 2, a clear message, no run, no file
bad() {  # bad MESSAGE ARGS...
  local msg=$1; shift
  expect_status 2 "$RETRYSIM" tune $S --out "$TMPDIR/bad" "$@"
  grep -qF -- "$msg" "$TMPDIR/err" || { cat "$TMPDIR/err" >&2; fail "'$*': message lacks '$msg'"; }
}
P=(--policy full-jitter --minimize attempts)
bad "expected KEY=LO..HI" "${P[@]}" --param retry.base=1ms
bad "a :log range needs LO > 0" "${P[@]}" --param 'retry.base=0..1s:log'
bad "unknown key 'bsae'" "${P[@]}" --param 'retry.bsae=1ms..2ms'
bad "expected a duration" "${P[@]}" --param 'retry.base=1..2'
bad "did you mean 'latency_p99'" --policy full-jitter --param 'retry.base=1ms..2ms' --minimize p99_latency
bad "expected METRIC<=VALUE or METRIC>=VALUE" "${P[@]}" --param 'retry.base=1ms..2ms' --subject-to 'success_rate=1'
bad "did you mean 'success_rate'" "${P[@]}" --param 'retry.base=1ms..2ms' --subject-to 'sucess_rate>=0.9'
bad "no objective" --policy full-jitter --param 'retry.base=1ms..2ms'
bad "name the one to tune with --policy" --minimize attempts --param 'retry.base=1ms..2ms'
bad "has no policy 'nope'" --minimize attempts --policy nope --param 'retry.base=1ms..2ms'
[ ! -e "$TMPDIR/bad" ] || fail "bad arguments left $TMPDIR/bad"
ok "bad --param, key, value, metric, --subject-to, objective, policy: exit 2 with a message, no files"

# --- MPI last (leak checking is off for libmpi under the sanitizers)
if command -v mpirun > /dev/null; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
  [ -n "${SANITIZE:-}" ] && export ASAN_OPTIONS=detect_leaks=0
  expect_status 0 timeout 60 mpirun --oversubscribe --mca btl self,vader -np 3 \
    "$RETRYSIM" "${T[@]}" --subject-to 'latency_mean<=1.5s' --mpi --quiet --out "$TMPDIR/t2mpi"
  cmp -s "$csv" "$TMPDIR/t2mpi/tune.csv" || fail "tune.csv differs under MPI (3 ranks)"
  ok "tune --mpi with 3 ranks: the same tune.csv"
fi
