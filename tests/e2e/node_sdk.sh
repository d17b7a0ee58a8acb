#!/usr/bin/env bash
# node_sdk.sh — the presets openai-node and anthropic-node against the real
# Node SDKs (npm `openai`, `@anthropic-ai/sdk`, the versions their constants
# were read from: docs/policies.md), over HTTP on 127.0.0.1:
#   - the SDKs are installed with npm into $TMPDIR; when npm cannot reach
#     the registry the test prints "SKIP: npm registry unreachable" and
#     passes (it needs nothing else from outside);
#   - a small Node program calls client.chat.completions.create /
#     client.messages.create with maxRetries 2 through a fetch wrapper (an
#     option both SDKs take) that stamps each HTTP attempt; the wait before
#     a retry = its start - the previous attempt's answer;
#   - `retrysim mock` serves the answers: 500s (backoff), 429s with a fixed
#     Retry-After of 61 s (at --time-scale 20: retry-after-ms 3050) and of
#     0, and 424s; an unparseable `retry-after: soon` and a `retry-after:
#     0.3s` that only parseFloat reads, which the mock cannot send, come
#     from a 15-line Node server;
#   - the expected waits come from retrysim itself: `retrysim delays PRESET
#     --csv` for the backoff, and the simulator's own decision
#     (attempts.csv next_delay_s of `retrysim run --trace` on the same
#     provider) for the hints and the 424.
# The servers run side by side and each SDK drives every case from one Node
# process (the two in parallel): about 30 s, npm install included when its
# cache holds the packages (--prefer-offline).
source tests/e2e/lib.sh
source tests/e2e/live-lib.bash
node_sdks retrysim-node-sdk-test

# ---- the client -------------------------------------------------------------
# node drive.mjs SDK CASE=URL:CALLS... : one JSON line per call,
# {case, status, statuses, waits}; a wait = the attempt's start - the previous
# attempt's answer (fetch resolved), in seconds.
cat > "$N/drive.mjs" <<'JS'
import { createRequire } from 'node:module';
const require = createRequire(process.env.NODE_SDK_DIR + '/');
const [sdk, ...jobs] = process.argv.slice(2);
let log = [];
const stamped = async (u, init) => {
  const a = { t0: performance.now() };
  log.push(a);
  try { const r = await fetch(u, init); a.t1 = performance.now(); a.status = r.status; return r; }
  catch (e) { a.t1 = performance.now(); a.status = 0; throw e; }
};
const msg = { model: 'm', max_tokens: 4, messages: [{ role: 'user', content: 'hi' }] };
function client(url) {
  if (sdk === 'openai') {
    const m = require('openai'), OpenAI = m.default ?? m.OpenAI ?? m;
    const c = new OpenAI({ apiKey: 'k', baseURL: url + '/v1', maxRetries: 2, fetch: stamped });
    return () => c.chat.completions.create(msg);
  }
  const m = require('@anthropic-ai/sdk'), Anthropic = m.default ?? m.Anthropic ?? m;
  const c = new Anthropic({ apiKey: 'k', baseURL: url, maxRetries: 2, fetch: stamped });
  return () => c.messages.create(msg);
}
for (const job of jobs) {
  const [name, rest] = job.split('=');
  const k = rest.lastIndexOf(':'), url = rest.slice(0, k), n = Number(rest.slice(k + 1));
  const call = client(url);
  for (let i = 0; i < n; i++) {
    log = [];
    let status = 200;
    try { await call(); } catch (e) { status = e.status ?? 0; }
    const waits = [];
    for (let j = 1; j < log.length; j++) waits.push(+((log[j].t0 - log[j - 1].t1) / 1000).toFixed(4));
    console.log(JSON.stringify({ case: name, status, statuses: log.map(a => a.status), waits }));
  }
}
JS
# field FILE CASE N KEY: KEY of the N-th call of CASE, arrays space-separated
field() {
  node -e 'const [f, c, n, k] = process.argv.slice(1);
    const rows = require("fs").readFileSync(f, "utf8").trim().split("\n").map(JSON.parse).filter(r => r.case === c);
    const v = rows[n - 1][k]; console.log(Array.isArray(v) ? v.join(" ") : v)' "$@"
}

# ---- the providers, served by the mock and simulated --------------------------
provider() {   # provider NAME BODY: a mock scenario, run in the simulator too
  cat > "$TMPDIR/$1.yaml" <<YAML
scenario: node-$1
duration: 3m
providers:
  - name: api
$2
    latency: { ttft: 1ms }
workload: { clients: 1, think: 1s }
policies:
  - preset: openai-node
  - preset: anthropic-node
  - preset: openai-python
YAML
  "$RETRYSIM" run "$TMPDIR/$1.yaml" --trace --quiet --out "$TMPDIR/sim-$1" > /dev/null 2>&1 \
    || fail "retrysim run $1.yaml"
}
provider e500 "    error_rate: 1
    error_status: 500"
provider h61 "    rate_limit: { rpm: 1, retry_after: 61s }"
provider h0 "    rate_limit: { rpm: 1, retry_after: 0 }"
provider e424 "    error_rate: 1
    error_status: 424"
# simnext NAME PRESET ATTEMPT: the simulator's next_delay_s after that attempt of
# the preset's first request, or its decision when there is none (give-up)
simnext() {
  awk -F, -v p="\"$2\"" -v a="$3" 'NR==1 { for (i=1;i<=NF;i++) h[$i]=i; next }
    $h["policy"]==p && $h["attempt"]==a { print $h["next_delay_s"] ($h["next_delay_s"]=="" ? $h["decision"] : ""); exit }' \
    "$TMPDIR/sim-$1/attempts.csv" | tr -d '"'
}
"$RETRYSIM" delays openai-node anthropic-node --attempts 3 --csv > "$TMPDIR/delays.csv" || fail "retrysim delays"
range() { awk -F, -v p="$1" -v r="$2" '{ gsub(/"/, "") } $1==p && $2==r { print $4, $8 }' "$TMPDIR/delays.csv"; }
# within W LO HI SLACK: LO - 2 ms <= W <= HI + SLACK (a Node timer may fire up to 1 ms early)
within() { awk -v w="$1" -v lo="$2" -v hi="$3" -v s="$4" 'BEGIN { exit !(w >= lo - 0.002 && w <= hi + s) }'; }
SLACK=0.15      # s of wall time for the client's own work on a loaded machine
NOW=0.1         # "at once": well below the backoff's 0.375 s minimum

# ---- the servers ---------------------------------------------------------------
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done' EXIT
start_mock "$TMPDIR/e500.yaml" --port 0;                 U500=$MOCK_URL; PIDS+=("$MOCK_PID")
start_mock "$TMPDIR/h61.yaml" --port 0 --time-scale 20;  U61=$MOCK_URL;  PIDS+=("$MOCK_PID")
start_mock "$TMPDIR/h0.yaml" --port 0;                   U0=$MOCK_URL;   PIDS+=("$MOCK_PID")
start_mock "$TMPDIR/e424.yaml" --port 0;                 U424=$MOCK_URL; PIDS+=("$MOCK_PID")
MOCK_PID=
# an unparseable Retry-After, which the mock does not send: a Node server
cat > "$N/bad.mjs" <<'JS'
import http from 'node:http';
const s = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    // /lenient/...: a value only parseFloat reads (0.3 s); else no number at all
    const ra = req.url.startsWith('/lenient/') ? '0.3s' : 'soon';
    res.writeHead(429, { 'content-type': 'application/json', 'retry-after': ra });
    res.end('{"error":{"message":"slow down","type":"rate_limit_error"}}');
  });
});
s.listen(0, '127.0.0.1', () => console.log('listening on 127.0.0.1:' + s.address().port));
setTimeout(() => process.exit(0), 120000);
JS
node "$N/bad.mjs" > "$TMPDIR/bad.out" &
PIDS+=("$!")
bad_up() { grep -q '^listening on ' "$TMPDIR/bad.out"; }
wait_for 20 bad_up || fail "the Node server did not start"
UBAD="http://$(sed -n 's/^listening on //p' "$TMPDIR/bad.out")"

# ---- both SDKs, every case, side by side ------------------------------------------
CLIENTS=()
for sdk in openai anthropic; do
  NODE_SDK_DIR="$N" timeout 90 node "$N/drive.mjs" $sdk "e500=$U500:2" "h61=$U61:1" "h0=$U0:1" \
    "e424=$U424:1" "bad=$UBAD:1" "lenient=$UBAD/lenient:1" > "$TMPDIR/$sdk.out" 2> "$TMPDIR/$sdk.err" &
  CLIENTS+=("$!")
done
for c in "${CLIENTS[@]}"; do
  wait "$c" || { cat "$TMPDIR"/openai.err "$TMPDIR"/anthropic.err >&2; fail "a node client failed"; }
done
sdk_preset() { [ "$1" = openai ] && echo openai-node || echo anthropic-node; }

for sdk in openai anthropic; do
  p=$(sdk_preset $sdk)
  read -r lo1 hi1 <<< "$(range $p 1)"; read -r lo2 hi2 <<< "$(range $p 2)"
  # 1. backoff: 500, 500, 500
  for n in 1 2; do
    [ "$(field "$TMPDIR/$sdk.out" e500 $n statuses)" = "500 500 500" ] || fail "$sdk: a 500 is retried twice (maxRetries 2)"
    read -r w1 w2 <<< "$(field "$TMPDIR/$sdk.out" e500 $n waits)"
    within "$w1" "$lo1" "$hi1" $SLACK || fail "$sdk retry 1 waited $w1 s; retrysim delays $p: [$lo1, $hi1]"
    within "$w2" "$lo2" "$hi2" $SLACK || fail "$sdk retry 2 waited $w2 s; retrysim delays $p: [$lo2, $hi2]"
    ok "$sdk backoff: waits $w1 s, $w2 s; retrysim delays $p: [$lo1, $hi1] s, [$lo2, $hi2] s"
  done
  # 2. Retry-After 61 s of scenario time: retry-after-ms 3050 at scale 20
  [ "$(field "$TMPDIR/$sdk.out" h61 1 statuses)" = "429 429 429" ] || fail "$sdk: 429s expected from h61"
  read -r w1 w2 <<< "$(field "$TMPDIR/$sdk.out" h61 1 waits)"
  want=$(simnext h61 $p 1)
  assert_cmp "$want" == 61 "the simulator's $p waits out a 61 s hint"
  within "$w1" 3.05 3.05 $SLACK && within "$w2" 3.05 3.05 $SLACK \
    || fail "$sdk waited $w1 s, $w2 s for a 61 s Retry-After at scale 20 (3.05 s); $p says $want s"
  ok "$sdk waits out a 61 s Retry-After: $w1 s, $w2 s at scale 20 (61 s = 3.05 s); $p: $want s"
  # 4. a 424 is not retried
  [ "$(field "$TMPDIR/$sdk.out" e424 1 statuses)" = 424 ] || fail "$sdk retried a 424"
  d=$(simnext e424 $p 1)
  [ "$d" = give-up ] || fail "the simulator's $p does not give up on a 424 ($d)"
  ok "$sdk does not retry a 424 (one attempt); $p: $d"
done
py=$(simnext h61 openai-python 1)
assert_cmp "$py" "<" 1 "openai-python backs off instead above its 60 s ceiling ($py s)"

# 3. Retry-After: 0, and 5. retry-after: soon
read -r lo1 hi1 <<< "$(range anthropic-node 1)"; read -r lo2 hi2 <<< "$(range anthropic-node 2)"
for c in h0 bad; do
  [ "$(field "$TMPDIR/openai.out" $c 1 statuses)" = "429 429 429" ] || fail "openai: 429s expected from $c"
  read -r w1 w2 <<< "$(field "$TMPDIR/openai.out" $c 1 waits)"
  within "$w1" 0 0 $NOW && within "$w2" 0 0 $NOW || fail "openai-node waited $w1 s, $w2 s ($c); want at once"
  read -r a1 a2 <<< "$(field "$TMPDIR/anthropic.out" $c 1 waits)"
  within "$a1" "$lo1" "$hi1" $SLACK && within "$a2" "$lo2" "$hi2" $SLACK \
    || fail "anthropic-node waited $a1 s, $a2 s ($c); want its backoff [$lo1, $hi1], [$lo2, $hi2]"
  ok "$c: openai (node) retries at once ($w1 s, $w2 s); anthropic (node) backs off ($a1 s, $a2 s)"
done
# 6. 'retry-after: 0.3s': parseFloat reads 0.3 (the presets' parse_float), both SDKs
for sdk in openai anthropic; do
  read -r w1 w2 <<< "$(field "$TMPDIR/$sdk.out" lenient 1 waits)"
  within "$w1" 0.3 0.3 $SLACK && within "$w2" 0.3 0.3 $SLACK || fail "$sdk waited $w1 s, $w2 s on 'retry-after: 0.3s'; want 0.3 s"
  ok "$sdk reads 'retry-after: 0.3s' as parseFloat does: waits $w1 s, $w2 s (parse_float)"
done
want=$(simnext h0 openai-node 1)
assert_cmp "$want" == 0 "the simulator's openai-node retries at once on a hint of 0"
want=$(simnext h0 anthropic-node 1)
within "$want" "$lo1" "$hi1" 0 || fail "the simulator's anthropic-node waited $want s on a hint of 0"
ok "the simulator's anthropic-node backs off on a hint of 0 ($want s)"

for p in "${PIDS[@]}"; do kill -INT "$p" 2>/dev/null; done
ok "the Node SDKs wait as the presets openai-node and anthropic-node say"
