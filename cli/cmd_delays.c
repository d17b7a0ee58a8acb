/* cmd_delays.c — `retrysim delays POLICY... [--kind K[,K...]] [--attempts N]
 * [--draws N] [--seed S] [--csv]` (options: table.c): loads every policy
 * (preset, inline spec, or FILE.yaml[:NAME]) first, then samples each one
 * (bench/delays.h) and prints its rows as a table or CSV; without a policy,
 * lists the presets.
 */
#include "cli.h"
#include "delays.h"
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes a CSV field, quoted by libcsv only when it has to be. */
static void csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n")) csv_fwrite(f, s, strlen(s));
    else fputs(s, f);
}

static void print_row(FILE *f, const cli_delays_opts *o, int width, const char *name, int retry,
                      const bench_delay_row *s)
{
    if (o->csv) {
        csv_field(f, name);
        fprintf(f, ",%d,%lld,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f\n", retry, o->draws, s->min, s->mean, s->p50, s->p99,
                s->max, s->cum_mean);
    } else {
        fprintf(f, "%-*s %5d %10.4f %10.4f %10.4f %10.4f %10.4f %10.4f\n", width, name, retry, s->min, s->mean,
                s->p50, s->p99, s->max, s->cum_mean);
    }
}

static void list_presets(void)
{
    size_t n;
    const pol_preset_info *p = pol_preset_list(&n);
    printf("presets (retrysim delays PRESET...):\n");
    for (size_t i = 0; i < n; i++) printf("  %-32s %s\n", p[i].name, p[i].summary);
}

int cmd_delays(void *opts, const cli_args *a)
{
    const cli_delays_opts *o = opts;
    int npol = a->pos.n, width = 6, rc = 0;
    if (npol <= 0) {
        list_presets();
        return 0;
    }
    char err[1024];
    bench_delays_opts so = { .attempts = o->attempts, .draws = o->draws, .seed = (unsigned long)o->seed };
    if (o->kind && bench_delays_kinds(o->kind, &so, err, sizeof err)) {
        fprintf(stderr, "%s: %s\n", a->who, err);
        return 2;
    }
    bench_delays_pol *list = NULL;
    int n = 0, cap = 0;
    for (int i = 0; i < npol && rc == 0; i++) {
        int r = bench_delays_load(a->pos.v[i], &list, &n, &cap, err, sizeof err);
        if (r == -2) fprintf(stderr, "%s\n", err);          /* it names its file:line:col */
        else if (r) fprintf(stderr, "%s: %s\n", a->who, err);
        if (r) rc = 2;
    }
    for (int i = 0; i < n; i++)
        if ((int)strlen(list[i].name) > width) width = (int)strlen(list[i].name);
    if (rc == 0) {
        if (o->csv) printf("policy,retry,draws,min_s,mean_s,p50_s,p99_s,max_s,cum_mean_s\n");
        else printf("%-*s %5s %10s %10s %10s %10s %10s %10s\n", width, "policy", "retry", "min_s", "mean_s", "p50_s",
                    "p99_s", "max_s", "cum_mean_s");
    }
    for (int i = 0; i < n && rc == 0; i++) {
        const char *name = list[i].name;
        int retries = bench_delays_retries(&so, &list[i]), made = 0;
        bench_delay_row *rows = retries > 0 ? calloc((size_t)retries, sizeof *rows) : NULL;
        if (retries > 0 && (!rows || bench_delays_sample(&so, &list[i], retries, rows, &made))) {
            fprintf(stderr, "%s: out of memory for %s\n", a->who, name);
            rc = 2;
        } else if (made < 1) {
            fprintf(stderr, "%s: %s makes a single attempt, no retries%s\n", a->who, name,
                    so.nkinds ? " for these outcomes" : "");
        } else {
            for (int k = 0; k < made; k++) print_row(stdout, o, width, name, k + 1, &rows[k]);
        }
        free(rows);
    }
    free(list);
    return rc;
}
