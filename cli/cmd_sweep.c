/* cmd_sweep.c — `retrysim sweep SCENARIO --grid KEY=V1,V2 ...`: runs every
 * grid point x policy x replication with a pool of worker processes (see
 * sweep.h) and writes sweep.csv, sweep-ci.csv and ranking.csv into --out,
 * atomically, then prints the ranking by the objective. An interrupted sweep
 * (SIGINT/SIGTERM) or one whose worker died writes the finished runs to
 * sweep.partial.csv instead; --resume completes it, and the final files are
 * the same bytes as an uninterrupted sweep's. docs/cli.md is the reference.
 */
#include "cli.h"
#include "model.h"
#include "outfile.h"
#include "sweep.h"
#include "units.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char USAGE[] =
    "usage: retrysim sweep SCENARIO [--grid KEY=V1,V2,...]... [--grid-file FILE.csv]\n"
    "                      [--jobs N] [--out DIR] [--objective METRIC[:min|max]]\n"
    "                      [--replications N] [--seed N] [--policy NAME]... [--resume]\n"
    "                      [--top N] [--quiet] [--mpi]\n"
    "  --grid KEY=V1,V2   an axis: a scenario override path and its values (repeatable;\n"
    "                     points = the cross product, the first axis varies slowest)\n"
    "  --grid-file FILE   points from a CSV file: a header of keys, one point per row\n"
    "  --jobs N           worker processes (default: the number of online CPUs)\n"
    "  --out DIR          where the CSVs go (default: results)\n"
    "  --objective M[:D]  the metric ranked and its direction (default success_rate:max;\n"
    "                     without :min/:max, the metric's better direction)\n"
    "  --replications N   override the scenario's replications at every point\n"
    "  --seed N           override the scenario's seed at every point\n"
    "  --policy NAME      run only this policy (repeatable)\n"
    "  --resume           complete the sweep recorded in DIR/sweep.partial.csv\n"
    "  --top N            print the N best rows of the ranking (default 20, 0 = all)\n"
    "  --quiet            print no ranking\n"
    "  --mpi              run under mpirun/srun: rank 0 coordinates and writes, the other\n"
    "                     ranks run the runs (docs/distributed.md); instead of --jobs\n"
    "Interrupt (Ctrl-C) writes DIR/sweep.partial.csv and exits 130; --resume goes on.\n";

#define MAX_SETS 64
#define PARTIAL  "sweep.partial.csv"

typedef struct { int point, slot; size_t n; double mean, lo, hi; } rank_row;
static int g_minimize;

static int rank_cmp(const void *a, const void *b)
{
    const rank_row *x = a, *y = b;
    int fx = isfinite(x->mean), fy = isfinite(y->mean);
    if (fx != fy) return fy - fx;                       /* undefined means last */
    if (fx && x->mean != y->mean) return (x->mean < y->mean) == g_minimize ? -1 : 1;
    if (x->point != y->point) return x->point < y->point ? -1 : 1;
    return x->slot < y->slot ? -1 : x->slot > y->slot;
}

/* 1 overlaps, 0 disjoint, -1 unknown (a CI needs 2 finite values). */
static int overlaps(const rank_row *r, const rank_row *best)
{
    if (!isfinite(r->lo) || !isfinite(best->lo)) return -1;
    return r->lo <= best->hi && r->hi >= best->lo;
}

static rank_row *rank(const bench_sweep *s, sim_metric_id obj, size_t *nrows)
{
    size_t n = 0;
    for (int p = 0; p < s->grid.npoints; p++) n += (size_t)s->res[p].npolicies;
    rank_row *rows = calloc(n ? n : 1, sizeof *rows);
    size_t maxreps = 1;
    for (int p = 0; p < s->grid.npoints; p++) if ((size_t)s->res[p].reps > maxreps) maxreps = (size_t)s->res[p].reps;
    double *col = malloc(maxreps * sizeof *col);
    if (!rows || !col) { free(rows); free(col); return NULL; }
    size_t k = 0;
    for (int p = 0; p < s->grid.npoints; p++)
        for (int i = 0; i < s->res[p].npolicies; i++, k++) {
            double sd;
            rows[k].point = p;
            rows[k].slot = i;
            sim_results_column(&s->res[p], i, obj, col);
            sim_ci95(col, (size_t)s->res[p].reps, &rows[k].n, &rows[k].mean, &sd, &rows[k].lo, &rows[k].hi);
        }
    free(col);
    qsort(rows, n, sizeof *rows, rank_cmp);
    *nrows = n;
    return rows;
}

static const char *policy_of(const bench_sweep *s, const rank_row *r)
{
    return s->sc[r->point].policies[s->res[r->point].policy[r->slot]].name;
}

static void write_ranking(FILE *f, const bench_sweep *s, const rank_row *rows, size_t n, sim_metric_id obj)
{
    sim_csv c;
    fputs("rank,point", f);
    for (int k = 0; k < s->grid.nkeys; k++) {    /* keys are arbitrary text: quoted */
        sim_csv_begin(&c, f);
        fputc(',', f);
        sim_csv_str(&c, s->grid.keys[k]);
    }
    fputs(",policy,metric,direction,n,mean,ci95_low,ci95_high,overlaps_best\n", f);
    sim_csv_begin(&c, f);
    for (size_t i = 0; i < n; i++) {
        const rank_row *r = &rows[i];
        sim_csv_int(&c, (long long)i + 1);
        sim_csv_int(&c, r->point);
        for (int k = 0; k < s->grid.nkeys; k++) sim_csv_str(&c, s->grid.values[(size_t)r->point * (size_t)s->grid.nkeys + (size_t)k]);
        sim_csv_str(&c, policy_of(s, r));
        sim_csv_str(&c, sim_metric_name(obj));
        sim_csv_str(&c, g_minimize ? "min" : "max");
        sim_csv_int(&c, (long long)r->n);
        sim_csv_num(&c, r->mean);
        sim_csv_num(&c, r->lo);
        sim_csv_num(&c, r->hi);
        int o = overlaps(r, &rows[0]);
        sim_csv_num(&c, o < 0 ? NAN : o);
        sim_csv_end(&c);
    }
}

static int imax(int a, int b) { return a > b ? a : b; }

static void print_ranking(FILE *f, const bench_sweep *s, const rank_row *rows, size_t n, sim_metric_id obj, size_t top)
{
    size_t shown = top && top < n ? top : n;
    int K = s->grid.nkeys;
    int *w = calloc((size_t)K + 1, sizeof *w);
    if (!w) return;
    for (int k = 0; k < K; k++) w[k] = (int)strlen(s->grid.keys[k]);
    w[K] = 6;
    for (size_t i = 0; i < shown; i++) {
        for (int k = 0; k < K; k++) w[k] = imax(w[k], (int)strlen(s->grid.values[(size_t)rows[i].point * (size_t)K + (size_t)k]));
        w[K] = imax(w[K], (int)strlen(policy_of(s, &rows[i])));
    }
    fprintf(f, "ranking by %s (%s is better): mean and 95%% CI; * = CI overlaps the best's\n", sim_metric_name(obj),
            g_minimize ? "lower" : "higher");
    fprintf(f, "%4s %5s", "rank", "point");
    for (int k = 0; k < K; k++) fprintf(f, "  %-*s", w[k], s->grid.keys[k]);
    fprintf(f, "  %-*s %12s  %-27s\n", w[K], "policy", "mean", "95% CI");
    for (size_t i = 0; i < shown; i++) {
        const rank_row *r = &rows[i];
        fprintf(f, "%4zu %5d", i + 1, r->point);
        for (int k = 0; k < K; k++) fprintf(f, "  %-*s", w[k], s->grid.values[(size_t)r->point * (size_t)K + (size_t)k]);
        char ci[64] = "-";
        if (isfinite(r->lo)) snprintf(ci, sizeof ci, "[%.6g, %.6g]", r->lo, r->hi);
        int o = overlaps(r, &rows[0]);
        fprintf(f, "  %-*s %12.6g  %-27s %s\n", w[K], policy_of(s, r), r->mean, ci, o > 0 ? "*" : "");
    }
    if (shown < n) fprintf(f, "(%zu more rows in ranking.csv)\n", n - shown);
    free(w);
}

/* Writes the finished runs to DIR/sweep.partial.csv; 0 or -1. */
static int write_partial(const bench_sweep *s, const char *out)
{
    sim_outfile fp;
    if (sim_out_open(&fp, out, PARTIAL)) return -1;
    bench_sweep_write_partial(fp.f, s);
    return sim_out_commit(&fp);
}

static int write_results(const bench_sweep *s, const char *out, sim_metric_id obj, size_t top, int quiet)
{
    size_t nrows = 0;
    rank_row *rows = rank(s, obj, &nrows);
    if (!rows) { fprintf(stderr, "retrysim sweep: out of memory\n"); return 2; }
    sim_outfile f[3];
    static const char *const names[3] = { "sweep.csv", "sweep-ci.csv", "ranking.csv" };
    int opened = 0, rc = 0;
    for (; opened < 3; opened++) if (sim_out_open(&f[opened], out, names[opened])) { rc = 2; break; }
    if (!rc) {
        int bad = bench_sweep_write_runs(f[0].f, s) || bench_sweep_write_ci(f[1].f, s);
        write_ranking(f[2].f, s, rows, nrows, obj);
        if (bad) fprintf(stderr, "retrysim sweep: out of memory while writing the results\n");
        for (int i = 0; i < 3; i++) {
            if (bad) sim_out_abort(&f[i]);
            else if (sim_out_commit(&f[i])) rc = 2;
        }
        if (bad) rc = 2;
    } else {
        for (int i = 0; i < opened; i++) sim_out_abort(&f[i]);
    }
    if (!rc) {
        char pp[1100];
        snprintf(pp, sizeof pp, "%s/%s", out, PARTIAL);
        if (unlink(pp) && errno != ENOENT) fprintf(stderr, "retrysim sweep: cannot remove %s: %s\n", pp, strerror(errno));
        if (!quiet) {
            print_ranking(stdout, s, rows, nrows, obj, top);
            printf("wrote %s/sweep.csv, %s/sweep-ci.csv, %s/ranking.csv\n", out, out, out);
        }
    }
    free(rows);
    return rc;
}

static int parse_objective(const char *text, sim_metric_id *obj, int *minimize)
{
    char name[64];
    const char *colon = strchr(text, ':');
    size_t len = colon ? (size_t)(colon - text) : strlen(text);
    if (len >= sizeof name) len = sizeof name - 1;
    memcpy(name, text, len);
    name[len] = '\0';
    int id = sim_metric_lookup(name);
    if (id < 0) {
        fprintf(stderr, "retrysim sweep: --objective: unknown metric '%s' (the metrics are listed in docs/metrics.md)\n", name);
        return -1;
    }
    *obj = (sim_metric_id)id;
    *minimize = sim_metric_lower_is_better(*obj);
    if (colon && !strcmp(colon + 1, "min")) *minimize = 1;
    else if (colon && !strcmp(colon + 1, "max")) *minimize = 0;
    else if (colon) {
        fprintf(stderr, "retrysim sweep: --objective: expected METRIC, METRIC:min or METRIC:max, got '%s'\n", text);
        return -1;
    }
    return 0;
}

static long long int_arg(const char *opt, const char *v, long long lo, long long hi)
{
    long long x;
    if (sim_parse_int(v, &x) || x < lo || x > hi) {
        fprintf(stderr, "retrysim sweep: %s needs an integer in %lld..%lld, got '%s'\n", opt, lo, hi, v);
        exit(2);
    }
    return x;
}

static int sweep_main(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) { fputs(USAGE, stdout); return 0; }
    const char *path = NULL, *out = "results", *objective = "success_rate:max", *grid_file = NULL;
    const char *axes[MAX_SETS], *pols[64], *sets[4];
    char repbuf[64], seedbuf[64];
    int naxes = 0, npol = 0, nsets = 0, resume = 0, quiet = 0, mpi = 0, jobs_given = 0;
    long jobs = sysconf(_SC_NPROCESSORS_ONLN);
    long long top = 20, max_runs = 0, crash_run = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--grid") && more) {
            if (naxes == MAX_SETS) cli_die_usage("sweep", "too many --grid\n");
            axes[naxes++] = argv[++i];
        } else if (!strcmp(a, "--grid-file") && more) grid_file = argv[++i];
        else if (!strcmp(a, "--jobs") && more) { jobs = (long)int_arg(a, argv[++i], 1, 1024); jobs_given = 1; }
        else if (!strcmp(a, "--mpi")) mpi = 1;
        else if (!strcmp(a, "--out") && more) out = argv[++i];
        else if (!strcmp(a, "--objective") && more) objective = argv[++i];
        else if (!strcmp(a, "--replications") && more) {
            snprintf(repbuf, sizeof repbuf, "replications=%lld", int_arg(a, argv[++i], 1, 100000));
            sets[nsets++] = repbuf;
        } else if (!strcmp(a, "--seed") && more) {
            snprintf(seedbuf, sizeof seedbuf, "seed=%lld", int_arg(a, argv[++i], 0, (long long)(~0ULL >> 1)));
            sets[nsets++] = seedbuf;
        } else if (!strcmp(a, "--policy") && more) {
            if (npol == 64) cli_die_usage("sweep", "too many --policy\n");
            pols[npol++] = argv[++i];
        } else if (!strcmp(a, "--top") && more) top = int_arg(a, argv[++i], 0, 1000000000);
        else if (!strcmp(a, "--max-runs") && more) max_runs = int_arg(a, argv[++i], 1, 1LL << 40);     /* test hook */
        else if (!strcmp(a, "--crash-run") && more) crash_run = int_arg(a, argv[++i], 0, 1LL << 40);   /* test hook */
        else if (!strcmp(a, "--resume")) resume = 1;
        else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) quiet = 1;
        else if (a[0] == '-') { fprintf(stderr, "retrysim sweep: unknown option or missing value '%s'\n%s", a, USAGE); return 2; }
        else if (!path) path = a;
        else { fprintf(stderr, "retrysim sweep: one scenario at a time ('%s')\n", a); return 2; }
    }
    if (!path) { fputs(USAGE, stderr); return 2; }
    if (mpi && jobs_given) { fprintf(stderr, "retrysim sweep: --jobs and --mpi cannot be combined (with --mpi, the ranks are the workers)\n"); return 2; }
    if (jobs < 1) jobs = 1;
    sim_metric_id obj;
    if (parse_objective(objective, &obj, &g_minimize)) return 2;

    bench_grid g;
    memset(&g, 0, sizeof g);
    sim_err err;
    int rc = 0;
    if (grid_file && naxes) { fprintf(stderr, "retrysim sweep: --grid and --grid-file cannot be combined\n"); return 2; }
    if (grid_file) rc = bench_grid_file(&g, grid_file, &err);
    for (int i = 0; i < naxes && !rc; i++) rc = bench_grid_axis(&g, axes[i], &err);
    bench_sweep s;
    if (!rc) rc = bench_sweep_plan(&s, path, &g, sets, nsets, npol ? pols : NULL, npol, &err);
    if (rc) {
        fprintf(stderr, "%s\n", err.msg);
        bench_grid_free(&g);
        return 2;
    }
    if (sim_mkdirs(out)) {
        fprintf(stderr, "retrysim sweep: cannot create output directory '%s': %s\n", out, strerror(errno));
        bench_sweep_free(&s);
        return 2;
    }
    char pp[1100];
    snprintf(pp, sizeof pp, "%s/%s", out, PARTIAL);
    if (resume && access(pp, F_OK) == 0) {
        if (bench_sweep_read_partial(&s, pp, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            bench_sweep_free(&s);
            return 2;
        }
        fprintf(stderr, "retrysim sweep: resuming: %zu of %zu runs done in %s\n", bench_sweep_ndone(&s), s.nruns, pp);
    } else if (resume) {
        fprintf(stderr, "retrysim sweep: no %s to resume; running the whole sweep\n", pp);
    } else if (access(pp, F_OK) == 0) {
        fprintf(stderr, "retrysim sweep: note: %s is left from an interrupted sweep; %s without --resume\n", pp,
                mpi ? "replaced" : "ignored");
    }

    bench_exec_opts o = { .jobs = (int)jobs, .progress = 1, .signals = 1, .max_runs = (size_t)max_runs,
                          .crash_run = (long)crash_run, .mpi = mpi, .journal = mpi ? pp : NULL };
    int st = bench_sweep_exec(&s, &o);
    if (st == BENCH_EXEC_DONE) {
        rc = write_results(&s, out, obj, (size_t)top, quiet);
    } else {
        size_t done = bench_sweep_ndone(&s);
        int wrote = write_partial(&s, out) == 0;
        if (st == BENCH_EXEC_STOPPED)
            fprintf(stderr, "retrysim sweep: interrupted after %zu of %zu runs%s%s%s\n", done, s.nruns,
                    wrote ? "; wrote " : "", wrote ? pp : "", wrote ? " (complete it with --resume)" : "");
        else
            fprintf(stderr, "retrysim sweep: stopped: %zu of %zu runs done%s%s\n", done, s.nruns,
                    wrote ? "; finished runs are in " : "", wrote ? pp : "");
        rc = st == BENCH_EXEC_STOPPED ? 130 : 2;
    }
    bench_sweep_free(&s);
    return rc;
}

int cmd_sweep(int argc, char **argv)
{
    return bench_mpi_main(argc, argv, sweep_main, "retrysim sweep");
}
