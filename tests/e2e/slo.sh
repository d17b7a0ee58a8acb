# slo.sh — a policy that leaves requests hanging cannot meet a success
# constraint (issue 13): no timeout against a black hole. Its success_rate
# is 1 (nothing it finished failed), so `success_rate>=0.99` holds; the
# default constraint metric, slo_success_rate, counts the requests
# unfinished past their SLO as failed: `check` fails the policy, `tune
# --subject-to 'slo_success_rate>=0.99'` finds no feasible point (exit 1),
# and the run is flagged metastable with `hung` = every client. Also: the
# per-class results and a `class:` expectation from `run` and `check`.
. tests/e2e/lib.sh
S=$TMPDIR/hang.yaml
cat > "$S" <<'EOF'
scenario: hang
duration: 3m
replications: 3
providers:
  - { name: api, latency: { ttft: lognormal(400ms, 0.3) } }
timeline:
  - { at: 30s, for: 1m, provider: api, set: { outage: blackhole } }
workload:
  clients: 40
  think: exponential(2s)
  classes: [ { name: chat, weight: 3 }, { name: batch, weight: 1 } ]
policies:
  - name: no-timeout
    retry: { max_attempts: 3, base: 500ms, timeout: 0 }
  - name: timeout-5s
    retry: { max_attempts: 3, base: 500ms, timeout: 5s }
EOF
expect_status 0 "$RETRYSIM" run "$S" --quiet --out "$TMPDIR/r"
assert_cmp "$(ci "$TMPDIR/r/summary-ci.csv" no-timeout success_rate)" "==" 1 "no timeout: success_rate says 100%"
assert_cmp "$(ci "$TMPDIR/r/summary-ci.csv" no-timeout hung)" "==" 40 "... while every client hangs past the SLO"
assert_cmp "$(ci "$TMPDIR/r/summary-ci.csv" no-timeout slo_success_rate)" "<" 0.95 "slo_success_rate counts them as failed"
assert_cmp "$(ci "$TMPDIR/r/summary-ci.csv" no-timeout metastable)" "==" 1 "the run is flagged metastable"
assert_cmp "$(ci "$TMPDIR/r/summary-ci.csv" timeout-5s hung)" "==" 0 "a 5 s timeout: nothing hangs"
assert_cmp "$(ci "$TMPDIR/r/summary-ci.csv" timeout-5s metastable)" "==" 0 "... and is not metastable"
grep -q '"no-timeout",0,1,"batch",' "$TMPDIR/r/summary-classes.csv" || fail "no batch row in summary-classes.csv"
grep -q '^"hang","no-timeout","chat","hung",3,' "$TMPDIR/r/summary-classes-ci.csv" || fail "no chat hung CI row"
ok "summary-classes.csv and summary-classes-ci.csv have the classes' rows"

# check: the hang passes a success_rate bound and fails the slo_success_rate one
C=$TMPDIR/check.yaml
{ cat "$S"; cat <<'EOF'
expect:
  - { policy: no-timeout, metric: success_rate, min: 0.99 }
  - { policy: timeout-5s, class: chat, metric: slo_success_rate, min: 0.85 }
  - { policy: no-timeout, class: batch, metric: slo_success_rate, min: 0.99 }
EOF
} > "$C"
expect_status 1 "$RETRYSIM" check "$C" --jobs 2
grep -q "PASS .*success_rate(no-timeout).mean >= 0.99" "$TMPDIR/out" || { cat "$TMPDIR/out" >&2; fail "success_rate bound"; }
grep -q "PASS .*slo_success_rate(timeout-5s, class chat).mean >= 0.85" "$TMPDIR/out" || { cat "$TMPDIR/out" >&2; fail "class chat"; }
grep -q "FAIL .*slo_success_rate(no-timeout, class batch).mean >= 0.99" "$TMPDIR/out" || { cat "$TMPDIR/out" >&2; fail "class batch"; }
ok "check: success_rate>=0.99 holds for the hanging policy, slo_success_rate>=0.99 fails it (exit 1); class: works"
# the class's value is the one summary-classes-ci.csv has (jobs do not matter)
want=$(awk -F, '{ gsub(/"/, "") } $2 == "timeout-5s" && $3 == "chat" && $4 == "slo_success_rate" { print $6 }' "$TMPDIR/r/summary-classes-ci.csv")
grep -q "slo_success_rate(timeout-5s, class chat).mean >= 0.85: measured $(printf '%.6g' "$want")," "$TMPDIR/out" \
  || { grep "class chat" "$TMPDIR/out" >&2; fail "check's class value is not run's ($want)"; }
expect_status 1 "$RETRYSIM" check "$C" --jobs 1
ok "check's class value is the one of summary-classes-ci.csv ($want), with 1 or 2 workers"
printf 'expect:\n  - { policy: no-timeout, class: batch, metric: metastable, max: 0 }\n' | cat "$S" - > "$TMPDIR/bad.yaml"
expect_status 2 "$RETRYSIM" check "$TMPDIR/bad.yaml"
grep -q "'metastable' is not measured per class" "$TMPDIR/err" || { cat "$TMPDIR/err" >&2; fail "metastable per class"; }
ok "a run-level metric with class: is refused (exit 2)"

# tune: the hanging policy is infeasible under the default constraint, feasible under success_rate
T=(tune "$S" --policy no-timeout --param 'retry.base=100ms..2s:log' --minimize attempts --replications 2 --budget 12 --jobs 2)
expect_status 1 "$RETRYSIM" "${T[@]}" --subject-to 'slo_success_rate>=0.99' --out "$TMPDIR/t1"
grep -q "^infeasible: none of the [0-9]* points meets every constraint" "$TMPDIR/out" \
  && grep -q "slo_success_rate>=0.99: VIOLATED" "$TMPDIR/out" || { cat "$TMPDIR/out" >&2; fail "tune slo"; }
ok "tune --subject-to 'slo_success_rate>=0.99': no point of the hanging policy is feasible (exit 1)"
expect_status 0 "$RETRYSIM" "${T[@]}" --subject-to 'success_rate>=0.99' --out "$TMPDIR/t2"
grep -q "success_rate>=0.99: holds" "$TMPDIR/out" || { cat "$TMPDIR/out" >&2; fail "tune success_rate"; }
grep -q "note: 'success_rate>=0.99' leaves out the requests still unfinished" "$TMPDIR/err" \
  || { cat "$TMPDIR/err" >&2; fail "no note about success_rate"; }
ok "tune --subject-to 'success_rate>=0.99' accepts it, with a note pointing to slo_success_rate"
