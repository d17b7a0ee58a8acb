# latency-cdf.gp — empirical CDF of the end-to-end latency of successful
# requests, one line per policy, log time axis.
#
#   gnuplot -e "in='results/attempts.csv'; out='results/plots/latency-cdf'" plots/latency-cdf.gp
#
# Reads the trace of `retrysim run --trace` (attempts.csv); latency.awk turns
# its attempt rows into one latency per request (first send to final answer),
# pooled over all replications. The CDF is gnuplot's `smooth cnormal`. The
# legend gives each policy's share of finished requests that succeeded: the
# CDF covers successes only, so a policy that gives up early can look fast.
# Parameters (besides common.gp's): policies (default: all, in file order).
if (!exists("plotdir")) plotdir = system("dirname '".ARG0."'")
load plotdir."/common.gp"
if (!exists("in")) in = "results/attempts.csv"
if (!exists("out")) out = "latency-cdf"

stats in every ::0::0 using (scen = strcol("scenario"), 0) nooutput
if (!exists("policies")) policies = system("awk -F, 'NR > 1 { gsub(/\"/, \"\", $2); if (!($2 in s)) { s[$2]; printf \"%s \", $2 } }' '".in."'")
npol = words(policies)
if (npol == 0) { print "latency-cdf.gp: no attempts in ".in; exit status 2 }
# tmp: policy number (position in policies), replication, latency (s), succeeded (1/0).
# A file, not a datablock: appending to a datablock costs O(lines) per line.
tmp = out.".latency.tmp"
if (system("awk -v policies='".policies."' -f '".plotdir."/latency.awk' '".in."' > '".tmp."'; echo $?") ne "0") {
    print "latency-cdf.gp: latency.awk failed on ".in; exit status 2
}
set datafile nocolumnheaders
array ok[npol]
array fin[npol]
nrep = 0
do for [i = 1:npol] {
    stats tmp using ($1 == i ? (nrep = ($2 + 1 > nrep ? $2 + 1 : nrep), $4) : NaN) nooutput
    ok[i] = STATS_sum
    fin[i] = STATS_records
}
successes(i) = sprintf("< awk -F, '$1 == %d && $4 == 1' '%s'", i, tmp)
stats tmp using 3 nooutput
tlo = STATS_lo_quartile / 10    # a decade below the quartile: no axis wasted on a few outliers
tlo = (STATS_min > tlo) ? STATS_min : (tlo > 0 ? tlo : 1e-3)
thi = STATS_max

set logscale x 10
set xrange [10 ** floor(log10(tlo)):10 ** ceil(log10(thi))]
set format x "%g"
# y: the "nines" scale -log10(1 - F), so p50, p90, p99 and p99.9 are evenly
# spaced and the tail, where retries live, is as visible as the bulk.
nmin = ok[1]
do for [i = 1:npol] { nmin = (ok[i] < nmin) ? ok[i] : nmin }
ytop = (nmin >= 20000) ? 0.9999 : (nmin >= 2000) ? 0.999 : 0.99
set yrange [0:ytop]
set nonlinear y via -log10(1 - y) inverse 1 - 10 ** (-y)
set ytics ("0" 0, "0.5 (p50)" 0.5, "0.9 (p90)" 0.9, "0.99 (p99)" 0.99, "0.999 (p99.9)" 0.999, "0.9999" 0.9999)
set mytics 1
set xlabel "end-to-end latency of a successful request, first attempt sent to answer (s, log scale)"
set ylabel "fraction of successful requests within the latency (CDF, nines scale)"
set title sprintf("%s: latency CDF per policy (%s)", scen, nrep == 1 ? "1 replication" : sprintf("%d replications pooled", nrep)) font "Sans,13"
set key top left title "policy (success rate)" box linecolor rgb "#cccccc" opaque
do for [f in fmts] {
    load plotdir."/term.gp"
    plot for [i = 1:npol] successes(i) using 3:(1) smooth cnormal with steps linetype i \
         title sprintf("%s (%.1f%%)", word(policies, i), 100.0 * ok[i] / fin[i])
    unset output
}
system("rm -f '".tmp."'")
