/* ranking.c — ranking a sweep's point x policy rows by one metric
 * (ranking.h); ranking.csv and the printed table. */
#include "ranking.h"
#include "csvout.h"
#include "model.h"
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int g_minimize;   /* the direction of the sort in progress (qsort has no context) */

static int rank_cmp(const void *a, const void *b)
{
    const bench_rank_row *x = a, *y = b;
    int fx = isfinite(x->mean), fy = isfinite(y->mean);
    if (fx != fy) return fy - fx;                       /* undefined means last */
    if (fx && x->mean != y->mean) return (x->mean < y->mean) == g_minimize ? -1 : 1;
    if (x->point != y->point) return x->point < y->point ? -1 : 1;
    return x->slot < y->slot ? -1 : x->slot > y->slot;
}

int bench_rank_overlaps(const bench_rank_row *r, const bench_rank_row *best)
{
    if (!isfinite(r->lo) || !isfinite(best->lo)) return -1;
    return r->lo <= best->hi && r->hi >= best->lo;
}

bench_rank_row *bench_sweep_rank(const bench_sweep *s, sim_metric_id obj, int minimize, size_t *nrows)
{
    size_t n = 0;
    for (int p = 0; p < s->grid.npoints; p++) n += (size_t)s->res[p].npolicies;
    bench_rank_row *rows = calloc(n ? n : 1, sizeof *rows);
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
    g_minimize = minimize;
    qsort(rows, n, sizeof *rows, rank_cmp);
    *nrows = n;
    return rows;
}

static const char *policy_of(const bench_sweep *s, const bench_rank_row *r)
{
    return s->sc[r->point].policies[s->res[r->point].policy[r->slot]].name;
}

void bench_ranking_write(FILE *f, const bench_sweep *s, const bench_rank_row *rows, size_t n, sim_metric_id obj,
                         int minimize)
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
        const bench_rank_row *r = &rows[i];
        sim_csv_int(&c, (long long)i + 1);
        sim_csv_int(&c, r->point);
        for (int k = 0; k < s->grid.nkeys; k++) sim_csv_str(&c, s->grid.values[(size_t)r->point * (size_t)s->grid.nkeys + (size_t)k]);
        sim_csv_str(&c, policy_of(s, r));
        sim_csv_str(&c, sim_metric_name(obj));
        sim_csv_str(&c, minimize ? "min" : "max");
        sim_csv_int(&c, (long long)r->n);
        sim_csv_num(&c, r->mean);
        sim_csv_num(&c, r->lo);
        sim_csv_num(&c, r->hi);
        int o = bench_rank_overlaps(r, &rows[0]);
        sim_csv_num(&c, o < 0 ? NAN : o);
        sim_csv_end(&c);
    }
}

static int imax(int a, int b) { return a > b ? a : b; }

void bench_ranking_print(FILE *f, const bench_sweep *s, const bench_rank_row *rows, size_t n, sim_metric_id obj,
                         int minimize, size_t top)
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
            minimize ? "lower" : "higher");
    fprintf(f, "%4s %5s", "rank", "point");
    for (int k = 0; k < K; k++) fprintf(f, "  %-*s", w[k], s->grid.keys[k]);
    fprintf(f, "  %-*s %12s  %-27s\n", w[K], "policy", "mean", "95% CI");
    for (size_t i = 0; i < shown; i++) {
        const bench_rank_row *r = &rows[i];
        fprintf(f, "%4zu %5d", i + 1, r->point);
        for (int k = 0; k < K; k++) fprintf(f, "  %-*s", w[k], s->grid.values[(size_t)r->point * (size_t)K + (size_t)k]);
        char ci[64] = "-";
        if (isfinite(r->lo)) snprintf(ci, sizeof ci, "[%.6g, %.6g]", r->lo, r->hi);
        int o = bench_rank_overlaps(r, &rows[0]);
        fprintf(f, "  %-*s %12.6g  %-27s %s\n", w[K], policy_of(s, r), r->mean, ci, o > 0 ? "*" : "");
    }
    if (shown < n) fprintf(f, "(%zu more rows in ranking.csv)\n", n - shown);
    free(w);
}

int bench_objective_parse(const char *text, sim_metric_id *obj, int *minimize, char *err, size_t cap)
{
    char name[64];
    const char *colon = strchr(text, ':');
    size_t len = colon ? (size_t)(colon - text) : strlen(text);
    if (len >= sizeof name) len = sizeof name - 1;
    memcpy(name, text, len);
    name[len] = '\0';
    int id = sim_metric_lookup(name);
    if (id < 0) {
        snprintf(err, cap, "--objective: unknown metric '%s' (the metrics are listed in docs/metrics.md)", name);
        return -1;
    }
    *obj = (sim_metric_id)id;
    *minimize = sim_metric_lower_is_better(*obj);
    if (colon && !strcmp(colon + 1, "min")) *minimize = 1;
    else if (colon && !strcmp(colon + 1, "max")) *minimize = 0;
    else if (colon) {
        snprintf(err, cap, "--objective: expected METRIC, METRIC:min or METRIC:max, got '%s'", text);
        return -1;
    }
    return 0;
}
