# Hostile and careless input to `retrysim mock` and `retrysim live`: one
# assertion per row of docs/robustness.md, "Live mode and the mock provider"
# (the row numbers are the table's). Everything talks to 127.0.0.1 (one row
# also uses 127.0.0.2 as a client address); every loop is bounded in count
# and time; waits are bounded polls on observable states.
#  - the mock: JSON bodies (surrogate pairs, bad UTF-8, nesting, memory
#    bombs, missing fields), HTTP framing (garbage request lines, TLS on the
#    plain port, long headers, bad chunks), connections (idle, slowloris,
#    more than the descriptor limit allows), held requests;
#  - live against a hostile server (tests/e2e/hostile.py serve MODE): odd
#    statuses, bodies that are not JSON, truncated, huge or deep, resets,
#    refusals, silence, and each API's error bodies; every attempt that did
#    not succeed has an error text in attempts.csv.
. tests/e2e/lib.sh
. tests/e2e/live-lib.bash
H="python3 tests/e2e/hostile.py"
SC=tests/fixtures/live-faults.yaml
row() { ok "#$1 $2"; }
export RETRYSIM_MOCK_IDLE_TIMEOUT=2
# sanitizer builds are slower and bigger: wider bounds there
SLOW=1; RSS_MAX_KB=200000
[ -n "${SANITIZE:-}" ] && { SLOW=4; RSS_MAX_KB=900000; }

# post PATH DATAFILE [CURL ARGS...]: POST to the mock; prints "CODE SECONDS"; the body in $TMPDIR/body
post() {
  local path=$1 data=$2; shift 2
  curl -s -o "$TMPDIR/body" -w '%{http_code} %{time_total}' -m $((10 * SLOW)) -H 'Content-Type: application/json' \
    --data-binary "@$data" "$@" "$MOCK_URL$path" || true
}
# put TEXT: writes TEXT (printf %b escapes) to $TMPDIR/req
put() { printf '%b' "$1" > "$TMPDIR/req"; }
# expect_code ROW WHAT CODE [MAX_SECONDS] [BODY_SUBSTRING]: checks the last post
expect_code() {
  local r=$1 what=$2 want=$3 max=${4:-} sub=${5:-} got secs
  read -r got secs <<< "$RES"
  [ "$got" = "$want" ] || fail "#$r $what: HTTP $got, want $want ($(head -c 300 "$TMPDIR/body"))"
  [ -z "$max" ] || fcmp "$secs" "<" "$((max * SLOW))" || fail "#$r $what: took $secs s (bound $((max * SLOW)) s)"
  [ -z "$sub" ] || grep -qF -- "$sub" "$TMPDIR/body" || fail "#$r $what: body lacks '$sub': $(head -c 300 "$TMPDIR/body")"
  row "$r" "$what: HTTP $got in ${secs}s"
}
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$MOCK_PID/status"; }
hwm_kb() { awk '/^VmHWM/ { print $2 }' "/proc/$MOCK_PID/status"; }
valid_json() { python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$1" 2>/dev/null; }

# ======================================================= the mock: bodies ===
start_mock "$SC" --time-scale 8
PORT=${MOCK_URL##*:}
OK='{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi \\ud83d\\ude00"}]}'
put "$OK"; RES=$(post /v1/chat/completions "$TMPDIR/req")
expect_code 1 "escaped surrogate pair (Python json.dumps), OpenAI" 200 5
valid_json "$TMPDIR/body" || fail "#1: the answer is not JSON"
put "$OK"; RES=$(post /v1/messages "$TMPDIR/req")
expect_code 2 "escaped surrogate pair, Anthropic" 200 5 '"output_tokens":5'
put '{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"\\ud83d alone"}]}'
RES=$(post /v1/chat/completions "$TMPDIR/req"); expect_code 3 "a lone surrogate" 400 5 "invalid Unicode"
put '{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"caf\xe9 \xff"}]}'
RES=$(post /v1/chat/completions "$TMPDIR/req"); expect_code 4 "invalid UTF-8 in a string" 400 5 "unable to decode byte"
put '{"model":"m","max_tokens":5,"messages":[{"role":"user","con'
RES=$(post /v1/chat/completions "$TMPDIR/req"); expect_code 5 "truncated JSON" 400 5 "could not parse"
head -c 204800 /dev/zero | tr '\0' '[' > "$TMPDIR/deep"
RES=$(post /v1/chat/completions "$TMPDIR/deep"); expect_code 6 "200 KB of nesting" 400 1 "nested deeper than 2048"
python3 -c "import sys; sys.stdout.write('{\"model\":\"m\",\"max_tokens\":1,\"messages\":[' + '{},' * 2000000 + '{}]}')" > "$TMPDIR/bomb"
RES=$(post /v1/chat/completions "$TMPDIR/bomb"); expect_code 7 "6 MB of empty objects (memory bomb)" 400 5 "too complex"
python3 - "$TMPDIR/alias" <<'EOF'
import sys
lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
for i in range(1, 9):
    lines.append('a%d: &a%d [%s]' % (i, i, ','.join(['*a%d' % (i - 1)] * 9)))
open(sys.argv[1], 'w').write('\n'.join(lines) + '\nmodel: m\nmessages: [*a8]\nmax_tokens: 1\n')
EOF
RES=$(post /v1/chat/completions "$TMPDIR/alias"); expect_code 8 "a YAML alias bomb (not JSON)" 400 1 "could not parse"
assert_cmp "$(hwm_kb)" "<" "$RSS_MAX_KB" "#7/#8 the mock's peak RSS stays bounded (kB)"
head -c $((9 * 1024 * 1024)) /dev/zero | tr '\0' ' ' > "$TMPDIR/huge"
RES=$(post /v1/chat/completions "$TMPDIR/huge"); expect_code 9 "a 9 MiB body" 413 5
put "$OK"; RES=$(post /v1/chat/completions "$TMPDIR/req" -H 'Content-Type: text/plain')
expect_code 10 "Content-Type text/plain with a JSON body (the body decides)" 200 5
put '{"max_tokens":5,"messages":[{"role":"user","content":"x"}]}'
RES=$(post /v1/chat/completions "$TMPDIR/req"); expect_code 11 "no model" 400 5 "model: Field required"
put '{"model":"m","max_tokens":5}'
RES=$(post /v1/messages "$TMPDIR/req"); expect_code 12 "no messages" 400 5 "messages: Field required"
put '{"model":"m","messages":[{"role":"user","content":"x"}]}'
RES=$(post /v1/messages "$TMPDIR/req"); expect_code 13 "no max_tokens, Anthropic (required)" 400 5 "max_tokens"
RES=$(post /v1/chat/completions "$TMPDIR/req"); expect_code 14 "no max_tokens, OpenAI (optional)" 200 5
put '{"model":"m","max_tokens":-5,"messages":[{"role":"user","content":"x"}]}'
RES=$(post /v1/chat/completions "$TMPDIR/req"); expect_code 15 "negative max_tokens" 400 5 "max_tokens"
put '{"model":"m","max_tokens":"5","messages":[{"role":"user","content":"x"}]}'
RES=$(post /v1/chat/completions "$TMPDIR/req"); expect_code 16 "max_tokens as a string" 400 5 "max_tokens"
for j in '[1,2]' '"text"' '42' 'null'; do
  put "$j"; RES=$(post /v1/chat/completions "$TMPDIR/req"); expect_code 17 "a JSON $j, not an object" 400 5 "JSON object"
done
: > "$TMPDIR/empty"
RES=$(post /v1/chat/completions "$TMPDIR/empty"); expect_code 18 "an empty body" 400 5 "empty body"
RES=$(curl -s -o "$TMPDIR/body" -D "$TMPDIR/hdr" -w '%{http_code} %{time_total}' -m 5 "$MOCK_URL/v1/chat/completions")
expect_code 19 "GET" 405 5 "Method not allowed"
grep -qi '^Allow: POST' "$TMPDIR/hdr" || fail "#19: no Allow: POST"
RES=$(curl -s -o "$TMPDIR/body" -w '%{http_code} %{time_total}' -m 5 -I "$MOCK_URL/v1/messages")
expect_code 20 "HEAD" 405 5
put "$OK"; RES=$(post /v1/embeddings "$TMPDIR/req"); expect_code 21 "an unknown path" 404 5 "unknown_url"
put "$OK"; RES=$(post /v1/chat/completions "$TMPDIR/req" -H "X-Long: $(head -c 40000 /dev/zero | tr '\0' a)")
expect_code 22 "a 40 KB header" 431 5

# ====================================================== the mock: framing ===
# raw ROW WHAT BYTES WANT_STATUS: bytes on a fresh connection; the answer must come and the connection close
raw() {
  local out
  out=$($H raw "$PORT" "$3" $((5 * SLOW)))
  case "$out" in "status=$4 closed=1 "*) ;; *) fail "#$1 $2: got '$out', want status $4 and a close";; esac
  row "$1" "$2: $(head -n 1 <<< "$out")"
}
raw 23 "a garbage request line" '\x00\xff garbage\r\n\r\n' 400
raw 24 "a TLS ClientHello on the plain port" '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' 400
raw 25 "an HTTP/0.9 request line" 'GET /v1/messages\r\n\r\n' 400
raw 26 "HTTP/9.9" 'POST /v1/messages HTTP/9.9\r\nHost: x\r\n\r\n' 505
raw 27 "a bad chunk size" 'POST /v1/messages HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n' 400
raw 28 "Content-Length: abc" 'POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n' 400
out=$($H idle "$PORT" 1 $((6 * SLOW)))
grep -q 'opened=1 refused_503=0 closed=1' <<< "$out" || fail "#29: an idle connection was not closed: $out"
row 29 "an idle connection is closed after the idle timeout (2 s)"
kill -0 "$MOCK_PID" || fail "the mock died"
put "$OK"; RES=$(post /v1/chat/completions "$TMPDIR/req"); expect_code 30 "after all that, a good request" 200 5

# ============================================ the mock: slowloris, 1000 ===
$H slowloris "$PORT" 1000 $((8 * SLOW)) > "$TMPDIR/slow.out" &
SLOWPID=$!
for _ in $(seq 1 50); do         # until the 1000 are open (bounded)
  [ "$(ls /proc/$MOCK_PID/fd | wc -l)" -ge 1000 ] && break; sleep 0.1
done
worst=0; n=0
for _ in $(seq 1 15); do
  put "$OK"; RES=$(post /v1/chat/completions "$TMPDIR/req")
  read -r code secs <<< "$RES"
  [ "$code" = 200 ] || fail "#31: a request during the slowloris got HTTP $code"
  fcmp "$secs" ">" "$worst" && worst=$secs
  n=$((n + 1)); sleep 0.3
done
wait "$SLOWPID"
assert_cmp "$worst" "<" "$((2 * SLOW))" "#31 $n requests answered during 1000 slowloris connections: slowest (s)"
read -r opened closed peak < <(sed 's/[a-z_]*=//g' "$TMPDIR/slow.out")
assert_cmp "$peak" ">=" 1000 "#32 the slowloris client held 1000 connections at once"
assert_cmp "$closed" ">=" 1000 "#32 and the mock closed trickling connections after the idle timeout"
stop_mock

# ==================================== the mock: held requests are not idle ===
start_mock "$SC" --time-scale 1 --set "timeline=[{at: 0s, for: 19s, provider: primary, set: {outage: blackhole}}]"
put "$OK"; rc=0
curl -s -o /dev/null -m 4 -H 'Content-Type: application/json' --data-binary "@$TMPDIR/req" "$MOCK_URL/v1/chat/completions" || rc=$?
assert_cmp "$rc" "==" 28 "#33 a black-holed request outlives the 2 s idle timeout: the client's own 4 s timeout (curl 28) ends it"
stop_mock

# ==================================== the mock: ulimit -n 256, 400 idle ===
MOCK_PID=
out=$(mktemp "$TMPDIR/mock.XXXXXX")
MOCK_ERR="$out.err"
( ulimit -n 256; exec "$RETRYSIM" mock "$SC" --time-scale 8 > "$out" 2> "$MOCK_ERR" ) &
MOCK_PID=$!
for _ in $(seq 1 100); do grep -q '^listening on ' "$out" && break; sleep 0.1; done
MOCK_URL="http://$(sed -n 's/^listening on //p' "$out")"
PORT=${MOCK_URL##*:}
grep -q 'at most 216 connections (162 per client address)' "$MOCK_ERR" || fail "#34: limits not derived from 256: $(cat "$MOCK_ERR")"
$H idle "$PORT" 400 $((6 * SLOW)) > "$TMPDIR/idle.out" &
IDLEPID=$!
for _ in $(seq 1 100); do grep -q connected= "$TMPDIR/idle.out" && break; sleep 0.1; done
put "$OK"
RES=$(post /v1/chat/completions "$TMPDIR/req" --retry 0); expect_code 34 "400 idle connections from 127.0.0.1 (limit 256 fds): a new one gets 503" 503 1 "too_many_connections"
RES=$(post /v1/chat/completions "$TMPDIR/req" --interface 127.0.0.2)
expect_code 35 "meanwhile another client address (127.0.0.2) is served" 200 2
assert_cmp "$(ls /proc/$MOCK_PID/fd | wc -l)" "<" 256 "#36 the mock stays under its descriptor limit"
got=
for _ in $(seq 1 $((60 * SLOW))); do         # bounded poll: the idle ones go after 2 s
  RES=$(post /v1/chat/completions "$TMPDIR/req" -m 1); read -r got _ <<< "$RES"
  [ "$got" = 200 ] && break; sleep 0.1
done
[ "$got" = 200 ] || fail "#36 still unreachable from 127.0.0.1 after the idle timeout (HTTP $got)"
row 36 "after the idle timeout 127.0.0.1 is served again"
wait "$IDLEPID"
grep -q 'refused_503=[1-9]' "$TMPDIR/idle.out" || fail "#34: no 503 among the 400: $(cat "$TMPDIR/idle.out")"
stop_mock

# ================================================= live against hostile ===
# live_vs MODE: live (1 client, 4 requests) against hostile.py serve MODE; rows in $TMPDIR/live-MODE/attempts.csv
live_vs() {
  local mode=$1 port
  rm -f "$TMPDIR/port"
  HOSTILE_LOG="$TMPDIR/hostile.log" $H serve "$TMPDIR/port" "$mode" 60 &
  local spid=$!
  for _ in $(seq 1 100); do [ -s "$TMPDIR/port" ] && break; sleep 0.1; done
  port=$(cat "$TMPDIR/port")
  local t0=$SECONDS
  expect_status 0 timeout $((60 * SLOW)) "$RETRYSIM" live "$SC" --target "http://127.0.0.1:$port" --time-scale 8 \
    --clients 1 --max-requests 4 --out "$TMPDIR/live-$mode" --quiet
  LIVE_SECS=$((SECONDS - t0))
  kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null
}
# attempts DIR: "status|outcome|bytes_received|error" per row with an outcome
attempts() {
  python3 -c '
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    if r["outcome"]:
        print("%s|%s|%s|%s" % (r["status"], r["outcome"], r["bytes_received"], r["error"]))' "$1/attempts.csv"
}
# expect_rows ROW WHAT MODE STATUS OUTCOME ERROR_SUBSTRING
expect_rows() {
  local r=$1 what=$2 mode=$3 st=$4 kind=$5 sub=$6
  live_vs "$mode"
  attempts "$TMPDIR/live-$mode" > "$TMPDIR/rows"
  [ -s "$TMPDIR/rows" ] || fail "#$r $what: no attempt with an outcome"
  while IFS='|' read -r s k b e; do
    [ "$s" = "$st" ] && [ "$k" = "$kind" ] || fail "#$r $what: status $s outcome $k, want $st $kind ($e)"
    if [ -z "$sub" ]; then [ -z "$e" ] || fail "#$r $what: error '$e' on a success"
    else grep -qF -- "$sub" <<< "$e" || fail "#$r $what: error '$e' lacks '$sub'"; fi
  done < "$TMPDIR/rows"
  row "$r" "$what: $(wc -l < "$TMPDIR/rows") attempts $st $kind${sub:+, error '$(head -n 1 "$TMPDIR/rows" | cut -d'|' -f4 | cut -c1-80)'}"
}
expect_rows 37 "200 with an escaped surrogate pair" surrogate200 200 success ""
assert_cmp "$(sumval "$TMPDIR/live-surrogate200/summary.csv" successes)" ">=" 3 "#37 counted as successes"
expect_rows 38 "status 999" status999 0 reset "unexpected HTTP status 999"
expect_rows 39 "an HTML 200" html200 0 reset "HTTP 200 with a body that is not JSON"
expect_rows 40 "a 200 of random bytes" random200 0 reset "HTTP 200 with a body that is"
expect_rows 41 "a 200 cut half-way through its Content-Length" truncated200 0 reset "partial file"
expect_rows 42 "a 200 announcing 1 GiB" huge200 0 reset "body too large"
expect_rows 43 "a chunked 200 that never ends" hugechunked200 0 reset "body too large"
assert_cmp "$(cut -d'|' -f3 "$TMPDIR/rows" | sort -n | tail -n 1)" "<=" 2097152 "#43 at most ~1 MiB of it was read (bytes)"
assert_cmp "$LIVE_SECS" "<" $((20 * SLOW)) "#43 and the run ended promptly (s)"
expect_rows 44 "a 200 of 200 KB of nesting" deep200 0 reset "nested deeper than 2048"
expect_rows 45 "a reset after the request" reset 0 reset " "
expect_rows 46 "silence (no answer)" silent 0 timeout "timeout: no answer after"
expect_rows 47 "an OpenAI 429 error body" openai429 429 http "HTTP 429 requests/rate_limit_exceeded: Rate limit reached"
expect_rows 48 "an Anthropic 529 error body" anthropic529 529 http "HTTP 529 overloaded_error: Overloaded"
expect_rows 49 "an OpenAI context_length_exceeded 400" openai_context 400 context-window "context_length_exceeded"
expect_rows 50 "an Anthropic 'prompt is too long' 400" anthropic_context 400 context-window "prompt is too long"
expect_rows 51 "an HTML 503" error_html 503 http "HTTP 503 (body not JSON"
# refused: a port nothing listens on
FREE=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
expect_status 0 timeout $((60 * SLOW)) "$RETRYSIM" live "$SC" --target "http://127.0.0.1:$FREE" --time-scale 8 \
  --clients 1 --max-requests 4 --out "$TMPDIR/live-refused" --quiet
attempts "$TMPDIR/live-refused" > "$TMPDIR/rows"
grep -qv '|refused|.*onnect' "$TMPDIR/rows" && fail "#52 refused: $(cat "$TMPDIR/rows")"
row 52 "a refused connection: refused, '$(head -n 1 "$TMPDIR/rows" | cut -d'|' -f4 | cut -c1-60)'"
# every attempt of every live run above that did not succeed says why
python3 - "$TMPDIR" <<'EOF' || fail "#53 an attempt without success has an empty error column"
import csv, glob, sys
bad = total = 0
for f in glob.glob(sys.argv[1] + "/live-*/attempts.csv"):
    for r in csv.DictReader(open(f)):
        if r["outcome"] != "success":
            total += 1
            if not r["error"].strip():
                bad += 1
                print(f, r, file=sys.stderr)
print("non-success attempts: %d, without an error text: %d" % (total, bad))
sys.exit(1 if bad or total < 40 else 0)
EOF
row 53 "every attempt that did not succeed has an error text"
