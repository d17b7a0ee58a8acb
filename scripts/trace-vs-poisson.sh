#!/usr/bin/env bash
# trace-vs-poisson.sh — what the Azure conversation trace shows that a
# Poisson model of it does not (the figures in the header of
# scenarios/azure-conv-storm.yaml and in docs/fit.md, "Trace or Poisson").
#
# Runs the scenario as written (the trace replayed: its arrivals and each
# request's own token counts) and three models of the same part of the
# trace that `retrysim fit` writes, with everything else unchanged:
#   poisson-param   one Poisson rate (the mean), the best parametric token
#                   fits (--window = the whole part, --max-ks 1)
#   poisson-emp     one Poisson rate, the trace's own token values
#                   (empirical(trace, column): the marginals, not the pairs)
#   poisson-windows a Poisson rate per minute of the trace (a timeline), the
#                   trace's own token values
# and prints, per policy, the mean and 95% CI of success rate, peak load over
# capacity, amplification and 429s, and each model's difference to the trace
# (Welch 95% CI).
#   usage: scripts/trace-vs-poisson.sh [REPLICATIONS [OUT]]   (default 20, results/trace-vs-poisson)
#   environment: RETRYSIM (default build/retrysim); SCENARIO (default
#   scenarios/azure-conv-storm.yaml: any scenario whose workload replays a
#   trace of scenarios/traces/ with from, for and speed written one per line)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${RETRYSIM:-build/retrysim}
REPS=${1:-20}
OUT=${2:-results/trace-vs-poisson}
SC=${SCENARIO:-scenarios/azure-conv-storm.yaml}
TRACE=$(dirname "$SC")/$(sed -n 's/^ *file: *\([^ ]*\).*/\1/p' "$SC" | head -1)
# the part of the trace the scenario replays (its arrivals_csv: from, for, speed)
FROM=$(sed -n 's/^ *from: *\([^ ]*\).*/\1/p' "$SC" | head -1)
FOR=$(sed -n 's/^ *for: *\([^ ]*\).*/\1/p' "$SC" | head -1)
SPEED=$(sed -n 's/^ *speed: *\([^ ]*\).*/\1/p' "$SC" | head -1)
mkdir -p "$OUT"
fit() { "$BIN" fit "$TRACE" --from "$FROM" --for "$FOR" --speed "$SPEED" --arrivals poisson --quiet "$@"; }
fit --window "$FOR" --max-ks 1 --out "$OUT/fit-param.yaml"
fit --window "$FOR" --out "$OUT/fit-emp.yaml"
fit --out "$OUT/fit-windows.yaml"

# A variant: the scenario with its workload replaced by a fragment's, and the
# fragment's rate changes added to its timeline.
variant() {
  local name=$1 frag=$2
  awk -v frag="$frag" '
    FNR == NR { if ($0 ~ /^workload:/) w = 1; else if ($0 ~ /^[a-z]/) w = 0
                if (w && $0 !~ /#.*for rows without/) work = work $0 "\n"
                if ($0 ~ /^  - \{ at: .*rate:/) rates = rates $0 "\n"; next }
    /^workload:/ { skip = 1; printf "%s", work; next }
    skip && /^[a-z]/ { skip = 0 }
    skip { next }
    /^scenario:/ { print $0 "-" name; next }
    { print }
    /^timeline:/ { printf "%s", rates }
  ' name="$name" "$frag" "$SC" > "$OUT/$name.yaml"
}
variant poisson-param "$OUT/fit-param.yaml"
variant poisson-emp "$OUT/fit-emp.yaml"
variant poisson-windows "$OUT/fit-windows.yaml"
cp "$SC" "$OUT/trace.yaml"
sed -i "s|file: traces/|file: $PWD/$(dirname "$SC")/traces/|" "$OUT/trace.yaml"
for v in trace poisson-param poisson-emp poisson-windows; do
  "$BIN" run "$OUT/$v.yaml" --replications "$REPS" --quiet --out "$OUT/$v"
done

# the table: mean [95% CI] per variant, and the difference to the trace
# t quantile (97.5%) of Welch's difference, for 2 (REPS - 1) degrees of freedom
case $REPS in 2) TQ=4.303;; 3) TQ=2.776;; 4) TQ=2.447;; 5) TQ=2.306;; 10) TQ=2.101;; 20) TQ=2.024;; 30) TQ=2.002;; *) TQ=1.98;; esac
awk -F, -v tq="$TQ" '
  function unq(s) { gsub(/"/, "", s); return s }
  FNR == 1 { split(FILENAME, p, "/"); v = p[length(p) - 1]; if (!(v in seen)) { seen[v] = 1; vs[++nv] = v }; next }
  { pol = unq($2); met = unq($3)
    if (met != "success_rate" && met != "peak_load_ratio" && met != "amplification" && met != "http_429") next
    if (!(pol in seenp)) { seenp[pol] = 1; ps[++np] = pol }
    key = v SUBSEP pol SUBSEP met; n[key] = $4; m[key] = $5; sd[key] = $6; lo[key] = $7; hi[key] = $8 }
  END {
    split("success_rate peak_load_ratio amplification http_429", ms, " ")
    for (i = 1; i <= np; i++) {
      printf "%s\n", ps[i]
      for (k = 1; k <= 4; k++) {
        met = ms[k]; t = "trace" SUBSEP ps[i] SUBSEP met
        printf "  %-16s trace %10.4g [%.4g, %.4g]", met, m[t], lo[t], hi[t]
        for (j = 2; j <= nv; j++) {
          key = vs[j] SUBSEP ps[i] SUBSEP met
          d = m[t] - m[key]; se = sqrt(sd[t]^2 / n[t] + sd[key]^2 / n[key])
          printf "   %s %.4g [%.4g, %.4g] diff %+.4g ± %.3g", vs[j], m[key], lo[key], hi[key], d, tq * se
        }
        printf "\n"
      }
    }
  }' "$OUT/trace/summary-ci.csv" "$OUT/poisson-param/summary-ci.csv" "$OUT/poisson-emp/summary-ci.csv" \
     "$OUT/poisson-windows/summary-ci.csv"
