/* fit.h — `retrysim fit LOG`: a workload and provider model estimated from
 * a request log, written as a scenario fragment (docs/fit.md).
 *
 * bench_fit_analyze reads the log (a CSV with a header naming its columns,
 * sim/scenario/trace.h: a time, and any of prompt/output tokens, latency,
 * TTFT, status, model) through the bounded CSV reader, and estimates:
 *   - arrivals: the mean rate, a rate per window, the index of dispersion
 *     of counts (across windows, and within them in bins of window/60)
 *     with its chi-square test, a Kolmogorov-Smirnov test of inter-arrival
 *     times against the exponential (before and after rescaling time by the
 *     window rates), and from them the advice: one rate, a timeline of
 *     rates, or a replay of the log;
 *   - token counts: maximum-likelihood lognormal, gamma, Pareto and
 *     exponential fits with standard errors and the KS distance of each
 *     (rounded, as the simulator rounds) to the log's values; the best, or
 *     empirical(LOG, column) when even the best is further than max_ks;
 *   - prompt vs output: Pearson (raw and of logs) and Spearman correlation;
 *   - latency: least squares of latency on output tokens (gsl_fit_linear:
 *     ttft = intercept, per_token = slope), the residual log spread as the
 *     lognormal noise; with a TTFT column, a lognormal fit of TTFT and the
 *     slope of (latency - TTFT) on output tokens (gsl_fit_mul);
 *   - status: the shares of 2xx, 429, 5xx and other codes.
 * bench_fit_emit writes the YAML fragment (duration, workload, timeline,
 * providers) with every figure as a comment. Cost: linear in the log plus
 * sorting it (O(n log n)); memory about 50 bytes per request (100 at the
 * peak, while the token counts are fitted).
 */
#ifndef BENCH_FIT_H
#define BENCH_FIT_H
#include <stddef.h>
#include "pol_common.h"
#include "err.h"
#include "trace.h"
#include "cfg_emit.h"

typedef enum { BENCH_FIT_AUTO = 0, BENCH_FIT_POISSON, BENCH_FIT_REPLAY } bench_fit_arrivals;

typedef struct {
    const char *path;                        /* the log */
    const char *mapped[SIM_COL__COUNT];      /* header names given for columns (NULL: by name) */
    pol_ns      window;                      /* rate windows (0 = 1m) */
    pol_ns      from, span;                  /* the part read, from the first request (span 0 = all) */
    double      speed;                       /* the fragment replays the log this many times faster
                                                (0 = 1): its rates x speed, its times / speed */
    bench_fit_arrivals arrivals;             /* the fragment's workload: by the evidence, or forced */
    double      max_ks;                      /* token counts: empirical above it (0 = 0.05) */
    const char *provider;                    /* the fragment's provider (NULL = "fitted") */
    const char *log_ref;                     /* the log as the fragment names it (NULL = path) */
} bench_fit_opts;

enum { BENCH_FIT_LOGNORMAL = 0, BENCH_FIT_GAMMA, BENCH_FIT_PARETO, BENCH_FIT_EXPONENTIAL, BENCH_FIT__NCAND };

typedef struct {
    int    ok;                 /* fitted (enough positive values, the MLE converged) */
    double a, b;               /* lognormal: median, sigma; gamma: shape, scale; pareto: alpha, xm;
                                  exponential: mean (b unused) */
    double se_a, se_b;         /* their standard errors (asymptotic, from the Fisher information) */
    double ks, ks_p;           /* KS distance to the values, its asymptotic p-value */
    int    mean_off;           /* fitted, but its mean is infinite or not within a factor 2 of
                                  the values' mean: not chosen */
} bench_fit_cand;

typedef struct {
    size_t n, zeros;           /* values read, of which zeros (left out of the fits) */
    double mean, sd, median, p90, p99, min, max;
    bench_fit_cand c[BENCH_FIT__NCAND];
    int    best;               /* the candidate with the smallest KS distance, -1 = none */
    int    empirical;          /* even the best is further than max_ks */
    int    integers;           /* every value is an integer (tokens): the KS test rounds */
} bench_fit_dist;

#define BENCH_FIT_MAX_MODELS 16

typedef struct {
    char     header[SIM_COL__COUNT][80];  /* the header cell of each column read, "" = absent */
    size_t   rows;             /* rows of the log */
    size_t   n;                /* requests in the part read */
    double   span;             /* s, first to last request */
    /* arrivals */
    double   rate, rate_se;    /* requests/s: (n - 1) / span */
    double   window, bin;      /* s */
    size_t   nwin;
    double  *win_rate;         /* [nwin], owned */
    double   idc_win, idc_win_p, excess_cv;  /* counts per window: var/mean, chi2 p, sqrt(var - mean)/mean */
    double   idc_in, idc_in_p; /* counts per bin within windows, pooled */
    double   ks_exp, ks_exp_p; /* inter-arrival times vs exponential(span / (n - 1)) */
    double   ks_resc, ks_resc_p; /* the same after rescaling time by the window rates */
    int      vary;             /* the rate changes between windows: a timeline of rates */
    int      bursty;           /* burstier than Poisson within windows: replay */
    int      replay;           /* the fragment's workload replays the log */
    /* tokens */
    bench_fit_dist prompt, output;
    size_t   npairs;
    double   pearson, pearson_log, spearman;
    int      correlated;       /* |Spearman| >= 0.3 */
    /* latency */
    size_t   nlat;
    double   ttft, ttft_se, per_token, per_token_se, r2;
    double   noise, noise_se;  /* sd of log(latency / line): the model's lognormal noise sigma */
    double   ratio_median;     /* the geometric mean of latency / the least-squares line */
    int      ttft_clamped;     /* the intercept was negative: ttft 0 */
    bench_fit_dist ttft_d;     /* a TTFT column's values (s) */
    /* status */
    size_t   nstatus, n2xx, n429, n5xx, n4xx, nother;
    int      top5xx;           /* the most frequent 5xx code */
    double   error_rate, error_rate_se;  /* 5xx / (requests not answered 429) */
    double   peak_admitted_rpm;          /* the busiest minute of requests not answered 429 */
    /* models */
    size_t   nmodels, model_n[BENCH_FIT_MAX_MODELS + 1];   /* [nmodels]: the others */
    char     model[BENCH_FIT_MAX_MODELS][64];
} bench_fit_result;

/* Reads and analyses; 0, or a negative code with err (a located message
 * for a bad row, "file:line:col: ..."). */
int  bench_fit_analyze(const bench_fit_opts *o, bench_fit_result *r, sim_err *err);
/* The scenario fragment (and, with every line of its comment header, the
 * report the CLI prints). */
void bench_fit_emit(const bench_fit_opts *o, const bench_fit_result *r, sim_buf *out);
void bench_fit_free(bench_fit_result *r);
/* How a fragment written to out_file names the log: its path relative to
 * out_file's directory (both resolved with realpath), else the log's
 * absolute path, else log as given. */
void bench_fit_log_ref(const char *log, const char *out_file, char *buf, size_t cap);

/* The fit of one candidate to values x[0..n) (sorted, all > 0); exposed for
 * the tests. integers: the KS test compares the rounded model. */
void bench_fit_candidate(int cand, const double *x, size_t n, int integers, bench_fit_cand *c);
/* KS distance of sorted x to a candidate's CDF. */
double bench_fit_ks(int cand, const bench_fit_cand *c, const double *x, size_t n, int integers);
/* Asymptotic p-value of a KS distance d from n values (Stephens' correction). */
double bench_fit_ks_p(double d, size_t n);

#endif
