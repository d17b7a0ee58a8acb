# aws-calls.gp — the chart of the AWS "Exponential Backoff and Jitter"
# experiment: work (calls = the attempts metric) and completion time against
# the number of clients, one line per jitter strategy, with 95% CIs.
#
#   retrysim sweep scenarios/aws-backoff-jitter.yaml --grid 'workload.clients=10,30,...,190' --out DIR
#   gnuplot -e "in='DIR/sweep-ci.csv'; out='DIR/plots/aws-calls'" plots/aws-calls.gp
#
# Reads sweep-ci.csv (point, grid keys..., policy, metric, n, mean, sd,
# ci95_low, ci95_high). Parameters (besides common.gp's):
#   key       the grid key on x (default: the first grid key, column 2)
#   policies  space-separated policies (default: all, in file order)
if (!exists("plotdir")) plotdir = system("dirname '".ARG0."'")
load plotdir."/common.gp"
if (!exists("in")) in = "sweep-ci.csv"
if (!exists("out")) out = "aws-calls"
load plotdir."/sweep-setup.gp"
call plotdir."/sweep-data.gp" "attempts" "W"
call plotdir."/sweep-data.gp" "completion_time" "T"
set datafile nocolumnheaders
set key top left title "policy" box linecolor rgb "#cccccc" opaque
set xlabel key_label(key)
set yrange [0:*]
do for [f in fmts] {
    load plotdir."/term.gp"
    set multiplot layout 1, 2 title sprintf("%s: work and completion time against %s (mean and 95%% CI of %d replications per point)", scen, key, sweep_n) font "Sans,13"
    set title "work: calls (attempts), all clients together" font "Sans,12"
    set ylabel "calls (count)"
    plot for [i = 1:npol] sprintf("$W%d", i) using 1:2:3:4 with yerrorlines linetype i title word(policies, i)
    set title "completion time: until the last client finished" font "Sans,12"
    set ylabel "completion time (s)"
    unset key
    plot for [i = 1:npol] sprintf("$T%d", i) using 1:2:3:4 with yerrorlines linetype i title word(policies, i)
    unset multiplot
    set key
    unset output
}
