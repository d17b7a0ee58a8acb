# live-lib.bash — helpers for the live-mode end-to-end tests (live_*.sh),
# sourced after lib.sh. Not a test itself (the runner runs *.sh only).
# Everything targets 127.0.0.1: the mock listens on an ephemeral port.

MOCK_PID=
# start_mock SCENARIO [ARGS...]: starts `retrysim mock` on 127.0.0.1:0 in the
# background; sets MOCK_PID, MOCK_URL (http://127.0.0.1:PORT) and MOCK_ERR
# (its stderr). Fails the test if it is not listening within 30 s.
start_mock() {
  local out
  out=$(mktemp "$TMPDIR/mock.XXXXXX")
  MOCK_ERR="$out.err"
  "$RETRYSIM" mock "$@" > "$out" 2> "$MOCK_ERR" &
  MOCK_PID=$!
  mock_up() {
    grep -q '^listening on ' "$out" && return 0
    kill -0 "$MOCK_PID" 2>/dev/null || { cat "$MOCK_ERR" >&2; fail "retrysim mock exited before listening"; }
    return 1
  }
  wait_for 30 mock_up
  grep -q '^listening on 127\.0\.0\.1:[0-9][0-9]*$' "$out" || fail "mock did not print 'listening on 127.0.0.1:PORT' ($(cat "$out"))"
  MOCK_URL="http://$(sed -n 's/^listening on //p' "$out")"
}

# stop_mock: SIGINT, then its exit status must be 0 (a clean stop).
stop_mock() {
  [ -n "$MOCK_PID" ] || return 0
  kill -INT "$MOCK_PID" 2>/dev/null
  local rc=0
  wait "$MOCK_PID" || rc=$?
  MOCK_PID=
  [ "$rc" -eq 0 ] || { cat "$MOCK_ERR" >&2; fail "retrysim mock exited $rc after SIGINT"; }
}

trap '[ -n "$MOCK_PID" ] && kill -9 "$MOCK_PID" 2>/dev/null' EXIT

# sumval FILE METRIC: a metric's value in the first row of a summary.csv
sumval() {
  awk -F, -v m="$2" 'NR==1 { for (i=1;i<=NF;i++) { gsub(/"/, "", $i); h[$i]=i }; next }
                     NR==2 { print $h[m]; exit }' "$1"
}

# same_schema LIVE_DIR SIM_DIR: live wrote every file `run --trace` writes,
# each with run's header, and every row of live's as wide as its header.
same_schema() {
  local f
  for f in summary.csv summary-ci.csv timeseries.csv timeseries-requests.csv attempts.csv alerts.csv; do
    [ -f "$1/$f" ] || fail "live wrote no $f"
    [ -f "$2/$f" ] || fail "run wrote no $f"
    [ "$(head -1 "$1/$f")" = "$(head -1 "$2/$f")" ] \
      || fail "$f: live's header differs from run's:"$'\n'"live: $(head -1 "$1/$f")"$'\n'"run:  $(head -1 "$2/$f")"
    csv_shape "$1/$f" > /dev/null
  done
  ok "live and run --trace write the same headers (attempts.csv: $(head -1 "$1/attempts.csv" | tr ',' '\n' | wc -l) columns), every live row as wide"
}

# node_sdks NAME: the official Node SDKs openai@$OPENAI_V and
# @anthropic-ai/sdk@$ANTHROPIC_V (the versions docs/policies.md cites),
# installed with npm into $TMPDIR/node (package NAME); sets N to that
# directory. Without node or npm, or when npm cannot reach its registry, it
# prints a "SKIP: ..." line and ends the test with status 0 (run-tests.sh
# shows that line); a failed install fails the test.
OPENAI_V=6.49.0
ANTHROPIC_V=1.15.0
node_sdks() {
  command -v node > /dev/null && command -v npm > /dev/null || { echo "SKIP: node or npm not installed"; exit 0; }
  if ! timeout 30 npm ping > /dev/null 2>&1 && ! timeout 30 npm view openai version > /dev/null 2>&1; then
    echo "SKIP: npm registry unreachable"
    exit 0
  fi
  N="$TMPDIR/node"
  mkdir -p "$N"
  ( cd "$N" && echo "{\"name\":\"$1\",\"private\":true}" > package.json \
    && timeout 300 npm install --prefer-offline --no-audit --no-fund --loglevel=error \
         "openai@$OPENAI_V" "@anthropic-ai/sdk@$ANTHROPIC_V" ) \
    > "$TMPDIR/npm.log" 2>&1 || { tail -20 "$TMPDIR/npm.log"; fail "npm install openai@$OPENAI_V @anthropic-ai/sdk@$ANTHROPIC_V"; }
  ok "installed openai@$OPENAI_V and @anthropic-ai/sdk@$ANTHROPIC_V with npm"
}
