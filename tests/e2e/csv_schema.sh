# One schema per file: every CSV `run --trace` writes has as many fields in
# each row as in its header; timeseries.csv has only per-provider rows (no
# "*" aggregate) with no empty field but an unlimited capacity;
# timeseries-requests.csv has one row per policy x replication x bucket,
# empty only where no budget or throttle exists; columns that hold seconds
# end in _s and rates in _per_s; docs/metrics.md documents every column.
# (That live writes the same attempts.csv header is in live_fidelity.sh and
# live_stateful.sh.)
. tests/e2e/lib.sh
out=$TMPDIR/lb
expect_status 0 "$RETRYSIM" run scenarios/load-balancing.yaml --replications 2 --trace --out "$out" --quiet
expect_status 0 "$RETRYSIM" run tests/fixtures/good.yaml --replications 1 --out "$TMPDIR/good"
grep -q "wrote .*, $TMPDIR/good/timeseries-requests.csv, " "$TMPDIR/out" \
  || fail "run's 'wrote ...' message does not name timeseries-requests.csv: $(tail -1 "$TMPDIR/out")"
ok "run names timeseries-requests.csv in its 'wrote ...' message"

for f in summary.csv summary-ci.csv summary-classes.csv summary-classes-ci.csv timeseries.csv timeseries-requests.csv \
         attempts.csv alerts.csv; do
  [ -f "$out/$f" ] || fail "no $f"
  ok "$f: header and $(csv_shape "$out/$f") rows have the same number of fields"
done

T=$out/timeseries.csv Q=$out/timeseries-requests.csv
p=$(csv_column "$T" provider)
[ -n "$p" ] || fail "timeseries.csv has no provider column"
assert_cmp "$(awk -F, -v c="$p" 'NR > 1 && $c == "\"*\""' "$T" | wc -l)" "==" 0 "timeseries.csv: no '*' aggregate rows"
rows=$(csv_no_empty "$T" capacity_per_s)
ok "timeseries.csv: $rows per-provider rows, no empty field (capacity_per_s may be: unlimited)"
nprov=$(awk -F, -v c="$p" 'NR > 1 { print $c }' "$T" | sort -u | wc -l)
assert_cmp "$(csv_no_empty "$Q" budget_level throttle_level ttft_mean_s)" "==" "$((rows / nprov))" \
  "timeseries-requests.csv: one row per bucket ($nprov providers), no empty rate"
[ -z "$(csv_column "$Q" provider)" ] || fail "timeseries-requests.csv has a provider column"
assert_cmp "$(($(wc -l < "$out/alerts.csv") - 1))" ">" 0 "alerts.csv has rows (the monitor fired)"

# per-class files: one kind of row (class rows only), the summary's columns plus `class`,
# and their counts add up to summary.csv's (the good fixture has classes chat and batch)
G=$TMPDIR/good
[ "$(head -1 "$G/summary-classes.csv")" = "$(head -1 "$G/summary.csv" | sed 's/,seed,/,seed,class,/')" ] \
  || fail "summary-classes.csv: not summary.csv's header with class after seed"
[ "$(head -1 "$G/summary-classes-ci.csv")" = "scenario,policy,class,metric,n,mean,sd,ci95_low,ci95_high" ] \
  || fail "summary-classes-ci.csv header"
ncls=$(tr -d '"' < "$G/summary-classes.csv" | awk -F, 'NR > 1 { print $5 }' | sort -u | wc -l)
assert_cmp "$(($(wc -l < "$G/summary-classes.csv") - 1))" "==" "$(( ($(wc -l < "$G/summary.csv") - 1) * ncls ))" \
  "summary-classes.csv: one row per policy x replication x class ($ncls classes)"
for m in requests attempts successes give_ups unfinished hung cost http_429; do
  want=$(tr -d '"' < "$G/summary.csv" | awk -F, -v m=$m 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } { s += $h[m] } END { printf "%.6f", s }')
  got=$(tr -d '"' < "$G/summary-classes.csv" | awk -F, -v m=$m 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } { s += $h[m] } END { printf "%.6f", s }')
  awk -v a="$got" -v b="$want" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 1e-6 * (b < 0 ? -b : b) + 1e-9) }' \
    || fail "summary-classes.csv: $m adds up to $got, summary.csv says $want"
done
empty=$(tr -d '"' < "$G/summary-classes.csv" | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
  $h["peak_load_ratio"] != "" || $h["metastable"] != "" || $h["breaker_transitions"] != "" { n++ } END { print n + 0 }')
assert_cmp "$empty" "==" 0 "summary-classes.csv: the run-level metrics are empty per class; the counts add up to summary.csv"

# units in the names: none of the old names of times and rates is left
old=" time start end send_time end_time retry_after delay_before next_delay wall_start offered successes http_429
  http_5xx http_4xx timeouts conn_errors capacity hedges local_rejects requests_started requests_succeeded
  requests_degraded give_ups attempts_sent budget_denied throttled "
for f in timeseries.csv timeseries-requests.csv attempts.csv alerts.csv; do
  for c in $(head -1 "$out/$f" | tr ',' ' '); do
    case $(echo $old) in *" $c "*) fail "$f: column '$c' does not say its unit (_s or _per_s)";; esac
    grep -q "\`$c\`" docs/metrics.md || fail "$f: column '$c' is not documented in docs/metrics.md"
  done
done
ok "time columns end in _s, rate columns in _per_s; docs/metrics.md documents every column"

# the all-providers view of the plots: sum-providers.awk adds each bucket's provider rows
S=$TMPDIR/sum.csv
awk -f plots/sum-providers.awk "$T" > "$S"
assert_cmp "$(($(wc -l < "$S") - 1))" "==" "$((rows / nprov))" "sum-providers.awk: one '*' row per bucket"
want=$(tr -d '"' < "$T" | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
  $h["replication"] == 1 && $h["bucket"] == 7 { s += $h["offered_per_s"] } END { printf "%.6f\n", s }')
got=$(tr -d '"' < "$S" | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
  $h["replication"] == 1 && $h["bucket"] == 7 { s += $h["offered_per_s"] } END { printf "%.6f\n", s }')
assert_cmp "$got" "==" "$want" "sum-providers.awk: the '*' offered load is the providers' sum"
