/* cmd_delays.c — `retrysim delays`: samples the backoff delays a retry
 * policy sleeps before each retry and prints their distribution.
 *
 *   retrysim delays POLICY... [--attempts N] [--draws N] [--seed S] [--csv]
 *
 * POLICY is a preset name (pol_preset_list) or an inline spec
 * KIND:key=value,... (see USAGE). For each policy, each of --draws simulated
 * requests starts from a fresh pol_backoff_state and walks retries
 * n = 1..N-1, so the path-dependent (decorrelated) kinds follow their path.
 * Only the backoff is sampled: no server hints, no deadline.
 * Invariants: every policy re-seeds its own gsl_rng (taus2) with --seed, so
 * a policy's rows do not depend on the other policies listed, and the same
 * arguments give byte-identical output.
 * Cost: O(draws x retries) draws plus a sort per retry; memory
 * 2 x draws x retries doubles, bounded by the argument limits below.
 */
#include "cli.h"
#include "retrypol.h"
#include "units.h"
#include <csv.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DRAWS    10000000LL
#define MAX_ATTEMPTS 64
#define UNLIMITED_ATTEMPTS 6

static const char USAGE[] =
    "usage: retrysim delays POLICY... [--attempts N] [--draws N] [--seed S] [--csv]\n"
    "\n"
    "Samples the delay a retry policy sleeps before each retry n = 1..N-1 and prints\n"
    "min, mean, p50, p99, max (seconds) and the mean cumulative time slept up to that\n"
    "retry. Each draw is one simulated request with fresh backoff state.\n"
    "\n"
    "POLICY   a preset name (run `retrysim delays` without a policy to list them)\n"
    "         or an inline spec KIND:key=value,... with KIND constant|linear|exponential\n"
    "         and keys base cap floor step jitter_max (durations: 250ms, 1s, 2m),\n"
    "         mult factor (numbers), jitter (none full equal decorrelated\n"
    "         decorrelated-v2 proportional subtractive additive), attempts (integer),\n"
    "         e.g. exponential:base=1s,cap=60s,jitter=full,attempts=5\n"
    "--attempts N  total attempts, so N-1 retries (default: the policy's max_attempts,\n"
    "              or 6 when it is unlimited; at most 64)\n"
    "--draws N     simulated requests per policy (default 10000)\n"
    "--seed S      seed of the gsl_rng taus2 generator (default 1)\n"
    "--csv         CSV (policy,retry,draws,min_s,mean_s,p50_s,p99_s,max_s,cum_mean_s)\n";

typedef struct {
    long long attempts;   /* 0 = from the policy */
    long long draws;
    unsigned long seed;
    int csv;
    int width;            /* of the policy column in the table */
} delays_opts;

static int fail(const char *fmt, const char *arg)
{
    fprintf(stderr, "retrysim delays: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    return 2;
}

/* ---- inline specs ------------------------------------------------------- */

/* Applies one key=value of an inline spec. */
static int spec_key(pol_retry_cfg *c, const char *key, const char *val)
{
    pol_backoff_cfg *b = &c->backoff;
    long long n;
    if (!strcmp(key, "base"))       return sim_parse_duration(val, &b->base);
    if (!strcmp(key, "cap"))        return sim_parse_duration(val, &b->cap);
    if (!strcmp(key, "floor"))      return sim_parse_duration(val, &b->floor);
    if (!strcmp(key, "step"))       return sim_parse_duration(val, &b->step);
    if (!strcmp(key, "jitter_max")) return sim_parse_duration(val, &b->jitter_max);
    if (!strcmp(key, "mult"))       return sim_parse_double(val, &b->multiplier);
    if (!strcmp(key, "factor"))     return sim_parse_double(val, &b->jitter_factor);
    if (!strcmp(key, "jitter"))     return pol_jitter_parse(val, &b->jitter) ? POL_EPARSE : POL_OK;
    if (!strcmp(key, "attempts")) {
        int rc = sim_parse_int(val, &n);
        if (rc == POL_OK && (n < 0 || n > 1000000)) rc = POL_ERANGE;
        if (rc == POL_OK) c->max_attempts = (int)n;
        return rc;
    }
    return POL_ENOTFOUND;
}

/* KIND[:key=value,...] -> cfg; step defaults to base unless given. */
static int parse_spec(const char *spec, pol_retry_cfg *c)
{
    char buf[512];
    if (strlen(spec) >= sizeof buf) return fail("policy spec too long: '%s'", spec);
    strcpy(buf, spec);
    char *rest = strchr(buf, ':');
    if (rest) *rest++ = '\0';
    pol_retry_default(c);
    c->backoff.step = -1;
    if (pol_backoff_kind_parse(buf, &c->backoff.kind) != POL_OK)
        return fail("unknown policy '%s' (not a preset; an inline spec starts with "
                    "constant:, linear: or exponential:)", spec);
    for (char *tok = rest ? strtok(rest, ",") : NULL; tok; tok = strtok(NULL, ",")) {
        char *eq = strchr(tok, '=');
        if (!eq) return fail("inline spec item '%s' is not key=value", tok);
        *eq = '\0';
        int rc = spec_key(c, tok, eq + 1);
        if (rc == POL_ENOTFOUND) return fail("unknown key '%s' in inline spec", tok);
        if (rc != POL_OK) {
            fprintf(stderr, "retrysim delays: bad value '%s' for %s: %s\n", eq + 1, tok,
                    pol_strerror(rc));
            return 2;
        }
    }
    if (c->backoff.step < 0) c->backoff.step = c->backoff.base;
    if (pol_retry_validate(c) != POL_OK)
        return fail("inline spec '%s' is out of range (see docs/policies.md)", spec);
    return 0;
}

static int load_policy(const char *arg, pol_retry_cfg *c)
{
    if (pol_preset_get(arg, c) == POL_OK) return 0;
    return parse_spec(arg, c);
}

/* ---- sampling and output ------------------------------------------------ */

typedef struct { double min, mean, p50, p99, max, cum_mean; } row_stats;

static row_stats summarize(double *x, double *cum, size_t n)
{
    row_stats s;
    gsl_sort(x, 1, n);
    s.min = x[0];
    s.max = x[n - 1];
    s.mean = gsl_stats_mean(x, 1, n);
    s.p50 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.50);
    s.p99 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.99);
    s.cum_mean = gsl_stats_mean(cum, 1, n);
    return s;
}

/* Writes a CSV field, quoted by libcsv only when it has to be. */
static void csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n")) csv_fwrite(f, s, strlen(s));
    else fputs(s, f);
}

static void print_row(FILE *f, const delays_opts *o, const char *name, int retry,
                      const row_stats *s)
{
    if (o->csv) {
        csv_field(f, name);
        fprintf(f, ",%d,%lld,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f\n", retry, o->draws, s->min,
                s->mean, s->p50, s->p99, s->max, s->cum_mean);
    } else {
        fprintf(f, "%-*s %5d %10.4f %10.4f %10.4f %10.4f %10.4f %10.4f\n", o->width, name, retry,
                s->min, s->mean, s->p50, s->p99, s->max, s->cum_mean);
    }
}

static int run_policy(const delays_opts *o, const char *name, const pol_retry_cfg *c,
                      gsl_rng *r)
{
    long long attempts = o->attempts ? o->attempts
                       : c->max_attempts ? c->max_attempts : UNLIMITED_ATTEMPTS;
    if (attempts > MAX_ATTEMPTS) attempts = MAX_ATTEMPTS;
    int retries = (int)attempts - 1;
    if (retries < 1) {
        fprintf(stderr, "retrysim delays: %s makes a single attempt, no retries\n", name);
        return 0;
    }
    size_t n = (size_t)o->draws;
    double *x = malloc(sizeof *x * n * (size_t)retries);
    double *cum = malloc(sizeof *cum * n * (size_t)retries);
    if (!x || !cum) {
        free(x);
        free(cum);
        return fail("out of memory for %s", name);
    }
    gsl_rng_set(r, o->seed);
    for (size_t d = 0; d < n; d++) {
        pol_backoff_state st;
        pol_backoff_reset(&st);
        double total = 0;
        for (int k = 0; k < retries; k++) {
            double s = (double)pol_backoff_next(&c->backoff, &st, k + 1, r) / POL_NS_PER_S;
            total += s;
            x[(size_t)k * n + d] = s;
            cum[(size_t)k * n + d] = total;
        }
    }
    for (int k = 0; k < retries; k++) {
        row_stats s = summarize(x + (size_t)k * n, cum + (size_t)k * n, n);
        print_row(stdout, o, name, k + 1, &s);
    }
    free(x);
    free(cum);
    return 0;
}

static void list_presets(void)
{
    size_t n;
    const pol_preset_info *p = pol_preset_list(&n);
    printf("presets (retrysim delays PRESET...):\n");
    for (size_t i = 0; i < n; i++) printf("  %-32s %s\n", p[i].name, p[i].summary);
}

static int parse_count(const char *flag, const char *val, long long lo, long long hi,
                       long long *out)
{
    if (!val) return fail("%s needs a value", flag);
    if (sim_parse_int(val, out) != POL_OK || *out < lo || *out > hi) {
        fprintf(stderr, "retrysim delays: %s wants an integer in [%lld, %lld], got '%s'\n",
                flag, lo, hi, val);
        return 2;
    }
    return 0;
}

int cmd_delays(int argc, char **argv)
{
    delays_opts o = { 0, 10000, 1, 0, 6 };
    long long v;
    int npol = 0, rc;
    if (cli_wants_help(argc, argv)) {
        fputs(USAGE, stdout);
        return 0;
    }
    char **pols = calloc((size_t)argc, sizeof *pols);
    if (!pols) return 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--csv")) { o.csv = 1; continue; }
        if (!strcmp(a, "--attempts") || !strcmp(a, "--draws") || !strcmp(a, "--seed")) {
            long long lo = !strcmp(a, "--attempts") ? 2 : !strcmp(a, "--draws") ? 1 : 0;
            long long hi = !strcmp(a, "--draws") ? MAX_DRAWS
                         : !strcmp(a, "--seed") ? 4294967295LL : MAX_ATTEMPTS;
            if ((rc = parse_count(a, val, lo, hi, &v)) != 0) { free(pols); return rc; }
            if (a[2] == 'a') o.attempts = v;
            else if (a[2] == 'd') o.draws = v;
            else o.seed = (unsigned long)v;
            i++;
            continue;
        }
        if (a[0] == '-' && a[1] == '-') { free(pols); return fail("unknown option '%s'", a); }
        pols[npol++] = argv[i];
        if ((int)strlen(a) > o.width) o.width = (int)strlen(a);
    }
    if (npol == 0) {
        free(pols);
        list_presets();
        return 0;
    }
    pol_retry_cfg *cfgs = calloc((size_t)npol, sizeof *cfgs);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    rc = cfgs && r ? 0 : 2;
    for (int i = 0; i < npol && rc == 0; i++) rc = load_policy(pols[i], &cfgs[i]);
    if (rc == 0) {
        if (o.csv) printf("policy,retry,draws,min_s,mean_s,p50_s,p99_s,max_s,cum_mean_s\n");
        else printf("%-*s %5s %10s %10s %10s %10s %10s %10s\n", o.width, "policy", "retry", "min_s",
                    "mean_s", "p50_s", "p99_s", "max_s", "cum_mean_s");
        for (int i = 0; i < npol && rc == 0; i++) rc = run_policy(&o, pols[i], &cfgs[i], r);
    }
    gsl_rng_free(r);
    free(cfgs);
    free(pols);
    return rc;
}
