/* dist.h — distributions of durations and sizes, written as text in
 * scenario files ("lognormal(400ms, 0.5)") and sampled with GSL's gsl_ran_*.
 * Cost: sampling is O(1) (empirical: one uniform index); parsing is linear
 * in the text (empirical: in the file, read through the CSV helper of cfg.h).
 */
#ifndef SIM_DIST_H
#define SIM_DIST_H
#include <stddef.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include "err.h"

typedef enum {
    SIM_DIST_CONSTANT = 0,  /* constant(x)            a=x */
    SIM_DIST_UNIFORM,       /* uniform(lo, hi)        a=lo b=hi */
    SIM_DIST_EXPONENTIAL,   /* exponential(mean)      a=mean */
    SIM_DIST_LOGNORMAL,     /* lognormal(median, sigma) a=median b=sigma (of log) */
    SIM_DIST_NORMAL,        /* normal(mean, sd), truncated at 0 by resampling */
    SIM_DIST_ABSNORMAL,     /* absnormal(mean, sd) = |N(mean, sd)| (AWS experiment) */
    SIM_DIST_PARETO,        /* pareto(alpha, xm)      a=alpha b=xm (scale) */
    SIM_DIST_EMPIRICAL,     /* empirical(file.csv[, column]) uniform over the file's values */
    SIM_DIST_GAMMA          /* gamma(shape, scale)    a=shape b=scale, mean = shape x scale */
} sim_dist_kind;

typedef struct {
    sim_dist_kind kind;
    double  a, b;           /* parameters in base units (ns for durations, tokens for sizes) */
    double  ln_a;           /* LOGNORMAL: log(a), set by sim_dist_parse */
    double *samples;        /* EMPIRICAL: the values, owned */
    size_t  n;
    char   *file;           /* EMPIRICAL: the file as written, owned (for sim_dist_format) */
} sim_dist;

/* Distributions */
double sim_dist_sample(const sim_dist *d, gsl_rng *r);
/* absnormal(a, b) with b != 0: |a + N(0, b)| (GSL's ziggurat). */
static inline double sim_dist_absnormal(const sim_dist *d, gsl_rng *r)
{
    return fabs(d->a + gsl_ran_gaussian_ziggurat(r, d->b));
}
/* sim_dist_sample, the same draws, with the kinds of network legs inline
 * (four a call in the AWS experiment: the call and the switch were a
 * third of a leg's instructions); also for the token counts and the
 * per-token time, constant in most scenarios. */
static inline double sim_dist_sample_inline(const sim_dist *d, gsl_rng *r)
{
    if (d->kind == SIM_DIST_ABSNORMAL && d->b != 0) return sim_dist_absnormal(d, r);
    if (d->kind == SIM_DIST_CONSTANT) return d->a;
    return sim_dist_sample(d, r);
}
double sim_dist_mean(const sim_dist *d);
/* Parses "exponential(5s)" etc.; durations=1 parses arguments as durations (ns),
 * else as plain numbers. base_dir resolves empirical(file.csv). Returns 0 or
 * negative with a message (no file:line prefix) in err. */
int  sim_dist_parse(const char *text, int durations, const char *base_dir, sim_dist *out, sim_err *err);
void sim_dist_free(sim_dist *d);
/* Writes the canonical text of d ("lognormal(400ms, 0.5)") into buf. */
char *sim_dist_format(const sim_dist *d, int durations, char *buf, size_t n);

#endif
