/* guards.c — scoped instances of the stateful policies (see guards.h).
 *
 * Every kind of part is one row of OPS[] (the model of curl's struct
 * Curl_cftype): how an instance is created, reset for a new request,
 * destroyed; the gate it puts before an attempt leaves (or none); what it
 * learns from an attempt's outcome; the gauges it adds to the time series;
 * the totals it adds to the run's metrics. The client loop (world.c) runs
 * the rows in table order (sim_part, scenario.h); a new kind of part is a
 * row here, not an edit of every loop.
 *
 * One table per (policy, part): an array of instance pointers indexed by the
 * scope's instance number (0 for global, client / gateway_size for gateway,
 * the client index for client and request scope, the request's class for
 * class scope), grown by doubling and
 * filled lazily. Each instance is one allocation holding the part's state
 * and its per-target arrays, so tables can grow without moving live state.
 * Instances draw no randomness of their own: draws come from the calling
 * client's policy stream, as in a production client.
 * Cost: O(1) per lookup; a gate or outcome visits the policy's used parts.
 */
#include "guards.h"
#include "metrics.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef sim_guard_table table;

typedef struct { pol_cooldown c; pol_cooldown_target t[]; } cooldown_inst;
typedef struct { pol_lb lb; pol_lb_target t[]; } lb_inst;

/* Gauges a part adds to one time-series bucket. */
typedef struct {
    uint32_t *open_breakers, *cooled;   /* [provider] */
    double    budget_sum, throttle_sum;
    uint64_t  budget_n, throttle_n;
} gauges;

typedef struct {
    /* a new instance for policy p (NULL when out of memory) and its end */
    void *(*create)(sim_world *w, const sim_policy *p);
    void  (*destroy)(sim_world *w, void *x);
    /* request scope: back to the state of a new instance */
    void  (*reset)(sim_world *w, void *x, pol_ns now);
    /* before an attempt to provider prov leaves: SIM_GATE_PASS, or WAIT
     * (*delay), or REJECT (the request ends); once = it is asked once per
     * attempt, not again after its own wait */
    int   (*gate)(sim_world *w, const sim_policy *p, uint32_t ci, int prov, pol_ns *delay);
    int     once;
    /* attempt s of client ci ended with o after dur */
    void  (*record)(sim_world *w, const sim_policy *p, uint32_t ci, const sim_slot *s, const pol_outcome *o, pol_ns dur);
    /* time-series gauges of one instance at now */
    void  (*sample)(sim_world *w, void *x, pol_ns now, gauges *g);
    /* what one instance adds to the run's metrics (counts[SIM_M_*]) */
    void  (*totals)(const sim_world *w, const void *x, double *counts);
} part_ops;

static void *get(sim_world *w, const sim_policy *p, int part, uint32_t ci);

/* ------------------------------------------------------------ breaker --- */
static void *breaker_create(sim_world *w, const sim_policy *p)
{
    int np = w->sc->nproviders, rc = POL_OK;
    pol_breaker *b = calloc((size_t)np, sizeof *b);
    if (!b) return NULL;
    for (int i = 0; i < np && rc == POL_OK; i++) rc = pol_breaker_init(&b[i], &p->st.breaker);
    if (rc) { for (int i = 0; i < np; i++) pol_breaker_free(&b[i]); free(b); return NULL; }
    return b;
}
static void breaker_destroy(sim_world *w, void *x)
{
    pol_breaker *b = x;
    for (int i = 0; i < w->sc->nproviders; i++) pol_breaker_free(&b[i]);
    free(b);
}
static void breaker_reset(sim_world *w, void *x, pol_ns now)
{
    (void)now;
    for (int i = 0; i < w->sc->nproviders; i++) pol_breaker_reset(&((pol_breaker *)x)[i]);
}
static void breaker_record(sim_world *w, const sim_policy *p, uint32_t ci, const sim_slot *s, const pol_outcome *o, pol_ns dur)
{
    pol_breaker *b = s->probe ? sim_g_breaker(w, p, ci, s->provider) : NULL;   /* only what it admitted */
    if (b) pol_breaker_record(b, w->eng.now, o, dur);
}
static void breaker_sample(sim_world *w, void *x, pol_ns now, gauges *g)
{
    pol_breaker *b = x;
    for (int i = 0; i < w->sc->nproviders; i++)
        if (pol_breaker_state_at(&b[i], now) != POL_BREAKER_CLOSED) g->open_breakers[i]++;
}
static void breaker_totals(const sim_world *w, const void *x, double *counts)
{
    const pol_breaker *b = x;
    for (int i = 0; i < w->sc->nproviders; i++) counts[SIM_M_BREAKER_TRANS] += (double)pol_breaker_transitions(&b[i]);
}

/* ------------------------------------------------------------- budget --- */
static void *budget_create(sim_world *w, const sim_policy *p)
{
    (void)w;
    pol_budget *x = calloc(1, sizeof *x);
    if (x && pol_budget_init(x, &p->st.budget)) { pol_budget_free(x); free(x); return NULL; }
    return x;
}
static void budget_destroy(sim_world *w, void *x) { (void)w; pol_budget_free(x); free(x); }
static void budget_reset(sim_world *w, void *x, pol_ns now) { (void)w; (void)now; pol_budget_reset(x); }
static void budget_sample(sim_world *w, void *x, pol_ns now, gauges *g)
{
    (void)w;
    g->budget_sum += pol_budget_level(x, now);
    g->budget_n++;
}

/* ----------------------------------------------------------- throttle --- */
static void *throttle_create(sim_world *w, const sim_policy *p)
{
    pol_throttle *x = calloc(1, sizeof *x);
    if (x && pol_throttle_init(x, &p->st.throttle, w->eng.now)) { pol_throttle_free(x); free(x); return NULL; }
    return x;
}
static void throttle_destroy(sim_world *w, void *x) { (void)w; pol_throttle_free(x); free(x); }
static void throttle_reset(sim_world *w, void *x, pol_ns now) { (void)w; pol_throttle_reset(x, now); }
static int throttle_gate(sim_world *w, const sim_policy *p, uint32_t ci, int prov, pol_ns *delay)
{
    (void)prov;
    pol_throttle *th = sim_g_throttle(w, p, ci);
    if (!th) return SIM_GATE_PASS;
    /* once per attempt, but only once passed: a WAIT reserves nothing (as
     * botocore's blocking acquire), so the gate asks again when it ends */
    uint16_t bit = (uint16_t)(1u << SIM_PART_THROTTLE);
    sim_client *c = &w->clients[ci];
    if (c->gates & bit) return SIM_GATE_PASS;
    sim_crng x;
    int a = pol_throttle_before_send(th, w->eng.now, sim_crng_open(&x, w, c, SIM_CRNG_POLICY), delay);
    sim_crng_close(&x);
    if (a == POL_THROTTLE_REJECT) return SIM_GATE_REJECT;
    if (a == POL_THROTTLE_WAIT) return SIM_GATE_WAIT;
    c->gates |= bit;
    return SIM_GATE_PASS;
}
static void throttle_record(sim_world *w, const sim_policy *p, uint32_t ci, const sim_slot *s, const pol_outcome *o, pol_ns dur)
{
    (void)s; (void)dur;
    pol_throttle *th = sim_g_throttle(w, p, ci);
    if (!th) return;
    /* SRE counts accepts (any answer but a success is not accepted);
     * botocore's adaptive mode reacts to throttling errors only (429) */
    int throttled = th->cfg.kind == POL_THROTTLE_AWS_ADAPTIVE ? (o->kind == POL_OUT_HTTP && o->status == 429)
                                                              : o->kind != POL_OUT_SUCCESS;
    pol_throttle_on_response(th, w->eng.now, throttled);
}
static void throttle_sample(sim_world *w, void *x, pol_ns now, gauges *g)
{
    (void)w;
    g->throttle_sum += pol_throttle_level(x, now);
    g->throttle_n++;
}

/* ------------------------------------------------------------ limiter --- */
static void *limiter_create(sim_world *w, const sim_policy *p)
{
    pol_bucket *x = calloc(1, sizeof *x);
    if (x && pol_bucket_init(x, &p->st.limiter, w->eng.now)) { free(x); return NULL; }
    return x;
}
static void plain_destroy(sim_world *w, void *x) { (void)w; free(x); }
static void limiter_reset(sim_world *w, void *x, pol_ns now) { (void)w; pol_bucket_reset(x, now); }
static int limiter_gate(sim_world *w, const sim_policy *p, uint32_t ci, int prov, pol_ns *delay)
{
    (void)prov;
    pol_bucket *lim = sim_g_limiter(w, p, ci);
    if (!lim) return SIM_GATE_PASS;
    const sim_client *c = &w->clients[ci];
    double amount = p->st.limiter_tokens ? (double)c->prompt + c->output : 1.0;
    pol_bucket_reserve(lim, w->eng.now, amount, delay);
    return *delay > 0 ? SIM_GATE_WAIT : SIM_GATE_PASS;
}

/* ----------------------------------------------------------- bulkhead --- */
static void *bulkhead_create(sim_world *w, const sim_policy *p)
{
    (void)w;
    pol_bulkhead *x = calloc(1, sizeof *x);
    if (x && pol_bulkhead_init(x, &p->st.bulkhead)) { free(x); return NULL; }
    return x;
}
static void bulkhead_reset(sim_world *w, void *x, pol_ns now) { (void)w; (void)now; pol_bulkhead_reset(x); }

/* ----------------------------------------------------------- cooldown --- */
static void *cooldown_create(sim_world *w, const sim_policy *p)
{
    int np = w->sc->nproviders;
    cooldown_inst *c = calloc(1, sizeof *c + (size_t)np * sizeof(pol_cooldown_target));
    if (c && pol_cooldown_init(&c->c, &p->st.cooldown, c->t, (size_t)np, w->eng.now)) { free(c); return NULL; }
    return c;
}
static void cooldown_reset(sim_world *w, void *x, pol_ns now) { (void)w; pol_cooldown_reset(&((cooldown_inst *)x)->c, now); }
static void cooldown_record(sim_world *w, const sim_policy *p, uint32_t ci, const sim_slot *s, const pol_outcome *o, pol_ns dur)
{
    (void)dur;
    pol_cooldown *cd = sim_g_cooldown(w, p, ci);
    if (cd) pol_cooldown_record(cd, (size_t)s->provider, w->eng.now, o);
}
static void cooldown_sample(sim_world *w, void *x, pol_ns now, gauges *g)
{
    cooldown_inst *c = x;
    for (int i = 0; i < w->sc->nproviders; i++)
        if (!pol_cooldown_available(&c->c, (size_t)i, now)) g->cooled[i]++;
}

/* ----------------------------------------------------- load balancing --- */
static void *lb_create(sim_world *w, const sim_policy *p)
{
    const sim_stateful *st = &p->st;
    lb_inst *l = calloc(1, sizeof *l + (size_t)p->ntargets * sizeof(pol_lb_target));
    if (!l) return NULL;
    if (pol_lb_init(&l->lb, &st->lb)) { free(l); return NULL; }
    for (int i = 0; i < p->ntargets; i++) {
        pol_lb_target *t = &l->t[i];
        const sim_provider *pv = &w->sc->providers[p->targets[i]];
        pol_lb_target_init(t);
        t->weight = st->lb_weights[i] >= 0 ? st->lb_weights[i] : 1;   /* 0: never picked */
        t->rpm_limit = pv->base.rpm;
        t->tpm_limit = pv->base.tpm;
        t->cost = pv->price_in + pv->price_out;   /* per million tokens; relative order is what counts */
    }
    return l;
}
static void lb_reset(sim_world *w, void *x, pol_ns now) { (void)w; (void)now; pol_lb_reset(&((lb_inst *)x)->lb); }
static void lb_record(sim_world *w, const sim_policy *p, uint32_t ci, const sim_slot *s, const pol_outcome *o, pol_ns dur)
{
    pol_lb_target *lt;
    pol_lb *lb = sim_g_lb(w, p, ci, &lt);
    if (!lb) return;
    for (int i = 0; i < p->ntargets; i++)
        if (p->targets[i] == s->provider) {
            pol_lb_on_done(lb, &lt[i], w->eng.now, dur);
            pol_lb_on_result(lb, &lt[i], w->eng.now, o->kind == POL_OUT_SUCCESS);
        }
}

/* -------------------------------------------------------------- quota --- */
static void *quota_create(sim_world *w, const sim_policy *p)
{
    (void)p;
    int np = w->sc->nproviders;
    pol_quota *q = calloc((size_t)np, sizeof *q);
    for (int i = 0; q && i < np; i++) pol_quota_reset(&q[i]);
    return q;
}
static void quota_reset(sim_world *w, void *x, pol_ns now)
{
    (void)now;
    for (int i = 0; i < w->sc->nproviders; i++) pol_quota_reset(&((pol_quota *)x)[i]);
}
static int quota_gate(sim_world *w, const sim_policy *p, uint32_t ci, int prov, pol_ns *delay)
{
    pol_quota *q = sim_g_quota(w, p, ci, prov);
    if (!q) return SIM_GATE_PASS;
    sim_client *c = &w->clients[ci];
    sim_crng x;
    int r = pol_quota_check(&p->st.quota, q, w->eng.now, (double)c->prompt + c->output,
                            sim_crng_open(&x, w, c, SIM_CRNG_POLICY), delay);
    sim_crng_close(&x);
    if (r == POL_QUOTA_WAIT && *delay > 0)
        return SIM_GATE_WAIT;
    return SIM_GATE_PASS;
}
static void quota_record(sim_world *w, const sim_policy *p, uint32_t ci, const sim_slot *s, const pol_outcome *o, pol_ns dur)
{
    (void)o; (void)dur;
    pol_quota *q = sim_g_quota(w, p, ci, s->provider);
    if (!q || !s->rl_known) return;
    const sim_slot_x *x = &w->slotx[s - w->slots];   /* a quota policy: the run keeps them */
    pol_ns now = w->eng.now;
    q->remaining_requests = x->rl_req;
    q->remaining_tokens = x->rl_tok;
    q->reset_requests_at = now + x->rl_reset;
    q->reset_tokens_at = now + x->rl_reset;
}

/* -------------------------------------------------------------- hedge --- */
static void *hedge_create(sim_world *w, const sim_policy *p)
{
    (void)w;
    pol_hedge *x = calloc(1, sizeof *x);
    if (x && pol_hedge_init(x, &p->st.hedge)) { pol_hedge_free(x); free(x); return NULL; }
    return x;
}
static void hedge_destroy(sim_world *w, void *x) { (void)w; pol_hedge_free(x); free(x); }
static void hedge_reset(sim_world *w, void *x, pol_ns now) { (void)w; (void)now; pol_hedge_reset(x); }
static void hedge_record(sim_world *w, const sim_policy *p, uint32_t ci, const sim_slot *s, const pol_outcome *o, pol_ns dur)
{
    (void)s;
    pol_hedge *h = sim_g_hedge(w, p, ci);
    if (h && o->kind == POL_OUT_SUCCESS) pol_hedge_observe(h, dur);
}

/* ------------------------------------------------------------ monitor --- */
static void *monitor_create(sim_world *w, const sim_policy *p)
{
    pol_monitor *x = calloc(1, sizeof *x);
    if (x && pol_monitor_init(x, &p->st.monitor, (size_t)w->sc->nproviders)) { pol_monitor_free(x); free(x); return NULL; }
    return x;
}
static void monitor_destroy(sim_world *w, void *x) { (void)w; pol_monitor_free(x); free(x); }
static void monitor_record(sim_world *w, const sim_policy *p, uint32_t ci, const sim_slot *s, const pol_outcome *o, pol_ns dur)
{
    (void)ci; (void)dur;
    pol_monitor *m = sim_g_monitor(w, p, ci);
    pol_ns now = w->eng.now;
    if (m && pol_monitor_record(m, (size_t)s->provider, now, o) > 0) {
        sim_count(w, s->cls, SIM_M_ALERTS, 1);
        if (w->alerts)
            sim_alert_write(w, s->provider, p->st.scope[SIM_PART_MONITOR] == SIM_SCOPE_CLASS ? (int)s->cls : -1, now,
                            pol_monitor_count(m, (size_t)s->provider, now));
    }
}

/* ----------------------------------------------------------- the table --- */
static const part_ops OPS[SIM_PART__COUNT] = {
    [SIM_PART_BREAKER]  = { breaker_create,  breaker_destroy,  breaker_reset,  NULL, 0, breaker_record,
                            breaker_sample, breaker_totals },
    [SIM_PART_BUDGET]   = { budget_create,   budget_destroy,   budget_reset,   NULL, 0, NULL, budget_sample, NULL },
    [SIM_PART_THROTTLE] = { throttle_create, throttle_destroy, throttle_reset, throttle_gate, 0, throttle_record,
                            throttle_sample, NULL },
    [SIM_PART_LIMITER]  = { limiter_create,  plain_destroy,    limiter_reset,  limiter_gate, 1, NULL, NULL, NULL },
    [SIM_PART_BULKHEAD] = { bulkhead_create, plain_destroy,    bulkhead_reset, NULL, 0, NULL, NULL, NULL },
    [SIM_PART_COOLDOWN] = { cooldown_create, plain_destroy,    cooldown_reset, NULL, 0, cooldown_record,
                            cooldown_sample, NULL },
    [SIM_PART_LB]       = { lb_create,       plain_destroy,    lb_reset,       NULL, 0, lb_record, NULL, NULL },
    [SIM_PART_QUOTA]    = { quota_create,    plain_destroy,    quota_reset,    quota_gate, 0, quota_record, NULL, NULL },
    [SIM_PART_HEDGE]    = { hedge_create,    hedge_destroy,    hedge_reset,    NULL, 0, hedge_record, NULL, NULL },
    [SIM_PART_MONITOR]  = { monitor_create,  monitor_destroy,  NULL,           NULL, 0, monitor_record, NULL, NULL },
};

/* ------------------------------------------------------------ instances --- */
/* The instance client ci's request uses: the scope's instance number. */
static uint32_t instance_of(const sim_world *w, const sim_stateful *st, int part, uint32_t ci)
{
    switch (st->scope[part]) {
    case SIM_SCOPE_GLOBAL:  return 0;
    case SIM_SCOPE_GATEWAY: return ci / (uint32_t)(st->gateway_size > 0 ? st->gateway_size : 100);
    case SIM_SCOPE_CLASS:   return w->clients[ci].cls;     /* its current request's class */
    default:                return ci;
    }
}

static int policy_index(const sim_world *w, const sim_policy *p) { return (int)(p - w->sc->policies); }

static void *get(sim_world *w, const sim_policy *p, int part, uint32_t ci)
{
    sim_guards *g = &w->guards[policy_index(w, p)];
    if (!((g->used >> part) & 1u)) return NULL;
    table *t = &g->t[part];
    uint32_t k = instance_of(w, &p->st, part, ci);
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
        t->v[k] = OPS[part].create(w, p);
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
        for (int part = 0; part < SIM_PART__COUNT; part++) {
            if (!st->use[part]) continue;
            w->guards[pi].used |= 1u << part;
            if (st->scope[part] == SIM_SCOPE_REQUEST && part != SIM_PART_MONITOR)
                w->guards[pi].request_scoped |= 1u << part;
        }
    }
    return POL_OK;
}

void sim_guards_free(sim_world *w)
{
    if (!w->guards) return;
    for (int pi = 0; pi < w->sc->npolicies; pi++)
        for (int part = 0; part < SIM_PART__COUNT; part++) {
            table *t = &w->guards[pi].t[part];
            for (uint32_t k = 0; k < t->cap; k++)
                if (t->v[k]) OPS[part].destroy(w, t->v[k]);
            free(t->v);
        }
    free(w->guards);
    w->guards = NULL;
}

int sim_guards_request_start(sim_world *w, const sim_policy *p, uint32_t ci)
{
    unsigned rs = w->guards[policy_index(w, p)].request_scoped;
    for (int part = 0; rs && part < SIM_PART__COUNT; part++) {
        if (!((rs >> part) & 1u)) continue;
        void *x = get(w, p, part, ci);
        if (!x) return POL_ENOMEM;
        if (OPS[part].reset) OPS[part].reset(w, x, w->eng.now);
    }
    return POL_OK;
}

int sim_guards_gate(sim_world *w, const sim_policy *p, uint32_t ci, int prov, int *part_out, pol_ns *delay)
{
    unsigned used = w->guards[policy_index(w, p)].used;
    sim_client *c = &w->clients[ci];
    for (int part = 0; part < SIM_PART__COUNT; part++) {
        const part_ops *o = &OPS[part];
        if (!o->gate || !((used >> part) & 1u)) continue;
        if (o->once && (c->gates & (1u << part))) continue;
        pol_ns d = 0;
        int a = o->gate(w, p, ci, prov, &d);
        *part_out = part;
        if (a == SIM_GATE_REJECT) return a;
        if (o->once) w->clients[ci].gates |= (uint16_t)(1u << part);
        if (a == SIM_GATE_WAIT && d > 0) { *delay = d; return a; }
    }
    return SIM_GATE_PASS;
}

void sim_guards_record(sim_world *w, const sim_policy *p, uint32_t ci, const sim_slot *s, const pol_outcome *o)
{
    unsigned used = w->guards[policy_index(w, p)].used;
    pol_ns dur = w->eng.now - s->sent;
    for (int part = 0; part < SIM_PART__COUNT; part++)
        if (OPS[part].record && ((used >> part) & 1u)) OPS[part].record(w, p, ci, s, o, dur);
}

/* ------------------------------------------------------------- typed access --- */
pol_breaker *sim_g_breaker(sim_world *w, const sim_policy *p, uint32_t ci, int provider)
{
    pol_breaker *b = get(w, p, SIM_PART_BREAKER, ci);
    return b ? &b[provider] : NULL;
}
pol_budget   *sim_g_budget(sim_world *w, const sim_policy *p, uint32_t ci)   { return get(w, p, SIM_PART_BUDGET, ci); }
pol_throttle *sim_g_throttle(sim_world *w, const sim_policy *p, uint32_t ci) { return get(w, p, SIM_PART_THROTTLE, ci); }
pol_bucket   *sim_g_limiter(sim_world *w, const sim_policy *p, uint32_t ci)  { return get(w, p, SIM_PART_LIMITER, ci); }
pol_bulkhead *sim_g_bulkhead(sim_world *w, const sim_policy *p, uint32_t ci) { return get(w, p, SIM_PART_BULKHEAD, ci); }
pol_hedge    *sim_g_hedge(sim_world *w, const sim_policy *p, uint32_t ci)    { return get(w, p, SIM_PART_HEDGE, ci); }
pol_monitor  *sim_g_monitor(sim_world *w, const sim_policy *p, uint32_t ci) { return get(w, p, SIM_PART_MONITOR, ci); }

pol_cooldown *sim_g_cooldown(sim_world *w, const sim_policy *p, uint32_t ci)
{
    cooldown_inst *c = get(w, p, SIM_PART_COOLDOWN, ci);
    return c ? &c->c : NULL;
}

pol_lb *sim_g_lb(sim_world *w, const sim_policy *p, uint32_t ci, pol_lb_target **targets_out)
{
    lb_inst *l = get(w, p, SIM_PART_LB, ci);
    if (targets_out) *targets_out = l ? l->t : NULL;
    return l ? &l->lb : NULL;
}

pol_quota *sim_g_quota(sim_world *w, const sim_policy *p, uint32_t ci, int provider)
{
    pol_quota *q = get(w, p, SIM_PART_QUOTA, ci);
    return q ? &q[provider] : NULL;
}

/* ------------------------------------------------------------- gauges --- */
void sim_guards_sample(sim_world *w, pol_ns now, uint32_t *open_breakers, uint32_t *cooled,
                       double *budget_level, double *throttle_level)
{
    gauges g = { open_breakers, cooled, 0, 0, 0, 0 };
    for (int pi = 0; pi < w->sc->npolicies; pi++)
        for (int part = 0; part < SIM_PART__COUNT; part++) {
            if (!OPS[part].sample) continue;
            const table *t = &w->guards[pi].t[part];
            for (uint32_t k = 0; k < t->cap; k++)
                if (t->v[k]) OPS[part].sample(w, t->v[k], now, &g);
        }
    *budget_level = g.budget_n ? g.budget_sum / (double)g.budget_n : NAN;
    *throttle_level = g.throttle_n ? g.throttle_sum / (double)g.throttle_n : NAN;
}

void sim_guards_totals(const sim_world *w, double *counts)
{
    for (int pi = 0; pi < w->sc->npolicies; pi++)
        for (int part = 0; part < SIM_PART__COUNT; part++) {
            if (!OPS[part].totals) continue;
            const table *t = &w->guards[pi].t[part];
            for (uint32_t k = 0; k < t->cap; k++)
                if (t->v[k]) OPS[part].totals(w, t->v[k], counts);
        }
}
