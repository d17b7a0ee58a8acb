/* plot.h — the charts of a result directory (`retrysim plot`): every chart
 * that DIR's CSVs allow, drawn by the gnuplot scripts of plots/
 * (docs/plots.md; plot.c's header lists which file gives which chart).
 * Messages ("wrote PATH" on stdout, failures on stderr) are prefixed
 * "retrysim plot:".
 */
#ifndef BENCH_PLOT_H
#define BENCH_PLOT_H

typedef struct {
    const char *dir;        /* a directory written by run or sweep */
    const char *scenario;   /* the scenario run (fault windows), or NULL */
    const char *format;     /* "png", "svg" or "both" */
    const char *outdir;     /* where the images go, NULL = DIR/plots */
    const char *provider;   /* of the time series, "*" = all */
    const char *metric;     /* of the sweep charts (a known metric name) */
} bench_plot_opts;

/* Draws the charts; returns the exit status: 0 when every chart that
 * applies was drawn, 2 when DIR holds nothing plottable, the scripts or
 * gnuplot cannot be found, or a chart failed. */
int bench_plot(const bench_plot_opts *o);

#endif
