# cost.gp — success rate against cost, one point per policy with 95%
# confidence intervals on both axes (Student t over the replications).
#
#   gnuplot -e "in='results/summary-ci.csv'; out='results/plots/cost'" plots/cost.gp
#
# Reads summary-ci.csv (one row per policy x metric: n, mean, sd, ci95_low,
# ci95_high). Parameters (besides common.gp's):
#   xmetric, xunit   metric on x and its unit (default cost, USD)
#   ymetric, yunit   metric on y and its unit (default success_rate, ratio)
#   policies         space-separated policies (default: all, in file order)
# With a single replication there is no interval: the point has no bars.
# Exit status 3 (nothing to draw, not an error) when every x is 0.
if (!exists("plotdir")) plotdir = system("dirname '".ARG0."'")
load plotdir."/common.gp"
if (!exists("in")) in = "results/summary-ci.csv"
if (!exists("out")) out = "cost"
if (!exists("xmetric")) { xmetric = "cost"; xunit = "USD" }
if (!exists("ymetric")) { ymetric = "success_rate"; yunit = "ratio" }
if (!exists("xunit")) xunit = ""
if (!exists("yunit")) yunit = ""
if (!exists("policies")) { call plotdir."/uniq.gp" in "policy"; policies = uniq_list }
npol = words(policies)
if (npol == 0) { print "cost.gp: no policies in ".in; exit status 2 }
stats in every ::0::0 using (scen = strcol("scenario"), 0) nooutput
# $C: one row per policy: x mean, low, high, y mean, low, high, policy number, name
set print $C
do for [i = 1:npol] {
    call plotdir."/ci.gp" in word(policies, i) xmetric
    row = sprintf("%.10g,%.10g,%.10g", ci_mean, ci_lo, ci_hi)
    call plotdir."/ci.gp" in word(policies, i) ymetric
    print row.sprintf(",%.10g,%.10g,%.10g,%d,%s", ci_mean, ci_lo, ci_hi, i, word(policies, i))
}
unset print
set datafile nocolumnheaders
stats $C using 1 nooutput
if (STATS_min == 0 && STATS_max == 0) {
    print "cost.gp: every policy's ".xmetric." is 0 (the scenario sets no prices): no chart"
    exit status 3
}
set title sprintf("%s: %s against %s per policy (mean and 95%% CI over %d replications)", scen, ymetric, xmetric, ci_n) font "Sans,13"
set xlabel axis_label(xmetric, xunit)
set ylabel axis_label(ymetric, yunit)
set offsets graph 0.08, graph 0.08, graph 0.08, graph 0.08
set key outside right top title "policy" box linecolor rgb "#cccccc"
do for [f in fmts] {
    load plotdir."/term.gp"
    set style textbox opaque noborder margins 1, 0.5
    plot for [i = 1:npol] $C every ::(i - 1)::(i - 1) using 1:4:2:3:5:6 \
            with xyerrorbars linetype i linewidth 1.5 pointsize 1.6 title word(policies, i), \
         $C using 1:4:8 with labels boxed offset char 1, char 0.9 left font "Sans,10" textcolor rgb "#333333" notitle
    unset output
}
