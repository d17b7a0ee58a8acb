#!/usr/bin/env bash
# bench-vs.sh OLD NEW [REPS] [SIZES]: `retrysim bench model`'s scenario run
# by two retrysim binaries, interleaved (OLD NEW OLD NEW ...), REPS times
# (default 3) at each client count of SIZES (default "1000 10000 100000
# 1000000"); prints per size and binary the median CPU time (user + sys,
# which the other jobs of a shared machine disturb less than wall time),
# attempts, ns of CPU per attempt and peak RSS, then the ratio NEW/OLD of
# attempts per CPU second. (Memory per client: `retrysim bench model`, which
# runs each size in a fresh process.)
# Both binaries run the same scenario file through `retrysim run --set`, so
# an old binary without `bench model --clients` can be compared too; at 1k
# and 10k clients a run is 20 and 2 replications (the attempts are summed;
# the peak RSS is one replication's, as each frees its world).
# docs/performance.md has the figures this printed.
set -eu
OLD=$1; NEW=$2; REPS=${3:-3}; SIZES=${4:-"1000 10000 100000 1000000"}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cat > "$T/model.yaml" <<'EOF'
scenario: bench-model
duration: 60s
seed: 1
replications: 1
bucket: 5s
providers:
  - name: primary
    rate_limit: { rpm: 60000, retry_after: until-reset }
    concurrency: 1000
    latency: { ttft: lognormal(400ms, 0.3), per_token: 5ms, noise: 0.2 }
    price: { input_per_mtok: 2.50, output_per_mtok: 10.00 }
timeline:
  - { at: 20s, for: 15s, provider: primary, set: { rpm: 6000 } }
workload:
  clients: 1000
  think: exponential(1s)
  prompt_tokens: 1000
  output_tokens: 100
policies:
  - name: full-jitter
    retry: { max_attempts: 5, backoff: exponential, base: 1s, cap: 30s, jitter: full, timeout: 30s }
EOF
# one run: prints "cpu_s maxrss_kb attempts"
one() {
  local bin=$1 n=$2 dur=60 reps=1
  [ "$n" -ge 1000000 ] && dur=15
  [ "$n" -le 1000 ] && reps=20        # enough work that start-up and the 10 ms clock do not count
  [ "$n" = 10000 ] && reps=2
  local at=$((dur * 1000 / 3)) for=$((dur * 1000 / 4))
  rm -rf "$T/out"
  /usr/bin/time -f "%U %S %M" -o "$T/time" "$bin" run "$T/model.yaml" --quiet --out "$T/out" \
    --set workload.clients=$n --set "providers[primary].rate_limit.rpm=$((n * 60))" \
    --set "providers[primary].concurrency=$n" --set duration=${dur}s \
    --set "timeline[0].at=${at}ms" --set "timeline[0].for=${for}ms" --replications $reps > /dev/null
  local att
  att=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "attempts" || $i == "\"attempts\"") c = i }
                 NR > 1 { s += $c } END { print s }' "$T/out/summary.csv")
  awk -v a="$att" '{ printf "%.3f %d %s\n", $1 + $2, $3, a }' "$T/time"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
printf "%-8s %-4s %9s %10s %12s %10s\n" clients bin "cpu s" attempts "ns/attempt" "RSS MB"
for n in $SIZES; do
  : > "$T/old"; : > "$T/new"
  for r in $(seq "$REPS"); do one "$OLD" "$n" >> "$T/old"; one "$NEW" "$n" >> "$T/new"; done
  for which in old new; do
    cpu=$(awk '{ print $1 }' "$T/$which" | median); rss=$(awk '{ print $2 }' "$T/$which" | median)
    att=$(awk 'NR == 1 { print $3 }' "$T/$which")
    awk -v n="$n" -v w="$which" -v c="$cpu" -v a="$att" -v m="$rss" \
      'BEGIN { printf "%-8d %-4s %9.3f %10d %12.1f %10.1f\n", n, w, c, a, c * 1e9 / a, m / 1024 }'
    eval "cpu_$which=$cpu; att_$which=$att"
  done
  awk -v co="$cpu_old" -v cn="$cpu_new" -v ao="$att_old" -v an="$att_new" -v n="$n" \
    'BEGIN { printf "%-8d new/old attempts per cpu second: %.2fx\n", n, (an / cn) / (ao / co) }'
done
