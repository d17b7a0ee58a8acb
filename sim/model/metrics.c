/* metrics.c — counters during the run, the metrics at its end, CIs, CSV.
 *
 * Provider answers are counted in the bucket of the time the provider sent
 * them; client timeouts in the bucket of the timeout. Latencies of successful
 * requests are kept exactly, in two bytes each (latstore.h), and their mean
 * and quantiles are GSL's of the sorted values, to the bit. Recovery: see
 * docs/metrics.md ("time_to_recover").
 */
#include "metrics.h"
#include "columns.h"
#include "guards.h"
#include "stream.h"
#include <csv.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void sim_metrics_latency(sim_world *w, unsigned cls, double seconds)
{
    unsigned k = w->sc->workload.nclasses > 1 ? cls : 0;     /* one class: every sample is class 0 */
    if (sim_lat_add(&w->lat, k, (float)seconds)) { w->error = POL_ENOMEM; sim_engine_stop(&w->eng); }
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
        sim_count(w, s->cls, SIM_M_COST, sim_slot_cost(w, s));
        return;
    case POL_OUT_CONN_REFUSED:
    case POL_OUT_CONN_RESET:
        bp->conn_errors++;
        sim_count(w, s->cls, SIM_M_CONN_ERRORS, 1);
        return;
    default:
        break;
    }
    int st = s->out.status;
    if (st == 429) { bp->http_429++; sim_count(w, s->cls, SIM_M_HTTP_429, 1); }
    else if (st >= 500) { bp->http_5xx++; sim_count(w, s->cls, SIM_M_HTTP_5XX, 1); }
    else if (st >= 400) { bp->http_4xx++; sim_count(w, s->cls, SIM_M_HTTP_4XX, 1); }
}

void sim_metrics_abandoned(sim_world *w, const sim_slot *s)
{
    w->wasted += (double)s->service / 1e9;
    w->cwasted[s->cls] += (double)s->service / 1e9;
    if (s->out.kind == POL_OUT_SUCCESS) sim_count(w, s->cls, SIM_M_DUP_BILLING, sim_slot_cost(w, s));
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

/* Requests unfinished at the end and older than their SLO: total and per
 * class (hung[nclasses], zeroed here); *since = when the oldest of them
 * passed its SLO (POL_NS_MAX: none). O(clients). */
static double count_hung(const sim_world *w, double *hung, pol_ns *since)
{
    double n = 0;
    *since = POL_NS_MAX;
    for (int k = 0; k < w->sc->workload.nclasses; k++) hung[k] = 0;
    for (uint32_t i = 0; i < w->nclients; i++) {
        const sim_client *c = &w->clients[i];
        if (!c->busy) continue;
        pol_ns bound = w->slo[c->cls];
        if (w->end - c->req_start <= bound) continue;
        hung[c->cls] += 1;
        n += 1;
        if (c->req_start + bound < *since) *since = c->req_start + bound;
    }
    return n;
}

/* Requests that finished in the last `window` of the run (whole buckets). */
static double finished_recently(const sim_world *w, pol_ns window)
{
    double n = 0;
    for (uint32_t b = w->nbuckets; b-- > 0;) {
        if ((pol_ns)(b + 1) * w->sc->bucket <= w->end - window) break;
        n += (double)w->br[b].succeeded + w->br[b].gave_up + w->br[b].degraded;
    }
    return n;
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

/* The mean and quantiles of class k's latencies (k < 0: every class's). */
static sim_lat_summary latencies(sim_world *w, int k)
{
    sim_lat_summary ls;
    if (sim_lat_summarise(&w->lat, k, &ls)) { w->error = POL_ENOMEM; ls.n = 0; }   /* sim_run_world returns it */
    return ls;
}

/* ...into m. */
static void put_latencies(const sim_lat_summary *ls, double *m)
{
    int none = !ls->n;
    m[SIM_M_LAT_MEAN] = none ? NAN : ls->mean;
    m[SIM_M_LAT_P50] = none ? NAN : ls->q[0];
    m[SIM_M_LAT_P90] = none ? NAN : ls->q[1];
    m[SIM_M_LAT_P99] = none ? NAN : ls->q[2];
    m[SIM_M_LAT_P999] = none ? NAN : ls->q[3];
}

/* What the counters make of m (its counts filled in): the ratios, the SLO
 * rate (hung = requests unfinished past their SLO). */
static void derived(double *m, double dur, double hung)
{
    double req = m[SIM_M_REQUESTS];
    m[SIM_M_AMPLIFICATION] = req > 0 ? m[SIM_M_ATTEMPTS] / req : NAN;
    m[SIM_M_CALLS_PER_REQ] = m[SIM_M_AMPLIFICATION];
    double finished = m[SIM_M_SUCCESSES] + m[SIM_M_DEGRADED] + m[SIM_M_GIVE_UPS];
    m[SIM_M_UNFINISHED] = req - finished;
    m[SIM_M_COST_PER_SUCCESS] = m[SIM_M_SUCCESSES] > 0 ? m[SIM_M_COST] / m[SIM_M_SUCCESSES] : NAN;
    m[SIM_M_SUCCESS_RATE] = finished > 0 ? m[SIM_M_SUCCESSES] / finished : NAN;
    m[SIM_M_GOODPUT] = m[SIM_M_SUCCESSES] / dur;
    m[SIM_M_HUNG] = hung;
    m[SIM_M_SLO_SUCCESS_RATE] = finished + hung > 0 ? m[SIM_M_SLO_SUCCESS_RATE] / (finished + hung) : NAN;
}

/* Request class k's metrics (sim_metric_per_class: the others are NaN);
 * ls: its latencies' summary. */
static void class_metrics(sim_world *w, int k, double hung, const sim_lat_summary *ls, sim_run_metrics *out)
{
    double *m = out->m;
    memcpy(m, &w->ccounts[(size_t)k * SIM_M__COUNT], SIM_M__COUNT * sizeof *m);
    derived(m, (double)w->sc->duration / 1e9, hung);
    put_latencies(ls, m);
    m[SIM_M_WASTED_WORK] = w->cwasted[k];
    m[SIM_M_COMPLETION_TIME] = (double)w->clast_finish[k] / 1e9;
    for (int j = 0; j < SIM_M__COUNT; j++)
        if (!sim_metric_per_class((sim_metric_id)j)) m[j] = NAN;
}

void sim_metrics_finish(sim_world *w, sim_run_metrics *out)
{
    const sim_scenario *sc = w->sc;
    double *m = out->m;
    double hung_cls[SIM_MAX_CLASSES];
    pol_ns hung_since;
    double hung = count_hung(w, hung_cls, &hung_since);
    sim_lat_summary all = latencies(w, -1);       /* one class: its own */
    if (w->class_out && sc->workload.nclasses <= 1) class_metrics(w, 0, hung_cls[0], &all, &w->class_out[0]);
    else if (w->class_out)
        for (int k = 0; k < sc->workload.nclasses; k++) {
            sim_lat_summary ls = latencies(w, k);
            class_metrics(w, k, hung_cls[k], &ls, &w->class_out[k]);
        }
    memcpy(m, w->counts, sizeof w->counts);
    double dur = (double)sc->duration / 1e9;
    double req = m[SIM_M_REQUESTS];
    derived(m, dur, hung);
    put_latencies(&all, m);
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
    /* requests hanging at the end: more than 5% of those that ended (or hung)
     * in the last SLO window are still in progress past their SLO. A run
     * that looks recovered by its buckets (a hung client finishes nothing,
     * so it fails nothing) is not. */
    pol_ns window = sc->slo_latency > 0 ? sc->slo_latency : SIM_SLO_DEFAULT;
    if (hung > 0 && hung > 0.05 * (hung + finished_recently(w, window)) && !m[SIM_M_METASTABLE]) {
        pol_ns fend = -1;
        for (int i = 0; i < sc->ntimeline; i++) {
            const sim_change *ch = &sc->timeline[i];
            if (ch->provider >= 0 && ch->dur > 0 && ch->at + ch->dur > fend) fend = ch->at + ch->dur;
        }
        pol_ns from = fend >= 0 ? fend : hung_since;
        m[SIM_M_METASTABLE] = 1;
        m[SIM_M_TIME_TO_RECOVER] = from < w->end ? (double)(w->end - from) / 1e9 : 0;
    }
    sim_guards_totals(w, m);
    m[SIM_M_COMPLETION_TIME] = (double)w->last_finish / 1e9;
    m[SIM_M_QUEUE_WAIT] = waits ? wait_total / (double)waits : NAN;
    sim_stream_finish(w, m);               /* stream.c: TTFT, time to last token, gaps */
}

/* The t quantile of a 95% interval with df degrees of freedom. A summary
 * asks for it once per metric (about 60 times per policy) with the same df;
 * GSL's inverse cdf costs ~40,000 instructions a call, so the last answer
 * is kept (per thread: the value is a pure function of df). */
static double t975(size_t df)
{
    static _Thread_local size_t last_df;
    static _Thread_local double last_t;
    if (df != last_df) {
        last_t = gsl_cdf_tdist_Pinv(0.975, (double)df);
        last_df = df;
    }
    return last_t;
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
        double h = t975(k - 1) * *sd / sqrt((double)k);
        *lo = *mean - h;
        *hi = *mean + h;
    }
    free(v);
}

/* ---- the per-run streams: header and rows from one column list each --- */
/* columns.h: X("name", kind, value); each value is written by put_<kind>. */
static void put_str(sim_csv *c, const char *s) { sim_csv_str(c, s); }
static void put_int(sim_csv *c, long long v) { sim_csv_int(c, v); }
static void put_num(sim_csv *c, double v) { sim_csv_num(c, v); }
static void put_wall(sim_csv *c, double unix_s)
{
    char b[32];
    if (!isfinite(unix_s)) { sim_csv_num(c, NAN); return; }
    snprintf(b, sizeof b, "%.3f", unix_s);
    sim_csv_str(c, b);
}

#define COL_NAME(name, kind, value) name,
#define COL_PUT(name, kind, value) put_##kind(&c, (value));

static void put_header(FILE *f, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i) fputc(',', f);
        fputs(names[i], f);
    }
    fputc('\n', f);
}
#define HEADER(f, LIST) do { \
        static const char *const names_[] = { LIST(COL_NAME) }; \
        put_header(f, names_, sizeof names_ / sizeof names_[0]); \
    } while (0)

void sim_attempts_header(FILE *f) { HEADER(f, SIM_ATTEMPT_COLUMNS); }
void sim_alert_header(FILE *f) { HEADER(f, SIM_ALERT_COLUMNS); }
void sim_timeseries_header(FILE *f) { HEADER(f, SIM_TIMESERIES_COLUMNS); }
void sim_timeseries_requests_header(FILE *f) { HEADER(f, SIM_TIMESERIES_REQUESTS_COLUMNS); }

int sim_attempts_write(FILE *f, const sim_world *w, uint32_t id, const pol_outcome *o, const pol_verdict *v,
                       const sim_attempt_extra *x)
{
    if (id >= w->nslots || w->slots[id].state == SLOT_FREE) return -1;
    const sim_attempt_rec rec = { w, &w->slots[id], w->eng.now, o, v, x }, *r = &rec;
    sim_csv c;
    sim_csv_begin(&c, f);
    SIM_ATTEMPT_COLUMNS(COL_PUT)
    sim_csv_end(&c);
    return 0;
}

void sim_alert_write(sim_world *w, int provider, int cls, pol_ns when, long long failures)
{
    const sim_alert_rec rec = { w, provider, cls, when, failures }, *r = &rec;
    sim_csv c;
    sim_csv_begin(&c, w->alerts);
    SIM_ALERT_COLUMNS(COL_PUT)
    sim_csv_end(&c);
}

void sim_timeseries_write(FILE *f, const sim_world *w)
{
    const sim_scenario *sc = w->sc;
    sim_csv c;
    sim_csv_begin(&c, f);
    for (uint32_t b = 0; b < w->nbuckets; b++) {
        for (int p = 0; p < sc->nproviders; p++) {
            const sim_ts_rec rec = { w, b, (double)((pol_ns)b * sc->bucket) / 1e9, bucket_width(w, b), p,
                                     &w->bp[(size_t)b * (size_t)sc->nproviders + (size_t)p] }, *r = &rec;
            SIM_TIMESERIES_COLUMNS(COL_PUT)
            sim_csv_end(&c);
        }
    }
}

void sim_timeseries_requests_write(FILE *f, const sim_world *w)
{
    const sim_scenario *sc = w->sc;
    sim_csv c;
    sim_csv_begin(&c, f);
    for (uint32_t b = 0; b < w->nbuckets; b++) {
        const sim_req_rec rec = { w, b, (double)((pol_ns)b * sc->bucket) / 1e9, bucket_width(w, b), &w->br[b] },
                          *r = &rec;
        SIM_TIMESERIES_REQUESTS_COLUMNS(COL_PUT)
        sim_csv_end(&c);
    }
}
