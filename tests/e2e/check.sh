# retrysim check: the expect: blocks of the canonical scenarios hold; an
# impossible expectation fails (exit 1, FAIL in the report, counted in the
# JUnit XML); a bad file exits 2 with its location; JUnit XML is well formed.
. tests/e2e/lib.sh
nexpect() { awk '/^expect:/ { on = 1; next } on && /^  - \{/ { n++ } END { print n + 0 }' "$1"; }
valid_xml() { python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' "$1" || fail "$1 is not well-formed XML"; }
# junit_counts FILE: "tests failures testcases failure-elements" of the <testsuites> element
junit_counts() {
  python3 - "$1" <<'EOF'
import sys, xml.dom.minidom
d = xml.dom.minidom.parse(sys.argv[1]).documentElement
s = d.getElementsByTagName("testsuite")
assert sum(int(x.getAttribute("tests")) for x in s) == int(d.getAttribute("tests"))
assert sum(int(x.getAttribute("failures")) for x in s) == int(d.getAttribute("failures"))
print(d.getAttribute("tests"), d.getAttribute("failures"), len(d.getElementsByTagName("testcase")),
      len(d.getElementsByTagName("failure")), len(s))
EOF
}

# --- the canonical scenarios demonstrate what they claim
expect_status 0 "$RETRYSIM" check scenarios/*.yaml --junit "$TMPDIR/all.xml"
cp "$TMPDIR/out" "$TMPDIR/all.out"
grep -q FAIL "$TMPDIR/all.out" && { grep FAIL "$TMPDIR/all.out" >&2; fail "a canonical expectation fails"; }
pass=$(grep -c '^  PASS  ' "$TMPDIR/all.out")
[ "$pass" -ge 40 ] || fail "only $pass expectations passed"
grep -q "^check: $pass expectations in $(ls scenarios/*.yaml | wc -l) files: $pass passed, 0 failed" "$TMPDIR/all.out" \
  || { tail -1 "$TMPDIR/all.out" >&2; fail "summary line"; }
valid_xml "$TMPDIR/all.xml"
[ "$(junit_counts "$TMPDIR/all.xml")" = "$pass 0 $pass 0 $(ls scenarios/*.yaml | wc -l)" ] \
  || fail "JUnit counts $(junit_counts "$TMPDIR/all.xml"), want $pass tests, 0 failures"
ok "check scenarios/*.yaml: $pass expectations pass; JUnit XML well formed with $pass tests"

# --- a scenario without expect: is reported, not run, and not a failure
sed '/^expect:/,$d' scenarios/brownout.yaml > "$TMPDIR/noexp.yaml"
expect_status 0 "$RETRYSIM" check "$TMPDIR/noexp.yaml" --junit "$TMPDIR/noexp.xml"
grep -q "noexp.yaml: brownout: no expectations" "$TMPDIR/out" \
  && grep -q "^check: 0 expectations in 1 file: 0 passed, 0 failed (1 file without expectations)" "$TMPDIR/out" \
  || { cat "$TMPDIR/out" >&2; fail "a file without expect: is not reported as such"; }
valid_xml "$TMPDIR/noexp.xml"
[ "$(junit_counts "$TMPDIR/noexp.xml")" = "0 0 0 0 1" ] || fail "JUnit of a file without expectations"
ok "no expect: block: 'no expectations', exit 0, an empty testsuite"

# --- an impossible expectation fails; names with XML specials are escaped
b=$TMPDIR/brownout-impossible.yaml
sed 's/timeout-10s/t10\&<"s>/g' scenarios/brownout.yaml > "$b"
echo '  - { policy: timeout-60s, metric: success_rate, min: 1.5 }' >> "$b"
n=$(nexpect "$b")
expect_status 1 "$RETRYSIM" check "$b" scenarios/sync-start-herd.yaml --replications 2 --junit "$TMPDIR/r/fail.xml"
grep -q "^  FAIL  .*brownout-impossible.yaml:[0-9]*: success_rate(timeout-60s).mean >= 1.5: measured [0-9.]*, 95% CI" "$TMPDIR/out" \
  || { cat "$TMPDIR/out" >&2; fail "the report does not show the FAIL with its measurement"; }
[ "$(grep -c '^  FAIL' "$TMPDIR/out")" -eq 1 ] || fail "more than one FAIL"
grep -q 'PASS  .*wasted_work(t10&<"s>)' "$TMPDIR/out" || fail "renamed policy not in the report"
valid_xml "$TMPDIR/r/fail.xml"
grep -q 't10&amp;&lt;&quot;s&gt;' "$TMPDIR/r/fail.xml" || fail "XML specials not escaped"
sh=$(nexpect scenarios/sync-start-herd.yaml)
[ "$(junit_counts "$TMPDIR/r/fail.xml")" = "$((n + sh)) 1 $((n + sh)) 1 2" ] \
  || fail "JUnit counts $(junit_counts "$TMPDIR/r/fail.xml"), want $((n + sh)) tests, 1 failure, 2 suites"
grep -q '<failure type="expectation" message="success_rate(timeout-60s).mean &gt;= 1.5 does not hold: measured [0-9.]*' "$TMPDIR/r/fail.xml" \
  || fail "JUnit failure message"
ok "impossible expectation: exit 1, FAIL line with the measured value, JUnit failure counted and escaped"

# --- bad input: exit 2 with file:line:col, no report, nothing run
bad=$TMPDIR/bad.yaml
cp scenarios/brownout.yaml "$bad"
echo '  - { policy: timeout-60s, metric: succes_rate, min: 0.5 }' >> "$bad"
expect_status 2 "$RETRYSIM" check scenarios/sync-start-herd.yaml "$bad" --junit "$TMPDIR/bad.xml"
grep -q "bad.yaml:[0-9]*:[0-9]*: unknown metric 'succes_rate'; did you mean 'success_rate'" "$TMPDIR/err" \
  || { cat "$TMPDIR/err" >&2; fail "bad metric message"; }
grep -q PASS "$TMPDIR/out" && fail "scenarios ran although a file was bad"
[ ! -e "$TMPDIR/bad.xml" ] || fail "a JUnit report was written for bad input"
expect_status 2 "$RETRYSIM" check scenarios/no-such.yaml
grep -q "no-such.yaml" "$TMPDIR/err" || fail "missing file message"
expect_status 2 "$RETRYSIM" check
expect_status 2 "$RETRYSIM" check scenarios/brownout.yaml --replications 0
ok "bad files and usage: exit 2, located message, no report"

# --- --jobs: the same report with 1 and 2 worker processes
expect_status 0 "$RETRYSIM" check scenarios/provider-outage.yaml scenarios/sync-start-herd.yaml --jobs 1
cp "$TMPDIR/out" "$TMPDIR/jobs1"
expect_status 0 "$RETRYSIM" check scenarios/provider-outage.yaml scenarios/sync-start-herd.yaml --jobs 2
cmp "$TMPDIR/jobs1" "$TMPDIR/out" || fail "check --jobs 1 and --jobs 2 reports differ"
expect_status 2 "$RETRYSIM" check scenarios/brownout.yaml --jobs 0
ok "--jobs 1 and --jobs 2 give the same report; --jobs 0 is refused"
