# Sim-versus-live fidelity of streamed answers on the canonical scenario
# itself, scenarios/streaming-interruptions.yaml (5 minutes, 100 clients,
# every request streams; a 2-minute brownout with stream cuts, error events
# and stalls, 20 s of a hung backend), for each of its five policies:
# sdk-only, app-restart, app-recovery, total-timeout, no-timeout.
# `retrysim live` plays it against `retrysim mock` at --time-scale 4 (75 s of
# wall time per policy, one mock + live pair at a time: 6.5 minutes in all;
# two pairs side by side lagged on a loaded machine); `retrysim run`
# simulates it over 20 replications.
#
# The same interval test as tests/e2e/live_fidelity.sh: live's value must lie
# in the 95% prediction interval for one new replication, mean +-
# (ci95_high - mean) * sqrt(n + 1), widened by a small tolerance for what the
# simulator does not model (loopback costs ~1 ms of wall time per request and
# per event-loop turn: 4 ms of scenario time at scale 4; at scale 10 that
# moves the TTFT median by 25%, docs/live.md). Checked: success rate (+0.02),
# amplification (+3%), TTFT p50, p90 (+25%, below) and p99, time to last token p99 and the
# token gap p99 (+0.1 s, +10%: 25 ms of wall time, what a wake-up can be late
# on a shared 2-core machine at load average 5-6, where ttft_p50 measured
# 0.649 against 0.567), streams cut, stream timeouts (+5, below), timeouts and the
# discarded tokens (+10% each; app-recovery's discarded tokens +1000, see below),
# unfinished requests (+3, +10%: the hung backend's), p50 latency within
# 10% of the mean. Under the sanitizer build (SANITIZE
# set) the timing metrics (TTFT, time to last token, gaps, p50 latency) are
# printed, not checked, and a line says so: its instrumented event loops
# lag by several ms a turn, which at F = 4 moved ttft_p50 from 0.57 to 0.76
# s on a loaded machine (docs/live.md); the counts are checked as in the
# normal build. Printed, not checked: stream errors,
# give-ups, cost — live bills a stream it stopped reading by the tokens it
# received, the simulator by what the provider generated (docs/metrics.md).
. tests/e2e/lib.sh
. tests/e2e/live-lib.bash
SC=scenarios/streaming-interruptions.yaml
SCALE=4

expect_status 0 timeout 120 "$RETRYSIM" run "$SC" --replications 20 --out "$TMPDIR/sim" --quiet
expect_status 0 timeout 60 "$RETRYSIM" run "$SC" --replications 1 --policy app-restart --trace --out "$TMPDIR/sim-trace" --quiet
S="$TMPDIR/sim/summary-ci.csv"

PIDS=()
trap 'for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done' EXIT
# wave POLICY...: a fresh mock and a live run for each policy, side by side
wave() {
  local p i urls=() mpids=() merrs=() lpids=()
  for p in "$@"; do
    start_mock "$SC" --time-scale "$SCALE"
    PIDS+=("$MOCK_PID"); mpids+=("$MOCK_PID"); merrs+=("$MOCK_ERR"); urls+=("$MOCK_URL")
    MOCK_PID=
  done
  i=0
  for p in "$@"; do
    timeout 150 "$RETRYSIM" live "$SC" --policy "$p" --target "${urls[$i]}" --time-scale "$SCALE" \
      --out "$TMPDIR/live-$p" --max-requests 20000 --quiet > "$TMPDIR/live-$p.out" 2> "$TMPDIR/live-$p.err" &
    lpids+=($!); PIDS+=($!); i=$((i + 1))
  done
  i=0
  for p in "$@"; do
    wait "${lpids[$i]}" || { cat "$TMPDIR/live-$p.err" >&2; fail "retrysim live --policy $p failed"; }
    MOCK_PID=${mpids[$i]} MOCK_ERR=${merrs[$i]}
    stop_mock
    grep -q "streamed (" "${merrs[$i]}" || fail "the mock of $p streamed nothing"
    i=$((i + 1))
  done
}
for p in sdk-only app-restart app-recovery total-timeout no-timeout; do wave $p; done
same_schema "$TMPDIR/live-app-restart" "$TMPDIR/sim-trace"

# check POLICY METRIC TOL_ABS TOL_REL [timing]: live within the 95% prediction
# interval, widened (a timing metric only printed under the sanitizer build)
check() {
  local p=$1 m=$2 tabs=$3 trel=$4 timing=${5:-} live mean hi n lo up
  live=$(sumval "$TMPDIR/live-$p/summary.csv" "$m"); mean=$(ci "$S" "$p" "$m"); hi=$(ci "$S" "$p" "$m" ci95_high)
  n=$(ci "$S" "$p" "$m" n)
  read -r lo up < <(awk -v m="$mean" -v h="$hi" -v n="$n" -v a="$tabs" -v r="$trel" \
    'BEGIN { w = (h - m) * sqrt(n + 1) + a + r * (m < 0 ? -m : m); printf "%.6f %.6f\n", m - w, m + w }')
  printf '%-13s %-17s live %-10.4f sim %.4f (for one run [%.4f, %.4f])\n' "$p" "$m" "$live" "$mean" "$lo" "$up"
  [ -n "$timing" ] && [ -n "${SANITIZE:-}" ] && return 0
  assert_cmp "$live" ">=" "$lo" "fidelity $p: $m above the interval's low end"
  assert_cmp "$live" "<=" "$up" "fidelity $p: $m below the interval's high end"
}
for p in sdk-only app-restart app-recovery total-timeout no-timeout; do
  L="$TMPDIR/live-$p/summary.csv"
  assert_cmp "$(sumval "$L" requests)" ">" 1000 "live $p: the workload ran (requests started)"
  assert_cmp "$(sumval "$L" conn_errors)" "==" 0 "live $p: no connection errors"
  assert_cmp "$(sumval "$L" streams_cut)" ">" 150 "live $p: the mock cut streams and live saw them"
  check $p success_rate 0.02 0
  check $p amplification 0 0.03
  check $p ttft_p50 0.1 0.10 timing
  # p90 sits on the step between the healthy TTFTs (~0.55 s) and the
  # brownout's (~2.2 s): a 1% shift in the share of requests made during the
  # brownout moves it by ~0.3 s, hence 25%
  check $p ttft_p90 0.1 0.25 timing
  check $p ttft_p99 0.1 0.10 timing
  check $p ttlt_p99 0.1 0.10 timing
  check $p token_gap_p99 0.1 0.10 timing
  check $p streams_cut 0 0.10
  # an idle timeout fires when a gap between chunks, as the client measures
  # it in wall time, passes its bound: a late wake-up on a loaded machine
  # turns a near miss into a timeout, so live's count is biased upward by
  # the load (CI: 21 against sim 11.9 [3.1, 20.7] with the fresh root's
  # make test as the only job); +5 timeouts for that
  check $p stream_timeouts 5 0.10
  check $p timeouts 2 0.10
  # app-recovery discards only what its few give-ups (3 to 11 a run) had kept: a
  # count of rare events (~330 tokens each), skewed, which the normal interval
  # covers badly on its low side; 1000 tokens is about three give-ups
  check $p discarded_tokens "$([ $p = app-recovery ] && echo 1000 || echo 50)" 0.10
  check $p unfinished 3 0.10
  live=$(sumval "$L" latency_p50); mean=$(ci "$S" $p latency_p50)
  [ -z "${SANITIZE:-}" ] && assert_cmp "$(awk -v a="$live" -v b="$mean" 'BEGIN { d = (a - b) / b; print d < 0 ? -d : d }')" "<=" 0.10 \
    "fidelity $p: p50 latency within 10% of the simulation ($live s, sim $mean s)"
  for m in stream_errors give_ups cost; do
    printf '%-13s %-17s live %-10s sim %s\n' "$p" "$m" "$(sumval "$L" "$m")" "$(ci "$S" $p "$m")"
  done
done
# the attempts: live's stream columns are filled as run's
n=$(awk -F, 'NR==1 { for (i=1;i<=NF;i++) h[$i]=i; next } $h["stream_end"]=="\"cut\"" && $h["tokens_received"]!="" { k++ } END { print k+0 }' \
  "$TMPDIR/live-app-restart/attempts.csv")
assert_cmp "$n" ">" 150 "live's attempts.csv: stream_end cut with tokens_received"
[ -n "${SANITIZE:-}" ] && echo "note: sanitizer build: the TTFT, time-to-last-token, gap and latency figures above were printed, not checked"
ok "live streams the canonical scenario through the mock as the simulator predicts, for its five policies"
