/* world.c — clients, attempts and the run of one replication (see world.h).
 *
 * Invariants: a client waits for at most SIM_MAX_INFLIGHT attempts at once
 * (c->att: one, or several while hedging); an attempt slot is freed exactly
 * once: when its answer reaches the client side, or (black-holed) when its
 * client stops waiting, or — with a caller's transport, which is told to
 * cancel — as soon as the client stops waiting; every event that
 * refers to a slot carries the slot's generation, bumped on free, so stale
 * timeouts and responses are skipped by the engine's live check.
 * Timeouts are scheduled lazily: an attempt's timeout event enters the queue
 * only when the attempt's next known event (arrival, end of service,
 * response) is not before its deadline, or when that next event is unknown
 * (waiting room, black hole). Most attempts finish in time and never cost a
 * timeout event. A timeout is armed before the event of its own attempt
 * that it beats, so on an exact tie the timeout still comes first.
 * Random draws: workload (class, tokens, think) from the client's workload
 * stream, jitter from its policy stream, so two policies compared on the same
 * seed see the same workload draws as long as their paths agree (common
 * random numbers).
 */
#include "world.h"
#include "rng.h"
#include "metrics.h"
#include "guards.h"
#include "mem.h"
#include "stream.h"
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- slots --- */
/* Client ci's i-th attempt in flight (i < SIM_MAX_INFLIGHT; past the first
 * only when its policy hedges, and then cx exists). */
static inline uint32_t *att_at(sim_world *w, uint32_t ci, int i)
{
    return i == 0 ? &w->clients[ci].att0 : &w->cx[ci].att_more[i - 1];
}

static uint32_t slot_alloc(sim_world *w)
{
    if (w->free_slot != SIM_NONE) {
        uint32_t id = w->free_slot;
        w->free_slot = w->slots[id].next_free;
        return id;
    }
    if (w->nslots == w->cap_slots) {
        uint32_t nc = w->cap_slots ? w->cap_slots * 2 : 1024;
        sim_slot *ns = realloc(w->slots, (size_t)nc * sizeof *ns);
        if (!ns) { w->error = POL_ENOMEM; sim_engine_stop(&w->eng); return SIM_NONE; }
        w->slots = ns;
        sim_mem_hugepages(ns, (size_t)nc * sizeof *ns);
        if (w->want_slotx) {
            sim_slot_x *nx = realloc(w->slotx, (size_t)nc * sizeof *nx);
            if (!nx) { w->error = POL_ENOMEM; sim_engine_stop(&w->eng); return SIM_NONE; }
            w->slotx = nx;
        }
        w->cap_slots = nc;
    }
    uint32_t id = w->nslots++;
    w->slots[id].gen = 0;
    return id;
}

static void slot_free(sim_world *w, uint32_t id)
{
    sim_slot *s = &w->slots[id];
    s->state = SLOT_FREE;
    s->gen++;
    s->next_free = w->free_slot;
    w->free_slot = id;
}

/* attempts.csv stream or a transport that wants each decision (live mode) */
#define TRACING(w) ((w)->trace || (w)->tp.verdict)

static void trace_row(sim_world *w, uint32_t slot_id, const pol_outcome *o, const pol_verdict *v)
{
    if (w->tp.verdict) w->tp.verdict(w, slot_id, o, v, w->tp.ctx);
    if (w->trace) sim_attempts_write(w->trace, w, slot_id, o, v, NULL);
}

/* ------------------------------------------------------- retry states --- */
/* The compact state's start: pol_retry_begin's `now` at the request's
 * start, which start_request moves with a trace's deadline and a fallback
 * puts back (both to cx's dl_origin when there is one). */
static inline pol_ns rs_start(const sim_world *w, uint32_t ci)
{
    return w->cx ? w->cx[ci].dl_origin : w->clients[ci].req_start;
}

/* Client ci's retry loops' states: w->lstates when some policy of the run
 * has nested layers or per-kind rules; else the client's compact state,
 * expanded into *tmp (rs_store writes it back). With no rules,
 * pol_retry_next leaves last_rule / first_rule at "no rule" and reads only
 * the fields that sim_rs_small keeps. */
static pol_retry_state *rs_load(sim_world *w, uint32_t ci, pol_retry_state *tmp)
{
    if (w->lstates) return sim_client_rs(w, ci);
    const sim_rs_small *c = &w->clients[ci].rs;
    tmp->start = rs_start(w, ci);
    tmp->attempts = c->attempts;
    tmp->last_delay = c->last_delay;
    tmp->hinted = c->hinted;
    tmp->bo = c->bo;
    tmp->last_rule = POL_RETRY_NO_RULE;
    tmp->first_rule = c->attempts > 0 ? POL_RETRY_NO_RULE : -2;
    tmp->kind_attempts[0] = c->kind0;       /* with no rules the only one pol_retry_next touches */
    tmp->rule_bo_live = 0;
    return tmp;
}

static void rs_store(sim_world *w, uint32_t ci, const pol_retry_state *s)
{
    if (w->lstates) return;
    sim_rs_small *c = &w->clients[ci].rs;
    c->attempts = s->attempts;
    c->last_delay = s->last_delay;
    c->hinted = s->hinted;
    c->bo = s->bo;
    c->kind0 = s->kind_attempts[0];
}

/* -------------------------------------------------------------- clients --- */
static int client_new(sim_world *w, uint32_t *id_out)
{
    if (w->nclients == w->cap_clients) {
        uint32_t nc = w->cap_clients ? w->cap_clients * 2 : 64;
        sim_client *n = realloc(w->clients, (size_t)nc * sizeof *n);
        if (!n) return POL_ENOMEM;
        w->clients = n;
        sim_mem_hugepages(n, (size_t)nc * sizeof *n);
        uint32_t *f = realloc(w->client_free_next, (size_t)nc * sizeof *f);
        if (!f) return POL_ENOMEM;
        w->client_free_next = f;
        if (w->cx) {
            sim_client_x *x = realloc(w->cx, (size_t)nc * sizeof *x);
            if (!x) return POL_ENOMEM;
            w->cx = x;
        }
        if (w->lo_out) {
            pol_outcome *lo = realloc(w->lo_out, (size_t)nc * sizeof *lo);
            if (!lo) return POL_ENOMEM;
            w->lo_out = lo;
        }
        w->cap_clients = nc;
    }
    uint32_t id = w->nclients;
    if (w->lstates && id == w->cap_lstates) {     /* nested layers: their states, per client */
        uint32_t nc = w->cap_lstates * 2;
        pol_retry_state *ns = realloc(w->lstates, (size_t)nc * w->ls_stride * sizeof *ns);
        if (!ns) return POL_ENOMEM;
        w->lstates = ns;
        w->cap_lstates = nc;
    }
    sim_client *c = &w->clients[id];
    memset(c, 0, sizeof *c);
    if (w->cx) memset(&w->cx[id], 0, sizeof *w->cx);
    if (!w->rng_packed) {
        c->st.p[SIM_CRNG_WORK] = sim_rng_pool_state(&w->client_rngs);
        c->st.p[SIM_CRNG_POLICY] = sim_rng_pool_state(&w->client_rngs);
        if (!c->st.p[SIM_CRNG_WORK] || !c->st.p[SIM_CRNG_POLICY]) return POL_ENOMEM;
    }
    const uint32_t domain[2] = { [SIM_CRNG_WORK] = SIM_STREAM_CLIENT, [SIM_CRNG_POLICY] = SIM_STREAM_CLIENT_POLICY };
    for (int k = 0; k < 2; k++) {
        sim_crng x;
        gsl_rng *r = sim_crng_open(&x, w, c, k);
        sim_rng_bind(r, r->type, r->state, w->seed, (uint32_t)w->replication, domain[k], id);
        sim_crng_close(&x);
    }
    w->nclients++;
    *id_out = id;
    return POL_OK;
}

static int pick_class(const sim_workload *wl, gsl_rng *r)
{
    if (wl->nclasses <= 1) return 0;
    double total = 0;
    for (int i = 0; i < wl->nclasses; i++) total += wl->classes[i].weight;
    double u = gsl_rng_uniform(r) * total;
    for (int i = 0; i < wl->nclasses; i++) {
        if (u < wl->classes[i].weight) return i;
        u -= wl->classes[i].weight;
    }
    return wl->nclasses - 1;
}

static const sim_policy *client_policy(const sim_world *w, const sim_client *c)
{
    return w->kpol[c->cls].pol;
}

/* The chain the client is walking: targets, or an error-specific chain. */
static const int *chain_of(const sim_policy *p, int chain, int *n)
{
    if (chain == 1) { *n = p->st.nctx; return p->st.ctx_targets; }
    if (chain == 2) { *n = p->st.ncontent; return p->st.content_targets; }
    *n = p->ntargets;
    return p->targets;
}

static int target_available(sim_world *w, const sim_policy *p, uint32_t ci, int prov)
{
    pol_ns now = w->eng.now;
    pol_breaker *b = sim_g_breaker(w, p, ci, prov);
    if (b && pol_breaker_state_at(b, now) == POL_BREAKER_OPEN) return 0;
    pol_cooldown *cd = sim_g_cooldown(w, p, ci);
    if (cd && !pol_cooldown_available(cd, (size_t)prov, now)) return 0;
    return 1;
}

/* Chooses the provider of the next attempt: by load balancing over the pool
 * of targets, or the first available target of the current chain from
 * c->target on. Returns the provider, or -1 when none is available. */
static int choose_target(sim_world *w, const sim_policy *p, uint32_t ci)
{
    sim_client *c = &w->clients[ci];
    if (!sim_guards_any(w, c)) {
        int n;
        const int *chain = chain_of(p, c->chain, &n);
        return c->target < n ? chain[c->target] : -1;
    }
    pol_lb_target *lt;
    pol_lb *lb = c->chain == 0 ? sim_g_lb(w, p, ci, &lt) : NULL;
    if (lb) {
        for (int i = 0; i < p->ntargets; i++) lt[i].available = target_available(w, p, ci, p->targets[i]);
        if (p->st.lb_sticky && c->picked && lt[c->target].available) return p->targets[c->target];
        int ntiers = p->st.nlb_tiers ? p->st.nlb_tiers : 1, lo = 0;
        for (int t = 0; t < ntiers; t++) {
            int size = p->st.nlb_tiers ? p->st.lb_tiers[t] : p->ntargets;
            size_t k;
            int rc = POL_LB_NONE;
            if (t >= c->tier) {
                sim_crng x;
                rc = pol_lb_pick(lb, lt + lo, (size_t)size, w->eng.now, (double)c->prompt + c->output,
                                 sim_crng_open(&x, w, c, SIM_CRNG_POLICY), &k);
                sim_crng_close(&x);
            }
            if (rc == POL_LB_PICKED) {
                c->target = (uint8_t)(lo + (int)k);
                c->picked = 1;
                return p->targets[c->target];
            }
            lo += size;
        }
        return -1;
    }
    int n;
    const int *chain = chain_of(p, c->chain, &n);
    for (int i = c->target; i < n; i++)
        if (target_available(w, p, ci, chain[i])) { c->target = (uint8_t)i; return chain[i]; }
    return -1;
}

static void start_attempt(sim_world *w, uint32_t ci);
static void end_request(sim_world *w, uint32_t ci, int outcome);

/* Reports the result of the budget's open grant (the request's first
 * attempt, or a granted retry), once. Inline: at every decision and every
 * request's end, and without a retry budget there is no grant open. */
static inline void budget_close(sim_world *w, uint32_t ci, int ok)
{
    sim_client *c = &w->clients[ci];
    if (!c->budget_open) return;
    c->budget_open = 0;
    pol_budget *bg = sim_g_budget(w, client_policy(w, c), ci);
    if (bg) pol_budget_on_result(bg, w->eng.now, &w->cx[ci].brq, ok);   /* a budget: cx exists */
}

/* Asks the budget for a retry (or a fallback attempt); counts a refusal. */
static int budget_grant(sim_world *w, uint32_t ci, int is_timeout)
{
    sim_client *c = &w->clients[ci];
    const sim_policy *p = client_policy(w, c);
    pol_budget *bg = sim_guards_any(w, c) ? sim_g_budget(w, p, ci) : NULL;   /* no call without parts */
    if (!bg) return 1;
    if (pol_budget_can_retry(bg, w->eng.now, &w->cx[ci].brq, is_timeout)) { c->budget_open = 1; return 1; }
    sim_count(w, c->cls, SIM_M_BUDGET_DENIED, 1);
    w->br[sim_bucket_of(w, w->eng.now)].budget_denied++;
    return 0;
}
enum { END_SUCCESS, END_GIVE_UP, END_LOCAL_REJECT };

/* The deadline of class k's requests without one of their own: the class's,
 * else its policy's (0 = none). */
static pol_ns class_deadline(const sim_world *w, int k)
{
    const sim_class *cl = &w->sc->workload.classes[k];
    return cl->deadline > 0 ? cl->deadline : w->kpol[k].pol->retry.deadline;
}

/* Starts a request on client ci; row: its arrival's index in the trace
 * (whose cells override the class's draws), or -1. */
static void start_request(sim_world *w, uint32_t ci, int64_t row)
{
    sim_client *c = &w->clients[ci];
    pol_ns now = w->eng.now;
    const sim_workload *wl = &w->sc->workload;
    if (now == w->zt_time) {
        if (++w->zt_count > 1000000 + 100 * (uint64_t)w->nclients) {
            w->error = SIM_EZEROTIME;       /* time would never advance again */
            sim_engine_stop(&w->eng);
            return;
        }
    } else {
        w->zt_time = now;
        w->zt_count = 0;
    }
    c->busy = 1;
    c->req_id = w->next_req_id++;
    c->req_start = now;
    int cls = row >= 0 && wl->arrival_class && wl->arrival_class[row] != SIM_ARR_ANY_CLASS ? wl->arrival_class[row] : -1;
    sim_crng x;
    gsl_rng *r = sim_crng_open(&x, w, c, SIM_CRNG_WORK);
    c->cls = (uint8_t)(cls >= 0 ? cls : pick_class(wl, r));
    const sim_class *k = &wl->classes[c->cls];
    double pt = row >= 0 && wl->arrival_prompt && wl->arrival_prompt[row] != SIM_ARR_NO_TOKENS
              ? (double)wl->arrival_prompt[row] : sim_dist_sample_inline(&k->prompt_tokens, r);
    double ot = row >= 0 && wl->arrival_output && wl->arrival_output[row] != SIM_ARR_NO_TOKENS
              ? (double)wl->arrival_output[row] : sim_dist_sample_inline(&k->output_tokens, r);
    sim_crng_close(&x);
    c->stream = row >= 0 && wl->arrival_flags ? wl->arrival_flags[row] : 0;
    c->prompt = (float)(pt < 0 ? 0 : round(pt));
    c->output = (float)(ot < 1 ? 1 : round(ot));
    if (w->st) sim_stream_request_start(w, ci);
    c->target = 0;
    c->chain = 0;
    c->tier = 0;
    c->picked = 0;
    c->attempt_no = 0;
    c->natt = 0;
    c->round_sent = 0;
    c->gates = 0;
    c->throttled = 0;
    c->bulkhead = 0;
    c->budget_open = 0;
    const pol_layers_cfg *lc = &w->lcfg[c->cls];
    if (!w->lstates) {                                   /* pol_retry_begin, on the compact state */
        c->rs = (sim_rs_small){ 0 };                      /* its start: rs_start */
        pol_backoff_reset(&c->rs.bo);
    } else if (lc->n == 1) pol_retry_begin(sim_client_rs(w, ci), now);   /* one loop: pol_layers_begin's */
    else pol_layers_begin(lc, sim_client_rs(w, ci), now);
    if (w->cx) w->cx[ci].dl_origin = now;
    if (wl->arrival_deadline_max > 0) {         /* (then cx exists) */
        /* the trace gives deadlines: the class's loop has the largest one
         * (world_setup), and this request's is had by moving its origin */
        pol_ns want = row >= 0 && wl->arrival_deadline_ms && wl->arrival_deadline_ms[row]
                    ? (pol_ns)wl->arrival_deadline_ms[row] * POL_NS_PER_MS : class_deadline(w, c->cls);
        pol_ns org = want > 0 ? now - (w->cfgs[c->cls].deadline - want)
                              : now + w->sc->duration;      /* none: after the end of the run */
        w->cx[ci].dl_origin = org;
        if (w->lstates) sim_client_rs(w, ci)[0].start = org;   /* (the compact state's: rs_start) */
    }
    c->last_delay = 0;
    sim_count(w, c->cls, SIM_M_REQUESTS, 1);
    w->br[sim_bucket_of(w, now)].started++;
    const sim_policy *p = client_policy(w, c);
    if (sim_guards_any(w, c)) {                 /* no calls without parts */
        if (sim_guards_request_start(w, p, ci)) return;
        pol_bulkhead *bh = sim_g_bulkhead(w, p, ci);
        if (bh) {
            if (pol_bulkhead_acquire(bh) == POL_BULKHEAD_REJECT) {
                sim_count(w, w->clients[ci].cls, SIM_M_LOCAL_REJECTS, 1);
                end_request(w, ci, END_LOCAL_REJECT);
                return;
            }
            c->bulkhead = 1;
        }
        pol_budget *bg = sim_g_budget(w, p, ci);
        if (bg) { pol_budget_on_request(bg, now, &w->cx[ci].brq); c->budget_open = 1; }
    }
    start_attempt(w, ci);
}

/* Sends one attempt to provider prov now. hedge: not the round's first. */
static void send_to(sim_world *w, uint32_t ci, int prov, int hedge, int probe)
{
    sim_client *c = &w->clients[ci];
    const sim_policy *pol = client_policy(w, c);
    const pol_layers_cfg *lc = &w->lcfg[c->cls];
    pol_ns now = w->eng.now;
    uint32_t id = slot_alloc(w);
    if (id == SIM_NONE) return;
    c = &w->clients[ci];
    sim_slot *s = &w->slots[id];
    s->client = ci;
    s->req_id = c->req_id;
    s->provider = (int16_t)prov;
    s->state = SLOT_SENT;
    s->abandoned = 0;
    s->hedge = (uint8_t)hedge;
    s->pos = c->round_sent;
    s->cls = c->cls;
    s->probe = (uint8_t)probe;
    s->rl_known = 0;
    s->stream = 0;
    s->attempt_no = ++c->attempt_no;
    s->sent = now;
    const pol_retry_state *rs = w->lstates ? sim_client_rs(w, ci) : NULL;   /* else c->rs */
    if (w->slotx) {
        w->slotx[id].delay_before = hedge ? 0 : c->last_delay;
        for (int k = 0; k < lc->n; k++) {
            int a = (rs ? rs[k].attempts : c->rs.attempts) + 1;
            w->slotx[id].lno[k] = (uint16_t)(a < UINT16_MAX ? a : UINT16_MAX);
        }
    }
    s->service = 0;
    s->prompt = c->prompt;
    s->output = c->output;
    s->out = sim_out_pack(pol_outcome_make(POL_OUT_SUCCESS, 200));
    if (c->round_sent == 0) {
        if (w->cx) w->cx[ci].round_start = now;
        c->lo_best = c->lo_first = 0xFF;
    }
    *att_at(w, ci, c->natt++) = id;
    c->round_sent++;
    c->gates = 0;
    c->throttled = 0;
    w->in_flight[prov]++;
    if (sim_guards_any(w, c)) {
        pol_lb_target *lt;
        if (sim_g_lb(w, pol, ci, &lt) && c->chain == 0) pol_lb_on_send(&lt[c->target], now, (double)c->prompt + c->output);
        pol_quota *q = sim_g_quota(w, pol, ci, prov);
        if (q) pol_quota_on_send(q, (double)c->prompt + c->output);
    }
    /* the earliest of the nested bounds: this attempt's timeout, an outer
     * layer's timeout over its inner loop, each layer's deadline */
    if (lc->n == 1) {                   /* one loop: pol_layers_expiry's answer, inline (hot path) */
        const pol_retry_cfg *cfg = lc->layer[0];
        pol_ns to = cfg->attempt_timeout;
        if (cfg->deadline > 0) {
            pol_ns left = (rs ? rs->start : rs_start(w, ci)) + cfg->deadline - now;
            if (left < 1) left = 1;
            if (to == 0 || left < to) to = left;
        }
        s->deadline = to > 0 ? now + to : 0;
        s->to_layer = 0;
    } else {
        int layer;
        pol_ns until = pol_layers_expiry(lc, rs, now, &layer);
        s->deadline = until == POL_NS_MAX ? 0 : until;
        s->to_layer = (uint8_t)(layer >= 0 ? layer : lc->n - 1);
    }
    if (w->st) sim_stream_on_send(w, ci, id);   /* its TTFT timeout, a recovered prefix */
    s->to_armed = 0;
    if (!w->simulated) sim_world_arm_timeout(w, id, POL_NS_MAX);   /* its answer time is unknown */
    if (w->tp.send(w, id, w->tp.ctx)) {   /* it could not leave (a cap): the run ends here */
        sim_world_stop(w);
        return;
    }
    sim_count(w, c->cls, SIM_M_ATTEMPTS, 1);
    w->br[sim_bucket_of(w, now)].attempts++;
    if (hedge) {
        sim_count(w, c->cls, SIM_M_HEDGES, 1);
        sim_bp(w, now, prov)->hedges++;
    }
}

int sim_world_attempt(const sim_world *w, uint32_t id, sim_attempt *a)
{
    if (id >= w->nslots || w->slots[id].state == SLOT_FREE) return -1;
    const sim_slot *s = &w->slots[id];
    *a = (sim_attempt){ .req_id = s->req_id, .attempt_no = s->attempt_no, .client = s->client, .gen = s->gen,
                        .provider = s->provider, .hedge = s->hedge, .prompt = s->prompt, .output = s->output,
                        .sent = s->sent, .deadline = s->deadline,
                        .delay_before = w->slotx ? w->slotx[id].delay_before : 0,
                        .policy = client_policy(w, &w->clients[s->client])->name,
                        .stream = s->stream != 0,
                        .idle_timeout = s->stream ? w->st->cls[w->clients[s->client].cls].idle_timeout : 0 };
    const pol_layers_cfg *lc = &w->lcfg[w->clients[s->client].cls];
    a->hint = &lc->layer[lc->n - 1]->hint;
    return 0;
}

void sim_world_arm_timeout(sim_world *w, uint32_t id, pol_ns next)
{
    sim_slot *s = &w->slots[id];
    if (s->deadline == 0 || s->to_armed || s->abandoned || next < s->deadline) return;
    s->to_armed = 1;
    sim_schedule(&w->eng, s->deadline, EV_TIMEOUT, id, s->gen, 0);
}

static void schedule_hedge(sim_world *w, uint32_t ci)
{
    sim_client *c = &w->clients[ci];
    pol_hedge *h = sim_g_hedge(w, client_policy(w, c), ci);
    if (!h) return;
    pol_ns at = pol_hedge_next_at(h, w->cx[ci].round_start, c->round_sent, c->natt);   /* hedging: cx exists */
    if (at == POL_NS_MAX) return;
    sim_schedule(&w->eng, at, EV_HEDGE, ci, c->gen, 0);
}

/* Client-side gates before an attempt leaves: target choice (breakers,
 * cooldowns, load balancing), then the parts' gates (guards.c: adaptive
 * throttling, the client's own rate limiter, quota awareness), then the
 * target's breaker. A gate that says "wait" schedules a wake-up that comes
 * back here; a gate that refuses ends the request. */
#define WAKE_REQUEST 0
#define WAKE_ATTEMPT 1
#define WAKE_LAYER   2     /* + (layer << 8): that layer's bound cut an inner sleep */

/* Counts the client's next attempt in the bucket's `throttled`, once: at
 * its first wait or at its rejection, not at every wake-up of a waiter. */
static void count_throttled(sim_world *w, sim_client *c)
{
    if (c->throttled) return;
    c->throttled = 1;
    w->br[sim_bucket_of(w, w->eng.now)].throttled++;
}

static void wait_then_retry_gates(sim_world *w, uint32_t ci, pol_ns d)
{
    sim_client *c = &w->clients[ci];
    c->gen++;
    count_throttled(w, c);
    sim_schedule(&w->eng, w->eng.now + (d > 0 ? d : 1), EV_WAKE, ci, c->gen, WAKE_ATTEMPT);
}

static void start_attempt(sim_world *w, uint32_t ci)
{
    sim_client *c = &w->clients[ci];
    const sim_policy *p = client_policy(w, c);
    pol_ns now = w->eng.now;
    for (;;) {
        int prov = choose_target(w, p, ci);
        if (prov < 0) {
            sim_count(w, w->clients[ci].cls, SIM_M_LOCAL_REJECTS, 1);
            end_request(w, ci, END_LOCAL_REJECT);
            return;
        }
        if (!sim_guards_any(w, c)) { send_to(w, ci, prov, 0, 0); return; }
        pol_ns d = 0;
        int part;
        switch (sim_guards_gate(w, p, ci, prov, &part, &d)) {
        case SIM_GATE_REJECT:
            sim_count(w, w->clients[ci].cls, SIM_M_LOCAL_REJECTS, 1);
            count_throttled(w, c);
            end_request(w, ci, END_LOCAL_REJECT);
            return;
        case SIM_GATE_WAIT:
            wait_then_retry_gates(w, ci, d);
            return;
        default:
            break;
        }
        int probe = 0;
        pol_breaker *b = sim_g_breaker(w, p, ci, prov);
        if (b) {
            pol_breaker_answer a = pol_breaker_allow(b, now);
            if (a == POL_BREAKER_REJECT) {     /* half-open and its probes are taken: try another target */
                sim_count(w, w->clients[ci].cls, SIM_M_LOCAL_REJECTS, 1);
                sim_bp(w, now, prov)->local_rejects++;
                int n;
                chain_of(p, c->chain, &n);
                if (sim_g_lb(w, p, ci, NULL) && c->chain == 0) { end_request(w, ci, END_LOCAL_REJECT); return; }
                if (c->target + 1 >= n) { end_request(w, ci, END_LOCAL_REJECT); return; }
                c->target++;
                continue;
            }
            probe = 1;
        }
        send_to(w, ci, prov, 0, probe);
        pol_hedge *h = sim_g_hedge(w, p, ci);
        if (h && h->cfg.delay == 0 && !h->cfg.use_quantile) {
            /* parallel mode: race the other targets at once */
            int n;
            const int *chain = chain_of(p, c->chain, &n);
            int limit = h->cfg.max_attempts < SIM_MAX_INFLIGHT ? h->cfg.max_attempts : SIM_MAX_INFLIGHT;
            for (int i = 1; i < limit; i++) {
                int other = chain[(c->target + i) % n];
                send_to(w, ci, other, 1, 0);
            }
        } else if (h) {
            schedule_hedge(w, ci);
        }
        return;
    }
}

static void finish_request(sim_world *w, uint32_t ci)
{
    sim_client *c = &w->clients[ci];
    pol_ns now = w->eng.now;
    const sim_workload *wl = &w->sc->workload;
    c->busy = 0;
    c->done++;
    c->gen++;                  /* cancels a pending hedge */
    if (now > w->last_finish) w->last_finish = now;   /* = now in time order; answers received ahead come early */
    if (c->bulkhead) {
        pol_bulkhead_release(sim_g_bulkhead(w, client_policy(w, c), ci));
        c->bulkhead = 0;
    }
    if (wl->loop == SIM_LOOP_CLOSED) {
        if (wl->requests_per_client == 0 || c->done < wl->requests_per_client) {
            sim_crng x;
            double think = sim_dist_sample(&wl->think, sim_crng_open(&x, w, c, SIM_CRNG_WORK));
            sim_crng_close(&x);
            sim_schedule(&w->eng, now + (pol_ns)(think < 0 ? 0 : think), EV_WAKE, ci, c->gen, WAKE_REQUEST);
        } else if (++w->finished_clients == w->nclients) {
            sim_engine_stop(&w->eng);   /* every client is done: nothing more can happen */
        }
    } else {
        w->client_free_next[ci] = w->free_client;
        w->free_client = ci;
    }
}

/* Abandons the request's other attempts still in flight (a hedge won, or the
 * request ended): their answers will be wasted work. */
static void abandon_inflight(sim_world *w, uint32_t ci)
{
    sim_client *c = &w->clients[ci];
    const sim_policy *p = client_policy(w, c);
    for (int i = 0; i < c->natt; i++) {
        uint32_t id = *att_at(w, ci, i);
        sim_slot *s = &w->slots[id];
        s->abandoned = 1;
        w->in_flight[s->provider]--;
        pol_breaker *b = s->probe ? sim_g_breaker(w, p, ci, s->provider) : NULL;
        if (b) pol_breaker_cancel(b);
        if (s->stream == SST_STREAMING) sim_stream_abandon(w, id);   /* what it received is discarded */
        w->tp.cancel(w, id, w->tp.ctx);
        if (!w->simulated) {
            slot_free(w, id);
        } else if (s->state == SLOT_DROPPED) {
            slot_free(w, id);
        }
    }
    c->natt = 0;
}

static void end_request(sim_world *w, uint32_t ci, int outcome)
{
    sim_client *c = &w->clients[ci];
    const sim_policy *p = client_policy(w, c);
    pol_ns now = w->eng.now;
    uint32_t b = sim_bucket_of(w, now);
    abandon_inflight(w, ci);
    if (w->st) sim_stream_request_end(w, ci, outcome == END_SUCCESS);
    budget_close(w, ci, outcome == END_SUCCESS);
    if (outcome == END_SUCCESS) {
        sim_metrics_latency(w, c->cls, (double)(now - c->req_start) / 1e9);
        sim_count(w, c->cls, SIM_M_SUCCESSES, 1);
        if (now - c->req_start <= w->slo[c->cls]) sim_count(w, c->cls, SIM_M_SLO_SUCCESS_RATE, 1);   /* a count until the end */
        w->br[b].succeeded++;
    } else if (p->st.degraded) {
        sim_count(w, c->cls, SIM_M_DEGRADED, 1);
        w->br[b].degraded++;
    } else {
        sim_count(w, c->cls, SIM_M_GIVE_UPS, 1);
        w->br[b].gave_up++;
    }
    if (now > w->clast_finish[c->cls]) w->clast_finish[c->cls] = now;   /* as last_finish */
    finish_request(w, ci);
}

/* Removes slot id from the client's in-flight list. */
static void drop_att(sim_world *w, uint32_t ci, uint32_t id)
{
    sim_client *c = &w->clients[ci];
    for (int i = 0; i < c->natt; i++)
        if (*att_at(w, ci, i) == id) { *att_at(w, ci, i) = *att_at(w, ci, c->natt - 1); c->natt--; return; }
}

/* What every stateful part learns from an attempt's outcome. */
static void record_outcome(sim_world *w, uint32_t ci, const sim_slot *s, const pol_outcome *o)
{
    const sim_client *c = &w->clients[ci];
    if (sim_guards_any(w, c)) sim_guards_record(w, client_policy(w, c), ci, s, o);
}

static void schedule_next_attempt(sim_world *w, uint32_t ci, pol_ns delay);

/* The policy decides on outcome o of an attempt of retry layer `layer` (the
 * innermost for an HTTP attempt's answer; an outer one when its timeout or
 * deadline ended its inner loop); slot_id is the HTTP attempt, or SIM_NONE
 * when an outer bound cut an inner sleep. */
static void decide_row(sim_world *w, uint32_t ci, uint32_t slot_id, int layer, const pol_outcome *o,
                       const pol_outcome *row);
static void decide(sim_world *w, uint32_t ci, uint32_t slot_id, int layer, const pol_outcome *o)
{
    decide_row(w, ci, slot_id, layer, o, o);
}

/* decide on o; the attempts.csv row of slot_id shows `row`, that attempt's own
 * outcome (hedge pick list-order decides on the first target's). */
static void decide_row(sim_world *w, uint32_t ci, uint32_t slot_id, int layer, const pol_outcome *o,
                       const pol_outcome *row)
{
    sim_client *c = &w->clients[ci];
    const pol_layers_cfg *lc = &w->lcfg[c->cls];
    const sim_policy *pol = client_policy(w, c);
    pol_ns now = w->eng.now;
    budget_close(w, ci, 0);
    pol_verdict v;
    pol_retry_state tmp;
    pol_retry_state *rs = rs_load(w, ci, &tmp);
    sim_crng x;
    gsl_rng *pr = sim_crng_open(&x, w, c, SIM_CRNG_POLICY);
    if (lc->n == 1) pol_retry_next(lc->layer[0], rs, o, now, pr, &v);   /* = pol_layers_next with one layer */
    else pol_layers_next(lc, rs, layer, o, now, pr, &v, NULL);
    sim_crng_close(&x);
    rs_store(w, ci, rs);
    if (v.action == POL_ACT_RETRY && !budget_grant(w, ci, o->kind == POL_OUT_TIMEOUT)) v.action = POL_ACT_GIVE_UP;
    if (slot_id != SIM_NONE && TRACING(w)) trace_row(w, slot_id, row, &v);
    switch (v.action) {
    case POL_ACT_RETRY:
        schedule_next_attempt(w, ci, v.delay);
        return;
    case POL_ACT_FALLBACK: {
        int n;
        c->picked = 0;
        if (o->kind == POL_OUT_CONTEXT_WINDOW && pol->st.nctx > 0 && c->chain != 1) { c->chain = 1; c->target = 0; }
        else if (o->kind == POL_OUT_CONTENT_POLICY && pol->st.ncontent > 0 && c->chain != 2) { c->chain = 2; c->target = 0; }
        else if (c->chain == 0 && pol->st.nlb_tiers && sim_g_lb(w, pol, ci, NULL)) {
            int t = 0, end = pol->st.lb_tiers[0];       /* the tier after the failed target's */
            while (c->target >= end) end += pol->st.lb_tiers[++t];
            if (t + 1 >= pol->st.nlb_tiers) { end_request(w, ci, END_GIVE_UP); return; }
            c->tier = (uint8_t)(t + 1);
        }
        else if (chain_of(pol, c->chain, &n), c->target + 1 < n) c->target++;
        else { end_request(w, ci, END_GIVE_UP); return; }
        pol_layers_begin(lc, rs, now);
        rs[0].start = rs_start(w, ci);   /* the deadline covers the whole request */
        rs_store(w, ci, rs);
        c->last_delay = 0;
        c->round_sent = 0;
        if (!budget_grant(w, ci, 0)) { end_request(w, ci, END_GIVE_UP); return; }
        start_attempt(w, ci);
        return;
    }
    case POL_ACT_GIVE_UP:
    default:
        end_request(w, ci, END_GIVE_UP);
        return;
    }
}

/* hedge mode parallel, pick: list-order (the seed's async fallbacks: an
 * asyncio.gather of every target, then the first success in list order):
 * every copy of the round runs to its end (answer or timeout); when the
 * last one ends, the request succeeds if any copy did (its latency is the
 * slowest copy's), else the policy decides on the outcome of the first
 * target in the list. */
static void deliver_list_order(sim_world *w, uint32_t ci, uint32_t slot_id, int layer, const pol_outcome *o)
{
    sim_client *c = &w->clients[ci];
    const sim_slot *s = &w->slots[slot_id];
    if (o->kind == POL_OUT_SUCCESS && s->pos < c->lo_best) c->lo_best = s->pos;
    if (s->pos < c->lo_first) { c->lo_first = s->pos; w->lo_out[ci] = *o; }
    if (c->natt > 0 || c->lo_best != 0xFF) {
        if (TRACING(w)) {                     /* waiting for the others, or the request is done now */
            pol_verdict v = { c->natt > 0 && o->kind != POL_OUT_SUCCESS ? POL_ACT_RETRY : POL_ACT_DONE, POL_REASON_NONE, 0,
                              o->kind == POL_OUT_SUCCESS ? POL_CLASS_SUCCESS
                                                         : pol_classify(&w->lcfg[c->cls].layer[layer]->classify, o) };
            trace_row(w, slot_id, o, &v);
        }
        if (c->natt == 0) end_request(w, ci, END_SUCCESS);
        return;
    }
    pol_outcome first = w->lo_out[ci];
    decide_row(w, ci, slot_id, layer, &first, o);
}

/* The client has the outcome of one of its attempts: ask the policy.
 * layer: the retry layer whose attempt ended (see decide). */
static void deliver(sim_world *w, uint32_t ci, uint32_t slot_id, int layer, const pol_outcome *o)
{
    sim_client *c = &w->clients[ci];
    const pol_layers_cfg *lc = &w->lcfg[c->cls];
    sim_slot *s = &w->slots[slot_id];
    drop_att(w, ci, slot_id);
    record_outcome(w, ci, s, o);
    if (client_policy(w, c)->st.hedge_list_order && layer == lc->n - 1) {
        deliver_list_order(w, ci, slot_id, layer, o);
        return;
    }
    if (o->kind == POL_OUT_SUCCESS) {
        if (TRACING(w)) {
            pol_verdict v = { POL_ACT_DONE, POL_REASON_NONE, 0, POL_CLASS_SUCCESS };
            trace_row(w, slot_id, o, &v);
        }
        end_request(w, ci, END_SUCCESS);
        return;
    }
    if (c->natt > 0) {
        if (layer < lc->n - 1) {
            abandon_inflight(w, ci);     /* an outer bound ends the whole inner loop, hedges too */
        } else {
            /* other attempts of this round are still in flight: wait for them */
            if (TRACING(w)) {
                pol_verdict v = { POL_ACT_RETRY, POL_REASON_NONE, 0, pol_classify(&lc->layer[lc->n - 1]->classify, o) };
                trace_row(w, slot_id, o, &v);
            }
            return;
        }
    }
    decide(w, ci, slot_id, layer, o);
}

/* After a RETRY verdict: the next attempt after `delay`, unless an outer
 * layer's bound (its timeout over the inner loop, its deadline) comes first:
 * then the inner loop is abandoned at that bound (WAKE_LAYER). */
static void schedule_next_attempt(sim_world *w, uint32_t ci, pol_ns delay)
{
    sim_client *c = &w->clients[ci];
    const pol_layers_cfg *lc = &w->lcfg[c->cls];
    pol_ns now = w->eng.now, wake = now + delay;
    c->round_sent = 0;
    c->gen++;
    c->last_delay = delay;
    if (lc->n > 1) {
        int layer;
        pol_ns until = pol_layers_expiry(lc, sim_client_rs(w, ci), -1, &layer);
        if (layer >= 0 && until <= wake) {
            sim_schedule(&w->eng, until > now ? until : now, EV_WAKE, ci, c->gen,
                         WAKE_LAYER + ((uint32_t)layer << 8));
            return;
        }
    }
    if (w->send_ahead && wake < w->next_sample) {   /* sent ahead (simnet.c): no wake-up event */
        pol_ns was = w->eng.now;
        w->eng.now = wake;
        start_attempt(w, ci);
        if (!w->eng.stopped) w->eng.now = was;
        return;
    }
    sim_schedule(&w->eng, wake, EV_WAKE, ci, c->gen, WAKE_ATTEMPT);
}

/* ------------------------------------------------------- event handlers --- */
static const void *client_addr(const sim_event *ev, void *ctx)
{
    const sim_world *w = ctx;
    return &w->clients[ev->ent];
}

const void *sim_slot_addr(const sim_event *ev, void *ctx)
{
    const sim_world *w = ctx;
    return &w->slots[ev->ent];
}

static int live_wake(const sim_event *ev, void *ctx)
{
    sim_world *w = ctx;
    return ev->gen == w->clients[ev->ent].gen;
}

static void on_wake(sim_engine *e, const sim_event *ev, void *ctx)
{
    (void)e;
    sim_world *w = ctx;
    if (ev->arg == WAKE_REQUEST) start_request(w, ev->ent, -1);
    else if (ev->arg == WAKE_ATTEMPT) start_attempt(w, ev->ent);
    else {                                    /* WAKE_LAYER: an outer bound ended the inner loop's sleep */
        pol_outcome o = pol_outcome_make(POL_OUT_TIMEOUT, 0);
        decide(w, ev->ent, SIM_NONE, (int)(ev->arg >> 8), &o);
    }
}

static void on_hedge(sim_engine *e, const sim_event *ev, void *ctx)
{
    (void)e;
    sim_world *w = ctx;
    uint32_t ci = ev->ent;
    sim_client *c = &w->clients[ci];
    if (!c->busy || c->natt == 0 || c->natt >= SIM_MAX_INFLIGHT) return;
    const sim_policy *p = client_policy(w, c);
    /* a hedge goes to the next available target of the pool or chain, else the same one */
    int n;
    const int *chain = chain_of(p, c->chain, &n);
    int prov = chain[c->target];
    for (int i = 1; i < n; i++) {
        int other = chain[(c->target + i) % n];
        if (target_available(w, p, ci, other)) { prov = other; break; }
    }
    send_to(w, ci, prov, 1, 0);
    schedule_hedge(w, ci);
}

static void schedule_arrival(sim_world *w)
{
    const sim_workload *wl = &w->sc->workload;
    if (wl->loop == SIM_LOOP_TRACE) {
        size_t i = w->next_trace, n = wl->n_arrivals;
        if (!wl->arrivals_loop) {
            if (i < n) sim_schedule(&w->eng, wl->arrivals[i], EV_ARRIVAL, 0, w->arr_gen, 1);
            return;
        }
        /* loop: arrival i is row i % n of pass i / n, one period later each pass */
        if (n == 0 || wl->arrivals_period <= 0 || (double)(i / n) * (double)wl->arrivals_period >= (double)w->sc->duration)
            return;
        pol_ns t = (pol_ns)(i / n) * wl->arrivals_period + wl->arrivals[i % n];
        if (t >= w->sc->duration) return;
        sim_schedule(&w->eng, t < w->eng.now ? w->eng.now : t, EV_ARRIVAL, 0, w->arr_gen, 1);
        return;
    }
    if (w->rate <= 0) return;
    double gap = gsl_ran_exponential(w->arr_rng, 1e9 / w->rate);
    sim_schedule(&w->eng, w->eng.now + (pol_ns)gap, EV_ARRIVAL, 0, w->arr_gen, 0);
}

static int live_arrival(const sim_event *ev, void *ctx)
{
    sim_world *w = ctx;
    return ev->gen == w->arr_gen;
}

static void on_arrival(sim_engine *e, const sim_event *ev, void *ctx)
{
    (void)e;
    sim_world *w = ctx;
    int64_t row = -1;
    if (ev->arg == 1) {                       /* a trace's arrival: its row (looping: modulo) */
        row = (int64_t)(w->next_trace % w->sc->workload.n_arrivals);
        w->next_trace++;
    }
    uint32_t ci;
    if (w->free_client != SIM_NONE) {
        ci = w->free_client;
        w->free_client = w->client_free_next[ci];
    } else if (client_new(w, &ci)) {
        w->error = POL_ENOMEM;
        sim_engine_stop(&w->eng);
        return;
    }
    schedule_arrival(w);
    start_request(w, ci, row);
}

static int live_timeout(const sim_event *ev, void *ctx)
{
    sim_world *w = ctx;
    const sim_slot *s = &w->slots[ev->ent];
    /* a streamed attempt's deadline moves at its first byte (stream.c) */
    return ev->gen == s->gen && s->state != SLOT_FREE && !s->abandoned && ev->t == s->deadline;
}

/* ------------------------------------------------- transport reports --- */
sim_answer sim_answer_of(pol_outcome o)
{
    sim_answer a = { .out = o, .prompt = -1, .output = -1 };
    return a;
}

void sim_world_arrived(sim_world *w, uint32_t id) { sim_world_arrived_(w, id); }
void sim_world_answered(sim_world *w, uint32_t id, const sim_answer *a) { sim_world_answered_(w, id, a); }

/* The answer of slot id reaches the client side: delivered to the policy
 * (or, when nobody waits for it any more, counted as wasted work), then the
 * slot is freed. */
void sim_world_received(sim_world *w, uint32_t id)
{
    sim_slot *s = &w->slots[id];
    if (s->abandoned) {
        sim_metrics_abandoned(w, s);
        slot_free(w, id);
        return;
    }
    if (s->stream == SST_PRE && w->st->ss[id].has_plan) {   /* a stream's first byte: its end is planned */
        sim_stream_first_byte(w, id);
        return;
    }
    pol_outcome o = sim_out_unpack(s->out);
    w->in_flight[s->provider]--;
    deliver(w, s->client, id, w->lcfg[w->clients[s->client].cls].n - 1, &o);
    slot_free(w, id);
}

void sim_world_received_at(sim_world *w, uint32_t id, pol_ns t)
{
    pol_ns was = w->eng.now;
    w->eng.now = t;
    sim_world_received(w, id);
    if (!w->eng.stopped) w->eng.now = was;   /* else the run ended at t (every client done) */
}

void sim_world_answer(sim_world *w, uint32_t id, const sim_answer *a)
{
    sim_world_answered(w, id, a);
    sim_world_received(w, id);
}

void sim_world_conclude(sim_world *w, uint32_t id, int layer, const pol_outcome *o)
{
    sim_slot *s = &w->slots[id];
    w->in_flight[s->provider]--;
    deliver(w, s->client, id, layer, o);
    slot_free(w, id);
}

void sim_world_release(sim_world *w, uint32_t id) { slot_free(w, id); }

void sim_world_dropped(sim_world *w, uint32_t id)
{
    sim_slot *s = &w->slots[id];
    s->state = SLOT_DROPPED;
    if (s->abandoned) slot_free(w, id);   /* nobody will ever look at it again */
    else sim_world_arm_timeout(w, id, POL_NS_MAX);
}

static void on_timeout(sim_engine *e, const sim_event *ev, void *ctx)
{
    (void)e;
    sim_world *w = ctx;
    uint32_t id = ev->ent;
    sim_slot *s = &w->slots[id];
    s->abandoned = 1;
    sim_count(w, s->cls, SIM_M_TIMEOUTS, 1);
    sim_bp(w, w->eng.now, s->provider)->timeouts++;
    w->in_flight[s->provider]--;
    pol_outcome o = pol_outcome_make(POL_OUT_TIMEOUT, 0);
    int layer = s->to_layer;
    if (s->stream == SST_STREAMING) sim_stream_timed_out(w, id, &o, &layer);   /* after its first byte */
    deliver(w, s->client, id, layer, &o);
    s = &w->slots[id];                      /* the policy's next attempt may have moved the slots */
    if (!w->simulated) {                    /* a caller's transport: abort it; nobody answers it now */
        w->tp.cancel(w, id, w->tp.ctx);
        slot_free(w, id);
    } else if (s->state == SLOT_DROPPED) {
        slot_free(w, id);
    }
}

/* A timeline entry took effect (provider entries: applied by the model). */
void sim_world_on_change(void *ctx, const sim_change *ch, int ending)
{
    sim_world *w = ctx;
    if (ch->provider < 0 && (ch->mask & SIM_SET_RATE)) {
        w->rate = ending ? w->sc->workload.rate : ch->rate;
        if (w->sc->workload.loop == SIM_LOOP_OPEN) {
            w->arr_gen++;                 /* the pending arrival was drawn at the old rate */
            schedule_arrival(w);
        }
    }
}

static void on_bucket(sim_engine *e, const sim_event *ev, void *ctx)
{
    sim_world *w = ctx;
    uint32_t b = ev->arg;
    int np = w->sc->nproviders;
    uint32_t open[np], cooled[np];
    memset(open, 0, sizeof open);
    memset(cooled, 0, sizeof cooled);
    double blevel, tlevel;
    sim_guards_sample(w, e->now, open, cooled, &blevel, &tlevel);
    w->br[b].budget_level = (float)blevel;
    w->br[b].throttle_level = (float)tlevel;
    for (int p = 0; p < np; p++) {
        sim_bucket_prov *bp = &w->bp[(size_t)b * (size_t)np + (size_t)p];
        bp->in_flight = w->in_flight[p];
        bp->in_system = sim_pm_in_system(w->pm, p);
        bp->capacity = (float)sim_pm_capacity(w->pm, p);
        bp->open_breakers = open[p];
        bp->cooled = cooled[p];
    }
    if (b + 1 < w->nbuckets) {
        pol_ns next = (pol_ns)(b + 2) * w->sc->bucket - 1;
        if (next > w->sc->duration) next = w->sc->duration;
        sim_schedule(e, next, EV_BUCKET, 0, 0, b + 1);
        w->next_sample = next;
    } else {
        w->next_sample = w->sc->duration + 1;
    }
}

/* ---------------------------------------------------------------- setup --- */
/* Whether the simulated network may deliver an answer to its client at the
 * moment the provider gives it, as of the time it arrives (simnet.c,
 * "Answers received ahead"): only when what a client does with an answer
 * depends on nothing but its own state, and nothing else looks at the
 * client meanwhile. A closed loop (no shared pool of executors), no
 * attempt rows, no streams, and in every class's policy one retry loop and
 * no stateful part (breakers, budgets, hedges... are shared or time-driven);
 * per attempt (sim_world_can_receive_ahead): no timeout or deadline, and no
 * gauge sample before it arrives. */
static int answers_foldable(const sim_world *w)
{
    const sim_scenario *sc = w->sc;
    const sim_workload *wl = &sc->workload;
    if (w->unfolded || !w->simulated || wl->loop != SIM_LOOP_CLOSED || TRACING(w) || w->st) return 0;
    for (int k = -1; k < wl->nclasses; k++) {
        const sim_policy *p = k < 0 ? w->pol : wl->classes[k].policy >= 0 ? &sc->policies[wl->classes[k].policy] : w->pol;
        if (p->nlayers > 1 || p->stream.on || p->st.hedge_list_order) return 0;
        for (int j = 0; j < SIM_PART__COUNT; j++)
            if (p->st.use[j]) return 0;
    }
    return 1;
}

void sim_world_free(sim_world *w)
{
    if (!w) return;
    sim_guards_free(w);
    sim_stream_free(w);
    sim_rng_pool_free(&w->client_rngs);
    free(w->clients);
    free(w->client_free_next);
    free(w->slots);
    free(w->slotx);
    free(w->in_flight);
    free(w->net_fold);
    sim_pm_free(w->pm);
    if (w->arr_rng) gsl_rng_free(w->arr_rng);
    free(w->cfgs);
    free(w->lcfg);
    free(w->kpol);
    free(w->lstates);
    free(w->lo_out);
    free(w->cx);
    free(w->bp);
    free(w->br);
    sim_lat_free(&w->lat);
    free(w->ccounts);
    free(w->cwasted);
    free(w->clast_finish);
    free(w->slo);
    sim_engine_free(&w->eng);
    free(w);
}

/* The event queue of a run: see docs/performance.md ("Which queue") for the
 * measurements behind the choice. The ladder queue, except for a closed loop
 * of fewer than 3,000 clients, whose pending events (about one a client) a
 * binary heap orders faster: the AWS grid of 10 to 190 clients, 4% less CPU
 * time; bench model's scenario, CPU s binary / ladder, 1k 0.92, 2k 0.90,
 * 3k 0.99, 5k 1.06, 10k 1.12 (session 7). Every queue pops the same
 * (time, seq) order, so outputs do not depend on it. */
#define LADDER_MIN_CLIENTS 3000
static int default_queue(const sim_scenario *sc)
{
    const sim_workload *wl = &sc->workload;
    if (wl->loop == SIM_LOOP_CLOSED && wl->clients < LADDER_MIN_CLIENTS) return SIM_QUEUE_BINARY;
    return SIM_QUEUE_LADDER;
}

static int world_setup(sim_world *w, const sim_transport *tp)
{
    const sim_scenario *sc = w->sc;
    const sim_workload *wl = &sc->workload;
    w->free_slot = SIM_NONE;
    w->free_client = SIM_NONE;
    sim_rng_pool_init(&w->client_rngs, sim_rng_type(sc->rng));
    w->rng_packed = (w->client_rngs.type == gsl_rng_taus2 || w->client_rngs.type == gsl_rng_taus)
                 && w->client_rngs.type->size == 3 * sizeof(unsigned long);   /* sim_client_st */
    /* the loader bounds these (SIM_MAX_BUCKETS, SIM_MAX_BUCKET_CELLS, SIM_MAX_PROVIDERS);
     * a scenario built another way gets POL_ERANGE, never a cut count */
    uint64_t nb = sim_scenario_buckets(sc);
    if (nb == 0) nb = 1;
    if (nb > SIM_MAX_BUCKETS || sc->nproviders < 1 || sc->nproviders > SIM_MAX_PROVIDERS ||
        nb * (uint64_t)sc->nproviders > SIM_MAX_BUCKET_CELLS || wl->nclasses < 1 || wl->nclasses > SIM_MAX_CLASSES)
        return POL_ERANGE;
    w->nbuckets = (uint32_t)nb;
    w->bp = calloc((size_t)w->nbuckets * (size_t)sc->nproviders, sizeof *w->bp);
    w->br = calloc(w->nbuckets, sizeof *w->br);
    w->in_flight = calloc((size_t)sc->nproviders, sizeof *w->in_flight);
    if (!w->bp || !w->br || !w->in_flight || sim_engine_init(&w->eng, w->queue ? w->queue : default_queue(sc), 1024))
        return POL_ENOMEM;
    sim_pm_opts po = { .sc = sc, .seed = w->seed, .replication = w->replication, .eng = &w->eng };
    sim_net_host(w, &po.host);
    if (sim_pm_new(&po, &w->pm) || sim_guards_init(w)) return POL_ENOMEM;
    size_t nk = (size_t)wl->nclasses;
    w->cfgs = calloc(nk, sizeof *w->cfgs);
    w->lcfg = calloc(nk, sizeof *w->lcfg);
    w->ccounts = calloc(nk * SIM_M__COUNT, sizeof *w->ccounts);
    w->cwasted = calloc(nk, sizeof *w->cwasted);
    w->clast_finish = calloc(nk, sizeof *w->clast_finish);
    w->slo = calloc(nk, sizeof *w->slo);
    w->kpol = calloc(nk, sizeof *w->kpol);
    if (!w->cfgs || !w->lcfg || !w->ccounts || !w->cwasted || !w->clast_finish || !w->slo || !w->kpol)
        return POL_ENOMEM;
    for (int k = 0; k < wl->nclasses; k++) {
        int fixed = wl->classes[k].policy;
        const sim_policy *p = fixed >= 0 ? &sc->policies[fixed] : w->pol;
        w->kpol[k] = (sim_class_pol){ p, w->guards[p - sc->policies].used };
        w->cfgs[k] = p->retry;              /* the outermost loop: the class deadline is the request's */
        if (wl->classes[k].deadline > 0) w->cfgs[k].deadline = wl->classes[k].deadline;
        /* the SLO: slo.latency when written (the deadline if shorter), else the deadline, else the default */
        pol_ns dl = w->cfgs[k].deadline;
        w->slo[k] = sc->slo_written ? (dl > 0 && dl < sc->slo_latency ? dl : sc->slo_latency)
                                    : dl > 0 ? dl : sc->slo_latency > 0 ? sc->slo_latency : SIM_SLO_DEFAULT;
        /* a trace's per-request deadlines: the loop gets the largest, start_request moves each origin */
        if (wl->arrival_deadline_max > w->cfgs[k].deadline) w->cfgs[k].deadline = wl->arrival_deadline_max;
        pol_layers_cfg *lc = &w->lcfg[k];
        lc->n = p->nlayers > 1 && p->nlayers <= SIM_MAX_LAYERS ? p->nlayers : 1;
        lc->layer[0] = &w->cfgs[k];
        for (int j = 1; j < lc->n; j++) lc->layer[j] = &p->inner[j - 1];
        for (int j = 0; j < lc->n; j++)
            if (lc->layer[j]->nrules > 0 && w->ls_stride < (uint32_t)lc->n) w->ls_stride = (uint32_t)lc->n;
        if (lc->n > 1 && w->ls_stride < (uint32_t)lc->n) w->ls_stride = (uint32_t)lc->n;
        if ((p->st.use[SIM_PART_HEDGE] || p->st.use[SIM_PART_BUDGET] || wl->arrival_deadline_max > 0) && !w->cx) {
            w->cx = calloc(64, sizeof *w->cx);          /* grows with cap_clients (client_new) */
            if (!w->cx) return POL_ENOMEM;
        }
        if (p->st.hedge_list_order && !w->lo_out) {
            w->lo_out = calloc(64, sizeof *w->lo_out);  /* grows with cap_clients (client_new) */
            if (!w->lo_out) return POL_ENOMEM;
        }
    }
    if (w->ls_stride) {                     /* nested layers or rules: full states per client */
        w->cap_lstates = 64;
        w->lstates = calloc((size_t)w->cap_lstates * w->ls_stride, sizeof *w->lstates);
        if (!w->lstates) return POL_ENOMEM;
    }

    sim_engine_on(&w->eng, EV_WAKE, on_wake, live_wake, w);
    sim_engine_on(&w->eng, EV_ARRIVAL, on_arrival, live_arrival, w);
    sim_engine_on(&w->eng, EV_TIMEOUT, on_timeout, live_timeout, w);
    sim_engine_on(&w->eng, EV_BUCKET, on_bucket, NULL, w);
    sim_engine_on(&w->eng, EV_HEDGE, on_hedge, live_wake, w);
    sim_engine_prefetch(&w->eng, EV_WAKE, client_addr);
    sim_engine_prefetch(&w->eng, EV_HEDGE, client_addr);
    sim_engine_prefetch(&w->eng, EV_TIMEOUT, sim_slot_addr);
    if (sim_stream_init(w)) return POL_ENOMEM;
    if (tp) w->tp = *tp;
    else if (sim_net_init(w)) return POL_ENOMEM;
    /* the slots' side fields: for attempt rows (attempts.csv, live's) and quota policies */
    w->want_slotx = w->trace != NULL || !w->simulated || w->pol->st.use[SIM_PART_QUOTA];
    for (int k = 0; k < wl->nclasses && !w->want_slotx; k++)
        if (wl->classes[k].policy >= 0 && sc->policies[wl->classes[k].policy].st.use[SIM_PART_QUOTA]) w->want_slotx = 1;
    if (sim_pm_keep_hints(w->pm, w->want_slotx)) return POL_ENOMEM;   /* the hints go only to slotx */

    /* timeline first, so a change at t=0 precedes the first requests */
    if (sim_pm_schedule_timeline(w->pm)) return POL_ENOMEM;
    pol_ns first_bucket_end = sc->bucket - 1 < sc->duration ? sc->bucket - 1 : sc->duration;
    sim_schedule(&w->eng, first_bucket_end, EV_BUCKET, 0, 0, 0);
    w->next_sample = first_bucket_end;
    w->fold_answers = answers_foldable(w);
    /* sending ahead saves the wake-up but holds the next attempt's slot through
     * the sleep: it pays where the send's own leg is folded too (OCC rows);
     * with LLM providers at 1M clients it cost 0.84x (docs/performance.md) */
    w->send_ahead = w->fold_answers;
    for (int i = 0; i < sc->nproviders; i++)
        if (!sim_pm_occ_foldable(w->pm, i)) w->send_ahead = 0;

    if (wl->loop == SIM_LOOP_CLOSED) {
        pol_ns stagger = wl->stagger;
        for (int32_t i = 0; i < wl->clients; i++) {
            uint32_t ci;
            if (client_new(w, &ci)) return POL_ENOMEM;
            pol_ns at = 0;
            if (wl->start == SIM_START_STAGGER && stagger > 0)
            {
                sim_crng x;
                at = (pol_ns)(gsl_rng_uniform(sim_crng_open(&x, w, &w->clients[ci], SIM_CRNG_WORK)) * (double)stagger);
                sim_crng_close(&x);
            }
            sim_schedule(&w->eng, at, EV_WAKE, ci, w->clients[ci].gen, WAKE_REQUEST);
        }
    } else {
        w->arr_rng = sim_rng_new(sim_rng_type(sc->rng), w->seed, (uint32_t)w->replication, SIM_STREAM_ARRIVALS, 0);
        if (!w->arr_rng) return POL_ENOMEM;
        w->rate = wl->rate;
        schedule_arrival(w);
    }
    return POL_OK;
}

int sim_world_open(const sim_run_opts *o, sim_world **out)
{
    *out = NULL;
    const sim_scenario *sc = o->sc;
    if (o->policy < 0 || o->policy >= sc->npolicies || o->replication < 0) return POL_EINVAL;
    sim_world *w = calloc(1, sizeof *w);
    if (!w) return POL_ENOMEM;
    w->sc = sc;
    w->policy_index = o->policy;
    w->pol = &sc->policies[o->policy];
    w->replication = o->replication;
    w->seed = sc->seed;
    w->trace = o->trace;
    w->alerts = o->alerts;
    w->class_out = o->classes;
    w->queue = o->queue;
    w->unfolded = o->unfolded;
    w->end = sc->duration;
    w->client_rngs.used_in_last = 4096;   /* empty pool until setup initialises it */
    w->zt_time = -1;
    int rc = world_setup(w, o->transport);
    if (rc) { sim_world_free(w); return rc; }
    *out = w;
    return POL_OK;
}

void   sim_world_advance(sim_world *w, pol_ns until) { if (!w->halted) sim_run(&w->eng, until); }
pol_ns sim_world_now(const sim_world *w) { return w->eng.now; }
pol_ns sim_world_next_event(const sim_world *w) { return sim_next_time(&w->eng); }
void   sim_world_stop(sim_world *w)
{
    w->halted = 1;
    sim_engine_stop(&w->eng);
}

int sim_world_status(const sim_world *w)
{
    if (w->error) return w->error;
    if (w->eng.error) return w->eng.error;
    if (sim_pm_error(w->pm)) return sim_pm_error(w->pm);
    if (w->halted) return 1;
    return w->sc->workload.loop == SIM_LOOP_CLOSED && w->nclients > 0 && w->finished_clients == w->nclients;
}

void sim_world_finish(sim_world *w, pol_ns ran, sim_run_metrics *out)
{
    if (ran > 0) {
        uint64_t nb = (uint64_t)(ran / w->sc->bucket) + (ran % w->sc->bucket != 0);
        if (nb >= 1 && nb < w->nbuckets) w->nbuckets = (uint32_t)nb;
        w->end = ran;
    }
    sim_metrics_finish(w, out);
}

int sim_run_world(const sim_run_opts *o, sim_run_metrics *out, sim_run_stats *stats)
{
    sim_world *w;
    int rc = sim_world_open(o, &w);
    if (rc) return rc;
    w->eng.rec = o->record_dt;
    w->eng.rec_cap = o->record_dt ? o->record_cap : 0;
    sim_run(&w->eng, o->sc->duration);
    rc = w->error ? w->error : w->eng.error ? w->eng.error : sim_pm_error(w->pm);
    if (rc == POL_OK) sim_metrics_finish(w, out);
    if (rc == POL_OK && w->error) rc = w->error;          /* out of memory for the per-class metrics */
    if (rc == POL_OK) {
        if (o->timeseries) sim_timeseries_write(o->timeseries, w);
        if (o->timeseries_requests) sim_timeseries_requests_write(o->timeseries_requests, w);
        if (stats) *stats = (sim_run_stats){ w->eng.dispatched, w->eng.skipped, w->eng.rec_n };
    }
    sim_world_free(w);
    return rc;
}
