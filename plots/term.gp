# term.gp — selects the terminal and output file for format f ("png" or
# "svg"), from out/width/height (see common.gp). Loaded inside the format loop.
if (f eq "png") {
    set terminal pngcairo size width, height font "Sans,11" noenhanced background rgb "white"
} else {
    set terminal svg size width, height dynamic font "Sans,11" noenhanced background rgb "white"
}
set output out.".".f
