# retrysim run: same scenario + seed + binary -> byte-identical files;
# another seed -> different; bad input -> exit 2 and no output files.
. tests/e2e/lib.sh
a=$TMPDIR/a; b=$TMPDIR/b; c=$TMPDIR/c
expect_status 0 "$RETRYSIM" run scenarios/provider-outage.yaml --out "$a" --replications 2 --trace --quiet
expect_status 0 "$RETRYSIM" run scenarios/provider-outage.yaml --out "$b" --replications 2 --trace --quiet
for f in summary.csv summary-ci.csv timeseries.csv attempts.csv; do
  [ -s "$a/$f" ] || fail "$f missing or empty"
  cmp "$a/$f" "$b/$f" || fail "$f differs between two identical runs"
  ok "$f identical ($(wc -l < "$a/$f") lines)"
done
expect_status 0 "$RETRYSIM" run scenarios/provider-outage.yaml --out "$c" --replications 2 --seed 99 --quiet
cmp -s "$a/summary.csv" "$c/summary.csv" && fail "another seed gave the same summary"
ok "another seed gives other results"
# the trace has one row per attempt: rows = attempts summed over runs that finished them
rows=$(($(wc -l < "$a/attempts.csv") - 1))
[ "$rows" -gt 1000 ] || fail "attempts.csv has only $rows rows"
ok "attempts.csv has $rows rows"
# --policy selects
expect_status 0 "$RETRYSIM" run scenarios/provider-outage.yaml --out "$c/one" --policy full-jitter --replications 1 --quiet
n=$(tail -n +2 "$c/one/summary.csv" | wc -l); [ "$n" -eq 1 ] || fail "--policy: $n rows"
# bad input: exit 2, clear message, nothing written
expect_status 2 "$RETRYSIM" run scenarios/no-such-file.yaml --out "$TMPDIR/bad"
grep -q "no-such-file.yaml" "$TMPDIR/err" || fail "missing-file message does not name the file"
expect_status 2 "$RETRYSIM" run scenarios/provider-outage.yaml --out "$TMPDIR/bad" --policy nope
grep -q "no policy 'nope'" "$TMPDIR/err" || fail "unknown policy message"
expect_status 2 "$RETRYSIM" run scenarios/provider-outage.yaml --out "$TMPDIR/bad" --replications 0
expect_status 2 "$RETRYSIM" run scenarios/provider-outage.yaml --out "$TMPDIR/bad" --bogus
[ -z "$(ls -A "$TMPDIR/bad" 2>/dev/null)" ] || fail "bad input left files behind: $(ls -A "$TMPDIR/bad")"
ok "bad input: exit 2, no files"
