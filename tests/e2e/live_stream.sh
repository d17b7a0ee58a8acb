# Sim-versus-live fidelity of streamed answers: tests/fixtures/live-stream.yaml
# (60 clients, every request streams; a minute of brownout with stream cuts,
# error events and stalls; an application loop around openai-python that
# restarts, or recovers, what fails mid-stream, with a TTFT and an idle
# timeout) played by `retrysim live` against `retrysim mock` at
# --time-scale 4 (30 s of wall time per policy), and simulated by
# `retrysim run` over 20 replications.
#
# The same interval test as tests/e2e/live_fidelity.sh: live's value must lie
# in the 95% prediction interval for one new replication, mean +-
# (ci95_high - mean) * sqrt(n + 1), widened by a small tolerance for what the
# simulator does not model (loopback costs ~1 ms of wall time per request and
# per event loop turn: 4 ms of scenario time at scale 4). Checked: success
# rate (+0.02), amplification (+3%), TTFT p50, p90 and p99, time to last
# token p99, the token gap p99 (+10%), streams cut, stream timeouts and the
# discarded tokens (+10%), p50 latency within 10% of the mean. Not checked:
# cost — live bills a stream it stopped reading (a timeout) by the tokens it
# received, the simulator by what the provider generated (docs/live.md).
. tests/e2e/lib.sh
. tests/e2e/live-lib.bash
SC=tests/fixtures/live-stream.yaml
SCALE=4

expect_status 0 timeout 60 "$RETRYSIM" run "$SC" --out "$TMPDIR/sim" --trace --quiet
S="$TMPDIR/sim/summary-ci.csv"
for p in app-restart app-recovery; do
  start_mock "$SC" --time-scale "$SCALE"
  timeout 90 "$RETRYSIM" live "$SC" --policy $p --target "$MOCK_URL" --time-scale "$SCALE" --out "$TMPDIR/live-$p" \
    --max-requests 20000 --quiet > "$TMPDIR/live.out" 2> "$TMPDIR/live.err" \
    || { cat "$TMPDIR/live.err" >&2; fail "retrysim live --policy $p failed"; }
  stop_mock
  grep -q "streamed (" "$MOCK_ERR" || fail "the mock streamed nothing"
  L="$TMPDIR/live-$p/summary.csv"
  [ "$p" = app-restart ] && same_schema "$TMPDIR/live-$p" "$TMPDIR/sim"
  assert_cmp "$(sumval "$L" requests)" ">" 800 "live $p: the workload ran (requests started)"
  assert_cmp "$(sumval "$L" conn_errors)" "==" 0 "live $p: no connection errors"
  assert_cmp "$(sumval "$L" streams_cut)" ">" 50 "live $p: the mock cut streams and live saw them"
  # check METRIC TOL_ABS TOL_REL: live within the 95% prediction interval, widened
  check() {
    local m=$1 tabs=$2 trel=$3 live mean hi n lo up
    live=$(sumval "$L" "$m"); mean=$(ci "$S" $p "$m"); hi=$(ci "$S" $p "$m" ci95_high); n=$(ci "$S" $p "$m" n)
    read -r lo up < <(awk -v m="$mean" -v h="$hi" -v n="$n" -v a="$tabs" -v r="$trel" \
      'BEGIN { w = (h - m) * sqrt(n + 1) + a + r * (m < 0 ? -m : m); printf "%.6f %.6f\n", m - w, m + w }')
    printf '%-13s %-17s live %-10.4f sim %.4f (for one run [%.4f, %.4f])\n' "$p" "$m" "$live" "$mean" "$lo" "$up"
    assert_cmp "$live" ">=" "$lo" "fidelity $p: $m above the interval's low end"
    assert_cmp "$live" "<=" "$up" "fidelity $p: $m below the interval's high end"
  }
  check success_rate 0.02 0
  check amplification 0 0.03
  check ttft_p50 0 0.10
  check ttft_p90 0 0.10
  check ttft_p99 0 0.10
  check ttlt_p99 0 0.10
  check token_gap_p99 0 0.10
  check streams_cut 0 0.10
  check stream_timeouts 2 0.10
  check discarded_tokens 50 0.10
  live=$(sumval "$L" latency_p50); mean=$(ci "$S" $p latency_p50)
  assert_cmp "$(awk -v a="$live" -v b="$mean" 'BEGIN { d = (a - b) / b; print d < 0 ? -d : d }')" "<=" 0.10 \
    "fidelity $p: p50 latency within 10% of the simulation ($live s, sim $mean s)"
  for m in stream_errors give_ups cost; do
    printf '%-13s %-17s live %-10s sim %s\n' "$p" "$m" "$(sumval "$L" "$m")" "$(ci "$S" $p "$m")"
  done
done
# the attempts: live's stream columns are filled as run's
n=$(awk -F, 'NR==1 { for (i=1;i<=NF;i++) h[$i]=i; next } $h["stream_end"]=="\"cut\"" && $h["tokens_received"]!="" { k++ } END { print k+0 }' \
  "$TMPDIR/live-app-restart/attempts.csv")
assert_cmp "$n" ">" 50 "live's attempts.csv: stream_end cut with tokens_received"
ok "live streams through the mock as the simulator predicts"
