/* stream.h — internal to sim/model: the client side of streamed answers
 * (stream.c) and what world.c, simnet.c, metrics.c and columns.h call.
 *
 * A run that can stream (a policy with stream:, a class with stream: true)
 * has w->st; every hook below is behind `if (w->st)` or a slot's `stream`
 * byte, so a run that does not stream pays one test per hook.
 *
 * The life of a streamed attempt (s->stream):
 *   SST_PRE        sent, no first byte yet. Its deadline is the earliest of
 *                  the attempt's bound (retry.timeout, deadlines, outer
 *                  layers') and the TTFT timeout (stream.ttft_timeout from
 *                  the send); a plain answer (429, 5xx, a JSON 200) ends it
 *                  as any attempt.
 *   SST_STREAMING  its first byte reached the client. Simulated: the plan
 *                  and the client's timeouts give its end at once
 *                  (sim_stream_client_end) and one EV_STREAM_END is
 *                  scheduled there. A caller's transport (live) reports
 *                  chunks and the end itself; the world's timeout event
 *                  enforces the attempt's bound.
 *   the end        SUCCESS, STREAM_CUT, STREAM_ERROR, STREAM_TIMEOUT (idle,
 *                  or the innermost layer's bound) go to the innermost
 *                  layer; an outer layer's bound is a TIMEOUT of that layer.
 * Tokens the client received from a stream that failed are kept for the
 * next attempt when the policy recovers (stream.recovery: prompt grows and
 * output shrinks by them), else discarded (discarded_tokens); a request
 * that gives up discards what it kept.
 */
#ifndef SIM_STREAM_H
#define SIM_STREAM_H
#include "world.h"

enum { SST_NONE = 0, SST_PRE, SST_STREAMING };

/* How a streamed attempt ended, as attempts.csv's stream_end says it. */
typedef enum {
    SEND_NONE = 0,     /* not yet, or the answer was not a stream */
    SEND_COMPLETE, SEND_CUT, SEND_ERROR, SEND_IDLE, SEND_TIMEOUT, SEND_TTFT, SEND_ABANDONED
} sim_stream_label;

typedef struct {
    sim_stream_plan plan;        /* simulated: the provider's plan */
    pol_ns   first_byte;         /* client time of the first byte, -1 before */
    pol_ns   first_chunk;        /* client time of the first content chunk, -1 none */
    pol_ns   bound;              /* the attempt's bound (absolute), 0 = none */
    pol_ns   end_at;             /* simulated: the client's end of it (absolute) */
    uint32_t tokens;             /* content tokens received (so far) */
    uint8_t  bound_layer;        /* whose bound it is */
    uint8_t  has_plan;           /* the answer is a stream with a plan (simulated) */
    uint8_t  pre_ttft;           /* the deadline before the first byte is the TTFT timeout */
    uint8_t  label;              /* sim_stream_label */
    uint8_t  kind;               /* simulated: the outcome kind at end_at */
    uint8_t  recover;            /* its client's policy recovers streams */
} sim_slot_stream;

#define SIM_GAP_BINS 1002        /* 0 s, then 100 per decade from 1 us to 10^4 s, then above */

typedef struct {
    uint32_t cuts, errors, timeouts;
    float    discarded;
} sim_stream_bucket;             /* per bucket x provider */

typedef struct {
    double   ttft_sum;
    uint32_t ttft_n;
} sim_stream_rbucket;            /* per bucket */

typedef struct {
    uint8_t  on, recover;
    pol_ns   ttft_timeout, idle_timeout;
} sim_stream_class;

typedef struct {
    float    kept;               /* tokens kept from failed streams (recovery) */
    double   kept_cost;          /* their cost at the output price */
    uint8_t  on;                 /* the current request streams */
    pol_ns   first_tok;          /* client time of its first kept token, -1 none */
} sim_stream_client;

struct sim_streams {
    sim_stream_class  *cls;      /* [class] */
    sim_slot_stream   *ss;       /* [slot] */
    uint32_t           cap_ss;
    sim_stream_client *cl;       /* [client] */
    uint32_t           cap_cl;
    sim_stream_bucket *bp;       /* [bucket * nproviders + p] */
    sim_stream_rbucket *br;      /* [bucket] */
    float             *ttft, *ttlt;   /* successful streamed requests, seconds */
    size_t             n, cap;
    uint64_t           gaps[SIM_GAP_BINS];
};

int  sim_stream_init(sim_world *w);
void sim_stream_free(sim_world *w);
void sim_stream_request_start(sim_world *w, uint32_t ci);
void sim_stream_request_end(sim_world *w, uint32_t ci, int success);
void sim_stream_on_send(sim_world *w, uint32_t ci, uint32_t id);
void sim_stream_answered(sim_world *w, uint32_t id, const sim_answer *a);
void sim_stream_first_byte(sim_world *w, uint32_t id);
void sim_stream_abandon(sim_world *w, uint32_t id);
void sim_stream_timed_out(sim_world *w, uint32_t id, pol_outcome *o, int *layer);
void sim_stream_finish(sim_world *w, double *m);

/* attempts.csv and the time series */
double      sim_stream_col_ttft(const sim_world *w, const sim_slot *s);
double      sim_stream_col_tokens(const sim_world *w, const sim_slot *s);
const char *sim_stream_col_end(const sim_world *w, const sim_slot *s, const pol_outcome *o);
const sim_stream_bucket  *sim_stream_bp(const sim_world *w, uint32_t b, int p);
double      sim_stream_ttft_mean(const sim_world *w, uint32_t b);

#endif
