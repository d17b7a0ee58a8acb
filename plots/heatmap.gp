# heatmap.gp — a two-key sweep as heat maps: the mean of one metric for every
# (key1, key2) grid point, one panel per policy, one shared colour scale.
#
#   retrysim sweep scenarios/provider-outage.yaml --grid 'workload.clients=200,400,600' \
#       --grid 'providers[primary].error_rate=0,0.2,0.4' --out DIR
#   gnuplot -e "in='DIR/sweep-ci.csv'; out='DIR/plots/heatmap'; metric='success_rate'" plots/heatmap.gp
#
# Reads sweep-ci.csv. Grid values are placed as categories, in grid order, so
# uneven grids (10, 100, 1000) get equal cells, drawn as filled rectangles
# (vector in SVG, not a scaled bitmap). Parameters (besides common.gp's):
#   key1, key2     grid keys on x and y (default: the first two grid keys)
#   metric, unit   what to colour by (default amplification, ratio)
#   policies       space-separated policies (default: all, in file order)
if (!exists("plotdir")) plotdir = system("dirname '".ARG0."'")
if (!exists("height")) height = -1
load plotdir."/common.gp"
if (!exists("in")) in = "sweep-ci.csv"
if (!exists("out")) out = "heatmap"
if (!exists("metric")) { metric = "amplification"; unit = "ratio" }
if (!exists("unit")) unit = ""
if (!exists("key1")) { stats in every ::0::0 using (key1 = columnhead(2), key2 = columnhead(3), 0) nooutput }
key = key1
load plotdir."/sweep-setup.gp"
if (key2 eq "scenario" || key2 eq "policy") { print "heatmap.gp: ".in." has one grid key; a heat map needs two"; exit status 2 }
call plotdir."/uniq.gp" in key1
xs = uniq_list
call plotdir."/uniq.gp" in key2
ys = uniq_list
nx = words(xs)
ny = words(ys)

# $H<i>: x cell, y cell, mean of the metric, replications, for policy i
do for [i = 1:npol] {
    eval sprintf("set table $H%d separator comma", i)
    plot in using (wpos(xs, strcol(key1))):(wpos(ys, strcol(key2))):"mean":"n" \
        with table if (strcol("policy") eq word(policies, i) && strcol("metric") eq metric)
    unset table
}
# one colour scale for every panel
set datafile nocolumnheaders
cbmin = 1e300
cbmax = -1e300
do for [i = 1:npol] {
    stats sprintf("$H%d", i) using 3:4 nooutput
    if (STATS_records > 0) {
        cbmin = (STATS_min_x < cbmin) ? STATS_min_x : cbmin
        cbmax = (STATS_max_x > cbmax) ? STATS_max_x : cbmax
        nrep = STATS_max_y
    }
}
if (cbmin > cbmax) { print "heatmap.gp: no rows of metric ".metric." in ".in; exit status 2 }
if (cbmax == cbmin) { cbmax = cbmin + 1 }

cols = (npol > 4) ? 3 : (npol > 1) ? 2 : 1
rows = int((npol + cols - 1) / cols)
if (height < 0) height = 130 + 330 * rows
set palette defined (0 "#440154", 1 "#3B528B", 2 "#21918C", 3 "#5EC962", 4 "#FDE725")
set cbrange [cbmin:cbmax]
set cblabel axis_label(metric, unit) font "Sans,12"
set xrange [0.5:nx + 0.5]
set yrange [0.5:ny + 0.5]
set xtics 1 scale 0
set ytics 1 scale 0
set xtics () ; set ytics ()
do for [k = 1:nx] { set xtics add (word(xs, k) k) }
do for [k = 1:ny] { set ytics add (word(ys, k) k) }
unset grid
set border 15 linecolor rgb "#555555"
set tics nomirror
unset key
# a label is white on the dark half of the palette, black on the bright half
mid = (cbmin + cbmax) / 2
do for [f in fmts] {
    load plotdir."/term.gp"
    set multiplot layout rows, cols title sprintf("%s: mean %s per grid point (%d replications each)", scen, metric, nrep) font "Sans,13" \
        margins 0.08, 0.86, 70.0 / height, 1 - 70.0 / height spacing 0.08, 115.0 / height
    do for [i = 1:npol] {
        if (i == 1) { set colorbox user origin screen 0.9, screen 0.15 size screen 0.018, screen 0.7 } else { unset colorbox }
        set title word(policies, i) font "Sans,12"
        set xlabel key_label(key1)
        set ylabel key_label(key2)
        plot sprintf("$H%d", i) using 1:2:(0.5):(0.5):3 with boxxyerror fillstyle solid 1.0 noborder fillcolor palette, \
             "" using 1:2:($3 < mid ? sprintf("%.3g", $3) : "") with labels textcolor rgb "#FFFFFF" font "Sans,9", \
             "" using 1:2:($3 >= mid ? sprintf("%.3g", $3) : "") with labels textcolor rgb "#000000" font "Sans,9"
    }
    unset multiplot
    unset output
}
