#!/usr/bin/env bash
# report.sh — `retrysim report DIR` and `--report FILE.html` on run, sweep and
# check (docs/report.md):
#   - run writes DIR/run.csv (the command line, scenario, overrides, seed,
#     version); --report writes a page identical to `retrysim report DIR`'s;
#   - every page is well-formed HTML (python3's html.parser), has no script
#     and no external reference (src/href only to #fragments), and embeds
#     every chart `retrysim plot DIR` draws (tests/e2e/report_check.py);
#   - it shows the expectations with PASS/FAIL and the measured values (a
#     failing one too), the CI table, the scenario's header comment and
#     timeline, the command line;
#   - a sweep's page has its ranking and charts; check's, every file's
#     expectations;
#   - bad input exits 2 and writes no page;
#   - headless Chromium renders the run's page into a PNG that is not blank
#     (python3's zlib decodes it; non-white and badge-green pixels counted).
#     When chromium is not installed the test installs it (apt-get, Debian's
#     chromium); when that is impossible it prints "SKIP: chromium cannot be
#     installed" and the rendering step alone is skipped.
source tests/e2e/lib.sh
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
CHECK="$PY tests/e2e/report_check.py"

# ---- run --report, run.csv, report DIR
S=scenarios/provider-outage.yaml
D="$TMPDIR/run"
expect_status 0 "$RETRYSIM" run "$S" --out "$D" --replications 3 --trace --quiet --report "$D/page.html"
[ -f "$D/run.csv" ] || fail "run wrote no run.csv"
grep -qx 'verb,run' "$D/run.csv" || fail "run.csv: no verb: $(cat "$D/run.csv")"
grep -qxF "command,retrysim run $S --out $D --replications 3 --trace --quiet --report $D/page.html" "$D/run.csv" \
  || fail "run.csv does not hold the exact command line: $(grep ^command "$D/run.csv")"
grep -qx "scenario,$S" "$D/run.csv" && grep -qx 'set,replications=3' "$D/run.csv" && grep -qx 'seed,7' "$D/run.csv" \
  || fail "run.csv: scenario, overrides or seed missing: $(cat "$D/run.csv")"
grep -qx "version,$(make --no-print-directory -s version)" "$D/run.csv" || fail "run.csv: no version"
ok "run writes run.csv: $(sed -n 's/^command,//p' "$D/run.csv")"
expect_status 0 "$RETRYSIM" report "$D" --quiet
cmp -s "$D/page.html" "$D/report.html" || fail "run --report and retrysim report DIR wrote different pages"
expect_status 0 "$RETRYSIM" plot "$D" --scenario "$S" --format svg --out "$TMPDIR/plots"
charts=$(cd "$TMPDIR/plots" && ls *.svg | sed 's/\.svg$//' | sort | tr '\n' ' ')
[ "$(wc -w <<< "$charts")" -ge 3 ] || fail "plot drew only: $charts"
out=$($CHECK "$D/report.html" $charts) || fail "run page: $out"
ok "run page: $out (plot draws: $charts)"
H="$D/report.html"
for want in "provider-outage" "PASS: all 7 expectations hold" "time_to_recover(constant-1s).mean &gt;= 2" \
            "95% CI [" "success %" "Timeline" "outage 503" "What it demonstrates" \
            "retrysim run $S --out $D" "The policies the expectations name were run again"; do
  grep -qF -- "$want" "$H" || fail "the run page lacks '$want'"
done
ok "run page: verdict, expectations with measured values, CI table, header comment, timeline, command line"

# ---- a failing expectation, and a directory without run.csv (3 replications: with
# 2, provider-outage's give_ups(decorrelated) CI is too wide for its own expectation)
F="$TMPDIR/fail.yaml"
sed 's/{ policy: no-jitter, metric: time_to_recover, max: 0 }/{ policy: no-jitter, metric: amplification, max: 1.0 }/' "$S" > "$F"
grep -q 'metric: amplification, max: 1.0' "$F" || fail "could not write the failing scenario"
expect_status 0 "$RETRYSIM" run "$F" --out "$TMPDIR/f" --replications 3 --quiet --report "$TMPDIR/f/r.html"
grep -qF "FAIL: 1 of 7 expectations does not hold" "$TMPDIR/f/r.html" || fail "no FAIL verdict"
grep -q '<tr class="fail"><td><span class="badge fail">FAIL</span>' "$TMPDIR/f/r.html" || fail "the failing row is not marked"
rm "$TMPDIR/f/run.csv"
expect_status 2 "$RETRYSIM" report "$TMPDIR/f" --out "$TMPDIR/f/x.html"
grep -q "run.csv" "$TMPDIR/err" && grep -q -- "--scenario" "$TMPDIR/err" || fail "no run.csv: $(cat "$TMPDIR/err")"
[ -e "$TMPDIR/f/x.html" ] && fail "a page was written for bad input"
expect_status 0 "$RETRYSIM" report "$TMPDIR/f" --scenario "$F" --no-expect --out "$TMPDIR/f/x.html" --quiet
grep -qF "has no run.csv" "$TMPDIR/f/x.html" && grep -qF "not evaluated (--no-expect)" "$TMPDIR/f/x.html" \
  || fail "--scenario / --no-expect page"
expect_status 2 "$RETRYSIM" report "$TMPDIR/nonexistent" --scenario "$S"
expect_status 2 "$RETRYSIM" report "$D" --scenario "$TMPDIR/none.yaml"
ok "a failing expectation is FAIL on the page; no run.csv needs --scenario; bad input exits 2"

# ---- sweep --report, check --report
W="$TMPDIR/sweep"
expect_status 0 "$RETRYSIM" sweep scenarios/aws-backoff-jitter.yaml --grid 'workload.clients=10,50' --replications 2 \
  --jobs 2 --objective calls_per_request --out "$W" --quiet --report "$W/report.html"
grep -qx 'verb,sweep' "$W/run.csv" && grep -qx 'objective,calls_per_request' "$W/run.csv" || fail "sweep run.csv"
expect_status 0 "$RETRYSIM" plot "$W" --format svg --out "$TMPDIR/wplots" --metric calls_per_request
wcharts=$(cd "$TMPDIR/wplots" && ls *.svg | sed 's/\.svg$//' | tr '\n' ' ')
out=$($CHECK "$W/report.html" $wcharts) || fail "sweep page: $out"
grep -qF "Ranked on <code>calls_per_request</code>" "$W/report.html" || fail "the sweep page has no ranking"
ok "sweep page: $out (plot draws: $wcharts)"
expect_status 0 "$RETRYSIM" check scenarios/brownout.yaml "$S" --replications 3 --report "$TMPDIR/check/c.html"
out=$($CHECK "$TMPDIR/check/c.html") || fail "check page: $out"
n=$(sed -n 's/^check: \([0-9]*\) expectations in 2 files.*/\1/p' "$TMPDIR/out")
[ -n "$n" ] && grep -qF "PASS: all $n expectations hold" "$TMPDIR/check/c.html" && grep -qF "brownout" "$TMPDIR/check/c.html" \
  || fail "the check page lacks its verdict"
expect_status 1 "$RETRYSIM" check "$F" --replications 3 --report "$TMPDIR/check/f.html"
grep -qF "FAIL: 1 of 7" "$TMPDIR/check/f.html" || fail "check --report with a failure"
ok "check page: $out; a failing check still writes its page (exit 1)"

# ---- rendered by headless Chromium: not blank
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get > /dev/null; then
  echo "report: installing Debian's chromium for the rendering check (once per machine)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium > "$TMPDIR/apt.log" 2>&1 \
    || { apt-get update > /dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium \
           > "$TMPDIR/apt.log" 2>&1; }
  CHROME=$(command -v chromium || true)
fi
if [ -z "$CHROME" ]; then
  echo "SKIP: chromium cannot be installed (the page's structure was checked above; its rendering was not)"
  exit 0
fi
U=$(mktemp -d)
timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$U" --window-size=1280,1300 \
  --screenshot="$TMPDIR/page.png" "file://$(realpath "$H")" > "$TMPDIR/chrome.log" 2>&1
rm -rf "$U"
[ -s "$TMPDIR/page.png" ] || { tail -5 "$TMPDIR/chrome.log"; fail "chromium wrote no screenshot"; }
out=$("$PY" - "$TMPDIR/page.png" <<'PY'
import struct, sys, zlib
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat = 8, b""
while pos < len(d):
    n, t = struct.unpack(">I4s", d[pos:pos + 8]); body = d[pos + 8:pos + 8 + n]; pos += 12 + n
    if t == b"IHDR": w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
    elif t == b"IDAT": idat += body
bpp = {2: 3, 6: 4}[ctype]; raw = zlib.decompress(idat); stride = w * bpp
prev, i, ink, green = bytearray(stride), 0, 0, 0
for y in range(h):
    f = raw[i]; line = bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0; b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp):
        r, g, bl = line[x], line[x + 1], line[x + 2]
        if r < 240 or g < 240 or bl < 240: ink += 1
        if abs(r - 26) < 12 and abs(g - 127) < 12 and abs(bl - 55) < 12: green += 1
    prev = line
share = ink / (w * h)
print(f"{w}x{h} px, {share:.1%} not white, {green} px of the PASS badge's green")
sys.exit(0 if share > 0.03 and green > 500 else 1)
PY
) || fail "the rendered page looks blank: $out"
ok "chromium renders the run page: $out"
