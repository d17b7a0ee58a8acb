/* cmd_run.c — `retrysim run SCENARIO`: replay a scenario, write
 * summary.csv, summary-ci.csv, timeseries.csv (and attempts.csv with
 * --trace) into --out DIR, print the compact table. All files are written
 * to temporaries and renamed only when every run succeeded. */
#include "cli.h"
#include "model.h"
#include "outfile.h"
#include "model.h"
#include "units.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char USAGE[] =
    "usage: retrysim run SCENARIO [--out DIR] [--seed N] [--replications N]\n"
    "                    [--policy NAME]... [--set KEY=VALUE]... [--trace] [--quiet]\n"
    "  --out DIR          where the CSVs go (default: results)\n"
    "  --seed N           override the scenario's seed\n"
    "  --replications N   override the number of replications\n"
    "  --policy NAME      run only this policy (repeatable)\n"
    "  --set KEY=VALUE    override a scenario key, e.g. --set workload.clients=200\n"
    "  --trace            also write attempts.csv, one row per attempt\n"
    "  --quiet            do not print the summary table\n";

#define MAX_SETS 64

int cmd_run(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) { fputs(USAGE, stdout); return 0; }
    const char *path = NULL, *out = "results";
    const char *sets[MAX_SETS + 2];
    int nsets = 0, trace = 0, quiet = 0, npol = 0;
    const char *pols[64];
    char seedbuf[64], repbuf[64];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--out") && more) out = argv[++i];
        else if (!strcmp(a, "--seed") && more) {
            long long v;
            if (sim_parse_int(argv[++i], &v) || v < 0) cli_die_usage("run", "--seed needs a non-negative integer\n");
            snprintf(seedbuf, sizeof seedbuf, "seed=%lld", v);
            sets[nsets++] = seedbuf;
        } else if (!strcmp(a, "--replications") && more) {
            long long v;
            if (sim_parse_int(argv[++i], &v) || v < 1 || v > 100000)
                cli_die_usage("run", "--replications needs an integer in 1..100000\n");
            snprintf(repbuf, sizeof repbuf, "replications=%lld", v);
            sets[nsets++] = repbuf;
        } else if (!strcmp(a, "--policy") && more) {
            if (npol == 64) cli_die_usage("run", "too many --policy\n");
            pols[npol++] = argv[++i];
        } else if (!strcmp(a, "--set") && more) {
            if (nsets >= MAX_SETS) cli_die_usage("run", "too many --set\n");
            sets[nsets++] = argv[++i];
        } else if (!strcmp(a, "--trace")) trace = 1;
        else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) quiet = 1;
        else if (a[0] == '-') { fprintf(stderr, "retrysim run: unknown option '%s'\n%s", a, USAGE); return 2; }
        else if (!path) path = a;
        else { fprintf(stderr, "retrysim run: one scenario at a time ('%s')\n", a); return 2; }
    }
    if (!path) { fputs(USAGE, stderr); return 2; }

    sim_scenario sc;
    sim_err err;
    if (sim_scenario_load(path, sets, nsets, &sc, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    if (sc.warnings && !quiet) fputs(sc.warnings, stderr);      /* imported configs: not simulated */
    int idx[64];
    for (int i = 0; i < npol; i++) {
        idx[i] = sim_scenario_find_policy(&sc, pols[i]);
        if (idx[i] < 0) {
            fprintf(stderr, "retrysim run: %s has no policy '%s' (it has:", path, pols[i]);
            for (int k = 0; k < sc.npolicies; k++) fprintf(stderr, " %s", sc.policies[k].name);
            fprintf(stderr, ")\n");
            sim_scenario_free(&sc);
            return 2;
        }
    }
    if (sim_mkdirs(out)) {
        fprintf(stderr, "retrysim run: cannot create output directory '%s'\n", out);
        sim_scenario_free(&sc);
        return 2;
    }
    sim_outfile fs, fci, fts, ftr, fal;
    memset(&ftr, 0, sizeof ftr);
    memset(&fal, 0, sizeof fal);
    int rc = 2;
    if (sim_out_open(&fs, out, "summary.csv")) goto done0;
    if (sim_out_open(&fci, out, "summary-ci.csv")) goto done1;
    if (sim_out_open(&fts, out, "timeseries.csv")) goto done2;
    if (trace && sim_out_open(&ftr, out, "attempts.csv")) goto done3;
    if (sim_out_open(&fal, out, "alerts.csv")) goto done4;
    sim_timeseries_header(fts.f);
    if (trace) sim_trace_header(ftr.f);
    sim_alert_header(fal.f);
    sim_runner_opts o = { .policies = npol ? idx : NULL, .npolicies = npol, .timeseries = fts.f,
                          .trace = trace ? ftr.f : NULL, .alerts = fal.f, .progress = 1, .label = sc.name };
    sim_results res;
    if (sim_runner_run(&sc, &o, &res)) goto done5;
    sim_summary_header(fs.f);
    sim_summary_write(fs.f, &sc, &res);
    sim_summary_ci_header(fci.f);
    sim_summary_ci_write(fci.f, &sc, &res);
    if (!quiet) sim_summary_table(stdout, &sc, &res);
    sim_results_free(&res);
    rc = 0;
    if (sim_out_commit(&fs) || sim_out_commit(&fci) || sim_out_commit(&fts) || sim_out_commit(&fal) ||
        (trace && sim_out_commit(&ftr))) rc = 2;
    else if (!quiet) printf("wrote %s/summary.csv, %s/summary-ci.csv, %s/timeseries.csv, %s/alerts.csv%s%s%s\n", out, out,
                            out, out, trace ? ", " : "", trace ? out : "", trace ? "/attempts.csv" : "");
done5:
    if (rc) sim_out_abort(&fal);
done4:
    if (rc) { sim_out_abort(&ftr); }
done3:
    if (rc) sim_out_abort(&fts);
done2:
    if (rc) sim_out_abort(&fci);
done1:
    if (rc) sim_out_abort(&fs);
done0:
    sim_scenario_free(&sc);
    return rc;
}
