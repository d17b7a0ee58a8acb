# common.gp — loaded first by every chart script in plots/.
#
# Reads the parameters the caller may have set with gnuplot -e "..." and
# fills in defaults; sets the look shared by every chart. Parameters:
#   in      input CSV (each script names its own default)
#   out     output path WITHOUT extension; ".png" and/or ".svg" is appended
#   fmt     "png", "svg" or "both" (default both)
#   width, height   image size in pixels (default 1200 x 700)
# The scripts then loop `do for [f in fmts] { load plotdir.'/term.gp'; ... }`,
# which renders the same chart once per format. A script exits with status 2
# on bad input, and 3 when the data hold nothing worth a chart (the plot verb
# then reports it as skipped).
# Every CSV of retrysim is comma-separated with a header row and quoted
# strings; gnuplot strips the quotes of string fields (strcol) and reads
# unquoted numbers; an empty field is missing. Names are looked up by header
# (column("mean"), strcol("policy")), never by position, so extra columns
# (the grid keys of a sweep) do not move anything.
if (!exists("plotdir")) plotdir = (exists("ARG0") && strstrt(ARG0, "/") ? system("dirname '".ARG0."'") : ".")
if (!exists("fmt")) fmt = "both"
fmts = (fmt eq "both") ? "png svg" : fmt
if (!exists("width")) width = 1200
if (!exists("height")) height = 700
set datafile separator comma
# The first line of a file is its header. Datablocks the scripts build with
# `set table` have none: read them after `set datafile nocolumnheaders`.
set datafile columnheaders
# Okabe–Ito colours (distinguishable with colour-blindness), then greys.
array pcolor[8] = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999"]
do for [i = 1:8] { set linetype i linecolor rgb pcolor[i] linewidth 2 pointtype (i + 4) pointsize 1.2 }
set style line 100 linecolor rgb "#dddddd" linewidth 1 dashtype 1
set grid back linestyle 100
set key Left reverse
set border 3 linecolor rgb "#555555"
set tics nomirror out scale 0.6 textcolor rgb "#333333"
# word list helpers: position of s in a space-separated list (0 if absent)
windex(l, s, i) = (i > words(l)) ? 0 : (word(l, i) eq s ? i : windex(l, s, i + 1))
wpos(l, s) = windex(l, s, 1)
axis_label(m, u) = (u eq "") ? m : sprintf("%s (%s)", m, u)
addword(l, s) = (wpos(l, s) > 0 || s eq "") ? l : (l eq "" ? s : l." ".s)
