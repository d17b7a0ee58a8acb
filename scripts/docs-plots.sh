#!/usr/bin/env bash
# docs-plots.sh — regenerates the example charts of docs/plots.md in docs/img/
# from the canonical scenarios (about a minute on two cores). Scratch results
# go to ${WORK:-a temporary directory}; only the PNGs are kept.
set -euo pipefail
BUILD=${BUILD:-build}
bin="$BUILD/retrysim"
jobs=${JOBS:-2}
work=${WORK:-$(mktemp -d)}
img=docs/img
mkdir -p "$img"
keep() { cp "$work/$1/plots/$2.png" "$img/$3.png"; echo "docs-plots: $img/$3.png"; }

"$bin" run scenarios/provider-outage.yaml --out "$work/outage" --trace --quiet
"$bin" plot "$work/outage" --scenario scenarios/provider-outage.yaml --format png
keep outage timeseries timeseries-provider-outage
keep outage latency-cdf latency-cdf-provider-outage
keep outage cost cost-provider-outage

"$bin" run scenarios/429-storm.yaml --out "$work/storm" --quiet
"$bin" plot "$work/storm" --scenario scenarios/429-storm.yaml --format png
keep storm timeseries timeseries-429-storm

"$bin" run scenarios/metastable-retry.yaml --out "$work/metastable" --quiet
"$bin" plot "$work/metastable" --scenario scenarios/metastable-retry.yaml --format png
keep metastable timeseries timeseries-metastable-retry

"$bin" sweep scenarios/aws-backoff-jitter.yaml --grid "workload.clients=$(seq -s, 10 20 190)" \
  --replications 20 --jobs "$jobs" --out "$work/aws" --quiet
"$bin" plot "$work/aws" --format png
keep aws aws-calls aws-calls

"$bin" sweep scenarios/provider-outage.yaml --grid 'timeline=[]' \
  --grid 'providers[primary].error_rate=0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9' \
  --replications 5 --jobs "$jobs" --out "$work/error-rate" --quiet
"$bin" plot "$work/error-rate" --format png
keep error-rate amplification amplification-error-rate

"$bin" sweep scenarios/provider-outage.yaml --grid 'workload.clients=200,400,600,800,1000' \
  --grid 'providers[primary].error_rate=0,0.1,0.2,0.3,0.4' --replications 3 --jobs "$jobs" --out "$work/heat" --quiet
"$bin" plot "$work/heat" --metric success_rate --format png
keep heat heatmap heatmap-provider-outage
