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

/* Applies one key=value of an inline spec to a backoff and a max_attempts;
 * *which gets POL_RULE_BACKOFF or POL_RULE_MAX_ATTEMPTS for the field set. */
static int spec_key(pol_backoff_cfg *b, int *max_attempts, const char *key, const char *val, unsigned *which)
{
    long long n;
    *which = POL_RULE_BACKOFF;
    if (!strcmp(key, "base"))       return sim_parse_duration(val, &b->base);
    if (!strcmp(key, "cap"))        return sim_parse_duration(val, &b->cap);
    if (!strcmp(key, "floor"))      return sim_parse_duration(val, &b->floor);
    if (!strcmp(key, "step"))       return sim_parse_duration(val, &b->step);
    if (!strcmp(key, "jitter_max")) return sim_parse_duration(val, &b->jitter_max);
    if (!strcmp(key, "mult"))       return sim_parse_double(val, &b->multiplier);
    if (!strcmp(key, "factor"))     return sim_parse_double(val, &b->jitter_factor);
    if (!strcmp(key, "jitter"))     return pol_jitter_parse(val, &b->jitter) ? POL_EPARSE : POL_OK;
    if (!strcmp(key, "attempts")) {
        *which = POL_RULE_MAX_ATTEMPTS;
        int rc = sim_parse_int(val, &n);
        if (rc == POL_OK && (n < 0 || n > 1000000)) rc = POL_ERANGE;
        if (rc == POL_OK) *max_attempts = (int)n;
        return rc;
    }
    return POL_ENOTFOUND;
}

/* key=value,... (list, modified in place) onto b / max_attempts; rule:
 * also backoff=KIND; step follows base unless given. */
static int spec_keys(char *list, pol_backoff_cfg *b, int *max_attempts, int rule, unsigned *set)
{
    int step_given = 0;
    char *save = NULL;
    for (char *tok = list ? strtok_r(list, ",", &save) : NULL; tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq) return fail("inline spec item '%s' is not key=value", tok);
        *eq = '\0';
        unsigned which = 0;
        int rc;
        if (rule && !strcmp(tok, "backoff")) {
            which = POL_RULE_BACKOFF;
            rc = pol_backoff_kind_parse(eq + 1, &b->kind) ? POL_EPARSE : POL_OK;
        } else {
            rc = spec_key(b, max_attempts, tok, eq + 1, &which);
        }
        if (rc == POL_ENOTFOUND) return fail("unknown key '%s' in inline spec", tok);
        if (rc != POL_OK) {
            if (g_err) snprintf(g_err, g_errcap, "bad value '%s' for %s: %s", eq + 1, tok, pol_strerror(rc));
            return -1;
        }
        step_given |= !strcmp(tok, "step");
        if (!strcmp(tok, "base") && !step_given) b->step = b->base;
        *set |= which;
    }
    return 0;
}

/* ;on=MATCH|MATCH...:key=value,... -> one more rule of c (defaults: c's). */
static int spec_rule(char *seg, pol_retry_cfg *c)
{
    pol_retry_rule r;
    pol_retry_rule_init(&r, c);
    char *keys = strchr(seg, ':');
    if (keys) *keys++ = '\0';
    char *save = NULL;
    for (char *it = strtok_r(seg, "|", &save); it; it = strtok_r(NULL, "|", &save))
        if (pol_retry_rule_match_parse(&r, it) != POL_OK)
            return fail("bad match '%s' in inline spec (a status 400..599 like 429, 4xx, 5xx, timeout, "
                        "refused, reset, context-window or content-policy)", it);
    pol_outcome probe;
    int any = r.kinds != 0;
    for (int st = 400; st <= 599 && !any; st++) any = (probe = pol_outcome_make(POL_OUT_HTTP, st), pol_retry_rule_matches(&r, &probe));
    if (!any) return fail("%s", "on= needs at least one MATCH before its ':'");
    if (spec_keys(keys, &r.backoff, &r.max_attempts, 1, &r.set)) return -1;
    if (pol_retry_add_rule(c, &r) < 0) return fail("at most %s rules in an inline spec", "8");
    return 0;
}

/* [PRESET | KIND[:key=value,...]][;on=...]...[;count=MODE] -> cfg. */
static int parse_spec(const char *spec, pol_retry_cfg *c)
{
    char buf[1024];
    if (strlen(spec) >= sizeof buf) return fail("policy spec too long: '%s'", spec);
    strcpy(buf, spec);
    char *segs = strchr(buf, ';');
    if (segs) *segs++ = '\0';
    if (pol_preset_get(buf, c) != POL_OK) {
        char *rest = strchr(buf, ':');
        if (rest) *rest++ = '\0';
        pol_retry_default(c);
        if (pol_backoff_kind_parse(buf, &c->backoff.kind) != POL_OK)
            return fail("unknown policy '%s' (not a preset; an inline spec starts with "
                        "constant:, linear: or exponential:; a scenario's policy is FILE.yaml:NAME)", spec);
        c->backoff.step = c->backoff.base;
        unsigned set = 0;
        if (spec_keys(rest, &c->backoff, &c->max_attempts, 0, &set)) return -1;
    }
    char *save = NULL;
    for (char *seg = segs ? strtok_r(segs, ";", &save) : NULL; seg; seg = strtok_r(NULL, ";", &save)) {
        if (!strncmp(seg, "count=", 6)) {
            if (pol_count_mode_parse(seg + 6, &c->count) != POL_OK)
                return fail("bad count '%s' in inline spec (shared, per-kind or first-kind)", seg + 6);
        } else if (!strncmp(seg, "on=", 3)) {
            if (spec_rule(seg + 3, c)) return -1;
        } else {
            return fail("inline spec segment '%s' is neither on=... nor count=...", seg);
        }
    }
    if (pol_retry_validate(c) != POL_OK)
        return fail("inline spec '%s' is out of range (see docs/policies.md)", spec);
    return 0;
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
        if (k >= 0) out = pol_outcome_make((pol_outcome_kind)k, k == POL_OUT_CONTEXT_WINDOW || k == POL_OUT_CONTENT_POLICY ? 400 : 0);
        else if (sim_parse_int(t, &st) == POL_OK && st >= 400 && st <= 599) out = pol_outcome_make(POL_OUT_HTTP, (int)st);
        else return fail("--kind: '%s' is not a status 400..599 or timeout, refused, reset, context-window, content-policy", t);
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
