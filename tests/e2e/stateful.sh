# Stateful policies end to end: scenarios/retry-storm-defenses.yaml and the
# breaker in scenarios/multi-provider-fallback.yaml must show the known
# results (issue "Stateful policies", Evidence).
. tests/e2e/lib.sh
out=$TMPDIR/rsd
expect_status 0 "$RETRYSIM" run scenarios/retry-storm-defenses.yaml --out "$out" --quiet
# mean offered load on the provider during the steady part of the failure
# (t = 90..175 s; the fault is 60..180 s), over replications, in units of
# the offered request rate (100/s)
load() {
  tr -d '"' < "$out/timeseries.csv" | awk -F, -v p="$1" -v a="${2:-90}" -v b="${3:-175}" '
    NR==1 { for (i=1;i<=NF;i++) h[$i]=i; next }
    $h["policy"]==p && $h["provider"]=="api" && $h["time_s"]>=a && $h["time_s"]<b { s+=$h["offered_per_s"]; n++ }
    END { printf "%.3f\n", s/n/100 }'
}
m() { ci "$out/summary-ci.csv" "$1" "$2"; }
r3=$(load retry-3)
assert_cmp "$r3" ">" 3.6 "3 retries drive the offered load to about 4x"
assert_cmp "$r3" "<" 4.4 "3 retries drive the offered load to about 4x"
assert_cmp "$(load no-retry)" "<" 1.05 "no retries: 1x"
rb=$(load retry-3-ratio-budget)
assert_cmp "$rb" "<" 1.2 "a 10% ratio budget keeps it near 1.1x"
assert_cmp "$rb" ">" 1.05 "a 10% ratio budget still lets 10% through"
assert_cmp "$(load retry-3-aws-quota)" "<" 1.02 "the AWS quota falls back to about 1x once spent"
assert_cmp "$(load retry-3-grpc-throttling)" "<" 1.02 "gRPC retry throttling falls back to about 1x"
assert_cmp "$(load retry-3-breaker)" "<" 0.2 "an open breaker stops the load on the failing provider"
assert_cmp "$(load retry-3-sre-throttle 120 175)" "<=" 1.0 "the SRE throttle keeps it at or below 1x once engaged"
for p in no-retry retry-3 retry-3-ratio-budget retry-3-aws-quota retry-3-grpc-throttling retry-3-envoy-budget retry-3-breaker; do
  assert_cmp "$(m $p time_to_recover)" "<=" 15 "$p returns to normal within 3 buckets"
done
assert_cmp "$(m retry-3-sre-throttle metastable)" "==" 1 "SRE throttling with a 2-minute window recovers slowly after a total outage"
assert_cmp "$(m retry-3-sre-throttle-30s metastable)" "==" 0 "a 30 s window recovers within the run"
assert_cmp "$(m retry-3-breaker breaker_transitions)" ">" 3 "the breaker opened, probed and closed"
assert_cmp "$(m retry-3-ratio-budget budget_denied)" ">" 1000 "the budget refused retries"
# per-bucket gauges are written
head -1 "$out/timeseries.csv" | grep -q "open_breakers,cooled,hedges_per_s,local_rejects_per_s" || fail "timeseries lacks the stateful columns"
ob=$(tr -d '"' < "$out/timeseries.csv" | awk -F, 'NR==1{for(i=1;i<=NF;i++)h[$i]=i;next} $h["policy"]=="retry-3-breaker" && $h["provider"]=="api" {s+=$h["open_breakers"]} END{print s+0}')
assert_cmp "$ob" ">" 0 "open breakers show in the time series"

mp=$TMPDIR/mpf
expect_status 0 "$RETRYSIM" run scenarios/multi-provider-fallback.yaml --out "$mp" --quiet
assert_cmp "$(ci "$mp/summary-ci.csv" fallback-with-breaker success_rate)" ">" 0.99 "fallback + breaker keep success above 99%"
assert_cmp "$(ci "$mp/summary-ci.csv" fallback-with-breaker amplification)" "<" \
  "$(ci "$mp/summary-ci.csv" retry-then-fallback amplification)" "the breaker saves the attempts wasted on the primary"
assert_cmp "$(ci "$mp/summary-ci.csv" fallback-with-breaker cost_per_success)" ">" \
  "$(ci "$mp/summary-ci.csv" primary-only cost_per_success)" "at a higher cost per success"
# the presets' stateful parts
for p in aws-standard aws-adaptive grpc; do
  assert_cmp "$(load $p)" "<" 1.02 "preset $p keeps the load at about 1x"
  assert_cmp "$(m $p time_to_recover)" "<=" 15 "preset $p recovers at once"
done
assert_cmp "$(m envoy time_to_recover)" ">" 30 "preset envoy: outlier ejection of the only host outlasts the outage"

# fallback chains per error kind, the content filter, degraded answers
fc=$TMPDIR/fc
expect_status 0 "$RETRYSIM" run scenarios/fallback-chains.yaml --out "$fc" --quiet
f() { ci "$fc/summary-ci.csv" "$1" "$2"; }
assert_cmp "$(f no-chains success_rate)" "<" 0.8 "without chains, context-window and content-policy 400s fail"
assert_cmp "$(f chains success_rate)" ">" 0.94 "context_fallback and content_fallback serve them"
assert_cmp "$(f chains cost_per_success)" ">" "$(awk -v x="$(f no-chains cost_per_success)" 'BEGIN{print 10*x}')" "at the long model's price"
assert_cmp "$(f chains-degraded give_ups)" "==" 0 "degraded answers replace the give-ups"
assert_cmp "$(f chains-degraded degraded)" "==" "$(f chains give_ups)" "one degraded answer per request that would have given up"
assert_cmp "$(f chains-degraded success_rate)" "==" "$(f chains success_rate)" "degraded answers are not successes"
