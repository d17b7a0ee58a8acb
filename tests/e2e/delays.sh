#!/usr/bin/env bash
# delays.sh — end-to-end test of `retrysim delays`: real numbers (full jitter
# base 1 s: retry-1 mean 0.5 s within 2%, capped retries, openai-python's
# 0.375..0.5 s first delay), CSV shape, determinism, usage errors (exit 2).
source tests/e2e/lib.sh
D="$TMPDIR/d.csv"

expect_status 0 "$RETRYSIM" delays --help
grep -q "usage: retrysim delays" "$TMPDIR/out" || fail "--help prints no usage"

expect_status 0 "$RETRYSIM" delays
grep -q "openai-python" "$TMPDIR/out" && grep -q "seed-full-jitter" "$TMPDIR/out" \
  || fail "no-policy listing misses presets"
ok "help and preset listing"

expect_status 0 "$RETRYSIM" delays 'exponential:base=1s,cap=4s,jitter=full,attempts=5' \
  --draws 100000 --seed 7 --csv
cp "$TMPDIR/out" "$D"
[ "$(head -1 "$D")" = "policy,retry,draws,min_s,mean_s,p50_s,p99_s,max_s,cum_mean_s" ] \
  || fail "bad CSV header: $(head -1 "$D")"
[ "$(wc -l < "$D")" -eq 5 ] || fail "want 4 retry rows, got $(($(wc -l < "$D") - 1))"
# the inline spec has commas: libcsv must have quoted it
grep -q '^"exponential:base=1s,cap=4s,jitter=full,attempts=5",1,100000,' "$D" || fail "policy field not quoted"
# row N C: column C (1 = retry ... 8 = cum_mean_s) of retry N, counted from the end
row() { awk -F, -v n="$1" -v c="$2" 'NR > 1 && $(NF-7) == n { print $(NF-8+c) }' "$D"; }
m1=$(row 1 4); m3=$(row 3 4); m4=$(row 4 4); max4=$(row 4 7); cum2=$(row 2 8)
fcmp "$m1" ">=" 0.49 && fcmp "$m1" "<=" 0.51 || fail "retry 1 mean $m1, want 0.5 +- 2%"
fcmp "$m3" ">=" 1.96 && fcmp "$m3" "<=" 2.04 || fail "retry 3 mean $m3, want 2.0 +- 2%"
fcmp "$m4" ">=" 1.96 && fcmp "$m4" "<=" 2.04 || fail "retry 4 (capped at 4 s) mean $m4, want 2.0"
fcmp "$max4" "<=" 4.0 || fail "retry 4 max $max4 above the 4 s cap"
fcmp "$cum2" ">=" 1.47 && fcmp "$cum2" "<=" 1.53 || fail "cumulative mean after 2 retries $cum2, want 1.5"
ok "full jitter base 1s: means $m1 $m3 $m4 (want 0.5 2 2), cum $cum2"

expect_status 0 "$RETRYSIM" delays openai-python --csv --draws 20000
read -r min mean max <<< "$(awk -F, '$1=="openai-python" && $2==1 { print $4, $5, $8 }' "$TMPDIR/out")"
fcmp "$min" ">=" 0.375 && fcmp "$max" "<=" 0.5 || fail "openai retry 1 in [$min, $max], want within [0.375, 0.5]"
fcmp "$mean" ">=" 0.4331 && fcmp "$mean" "<=" 0.4419 || fail "openai retry 1 mean $mean, want 0.4375 +- 1%"
[ "$(grep -c '^openai-python,' "$TMPDIR/out")" -eq 2 ] || fail "openai-python has max_retries 2: want 2 rows"
ok "openai-python retry 1 in [$min, $max], mean $mean"

expect_status 0 "$RETRYSIM" delays 'exponential:base=1s,cap=10s,jitter=decorrelated,attempts=8' --csv --draws 20000
over=$(awk -F, 'NR > 1 && $(NF-1) > 10.0' "$TMPDIR/out" | wc -l)
[ "$over" -eq 0 ] || fail "decorrelated exceeded its 10 s cap"
ok "decorrelated stays under its cap"

# determinism: same seed, same bytes; another seed, other bytes
"$RETRYSIM" delays seed-full-jitter polly-v8-exponential-jitter --seed 3 > "$TMPDIR/a" || fail "run a"
"$RETRYSIM" delays seed-full-jitter polly-v8-exponential-jitter --seed 3 > "$TMPDIR/b" || fail "run b"
"$RETRYSIM" delays seed-full-jitter polly-v8-exponential-jitter --seed 4 > "$TMPDIR/c" || fail "run c"
cmp -s "$TMPDIR/a" "$TMPDIR/b" || fail "same seed gave different output"
cmp -s "$TMPDIR/a" "$TMPDIR/c" && fail "different seeds gave the same output"
# a policy's rows do not depend on the other policies listed
"$RETRYSIM" delays polly-v8-exponential-jitter --seed 3 > "$TMPDIR/d" || fail "run d"
[ "$(grep '^polly' "$TMPDIR/a")" = "$(grep '^polly' "$TMPDIR/d")" ] || fail "rows depend on the other policies"
ok "deterministic"

expect_status 2 "$RETRYSIM" delays no-such-preset
grep -q "unknown policy 'no-such-preset'" "$TMPDIR/err" || fail "no clear message for an unknown preset"
expect_status 2 "$RETRYSIM" delays 'exponential:base=1s,jitter=sideways'
expect_status 2 "$RETRYSIM" delays 'exponential:bogus=1'
expect_status 2 "$RETRYSIM" delays 'exponential:base=-1s'
expect_status 2 "$RETRYSIM" delays openai-python --draws 0
expect_status 2 "$RETRYSIM" delays openai-python --attempts x
expect_status 2 "$RETRYSIM" delays openai-python --frobnicate
ok "usage errors exit 2"
