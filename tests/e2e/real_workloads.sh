# Real workloads: the Azure traces replayed with their own token counts,
# `retrysim fit` on them (a runnable fragment, the advice per trace), and
# the trace-vs-Poisson comparison of scenarios/azure-conv-storm.yaml.
. tests/e2e/lib.sh
CONV=scenarios/traces/AzureLLMInferenceTrace_conv.csv
CODE=scenarios/traces/AzureLLMInferenceTrace_code.csv
SC=scenarios/azure-conv-storm.yaml

# the shipped traces are the published files, byte for byte
[ "$(sha256sum < $CONV | cut -c1-64)" = 2f1e5b666d4e3055fdbba98598ce2ec307767b9064e03e2fa46676dbcc7d0bf8 ] || fail "$CONV changed"
[ "$(sha256sum < $CODE | cut -c1-64)" = 54e9a6d2a4bd06ba1e060304b900abbc74cbea53de96506e60fe5bb4f2277fb6 ] || fail "$CODE changed"
ok "the Azure traces are the published files"

# 1. the replay bills each request's own tokens: the sums of the window's rows
read -r n p o < <(awk -F, 'NR > 1 { sub(/\r$/, ""); split($1, d, " "); split(d[2], h, ":"); t = h[1] * 3600 + h[2] * 60 + h[3]
                           if (NR == 2) t0 = t; x = t - t0; if (x >= 1200 && x < 2400) { n++; p += $2; o += $3 } }
                           END { printf "%d %d %d\n", n, p, o }' $CONV)
free="--set duration=10m --set timeline= --set providers[primary].rate_limit={}"
# shellcheck disable=SC2086
expect_status 0 "$RETRYSIM" run $SC --quiet --replications 1 --policy openai-python --out "$TMPDIR/in" $free \
  --set 'providers[primary].price={input_per_mtok: 1, output_per_mtok: 0}'
# shellcheck disable=SC2086
expect_status 0 "$RETRYSIM" run $SC --quiet --replications 1 --policy openai-python --out "$TMPDIR/outp" $free \
  --set 'providers[primary].price={input_per_mtok: 0, output_per_mtok: 1}'
assert_cmp "$(ci "$TMPDIR/in/summary-ci.csv" openai-python successes)" "==" "$n" "every row of the window is a request"
assert_cmp "$(ci "$TMPDIR/in/summary-ci.csv" openai-python cost)" "==" "$(awk -v x="$p" 'BEGIN{printf "%.6f", x / 1e6}')" \
  "the prompts billed are the trace's ($p tokens)"
assert_cmp "$(ci "$TMPDIR/outp/summary-ci.csv" openai-python cost)" "==" "$(awk -v x="$o" 'BEGIN{printf "%.6f", x / 1e6}')" \
  "the outputs billed are the trace's ($o tokens)"

# 2. the canonical scenario's claims, from its own run
expect_status 0 "$RETRYSIM" run $SC --quiet --out "$TMPDIR/storm"
m() { ci "$TMPDIR/storm/summary-ci.csv" "$1" "$2"; }
assert_cmp "$(m full-jitter success_rate)" ">" "$(m openai-python success_rate)" "azure-conv-storm: full jitter gets more through"
assert_cmp "$(m full-jitter peak_load_ratio)" ">" 3.5 "azure-conv-storm: at several times the capacity"
assert_cmp "$(m jitter-budget peak_load_ratio)" "<" 1.2 "azure-conv-storm: a retry budget keeps the load at the quota"

# 3. fit: the conversation trace, as a user would, gives a runnable fragment
expect_status 0 "$RETRYSIM" fit $CONV --out "$TMPDIR/conv-fit.yaml"
grep -q "^#   -> Poisson within each window: open loop with a timeline of rates" "$TMPDIR/err" || fail "fit conv: $(cat "$TMPDIR/err")"
grep -q "^wrote $TMPDIR/conv-fit.yaml" "$TMPDIR/err" || fail "fit --out: no 'wrote' line"
for want in '^  loop: open$' '^timeline: ' '^  - { at: 1m, set: { rate: ' 'prompt_tokens: "empirical(' \
            '^#     lognormal    median ' '^#     gamma        shape ' '^#   prompt vs output (19366 pairs): Pearson ' \
            '^# or replay the log itself'; do
  grep -q "$want" "$TMPDIR/conv-fit.yaml" || fail "fit conv: no line matching '$want'"
done
{ printf 'scenario: conv-fitted\npolicies: [{preset: openai-python}]\n'; cat "$TMPDIR/conv-fit.yaml"; } > "$TMPDIR/conv-fitted.yaml"
expect_status 0 "$RETRYSIM" validate "$TMPDIR/conv-fitted.yaml"
grep -q "ok (1 provider, 1 policy, 57 timeline changes" "$TMPDIR/out" || fail "fitted: $(cat "$TMPDIR/out")"
# a part of it runs (a shorter duration would cut the timeline: fit the part)
expect_status 0 "$RETRYSIM" fit $CONV --for 10m --quiet --out "$TMPDIR/conv-fit10.yaml"
{ printf 'scenario: conv-fitted\npolicies: [{preset: openai-python}]\n'; cat "$TMPDIR/conv-fit10.yaml"; } > "$TMPDIR/conv-fitted10.yaml"
expect_status 0 "$RETRYSIM" run "$TMPDIR/conv-fitted10.yaml" --quiet --out "$TMPDIR/conv-fitted"
assert_cmp "$(ci "$TMPDIR/conv-fitted/summary-ci.csv" openai-python requests)" ">" 2500 \
  "the fitted workload runs (its first 10 minutes)"
# ... and the replay it offers, uncommented (the fragment names the log relative to itself)
expect_status 0 "$RETRYSIM" fit $CONV --arrivals replay --quiet --out "$TMPDIR/conv-replay.yaml"
grep -q "^    file: .*scenarios/traces/AzureLLMInferenceTrace_conv.csv$" "$TMPDIR/conv-replay.yaml" || fail "replay: no file"
{ printf 'scenario: conv-replay\npolicies: [{preset: openai-python}]\n'; cat "$TMPDIR/conv-replay.yaml"; } > "$TMPDIR/conv-replay-s.yaml"
expect_status 0 "$RETRYSIM" run "$TMPDIR/conv-replay-s.yaml" --quiet --out "$TMPDIR/conv-replay" --set duration=2m
ok "fit --arrivals replay: the log replayed"
# the code trace is bursty within seconds: the advice is the replay
expect_status 0 "$RETRYSIM" fit $CODE
grep -q "^#   -> burstier than a Poisson process even per window: replay the log" "$TMPDIR/err" || fail "fit code: $(cat "$TMPDIR/err")"
grep -q "^  loop: trace$" "$TMPDIR/out" || fail "fit code: the fragment does not replay"
ok "fit: the code trace is replayed, the conversation trace modelled"

# 4. usage and bad logs
expect_status 2 "$RETRYSIM" fit $CONV --column promt_tokens=ContextTokens
grep -q "unknown --column field 'promt_tokens'; did you mean 'prompt_tokens'?" "$TMPDIR/err" || fail "$(cat "$TMPDIR/err")"
expect_status 2 "$RETRYSIM" fit $CONV --column at=When
grep -q "AzureLLMInferenceTrace_conv.csv:1:1: column 'When' (--column at=...) is not in the header" "$TMPDIR/err" || fail "$(cat "$TMPDIR/err")"
expect_status 2 "$RETRYSIM" fit /etc/passwd
grep -q "^/etc/passwd:1:1: the first row is not a header naming the log's columns" "$TMPDIR/err" || fail "$(cat "$TMPDIR/err")"
printf 'time,latency_ms\n0,12\n1,soon\n' > "$TMPDIR/bad.csv"
expect_status 2 "$RETRYSIM" fit "$TMPDIR/bad.csv"
grep -q "bad.csv:3:3: expected a duration like 1.2s or 1.2 (seconds) for 'latency', got 'soon'" "$TMPDIR/err" || fail "$(cat "$TMPDIR/err")"
# a few rows a century apart: refused before 52 million windows are allocated (fuzz_csv found it)
printf 'TIMESTAMP,status\n2023-11-16 18:15:46,200\n2123-11-16 18:15:51,200\n2023-11-15 18:15:52,503\n' > "$TMPDIR/century.csv"
expect_status 2 "$RETRYSIM" fit "$TMPDIR/century.csv"
grep -q "century.csv: the part read spans 3.15576e+09 s (run time), 5.2596e+07 windows of 60 s: at most 100000" "$TMPDIR/err" \
  || fail "$(cat "$TMPDIR/err")"
expect_status 0 "$RETRYSIM" fit "$TMPDIR/century.csv" --for 48h --quiet
ok "fit: located errors; a span of 52 million windows is refused"

# 5. trace or Poisson: the difference the scenario's header reports
expect_status 0 bash scripts/trace-vs-poisson.sh 5 "$TMPDIR/tvp"
t() { ci "$TMPDIR/tvp/$1/summary-ci.csv" openai-python "$2" "${3:-mean}"; }
assert_cmp "$(t trace success_rate)" "<" "$(t poisson-param success_rate ci95_low)" \
  "trace vs Poisson at the mean rate: the trace succeeds less"
assert_cmp "$(t trace peak_load_ratio)" ">" "$(t poisson-param peak_load_ratio ci95_high)" \
  "trace vs Poisson at the mean rate: a higher peak load"
assert_cmp "$(t trace success_rate)" ">" "$(t poisson-windows success_rate ci95_low)" \
  "a Poisson rate per minute reproduces the trace's success rate (within its CI)"
assert_cmp "$(t trace success_rate)" "<" "$(t poisson-windows success_rate ci95_high)" \
  "a Poisson rate per minute reproduces the trace's success rate (within its CI)"
