/* scenario.c — the scenario loader: YAML document (cfg.h) -> sim_scenario.
 *
 * sim_scenario_load reads the file, applies the overrides, then types the
 * sections in a fixed order (top level, providers, policies, workload,
 * timeline and its CSV trace, expectations), so that a name can be checked
 * against what it refers to. The first error stops the load: it is written
 * as one line "file:line:col: message" and everything built so far is freed.
 * Invariants of a loaded scenario: duration > 0; >= 1 provider and policy,
 * unique names; every index (timeline provider, policy targets, class
 * policy, arrival class) is valid; the timeline is sorted by `at` (stable)
 * and every window lies inside the run; arrivals are sorted and < duration.
 * Every key, default and example: docs/scenario-format.md.
 * Cost: linear in the file and its traces, plus O(n log n) to sort them.
 */
#include "scenario.h"
#include "cfg.h"
#include "scenario_stateful.h"
#include "import.h"
#include "units.h"
#include "trace.h"
#include <limits.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TRY(x) do { int rc_ = (x); if (rc_ < 0) return rc_; } while (0)

typedef struct {
    sim_cfg_doc   doc;
    sim_scenario *s;
    sim_err      *err;
} loader;

/* ---- metric names ---------------------------------------------------------- */

static const char *const METRIC_NAMES[SIM_M__COUNT] = {
#define SIM_METRIC_NAME(id, name, unit, def) name,
    SIM_METRICS(SIM_METRIC_NAME)
#undef SIM_METRIC_NAME
};

const char *sim_metric_name(sim_metric_id m)
{
    return (int)m >= 0 && m < SIM_M__COUNT ? METRIC_NAMES[m] : "?";
}

int sim_metric_lookup(const char *name)
{
    for (int i = 0; name && i < SIM_M__COUNT; i++)
        if (!strcmp(METRIC_NAMES[i], name)) return i;
    return -1;
}

/* Whether a smaller value of the metric is the better one (for `better:`). */
int sim_metric_lower_is_better(sim_metric_id m)
{
    switch (m) {
    case SIM_M_REQUESTS: case SIM_M_SUCCESSES: case SIM_M_SUCCESS_RATE: case SIM_M_GOODPUT:
    case SIM_M_SLO_SUCCESS_RATE: return 0;
    default: return 1;
    }
}

/* Whether the metric is measured per request class (summary-classes.csv):
 * not those of providers (peak load, queue wait, wasted fraction), of the
 * breakers' instances, nor recovery, which are the run's as a whole. */
int sim_metric_per_class(sim_metric_id m)
{
    switch (m) {
    case SIM_M_BREAKER_TRANS: case SIM_M_PEAK_OFFERED: case SIM_M_PEAK_LOAD_RATIO: case SIM_M_WASTED_FRACTION:
    case SIM_M_TIME_TO_RECOVER: case SIM_M_METASTABLE: case SIM_M_QUEUE_WAIT:
    case SIM_M_TTFT_P50: case SIM_M_TTFT_P90: case SIM_M_TTFT_P99: case SIM_M_TTLT_P50: case SIM_M_TTLT_P99:
    case SIM_M_GAP_P99: return 0;
    default: return (int)m >= 0 && m < SIM_M__COUNT;
    }
}

/* ---- small helpers --------------------------------------------------------- */

static int get_i32(const sim_cfg_node *map, const char *key, unsigned flags, long long lo, long long hi,
                   long long def, int32_t *out, sim_err *err)
{
    long long v;
    TRY(sim_cfg_get_int(map, key, flags, lo, hi, def, &v, err));
    *out = (int32_t)v;
    return POL_OK;
}

/* Resolves a name among n names (stride bytes apart from base) or reports
 * "unknown <what> 'x'; did you mean 'y'?" at node. */
static int find_name(const sim_cfg_node *node, const char *what, const char *name,
                     const char *base, size_t stride, int n, int *out, sim_err *err)
{
    const char *names[256];
    int nn = n < 256 ? n : 256;
    for (int i = 0; i < n; i++) {
        const char *nm = base + (size_t)i * stride;
        if (i < nn) names[i] = nm;
        if (!strcmp(nm, name)) { *out = i; return POL_OK; }
    }
    char msg[512];
    snprintf(msg, sizeof msg, "unknown %s '%s'", what, name);
    sim_cfg_did_you_mean(msg, sizeof msg, name, names, (size_t)nn);
    return sim_cfg_errf(err, node, "%s", msg);
}

static int provider_index(loader *L, const sim_cfg_node *node, int *out)
{
    return find_name(node, "provider", node->str, L->s->providers[0].name, sizeof(sim_provider),
                     L->s->nproviders, out, L->err);
}

static int policy_index(loader *L, const sim_cfg_node *node, int *out)
{
    return find_name(node, "policy", node->str, L->s->policies[0].name, sizeof(sim_policy),
                     L->s->npolicies, out, L->err);
}

/* A name key (string, non-empty, unique among the first n entries of base). */
static int get_unique_name(loader *L, const sim_cfg_node *map, const char *key, unsigned flags,
                           const char *what, const char *base, size_t stride, int n, char *out)
{
    TRY(sim_cfg_get_string(map, key, flags, NULL, out, SIM_NAME_MAX, L->err));
    const sim_cfg_node *v = sim_cfg_get(map, key);
    if (!v) return POL_OK;
    if (!out[0]) return sim_cfg_errf(L->err, v, "%s name must not be empty", what);
    for (int i = 0; i < n; i++)
        if (!strcmp(base + (size_t)i * stride, out))
            return sim_cfg_errf(L->err, v, "duplicate %s name '%s'", what, out);
    return POL_OK;
}

/* A list under key (absent = 0 items): *out = the node or NULL. */
static int get_list(loader *L, const sim_cfg_node *map, const char *key, unsigned flags, const sim_cfg_node **out)
{
    int rc = sim_cfg_find(map, key, flags, out, L->err);
    if (rc <= 0) { *out = NULL; return rc; }
    TRY(sim_cfg_want(*out, SIM_CFG_SEQ, key, L->err));
    if ((flags & SIM_CFG_REQ) && (*out)->n == 0)
        return sim_cfg_errf(L->err, *out, "'%s' needs at least one entry", key);
    return POL_OK;
}

/* An optional sub-map under key (with its allowed keys): *out = NULL when absent. */
static int get_submap(loader *L, const sim_cfg_node *map, const char *key, const char *what,
                      const char *const *allowed, const sim_cfg_node **out)
{
    *out = sim_cfg_get(map, key);
    if (!*out) return POL_OK;
    char w[160];
    snprintf(w, sizeof w, "%s%s%s", what ? what : "", what ? " " : "", key);
    return sim_cfg_check_keys(*out, w, allowed, L->err);
}

/* Types the list under key into a new array of size-byte elements: each
 * item must be a map ("key[i]" in messages) and is typed by fn. */
typedef int (*item_fn)(loader *L, const sim_cfg_node *n, int idx, void *elem);
static int load_array(loader *L, const sim_cfg_node *root, const char *key, unsigned flags, size_t max,
                      size_t size, void *arr, int *count, item_fn fn)
{
    const sim_cfg_node *list;
    TRY(get_list(L, root, key, flags, &list));
    if (!list || !list->n) return POL_OK;
    if (list->n > max) return sim_cfg_errf(L->err, list, "'%s' has %zu entries: at most %zu", key, list->n, max);
    char *a = calloc(list->n, size);
    if (!a) return sim_cfg_errf(L->err, NULL, "out of memory");
    memcpy(arr, &a, sizeof a);          /* *arr is a typed pointer: no aliasing through void ** */
    for (size_t i = 0; i < list->n; i++) {
        char what[64];
        snprintf(what, sizeof what, "%s[%zu]", key, i);
        TRY(sim_cfg_want(list->items[i], SIM_CFG_MAP, what, L->err));
        *count = (int)i + 1;
        TRY(fn(L, list->items[i], (int)i, a + i * size));
    }
    return POL_OK;
}

/* ---- provider parameters (shared by providers and timeline `set:`) --------- */

enum { PF_DOUBLE, PF_INT32, PF_OUTAGE };
/* where a provider writes the parameter: its own map, rate_limit: or stream: */
enum { PF_IN_PROVIDER, PF_IN_RATE_LIMIT, PF_IN_STREAM };
typedef struct {
    const char *key;         /* the name in a timeline set: (and a provider's, PF_IN_PROVIDER) */
    uint32_t    mask;
    int         type;
    size_t      off;
    double      lo, hi;
    int         in;          /* PF_IN_*: the provider map that holds it */
    const char *pkey;        /* its name there */
} param_field;

#define PF(k, m, t, f, lo, hi) { k, m, t, offsetof(sim_provider_params, f), lo, hi, PF_IN_PROVIDER, k }
#define PFIN(k, m, t, f, lo, hi, in, pk) { k, m, t, offsetof(sim_provider_params, f), lo, hi, in, pk }
static const param_field PARAMS[] = {
    PFIN("rpm",           SIM_SET_RPM,             PF_DOUBLE, rpm,             0, HUGE_VAL, PF_IN_RATE_LIMIT, "rpm"),
    PFIN("tpm",           SIM_SET_TPM,             PF_DOUBLE, tpm,             0, HUGE_VAL, PF_IN_RATE_LIMIT, "tpm"),
    PF("concurrency",     SIM_SET_CONCURRENCY,     PF_INT32,  concurrency,     0, INT32_MAX),
    PF("queue",           SIM_SET_QUEUE,           PF_INT32,  queue,           0, INT32_MAX),
    PF("overload_status", SIM_SET_OVERLOAD_STATUS, PF_INT32,  overload_status, 400, 599),
    PF("latency_factor",  SIM_SET_LATENCY_FACTOR,  PF_DOUBLE, latency_factor,  0, HUGE_VAL),
    PF("error_rate",      SIM_SET_ERROR_RATE,      PF_DOUBLE, error_rate,      0, 1),
    PF("error_status",    SIM_SET_ERROR_STATUS,    PF_INT32,  error_status,    400, 599),
    PF("outage",          SIM_SET_OUTAGE,          PF_OUTAGE, outage,          0, 0),
    PFIN("stream_cut_rate",      SIM_SET_STREAM_CUT_RATE,      PF_DOUBLE, stream_cut_rate,      0, 1, PF_IN_STREAM, "cut_rate"),
    PFIN("stream_cut_per_token", SIM_SET_STREAM_CUT_PER_TOKEN, PF_DOUBLE, stream_cut_per_token, 0, 1, PF_IN_STREAM, "cut_per_token"),
    PFIN("stream_error_rate",    SIM_SET_STREAM_ERROR_RATE,    PF_DOUBLE, stream_error_rate,    0, 1, PF_IN_STREAM, "error_rate"),
    PFIN("stream_stall_rate",    SIM_SET_STREAM_STALL_RATE,    PF_DOUBLE, stream_stall_rate,    0, 1, PF_IN_STREAM, "stall_rate"),
};
#undef PF
#undef PFIN
#define NPARAMS (sizeof PARAMS / sizeof PARAMS[0])

static const param_field *param_find(const char *key)
{
    for (size_t i = 0; i < NPARAMS; i++)
        if (!strcmp(PARAMS[i].key, key)) return &PARAMS[i];
    return NULL;
}

/* outage: none | refuse | blackhole | <HTTP status 400..599> */
static int parse_outage(const sim_cfg_node *v, sim_provider_params *p, uint32_t *mask, sim_err *err)
{
    static const char *const names[] = { "none", "status", "refuse", "blackhole" };
    static const char *const words[] = { "none", "refuse", "blackhole" };
    const char *expect = "none, refuse, blackhole or an HTTP status like 503";
    if (v->kind != SIM_CFG_SCALAR) return sim_cfg_errf(err, v, "expected %s for 'outage'", expect);
    for (int i = 0; i < 4; i++)
        if (i != SIM_OUTAGE_STATUS && !strcmp(v->str, names[i])) {
            p->outage = (sim_outage_kind)i;
            *mask |= SIM_SET_OUTAGE;
            return POL_OK;
        }
    long long st;
    if (sim_parse_int(v->str, &st) != POL_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "expected %s for 'outage', got '%s'", expect, v->str);
        sim_cfg_did_you_mean(msg, sizeof msg, v->str, words, 3);
        return sim_cfg_errf(err, v, "%s", msg);
    }
    if (st < 400 || st > 599) return sim_cfg_errf(err, v, "outage status must be between 400 and 599, got '%s'", v->str);
    p->outage = SIM_OUTAGE_STATUS;
    p->outage_status = (int32_t)st;
    *mask |= SIM_SET_OUTAGE | SIM_SET_OUTAGE_STATUS;
    return POL_OK;
}

/* name: the key as written (f->key in a timeline set, f->pkey in a provider) */
static int set_param(const param_field *f, const char *name, const sim_cfg_node *v, sim_provider_params *p,
                     uint32_t *mask, sim_err *err)
{
    char *field = (char *)p + f->off;
    if (f->type == PF_OUTAGE) return parse_outage(v, p, mask, err);
    if (f->type == PF_INT32) {
        long long x;
        TRY(sim_cfg_as_int(v, name, (long long)f->lo, (long long)f->hi, &x, err));
        *(int32_t *)(void *)field = (int32_t)x;
    } else {
        TRY(sim_cfg_as_double(v, name, f->lo, f->hi, (double *)(void *)field, err));
    }
    *mask |= f->mask;
    return POL_OK;
}

static void params_default(sim_provider_params *p)
{
    memset(p, 0, sizeof *p);
    p->overload_status = 503;
    p->latency_factor = 1;
    p->error_status = 500;
    p->outage = SIM_OUTAGE_NONE;
    p->outage_status = 503;
}

/* ---- top level ------------------------------------------------------------- */

static const char *const TOP_KEYS[] = {
    "scenario", "description", "duration", "seed", "replications", "bucket", "rng", "network",
    "providers", "timeline", "timeline_csv", "workload", "policies", "expect", "slo", NULL };

static int load_rng_name(loader *L, const sim_cfg_node *root)
{
    sim_scenario *s = L->s;
    TRY(sim_cfg_get_string(root, "rng", 0, "taus2", s->rng, sizeof s->rng, L->err));
    const gsl_rng_type **t = gsl_rng_types_setup();
    const char *names[128];
    size_t n = 0;
    for (; t[n] && n < 128; n++) {
        names[n] = t[n]->name;
        if (!strcmp(t[n]->name, s->rng)) return POL_OK;
    }
    char msg[512];
    snprintf(msg, sizeof msg, "unknown GSL generator '%s'", s->rng);
    sim_cfg_did_you_mean(msg, sizeof msg, s->rng, names, n);
    if (!sim_cfg_suggest(s->rng, names, n)) strncat(msg, " (e.g. taus2, mt19937, ranlxd2)", sizeof msg - strlen(msg) - 1);
    return sim_cfg_errf(L->err, sim_cfg_get(root, "rng"), "%s", msg);
}

static int load_top(loader *L, const sim_cfg_node *root)
{
    sim_scenario *s = L->s;
    static const char *const NET_KEYS[] = { "latency", NULL };
    TRY(sim_cfg_check_keys(root, "the scenario", TOP_KEYS, L->err));
    TRY(sim_cfg_get_string(root, "scenario", SIM_CFG_REQ, NULL, s->name, sizeof s->name, L->err));
    const sim_cfg_node *d = sim_cfg_get(root, "description");
    if (d && d->kind != SIM_CFG_SCALAR) return sim_cfg_errf(L->err, d, "expected a string for 'description'");
    TRY(sim_cfg_get_duration(root, "duration", SIM_CFG_REQ | SIM_CFG_POS, 0, &s->duration, L->err));
    long long v;
    TRY(sim_cfg_get_int(root, "seed", 0, 0, LLONG_MAX, 1, &v, L->err));
    s->seed = (uint64_t)v;
    TRY(sim_cfg_get_int(root, "replications", 0, 1, SIM_MAX_REPLICATIONS, 1, &v, L->err));
    s->replications = (int)v;
    TRY(sim_cfg_get_duration(root, "bucket", SIM_CFG_POS, POL_NS_PER_S, &s->bucket, L->err));
    if (s->bucket > s->duration) {
        char b[32], du[32];
        return sim_cfg_errf(L->err, sim_cfg_get(root, "bucket"), "bucket %s is longer than the run (duration %s)",
                            sim_format_duration(s->bucket, b, sizeof b), sim_format_duration(s->duration, du, sizeof du));
    }
    uint64_t nb = sim_scenario_buckets(s);
    if (nb > SIM_MAX_BUCKETS) {
        char b[32], du[32];
        const sim_cfg_node *at = sim_cfg_get(root, "bucket");
        return sim_cfg_errf(L->err, at ? at : sim_cfg_get(root, "duration"),
                            "%llu time-series buckets of %s in a run of %s: at most %d (use a wider bucket)",
                            (unsigned long long)nb, sim_format_duration(s->bucket, b, sizeof b),
                            sim_format_duration(s->duration, du, sizeof du), SIM_MAX_BUCKETS);
    }
    TRY(load_rng_name(L, root));
    static const char *const SLO_KEYS[] = { "latency", NULL };
    const sim_cfg_node *slo;
    TRY(get_submap(L, root, "slo", NULL, SLO_KEYS, &slo));
    s->slo_written = slo && sim_cfg_get(slo, "latency") != NULL;
    TRY(sim_cfg_get_duration(slo, "latency", SIM_CFG_POS, SIM_SLO_DEFAULT, &s->slo_latency, L->err));
    const sim_cfg_node *net;
    TRY(get_submap(L, root, "network", NULL, NET_KEYS, &net));
    return sim_cfg_get_dist(net, "latency", 0, 1, L->doc.dir, "0", &s->net_latency, L->err);
}

/* ---- providers ------------------------------------------------------------- */

static const char *const PROVIDER_KEYS[] = {
    "name", "kind", "rate_limit", "concurrency", "queue", "overload_status", "latency", "latency_factor",
    "error_rate", "error_status", "outage", "context_window", "content_filter_rate", "price", "service",
    "network_latency", "stream", NULL };
static const char *const RATE_LIMIT_KEYS[] = { "rpm", "tpm", "retry_after", "burst", NULL };
static const char *const LATENCY_KEYS[] = { "ttft", "per_token", "noise", "slowdown", NULL };
static const char *const PRICE_KEYS[] = { "input_per_mtok", "output_per_mtok", NULL };
static const char *const PROVIDER_STREAM_KEYS[] = { "cut_rate", "cut_per_token", "error_rate", "stall_rate", "stall",
                                                    "chunk_tokens", NULL };

/* retry_after: none | until-reset | <duration> */
static int load_retry_after(loader *L, const sim_cfg_node *rl, sim_provider *p)
{
    const sim_cfg_node *v = sim_cfg_get(rl, "retry_after");
    p->retry_after = SIM_RA_UNTIL_RESET;
    if (!v) return POL_OK;
    if (v->kind == SIM_CFG_SCALAR && !strcmp(v->str, "none")) { p->retry_after = SIM_RA_NONE; return POL_OK; }
    if (v->kind == SIM_CFG_SCALAR && !strcmp(v->str, "until-reset")) return POL_OK;
    if (v->kind == SIM_CFG_SCALAR && sim_parse_duration(v->str, &p->retry_after_fixed) == POL_OK) {
        p->retry_after = SIM_RA_FIXED;
        return POL_OK;
    }
    static const char *const words[] = { "none", "until-reset" };
    char msg[512];
    snprintf(msg, sizeof msg, "expected none, until-reset or a duration like 20s for 'retry_after', got '%s'",
             v->kind == SIM_CFG_SCALAR ? v->str : "a collection");
    if (v->kind == SIM_CFG_SCALAR) sim_cfg_did_you_mean(msg, sizeof msg, v->str, words, 2);
    return sim_cfg_errf(L->err, v, "%s", msg);
}

static int load_provider(loader *L, const sim_cfg_node *n, int idx, void *elem)
{
    static const char *const KINDS[] = { "llm", "queue", "occ" };
    sim_provider *p = elem;
    const char *dir = L->doc.dir;
    char what[96];
    TRY(get_unique_name(L, n, "name", SIM_CFG_REQ, "provider", L->s->providers[0].name, sizeof *p, idx, p->name));
    snprintf(what, sizeof what, "provider '%s'", p->name);
    TRY(sim_cfg_check_keys(n, what, PROVIDER_KEYS, L->err));
    int kind;
    TRY(sim_cfg_get_enum(n, "kind", 0, KINDS, 3, SIM_PROV_LLM, &kind, L->err));
    p->kind = (sim_provider_kind)kind;

    const sim_cfg_node *rl, *lat, *price, *st;
    TRY(get_submap(L, n, "rate_limit", what, RATE_LIMIT_KEYS, &rl));
    TRY(get_submap(L, n, "latency", what, LATENCY_KEYS, &lat));
    TRY(get_submap(L, n, "price", what, PRICE_KEYS, &price));
    TRY(get_submap(L, n, "stream", what, PROVIDER_STREAM_KEYS, &st));
    params_default(&p->base);
    uint32_t mask = 0;
    for (size_t i = 0; i < NPARAMS; i++) {
        const sim_cfg_node *src = PARAMS[i].in == PF_IN_RATE_LIMIT ? rl : PARAMS[i].in == PF_IN_STREAM ? st : n;
        const sim_cfg_node *v = sim_cfg_get(src, PARAMS[i].pkey);
        if (v) TRY(set_param(&PARAMS[i], PARAMS[i].pkey, v, &p->base, &mask, L->err));
    }
    long long chunk;
    TRY(sim_cfg_get_int(st, "chunk_tokens", 0, 1, 65536, 1, &chunk, L->err));
    p->stream_chunk = (int32_t)chunk;
    TRY(sim_cfg_get_dist(st, "stall", 0, 1, dir, "10s", &p->stream_stall, L->err));
    if (st && p->kind != SIM_PROV_LLM)
        return sim_cfg_errf(L->err, sim_cfg_key_node(n, "stream"),
                            "'stream' applies to kind: llm (a streamed answer is tokens)");
    TRY(load_retry_after(L, rl, p));
    TRY(sim_cfg_get_duration(rl, "burst", SIM_CFG_POS, POL_NS_PER_S, &p->burst, L->err));

    TRY(sim_cfg_get_dist(lat, "ttft", 0, 1, dir, "0", &p->ttft, L->err));
    TRY(sim_cfg_get_dist(lat, "per_token", 0, 1, dir, "0", &p->per_token, L->err));
    TRY(sim_cfg_get_double(lat, "noise", 0, 0, 10, 0, &p->noise_sigma, L->err));
    TRY(sim_cfg_get_double(lat, "slowdown", 0, 0, HUGE_VAL, 0, &p->slowdown, L->err));
    TRY(sim_cfg_get_double(n, "context_window", 0, 0, HUGE_VAL, 0, &p->context_window, L->err));
    TRY(sim_cfg_get_double(n, "content_filter_rate", 0, 0, 1, 0, &p->content_filter, L->err));
    TRY(sim_cfg_get_double(price, "input_per_mtok", 0, 0, HUGE_VAL, 0, &p->price_in, L->err));
    TRY(sim_cfg_get_double(price, "output_per_mtok", 0, 0, HUGE_VAL, 0, &p->price_out, L->err));

    const sim_cfg_node *svc = sim_cfg_get(n, "service");
    if (svc && p->kind == SIM_PROV_LLM)
        return sim_cfg_errf(L->err, sim_cfg_key_node(n, "service"),
                            "'service' applies to kind: queue or occ; an llm provider uses latency: {ttft, per_token}");
    TRY(sim_cfg_get_dist(n, "service", p->kind == SIM_PROV_QUEUE ? SIM_CFG_REQ : 0, 1, dir, "0", &p->service, L->err));
    if (sim_cfg_get(n, "network_latency")) {
        p->has_net_latency = 1;
        TRY(sim_cfg_get_dist(n, "network_latency", 0, 1, dir, "0", &p->net_latency, L->err));
    }
    return POL_OK;
}

/* ---- policies -------------------------------------------------------------- */

/* A policy's own keys; the stateful parts' keys come from scenario_stateful.c. */
static const char *const POLICY_OWN_KEYS[] = { "name", "preset", "retry", "targets", "inner", "stream" };
#define NPOLICY_OWN (sizeof POLICY_OWN_KEYS / sizeof POLICY_OWN_KEYS[0])
static const char *const RETRY_KEYS[] = {
    "max_attempts", "backoff", "base", "multiplier", "step", "cap", "floor", "jitter", "jitter_factor",
    "jitter_max", "retry_after", "retry_after_ceiling", "retry_after_budget", "retry_after_jitter",
    "retry_after_zero", "retry_after_invalid", "retry_after_parse", "timeout", "deadline", "honor_should_retry", "fallback_on_exhaust", "others", "retry_on", "fail_on", "fallback_on", "count",
    "on", NULL };

/* One entry of retry_on / fail_on / fallback_on: a status (429), a status
 * class (5xx) or a non-HTTP outcome kind (timeout, refused, ...). */
static int classify_item(loader *L, const sim_cfg_node *it, const char *list, pol_class cls, pol_classify_cfg *c)
{
    int lo, hi, kind;
    TRY(sim_cfg_as_outcome(it, list, &lo, &hi, &kind, L->err));
    if (kind >= 0) return pol_classify_set_kind(c, (pol_outcome_kind)kind, cls);
    for (int st = lo; st <= hi; st++) pol_classify_set_status(c, st, cls);
    return POL_OK;
}

/* others (every error status and non-HTTP outcome gets that class), then
 * retry_on, then fallback_on, then fail_on: a later list wins ("5xx" in
 * retry_on and 501 in fail_on make 501 fail). */
static int load_classify(loader *L, const sim_cfg_node *r, pol_classify_cfg *c)
{
    static const char *const lists[] = { "retry_on", "fallback_on", "fail_on" };
    static const pol_class cls[] = { POL_CLASS_RETRY, POL_CLASS_FALLBACK, POL_CLASS_FAIL };
    static const char *const OTHERS[] = { "retry", "fallback", "fail" };
    int o = -1;
    TRY(sim_cfg_get_enum(r, "others", 0, OTHERS, 3, -1, &o, L->err));
    if (o >= 0) {
        for (int st = 300; st <= POL_STATUS_MAX; st++) pol_classify_set_status(c, st, cls[o]);
        for (int k = POL_OUT_TIMEOUT; k < POL_OUT__COUNT; k++) pol_classify_set_kind(c, (pol_outcome_kind)k, cls[o]);
    }
    for (int i = 0; i < 3; i++) {
        const sim_cfg_node *l;
        TRY(get_list(L, r, lists[i], 0, &l));
        for (size_t k = 0; l && k < l->n; k++) TRY(classify_item(L, l->items[k], lists[i], cls[i], c));
    }
    return POL_OK;
}

/* An enum whose names come from the policy library's name function. */
typedef const char *(*name_fn)(int);
static const char *jitter_name(int k) { return pol_jitter_name((pol_jitter_kind)k); }
static const char *backoff_name(int k) { return pol_backoff_kind_name((pol_backoff_kind)k); }
static const char *hint_name(int k) { return pol_hint_mode_name((pol_hint_mode)k); }

static int get_lib_enum(loader *L, const sim_cfg_node *map, const char *key, name_fn fn, int count, int *inout)
{
    const char *names[32];
    for (int i = 0; i < count && i < 32; i++) names[i] = fn(i);
    return sim_cfg_get_enum(map, key, 0, names, (size_t)(count < 32 ? count : 32), *inout, inout, L->err);
}

static const char *count_name(int k) { return pol_count_mode_name((pol_count_mode)k); }

/* The backoff keys of a retry map or a per-kind rule; 1 in *written when
 * one of them is there. */
static int load_backoff_keys(loader *L, const sim_cfg_node *r, pol_backoff_cfg *b, int *written)
{
    static const char *const keys[] = { "backoff", "base", "multiplier", "step", "cap", "floor", "jitter",
                                        "jitter_factor", "jitter_max" };
    for (size_t i = 0; written && i < sizeof keys / sizeof keys[0]; i++) *written |= sim_cfg_get(r, keys[i]) != NULL;
    int e = (int)b->kind;
    TRY(get_lib_enum(L, r, "backoff", backoff_name, POL_BACKOFF_EXPONENTIAL + 1, &e));
    b->kind = (pol_backoff_kind)e;
    TRY(sim_cfg_get_duration(r, "base", 0, b->base, &b->base, L->err));
    TRY(sim_cfg_get_duration(r, "step", 0, sim_cfg_get(r, "base") ? b->base : b->step, &b->step, L->err));
    TRY(sim_cfg_get_double(r, "multiplier", 0, 1, 1000, b->multiplier, &b->multiplier, L->err));
    TRY(sim_cfg_get_duration(r, "cap", 0, b->cap, &b->cap, L->err));
    TRY(sim_cfg_get_duration(r, "floor", 0, b->floor, &b->floor, L->err));
    e = (int)b->jitter;
    TRY(get_lib_enum(L, r, "jitter", jitter_name, POL_JITTER__COUNT, &e));
    b->jitter = (pol_jitter_kind)e;
    TRY(sim_cfg_get_double(r, "jitter_factor", 0, 0, 1, b->jitter_factor, &b->jitter_factor, L->err));
    TRY(sim_cfg_get_duration(r, "jitter_max", 0, b->jitter_max, &b->jitter_max, L->err));
    if (b->cap > 0 && b->floor > b->cap)
        return sim_cfg_errf(L->err, sim_cfg_get(r, "floor") ? sim_cfg_get(r, "floor") : r, "floor must not exceed cap");
    return POL_OK;
}

/* How the client reads a Retry-After it was given (pol_hint_cfg's flags):
 * retry_after_zero: hint | absent (ignore_zero), retry_after_invalid:
 * absent | now (invalid_now), retry_after_parse: strict | parse-float
 * (parse_float). Index = the flag's value. */
static const char *const HINT_ZERO[] = { "hint", "absent" };
static const char *const HINT_INVALID[] = { "absent", "now" };
static const char *const HINT_PARSE[] = { "strict", "parse-float" };

/* retry_after, retry_after_ceiling, retry_after_budget, retry_after_jitter,
 * retry_after_zero, retry_after_invalid, retry_after_parse */
static int load_hint_keys(loader *L, const sim_cfg_node *r, pol_hint_cfg *h, int *written)
{
    static const char *const keys[] = { "retry_after", "retry_after_ceiling", "retry_after_budget", "retry_after_jitter",
                                        "retry_after_zero", "retry_after_invalid", "retry_after_parse" };
    for (size_t i = 0; written && i < sizeof keys / sizeof keys[0]; i++) *written |= sim_cfg_get(r, keys[i]) != NULL;
    int e = (int)h->mode;
    TRY(get_lib_enum(L, r, "retry_after", hint_name, POL_HINT__COUNT, &e));
    h->mode = (pol_hint_mode)e;
    TRY(sim_cfg_get_duration(r, "retry_after_ceiling", 0, h->ceiling, &h->ceiling, L->err));
    TRY(sim_cfg_get_duration(r, "retry_after_budget", 0, h->budget, &h->budget, L->err));
    TRY(sim_cfg_get_duration(r, "retry_after_jitter", 0, h->jitter, &h->jitter, L->err));
    TRY(sim_cfg_get_enum(r, "retry_after_zero", 0, HINT_ZERO, 2, h->ignore_zero != 0, &h->ignore_zero, L->err));
    TRY(sim_cfg_get_enum(r, "retry_after_invalid", 0, HINT_INVALID, 2, h->invalid_now != 0, &h->invalid_now, L->err));
    return sim_cfg_get_enum(r, "retry_after_parse", 0, HINT_PARSE, 2, h->parse_float != 0, &h->parse_float, L->err);
}

/* The keys a per-kind rule may have (besides match), and the retry keys it
 * may not, with why. */
static const char *const RULE_KEYS[] = {
    "match", "max_attempts", "backoff", "base", "multiplier", "step", "cap", "floor", "jitter", "jitter_factor",
    "jitter_max", "retry_after", "retry_after_ceiling", "retry_after_budget", "retry_after_jitter",
    "retry_after_zero", "retry_after_invalid", "retry_after_parse", "honor_should_retry", "fallback_on_exhaust", NULL };
static const struct { const char *key, *why; } RULE_NOT[] = {
    { "timeout", "an attempt's timeout is set when it is sent, before its outcome's kind is known; set it in retry:" },
    { "deadline", "the deadline is shared by every kind; set it in retry:" },
    { "count", "the counting mode is the policy's; set it in retry:" },
    { "on", "rules do not nest" },
    { "retry_on", "whether a kind is retried is the policy's classification; set retry_on in retry:" },
    { "fail_on", "whether a kind is retried is the policy's classification; set fail_on in retry:" },
    { "fallback_on", "whether a kind is retried is the policy's classification; set fallback_on in retry:" },
};

/* retry.on: the per-kind rules, in order (first match wins); each key not
 * written is the policy's, as written so far in this retry map. */
static int load_rules(loader *L, const sim_cfg_node *r, pol_retry_cfg *c)
{
    const sim_cfg_node *list;
    TRY(get_list(L, r, "on", 0, &list));
    if (!list) return POL_OK;
    if (list->n > POL_RETRY_MAX_RULES)
        return sim_cfg_errf(L->err, list->items[POL_RETRY_MAX_RULES], "at most %d rules in 'on'", POL_RETRY_MAX_RULES);
    c->nrules = 0;
    for (size_t i = 0; i < list->n; i++) {
        const sim_cfg_node *n = list->items[i];
        char what[64];
        snprintf(what, sizeof what, "retry.on[%zu]", i);
        TRY(sim_cfg_want(n, SIM_CFG_MAP, what, L->err));
        for (size_t k = 0; k < sizeof RULE_NOT / sizeof RULE_NOT[0]; k++)
            if (sim_cfg_key_node(n, RULE_NOT[k].key))
                return sim_cfg_errf(L->err, sim_cfg_key_node(n, RULE_NOT[k].key), "'%s' cannot be set per kind in %s: %s",
                                    RULE_NOT[k].key, what, RULE_NOT[k].why);
        TRY(sim_cfg_check_keys(n, what, RULE_KEYS, L->err));
        pol_retry_rule rule;
        pol_retry_rule_init(&rule, c);
        const sim_cfg_node *m;
        TRY(sim_cfg_find(n, "match", SIM_CFG_REQ, &m, L->err));
        if (m->kind == SIM_CFG_SEQ && m->n == 0) return sim_cfg_errf(L->err, m, "'match' needs at least one item");
        for (size_t k = 0; k < (m->kind == SIM_CFG_SEQ ? m->n : 1); k++) {
            const sim_cfg_node *it = m->kind == SIM_CFG_SEQ ? m->items[k] : m;
            int lo, hi, kind;
            TRY(sim_cfg_as_outcome(it, "match", &lo, &hi, &kind, L->err));
            if (kind >= 0) pol_retry_rule_match_kind(&rule, (pol_outcome_kind)kind);
            else pol_retry_rule_match_status(&rule, lo, hi);
        }
        long long v;
        if (sim_cfg_get(n, "max_attempts")) {
            TRY(sim_cfg_get_int(n, "max_attempts", 0, 0, INT_MAX, 0, &v, L->err));
            rule.max_attempts = (int)v;
            rule.set |= POL_RULE_MAX_ATTEMPTS;
        }
        int wb = 0, wh = 0;
        TRY(load_backoff_keys(L, n, &rule.backoff, &wb));
        TRY(load_hint_keys(L, n, &rule.hint, &wh));
        if (wb) rule.set |= POL_RULE_BACKOFF;
        if (wh) rule.set |= POL_RULE_HINT;
        if (sim_cfg_get(n, "honor_should_retry")) {
            TRY(sim_cfg_get_bool(n, "honor_should_retry", 0, 0, &rule.honor_should_retry, L->err));
            rule.set |= POL_RULE_SHOULD_RETRY;
        }
        if (sim_cfg_get(n, "fallback_on_exhaust")) {
            TRY(sim_cfg_get_bool(n, "fallback_on_exhaust", 0, 0, &rule.fallback_on_exhaust, L->err));
            rule.set |= POL_RULE_FALLBACK_ON_EXHAUST;
        }
        if (wb && pol_backoff_validate(&rule.backoff) != POL_OK)
            return sim_cfg_errf(L->err, n, "the backoff of %s is invalid (see docs/policies.md)", what);
        pol_retry_add_rule(c, &rule);
    }
    return POL_OK;
}

static int load_retry(loader *L, const sim_cfg_node *r, pol_retry_cfg *c)
{
    long long v;
    TRY(sim_cfg_get_int(r, "max_attempts", 0, 0, INT_MAX, c->max_attempts, &v, L->err));
    c->max_attempts = (int)v;
    TRY(load_backoff_keys(L, r, &c->backoff, NULL));
    TRY(load_hint_keys(L, r, &c->hint, NULL));
    TRY(sim_cfg_get_duration(r, "timeout", 0, c->attempt_timeout, &c->attempt_timeout, L->err));
    TRY(sim_cfg_get_duration(r, "deadline", 0, c->deadline, &c->deadline, L->err));
    TRY(sim_cfg_get_bool(r, "honor_should_retry", 0, c->honor_should_retry, &c->honor_should_retry, L->err));
    TRY(sim_cfg_get_bool(r, "fallback_on_exhaust", 0, c->fallback_on_exhaust, &c->fallback_on_exhaust, L->err));
    int e = (int)c->count;
    TRY(get_lib_enum(L, r, "count", count_name, POL_COUNT__COUNT, &e));
    c->count = (pol_count_mode)e;
    TRY(load_classify(L, r, &c->classify));
    return load_rules(L, r, c);
}

/* The preset named by node pv into cfg (its name into name, SIM_NAME_MAX). */
static int preset_into(loader *L, const sim_cfg_node *pv, char *name, pol_retry_cfg *cfg)
{
    TRY(sim_cfg_as_string(pv, "preset", name, SIM_NAME_MAX, L->err));
    if (pol_preset_get(name, cfg) == POL_OK) return POL_OK;
    pol_stack_cfg stack;   /* a stack-only preset (aws-adaptive): its retry part */
    if (pol_stack_preset(name, &stack) == POL_OK) { *cfg = stack.retry; return POL_OK; }
    size_t np, ns;
    const pol_preset_info *info = pol_preset_list(&np);
    const pol_preset_info *sinfo = pol_stack_list(&ns);
    const char *names[96];
    size_t k = 0;
    char list[800] = "";
    for (size_t i = 0; i < np + ns && k < 96; i++) {
        const char *nm = i < np ? info[i].name : sinfo[i - np].name;
        int dup = 0;
        for (size_t j = 0; j < k; j++) dup |= !strcmp(names[j], nm);
        if (dup) continue;
        names[k++] = nm;
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k > 1 ? ", " : "", nm);
    }
    char msg[1000];
    snprintf(msg, sizeof msg, "unknown preset '%s'", name);
    if (sim_cfg_suggest(name, names, k)) sim_cfg_did_you_mean(msg, sizeof msg, name, names, k);
    else snprintf(msg + strlen(msg), sizeof msg - strlen(msg), "; presets: %s", list);
    return sim_cfg_errf(L->err, pv, "%s", msg);
}

static int load_preset(loader *L, const sim_cfg_node *n, sim_policy *p)
{
    const sim_cfg_node *pv = sim_cfg_get(n, "preset");
    if (!pv) { pol_retry_default(&p->retry); return POL_OK; }
    return preset_into(L, pv, p->preset, &p->retry);
}

static int load_targets(loader *L, const sim_cfg_node *n, sim_policy *p)
{
    const sim_cfg_node *t;
    TRY(get_list(L, n, "targets", 0, &t));
    p->targets[0] = 0;
    p->ntargets = 1;
    if (!t) return POL_OK;
    if (t->n == 0) return sim_cfg_errf(L->err, t, "'targets' needs at least one provider");
    if (t->n > SIM_MAX_TARGETS) return sim_cfg_errf(L->err, t, "at most %d targets", SIM_MAX_TARGETS);
    for (size_t i = 0; i < t->n; i++) {
        const sim_cfg_node *it = t->items[i];
        if (it->kind != SIM_CFG_SCALAR) return sim_cfg_errf(L->err, it, "expected a provider name in 'targets'");
        TRY(provider_index(L, it, &p->targets[i]));
        for (size_t j = 0; j < i; j++)
            if (p->targets[j] == p->targets[i]) return sim_cfg_errf(L->err, it, "provider '%s' is listed twice", it->str);
    }
    p->ntargets = (int)t->n;
    return POL_OK;
}

/* stream: true | false | { enabled, ttft_timeout, idle_timeout, recovery } */
static int load_stream(loader *L, const sim_cfg_node *n, const char *what, sim_stream_cfg *sc)
{
    static const char *const KEYS[] = { "enabled", "ttft_timeout", "idle_timeout", "recovery", NULL };
    memset(sc, 0, sizeof *sc);
    const sim_cfg_node *v = sim_cfg_get(n, "stream");
    if (!v) return POL_OK;
    if (v->kind == SIM_CFG_SCALAR) return sim_cfg_get_bool(n, "stream", 0, 0, &sc->on, L->err);
    if (v->kind != SIM_CFG_MAP)
        return sim_cfg_errf(L->err, v, "expected true, false or a map {ttft_timeout, idle_timeout, recovery} for 'stream'");
    const sim_cfg_node *m;
    TRY(get_submap(L, n, "stream", what, KEYS, &m));
    TRY(sim_cfg_get_bool(m, "enabled", 0, 1, &sc->on, L->err));
    TRY(sim_cfg_get_duration(m, "ttft_timeout", 0, 0, &sc->ttft_timeout, L->err));
    TRY(sim_cfg_get_duration(m, "idle_timeout", 0, 0, &sc->idle_timeout, L->err));
    return sim_cfg_get_bool(m, "recovery", 0, 0, &sc->recover, L->err);
}

static int load_policy(loader *L, const sim_cfg_node *n, int idx, void *elem)
{
    sim_policy *p = elem;
    char what[96];
    p->line = n->line;
    p->col = n->col;
    TRY(load_preset(L, n, p));
    TRY(get_unique_name(L, n, "name", p->preset[0] ? 0 : SIM_CFG_REQ, "policy", L->s->policies[0].name,
                        sizeof *p, idx, p->name));
    if (!p->name[0]) {
        snprintf(p->name, sizeof p->name, "%s", p->preset);
        for (int i = 0; i < idx; i++)
            if (!strcmp(L->s->policies[i].name, p->name))
                return sim_cfg_errf(L->err, n, "duplicate policy name '%s' (give this one a name:)", p->name);
    }
    snprintf(what, sizeof what, "policy '%s'", p->name);
    const char *policy_keys[NPOLICY_OWN + 32];
    memcpy(policy_keys, POLICY_OWN_KEYS, sizeof POLICY_OWN_KEYS);
    size_t nk = NPOLICY_OWN + sim_stateful_keys(policy_keys + NPOLICY_OWN, 31);
    policy_keys[nk] = NULL;
    TRY(sim_cfg_check_keys(n, what, policy_keys, L->err));
    const sim_cfg_node *r;
    TRY(get_submap(L, n, "retry", what, RETRY_KEYS, &r));
    if (r) TRY(load_retry(L, r, &p->retry));
    int rc = pol_retry_validate(&p->retry);
    if (rc) return sim_cfg_errf(L->err, r ? r : n, "the retry settings of policy '%s' are invalid: %s",
                                p->name, pol_strerror(rc));
    TRY(load_targets(L, n, p));
    TRY(load_stream(L, n, what, &p->stream));
    return sim_stateful_load(n, L->s, p->preset, &p->st, L->err);
}

/* ---- nested retry layers (inner:) ------------------------------------------ */

static const char *const INNER_KEYS[] = { "preset", "retry", "policy", "inner", NULL };

typedef struct {
    loader             *L;
    const sim_cfg_node *list;      /* the policies list */
    unsigned char      *state;     /* per policy: 0 not resolved, 1 resolving, 2 done */
} layer_pass;

static int resolve_layers(layer_pass *P, int i, const sim_cfg_node *ref);

/* Appends a layer to policy p (error at node when there are too many). */
static int push_layer(loader *L, sim_policy *p, const pol_retry_cfg *c, const sim_cfg_node *at, const char *why)
{
    if (p->nlayers >= SIM_MAX_LAYERS)
        return sim_cfg_errf(L->err, at, "policy '%s' has more than %d retry layers (its own retry and %d inner ones)%s",
                            p->name, SIM_MAX_LAYERS, SIM_MAX_LAYERS - 1, why);
    p->inner[p->nlayers - 1] = *c;
    p->nlayers++;
    return POL_OK;
}

/* The inner: chain of policy i, each map an inline layer ({preset}, {retry}
 * or both) or {policy: NAME}, whose layers (its retry and its own inner
 * ones) are appended as they are. ref: the {policy:} node that asked for i
 * (for a cycle's message), or NULL. */
static int resolve_layers(layer_pass *P, int i, const sim_cfg_node *ref)
{
    loader *L = P->L;
    sim_policy *p = &L->s->policies[i];
    if (P->state[i] == 2) return POL_OK;
    if (P->state[i] == 1)
        return sim_cfg_errf(L->err, ref, "inner policy '%s' wraps itself (a cycle of inner: policy references)", p->name);
    P->state[i] = 1;
    p->nlayers = 1;
    char what[SIM_NAME_MAX + 32];
    snprintf(what, sizeof what, "policy '%s' inner", p->name);
    for (const sim_cfg_node *in = sim_cfg_get(P->list->items[i], "inner"); in; in = sim_cfg_get(in, "inner")) {
        TRY(sim_cfg_want(in, SIM_CFG_MAP, "inner", L->err));
        TRY(sim_cfg_check_keys(in, what, INNER_KEYS, L->err));
        const sim_cfg_node *pv = sim_cfg_get(in, "policy");
        if (pv) {
            static const char *const alone[] = { "preset", "retry", "inner" };
            for (int k = 0; k < 3; k++)
                if (sim_cfg_key_node(in, alone[k]))
                    return sim_cfg_errf(L->err, sim_cfg_key_node(in, alone[k]),
                                        "'%s' cannot be combined with 'policy' in inner: the policy named brings its own "
                                        "retry settings and inner loops (write them in that policy)", alone[k]);
            if (pv->kind != SIM_CFG_SCALAR) return sim_cfg_errf(L->err, pv, "expected a policy name for 'policy'");
            int j = -1;
            TRY(policy_index(L, pv, &j));
            if (j == i) return sim_cfg_errf(L->err, pv, "policy '%s' cannot be its own inner loop", p->name);
            TRY(resolve_layers(P, j, pv));
            const sim_policy *q = &L->s->policies[j];
            char why[160];
            snprintf(why, sizeof why, "; '%s' brings %d", q->name, q->nlayers);
            TRY(push_layer(L, p, &q->retry, pv, why));
            for (int k = 0; k + 1 < q->nlayers; k++) TRY(push_layer(L, p, &q->inner[k], pv, why));
            break;
        }
        pol_retry_cfg c;
        char name[SIM_NAME_MAX];
        const sim_cfg_node *ps = sim_cfg_get(in, "preset"), *r;
        if (!ps && !sim_cfg_get(in, "retry"))
            return sim_cfg_errf(L->err, in, "inner needs 'preset', 'retry' or 'policy'");
        if (ps) TRY(preset_into(L, ps, name, &c));
        else pol_retry_default(&c);
        TRY(get_submap(L, in, "retry", what, RETRY_KEYS, &r));
        if (r) TRY(load_retry(L, r, &c));
        int rc = pol_retry_validate(&c);
        if (rc) return sim_cfg_errf(L->err, r ? r : in, "the inner retry settings of policy '%s' are invalid: %s",
                                    p->name, pol_strerror(rc));
        TRY(push_layer(L, p, &c, in, ""));
    }
    P->state[i] = 2;
    return POL_OK;
}

static int load_layers(loader *L, const sim_cfg_node *root)
{
    const sim_cfg_node *list = sim_cfg_get(root, "policies");
    sim_scenario *s = L->s;
    layer_pass P = { L, list, calloc((size_t)s->npolicies, 1) };
    if (!P.state) return sim_cfg_errf(L->err, NULL, "out of memory");
    int rc = POL_OK;
    for (int i = 0; rc == POL_OK && i < s->npolicies; i++) rc = resolve_layers(&P, i, NULL);
    free(P.state);
    return rc;
}

/* ---- workload -------------------------------------------------------------- */

static const char *const WORKLOAD_KEYS[] = {
    "loop", "clients", "think", "requests_per_client", "start", "stagger", "rate", "arrivals_csv",
    "classes", "prompt_tokens", "output_tokens", "deadline", "stream", NULL };
static const char *const CLASS_KEYS[] = { "name", "weight", "prompt_tokens", "output_tokens", "deadline", "policy",
                                          "stream", NULL };
static const char *const LOOPS[] = { "closed", "open", "trace" };

/* Keys that only one loop kind reads; writing them for another is an error. */
static int check_loop_keys(loader *L, const sim_cfg_node *w, sim_loop loop)
{
    static const struct { const char *key; sim_loop loop; } only[] = {
        { "clients", SIM_LOOP_CLOSED }, { "think", SIM_LOOP_CLOSED }, { "requests_per_client", SIM_LOOP_CLOSED },
        { "start", SIM_LOOP_CLOSED }, { "stagger", SIM_LOOP_CLOSED }, { "rate", SIM_LOOP_OPEN },
        { "arrivals_csv", SIM_LOOP_TRACE } };
    for (size_t i = 0; i < sizeof only / sizeof only[0]; i++)
        if (only[i].loop != loop && sim_cfg_key_node(w, only[i].key))
            return sim_cfg_errf(L->err, sim_cfg_key_node(w, only[i].key), "'%s' applies only to loop: %s (this workload is loop: %s)",
                                only[i].key, LOOPS[only[i].loop], LOOPS[loop]);
    return POL_OK;
}

/* Fills a class from map m (shorthand keys of the workload, or a classes entry). */
static int load_class_fields(loader *L, const sim_cfg_node *m, sim_class *c)
{
    const char *dir = L->doc.dir;
    TRY(sim_cfg_get_dist(m, "prompt_tokens", 0, 0, dir, "1000", &c->prompt_tokens, L->err));
    TRY(sim_cfg_get_dist(m, "output_tokens", 0, 0, dir, "300", &c->output_tokens, L->err));
    TRY(sim_cfg_get_duration(m, "deadline", 0, 0, &c->deadline, L->err));
    c->policy = -1;
    c->weight = 1;
    c->stream = -1;
    if (sim_cfg_get(m, "stream")) TRY(sim_cfg_get_bool(m, "stream", 0, 0, &c->stream, L->err));
    return POL_OK;
}

static int load_classes(loader *L, const sim_cfg_node *w)
{
    sim_workload *wl = &L->s->workload;
    const sim_cfg_node *list;
    TRY(get_list(L, w, "classes", 0, &list));
    if (!list) {
        wl->nclasses = 1;
        snprintf(wl->classes[0].name, SIM_NAME_MAX, "default");
        return load_class_fields(L, w, &wl->classes[0]);
    }
    static const char *const shorthand[] = { "prompt_tokens", "output_tokens", "deadline", "stream" };
    for (int i = 0; i < 4; i++)
        if (sim_cfg_key_node(w, shorthand[i]))
            return sim_cfg_errf(L->err, sim_cfg_key_node(w, shorthand[i]),
                                "'%s' in workload is the shorthand for a single class; with 'classes:' set it in each class",
                                shorthand[i]);
    if (list->n == 0) return sim_cfg_errf(L->err, list, "'classes' needs at least one entry");
    if (list->n > SIM_MAX_CLASSES) return sim_cfg_errf(L->err, list, "at most %d classes", SIM_MAX_CLASSES);
    for (size_t i = 0; i < list->n; i++) {
        const sim_cfg_node *m = list->items[i];
        sim_class *c = &wl->classes[i];
        char what[96];
        snprintf(what, sizeof what, "workload.classes[%zu]", i);
        TRY(sim_cfg_want(m, SIM_CFG_MAP, what, L->err));
        wl->nclasses = (int)i + 1;
        TRY(get_unique_name(L, m, "name", SIM_CFG_REQ, "class", wl->classes[0].name, sizeof *c, (int)i, c->name));
        snprintf(what, sizeof what, "class '%s'", c->name);
        TRY(sim_cfg_check_keys(m, what, CLASS_KEYS, L->err));
        TRY(load_class_fields(L, m, c));
        TRY(sim_cfg_get_double(m, "weight", 0, 0, HUGE_VAL, 1, &c->weight, L->err));
        if (!(c->weight > 0)) return sim_cfg_errf(L->err, sim_cfg_get(m, "weight"), "weight must be > 0");
        const sim_cfg_node *pn = sim_cfg_get(m, "policy");
        if (pn) {
            if (pn->kind != SIM_CFG_SCALAR) return sim_cfg_errf(L->err, pn, "expected a policy name for 'policy'");
            TRY(policy_index(L, pn, &c->policy));
        }
    }
    return POL_OK;
}

/* ---- arrival traces ---------------------------------------------------------
 * arrivals_csv: FILE, or { file, columns, from, for, speed, loop, origin }.
 * The header names the columns (trace.h: canonical names, aliases, any
 * case, or `columns:` mappings); each row is one arrival whose cells
 * override the class's distributions; a missing column or an empty cell
 * falls back to them. Times are durations, seconds or absolute date-times
 * (then the first row is t = 0); the window [from, from + for) of the
 * trace's clock is cut, shifted to 0 and divided by speed; loop replays it
 * every period (`for`/speed, or the last arrival plus one mean gap). */

static const char *const ARRIVALS_KEYS[] = { "file", "columns", "from", "for", "speed", "loop", "origin", NULL };

typedef struct {
    loader             *L;
    const char         *mapped[SIM_COL__COUNT];     /* columns: { field: NAME } */
    const sim_cfg_node *mapnode[SIM_COL__COUNT];
    int                 col[SIM_COL__COUNT];        /* header cell of each column, -1 = absent */
    int64_t             unit[SIM_COL__COUNT];       /* ns per bare number of a time column */
    size_t              ncells;                     /* cells of the header */
    size_t              cap;
    sim_time_kind       kind;                       /* of the first row's time (0 before it) */
    int                 origin_first;               /* origin: first (always for absolute times) */
    int64_t             origin;                     /* the trace time of t = 0 */
    int64_t             last;                       /* the previous row's time, for sortedness */
    int                 last_line;
    pol_ns              from, span;                 /* the window, trace time; span 0 = to the end */
    double              speed;
    size_t              in_window;                  /* rows in the window (some may be after the run) */
    pol_ns              first_in, last_in;          /* their first and last run times */
    int64_t             deadline_max;
} arrivals_reader;

/* Appends one "src:line:col: warning: ..." line to the scenario's warnings. */
static int add_warning(loader *L, const char *src, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int add_warning(loader *L, const char *src, int line, int col, const char *fmt, ...)
{
    char msg[768];
    int n = snprintf(msg, sizeof msg, "%s:%d:%d: warning: ", src, line, col);
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof msg) vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
    va_end(ap);
    sim_err_oneline(msg, sizeof msg);
    size_t old = L->s->warnings ? strlen(L->s->warnings) : 0, add = strlen(msg);
    char *w = realloc(L->s->warnings, old + add + 2);
    if (!w) return sim_cfg_errf(L->err, NULL, "out of memory");
    memcpy(w + old, msg, add);
    w[old + add] = '\n';
    w[old + add + 1] = '\0';
    L->s->warnings = w;
    return POL_OK;
}

static int arrivals_header(arrivals_reader *r, const sim_csv_row *row, sim_err *err)
{
    int missing = -1;
    int rc = sim_trace_header(row, SIM_COL_TRACE__COUNT, r->mapped, r->col, &missing, err);
    char q[96];
    if (rc == POL_ENOTFOUND) {
        char names[512] = "";
        for (size_t i = 0; i < row->n && strlen(names) < 400; i++)
            if (sim_cfg_plausible_name(row->field[i]))
                snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "", row->field[i]);
        return sim_cfg_errf(err, r->mapnode[missing], "column '%s' (for '%s') is not in the header of %s%s%s",
                            sim_cfg_quote(r->mapped[missing], q, sizeof q), sim_col_name((sim_col)missing),
                            row->path, names[0] ? ": " : "", names);
    }
    if (rc) return rc;
    r->ncells = row->n;
    /* a near miss of a column that is absent is a typo, not a column to ignore */
    const char *canon[SIM_COL_TRACE__COUNT];
    char normed[SIM_COL_TRACE__COUNT][32];
    for (int c = 0; c < SIM_COL_TRACE__COUNT; c++) {
        snprintf(normed[c], sizeof normed[c], "%s", sim_col_name((sim_col)c));
        canon[c] = r->col[c] < 0 && !r->mapped[c] ? normed[c] : NULL;
    }
    char ignored[512] = "";
    int nignored = 0, first_ignored = 0;
    for (size_t i = 0; i < row->n; i++) {
        int used = 0;
        for (int c = 0; c < SIM_COL_TRACE__COUNT; c++) used |= r->col[c] == (int)i;
        if (used) continue;
        const char *cell = row->field[i];
        if (!sim_cfg_plausible_name(cell)) {
            if (r->col[SIM_COL_AT] < 0) break;           /* not a header: reported below, unquoted */
            return sim_cfg_errf_loc(err, row->path, row->line[i], row->col[i],
                                    "expected a column name in the header of an arrivals CSV file");
        }
        const char *s = sim_cfg_suggest(cell, canon, SIM_COL_TRACE__COUNT);
        if (s && strncasecmp(cell, s, strlen(cell) < strlen(s) ? strlen(cell) : strlen(s)))
            return sim_cfg_errf_loc(err, row->path, row->line[i], row->col[i],
                                    "unknown column '%s'; did you mean '%s'? (map a column with columns: { %s: NAME })",
                                    sim_cfg_quote(cell, q, sizeof q), s, s);
        if (!nignored++) first_ignored = (int)i;
        if (strlen(ignored) < 300)
            snprintf(ignored + strlen(ignored), sizeof ignored - strlen(ignored), "%s'%s'", nignored > 1 ? ", " : "",
                     sim_cfg_quote(cell, q, sizeof q));
    }
    if (r->col[SIM_COL_AT] < 0) {
        if (row->n == 1 && !sim_cfg_plausible_name(row->field[0]))
            return sim_cfg_errf_loc(err, row->path, row->line[0], row->col[0],
                                    "the first row is not a header naming an 'at' column (is this an arrivals CSV file?)");
        return sim_cfg_errf_loc(err, row->path, row->line[0], row->col[0],
                                "the header names no time column: expected %s, or map one with columns: { at: NAME }",
                                sim_col_aliases(SIM_COL_AT));
    }
    for (int c = 0; c < SIM_COL_TRACE__COUNT; c++)
        r->unit[c] = r->col[c] >= 0 ? sim_col_unit(row->field[r->col[c]]) : 1000000000;
    if (nignored)
        TRY(add_warning(r->L, row->path, row->line[first_ignored], row->col[first_ignored],
                    "column%s %s %s not read (an arrival trace reads at, class, prompt_tokens, output_tokens, "
                    "deadline and stream)", nignored > 1 ? "s" : "", ignored, nignored > 1 ? "are" : "is"));
    return POL_OK;
}

/* Makes room for one more arrival in every array the trace fills. */
static int arrivals_grow(arrivals_reader *r, sim_err *err)
{
    sim_workload *wl = &r->L->s->workload;
    if (wl->n_arrivals < r->cap) return POL_OK;
    size_t cap = r->cap ? 2 * r->cap : 1024;
#define GROW(field, want)                                                              \
    if (want) {                                                                        \
        void *p_ = realloc(wl->field, cap * sizeof *wl->field);                        \
        if (!p_) return sim_cfg_errf(err, NULL, "out of memory");                      \
        wl->field = p_;                                                                \
    }
    GROW(arrivals, 1)
    GROW(arrival_class, r->col[SIM_COL_CLASS] >= 0)
    GROW(arrival_prompt, r->col[SIM_COL_PROMPT] >= 0)
    GROW(arrival_output, r->col[SIM_COL_OUTPUT] >= 0)
    GROW(arrival_deadline_ms, r->col[SIM_COL_DEADLINE] >= 0)
    GROW(arrival_flags, r->col[SIM_COL_STREAM] >= 0)
#undef GROW
    r->cap = cap;
    return POL_OK;
}

/* A token count cell: empty = SIM_ARR_NO_TOKENS. */
static int arrival_tokens(const sim_csv_row *row, int i, const char *what, uint32_t *out, sim_err *err)
{
    const char *s = row->field[i];
    if (!*s) { *out = SIM_ARR_NO_TOKENS; return POL_OK; }
    double x;
    char q[96];
    if (sim_parse_double(s, &x) || x < 0 || x > SIM_ARR_MAX_TOKENS)
        return sim_cfg_errf_loc(err, row->path, row->line[i], row->col[i],
                                "expected a token count (a number in 0..%u) for '%s', got '%s'", SIM_ARR_MAX_TOKENS,
                                what, sim_cfg_quote(s, q, sizeof q));
    *out = (uint32_t)llround(x);
    return POL_OK;
}

static int arrivals_row(void *user, const sim_csv_row *row, sim_err *err)
{
    arrivals_reader *r = user;
    loader *L = r->L;
    sim_workload *wl = &L->s->workload;
    if (row->index == 0) return arrivals_header(r, row, err);
    if (row->n != r->ncells)
        return sim_cfg_errf_loc(err, row->path, row->line[0], row->col[0], "expected %zu cell%s, got %zu", r->ncells,
                                r->ncells == 1 ? "" : "s", row->n);
    char q[96];
    int ia = r->col[SIM_COL_AT];
    const char *cell = row->field[ia];
    int64_t t;
    sim_time_kind kind;
    int rc = sim_trace_time(cell, r->unit[SIM_COL_AT], &t, &kind);
    if (rc && !sim_cfg_plausible_name(cell) && !(strlen(cell) < 40 && strspn(cell, "0123456789-:.,+ TZtz") == strlen(cell)))
        return sim_cfg_errf_loc(err, row->path, row->line[ia], row->col[ia],
                                "expected a time like 1.5s, 1.5 (seconds) or 2023-11-16 18:15:46.68 (is this an arrivals CSV file?)");
    if (rc)
        return sim_cfg_errf_loc(err, row->path, row->line[ia], row->col[ia],
                                "expected a time like 1.5s, 1.5 (seconds) or 2023-11-16 18:15:46.68, got '%s'",
                                sim_cfg_quote(cell, q, sizeof q));
    if (!r->kind) {
        r->kind = kind;
        r->origin = kind == SIM_TIME_ABSOLUTE || r->origin_first ? t : 0;
    } else if (kind != r->kind)
        return sim_cfg_errf_loc(err, row->path, row->line[ia], row->col[ia],
                                "expected %s like the first row's, got '%s'",
                                r->kind == SIM_TIME_ABSOLUTE ? "a date and time" : "a duration or seconds",
                                sim_cfg_quote(cell, q, sizeof q));
    else if (t < r->last) {
        char a[32], b[32];
        return sim_cfg_errf_loc(err, row->path, row->line[ia], row->col[ia],
                                "arrivals must be sorted by time: %s comes after %s (line %d)",
                                sim_format_duration(sim_trace_since(t, r->origin), a, sizeof a),
                                sim_format_duration(sim_trace_since(r->last, r->origin), b, sizeof b), r->last_line);
    }
    r->last = t;
    r->last_line = row->line[ia];
    /* every cell is checked, in the window or not */
    uint8_t cls = SIM_ARR_ANY_CLASS, flags = 0;
    uint32_t pt = SIM_ARR_NO_TOKENS, ot = SIM_ARR_NO_TOKENS, dl = 0;
    int i = r->col[SIM_COL_CLASS];
    if (i >= 0 && row->field[i][0]) {
        sim_cfg_node at = { .kind = SIM_CFG_SCALAR, .src = row->path, .line = row->line[i], .col = row->col[i],
                            .str = (char *)row->field[i] };
        int k = 0;
        TRY(find_name(&at, "class", row->field[i], wl->classes[0].name, sizeof wl->classes[0], wl->nclasses, &k, err));
        cls = (uint8_t)k;
    }
    if ((i = r->col[SIM_COL_PROMPT]) >= 0) TRY(arrival_tokens(row, i, "prompt_tokens", &pt, err));
    if ((i = r->col[SIM_COL_OUTPUT]) >= 0) TRY(arrival_tokens(row, i, "output_tokens", &ot, err));
    if ((i = r->col[SIM_COL_DEADLINE]) >= 0 && row->field[i][0]) {
        pol_ns d;
        if (sim_trace_duration(row->field[i], r->unit[SIM_COL_DEADLINE], &d) || d / POL_NS_PER_MS > UINT32_MAX)
            return sim_cfg_errf_loc(err, row->path, row->line[i], row->col[i],
                                    "expected a deadline like 30s or 30 (seconds), at most 49 days, got '%s'",
                                    sim_cfg_quote(row->field[i], q, sizeof q));
        dl = (uint32_t)((d + POL_NS_PER_MS / 2) / POL_NS_PER_MS);
        if (d > 0 && dl == 0) dl = 1;
        if ((int64_t)dl * POL_NS_PER_MS > r->deadline_max) r->deadline_max = (int64_t)dl * POL_NS_PER_MS;
    }
    if ((i = r->col[SIM_COL_STREAM]) >= 0 && row->field[i][0]) {
        static const char *const T[] = { "true", "yes", "on", "1" }, *const F[] = { "false", "no", "off", "0" };
        int v = -1;
        for (int j = 0; j < 4; j++) {
            if (!strcasecmp(row->field[i], T[j])) v = 1;
            if (!strcasecmp(row->field[i], F[j])) v = 0;
        }
        if (v < 0)
            return sim_cfg_errf_loc(err, row->path, row->line[i], row->col[i],
                                    "expected true or false for 'stream', got '%s'", sim_cfg_quote(row->field[i], q, sizeof q));
        flags = (uint8_t)(SIM_ARR_STREAM_SET | (v ? SIM_ARR_STREAM : 0));
    }
    /* the window of the trace's clock, then the run's clock */
    int64_t tt = sim_trace_since(t, r->origin);
    if (tt < r->from || (r->span > 0 && tt - r->from >= r->span)) return POL_OK;
    double scaled = (double)(tt - r->from) / r->speed;
    pol_ns at = scaled < 9.2e18 ? (pol_ns)llround(scaled) : POL_NS_MAX;
    if (!r->in_window++) r->first_in = at;
    r->last_in = at;
    if (at >= L->s->duration) return POL_OK;                 /* after the end of the run: not replayed */
    TRY(arrivals_grow(r, err));
    size_t n = wl->n_arrivals;
    wl->arrivals[n] = at;
    if (wl->arrival_class) wl->arrival_class[n] = cls;
    if (wl->arrival_prompt) wl->arrival_prompt[n] = pt;
    if (wl->arrival_output) wl->arrival_output[n] = ot;
    if (wl->arrival_deadline_ms) wl->arrival_deadline_ms[n] = dl;
    if (wl->arrival_flags) wl->arrival_flags[n] = flags;
    wl->n_arrivals = n + 1;
    return POL_OK;
}

/* Reads the CSV file named by node f (relative to the scenario) row by row. */
static int read_csv_at(loader *L, const sim_cfg_node *f, const char *key, const char *expect,
                       sim_csv_row_fn fn, void *user)
{
    if (f->kind != SIM_CFG_SCALAR) return sim_cfg_errf(L->err, f, "expected a file name for '%s'", key);
    char path[SIM_PATH_MAX];
    if (sim_cfg_resolve(L->doc.dir, f->str, path, sizeof path)) return sim_cfg_errf(L->err, f, "path too long");
    int rc = sim_cfg_csv_read_input(path, expect, fn, user, L->err);
    if (rc == POL_ENOTFOUND || rc == POL_ENOMEM) {      /* no row to point at: point at the key */
        sim_err e = *L->err;
        return sim_cfg_errf(L->err, f, "%s", e.msg);
    }
    return rc ? SIM_ELOCATED : POL_OK;
}

static int load_arrivals(loader *L, const sim_cfg_node *w)
{
    sim_workload *wl = &L->s->workload;
    const sim_cfg_node *a, *f;
    TRY(sim_cfg_find(w, "arrivals_csv", SIM_CFG_REQ, &a, L->err));
    arrivals_reader r = { .L = L, .speed = 1 };
    f = a;
    if (a->kind == SIM_CFG_MAP) {
        TRY(sim_cfg_check_keys(a, "arrivals_csv", ARRIVALS_KEYS, L->err));
        TRY(sim_cfg_find(a, "file", SIM_CFG_REQ, &f, L->err));
        const sim_cfg_node *cols = sim_cfg_get(a, "columns");
        if (cols) {
            TRY(sim_cfg_want(cols, SIM_CFG_MAP, "columns (field: header name)", L->err));
            const char *fields[SIM_COL_TRACE__COUNT + 1];
            for (int c = 0; c < SIM_COL_TRACE__COUNT; c++) fields[c] = sim_col_name((sim_col)c);
            fields[SIM_COL_TRACE__COUNT] = NULL;
            TRY(sim_cfg_check_keys(cols, "arrivals_csv.columns", fields, L->err));
            for (size_t i = 0; i < cols->n; i++) {
                int c = sim_col_lookup(cols->keys[i]->str);
                const sim_cfg_node *v = cols->items[i];
                if (v->kind == SIM_CFG_NULL) continue;
                if (v->kind != SIM_CFG_SCALAR || !v->str[0])
                    return sim_cfg_errf(L->err, v, "expected a column name of the CSV header for '%s'", cols->keys[i]->str);
                r.mapped[c] = v->str;
                r.mapnode[c] = v;
            }
        }
        TRY(sim_cfg_get_duration(a, "from", 0, 0, &r.from, L->err));
        TRY(sim_cfg_get_duration(a, "for", SIM_CFG_POS, 0, &r.span, L->err));
        TRY(sim_cfg_get_double(a, "speed", 0, 0, 1e6, 1, &r.speed, L->err));
        if (!(r.speed > 0)) return sim_cfg_errf(L->err, sim_cfg_get(a, "speed"), "speed must be > 0 (2 = twice as fast)");
        TRY(sim_cfg_get_bool(a, "loop", 0, 0, &wl->arrivals_loop, L->err));
        static const char *const ORIGINS[] = { "zero", "first" };
        int o;
        TRY(sim_cfg_get_enum(a, "origin", 0, ORIGINS, 2, 0, &o, L->err));
        r.origin_first = o;
    } else if (a->kind != SIM_CFG_SCALAR)
        return sim_cfg_errf(L->err, a, "expected a file name or a map { file, columns, from, for, speed, loop, origin } "
                            "for 'arrivals_csv'");
    TRY(read_csv_at(L, f, "arrivals_csv", "a header naming the columns: at, and any of class, prompt_tokens, "
                    "output_tokens, deadline, stream; then one arrival per row", arrivals_row, &r));
    char d1[32], d2[32];
    if (!r.in_window && (r.from > 0 || r.span > 0))
        return sim_cfg_errf(L->err, a, "'%s' has no arrivals in the window from %s%s%s", f->str,
                            sim_format_duration(r.from, d1, sizeof d1), r.span ? " for " : "",
                            r.span ? sim_format_duration(r.span, d2, sizeof d2) : "");
    if (!wl->n_arrivals) return sim_cfg_errf(L->err, f, "'%s' has no arrivals before the end of the run", f->str);
    wl->arrival_deadline_max = r.deadline_max;
    if (wl->arrival_prompt || wl->arrival_output) {
        /* the requests' mean tokens (the model's capacity in requests/s under a TPM
         * limit): a row's own count, else its class's mean (the weighted one for
         * rows without a class) */
        double wsum = 0, pm = 0, om = 0, sp = 0, so = 0;
        for (int k = 0; k < wl->nclasses; k++) {
            wsum += wl->classes[k].weight;
            pm += wl->classes[k].weight * sim_dist_mean(&wl->classes[k].prompt_tokens);
            om += wl->classes[k].weight * sim_dist_mean(&wl->classes[k].output_tokens);
        }
        pm /= wsum;
        om /= wsum;
        for (size_t i = 0; i < wl->n_arrivals; i++) {
            int k = wl->arrival_class && wl->arrival_class[i] != SIM_ARR_ANY_CLASS ? wl->arrival_class[i] : -1;
            uint32_t p = wl->arrival_prompt ? wl->arrival_prompt[i] : SIM_ARR_NO_TOKENS;
            uint32_t o = wl->arrival_output ? wl->arrival_output[i] : SIM_ARR_NO_TOKENS;
            sp += p != SIM_ARR_NO_TOKENS ? (double)p : k >= 0 ? sim_dist_mean(&wl->classes[k].prompt_tokens) : pm;
            /* as the model rounds: at least one output token */
            so += o != SIM_ARR_NO_TOKENS ? (o < 1 ? 1.0 : (double)o) : k >= 0 ? sim_dist_mean(&wl->classes[k].output_tokens) : om;
        }
        wl->arrival_has_tokens = 1;
        wl->arrival_prompt_mean = sp / (double)wl->n_arrivals;
        wl->arrival_output_mean = so / (double)wl->n_arrivals;
    }
    if (wl->arrivals_loop) {
        double p = r.span > 0 ? (double)r.span / r.speed
                 : (double)r.last_in + (r.in_window > 1 ? (double)(r.last_in - r.first_in) / (double)(r.in_window - 1) : 0);
        wl->arrivals_period = p < 9.2e18 ? (pol_ns)llround(p) : POL_NS_MAX;
        if (wl->arrivals_period <= r.last_in) wl->arrivals_period = r.last_in + 1;
        if (wl->arrivals_period <= 0 || (r.span == 0 && r.in_window < 2 && r.last_in == 0))
            return sim_cfg_errf(L->err, sim_cfg_get(a, "loop"),
                                "loop: true needs a window ('for') or a trace that spans more than one instant");
    }
    return POL_OK;
}

static int load_workload(loader *L, const sim_cfg_node *root)
{
    static const char *const STARTS[] = { "staggered", "synchronized" };
    sim_workload *wl = &L->s->workload;
    const sim_cfg_node *w;
    TRY(sim_cfg_find(root, "workload", SIM_CFG_REQ, &w, L->err));
    TRY(sim_cfg_check_keys(w, "workload", WORKLOAD_KEYS, L->err));
    int e;
    TRY(sim_cfg_get_enum(w, "loop", 0, LOOPS, 3, SIM_LOOP_CLOSED, &e, L->err));
    wl->loop = (sim_loop)e;
    TRY(check_loop_keys(L, w, wl->loop));
    TRY(load_classes(L, w));
    if (wl->loop == SIM_LOOP_OPEN)
        return sim_cfg_get_rate(w, "rate", SIM_CFG_REQ | SIM_CFG_POS, 0, &wl->rate, L->err);
    if (wl->loop == SIM_LOOP_TRACE) return load_arrivals(L, w);
    TRY(get_i32(w, "clients", SIM_CFG_REQ, 1, 10000000, 0, &wl->clients, L->err));
    TRY(sim_cfg_get_dist(w, "think", 0, 1, L->doc.dir, "0", &wl->think, L->err));
    TRY(get_i32(w, "requests_per_client", 0, 0, INT32_MAX, 0, &wl->requests_per_client, L->err));
    TRY(sim_cfg_get_enum(w, "start", 0, STARTS, 2, SIM_START_STAGGER, &e, L->err));
    wl->start = (sim_start)e;
    double m = sim_dist_mean(&wl->think);
    pol_ns def = isfinite(m) && m >= 1 && m < 9e18 ? (pol_ns)llround(m) : POL_NS_PER_S;
    return sim_cfg_get_duration(w, "stagger", 0, def, &wl->stagger, L->err);
}

/* ---- timeline -------------------------------------------------------------- */

static const char *const CHANGE_KEYS[] = { "at", "for", "provider", "set", NULL };

static int load_change(loader *L, const sim_cfg_node *n, const char *what, sim_change *c)
{
    sim_scenario *s = L->s;
    TRY(sim_cfg_check_keys(n, what, CHANGE_KEYS, L->err));
    c->line = n->line;
    c->col = n->col;
    TRY(sim_cfg_get_duration(n, "at", SIM_CFG_REQ, 0, &c->at, L->err));
    TRY(sim_cfg_get_duration(n, "for", 0, 0, &c->dur, L->err));
    char a[32], b[32];
    if (c->at >= s->duration)
        return sim_cfg_errf(L->err, sim_cfg_get(n, "at"), "at %s is outside the run (duration %s)",
                            sim_format_duration(c->at, a, sizeof a), sim_format_duration(s->duration, b, sizeof b));
    if (c->dur > s->duration - c->at)
        return sim_cfg_errf(L->err, sim_cfg_get(n, "for"), "the window ends at %s, after the end of the run (duration %s)",
                            sim_format_duration(c->at + c->dur, a, sizeof a), sim_format_duration(s->duration, b, sizeof b));
    const sim_cfg_node *pv = sim_cfg_get(n, "provider");
    c->provider = -1;
    if (pv) {
        if (pv->kind != SIM_CFG_SCALAR) return sim_cfg_errf(L->err, pv, "expected a provider name for 'provider'");
        TRY(provider_index(L, pv, &c->provider));
    }
    const sim_cfg_node *set;
    TRY(sim_cfg_find(n, "set", SIM_CFG_REQ, &set, L->err));
    TRY(sim_cfg_want(set, SIM_CFG_MAP, "set", L->err));
    if (set->n == 0) return sim_cfg_errf(L->err, set, "empty 'set': name at least one parameter to change");
    const char *allowed[NPARAMS + 2];
    for (size_t i = 0; i < NPARAMS; i++) allowed[i] = PARAMS[i].key;
    allowed[NPARAMS] = "rate";
    allowed[NPARAMS + 1] = NULL;
    char sw[128];
    snprintf(sw, sizeof sw, "%s set", what);
    TRY(sim_cfg_check_keys(set, sw, allowed, L->err));
    params_default(&c->set);
    for (size_t i = 0; i < set->n; i++) {
        const sim_cfg_node *k = set->keys[i], *v = set->items[i];
        const param_field *f = param_find(k->str);
        if (v->kind == SIM_CFG_NULL) return sim_cfg_errf(L->err, k, "'%s' needs a value", k->str);
        if (!f) {                                   /* rate: the workload's */
            if (c->provider >= 0)
                return sim_cfg_errf(L->err, k, "'rate' changes the workload's arrival rate, not a provider's: "
                                               "put it in an entry without 'provider'");
            if (s->workload.loop != SIM_LOOP_OPEN)
                return sim_cfg_errf(L->err, k, "'rate' changes need workload loop: open");
            TRY(sim_cfg_as_rate(v, "rate", 0, &c->rate, L->err));
            c->mask |= SIM_SET_RATE;
            continue;
        }
        if (c->provider < 0)
            return sim_cfg_errf(L->err, k, "'%s' is a provider parameter: name the provider with 'provider:'", k->str);
        TRY(set_param(f, f->key, v, &c->set, &c->mask, L->err));
    }
    return POL_OK;
}

static int push_change(loader *L, const sim_change *c, int *cap)
{
    sim_scenario *s = L->s;
    if (s->ntimeline == *cap) {
        int nc = *cap ? 2 * *cap : 16;
        sim_change *t = realloc(s->timeline, (size_t)nc * sizeof *t);
        if (!t) return sim_cfg_errf(L->err, NULL, "out of memory");
        s->timeline = t;
        *cap = nc;
    }
    s->timeline[s->ntimeline++] = *c;
    return POL_OK;
}

/* timeline_csv: header at,for,provider,key,value (any order; for and
 * provider optional); each row becomes a document node typed like a YAML entry. */
enum { TC_AT, TC_FOR, TC_PROVIDER, TC_KEY, TC_VALUE, TC__N };
static const char *const TC_COLS[TC__N] = { "at", "for", "provider", "key", "value" };

typedef struct {
    loader *L;
    int     col_of[TC__N];      /* column index of each field, -1 = absent */
    size_t  ncols;
    size_t  rows;               /* changes read (rows after the header) */
    int    *cap;
} trace_reader;

static sim_cfg_node *cell_node(const sim_csv_row *row, int i, const char *text)
{
    return sim_cfg_new(SIM_CFG_SCALAR, row->path, row->line[i], row->col[i], text);
}

static int trace_header(trace_reader *t, const sim_csv_row *row, sim_err *err)
{
    for (int k = 0; k < TC__N; k++) t->col_of[k] = -1;
    for (size_t i = 0; i < row->n; i++) {
        int k = 0;
        while (k < TC__N && strcmp(TC_COLS[k], row->field[i])) k++;
        if (k == TC__N && !sim_cfg_plausible_name(row->field[i]))
            return sim_cfg_errf_loc(err, row->path, row->line[i], row->col[i],
                                    "the first row is not a header of at,for,provider,key,value "
                                    "(is this a timeline CSV file?)");
        if (k == TC__N || t->col_of[k] >= 0) {
            char msg[256];
            snprintf(msg, sizeof msg, "%s column '%s' in the header (expected at,for,provider,key,value)",
                     k == TC__N ? "unknown" : "duplicate", row->field[i]);
            if (k == TC__N) sim_cfg_did_you_mean(msg, sizeof msg, row->field[i], TC_COLS, TC__N);
            return sim_cfg_errf_loc(err, row->path, row->line[i], row->col[i], "%s", msg);
        }
        t->col_of[k] = (int)i;
    }
    if (t->col_of[TC_AT] < 0 || t->col_of[TC_KEY] < 0 || t->col_of[TC_VALUE] < 0)
        return sim_cfg_errf_loc(err, row->path, row->line[0], row->col[0],
                                "the header must name the columns at, key and value (and optionally for, provider)");
    t->ncols = row->n;
    return POL_OK;
}

static int trace_row(void *user, const sim_csv_row *row, sim_err *err)
{
    trace_reader *t = user;
    if (row->index == 0) return trace_header(t, row, err);
    if (row->n != t->ncols)
        return sim_cfg_errf_loc(err, row->path, row->line[0], row->col[0], "expected %zu cells as in the header, got %zu",
                                t->ncols, row->n);
    if (++t->rows > SIM_MAX_TIMELINE)
        return sim_cfg_errf_loc(err, row->path, row->line[0], row->col[0], "more than %d timeline changes", SIM_MAX_TIMELINE);
    sim_cfg_node *m = sim_cfg_new(SIM_CFG_MAP, row->path, row->line[0], row->col[0], NULL);
    sim_cfg_node *set = sim_cfg_new(SIM_CFG_MAP, row->path, row->line[t->col_of[TC_KEY]], row->col[t->col_of[TC_KEY]], NULL);
    int rc = m && set ? POL_OK : POL_ENOMEM;
    for (int k = TC_AT; !rc && k <= TC_PROVIDER; k++) {
        int i = t->col_of[k];
        if (i < 0 || !row->field[i][0]) continue;
        char buf[64];
        const char *text = row->field[i];
        double sec;
        if (k != TC_PROVIDER && sim_parse_double(text, &sec) == POL_OK && strlen(text) < 60) {
            snprintf(buf, sizeof buf, "%ss", text);            /* bare seconds */
            text = buf;
        }
        rc = sim_cfg_put(m, cell_node(row, i, TC_COLS[k]), cell_node(row, i, text));
    }
    int ki = t->col_of[TC_KEY], vi = t->col_of[TC_VALUE];
    if (!rc) rc = sim_cfg_put(set, cell_node(row, ki, row->field[ki]),
                              row->field[vi][0] ? cell_node(row, vi, row->field[vi])
                                                : sim_cfg_new(SIM_CFG_NULL, row->path, row->line[vi], row->col[vi], NULL));
    if (!rc) { rc = sim_cfg_put(m, cell_node(row, ki, "set"), set); set = NULL; }
    if (rc) rc = sim_cfg_errf(err, NULL, "out of memory");
    sim_change c = { 0 };
    if (!rc) rc = load_change(t->L, m, "the trace row", &c);
    if (!rc) rc = push_change(t->L, &c, t->cap);
    sim_cfg_node_free(m);
    sim_cfg_node_free(set);
    return rc;
}

typedef struct { sim_change c; int seq; } change_ord;

static int change_cmp(const void *a, const void *b)
{
    const change_ord *x = a, *y = b;
    if (x->c.at != y->c.at) return x->c.at < y->c.at ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static int sort_timeline(loader *L)
{
    sim_scenario *s = L->s;
    if (s->ntimeline < 2) return POL_OK;
    change_ord *o = malloc((size_t)s->ntimeline * sizeof *o);
    if (!o) return sim_cfg_errf(L->err, NULL, "out of memory");
    for (int i = 0; i < s->ntimeline; i++) { o[i].c = s->timeline[i]; o[i].seq = i; }
    qsort(o, (size_t)s->ntimeline, sizeof *o, change_cmp);
    for (int i = 0; i < s->ntimeline; i++) s->timeline[i] = o[i].c;
    free(o);
    return POL_OK;
}

static int load_timeline(loader *L, const sim_cfg_node *root)
{
    const sim_cfg_node *list, *csv;
    int cap = 0;
    TRY(get_list(L, root, "timeline", 0, &list));
    for (size_t i = 0; list && i < list->n; i++) {
        char what[64];
        snprintf(what, sizeof what, "timeline[%zu]", i);
        sim_change c = { 0 };
        TRY(load_change(L, list->items[i], what, &c));
        TRY(push_change(L, &c, &cap));
    }
    if (sim_cfg_find(root, "timeline_csv", 0, &csv, L->err) > 0) {
        trace_reader t = { .L = L, .cap = &cap };
        TRY(read_csv_at(L, csv, "timeline_csv", "the header at,for,provider,key,value, then one change per row",
                        trace_row, &t));
        if (t.rows == 0)
            return sim_cfg_errf(L->err, csv, "'%s' has a header and no change", csv->str);
    }
    return sort_timeline(L);
}

/* ---- expectations ---------------------------------------------------------- */

static const char *const EXPECT_KEYS[] = { "policy", "metric", "min", "max", "on", "better", "than", "lower_is_better",
                                            "class", NULL };

/* A policy name under key into buf (SIM_NAME_MAX), checked to exist. */
static int get_policy_ref(loader *L, const sim_cfg_node *m, const char *key, char *buf)
{
    const sim_cfg_node *v;
    TRY(sim_cfg_find(m, key, SIM_CFG_REQ, &v, L->err));
    TRY(sim_cfg_as_string(v, key, buf, SIM_NAME_MAX, L->err));
    int idx;
    return policy_index(L, v, &idx);
}

static int load_expect_one(loader *L, const sim_cfg_node *m, int idx, void *elem)
{
    sim_expect *x = elem;
    static const char *const ONS[] = { "mean", "upper", "lower" };
    static const char *const BOUND_ONLY[] = { "policy", "min", "max" }, *const CMP_ONLY[] = { "better", "than", "lower_is_better" };
    char what[64];
    snprintf(what, sizeof what, "expect[%d]", idx);
    TRY(sim_cfg_check_keys(m, what, EXPECT_KEYS, L->err));
    x->line = m->line;
    x->col = m->col;
    x->is_comparison = sim_cfg_key_node(m, "better") != NULL;
    const char *const *wrong = x->is_comparison ? BOUND_ONLY : CMP_ONLY;
    for (int i = 0; i < 3; i++)
        if (sim_cfg_key_node(m, wrong[i]))
            return sim_cfg_errf(L->err, sim_cfg_key_node(m, wrong[i]),
                                x->is_comparison ? "'%s' belongs to the bound form {policy, metric, min, max}, not to {better, than, metric}"
                                                 : "'%s' belongs to the comparison form {better, than, metric}, not to {policy, metric, min, max}",
                                wrong[i]);
    const sim_cfg_node *mv;
    TRY(sim_cfg_find(m, "metric", SIM_CFG_REQ, &mv, L->err));
    char metric[64];
    TRY(sim_cfg_as_string(mv, "metric", metric, sizeof metric, L->err));
    int id = sim_metric_lookup(metric);
    if (id < 0) {
        char msg[512];
        snprintf(msg, sizeof msg, "unknown metric '%s'", metric);
        sim_cfg_did_you_mean(msg, sizeof msg, metric, METRIC_NAMES, SIM_M__COUNT);
        return sim_cfg_errf(L->err, mv, "%s (the metrics are listed in docs/metrics.md)", msg);
    }
    x->metric = (sim_metric_id)id;
    int on;
    TRY(sim_cfg_get_enum(m, "on", 0, ONS, 3, SIM_ON_MEAN, &on, L->err));
    x->on = (sim_on)on;
    x->cls = -1;
    const sim_cfg_node *cn = sim_cfg_get(m, "class");
    if (cn) {
        const sim_workload *wl = &L->s->workload;
        TRY(sim_cfg_want(cn, SIM_CFG_SCALAR, "class", L->err));
        TRY(find_name(cn, "class", cn->str, wl->classes[0].name, sizeof wl->classes[0], wl->nclasses, &x->cls, L->err));
        if (!sim_metric_per_class((sim_metric_id)id)) {
            char list[600] = "";
            for (int k = 0; k < SIM_M__COUNT; k++)
                if (!sim_metric_per_class((sim_metric_id)k))
                    snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", list[0] ? ", " : "",
                             sim_metric_name((sim_metric_id)k));
            return sim_cfg_errf(L->err, mv, "'%s' is not measured per class (these are not: %s)", metric, list);
        }
    }
    if (x->is_comparison) {
        TRY(get_policy_ref(L, m, "better", x->better));
        TRY(get_policy_ref(L, m, "than", x->than));
        if (!strcmp(x->better, x->than))
            return sim_cfg_errf(L->err, sim_cfg_get(m, "than"), "'better' and 'than' name the same policy");
        return sim_cfg_get_bool(m, "lower_is_better", 0, sim_metric_lower_is_better(x->metric), &x->lower_is_better, L->err);
    }
    TRY(get_policy_ref(L, m, "policy", x->policy));
    x->has_min = sim_cfg_get(m, "min") != NULL;
    x->has_max = sim_cfg_get(m, "max") != NULL;
    if (!x->has_min && !x->has_max) return sim_cfg_errf(L->err, m, "an expectation needs 'min', 'max' or both");
    TRY(sim_cfg_get_double(m, "min", 0, -HUGE_VAL, HUGE_VAL, 0, &x->min, L->err));
    TRY(sim_cfg_get_double(m, "max", 0, -HUGE_VAL, HUGE_VAL, 0, &x->max, L->err));
    if (x->has_min && x->has_max && x->min > x->max)
        return sim_cfg_errf(L->err, sim_cfg_get(m, "max"), "max must be >= min");
    x->lower_is_better = sim_metric_lower_is_better(x->metric);
    return POL_OK;
}

/* ---- derived sizes ---------------------------------------------------------- */

/* buckets x providers: the model's per-bucket counters. */
static int check_buckets(loader *L, const sim_cfg_node *root)
{
    sim_scenario *s = L->s;
    uint64_t cells = sim_scenario_buckets(s) * (uint64_t)s->nproviders;
    if (cells <= SIM_MAX_BUCKET_CELLS) return POL_OK;
    const sim_cfg_node *at = sim_cfg_get(root, "bucket");
    char b[32];
    return sim_cfg_errf(L->err, at ? at : sim_cfg_get(root, "duration"),
                        "%llu buckets x %d providers = %llu time-series cells: at most %d (use a wider bucket than %s)",
                        (unsigned long long)sim_scenario_buckets(s), s->nproviders, (unsigned long long)cells,
                        SIM_MAX_BUCKET_CELLS, sim_format_duration(s->bucket, b, sizeof b));
}

/* policies x replications: the runs whose metrics are kept. */
static int check_runs(loader *L, const sim_cfg_node *root)
{
    sim_scenario *s = L->s;
    uint64_t runs = (uint64_t)s->npolicies * (uint64_t)s->replications;
    if (runs <= SIM_MAX_RUNS) return POL_OK;
    const sim_cfg_node *at = sim_cfg_get(root, "replications");
    return sim_cfg_errf(L->err, at ? at : sim_cfg_get(root, "policies"),
                        "%d policies x %d replications = %llu runs: at most %d", s->npolicies, s->replications,
                        (unsigned long long)runs, SIM_MAX_RUNS);
}

/* ---- entry points ---------------------------------------------------------- */

/* The file (text NULL) or len bytes of text named path. */
static int scenario_load(const char *path, const char *text, size_t len, const char *const *overrides,
                         int noverrides, sim_scenario *out, sim_err *err)
{
    sim_err dummy;
    if (!err) err = &dummy;
    err->msg[0] = '\0';
    if (!path || !out) return sim_cfg_errf(err, NULL, "no scenario file");
    memset(out, 0, sizeof *out);
    if (strlen(path) >= sizeof out->path) return sim_cfg_errf(err, NULL, "%s: path too long", path);
    strcpy(out->path, path);
    loader L = { .s = out, .err = err };
    int rc = text ? sim_cfg_load_mem(text, len, path, &L.doc, err) : sim_cfg_load(path, &L.doc, err);
    if (rc) return rc;
    sim_buf warnings = { 0 };
    rc = sim_import_expand(&L.doc, &warnings, err);
    out->warnings = warnings.s;
    for (int i = 0; !rc && i < noverrides; i++) rc = sim_cfg_override(&L.doc, overrides[i], err);
    const sim_cfg_node *root = L.doc.root;
    if (!rc) rc = sim_cfg_want(root, SIM_CFG_MAP, "the scenario (key: value lines)", err);
    if (!rc) rc = load_top(&L, root);
    if (!rc) rc = load_array(&L, root, "providers", SIM_CFG_REQ, SIM_MAX_PROVIDERS, sizeof *out->providers,
                             &out->providers, &out->nproviders, load_provider);
    if (!rc) rc = check_buckets(&L, root);
    if (!rc) rc = load_array(&L, root, "policies", SIM_CFG_REQ, SIM_MAX_POLICIES, sizeof *out->policies,
                             &out->policies, &out->npolicies, load_policy);
    if (!rc) rc = check_runs(&L, root);
    if (!rc) rc = load_layers(&L, root);
    if (!rc) rc = load_workload(&L, root);
    if (!rc) rc = load_timeline(&L, root);
    if (!rc) rc = load_array(&L, root, "expect", 0, (size_t)INT_MAX, sizeof *out->expect, &out->expect,
                             &out->nexpect, load_expect_one);
    sim_cfg_free(&L.doc);
    if (rc) {
        sim_scenario_free(out);
        strcpy(out->path, path);
    }
    return rc < 0 ? rc : rc ? POL_EINVAL : POL_OK;
}

int sim_scenario_load(const char *path, const char *const *overrides, int noverrides,
                      sim_scenario *out, sim_err *err)
{
    return scenario_load(path, NULL, 0, overrides, noverrides, out, err);
}

int sim_scenario_load_mem(const char *text, size_t len, const char *name, const char *const *overrides,
                          int noverrides, sim_scenario *out, sim_err *err)
{
    return scenario_load(name, text ? text : "", text ? len : 0, overrides, noverrides, out, err);
}

void sim_scenario_free(sim_scenario *s)
{
    if (!s) return;
    for (int i = 0; s->providers && i < s->nproviders; i++) {
        sim_provider *p = &s->providers[i];
        sim_dist_free(&p->ttft);
        sim_dist_free(&p->per_token);
        sim_dist_free(&p->service);
        sim_dist_free(&p->net_latency);
    }
    for (int i = 0; i < s->workload.nclasses && i < SIM_MAX_CLASSES; i++) {
        sim_dist_free(&s->workload.classes[i].prompt_tokens);
        sim_dist_free(&s->workload.classes[i].output_tokens);
    }
    sim_dist_free(&s->workload.think);
    sim_dist_free(&s->net_latency);
    free(s->workload.arrivals);
    free(s->workload.arrival_class);
    free(s->workload.arrival_prompt);
    free(s->workload.arrival_output);
    free(s->workload.arrival_deadline_ms);
    free(s->workload.arrival_flags);
    free(s->providers);
    free(s->timeline);
    free(s->policies);
    free(s->expect);
    free(s->warnings);
    memset(s, 0, sizeof *s);
}

int sim_scenario_find_provider(const sim_scenario *s, const char *name)
{
    for (int i = 0; s && name && i < s->nproviders; i++)
        if (!strcmp(s->providers[i].name, name)) return i;
    return -1;
}

int sim_scenario_find_policy(const sim_scenario *s, const char *name)
{
    for (int i = 0; s && name && i < s->npolicies; i++)
        if (!strcmp(s->policies[i].name, name)) return i;
    return -1;
}
