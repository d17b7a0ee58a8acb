/* metrics.c — counters during the run, the metrics at its end, CIs, CSV.
 *
 * Provider answers are counted in the bucket of the time the provider sent
 * them; client timeouts in the bucket of the timeout. Latencies of successful
 * requests are kept (8 bytes each) and their quantiles taken with GSL after
 * sorting. Recovery: see docs/metrics.md ("time_to_recover").
 */
#include "metrics.h"
#include "guards.h"
#include <csv.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_statistics_float.h>
#include <gsl/gsl_sort_float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void sim_metrics_latency(sim_world *w, double seconds)
{
    if (w->nlat == w->cap_lat) {
        size_t nc = w->cap_lat ? w->cap_lat * 2 : 4096;
        float *n = realloc(w->lat, nc * sizeof *n);
        if (!n) { w->error = POL_ENOMEM; sim_engine_stop(&w->eng); return; }
        w->lat = n;
        w->cap_lat = nc;
    }
    w->lat[w->nlat++] = (float)seconds;
}

double sim_slot_cost(const sim_world *w, const sim_slot *s)
{
    const sim_provider *p = &w->sc->providers[s->provider];
    return ((double)s->prompt * p->price_in + (double)s->output * p->price_out) / 1e6;
}

void sim_metrics_answer(sim_world *w, const sim_slot *s, pol_ns when)
{
    sim_bucket_prov *bp = sim_bp(w, when, s->provider);
    switch (s->out.kind) {
    case POL_OUT_SUCCESS:
        bp->successes++;
        w->counts[SIM_M_COST] += sim_slot_cost(w, s);
        return;
    case POL_OUT_CONN_REFUSED:
    case POL_OUT_CONN_RESET:
        bp->conn_errors++;
        w->counts[SIM_M_CONN_ERRORS] += 1;
        return;
    default:
        break;
    }
    int st = s->out.status;
    if (st == 429) { bp->http_429++; w->counts[SIM_M_HTTP_429] += 1; }
    else if (st >= 500) { bp->http_5xx++; w->counts[SIM_M_HTTP_5XX] += 1; }
    else if (st >= 400) { bp->http_4xx++; w->counts[SIM_M_HTTP_4XX] += 1; }
}

void sim_metrics_abandoned(sim_world *w, const sim_slot *s)
{
    w->wasted += (double)s->service / 1e9;
    if (s->out.kind == POL_OUT_SUCCESS) w->counts[SIM_M_DUP_BILLING] += sim_slot_cost(w, s);
}

static double bucket_width(const sim_world *w, uint32_t b)
{
    pol_ns start = (pol_ns)b * w->sc->bucket;
    pol_ns end = start + w->sc->bucket;
    if (end > w->sc->duration) end = w->sc->duration;
    return (double)(end - start) / 1e9;
}

/* A bucket's failure fractions: of the attempts offered to providers, those
 * answered with an error or timed out; of the requests that finished in it,
 * those that did not succeed (gave up, locally rejected, or degraded). */
static void bucket_fail(const sim_world *w, uint32_t b, double *offered_rate, double *att_fail, double *req_fail)
{
    int np = w->sc->nproviders;
    double a = 0, f = 0;
    for (int p = 0; p < np; p++) {
        const sim_bucket_prov *x = &w->bp[(size_t)b * (size_t)np + (size_t)p];
        a += x->offered;
        f += x->http_429 + x->http_5xx + x->timeouts + x->conn_errors;
    }
    const sim_bucket_req *r = &w->br[b];
    double fin = (double)r->succeeded + r->gave_up + r->degraded;
    *offered_rate = a / bucket_width(w, b);
    *att_fail = a > 0 ? f / a : 0;
    *req_fail = fin > 0 ? (double)(r->gave_up + r->degraded) / fin : 0;
}

/* Fault window = the provider timeline changes that have an end. */
static void recovery(const sim_world *w, double *ttr, double *metastable)
{
    const sim_scenario *sc = w->sc;
    pol_ns fstart = -1, fend = -1;
    for (int i = 0; i < sc->ntimeline; i++) {
        const sim_change *ch = &sc->timeline[i];
        if (ch->provider < 0 || ch->dur <= 0) continue;
        if (fstart < 0 || ch->at < fstart) fstart = ch->at;
        if (ch->at + ch->dur > fend) fend = ch->at + ch->dur;
    }
    *ttr = 0;
    *metastable = 0;
    if (fend < 0) return;
    uint32_t nb = w->nbuckets;
    /* baseline: the buckets that end before the first fault, skipping the first one (start-up) */
    double base_rate = 0, base_att = 0, base_req = 0;
    uint32_t nbase = 0;
    for (uint32_t b = 1; b < nb && (pol_ns)(b + 1) * sc->bucket <= fstart; b++) {
        double r, af, rf;
        bucket_fail(w, b, &r, &af, &rf);
        base_rate += r;
        base_att += af;
        base_req += rf;
        nbase++;
    }
    if (nbase) { base_rate /= nbase; base_att /= nbase; base_req /= nbase; }
    uint32_t first = (uint32_t)(fend / sc->bucket);
    const uint32_t need = 3;     /* consecutive normal buckets */
    uint32_t run = 0;
    for (uint32_t b = first; b < nb; b++) {
        double r, af, rf;
        bucket_fail(w, b, &r, &af, &rf);
        int normal = af <= base_att + 0.05 && rf <= base_req + 0.05 &&
                     (nbase == 0 || r <= 1.25 * base_rate + 1.0 / bucket_width(w, b));
        run = normal ? run + 1 : 0;
        if (run == need || (normal && b + 1 == nb)) {
            uint32_t rb = b + 1 - run;
            pol_ns t = (pol_ns)rb * sc->bucket;
            *ttr = t > fend ? (double)(t - fend) / 1e9 : 0;
            return;
        }
    }
    *metastable = 1;
    *ttr = (double)(sc->duration - fend) / 1e9;
}

void sim_metrics_finish(sim_world *w, sim_run_metrics *out)
{
    const sim_scenario *sc = w->sc;
    double *m = out->m;
    memcpy(m, w->counts, sizeof w->counts);
    double dur = (double)sc->duration / 1e9;
    double req = m[SIM_M_REQUESTS];
    m[SIM_M_AMPLIFICATION] = req > 0 ? m[SIM_M_ATTEMPTS] / req : NAN;
    m[SIM_M_CALLS_PER_REQ] = m[SIM_M_AMPLIFICATION];
    double finished = m[SIM_M_SUCCESSES] + m[SIM_M_DEGRADED] + m[SIM_M_GIVE_UPS];
    m[SIM_M_UNFINISHED] = req - finished;
    m[SIM_M_COST_PER_SUCCESS] = m[SIM_M_SUCCESSES] > 0 ? m[SIM_M_COST] / m[SIM_M_SUCCESSES] : NAN;
    m[SIM_M_SUCCESS_RATE] = finished > 0 ? m[SIM_M_SUCCESSES] / finished : NAN;
    m[SIM_M_GOODPUT] = m[SIM_M_SUCCESSES] / dur;
    if (w->nlat) {
        gsl_sort_float(w->lat, 1, w->nlat);
        m[SIM_M_LAT_MEAN] = gsl_stats_float_mean(w->lat, 1, w->nlat);
        m[SIM_M_LAT_P50] = gsl_stats_float_quantile_from_sorted_data(w->lat, 1, w->nlat, 0.50);
        m[SIM_M_LAT_P90] = gsl_stats_float_quantile_from_sorted_data(w->lat, 1, w->nlat, 0.90);
        m[SIM_M_LAT_P99] = gsl_stats_float_quantile_from_sorted_data(w->lat, 1, w->nlat, 0.99);
        m[SIM_M_LAT_P999] = gsl_stats_float_quantile_from_sorted_data(w->lat, 1, w->nlat, 0.999);
    } else {
        m[SIM_M_LAT_MEAN] = m[SIM_M_LAT_P50] = m[SIM_M_LAT_P90] = m[SIM_M_LAT_P99] = m[SIM_M_LAT_P999] = NAN;
    }
    double peak = 0, ratio = 0;
    double req_rate = req / dur;
    for (uint32_t b = 0; b < w->nbuckets; b++) {
        double bw = bucket_width(w, b);
        if (bw <= 0) continue;
        for (int p = 0; p < sc->nproviders; p++) {
            double off = w->bp[(size_t)b * (size_t)sc->nproviders + (size_t)p].offered / bw;
            if (off > peak) peak = off;
            double cap = sim_pm_capacity0(w->pm, p);
            if (!isfinite(cap) || cap <= 0) cap = req_rate;
            if (cap > 0 && off / cap > ratio) ratio = off / cap;
        }
    }
    m[SIM_M_PEAK_OFFERED] = peak;
    m[SIM_M_PEAK_LOAD_RATIO] = ratio;
    double service_total, wait_total;
    uint64_t waits;
    sim_pm_totals(w->pm, &service_total, &waits, &wait_total);
    m[SIM_M_WASTED_WORK] = w->wasted;
    m[SIM_M_WASTED_FRACTION] = service_total > 0 ? w->wasted / service_total : 0;
    recovery(w, &m[SIM_M_TIME_TO_RECOVER], &m[SIM_M_METASTABLE]);
    sim_guards_totals(w, m);
    m[SIM_M_COMPLETION_TIME] = (double)w->last_finish / 1e9;
    m[SIM_M_QUEUE_WAIT] = waits ? wait_total / (double)waits : NAN;
}

void sim_ci95(const double *x, size_t n, size_t *n_out, double *mean, double *sd, double *lo, double *hi)
{
    double *v = malloc((n ? n : 1) * sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) if (isfinite(x[i]) && v) v[k++] = x[i];
    *n_out = k;
    *mean = *sd = *lo = *hi = NAN;
    if (k >= 1) *mean = gsl_stats_mean(v, 1, k);
    if (k >= 2) {
        *sd = gsl_stats_sd_m(v, 1, k, *mean);
        double h = gsl_cdf_tdist_Pinv(0.975, (double)(k - 1)) * *sd / sqrt((double)k);
        *lo = *mean - h;
        *hi = *mean + h;
    }
    free(v);
}

void sim_trace_header(FILE *f)
{
    fputs("scenario,policy,replication,request_id,attempt,client,provider,send_time,end_time,"
          "outcome,status,retry_after,delay_before,decision,reason,next_delay,"
          "layer1_attempt,layer2_attempt,layer3_attempt,layer4_attempt\n", f);
}

void sim_trace_write(sim_world *w, uint32_t req_id, int attempt, uint32_t client, int provider,
                     pol_ns sent, pol_ns end, const pol_outcome *o, pol_ns delay_before,
                     const pol_verdict *v, const uint16_t *layer_no, int nlayers)
{
    sim_csv c;
    sim_csv_begin(&c, w->trace);
    sim_csv_str(&c, w->sc->name);
    sim_csv_str(&c, w->pol->name);
    sim_csv_int(&c, w->replication);
    sim_csv_int(&c, req_id);
    sim_csv_int(&c, attempt);
    sim_csv_int(&c, client);
    sim_csv_str(&c, w->sc->providers[provider].name);
    sim_csv_num(&c, (double)sent / 1e9);
    sim_csv_num(&c, (double)end / 1e9);
    sim_csv_str(&c, pol_outcome_kind_name(o->kind));
    sim_csv_int(&c, o->status);
    sim_csv_num(&c, o->retry_after >= 0 ? (double)o->retry_after / 1e9 : NAN);
    sim_csv_num(&c, (double)delay_before / 1e9);
    sim_csv_str(&c, pol_action_name(v->action));
    sim_csv_str(&c, pol_reason_name(v->reason));
    sim_csv_num(&c, v->action == POL_ACT_RETRY ? (double)v->delay / 1e9 : NAN);
    for (int k = 0; k < SIM_MAX_LAYERS; k++) {       /* outermost first; empty beyond the policy's */
        if (k < nlayers) sim_csv_int(&c, layer_no[k]);
        else sim_csv_num(&c, NAN);
    }
    sim_csv_end(&c);
}

void sim_alert_header(FILE *f)
{
    fputs("scenario,policy,replication,time,provider,failures_in_window,threshold\n", f);
}

void sim_alert_write(sim_world *w, int provider, pol_ns when, long long failures)
{
    sim_csv c;
    sim_csv_begin(&c, w->alerts);
    sim_csv_str(&c, w->sc->name);
    sim_csv_str(&c, w->pol->name);
    sim_csv_int(&c, w->replication);
    sim_csv_num(&c, (double)when / 1e9);
    sim_csv_str(&c, w->sc->providers[provider].name);
    sim_csv_int(&c, failures);
    sim_csv_int(&c, w->pol->st.monitor.threshold);
    sim_csv_end(&c);
}

void sim_timeseries_header(FILE *f)
{
    fputs("scenario,policy,replication,bucket,time,provider,offered,successes,http_429,http_5xx,"
          "http_4xx,timeouts,conn_errors,in_flight,in_system,capacity,open_breakers,cooled,hedges,"
          "local_rejects,requests_started,requests_succeeded,requests_degraded,give_ups,attempts_sent,"
          "budget_denied,throttled,budget_level,throttle_level\n", f);
}

void sim_timeseries_write(FILE *f, const sim_world *w)
{
    const sim_scenario *sc = w->sc;
    sim_csv c;
    sim_csv_begin(&c, f);
    for (uint32_t b = 0; b < w->nbuckets; b++) {
        double bw = bucket_width(w, b);
        double t = (double)((pol_ns)b * sc->bucket) / 1e9;
        for (int p = -1; p < sc->nproviders; p++) {
            sim_bucket_prov sum;
            memset(&sum, 0, sizeof sum);
            const sim_bucket_prov *x = &sum;
            if (p >= 0) x = &w->bp[(size_t)b * (size_t)sc->nproviders + (size_t)p];
            else {
                for (int q = 0; q < sc->nproviders; q++) {
                    const sim_bucket_prov *y = &w->bp[(size_t)b * (size_t)sc->nproviders + (size_t)q];
                    sum.offered += y->offered; sum.successes += y->successes;
                    sum.http_429 += y->http_429; sum.http_5xx += y->http_5xx; sum.http_4xx += y->http_4xx;
                    sum.timeouts += y->timeouts; sum.conn_errors += y->conn_errors;
                    sum.in_flight += y->in_flight; sum.in_system += y->in_system;
                    sum.capacity += y->capacity;
                    sum.open_breakers += y->open_breakers; sum.cooled += y->cooled;
                    sum.hedges += y->hedges; sum.local_rejects += y->local_rejects;
                }
            }
            sim_csv_str(&c, sc->name);
            sim_csv_str(&c, w->pol->name);
            sim_csv_int(&c, w->replication);
            sim_csv_int(&c, b);
            sim_csv_num(&c, t);
            sim_csv_str(&c, p >= 0 ? sc->providers[p].name : "*");
            /* rates per second, so buckets of any width compare */
            sim_csv_num(&c, x->offered / bw);
            sim_csv_num(&c, x->successes / bw);
            sim_csv_num(&c, x->http_429 / bw);
            sim_csv_num(&c, x->http_5xx / bw);
            sim_csv_num(&c, x->http_4xx / bw);
            sim_csv_num(&c, x->timeouts / bw);
            sim_csv_num(&c, x->conn_errors / bw);
            sim_csv_int(&c, x->in_flight);
            sim_csv_int(&c, x->in_system);
            sim_csv_num(&c, isfinite(x->capacity) ? x->capacity : NAN);
            sim_csv_int(&c, x->open_breakers);
            sim_csv_int(&c, x->cooled);
            sim_csv_num(&c, x->hedges / bw);
            sim_csv_num(&c, x->local_rejects / bw);
            if (p < 0) {
                const sim_bucket_req *r = &w->br[b];
                sim_csv_num(&c, r->started / bw);
                sim_csv_num(&c, r->succeeded / bw);
                sim_csv_num(&c, r->degraded / bw);
                sim_csv_num(&c, r->gave_up / bw);
                sim_csv_num(&c, r->attempts / bw);
                sim_csv_num(&c, r->budget_denied / bw);
                sim_csv_num(&c, r->throttled / bw);
                sim_csv_num(&c, r->budget_level);
                sim_csv_num(&c, r->throttle_level);
            } else {
                for (int k = 0; k < 9; k++) sim_csv_str(&c, "");
            }
            sim_csv_end(&c);
        }
    }
}
