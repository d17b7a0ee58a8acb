# The published conclusions of the AWS "Exponential Backoff and Jitter"
# experiment at 100 clients (100 replications), from scenarios/aws-backoff-jitter.yaml.
. tests/e2e/lib.sh
out=$TMPDIR/aws
expect_status 0 "$RETRYSIM" run scenarios/aws-backoff-jitter.yaml --out "$out" --quiet
c() { ci "$out/summary-ci.csv" "$1" attempts; }
exp=$(c exponential); full=$(c full-jitter); equal=$(c equal-jitter); dec=$(c decorrelated); none=$(c no-backoff)
echo "calls at 100 clients: exponential=$exp full=$full equal=$equal decorrelated=$dec none=$none"
half=$(awk -v e="$exp" 'BEGIN{print e/2}')
assert_cmp "$full" "<" "$half" "full jitter needs less than half the calls of exponential"
ratio=$(awk -v a="$full" -v b="$equal" 'BEGIN{print (a>b)?a/b:b/a}')
assert_cmp "$ratio" "<" 1.10 "full and equal jitter need about the same calls (within 10%)"
assert_cmp "$dec" ">" "$full" "decorrelated needs more calls than full jitter"
for p in "$exp" "$full" "$equal" "$dec"; do
  assert_cmp "$none" ">" "$p" "no backoff needs the most calls"
done
# every client finished its one write
for pol in exponential full-jitter equal-jitter decorrelated no-backoff; do
  assert_cmp "$(ci "$out/summary-ci.csv" $pol success_rate)" "==" 1 "$pol: every client wrote once"
  assert_cmp "$(ci "$out/summary-ci.csv" $pol requests)" "==" 100 "$pol: 100 requests"
done
