/* cmd_report.c — `retrysim report DIR [--out FILE.html] [--scenario FILE]
 * [--jobs N] [--no-expect] [--quiet]` (options: table.c): the HTML page of a
 * run or sweep directory (bench/report.h). Also the --report FILE.html of
 * run, sweep and check, through the same calls. */
#include "cli.h"
#include "report.h"
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

int cli_after_results(const char *verb, const char *dir, const char *path, const sim_scenario *sc,
                      const cli_list *sets, const char *objective, const char *report, int quiet)
{
    char who[64];
    snprintf(who, sizeof who, "retrysim %s", verb);
    bench_report_meta m;
    bench_report_meta_fill(&m, verb, path, sc, cli_items(sets), sets->n);
    if (objective) snprintf(m.objective, sizeof m.objective, "%s", objective);
    if (bench_report_meta_write(dir, &m, who)) return 2;
    if (!report) return 0;
    bench_report_opts ro = { .dir = dir, .out = report, .who = who, .jobs = online_cpus(), .quiet = quiet };
    return bench_report_dir(&ro);
}

int cmd_report(void *opts, const cli_args *a)
{
    const cli_report_opts *o = opts;
    char out[4096];
    snprintf(out, sizeof out, "%s/report.html", a->pos.v[0]);
    bench_report_opts ro = { .dir = a->pos.v[0], .out = o->out ? o->out : out, .scenario = o->scenario,
                             .who = a->who, .jobs = o->jobs ? (int)o->jobs : online_cpus(), .no_expect = o->no_expect,
                             .quiet = o->quiet };
    return bench_report_dir(&ro);
}
