/* cmd_plot.c — `retrysim plot DIR [--scenario FILE] [--format png|svg|both]
 * [--out DIR2] [--provider NAME] [--metric NAME]` (options: table.c):
 * checks the metric, then draws the charts (bench/plot.h). */
#include "cli.h"
#include "plot.h"
#include "scenario.h"
#include <stdio.h>

int cmd_plot(void *opts, const cli_args *a)
{
    const cli_plot_opts *o = opts;
    if (sim_metric_lookup(o->metric) < 0) {
        fprintf(stderr, "retrysim plot: unknown metric '%s' (docs/metrics.md lists them)\n", o->metric);
        return 2;
    }
    bench_plot_opts p = { a->pos.v[0], o->scenario, o->format, o->out, o->provider, o->metric };
    return bench_plot(&p);
}
