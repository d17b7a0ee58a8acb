/* scenario_stateful.c — parses the stateful parts of a policy entry (see
 * scenario_stateful.h and docs/scenario-format.md, "Stateful policies").
 * Each part starts from the library's documented defaults for its kind
 * (pol_*_default), or from a stack preset, and the file's keys override
 * them; the result is validated by the library's own _validate where there
 * is one. Unknown keys get a did-you-mean, like everywhere in the loader. */
#include "scenario_stateful.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRY(x) do { int rc_ = (x); if (rc_ < 0) return rc_; } while (0)

const char *const SIM_STATEFUL_KEYS[] = {
    "breaker", "budget", "throttle", "rate_limiter", "bulkhead", "cooldown", "load_balancing",
    "quota", "hedge", "monitor", "gateway_size", "degraded", "context_fallback", "content_fallback", NULL };

static const char *const SCOPES[] = { "request", "client", "gateway", "global" };

static int get_scope(const sim_cfg_node *m, sim_scope *out, sim_err *err)
{
    int v = (int)*out;
    TRY(sim_cfg_get_enum(m, "scope", 0, SCOPES, 4, v, &v, err));
    *out = (sim_scope)v;
    return POL_OK;
}

/* A submap of the policy, with its allowed keys checked. */
static int submap(const sim_cfg_node *pol, const char *key, const char *const *allowed,
                  const sim_cfg_node **out, sim_err *err)
{
    *out = NULL;
    const sim_cfg_node *n = sim_cfg_get(pol, key);
    if (!n) return POL_OK;
    TRY(sim_cfg_want(n, SIM_CFG_MAP, key, err));
    TRY(sim_cfg_check_keys(n, key, allowed, err));
    *out = n;
    return POL_OK;
}

/* A kind name parsed with the library's own parser. */
typedef int (*kind_parse_fn)(const char *, void *);
static int get_kind(const sim_cfg_node *m, const char *what, int (*parse)(const char *, int *),
                    const char *const *names, size_t n, int *out, sim_err *err)
{
    const sim_cfg_node *k = sim_cfg_get(m, "kind");
    if (!k) return POL_OK;
    TRY(sim_cfg_want(k, SIM_CFG_SCALAR, "kind", err));
    if (parse(k->str, out) == POL_OK) return POL_OK;
    char msg[600];
    snprintf(msg, sizeof msg, "unknown %s kind '%s'", what, k->str);
    sim_cfg_did_you_mean(msg, sizeof msg, k->str, names, n);
    return sim_cfg_errf(err, k, "%s", msg);
}

/* Percentages: "10%" or a plain number of percent. */
static int get_percent(const sim_cfg_node *m, const char *key, double def, double *out, sim_err *err)
{
    const sim_cfg_node *n = sim_cfg_get(m, key);
    *out = def;
    if (!n) return POL_OK;
    TRY(sim_cfg_want(n, SIM_CFG_SCALAR, key, err));
    char buf[64];
    snprintf(buf, sizeof buf, "%s", n->str);
    size_t len = strlen(buf);
    if (len && buf[len - 1] == '%') buf[len - 1] = '\0';
    char *end;
    double v = strtod(buf, &end);
    if (end == buf || *end || !(v >= 0 && v <= 100000))
        return sim_cfg_errf(err, n, "'%s' expects a percentage like 10%%, got '%s'", key, n->str);
    *out = v;
    return POL_OK;
}

static int get_ns(const sim_cfg_node *m, const char *key, unsigned flags, pol_ns *v, sim_err *err)
{
    return sim_cfg_get_duration(m, key, flags, *v, v, err);
}

static int get_i(const sim_cfg_node *m, const char *key, long long lo, long long hi, int *v, sim_err *err)
{
    long long x;
    TRY(sim_cfg_get_int(m, key, 0, lo, hi, *v, &x, err));
    *v = (int)x;
    return POL_OK;
}

static int get_d(const sim_cfg_node *m, const char *key, double lo, double hi, double *v, sim_err *err)
{
    return sim_cfg_get_double(m, key, 0, lo, hi, *v, v, err);
}

/* fail_on: the same items as the retry lists (sim_cfg_as_outcome). */
static int get_failmask(const sim_cfg_node *m, pol_failmask *fm, sim_err *err)
{
    const sim_cfg_node *l = sim_cfg_get(m, "fail_on");
    if (!l) return POL_OK;
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
            const char *names[64];
            int np = s->nproviders < 64 ? s->nproviders : 64;
            for (int j = 0; j < np; j++) names[j] = s->providers[j].name;
            char msg[600];
            snprintf(msg, sizeof msg, "'%s': no provider named '%s'", key, it->str);
            sim_cfg_did_you_mean(msg, sizeof msg, it->str, names, (size_t)np);
            return sim_cfg_errf(err, it, "%s", msg);
        }
        out[i] = k;
    }
    *n_out = (int)l->n;
    return POL_OK;
}

static const char *const BREAKER_KEYS[] = { "kind", "fail_max", "window", "window_size", "min_calls", "failure_rate",
    "slow_rate", "slow_duration", "failure_ratio", "sampling", "min_throughput", "break", "break_max", "probes",
    "half_open_max_wait", "fail_on", "scope", NULL };
static const char *const BREAKER_KINDS[] = { "consecutive", "rate", "ratio" };

static int load_breaker(const sim_cfg_node *pol, sim_stateful *st, sim_err *err)
{
    const sim_cfg_node *m;
    TRY(submap(pol, "breaker", BREAKER_KEYS, &m, err));
    if (!m) return POL_OK;
    int kind = st->use_breaker ? (int)st->breaker.kind : POL_BREAKER_CONSECUTIVE;
    TRY(get_kind(m, "breaker", (int (*)(const char *, int *))pol_breaker_kind_parse, BREAKER_KINDS, 3, &kind, err));
    if (!st->use_breaker || (int)st->breaker.kind != kind) pol_breaker_default((pol_breaker_kind)kind, &st->breaker);
    pol_breaker_cfg *c = &st->breaker;
    static const char *const WK[] = { "count", "time" };
    int wk = (int)c->window_kind;
    TRY(sim_cfg_get_enum(m, "window", 0, WK, 2, wk, &wk, err));
    c->window_kind = (pol_window_kind)wk;
    TRY(get_i(m, "fail_max", 1, 1000000, &c->fail_max, err));
    TRY(get_i(m, "window_size", 1, 1000000, &c->window_size, err));
    TRY(get_i(m, "min_calls", 1, 1000000, &c->min_calls, err));
    TRY(get_percent(m, "failure_rate", c->failure_rate, &c->failure_rate, err));
    TRY(get_percent(m, "slow_rate", c->slow_rate, &c->slow_rate, err));
    TRY(get_ns(m, "slow_duration", SIM_CFG_POS, &c->slow_duration, err));
    TRY(get_d(m, "failure_ratio", 0, 1, &c->failure_ratio, err));
    TRY(get_ns(m, "sampling", SIM_CFG_POS, &c->sampling, err));
    TRY(get_i(m, "min_throughput", 2, 1000000, &c->min_throughput, err));
    TRY(get_ns(m, "break", SIM_CFG_POS, &c->break_duration, err));
    TRY(get_ns(m, "break_max", 0, &c->break_max, err));
    TRY(get_i(m, "probes", 1, 1000000, &c->half_open_probes, err));
    TRY(get_ns(m, "half_open_max_wait", 0, &c->half_open_max_wait, err));
    TRY(get_failmask(m, &c->fail, err));
    TRY(get_scope(m, &st->breaker_scope, err));
    if (pol_breaker_validate(c)) return sim_cfg_errf(err, m, "these breaker settings are not valid (see docs/stateful-policies.md)");
    st->use_breaker = 1;
    return POL_OK;
}

static const char *const BUDGET_KEYS[] = { "kind", "capacity", "retry_cost", "timeout_cost", "no_retry_refund",
    "max_tokens", "token_ratio", "percent", "min_per_sec", "ttl", "slices", "budget_percent", "min_concurrency",
    "scope", NULL };
static const char *const BUDGET_KINDS[] = { "aws", "grpc", "ratio", "envoy" };

static int load_budget(const sim_cfg_node *pol, sim_stateful *st, sim_err *err)
{
    const sim_cfg_node *m;
    TRY(submap(pol, "budget", BUDGET_KEYS, &m, err));
    if (!m) return POL_OK;
    int kind = st->use_budget ? (int)st->budget.kind : POL_BUDGET_RATIO;
    TRY(get_kind(m, "budget", (int (*)(const char *, int *))pol_budget_kind_parse, BUDGET_KINDS, 4, &kind, err));
    if (!st->use_budget || (int)st->budget.kind != kind) pol_budget_default((pol_budget_kind)kind, &st->budget);
    pol_budget_cfg *c = &st->budget;
    TRY(get_i(m, "capacity", 1, 1000000000, &c->aws_capacity, err));
    TRY(get_i(m, "retry_cost", 0, 1000000, &c->aws_retry_cost, err));
    TRY(get_i(m, "timeout_cost", 0, 1000000, &c->aws_timeout_cost, err));
    TRY(get_i(m, "no_retry_refund", 0, 1000000, &c->aws_no_retry_refund, err));
    TRY(get_d(m, "max_tokens", 0, 1000, &c->max_tokens, err));
    TRY(get_d(m, "token_ratio", 0, 1000, &c->token_ratio, err));
    double pct = c->percent * 100;
    TRY(get_percent(m, "percent", pct, &pct, err));
    c->percent = pct / 100;
    TRY(get_i(m, "min_per_sec", 0, 1000000, &c->min_per_sec, err));
    TRY(get_ns(m, "ttl", SIM_CFG_POS, &c->ttl, err));
    TRY(get_i(m, "slices", 1, 1000, &c->slices, err));
    TRY(get_percent(m, "budget_percent", c->budget_percent, &c->budget_percent, err));
    TRY(get_i(m, "min_concurrency", 0, 1000000, &c->min_concurrency, err));
    TRY(get_scope(m, &st->budget_scope, err));
    if (pol_budget_validate(c)) return sim_cfg_errf(err, m, "these budget settings are not valid (see docs/stateful-policies.md)");
    st->use_budget = 1;
    return POL_OK;
}

static const char *const THROTTLE_KEYS[] = { "kind", "k", "window", "slices", "beta", "scale_c", "min_fill_rate",
    "smoothing", "rate_bucket", "max_rate_scale", "scope", NULL };
static const char *const THROTTLE_KINDS[] = { "sre", "aws-adaptive" };

static int load_throttle(const sim_cfg_node *pol, sim_stateful *st, sim_err *err)
{
    const sim_cfg_node *m;
    TRY(submap(pol, "throttle", THROTTLE_KEYS, &m, err));
    if (!m) return POL_OK;
    int kind = st->use_throttle ? (int)st->throttle.kind : POL_THROTTLE_SRE;
    TRY(get_kind(m, "throttle", (int (*)(const char *, int *))pol_throttle_kind_parse, THROTTLE_KINDS, 2, &kind, err));
    if (!st->use_throttle || (int)st->throttle.kind != kind) pol_throttle_default((pol_throttle_kind)kind, &st->throttle);
    pol_throttle_cfg *c = &st->throttle;
    TRY(get_d(m, "k", 0.0001, 1000, &c->k, err));
    TRY(get_ns(m, "window", SIM_CFG_POS, &c->window, err));
    TRY(get_i(m, "slices", 1, 100000, &c->slices, err));
    TRY(get_d(m, "beta", 0, 1, &c->beta, err));
    TRY(get_d(m, "scale_c", 0, 1000, &c->scale_c, err));
    TRY(get_d(m, "min_fill_rate", 0, 1e9, &c->min_fill_rate, err));
    TRY(get_d(m, "smoothing", 0, 1, &c->smoothing, err));
    TRY(get_ns(m, "rate_bucket", SIM_CFG_POS, &c->rate_bucket, err));
    TRY(get_d(m, "max_rate_scale", 0, 1000, &c->max_rate_scale, err));
    TRY(get_scope(m, &st->throttle_scope, err));
    if (pol_throttle_validate(c)) return sim_cfg_errf(err, m, "these throttle settings are not valid (see docs/stateful-policies.md)");
    st->use_throttle = 1;
    return POL_OK;
}

static const char *const LIMITER_KEYS[] = { "rate", "burst", "tokens", "scope", NULL };

static int load_limiter(const sim_cfg_node *pol, sim_stateful *st, sim_err *err)
{
    const sim_cfg_node *m;
    TRY(submap(pol, "rate_limiter", LIMITER_KEYS, &m, err));
    if (!m) return POL_OK;
    TRY(sim_cfg_get_rate(m, "rate", SIM_CFG_REQ | SIM_CFG_POS, 0, &st->limiter.rate, err));
    st->limiter.burst = st->limiter.rate;
    TRY(get_d(m, "burst", 1e-9, 1e15, &st->limiter.burst, err));
    TRY(sim_cfg_get_bool(m, "tokens", 0, 0, &st->limiter_tokens, err));
    TRY(get_scope(m, &st->limiter_scope, err));
    st->use_limiter = 1;
    return POL_OK;
}

static const char *const BULKHEAD_KEYS[] = { "max", "scope", NULL };

static int load_bulkhead(const sim_cfg_node *pol, sim_stateful *st, sim_err *err)
{
    const sim_cfg_node *m;
    TRY(submap(pol, "bulkhead", BULKHEAD_KEYS, &m, err));
    if (!m) return POL_OK;
    long long v;
    TRY(sim_cfg_get_int(m, "max", SIM_CFG_REQ, 1, 100000000, 0, &v, err));
    st->bulkhead.max_concurrent = (int)v;
    TRY(get_scope(m, &st->bulkhead_scope, err));
    st->use_bulkhead = 1;
    return POL_OK;
}

static const char *const COOLDOWN_KEYS[] = { "kind", "allowed_fails", "cooldown", "failure_threshold", "min_requests",
    "retry_after_sets", "retry_after_cap", "consecutive_5xx", "base_ejection", "max_ejection", "max_ejection_percent",
    "interval", "fail_on", "scope", NULL };
static const char *const COOLDOWN_KINDS[] = { "litellm", "envoy" };

static int load_cooldown(const sim_cfg_node *pol, sim_stateful *st, sim_err *err)
{
    const sim_cfg_node *m;
    TRY(submap(pol, "cooldown", COOLDOWN_KEYS, &m, err));
    if (!m) return POL_OK;
    int kind = st->use_cooldown ? (int)st->cooldown.kind : POL_COOLDOWN_LITELLM;
    TRY(get_kind(m, "cooldown", (int (*)(const char *, int *))pol_cooldown_kind_parse, COOLDOWN_KINDS, 2, &kind, err));
    if (!st->use_cooldown || (int)st->cooldown.kind != kind) pol_cooldown_default((pol_cooldown_kind)kind, &st->cooldown);
    pol_cooldown_cfg *c = &st->cooldown;
    TRY(get_i(m, "allowed_fails", 0, 1000000, &c->allowed_fails, err));
    TRY(get_ns(m, "cooldown", SIM_CFG_POS, &c->cooldown_time, err));
    TRY(get_d(m, "failure_threshold", 0, 1, &c->failure_threshold, err));
    TRY(get_i(m, "min_requests", 0, 1000000, &c->min_requests, err));
    TRY(sim_cfg_get_bool(m, "retry_after_sets", 0, c->hint_sets_cooldown, &c->hint_sets_cooldown, err));
    TRY(get_ns(m, "retry_after_cap", 0, &c->hint_cap, err));
    TRY(get_i(m, "consecutive_5xx", 1, 1000000, &c->consecutive_5xx, err));
    TRY(get_ns(m, "base_ejection", SIM_CFG_POS, &c->base_ejection, err));
    TRY(get_ns(m, "max_ejection", SIM_CFG_POS, &c->max_ejection, err));
    TRY(get_percent(m, "max_ejection_percent", c->max_ejection_percent, &c->max_ejection_percent, err));
    TRY(get_ns(m, "interval", SIM_CFG_POS, &c->interval, err));
    TRY(get_failmask(m, &c->fail, err));
    TRY(get_scope(m, &st->cooldown_scope, err));
    if (pol_cooldown_validate(c)) return sim_cfg_errf(err, m, "these cooldown settings are not valid (see docs/stateful-policies.md)");
    st->use_cooldown = 1;
    return POL_OK;
}

static const char *const LB_KEYS[] = { "strategy", "weights", "decay", "usage_relative", "scope", NULL };
static const char *const LB_KINDS[] = { "weighted-random", "round-robin", "least-outstanding", "p2c", "ewma",
                                        "lowest-usage", "lowest-cost" };

static int load_lb(const sim_cfg_node *pol, int ntargets, sim_stateful *st, sim_err *err)
{
    const sim_cfg_node *m;
    TRY(submap(pol, "load_balancing", LB_KEYS, &m, err));
    if (!m) return POL_OK;
    const sim_cfg_node *k = sim_cfg_get(m, "strategy");
    if (!k) return sim_cfg_errf(err, m, "load_balancing needs a strategy (one of weighted-random, round-robin, "
                                "least-outstanding, p2c, ewma, lowest-usage, lowest-cost)");
    TRY(sim_cfg_want(k, SIM_CFG_SCALAR, "strategy", err));
    pol_lb_kind kind;
    if (pol_lb_kind_parse(k->str, &kind)) {
        char msg[600];
        snprintf(msg, sizeof msg, "unknown load-balancing strategy '%s'", k->str);
        sim_cfg_did_you_mean(msg, sizeof msg, k->str, LB_KINDS, 7);
        return sim_cfg_errf(err, k, "%s", msg);
    }
    pol_lb_default(kind, &st->lb);
    TRY(get_ns(m, "decay", SIM_CFG_POS, &st->lb.decay, err));
    TRY(sim_cfg_get_bool(m, "usage_relative", 0, st->lb.usage_relative, &st->lb.usage_relative, err));
    const sim_cfg_node *wl = sim_cfg_get(m, "weights");
    for (int i = 0; i < SIM_MAX_TARGETS; i++) st->lb_weights[i] = 1;
    if (wl) {
        TRY(sim_cfg_want(wl, SIM_CFG_SEQ, "weights", err));
        if ((int)wl->n != ntargets)
            return sim_cfg_errf(err, wl, "'weights' has %zu entries for %d targets", wl->n, ntargets);
        for (size_t i = 0; i < wl->n; i++)
            TRY(sim_cfg_as_double(wl->items[i], "weight", 0, 1e12, &st->lb_weights[i], err));
    }
    TRY(get_scope(m, &st->lb_scope, err));
    st->use_lb = 1;
    return POL_OK;
}

static const char *const QUOTA_KEYS[] = { "min_requests", "min_tokens", "jitter", "max_wait", "scope", NULL };

static int load_quota(const sim_cfg_node *pol, sim_stateful *st, sim_err *err)
{
    const sim_cfg_node *m;
    TRY(submap(pol, "quota", QUOTA_KEYS, &m, err));
    if (!m) return POL_OK;
    if (!st->use_quota) pol_quota_default(&st->quota);
    long long v;
    TRY(sim_cfg_get_int(m, "min_requests", 0, 0, 1000000000, st->quota.min_requests, &v, err));
    st->quota.min_requests = v;
    TRY(sim_cfg_get_int(m, "min_tokens", 0, 0, 1000000000000LL, st->quota.min_tokens, &v, err));
    st->quota.min_tokens = v;
    TRY(get_ns(m, "jitter", 0, &st->quota.jitter, err));
    TRY(get_ns(m, "max_wait", 0, &st->quota.max_wait, err));
    TRY(get_scope(m, &st->quota_scope, err));
    st->use_quota = 1;
    return POL_OK;
}

static const char *const HEDGE_KEYS[] = { "delay", "max_attempts", "max_in_flight", "window", "min_samples",
                                          "mode", "scope", NULL };

static int load_hedge(const sim_cfg_node *pol, sim_stateful *st, sim_err *err)
{
    const sim_cfg_node *m;
    TRY(submap(pol, "hedge", HEDGE_KEYS, &m, err));
    if (!m) return POL_OK;
    pol_hedge_cfg *c = &st->hedge;
    if (!st->use_hedge) pol_hedge_default(c);
    static const char *const MODES[] = { "hedge", "parallel" };
    int mode = 0;
    TRY(sim_cfg_get_enum(m, "mode", 0, MODES, 2, 0, &mode, err));
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
    TRY(get_i(m, "max_attempts", 1, 4, &c->max_attempts, err));
    TRY(get_i(m, "max_in_flight", 0, 4, &c->max_in_flight, err));
    TRY(get_i(m, "window", 1, 1000000, &c->window, err));
    TRY(get_i(m, "min_samples", 1, 1000000, &c->min_samples, err));
    TRY(get_scope(m, &st->hedge_scope, err));
    if (mode == 0 && !c->use_quantile && c->delay == 0)
        return sim_cfg_errf(err, m, "a hedge needs a delay > 0 or a percentile (or mode: parallel)");
    if (pol_hedge_validate(c)) return sim_cfg_errf(err, m, "these hedge settings are not valid (see docs/stateful-policies.md)");
    st->use_hedge = 1;
    return POL_OK;
}

static const char *const MONITOR_KEYS[] = { "window", "slices", "threshold", "fail_on", NULL };

static int load_monitor(const sim_cfg_node *pol, sim_stateful *st, sim_err *err)
{
    const sim_cfg_node *m;
    TRY(submap(pol, "monitor", MONITOR_KEYS, &m, err));
    if (!m) return POL_OK;
    pol_monitor_default(&st->monitor);
    TRY(get_ns(m, "window", SIM_CFG_POS, &st->monitor.window, err));
    TRY(get_i(m, "slices", 1, 100000, &st->monitor.slices, err));
    TRY(get_i(m, "threshold", 1, 1000000000, &st->monitor.threshold, err));
    TRY(get_failmask(m, &st->monitor.fail, err));
    st->use_monitor = 1;
    return POL_OK;
}

int sim_stateful_load(const sim_cfg_node *pol, const sim_scenario *s, const char *preset,
                      sim_stateful *st, sim_err *err)
{
    memset(st, 0, sizeof *st);
    st->breaker_scope = st->budget_scope = st->throttle_scope = st->limiter_scope = SIM_SCOPE_GLOBAL;
    st->bulkhead_scope = st->cooldown_scope = st->lb_scope = st->quota_scope = SIM_SCOPE_GLOBAL;
    st->hedge_scope = SIM_SCOPE_GLOBAL;
    st->gateway_size = 100;
    pol_stack_cfg stack;
    if (preset && preset[0] && pol_stack_preset(preset, &stack) == POL_OK) {
        st->use_breaker = stack.use_breaker;   st->breaker = stack.breaker;
        st->use_budget = stack.use_budget;     st->budget = stack.budget;
        st->use_throttle = stack.use_throttle; st->throttle = stack.throttle;
        st->use_limiter = stack.use_bucket;    st->limiter = stack.bucket;
        st->use_hedge = stack.use_hedge;       st->hedge = stack.hedge;
        st->use_bulkhead = stack.use_bulkhead; st->bulkhead = stack.bulkhead;
        st->use_cooldown = stack.use_cooldown; st->cooldown = stack.cooldown;
        st->use_lb = stack.use_lb;             st->lb = stack.lb;
        st->use_quota = stack.use_quota;       st->quota = stack.quota;
        for (int i = 0; i < SIM_MAX_TARGETS; i++) st->lb_weights[i] = 1;
    }
    int ntargets = 1;
    const sim_cfg_node *t = sim_cfg_get(pol, "targets");
    if (t && t->kind == SIM_CFG_SEQ && t->n > 0) ntargets = (int)t->n;
    TRY(load_breaker(pol, st, err));
    TRY(load_budget(pol, st, err));
    TRY(load_throttle(pol, st, err));
    TRY(load_limiter(pol, st, err));
    TRY(load_bulkhead(pol, st, err));
    TRY(load_cooldown(pol, st, err));
    TRY(load_lb(pol, ntargets, st, err));
    TRY(load_quota(pol, st, err));
    TRY(load_hedge(pol, st, err));
    TRY(load_monitor(pol, st, err));
    long long g;
    TRY(sim_cfg_get_int(pol, "gateway_size", 0, 1, 100000000, 100, &g, err));
    st->gateway_size = (int)g;
    TRY(sim_cfg_get_bool(pol, "degraded", 0, 0, &st->degraded, err));
    TRY(provider_chain(pol, "context_fallback", s, st->ctx_targets, &st->nctx, err));
    TRY(provider_chain(pol, "content_fallback", s, st->content_targets, &st->ncontent, err));
    return POL_OK;
}
