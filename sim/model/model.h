/* model.h — the simulation model's one public header: runs of a scenario's
 * client loop (the world) over a transport, the provider model, the runner
 * of policies x replications, and the result writers.
 *
 * Everything above sim/model (bench, live, cli) reaches the model through
 * this header only (layers.mk: PUBLIC_sim/model); the structs behind
 * sim_world and sim_pm are private to sim/model, so a field can change
 * without touching a caller.
 *
 * A run is one (scenario, compared policy, replication). Its client loop
 * sends attempts through a transport (sim_transport): the simulated one
 * (network legs + the provider model on the same event engine, the default)
 * or the caller's (live mode's HTTP). Either way the transport tells the
 * world what happened to an attempt:
 *   sim_world_arrived   the attempt reached the provider (offered load);
 *   sim_world_answered  the provider's answer exists now (429/5xx/cost are
 *                       counted at this time);
 *   sim_world_received  that answer reached the client now (the policy
 *                       decides);
 *   sim_world_answer    answered + received at once (live: one instant).
 * docs/architecture.md draws the layers and this flow.
 *
 * Determinism: a run's outputs depend only on (scenario, policy,
 * replication, seed) — not on the process, the order of runs, or how many
 * run at once. Cost: O(log n) event-queue work and O(1) bookkeeping per
 * attempt; memory O(clients + attempts in flight + buckets x providers).
 */
#ifndef SIM_MODEL_H
#define SIM_MODEL_H
#include "scenario.h"
#include "eventq.h"
#include "csvout.h"
#include <stdio.h>

#define SIM_NONE UINT32_MAX
#define SIM_MAX_INFLIGHT 4    /* attempts of one request in flight at once (hedging) */
/* A run whose virtual time stopped advancing: requests keep starting at one
 * instant (zero think time with zero latency). Not a POL_E* code. */
#define SIM_EZEROTIME (-101)

typedef struct sim_world sim_world;   /* one run: private to sim/model */
typedef struct sim_pm    sim_pm;      /* the provider model: private to sim/model */

typedef struct {
    double m[SIM_M__COUNT];           /* the per-run metrics (summary.csv columns) */
} sim_run_metrics;

/* ---- transports --------------------------------------------------------- */
/* One attempt as a transport sees it (a copy; valid until the next call). */
typedef struct {
    uint32_t    req_id;       /* the logical request (Idempotency-Key) */
    uint32_t    attempt_no;   /* 1-based, over every target of the request */
    uint32_t    client;
    uint32_t    gen;          /* changes whenever the attempt's id is reused */
    int         provider;     /* index into sc->providers */
    int         hedge;        /* sent as a hedge (not the round's first attempt) */
    double      prompt, output;   /* token counts the request asks for */
    pol_ns      sent;         /* scenario time it left */
    pol_ns      deadline;     /* when the client stops waiting, 0 = never */
    pol_ns      delay_before; /* backoff slept before it (kept when the run writes attempt rows, is
                                 live, or runs a quota policy: sim_world.slotx; else 0) */
    const char *policy;       /* the name of the policy its client runs */
    const pol_hint_cfg *hint; /* how its client reads Retry-After headers: the hint settings of
                                 the loop that sends HTTP attempts (the innermost: the SDK's) */
    int         stream;       /* it asks for a streamed answer */
    pol_ns      idle_timeout; /* stream: the client's idle timeout between events, 0 = none */
} sim_attempt;

/* ---- streamed answers ----------------------------------------------------- */
/* The provider model's plan of a streamed answer, decided when service
 * starts and handed to its host with the first byte (sim_answer.stream), so
 * that a host needs no event per chunk: the simulated client evaluates its
 * TTFT, idle and total timeouts from it (sim_stream_client_end), the mock
 * paces real server-sent events by it on the wall clock. Times are relative
 * to the first byte (the HTTP headers, the opening events and, with chunks
 * of one token, the first token), which the provider sends `first_byte`
 * after service started. Token i (1..tokens) is generated at
 * sim_stream_token_at(p, i) = (i-1) x per_token (+ stall after token
 * stall_after); a content chunk of `chunk` tokens leaves when its last token
 * is generated; the stream ends (finish reason, usage, [DONE] or
 * message_stop) one per_token after the last token. A cut or an error event
 * happens when token end_after + 1 would have been generated: the client has
 * the whole chunks before it; the provider bills the end_after tokens it
 * generated. docs/engine.md, "Streamed answers". */
typedef enum { SIM_PLAN_COMPLETE = 0, SIM_PLAN_CUT, SIM_PLAN_ERROR } sim_stream_end_kind;
typedef struct {
    pol_ns   first_byte;      /* service start -> first byte */
    pol_ns   per_token;       /* between two generated tokens */
    uint32_t tokens;          /* the full answer's output tokens, >= 1 */
    uint32_t chunk;           /* tokens per content chunk, >= 1 */
    uint32_t end;             /* sim_stream_end_kind */
    uint32_t end_after;       /* CUT / ERROR: tokens generated before it, 0 .. tokens-1 */
    uint32_t stall_after;     /* a stall between token stall_after and the next; 0 = none */
    pol_ns   stall;           /* its length */
} sim_stream_plan;

/* When token i (1..tokens) is generated, relative to the first byte. */
pol_ns   sim_stream_token_at(const sim_stream_plan *p, uint32_t i);
/* Content chunks the client gets in all (whole chunks before a cut or an
 * error event), and when chunk j (1-based) leaves. */
uint32_t sim_stream_chunks(const sim_stream_plan *p);
pol_ns   sim_stream_chunk_at(const sim_stream_plan *p, uint32_t j);
uint32_t sim_stream_chunk_tokens(const sim_stream_plan *p, uint32_t j);   /* tokens in chunk j */
/* When the provider's stream ends (the end events, the cut, the error event). */
pol_ns   sim_stream_end_at(const sim_stream_plan *p);
/* Output tokens the provider bills for it: tokens, or end_after. */
uint32_t sim_stream_billed(const sim_stream_plan *p);
/* Content tokens in the chunks that left at or before relative time t. */
uint32_t sim_stream_tokens_by(const sim_stream_plan *p, pol_ns t);

/* How a client that waits with an idle timeout `idle` between events (0 =
 * none) and a bound `bound` after the first byte (its attempt timeout or
 * deadline; POL_NS_MAX = none) sees the stream end: `at` (relative), kind
 * SUCCESS (complete), STREAM_CUT, STREAM_ERROR, STREAM_TIMEOUT (idle), or
 * TIMEOUT (the bound), and the content tokens it has then. A timeout wins a
 * tie with the event it races (as everywhere in the model). O(1). */
typedef struct {
    pol_outcome_kind kind;
    pol_ns           at;
    uint32_t         tokens;
} sim_stream_seen;
void sim_stream_client_end(const sim_stream_plan *p, pol_ns idle, pol_ns bound, sim_stream_seen *out);

/* A provider's answer to one attempt (from the provider model, or from an
 * HTTP response). */
typedef struct {
    pol_outcome out;          /* kind, status, Retry-After (converted), x-should-retry */
    int         dropped;      /* black hole: no answer, ever (the rest unused) */
    int         rl_known;     /* the answer carried x-ratelimit-* hints: */
    float       rl_req, rl_tok;   /* remaining requests / tokens */
    pol_ns      rl_reset;     /* until the provider's buckets are full again */
    pol_ns      service;      /* provider time spent on it (wasted work if nobody waits), 0 unknown */
    double      prompt, output;   /* tokens billed, when the answer says (usage); < 0 = as sent */
    const sim_stream_plan *stream;/* a streamed answer given at its first byte: its plan (valid
                                     during the call: copy it), else NULL */
} sim_answer;
/* An answer with no hints, nothing billed beyond what was sent. */
sim_answer sim_answer_of(pol_outcome o);

/* How attempts leave the client. send: attempt `id` leaves now (its view:
 * sim_world_attempt); return 0 when it was sent (the transport will later call sim_world_answer, or
 * sim_world_answered and sim_world_received, unless cancelled), or nonzero
 * when it could not be (a cap: the run stops, nothing is counted for it).
 * cancel: the client stopped waiting (timeout, a hedge won, the request
 * ended); the id is reused right after, and must not be answered.
 * verdict (optional): the client's decision on attempt id once its outcome
 * o (the answer or a timeout) is known, as attempts.csv records it. */
typedef struct {
    int  (*send)(sim_world *w, uint32_t id, void *ctx);
    void (*cancel)(sim_world *w, uint32_t id, void *ctx);
    void (*verdict)(sim_world *w, uint32_t id, const pol_outcome *o, const pol_verdict *v, void *ctx);
    void *ctx;
} sim_transport;

/* ---- one run ------------------------------------------------------------ */
typedef struct {
    const sim_scenario  *sc;
    int                  policy;       /* index into sc->policies */
    int                  replication;
    FILE                *trace;        /* attempts.csv rows appended, or NULL */
    FILE                *alerts;       /* alerts.csv rows appended, or NULL */
    FILE                *timeseries;   /* timeseries.csv rows appended at the end, or NULL */
    FILE                *timeseries_requests;  /* timeseries-requests.csv rows, likewise */
    const sim_transport *transport;    /* NULL = the simulated network and providers */
    sim_run_metrics     *classes;      /* [sc->workload.nclasses]: each request class's metrics
                                          (summary-classes.csv), or NULL */
    int64_t             *record_dt;    /* bench: when set, the delays (time - now) of the */
    size_t               record_cap;   /*   run's first record_cap scheduled events */
    int                  queue;        /* bench: the event queue, SIM_QUEUE_* (eventq.h); 0 = the
                                          default (docs/performance.md says which, and why) */
    int                  unfolded;     /* tests: every network leg its own event (simnet.c's folds
                                          off): the same model, its draws in another order */
} sim_run_opts;

/* Engine counters of a finished run (bench model). */
typedef struct { uint64_t dispatched, skipped; size_t recorded; } sim_run_stats;

/* A whole run, simulated from t=0 to the scenario's duration: fills *out
 * (and *stats when not NULL). Returns 0 or a negative POL_E* / SIM_E*. */
int  sim_run_world(const sim_run_opts *o, sim_run_metrics *out, sim_run_stats *stats);

/* The same run in steps, for a caller that owns the clock (live mode):
 * sim_world_open sets it up with its first events scheduled; the caller
 * advances it to its clock with sim_world_advance, reports answers, and ends
 * with sim_world_finish and sim_world_free. */
int    sim_world_open(const sim_run_opts *o, sim_world **out);
void   sim_world_advance(sim_world *w, pol_ns until);   /* runs every event due by `until` */
pol_ns sim_world_now(const sim_world *w);
pol_ns sim_world_next_event(const sim_world *w);        /* time of the earliest event, POL_NS_MAX if none */
/* 0 while the run goes on; 1 when it is over (every closed-loop client is
 * done, or sim_world_stop); a negative code after a failure (out of memory,
 * SIM_EZEROTIME). */
int    sim_world_status(const sim_world *w);
void   sim_world_stop(sim_world *w);                    /* no event fires after this (also: a refused send) */
/* The attempt id in flight (its view is copied into *a); 0, or -1 when id is not in flight. */
int    sim_world_attempt(const sim_world *w, uint32_t id, sim_attempt *a);
/* Transport reports (see the top of this file); `a` is copied. */
void   sim_world_arrived(sim_world *w, uint32_t id);
void   sim_world_answered(sim_world *w, uint32_t id, const sim_answer *a);
void   sim_world_received(sim_world *w, uint32_t id);
void   sim_world_answer(sim_world *w, uint32_t id, const sim_answer *a);
void   sim_world_dropped(sim_world *w, uint32_t id);    /* black-holed: no answer will ever come */
/* A transport that reads streams itself (live), at scenario time `at`
 * (>= the world's now; these two only record, so a transport may call them
 * from inside its I/O callbacks):
 *   stream_start  the first byte of a streamed answer of attempt id: its
 *                 TTFT timeout stops, the attempt's bound goes on (the
 *                 world's timeout event). Returns 0, or -1 when the attempt
 *                 is not waiting for a first byte (its TTFT deadline is not
 *                 after `at`: the timeout wins; not in flight): ignore the
 *                 stream, the world times it out;
 *   stream_chunk  a content chunk of `tokens` tokens, `gap` after the
 *                 previous one (< 0: the first).
 * stream_end (at the world's now, after sim_world_advance): the stream
 * ended with kind SUCCESS, STREAM_CUT, STREAM_ERROR or STREAM_TIMEOUT (the
 * transport's idle timeout, stream.idle_timeout of sim_attempt), the tokens
 * billed (usage; < 0: the prompt sent, the tokens received); the policy
 * decides at once, as with sim_world_answer. */
int    sim_world_stream_start(sim_world *w, uint32_t id, pol_ns at);
void   sim_world_stream_chunk(sim_world *w, uint32_t id, uint32_t tokens, pol_ns gap, pol_ns at);
void   sim_world_stream_end(sim_world *w, uint32_t id, pol_outcome_kind kind, double prompt, double output);
/* The metrics as of now; a run cut short at `ran` (< the duration, e.g.
 * interrupted) has its time series cut to the buckets up to `ran`
 * (ran <= 0: the whole duration). */
void   sim_world_finish(sim_world *w, pol_ns ran, sim_run_metrics *out);
void   sim_world_free(sim_world *w);
/* The time series of a finished run: timeseries.csv rows (one per bucket x
 * provider) and timeseries-requests.csv rows (one per bucket). */
void   sim_timeseries_write(FILE *f, const sim_world *w);
void   sim_timeseries_requests_write(FILE *f, const sim_world *w);

/* ---- the provider model --------------------------------------------------- */

/* Calls the model makes into its host, always at the engine's `now`:
 * answer: request `tag` has its answer (or was dropped); the model forgets it;
 * next (optional): the request's next event is at t (POL_NS_MAX: unknown), told
 *   before that event is scheduled, so a caller's timeout that ties with it
 *   can be scheduled first;
 * change (optional): timeline entry ch began (ending 0) or ended (1); a
 *   provider entry has been applied already. */
typedef struct {
    void (*answer)(void *ctx, uint64_t tag, const sim_answer *a);
    void (*next)(void *ctx, uint64_t tag, pol_ns t);
    void (*change)(void *ctx, const sim_change *ch, int ending);
    void *ctx;
} sim_pm_host;

typedef struct {
    const sim_scenario *sc;
    uint64_t            seed;
    int                 replication;  /* its random streams are (seed, replication, provider) */
    sim_engine         *eng;          /* the engine its events run on */
    sim_pm_host         host;
} sim_pm_opts;

/* Event kinds the model registers on its engine (a world uses 0..15). */
enum { SIM_PM_EV_DONE = 16, SIM_PM_EV_OCC_WRITE, SIM_PM_EV_TIMELINE, SIM_PM_EV_STREAM_END };

int    sim_pm_new(const sim_pm_opts *o, sim_pm **out);    /* 0 or POL_ENOMEM */
void   sim_pm_free(sim_pm *pm);
/* Whether answers carry the values of the x-ratelimit-* hints (rl_req,
 * rl_tok, rl_reset; default on). Off, an answer still says whether there
 * were hints (rl_known), and a request is 16 bytes smaller: for a host that
 * never reads them. Before the first request. Returns 0 or POL_ENOMEM. */
int    sim_pm_keep_hints(sim_pm *pm, int on);
int    sim_pm_error(const sim_pm *pm);   /* POL_ENOMEM once an allocation failed (its engine was stopped), else 0 */
/* Schedules every timeline entry's start and end (SIM_PM_EV_TIMELINE). */
int    sim_pm_schedule_timeline(sim_pm *pm);
/* A request of (prompt + output) tokens reaches provider p now. *handle (may
 * be NULL) names it for sim_pm_forget. Returns 0 or POL_ENOMEM. */
int    sim_pm_submit(sim_pm *pm, int provider, double prompt, double output, uint64_t tag, uint64_t *handle);
/* The same; flags SIM_PM_STREAM: the request asks for a streamed answer. An
 * LLM provider then answers a request it serves at its first byte with a
 * plan (sim_answer.stream; the answers before service — 429, outage, error
 * rate, overload — are plain), and keeps the request in service until the
 * plan's end (sim_stream_end_at), whoever still reads it. */
#define SIM_PM_STREAM 1u
int    sim_pm_submit_ex(sim_pm *pm, int provider, double prompt, double output, unsigned flags, uint64_t tag,
                        uint64_t *handle);
/* Nobody wants the answer to `handle` any more: it is still served (the
 * provider keeps working) but host.answer is not called for it. */
void   sim_pm_forget(sim_pm *pm, uint64_t handle);
void   sim_pm_apply(sim_pm *pm, int provider, uint32_t mask, const sim_provider_params *set);
pol_ns sim_pm_net_leg(sim_pm *pm, int provider);          /* one network leg, drawn */
/* The length of every network leg of provider, when it is a constant (the
 * legs' distribution draws nothing); else -1. */
pol_ns sim_pm_net_fixed(sim_pm *pm, int provider);
/* Whether an OCC provider's reads can be told ahead (sim_pm_occ_read_at):
 * nothing can change what a read finds at its arrival but the writes before
 * it (no outage in the base parameters, no timeline entry for the provider). */
int    sim_pm_occ_foldable(const sim_pm *pm, int provider);
/* A request reaches foldable OCC provider p at t_read >= now: as
 * sim_pm_submit would then, but without an event at t_read. The read's
 * response leg and the write's leg are drawn now, host.next is told the
 * write's time and the write is scheduled; it succeeds iff no write
 * succeeded at or after t_read before it. Returns 0 or POL_ENOMEM. */
int    sim_pm_occ_read_at(sim_pm *pm, int provider, pol_ns t_read, uint64_t tag);
const sim_provider_params *sim_pm_params(const sim_pm *pm, int provider);   /* current values */
double   sim_pm_capacity(const sim_pm *pm, int provider);   /* requests/s now */
double   sim_pm_capacity0(const sim_pm *pm, int provider);  /* requests/s at t=0 */
uint32_t sim_pm_in_system(const sim_pm *pm, int provider);  /* in service + waiting */
/* Server-side totals: service time (s), admissions, time waited (s). */
void   sim_pm_totals(const sim_pm *pm, double *service_s, uint64_t *admitted, double *waited_s);
/* Capacity in requests/s of a provider with parameters p in scenario sc. */
double sim_prov_capacity(const sim_provider *cfg, const sim_provider_params *p, const sim_scenario *sc);

/* ---- policies x replications -------------------------------------------- */
typedef struct {
    int              npolicies;
    int             *policy;      /* indices into sc->policies, in output order */
    int              reps;
    sim_run_metrics *m;           /* [i * reps + r] for policy[i], replication r */
} sim_results;

/* The per-request-class metrics of the same runs (summary-classes.csv), kept
 * beside a sim_results when asked for (run, check; not sweeps, tune, live). */
typedef struct {
    int              nclasses;    /* the scenario's request classes */
    sim_run_metrics *m;           /* [(i * reps + r) * nclasses + k]: class k of run (i, r) */
} sim_class_results;

typedef struct {
    const int  *policies;         /* indices to run, NULL = all of the scenario's */
    int         npolicies;        /* with policies */
    FILE       *timeseries;       /* or NULL */
    FILE       *timeseries_requests;  /* timeseries-requests.csv stream, or NULL */
    FILE       *trace;            /* attempts.csv stream, or NULL */
    FILE       *alerts;           /* alerts.csv stream, or NULL */
    int         progress;         /* draw a progress bar on stderr (when it is a terminal) */
    const char *label;            /* progress bar label (default: the scenario's name) */
    sim_class_results *classes;   /* filled with the runs' per-class metrics too, or NULL */
} sim_runner_opts;

/* Runs every (policy, replication) in output order (the file's policy order,
 * then replication), writing the streams in that order. o may be NULL.
 * Returns 0, or a negative code (its message on stderr; o->classes is then
 * empty too). */
int  sim_runner_run(const sim_scenario *sc, const sim_runner_opts *o, sim_results *res);
void sim_results_free(sim_results *r);
void sim_class_results_free(sim_class_results *c);
/* Metric values of policy slot i across replications into out[reps]; the
 * second, of request class k (c NULL or k < 0: of all classes, as the first). */
void sim_results_column(const sim_results *r, int i, sim_metric_id m, double *out);
void sim_results_class_column(const sim_results *r, const sim_class_results *c, int i, int k, sim_metric_id m,
                              double *out);

/* Mean and 95% Student-t confidence interval of the finite values of x.
 * n_out = number of finite values; lo/hi = NaN when n < 2. */
void sim_ci95(const double *x, size_t n, size_t *n_out, double *mean, double *sd, double *lo, double *hi);

/* ---- result files ------------------------------------------------------- */
void sim_summary_header(FILE *f);
void sim_summary_write(FILE *f, const sim_scenario *sc, const sim_results *r);
void sim_summary_ci_header(FILE *f);
void sim_summary_ci_write(FILE *f, const sim_scenario *sc, const sim_results *r);
void sim_summary_table(FILE *f, const sim_scenario *sc, const sim_results *r);   /* what `run` prints */
/* summary-classes.csv and summary-classes-ci.csv: the same per request class
 * (a `class` column after `seed` / `policy`; one row per class, no
 * all-classes row: that is summary.csv's). */
void sim_summary_classes_header(FILE *f);
void sim_summary_classes_write(FILE *f, const sim_scenario *sc, const sim_results *r, const sim_class_results *c);
void sim_summary_classes_ci_header(FILE *f);
void sim_summary_classes_ci_write(FILE *f, const sim_scenario *sc, const sim_results *r, const sim_class_results *c);
/* The per-run streams' headers; their rows are written by the runs (or the
 * writers above and below). sim/model/columns.h lists every file's columns. */
void sim_timeseries_header(FILE *f);
void sim_timeseries_requests_header(FILE *f);
void sim_attempts_header(FILE *f);
void sim_alert_header(FILE *f);

/* attempts.csv, one schema for `run --trace` and `live`. The columns only an
 * HTTP client knows come last; `run --trace` leaves them empty (x = NULL). */
typedef struct {
    const char *trace_id;           /* the X-Trace-Id sent */
    double      wall_start;         /* Unix seconds when it was sent */
    long long   bytes_sent, bytes_received;
    double      prompt_tokens, completion_tokens;   /* the answer's usage; NaN unknown */
    const char *server_request_id;  /* the provider's request id, "" none */
    double      ratelimit_remaining_requests, ratelimit_remaining_tokens;   /* NaN unknown */
    const char *error;              /* the transport's error, or why there is no answer; "" none */
} sim_attempt_extra;
/* Appends the row of attempt id (in flight in w) to f, as of now (its end):
 * o its outcome and v the client's decision, or both NULL for an attempt
 * abandoned without one; x the live-only columns, or NULL. Returns 0, or -1
 * (nothing written) when id is not in flight. */
int  sim_attempts_write(FILE *f, const sim_world *w, uint32_t id, const pol_outcome *o, const pol_verdict *v,
                        const sim_attempt_extra *x);

#endif
