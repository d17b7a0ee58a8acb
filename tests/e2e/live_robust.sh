# Live mode against the mock in each fault mode, and its safety rules.
#  - refuse, blackhole (2 s attempt timeout), a 503 storm, garbled 200s
#    (--garbage-rate): live exits 0 and counts each fault as its outcome kind;
#  - a non-loopback target without --max-requests/--max-spend: exit 2 before
#    any connection (the targets are TEST-NET addresses that route nowhere);
#  - the API key (from --api-key-env) reaches the server, in both wire
#    formats, and appears in no output, log or message;
#  - --max-requests stops at exactly that many HTTP requests; SIGINT stops
#    cleanly (exit 130) and writes what was measured.
# Each run plays the 20 s scenario at --time-scale 8 (2.5 s of wall time).
. tests/e2e/lib.sh
. tests/e2e/live-lib.bash
SC=tests/fixtures/live-faults.yaml
SCALE=8
window() { echo "timeline=[{at: 6s, for: 6s, provider: primary, set: {outage: $1}}]"; }

# fault NAME MOCK_ARGS...: mock with the fault, live against it into $TMPDIR/NAME
fault() {
  local name=$1; shift
  start_mock "$SC" --time-scale "$SCALE" "$@"
  expect_status 0 timeout 30 "$RETRYSIM" live "$SC" --target "$MOCK_URL" --time-scale "$SCALE" \
    --out "$TMPDIR/$name" --quiet
  stop_mock
  [ -s "$TMPDIR/$name/attempts.csv" ] && [ -s "$TMPDIR/$name/summary.csv" ] || fail "$name: outputs missing"
  assert_cmp "$(sumval "$TMPDIR/$name/summary.csv" successes)" ">" 50 "$name: requests succeed outside the fault"
}
# outcomes NAME KIND: attempts.csv rows with that outcome kind
outcomes() {
  local a=$TMPDIR/$1/attempts.csv
  awk -F, -v k="\"$2\"" -v c="$(csv_column "$a" outcome)" 'NR > 1 && $c == k' "$a" | wc -l
}
# statuses NAME STATUS: attempts.csv rows answered with that HTTP status
statuses() {
  local a=$TMPDIR/$1/attempts.csv
  awk -F, -v s="$2" -v c="$(csv_column "$a" status)" 'NR > 1 && $c == s' "$a" | wc -l
}

fault refuse --set "$(window refuse)"
assert_cmp "$(outcomes refuse refused)" ">" 20 "refuse: refused connections are counted as refused"
assert_cmp "$(sumval "$TMPDIR/refuse/summary.csv" conn_errors)" ">=" "$(outcomes refuse refused)" "refuse: and as conn_errors"

fault blackhole --set "$(window blackhole)"
assert_cmp "$(outcomes blackhole timeout)" ">" 10 "blackhole: unanswered requests end by the 2 s timeout"
assert_cmp "$(sumval "$TMPDIR/blackhole/summary.csv" timeouts)" "==" "$(outcomes blackhole timeout)" "blackhole: counted as timeouts"

fault storm --set "$(window 503)"
assert_cmp "$(sumval "$TMPDIR/storm/summary.csv" http_5xx)" ">" 20 "503 storm: 5xx answers counted"
assert_cmp "$(statuses storm 503)" ">" 20 "503 storm: attempts.csv has the 503s"

fault garbage --garbage-rate 0.3
assert_cmp "$(outcomes garbage reset)" ">" 20 "garbage: non-JSON and truncated 200s are connection errors (reset)"
grep -q 'partial file' "$TMPDIR/garbage/attempts.csv" || fail "garbage: no truncated body seen"

# ---- safety: nothing non-loopback without a cap; checked before connecting
for t in https://192.0.2.1/v1/chat/completions http://198.51.100.7:8080 https://api.openai.com; do
  expect_status 2 timeout 5 "$RETRYSIM" live "$SC" --target "$t" --out "$TMPDIR/never"
  grep -q 'not loopback' "$TMPDIR/err" || fail "no safety message for $t: $(cat "$TMPDIR/err")"
done
[ ! -e "$TMPDIR/never" ] || fail "a refused live run created its output directory"
ok "safety: non-loopback targets without --max-requests/--max-spend exit 2 at once"
export RETRYSIM_TEST_KEY="sk-retrysim-test-$$-$RANDOM$RANDOM"
expect_status 2 timeout 5 "$RETRYSIM" live "$SC" --target http://192.0.2.1/ --max-requests 1 \
  --api-key-env RETRYSIM_TEST_KEY --out "$TMPDIR/never"
grep -q 'plain http' "$TMPDIR/err" || fail "no refusal of a key over plain http: $(cat "$TMPDIR/err")"
expect_status 2 "$RETRYSIM" live "$SC" --target "http://127.0.0.1:9" --api-key-env RETRYSIM_NO_SUCH_VAR_ --out "$TMPDIR/never"
ok "safety: a key over plain http to a remote host, or a missing key variable, exit 2"

# ---- the API key: sent (the mock answers 401 without it), never written
for fmt in openai anthropic; do
  start_mock "$SC" --time-scale "$SCALE" --api-key-env RETRYSIM_TEST_KEY
  timeout 30 "$RETRYSIM" live "$SC" --target "$MOCK_URL" --time-scale "$SCALE" --format "$fmt" \
    --api-key-env RETRYSIM_TEST_KEY --out "$TMPDIR/key-$fmt" > "$TMPDIR/key-$fmt.out" 2> "$TMPDIR/key-$fmt.err" \
    || fail "live with a key ($fmt) failed"
  stop_mock
  assert_cmp "$(statuses "key-$fmt" 401)" "==" 0 "key ($fmt): accepted"
  assert_cmp "$(sumval "$TMPDIR/key-$fmt/summary.csv" successes)" ">" 50 "key ($fmt): requests succeed"
  cat "$MOCK_ERR" >> "$TMPDIR/key-$fmt.err"
done
start_mock "$SC" --time-scale "$SCALE" --api-key-env RETRYSIM_TEST_KEY
RETRYSIM_TEST_KEY=wrong-key timeout 30 "$RETRYSIM" live "$SC" --target "$MOCK_URL" --time-scale "$SCALE" \
  --api-key-env RETRYSIM_TEST_KEY --out "$TMPDIR/key-wrong" --quiet || fail "live with a wrong key failed"
stop_mock
assert_cmp "$(statuses key-wrong 401)" ">" 0 "key: a wrong key gets 401"
assert_cmp "$(sumval "$TMPDIR/key-wrong/summary.csv" successes)" "==" 0 "key: and no success"
if grep -rqF "$RETRYSIM_TEST_KEY" "$TMPDIR"; then
  grep -rlF "$RETRYSIM_TEST_KEY" "$TMPDIR" >&2
  fail "the API key appears in an output or log"
fi
ok "the API key appears in no CSV, stdout or stderr"

# ---- caps and interruption
start_mock "$SC" --time-scale "$SCALE"
expect_status 0 timeout 30 "$RETRYSIM" live "$SC" --target "$MOCK_URL" --time-scale "$SCALE" \
  --max-requests 37 --out "$TMPDIR/capped" --quiet
assert_cmp "$(sumval "$TMPDIR/capped/summary.csv" attempts)" "==" 37 "--max-requests 37 sends exactly 37 requests"
assert_cmp "$(($(wc -l < "$TMPDIR/capped/attempts.csv") - 1))" "==" 37 "and attempts.csv has 37 rows"
# SIGINT in the middle of the 20 s scenario played in real time, once live has measured a
# success: its attempts.csv, still being written (sim_out_open's .attempts.csv.tmp.PID),
# holds a 200 row once stdio has flushed the first rows
t0=$(now_s)
"$RETRYSIM" live "$SC" --target "$MOCK_URL" --time-scale 1 --out "$TMPDIR/int" > /dev/null 2> "$TMPDIR/int.err" &
LIVE=$!
measured_success() { awk -F, 'NR > 1 && $11 == 200 { found = 1; exit } END { exit !found }' "$TMPDIR/int/.attempts.csv.tmp.$LIVE" 2> /dev/null; }
wait_for 15 measured_success || { cat "$TMPDIR/int.err" >&2; fail "SIGINT: live wrote no successful attempt within 15 s"; }
kill -INT "$LIVE"
rc=0; wait "$LIVE" || rc=$?
ran=$(awk -v a="$t0" -v b="$(now_s)" 'BEGIN { printf "%.3f", b - a }')
stop_mock
assert_cmp "$rc" "==" 130 "SIGINT: live exits 130 (interrupted, docs/cli.md)"
grep -q interrupted "$TMPDIR/int.err" || fail "SIGINT: no 'interrupted' message"
assert_cmp "$(sumval "$TMPDIR/int/summary.csv" successes)" ">" 0 "SIGINT: summary.csv has what was measured"
assert_cmp "$(sumval "$TMPDIR/int/summary.csv" completion_time)" "<=" "$ran" "SIGINT: over the $ran s it ran"
assert_cmp "$(sumval "$TMPDIR/int/summary.csv" completion_time)" "<" 20 "SIGINT: stopped before the scenario's 20 s"
