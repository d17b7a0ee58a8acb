/* stream.c — the client side of streamed answers (see stream.h).
 *
 * Simulated: the provider model hands its plan over with the first byte
 * (sim_answer.stream); when that byte reaches the client, the plan and the
 * client's idle timeout and bound give the attempt's end at once
 * (sim_stream_client_end, O(1)), and one EV_STREAM_END is scheduled there:
 * a streamed attempt costs one event more than a plain one, whatever its
 * length. Live: the transport reads the stream and reports its first byte,
 * its chunks and its end (model.h, sim_world_stream_*); the world's timeout
 * event enforces the bound.
 * Accounting: the provider bills what it generated (its plan: every token
 * of a complete stream, the tokens before a cut or an error event; live:
 * the answer's usage, else the tokens received); the client counts what it
 * saw: streams cut, error events, its stream timeouts, the tokens it
 * received and then discarded (their cost at the output price), TTFT (from
 * the request's start to its first kept token) and time to last token of
 * successful streamed requests, and the gaps between chunks (a histogram of
 * 100 bins per decade: quantiles within 1.2%).
 * docs/metrics.md defines every metric; docs/engine.md the plan.
 */
#include "stream.h"
#include "metrics.h"
#include <gsl/gsl_sort_float.h>
#include <gsl/gsl_statistics_float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const sim_stream_bucket ZERO_BUCKET;

static void class_stream(const sim_world *w, int k, sim_stream_class *out)
{
    const sim_class *c = &w->sc->workload.classes[k];
    const sim_policy *p = w->kpol[k].pol;
    memset(out, 0, sizeof *out);
    out->on = (uint8_t)(c->stream >= 0 ? c->stream != 0 : p->stream.on != 0);
    out->recover = (uint8_t)(p->stream.recover != 0);
    out->ttft_timeout = p->stream.ttft_timeout;
    out->idle_timeout = p->stream.idle_timeout;
}

static int live_slot(const sim_event *ev, void *ctx)
{
    const sim_world *w = ctx;
    const sim_slot *s = &w->slots[ev->ent];
    return ev->gen == s->gen && s->state != SLOT_FREE;
}

static void on_stream_end(sim_engine *e, const sim_event *ev, void *ctx);

int sim_stream_init(sim_world *w)
{
    int nc = w->sc->workload.nclasses, any = 0;
    sim_stream_class cls[SIM_MAX_CLASSES];
    for (int k = 0; k < nc; k++) {
        class_stream(w, k, &cls[k]);
        any |= cls[k].on;
    }
    any |= w->sc->workload.arrival_flags != NULL;     /* a trace's rows may say so */
    if (!any) return POL_OK;
    struct sim_streams *st = calloc(1, sizeof *st);
    if (!st) return POL_ENOMEM;
    w->st = st;
    st->cls = malloc((size_t)nc * sizeof *st->cls);
    st->bp = calloc((size_t)w->nbuckets * (size_t)w->sc->nproviders, sizeof *st->bp);
    st->br = calloc(w->nbuckets, sizeof *st->br);
    if (!st->cls || !st->bp || !st->br) return POL_ENOMEM;
    memcpy(st->cls, cls, (size_t)nc * sizeof *st->cls);
    sim_engine_on(&w->eng, EV_STREAM_END, on_stream_end, live_slot, w);
    sim_engine_prefetch(&w->eng, EV_STREAM_END, sim_slot_addr);
    return POL_OK;
}

void sim_stream_free(sim_world *w)
{
    struct sim_streams *st = w->st;
    if (!st) return;
    free(st->cls);
    free(st->ss);
    free(st->cl);
    free(st->bp);
    free(st->br);
    free(st->ttft);
    free(st->ttlt);
    free(st);
    w->st = NULL;
}

static void oom(sim_world *w)
{
    w->error = POL_ENOMEM;
    sim_engine_stop(&w->eng);
}

/* st->ss covers slot id (the world's slot table may have grown). */
static int ensure_slot(sim_world *w, uint32_t id)
{
    struct sim_streams *st = w->st;
    if (id < st->cap_ss) return 0;
    uint32_t nc = w->cap_slots > id ? w->cap_slots : id + 1;
    sim_slot_stream *n = realloc(st->ss, (size_t)nc * sizeof *n);
    if (!n) { oom(w); return -1; }
    memset(n + st->cap_ss, 0, (size_t)(nc - st->cap_ss) * sizeof *n);
    st->ss = n;
    st->cap_ss = nc;
    return 0;
}

static sim_stream_client *client_of(sim_world *w, uint32_t ci)
{
    struct sim_streams *st = w->st;
    if (ci >= st->cap_cl) {
        uint32_t nc = st->cap_cl ? st->cap_cl : 64;
        while (nc <= ci) nc *= 2;
        sim_stream_client *n = realloc(st->cl, (size_t)nc * sizeof *n);
        if (!n) { oom(w); return NULL; }
        memset(n + st->cap_cl, 0, (size_t)(nc - st->cap_cl) * sizeof *n);
        st->cl = n;
        st->cap_cl = nc;
    }
    return &st->cl[ci];
}

/* ---------------------------------------------------------------- gaps --- */
static void gap_add(struct sim_streams *st, pol_ns gap, uint64_t count)
{
    double sec = (double)gap / 1e9;
    int b;
    if (!(sec > 0)) b = 0;
    else {
        double x = (log10(sec) + 6.0) * 100.0;
        b = x < 0 ? 1 : x >= SIM_GAP_BINS - 2 ? SIM_GAP_BINS - 1 : 1 + (int)x;
    }
    st->gaps[b] += count;
}

static double gap_value(int b)
{
    if (b == 0) return 0;
    if (b == SIM_GAP_BINS - 1) return 1e4;
    return pow(10.0, ((double)(b - 1) + 0.5) / 100.0 - 6.0);
}

/* The gaps between the first J chunks of a plan (J >= 2): all c x per_token
 * but the one the stall falls in and the last, partial, chunk's. */
static void plan_gaps(struct sim_streams *st, const sim_stream_plan *p, uint32_t J)
{
    if (J < 2) return;
    uint32_t c = p->chunk ? p->chunk : 1, m = sim_stream_chunks(p);
    uint32_t special[2] = { p->stall_after ? (p->stall_after + c) / c : 0, m };
    if (special[1] == special[0]) special[1] = 0;
    uint64_t regular = J - 1;
    for (int i = 0; i < 2; i++) {
        uint32_t j = special[i];
        if (j < 2 || j > J) continue;
        gap_add(st, sim_stream_chunk_at(p, j) - sim_stream_chunk_at(p, j - 1), 1);
        regular--;
    }
    if (regular) gap_add(st, (pol_ns)c * p->per_token, regular);
}

static uint32_t chunks_of(const sim_stream_plan *p, uint32_t tokens)
{
    uint32_t c = p->chunk ? p->chunk : 1;
    return (tokens + c - 1) / c;
}

/* -------------------------------------------------------- the request --- */
void sim_stream_request_start(sim_world *w, uint32_t ci)
{
    sim_stream_client *cl = client_of(w, ci);
    if (!cl) return;
    const sim_client *c = &w->clients[ci];
    cl->on = c->stream & SIM_ARR_STREAM_SET ? (c->stream & SIM_ARR_STREAM) != 0 : w->st->cls[c->cls].on;
    cl->kept = 0;
    cl->kept_cost = 0;
    cl->first_tok = -1;
}

/* Tokens received and then not used: counted, with their cost. */
static void discard(sim_world *w, unsigned cls, int provider, double tokens)
{
    if (tokens <= 0) return;
    double cost = tokens * w->sc->providers[provider].price_out / 1e6;
    sim_count(w, cls, SIM_M_DISCARDED_TOKENS, tokens);
    sim_count(w, cls, SIM_M_DISCARDED_COST, cost);
    w->st->bp[(size_t)sim_bucket_of(w, w->eng.now) * (size_t)w->sc->nproviders + (size_t)provider].discarded +=
        (float)tokens;
}

void sim_stream_request_end(sim_world *w, uint32_t ci, int success)
{
    struct sim_streams *st = w->st;
    if (ci >= st->cap_cl || !st->cl[ci].on) return;
    sim_stream_client *cl = &st->cl[ci];
    const sim_client *c = &w->clients[ci];
    pol_ns now = w->eng.now;
    if (success && cl->first_tok >= 0) {
        if (st->n == st->cap) {
            size_t nc = st->cap ? st->cap * 2 : 1024;
            float *a = realloc(st->ttft, nc * sizeof *a);
            if (a) st->ttft = a;
            float *b = a ? realloc(st->ttlt, nc * sizeof *b) : NULL;
            if (!a || !b) { oom(w); return; }
            st->ttlt = b;
            st->cap = nc;
        }
        double ttft = (double)(cl->first_tok - c->req_start) / 1e9;
        st->ttft[st->n] = (float)ttft;
        st->ttlt[st->n] = (float)((double)(now - c->req_start) / 1e9);
        st->n++;
        sim_stream_rbucket *rb = &st->br[sim_bucket_of(w, now)];
        rb->ttft_sum += ttft;
        rb->ttft_n++;
    } else if (!success && cl->kept > 0) {          /* what recovery kept is lost with the request */
        sim_count(w, c->cls, SIM_M_DISCARDED_TOKENS, cl->kept);
        sim_count(w, c->cls, SIM_M_DISCARDED_COST, cl->kept_cost);
    }
    cl->kept = 0;
    cl->kept_cost = 0;
    cl->first_tok = -1;
}

/* --------------------------------------------------------- an attempt --- */
void sim_stream_on_send(sim_world *w, uint32_t ci, uint32_t id)
{
    struct sim_streams *st = w->st;
    if (ci >= st->cap_cl || !st->cl[ci].on || ensure_slot(w, id)) return;
    const sim_stream_client *cl = &st->cl[ci];
    const sim_client *c = &w->clients[ci];
    const sim_stream_class *k = &st->cls[c->cls];
    sim_slot *s = &w->slots[id];
    sim_slot_stream *ss = &st->ss[id];
    s->stream = SST_PRE;
    ss->first_byte = ss->first_chunk = -1;
    ss->tokens = 0;
    ss->has_plan = 0;
    ss->pre_ttft = 0;
    ss->label = SEND_NONE;
    ss->recover = k->recover;
    ss->bound = s->deadline;
    ss->bound_layer = s->to_layer;
    if (k->recover && cl->kept >= 1) {               /* continue after the partial text */
        s->prompt = c->prompt + cl->kept;
        s->output = c->output - cl->kept >= 1 ? c->output - cl->kept : 1;
    }
    if (k->ttft_timeout > 0) {
        pol_ns t = w->eng.now + k->ttft_timeout;
        if (s->deadline == 0 || t < s->deadline) {
            s->deadline = t;
            s->to_layer = (uint8_t)(w->lcfg[c->cls].n - 1);   /* the HTTP client's own timeout */
            ss->pre_ttft = 1;
        }
    }
}

/* Provider side, at the provider's first byte: the plan, the bill. */
void sim_stream_answered(sim_world *w, uint32_t id, const sim_answer *a)
{
    sim_slot *s = &w->slots[id];
    if (!w->st || ensure_slot(w, id)) return;
    sim_slot_stream *ss = &w->st->ss[id];
    ss->plan = *a->stream;
    ss->has_plan = 1;
    int end = (int)ss->plan.end;
    s->out = sim_out_pack(pol_outcome_make(end == SIM_PLAN_COMPLETE ? POL_OUT_SUCCESS
                              : end == SIM_PLAN_CUT ? POL_OUT_STREAM_CUT : POL_OUT_STREAM_ERROR, 200));
    if (end == SIM_PLAN_COMPLETE) sim_bp(w, w->eng.now, s->provider)->successes++;
    sim_count(w, s->cls, SIM_M_COST, sim_slot_cost(w, s));   /* what it generates is billed */
}

/* The attempt ended at its client now with `kind` (the client waited for
 * it): the counts, the tokens it received (kept or discarded), the policy. */
static void seen_end(sim_world *w, uint32_t id, pol_outcome_kind kind, int layer, int label, int count_timeout)
{
    struct sim_streams *st = w->st;
    sim_slot *s = &w->slots[id];
    sim_slot_stream *ss = &st->ss[id];
    uint32_t ci = s->client;
    sim_stream_client *cl = &st->cl[ci];
    pol_ns now = w->eng.now;
    sim_stream_bucket *bb = &st->bp[(size_t)sim_bucket_of(w, now) * (size_t)w->sc->nproviders + (size_t)s->provider];
    ss->label = (uint8_t)label;
    switch (kind) {
    case POL_OUT_STREAM_CUT:   sim_count(w, s->cls, SIM_M_STREAMS_CUT, 1); bb->cuts++; break;
    case POL_OUT_STREAM_ERROR: sim_count(w, s->cls, SIM_M_STREAM_ERRORS, 1); bb->errors++; break;
    case POL_OUT_STREAM_TIMEOUT:
    case POL_OUT_TIMEOUT:
        if (count_timeout) {
            sim_count(w, s->cls, SIM_M_TIMEOUTS, 1);
            sim_bp(w, now, s->provider)->timeouts++;
        }
        sim_count(w, s->cls, SIM_M_STREAM_TIMEOUTS, 1);
        bb->timeouts++;
        break;
    default: break;
    }
    if (ss->has_plan) plan_gaps(st, &ss->plan, chunks_of(&ss->plan, ss->tokens));
    if (kind == POL_OUT_SUCCESS) {
        if (cl->first_tok < 0) cl->first_tok = ss->first_chunk;
    } else if (ss->tokens > 0) {
        if (ss->recover) {
            if (cl->first_tok < 0) cl->first_tok = ss->first_chunk;
            cl->kept += (float)ss->tokens;
            cl->kept_cost += ss->tokens * w->sc->providers[s->provider].price_out / 1e6;
        } else {
            discard(w, s->cls, s->provider, ss->tokens);
        }
    }
    (void)layer;
}

static int innermost(const sim_world *w, const sim_slot *s)
{
    return w->lcfg[w->clients[s->client].cls].n - 1;
}

void sim_stream_first_byte(sim_world *w, uint32_t id)
{
    sim_slot *s = &w->slots[id];
    sim_slot_stream *ss = &w->st->ss[id];
    pol_ns now = w->eng.now;
    const sim_stream_class *k = &w->st->cls[w->clients[s->client].cls];
    s->stream = SST_STREAMING;
    ss->first_byte = now;
    sim_stream_seen seen;
    sim_stream_client_end(&ss->plan, k->idle_timeout, ss->bound ? ss->bound - now : POL_NS_MAX, &seen);
    int layer = innermost(w, s);
    if (seen.kind == POL_OUT_TIMEOUT) {
        ss->label = SEND_TIMEOUT;
        if (ss->bound_layer == layer) seen.kind = POL_OUT_STREAM_TIMEOUT;   /* the HTTP client's own, mid-stream */
        else layer = ss->bound_layer;                                      /* an outer loop's bound */
    } else {
        ss->label = seen.kind == POL_OUT_STREAM_TIMEOUT ? SEND_IDLE
                  : seen.kind == POL_OUT_SUCCESS ? SEND_COMPLETE
                  : seen.kind == POL_OUT_STREAM_CUT ? SEND_CUT : SEND_ERROR;
    }
    ss->kind = (uint8_t)seen.kind;
    ss->tokens = seen.tokens;
    ss->end_at = now + seen.at;
    ss->bound_layer = (uint8_t)layer;                 /* from now on: the layer its end goes to */
    if (seen.tokens > 0) ss->first_chunk = now + sim_stream_chunk_at(&ss->plan, 1);
    s->deadline = 0;                                  /* the TTFT timeout is moot (its event goes stale) */
    if (sim_schedule(&w->eng, ss->end_at, EV_STREAM_END, id, s->gen, 0)) oom(w);
}

static void on_stream_end(sim_engine *e, const sim_event *ev, void *ctx)
{
    (void)e;
    sim_world *w = ctx;
    uint32_t id = ev->ent;
    sim_slot *s = &w->slots[id];
    if (s->abandoned) {                               /* a hedge won, the request ended: wasted */
        sim_metrics_abandoned(w, s);
        sim_world_release(w, id);
        return;
    }
    sim_slot_stream *ss = &w->st->ss[id];
    pol_outcome_kind kind = (pol_outcome_kind)ss->kind;
    int layer = ss->bound_layer;
    seen_end(w, id, kind, layer, ss->label, 1);
    pol_outcome o = pol_outcome_make(kind, kind == POL_OUT_TIMEOUT ? 0 : 200);
    sim_world_conclude(w, id, layer, &o);
}

void sim_stream_abandon(sim_world *w, uint32_t id)
{
    sim_slot *s = &w->slots[id];
    sim_slot_stream *ss = &w->st->ss[id];
    if (ss->has_plan) {
        uint32_t t = sim_stream_tokens_by(&ss->plan, w->eng.now - ss->first_byte);
        ss->tokens = t < ss->tokens ? t : ss->tokens;
        plan_gaps(w->st, &ss->plan, chunks_of(&ss->plan, ss->tokens));
    }
    ss->label = SEND_ABANDONED;
    discard(w, s->cls, s->provider, ss->tokens);
}

void sim_stream_timed_out(sim_world *w, uint32_t id, pol_outcome *o, int *layer)
{
    sim_slot *s = &w->slots[id];
    if (*layer == innermost(w, s)) *o = pol_outcome_make(POL_OUT_STREAM_TIMEOUT, 200);
    seen_end(w, id, o->kind, *layer, SEND_TIMEOUT, 0);
}

/* ------------------------------------------------- a transport's reports --- */
static sim_slot_stream *reading(sim_world *w, uint32_t id)
{
    if (!w->st || id >= w->nslots || id >= w->st->cap_ss) return NULL;
    const sim_slot *s = &w->slots[id];
    if (s->state == SLOT_FREE || s->abandoned || s->stream != SST_STREAMING) return NULL;
    return &w->st->ss[id];
}

int sim_world_stream_start(sim_world *w, uint32_t id, pol_ns at)
{
    if (!w->st || id >= w->nslots || id >= w->st->cap_ss) return -1;
    sim_slot *s = &w->slots[id];
    if (s->state == SLOT_FREE || s->abandoned || s->stream != SST_PRE) return -1;
    if (s->deadline && at >= s->deadline) return -1;      /* its timeout came first */
    sim_slot_stream *ss = &w->st->ss[id];
    s->stream = SST_STREAMING;
    ss->first_byte = at;
    s->deadline = ss->bound;                          /* the TTFT timeout stops; the bound goes on */
    s->to_layer = ss->bound_layer;
    s->to_armed = 0;
    sim_world_arm_timeout(w, id, POL_NS_MAX);
    return 0;
}

void sim_world_stream_chunk(sim_world *w, uint32_t id, uint32_t tokens, pol_ns gap, pol_ns at)
{
    sim_slot_stream *ss = reading(w, id);
    if (!ss) return;
    if (ss->first_chunk < 0) ss->first_chunk = at;
    ss->tokens += tokens;
    if (gap >= 0) gap_add(w->st, gap, 1);
}

void sim_world_stream_end(sim_world *w, uint32_t id, pol_outcome_kind kind, double prompt, double output)
{
    sim_slot_stream *ss = reading(w, id);
    if (!ss) return;
    sim_slot *s = &w->slots[id];
    if (prompt >= 0) s->prompt = (float)prompt;
    s->output = (float)(output >= 0 ? output : ss->tokens);
    s->out = sim_out_pack(pol_outcome_make(kind, 200));
    if (kind == POL_OUT_SUCCESS) sim_bp(w, w->eng.now, s->provider)->successes++;
    sim_count(w, s->cls, SIM_M_COST, sim_slot_cost(w, s));
    s->state = SLOT_ANSWERED;
    int label = kind == POL_OUT_SUCCESS ? SEND_COMPLETE : kind == POL_OUT_STREAM_CUT ? SEND_CUT
              : kind == POL_OUT_STREAM_ERROR ? SEND_ERROR : SEND_IDLE;
    int layer = innermost(w, s);
    seen_end(w, id, kind, layer, label, 1);
    pol_outcome o = pol_outcome_make(kind, 200);
    sim_world_conclude(w, id, layer, &o);
}

/* ------------------------------------------------------------- metrics --- */
void sim_stream_finish(sim_world *w, double *m)
{
    struct sim_streams *st = w->st;
    m[SIM_M_TTFT_P50] = m[SIM_M_TTFT_P90] = m[SIM_M_TTFT_P99] = NAN;
    m[SIM_M_TTLT_P50] = m[SIM_M_TTLT_P99] = m[SIM_M_GAP_P99] = NAN;
    if (!st) return;
    if (st->n) {
        gsl_sort_float(st->ttft, 1, st->n);
        gsl_sort_float(st->ttlt, 1, st->n);
        m[SIM_M_TTFT_P50] = gsl_stats_float_quantile_from_sorted_data(st->ttft, 1, st->n, 0.50);
        m[SIM_M_TTFT_P90] = gsl_stats_float_quantile_from_sorted_data(st->ttft, 1, st->n, 0.90);
        m[SIM_M_TTFT_P99] = gsl_stats_float_quantile_from_sorted_data(st->ttft, 1, st->n, 0.99);
        m[SIM_M_TTLT_P50] = gsl_stats_float_quantile_from_sorted_data(st->ttlt, 1, st->n, 0.50);
        m[SIM_M_TTLT_P99] = gsl_stats_float_quantile_from_sorted_data(st->ttlt, 1, st->n, 0.99);
    }
    uint64_t total = 0;
    for (int b = 0; b < SIM_GAP_BINS; b++) total += st->gaps[b];
    if (total) {
        uint64_t rank = (uint64_t)ceil(0.99 * (double)total), seen = 0;
        for (int b = 0; b < SIM_GAP_BINS; b++) {
            seen += st->gaps[b];
            if (seen >= rank) { m[SIM_M_GAP_P99] = gap_value(b); break; }
        }
    }
}

/* ------------------------------------------------------------- columns --- */
static const sim_slot_stream *slot_stream(const sim_world *w, const sim_slot *s)
{
    uint32_t id = (uint32_t)(s - w->slots);
    return s->stream && w->st && id < w->st->cap_ss ? &w->st->ss[id] : NULL;
}

double sim_stream_col_ttft(const sim_world *w, const sim_slot *s)
{
    const sim_slot_stream *ss = slot_stream(w, s);
    return ss && ss->first_chunk >= 0 ? (double)(ss->first_chunk - s->sent) / 1e9 : NAN;
}

double sim_stream_col_tokens(const sim_world *w, const sim_slot *s)
{
    const sim_slot_stream *ss = slot_stream(w, s);
    return ss ? (double)ss->tokens : NAN;
}

const char *sim_stream_col_end(const sim_world *w, const sim_slot *s, const pol_outcome *o)
{
    static const char *const NAMES[] = { "none", "complete", "cut", "error", "idle-timeout", "timeout",
                                         "ttft-timeout", "abandoned" };
    const sim_slot_stream *ss = slot_stream(w, s);
    if (!ss) return "";
    if (ss->label != SEND_NONE) return NAMES[ss->label];
    if (o && o->kind == POL_OUT_TIMEOUT && s->stream == SST_PRE && ss->pre_ttft) return NAMES[SEND_TTFT];
    return NAMES[SEND_NONE];
}

const sim_stream_bucket *sim_stream_bp(const sim_world *w, uint32_t b, int p)
{
    return w->st ? &w->st->bp[(size_t)b * (size_t)w->sc->nproviders + (size_t)p] : &ZERO_BUCKET;
}

double sim_stream_ttft_mean(const sim_world *w, uint32_t b)
{
    return w->st && w->st->br[b].ttft_n ? w->st->br[b].ttft_sum / w->st->br[b].ttft_n : NAN;
}
