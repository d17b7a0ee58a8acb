/* columns.h — internal to sim/model: the columns of the per-run streams
 * (attempts.csv, timeseries.csv, timeseries-requests.csv, alerts.csv), as
 * X-macros X("name", kind, value), in file order. metrics.c generates each
 * file's header row and every data row from its list, so the two cannot
 * disagree on the number, order or meaning of the columns; docs/metrics.md
 * defines each column.
 *
 *   name   the header name. A rule for every file: seconds (a time or a
 *          duration) end in `_s`, rates per second in `_per_s`; counts,
 *          levels, ids and names have no suffix; other units are in the
 *          name (bytes_sent, prompt_tokens).
 *   kind   how the value is written (metrics.c, put_<kind>):
 *            str   a string, quoted by libcsv ("" when absent)
 *            int   an integer
 *            num   a number, %.10g (integers without a decimal point);
 *                  NaN or infinite -> an empty field
 *            wall  Unix seconds to the millisecond (quoted, as live has
 *                  always written them); NaN -> an empty field
 *   value  an expression of `r`, a const pointer to the file's row record
 *          (the types below).
 *
 * summary.csv and summary-ci.csv are not here: their columns are the metrics
 * of sim/scenario/metrics_list.h.
 */
#ifndef SIM_COLUMNS_H
#define SIM_COLUMNS_H
#include "world.h"
#include "stream.h"
#include <math.h>

#define SIM_SEC(ns) ((double)(ns) / 1e9)

/* ---- attempts.csv: one row per attempt, `run --trace` and `live` alike -- */
typedef struct {
    const sim_world         *w;
    const sim_slot          *s;   /* the attempt */
    pol_ns                   now; /* when the row is written: its end */
    const pol_outcome       *o;   /* its outcome, or NULL (live: abandoned without one) */
    const pol_verdict       *v;   /* the client's decision, or NULL (likewise) */
    const sim_attempt_extra *x;   /* what only an HTTP client knows, or NULL (run) */
} sim_attempt_rec;

/* Layer k's attempt number of the record's attempt, NaN beyond its loops. */
static inline double sim_layer_no(const sim_attempt_rec *r, int k)
{
    int n = r->w->lcfg[r->w->clients[r->s->client].cls].n;
    return k < n ? (double)r->w->slotx[r->s - r->w->slots].lno[k] : NAN;   /* slotx: rows are written */
}
_Static_assert(SIM_MAX_LAYERS == 4, "attempts.csv has a layerK_attempt column per layer");

#define SIM_ATTEMPT_COLUMNS(X) \
    X("scenario",        str, r->w->sc->name) \
    X("policy",          str, r->w->pol->name) \
    X("replication",     int, r->w->replication) \
    X("request_id",      int, r->s->req_id) \
    X("attempt",         int, r->s->attempt_no) \
    X("client",          int, r->s->client) \
    X("provider",        str, r->w->sc->providers[r->s->provider].name) \
    X("send_time_s",     num, SIM_SEC(r->s->sent)) \
    X("end_time_s",      num, SIM_SEC(r->now)) \
    X("outcome",         str, r->o ? pol_outcome_kind_name(r->o->kind) : "") \
    X("status",          num, r->o ? (double)r->o->status : NAN) \
    X("retry_after_s",   num, r->o && r->o->retry_after >= 0 ? SIM_SEC(r->o->retry_after) : NAN) \
    X("delay_before_s",  num, SIM_SEC(r->w->slotx[r->s - r->w->slots].delay_before)) /* slotx: rows are written */ \
    X("decision",        str, r->v ? pol_action_name(r->v->action) : "") \
    X("reason",          str, r->v ? pol_reason_name(r->v->reason) : "") \
    X("next_delay_s",    num, r->v && r->v->action == POL_ACT_RETRY ? SIM_SEC(r->v->delay) : NAN) \
    /* each retry loop's attempt number when it was sent, outermost first; \
     * empty beyond the policy's loops (docs/scenario-format.md, inner:) */ \
    X("layer1_attempt",  num, sim_layer_no(r, 0)) \
    X("layer2_attempt",  num, sim_layer_no(r, 1)) \
    X("layer3_attempt",  num, sim_layer_no(r, 2)) \
    X("layer4_attempt",  num, sim_layer_no(r, 3)) \
    /* streamed attempts (stream.h); empty for an attempt that did not stream */ \
    X("ttft_s",          num, sim_stream_col_ttft(r->w, r->s)) \
    X("tokens_received", num, sim_stream_col_tokens(r->w, r->s)) \
    X("stream_end",      str, sim_stream_col_end(r->w, r->s, r->o)) \
    /* live only (sim_attempt_extra): present and empty in run --trace */ \
    X("trace_id",                     str,  r->x ? r->x->trace_id : "") \
    X("wall_start_s",                 wall, r->x ? r->x->wall_start : NAN) \
    X("bytes_sent",                   num,  r->x ? r->x->bytes_sent : NAN) \
    X("bytes_received",               num,  r->x ? r->x->bytes_received : NAN) \
    X("prompt_tokens",                num,  r->x ? r->x->prompt_tokens : NAN) \
    X("completion_tokens",            num,  r->x ? r->x->completion_tokens : NAN) \
    X("server_request_id",            str,  r->x ? r->x->server_request_id : "") \
    X("ratelimit_remaining_requests", num,  r->x ? r->x->ratelimit_remaining_requests : NAN) \
    X("ratelimit_remaining_tokens",   num,  r->x ? r->x->ratelimit_remaining_tokens : NAN) \
    X("error",                        str,  r->x ? r->x->error : "")

/* ---- the two time series: one row per (policy, replication, bucket[, provider]) */
/* Both records have w, b (the bucket), t (its start, s) and bw (its width,
 * s: the last bucket may be shorter); rates are counts / bw. */
#define SIM_BUCKET_KEY_COLUMNS(X) \
    X("scenario",        str, r->w->sc->name) \
    X("policy",          str, r->w->pol->name) \
    X("replication",     int, r->w->replication) \
    X("bucket",          int, r->b) \
    X("time_s",          num, r->t)

/* timeseries.csv: per provider (sum over providers for all of them) */
typedef struct {
    const sim_world       *w;
    uint32_t               b;
    double                 t, bw;
    int                    p;     /* the provider */
    const sim_bucket_prov *x;     /* its counters in bucket b */
} sim_ts_rec;

#define SIM_TIMESERIES_COLUMNS(X) \
    SIM_BUCKET_KEY_COLUMNS(X) \
    X("provider",            str, r->w->sc->providers[r->p].name) \
    X("offered_per_s",       num, r->x->offered / r->bw) \
    X("successes_per_s",     num, r->x->successes / r->bw) \
    X("http_429_per_s",      num, r->x->http_429 / r->bw) \
    X("http_5xx_per_s",      num, r->x->http_5xx / r->bw) \
    X("http_4xx_per_s",      num, r->x->http_4xx / r->bw) \
    X("timeouts_per_s",      num, r->x->timeouts / r->bw) \
    X("conn_errors_per_s",   num, r->x->conn_errors / r->bw) \
    X("in_flight",           int, r->x->in_flight) \
    X("in_system",           int, r->x->in_system) \
    X("capacity_per_s",      num, isfinite(r->x->capacity) ? r->x->capacity : NAN) \
    X("open_breakers",       int, r->x->open_breakers) \
    X("cooled",              int, r->x->cooled) \
    X("hedges_per_s",        num, r->x->hedges / r->bw) \
    X("local_rejects_per_s", num, r->x->local_rejects / r->bw) \
    X("stream_cuts_per_s",      num, sim_stream_bp(r->w, r->b, r->p)->cuts / r->bw) \
    X("stream_errors_per_s",    num, sim_stream_bp(r->w, r->b, r->p)->errors / r->bw) \
    X("stream_timeouts_per_s",  num, sim_stream_bp(r->w, r->b, r->p)->timeouts / r->bw) \
    X("discarded_tokens_per_s", num, sim_stream_bp(r->w, r->b, r->p)->discarded / r->bw)

/* timeseries-requests.csv: the client side, one row per bucket (no provider) */
typedef struct {
    const sim_world      *w;
    uint32_t              b;
    double                t, bw;
    const sim_bucket_req *q;      /* the request-level counters of bucket b */
} sim_req_rec;

#define SIM_TIMESERIES_REQUESTS_COLUMNS(X) \
    SIM_BUCKET_KEY_COLUMNS(X) \
    X("requests_started_per_s",   num, r->q->started / r->bw) \
    X("requests_succeeded_per_s", num, r->q->succeeded / r->bw) \
    X("requests_degraded_per_s",  num, r->q->degraded / r->bw) \
    X("give_ups_per_s",           num, r->q->gave_up / r->bw) \
    X("attempts_sent_per_s",      num, r->q->attempts / r->bw) \
    X("budget_denied_per_s",      num, r->q->budget_denied / r->bw) \
    X("throttled_per_s",          num, r->q->throttled / r->bw) \
    X("budget_level",             num, r->q->budget_level) \
    X("throttle_level",           num, r->q->throttle_level) \
    X("ttft_mean_s",              num, sim_stream_ttft_mean(r->w, r->b))

/* ---- alerts.csv: one row per failure-monitor alert ----------------------- */
typedef struct {
    const sim_world *w;
    int              p;           /* the provider */
    int              cls;         /* the request class whose monitor fired (scope: class), -1 = global */
    pol_ns           when;
    long long        failures;    /* in the monitor's window when it fired */
} sim_alert_rec;

#define SIM_ALERT_COLUMNS(X) \
    X("scenario",           str, r->w->sc->name) \
    X("policy",             str, r->w->pol->name) \
    X("replication",        int, r->w->replication) \
    X("time_s",             num, SIM_SEC(r->when)) \
    X("provider",           str, r->w->sc->providers[r->p].name) \
    X("failures_in_window", int, r->failures) \
    X("threshold",          int, r->w->pol->st.monitor.threshold) \
    X("class",              str, r->cls >= 0 ? r->w->sc->workload.classes[r->cls].name : "")

#endif
