# import.sh — `retrysim import litellm|portkey`, import: entries in
# scenarios and `retrysim tune --emit` (docs/import.md, docs/cli.md):
# the examples printed in LiteLLM's and Portkey's docs import (and their
# scenarios validate), bad input exits 2 with a located message, unknown
# keys are errors unless --lenient, the canonical scenarios of
# scenarios/imports/ pass `retrysim check`, and a tuned point written back
# with --emit simulates byte for byte like the tuned overrides.
#
# PER_KIND_KEYS: the per-kind retry rules (retry: count, on:) and nested
# retry layers (inner:) that LiteLLM's retry_policy and max_retries map to:
# every generated scenario must validate, and
# scenarios/imports/litellm-per-kind-storm.yaml must pass `retrysim check`
# (PER_KIND_KEYS=0 checks their text only).
PER_KIND_KEYS=${PER_KIND_KEYS:-1}
source tests/e2e/lib.sh
F=tests/fixtures/import
W="$TMPDIR/w"; mkdir -p "$W"

# ---- usage ----
expect_status 0 "$RETRYSIM" import --help
grep -q 'usage: retrysim import litellm|portkey FILE' "$TMPDIR/out" || fail "--help"
expect_status 2 "$RETRYSIM" import
expect_status 2 "$RETRYSIM" import litellm
expect_status 2 "$RETRYSIM" import kong "$F/litellm-docs-fallbacks.yaml"
grep -qF "retrysim import: unknown format 'kong' (litellm or portkey)" "$TMPDIR/err" || fail "unknown format: $(cat "$TMPDIR/err")"
expect_status 2 "$RETRYSIM" import litellm "$F/litellm-docs-fallbacks.yaml" --bogus
expect_status 2 "$RETRYSIM" import litellm "$F/does-not-exist.yaml"
grep -q 'does-not-exist.yaml: cannot open' "$TMPDIR/err" || fail "missing file: $(cat "$TMPDIR/err")"
ok "usage and exit statuses"

# ---- the docs' examples ----
n=0
for f in "$F"/litellm-docs-*.yaml "$F"/portkey-docs-*.json; do
  case "$f" in *router-reference.yaml) continue;; esac
  fmt=litellm; case "$f" in *.json) fmt=portkey;; esac
  expect_status 0 "$RETRYSIM" import $fmt "$f"
  out="$W/$(basename "$f").scenario.yaml"
  cp "$TMPDIR/out" "$out"
  # every warning names the file, a line and a column
  if [ -s "$TMPDIR/err" ] && grep -vqE "^$f:[0-9]+:[0-9]+: warning: " "$TMPDIR/err"; then
    cat "$TMPDIR/err" >&2; fail "$f: a warning without file:line:col"
  fi
  if grep -qE '^ +(count|on|inner):' "$out" && [ "$PER_KIND_KEYS" != 1 ]; then
    grep -qE '^ +(on:|inner:)' "$out" || fail "$f: count without rules"
  else
    expect_status 0 "$RETRYSIM" validate "$out"
  fi
  n=$((n + 1))
done
[ "$n" -ge 20 ] || fail "only $n docs examples"
"$RETRYSIM" import litellm scenarios/imports/litellm-config.yaml > "$W/a1" 2>/dev/null
"$RETRYSIM" import litellm scenarios/imports/litellm-config.yaml > "$W/a2" 2>/dev/null
cmp -s "$W/a1" "$W/a2" || fail "two imports of one file differ"
ok "$n examples of the LiteLLM and Portkey docs import (their scenarios validate)"
# the reference of config_settings.md is not YAML as printed: LiteLLM cannot load it either
expect_status 2 "$RETRYSIM" import litellm "$F/litellm-docs-router-reference.yaml"
grep -q "^$F/litellm-docs-router-reference.yaml:28:63: YAML syntax error" "$TMPDIR/err" || fail "syntax: $(cat "$TMPDIR/err")"
ok "a config that is not YAML: located syntax error, exit 2"

# ---- unknown keys, --lenient ----
printf 'model_list:\n  - model_name: g\n    litellm_params: { model: openai/gpt-4o, rpm: 60 }\nrouter_setings: { num_retries: 1 }\n' > "$W/typo.yaml"
expect_status 2 "$RETRYSIM" import litellm "$W/typo.yaml"
grep -qxF "$W/typo.yaml:4:1: unknown key 'router_setings' in the LiteLLM config; did you mean 'router_settings'? (--lenient makes unknown keys warnings)" "$TMPDIR/err" \
  || fail "unknown key: $(cat "$TMPDIR/err")"
expect_status 0 "$RETRYSIM" import litellm "$W/typo.yaml" --lenient
grep -qF "$W/typo.yaml:4:1: warning: unknown key 'router_setings'" "$TMPDIR/err" || fail "lenient warning"
printf '{ "retry": { "attempts": "three" } }\n' > "$W/bad.json"
expect_status 2 "$RETRYSIM" import portkey "$W/bad.json"
grep -qxF "$W/bad.json:1:26: expected an integer for 'attempts', got 'three'" "$TMPDIR/err" || fail "bad value: $(cat "$TMPDIR/err")"
ok "unknown keys are errors (warnings with --lenient); bad values are located"

# ---- --policies-only ----
expect_status 0 "$RETRYSIM" import portkey "$F/portkey-docs-loadbalance-providers.json" --policies-only --name lb
[ "$(grep -v '^#' "$TMPDIR/out" | head -1)" = "policies:" ] || fail "--policies-only: $(head -3 "$TMPDIR/out")"
grep -q '^  - name: lb$' "$TMPDIR/out" || fail "--name"
grep -q '^providers:' "$TMPDIR/out" && fail "--policies-only printed providers"
ok "--policies-only, --name"

# ---- import: in scenarios ----
for f in scenarios/imports/*-storm.yaml; do
  case "$f" in *per-kind*) [ "$PER_KIND_KEYS" = 1 ] || continue;; esac
  expect_status 0 "$RETRYSIM" validate "$f"
done
expect_status 0 "$RETRYSIM" validate scenarios/imports/litellm-storm.yaml
grep -q '^scenarios/imports/litellm-config.yaml:[0-9]*:[0-9]*: warning: ' "$TMPDIR/err" || fail "validate does not show the import's warnings"
if [ "$PER_KIND_KEYS" != 1 ]; then
  expect_status 2 "$RETRYSIM" validate scenarios/imports/litellm-per-kind-storm.yaml
  grep -q "^scenarios/imports/litellm-per-kind-config.yaml:[0-9]*:[0-9]*: unknown key '\(count\|on\|inner\)'" "$TMPDIR/err" \
    || fail "per-kind: $(cat "$TMPDIR/err")"
  "$RETRYSIM" import litellm scenarios/imports/litellm-per-kind-config.yaml 2>/dev/null > "$W/pk.yaml"
  grep -q 'match: 429, max_attempts: 6' "$W/pk.yaml" && grep -q 'match: timeout, max_attempts: 2' "$W/pk.yaml" \
    && grep -q '^    inner:' "$W/pk.yaml" || fail "per-kind rules not generated"
  echo "note: the per-kind scenario waits for the per-kind retry keys (PER_KIND_KEYS=1)"
fi
ok "scenarios import their configs (errors located in the config)"

# ---- the canonical examples demonstrate their claims ----
files="scenarios/imports/litellm-storm.yaml scenarios/imports/portkey-storm.yaml"
[ "$PER_KIND_KEYS" = 1 ] && files="$files scenarios/imports/litellm-per-kind-storm.yaml"
expect_status 0 "$RETRYSIM" check $files --jobs 2
grep -q 'failed' "$TMPDIR/out" && grep -q ' 0 failed' "$TMPDIR/out" || { cat "$TMPDIR/out"; fail "check"; }
ok "retrysim check of the imported configs: $(tail -1 "$TMPDIR/out")"

# ---- tune --emit: import(export(x)) simulates like x ----
mkdir -p "$W/rt"
cp scenarios/imports/portkey-config.json "$W/rt/"
cat > "$W/rt/s.yaml" <<'YAML'
scenario: rt
duration: 90s
replications: 2
providers:
  - import: { format: portkey, file: portkey-config.json }
  - { name: openai-us-east, rate_limit: { rpm: 600 } }
timeline:
  - { at: 20s, for: 40s, provider: openai-us-east, set: { rpm: 60 } }
workload: { clients: 20, think: 1s }
policies:
  - import: { format: portkey, file: portkey-config.json }
YAML
expect_status 0 "$RETRYSIM" tune "$W/rt/s.yaml" --param 'retry.max_attempts=1..6:int' --param 'retry.timeout=2s..40s:log' \
  --minimize latency_p99 --budget 12 --jobs 2 --out "$W/rt/tuned" --emit portkey --quiet
grep -q "^wrote $W/rt/tuned/portkey-config.json" "$TMPDIR/out" || fail "--emit: $(cat "$TMPDIR/out")"
ma=$(sed -n 's/.*retry.max_attempts=\([^ ]*\).*/\1/p' "$TMPDIR/out"); to=$(sed -n 's/.*retry.timeout=\([^ ]*\).*/\1/p' "$TMPDIR/out")
[ -n "$ma" ] && [ -n "$to" ] || fail "best point: $(cat "$TMPDIR/out")"
diff scenarios/imports/portkey-config.json "$W/rt/tuned/portkey-config.json" | grep -c '^>' | grep -qx '[12]' \
  || fail "more than the tuned lines changed: $(diff scenarios/imports/portkey-config.json "$W/rt/tuned/portkey-config.json")"
mkdir -p "$W/rt2" && cp "$W/rt/s.yaml" "$W/rt2/" && cp "$W/rt/tuned/portkey-config.json" "$W/rt2/"
expect_status 0 "$RETRYSIM" run "$W/rt/s.yaml" --set "retry.max_attempts=$ma" --set "retry.timeout=$to" --out "$W/rt/a" --quiet
expect_status 0 "$RETRYSIM" run "$W/rt2/s.yaml" --out "$W/rt2/b" --quiet
cmp "$W/rt/a/summary.csv" "$W/rt2/b/summary.csv" || fail "portkey: the exported config simulates differently"
ok "portkey: tune --emit wrote retry.attempts/request_timeout; same summary.csv bytes ($ma attempts, $to)"

mkdir -p "$W/lt"
cp scenarios/imports/litellm-config.yaml "$W/lt/"
cat > "$W/lt/s.yaml" <<'YAML'
scenario: lt
duration: 90s
replications: 2
providers:
  - import: { format: litellm, file: litellm-config.yaml }
timeline:
  - { at: 20s, for: 40s, provider: gpt-4o-eastus, set: { rpm: 120 } }
workload: { clients: 20, think: 1s }
policies:
  - import: { format: litellm, file: litellm-config.yaml, groups: [gpt-4o] }
YAML
expect_status 0 "$RETRYSIM" tune "$W/lt/s.yaml" --param 'retry.max_attempts=1..6:int' \
  --param 'policies[gpt-4o].cooldown.cooldown=1s..60s:log' --param 'retry.timeout=5s..60s:log' \
  --minimize latency_p99 --budget 12 --jobs 2 --out "$W/lt/tuned" --emit litellm --quiet
grep -q "^wrote $W/lt/tuned/litellm-config.yaml" "$TMPDIR/out" || fail "--emit litellm: $(cat "$TMPDIR/out")"
line=$(head -1 "$TMPDIR/out")
ma=$(echo "$line" | sed -n 's/.*retry.max_attempts=\([^ ]*\).*/\1/p')
cd_=$(echo "$line" | sed -n 's/.*cooldown.cooldown=\([^ ]*\).*/\1/p')
to=$(echo "$line" | sed -n 's/.*retry.timeout=\([^ ]*\).*/\1/p')
mkdir -p "$W/lt2" && cp "$W/lt/s.yaml" "$W/lt2/" && cp "$W/lt/tuned/litellm-config.yaml" "$W/lt2/"
expect_status 0 "$RETRYSIM" run "$W/lt/s.yaml" --set "retry.max_attempts=$ma" --set "policies[gpt-4o].cooldown.cooldown=$cd_" \
  --set "retry.timeout=$to" --out "$W/lt/a" --quiet
expect_status 0 "$RETRYSIM" run "$W/lt2/s.yaml" --out "$W/lt2/b" --quiet
cmp "$W/lt/a/summary.csv" "$W/lt2/b/summary.csv" || fail "litellm: the exported config simulates differently"
ok "litellm: tune --emit wrote num_retries/cooldown_time/timeout; same summary.csv bytes"

# --emit refuses what the config cannot say, before any run
expect_status 2 "$RETRYSIM" tune "$W/lt/s.yaml" --param 'retry.base=1s..2s' --minimize latency_p99 --budget 4 --emit litellm
grep -q "retrysim tune: --emit litellm: retry.base of 'gpt-4o' has no counterpart in a litellm config" "$TMPDIR/err" \
  || fail "--emit unmappable: $(cat "$TMPDIR/err")"
expect_status 2 "$RETRYSIM" tune "$W/lt/s.yaml" --param 'policies[gpt-4o].load_balancing.weights[1]=100..2000' \
  --minimize latency_p99 --budget 4 --emit litellm
grep -q "litellm-config.yaml:23:12: load_balancing.weights\[1\] of 'gpt-4o' comes from rpm here" "$TMPDIR/err" \
  || fail "--emit rpm weights: $(cat "$TMPDIR/err")"
expect_status 2 "$RETRYSIM" tune scenarios/429-storm.yaml --policy full-jitter --param 'retry.base=1s..2s' --minimize latency_p99 --budget 4 --emit litellm
grep -q "policy 'full-jitter' is written in the scenario, not imported" "$TMPDIR/err" || fail "--emit native: $(cat "$TMPDIR/err")"
ok "--emit: exit 2 before the search when the point cannot be written back"
