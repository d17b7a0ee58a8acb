/* delays.c — sampling the backoff delays of a retry policy (delays.h). */
#include "delays.h"
#include "units.h"
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
    return -1;
}

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
static int parse_spec(const char *spec, pol_retry_cfg *c, char *err, size_t cap)
{
    char buf[512];
    if (strlen(spec) >= sizeof buf) return fail(err, cap, "policy spec too long: '%s'", spec);
    strcpy(buf, spec);
    char *rest = strchr(buf, ':');
    if (rest) *rest++ = '\0';
    pol_retry_default(c);
    c->backoff.step = -1;
    if (pol_backoff_kind_parse(buf, &c->backoff.kind) != POL_OK)
        return fail(err, cap, "unknown policy '%s' (not a preset; an inline spec starts with "
                    "constant:, linear: or exponential:)", spec);
    char *save = NULL;
    for (char *tok = rest ? strtok_r(rest, ",", &save) : NULL; tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq) return fail(err, cap, "inline spec item '%s' is not key=value", tok);
        *eq = '\0';
        int rc = spec_key(c, tok, eq + 1);
        if (rc == POL_ENOTFOUND) return fail(err, cap, "unknown key '%s' in inline spec", tok);
        if (rc != POL_OK) return fail(err, cap, "bad value '%s' for %s: %s", eq + 1, tok, pol_strerror(rc));
    }
    if (c->backoff.step < 0) c->backoff.step = c->backoff.base;
    if (pol_retry_validate(c) != POL_OK)
        return fail(err, cap, "inline spec '%s' is out of range (see docs/policies.md)", spec);
    return 0;
}

int bench_delays_policy(const char *arg, pol_retry_cfg *c, char *err, size_t cap)
{
    if (pol_preset_get(arg, c) == POL_OK) return 0;
    return parse_spec(arg, c, err, cap);
}

int bench_delays_retries(const bench_delays_opts *o, const pol_retry_cfg *c)
{
    long long attempts = o->attempts ? o->attempts : c->max_attempts ? c->max_attempts : BENCH_DELAYS_UNLIMITED;
    if (attempts > BENCH_DELAYS_MAX_ATTEMPTS) attempts = BENCH_DELAYS_MAX_ATTEMPTS;
    return (int)attempts - 1;
}

static bench_delay_row summarize(double *x, double *cum, size_t n)
{
    bench_delay_row s;
    gsl_sort(x, 1, n);
    s.min = x[0];
    s.max = x[n - 1];
    s.mean = gsl_stats_mean(x, 1, n);
    s.p50 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.50);
    s.p99 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.99);
    s.cum_mean = gsl_stats_mean(cum, 1, n);
    return s;
}

int bench_delays_sample(const bench_delays_opts *o, const pol_retry_cfg *c, int retries, bench_delay_row *rows)
{
    size_t n = (size_t)o->draws;
    double *x = malloc(sizeof *x * n * (size_t)retries);
    double *cum = malloc(sizeof *cum * n * (size_t)retries);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    if (!x || !cum || !r) {
        free(x);
        free(cum);
        if (r) gsl_rng_free(r);
        return -1;
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
    for (int k = 0; k < retries; k++) rows[k] = summarize(x + (size_t)k * n, cum + (size_t)k * n, n);
    gsl_rng_free(r);
    free(x);
    free(cum);
    return 0;
}
