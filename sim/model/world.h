/* world.h — internal to sim/model: the state of one run (struct sim_world)
 * and what the model's files share. Callers above the model use model.h.
 *
 * Entities: clients (closed loop: N fixed; open loop / trace: a pool of
 * request executors, reused), attempt slots (one per attempt in flight,
 * reused through a free list, with a generation number that invalidates
 * stale events), and the provider model (pm.c: rate limits, capacity,
 * waiting room, latency, faults), reached through a transport.
 * A client runs the policy library exactly as a production client would:
 * pol_retry_begin, attempt, classify the outcome, pol_retry_next, sleep,
 * retry or fall back; a policy with nested loops (inner:) goes through
 * pol_layers_begin / pol_layers_next / pol_layers_expiry, one pol_retry
 * state per layer (sim_world.lstates).
 * Event flow of a simulated attempt (simnet.c): client SEND -> (network
 * leg) AT_SERVER: the provider model admits, queues or rejects it -> its
 * answer -> (leg) RESPONSE at the client; in parallel an optional TIMEOUT.
 * A response to an attempt the client abandoned is wasted work (and
 * duplicate billing if it succeeded). A client may wait for several attempts
 * at once (hedging: up to SIM_MAX_INFLIGHT).
 */
#ifndef SIM_WORLD_H
#define SIM_WORLD_H
#include "model.h"
#include "outcome16.h"
#include "rng.h"
#include "latstore.h"
#include <stdio.h>


/* Per bucket x provider counters (timeseries.csv). */
typedef struct {
    uint32_t offered;        /* attempts arriving at the provider */
    uint32_t successes;      /* 2xx answered */
    uint32_t http_429, http_5xx, http_4xx;
    uint32_t timeouts;       /* client timeouts of attempts to this provider */
    uint32_t conn_errors;    /* refused / reset */
    uint32_t in_flight;      /* attempts outstanding at the bucket's end (client view) */
    uint32_t in_system;      /* in service + waiting at the bucket's end (server view) */
    float    capacity;       /* requests/s the provider could serve at the bucket's end */
    uint32_t open_breakers;  /* breaker instances not closed for this provider, at the end */
    uint32_t cooled;         /* instances that have this provider cooled down / ejected, at the end */
    uint32_t hedges;         /* hedge attempts sent to it */
    uint32_t local_rejects;  /* attempts for it refused by the client's own breaker */
} sim_bucket_prov;

/* Per bucket request-level counters. */
typedef struct {
    uint32_t started, succeeded, degraded, gave_up;
    uint32_t attempts;       /* attempts sent by clients in the bucket */
    uint32_t budget_denied;  /* retries refused by a retry budget */
    uint32_t throttled;      /* attempts rejected or delayed by client-side throttling / rate limiting:
                                once per attempt, at its first wait (or its rejection) */
    float    budget_level;   /* mean retry-budget level over instances, at the end (NaN: none) */
    float    throttle_level; /* mean throttle level (SRE: rejection probability; AWS: rate), at the end */
} sim_bucket_req;

/* The retry loop's state of a request whose policy has one loop and no
 * per-kind rules: all that pol_retry_next reads then (the rest of
 * pol_retry_state is the rules' bookkeeping). 40 bytes instead of the
 * 224 of a pol_retry_state; world.c expands it into a full state around
 * each pol_retry_* call (rs_load / rs_store). */
typedef struct {
    pol_ns   last_delay, hinted; /* (start: world.c's rs_start, the request's) */
    pol_backoff_state bo;
    int32_t  attempts;
    int32_t  kind0;          /* kind_attempts[0]: failures that matched no rule (PER_KIND counts them) */
} sim_rs_small;

/* A client's two random streams: SIM_CRNG_WORK (workload draws: think,
 * class, tokens) and SIM_CRNG_POLICY (policy draws: jitter, throttling, load
 * balancing). The client keeps only their states, not two 16-byte gsl_rng
 * headers: sim_crng_open builds the header (the run's generator type and a
 * state) where a draw needs one. With taus2 or taus (the default generator)
 * the client holds the states themselves, packed: GSL's taus state is three
 * unsigned longs, each masked to 32 bits by every step (gsl/rng/taus.c,
 * MASK), so three 32-bit words hold it exactly; a draw works on an unpacked
 * copy that sim_crng_close writes back. Other generators' states live in
 * sim_world.client_rngs and the client holds their addresses. */
enum { SIM_CRNG_WORK = 0, SIM_CRNG_POLICY = 1 };

typedef union {
    uint32_t w[2][3];        /* packed taus states (sim_world.rng_packed) */
    void    *p[2];           /* else: the states' addresses */
} sim_client_st;

typedef struct {
    sim_client_st st;        /* the two streams (24 bytes; a draw touches no other cache line) */
    pol_ns    last_delay;    /* the backoff slept before the next attempt (any layer's) */
    pol_ns    req_start;
    uint32_t  req_id;
    uint32_t  att0;          /* the first attempt in flight (the others: cx's att_more; att_at) */
    uint32_t  gen;           /* wake / hedge event generation */
    int32_t   done;          /* requests finished (closed loop) */
    float     prompt, output;/* token sizes of the current request */
    uint16_t  attempt_no;    /* attempts of the current request (all targets) */
    uint8_t   cls;
    uint8_t   target;        /* index into the current chain */
    uint8_t   busy;          /* a request is in progress */
    uint8_t   natt;          /* attempts in flight */
    uint8_t   chain;         /* 0 = targets, 1 = context-window chain, 2 = content-policy chain */
    uint8_t   round_sent;    /* attempts sent in the current round (original + hedges) */
    uint16_t  gates;         /* bit per part: its gate already passed for the next attempt */
    uint8_t   bulkhead;      /* holds a bulkhead permit */
    uint8_t   budget_open;   /* a retry-budget grant awaits its result */
    uint8_t   tier;          /* load balancing: the first tier of the pool still in play */
    uint8_t   picked;        /* load balancing, sticky: target holds this request's pick */
    uint8_t   throttled;     /* the next attempt was counted in its bucket's `throttled` (once per attempt) */
    uint8_t   lo_best;       /* hedge pick list-order: the lowest position of a success in this round (0xFF none) */
    uint8_t   lo_first;      /* ... and of any ended copy, whose outcome is sim_world.lo_out (0xFF none) */
    uint8_t   stream;        /* SIM_ARR_STREAM_* of the request's trace row, 0 = none: whether
                                it streams, over its class's say (stream.c) */
    sim_rs_small rs;         /* the retry loop of the current request, when no policy of the
                                run has nested layers or rules (else sim_world.lstates) */
} sim_client;               /* 128 bytes */

/* What only some runs keep of a client, beside the clients (sim_world.cx,
 * same index): when a policy hedges or has a retry budget, or a trace gives
 * per-request deadlines. */
typedef struct {
    pol_ns    dl_origin;     /* the origin of the request's deadline (req_start, unless a trace
                                row's deadline moves it: start_request) */
    pol_ns    round_start;   /* when the current round's first attempt was sent (hedging) */
    pol_budget_req brq;      /* retry-budget bookkeeping of the current request */
    uint32_t  att_more[SIM_MAX_INFLIGHT - 1]; /* attempts in flight after att0 (only a hedging
                                policy has more than one, and then cx exists) */
} sim_client_x;

/* A slot's state as the client side knows it. */
typedef enum { SLOT_FREE = 0, SLOT_SENT, SLOT_ANSWERED, SLOT_DROPPED } sim_slot_state;

typedef struct {
    uint32_t client;
    uint32_t gen;
    uint32_t req_id;
    uint32_t next_free;
    int16_t  provider;
    uint8_t  state;
    uint8_t  abandoned;      /* the client stopped waiting (timeout) */
    uint16_t attempt_no;
    uint8_t  to_armed;       /* its timeout event is in the queue */
    uint8_t  hedge;          /* sent as a hedge (not the round's first attempt) */
    uint8_t  pos;            /* its place in the round (0 = the first; parallel: its target's order) */
    uint8_t  cls;            /* its request's class (its client may be on another request when it ends) */
    uint8_t  probe;          /* admitted by its breaker (must record or cancel) */
    uint8_t  rl_known;       /* the provider sent x-ratelimit-* hints with its answer
                                (kept in sim_world.slotx when the run needs them) */
    uint8_t  to_layer;       /* the retry layer whose bound `deadline` is */
    uint8_t  stream;         /* a streamed attempt: SST_* (stream.h), 0 = not streamed */
    pol_ns   deadline;       /* when the client stops waiting, 0 = never */
    pol_ns   sent;
    pol_ns   service;        /* provider time spent on it (for wasted work) */
    float    prompt, output;
    sim_outcome16 out;       /* the answer the provider decided */
} sim_slot;                  /* 80 bytes */

/* What only some runs read of an attempt, beside the slots (sim_world.slotx,
 * same index): the rate-limit hints (a quota policy's), each retry layer's
 * attempt number (attempts.csv's layerK_attempt columns) and the backoff
 * slept before it (its delay_before_s). */
typedef struct {
    float    rl_req, rl_tok; /* x-ratelimit-remaining-requests / -tokens */
    pol_ns   rl_reset;       /* x-ratelimit-reset-*: until the buckets are full again */
    uint16_t lno[SIM_MAX_LAYERS]; /* each layer's attempt number when it was sent */
    pol_ns   delay_before;   /* the backoff slept before it (0 for a hedge) */
} sim_slot_x;

/* A request class's policy, fixed for the run (world_setup): what the
 * client loop looks up at every step of an attempt. */
typedef struct {
    const sim_policy *pol;   /* the class's own policy, else the run's */
    unsigned          parts; /* the stateful parts it uses (its sim_guards.used): 0 = none */
} sim_class_pol;

struct sim_world {
    const sim_scenario *sc;
    const sim_policy   *pol;
    int                 policy_index;
    int                 replication;
    uint64_t            seed;
    pol_retry_cfg      *cfgs;          /* per class: the policy's cfg with the class deadline */
    pol_layers_cfg     *lcfg;          /* per class: its retry layers (cfgs[k] outermost, then the policy's inner) */
    sim_class_pol      *kpol;          /* per class: its policy */
    pol_retry_state    *lstates;       /* when a class's policy has nested layers or per-kind rules:
                                          ls_stride full states per client (its loops'), else NULL
                                          (each client's compact sim_client.rs) */
    uint32_t            cap_lstates;   /* clients lstates has room for */
    uint32_t            ls_stride;     /* states per client in lstates: the most layers of a class */
    sim_client_x       *cx;            /* [client] when hedging, a retry budget or trace deadlines
                                          need it (grows with cap_clients), else NULL */
    pol_outcome        *lo_out;        /* [client], when a policy picks hedges in list order: the
                                          outcome it decides on when no copy of the round succeeded */
    sim_engine          eng;
    int                 queue;         /* sim_run_opts.queue */
    sim_rng_pool        client_rngs;   /* the clients' streams' states, when not packed */
    int                 rng_packed;    /* taus2 / taus: the states are in sim_client.st, packed */
    sim_client         *clients;
    uint32_t            nclients, cap_clients;
    uint32_t            free_client;   /* open loop: free list of idle executors */
    uint32_t           *client_free_next;
    sim_slot           *slots;
    uint32_t            nslots, cap_slots, free_slot;
    sim_slot_x         *slotx;         /* [cap_slots] when the run writes attempt rows or has a quota
                                          policy (want_slotx), else NULL */
    int                 want_slotx;
    sim_pm             *pm;            /* the provider model (parameters, capacity; and service when simulated) */
    uint32_t           *in_flight;     /* [provider]: client-side outstanding attempts */
    /* the simulated transport's view of the network (simnet.c), read once at
     * setup instead of asked of the provider model at every send and answer */
    uint8_t            *net_fold;      /* [provider]: its OCC reads are told ahead (sim_pm_occ_foldable,
                                          and not sim_run_opts.unfolded) */
    int                 net_none;      /* every provider's legs take 0 (sim_pm_net_fixed): none is drawn */
    gsl_rng            *arr_rng;
    uint32_t            arr_gen;
    double              rate;          /* current open-loop rate */
    size_t              next_trace;
    uint32_t            next_req_id;
    uint32_t            finished_clients; /* closed loop: clients with all their requests done */
    pol_ns              zt_time;       /* livelock guard: the instant of the last request starts... */
    uint64_t            zt_count;      /* ...and how many started at that instant */
    /* metrics */
    uint32_t            nbuckets;
    sim_bucket_prov    *bp;            /* [bucket * nproviders + p] */
    sim_bucket_req     *br;            /* [bucket] */
    sim_latstore        lat;           /* latencies of successful requests, seconds, by class */
    double              counts[SIM_M__COUNT];   /* all classes; SIM_M_SLO_SUCCESS_RATE holds the
                                                   count of successes within their SLO until the end */
    double             *ccounts;       /* [class * SIM_M__COUNT + metric]: the same per request class */
    double              wasted;
    double             *cwasted;       /* [class] */
    pol_ns              last_finish;
    pol_ns             *clast_finish;  /* [class] */
    pol_ns             *slo;           /* [class]: a request's latency SLO (docs/metrics.md, slo_success_rate) */
    pol_ns              end;           /* the end of what was measured: the duration, or where a run was cut */
    sim_run_metrics    *class_out;     /* [nclasses]: per-class metrics at the end, or NULL */
    FILE               *trace;         /* attempts.csv stream, or NULL */
    FILE               *alerts;        /* alerts.csv stream, or NULL */
    struct sim_guards  *guards;        /* per compared policy: scoped stateful policy instances */
    sim_transport       tp;            /* how attempts leave (simnet.c's, or the caller's) */
    int                 simulated;     /* tp is the simulated network (service totals come from the pm) */
    int                 unfolded;      /* sim_run_opts.unfolded */
    int                 fold_answers;  /* answers may be received ahead (simnet.c) */
    int                 send_ahead;    /* retries may be sent ahead (simnet.c): fold_answers, OCC rows only */
    pol_ns              next_sample;   /* when the next EV_BUCKET samples the gauges (duration + 1: none) */
    int                 error;         /* out of memory during the run */
    int                 halted;        /* sim_world_stop: no event fires any more */
    struct sim_streams *st;            /* streamed answers (stream.h), NULL when nothing streams */
};

/* Adds v to metric m of the run and of request class cls. */
static inline void sim_count(sim_world *w, unsigned cls, sim_metric_id m, double v)
{
    w->counts[m] += v;
    w->ccounts[(size_t)cls * SIM_M__COUNT + (size_t)m] += v;
}

/* The bodies of sim_world_arrived and sim_world_answered (model.h), inline
 * for the simulated transport's hot path. */
void sim_metrics_answer(sim_world *w, const sim_slot *s, pol_ns when);
void sim_stream_answered(sim_world *w, uint32_t id, const sim_answer *a);   /* stream.c */
static inline void sim_world_arrived_(sim_world *w, uint32_t id);
static inline void sim_world_answered_(sim_world *w, uint32_t id, const sim_answer *a)
{
    sim_slot *s = &w->slots[id];
    s->out = sim_out_pack(a->out);
    s->rl_known = (uint8_t)(a->rl_known != 0);
    if (w->slotx) {
        sim_slot_x *x = &w->slotx[id];
        x->rl_req = a->rl_req;
        x->rl_tok = a->rl_tok;
        x->rl_reset = a->rl_reset;
    }
    s->service = a->service;
    if (a->prompt >= 0) s->prompt = (float)a->prompt;
    if (a->output >= 0) s->output = (float)a->output;
    if (a->stream) sim_stream_answered(w, id, a);   /* billed and counted from its plan */
    else sim_metrics_answer(w, s, w->eng.now);
    s->state = SLOT_ANSWERED;
}

/* The simulated transport (simnet.c): network legs and the provider model
 * on the world's engine. Installs itself as w->tp and w->pm's host. */
int  sim_net_init(sim_world *w);
/* The slot of a slot event (sim_engine_prefetch's hint; ctx = the world). */
const void *sim_slot_addr(const sim_event *ev, void *ctx);
/* The provider model's host for world w: answers travel back through the
 * simulated network, timeline entries reach sim_world_on_change. */
const sim_pm_host *sim_net_host(sim_world *w, sim_pm_host *h);

/* The answer of slot id, answered now, reaches its client at t > now, and
 * nothing that runs in between can see the difference (simnet.c,
 * "Answers received ahead"): it is received now, as of t. Only when
 * sim_world_can_receive_ahead(w, id, t). */
void sim_world_received_at(sim_world *w, uint32_t id, pol_ns t);
static inline int sim_world_can_receive_ahead(const sim_world *w, uint32_t id, pol_ns t)
{
    return w->fold_answers && t < w->next_sample && w->slots[id].deadline == 0;
}
/* The attempt's next event is at `next` (POL_NS_MAX = unknown): if that is
 * not before the client's deadline, the timeout must be in the queue. */
void sim_world_arm_timeout(sim_world *w, uint32_t slot, pol_ns next);
/* A timeline entry took effect (the pm's host.change): workload entries. */
void sim_world_on_change(void *ctx, const sim_change *ch, int ending);
/* For stream.c: attempt id, which its client waited for, ended now with o,
 * an outcome of retry layer `layer`: the policy decides, the slot is freed.
 * sim_world_release frees a slot nobody waits for. */
void sim_world_conclude(sim_world *w, uint32_t id, int layer, const pol_outcome *o);
void sim_world_release(sim_world *w, uint32_t id);

/* Client c's stream k (SIM_CRNG_*) as a gsl_rng for any GSL or libretrypol
 * call, valid until sim_crng_close(x), which must follow before anything
 * can move the clients (client_new): draws advance x's copy of a packed
 * state, and closing stores it back into the client. */
typedef struct {
    gsl_rng       r;
    unsigned long s[3];      /* the unpacked taus state */
    uint32_t     *home;      /* where it goes back, NULL: the state is not packed */
} sim_crng;

static inline gsl_rng *sim_crng_open(sim_crng *x, const sim_world *w, sim_client *c, int k)
{
    x->r.type = w->client_rngs.type;
    if (w->rng_packed) {
        uint32_t *h = c->st.w[k];
        x->s[0] = h[0]; x->s[1] = h[1]; x->s[2] = h[2];
        x->r.state = x->s;
        x->home = h;
    } else {
        x->r.state = c->st.p[k];
        x->home = NULL;
    }
    return &x->r;
}
static inline void sim_crng_close(sim_crng *x)
{
    if (!x->home) return;
    x->home[0] = (uint32_t)x->s[0]; x->home[1] = (uint32_t)x->s[1]; x->home[2] = (uint32_t)x->s[2];
}

/* The full retry loops' states of client ci's current request (lcfg[cls].n
 * of them); only when w->lstates is set (else see world.c's rs_load). */
static inline pol_retry_state *sim_client_rs(sim_world *w, uint32_t ci)
{
    return &w->lstates[(size_t)ci * w->ls_stride];
}

static inline uint32_t sim_bucket_of(const sim_world *w, pol_ns t)
{
    uint64_t b = (uint64_t)(t / w->sc->bucket);
    return b < w->nbuckets ? (uint32_t)b : w->nbuckets - 1;
}
static inline sim_bucket_prov *sim_bp(sim_world *w, pol_ns t, int provider)
{
    return &w->bp[(size_t)sim_bucket_of(w, t) * (size_t)w->sc->nproviders + (size_t)provider];
}
static inline void sim_world_arrived_(sim_world *w, uint32_t id)
{
    sim_bp(w, w->eng.now, w->slots[id].provider)->offered++;
}

/* Event kinds of the world and the simulated transport (the provider model's
 * are SIM_PM_EV_* in model.h) */
enum {
    EV_WAKE = 0,      /* ent = client: start a request (arg 0) or the next attempt (arg 1) */
    EV_ARRIVAL,       /* open loop / trace: a new request arrives */
    EV_AT_SERVER,     /* ent = slot: the attempt reaches the provider (simnet.c) */
    EV_RESPONSE,      /* ent = slot: the answer reaches the client (simnet.c) */
    EV_TIMEOUT,       /* ent = slot: the client's attempt timeout */
    EV_BUCKET,        /* arg = bucket index: sample gauges */
    EV_HEDGE,         /* ent = client: time to send a hedge attempt */
    EV_STREAM_END,    /* ent = slot: a streamed attempt ends at its client (stream.c) */
    EV__COUNT
};
_Static_assert((int)EV__COUNT <= (int)SIM_PM_EV_DONE, "world event kinds overlap the provider model's");

#endif
