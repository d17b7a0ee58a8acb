# validate.sh — `retrysim validate`: good scenarios pass (exit 0, one "ok"
# line each), every bad fixture under tests/fixtures/bad/ fails with exit 2
# and exactly the expected "file:line:col: message" on stderr; --set
# overrides reach the loader; --help and usage errors.
source tests/e2e/lib.sh
B=tests/fixtures/bad

expect_status 0 "$RETRYSIM" validate tests/fixtures/good.yaml
grep -qx 'tests/fixtures/good.yaml: ok (2 providers, 2 policies, 5 timeline changes, duration 10m, replications 3)' "$TMPDIR/out" \
  || { cat "$TMPDIR/out"; fail "good.yaml: unexpected ok line"; }
ok "good fixture"

for f in scenarios/*.yaml; do
  [ -f "$f" ] || continue
  expect_status 0 "$RETRYSIM" validate "$f"
done
ok "canonical scenarios validate"

# bad_file expected_stderr_prefix
bad() {
  expect_status 2 "$RETRYSIM" validate "$B/$1"
  [ "$(wc -l < "$TMPDIR/err")" -eq 1 ] || { cat "$TMPDIR/err"; fail "$1: want exactly one error line"; }
  grep -qF -- "$2" "$TMPDIR/err" && [ "$(cut -c1-${#2} "$TMPDIR/err")" = "$2" ] \
    || fail "$1: stderr '$(cat "$TMPDIR/err")', want it to start with '$2'"
  ok "$1"
}
bad unknown_key.yaml       "$B/unknown_key.yaml:5:5: unknown key 'concurrncy' in provider 'primary'; did you mean 'concurrency'?"
bad bad_duration.yaml      "$B/bad_duration.yaml:2:11: expected a positive duration like 250ms for 'duration', got '10 minutes'"
bad missing_providers.yaml "$B/missing_providers.yaml:1:1: missing required key 'providers'"
bad timeline_outside.yaml  "$B/timeline_outside.yaml:7:20: the window ends at 6m, after the end of the run (duration 5m)"
bad unknown_provider.yaml  "$B/unknown_provider.yaml:7:24: unknown provider 'secondary'"
bad syntax.yaml            "$B/syntax.yaml:5:4: YAML syntax error:"
bad bad_trace.yaml         "$B/bad_trace.csv:3:23: expected none, refuse, blackhole or an HTTP status like 503 for 'outage', got 'sometimes'"
bad bad_metric.yaml        "$B/bad_metric.yaml:7:26: unknown metric 'p99_latency'; did you mean 'latency_p99'?"
bad bad_dist.yaml          "$B/bad_dist.yaml:5:22: bad distribution for 'ttft': lognormal: median must be a duration like 250ms, got '400'"

# several files: every one is reported, exit 2 if any is bad
expect_status 2 "$RETRYSIM" validate tests/fixtures/good.yaml "$B/unknown_key.yaml" "$B/bad_duration.yaml"
grep -q 'good.yaml: ok' "$TMPDIR/out" || fail "the good file is not reported ok"
[ "$(wc -l < "$TMPDIR/err")" -eq 2 ] || fail "want two error lines"
ok "several files"

# overrides
expect_status 0 "$RETRYSIM" validate tests/fixtures/good.yaml --set duration=20m --set 'policies[full-jitter].retry.base=500ms' \
  --set retry.cap=30s --set replications=7
grep -q 'duration 20m, replications 7' "$TMPDIR/out" || fail "--set duration/replications not applied"
expect_status 2 "$RETRYSIM" validate tests/fixtures/good.yaml --set workload.clientz=5
grep -qF "override 'workload.clientz=5': unknown key 'clientz' in workload; did you mean 'clients'?" "$TMPDIR/err" \
  || fail "misspelled override: $(cat "$TMPDIR/err")"
expect_status 2 "$RETRYSIM" validate tests/fixtures/good.yaml --set 'workload.clients.n=5'
grep -qF "override 'workload.clients.n=5':" "$TMPDIR/err" || fail "override through a scalar: $(cat "$TMPDIR/err")"
ok "overrides"

expect_status 0 "$RETRYSIM" validate --help
grep -q 'usage: retrysim validate' "$TMPDIR/out" || fail "--help"
expect_status 2 "$RETRYSIM" validate
expect_status 2 "$RETRYSIM" validate --bogus tests/fixtures/good.yaml
expect_status 2 "$RETRYSIM" validate tests/fixtures/does-not-exist.yaml
grep -q 'does-not-exist.yaml: cannot open' "$TMPDIR/err" || fail "missing file message"
ok "usage"
