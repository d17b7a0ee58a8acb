# retrysim run on inputs a careless user writes: each gets one clear message
# and exit 2, never a hang, a crash or a half-written output directory.
. tests/e2e/lib.sh
bad=$TMPDIR/bad.yaml
# zero think time, zero latency, zero network: time would never advance
cat > "$bad" <<'YAML'
scenario: livelock
duration: 1m
providers: [ { name: p } ]
workload: { clients: 10 }
policies: [ { name: x, retry: { max_attempts: 1 } } ]
YAML
expect_status 2 timeout 60 "$RETRYSIM" run "$bad" --out "$TMPDIR/o1"
grep -q "virtual time stopped advancing" "$TMPDIR/err" || fail "livelock message missing: $(cat "$TMPDIR/err")"
[ -z "$(ls -A "$TMPDIR/o1" 2>/dev/null)" ] || fail "livelock run left files: $(ls -A "$TMPDIR/o1")"
ok "zero-time livelock: exit 2, clear message, no files"
# a misspelled stateful key
cat > "$bad" <<'YAML'
scenario: typo
duration: 1m
providers: [ { name: p, latency: { ttft: 100ms } } ]
workload: { clients: 10, think: 1s }
policies:
  - name: x
    budgte: { kind: ratio }
YAML
expect_status 2 "$RETRYSIM" run "$bad" --out "$TMPDIR/o2"
grep -q "bad.yaml:7:5: unknown key 'budgte'.*did you mean 'budget'" "$TMPDIR/err" || fail "typo message: $(cat "$TMPDIR/err")"
ok "misspelled stateful key: file:line:col and did-you-mean"
# an unknown load-balancing strategy and an unknown chain provider
cat > "$bad" <<'YAML'
scenario: lb
duration: 1m
providers: [ { name: a, latency: { ttft: 100ms } }, { name: b, latency: { ttft: 100ms } } ]
workload: { clients: 10, think: 1s }
policies:
  - name: x
    targets: [a, b]
    load_balancing: { strategy: round-robbin }
YAML
expect_status 2 "$RETRYSIM" run "$bad" --out "$TMPDIR/o3"
grep -q "did you mean 'round-robin'" "$TMPDIR/err" || fail "lb message: $(cat "$TMPDIR/err")"
sed -i 's/load_balancing: { strategy: round-robbin }/context_fallback: [c]/' "$bad"
expect_status 2 "$RETRYSIM" run "$bad" --out "$TMPDIR/o3"
grep -q "no provider named 'c'" "$TMPDIR/err" || fail "chain message: $(cat "$TMPDIR/err")"
ok "unknown strategy and unknown chain provider rejected"
