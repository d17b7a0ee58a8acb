/* fit.c — `retrysim fit`: a workload and provider model from a request log
 * (see fit.h; the method and how to read the output: docs/fit.md).
 * Statistics are GSL's: gsl_stats_* (moments, quantiles, correlations),
 * gsl_fit_linear / gsl_fit_mul (latency), gsl_root_fsolver_brent (the gamma
 * shape's likelihood equation), gsl_sf_psi (digamma), gsl_cdf_* (the
 * candidates' CDFs for KS, chi-square p-values). */
#include "fit.h"
#include "cfg.h"
#include "units.h"
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_sf_psi.h>
#include <gsl/gsl_sort_double.h>
#include <gsl/gsl_statistics_double.h>

/* Effect sizes of the advice (docs/fit.md, "Decisions"): with thousands of
 * requests every test rejects a model that is slightly off, so the advice
 * follows how far off it is. */
#define FIT_VARY_CV     0.10   /* window rates vary by more than 10% beyond Poisson noise */
#define FIT_BURSTY_IDC  1.25   /* counts within windows 25% more dispersed than Poisson */
#define FIT_BURSTY_KS   0.03   /* rescaled inter-arrival times off the exponential by 3% */
#define FIT_CORRELATED  0.3    /* |Spearman| of prompt vs output tokens */
#define FIT_P           0.01   /* and each test significant at 1% */
#define FIT_MAX_WINDOWS 100000 /* rate windows in the part read (a timeline entry each) */

/* ---- reading ----------------------------------------------------------------- */

typedef struct {
    const bench_fit_opts *o;
    bench_fit_result     *r;
    int      col[SIM_COL__COUNT];
    int64_t  unit[SIM_COL__COUNT];
    size_t   ncells, n, cap;
    sim_time_kind kind;
    int64_t *t;                  /* ns (relative or since the epoch) */
    float   *prompt, *output;    /* NaN = empty */
    double  *lat, *ttft;         /* s, NaN = empty */
    int16_t *status;             /* 0 = empty */
    uint8_t *model;              /* index, BENCH_FIT_MAX_MODELS = another, 255 = empty */
} reader;

static int fit_header(reader *rd, const sim_csv_row *row, sim_err *err)
{
    int missing = -1;
    int rc = sim_trace_header(row, SIM_COL__COUNT, rd->o->mapped, rd->col, &missing, err);
    char q[96];
    if (rc == POL_ENOTFOUND)
        return sim_cfg_errf_loc(err, row->path, row->line[0], row->col[0],
                                "column '%s' (--column %s=...) is not in the header", sim_cfg_quote(rd->o->mapped[missing], q, sizeof q),
                                sim_col_name((sim_col)missing));
    if (rc) return rc;
    if (rd->col[SIM_COL_AT] < 0) {
        if (!sim_cfg_plausible_name(row->field[0]))
            return sim_cfg_errf_loc(err, row->path, row->line[0], row->col[0],
                                    "the first row is not a header naming the log's columns (is this a CSV request log?)");
        return sim_cfg_errf_loc(err, row->path, row->line[0], row->col[0],
                                "the header names no time column: expected %s, or name it with --column at=NAME",
                                sim_col_aliases(SIM_COL_AT));
    }
    if (rd->col[SIM_COL_CLASS] >= 0 && rd->col[SIM_COL_MODEL] < 0) {   /* a class column splits like a model */
        rd->col[SIM_COL_MODEL] = rd->col[SIM_COL_CLASS];
    }
    for (int c = 0; c < SIM_COL__COUNT; c++) {
        rd->unit[c] = rd->col[c] >= 0 ? sim_col_unit(row->field[rd->col[c]]) : 1000000000;
        if (rd->col[c] >= 0) snprintf(rd->r->header[c], sizeof rd->r->header[c], "%s", row->field[rd->col[c]]);
    }
    rd->ncells = row->n;
    return POL_OK;
}

static int grow(reader *rd)
{
    if (rd->n < rd->cap) return POL_OK;
    size_t cap = rd->cap ? rd->cap * 2 : 4096;
#define G(f) do { void *p_ = realloc(rd->f, cap * sizeof *rd->f); if (!p_) return POL_ENOMEM; rd->f = p_; } while (0)
    G(t); G(prompt); G(output); G(lat); G(ttft); G(status); G(model);
#undef G
    rd->cap = cap;
    return POL_OK;
}

static int cell_number(const sim_csv_row *row, int i, const char *what, double lo, double hi, double *out, sim_err *err)
{
    char q[96];
    if (sim_parse_double(row->field[i], out) || *out < lo || *out > hi)
        return sim_cfg_errf_loc(err, row->path, row->line[i], row->col[i], "expected %s, got '%s'", what,
                                sim_cfg_quote(row->field[i], q, sizeof q));
    return POL_OK;
}

static int fit_row(void *user, const sim_csv_row *row, sim_err *err)
{
    reader *rd = user;
    if (row->index == 0) return fit_header(rd, row, err);
    if (row->n != rd->ncells)
        return sim_cfg_errf_loc(err, row->path, row->line[0], row->col[0], "expected %zu cells, got %zu", rd->ncells, row->n);
    if (grow(rd)) return sim_cfg_errf(err, NULL, "out of memory");
    bench_fit_result *r = rd->r;
    size_t n = rd->n;
    char q[96];
    int i = rd->col[SIM_COL_AT];
    sim_time_kind kind;
    if (sim_trace_time(row->field[i], rd->unit[SIM_COL_AT], &rd->t[n], &kind))
        return sim_cfg_errf_loc(err, row->path, row->line[i], row->col[i],
                                "expected a time like 1.5s, 1.5 (seconds) or 2023-11-16 18:15:46.68, got '%s'",
                                sim_cfg_quote(row->field[i], q, sizeof q));
    if (!rd->kind) rd->kind = kind;
    else if (kind != rd->kind)
        return sim_cfg_errf_loc(err, row->path, row->line[i], row->col[i], "expected %s like the first row's, got '%s'",
                                rd->kind == SIM_TIME_ABSOLUTE ? "a date and time" : "a duration or seconds",
                                sim_cfg_quote(row->field[i], q, sizeof q));
    double x;
    rd->prompt[n] = rd->output[n] = NAN;
    rd->lat[n] = rd->ttft[n] = NAN;
    rd->status[n] = 0;
    rd->model[n] = 255;
    if ((i = rd->col[SIM_COL_PROMPT]) >= 0 && row->field[i][0]) {
        if (cell_number(row, i, "a token count >= 0", 0, 4e9, &x, err)) return POL_EINVAL;
        rd->prompt[n] = (float)x;
    }
    if ((i = rd->col[SIM_COL_OUTPUT]) >= 0 && row->field[i][0]) {
        if (cell_number(row, i, "a token count >= 0", 0, 4e9, &x, err)) return POL_EINVAL;
        rd->output[n] = (float)x;
    }
    static const int tcols[2] = { SIM_COL_LATENCY, SIM_COL_TTFT };
    for (int k = 0; k < 2; k++)
        if ((i = rd->col[tcols[k]]) >= 0 && row->field[i][0]) {
            pol_ns d;
            if (sim_trace_duration(row->field[i], rd->unit[tcols[k]], &d))
                return sim_cfg_errf_loc(err, row->path, row->line[i], row->col[i],
                                        "expected a duration like 1.2s or 1.2 (seconds) for '%s', got '%s'",
                                        sim_col_name((sim_col)tcols[k]), sim_cfg_quote(row->field[i], q, sizeof q));
            (k ? rd->ttft : rd->lat)[n] = (double)d / 1e9;
        }
    if ((i = rd->col[SIM_COL_STATUS]) >= 0 && row->field[i][0]) {
        long long v;
        if (sim_parse_int(row->field[i], &v) || v < 100 || v > 599)
            return sim_cfg_errf_loc(err, row->path, row->line[i], row->col[i], "expected an HTTP status 100..599, got '%s'",
                                    sim_cfg_quote(row->field[i], q, sizeof q));
        rd->status[n] = (int16_t)v;
    }
    if ((i = rd->col[SIM_COL_MODEL]) >= 0 && row->field[i][0]) {
        size_t m = 0;
        while (m < r->nmodels && strcmp(r->model[m], row->field[i])) m++;
        if (m == r->nmodels && m < BENCH_FIT_MAX_MODELS) {
            snprintf(r->model[m], sizeof r->model[m], "%s", row->field[i]);
            r->nmodels++;
        }
        rd->model[n] = (uint8_t)m;
    }
    rd->n++;
    return POL_OK;
}

/* ---- statistics ------------------------------------------------------------- */

double bench_fit_ks_p(double d, size_t n)
{
    if (n == 0) return NAN;
    double sn = sqrt((double)n), lam = (sn + 0.12 + 0.11 / sn) * d;
    if (lam < 0.2) return 1;
    double sum = 0, sign = 1;
    for (int k = 1; k <= 100; k++) {
        double term = sign * exp(-2.0 * k * k * lam * lam);
        sum += term;
        if (fabs(term) < 1e-12) break;
        sign = -sign;
    }
    double p = 2 * sum;
    return p < 0 ? 0 : p > 1 ? 1 : p;
}

static double cand_cdf(int cand, const bench_fit_cand *c, double x)
{
    if (x <= 0) return 0;
    switch (cand) {
    case BENCH_FIT_LOGNORMAL: return gsl_cdf_lognormal_P(x, log(c->a), c->b);
    case BENCH_FIT_GAMMA: return gsl_cdf_gamma_P(x, c->a, c->b);
    case BENCH_FIT_PARETO: return x <= c->b ? 0 : gsl_cdf_pareto_P(x, c->a, c->b);
    case BENCH_FIT_EXPONENTIAL: return gsl_cdf_exponential_P(x, c->a);
    }
    return 0;
}

double bench_fit_ks(int cand, const bench_fit_cand *c, const double *x, size_t n, int integers)
{
    double d = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && x[j] == x[i]) j++;
        /* the ECDF just below and at x[i]; a rounded model's mass of x[i] is F(x-1/2)..F(x+1/2) */
        double lo = (double)i / (double)n, hi = (double)j / (double)n;
        double fl = cand_cdf(cand, c, integers ? x[i] - 0.5 : x[i]);
        double fh = cand_cdf(cand, c, integers ? x[i] + 0.5 : x[i]);
        if (fabs(fh - hi) > d) d = fabs(fh - hi);
        if (fabs(fl - lo) > d) d = fabs(fl - lo);
        i = j;
    }
    return d;
}

static double cand_mean(int cand, const bench_fit_cand *c)
{
    switch (cand) {
    case BENCH_FIT_LOGNORMAL: return c->a * exp(c->b * c->b / 2);
    case BENCH_FIT_GAMMA: return c->a * c->b;
    case BENCH_FIT_PARETO: return c->a > 1 ? c->a * c->b / (c->a - 1) : INFINITY;
    default: return c->a;
    }
}

typedef struct { double s; } gamma_eq;
static double gamma_f(double k, void *p) { return log(k) - gsl_sf_psi(k) - ((gamma_eq *)p)->s; }

/* The MLE of the gamma shape: log k - digamma(k) = log(mean) - mean(log x). */
static int gamma_shape(double s, double *k)
{
    if (!(s > 0)) return -1;
    double k0 = (3 - s + sqrt((s - 3) * (s - 3) + 24 * s)) / (12 * s), lo = k0 / 2, hi = k0 * 2;
    gamma_eq eq = { s };
    gsl_function F = { gamma_f, &eq };
    for (int i = 0; i < 60 && gamma_f(lo, &eq) < 0; i++) lo /= 2;
    for (int i = 0; i < 60 && gamma_f(hi, &eq) > 0; i++) hi *= 2;
    if (gamma_f(lo, &eq) < 0 || gamma_f(hi, &eq) > 0) return -1;
    gsl_root_fsolver *sv = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!sv) return -1;
    gsl_root_fsolver_set(sv, &F, lo, hi);
    int status = GSL_CONTINUE;
    for (int it = 0; it < 200 && status == GSL_CONTINUE; it++) {
        gsl_root_fsolver_iterate(sv);
        status = gsl_root_test_interval(gsl_root_fsolver_x_lower(sv), gsl_root_fsolver_x_upper(sv), 0, 1e-12);
    }
    *k = gsl_root_fsolver_root(sv);
    gsl_root_fsolver_free(sv);
    return status == GSL_SUCCESS ? 0 : -1;
}

void bench_fit_candidate(int cand, const double *x, size_t n, int integers, bench_fit_cand *c)
{
    memset(c, 0, sizeof *c);
    if (n < 2) return;
    double dn = (double)n, sl = 0, sl2 = 0, sum = 0;
    for (size_t i = 0; i < n; i++) {
        double l = log(x[i]);
        sl += l;
        sl2 += l * l;
        sum += x[i];
    }
    double mean = sum / dn, ml = sl / dn;
    switch (cand) {
    case BENCH_FIT_LOGNORMAL: {            /* mu, sigma of log x (MLE: /n) */
        double var = sl2 / dn - ml * ml, sigma = sqrt(var > 0 ? var : 0);
        if (!(sigma > 0)) return;
        c->a = exp(ml);
        c->b = sigma;
        c->se_a = c->a * sigma / sqrt(dn);             /* delta method on e^mu */
        c->se_b = sigma / sqrt(2 * dn);
        break;
    }
    case BENCH_FIT_GAMMA: {
        double k;
        if (gamma_shape(log(mean) - ml, &k)) return;
        double th = mean / k, t1 = gsl_sf_psi_1(k), det = k * t1 - 1;
        if (!(det > 0)) return;
        c->a = k;
        c->b = th;
        c->se_a = sqrt(k / (dn * det));                /* inverse Fisher information */
        c->se_b = sqrt(t1 * th * th / (dn * det));
        break;
    }
    case BENCH_FIT_PARETO: {
        double xm = x[0], s = sl - dn * log(xm);
        if (!(s > 0)) return;
        c->a = dn / s;
        c->b = xm;
        c->se_a = c->a / sqrt(dn);
        c->se_b = xm / (dn * c->a);
        break;
    }
    case BENCH_FIT_EXPONENTIAL:
        c->a = mean;
        c->se_a = mean / sqrt(dn);
        break;
    default: return;
    }
    c->ok = 1;
    c->ks = bench_fit_ks(cand, c, x, n, integers);
    c->ks_p = bench_fit_ks_p(c->ks, n);
}

/* Fits every candidate to the non-NaN values of v[0..n). */
static int fit_dist(const float *vf, const double *vd, size_t n, double max_ks, bench_fit_dist *d)
{
    memset(d, 0, sizeof *d);
    d->best = -1;
    double *x = malloc((n ? n : 1) * sizeof *x);
    if (!x) return POL_ENOMEM;
    size_t m = 0;
    int integers = 1;
    for (size_t i = 0; i < n; i++) {
        double v = vf ? (double)vf[i] : vd[i];
        if (isnan(v)) continue;
        x[m++] = v;
        if (v != floor(v)) integers = 0;
    }
    d->n = m;
    d->integers = integers;
    if (m == 0) { free(x); return POL_OK; }
    gsl_sort(x, 1, m);
    d->mean = gsl_stats_mean(x, 1, m);
    d->sd = m > 1 ? gsl_stats_sd(x, 1, m) : 0;
    d->median = gsl_stats_median_from_sorted_data(x, 1, m);
    d->p90 = gsl_stats_quantile_from_sorted_data(x, 1, m, 0.90);
    d->p99 = gsl_stats_quantile_from_sorted_data(x, 1, m, 0.99);
    d->min = x[0];
    d->max = x[m - 1];
    size_t z = 0;
    while (z < m && x[z] <= 0) z++;
    d->zeros = z;
    for (int c = 0; c < BENCH_FIT__NCAND; c++) {
        bench_fit_candidate(c, x + z, m - z, integers, &d->c[c]);
        if (d->c[c].ok && z) {                          /* the zeros count against the fit */
            d->c[c].ks = bench_fit_ks(c, &d->c[c], x, m, integers);
            d->c[c].ks_p = bench_fit_ks_p(d->c[c].ks, m);
        }
        /* a model whose mean is not near the values' (a Pareto with alpha <= 1 has
         * none) would not load the provider as the log did */
        double cm = cand_mean(c, &d->c[c]);
        int usable = d->c[c].ok && isfinite(cm) && cm >= d->mean / 2 && cm <= d->mean * 2;
        d->c[c].mean_off = d->c[c].ok && !usable;
        if (usable && (d->best < 0 || d->c[c].ks < d->c[d->best].ks)) d->best = c;
    }
    d->empirical = d->best < 0 || d->c[d->best].ks > max_ks;
    free(x);
    return POL_OK;
}

/* Fisher's z interval of a correlation r from n pairs (95%). */
static void corr_ci(double r, size_t n, double *lo, double *hi)
{
    if (n < 4 || !(fabs(r) < 1)) { *lo = *hi = r; return; }
    double z = atanh(r), se = 1 / sqrt((double)n - 3);
    *lo = tanh(z - 1.96 * se);
    *hi = tanh(z + 1.96 * se);
}

/* KS distance of gaps g[0..m) to exponential(mean). */
static double ks_exp_gaps(double *g, size_t m, double mean)
{
    gsl_sort(g, 1, m);
    bench_fit_cand c = { .ok = 1, .a = mean };
    return bench_fit_ks(BENCH_FIT_EXPONENTIAL, &c, g, m, 0);
}

static int analyze_arrivals(const bench_fit_opts *o, bench_fit_result *r, const double *t, size_t n)
{
    r->n = n;
    r->span = t[n - 1] - t[0];
    r->rate = (double)(n - 1) / r->span;
    r->rate_se = sqrt((double)(n - 1)) / r->span;
    double W = (o->window > 0 ? (double)o->window / 1e9 : 60) / (o->speed > 0 ? o->speed : 1);   /* run time */
    if (W > r->span) W = r->span;
    r->window = W;
    size_t nw = (size_t)ceil(r->span / W);
    if (nw < 1) nw = 1;
    /* a last window shorter than half of one joins the one before */
    if (nw > 1 && r->span - (double)(nw - 1) * W < W / 2) nw--;
    r->nwin = nw;
    r->win_rate = calloc(nw, sizeof *r->win_rate);
    double *cnt = calloc(nw, sizeof *cnt);
    double *g = malloc((n - 1) * sizeof *g);
    double bin = W / 60;
    size_t nbins_max = (size_t)(W * 1.5 / bin) + 2;
    double *bc = calloc(nbins_max, sizeof *bc);
    if (!r->win_rate || !cnt || !g || !bc) { free(cnt); free(g); free(bc); return POL_ENOMEM; }
    r->bin = bin;
    for (size_t i = 0; i < n; i++) {
        size_t j = (size_t)((t[i] - t[0]) / W);
        cnt[j < nw ? j : nw - 1] += 1;
    }
    double len_last = r->span - (double)(nw - 1) * W;
    for (size_t j = 0; j < nw; j++) r->win_rate[j] = cnt[j] / (j + 1 < nw ? W : len_last > 0 ? len_last : W);
    /* dispersion of the counts of full windows */
    size_t full = nw > 1 && fabs(len_last - W) > 1e-9 ? nw - 1 : nw;
    if (full >= 2) {
        double m = gsl_stats_mean(cnt, 1, full), v = gsl_stats_variance(cnt, 1, full);
        r->idc_win = v / m;
        r->idc_win_p = gsl_cdf_chisq_Q(r->idc_win * (double)(full - 1), (double)(full - 1));
        r->excess_cv = v > m ? sqrt(v - m) / m : 0;
    } else
        r->idc_win = r->idc_win_p = NAN;
    /* within windows: counts per bin around each window's mean, pooled */
    double chi = 0, dof = 0;
    size_t i0 = 0;
    for (size_t j = 0; j < nw; j++) {
        double ws = t[0] + (double)j * W, len = j + 1 < nw ? W : len_last;
        size_t nb = (size_t)floor(len / bin + 1e-9);
        if (nb > nbins_max) nb = nbins_max;
        if (nb < 2) continue;
        memset(bc, 0, nb * sizeof *bc);
        while (i0 < n && t[i0] < ws) i0++;
        double in = 0;
        for (size_t i = i0; i < n && t[i] < ws + (double)nb * bin; i++) {
            size_t b = (size_t)((t[i] - ws) / bin);
            if (b < nb) { bc[b] += 1; in += 1; }
        }
        double m = in / (double)nb;
        if (m <= 0) continue;
        for (size_t b = 0; b < nb; b++) chi += (bc[b] - m) * (bc[b] - m) / m;
        dof += (double)(nb - 1);
    }
    r->idc_in = dof > 0 ? chi / dof : NAN;
    r->idc_in_p = dof > 0 ? gsl_cdf_chisq_Q(chi, dof) : NAN;
    /* inter-arrival times, then rescaled by the piecewise rate */
    for (size_t i = 0; i + 1 < n; i++) g[i] = t[i + 1] - t[i];
    r->ks_exp = ks_exp_gaps(g, n - 1, r->span / (double)(n - 1));
    r->ks_exp_p = bench_fit_ks_p(r->ks_exp, n - 1);
    double prev = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double x = t[i] - t[0], lam = 0;          /* Lambda(x) = integral of the window rates */
        size_t j = (size_t)(x / W);
        if (j >= nw) j = nw - 1;
        for (size_t k = 0; k < j; k++) lam += r->win_rate[k] * W;   /* O(nw) per request: fine for logs */
        lam += r->win_rate[j] * (x - (double)j * W);
        if (i) g[m++] = lam - prev;
        prev = lam;
        if (nw > 64) break;                        /* many windows: the faster cumulative pass below */
    }
    if (nw > 64) {
        double *cum = malloc((nw + 1) * sizeof *cum);
        if (!cum) { free(cnt); free(g); free(bc); return POL_ENOMEM; }
        cum[0] = 0;
        for (size_t k = 0; k < nw; k++) cum[k + 1] = cum[k] + r->win_rate[k] * W;
        m = 0;
        prev = 0;
        for (size_t i = 0; i < n; i++) {
            double x = t[i] - t[0];
            size_t j = (size_t)(x / W);
            if (j >= nw) j = nw - 1;
            double lam = cum[j] + r->win_rate[j] * (x - (double)j * W);
            if (i) g[m++] = lam - prev;
            prev = lam;
        }
        free(cum);
    }
    double mean = 0;
    for (size_t i = 0; i < m; i++) mean += g[i];
    mean = m ? mean / (double)m : 1;
    r->ks_resc = ks_exp_gaps(g, m, mean);
    r->ks_resc_p = bench_fit_ks_p(r->ks_resc, m);
    r->vary = full >= 2 && r->idc_win_p < FIT_P && r->excess_cv >= FIT_VARY_CV;
    r->bursty = (r->idc_in > FIT_BURSTY_IDC && r->idc_in_p < FIT_P) || (r->ks_resc > FIT_BURSTY_KS && r->ks_resc_p < FIT_P);
    r->replay = o->arrivals == BENCH_FIT_REPLAY || (o->arrivals == BENCH_FIT_AUTO && r->bursty);
    free(cnt);
    free(g);
    free(bc);
    return POL_OK;
}

static int analyze_latency(bench_fit_result *r, const reader *rd, const size_t *keep, size_t n, double max_ks)
{
    double *x = malloc((n ? n : 1) * sizeof *x), *y = malloc((n ? n : 1) * sizeof *y);
    double *tt = malloc((n ? n : 1) * sizeof *tt);
    if (!x || !y || !tt) { free(x); free(y); free(tt); return POL_ENOMEM; }
    size_t m = 0, mt = 0;
    int has_ttft = rd->col[SIM_COL_TTFT] >= 0;
    for (size_t k = 0; k < n; k++) {
        size_t i = keep[k];
        int ok = !rd->status[i] || (rd->status[i] >= 200 && rd->status[i] < 300);
        if (!ok) continue;
        if (has_ttft && !isnan(rd->ttft[i])) tt[mt++] = rd->ttft[i];
        if (isnan(rd->lat[i]) || isnan(rd->output[i])) continue;
        if (has_ttft && isnan(rd->ttft[i])) continue;
        x[m] = rd->output[i];
        y[m] = has_ttft ? rd->lat[i] - rd->ttft[i] : rd->lat[i];
        m++;
    }
    if (has_ttft && mt && fit_dist(NULL, tt, mt, max_ks, &r->ttft_d)) { free(x); free(y); free(tt); return POL_ENOMEM; }
    r->nlat = m;
    if (m >= 3) {
        double c0 = 0, c1, cov00 = 0, cov01, cov11, sumsq;
        if (has_ttft) {                   /* decode time through the origin */
            gsl_fit_mul(x, 1, y, 1, m, &c1, &cov11, &sumsq);
            c0 = r->ttft_d.n ? r->ttft_d.median : 0;
        } else
            gsl_fit_linear(x, 1, y, 1, m, &c0, &c1, &cov00, &cov01, &cov11, &sumsq);
        double ym = gsl_stats_mean(y, 1, m), tss = 0;
        for (size_t i = 0; i < m; i++) tss += (y[i] - ym) * (y[i] - ym);
        r->r2 = tss > 0 ? 1 - sumsq / tss : NAN;
        r->ttft = c0;
        r->ttft_se = sqrt(cov00);
        r->per_token = c1;
        r->per_token_se = sqrt(cov11);
        if (!has_ttft) {
            /* the noise is multiplicative, so the residuals grow with the tokens:
             * White's heteroskedasticity-consistent (HC0) standard errors */
            double xm = gsl_stats_mean(x, 1, m), sxx = 0, va = 0, vb = 0;
            for (size_t i = 0; i < m; i++) sxx += (x[i] - xm) * (x[i] - xm);
            for (size_t i = 0; sxx > 0 && i < m; i++) {
                double e = y[i] - c0 - c1 * x[i], wb = (x[i] - xm) / sxx, wa = 1.0 / (double)m - xm * wb;
                va += wa * wa * e * e;
                vb += wb * wb * e * e;
            }
            if (sxx > 0) { r->ttft_se = sqrt(va); r->per_token_se = sqrt(vb); }
        }
        if (r->ttft < 0) { r->ttft = 0; r->ttft_clamped = 1; }
        if (r->per_token < 0) r->per_token = 0;
        /* the spread around the line, as the model's lognormal noise factor */
        size_t q = 0;
        for (size_t i = 0; i < m; i++) {
            double fitted = (has_ttft ? 0 : r->ttft) + r->per_token * x[i];
            if (fitted > 0 && y[i] > 0) tt[q++] = log(y[i] / fitted);
        }
        if (q >= 2) {
            /* the model's noise factor has median 1 and mean e^(sigma^2/2): least
             * squares fit the line of means, so scale it to the line of medians
             * by the geometric mean of latency / line */
            r->noise = gsl_stats_sd(tt, 1, q);
            r->noise_se = r->noise / sqrt(2.0 * (double)q);
            double g = exp(gsl_stats_mean(tt, 1, q));
            r->ratio_median = g;
            if (!has_ttft) { r->ttft *= g; r->ttft_se *= g; }
            r->per_token *= g;
            r->per_token_se *= g;
        }
    }
    free(x);
    free(y);
    free(tt);
    return POL_OK;
}

static void analyze_status(bench_fit_result *r, const reader *rd, const size_t *keep, size_t n, const double *tsec)
{
    size_t c5[100] = { 0 };
    double in_minute = 0;
    for (size_t k = 0; k < n; k++) {
        size_t i = keep[k];
        int s = rd->status[i];
        if (!s) continue;
        r->nstatus++;
        if (s >= 200 && s < 300) r->n2xx++;
        else if (s == 429) r->n429++;
        else if (s >= 500) { r->n5xx++; c5[s - 500]++; }
        else if (s >= 400) r->n4xx++;
        else r->nother++;
    }
    int top = 0;
    for (int s = 0; s < 100; s++) if (c5[s] > c5[top]) top = s;
    r->top5xx = r->n5xx ? 500 + top : 500;
    size_t adm = r->nstatus - r->n429;
    r->error_rate = adm ? (double)r->n5xx / (double)adm : 0;
    r->error_rate_se = adm ? sqrt(r->error_rate * (1 - r->error_rate) / (double)adm) : 0;
    if (!r->n429) return;
    /* the busiest minute of admitted requests, in time order (tsec is sorted with keep) */
    size_t lo = 0;
    for (size_t k = 0; k < n; k++) {
        size_t i = keep[k];
        if (rd->status[i] && rd->status[i] != 429) in_minute += 1;
        while (tsec[k] - tsec[lo] >= 60) {
            size_t j = keep[lo];
            if (rd->status[j] && rd->status[j] != 429) in_minute -= 1;
            lo++;
        }
        if (in_minute > r->peak_admitted_rpm) r->peak_admitted_rpm = in_minute;
    }
}

/* Sorts keep[] by time. */
static const int64_t *g_sort_t;
static int cmp_keep(const void *a, const void *b)
{
    int64_t x = g_sort_t[*(const size_t *)a], y = g_sort_t[*(const size_t *)b];
    if (x != y) return (x > y) - (x < y);
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    return (i > j) - (i < j);
}

int bench_fit_analyze(const bench_fit_opts *o, bench_fit_result *r, sim_err *err)
{
    memset(r, 0, sizeof *r);
    reader rd = { .o = o, .r = r };
    int rc = sim_cfg_csv_read_input(o->path, "a header naming the columns (a time, and any of prompt_tokens, "
                                    "output_tokens, latency, ttft, status, model), then one request per row", fit_row, &rd, err);
    size_t *keep = NULL;
    double *tsec = NULL;
    if (rc) goto out;
    r->rows = rd.n;
    if (rd.n < 2) { rc = sim_cfg_errf_loc(err, NULL, 0, 0, "%s: fewer than two requests", o->path); goto out; }
    /* the part read: [from, from + span) after the first request, in time order */
    keep = malloc(rd.n * sizeof *keep);
    tsec = malloc(rd.n * sizeof *tsec);
    if (!keep || !tsec) { rc = sim_cfg_errf(err, NULL, "out of memory"); goto out; }
    for (size_t i = 0; i < rd.n; i++) keep[i] = i;
    g_sort_t = rd.t;
    qsort(keep, rd.n, sizeof *keep, cmp_keep);
    int64_t t0 = rd.t[keep[0]];
    double speed = o->speed > 0 ? o->speed : 1;
    size_t n = 0;
    for (size_t k = 0; k < rd.n; k++) {
        /* in time order, so >= 0; unsigned: 1678 to 2261 is more ns than an int64 holds */
        uint64_t dt = (uint64_t)rd.t[keep[k]] - (uint64_t)t0, from = (uint64_t)o->from;
        if (dt < from || (o->span > 0 && dt - from >= (uint64_t)o->span)) continue;
        keep[n] = keep[k];
        tsec[n++] = (double)(dt - from) / 1e9 / speed;    /* the run's clock */
    }
    if (n < 2 || tsec[n - 1] <= tsec[0]) {
        rc = sim_cfg_errf_loc(err, NULL, 0, 0, "%s: fewer than two requests at different times%s", o->path,
                              o->from || o->span ? " in the part read (--from, --for)" : "");
        goto out;
    }
    {
        /* the windows cost memory and timeline entries in proportion to the span, not to the rows:
         * a few rows a century apart would be 52 million windows of 1m */
        double W = (o->window > 0 ? (double)o->window / 1e9 : 60) / speed, span = tsec[n - 1] - tsec[0];
        if (span / W > FIT_MAX_WINDOWS) {
            rc = sim_cfg_errf_loc(err, NULL, 0, 0, "%s: the part read spans %.6g s (run time), %.6g windows of "
                                  "%.6g s: at most %d (use a wider --window, or --from and --for)", o->path, span,
                                  ceil(span / W), W, FIT_MAX_WINDOWS);
            goto out;
        }
    }
    if ((rc = analyze_arrivals(o, r, tsec, n))) { sim_cfg_errf(err, NULL, "out of memory"); goto out; }
    double max_ks = o->max_ks > 0 ? o->max_ks : 0.05;
    float *pf = malloc(n * sizeof *pf), *of = malloc(n * sizeof *of);
    if (!pf || !of) { free(pf); free(of); rc = sim_cfg_errf(err, NULL, "out of memory"); goto out; }
    for (size_t k = 0; k < n; k++) { pf[k] = rd.prompt[keep[k]]; of[k] = rd.output[keep[k]]; }
    if (fit_dist(pf, NULL, n, max_ks, &r->prompt) || fit_dist(of, NULL, n, max_ks, &r->output)) {
        free(pf); free(of);
        rc = sim_cfg_errf(err, NULL, "out of memory");
        goto out;
    }
    /* the pairs */
    double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), *w = malloc(2 * n * sizeof *w);
    if (!a || !b || !w) {
        free(a); free(b); free(w); free(pf); free(of);
        rc = sim_cfg_errf(err, NULL, "out of memory");
        goto out;
    }
    {
        size_t m = 0;
        for (size_t k = 0; k < n; k++)
            if (!isnan(pf[k]) && !isnan(of[k])) { a[m] = pf[k]; b[m] = of[k]; m++; }
        r->npairs = m;
        if (m >= 3) {
            r->pearson = gsl_stats_correlation(a, 1, b, 1, m);
            r->spearman = gsl_stats_spearman(a, 1, b, 1, m, w);
            size_t q = 0;
            for (size_t k = 0; k < m; k++)
                if (a[k] > 0 && b[k] > 0) { a[q] = log(a[k]); b[q] = log(b[k]); q++; }
            r->pearson_log = q >= 3 ? gsl_stats_correlation(a, 1, b, 1, q) : NAN;
            r->correlated = fabs(r->spearman) >= FIT_CORRELATED;
        }
    }
    free(a); free(b); free(w);
    free(pf); free(of);
    if (analyze_latency(r, &rd, keep, n, max_ks)) { rc = sim_cfg_errf(err, NULL, "out of memory"); goto out; }
    analyze_status(r, &rd, keep, n, tsec);
    for (size_t k = 0; k < n; k++) {
        uint8_t m = rd.model[keep[k]];
        if (m != 255) r->model_n[m < BENCH_FIT_MAX_MODELS ? m : BENCH_FIT_MAX_MODELS]++;
    }
    rc = POL_OK;
out:
    free(keep); free(tsec);
    free(rd.t); free(rd.prompt); free(rd.output); free(rd.lat); free(rd.ttft); free(rd.status); free(rd.model);
    if (rc) bench_fit_free(r);
    return rc < 0 ? rc : rc ? POL_EINVAL : POL_OK;
}

void bench_fit_free(bench_fit_result *r)
{
    if (!r) return;
    free(r->win_rate);
    r->win_rate = NULL;
    r->nwin = 0;
}

/* ---- paths ------------------------------------------------------------------ */

void bench_fit_log_ref(const char *log, const char *out_file, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s", log);
    char la[PATH_MAX], od[PATH_MAX], dir[PATH_MAX];
    if (!realpath(log, la)) return;
    snprintf(buf, cap, "%s", la);
    snprintf(dir, sizeof dir, "%s", out_file);
    char *slash = strrchr(dir, '/');
    if (slash == dir) dir[1] = '\0';
    else if (slash) *slash = '\0';
    else snprintf(dir, sizeof dir, ".");
    if (!realpath(dir, od)) return;
    /* the common directories, then one ".." per remaining one of od */
    size_t i = 0, common = 0;
    while (la[i] && od[i] && la[i] == od[i]) { if (la[i] == '/') common = i; i++; }
    if (!od[i] && la[i] == '/') common = i;             /* od is a directory prefix of la */
    size_t n = 0;
    buf[0] = '\0';
    for (const char *p = od + common; *p; p++)
        if (*p == '/' && p[1]) n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, "../");
    if (n < cap) snprintf(buf + n, cap - n, "%s", la + common + 1);
}

/* ---- the fragment ---------------------------------------------------------- */

static const char *const CAND_NAMES[BENCH_FIT__NCAND] = { "lognormal", "gamma", "pareto", "exponential" };

static char *fmt_dur(double sec, char *buf, size_t n)
{
    return sim_format_duration((pol_ns)llround(sec * 1e9), buf, n);
}

/* A number with 4 significant digits, no exponent for usual values. */
static char *num(double v, char *buf, size_t n)
{
    snprintf(buf, n, "%.4g", v);
    return buf;
}

static char *pval(double p, char *buf, size_t n)
{
    if (isnan(p)) snprintf(buf, n, "n/a");
    else if (p < 1e-12) snprintf(buf, n, "< 1e-12");
    else snprintf(buf, n, "%.2g", p);
    return buf;
}

/* The distribution text of a candidate (durations: times in s). */
static void cand_text(int cand, const bench_fit_cand *c, int durations, char *buf, size_t n)
{
    char a[40], b[40];
    switch (cand) {
    case BENCH_FIT_LOGNORMAL:
        if (durations) fmt_dur(c->a, a, sizeof a); else num(c->a, a, sizeof a);
        snprintf(buf, n, "lognormal(%s, %.3g)", a, c->b);
        break;
    case BENCH_FIT_GAMMA:
        if (durations) fmt_dur(c->b, b, sizeof b); else num(c->b, b, sizeof b);
        snprintf(buf, n, "gamma(%.4g, %s)", c->a, b);
        break;
    case BENCH_FIT_PARETO:
        if (durations) fmt_dur(c->b, b, sizeof b); else num(c->b, b, sizeof b);
        snprintf(buf, n, "pareto(%.4g, %s)", c->a, b);
        break;
    default:
        if (durations) fmt_dur(c->a, a, sizeof a); else num(c->a, a, sizeof a);
        snprintf(buf, n, "exponential(%s)", a);
    }
}

static void cand_params(int cand, const bench_fit_cand *c, char *buf, size_t n)
{
    static const char *const P[BENCH_FIT__NCAND][2] = {
        { "median", "sigma" }, { "shape", "scale" }, { "alpha", "xm" }, { "mean", NULL } };
    if (P[cand][1])
        snprintf(buf, n, "%s %.4g ± %.2g, %s %.4g ± %.2g", P[cand][0], c->a, c->se_a, P[cand][1], c->b, c->se_b);
    else
        snprintf(buf, n, "%s %.4g ± %.2g", P[cand][0], c->a, c->se_a);
}

/* The value a workload key gets for a fitted distribution. */
static void dist_value(const bench_fit_opts *o, const bench_fit_result *r, const bench_fit_dist *d, sim_col col,
                       char *buf, size_t n)
{
    if (d->empirical)
        snprintf(buf, n, "\"empirical(%s, %s)\"", o->log_ref ? o->log_ref : o->path, r->header[col]);
    else
        cand_text(d->best, &d->c[d->best], 0, buf, n);
}

static void report_dist(sim_buf *b, const char *name, const bench_fit_dist *d, double max_ks, int part)
{
    char p1[32], p2[32], p3[32];
    sim_buf_printf(b, "#   %s: n = %zu, mean %s, sd %.4g, median %.4g, p90 %.4g, p99 %.4g, max %.4g%s\n", name, d->n,
                   num(d->mean, p1, sizeof p1), d->sd, d->median, d->p90, d->p99, d->max,
                   d->integers ? " (integers: the KS test compares the model rounded as the simulator rounds)" : "");
    if (d->zeros) sim_buf_printf(b, "#     %zu zeros, left out of the fits (they count in the KS distances)\n", d->zeros);
    for (int c = 0; c < BENCH_FIT__NCAND; c++) {
        const bench_fit_cand *k = &d->c[c];
        if (!k->ok) { sim_buf_printf(b, "#     %-12s no fit\n", CAND_NAMES[c]); continue; }
        char params[160];
        cand_params(c, k, params, sizeof params);
        sim_buf_printf(b, "#     %-12s %-52s KS D = %.4f (p %s)%s\n", CAND_NAMES[c], params, k->ks, pval(k->ks_p, p2, sizeof p2),
                       c == d->best ? (d->empirical ? "  <- the best, but above --max-ks" : "  <- the best")
                       : k->mean_off ? "  (its mean is not within a factor 2 of the values': not used)" : "");
    }
    if (d->empirical)
        sim_buf_printf(b, "#     -> no candidate is within KS D %s: the log's own values, empirical(log, column)%s\n",
                       num(max_ks, p3, sizeof p3), part ? " (which reads every row of the log, not only the part read)" : "");
}

void bench_fit_emit(const bench_fit_opts *o, const bench_fit_result *r, sim_buf *b)
{
    char x1[64], x2[64], x3[64], x4[64];
    const char *log = o->log_ref ? o->log_ref : o->path;
    double max_ks = o->max_ks > 0 ? o->max_ks : 0.05;
    sim_buf_printf(b, "# A workload and provider model fitted to %s by `retrysim fit` (docs/fit.md).\n", o->path);
    sim_buf_printf(b, "# %zu requests over %s", r->n, fmt_dur(r->span, x1, sizeof x1));
    if (o->from || o->span)
        sim_buf_printf(b, " (from %s%s%s of %zu rows)", fmt_dur((double)o->from / 1e9, x2, sizeof x2), o->span ? " for " : "",
                       o->span ? fmt_dur((double)o->span / 1e9, x3, sizeof x3) : "", r->rows);
    if (o->speed > 0 && o->speed != 1)
        sim_buf_printf(b, ", replayed %g times as fast: rates, times and the duration below are the run's", o->speed);
    sim_buf_puts(b, "; columns read:");
    for (int c = 0, k = 0; c < SIM_COL__COUNT; c++)
        if (r->header[c][0]) sim_buf_printf(b, "%s %s = %s", k++ ? "," : "", sim_col_name((sim_col)c), r->header[c]);
    sim_buf_puts(b, "\n#\n# Arrivals\n");
    sim_buf_printf(b, "#   mean rate %s/s ± %s (SE)\n", num(r->rate, x1, sizeof x1), num(r->rate_se, x2, sizeof x2));
    if (!isnan(r->idc_win))
        sim_buf_printf(b, "#   counts per %s window: index of dispersion %.3g (Poisson: 1), chi2 p %s; rate spread beyond "
                       "Poisson noise %.0f%%%s\n", fmt_dur(r->window, x1, sizeof x1), r->idc_win,
                       pval(r->idc_win_p, x2, sizeof x2), 100 * r->excess_cv,
                       r->vary ? " -> the rate changes: a timeline of per-window rates" : " -> one rate");
    if (!isnan(r->idc_in))
        sim_buf_printf(b, "#   counts per %s within the windows: index of dispersion %.3g (Poisson: 1), chi2 p %s\n",
                       fmt_dur(r->bin, x1, sizeof x1), r->idc_in, pval(r->idc_in_p, x2, sizeof x2));
    sim_buf_printf(b, "#   inter-arrival times vs exponential: KS D = %.4f (p %s); rescaled by the window rates: "
                   "KS D = %.4f (p %s)\n", r->ks_exp, pval(r->ks_exp_p, x1, sizeof x1), r->ks_resc,
                   pval(r->ks_resc_p, x2, sizeof x2));
    sim_buf_printf(b, "#   -> %s\n", r->bursty ? "burstier than a Poisson process even per window: replay the log (loop: trace)"
                                                : r->vary ? "Poisson within each window: open loop with a timeline of rates"
                                                          : "consistent with one Poisson rate: open loop");
    if (r->prompt.n || r->output.n) {
        sim_buf_puts(b, "#\n# Token counts (maximum likelihood, SE; KS distance to the log's values)\n");
        int part = o->from || o->span;
        if (r->prompt.n) report_dist(b, "prompt_tokens", &r->prompt, max_ks, part);
        if (r->output.n) report_dist(b, "output_tokens", &r->output, max_ks, part);
    }
    if (r->npairs >= 3) {
        double lo, hi, lo2, hi2;
        corr_ci(r->pearson, r->npairs, &lo, &hi);
        corr_ci(r->spearman, r->npairs, &lo2, &hi2);
        sim_buf_printf(b, "#   prompt vs output (%zu pairs): Pearson %.3f [%.3f, %.3f], of logs %.3f, Spearman %.3f [%.3f, %.3f]\n",
                       r->npairs, r->pearson, lo, hi, r->pearson_log, r->spearman, lo2, hi2);
        sim_buf_printf(b, "#   -> %s\n", r->correlated
            ? "strongly correlated: the format draws them independently; replay the log to keep the pairs, or split the "
              "traffic into classes by size"
            : "weakly correlated: independent draws lose little");
    }
    if (r->nlat >= 3) {
        sim_buf_printf(b, "#\n# Provider latency (%zu successful requests; %s)\n", r->nlat,
                       r->header[SIM_COL_TTFT][0] ? "ttft: its own column, per_token: least squares of latency - ttft on "
                                                    "output tokens through 0 (gsl_fit_mul)"
                                                  : "least squares of latency on output tokens, gsl_fit_linear");
        if (r->header[SIM_COL_TTFT][0] && r->ttft_d.n && r->ttft_d.c[BENCH_FIT_LOGNORMAL].ok) {
            char params[160];
            cand_params(BENCH_FIT_LOGNORMAL, &r->ttft_d.c[BENCH_FIT_LOGNORMAL], params, sizeof params);
            sim_buf_printf(b, "#   ttft: lognormal %s (s), KS D = %.4f\n", params, r->ttft_d.c[BENCH_FIT_LOGNORMAL].ks);
        } else
            sim_buf_printf(b, "#   ttft (intercept) %s ± %s%s\n", fmt_dur(r->ttft, x1, sizeof x1),
                           fmt_dur(r->ttft_se, x2, sizeof x2), r->ttft_clamped ? " (negative: set to 0)" : "");
        sim_buf_printf(b, "#   per_token (slope) %s ± %s, R² %.3f; residual log spread %.3f ± %.2g (-> noise)\n",
                       fmt_dur(r->per_token, x1, sizeof x1), fmt_dur(r->per_token_se, x2, sizeof x2), r->r2, r->noise,
                       r->noise_se);
        sim_buf_printf(b, "#   (the line of means scaled by %.4f, the geometric mean of latency / line: the model's noise has median 1)\n",
                       r->ratio_median);
    }
    if (r->nstatus) {
        double d = (double)r->nstatus;
        sim_buf_printf(b, "#\n# Status (%zu requests): 2xx %.2f%%, 429 %.2f%% ± %.2f%%, 5xx %.2f%%, other 4xx %.2f%%\n",
                       r->nstatus, 100 * (double)r->n2xx / d, 100 * (double)r->n429 / d,
                       100 * sqrt((double)r->n429 / d * (1 - (double)r->n429 / d) / d), 100 * (double)r->n5xx / d,
                       100 * (double)r->n4xx / d);
        sim_buf_printf(b, "#   error_rate %.4g ± %.2g: the 5xx share of the requests not answered 429 (mostly %d)\n",
                       r->error_rate, r->error_rate_se, r->top5xx);
        if (r->n429)
            sim_buf_printf(b, "#   the 429s say a rate limit was reached: the busiest minute of admitted requests had %.0f, "
                           "a lower bound of the limit (rate_limit: { rpm: %.0f } below)\n", r->peak_admitted_rpm,
                           r->peak_admitted_rpm);
    }
    if (r->nmodels > 1) {
        sim_buf_puts(b, "#\n# Models:");
        for (size_t m = 0; m <= r->nmodels && m <= BENCH_FIT_MAX_MODELS; m++)
            if (r->model_n[m])
                sim_buf_printf(b, " %s %.1f%%", m < r->nmodels ? r->model[m] : "(others)", 100.0 * (double)r->model_n[m] / (double)r->n);
        sim_buf_puts(b, "\n#   -> several models: fit each one's rows (a class per model) if their sizes differ\n");
    }
    /* the fragment */
    sim_buf_printf(b, "\nduration: %s            # the span read (the run's clock; a part of the log: --from, --for)\n",
                   fmt_dur(ceil(r->span), x1, sizeof x1));
    char pt[512] = "", ot[512] = "";
    if (r->prompt.n && r->prompt.best >= 0) dist_value(o, r, &r->prompt, SIM_COL_PROMPT, pt, sizeof pt);
    if (r->output.n && r->output.best >= 0) dist_value(o, r, &r->output, SIM_COL_OUTPUT, ot, sizeof ot);
    /* the two workloads: the chosen one is written, the other commented */
    sim_buf poisson = { 0 }, replay = { 0 };
    sim_buf_printf(&poisson, "workload:\n  loop: open\n  rate: %s/s\n", num(r->vary ? r->win_rate[0] : r->rate, x1, sizeof x1));
    sim_buf_printf(&replay, "workload:\n  loop: trace\n  arrivals_csv:\n    file: %s\n", log);
    int mapped = 0;
    for (int c = 0; c < SIM_COL_TRACE__COUNT; c++) mapped |= o->mapped[c] != NULL;
    if (mapped) {
        sim_buf_puts(&replay, "    columns: {");
        int first = 1;
        for (int c = 0; c < SIM_COL_TRACE__COUNT; c++)
            if (o->mapped[c]) { sim_buf_printf(&replay, "%s %s: %s", first ? "" : ",", sim_col_name((sim_col)c), o->mapped[c]); first = 0; }
        sim_buf_puts(&replay, " }\n");
    }
    if (o->from || o->span) {
        sim_buf_printf(&replay, "    from: %s\n", fmt_dur((double)o->from / 1e9, x2, sizeof x2));
        if (o->span) sim_buf_printf(&replay, "    for: %s\n", fmt_dur((double)o->span / 1e9, x2, sizeof x2));
    }
    if (o->speed > 0 && o->speed != 1) sim_buf_printf(&replay, "    speed: %g\n", o->speed);
    sim_buf *both[2] = { &poisson, &replay };
    for (int k = 0; k < 2; k++) {
        if (pt[0]) sim_buf_printf(both[k], "  prompt_tokens: %s%s\n", pt, k ? "   # for rows without a count" : "");
        if (ot[0]) sim_buf_printf(both[k], "  output_tokens: %s%s\n", ot, k ? "   # for rows without a count" : "");
    }
    if (r->vary) {
        sim_buf_puts(&poisson, "timeline:                   # the rate of each window\n");
        for (size_t j = 1; j < r->nwin; j++)
            sim_buf_printf(&poisson, "  - { at: %s, set: { rate: %s/s } }\n", fmt_dur((double)j * r->window, x3, sizeof x3),
                           num(r->win_rate[j], x4, sizeof x4));
    }
    const sim_buf *use = r->replay ? &replay : &poisson, *other = r->replay ? &poisson : &replay;
    if (use->s) sim_buf_puts(b, use->s);
    /* the provider */
    sim_buf_printf(b, "providers:\n  - name: %s\n", o->provider ? o->provider : "fitted");
    if (r->nlat >= 3) {
        char tt[96];
        if (r->header[SIM_COL_TTFT][0] && r->ttft_d.n && r->ttft_d.c[BENCH_FIT_LOGNORMAL].ok)
            cand_text(BENCH_FIT_LOGNORMAL, &r->ttft_d.c[BENCH_FIT_LOGNORMAL], 1, tt, sizeof tt);
        else
            fmt_dur(r->ttft, tt, sizeof tt);
        sim_buf_printf(b, "    latency: { ttft: %s, per_token: %s, noise: %.3g }\n", tt,
                       fmt_dur(r->per_token, x2, sizeof x2), r->noise > 10 ? 10 : r->noise);
    } else
        sim_buf_puts(b, "    # no latency column: the provider answers at once; give it your latency model\n");
    if (r->nstatus && r->n5xx)
        sim_buf_printf(b, "    error_rate: %.4g\n    error_status: %d\n", r->error_rate, r->top5xx);
    if (r->n429)
        sim_buf_printf(b, "    # rate_limit: { rpm: %.0f }   # at least this: the log's busiest minute of admitted requests\n",
                       r->peak_admitted_rpm);
    /* the other workload, commented */
    sim_buf_printf(b, "# %s:\n", r->replay ? "Poisson arrivals instead of the replay (they lose the bursts)" : "or replay the log itself (its bursts, time-of-day shape and token pairs)");
    if (other->s) {
        for (const char *p = other->s; *p;) {
            const char *e = strchr(p, '\n');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            sim_buf_puts(b, "# ");
            sim_buf_putn(b, p, len);
            sim_buf_puts(b, "\n");
            p += len + (e != NULL);
        }
    }
    if (poisson.oom || replay.oom) b->oom = 1;
    sim_buf_free(&poisson);
    sim_buf_free(&replay);
}
