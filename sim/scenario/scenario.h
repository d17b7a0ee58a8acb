/* scenario.h — the typed scenario: what a scenario file says, validated.
 *
 * sim_scenario_load() parses a YAML file (libyaml) into this struct; every
 * error is reported once as "file:line:col: message" in err->msg and the
 * function returns a negative code (the CLI exits 2). All times are pol_ns,
 * rates per second, money USD, token counts plain numbers. The struct owns
 * its arrays; sim_scenario_free() releases them. Models read it, never write.
 * docs/scenario-format.md documents every key and default.
 */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H
#include <stdint.h>
#include <stddef.h>
#include "retrypol.h"
#include "pol_stack.h"
#include "pol_monitor.h"
#include "metrics_list.h"
#include "err.h"
#include "dist.h"

#define SIM_MAX_CLASSES 16
#define SIM_MAX_TARGETS 8
#define SIM_MAX_LAYERS  POL_LAYERS_MAX   /* nested retry loops of one policy */

/* Bounds of what a scenario may ask for, checked when it is loaded (a
 * located error, never a silent cut); docs/robustness.md lists them.
 * SIM_MAX_REPLICATIONS is also the range of --replications (cli/). */
#define SIM_MAX_REPLICATIONS 100000
#define SIM_MAX_PROVIDERS    256        /* the model keeps a provider index in 16 bits */
#define SIM_MAX_POLICIES     256
#define SIM_MAX_RUNS         1000000    /* policies x replications (the runner keeps every run's metrics) */
#define SIM_MAX_BUCKETS      1000000    /* time-series buckets: ceil(duration / bucket) */
#define SIM_MAX_BUCKET_CELLS 4000000    /* buckets x providers (per-bucket counters) */
#define SIM_MAX_TIMELINE     1000000    /* timeline changes (YAML and timeline_csv) */
/* The latency SLO of a request when neither `slo:` nor a deadline says
 * (docs/metrics.md, slo_success_rate). */
#define SIM_SLO_DEFAULT      (60 * POL_NS_PER_S)

/* ---- providers ------------------------------------------------------------- */
typedef enum { SIM_PROV_LLM = 0, SIM_PROV_QUEUE, SIM_PROV_OCC } sim_provider_kind;
typedef enum { SIM_RA_NONE = 0, SIM_RA_FIXED, SIM_RA_UNTIL_RESET } sim_retry_after_mode;
typedef enum { SIM_OUTAGE_NONE = 0, SIM_OUTAGE_STATUS, SIM_OUTAGE_REFUSE, SIM_OUTAGE_BLACKHOLE } sim_outage_kind;

/* The parameters a timeline entry may change (see the SIM_SET_* mask). */
typedef struct {
    double  rpm;             /* requests per minute limit, 0 = none */
    double  tpm;             /* tokens (prompt + output) per minute limit, 0 = none */
    int32_t concurrency;     /* requests in service at once (LLM) / servers c (QUEUE), 0 = unlimited */
    int32_t queue;           /* waiting room beyond concurrency, 0 = none */
    int32_t overload_status; /* status answered when full: 503 (default) or 529 */
    double  latency_factor;  /* brownout multiplier of service time, default 1 */
    double  error_rate;      /* probability an admitted request fails, default 0 */
    int32_t error_status;    /* status of those failures, default 500 */
    sim_outage_kind outage;  /* default NONE */
    int32_t outage_status;   /* for SIM_OUTAGE_STATUS, default 503 */
    /* streamed answers (LLM), docs/scenario-format.md "Streaming": */
    double  stream_cut_rate;      /* probability that a stream is cut after k tokens, k uniform in 0..n-1 */
    double  stream_cut_per_token; /* probability, per token generated, that the stream is cut right after it */
    double  stream_error_rate;    /* probability of an error event after k tokens, k uniform in 0..n-1 */
    double  stream_stall_rate;    /* probability of a stall (no bytes for stream.stall) after token j, 1..n-1 */
} sim_provider_params;

enum {
    SIM_SET_RPM = 1u << 0, SIM_SET_TPM = 1u << 1, SIM_SET_CONCURRENCY = 1u << 2,
    SIM_SET_QUEUE = 1u << 3, SIM_SET_OVERLOAD_STATUS = 1u << 4,
    SIM_SET_LATENCY_FACTOR = 1u << 5, SIM_SET_ERROR_RATE = 1u << 6,
    SIM_SET_ERROR_STATUS = 1u << 7, SIM_SET_OUTAGE = 1u << 8, SIM_SET_OUTAGE_STATUS = 1u << 9,
    SIM_SET_RATE = 1u << 10,         /* workload: open-loop arrival rate */
    SIM_SET_STREAM_CUT_RATE = 1u << 11, SIM_SET_STREAM_CUT_PER_TOKEN = 1u << 12,
    SIM_SET_STREAM_ERROR_RATE = 1u << 13, SIM_SET_STREAM_STALL_RATE = 1u << 14
};

typedef struct {
    char name[SIM_NAME_MAX];
    sim_provider_kind kind;
    sim_provider_params base;        /* the values at t=0 and after every timeline window */
    sim_retry_after_mode retry_after;
    pol_ns  retry_after_fixed;       /* for SIM_RA_FIXED */
    pol_ns  burst;                   /* token-bucket depth in time: capacity = rate x burst (default 1s) */
    sim_dist ttft;                   /* LLM: time to first token */
    sim_dist per_token;              /* LLM: time per output token */
    double  noise_sigma;             /* LLM: service time *= lognormal(median 1, sigma), 0 = none */
    double  slowdown;                /* LLM: service time *= 1 + slowdown * utilisation^2 */
    double  context_window;          /* tokens (prompt + max output), 0 = unlimited */
    double  content_filter;          /* probability a request is refused by the content filter (400) */
    double  price_in, price_out;     /* USD per million input / output tokens */
    sim_dist service;                /* QUEUE: service time distribution */
    int     has_net_latency;         /* per-provider override of the network leg */
    sim_dist net_latency;
    int32_t  stream_chunk;           /* LLM, streamed answers: tokens per content chunk, default 1 */
    sim_dist stream_stall;           /* length of a stall (stream_stall_rate), default 10s */
} sim_provider;

/* ---- timeline ------------------------------------------------------------- */
typedef struct {
    pol_ns   at;                     /* start time */
    pol_ns   dur;                    /* window length; 0 = permanent change */
    int      provider;               /* index into providers, or -1 = the workload */
    uint32_t mask;                   /* SIM_SET_* fields that change */
    sim_provider_params set;         /* new values of the masked fields */
    double   rate;                   /* SIM_SET_RATE: new open-loop rate (per second) */
    int      line, col;              /* where it was written (file or CSV trace) */
} sim_change;

/* ---- workload ------------------------------------------------------------- */
typedef enum { SIM_LOOP_CLOSED = 0, SIM_LOOP_OPEN, SIM_LOOP_TRACE } sim_loop;
typedef enum { SIM_START_STAGGER = 0, SIM_START_SYNC } sim_start;

typedef struct {
    char     name[SIM_NAME_MAX];
    double   weight;                 /* relative share of requests, default 1 */
    sim_dist prompt_tokens;          /* default constant(1000) */
    sim_dist output_tokens;          /* default constant(300) */
    pol_ns   deadline;               /* overrides the policy's retry.deadline when > 0 */
    int      policy;                 /* index of a policy this class always uses, -1 = the compared one */
    int      stream;                 /* its requests stream: 1, never: 0, as the policy says: -1 (default) */
} sim_class;

/* Per-arrival values of a trace (sim_workload.arrival_*). */
#define SIM_ARR_ANY_CLASS  0xFFu         /* the row names no class: drawn by weight */
#define SIM_ARR_NO_TOKENS  UINT32_MAX    /* the row gives no count: drawn from the class */
#define SIM_ARR_MAX_TOKENS 4000000000u   /* the largest count a row may give */
enum {
    SIM_ARR_STREAM_SET = 1u << 0,        /* the row says whether it streams ... */
    SIM_ARR_STREAM     = 1u << 1         /* ... and it does (over its class's stream:) */
};

typedef struct {
    sim_loop  loop;
    int32_t   clients;               /* CLOSED: number of virtual clients */
    sim_dist  think;                 /* CLOSED: think time after a request ends, default constant(0) */
    int32_t   requests_per_client;   /* CLOSED: stop after this many requests, 0 = until the end */
    sim_start start;                 /* CLOSED: SYNC = all at t=0, STAGGER = U(0, stagger) */
    pol_ns    stagger;               /* default: mean of think, or 1s */
    double    rate;                  /* OPEN: Poisson arrivals per second */
    /* TRACE: one entry per arrival of arrivals_csv (after its window and
     * speed), in parallel arrays so that a column the file does not have
     * costs nothing: 8 bytes per arrival, +1 class, +4 +4 tokens, +4
     * deadline, +1 flags (18 to 22 bytes; 10M rows, the CSV cap, <= 220 MB). */
    pol_ns   *arrivals;              /* sorted arrival times, < duration, owned */
    uint8_t  *arrival_class;         /* class index, SIM_ARR_ANY_CLASS = by weight (or NULL) */
    uint32_t *arrival_prompt;        /* prompt tokens, SIM_ARR_NO_TOKENS = the class's draw (or NULL) */
    uint32_t *arrival_output;        /* output tokens, likewise (or NULL) */
    uint32_t *arrival_deadline_ms;   /* the request's deadline in ms, 0 = the class's (or NULL) */
    uint8_t  *arrival_flags;         /* SIM_ARR_STREAM_* (or NULL) */
    size_t    n_arrivals;
    int       arrivals_loop;         /* replay the trace again every arrivals_period */
    pol_ns    arrivals_period;       /* the loop's period (run time), > 0 when looping */
    pol_ns    arrival_deadline_max;  /* the largest arrival_deadline_ms, in ns (0: none) */
    int       arrival_has_tokens;    /* the trace gives token counts: the means below are the
                                        requests' (rows without one count their class's mean) */
    double    arrival_prompt_mean, arrival_output_mean;
    sim_class classes[SIM_MAX_CLASSES];
    int       nclasses;              /* >= 1 (a "default" class is made if none is written) */
} sim_workload;

/* ---- policies compared ---------------------------------------------------- */
/* Where a stateful policy's state lives: a fresh one per request, one per
 * virtual client (per executor slot in open loop), one per gateway instance
 * shared by `gateway_size` consecutive clients, one for the whole run, or
 * one per request class (workload.classes), shared by every client's
 * requests of that class (a budget or a breaker per feature). */
typedef enum { SIM_SCOPE_REQUEST = 0, SIM_SCOPE_CLIENT, SIM_SCOPE_GATEWAY, SIM_SCOPE_GLOBAL, SIM_SCOPE_CLASS } sim_scope;

/* The stateful parts a compared policy may add to its retry loop, as an
 * X-macro: X(ID, field, "key", cfg type). The order is the order the loader
 * reads their keys in and the order the model lets them learn from an
 * outcome. A new kind of part is one row here, one key table in
 * scenario_stateful.c and one ops row in sim/model/guards.c. */
#define SIM_PARTS(X) \
    X(BREAKER,  breaker,  "breaker",        pol_breaker_cfg)   /* one breaker per target */ \
    X(BUDGET,   budget,   "budget",         pol_budget_cfg)    \
    X(THROTTLE, throttle, "throttle",       pol_throttle_cfg)  \
    X(LIMITER,  limiter,  "rate_limiter",   pol_bucket_cfg)    \
    X(BULKHEAD, bulkhead, "bulkhead",       pol_bulkhead_cfg)  \
    X(COOLDOWN, cooldown, "cooldown",       pol_cooldown_cfg)  /* targets = providers */ \
    X(LB,       lb,       "load_balancing", pol_lb_cfg)        /* targets become a pool */ \
    X(QUOTA,    quota,    "quota",          pol_quota_cfg)     /* x-ratelimit-* awareness, per target */ \
    X(HEDGE,    hedge,    "hedge",          pol_hedge_cfg)     /* its scope is the latency window's */ \
    X(MONITOR,  monitor,  "monitor",        pol_monitor_cfg)   /* per target; global or per class */

typedef enum {
#define SIM_PART_ENUM(ID, f, key, T) SIM_PART_##ID,
    SIM_PARTS(SIM_PART_ENUM)
#undef SIM_PART_ENUM
    SIM_PART__COUNT
} sim_part;

/* Each part is off unless use[part] is set (docs/scenario-format.md,
 * "Stateful policies"); scope[part] says where its state lives. */
typedef struct {
    unsigned char use[SIM_PART__COUNT];
    sim_scope     scope[SIM_PART__COUNT];
#define SIM_PART_FIELD(ID, f, key, T) T f;
    SIM_PARTS(SIM_PART_FIELD)
#undef SIM_PART_FIELD
    int    limiter_tokens;                       /* the limiter counts tokens (TPM), not requests */
    double lb_weights[SIM_MAX_TARGETS];          /* weighted-random weights, default 1 (0 = never picked) */
    int    lb_tiers[SIM_MAX_TARGETS];            /* sizes of consecutive tiers of the pool ... */
    int    nlb_tiers;                            /* ... 0 = one tier of every target */
    int    lb_sticky;                            /* a request keeps its pick while it is available */
    int    hedge_list_order;                     /* hedge mode parallel, pick: list-order: every copy runs to
                                                    its end; the result is the first success in the targets'
                                                    order (the seed's asyncio.gather); 0 = first answer wins */
    int gateway_size;                            /* clients per gateway instance, default 100 */
    int degraded;                                /* answer with a degraded (cached) reply when all fails */
    int ctx_targets[SIM_MAX_TARGETS];     int nctx;      /* chain for context-window errors */
    int content_targets[SIM_MAX_TARGETS]; int ncontent;  /* chain for content-policy errors */
} sim_stateful;

/* The YAML key of a part ("breaker", "rate_limiter", ...). */
const char *sim_part_key(sim_part part);

/* A policy's streaming (docs/scenario-format.md, "Streaming"): whether its
 * requests ask for a streamed answer, the client's stream timeouts (every
 * HTTP attempt's, beside retry.timeout, the total), and stream recovery. */
typedef struct {
    int     on;                          /* stream: true, or a map (enabled: true by default) */
    pol_ns  ttft_timeout;                /* send -> first byte, 0 = none */
    pol_ns  idle_timeout;                /* between two events after the first byte, 0 = none */
    int     recover;                     /* a retry after a mid-stream failure continues from the
                                            partial text (prompt += tokens received, output -= them) */
} sim_stream_cfg;

typedef struct {
    char          name[SIM_NAME_MAX];
    char          preset[SIM_NAME_MAX];  /* "" when written inline */
    pol_retry_cfg retry;                 /* preset values with the file's overrides on top: the
                                            outermost retry loop */
    int           nlayers;               /* retry loops: 1 (flat) .. SIM_MAX_LAYERS */
    pol_retry_cfg inner[SIM_MAX_LAYERS - 1]; /* the loops inside retry, outermost first
                                            (inner[nlayers - 2] makes the HTTP attempts) */
    int           targets[SIM_MAX_TARGETS]; /* provider indices, first = primary; default {0} */
    int           ntargets;
    sim_stateful  st;                       /* breakers, budgets, throttling, ... (all off by default) */
    sim_stream_cfg stream;                  /* streamed answers (off by default) */
    int           line, col;
} sim_policy;

/* ---- expectations (evaluated by `retrysim check`) ------------------------- */
typedef enum { SIM_ON_MEAN = 0, SIM_ON_UPPER, SIM_ON_LOWER } sim_on;
typedef struct {
    int           line, col;
    int           is_comparison;         /* {better, than, metric} form */
    int           cls;                   /* the request class measured (workload.classes), -1 = all */
    char          policy[SIM_NAME_MAX];  /* bound form: the policy measured */
    char          better[SIM_NAME_MAX];  /* comparison form */
    char          than[SIM_NAME_MAX];
    sim_metric_id metric;
    int           lower_is_better;       /* comparison: derived from the metric, overridable */
    sim_on        on;
    int           has_min, has_max;
    double        min, max;
} sim_expect;

typedef struct {
    char          path[SIM_PATH_MAX];
    char          name[SIM_NAME_MAX];
    pol_ns        duration;              /* > 0 */
    uint64_t      seed;
    int           replications;          /* >= 1, default 1 */
    pol_ns        bucket;                /* time-series bucket width, default 1s */
    char          rng[32];               /* GSL generator name, default "taus2" */
    sim_dist      net_latency;           /* per network leg, default constant(0) */
    sim_provider *providers;  int nproviders;
    sim_change   *timeline;   int ntimeline;   /* sorted by at, file order among equals */
    sim_workload  workload;
    sim_policy   *policies;   int npolicies;
    sim_expect   *expect;     int nexpect;
    pol_ns        slo_latency;           /* slo.latency: a request answered later, or unfinished
                                            past it, is not a success in slo_success_rate */
    int           slo_written;           /* 1 = slo.latency was written (else the default, SIM_SLO_DEFAULT) */
    char         *warnings;   /* "file:line:col: warning: ..." lines of imported configs, or NULL (owned) */
} sim_scenario;

/* Loads and validates. `import:` entries (a LiteLLM or Portkey config, see
 * import.h) are expanded first; then overrides: "key.path=value" strings
 * applied to the document before it is typed (see docs/scenario-format.md,
 * "Overrides"); may be NULL. Returns 0, or a negative code with err->msg
 * set. What the imported configs say that is not simulated is in
 * out->warnings. */
int  sim_scenario_load(const char *path, const char *const *overrides, int noverrides,
                       sim_scenario *out, sim_err *err);
/* The same from len bytes of YAML text (not NUL-terminated) named `name`,
 * whose directory resolves the CSV files it names (fuzzing, tests). */
int  sim_scenario_load_mem(const char *text, size_t len, const char *name, const char *const *overrides,
                           int noverrides, sim_scenario *out, sim_err *err);
void sim_scenario_free(sim_scenario *s);
int  sim_scenario_find_provider(const sim_scenario *s, const char *name);
/* ceil(duration / bucket) without overflow (0 when bucket <= 0). */
static inline uint64_t sim_scenario_buckets(const sim_scenario *s)
{
    if (s->bucket <= 0 || s->duration <= 0) return 0;
    return (uint64_t)(s->duration / s->bucket) + (s->duration % s->bucket != 0);
}
int  sim_scenario_find_policy(const sim_scenario *s, const char *name);

const char *sim_metric_name(sim_metric_id m);
int         sim_metric_lookup(const char *name);   /* id or -1 */
/* 1 when a smaller value is better (latency, errors, cost...), 0 for
 * requests, successes, success_rate and goodput. */
int         sim_metric_lower_is_better(sim_metric_id m);
/* 1 when the metric has a value per request class (summary-classes.csv,
 * `expect: { class: ... }`); 0 for the provider-, instance- and run-level
 * ones (breaker_transitions, peak_offered, peak_load_ratio, wasted_fraction,
 * time_to_recover, metastable, queue_wait), empty there. */
int         sim_metric_per_class(sim_metric_id m);

#endif
