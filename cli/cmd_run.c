/* cmd_run.c — `retrysim run SCENARIO`: replay a scenario, write
 * summary.csv, summary-ci.csv, summary-classes.csv, summary-classes-ci.csv,
 * timeseries.csv, timeseries-requests.csv,
 * alerts.csv (and attempts.csv with --trace) into --out DIR, print the
 * compact table. All files are written to temporaries and renamed only
 * when every run succeeded; DIR is locked while the run writes it, and a
 * run that fails or is interrupted (SIGINT/SIGTERM: exit 130) removes its
 * temporaries and, when it created DIR, DIR itself (outfile.h). The options
 * (table.c) arrive parsed: --seed and --replications are "seed=N" and
 * "replications=N" overrides in ro->sets, in command-line order with --set. */
#include "cli.h"
#include "model.h"
#include "outfile.h"
#include "units.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_run(void *opts, const cli_args *a)
{
    const cli_run_opts *ro = opts;
    const char *path = a->pos.v[0], *out = ro->out;
    int trace = ro->trace, quiet = ro->quiet, npol = ro->pols.n;
    const char *const *pols = cli_items(&ro->pols);
    sim_out_exit_on_signal("retrysim run");
    sim_scenario sc;
    sim_err err;
    if (sim_scenario_load(path, cli_items(&ro->sets), ro->sets.n, &sc, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    if (sc.warnings && !quiet) fputs(sc.warnings, stderr);      /* imported configs: not simulated */
    int *idx = malloc((size_t)(npol ? npol : 1) * sizeof *idx);
    if (!idx) {
        fprintf(stderr, "retrysim run: out of memory\n");
        sim_scenario_free(&sc);
        return 2;
    }
    for (int i = 0; i < npol; i++) {
        idx[i] = sim_scenario_find_policy(&sc, pols[i]);
        if (idx[i] < 0) {
            fprintf(stderr, "retrysim run: %s has no policy '%s' (it has:", path, pols[i]);
            for (int k = 0; k < sc.npolicies; k++) fprintf(stderr, " %s", sc.policies[k].name);
            fprintf(stderr, ")\n");
            free(idx);
            sim_scenario_free(&sc);
            return 2;
        }
    }
    int od = sim_outdir_open(out, SIM_OUTDIR_LOCK, "retrysim run");
    if (od < 0) {
        free(idx);
        sim_scenario_free(&sc);
        return 2;
    }
    sim_outfile fs, fci, fts, ftq, ftr, fal, fcl, fcc;
    memset(&fcl, 0, sizeof fcl);
    memset(&fcc, 0, sizeof fcc);
    memset(&ftq, 0, sizeof ftq);
    memset(&ftr, 0, sizeof ftr);
    memset(&fal, 0, sizeof fal);
    int rc = 2, held = 0;
    if (sim_out_open(&fs, out, "summary.csv")) goto done0;
    if (sim_out_open(&fci, out, "summary-ci.csv")) goto done1;
    if (sim_out_open(&fts, out, "timeseries.csv")) goto done2;
    if (sim_out_open(&ftq, out, "timeseries-requests.csv")) goto done3;
    if (trace && sim_out_open(&ftr, out, "attempts.csv")) goto done3;
    if (sim_out_open(&fal, out, "alerts.csv")) goto done4;
    if (sim_out_open(&fcl, out, "summary-classes.csv") || sim_out_open(&fcc, out, "summary-classes-ci.csv")) goto done5;
    sim_timeseries_header(fts.f);
    sim_timeseries_requests_header(ftq.f);
    if (trace) sim_attempts_header(ftr.f);
    sim_alert_header(fal.f);
    sim_runner_opts o = { .policies = npol ? idx : NULL, .npolicies = npol, .timeseries = fts.f,
                          .timeseries_requests = ftq.f, .trace = trace ? ftr.f : NULL, .alerts = fal.f,
                          .progress = 1, .label = sc.name };
    sim_results res;
    sim_class_results cres;
    o.classes = &cres;
    if (sim_runner_run(&sc, &o, &res)) goto done5;
    sim_summary_header(fs.f);
    sim_summary_write(fs.f, &sc, &res);
    sim_summary_ci_header(fci.f);
    sim_summary_ci_write(fci.f, &sc, &res);
    sim_summary_classes_header(fcl.f);
    sim_summary_classes_write(fcl.f, &sc, &res, &cres);
    sim_summary_classes_ci_header(fcc.f);
    sim_summary_classes_ci_write(fcc.f, &sc, &res, &cres);
    if (!quiet) sim_summary_table(stdout, &sc, &res);
    sim_results_free(&res);
    sim_class_results_free(&cres);
    rc = 0;
    sim_out_hold_signals();           /* the files appear together: a signal now acts after the last rename */
    held = 1;
    if (sim_out_commit(&fs) || sim_out_commit(&fci) || sim_out_commit(&fts) || sim_out_commit(&ftq) ||
        sim_out_commit(&fal) || (trace && sim_out_commit(&ftr)) || sim_out_commit(&fcl) || sim_out_commit(&fcc)) rc = 2;
    else if (!quiet) printf("wrote %s/summary.csv, %s/summary-ci.csv, %s/summary-classes.csv, %s/summary-classes-ci.csv, "
                            "%s/timeseries.csv, %s/timeseries-requests.csv, %s/alerts.csv%s%s%s\n", out, out, out, out, out, out, out,
                            trace ? ", " : "", trace ? out : "", trace ? "/attempts.csv" : "");
done5:
    if (rc) { sim_out_abort(&fal); sim_out_abort(&fcl); sim_out_abort(&fcc); }
done4:
    if (rc) { sim_out_abort(&ftr); }
done3:
    if (rc) { sim_out_abort(&ftq); sim_out_abort(&fts); }
done2:
    if (rc) sim_out_abort(&fci);
done1:
    if (rc) sim_out_abort(&fs);
done0:
    if (held) sim_out_release_signals();
    if (rc == 0) rc = cli_after_results("run", out, path, &sc, &ro->sets, NULL, ro->report, quiet);   /* run.csv, --report */
    sim_outdir_close(od, rc != 0);    /* failed: the directory goes too if this run created it (and is empty) */
    free(idx);
    sim_scenario_free(&sc);
    return rc;
}
