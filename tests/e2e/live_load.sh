# Load: 1000 clients whose requests take 8 s (tests/fixtures/live-load.yaml)
# keep ~1000 HTTP requests in flight between `retrysim live` and `retrysim
# mock` for most of 12 s. Checks, from /proc and from live's --report-fds:
# both processes hold ~1000 sockets with ONE thread each (no thread per
# connection or per client); live's descriptor count is back to its start
# value at the end (no leak); RSS stays bounded. Runs the same under the
# sanitizer build (BUILD=build-san, SANITIZE set), where LeakSanitizer also
# checks that every allocation was freed at exit.
. tests/e2e/lib.sh
. tests/e2e/live-lib.bash
SC=tests/fixtures/live-load.yaml
nfd() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
threads() { awk '/^Threads:/ { print $2 }' "/proc/$1/status"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

start_mock "$SC"
"$RETRYSIM" live "$SC" --target "$MOCK_URL" --out "$TMPDIR/load" --report-fds \
  > "$TMPDIR/live.out" 2> "$TMPDIR/live.err" &
LIVE=$!
( sleep 60; kill -9 "$LIVE" ) > /dev/null 2>&1 &   # bound: the run itself takes 12 s
WATCHDOG=$!
# all 1000 are sent at t=0 and answered at t=8 s: measure once both sides hold them
both_hold_1000() { [ "$(nfd "$LIVE")" -ge 1000 ] && [ "$(nfd "$MOCK_PID")" -ge 1000 ]; }
t0=$(now_s)
wait_for 30 both_hold_1000 || { kill -9 "$LIVE"; fail "live and the mock never held 1000 descriptors each (live $(nfd "$LIVE"), mock $(nfd "$MOCK_PID"))"; }
lfd=$(nfd "$LIVE"); mfd=$(nfd "$MOCK_PID")
echo "after $(awk -v a="$t0" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }') s: live $lfd fds, $(threads "$LIVE") thread(s), RSS $(rss_kb "$LIVE") kB;" \
     "mock $mfd fds, $(threads "$MOCK_PID") thread(s), RSS $(rss_kb "$MOCK_PID") kB"
assert_cmp "$lfd" ">=" 1000 "live holds ~1000 connections"
assert_cmp "$mfd" ">=" 1000 "the mock holds ~1000 connections"
assert_cmp "$(threads "$MOCK_PID")" "==" 1 "the mock serves them from one thread"
assert_cmp "$(threads "$LIVE")" "<=" 2 "live drives them from one thread (libcurl may add a resolver thread)"
rc=0; wait "$LIVE" || rc=$?
kill "$WATCHDOG" 2>/dev/null
stop_mock
[ "$rc" -eq 0 ] || { cat "$TMPDIR/live.err" >&2; fail "retrysim live exited $rc"; }
cat "$TMPDIR/live.err"
line=$(grep '^fds: ' "$TMPDIR/live.err") || fail "no --report-fds line"
start=$(echo "$line" | sed -n 's/^fds: start \([0-9]*\), peak \([0-9]*\), end \([0-9]*\);.*/\1/p')
peak=$(echo "$line" | sed -n 's/^fds: start \([0-9]*\), peak \([0-9]*\), end \([0-9]*\);.*/\2/p')
end=$(echo "$line" | sed -n 's/^fds: start \([0-9]*\), peak \([0-9]*\), end \([0-9]*\);.*/\3/p')
inflight=$(echo "$line" | sed -n 's/.*peak in flight \([0-9]*\);.*/\1/p')
rss=$(echo "$line" | sed -n 's/.*peak RSS \([0-9]*\) kB.*/\1/p')
assert_cmp "$inflight" "==" 1000 "1000 requests in flight at once"
assert_cmp "$peak" ">=" 1000 "peak descriptors of live"
assert_cmp "$end" "==" "$start" "no descriptor leaked by live (start $start, end $end)"
limit=262144; [ -n "${SANITIZE:-}" ] && limit=1048576
assert_cmp "$rss" "<" "$limit" "live's peak RSS is bounded (kB)"
L="$TMPDIR/load/summary.csv"
assert_cmp "$(sumval "$L" successes)" "==" 1000 "the first 1000 requests succeed"
assert_cmp "$(sumval "$L" unfinished)" "==" 1000 "the second 1000 are in flight when the run ends"
assert_cmp "$(sumval "$L" conn_errors)" "==" 0 "no connection errors"
