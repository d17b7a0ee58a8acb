/* pm.c — the provider model (model.h, "the provider model"): LLM
 * providers, generic queueing servers and the optimistic-concurrency (OCC)
 * row of the AWS "Exponential Backoff and Jitter" experiment, and the
 * scenario's timeline that changes them.
 *
 * It runs on a caller's engine and knows nothing of clients: a request is
 * submitted when it reaches the provider (sim_pm_submit), and its answer goes
 * to the host's callback at the time the provider gives it. The simulator's
 * network (simnet.c) and the mock HTTP server (live/mock.c) are its two hosts.
 * Its requests live in a table of its own, reused through a free list; a
 * request is freed when its answer is given, and its generation bumped, so a
 * stale handle is recognised (sim_pm_forget).
 *
 * Admission order for an LLM or queueing provider (first match answers):
 *   outage (refuse -> connection refused, blackhole -> no answer ever,
 *   status -> that status) ; context window (prompt + output > window -> 400
 *   context-window) ; content filter (a refusal with probability
 *   content_filter_rate -> 400 content-policy) ; rate limits (RPM and TPM token buckets, 429 with a
 *   Retry-After per the provider's mode) ; error rate (error_status) ;
 *   capacity (start service, or wait in the waiting room, or overload status).
 * Token buckets refill continuously at rpm/60 (tpm/60) per second up to a
 * depth of rate x burst (default 1 s); a request takes 1 request token and
 * prompt+output tokens. "until-reset" Retry-After is the time until both
 * buckets hold enough, rounded up to a millisecond.
 * Service time (LLM) = (ttft + output_tokens x per_token) x latency_factor x
 * lognormal(0, noise) x (1 + slowdown x utilisation^2); (queue) = a draw of
 * `service` x latency_factor. Service is never cancelled: an attempt whose
 * client gave up is still served (wasted work).
 * Streamed answers (sim_pm_submit_ex with SIM_PM_STREAM, LLM providers): the
 * same draws give the first byte (ttft x the factors) and the per-token time
 * (per_token x the factors); the stream's faults (a cut after k tokens, an
 * error event, a stall) are drawn at service start from a stream of their
 * own (SIM_STREAM_PROVIDER_SSE), only when a fault rate is set, so they never
 * move the other draws. The host gets the plan at the first byte
 * (sim_answer.stream); the request stays in service until the plan's end.
 * Cost: O(1) per admission and completion; the waiting room is a ring buffer.
 */
#include "model.h"
#include "outcome16.h"
#include "minmax.h"
#include "rng.h"
#include "mem.h"
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One provider's state. */
typedef struct {
    const sim_provider *cfg;
    sim_provider_params p;   /* current values (timeline applied) */
    gsl_rng  *rng, *net;     /* the model's draws; the network legs' */
    const sim_dist *netd;    /* the network legs' distribution: its net_latency, else the scenario's */
    gsl_rng  *srng;          /* the faults of streamed answers (created at the first one) */
    double    rpm_tokens, tpm_tokens;  /* token buckets (requests, tokens) */
    pol_ns    refill_at;               /* when the buckets were last refilled */
    int32_t   in_service;
    uint32_t *wait;                    /* FIFO ring of request ids */
    uint32_t  wait_head, wait_len, wait_cap;
    uint64_t  occ_version;
    pol_ns    occ_last_ok;             /* folded OCC (sim_pm_occ_read_at): when a write last
                                          succeeded, -1 before the first */
    uint8_t   occ_fold;                /* sim_pm_occ_foldable */
    double    capacity0;               /* baseline capacity, requests/s */
} pm_prov;

typedef enum { REQ_FREE = 0, REQ_WAITING, REQ_SERVICE, REQ_OCC, REQ_OCC_AHEAD, REQ_STREAMING } pm_req_state;

/* One request the model holds (waiting, in service, or between an OCC read
 * and its write); freed when its answer is given. */
typedef struct {
    uint64_t      tag;
    uint32_t      gen, next_free;
    union {                         /* a request waits or reads a version (OCC), never both */
        pol_ns    enqueued;         /* REQ_WAITING: when it entered the waiting room */
        uint64_t  occ_version;      /* REQ_OCC: the version its read saw */
        pol_ns    occ_read;         /* REQ_OCC_AHEAD (sim_pm_occ_read_at): when its read reached the row */
    };
    /* its answer, given to the host as a sim_answer (answer_of): */
    pol_ns        service;          /* provider time spent on it */
    sim_outcome16 out;
    float         prompt, output;
    int16_t       provider;
    uint8_t       state;
    uint8_t       forgotten;        /* nobody wants the answer (sim_pm_forget) */
    uint8_t       stream;           /* asks for a streamed answer (LLM providers) */
    uint8_t       planned;          /* its stream's plan is made: the answer bills the plan's tokens */
    uint8_t       dropped;          /* black hole: no answer, ever */
    uint8_t       rl_known;         /* it has rate-limit hints (their values: sim_pm.hints[id]) */
} pm_req;                           /* 64 bytes; a streamed one's plan: sim_pm.plan[id] */
_Static_assert(sizeof(pm_req) == 64, "pm_req: one cache line");

/* The x-ratelimit-* hints stamped on a request at admission. */
typedef struct {
    pol_ns        reset;
    float         req, tok;
} pm_hints;

struct sim_pm {
    const sim_scenario *sc;
    sim_engine         *eng;
    sim_pm_host         host;
    pm_prov            *prov;
    pm_req             *req;
    uint32_t            nreq, cap_req, free_req;
    sim_stream_plan    *plan;        /* [cap_req] once a streamed request came (req_plan): the
                                        48 bytes of a plan stay out of every request that never streams */
    pm_hints           *hints;       /* [cap_req] when the host keeps them (sim_pm_keep_hints), else NULL */
    int                 keep_hints;
    double              service_total, wait_total;   /* seconds */
    uint64_t            waits;
    int                 error;
    uint64_t            seed;                         /* for the streams' fault generators */
    int                 replication;
};

/* The mean tokens of a request: a trace's own when it gives them, else the
 * classes' by weight. */
static double mean_tokens(const sim_scenario *sc)
{
    const sim_workload *wl = &sc->workload;
    if (wl->loop == SIM_LOOP_TRACE && wl->arrival_has_tokens) return wl->arrival_prompt_mean + wl->arrival_output_mean;
    double tw = 0, t = 0;
    for (int i = 0; i < wl->nclasses; i++) {
        const sim_class *k = &wl->classes[i];
        tw += k->weight;
        t += k->weight * (sim_dist_mean(&k->prompt_tokens) + sim_dist_mean(&k->output_tokens));
    }
    return tw > 0 ? t / tw : 0;
}

static double mean_output(const sim_scenario *sc)
{
    const sim_workload *wl = &sc->workload;
    if (wl->loop == SIM_LOOP_TRACE && wl->arrival_has_tokens) return wl->arrival_output_mean;
    double tw = 0, t = 0;
    for (int i = 0; i < wl->nclasses; i++) {
        tw += wl->classes[i].weight;
        t += wl->classes[i].weight * sim_dist_mean(&wl->classes[i].output_tokens);
    }
    return tw > 0 ? t / tw : 0;
}

double sim_prov_capacity(const sim_provider *cfg, const sim_provider_params *p, const sim_scenario *sc)
{
    if (cfg->kind == SIM_PROV_OCC) return INFINITY;
    if (p->outage != SIM_OUTAGE_NONE) return 0;
    double cap = INFINITY;
    if (p->rpm > 0) cap = fmin(cap, p->rpm / 60.0);
    if (p->tpm > 0) {
        double tok = mean_tokens(sc);
        if (tok > 0) cap = fmin(cap, p->tpm / 60.0 / tok);
    }
    if (p->concurrency > 0) {
        double s;
        if (cfg->kind == SIM_PROV_QUEUE) s = sim_dist_mean(&cfg->service);
        else s = sim_dist_mean(&cfg->ttft) + mean_output(sc) * sim_dist_mean(&cfg->per_token);
        s *= p->latency_factor > 0 ? p->latency_factor : 1;
        if (s > 0) cap = fmin(cap, p->concurrency / (s / 1e9));
    }
    if (p->error_rate > 0) cap *= 1 - fmin(1, p->error_rate);
    return cap;
}

static pol_ns burst_of(const sim_provider *cfg) { return cfg->burst > 0 ? cfg->burst : POL_NS_PER_S; }
static double rpm_depth(const pm_prov *pr) { return pr->p.rpm / 60.0 * ((double)burst_of(pr->cfg) / 1e9); }
static double tpm_depth(const pm_prov *pr) { return pr->p.tpm / 60.0 * ((double)burst_of(pr->cfg) / 1e9); }

static void refill(pm_prov *pr, pol_ns now)
{
    double dt = (double)(now - pr->refill_at) / 1e9;
    pr->refill_at = now;
    if (dt <= 0) return;
    if (pr->p.rpm > 0) pr->rpm_tokens = sim_min_d(rpm_depth(pr), pr->rpm_tokens + pr->p.rpm / 60.0 * dt);
    if (pr->p.tpm > 0) pr->tpm_tokens = sim_min_d(tpm_depth(pr), pr->tpm_tokens + pr->p.tpm / 60.0 * dt);
}

/* ------------------------------------------------------------- requests --- */
static uint32_t req_alloc(sim_pm *pm)
{
    if (pm->free_req != SIM_NONE) {
        uint32_t id = pm->free_req;
        pm->free_req = pm->req[id].next_free;
        return id;
    }
    if (pm->nreq == pm->cap_req) {
        uint32_t nc = pm->cap_req ? pm->cap_req * 2 : 1024;
        pm_req *n = realloc(pm->req, (size_t)nc * sizeof *n);
        if (!n) return SIM_NONE;
        pm->req = n;
        if (pm->plan) {
            sim_stream_plan *pl = realloc(pm->plan, (size_t)nc * sizeof *pl);
            if (!pl) return SIM_NONE;
            pm->plan = pl;
        }
        if (pm->keep_hints) {
            pm_hints *h = realloc(pm->hints, (size_t)nc * sizeof *h);
            if (!h) return SIM_NONE;
            pm->hints = h;
        }
        pm->cap_req = nc;
        sim_mem_hugepages(n, (size_t)nc * sizeof *n);
    }
    uint32_t id = pm->nreq++;
    pm->req[id].gen = 0;
    return id;
}

/* Request id's stream plan (the side array is made at the first streamed request); NULL: out of memory. */
static sim_stream_plan *req_plan(sim_pm *pm, uint32_t id)
{
    if (!pm->plan && !(pm->plan = malloc((size_t)pm->cap_req * sizeof *pm->plan))) return NULL;
    return &pm->plan[id];
}

static void req_free(sim_pm *pm, uint32_t id)
{
    pm_req *q = &pm->req[id];
    q->state = REQ_FREE;
    q->gen++;
    q->next_free = pm->free_req;
    pm->free_req = id;
}

static void fail(sim_pm *pm)
{
    pm->error = POL_ENOMEM;
    sim_engine_stop(pm->eng);
}

static void tell_next(sim_pm *pm, const pm_req *q, pol_ns t)
{
    if (pm->host.next && !q->forgotten) pm->host.next(pm->host.ctx, q->tag, t);
}

/* Request id's answer as the host gets it; inline, so that it is built
 * in the caller's frame (a call saved six registers and copied it back). */
static inline sim_answer answer_of(const sim_pm *pm, uint32_t id)
{
    const pm_req *q = &pm->req[id];
    sim_answer a = { .out = sim_out_unpack(q->out), .dropped = q->dropped, .rl_known = q->rl_known,
                     .service = q->service, .prompt = -1,
                     .output = q->planned ? (double)sim_stream_billed(&pm->plan[id]) : -1 };
    if (q->rl_known && pm->hints) {
        a.rl_req = pm->hints[id].req;
        a.rl_tok = pm->hints[id].tok;
        a.rl_reset = pm->hints[id].reset;
    }
    return a;
}

/* Request id's answer (q->out set) goes to the host now; then the
 * model forgets it (a host may submit from its callback: id stays taken
 * until it returns). */
static void give(sim_pm *pm, uint32_t id)
{
    if (!pm->req[id].forgotten) {
        sim_answer a = answer_of(pm, id);
        pm->host.answer(pm->host.ctx, pm->req[id].tag, &a);
    }
    req_free(pm, id);
}

static void answer(sim_pm *pm, uint32_t id, pol_outcome_kind k, int status)
{
    pm->req[id].out = sim_out_pack(pol_outcome_make(k, status));
    give(pm, id);
}

/* ------------------------------------------------------------ lifecycle --- */
static void on_done(sim_engine *e, const sim_event *ev, void *ctx);
static const void *req_addr(const sim_event *ev, void *ctx)
{
    const sim_pm *pm = ctx;
    return &pm->req[ev->ent];
}
static void on_occ_write(sim_engine *e, const sim_event *ev, void *ctx);
static void on_timeline(sim_engine *e, const sim_event *ev, void *ctx);
static void on_stream_end(sim_engine *e, const sim_event *ev, void *ctx);

int sim_pm_new(const sim_pm_opts *o, sim_pm **out)
{
    *out = NULL;
    const sim_scenario *sc = o->sc;
    sim_pm *pm = calloc(1, sizeof *pm);
    if (!pm) return POL_ENOMEM;
    pm->sc = sc;
    pm->eng = o->eng;
    pm->host = o->host;
    pm->free_req = SIM_NONE;
    pm->keep_hints = 1;
    pm->prov = calloc((size_t)sc->nproviders, sizeof *pm->prov);
    if (!pm->prov) { sim_pm_free(pm); return POL_ENOMEM; }
    const gsl_rng_type *T = sim_rng_type(sc->rng);
    for (int i = 0; i < sc->nproviders; i++) {
        pm_prov *pr = &pm->prov[i];
        pr->cfg = &sc->providers[i];
        pr->p = pr->cfg->base;
        pr->rng = sim_rng_new(T, o->seed, (uint32_t)o->replication, SIM_STREAM_PROVIDER, (uint32_t)i);
        pr->net = sim_rng_new(T, o->seed, (uint32_t)o->replication, SIM_STREAM_NETWORK, (uint32_t)i);
        if (!pr->rng || !pr->net) { sim_pm_free(pm); return POL_ENOMEM; }
        pr->rpm_tokens = rpm_depth(pr);
        pr->tpm_tokens = tpm_depth(pr);
        pr->capacity0 = sim_prov_capacity(pr->cfg, &pr->p, sc);
        pr->netd = pr->cfg->has_net_latency ? &pr->cfg->net_latency : &sc->net_latency;
        pr->occ_last_ok = -1;
        pr->occ_fold = pr->cfg->kind == SIM_PROV_OCC && pr->p.outage == SIM_OUTAGE_NONE;
        for (int k = 0; k < sc->ntimeline; k++)
            if (sc->timeline[k].provider == i) pr->occ_fold = 0;
    }
    sim_engine_on(pm->eng, SIM_PM_EV_DONE, on_done, NULL, pm);
    sim_engine_prefetch(pm->eng, SIM_PM_EV_DONE, req_addr);
    sim_engine_on(pm->eng, SIM_PM_EV_OCC_WRITE, on_occ_write, NULL, pm);
    sim_engine_on(pm->eng, SIM_PM_EV_TIMELINE, on_timeline, NULL, pm);
    sim_engine_on(pm->eng, SIM_PM_EV_STREAM_END, on_stream_end, NULL, pm);
    pm->seed = o->seed;
    pm->replication = o->replication;
    *out = pm;
    return POL_OK;
}

void sim_pm_free(sim_pm *pm)
{
    if (!pm) return;
    if (pm->prov) {
        for (int i = 0; i < pm->sc->nproviders; i++) {
            if (pm->prov[i].rng) gsl_rng_free(pm->prov[i].rng);
            if (pm->prov[i].net) gsl_rng_free(pm->prov[i].net);
            if (pm->prov[i].srng) gsl_rng_free(pm->prov[i].srng);
            free(pm->prov[i].wait);
        }
    }
    free(pm->prov);
    free(pm->req);
    free(pm->plan);
    free(pm->hints);
    free(pm);
}

int sim_pm_keep_hints(sim_pm *pm, int on)
{
    pm->keep_hints = on != 0;
    if (!pm->keep_hints) { free(pm->hints); pm->hints = NULL; return POL_OK; }
    if (!pm->hints && pm->cap_req && !(pm->hints = calloc(pm->cap_req, sizeof *pm->hints))) return POL_ENOMEM;
    return POL_OK;
}

int sim_pm_error(const sim_pm *pm) { return pm->error; }

static int wait_push(pm_prov *pr, uint32_t id)
{
    if (pr->wait_len == pr->wait_cap) {
        uint32_t nc = pr->wait_cap ? pr->wait_cap * 2 : 256;
        uint32_t *n = malloc((size_t)nc * sizeof *n);
        if (!n) return POL_ENOMEM;
        for (uint32_t i = 0; i < pr->wait_len; i++) n[i] = pr->wait[(pr->wait_head + i) % pr->wait_cap];
        free(pr->wait);
        pr->wait = n;
        pr->wait_cap = nc;
        pr->wait_head = 0;
    }
    pr->wait[(pr->wait_head + pr->wait_len) % pr->wait_cap] = id;
    pr->wait_len++;
    return POL_OK;
}

static uint32_t wait_pop(pm_prov *pr)
{
    uint32_t id = pr->wait[pr->wait_head];
    pr->wait_head = (pr->wait_head + 1) % pr->wait_cap;
    pr->wait_len--;
    return id;
}

/* x-ratelimit-* hints the provider attaches to an answer (OpenAI style):
 * remaining requests and tokens in its buckets, and the time until they are
 * full again. */
static void ratelimit_hints(const sim_pm *pm, const pm_prov *pr, uint32_t id)
{
    pm_req *a = &pm->req[id];
    if (pr->p.rpm <= 0 && pr->p.tpm <= 0) { a->rl_known = 0; return; }
    a->rl_known = 1;
    if (!pm->hints) return;              /* the host reads only that there are hints */
    pm_hints *h = &pm->hints[id];
    h->req = pr->p.rpm > 0 ? (float)floor(pr->rpm_tokens) : 1e9f;
    h->tok = pr->p.tpm > 0 ? (float)floor(pr->tpm_tokens) : 1e12f;
    double t = 0;
    if (pr->p.rpm > 0) t = sim_max_d(t, (rpm_depth(pr) - pr->rpm_tokens) / (pr->p.rpm / 60.0));
    if (pr->p.tpm > 0) t = sim_max_d(t, (tpm_depth(pr) - pr->tpm_tokens) / (pr->p.tpm / 60.0));
    h->reset = (pol_ns)(t * 1e9);
}

/* A streamed answer's plan, from the service draws (t0 = the ttft draw, pt
 * the per_token draw, f the noise and slowdown factors) and the stream's
 * faults; its first byte is scheduled (SIM_PM_EV_DONE), and its service
 * time is the whole stream's. */
static void plan_stream(sim_pm *pm, pm_prov *pr, pm_req *q, double t0, double pt, double f)
{
    const sim_provider *cfg = pr->cfg;
    pol_ns now = pm->eng->now;
    f *= pr->p.latency_factor > 0 ? pr->p.latency_factor : 1;
    double fb = t0 * f, d = pt * f;
    sim_stream_plan *p = req_plan(pm, (uint32_t)(q - pm->req));
    if (!p) { fail(pm); return; }
    memset(p, 0, sizeof *p);
    p->first_byte = fb > 0 ? (pol_ns)fb : 0;
    p->per_token = d > 0 ? (pol_ns)d : 0;
    p->tokens = q->output >= 1 ? (uint32_t)lroundf(q->output) : 1;
    p->chunk = cfg->stream_chunk > 0 ? (uint32_t)cfg->stream_chunk : 1;
    p->end = SIM_PLAN_COMPLETE;
    const sim_provider_params *v = &pr->p;
    if (v->stream_cut_rate > 0 || v->stream_cut_per_token > 0 || v->stream_error_rate > 0 || v->stream_stall_rate > 0) {
        if (!pr->srng) {
            pr->srng = sim_rng_new(sim_rng_type(pm->sc->rng), pm->seed, (uint32_t)pm->replication,
                                   SIM_STREAM_PROVIDER_SSE, (uint32_t)(pr - pm->prov));
            if (!pr->srng) { fail(pm); return; }
        }
        gsl_rng *r = pr->srng;
        uint32_t n = p->tokens;
        if (v->stream_cut_rate > 0 && gsl_rng_uniform(r) < v->stream_cut_rate) {
            p->end = SIM_PLAN_CUT;
            p->end_after = (uint32_t)(gsl_rng_uniform(r) * n);
        } else if (v->stream_cut_per_token > 0) {
            /* tokens generated before the first cut, geometric */
            unsigned k = v->stream_cut_per_token >= 1 ? 1 : gsl_ran_geometric(r, v->stream_cut_per_token);
            if (k - 1 < n) { p->end = SIM_PLAN_CUT; p->end_after = k - 1; }
        }
        if (p->end == SIM_PLAN_COMPLETE && v->stream_error_rate > 0 && gsl_rng_uniform(r) < v->stream_error_rate) {
            p->end = SIM_PLAN_ERROR;
            p->end_after = (uint32_t)(gsl_rng_uniform(r) * n);
        }
        if (p->end == SIM_PLAN_COMPLETE && n >= 2 && v->stream_stall_rate > 0 && gsl_rng_uniform(r) < v->stream_stall_rate) {
            p->stall_after = 1 + (uint32_t)(gsl_rng_uniform(r) * (n - 1));
            double L = sim_dist_sample(&cfg->stream_stall, r);
            p->stall = L > 0 ? (pol_ns)L : 0;
        }
        if (p->end_after >= n) p->end_after = n - 1;
    }
    pol_ns service = p->first_byte + sim_stream_end_at(p);
    q->service = service;
    pm->service_total += (double)service / 1e9;
    q->out = sim_out_pack(pol_outcome_make(POL_OUT_SUCCESS, 200));
    q->planned = 1;
    tell_next(pm, q, now + p->first_byte);
    if (sim_schedule(pm->eng, now + p->first_byte, SIM_PM_EV_DONE, (uint32_t)(q - pm->req), q->gen, 0)) fail(pm);
}

static void start_service(sim_pm *pm, pm_prov *pr, uint32_t id)
{
    pm_req *q = &pm->req[id];
    const sim_provider *cfg = pr->cfg;
    pol_ns now = pm->eng->now;
    pr->in_service++;
    if (q->state == REQ_WAITING) pm->wait_total += (double)(now - q->enqueued) / 1e9;
    pm->waits++;
    q->state = REQ_SERVICE;
    double t;
    if (cfg->kind == SIM_PROV_QUEUE) {
        t = sim_dist_sample(&cfg->service, pr->rng);
    } else {
        double t0 = sim_dist_sample(&cfg->ttft, pr->rng);
        double pt = sim_dist_sample_inline(&cfg->per_token, pr->rng);
        t = t0 + (double)q->output * pt;
        double f = 1;                        /* the factors, for a stream's plan */
        if (cfg->noise_sigma > 0) {
            double z = exp(cfg->noise_sigma * gsl_ran_gaussian_ziggurat(pr->rng, 1.0));   /* lognormal(0, noise) */
            t *= z;
            f *= z;
        }
        if (cfg->slowdown > 0 && pr->p.concurrency > 0) {
            double u = (double)pr->in_service / (double)pr->p.concurrency;
            t *= 1 + cfg->slowdown * u * u;
            f *= 1 + cfg->slowdown * u * u;
        }
        if (q->stream) {
            plan_stream(pm, pr, q, t0, pt, f);
            return;
        }
    }
    t *= pr->p.latency_factor > 0 ? pr->p.latency_factor : 1;
    if (t < 0) t = 0;
    q->service = (pol_ns)t;
    pm->service_total += t / 1e9;
    q->out = sim_out_pack(pol_outcome_make(POL_OUT_SUCCESS, 200));
    tell_next(pm, q, now + q->service);
    if (sim_schedule(pm->eng, now + q->service, SIM_PM_EV_DONE, id, q->gen, 0)) fail(pm);
}

static int room_to_serve(const pm_prov *pr)
{
    return pr->p.concurrency <= 0 || pr->in_service < pr->p.concurrency;
}

static void drain_waiting(sim_pm *pm, pm_prov *pr)
{
    while (pr->wait_len && room_to_serve(pr)) start_service(pm, pr, wait_pop(pr));
}

static pol_ns retry_after_for(const pm_prov *pr, double need_tok)
{
    const sim_provider *cfg = pr->cfg;
    if (cfg->retry_after == SIM_RA_NONE) return -1;
    if (cfg->retry_after == SIM_RA_FIXED) return cfg->retry_after_fixed;
    double wait = 0;
    if (pr->p.rpm > 0 && pr->rpm_tokens < 1) wait = sim_max_d(wait, (1 - pr->rpm_tokens) / (pr->p.rpm / 60.0));
    if (pr->p.tpm > 0 && pr->tpm_tokens < need_tok)
        wait = sim_max_d(wait, (sim_min_d(need_tok, tpm_depth(pr)) - pr->tpm_tokens) / (pr->p.tpm / 60.0));
    return (pol_ns)ceil(wait * 1e3) * POL_NS_PER_MS;
}

pol_ns sim_pm_net_leg(sim_pm *pm, int provider)
{
    const pm_prov *pr = &pm->prov[provider];
    double v = sim_dist_sample_inline(pr->netd, pr->net);
    return v > 0 ? (pol_ns)v : 0;
}

pol_ns sim_pm_net_fixed(sim_pm *pm, int provider)
{
    return pm->prov[provider].netd->kind == SIM_DIST_CONSTANT ? sim_pm_net_leg(pm, provider) : -1;
}

int sim_pm_submit(sim_pm *pm, int provider, double prompt, double output, uint64_t tag, uint64_t *handle)
{
    return sim_pm_submit_ex(pm, provider, prompt, output, 0, tag, handle);
}

int sim_pm_submit_ex(sim_pm *pm, int provider, double prompt, double output, unsigned flags, uint64_t tag,
                     uint64_t *handle)
{
    uint32_t id = req_alloc(pm);
    if (id == SIM_NONE) { fail(pm); return POL_ENOMEM; }
    pm_req *q = &pm->req[id];
    q->tag = tag;
    q->provider = (int16_t)provider;
    q->state = REQ_SERVICE;
    q->forgotten = 0;
    q->stream = (uint8_t)((flags & SIM_PM_STREAM) && pm->prov[provider].cfg->kind == SIM_PROV_LLM);
    q->prompt = (float)prompt;
    q->output = (float)output;
    q->enqueued = 0;
    q->out = sim_out_pack(pol_outcome_make(POL_OUT_SUCCESS, 200));
    q->dropped = 0;
    q->rl_known = 0;
    q->planned = 0;
    q->service = 0;
    if (handle) *handle = (uint64_t)q->gen << 32 | id;
    pm_prov *pr = &pm->prov[provider];
    const sim_provider *cfg = pr->cfg;
    pol_ns now = pm->eng->now;
    switch (pr->p.outage) {
    case SIM_OUTAGE_REFUSE:    answer(pm, id, POL_OUT_CONN_REFUSED, 0); return POL_OK;
    case SIM_OUTAGE_BLACKHOLE: pm->req[id].dropped = 1; give(pm, id); return POL_OK;
    case SIM_OUTAGE_STATUS:    answer(pm, id, POL_OUT_HTTP, pr->p.outage_status); return POL_OK;
    case SIM_OUTAGE_NONE:      break;
    }
    if (cfg->kind == SIM_PROV_OCC) {
        /* the read is answered with the current version; the conditional
         * write arrives after the read's response leg and the write's leg */
        q->occ_version = pr->occ_version;
        q->state = REQ_OCC;
        pol_ns t = now + sim_pm_net_leg(pm, provider);
        t += sim_pm_net_leg(pm, provider);
        tell_next(pm, q, t);
        if (sim_schedule(pm->eng, t, SIM_PM_EV_OCC_WRITE, id, q->gen, 0)) fail(pm);
        return POL_OK;
    }
    double tok = (double)q->prompt + (double)q->output;
    if (cfg->context_window > 0 && tok > cfg->context_window) {
        answer(pm, id, POL_OUT_CONTEXT_WINDOW, 400);
        return POL_OK;
    }
    if (cfg->content_filter > 0 && gsl_rng_uniform(pr->rng) < cfg->content_filter) {
        answer(pm, id, POL_OUT_CONTENT_POLICY, 400);
        return POL_OK;
    }
    if (pr->p.rpm > 0 || pr->p.tpm > 0) {
        refill(pr, now);
        if ((pr->p.rpm > 0 && pr->rpm_tokens < 1) || (pr->p.tpm > 0 && pr->tpm_tokens < tok)) {
            pol_outcome o = pol_outcome_make(POL_OUT_HTTP, 429);
            o.retry_after = retry_after_for(pr, tok);
            q->out = sim_out_pack(o);
            ratelimit_hints(pm, pr, id);
            give(pm, id);
            return POL_OK;
        }
        if (pr->p.rpm > 0) pr->rpm_tokens -= 1;
        if (pr->p.tpm > 0) pr->tpm_tokens -= tok;
        ratelimit_hints(pm, pr, id);
    }
    if (pr->p.error_rate > 0 && gsl_rng_uniform(pr->rng) < pr->p.error_rate) {
        answer(pm, id, POL_OUT_HTTP, pr->p.error_status);
        return POL_OK;
    }
    if (room_to_serve(pr)) { start_service(pm, pr, id); return POL_OK; }
    if (pr->p.queue < 0 || pr->wait_len < (uint32_t)pr->p.queue) {
        if (wait_push(pr, id)) { fail(pm); return POL_ENOMEM; }
        q->state = REQ_WAITING;
        q->enqueued = now;
        tell_next(pm, q, POL_NS_MAX);
        return POL_OK;
    }
    answer(pm, id, POL_OUT_HTTP, pr->p.overload_status);
    return POL_OK;
}

void sim_pm_forget(sim_pm *pm, uint64_t handle)
{
    uint32_t id = (uint32_t)handle, gen = (uint32_t)(handle >> 32);
    if (id < pm->nreq && pm->req[id].gen == gen && pm->req[id].state != REQ_FREE) pm->req[id].forgotten = 1;
}

static void on_done(sim_engine *e, const sim_event *ev, void *ctx)
{
    (void)e;
    sim_pm *pm = ctx;
    uint32_t id = ev->ent;
    if (pm->req[id].stream) {         /* the first byte of a stream: it goes on until its end */
        pm_req *q = &pm->req[id];
        q->state = REQ_STREAMING;
        if (sim_schedule(pm->eng, pm->eng->now + sim_stream_end_at(&pm->plan[id]), SIM_PM_EV_STREAM_END, id, q->gen, 0))
            fail(pm);
        if (!q->forgotten) {
            sim_answer a = answer_of(pm, id);
            a.stream = &pm->plan[id];
            pm->host.answer(pm->host.ctx, q->tag, &a);   /* may submit: q may move */
        }
        return;
    }
    pm_prov *pr = &pm->prov[pm->req[id].provider];
    pr->in_service--;
    give(pm, id);
    drain_waiting(pm, pr);
}

/* A stream's generation ended (complete, cut or error event): the request
 * leaves service, whoever still read it. */
static void on_stream_end(sim_engine *e, const sim_event *ev, void *ctx)
{
    (void)e;
    sim_pm *pm = ctx;
    uint32_t id = ev->ent;
    pm_prov *pr = &pm->prov[pm->req[id].provider];
    pr->in_service--;
    req_free(pm, id);
    drain_waiting(pm, pr);
}

int sim_pm_occ_foldable(const sim_pm *pm, int provider) { return pm->prov[provider].occ_fold; }

int sim_pm_occ_read_at(sim_pm *pm, int provider, pol_ns t_read, uint64_t tag)
{
    uint32_t id = req_alloc(pm);
    if (id == SIM_NONE) { fail(pm); return POL_ENOMEM; }
    pm_req *q = &pm->req[id];
    *q = (pm_req){ .tag = tag, .gen = q->gen, .next_free = q->next_free, .occ_read = t_read,
                   .out = sim_out_pack(pol_outcome_make(POL_OUT_SUCCESS, 200)), .provider = (int16_t)provider,
                   .state = REQ_OCC_AHEAD };
    pol_ns t = t_read + sim_pm_net_leg(pm, provider);
    t += sim_pm_net_leg(pm, provider);
    tell_next(pm, q, t);
    if (sim_schedule(pm->eng, t, SIM_PM_EV_OCC_WRITE, id, q->gen, 0)) { fail(pm); return POL_ENOMEM; }
    return POL_OK;
}

/* The conditional write: it succeeds if no write succeeded since its read.
 * A read told ahead (sim_pm_occ_read_at): writes run in time order, so
 * "since the read" is "at or after occ_read"; a success at the read's own
 * nanosecond counts as after it. Both kinds keep the version and the last
 * success's time, so they mix. */
static void on_occ_write(sim_engine *e, const sim_event *ev, void *ctx)
{
    (void)e;
    sim_pm *pm = ctx;
    uint32_t id = ev->ent;
    pm_req *q = &pm->req[id];
    pm_prov *pr = &pm->prov[q->provider];
    if (q->state == REQ_OCC_AHEAD ? pr->occ_last_ok < q->occ_read : q->occ_version == pr->occ_version) {
        pr->occ_version++;
        pr->occ_last_ok = pm->eng->now;
        answer(pm, id, POL_OUT_SUCCESS, 200);
    } else {
        answer(pm, id, POL_OUT_HTTP, 409);
    }
}

void sim_pm_apply(sim_pm *pm, int provider, uint32_t mask, const sim_provider_params *v)
{
    pm_prov *pr = &pm->prov[provider];
    refill(pr, pm->eng->now);
    if (mask & SIM_SET_RPM) { pr->p.rpm = v->rpm; pr->rpm_tokens = sim_min_d(pr->rpm_tokens, rpm_depth(pr)); }
    if (mask & SIM_SET_TPM) { pr->p.tpm = v->tpm; pr->tpm_tokens = sim_min_d(pr->tpm_tokens, tpm_depth(pr)); }
    if (mask & SIM_SET_CONCURRENCY) pr->p.concurrency = v->concurrency;
    if (mask & SIM_SET_QUEUE) pr->p.queue = v->queue;
    if (mask & SIM_SET_OVERLOAD_STATUS) pr->p.overload_status = v->overload_status;
    if (mask & SIM_SET_LATENCY_FACTOR) pr->p.latency_factor = v->latency_factor;
    if (mask & SIM_SET_ERROR_RATE) pr->p.error_rate = v->error_rate;
    if (mask & SIM_SET_ERROR_STATUS) pr->p.error_status = v->error_status;
    if (mask & SIM_SET_OUTAGE) pr->p.outage = v->outage;
    if (mask & SIM_SET_OUTAGE_STATUS) pr->p.outage_status = v->outage_status;
    if (mask & SIM_SET_STREAM_CUT_RATE) pr->p.stream_cut_rate = v->stream_cut_rate;
    if (mask & SIM_SET_STREAM_CUT_PER_TOKEN) pr->p.stream_cut_per_token = v->stream_cut_per_token;
    if (mask & SIM_SET_STREAM_ERROR_RATE) pr->p.stream_error_rate = v->stream_error_rate;
    if (mask & SIM_SET_STREAM_STALL_RATE) pr->p.stream_stall_rate = v->stream_stall_rate;
    drain_waiting(pm, pr);
}

/* ------------------------------------------------------------- timeline --- */
int sim_pm_schedule_timeline(sim_pm *pm)
{
    const sim_scenario *sc = pm->sc;
    for (int i = 0; i < sc->ntimeline; i++) {
        const sim_change *ch = &sc->timeline[i];
        if (sim_schedule(pm->eng, ch->at, SIM_PM_EV_TIMELINE, 0, 0, (uint32_t)i)) return POL_ENOMEM;
        if (ch->dur > 0 && sim_schedule(pm->eng, ch->at + ch->dur, SIM_PM_EV_TIMELINE, 1, 0, (uint32_t)i))
            return POL_ENOMEM;
    }
    return POL_OK;
}

static void on_timeline(sim_engine *e, const sim_event *ev, void *ctx)
{
    (void)e;
    sim_pm *pm = ctx;
    const sim_change *ch = &pm->sc->timeline[ev->arg];
    int ending = ev->ent == 1;
    if (ch->provider >= 0)
        sim_pm_apply(pm, ch->provider, ch->mask, ending ? &pm->sc->providers[ch->provider].base : &ch->set);
    if (pm->host.change) pm->host.change(pm->host.ctx, ch, ending);
}

/* ------------------------------------------------------------- gauges --- */
const sim_provider_params *sim_pm_params(const sim_pm *pm, int provider) { return &pm->prov[provider].p; }
double sim_pm_capacity(const sim_pm *pm, int provider)
{
    const pm_prov *pr = &pm->prov[provider];
    return sim_prov_capacity(pr->cfg, &pr->p, pm->sc);
}
double sim_pm_capacity0(const sim_pm *pm, int provider) { return pm->prov[provider].capacity0; }
uint32_t sim_pm_in_system(const sim_pm *pm, int provider)
{
    return (uint32_t)pm->prov[provider].in_service + pm->prov[provider].wait_len;
}
void sim_pm_totals(const sim_pm *pm, double *service_s, uint64_t *admitted, double *waited_s)
{
    *service_s = pm->service_total;
    *admitted = pm->waits;
    *waited_s = pm->wait_total;
}
