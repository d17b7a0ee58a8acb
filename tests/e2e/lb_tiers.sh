# lb_tiers.sh — load_balancing tiers, sticky picks and weight 0
# (docs/scenario-format.md, "Stateful policies"): with tiers [2, 1] and the
# first tier failing, every request tries one provider of the first tier
# (sticky: both attempts on the same one) and then falls back to the second
# tier; a target of weight 0 is never picked.
source tests/e2e/lib.sh
F=tests/fixtures/lb-tiers.yaml
expect_status 0 "$RETRYSIM" run "$F" --out "$TMPDIR/res" --trace --quiet
A="$TMPDIR/res/attempts.csv"
bad=$(awk -F, 'NR > 1 && $2 == "\"tiered\"" {
         key = $4; gsub(/"/, "", $7)
         if ($5 <= 2) { if ($7 == "c") print "request " key " reached c before exhausting the first tier"
                        if ($5 == 1) first[key] = $7; else if ($7 != first[key]) print "request " key " moved from " first[key] " to " $7 }
         else if ($7 != "c") print "request " key " attempt " $5 " on " $7 }' "$A")
[ -z "$bad" ] || fail "tiers/sticky: $bad"
n=$(awk -F, 'NR > 1 && $2 == "\"tiered\"" && $7 == "\"c\"" && $14 == "\"done\""' "$A" | wc -l)
[ "$n" -eq 20 ] || fail "want 20 requests done on c, got $n"
ok "tiers [2, 1], sticky: first tier, same provider twice, then the second tier"
[ "$(awk -F, 'NR > 1 && $2 == "\"plain\"" && $7 == "\"b\""' "$A" | wc -l)" -eq 0 ] || fail "weight 0 target was picked"
ok "weight 0: never picked"
expect_status 2 "$RETRYSIM" validate "$F" --set 'policies[tiered].load_balancing.tiers=[2, 2]'
grep -q "'tiers' sizes add up to 4, but the policy has 3 targets" "$TMPDIR/err" || fail "tiers sum: $(cat "$TMPDIR/err")"
ok "tiers must cover the targets"
