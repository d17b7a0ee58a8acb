/* provider.c — the server side of the simulation: LLM providers, generic
 * queueing servers and the optimistic-concurrency (OCC) row of the AWS
 * "Exponential Backoff and Jitter" experiment.
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
 * Cost: O(1) per admission and completion; the waiting room is a ring buffer.
 */
#include "world.h"
#include "rng.h"
#include "metrics.h"
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static double mean_tokens(const sim_scenario *sc)
{
    const sim_workload *wl = &sc->workload;
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
static double rpm_depth(const sim_prov_rt *pr) { return pr->p.rpm / 60.0 * ((double)burst_of(pr->cfg) / 1e9); }
static double tpm_depth(const sim_prov_rt *pr) { return pr->p.tpm / 60.0 * ((double)burst_of(pr->cfg) / 1e9); }

static void refill(sim_prov_rt *pr, pol_ns now)
{
    double dt = (double)(now - pr->refill_at) / 1e9;
    pr->refill_at = now;
    if (dt <= 0) return;
    if (pr->p.rpm > 0) pr->rpm_tokens = fmin(rpm_depth(pr), pr->rpm_tokens + pr->p.rpm / 60.0 * dt);
    if (pr->p.tpm > 0) pr->tpm_tokens = fmin(tpm_depth(pr), pr->tpm_tokens + pr->p.tpm / 60.0 * dt);
}

int sim_prov_init(sim_world *w)
{
    const sim_scenario *sc = w->sc;
    w->prov = calloc((size_t)sc->nproviders, sizeof *w->prov);
    if (!w->prov) return POL_ENOMEM;
    const gsl_rng_type *T = sim_rng_type(sc->rng);
    for (int i = 0; i < sc->nproviders; i++) {
        sim_prov_rt *pr = &w->prov[i];
        pr->cfg = &sc->providers[i];
        pr->p = pr->cfg->base;
        pr->rng = sim_rng_new(T, w->seed, (uint32_t)w->replication, SIM_STREAM_PROVIDER, (uint32_t)i);
        pr->net = sim_rng_new(T, w->seed, (uint32_t)w->replication, SIM_STREAM_NETWORK, (uint32_t)i);
        if (!pr->rng || !pr->net) return POL_ENOMEM;
        pr->rpm_tokens = rpm_depth(pr);
        pr->tpm_tokens = tpm_depth(pr);
        pr->capacity0 = sim_prov_capacity(pr->cfg, &pr->p, sc);
    }
    return POL_OK;
}

void sim_prov_free(sim_world *w)
{
    if (!w->prov) return;
    for (int i = 0; i < w->sc->nproviders; i++) {
        if (w->prov[i].rng) gsl_rng_free(w->prov[i].rng);
        if (w->prov[i].net) gsl_rng_free(w->prov[i].net);
        free(w->prov[i].wait);
    }
    free(w->prov);
    w->prov = NULL;
}

static int wait_push(sim_prov_rt *pr, uint32_t id)
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

static uint32_t wait_pop(sim_prov_rt *pr)
{
    uint32_t id = pr->wait[pr->wait_head];
    pr->wait_head = (pr->wait_head + 1) % pr->wait_cap;
    pr->wait_len--;
    return id;
}

/* x-ratelimit-* hints the provider attaches to an answer (OpenAI style):
 * remaining requests and tokens in its buckets, and the time until they are
 * full again. */
static void ratelimit_hints(sim_prov_rt *pr, sim_slot *s)
{
    if (pr->p.rpm <= 0 && pr->p.tpm <= 0) { s->rl_known = 0; return; }
    s->rl_known = 1;
    s->rl_req = pr->p.rpm > 0 ? (float)floor(pr->rpm_tokens) : 1e9f;
    s->rl_tok = pr->p.tpm > 0 ? (float)floor(pr->tpm_tokens) : 1e12f;
    double t = 0;
    if (pr->p.rpm > 0) t = fmax(t, (rpm_depth(pr) - pr->rpm_tokens) / (pr->p.rpm / 60.0));
    if (pr->p.tpm > 0) t = fmax(t, (tpm_depth(pr) - pr->tpm_tokens) / (pr->p.tpm / 60.0));
    s->rl_reset = (pol_ns)(t * 1e9);
}

static void answer(sim_world *w, uint32_t id, pol_outcome_kind k, int status)
{
    w->slots[id].out = pol_outcome_make(k, status);
    sim_world_respond(w, id, w->eng.now);
}

static void start_service(sim_world *w, sim_prov_rt *pr, uint32_t id)
{
    sim_slot *s = &w->slots[id];
    const sim_provider *cfg = pr->cfg;
    pol_ns now = w->eng.now;
    pr->in_service++;
    if (s->state == SLOT_WAITING) {
        w->wait_total += (double)(now - s->enqueued) / 1e9;
    }
    w->waits++;
    s->state = SLOT_SERVICE;
    double t;
    if (cfg->kind == SIM_PROV_QUEUE) {
        t = sim_dist_sample(&cfg->service, pr->rng);
    } else {
        t = sim_dist_sample(&cfg->ttft, pr->rng) + (double)s->output * sim_dist_sample(&cfg->per_token, pr->rng);
        if (cfg->noise_sigma > 0) t *= gsl_ran_lognormal(pr->rng, 0.0, cfg->noise_sigma);
        if (cfg->slowdown > 0 && pr->p.concurrency > 0) {
            double u = (double)pr->in_service / (double)pr->p.concurrency;
            t *= 1 + cfg->slowdown * u * u;
        }
    }
    t *= pr->p.latency_factor > 0 ? pr->p.latency_factor : 1;
    if (t < 0) t = 0;
    s->service = (pol_ns)t;
    w->service_total += t / 1e9;
    s->out = pol_outcome_make(POL_OUT_SUCCESS, 200);
    sim_world_arm_timeout(w, id, now + s->service);
    sim_schedule(&w->eng, now + s->service, EV_DONE, id, s->gen, 0);
}

static int room_to_serve(const sim_prov_rt *pr)
{
    return pr->p.concurrency <= 0 || pr->in_service < pr->p.concurrency;
}

static void drain_waiting(sim_world *w, sim_prov_rt *pr)
{
    while (pr->wait_len && room_to_serve(pr)) start_service(w, pr, wait_pop(pr));
}

static pol_ns retry_after_for(sim_prov_rt *pr, double need_tok)
{
    const sim_provider *cfg = pr->cfg;
    if (cfg->retry_after == SIM_RA_NONE) return -1;
    if (cfg->retry_after == SIM_RA_FIXED) return cfg->retry_after_fixed;
    double wait = 0;
    if (pr->p.rpm > 0 && pr->rpm_tokens < 1) wait = fmax(wait, (1 - pr->rpm_tokens) / (pr->p.rpm / 60.0));
    if (pr->p.tpm > 0 && pr->tpm_tokens < need_tok)
        wait = fmax(wait, (fmin(need_tok, tpm_depth(pr)) - pr->tpm_tokens) / (pr->p.tpm / 60.0));
    return (pol_ns)ceil(wait * 1e3) * POL_NS_PER_MS;
}

void sim_prov_arrive(sim_world *w, uint32_t id)
{
    sim_slot *s = &w->slots[id];
    sim_prov_rt *pr = &w->prov[s->provider];
    const sim_provider *cfg = pr->cfg;
    pol_ns now = w->eng.now;
    sim_bp(w, now, s->provider)->offered++;
    switch (pr->p.outage) {
    case SIM_OUTAGE_REFUSE:    answer(w, id, POL_OUT_CONN_REFUSED, 0); return;
    case SIM_OUTAGE_BLACKHOLE: sim_world_drop(w, id); return;
    case SIM_OUTAGE_STATUS:    answer(w, id, POL_OUT_HTTP, pr->p.outage_status); return;
    case SIM_OUTAGE_NONE:      break;
    }
    if (cfg->kind == SIM_PROV_OCC) {
        /* the read is answered with the current version; the conditional
         * write arrives after the read's response leg and the write's leg */
            s->occ_version = pr->occ_version;
        s->state = SLOT_SERVICE;
        pol_ns t = now + sim_net_leg(w, s->provider);
        t += sim_net_leg(w, s->provider);
        sim_world_arm_timeout(w, id, t);
        sim_schedule(&w->eng, t, EV_OCC_WRITE, id, s->gen, 0);
        return;
    }
    double tok = (double)s->prompt + (double)s->output;
    if (cfg->context_window > 0 && tok > cfg->context_window) {
        answer(w, id, POL_OUT_CONTEXT_WINDOW, 400);
        return;
    }
    if (cfg->content_filter > 0 && gsl_rng_uniform(pr->rng) < cfg->content_filter) {
        answer(w, id, POL_OUT_CONTENT_POLICY, 400);
        return;
    }
    if (pr->p.rpm > 0 || pr->p.tpm > 0) {
        refill(pr, now);
        if ((pr->p.rpm > 0 && pr->rpm_tokens < 1) || (pr->p.tpm > 0 && pr->tpm_tokens < tok)) {
            s->out = pol_outcome_make(POL_OUT_HTTP, 429);
            s->out.retry_after = retry_after_for(pr, tok);
            ratelimit_hints(pr, s);
            sim_world_respond(w, id, now);
            return;
        }
        if (pr->p.rpm > 0) pr->rpm_tokens -= 1;
        if (pr->p.tpm > 0) pr->tpm_tokens -= tok;
        ratelimit_hints(pr, s);
    }
    if (pr->p.error_rate > 0 && gsl_rng_uniform(pr->rng) < pr->p.error_rate) {
        answer(w, id, POL_OUT_HTTP, pr->p.error_status);
        return;
    }
    if (room_to_serve(pr)) { start_service(w, pr, id); return; }
    if (pr->p.queue < 0 || pr->wait_len < (uint32_t)pr->p.queue) {
        if (wait_push(pr, id)) { w->error = POL_ENOMEM; sim_engine_stop(&w->eng); return; }
        s->state = SLOT_WAITING;
        s->enqueued = now;
        sim_world_arm_timeout(w, id, POL_NS_MAX);
        return;
    }
    answer(w, id, POL_OUT_HTTP, pr->p.overload_status);
}

void sim_prov_done(sim_world *w, uint32_t id)
{
    sim_slot *s = &w->slots[id];
    sim_prov_rt *pr = &w->prov[s->provider];
    pr->in_service--;
    sim_world_respond(w, id, w->eng.now);
    drain_waiting(w, pr);
}

void sim_prov_occ_write(sim_world *w, uint32_t id)
{
    sim_slot *s = &w->slots[id];
    sim_prov_rt *pr = &w->prov[s->provider];
    if (s->occ_version == pr->occ_version) {
        pr->occ_version++;
        answer(w, id, POL_OUT_SUCCESS, 200);
    } else {
        answer(w, id, POL_OUT_HTTP, 409);
    }
}

void sim_prov_apply(sim_world *w, int provider, uint32_t mask, const sim_provider_params *v)
{
    sim_prov_rt *pr = &w->prov[provider];
    refill(pr, w->eng.now);
    if (mask & SIM_SET_RPM) { pr->p.rpm = v->rpm; pr->rpm_tokens = fmin(pr->rpm_tokens, rpm_depth(pr)); }
    if (mask & SIM_SET_TPM) { pr->p.tpm = v->tpm; pr->tpm_tokens = fmin(pr->tpm_tokens, tpm_depth(pr)); }
    if (mask & SIM_SET_CONCURRENCY) pr->p.concurrency = v->concurrency;
    if (mask & SIM_SET_QUEUE) pr->p.queue = v->queue;
    if (mask & SIM_SET_OVERLOAD_STATUS) pr->p.overload_status = v->overload_status;
    if (mask & SIM_SET_LATENCY_FACTOR) pr->p.latency_factor = v->latency_factor;
    if (mask & SIM_SET_ERROR_RATE) pr->p.error_rate = v->error_rate;
    if (mask & SIM_SET_ERROR_STATUS) pr->p.error_status = v->error_status;
    if (mask & SIM_SET_OUTAGE) pr->p.outage = v->outage;
    if (mask & SIM_SET_OUTAGE_STATUS) pr->p.outage_status = v->outage_status;
    drain_waiting(w, pr);
}
