/* cmd_delays.c — `retrysim delays POLICY... [--attempts N] [--draws N]
 * [--seed S] [--csv]` (options: table.c): loads every policy (preset or
 * inline spec) first, then samples each one (bench/delays.h) and prints its
 * rows as a table or CSV; without a policy, lists the presets.
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
    for (int i = 0; i < npol; i++)
        if ((int)strlen(a->pos.v[i]) > width) width = (int)strlen(a->pos.v[i]);
    pol_retry_cfg *cfgs = calloc((size_t)npol, sizeof *cfgs);
    if (!cfgs) return 2;
    char err[1024];
    for (int i = 0; i < npol && rc == 0; i++)
        if (bench_delays_policy(a->pos.v[i], &cfgs[i], err, sizeof err)) {
            fprintf(stderr, "%s: %s\n", a->who, err);
            rc = 2;
        }
    bench_delays_opts so = { o->attempts, o->draws, (unsigned long)o->seed };
    if (rc == 0) {
        if (o->csv) printf("policy,retry,draws,min_s,mean_s,p50_s,p99_s,max_s,cum_mean_s\n");
        else printf("%-*s %5s %10s %10s %10s %10s %10s %10s\n", width, "policy", "retry", "min_s", "mean_s", "p50_s",
                    "p99_s", "max_s", "cum_mean_s");
    }
    for (int i = 0; i < npol && rc == 0; i++) {
        const char *name = a->pos.v[i];
        int retries = bench_delays_retries(&so, &cfgs[i]);
        if (retries < 1) {
            fprintf(stderr, "%s: %s makes a single attempt, no retries\n", a->who, name);
            continue;
        }
        bench_delay_row *rows = calloc((size_t)retries, sizeof *rows);
        if (!rows || bench_delays_sample(&so, &cfgs[i], retries, rows)) {
            fprintf(stderr, "%s: out of memory for %s\n", a->who, name);
            rc = 2;
        } else {
            for (int k = 0; k < retries; k++) print_row(stdout, o, width, name, k + 1, &rows[k]);
        }
        free(rows);
    }
    free(cfgs);
    return rc;
}
