#!/usr/bin/env bash
# nested.sh — nested retry layers and per-kind rules end to end:
#   - scenarios/nested-retries.yaml (retry_with_backoff(5) around
#     OpenAI(max_retries=2) during a full outage): attempts.csv gives every
#     HTTP attempt both layers' attempt numbers (layer1_attempt = the
#     wrapper's, layer2_attempt = the SDK's; empty for the flat policy's
#     second layer), the SDK's numbers go 1..3 and the wrapper's 1..5, each
#     request makes 15 attempts in the order (1,1) (1,2) (1,3) (2,1) ... (5,3),
#     and the delays before them follow the layer that retried;
#   - with the SDK's max_retries at 0: 5 attempts, layer 2 always 1;
#   - the run is deterministic with layers (byte-identical attempts.csv);
#   - an outer timeout (asyncio.wait_for around the SDK call) cuts the
#     inner loop: no HTTP attempt of an inner loop starts after it;
#   - scenarios/per-kind-schedules.yaml: 429 retries jittered, 529 not;
#   - `retrysim delays FILE:NAME --kind` shows the composed schedule;
#   - bad inner:/on: keys exit 2 with a located message.
source tests/e2e/lib.sh
S=scenarios/nested-retries.yaml
expect_status 0 "$RETRYSIM" run "$S" --trace --quiet --out "$TMPDIR/n"
A="$TMPDIR/n/attempts.csv"
head -1 "$A" | grep -q ",next_delay_s,layer1_attempt,layer2_attempt,layer3_attempt,layer4_attempt,ttft_s,tokens_received,stream_end,trace_id," \
  || fail "attempts.csv header: $(head -1 "$A")"
# columns by name
col() { head -1 "$A" | tr ',' '\n' | grep -nx "$1" | cut -d: -f1; }
P=$(col policy); R=$(col request_id); REP=$(col replication); L1=$(col layer1_attempt); L2=$(col layer2_attempt)
L3=$(col layer3_attempt); DB=$(col delay_before_s)
stats() {  # POLICY: rows, rows missing a number, max l1, max l2, rows with l3, requests, max rows per request
  awk -F, -v p="\"$1\"" -v P=$P -v R=$R -v REP=$REP -v a=$L1 -v b=$L2 -v c=$L3 '
    NR > 1 && $P == p { n++; if ($a == "" || $b == "") miss++; if ($a > m1) m1 = $a; if ($b > m2) m2 = $b
                        if ($c != "") l3++; k = $REP "/" $R; if (!(k in per)) reqs++; per[k]++ }
    END { mx = 0; for (k in per) if (per[k] > mx) mx = per[k]
          printf "%d %d %d %d %d %d %d\n", n, miss + 0, m1, m2, l3 + 0, reqs, mx }' "$A"
}
read -r rows miss m1 m2 l3 reqs per <<< "$(stats app-wrapper-over-sdk)"
[ "$rows" -gt 1000 ] || fail "only $rows traced attempts for app-wrapper-over-sdk"
assert_cmp "$miss" "==" 0 "nested: every HTTP attempt has both layers' attempt numbers ($rows rows)"
assert_cmp "$m1" "==" 5 "nested: the wrapper's attempts go up to 5"
assert_cmp "$m2" "==" 3 "nested: the SDK's attempts go up to 3"
assert_cmp "$l3" "==" 0 "nested: no third layer"
assert_cmp "$rows" "==" "$((reqs * 15))" "nested: 15 HTTP attempts for each of the $reqs failed requests"
# the order within a request: (1,1) (1,2) (1,3) (2,1) ... (5,3); the delays: the SDK's
# 0.5 s and 1 s x (1 - 0.25 U) inside, the wrapper's U(0, 2^(n-1) s) between its attempts
bad=$(awk -F, -v p='"app-wrapper-over-sdk"' -v P=$P -v R=$R -v REP=$REP -v a=$L1 -v b=$L2 -v d=$DB '
  NR > 1 && $P == p { k = $REP "/" $R; i = cnt[k]++; want1 = int(i / 3) + 1; want2 = i % 3 + 1
    if ($a != want1 || $b != want2) { print "order " k " " i ": " $a "." $b; exit }
    if (want2 == 2 && !($d >= 0.375 && $d <= 0.5)) { print "inner delay 1 " $d; exit }
    if (want2 == 3 && !($d >= 0.75 && $d <= 1.0)) { print "inner delay 2 " $d; exit }
    if (want2 == 1 && want1 > 1 && !($d >= 0 && $d < 2 ^ (want1 - 2))) { print "outer delay " want1 " " $d; exit } }' "$A")
[ -z "$bad" ] || fail "nested attempt order or delays: $bad"
ok "nested: attempts in the order (1,1) (1,2) (1,3) (2,1) ... (5,3), delays of the layer that retried"
read -r rows miss m1 m2 l3 reqs per <<< "$(stats app-wrapper-sdk-no-retries)"
assert_cmp "$m2" "==" 1 "SDK max_retries=0: the inner layer makes one attempt"
assert_cmp "$rows" "==" "$((reqs * 5))" "SDK max_retries=0: 5 HTTP attempts per failed request"
# the flat policy: layer 1 only
flat=$(awk -F, -v p='"sdk-only"' -v P=$P -v a=$L1 -v b=$L2 'NR > 1 && $P == p && ($a == "" || $b != "") { n++ } END { print n + 0 }' "$A")
assert_cmp "$flat" "==" 0 "flat policy: layer1_attempt set, layer2_attempt empty"

# determinism with layers
expect_status 0 "$RETRYSIM" run "$S" --trace --quiet --out "$TMPDIR/n2"
cmp -s "$A" "$TMPDIR/n2/attempts.csv" && cmp -s "$TMPDIR/n/summary.csv" "$TMPDIR/n2/summary.csv" \
  || fail "two runs of a nested scenario differ"
ok "nested runs are deterministic"

# an outer timeout bounds one whole inner loop (asyncio.wait_for around the SDK call):
# a black hole, the SDK's 30 s per attempt; wait_for(40 s) cuts its second attempt at 40 s
cat > "$TMPDIR/wf.yaml" <<'EOF'
scenario: wait-for
duration: 10m
providers:
  - name: api
    outage: blackhole
workload: { clients: 3, requests_per_client: 1, start: synchronized }
policies:
  - name: wait-for-over-sdk
    retry: { max_attempts: 2, backoff: constant, base: 1s, jitter: none, timeout: 40s, retry_on: [timeout] }
    inner: { preset: openai-python, retry: { timeout: 30s } }
EOF
expect_status 0 "$RETRYSIM" run "$TMPDIR/wf.yaml" --trace --quiet --out "$TMPDIR/wf"
W="$TMPDIR/wf/attempts.csv"
# per request: SDK attempt 1 at 0 (30 s timeout), its retry at ~30.4 s cut at 40 s; the
# wrapper's retry at 41 s: SDK attempt 1 (30 s) at 41..71, attempt 2 cut at 81 s; then give up
got=$(awk -F, -v a=$L1 -v b=$L2 'NR > 1 && $6 == 0 { printf "%s.%s@%.0f-%.0f ", $a, $b, $8, $9 }' "$W")
want="1.1@0-30 1.2@30-40 2.1@41-71 2.2@71-81 "
[ "$got" = "$want" ] || fail "wait_for around the SDK: got '$got', want '$want'"
reasons=$(awk -F, 'NR > 1 && $6 == 0 { printf "%s ", $14 }' "$W")
[ "$reasons" = '"retry" "retry" "retry" "give-up" ' ] || fail "wait_for decisions: $reasons"
ok "an outer timeout abandons the inner loop's attempt in flight: $got"
# ... and its sleep: the SDK would sleep 20 s after its 5 s timeout; wait_for(12 s) ends that at 12 s
sed -e 's/retry: { max_attempts: 2, backoff: constant, base: 1s, jitter: none, timeout: 40s, retry_on: \[timeout\] }/retry: { max_attempts: 2, backoff: constant, base: 1s, jitter: none, timeout: 12s, retry_on: [timeout] }/' \
    -e 's/inner: { preset: openai-python, retry: { timeout: 30s } }/inner: { preset: openai-python, retry: { timeout: 5s, backoff: constant, base: 20s, cap: 0, jitter: none } }/' \
    "$TMPDIR/wf.yaml" > "$TMPDIR/wf2.yaml"
expect_status 0 "$RETRYSIM" run "$TMPDIR/wf2.yaml" --trace --quiet --out "$TMPDIR/wf2"
got=$(awk -F, -v a=$L1 -v b=$L2 'NR > 1 && $6 == 0 { printf "%s.%s@%.0f-%.0f ", $a, $b, $8, $9 }' "$TMPDIR/wf2/attempts.csv")
[ "$got" = "1.1@0-5 2.1@13-18 " ] || fail "wait_for cutting the SDK's sleep: got '$got', want '1.1@0-5 2.1@13-18 '"
[ "$(ci "$TMPDIR/wf2/summary-ci.csv" wait-for-over-sdk give_ups)" = 3 ] && [ "$(ci "$TMPDIR/wf2/summary-ci.csv" wait-for-over-sdk timeouts)" = 6 ] \
  || fail "wait_for cutting sleeps: give-ups / timeouts"
ok "an outer timeout also cuts the inner loop's sleep: $got, then the wrapper gives up during the second sleep"

# per-kind schedules: the LiteLLM seed jitters 429 retries, not 529 ones
expect_status 0 "$RETRYSIM" run scenarios/per-kind-schedules.yaml --trace --quiet --replications 1 --out "$TMPDIR/pk"
PK="$TMPDIR/pk/attempts.csv"
spread() { awk -F, -v p="\"$1\"" -v st="$2" 'NR > 1 && $2 == p && $11 == st && $14 == "\"retry\"" && $5 == 1 {
             if (!n++ || $16 < lo) lo = $16; if ($16 > hi) hi = $16 } END { printf "%.3f %.3f %d\n", lo, hi, n }' "$PK"; }
read -r lo hi n <<< "$(spread litellm-seed-vs-429 429)"
fcmp "$lo" ">=" 1 && fcmp "$hi" "<" 2 && fcmp "$hi" ">" 1.5 && [ "$n" -gt 50 ] || fail "429 first retry delays [$lo, $hi] ($n), want within [1, 2) and spread"
read -r lo2 hi2 n2 <<< "$(spread litellm-seed-vs-529 529)"
[ "$lo2" = "1.000" ] && [ "$hi2" = "1.000" ] && [ "$n2" -gt 50 ] || fail "529 first retry delays [$lo2, $hi2] ($n2), want exactly 1 s"
ok "per-kind: after a 429 the seed waits 1 s + U(0, 1 s) ([$lo, $hi]), after a 529 exactly 1 s"

# delays: the composed schedule of the nested policy
expect_status 0 "$RETRYSIM" delays "$S:app-wrapper-over-sdk" --kind 503 --csv --draws 4000
[ "$(($(wc -l < "$TMPDIR/out") - 1))" -eq 14 ] || fail "delays --kind 503: want 14 retries (15 attempts), got $(($(wc -l < "$TMPDIR/out") - 1))"
m3=$(awk -F, 'NR > 1 && $(NF-7) == 3 { print $(NF-4) }' "$TMPDIR/out")
fcmp "$m3" ">" 0.45 && fcmp "$m3" "<" 0.55 || fail "retry 3 (the wrapper's first) mean $m3, want 0.5"
expect_status 0 "$RETRYSIM" delays "$S:app-wrapper-over-sdk" --kind 400 --csv --draws 100
[ "$(($(wc -l < "$TMPDIR/out") - 1))" -eq 4 ] || fail "delays --kind 400: the SDK does not retry a 400, the wrapper does: want 4 retries"
expect_status 0 "$RETRYSIM" delays 'exponential:base=1s,jitter=none,attempts=6;on=429:base=2s,attempts=5;on=503:attempts=2;count=per-kind' \
  --kind 429,503,429,503 --csv --draws 10
[ "$(awk -F, 'NR > 1 { printf "%s ", $(NF-4) }' "$TMPDIR/out")" = "2.000000 1.000000 4.000000 " ] \
  || fail "per-kind inline spec: $(cat "$TMPDIR/out")"
ok "delays: 14 retries for the nested policy on 503 (wrapper's first retry mean $m3 s), 4 on a 400, per-kind inline rules"

# bad input, located
b="$TMPDIR/bad.yaml"
sed 's/inner: { preset: openai-python, retry: { timeout: 30s } }/inner: { preset: openai-pyton, retry: { timeout: 30s } }/' "$S" > "$b"
expect_status 2 "$RETRYSIM" validate "$b"
grep -q "bad.yaml:[0-9]*:[0-9]*: unknown preset 'openai-pyton'; did you mean 'openai-python'" "$TMPDIR/err" || fail "inner preset message: $(cat "$TMPDIR/err")"
expect_status 2 "$RETRYSIM" validate "$S" --set 'policies[app-wrapper-over-sdk].inner.retyr={}'
grep -q "unknown key 'retyr' in policy 'app-wrapper-over-sdk' inner; did you mean 'retry'" "$TMPDIR/err" || fail "inner key message: $(cat "$TMPDIR/err")"
expect_status 2 "$RETRYSIM" validate scenarios/per-kind-schedules.yaml --set 'policies[litellm-seed-vs-429].retry.on[0].jiter=none'
grep -q "unknown key 'jiter' in retry.on\[0\]; did you mean 'jitter'" "$TMPDIR/err" || fail "rule key message: $(cat "$TMPDIR/err")"
expect_status 2 "$RETRYSIM" validate scenarios/per-kind-schedules.yaml --set 'policies[litellm-seed-vs-429].retry.on[0].deadline=5s'
grep -q "'deadline' cannot be set per kind" "$TMPDIR/err" || fail "per-kind deadline message: $(cat "$TMPDIR/err")"
ok "bad inner: and on: keys exit 2 with a located message"
