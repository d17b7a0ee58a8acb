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

/* The message of a failure, into the caller's buffer (set by bench_delays_load). */
static char  *g_err;
static size_t g_errcap;
static int fail(const char *fmt, const char *arg)
{
    if (g_err) snprintf(g_err, g_errcap, fmt, arg);
    return -1;
}

/* ---- inline specs ------------------------------------------------------- */

/* [PRESET | KIND[:key=value,...]][;on=...]...[;count=MODE] -> cfg: the
 * library's parser (pol_retry_spec_parse), the one the Python package uses. */
static int parse_spec(const char *spec, pol_retry_cfg *c)
{
    return pol_retry_spec_parse(spec, c, g_err, g_errcap) == POL_OK ? 0 : -1;
}

/* FILE.yaml[:NAME]: the file's policy NAME (or every policy) appended to *out. */
static int is_scenario_arg(const char *arg)
{
    const char *y = strstr(arg, ".yaml");
    if (!y) y = strstr(arg, ".yml");
    if (!y) return 0;
    const char *end = y + (y[3] == 'm' ? 5 : 4);
    return *end == '\0' || *end == ':';
}

static int load_scenario_policies(const char *arg, bench_delays_pol **out, int *n, int *cap)
{
    char path[SIM_PATH_MAX];
    const char *colon = strstr(arg, ".yaml:") ? strstr(arg, ".yaml:") + 5 : strstr(arg, ".yml:") ? strstr(arg, ".yml:") + 4 : NULL;
    size_t plen = colon ? (size_t)(colon - arg) : strlen(arg);
    if (plen >= sizeof path) return fail("path too long: '%s'", arg);
    memcpy(path, arg, plen);
    path[plen] = '\0';
    sim_scenario sc;
    sim_err err;
    if (sim_scenario_load(path, NULL, 0, &sc, &err) != POL_OK) {
        fail("%s", err.msg);
        return -2;                           /* located: file:line:col: ... */
    }
    int found = 0, rc = 0;
    for (int i = 0; i < sc.npolicies && rc == 0; i++) {
        const sim_policy *p = &sc.policies[i];
        if (colon && strcmp(colon + 1, p->name)) continue;
        found = 1;
        if (*n == *cap) {
            int nc = *cap ? 2 * *cap : 8;
            bench_delays_pol *np = realloc(*out, (size_t)nc * sizeof *np);
            if (!np) { rc = fail("%s", "out of memory"); break; }
            *out = np;
            *cap = nc;
        }
        bench_delays_pol *d = &(*out)[(*n)++];
        snprintf(d->name, sizeof d->name, "%s:%s", path, p->name);
        d->n = p->nlayers > 1 ? p->nlayers : 1;
        d->layer[0] = p->retry;
        for (int k = 1; k < d->n; k++) d->layer[k] = p->inner[k - 1];
    }
    if (rc == 0 && !found) {
        if (g_err) snprintf(g_err, g_errcap, "%s has no policy '%s'", path, colon ? colon + 1 : "");
        rc = -1;
    }
    sim_scenario_free(&sc);
    return rc;
}

/* --kind K[,K...]: statuses (400..599) or non-HTTP kind names. */
int bench_delays_kinds(const char *val, bench_delays_opts *o, char *err, size_t errcap)
{
    char buf[256];
    g_err = err;
    g_errcap = errcap;
    if (!val) return fail("%s", "--kind needs a value");
    if (strlen(val) >= sizeof buf) return fail("--kind too long: '%s'", val);
    strcpy(buf, val);
    o->nkinds = 0;
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (o->nkinds == BENCH_DELAYS_MAX_KINDS) return fail("--kind: at most %s outcomes", "16");
        long long st;
        pol_outcome out;
        int k = -1;
        for (int i = POL_OUT_TIMEOUT; i < POL_OUT__COUNT; i++)
            if (!strcmp(t, pol_outcome_kind_name((pol_outcome_kind)i))) k = i;
        if (k >= 0) out = pol_outcome_make((pol_outcome_kind)k, k == POL_OUT_CONTEXT_WINDOW || k == POL_OUT_CONTENT_POLICY ? 400
                                                               : k >= POL_OUT_STREAM_CUT ? 200 : 0);
        else if (sim_parse_int(t, &st) == POL_OK && st >= 400 && st <= 599) out = pol_outcome_make(POL_OUT_HTTP, (int)st);
        else return fail("--kind: '%s' is not a status 400..599 or timeout, refused, reset, context-window, content-policy, "
                         "stream-cut, stream-error, stream-timeout", t);
        o->kinds[o->nkinds++] = out;
    }
    return o->nkinds ? 0 : fail("%s", "--kind needs at least one outcome");
}

int bench_delays_load(const char *arg, bench_delays_pol **list, int *n, int *cap, char *err, size_t errcap)
{
    g_err = err;
    g_errcap = errcap;
    if (is_scenario_arg(arg)) return load_scenario_policies(arg, list, n, cap);
    if (*n == *cap) {
        int nc = *cap ? 2 * *cap : 8;
        bench_delays_pol *nl = realloc(*list, (size_t)nc * sizeof *nl);
        if (!nl) return fail("%s", "out of memory");
        *list = nl;
        *cap = nc;
    }
    bench_delays_pol *d = &(*list)[*n];
    snprintf(d->name, sizeof d->name, "%s", arg);
    d->n = 1;
    if (parse_spec(arg, &d->layer[0])) return -1;
    (*n)++;
    return 0;
}

int bench_delays_retries(const bench_delays_opts *o, const bench_delays_pol *p)
{
    const pol_retry_cfg *c = &p->layer[0];
    long long attempts = o->attempts ? o->attempts
                       : o->nkinds ? BENCH_DELAYS_MAX_ATTEMPTS
                       : c->max_attempts ? c->max_attempts : BENCH_DELAYS_UNLIMITED;
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

/* The sleeps before retries 1..retries of one simulated request, into
 * x[k * n + d]: the outermost layer's own schedule (no --kind), or the
 * verdicts of every layer for the --kind outcomes; returns the retries made. */
static int one_request(const bench_delays_opts *o, const bench_delays_pol *p, const pol_layers_cfg *lc, gsl_rng *r,
                       int retries, double *x, double *cum, size_t n, size_t d)
{
    double total = 0;
    int k = 0;
    if (o->nkinds == 0) {
        pol_backoff_state st;
        pol_backoff_reset(&st);
        for (; k < retries; k++) {
            double s = (double)pol_backoff_next(&p->layer[0].backoff, &st, k + 1, r) / POL_NS_PER_S;
            total += s;
            x[(size_t)k * n + d] = s;
            cum[(size_t)k * n + d] = total;
        }
        return k;
    }
    pol_retry_state ls[SIM_MAX_LAYERS];
    pol_layers_begin(lc, ls, 0);
    for (; k < retries; k++) {
        pol_verdict v;
        const pol_outcome *out = &o->kinds[k < o->nkinds ? k : o->nkinds - 1];
        pol_layers_next(lc, ls, lc->n - 1, out, 0, r, &v, NULL);
        if (v.action != POL_ACT_RETRY) break;
        double s = (double)v.delay / POL_NS_PER_S;
        total += s;
        x[(size_t)k * n + d] = s;
        cum[(size_t)k * n + d] = total;
    }
    return k;
}

int bench_delays_sample(const bench_delays_opts *o, const bench_delays_pol *p, int retries, bench_delay_row *rows,
                        int *made_out)
{
    *made_out = 0;
    if (retries < 1) return 0;
    /* kinds: every layer with its rules, no deadline, no timeouts (not part of this view) */
    pol_retry_cfg layers[SIM_MAX_LAYERS];
    pol_layers_cfg lc = { p->n, { 0 } };
    for (int k = 0; k < p->n; k++) {
        layers[k] = p->layer[k];
        layers[k].deadline = 0;
        layers[k].attempt_timeout = 0;
        lc.layer[k] = &layers[k];
    }
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
    int made = retries;
    for (size_t d = 0; d < n; d++) {
        int k = one_request(o, p, &lc, r, retries, x, cum, n, d);
        if (k < made) made = k;          /* the same for every draw: give-ups depend on counts only */
    }
    for (int k = 0; k < made; k++) rows[k] = summarize(x + (size_t)k * n, cum + (size_t)k * n, n);
    *made_out = made;
    gsl_rng_free(r);
    free(x);
    free(cum);
    return 0;
}
