# sweep-data.gp — `call plotdir.'/sweep-data.gp' METRIC TAG`: for every
# policy i of `policies`, builds the datablock $<TAG><i> from the sweep-ci.csv
# file `in`: rows of METRIC, columns x (the grid key `key`), mean, ci95_low,
# ci95_high, in the file's point order. A point without an interval (n < 2)
# gets low = high = mean. Sets sweep_n to the largest n seen (replications).
sweep_n = 0
do for [sweep_i = 1:npol] {
    eval sprintf("set table $%s%d separator comma", ARG2, sweep_i)
    plot in using (column(key)):"mean" \
        :(sweep_n = (column("n") > sweep_n ? column("n") : sweep_n), column("ci95_low") == column("ci95_low") ? column("ci95_low") : column("mean")) \
        :(column("ci95_high") == column("ci95_high") ? column("ci95_high") : column("mean")) \
        with table if (strcol("policy") eq word(policies, sweep_i) && strcol("metric") eq ARG1)
    unset table
}
