# Load balancing, cooldowns/ejection, the failure monitor, hedging, quota
# awareness, the client-side rate limiter and the bulkhead, end to end on
# scenarios/load-balancing.yaml, tail-latency-hedging.yaml, client-pacing.yaml.
. tests/e2e/lib.sh
run() { expect_status 0 "$RETRYSIM" run "scenarios/$1.yaml" --out "$TMPDIR/$1" --quiet; }
m() { ci "$TMPDIR/$1/summary-ci.csv" "$2" "$3"; }

run load-balancing
rr=$(m load-balancing round-robin timeouts)
for p in least-outstanding p2c ewma round-robin-litellm-cooldown round-robin-envoy-ejection; do
  assert_cmp "$(m load-balancing $p timeouts)" "<" "$(awk -v x="$rr" 'BEGIN{print 0.8*x}')" \
    "load-balancing: $p sends less traffic into the slow deployment than round robin"
done
assert_cmp "$(m load-balancing ewma timeouts)" "<" "$(m load-balancing least-outstanding timeouts)" \
  "load-balancing: latency-aware EWMA beats least-outstanding on a brownout"
alerts=$(tail -n +2 "$TMPDIR/load-balancing/alerts.csv" | grep -c '"central"')
assert_cmp "$alerts" ">" 0 "load-balancing: the failure monitor alerts on the browned-out deployment"
assert_cmp "$(tail -n +2 "$TMPDIR/load-balancing/alerts.csv" | grep -vc '"central"')" "==" 0 "load-balancing: and on nothing else"
cooled=$(tr -d '"' < "$TMPDIR/load-balancing/timeseries.csv" | awk -F, 'NR==1{for(i=1;i<=NF;i++)h[$i]=i;next} $h["policy"]=="round-robin-envoy-ejection" && $h["provider"]=="central" {s+=$h["cooled"]} END{print s+0}')
assert_cmp "$cooled" ">" 0 "load-balancing: Envoy ejects the slow deployment (cooled gauge)"

run tail-latency-hedging
base=$(m tail-latency-hedging no-hedge latency_p99)
for p in hedge-1s hedge-p95 race-both; do
  assert_cmp "$(m tail-latency-hedging $p latency_p99)" "<" "$(awk -v x="$base" 'BEGIN{print 0.7*x}')" "hedging: $p cuts the p99 by 30% or more"
  assert_cmp "$(m tail-latency-hedging $p cost)" ">" "$(m tail-latency-hedging no-hedge cost)" "hedging: $p costs more"
  assert_cmp "$(m tail-latency-hedging $p duplicate_billing)" ">" 0.5 "hedging: $p pays for losing copies"
done
assert_cmp "$(m tail-latency-hedging hedge-p95 hedges)" "<" "$(m tail-latency-hedging hedge-1s hedges)" "hedging: a p95 delay hedges less often than a 1 s delay"
assert_cmp "$(m tail-latency-hedging race-both amplification)" "==" 2 "hedging: parallel mode sends every request twice"

run client-pacing
r429=$(m client-pacing retry-on-429 http_429)
assert_cmp "$(m client-pacing quota-aware http_429)" "<" "$(awk -v x="$r429" 'BEGIN{print 0.1*x}')" "pacing: quota awareness avoids 90% of the 429s"
assert_cmp "$(m client-pacing client-rate-limiter http_429)" "==" 0 "pacing: a shared client-side limiter at the provider's rate avoids all 429s"
assert_cmp "$(m client-pacing quota-aware success_rate)" ">" "$(m client-pacing retry-on-429 success_rate)" "pacing: and succeeds more often"
assert_cmp "$(m client-pacing bulkhead-50 local_rejects)" ">" 1000 "pacing: the bulkhead rejects the excess locally"
