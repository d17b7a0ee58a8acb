# timeseries.gp — offered load and successes per second over time, one panel
# per policy, with the provider's capacity and the fault windows shaded.
#
#   gnuplot -e "in='results/timeseries.csv'; out='results/plots/timeseries'" plots/timeseries.gp
#
# Parameters (besides common.gp's in/out/fmt/width/height):
#   provider  the provider rows to draw, or "*" for the sum over all providers
#             (default "*"; sum-providers.awk adds up each bucket's rows)
#   rep       replication to draw, or -1 = the mean over all replications (default -1)
#   policies  space-separated policies, in panel order (default: all, in file order)
#   trange    "t0:t1", the time range to show in seconds (default: the whole run)
#   faults    fault windows "start:end start:end" in seconds (default: the
#             buckets where the capacity is below its maximum)
# Reads timeseries.csv (one row per policy x replication x bucket x provider,
# rates already per second: time_s, offered_per_s, successes_per_s,
# capacity_per_s). The mean over replications is gnuplot's `smooth unique`
# (the average of the rows that share a bucket time).
if (!exists("plotdir")) plotdir = system("dirname '".ARG0."'")
if (!exists("height")) height = -1
load plotdir."/common.gp"
if (!exists("in")) in = "results/timeseries.csv"
if (!exists("out")) out = "timeseries"
if (!exists("provider")) provider = "*"
if (!exists("rep")) rep = -1
if (!exists("policies")) { call plotdir."/uniq.gp" in "policy"; policies = uniq_list }
npol = words(policies)
if (npol == 0) { print "timeseries.gp: no policies in ".in; exit status 2 }
stats in using (scen = strcol("scenario"), nrep = column("replication") + 1, 0) nooutput
# the rows drawn: one provider's, or every bucket's sum over the providers
data = (provider eq "*") ? sprintf("< awk -f '%s/sum-providers.awk' '%s'", plotdir, in) : in

# One datablock per policy: time, offered, successes, capacity (every replication).
ymax = 1
tmax = 0
do for [i = 1:npol] {
    eval sprintf("set table $D%d separator comma", i)
    plot data using "time_s":"offered_per_s":"successes_per_s":"capacity_per_s" with table \
        if (strcol("policy") eq word(policies, i) && strcol("provider") eq provider \
            && (rep < 0 || column("replication") == rep))
    unset table
    set datafile nocolumnheaders
    set table $S
    plot sprintf("$D%d", i) using 1:2 smooth unique
    unset table
    set datafile separator whitespace
    stats $S using 1:2 nooutput
    set datafile separator comma
    set datafile columnheaders
    if (STATS_records == 0) { print sprintf("timeseries.gp: no rows for policy %s, provider %s", word(policies, i), provider); exit status 2 }
    ymax = (STATS_max_y > ymax) ? STATS_max_y : ymax
    tmax = (STATS_max_x > tmax) ? STATS_max_x : tmax
}
set datafile nocolumnheaders
stats $D1 using 1:4 nooutput
capmax = STATS_max_y
dt = 0
stats $D1 using ($1 > 0 && dt == 0 ? dt = $1 : 0) nooutput
tend = tmax + dt
# the y scale shows the capacity unless it is far above every load drawn
cap_off = (capmax > 3 * ymax)
ymax = (capmax > ymax && !cap_off) ? capmax : ymax

# Fault windows: given, or where the capacity drops below its maximum.
if (!exists("faults")) {
    faults = ""
    f_in = 0
    stats $D1 using ($4 < 0.999 * capmax ? (f_in ? 0 : (f_start = $1, f_in = 1)) \
                     : (f_in ? (faults = faults.sprintf(" %g:%g", f_start, $1), f_in = 0) : 0)) nooutput
    if (f_in) { faults = faults.sprintf(" %g:%g", f_start, tend) }
}
fstart(w) = real(substr(w, 1, strstrt(w, ":") - 1))
fend(w) = real(substr(w, strstrt(w, ":") + 1, strlen(w)))

# The herd at recovery: each policy's highest offered load in the 30 s (at
# least 5 buckets) after the last fault window ends, over the capacity.
lastend = -1
do for [w in faults] { lastend = (fend(w) > lastend) ? fend(w) : lastend }
herdw = (5 * dt > 30) ? 5 * dt : 30
array herd[npol]
do for [i = 1:npol] {
    herd[i] = NaN
    if (lastend >= 0 && lastend < tend) {
        set table $S
        plot sprintf("$D%d", i) using 1:2 smooth unique
        unset table
        set datafile separator whitespace
        stats $S using 1:(($1 >= lastend && $1 < lastend + herdw) ? $2 : NaN) nooutput
        set datafile separator comma
        herd[i] = (STATS_records > 0 && capmax > 0) ? STATS_max_y / capmax : NaN
    }
}

cols = (npol > 1) ? 2 : 1
rows = int((npol + cols - 1) / cols)
if (height < 0) height = 135 + 250 * rows
what = (rep < 0) ? sprintf("mean of %d replications", nrep) : sprintf("replication %d", rep)
who = (provider eq "*") ? "all providers" : "provider ".provider
unit = (tmax > 600) ? 60.0 : 1.0
tunit = (unit > 1) ? "min" : "s"

if (exists("trange")) { set xrange [fstart(trange) / unit:fend(trange) / unit] } else { set xrange [0:tend / unit] }
set yrange [0:ymax * 1.12]
set style textbox opaque noborder margins 2, 1
do for [f in fmts] {
    load plotdir."/term.gp"
    set multiplot layout rows, cols title sprintf("%s: offered load and successes per second (%s, %s)", scen, who, what) font "Sans,13" \
        margins 0.07, 0.98, 60.0 / height, 1 - 120.0 / height spacing 0.07, 75.0 / height
    do for [i = 1:npol] {
        unset object
        do for [w in faults] {
            set object rectangle from fstart(w) / unit, graph 0 to fend(w) / unit, graph 1 behind fillcolor rgb "#F7D9D6" fillstyle solid 1.0 noborder
        }
        set title word(policies, i) font "Sans,12"
        unset label 1
        unset label 2
        if (cap_off) {
            set label 2 sprintf("capacity %.4g/s: above the scale", capmax) at graph 0.01, graph 0.95 left front boxed font "Sans,10"
        }
        if (herd[i] == herd[i]) {
            set label 1 sprintf("after the last fault: peak offered %.2fx capacity", herd[i]) at graph 0.99, graph 0.95 right front boxed font "Sans,10" textcolor rgb "#8B3A00"
        }
        set ylabel "rate (1/s)"
        set xlabel (i > npol - cols) ? sprintf("time (%s)", tunit) : ""
        if (i == 1) { set key at screen 0.5, screen 1 - 38.0 / height center top horizontal maxcols 4 samplen 3 width 1 font "Sans,11" } else { unset key }
        plot sprintf("$D%d", i) using (($1 + dt / 2) / unit):2 smooth unique with lines linecolor rgb pcolor[2] linewidth 2 title "offered (attempts/s)", \
             "" using (($1 + dt / 2) / unit):3 smooth unique with lines linecolor rgb pcolor[1] linewidth 2 title "successes/s", \
             "" using ($1 / unit):4 smooth unique with steps linecolor rgb "#000000" linewidth 1.2 title "capacity (1/s)", \
             NaN with boxes fillcolor rgb "#F7D9D6" fillstyle solid 1.0 noborder title "fault window"
    }
    unset multiplot
    unset output
}
