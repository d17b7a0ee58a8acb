# retrysim plot: every chart a run (with --trace) and a sweep allow is written
# as a real PNG (magic bytes, > 10 kB) and a well-formed SVG; --format picks
# one; a directory without CSVs, a missing gnuplot and a chart gnuplot cannot
# draw all exit 2 and leave no partial image.
. tests/e2e/lib.sh
command -v gnuplot >/dev/null || fail "gnuplot is not installed (make deps installs gnuplot-nox)"
run=$TMPDIR/run; sw=$TMPDIR/sweep; hm=$TMPDIR/heat

# is_png FILE / is_svg FILE: the format's signature and a size a chart has
is_png() {
  [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || fail "$1 is not a PNG"
  [ "$(stat -c %s "$1")" -gt 10240 ] || fail "$1 is only $(stat -c %s "$1") bytes"
}
is_svg() {
  python3 -c 'import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); sys.exit(d.documentElement.tagName != "svg")' "$1" \
    || fail "$1 is not well-formed SVG"
  [ "$(stat -c %s "$1")" -gt 10240 ] || fail "$1 is only $(stat -c %s "$1") bytes"
}
expect_charts() { # DIR NAME...
  local d=$1; shift
  for c in "$@"; do is_png "$d/$c.png"; is_svg "$d/$c.svg"; grep -q "wrote $d/$c.png" "$TMPDIR/out" || fail "$c.png not reported"; done
  ok "$d: $* (PNG and SVG)"
}

expect_status 0 "$RETRYSIM" run scenarios/provider-outage.yaml --out "$run" --replications 1 --trace --quiet
expect_status 0 "$RETRYSIM" plot "$run" --scenario scenarios/provider-outage.yaml
expect_charts "$run/plots" timeseries cost latency-cdf

expect_status 0 "$RETRYSIM" sweep scenarios/aws-backoff-jitter.yaml --grid workload.clients=10,30,50 \
  --replications 3 --jobs 2 --out "$sw" --quiet
expect_status 0 "$RETRYSIM" plot "$sw"
expect_charts "$sw/plots" amplification aws-calls

expect_status 0 "$RETRYSIM" sweep scenarios/aws-backoff-jitter.yaml --grid workload.clients=10,30,50 \
  --grid seed=1,2,3 --replications 2 --jobs 2 --out "$hm" --quiet
expect_status 0 "$RETRYSIM" plot "$hm" --metric attempts --out "$hm/img"
expect_charts "$hm/img" heatmap

# --format png: no SVG
expect_status 0 "$RETRYSIM" plot "$sw" --format png --out "$TMPDIR/png"
[ -f "$TMPDIR/png/aws-calls.png" ] && [ -z "$(ls "$TMPDIR"/png/*.svg 2>/dev/null)" ] || fail "--format png: $(ls "$TMPDIR/png")"
ok "--format png writes PNG only"

# nothing plottable, no gnuplot, a chart that fails: exit 2, a message, no files
mkdir -p "$TMPDIR/empty"
expect_status 2 "$RETRYSIM" plot "$TMPDIR/empty"
grep -q "nothing to plot" "$TMPDIR/err" || fail "empty directory: unclear message: $(cat "$TMPDIR/err")"
expect_status 2 "$RETRYSIM" plot "$TMPDIR/no-such-dir"
GNUPLOT=/nonexistent/gnuplot expect_status 2 "$RETRYSIM" plot "$run" --out "$TMPDIR/nognuplot"
grep -q "cannot run" "$TMPDIR/err" || fail "missing gnuplot: unclear message: $(cat "$TMPDIR/err")"
mkdir -p "$TMPDIR/bad"
head -n 1 "$run/timeseries.csv" > "$TMPDIR/bad/timeseries.csv"
expect_status 2 "$RETRYSIM" plot "$TMPDIR/bad"
[ -z "$(ls -A "$TMPDIR/bad/plots" 2>/dev/null)" ] || fail "a failed chart left files: $(ls -A "$TMPDIR/bad/plots")"
expect_status 2 "$RETRYSIM" plot "$run" --format gif
ok "no CSVs, no directory, no gnuplot, a failing chart, a bad format: exit 2, no files"
