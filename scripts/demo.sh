#!/usr/bin/env bash
# `make demo`: runs the default scenario (429-storm) into results/, prints the
# summary table and where the files are, and renders the plots when the
# `plot` verb and gnuplot are available.
set -euo pipefail
BUILD=${BUILD:-build}
bin="$BUILD/retrysim"
echo "== retrysim demo: scenarios/429-storm.yaml -> results/"
"$bin" run scenarios/429-storm.yaml --out results
if "$bin" --help 2>/dev/null | grep -q '^  plot '; then
  "$bin" plot results || echo "demo: plotting failed (the CSVs above are complete)" >&2
fi
echo "== results: $(ls results | tr '\n' ' ')"
