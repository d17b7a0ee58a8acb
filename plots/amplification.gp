# amplification.gp — retry amplification (attempts per request) against a
# swept parameter, typically a provider's error rate, one line per policy
# with 95% CIs.
#
#   retrysim sweep scenarios/provider-outage.yaml --grid 'providers[primary].error_rate=0,0.1,...,0.9' --out DIR
#   gnuplot -e "in='DIR/sweep-ci.csv'; out='DIR/plots/amplification'" plots/amplification.gp
#
# Reads sweep-ci.csv. Parameters (besides common.gp's):
#   key       the grid key on x (default: the first grid key, column 2)
#   metric, unit   what to draw (default amplification, ratio)
#   policies  space-separated policies (default: all, in file order)
# When the key is an error rate p, the dashed reference 1 / (1 - p) is the
# amplification of independent failures retried without limit: a policy
# above it adds failures of its own (overload), one below it gives up.
if (!exists("plotdir")) plotdir = system("dirname '".ARG0."'")
load plotdir."/common.gp"
if (!exists("in")) in = "sweep-ci.csv"
if (!exists("out")) out = "amplification"
if (!exists("metric")) { metric = "amplification"; unit = "ratio" }
if (!exists("unit")) unit = ""
load plotdir."/sweep-setup.gp"
call plotdir."/sweep-data.gp" metric "A"
set datafile nocolumnheaders
is_rate = strstrt(key, "error_rate") > 0 && metric eq "amplification"
set title sprintf("%s: %s against %s (mean and 95%% CI of %d replications per point)", scen, metric, key, sweep_n) font "Sans,13"
set xlabel key_label(key)
set ylabel axis_label(metric, unit)
set key top left title "policy" box linecolor rgb "#cccccc" opaque
if (is_rate) { set yrange [1:*] } else { set yrange [0:*] }
do for [f in fmts] {
    load plotdir."/term.gp"
    if (is_rate) {
        plot for [i = 1:npol] sprintf("$A%d", i) using 1:2:3:4 with yerrorlines linetype i title word(policies, i), \
             [0:0.95] 1 / (1 - x) with lines linecolor rgb "#777777" dashtype 2 linewidth 1.5 title "1 / (1 - p): independent failures, unlimited retries"
    } else {
        plot for [i = 1:npol] sprintf("$A%d", i) using 1:2:3:4 with yerrorlines linetype i title word(policies, i)
    }
    unset output
}
