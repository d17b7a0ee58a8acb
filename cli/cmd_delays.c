/* cmd_delays.c — `retrysim delays`: samples the backoff delays a retry
 * policy sleeps before each retry and prints their distribution.
 *
 *   retrysim delays POLICY... [--kind K[,K...]] [--attempts N] [--draws N] [--seed S] [--csv]
 *
 * POLICY is a preset name (pol_preset_list), an inline spec
 * KIND:key=value,...[;on=MATCH|MATCH:key=value,...]...[;count=MODE] (see
 * USAGE), or FILE.yaml:NAME, a policy of a scenario file (FILE.yaml alone:
 * each of its policies). Without --kind, each of --draws simulated requests
 * starts from a fresh pol_backoff_state and walks the policy's own schedule
 * (its outermost layer's, without its per-kind rules) for retries
 * n = 1..N-1, so the path-dependent (decorrelated) kinds follow their path.
 * With --kind, every request's attempts end with those outcomes in turn
 * (the last one repeating) and the delays are the verdicts of
 * pol_layers_next: the per-kind rules, the counting mode and every nested
 * layer apply, and the rows stop where the policy gives up.
 * Hints and deadlines are not part of either view.
 * Invariants: every policy re-seeds its own gsl_rng (taus2) with --seed, so
 * a policy's rows do not depend on the other policies listed, and the same
 * arguments give byte-identical output.
 * Cost: O(draws x retries) draws plus a sort per retry; memory
 * 2 x draws x retries doubles, bounded by the argument limits below.
 */
#include "cli.h"
#include "retrypol.h"
#include "scenario.h"
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
    "usage: retrysim delays POLICY... [--kind K[,K...]] [--attempts N] [--draws N] [--seed S] [--csv]\n"
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
    "         e.g. exponential:base=1s,cap=60s,jitter=full,attempts=5; per-kind rules follow\n"
    "         as ;on=MATCH|MATCH...:key=value,... (MATCH 429, 5xx, timeout, refused, reset,\n"
    "         context-window, content-policy; the same keys, plus backoff=KIND) and\n"
    "         ;count=shared|per-kind|first-kind, e.g.\n"
    "         'exponential:base=1s,attempts=6;on=429:base=2s,attempts=5;on=5xx|529:jitter=none'\n"
    "         or FILE.yaml:NAME, the policy NAME of a scenario file (FILE.yaml: all of them)\n"
    "--kind K[,K...]  the outcomes each request's attempts end with, in turn, the last\n"
    "              repeating (a status like 429 or 503, or timeout, refused, reset, ...):\n"
    "              the delays then follow the per-kind rules and every nested retry\n"
    "              layer, and stop where the policy gives up (without --kind: the\n"
    "              policy's own schedule, its outermost layer without its rules)\n"
    "--attempts N  total attempts, so N-1 retries (default: the policy's max_attempts,\n"
    "              or 6 when it is unlimited; at most 64)\n"
    "--draws N     simulated requests per policy (default 10000)\n"
    "--seed S      seed of the gsl_rng taus2 generator (default 1)\n"
    "--csv         CSV (policy,retry,draws,min_s,mean_s,p50_s,p99_s,max_s,cum_mean_s)\n";

#define MAX_KINDS 16

typedef struct {
    long long attempts;   /* 0 = from the policy */
    long long draws;
    unsigned long seed;
    int csv;
    int width;            /* of the policy column in the table */
    pol_outcome kinds[MAX_KINDS];   /* --kind: the attempts' outcomes in turn */
    int nkinds;
} delays_opts;

/* One policy to sample: its retry layers (one unless from a scenario file). */
typedef struct {
    char name[SIM_PATH_MAX + SIM_NAME_MAX + 2];
    int  n;
    pol_retry_cfg layer[SIM_MAX_LAYERS];
} delays_policy;

static int fail(const char *fmt, const char *arg)
{
    fprintf(stderr, "retrysim delays: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    return 2;
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
            fprintf(stderr, "retrysim delays: bad value '%s' for %s: %s\n", eq + 1, tok, pol_strerror(rc));
            return 2;
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
    if (spec_keys(keys, &r.backoff, &r.max_attempts, 1, &r.set)) return 2;
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
        if (spec_keys(rest, &c->backoff, &c->max_attempts, 0, &set)) return 2;
    }
    char *save = NULL;
    for (char *seg = segs ? strtok_r(segs, ";", &save) : NULL; seg; seg = strtok_r(NULL, ";", &save)) {
        if (!strncmp(seg, "count=", 6)) {
            if (pol_count_mode_parse(seg + 6, &c->count) != POL_OK)
                return fail("bad count '%s' in inline spec (shared, per-kind or first-kind)", seg + 6);
        } else if (!strncmp(seg, "on=", 3)) {
            if (spec_rule(seg + 3, c)) return 2;
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

static int load_scenario_policies(const char *arg, delays_policy **out, int *n, int *cap)
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
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    int found = 0, rc = 0;
    for (int i = 0; i < sc.npolicies && rc == 0; i++) {
        const sim_policy *p = &sc.policies[i];
        if (colon && strcmp(colon + 1, p->name)) continue;
        found = 1;
        if (*n == *cap) {
            int nc = *cap ? 2 * *cap : 8;
            delays_policy *np = realloc(*out, (size_t)nc * sizeof *np);
            if (!np) { rc = fail("%s", "out of memory"); break; }
            *out = np;
            *cap = nc;
        }
        delays_policy *d = &(*out)[(*n)++];
        snprintf(d->name, sizeof d->name, "%s:%s", path, p->name);
        d->n = p->nlayers > 1 ? p->nlayers : 1;
        d->layer[0] = p->retry;
        for (int k = 1; k < d->n; k++) d->layer[k] = p->inner[k - 1];
    }
    if (rc == 0 && !found) {
        fprintf(stderr, "retrysim delays: %s has no policy '%s'\n", path, colon ? colon + 1 : "");
        rc = 2;
    }
    sim_scenario_free(&sc);
    return rc;
}

/* --kind K[,K...]: statuses (400..599) or non-HTTP kind names. */
static int parse_kinds(const char *val, delays_opts *o)
{
    char buf[256];
    if (!val) return fail("%s", "--kind needs a value");
    if (strlen(val) >= sizeof buf) return fail("--kind too long: '%s'", val);
    strcpy(buf, val);
    o->nkinds = 0;
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (o->nkinds == MAX_KINDS) return fail("--kind: at most %s outcomes", "16");
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

/* The sleeps before retries 1..retries of one simulated request, into
 * x[k * n + d]: the outermost layer's own schedule (no --kind), or the
 * verdicts of every layer for the --kind outcomes; returns the retries made. */
static int one_request(const delays_opts *o, const delays_policy *p, const pol_layers_cfg *lc, gsl_rng *r,
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

static int run_policy(const delays_opts *o, const delays_policy *p, gsl_rng *r)
{
    const char *name = p->name;
    const pol_retry_cfg *c = &p->layer[0];
    long long attempts = o->attempts ? o->attempts
                       : o->nkinds ? MAX_ATTEMPTS
                       : c->max_attempts ? c->max_attempts : UNLIMITED_ATTEMPTS;
    if (attempts > MAX_ATTEMPTS) attempts = MAX_ATTEMPTS;
    int retries = (int)attempts - 1;
    /* --kind: every layer with its rules, no deadline, no timeouts (not part of this view) */
    pol_retry_cfg layers[SIM_MAX_LAYERS];
    pol_layers_cfg lc = { p->n, { 0 } };
    for (int k = 0; k < p->n; k++) {
        layers[k] = p->layer[k];
        layers[k].deadline = 0;
        layers[k].attempt_timeout = 0;
        lc.layer[k] = &layers[k];
    }
    size_t n = (size_t)o->draws;
    double *x = retries > 0 ? malloc(sizeof *x * n * (size_t)retries) : NULL;
    double *cum = retries > 0 ? malloc(sizeof *cum * n * (size_t)retries) : NULL;
    if (retries > 0 && (!x || !cum)) {
        free(x);
        free(cum);
        return fail("out of memory for %s", name);
    }
    gsl_rng_set(r, o->seed);
    int made = retries;
    for (size_t d = 0; d < n; d++) {
        int k = one_request(o, p, &lc, r, retries, x, cum, n, d);
        if (k < made) made = k;          /* the same for every draw: give-ups depend on counts only */
    }
    if (made < 1) {
        fprintf(stderr, "retrysim delays: %s makes a single attempt, no retries%s\n", name,
                o->nkinds ? " for these outcomes" : "");
        free(x);
        free(cum);
        return 0;
    }
    for (int k = 0; k < made; k++) {
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
    delays_opts o = { .attempts = 0, .draws = 10000, .seed = 1, .csv = 0, .width = 6, .nkinds = 0 };
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
        if (!strcmp(a, "--kind")) {
            if ((rc = parse_kinds(val, &o)) != 0) { free(pols); return rc; }
            i++;
            continue;
        }
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
    }
    if (npol == 0) {
        free(pols);
        list_presets();
        return 0;
    }
    delays_policy *list = NULL;
    int nlist = 0, cap = 0;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    rc = r ? 0 : 2;
    for (int i = 0; i < npol && rc == 0; i++) {
        if (is_scenario_arg(pols[i])) {
            rc = load_scenario_policies(pols[i], &list, &nlist, &cap);
            continue;
        }
        if (nlist == cap) {
            cap = cap ? 2 * cap : 8;
            delays_policy *nl = realloc(list, (size_t)cap * sizeof *nl);
            if (!nl) { rc = 2; break; }
            list = nl;
        }
        delays_policy *d = &list[nlist++];
        snprintf(d->name, sizeof d->name, "%s", pols[i]);
        d->n = 1;
        rc = parse_spec(pols[i], &d->layer[0]);
    }
    for (int i = 0; i < nlist; i++)
        if ((int)strlen(list[i].name) > o.width) o.width = (int)strlen(list[i].name);
    if (rc == 0) {
        if (o.csv) printf("policy,retry,draws,min_s,mean_s,p50_s,p99_s,max_s,cum_mean_s\n");
        else printf("%-*s %5s %10s %10s %10s %10s %10s %10s\n", o.width, "policy", "retry", "min_s",
                    "mean_s", "p50_s", "p99_s", "max_s", "cum_mean_s");
        for (int i = 0; i < nlist && rc == 0; i++) rc = run_policy(&o, &list[i], r);
    }
    gsl_rng_free(r);
    free(list);
    free(pols);
    return rc;
}
