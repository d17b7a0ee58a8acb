# ci.gp — `call plotdir.'/ci.gp' FILE POLICY METRIC`: looks up one row of a
# summary-ci.csv-like file (columns policy, metric, n, mean, ci95_low,
# ci95_high, found by header) and sets ci_mean, ci_lo, ci_hi, ci_n. Without
# an interval (n < 2: empty fields) ci_lo = ci_hi = ci_mean; a missing row
# leaves ci_mean = NaN (the point is not drawn).
ci_mean = NaN; ci_lo = NaN; ci_hi = NaN; ci_n = 0
stats ARG1 using ((strcol("policy") eq ARG2 && strcol("metric") eq ARG3) ? \
    (ci_mean = column("mean"), ci_lo = column("ci95_low"), ci_hi = column("ci95_high"), ci_n = column("n")) : 0) nooutput
if (!(ci_lo == ci_lo)) { ci_lo = ci_mean }
if (!(ci_hi == ci_hi)) { ci_hi = ci_mean }
