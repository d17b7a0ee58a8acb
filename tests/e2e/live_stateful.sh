# Live mode runs the simulator's own client loop, so every policy the
# simulator accepts runs against real HTTP endpoints
# (tests/fixtures/live-stateful.yaml, each run 20 s at --time-scale 8):
#  - a circuit breaker with a retry budget through a 503 outage of the mock:
#    the breaker's transitions, its local rejections and the budget's
#    refusals appear in live's summary.csv and timeseries.csv;
#  - the same policy with an open-loop (Poisson) workload: requests arrive at
#    the scenario's rate whatever the answers;
#  - hedging across two mocks (one per provider): hedges are sent to the
#    second target, the losing copy is abandoned (cancelled, with its row).
. tests/e2e/lib.sh
. tests/e2e/live-lib.bash
SC=tests/fixtures/live-stateful.yaml
SCALE=8
OUTAGE='timeline=[{at: 6s, for: 6s, provider: primary, set: {outage: 503}}]'
OPEN='workload={loop: open, rate: 20/s, prompt_tokens: 200, output_tokens: 100}'

# ---- breaker + retry budget through an outage
start_mock "$SC" --time-scale "$SCALE" --set "$OUTAGE"
expect_status 0 timeout 30 "$RETRYSIM" live "$SC" --policy breaker-budget --target "$MOCK_URL" \
  --time-scale "$SCALE" --set "$OUTAGE" --out "$TMPDIR/breaker" --quiet
stop_mock
expect_status 0 timeout 30 "$RETRYSIM" run "$SC" --policy breaker-budget --set "$OUTAGE" --out "$TMPDIR/breaker-sim" \
  --trace --quiet
same_schema "$TMPDIR/breaker" "$TMPDIR/breaker-sim"
S="$TMPDIR/breaker/summary.csv"
for m in breaker_transitions local_rejects budget_denied http_5xx success_rate; do
  printf '%-20s live %-8s sim %s\n' "$m" "$(sumval "$S" "$m")" "$(sumval "$TMPDIR/breaker-sim/summary.csv" "$m")"
done
assert_cmp "$(sumval "$S" breaker_transitions)" ">=" 2 "breaker: opened and closed again (transitions in summary.csv)"
assert_cmp "$(sumval "$S" local_rejects)" ">" 0 "breaker: an open breaker rejects attempts locally"
assert_cmp "$(sumval "$S" budget_denied)" ">" 0 "budget: retries refused by the retry budget (budget_denied)"
assert_cmp "$(sumval "$S" successes)" ">" 50 "breaker: requests succeed outside the outage"
T="$TMPDIR/breaker/timeseries.csv"
ob=$(csv_column "$T" open_breakers)
assert_cmp "$(awk -F, -v c="$ob" 'NR > 1 && $c > 0' "$T" | wc -l)" ">" 0 "timeseries.csv: buckets with an open breaker"

# ---- open loop
start_mock "$SC" --time-scale "$SCALE"
expect_status 0 timeout 30 "$RETRYSIM" live "$SC" --policy breaker-budget --target "$MOCK_URL" \
  --time-scale "$SCALE" --set "$OPEN" --out "$TMPDIR/open" --quiet
stop_mock
S="$TMPDIR/open/summary.csv"
printf 'open loop: %s requests, %s successes, p50 %s s\n' "$(sumval "$S" requests)" "$(sumval "$S" successes)" \
  "$(sumval "$S" latency_p50)"
# Poisson arrivals at 20/s for 20 s: 400 expected, sd 20
assert_cmp "$(sumval "$S" requests)" ">=" 320 "open loop: requests arrive at the scenario's rate (low end)"
assert_cmp "$(sumval "$S" requests)" "<=" 480 "open loop: requests arrive at the scenario's rate (high end)"
assert_cmp "$(sumval "$S" success_rate)" ">=" 0.95 "open loop: a healthy mock answers them"
assert_cmp "$(awk -F, -v c="$(csv_column "$TMPDIR/open/attempts.csv" client)" 'NR > 1 { print $c }' "$TMPDIR/open/attempts.csv" | sort -u | wc -l)" ">" 1 \
  "open loop: requests are carried by a pool of executors (client ids)"

# ---- hedging across two mocks
start_mock "$SC" --time-scale "$SCALE"
PRIMARY_PID=$MOCK_PID PRIMARY_URL=$MOCK_URL PRIMARY_ERR=$MOCK_ERR
start_mock "$SC" --time-scale "$SCALE" --provider replica
expect_status 0 timeout 30 "$RETRYSIM" live "$SC" --policy hedged --target "$PRIMARY_URL" --target "$MOCK_URL" \
  --time-scale "$SCALE" --out "$TMPDIR/hedge" --quiet
stop_mock
MOCK_PID=$PRIMARY_PID MOCK_ERR=$PRIMARY_ERR
stop_mock
S="$TMPDIR/hedge/summary.csv"
A="$TMPDIR/hedge/attempts.csv"
printf 'hedging: %s requests, %s attempts, %s hedges, p50 %s s\n' "$(sumval "$S" requests)" \
  "$(sumval "$S" attempts)" "$(sumval "$S" hedges)" "$(sumval "$S" latency_p50)"
assert_cmp "$(sumval "$S" hedges)" ">" 0 "hedging: hedges sent (summary.csv)"
assert_cmp "$(sumval "$S" success_rate)" ">=" 0.95 "hedging: requests succeed"
assert_cmp "$(awk -F, -v c="$(csv_column "$A" provider)" 'NR > 1 && $c == "\"replica\""' "$A" | wc -l)" ">" 0 "hedging: hedges go to the second --target"
assert_cmp "$(grep -c 'abandoned' "$A")" ">" 0 "hedging: the losing copies are abandoned (cancelled) with their rows"
assert_cmp "$(($(wc -l < "$A") - 1))" "==" "$(sumval "$S" attempts)" "hedging: one attempts.csv row per attempt sent"
ok "hedging: attempts.csv's $(csv_shape "$A") rows (abandoned ones too) are as wide as its header"
