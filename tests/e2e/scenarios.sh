# Headline results of the canonical scenario library: each scenario must
# show what its comment says it demonstrates.
. tests/e2e/lib.sh
run() { expect_status 0 "$RETRYSIM" run "scenarios/$1.yaml" --out "$TMPDIR/$1" --quiet; }
m() { ci "$TMPDIR/$1/summary-ci.csv" "$2" "$3"; }

run 429-storm
assert_cmp "$(m 429-storm honor-retry-after peak_load_ratio)" ">" \
  "$(awk -v x="$(m 429-storm retry-after-plus-jitter peak_load_ratio)" 'BEGIN{print 2*x}')" \
  "429-storm: clients honoring until-reset exactly herd to over 2x the peak of hint+jitter"
assert_cmp "$(m 429-storm retry-after-plus-jitter success_rate)" ">" "$(m 429-storm honor-retry-after success_rate)" \
  "429-storm: jitter on the hint succeeds more often than the exact hint"
assert_cmp "$(m 429-storm openai-python success_rate)" "<" "$(m 429-storm no-jitter success_rate)" \
  "429-storm: openai-python's 3 short attempts give up more than 5 attempts up to 60 s"
for p in no-jitter full-jitter honor-retry-after retry-after-plus-jitter openai-python; do
  assert_cmp "$(m 429-storm $p metastable)" "==" 0 "429-storm: $p recovers after the quota returns"
done

run provider-outage
assert_cmp "$(m provider-outage constant-1s amplification)" ">" "$(m provider-outage no-jitter amplification)" \
  "provider-outage: constant 1 s retries amplify more than exponential backoff"
assert_cmp "$(m provider-outage constant-1s time_to_recover)" ">" 0 \
  "provider-outage: constant 1 s retries herd at recovery (overload after the outage ends)"
for p in no-jitter full-jitter decorrelated; do
  assert_cmp "$(m provider-outage $p time_to_recover)" "==" 0 "provider-outage: $p recovers at once"
done
assert_cmp "$(m provider-outage full-jitter give_ups)" ">" "$(m provider-outage no-jitter give_ups)" \
  "provider-outage: full jitter spends its attempts sooner and gives up more in a long outage"

run blackhole-outage
assert_cmp "$(m blackhole-outage openai-python unfinished)" "==" 300 \
  "blackhole: with the SDK's 600 s timeout every client is still hung at the end"
assert_cmp "$(m blackhole-outage timeout-10s success_rate)" ">" 0.95 "blackhole: a 10 s timeout with retries succeeds"
assert_cmp "$(m blackhole-outage timeout-2s amplification)" ">" \
  "$(awk -v x="$(m blackhole-outage timeout-10s amplification)" 'BEGIN{print 1.5*x}')" \
  "blackhole: a 2 s timeout also cuts healthy slow answers and multiplies attempts"

run brownout
assert_cmp "$(m brownout timeout-10s wasted_work)" ">" \
  "$(awk -v x="$(m brownout timeout-60s wasted_work)" 'BEGIN{print 2*x}')" \
  "brownout: a timeout below the degraded latency wastes the provider's work"
assert_cmp "$(m brownout timeout-10s duplicate_billing)" ">" "$(m brownout timeout-60s duplicate_billing)" \
  "brownout: and bills completions nobody used"
assert_cmp "$(m brownout timeout-60s success_rate)" ">" 0.99 "brownout: a timeout covering the slowdown succeeds"
assert_cmp "$(m brownout timeout-10s success_rate)" "<" 0.8 "brownout: the short timeout fails"

run sync-start-herd
assert_cmp "$(m sync-start-herd no-jitter success_rate)" "<" 0.5 "sync-start-herd: un-jittered retry waves stay synchronized"
assert_cmp "$(m sync-start-herd full-jitter success_rate)" ">" 0.99 "sync-start-herd: full jitter dissolves the herd"
assert_cmp "$(m sync-start-herd equal-jitter success_rate)" ">" 0.99 "sync-start-herd: equal jitter too"

run metastable-retry
assert_cmp "$(m metastable-retry no-retry metastable)" "==" 0 "metastable-retry: without retries the system recovers"
assert_cmp "$(m metastable-retry immediate-3-retries metastable)" "==" 1 "metastable-retry: immediate retries never recover"
assert_cmp "$(m metastable-retry immediate-3-retries wasted_fraction)" ">" 0.8 \
  "metastable-retry: the servers spend their time on abandoned requests"
assert_cmp "$(m metastable-retry no-retry success_rate)" ">" \
  "$(awk -v x="$(m metastable-retry immediate-3-retries success_rate)" 'BEGIN{print 3*x}')" \
  "metastable-retry: no-retry succeeds over 3x as often"

run multi-provider-fallback
assert_cmp "$(m multi-provider-fallback retry-then-fallback success_rate)" ">" 0.99 "fallback: the chain keeps success above 99%"
assert_cmp "$(m multi-provider-fallback primary-only success_rate)" "<" 0.8 "fallback: the primary alone cannot outlast the outage"
assert_cmp "$(m multi-provider-fallback retry-then-fallback cost_per_success)" ">" \
  "$(m multi-provider-fallback primary-only cost_per_success)" "fallback: availability costs more per success"
assert_cmp "$(m metastable-retry backoff-jitter-3-retries metastable)" "==" 1 "metastable-retry: backoff alone does not drain it"
assert_cmp "$(m metastable-retry immediate-3-retries-budget metastable)" "==" 0 "metastable-retry: a 10% retry budget does"

run cascading-overload
assert_cmp "$(m cascading-overload retry-1s-x3 http_429)" ">" "$(awk -v x="$(m cascading-overload no-retry http_429)" 'BEGIN{print 5*x}')" \
  "cascading-overload: retrying after 1 s multiplies the rejected attempts"
assert_cmp "$(m cascading-overload retry-1s-unlimited http_429)" ">" "$(m cascading-overload retry-1s-x3 http_429)" \
  "cascading-overload: without an attempt limit even more"

run streaming-interruptions
S=streaming-interruptions
assert_cmp "$(m $S sdk-only success_rate)" "<" 0.9 "$S: the SDK alone does not retry a stream cut after its first byte"
assert_cmp "$(m $S app-restart success_rate)" ">" 0.97 "$S: an application loop around the SDK restarts what was cut"
assert_cmp "$(m $S app-restart discarded_tokens)" ">" \
  "$(awk -v x="$(m $S app-recovery discarded_tokens)" 'BEGIN{print 10*x}')" \
  "$S: a restart throws away over 10x the tokens that stream recovery does"
assert_cmp "$(m $S app-restart ttft_p99)" ">" "$(m $S app-recovery ttft_p99)" \
  "$S: restarts push the first token of the tail back; recovery keeps the cut attempt's"
assert_cmp "$(m $S no-timeout unfinished)" ">" "$(awk -v x="$(m $S app-restart unfinished)" 'BEGIN{print x+15}')" \
  "$S: without a TTFT timeout the hung backend's requests wait out the SDK's 600 s"
assert_cmp "$(m $S total-timeout stream_timeouts)" ">" "$(awk -v x="$(m $S app-restart stream_timeouts)" 'BEGIN{print 10*x}')" \
  "$S: a 15 s total timeout kills the brownout's long streams; TTFT and idle timeouts do not"
assert_cmp "$(m $S app-restart cost)" ">" "$(m $S sdk-only cost)" "$S: every restart is billed again"
