/* runner.c — policies x replications of one scenario (see runner.h).
 * Runs in the caller's process, in output order; each run is independent
 * (its own world and random streams), so a run's results depend only on
 * (scenario, policy, replication). */
#include "model.h"
#include "progress.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

int sim_runner_run(const sim_scenario *sc, const sim_runner_opts *o, sim_results *res)
{
    memset(res, 0, sizeof *res);
    const int *policies = o ? o->policies : NULL;
    int npolicies = policies ? o->npolicies : sc->npolicies;
    res->npolicies = npolicies;
    res->reps = sc->replications;
    res->policy = malloc((size_t)npolicies * sizeof *res->policy);
    res->m = calloc((size_t)npolicies * (size_t)res->reps, sizeof *res->m);
    sim_class_results *cr = o ? o->classes : NULL;
    if (cr) {
        cr->nclasses = sc->workload.nclasses > 0 ? sc->workload.nclasses : 1;
        cr->m = calloc((size_t)npolicies * (size_t)res->reps * (size_t)cr->nclasses, sizeof *cr->m);
    }
    if (!res->policy || !res->m || (cr && !cr->m)) {
        sim_results_free(res);
        if (cr) sim_class_results_free(cr);
        return POL_ENOMEM;
    }
    for (int i = 0; i < npolicies; i++) res->policy[i] = policies ? policies[i] : i;
    sim_progress pb;
    sim_progress_begin(&pb, o && o->label ? o->label : sc->name, (uint64_t)npolicies * (uint64_t)res->reps,
                       o && o->progress);
    uint64_t done = 0;
    for (int i = 0; i < npolicies; i++) {
        for (int r = 0; r < res->reps; r++) {
            sim_run_opts ro = { .sc = sc, .policy = res->policy[i], .replication = r,
                                .trace = o ? o->trace : NULL, .alerts = o ? o->alerts : NULL,
                                .timeseries = o ? o->timeseries : NULL,
                                .timeseries_requests = o ? o->timeseries_requests : NULL };
            size_t run = (size_t)i * (size_t)res->reps + (size_t)r;
            if (cr) ro.classes = &cr->m[run * (size_t)cr->nclasses];
            int rc = sim_run_world(&ro, &res->m[run], NULL);
            if (rc) {
                if (cr) sim_class_results_free(cr);
                sim_progress_end(&pb);
                if (rc == SIM_EZEROTIME)
                    fprintf(stderr, "%s: policy '%s': virtual time stopped advancing: clients start requests "
                            "endlessly at one instant (zero think time and zero latency); give the workload a "
                            "think time or the providers a latency\n", sc->path, sc->policies[res->policy[i]].name);
                else
                    fprintf(stderr, "retrysim: run of policy '%s' replication %d failed: %s\n",
                            sc->policies[res->policy[i]].name, r, pol_strerror(rc));
                sim_results_free(res);
                return rc;
            }
            sim_progress_step(&pb, ++done);
        }
    }
    sim_progress_end(&pb);
    return POL_OK;
}

void sim_results_free(sim_results *r)
{
    free(r->policy);
    free(r->m);
    memset(r, 0, sizeof *r);
}

void sim_class_results_free(sim_class_results *c)
{
    free(c->m);
    memset(c, 0, sizeof *c);
}

void sim_results_column(const sim_results *r, int i, sim_metric_id m, double *out)
{
    for (int k = 0; k < r->reps; k++) out[k] = r->m[(size_t)i * (size_t)r->reps + (size_t)k].m[m];
}

void sim_results_class_column(const sim_results *r, const sim_class_results *c, int i, int k, sim_metric_id m,
                              double *out)
{
    if (k < 0 || !c || !c->m || k >= c->nclasses) { sim_results_column(r, i, m, out); return; }
    for (int j = 0; j < r->reps; j++)
        out[j] = c->m[((size_t)i * (size_t)r->reps + (size_t)j) * (size_t)c->nclasses + (size_t)k].m[m];
}

void sim_summary_header(FILE *f)
{
    fputs("scenario,policy,replication,seed", f);
    for (int m = 0; m < SIM_M__COUNT; m++) fprintf(f, ",%s", sim_metric_name((sim_metric_id)m));
    fputc('\n', f);
}

void sim_summary_write(FILE *f, const sim_scenario *sc, const sim_results *r)
{
    sim_csv c;
    sim_csv_begin(&c, f);
    for (int i = 0; i < r->npolicies; i++)
        for (int k = 0; k < r->reps; k++) {
            sim_csv_str(&c, sc->name);
            sim_csv_str(&c, sc->policies[r->policy[i]].name);
            sim_csv_int(&c, k);
            sim_csv_num(&c, (double)sc->seed);
            const double *m = r->m[(size_t)i * (size_t)r->reps + (size_t)k].m;
            for (int j = 0; j < SIM_M__COUNT; j++) sim_csv_num(&c, m[j]);
            sim_csv_end(&c);
        }
}

void sim_summary_ci_header(FILE *f)
{
    fputs("scenario,policy,metric,n,mean,sd,ci95_low,ci95_high\n", f);
}

void sim_summary_ci_write(FILE *f, const sim_scenario *sc, const sim_results *r)
{
    double *col = malloc((size_t)r->reps * sizeof *col);
    if (!col) return;
    sim_csv c;
    sim_csv_begin(&c, f);
    for (int i = 0; i < r->npolicies; i++)
        for (int j = 0; j < SIM_M__COUNT; j++) {
            sim_results_column(r, i, (sim_metric_id)j, col);
            size_t n;
            double mean, sd, lo, hi;
            sim_ci95(col, (size_t)r->reps, &n, &mean, &sd, &lo, &hi);
            sim_csv_str(&c, sc->name);
            sim_csv_str(&c, sc->policies[r->policy[i]].name);
            sim_csv_str(&c, sim_metric_name((sim_metric_id)j));
            sim_csv_int(&c, (long long)n);
            sim_csv_num(&c, mean);
            sim_csv_num(&c, sd);
            sim_csv_num(&c, lo);
            sim_csv_num(&c, hi);
            sim_csv_end(&c);
        }
    free(col);
}

void sim_summary_classes_header(FILE *f)
{
    fputs("scenario,policy,replication,seed,class", f);
    for (int m = 0; m < SIM_M__COUNT; m++) fprintf(f, ",%s", sim_metric_name((sim_metric_id)m));
    fputc('\n', f);
}

void sim_summary_classes_write(FILE *f, const sim_scenario *sc, const sim_results *r, const sim_class_results *cr)
{
    if (!cr || !cr->m) return;
    sim_csv c;
    sim_csv_begin(&c, f);
    for (int i = 0; i < r->npolicies; i++)
        for (int k = 0; k < r->reps; k++)
            for (int cl = 0; cl < cr->nclasses; cl++) {
                sim_csv_str(&c, sc->name);
                sim_csv_str(&c, sc->policies[r->policy[i]].name);
                sim_csv_int(&c, k);
                sim_csv_num(&c, (double)sc->seed);
                sim_csv_str(&c, sc->workload.classes[cl].name);
                const double *m = cr->m[((size_t)i * (size_t)r->reps + (size_t)k) * (size_t)cr->nclasses + (size_t)cl].m;
                for (int j = 0; j < SIM_M__COUNT; j++) sim_csv_num(&c, m[j]);
                sim_csv_end(&c);
            }
}

void sim_summary_classes_ci_header(FILE *f)
{
    fputs("scenario,policy,class,metric,n,mean,sd,ci95_low,ci95_high\n", f);
}

void sim_summary_classes_ci_write(FILE *f, const sim_scenario *sc, const sim_results *r, const sim_class_results *cr)
{
    double *col = cr && cr->m ? malloc((size_t)r->reps * sizeof *col) : NULL;
    if (!col) return;
    sim_csv c;
    sim_csv_begin(&c, f);
    for (int i = 0; i < r->npolicies; i++)
        for (int cl = 0; cl < cr->nclasses; cl++)
            for (int j = 0; j < SIM_M__COUNT; j++) {
                sim_results_class_column(r, cr, i, cl, (sim_metric_id)j, col);
                size_t n;
                double mean, sd, lo, hi;
                sim_ci95(col, (size_t)r->reps, &n, &mean, &sd, &lo, &hi);
                sim_csv_str(&c, sc->name);
                sim_csv_str(&c, sc->policies[r->policy[i]].name);
                sim_csv_str(&c, sc->workload.classes[cl].name);
                sim_csv_str(&c, sim_metric_name((sim_metric_id)j));
                sim_csv_int(&c, (long long)n);
                sim_csv_num(&c, mean);
                sim_csv_num(&c, sd);
                sim_csv_num(&c, lo);
                sim_csv_num(&c, hi);
                sim_csv_end(&c);
            }
    free(col);
}

static void cell(FILE *f, const sim_results *r, int i, sim_metric_id m, const char *fmt, double scale, double *col)
{
    sim_results_column(r, i, m, col);
    size_t k;
    double mean, sd, lo, hi;
    sim_ci95(col, (size_t)r->reps, &k, &mean, &sd, &lo, &hi);
    char buf[80];
    if (!isfinite(mean)) snprintf(buf, sizeof buf, "-");
    else if (isfinite(hi)) {
        char a[32], b[32];
        snprintf(a, sizeof a, fmt, mean * scale);
        snprintf(b, sizeof b, fmt, (hi - mean) * scale);
        snprintf(buf, sizeof buf, "%s±%s", a, b);
    } else snprintf(buf, sizeof buf, fmt, mean * scale);
    fprintf(f, " %14s", buf);
}

void sim_summary_table(FILE *f, const sim_scenario *sc, const sim_results *r)
{
    fprintf(f, "%s: %d replication%s, mean ± 95%% CI half-width\n", sc->name, r->reps, r->reps == 1 ? "" : "s");
    fprintf(f, "%-24s %14s %14s %14s %14s %14s %14s %14s %14s %14s\n", "policy", "success %", "SLO success %",
            "amplification", "p50 latency s", "p99 latency s", "peak load/cap", "give-ups", "unfinished", "cost $");
    double *col = malloc((size_t)r->reps * sizeof *col);
    if (!col) return;
    for (int i = 0; i < r->npolicies; i++) {
        fprintf(f, "%-24.24s", sc->policies[r->policy[i]].name);
        cell(f, r, i, SIM_M_SUCCESS_RATE, "%.2f", 100, col);
        cell(f, r, i, SIM_M_SLO_SUCCESS_RATE, "%.2f", 100, col);
        cell(f, r, i, SIM_M_AMPLIFICATION, "%.3f", 1, col);
        cell(f, r, i, SIM_M_LAT_P50, "%.3f", 1, col);
        cell(f, r, i, SIM_M_LAT_P99, "%.3f", 1, col);
        cell(f, r, i, SIM_M_PEAK_LOAD_RATIO, "%.2f", 1, col);
        cell(f, r, i, SIM_M_GIVE_UPS, "%.0f", 1, col);
        cell(f, r, i, SIM_M_UNFINISHED, "%.0f", 1, col);
        cell(f, r, i, SIM_M_COST, "%.2f", 1, col);
        fputc('\n', f);
    }
    free(col);
}
