/* pol_backoff.h — backoff schedules and jitter.
 *
 * A schedule gives the nominal delay d(n) before retry n (n = 1 for the first
 * retry): constant base; linear base + (n-1)*step; exponential
 * base * multiplier^(n-1). d(n) is clamped to [floor, cap]. Jitter then turns
 * d(n) into the delay actually slept:
 *   NONE            d
 *   FULL            U(0, d)                              AWS Architecture Blog 2015
 *   EQUAL           d/2 + U(0, d/2)                      AWS Architecture Blog 2015
 *   DECORRELATED    min(cap, U(base, 3*prev)), prev0=base AWS Architecture Blog 2015
 *   DECORRELATED_V2 Polly's smoothed decorrelated jitter (Polly.Contrib.WaitAndRetry
 *                   DecorrelatedJitterBackoffV2, used by Polly v8 for exponential+jitter),
 *                   median first delay = base, capped at cap
 *   PROPORTIONAL    d * U(1-f, 1+f)                      gRPC A6 / connection backoff, f=0.2
 *   SUBTRACTIVE     d * (1 - f*U(0,1))                   openai-python / anthropic-sdk, f=0.25
 *   ADDITIVE        d + U(0, jitter_max)                 "exponential + random 0-1 s" seed pattern
 * The result of every kind is finally clamped to [0, cap] (cap 0 = no cap).
 * Exact formulas, bounds and sources: docs/policies.md.
 * Cost: O(1) per delay, one or two draws from the rng, no allocation.
 */
#ifndef POL_BACKOFF_H
#define POL_BACKOFF_H
#include "pol_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    POL_BACKOFF_CONSTANT = 0,
    POL_BACKOFF_LINEAR,
    POL_BACKOFF_EXPONENTIAL
} pol_backoff_kind;

typedef enum {
    POL_JITTER_NONE = 0,
    POL_JITTER_FULL,
    POL_JITTER_EQUAL,
    POL_JITTER_DECORRELATED,
    POL_JITTER_DECORRELATED_V2,
    POL_JITTER_PROPORTIONAL,
    POL_JITTER_SUBTRACTIVE,
    POL_JITTER_ADDITIVE,
    POL_JITTER__COUNT
} pol_jitter_kind;

typedef struct {
    /* public */
    pol_backoff_kind kind;
    pol_ns  base;          /* first nominal delay (> 0 unless constant 0 = immediate) */
    double  multiplier;    /* exponential growth factor, default 2 */
    pol_ns  step;          /* linear increment, default = base */
    pol_ns  cap;           /* upper clamp, 0 = none */
    pol_ns  floor;         /* lower clamp of the nominal delay, default 0 */
    pol_jitter_kind jitter;
    double  jitter_factor; /* f for PROPORTIONAL / SUBTRACTIVE, in [0,1] */
    pol_ns  jitter_max;    /* for ADDITIVE */
} pol_backoff_cfg;

/* Per logical request state (decorrelated kinds remember the previous delay);
 * pol_backoff_reset or pol_retry_begin initialise it. */
typedef struct {
    /* private */
    pol_ns prev;           /* DECORRELATED: previous delay (0 = none yet) */
    double v2_prev;        /* DECORRELATED_V2: previous value of the formula */
} pol_backoff_state;

POL_API void   pol_backoff_default(pol_backoff_cfg *out);        /* exp, 1s, x2, cap 60s, full jitter */
POL_API int    pol_backoff_validate(const pol_backoff_cfg *c);    /* POL_OK or POL_EINVAL */
POL_API void   pol_backoff_reset(pol_backoff_state *s);
/* Nominal (un-jittered, clamped) delay before retry n >= 1. */
POL_API pol_ns pol_backoff_nominal(const pol_backoff_cfg *c, int n);
/* Delay to sleep before retry n >= 1; updates s; draws from r. */
POL_API pol_ns pol_backoff_next(const pol_backoff_cfg *c, pol_backoff_state *s, int n, gsl_rng *r);
/* Analytic mean and bounds of pol_backoff_next for retry n given a fresh
 * state; for the decorrelated kinds (path-dependent) returns POL_EINVAL. */
POL_API int    pol_backoff_moments(const pol_backoff_cfg *c, int n,
                                   double *mean_out, pol_ns *lo_out, pol_ns *hi_out);

POL_API const char *pol_jitter_name(pol_jitter_kind k);                 /* "full", "decorrelated-v2", ... */
POL_API int         pol_jitter_parse(const char *name, pol_jitter_kind *out);
POL_API const char *pol_backoff_kind_name(pol_backoff_kind k);          /* "constant", "linear", "exponential" */
POL_API int         pol_backoff_kind_parse(const char *name, pol_backoff_kind *out);

#ifdef __cplusplus
}
#endif
#endif
