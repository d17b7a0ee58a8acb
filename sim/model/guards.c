/* guards.c — scoped instances of the stateful policies (see guards.h).
 *
 * One table per (policy, part): an array of instance pointers indexed by the
 * scope's instance number (0 for global, client / gateway_size for gateway,
 * the client index for client and request scope), grown by doubling and
 * filled lazily. Each instance is one allocation holding the part's state
 * and its per-target arrays, so tables can grow without moving live state.
 * Instances draw no randomness of their own: draws come from the calling
 * client's policy stream, as in a production client.
 */
#include "guards.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { G_BREAKER, G_BUDGET, G_THROTTLE, G_LIMITER, G_BULKHEAD, G_COOLDOWN, G_LB, G_QUOTA, G_HEDGE, G_MONITOR, G__COUNT };

typedef sim_guard_table table;
_Static_assert(G__COUNT == SIM_GUARD_PARTS, "guards.h SIM_GUARD_PARTS must count the parts");

typedef struct { pol_cooldown c; pol_cooldown_target t[]; } cooldown_inst;
typedef struct { pol_lb lb; pol_lb_target t[]; } lb_inst;

static sim_scope scope_of(const sim_stateful *st, int part)
{
    switch (part) {
    case G_BREAKER:  return st->breaker_scope;
    case G_BUDGET:   return st->budget_scope;
    case G_THROTTLE: return st->throttle_scope;
    case G_LIMITER:  return st->limiter_scope;
    case G_BULKHEAD: return st->bulkhead_scope;
    case G_COOLDOWN: return st->cooldown_scope;
    case G_LB:       return st->lb_scope;
    case G_QUOTA:    return st->quota_scope;
    case G_HEDGE:    return st->hedge_scope;
    default:         return SIM_SCOPE_GLOBAL;
    }
}

static int used(const sim_stateful *st, int part)
{
    switch (part) {
    case G_BREAKER:  return st->use_breaker;
    case G_BUDGET:   return st->use_budget;
    case G_THROTTLE: return st->use_throttle;
    case G_LIMITER:  return st->use_limiter;
    case G_BULKHEAD: return st->use_bulkhead;
    case G_COOLDOWN: return st->use_cooldown;
    case G_LB:       return st->use_lb;
    case G_QUOTA:    return st->use_quota;
    case G_HEDGE:    return st->use_hedge;
    case G_MONITOR:  return st->use_monitor;
    default:         return 0;
    }
}

static uint32_t instance_of(const sim_stateful *st, int part, uint32_t ci)
{
    switch (scope_of(st, part)) {
    case SIM_SCOPE_GLOBAL:  return 0;
    case SIM_SCOPE_GATEWAY: return ci / (uint32_t)(st->gateway_size > 0 ? st->gateway_size : 100);
    default:                return ci;
    }
}

static int policy_index(const sim_world *w, const sim_policy *p) { return (int)(p - w->sc->policies); }

static void destroy(int part, void *x)
{
    if (!x) return;
    switch (part) {
    case G_BUDGET:   pol_budget_free(x); break;
    case G_THROTTLE: pol_throttle_free(x); break;
    case G_HEDGE:    pol_hedge_free(x); break;
    case G_MONITOR:  pol_monitor_free(x); break;
    default: break;
    }
    free(x);
}

/* Creates the instance of `part` for policy p. */
static void *create(sim_world *w, const sim_policy *p, int part)
{
    const sim_stateful *st = &p->st;
    int np = w->sc->nproviders;
    pol_ns now = w->eng.now;
    void *x = NULL;
    int rc = POL_OK;
    switch (part) {
    case G_BREAKER: {
        pol_breaker *b = calloc((size_t)np, sizeof *b);
        if (!b) return NULL;
        for (int i = 0; i < np && rc == POL_OK; i++) rc = pol_breaker_init(&b[i], &st->breaker);
        if (rc) { for (int i = 0; i < np; i++) pol_breaker_free(&b[i]); free(b); return NULL; }
        return b;
    }
    case G_BUDGET:   x = calloc(1, sizeof(pol_budget));   if (x) rc = pol_budget_init(x, &st->budget); break;
    case G_THROTTLE: x = calloc(1, sizeof(pol_throttle)); if (x) rc = pol_throttle_init(x, &st->throttle, now); break;
    case G_LIMITER:  x = calloc(1, sizeof(pol_bucket));   if (x) rc = pol_bucket_init(x, &st->limiter, now); break;
    case G_BULKHEAD: x = calloc(1, sizeof(pol_bulkhead)); if (x) rc = pol_bulkhead_init(x, &st->bulkhead); break;
    case G_HEDGE:    x = calloc(1, sizeof(pol_hedge));    if (x) rc = pol_hedge_init(x, &st->hedge); break;
    case G_MONITOR:  x = calloc(1, sizeof(pol_monitor));  if (x) rc = pol_monitor_init(x, &st->monitor, (size_t)np); break;
    case G_COOLDOWN: {
        cooldown_inst *c = calloc(1, sizeof *c + (size_t)np * sizeof(pol_cooldown_target));
        if (c) rc = pol_cooldown_init(&c->c, &st->cooldown, c->t, (size_t)np, now);
        x = c;
        break;
    }
    case G_LB: {
        lb_inst *l = calloc(1, sizeof *l + (size_t)p->ntargets * sizeof(pol_lb_target));
        if (!l) return NULL;
        rc = pol_lb_init(&l->lb, &st->lb);
        for (int i = 0; i < p->ntargets; i++) {
            pol_lb_target *t = &l->t[i];
            const sim_provider *pv = &w->sc->providers[p->targets[i]];
            pol_lb_target_init(t);
            t->weight = st->lb_weights[i] > 0 ? st->lb_weights[i] : 1;
            t->rpm_limit = pv->base.rpm;
            t->tpm_limit = pv->base.tpm;
            t->cost = pv->price_in + pv->price_out;   /* per million tokens; relative order is what counts */
        }
        x = l;
        break;
    }
    case G_QUOTA: {
        pol_quota *q = calloc((size_t)np, sizeof *q);
        if (!q) return NULL;
        for (int i = 0; i < np; i++) pol_quota_reset(&q[i]);
        return q;
    }
    default: return NULL;
    }
    if (x && rc) { destroy(part, x); return NULL; }
    return x;
}

static void *get(sim_world *w, const sim_policy *p, int part, uint32_t ci)
{
    sim_guards *g = &w->guards[policy_index(w, p)];
    if (!((g->used >> part) & 1u)) return NULL;
    table *t = &g->t[part];
    uint32_t k = instance_of(&p->st, part, ci);
    if (k >= t->cap) {
        uint32_t nc = t->cap ? t->cap : 16;
        while (nc <= k) nc *= 2;
        void **nv = realloc(t->v, (size_t)nc * sizeof *nv);
        if (!nv) { w->error = POL_ENOMEM; sim_engine_stop(&w->eng); return NULL; }
        memset(nv + t->cap, 0, (size_t)(nc - t->cap) * sizeof *nv);
        t->v = nv;
        t->cap = nc;
    }
    if (!t->v[k]) {
        t->v[k] = create(w, p, part);
        if (!t->v[k]) { w->error = POL_ENOMEM; sim_engine_stop(&w->eng); }
    }
    return t->v[k];
}

int sim_guards_init(sim_world *w)
{
    w->guards = calloc((size_t)w->sc->npolicies, sizeof *w->guards);
    if (!w->guards) return POL_ENOMEM;
    for (int pi = 0; pi < w->sc->npolicies; pi++) {
        const sim_stateful *st = &w->sc->policies[pi].st;
        for (int part = 0; part < G__COUNT; part++) {
            if (!used(st, part)) continue;
            w->guards[pi].used |= 1u << part;
            if (scope_of(st, part) == SIM_SCOPE_REQUEST) w->guards[pi].request_scoped |= 1u << part;
        }
    }
    return POL_OK;
}

void sim_guards_free(sim_world *w)
{
    if (!w->guards) return;
    for (int pi = 0; pi < w->sc->npolicies; pi++)
        for (int part = 0; part < G__COUNT; part++) {
            table *t = &w->guards[pi].t[part];
            for (uint32_t k = 0; k < t->cap; k++) {
                if (!t->v[k]) continue;
                if (part == G_BREAKER) {
                    pol_breaker *b = t->v[k];
                    for (int i = 0; i < w->sc->nproviders; i++) pol_breaker_free(&b[i]);
                }
                destroy(part, t->v[k]);
            }
            free(t->v);
        }
    free(w->guards);
    w->guards = NULL;
}

int sim_guards_request_start(sim_world *w, const sim_policy *p, uint32_t ci)
{
    unsigned rs = w->guards[policy_index(w, p)].request_scoped;
    pol_ns now = w->eng.now;
    for (int part = 0; rs && part < G__COUNT; part++) {
        if (!((rs >> part) & 1u)) continue;
        void *x = get(w, p, part, ci);
        if (!x) return POL_ENOMEM;
        switch (part) {
        case G_BREAKER:  for (int i = 0; i < w->sc->nproviders; i++) pol_breaker_reset(&((pol_breaker *)x)[i]); break;
        case G_BUDGET:   pol_budget_reset(x); break;
        case G_THROTTLE: pol_throttle_reset(x, now); break;
        case G_LIMITER:  pol_bucket_reset(x, now); break;
        case G_BULKHEAD: pol_bulkhead_reset(x); break;
        case G_COOLDOWN: pol_cooldown_reset(&((cooldown_inst *)x)->c, now); break;
        case G_LB:       pol_lb_reset(&((lb_inst *)x)->lb); break;
        case G_QUOTA:    for (int i = 0; i < w->sc->nproviders; i++) pol_quota_reset(&((pol_quota *)x)[i]); break;
        case G_HEDGE:    pol_hedge_reset(x); break;
        default: break;
        }
    }
    return POL_OK;
}

pol_breaker *sim_g_breaker(sim_world *w, const sim_policy *p, uint32_t ci, int provider)
{
    pol_breaker *b = get(w, p, G_BREAKER, ci);
    return b ? &b[provider] : NULL;
}
pol_budget   *sim_g_budget(sim_world *w, const sim_policy *p, uint32_t ci)   { return get(w, p, G_BUDGET, ci); }
pol_throttle *sim_g_throttle(sim_world *w, const sim_policy *p, uint32_t ci) { return get(w, p, G_THROTTLE, ci); }
pol_bucket   *sim_g_limiter(sim_world *w, const sim_policy *p, uint32_t ci)  { return get(w, p, G_LIMITER, ci); }
pol_bulkhead *sim_g_bulkhead(sim_world *w, const sim_policy *p, uint32_t ci) { return get(w, p, G_BULKHEAD, ci); }
pol_hedge    *sim_g_hedge(sim_world *w, const sim_policy *p, uint32_t ci)    { return get(w, p, G_HEDGE, ci); }
pol_monitor  *sim_g_monitor(sim_world *w, const sim_policy *p)               { return get(w, p, G_MONITOR, 0); }

pol_cooldown *sim_g_cooldown(sim_world *w, const sim_policy *p, uint32_t ci)
{
    cooldown_inst *c = get(w, p, G_COOLDOWN, ci);
    return c ? &c->c : NULL;
}

pol_lb *sim_g_lb(sim_world *w, const sim_policy *p, uint32_t ci, pol_lb_target **targets_out)
{
    lb_inst *l = get(w, p, G_LB, ci);
    if (targets_out) *targets_out = l ? l->t : NULL;
    return l ? &l->lb : NULL;
}

pol_quota *sim_g_quota(sim_world *w, const sim_policy *p, uint32_t ci, int provider)
{
    pol_quota *q = get(w, p, G_QUOTA, ci);
    return q ? &q[provider] : NULL;
}

void sim_guards_sample(sim_world *w, pol_ns now, uint32_t *open_breakers, uint32_t *cooled,
                       double *budget_level, double *throttle_level)
{
    int np = w->sc->nproviders;
    double bsum = 0, tsum = 0;
    uint64_t bn = 0, tn = 0;
    for (int pi = 0; pi < w->sc->npolicies; pi++) {
        sim_guards *g = &w->guards[pi];
        for (uint32_t k = 0; k < g->t[G_BREAKER].cap; k++) {
            pol_breaker *b = g->t[G_BREAKER].v[k];
            if (!b) continue;
            for (int i = 0; i < np; i++)
                if (pol_breaker_state_at(&b[i], now) != POL_BREAKER_CLOSED) open_breakers[i]++;
        }
        for (uint32_t k = 0; k < g->t[G_COOLDOWN].cap; k++) {
            cooldown_inst *c = g->t[G_COOLDOWN].v[k];
            if (!c) continue;
            for (int i = 0; i < np; i++)
                if (!pol_cooldown_available(&c->c, (size_t)i, now)) cooled[i]++;
        }
        for (uint32_t k = 0; k < g->t[G_BUDGET].cap; k++)
            if (g->t[G_BUDGET].v[k]) { bsum += pol_budget_level(g->t[G_BUDGET].v[k], now); bn++; }
        for (uint32_t k = 0; k < g->t[G_THROTTLE].cap; k++)
            if (g->t[G_THROTTLE].v[k]) { tsum += pol_throttle_level(g->t[G_THROTTLE].v[k], now); tn++; }
    }
    *budget_level = bn ? bsum / (double)bn : NAN;
    *throttle_level = tn ? tsum / (double)tn : NAN;
}

uint64_t sim_guards_breaker_transitions(const sim_world *w)
{
    uint64_t n = 0;
    for (int pi = 0; pi < w->sc->npolicies; pi++) {
        const table *t = &w->guards[pi].t[G_BREAKER];
        for (uint32_t k = 0; k < t->cap; k++) {
            const pol_breaker *b = t->v[k];
            if (!b) continue;
            for (int i = 0; i < w->sc->nproviders; i++) n += pol_breaker_transitions(&b[i]);
        }
    }
    return n;
}
