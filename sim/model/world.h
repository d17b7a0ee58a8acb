/* world.h — one simulated run: a scenario, one compared policy, one
 * replication. Internal to the simulator (models, metrics and verbs share it).
 *
 * Entities: clients (closed loop: N fixed; open loop / trace: a pool of
 * request executors, reused), attempt slots (one per attempt in flight,
 * reused through a free list, with a generation number that invalidates
 * stale events), and providers (the server side: rate limits, capacity,
 * waiting room, latency, faults). A client runs the policy library exactly as
 * a production client would: pol_retry_begin, attempt, classify the outcome,
 * pol_retry_next, sleep, retry or fall back.
 * Event flow of an attempt: client SEND -> (network leg) ARRIVE at provider ->
 * admitted / queued / rejected -> DONE (service ends) -> (leg) RESPONSE at
 * client; in parallel an optional TIMEOUT. A response to an attempt the client
 * abandoned is wasted work (and duplicate billing if it succeeded).
 * Cost per attempt: O(log n) heap operations and O(1) bookkeeping; memory is
 * O(clients + attempts in flight + buckets x providers).
 */
#ifndef SIM_WORLD_H
#define SIM_WORLD_H
#include "scenario.h"
#include "eventq.h"
#include "rng.h"
#include <stdio.h>

#define SIM_NONE UINT32_MAX
/* A run whose virtual time stopped advancing: requests keep starting at one
 * instant (zero think time with zero latency). Not a POL_E* code. */
#define SIM_EZEROTIME (-101)

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
    uint32_t throttled;      /* attempts rejected or delayed by client-side throttling / rate limiting */
    float    budget_level;   /* mean retry-budget level over instances, at the end (NaN: none) */
    float    throttle_level; /* mean throttle level (SRE: rejection probability; AWS: rate), at the end */
} sim_bucket_req;

typedef struct sim_world sim_world;

#define SIM_MAX_INFLIGHT 4       /* attempts of one request in flight at once (hedging) */

typedef struct {
    gsl_rng  *rng;           /* workload draws: think, class, tokens */
    gsl_rng  *prng;          /* policy draws: jitter, throttling, load balancing */
    pol_retry_state rs;      /* rs.last_delay: the backoff slept before the next attempt */
    pol_ns    req_start;
    pol_ns    round_start;   /* when the current round's first attempt was sent (hedging) */
    uint32_t  req_id;
    uint32_t  att[SIM_MAX_INFLIGHT]; /* attempts in flight, natt of them */
    uint32_t  gen;           /* wake / hedge event generation */
    int32_t   done;          /* requests finished (closed loop) */
    float     prompt, output;/* token sizes of the current request */
    pol_budget_req  brq;     /* retry-budget bookkeeping of the current request */
    uint16_t  attempt_no;    /* attempts of the current request (all targets) */
    uint8_t   cls;
    uint8_t   target;        /* index into the current chain */
    uint8_t   busy;          /* a request is in progress */
    uint8_t   natt;          /* attempts in flight */
    uint8_t   chain;         /* 0 = targets, 1 = context-window chain, 2 = content-policy chain */
    uint8_t   round_sent;    /* attempts sent in the current round (original + hedges) */
    uint8_t   gates;         /* gates already passed for the next attempt (throttle, limiter) */
    uint8_t   bulkhead;      /* holds a bulkhead permit */
    uint8_t   budget_open;   /* a retry-budget grant awaits its result */
} sim_client;

typedef enum { SLOT_FREE = 0, SLOT_TO_SERVER, SLOT_WAITING, SLOT_SERVICE, SLOT_TO_CLIENT, SLOT_DROPPED } sim_slot_state;

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
    uint8_t  probe;          /* admitted by its breaker (must record or cancel) */
    uint8_t  rl_known;       /* the provider sent x-ratelimit-* hints with its answer */
    float    rl_req, rl_tok; /* x-ratelimit-remaining-requests / -tokens */
    pol_ns   rl_reset;       /* x-ratelimit-reset-*: until the buckets are full again */
    pol_ns   deadline;       /* when the client stops waiting, 0 = never */
    pol_ns   sent;
    pol_ns   delay_before;
    pol_ns   enqueued;       /* when it entered the waiting room / service */
    pol_ns   service;        /* service time (for wasted work) */
    float    prompt, output;
    uint64_t occ_version;
    pol_outcome out;         /* the answer the provider decided */
} sim_slot;

typedef struct {
    const sim_provider *cfg;
    sim_provider_params p;   /* current values (timeline applied) */
    gsl_rng  *rng, *net;
    double    rpm_tokens, tpm_tokens;  /* token buckets (requests, tokens) */
    pol_ns    refill_at;               /* when the buckets were last refilled */
    int32_t   in_service;
    uint32_t *wait;                    /* FIFO ring of slot ids */
    uint32_t  wait_head, wait_len, wait_cap;
    uint64_t  occ_version;
    double    capacity0;               /* baseline capacity, requests/s */
    uint32_t  in_flight;               /* client-side outstanding attempts */
} sim_prov_rt;

typedef struct {
    double   m[SIM_M__COUNT];          /* the per-run metrics (summary.csv) */
} sim_run_metrics;

/* A transport replaces the simulated network and providers (live mode): the
 * clients, their policies and every stateful part still run here, on the
 * world's engine driven by the caller's clock.
 *   send(w, slot)   the client sends attempt `slot` now (w->slots[slot]:
 *                   provider, prompt/output tokens, req_id, attempt_no,
 *                   client). The transport must later fill
 *                   w->slots[slot].out (and rl_* hints if it has them) and
 *                   call sim_world_answer(w, slot), unless it is cancelled.
 *   cancel(w, slot) the client stopped waiting (timeout, a hedge won, the
 *                   request ended): abort it; the slot is freed right after
 *                   and must not be answered. */
typedef struct {
    void (*send)(sim_world *w, uint32_t slot, void *ctx);
    void (*cancel)(sim_world *w, uint32_t slot, void *ctx);
    void *ctx;
    /* Optional: the client's decision on attempt `slot` once its outcome o
     * (the answer, or a timeout) is known, as attempts.csv records it;
     * called inside sim_world_answer, or before cancel for a timeout. */
    void (*verdict)(sim_world *w, uint32_t slot, const pol_outcome *o, const pol_verdict *v, void *ctx);
} sim_transport;

struct sim_world {
    const sim_scenario *sc;
    const sim_policy   *pol;
    int                 policy_index;
    int                 replication;
    uint64_t            seed;
    pol_retry_cfg      *cfgs;          /* per class: the policy's cfg with the class deadline */
    sim_engine          eng;
    sim_rng_pool        client_rngs;   /* the clients' streams */
    sim_client         *clients;
    uint32_t            nclients, cap_clients;
    uint32_t            free_client;   /* open loop: free list of idle executors */
    uint32_t           *client_free_next;
    sim_slot           *slots;
    uint32_t            nslots, cap_slots, free_slot;
    sim_prov_rt        *prov;
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
    float              *lat;           /* latencies of successful requests, seconds */
    size_t              nlat, cap_lat;
    double              counts[SIM_M__COUNT];
    double              service_total, wasted, wait_total;
    uint64_t            waits;
    pol_ns              last_finish;
    FILE               *trace;         /* attempts.csv stream, or NULL */
    FILE               *alerts;        /* alerts.csv stream, or NULL */
    struct sim_guards  *guards;        /* per compared policy: scoped stateful policy instances */
    sim_transport       tp;            /* live mode: tp.send != NULL replaces network and providers */
    int                 error;         /* out of memory during the run */
};

/* Runs one replication of one policy; fills *out. trace: NULL or an open
 * attempts.csv stream (rows appended). Returns 0 or a negative POL_E*. */
int sim_world_run(const sim_scenario *sc, int policy_index, int replication,
                  FILE *trace, sim_run_metrics *out, sim_world **keep);
/* Same, with an alerts.csv stream for the failure monitor (or NULL). */
int sim_world_run2(const sim_scenario *sc, int policy_index, int replication,
                   FILE *trace, FILE *alerts, sim_run_metrics *out, sim_world **keep);

/* The same run in steps, for a caller that drives the clock (live mode):
 * sim_world_new sets the world up with its first events scheduled (tp NULL =
 * the simulated providers); the caller then advances it with
 * sim_run(&w->eng, now), reports answers with sim_world_answer, and ends with
 * sim_world_finish (the metrics as of w->eng.now) and sim_world_free. */
int  sim_world_new(const sim_scenario *sc, int policy_index, int replication, FILE *trace, FILE *alerts,
                   const sim_transport *tp, sim_world **out);
/* The pieces of setup a server-only world (the mock provider) shares with
 * sim_world_new: allocation of the engine, buckets, providers and stateful
 * instances for w->sc (0 or POL_ENOMEM; sim_world_free cleans up), and the
 * timeline's change and revert events (EV_TIMELINE, ent 0 start / 1 end). */
int  sim_world_alloc_base(sim_world *w);
void sim_world_schedule_timeline(sim_world *w);
/* The answer to attempt `slot` (its .out filled) reached the client now. */
void sim_world_answer(sim_world *w, uint32_t slot);
void sim_world_finish(sim_world *w, sim_run_metrics *out);
void sim_world_free(sim_world *w);

/* Server side (provider.c) */
int    sim_prov_init(sim_world *w);
void   sim_prov_free(sim_world *w);
void   sim_prov_arrive(sim_world *w, uint32_t slot);     /* attempt reached the provider */
void   sim_prov_done(sim_world *w, uint32_t slot);       /* service finished */
void   sim_prov_occ_write(sim_world *w, uint32_t slot);  /* OCC: the conditional write arrives */
void   sim_prov_apply(sim_world *w, int provider, uint32_t mask, const sim_provider_params *set);
double sim_prov_capacity(const sim_provider *cfg, const sim_provider_params *p, const sim_scenario *sc);
pol_ns sim_net_leg(sim_world *w, int provider);

/* Hooks the provider calls back into the world (world.c) */
void   sim_world_respond(sim_world *w, uint32_t slot, pol_ns when);  /* schedule the response leg */
void   sim_world_drop(sim_world *w, uint32_t slot);                  /* black-holed: no response ever */
/* The attempt's next event is at `next` (POL_NS_MAX = unknown): if that is
 * not before the client's deadline, the timeout must be in the queue. */
void   sim_world_arm_timeout(sim_world *w, uint32_t slot, pol_ns next);
static inline uint32_t sim_bucket_of(const sim_world *w, pol_ns t)
{
    uint64_t b = (uint64_t)(t / w->sc->bucket);
    return b < w->nbuckets ? (uint32_t)b : w->nbuckets - 1;
}
static inline sim_bucket_prov *sim_bp(sim_world *w, pol_ns t, int provider)
{
    return &w->bp[(size_t)sim_bucket_of(w, t) * (size_t)w->sc->nproviders + (size_t)provider];
}

/* Event kinds */
enum {
    EV_WAKE = 0,      /* ent = client: start a request (arg 0) or the next attempt (arg 1) */
    EV_ARRIVAL,       /* open loop / trace: a new request arrives */
    EV_AT_SERVER,     /* ent = slot: the attempt reaches the provider */
    EV_DONE,          /* ent = slot: service finished */
    EV_OCC_WRITE,     /* ent = slot: OCC conditional write reaches the server */
    EV_RESPONSE,      /* ent = slot: the answer reaches the client */
    EV_TIMEOUT,       /* ent = slot: the client's attempt timeout */
    EV_TIMELINE,      /* arg = change index, ent = 0 start / 1 end */
    EV_BUCKET,        /* arg = bucket index: sample gauges */
    EV_HEDGE,         /* ent = client: time to send a hedge attempt */
    EV__COUNT
};

#endif
