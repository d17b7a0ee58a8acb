/* cmd_check.c — `retrysim check FILE... [--junit REPORT.xml]
 * [--replications N] [--jobs N]` (options: table.c): loads every file
 * first (a bad one stops everything with exit 2 before any run), then for
 * each scenario runs and evaluates its expect: list (bench/check.h) and
 * prints one PASS/FAIL line per expectation with the measured value and its
 * 95% CI, a summary line, and the JUnit report. Exit status: 0 all hold,
 * 1 one failed, 2 bad input, 130 interrupted (no report).
 */
#include "check.h"
#include "cli.h"
#include "outfile.h"
#include "report.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cmd_check(void *opts, const cli_args *a)
{
    const cli_check_opts *o = opts;
    const char *const *files = cli_items(&a->pos);
    int nfiles = a->pos.n, nsets = 0;
    char repbuf[64];
    const char *sets[1] = { repbuf };
    if (o->reps) {
        snprintf(repbuf, sizeof repbuf, "replications=%lld", o->reps);
        nsets = 1;
    }
    long jobs = o->jobs ? (long)o->jobs : sysconf(_SC_NPROCESSORS_ONLN);
    if (jobs < 1) jobs = 1;
    sim_out_exit_on_signal("retrysim check");   /* between the runs (which count signals) and the report */

    bench_check_file *fc = calloc((size_t)nfiles, sizeof *fc);
    int bad = !fc;
    for (int i = 0; fc && i < nfiles; i++) {
        sim_err err;
        if (bench_check_load(&fc[i], files[i], sets, nsets, &err)) { fprintf(stderr, "%s\n", err.msg); bad = 1; }
        else if (fc[i].sc.warnings) fputs(fc[i].sc.warnings, stderr);   /* imported configs: not simulated */
    }
    int tests = 0, failures = 0, without = 0, interrupted = 0;
    double t0 = now_s();
    for (int i = 0; i < nfiles && !bad; i++) {
        bench_check_file *c = &fc[i];
        const sim_scenario *sc = &c->sc;
        if (!sc->nexpect) {
            printf("%s: %s: no expectations\n", sc->path, sc->name);
            without++;
            continue;
        }
        sim_err err;
        int run_rc = bench_check_run(c, files[i], sets, nsets, (int)jobs, &err);
        if (run_rc == -2) { interrupted = 1; break; }
        if (run_rc) {
            if (err.msg[0]) fprintf(stderr, "%s\n", err.msg);
            bad = 1;
            break;
        }
        int n = c->npolicies;
        printf("%s: %s: %d replication%s of %d polic%s, %d expectation%s\n", sc->path, sc->name, c->res.reps,
               c->res.reps == 1 ? "" : "s", n, n == 1 ? "y" : "ies", sc->nexpect, sc->nexpect == 1 ? "" : "s");
        for (int e = 0; e < sc->nexpect; e++) {
            const bench_check_outcome *oc = &c->out[e];
            tests++;
            failures += !oc->pass;
            printf("  %s  %s:%d: %s: measured %s\n", oc->pass ? "PASS" : "FAIL", sc->path, sc->expect[e].line,
                   oc->expr, oc->measured);
        }
        fflush(stdout);
    }
    int rc = bad ? 2 : interrupted ? 130 : failures ? 1 : 0;
    if (interrupted) fprintf(stderr, "retrysim check: interrupted; no report written\n");
    if (!bad && !interrupted) {
        printf("check: %d expectation%s in %d file%s: %d passed, %d failed", tests, tests == 1 ? "" : "s", nfiles,
               nfiles == 1 ? "" : "s", tests - failures, failures);
        if (without) printf(" (%d file%s without expectations)", without, without == 1 ? "" : "s");
        printf("\n");
        if (o->junit && bench_check_write_junit(o->junit, fc, nfiles, tests, failures, now_s() - t0)) rc = 2;
        if (o->report) {                               /* the HTML page of every file (bench/report.h) */
            bench_report_meta m;
            bench_report_meta_fill(&m, "check", files[0], NULL, sets, nsets);
            bench_report_opts ro = { .out = o->report, .who = "retrysim check", .jobs = (int)jobs };
            if (bench_report_check(&ro, &m, fc, files, nfiles)) rc = 2;
        }
    }
    for (int i = 0; fc && i < nfiles; i++) bench_check_free(&fc[i]);
    free(fc);
    return rc;
}
