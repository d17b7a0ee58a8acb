/* pol_cooldown.c — LiteLLM cooldowns and Envoy outlier ejection
 * (pol_cooldown.h).
 * Invariants: a target is unavailable exactly while now < until; ENVOY
 * ejects only when 100 x (currently ejected) / n < max_ejection_percent and
 * un-ejects on the sweep grid origin + k x interval; the LiteLLM minute
 * counters belong to floor(now / 60 s) and restart when it changes.
 * Cost: O(1) per record, O(n) for an ENVOY ejection decision, no allocation.
 */
#include "pol_cooldown.h"
#include "pol_internal.h"
#include <string.h>

#define MINUTE (60 * POL_NS_PER_S)

static const char *const kind_names[POL_COOLDOWN__COUNT] = { "litellm", "envoy" };

POL_NAME_FUNCS(pol_cooldown_kind, pol_cooldown_kind_name, pol_cooldown_kind_parse, kind_names, POL_COOLDOWN__COUNT)

void pol_cooldown_default(pol_cooldown_kind k, pol_cooldown_cfg *out)
{
    if (!out) return;
    pol_cooldown_cfg c = {
        .kind = k,
        .allowed_fails = 0, .cooldown_time = 5 * POL_NS_PER_S,
        .failure_threshold = 0.5, .min_requests = 5,
        .hint_sets_cooldown = 0, .hint_cap = 0,
        .consecutive_5xx = 5, .base_ejection = 30 * POL_NS_PER_S,
        .max_ejection = 300 * POL_NS_PER_S, .max_ejection_percent = 10.0,
        .interval = 10 * POL_NS_PER_S,
    };
    pol_failmask_none(&c.fail);
    pol_failmask_set_status(&c.fail, 500, POL_STATUS_MAX, 1);
    pol_failmask_set_kind(&c.fail, POL_OUT_TIMEOUT, 1);
    pol_failmask_set_kind(&c.fail, POL_OUT_CONN_REFUSED, 1);
    pol_failmask_set_kind(&c.fail, POL_OUT_CONN_RESET, 1);
    if (k == POL_COOLDOWN_LITELLM) {        /* router._is_cooldown_required */
        pol_failmask_set_status(&c.fail, 401, 401, 1);
        pol_failmask_set_status(&c.fail, 404, 404, 1);
        pol_failmask_set_status(&c.fail, 408, 408, 1);
        pol_failmask_set_status(&c.fail, 429, 429, 1);
    }
    *out = c;
}

int pol_cooldown_validate(const pol_cooldown_cfg *c)
{
    if (!c) return POL_EINVAL;
    if (c->kind == POL_COOLDOWN_LITELLM)
        return c->allowed_fails >= 0 && c->cooldown_time > 0 && c->failure_threshold >= 0
            && c->failure_threshold <= 1 && c->min_requests >= 0 && c->hint_cap >= 0 ? POL_OK : POL_EINVAL;
    if (c->kind == POL_COOLDOWN_ENVOY)
        return c->consecutive_5xx >= 1 && c->base_ejection > 0 && c->max_ejection >= 0
            && c->max_ejection_percent >= 0 && c->max_ejection_percent <= 100 && c->interval > 0
            ? POL_OK : POL_EINVAL;
    return POL_EINVAL;
}

int pol_cooldown_init(pol_cooldown *c, const pol_cooldown_cfg *cfg,
                      pol_cooldown_target *targets, size_t n, pol_ns now)
{
    if (!c || (!targets && n)) return POL_EINVAL;
    int rc = pol_cooldown_validate(cfg);
    if (rc) return rc;
    c->cfg = *cfg;
    c->t = targets;
    c->n = n;
    pol_cooldown_reset(c, now);
    return POL_OK;
}

void pol_cooldown_reset(pol_cooldown *c, pol_ns now)
{
    if (!c) return;
    c->origin = now;
    c->overflows = 0;
    for (size_t i = 0; i < c->n; i++) {
        memset(&c->t[i], 0, sizeof c->t[i]);
        c->t[i].until = INT64_MIN;
        c->t[i].healthy_since = now;
        c->t[i].minute = INT64_MIN;
    }
}

int pol_cooldown_available(const pol_cooldown *c, size_t i, pol_ns now)
{
    if (!c || i >= c->n) return 0;
    return now >= c->t[i].until;
}

size_t pol_cooldown_unavailable(const pol_cooldown *c, pol_ns now)
{
    size_t k = 0;
    for (size_t i = 0; c && i < c->n; i++) k += now < c->t[i].until;
    return k;
}

static void start(pol_cooldown_target *t, pol_ns now, pol_ns length)
{
    t->until = now > POL_NS_MAX - length ? POL_NS_MAX : now + length;
    t->cooldowns++;
}

/* litellm._should_retry: 408, 409, 429, >= 500 (and transport errors). */
static int litellm_retryable(const pol_outcome *o)
{
    if (o->kind != POL_OUT_HTTP) return 1;
    return o->status == 408 || o->status == 409 || o->status == 429 || o->status >= 500;
}

static int record_litellm(pol_cooldown *c, pol_cooldown_target *t, pol_ns now, const pol_outcome *o)
{
    const pol_cooldown_cfg *k = &c->cfg;
    int64_t m = now >= 0 ? now / MINUTE : -((-now + MINUTE - 1) / MINUTE);
    if (m != t->minute) {
        t->minute = m;
        t->fails_minute = t->successes_minute = 0;
    }
    if (o->kind == POL_OUT_SUCCESS) {
        t->successes_minute++;
        return 0;
    }
    if (!pol_failmask_test(&k->fail, o)) return 0;       /* no cooldown logic for it */
    t->fails_minute++;
    if (now < t->until) return 0;                        /* already cooling down */
    pol_ns length = k->cooldown_time;
    int is429 = o->kind == POL_OUT_HTTP && o->status == 429;
    if (k->hint_sets_cooldown && is429 && o->retry_after >= 0) {
        length = o->retry_after;
        if (k->hint_cap > 0 && length > k->hint_cap) length = k->hint_cap;
        if (length <= 0) return 0;
    }
    int cool = 0;
    if (k->allowed_fails > 0) {                          /* legacy allowed_fails policy */
        if (now >= t->fails_expire) t->fails = 0;
        if (t->fails + 1 > k->allowed_fails) cool = 1;
        else {
            t->fails++;
            t->fails_expire = now + k->cooldown_time;
        }
    } else {
        int total = t->fails_minute + t->successes_minute;
        double pct = total > 0 ? (double)t->fails_minute / total : 0.0;
        int multi = c->n > 1;
        if (is429 && multi) cool = 1;
        else if (multi && total >= k->min_requests && pct > k->failure_threshold) cool = 1;
        else if (!litellm_retryable(o)) cool = 1;
    }
    if (!cool) return 0;
    t->fails = 0;
    start(t, now, length);
    return 1;
}

/* First sweep at or after t. */
static pol_ns sweep_at(const pol_cooldown *c, pol_ns t)
{
    pol_ns d = t - c->origin;
    if (d <= 0) return c->origin;
    pol_ns k = (d + c->cfg.interval - 1) / c->cfg.interval;
    return c->origin + k * c->cfg.interval;
}

static int record_envoy(pol_cooldown *c, pol_cooldown_target *t, pol_ns now, const pol_outcome *o)
{
    const pol_cooldown_cfg *k = &c->cfg;
    if (now < t->until) return 0;                        /* ejected: no traffic expected */
    if (!pol_failmask_test(&k->fail, o)) {
        t->consecutive = 0;
        return 0;
    }
    if (++t->consecutive < k->consecutive_5xx) return 0;
    t->consecutive = 0;
    size_t ejected = pol_cooldown_unavailable(c, now);
    if (c->n == 0 || 100.0 * (double)ejected / (double)c->n >= k->max_ejection_percent) {
        c->overflows++;
        return 0;
    }
    /* multiplier decays by one per sweep spent healthy since the last return */
    if (t->ejections > 0 && now > t->healthy_since) {
        pol_ns sweeps = (sweep_at(c, now + 1) - sweep_at(c, t->healthy_since + 1)) / k->interval;
        t->ejections = sweeps >= t->ejections ? 0 : t->ejections - (int)sweeps;
    }
    t->ejections++;
    pol_ns cap = k->max_ejection > k->base_ejection ? k->max_ejection : k->base_ejection;
    pol_ns length = t->ejections > cap / k->base_ejection ? cap : k->base_ejection * t->ejections;
    pol_ns back = sweep_at(c, now + length);
    start(t, now, back - now);
    t->healthy_since = back;
    return 1;
}

int pol_cooldown_record(pol_cooldown *c, size_t i, pol_ns now, const pol_outcome *o)
{
    if (!c || !o || i >= c->n) return POL_EINVAL;
    return c->cfg.kind == POL_COOLDOWN_LITELLM ? record_litellm(c, &c->t[i], now, o)
                                               : record_envoy(c, &c->t[i], now, o);
}
