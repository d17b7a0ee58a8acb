#!/usr/bin/env bash
# stream_node.sh — the official Node SDKs (npm `openai`, `@anthropic-ai/sdk`)
# stream from `retrysim mock` on 127.0.0.1 (docs/live.md, "Streaming"):
#   - the SDKs are installed with npm into $TMPDIR; when npm cannot reach
#     the registry the test prints "SKIP: npm registry unreachable" and
#     passes (as tests/e2e/node_sdk.sh);
#   - complete streams: client.chat.completions.create({stream: true,
#     stream_options: {include_usage: true}}) and client.messages.stream()
#     .finalMessage() receive every chunk (max_tokens / chunk_tokens of
#     them, 4 characters a token), the usage, no error, one HTTP request;
#   - cuts (stream cut_rate 1): each call throws, after exactly the chunks
#     the simulator's own plan gives (attempts.csv tokens_received of
#     `retrysim run --trace` on the same provider: the mock draws the same
#     cuts), with one HTTP request (an SDK does not retry a stream that has
#     started); openai-node lets fetch's TypeError('terminated') through,
#     anthropic-node wraps it in an AnthropicError;
#   - error events (stream error_rate 1): each call throws the SDK's APIError
#     (anthropic-node: type overloaded_error), again without a retry.
source tests/e2e/lib.sh
source tests/e2e/live-lib.bash
node_sdks retrysim-stream-test

# node stream.mjs SDK URL CALLS MAX_TOKENS: one JSON line per call:
# {chunks, chars, usage, requests, error, error_class, type}
cat > "$N/stream.mjs" <<'JS'
import { createRequire } from 'node:module';
const require = createRequire(process.env.NODE_SDK_DIR + '/');
const [sdk, url, calls, maxTokens] = process.argv.slice(2);
let requests = 0;
const counted = (u, init) => { requests++; return fetch(u, init); };
const msg = { model: 'm', max_tokens: Number(maxTokens), messages: [{ role: 'user', content: 'hi' }] };
for (let i = 0; i < Number(calls); i++) {
  requests = 0;
  const r = { chunks: 0, chars: 0, usage: null };
  try {
    if (sdk === 'openai') {
      const m = require('openai'), OpenAI = m.default ?? m.OpenAI ?? m;
      const c = new OpenAI({ apiKey: 'k', baseURL: url + '/v1', maxRetries: 2, fetch: counted });
      const s = await c.chat.completions.create({ ...msg, stream: true, stream_options: { include_usage: true } });
      for await (const ch of s) {
        const t = ch.choices?.[0]?.delta?.content;
        if (t) { r.chunks++; r.chars += t.length; }
        if (ch.usage) r.usage = ch.usage.completion_tokens;
      }
    } else {
      const m = require('@anthropic-ai/sdk'), Anthropic = m.default ?? m.Anthropic ?? m;
      const c = new Anthropic({ apiKey: 'k', baseURL: url, maxRetries: 2, fetch: counted });
      const st = c.messages.stream(msg);
      st.on('text', t => { r.chunks++; r.chars += t.length; });
      const fin = await st.finalMessage();
      r.usage = fin.usage.output_tokens;
    }
  } catch (e) {
    r.error = String(e.message).slice(0, 100);
    r.error_class = e.constructor.name;
    r.type = e.type ?? e.error?.error?.type ?? null;
  }
  r.requests = requests;
  console.log(JSON.stringify(r));
}
JS
# col FILE KEY: KEY of every line, one per line
col() { node -e 'const [f, k] = process.argv.slice(1);
  for (const l of require("fs").readFileSync(f, "utf8").trim().split("\n")) console.log(JSON.parse(l)[k])' "$@"; }

provider() {   # provider NAME STREAM_MAP: a mock scenario, also simulated with --trace
  cat > "$TMPDIR/$1.yaml" <<YAML
scenario: stream-node-$1
duration: 10m
providers:
  - name: api
    latency: { ttft: 30ms, per_token: 2ms }
    stream: $2
workload: { clients: 1, think: 1s, prompt_tokens: 1, output_tokens: 40, requests_per_client: 6 }
policies:
  - preset: openai-node
    stream: true
YAML
  "$RETRYSIM" run "$TMPDIR/$1.yaml" --trace --quiet --out "$TMPDIR/sim-$1" > /dev/null 2>&1 || fail "retrysim run $1.yaml"
}
provider whole "{ chunk_tokens: 2 }"
provider cut "{ cut_rate: 1 }"
provider err "{ error_rate: 1 }"
CALLS=6

PIDS=()
trap 'for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done' EXIT
run_sdk() {   # run_sdk CASE SDK: a fresh mock for every run, so that its draws start over
  start_mock "$TMPDIR/$1.yaml" --port 0 --quiet
  PIDS+=("$MOCK_PID")
  NODE_SDK_DIR="$N" timeout 60 node "$N/stream.mjs" "$2" "$MOCK_URL" $CALLS 40 > "$TMPDIR/$1-$2.out" 2> "$TMPDIR/$1-$2.err" \
    || { cat "$TMPDIR/$1-$2.err" >&2; fail "node $2 against the $1 mock"; }
  stop_mock
}
for sdk in openai anthropic; do
  # complete: 40 tokens in chunks of 2: 20 chunks, 160 characters, usage 40, one request
  run_sdk whole $sdk
  [ "$(col "$TMPDIR/whole-$sdk.out" chunks | sort -u)" = 20 ] || fail "$sdk: chunks $(col "$TMPDIR/whole-$sdk.out" chunks | tr '\n' ' '), want 20"
  [ "$(col "$TMPDIR/whole-$sdk.out" chars | sort -u)" = 160 ] || fail "$sdk: characters of the streamed text, want 160"
  [ "$(col "$TMPDIR/whole-$sdk.out" usage | sort -u)" = 40 ] || fail "$sdk: the usage, want 40 output tokens"
  [ "$(col "$TMPDIR/whole-$sdk.out" error | sort -u)" = undefined ] || fail "$sdk: an error on a complete stream: $(head -1 "$TMPDIR/whole-$sdk.out")"
  [ "$(col "$TMPDIR/whole-$sdk.out" requests | sort -u)" = 1 ] || fail "$sdk: more than one HTTP request for a stream"
  ok "$sdk streams $CALLS answers from the mock: 20 chunks, 160 characters, usage 40 each, no error"

  # cut: the SDK throws after the chunks the simulator's plan gives, and does not retry
  run_sdk cut $sdk
  want=$(awk -F, 'NR==1 { for (i=1;i<=NF;i++) h[$i]=i; next } { print $h["tokens_received"] }' "$TMPDIR/sim-cut/attempts.csv" | head -$CALLS | tr '\n' ' ')
  got=$(col "$TMPDIR/cut-$sdk.out" chunks | tr '\n' ' ')
  [ "$got" = "$want" ] || fail "$sdk: chunks before the cuts: $got; the simulator's tokens_received: $want"
  [ "$(col "$TMPDIR/cut-$sdk.out" requests | sort -u)" = 1 ] || fail "$sdk retried a stream cut after its first byte"
  [ "$(awk -F, 'NR>1' "$TMPDIR/sim-cut/attempts.csv" | grep -c '"stream-cut",200,.*"give-up","not-retryable"')" -ge $CALLS ] \
    || fail "the simulator's openai-node does not give up on a stream cut"
  cls=$(col "$TMPDIR/cut-$sdk.out" error_class | sort -u)
  msg=$(col "$TMPDIR/cut-$sdk.out" error | sort -u)
  if [ $sdk = openai ]; then want_cls=TypeError; else want_cls=AnthropicError; fi
  [ "$cls" = "$want_cls" ] || fail "$sdk: a cut threw $cls ($msg), want $want_cls"
  ok "$sdk throws $cls ('$msg') on each cut, after $got chunks (the simulator: $want), without a retry"

  # error event: the SDK's APIError, no retry
  run_sdk err $sdk
  cls=$(col "$TMPDIR/err-$sdk.out" error_class | sort -u)
  [ "$cls" = APIError ] || fail "$sdk: an error event threw $cls, want APIError"
  [ "$(col "$TMPDIR/err-$sdk.out" requests | sort -u)" = 1 ] || fail "$sdk retried a stream's error event"
  want=$(awk -F, 'NR==1 { for (i=1;i<=NF;i++) h[$i]=i; next } { print $h["tokens_received"] }' "$TMPDIR/sim-err/attempts.csv" | head -$CALLS | tr '\n' ' ')
  got=$(col "$TMPDIR/err-$sdk.out" chunks | tr '\n' ' ')
  [ "$got" = "$want" ] || fail "$sdk: chunks before the error events: $got; the simulator's tokens_received: $want"
  if [ $sdk = anthropic ]; then
    [ "$(col "$TMPDIR/err-$sdk.out" type | sort -u)" = overloaded_error ] || fail "anthropic: the error type, want overloaded_error"
  fi
  ok "$sdk throws APIError on each error event ($(col "$TMPDIR/err-$sdk.out" type | sort -u)), after $got chunks, without a retry"
done
ok "the Node SDKs stream from the mock, and see its cuts and error events as the simulator plans them"
