/* scenario_stateful.c — parses the stateful parts of a policy entry (see
 * scenario_stateful.h and docs/scenario-format.md, "Stateful policies").
 *
 * Each part is one row of PARTS[]: its key, its kind key (parsed with the
 * library's own pol_*_kind_parse, suggestions from its pol_*_kind_name
 * table), how its defaults are set (pol_*_default), a table of key bindings
 * (key -> field of its cfg struct by offsetof, with a type and a range, like
 * scenario.c's PARAMS[]), an optional hook for the keys that are not a plain
 * field, and the library's _validate. The allowed keys of a part are its
 * bindings, its hook's keys, "kind" and "scope": they cannot drift apart.
 * A part starts from the library's documented defaults for its kind, or
 * from a stack preset, and the file's keys override them. Unknown keys get
 * a did-you-mean, like everywhere in the loader. Keys are read in table
 * order, so the first error reported is the first key in that order.
 * Cost: linear in the policy's keys.
 */
#include "scenario_stateful.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRY(x) do { int rc_ = (x); if (rc_ < 0) return rc_; } while (0)

/* ---- typed key bindings --------------------------------------------------- */
typedef enum {
    B_INT,          /* int, in [lo, hi] */
    B_INT64,        /* int64_t, in [lo, hi] */
    B_DOUBLE,       /* double, in [lo, hi] */
    B_PERCENT,      /* double percent, "10%" or 10 */
    B_FRACTION,     /* double fraction, written as a percent */
    B_DURATION,     /* pol_ns >= 0 */
    B_DURATION_POS, /* pol_ns > 0 */
    B_BOOL,         /* int 0/1 */
    B_FAILMASK,     /* pol_failmask: a list of outcomes (retry_on's items) */
    B_ENUM          /* a library enum, by the names (index = value) */
} bind_type;

typedef struct {
    const char *key;
    bind_type   type;
    size_t      off;        /* of the field in the part's cfg struct */
    double      lo, hi;
    const char *const *names; size_t nnames;   /* B_ENUM */
} bind;

/* ---- the parts ------------------------------------------------------------ */
typedef struct part_spec part_spec;
typedef int (*hook_fn)(const sim_cfg_node *m, const part_spec *ps, int ntargets, sim_stateful *st, sim_err *err);

struct part_spec {
    sim_part    part;
    size_t      cfg_off;                    /* of its cfg in sim_stateful */
    /* kind: kind_key NULL = the part has no kinds */
    const char *kind_key;                   /* "kind", or "strategy" */
    int         kind_required;
    int         default_kind;               /* when the key is absent and no preset set one */
    int         nkinds;
    const char *(*kind_name)(int k);
    int         (*kind_parse)(const char *name, int *out);
    int         (*kind_of)(const void *cfg);
    /* defaults: set_default(kind, cfg) when the part starts or changes kind
     * (always_default: every time its key appears, whatever a preset set) */
    void        (*set_default)(int kind, void *cfg);
    int          always_default;
    const bind  *binds;  size_t nbinds;
    const char *const *hook_keys;           /* NULL-terminated; the keys the hooks read */
    hook_fn      pre, post;                 /* run before / after the bindings (NULL: none) */
    int          (*validate)(const void *cfg);
    int          has_scope;                 /* "scope:" is allowed: 1 any scope, 2 global or class (the monitor) */
};

/* Wrappers over the library's typed functions (no function-pointer casts). */
#define KINDS(pfx, T)                                                                            \
    static const char *pfx##_kname(int k) { return pol_##pfx##_kind_name((T)k); }                 \
    static int pfx##_kparse(const char *s, int *out)                                              \
    {                                                                                             \
        T k;                                                                                      \
        int rc = pol_##pfx##_kind_parse(s, &k);                                                   \
        if (rc == POL_OK) *out = (int)k;                                                          \
        return rc;                                                                                \
    }                                                                                             \
    static int pfx##_kof(const void *c) { return (int)((const pol_##pfx##_cfg *)c)->kind; }       \
    static void pfx##_kdefault(int k, void *c) { pol_##pfx##_default((T)k, c); }
#define VALID(pfx) static int pfx##_valid(const void *c) { return pol_##pfx##_validate(c); }
#define DEFAULT0(pfx) static void pfx##_default0(int k, void *c) { (void)k; pol_##pfx##_default(c); }

KINDS(breaker, pol_breaker_kind)
KINDS(budget, pol_budget_kind)
KINDS(throttle, pol_throttle_kind)
KINDS(cooldown, pol_cooldown_kind)
KINDS(lb, pol_lb_kind)
VALID(breaker)
VALID(budget)
VALID(throttle)
VALID(cooldown)
VALID(hedge)
DEFAULT0(quota)
DEFAULT0(hedge)
DEFAULT0(monitor)

#define BIND(T, key, type, field, lo, hi) { key, type, offsetof(T, field), lo, hi, NULL, 0 }
#define N(a) (sizeof (a) / sizeof (a)[0])
/* an enum field of the library (an int-sized enum), named by `names` */
#define BIND_ENUM(T, key, field, names) { key, B_ENUM, offsetof(T, field), 0, 0, names, N(names) }
#define BIG 1e15

/* window: count | time (pol_window_kind; the library has no name table for it) */
static const char *const WINDOW_KINDS[] = { "count", "time" };

static int breaker_hook(const sim_cfg_node *m, const part_spec *ps, int ntargets, sim_stateful *st, sim_err *err)
{
    (void)ps; (void)ntargets;
    int wk = (int)st->breaker.window_kind;
    TRY(sim_cfg_get_enum(m, "window", 0, WINDOW_KINDS, 2, wk, &wk, err));
    st->breaker.window_kind = (pol_window_kind)wk;
    return POL_OK;
}
static const char *const BREAKER_HOOK_KEYS[] = { "window", NULL };
/* pol_breaker_half_open, pol_monitor_alert (the library has no name tables for them) */
static const char *const HALF_OPEN_MODES[] = { "probes", "all" };
static const char *const ALERT_MODES[] = { "crossing", "every" };
static const bind BREAKER_BINDS[] = {
    BIND(pol_breaker_cfg, "fail_max",           B_INT,          fail_max,           1, 1000000),
    BIND(pol_breaker_cfg, "window_size",        B_INT,          window_size,        1, 1000000),
    BIND(pol_breaker_cfg, "min_calls",          B_INT,          min_calls,          1, 1000000),
    BIND(pol_breaker_cfg, "failure_rate",       B_PERCENT,      failure_rate,       0, 0),
    BIND(pol_breaker_cfg, "slow_rate",          B_PERCENT,      slow_rate,          0, 0),
    BIND(pol_breaker_cfg, "slow_duration",      B_DURATION_POS, slow_duration,      0, 0),
    BIND(pol_breaker_cfg, "failure_ratio",      B_DOUBLE,       failure_ratio,      0, 1),
    BIND(pol_breaker_cfg, "sampling",           B_DURATION_POS, sampling,           0, 0),
    BIND(pol_breaker_cfg, "min_throughput",     B_INT,          min_throughput,     2, 1000000),
    BIND(pol_breaker_cfg, "break",              B_DURATION_POS, break_duration,     0, 0),
    BIND(pol_breaker_cfg, "break_max",          B_DURATION,     break_max,          0, 0),
    BIND(pol_breaker_cfg, "probes",             B_INT,          half_open_probes,   1, 1000000),
    BIND(pol_breaker_cfg, "half_open_max_wait", B_DURATION,     half_open_max_wait, 0, 0),
    BIND_ENUM(pol_breaker_cfg, "half_open", half_open, HALF_OPEN_MODES),
    BIND(pol_breaker_cfg, "fail_on",            B_FAILMASK,     fail,               0, 0),
};

static const bind BUDGET_BINDS[] = {
    BIND(pol_budget_cfg, "capacity",        B_INT,          aws_capacity,        1, 1000000000),
    BIND(pol_budget_cfg, "retry_cost",      B_INT,          aws_retry_cost,      0, 1000000),
    BIND(pol_budget_cfg, "timeout_cost",    B_INT,          aws_timeout_cost,    0, 1000000),
    BIND(pol_budget_cfg, "no_retry_refund", B_INT,          aws_no_retry_refund, 0, 1000000),
    BIND(pol_budget_cfg, "max_tokens",      B_DOUBLE,       max_tokens,          0, 1000),
    BIND(pol_budget_cfg, "token_ratio",     B_DOUBLE,       token_ratio,         0, 1000),
    BIND(pol_budget_cfg, "percent",         B_FRACTION,     percent,             0, 0),
    BIND(pol_budget_cfg, "min_per_sec",     B_INT,          min_per_sec,         0, 1000000),
    BIND(pol_budget_cfg, "ttl",             B_DURATION_POS, ttl,                 0, 0),
    BIND(pol_budget_cfg, "slices",          B_INT,          slices,              1, 1000),
    BIND(pol_budget_cfg, "budget_percent",  B_PERCENT,      budget_percent,      0, 0),
    BIND(pol_budget_cfg, "min_concurrency", B_INT,          min_concurrency,     0, 1000000),
};

static const bind THROTTLE_BINDS[] = {
    BIND(pol_throttle_cfg, "k",              B_DOUBLE,       k,              0.0001, 1000),
    BIND(pol_throttle_cfg, "window",         B_DURATION_POS, window,         0, 0),
    BIND(pol_throttle_cfg, "slices",         B_INT,          slices,         1, 100000),
    BIND(pol_throttle_cfg, "beta",           B_DOUBLE,       beta,           0, 1),
    BIND(pol_throttle_cfg, "scale_c",        B_DOUBLE,       scale_c,        0, 1000),
    BIND(pol_throttle_cfg, "min_fill_rate",  B_DOUBLE,       min_fill_rate,  0, 1e9),
    BIND(pol_throttle_cfg, "smoothing",      B_DOUBLE,       smoothing,      0, 1),
    BIND(pol_throttle_cfg, "rate_bucket",    B_DURATION_POS, rate_bucket,    0, 0),
    BIND(pol_throttle_cfg, "max_rate_scale", B_DOUBLE,       max_rate_scale, 0, 1000),
};

/* rate (required, a rate), burst (default: one second of rate), tokens */
static int limiter_hook(const sim_cfg_node *m, const part_spec *ps, int ntargets, sim_stateful *st, sim_err *err)
{
    (void)ps; (void)ntargets;
    TRY(sim_cfg_get_rate(m, "rate", SIM_CFG_REQ | SIM_CFG_POS, 0, &st->limiter.rate, err));
    st->limiter.burst = st->limiter.rate;
    TRY(sim_cfg_get_double(m, "burst", 0, 1e-9, BIG, st->limiter.burst, &st->limiter.burst, err));
    TRY(sim_cfg_get_bool(m, "tokens", 0, 0, &st->limiter_tokens, err));
    return POL_OK;
}
static const char *const LIMITER_HOOK_KEYS[] = { "rate", "burst", "tokens", NULL };

static int bulkhead_hook(const sim_cfg_node *m, const part_spec *ps, int ntargets, sim_stateful *st, sim_err *err)
{
    (void)ps; (void)ntargets;
    long long v;
    TRY(sim_cfg_get_int(m, "max", SIM_CFG_REQ, 1, 100000000, 0, &v, err));
    st->bulkhead.max_concurrent = (int)v;
    return POL_OK;
}
static const char *const BULKHEAD_HOOK_KEYS[] = { "max", NULL };

static const bind COOLDOWN_BINDS[] = {
    BIND(pol_cooldown_cfg, "allowed_fails",        B_INT,          allowed_fails,        0, 1000000),
    BIND(pol_cooldown_cfg, "cooldown",             B_DURATION_POS, cooldown_time,        0, 0),
    BIND(pol_cooldown_cfg, "failure_threshold",    B_DOUBLE,       failure_threshold,    0, 1),
    BIND(pol_cooldown_cfg, "min_requests",         B_INT,          min_requests,         0, 1000000),
    BIND(pol_cooldown_cfg, "retry_after_sets",     B_BOOL,         hint_sets_cooldown,   0, 0),
    BIND(pol_cooldown_cfg, "retry_after_cap",      B_DURATION,     hint_cap,             0, 0),
    BIND(pol_cooldown_cfg, "consecutive_5xx",      B_INT,          consecutive_5xx,      1, 1000000),
    BIND(pol_cooldown_cfg, "base_ejection",        B_DURATION_POS, base_ejection,        0, 0),
    BIND(pol_cooldown_cfg, "max_ejection",         B_DURATION_POS, max_ejection,         0, 0),
    BIND(pol_cooldown_cfg, "max_ejection_percent", B_PERCENT,      max_ejection_percent, 0, 0),
    BIND(pol_cooldown_cfg, "interval",             B_DURATION_POS, interval,             0, 0),
    BIND(pol_cooldown_cfg, "fail_on",              B_FAILMASK,     fail,                 0, 0),
};

static const bind LB_BINDS[] = {
    BIND(pol_lb_cfg, "decay",          B_DURATION_POS, decay,          0, 0),
    BIND(pol_lb_cfg, "usage_relative", B_BOOL,         usage_relative, 0, 0),
    BIND(pol_lb_cfg, "success_window", B_DURATION,     success_window, 0, 0),
};
/* weights: one per target, for weighted-random; tiers: sizes of consecutive
 * groups of targets (the pool is the first tier with an available target; a
 * fallback moves to the next tier); sticky: a request keeps its pick */
static int lb_hook(const sim_cfg_node *m, const part_spec *ps, int ntargets, sim_stateful *st, sim_err *err)
{
    (void)ps;
    const sim_cfg_node *wl = sim_cfg_get(m, "weights"), *tl = sim_cfg_get(m, "tiers");
    for (int i = 0; i < SIM_MAX_TARGETS; i++) st->lb_weights[i] = 1;
    st->nlb_tiers = 0;
    TRY(sim_cfg_get_bool(m, "sticky", 0, 0, &st->lb_sticky, err));
    if (wl) {
        TRY(sim_cfg_want(wl, SIM_CFG_SEQ, "weights", err));
        if (wl->n != (size_t)ntargets) return sim_cfg_errf(err, wl, "'weights' has %zu entries for %d targets", wl->n, ntargets);
        for (size_t i = 0; i < wl->n; i++) TRY(sim_cfg_as_double(wl->items[i], "weight", 0, 1e12, &st->lb_weights[i], err));
    }
    if (!tl) return POL_OK;
    TRY(sim_cfg_want(tl, SIM_CFG_SEQ, "tiers", err));
    if (tl->n == 0 || tl->n > SIM_MAX_TARGETS) return sim_cfg_errf(err, tl, "'tiers' needs 1 to %d sizes", SIM_MAX_TARGETS);
    long long sum = 0, v;
    for (size_t i = 0; i < tl->n; i++) {
        TRY(sim_cfg_as_int(tl->items[i], "tier size", 1, SIM_MAX_TARGETS, &v, err));
        st->lb_tiers[i] = (int)v;
        sum += v;
    }
    if (sum != ntargets)
        return sim_cfg_errf(err, tl, "'tiers' sizes add up to %lld, but the policy has %d targets", sum, ntargets);
    st->nlb_tiers = (int)tl->n;
    return POL_OK;
}
static const char *const LB_HOOK_KEYS[] = { "weights", "tiers", "sticky", NULL };

static const bind QUOTA_BINDS[] = {
    BIND(pol_quota_cfg, "min_requests", B_INT64,    min_requests, 0, 1000000000),
    BIND(pol_quota_cfg, "min_tokens",   B_INT64,    min_tokens,   0, 1000000000000.0),
    BIND(pol_quota_cfg, "jitter",       B_DURATION, jitter,       0, 0),
    BIND(pol_quota_cfg, "max_wait",     B_DURATION, max_wait,     0, 0),
};

static const bind HEDGE_BINDS[] = {
    BIND(pol_hedge_cfg, "max_attempts",  B_INT, max_attempts,  1, 4),    /* SIM_MAX_INFLIGHT of the model */
    BIND(pol_hedge_cfg, "max_in_flight", B_INT, max_in_flight, 0, 4),
    BIND(pol_hedge_cfg, "window",        B_INT, window,        1, 1000000),
    BIND(pol_hedge_cfg, "min_samples",   B_INT, min_samples,   1, 1000000),
};
/* mode: hedge | parallel; delay: a duration or a percentile like p95;
 * pick (parallel only): first-answer | list-order */
static const char *const HEDGE_MODES[] = { "hedge", "parallel" };
static const char *const HEDGE_PICKS[] = { "first-answer", "list-order" };
static int hedge_pre(const sim_cfg_node *m, const part_spec *ps, int ntargets, sim_stateful *st, sim_err *err)
{
    (void)ps; (void)ntargets;
    pol_hedge_cfg *c = &st->hedge;
    int mode = 0;
    TRY(sim_cfg_get_enum(m, "mode", 0, HEDGE_MODES, 2, 0, &mode, err));
    const sim_cfg_node *d = sim_cfg_get(m, "delay");
    if (d && d->kind == SIM_CFG_SCALAR && d->str[0] == 'p' && d->str[1] >= '0' && d->str[1] <= '9') {
        char *end;
        double q = strtod(d->str + 1, &end);
        if (*end || q <= 0 || q >= 100) return sim_cfg_errf(err, d, "hedge delay '%s': expected a duration or a percentile like p95", d->str);
        c->use_quantile = 1;
        c->quantile = q / 100;
    } else if (d) {
        TRY(sim_cfg_as_duration(d, "hedge delay", 0, &c->delay, err));
        c->use_quantile = 0;
    }
    if (mode == 1) { c->delay = 0; c->use_quantile = 0; }
    return POL_OK;
}
static int hedge_post(const sim_cfg_node *m, const part_spec *ps, int ntargets, sim_stateful *st, sim_err *err)
{
    (void)ps; (void)ntargets;
    int mode = 0;
    TRY(sim_cfg_get_enum(m, "mode", 0, HEDGE_MODES, 2, 0, &mode, err));
    if (mode == 0 && !st->hedge.use_quantile && st->hedge.delay == 0)
        return sim_cfg_errf(err, m, "a hedge needs a delay > 0 or a percentile (or mode: parallel)");
    int pick = 0;
    TRY(sim_cfg_get_enum(m, "pick", 0, HEDGE_PICKS, 2, 0, &pick, err));
    if (pick && mode != 1)
        return sim_cfg_errf(err, sim_cfg_get(m, "pick"), "'pick' is an option of mode: parallel (a delayed hedge "
                            "takes the first answer)");
    st->hedge_list_order = pick;
    return POL_OK;
}
static const char *const HEDGE_HOOK_KEYS[] = { "delay", "mode", "pick", NULL };

static const bind MONITOR_BINDS[] = {
    BIND(pol_monitor_cfg, "window",    B_DURATION_POS, window,    0, 0),
    BIND(pol_monitor_cfg, "slices",    B_INT,          slices,    1, 100000),
    BIND(pol_monitor_cfg, "threshold", B_INT,          threshold, 1, 1000000000),
    BIND(pol_monitor_cfg, "fail_on",   B_FAILMASK,     fail,      0, 0),
    BIND_ENUM(pol_monitor_cfg, "alert", alert, ALERT_MODES),
};

#define CFG(f) offsetof(sim_stateful, f)
#define KIND(pfx, key, req, def, n) key, req, def, n, pfx##_kname, pfx##_kparse, pfx##_kof
#define NOKIND NULL, 0, 0, 0, NULL, NULL, NULL
static const part_spec PARTS[SIM_PART__COUNT] = {
    { SIM_PART_BREAKER,  CFG(breaker),  KIND(breaker, "kind", 0, POL_BREAKER_CONSECUTIVE, POL_BREAKER__COUNT),
      breaker_kdefault, 0, BREAKER_BINDS, N(BREAKER_BINDS), BREAKER_HOOK_KEYS, breaker_hook, NULL, breaker_valid, 1 },
    { SIM_PART_BUDGET,   CFG(budget),   KIND(budget, "kind", 0, POL_BUDGET_RATIO, POL_BUDGET__COUNT),
      budget_kdefault, 0, BUDGET_BINDS, N(BUDGET_BINDS), NULL, NULL, NULL, budget_valid, 1 },
    { SIM_PART_THROTTLE, CFG(throttle), KIND(throttle, "kind", 0, POL_THROTTLE_SRE, POL_THROTTLE__COUNT),
      throttle_kdefault, 0, THROTTLE_BINDS, N(THROTTLE_BINDS), NULL, NULL, NULL, throttle_valid, 1 },
    { SIM_PART_LIMITER,  CFG(limiter),  NOKIND,
      NULL, 0, NULL, 0, LIMITER_HOOK_KEYS, limiter_hook, NULL, NULL, 1 },
    { SIM_PART_BULKHEAD, CFG(bulkhead), NOKIND,
      NULL, 0, NULL, 0, BULKHEAD_HOOK_KEYS, bulkhead_hook, NULL, NULL, 1 },
    { SIM_PART_COOLDOWN, CFG(cooldown), KIND(cooldown, "kind", 0, POL_COOLDOWN_LITELLM, POL_COOLDOWN__COUNT),
      cooldown_kdefault, 0, COOLDOWN_BINDS, N(COOLDOWN_BINDS), NULL, NULL, NULL, cooldown_valid, 1 },
    { SIM_PART_LB,       CFG(lb),       KIND(lb, "strategy", 1, 0, POL_LB__COUNT),
      lb_kdefault, 1, LB_BINDS, N(LB_BINDS), LB_HOOK_KEYS, NULL, lb_hook, NULL, 1 },
    { SIM_PART_QUOTA,    CFG(quota),    NOKIND,
      quota_default0, 0, QUOTA_BINDS, N(QUOTA_BINDS), NULL, NULL, NULL, NULL, 1 },
    { SIM_PART_HEDGE,    CFG(hedge),    NOKIND,
      hedge_default0, 0, HEDGE_BINDS, N(HEDGE_BINDS), HEDGE_HOOK_KEYS, hedge_pre, hedge_post, hedge_valid, 1 },
    { SIM_PART_MONITOR,  CFG(monitor),  NOKIND,
      monitor_default0, 1, MONITOR_BINDS, N(MONITOR_BINDS), NULL, NULL, NULL, NULL, 2 },
};

/* ---- the loader ------------------------------------------------------------- */
static const char *const SCOPES[] = { "request", "client", "gateway", "global", "class" };   /* sim_scope */
static const char *const PART_KEYS[SIM_PART__COUNT] = {
#define SIM_PART_KEY(ID, f, key, T) key,
    SIM_PARTS(SIM_PART_KEY)
#undef SIM_PART_KEY
};
/* The policy-level keys of this file that are not a part. */
static const char *const OTHER_KEYS[] = { "gateway_size", "degraded", "context_fallback", "content_fallback" };

const char *sim_part_key(sim_part part) { return part < SIM_PART__COUNT ? PART_KEYS[part] : "?"; }

size_t sim_stateful_keys(const char **out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < SIM_PART__COUNT && n < cap; i++) out[n++] = PART_KEYS[i];
    for (size_t i = 0; i < N(OTHER_KEYS) && n < cap; i++) out[n++] = OTHER_KEYS[i];
    return n;
}

/* Percentages: "10%" or a plain number of percent. */
static int as_percent(const sim_cfg_node *n, const char *key, double *out, sim_err *err)
{
    TRY(sim_cfg_want(n, SIM_CFG_SCALAR, key, err));
    char buf[64];
    snprintf(buf, sizeof buf, "%s", n->str);
    size_t len = strlen(buf);
    if (len && buf[len - 1] == '%') buf[len - 1] = '\0';
    char *end;
    double v = strtod(buf, &end);
    if (strlen(n->str) >= sizeof buf || end == buf || *end || !(v >= 0 && v <= 100000))
        return sim_cfg_errf(err, n, "'%s' expects a percentage like 10%%, got '%s'", key, n->str);
    *out = v;
    return POL_OK;
}

/* fail_on: the same items as the retry lists (sim_cfg_as_outcome). */
static int as_failmask(const sim_cfg_node *l, pol_failmask *fm, sim_err *err)
{
    TRY(sim_cfg_want(l, SIM_CFG_SEQ, "fail_on", err));
    pol_failmask_none(fm);
    for (size_t i = 0; i < l->n; i++) {
        int lo, hi, kind;
        TRY(sim_cfg_as_outcome(l->items[i], "fail_on", &lo, &hi, &kind, err));
        if (kind >= 0) pol_failmask_set_kind(fm, (pol_outcome_kind)kind, 1);
        else pol_failmask_set_status(fm, lo, hi, 1);
    }
    return POL_OK;
}

/* Applies binding b of map m to cfg (absent or null: the field keeps its value). */
static int apply_bind(const sim_cfg_node *m, const bind *b, void *cfg, sim_err *err)
{
    const sim_cfg_node *n = sim_cfg_get(m, b->key);
    if (!n) return POL_OK;
    char *f = (char *)cfg + b->off;
    long long v;
    double d;
    switch (b->type) {
    case B_INT:
        TRY(sim_cfg_as_int(n, b->key, (long long)b->lo, (long long)b->hi, &v, err));
        *(int *)(void *)f = (int)v;
        return POL_OK;
    case B_INT64:
        TRY(sim_cfg_as_int(n, b->key, (long long)b->lo, (long long)b->hi, &v, err));
        *(int64_t *)(void *)f = v;
        return POL_OK;
    case B_DOUBLE:
        return sim_cfg_as_double(n, b->key, b->lo, b->hi, (double *)(void *)f, err);
    case B_PERCENT:
        return as_percent(n, b->key, (double *)(void *)f, err);
    case B_FRACTION:
        TRY(as_percent(n, b->key, &d, err));
        *(double *)(void *)f = d / 100;
        return POL_OK;
    case B_DURATION:
        return sim_cfg_as_duration(n, b->key, 0, (pol_ns *)(void *)f, err);
    case B_DURATION_POS:
        return sim_cfg_as_duration(n, b->key, SIM_CFG_POS, (pol_ns *)(void *)f, err);
    case B_BOOL:
        return sim_cfg_as_bool(n, b->key, (int *)(void *)f, err);
    case B_FAILMASK:
        return as_failmask(n, (pol_failmask *)(void *)f, err);
    case B_ENUM: {
        int e;
        _Static_assert(sizeof(pol_breaker_half_open) == sizeof(int) && sizeof(pol_monitor_alert) == sizeof(int),
                       "B_ENUM fields are int-sized enums");
        TRY(sim_cfg_as_enum(n, b->key, b->names, b->nnames, &e, err));
        *(int *)(void *)f = e;
        return POL_OK;
    }
    }
    return POL_EINVAL;
}

/* The part's allowed keys: kind, bindings, hook keys, scope (NULL-terminated). */
static size_t allowed_keys(const part_spec *ps, const char **out)
{
    size_t n = 0;
    if (ps->kind_key) out[n++] = ps->kind_key;
    for (size_t i = 0; i < ps->nbinds; i++) out[n++] = ps->binds[i].key;
    for (size_t i = 0; ps->hook_keys && ps->hook_keys[i]; i++) out[n++] = ps->hook_keys[i];
    if (ps->has_scope) out[n++] = "scope";
    out[n] = NULL;
    return n;
}

static int read_kind(const sim_cfg_node *m, const part_spec *ps, const char *key, int *kind, sim_err *err)
{
    const sim_cfg_node *k = sim_cfg_get(m, ps->kind_key);
    if (!k) {
        if (ps->kind_required) {
            char list[400] = "";
            for (int i = 0; i < ps->nkinds; i++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", ps->kind_name(i));
            return sim_cfg_errf(err, m, "%s needs a %s (one of %s)", key, ps->kind_key, list);
        }
        return POL_OK;
    }
    TRY(sim_cfg_want(k, SIM_CFG_SCALAR, ps->kind_key, err));
    if (ps->kind_parse(k->str, kind) == POL_OK) return POL_OK;
    const char *names[32];
    int nk = ps->nkinds < 32 ? ps->nkinds : 32;
    for (int i = 0; i < nk; i++) names[i] = ps->kind_name(i);
    char msg[600];
    if (ps->part == SIM_PART_LB) snprintf(msg, sizeof msg, "unknown load-balancing strategy '%s'", k->str);
    else snprintf(msg, sizeof msg, "unknown %s kind '%s'", key, k->str);
    sim_cfg_did_you_mean(msg, sizeof msg, k->str, names, (size_t)nk);
    return sim_cfg_errf(err, k, "%s", msg);
}

static int load_part(const sim_cfg_node *pol, const part_spec *ps, int ntargets, sim_stateful *st, sim_err *err)
{
    const char *key = PART_KEYS[ps->part];
    const sim_cfg_node *m = sim_cfg_get(pol, key);
    if (!m) return POL_OK;
    TRY(sim_cfg_want(m, SIM_CFG_MAP, key, err));
    const char *allowed[64];
    allowed_keys(ps, allowed);
    TRY(sim_cfg_check_keys(m, key, allowed, err));
    void *cfg = (char *)st + ps->cfg_off;
    int used = st->use[ps->part];
    if (ps->kind_key) {
        int kind = used ? ps->kind_of(cfg) : ps->default_kind;
        TRY(read_kind(m, ps, key, &kind, err));
        if (ps->always_default || !used || ps->kind_of(cfg) != kind) ps->set_default(kind, cfg);
    } else if (ps->set_default && (ps->always_default || !used)) {
        ps->set_default(0, cfg);
    }
    if (ps->pre) TRY(ps->pre(m, ps, ntargets, st, err));
    for (size_t i = 0; i < ps->nbinds; i++) TRY(apply_bind(m, &ps->binds[i], cfg, err));
    if (ps->post) TRY(ps->post(m, ps, ntargets, st, err));
    if (ps->has_scope) {
        int v = (int)st->scope[ps->part];
        TRY(sim_cfg_get_enum(m, "scope", 0, SCOPES, 5, v, &v, err));
        if (ps->has_scope == 2 && v != SIM_SCOPE_GLOBAL && v != SIM_SCOPE_CLASS)
            return sim_cfg_errf(err, sim_cfg_get(m, "scope"), "a %s's scope is global (one for every client, the "
                                "default) or class (one per request class), not %s", key, SCOPES[v]);
        st->scope[ps->part] = (sim_scope)v;
    }
    if (ps->validate && ps->validate(cfg))
        return sim_cfg_errf(err, m, "these %s settings are not valid (see docs/stateful-policies.md)", key);
    st->use[ps->part] = 1;
    return POL_OK;
}

/* What a stack preset (pol_stack_cfg) brings, part by part. */
typedef struct { sim_part part; size_t use_off, cfg_off, st_off, size; } stack_map;
#define SM(P, u, c, f) { SIM_PART_##P, offsetof(pol_stack_cfg, u), offsetof(pol_stack_cfg, c), \
                         offsetof(sim_stateful, f), sizeof(((sim_stateful *)0)->f) }
static const stack_map STACK[] = {
    SM(BREAKER, use_breaker, breaker, breaker),   SM(BUDGET, use_budget, budget, budget),
    SM(THROTTLE, use_throttle, throttle, throttle), SM(LIMITER, use_bucket, bucket, limiter),
    SM(HEDGE, use_hedge, hedge, hedge),           SM(BULKHEAD, use_bulkhead, bulkhead, bulkhead),
    SM(COOLDOWN, use_cooldown, cooldown, cooldown), SM(LB, use_lb, lb, lb),
    SM(QUOTA, use_quota, quota, quota),
};
#undef SM

static int provider_chain(const sim_cfg_node *pol, const char *key, const sim_scenario *s,
                          int *out, int *n_out, sim_err *err)
{
    const sim_cfg_node *l = sim_cfg_get(pol, key);
    if (!l) return POL_OK;
    TRY(sim_cfg_want(l, SIM_CFG_SEQ, key, err));
    if (l->n > SIM_MAX_TARGETS) return sim_cfg_errf(err, l, "'%s' lists at most %d providers", key, SIM_MAX_TARGETS);
    for (size_t i = 0; i < l->n; i++) {
        const sim_cfg_node *it = l->items[i];
        TRY(sim_cfg_want(it, SIM_CFG_SCALAR, "provider name", err));
        int k = sim_scenario_find_provider(s, it->str);
        if (k < 0) {
            const char **names = malloc((size_t)(s->nproviders ? s->nproviders : 1) * sizeof *names);
            for (int j = 0; names && j < s->nproviders; j++) names[j] = s->providers[j].name;
            char msg[600];
            snprintf(msg, sizeof msg, "'%s': no provider named '%s'", key, it->str);
            if (names) sim_cfg_did_you_mean(msg, sizeof msg, it->str, names, (size_t)s->nproviders);
            free(names);
            return sim_cfg_errf(err, it, "%s", msg);
        }
        out[i] = k;
    }
    *n_out = (int)l->n;
    return POL_OK;
}

int sim_stateful_load(const sim_cfg_node *pol, const sim_scenario *s, const char *preset,
                      sim_stateful *st, sim_err *err)
{
    memset(st, 0, sizeof *st);
    for (int i = 0; i < SIM_PART__COUNT; i++) st->scope[i] = SIM_SCOPE_GLOBAL;
    st->gateway_size = 100;
    pol_stack_cfg stack;
    if (preset && preset[0] && pol_stack_preset(preset, &stack) == POL_OK) {
        for (size_t i = 0; i < N(STACK); i++) {
            const char *base = (const char *)&stack;
            st->use[STACK[i].part] = (unsigned char)(*(const int *)(const void *)(base + STACK[i].use_off) != 0);
            memcpy((char *)st + STACK[i].st_off, base + STACK[i].cfg_off, STACK[i].size);
        }
        for (int i = 0; i < SIM_MAX_TARGETS; i++) st->lb_weights[i] = 1;
    }
    int ntargets = 1;
    const sim_cfg_node *t = sim_cfg_get(pol, "targets");
    if (t && t->kind == SIM_CFG_SEQ && t->n > 0) ntargets = (int)t->n;
    for (int i = 0; i < SIM_PART__COUNT; i++) TRY(load_part(pol, &PARTS[i], ntargets, st, err));
    long long g;
    TRY(sim_cfg_get_int(pol, "gateway_size", 0, 1, 100000000, 100, &g, err));
    st->gateway_size = (int)g;
    TRY(sim_cfg_get_bool(pol, "degraded", 0, 0, &st->degraded, err));
    TRY(provider_chain(pol, "context_fallback", s, st->ctx_targets, &st->nctx, err));
    TRY(provider_chain(pol, "content_fallback", s, st->content_targets, &st->ncontent, err));
    return POL_OK;
}
