/* pol_backoff.c — backoff schedules (constant, linear, exponential) and the
 * eight jitter kinds of pol_backoff.h.
 * Invariants: a delay is never negative and never exceeds cap (when cap > 0)
 * nor DELAY_LIMIT (2^62 ns, ~146 years) when uncapped, so that now + delay
 * cannot overflow for any sane now; NaN/inf intermediate values are clamped,
 * never converted. Every non-decorrelated kind is a uniform draw on [a, b]
 * (a = b for NONE) clamped to [0, cap], which pol_backoff_moments uses for
 * its closed-form mean. The decorrelated kinds keep their path in the
 * caller's pol_backoff_state; nothing else is remembered.
 * Cost: O(1) per delay (one pow), at most one rng draw, no allocation.
 */
#include "pol_backoff.h"
#include "pol_internal.h"
#include <math.h>
#include <gsl/gsl_randist.h>

#define DELAY_LIMIT ((pol_ns)1 << 62)

/* Polly.Contrib.WaitAndRetry DecorrelatedJitterBackoffV2 / Polly v8
 * RetryHelper.DecorrelatedJitterBackoffV2 constants. */
#define V2_PFACTOR   4.0
#define V2_RPSCALING (1.0 / 1.4)
#define V2_EXPFACTOR 2.0

static const char *const jitter_names[POL_JITTER__COUNT] = {
    "none", "full", "equal", "decorrelated", "decorrelated-v2",
    "proportional", "subtractive", "additive"
};
static const char *const kind_names[] = { "constant", "linear", "exponential" };
#define N_KINDS ((int)(sizeof kind_names / sizeof kind_names[0]))

POL_NAME_FUNCS(pol_jitter_kind, pol_jitter_name, pol_jitter_parse, jitter_names, POL_JITTER__COUNT)

POL_NAME_FUNCS(pol_backoff_kind, pol_backoff_kind_name, pol_backoff_kind_parse, kind_names, N_KINDS)

void pol_backoff_default(pol_backoff_cfg *out)
{
    if (!out) return;
    pol_backoff_cfg c = {
        .kind = POL_BACKOFF_EXPONENTIAL,
        .base = POL_NS_PER_S,
        .multiplier = 2.0,
        .step = POL_NS_PER_S,
        .cap = 60 * POL_NS_PER_S,
        .floor = 0,
        .jitter = POL_JITTER_FULL,
        .jitter_factor = 0.0,
        .jitter_max = 0,
    };
    *out = c;
}

int pol_backoff_validate(const pol_backoff_cfg *c)
{
    if (!c) return POL_EINVAL;
    if ((int)c->kind < 0 || (int)c->kind >= N_KINDS) return POL_EINVAL;
    if ((int)c->jitter < 0 || (int)c->jitter >= POL_JITTER__COUNT) return POL_EINVAL;
    if (c->base < 0 || c->step < 0 || c->cap < 0 || c->floor < 0 || c->jitter_max < 0)
        return POL_EINVAL;
    if (c->cap > 0 && c->floor > c->cap) return POL_EINVAL;
    if (c->kind == POL_BACKOFF_EXPONENTIAL &&
        !(isfinite(c->multiplier) && c->multiplier >= 1.0))
        return POL_EINVAL;
    if (!(c->jitter_factor >= 0.0 && c->jitter_factor <= 1.0)) return POL_EINVAL;
    return POL_OK;
}

void pol_backoff_reset(pol_backoff_state *s)
{
    if (!s) return;
    s->prev = 0;
    s->v2_prev = 0.0;
}

/* Largest delay this config may produce. */
static double upper_limit(const pol_backoff_cfg *c)
{
    return c->cap > 0 ? (double)c->cap : (double)DELAY_LIMIT;
}

/* Clamps x to [0, upper limit] and converts; NaN gives 0. */
static pol_ns clamp_ns(const pol_backoff_cfg *c, double x)
{
    double hi = upper_limit(c);
    if (!(x > 0.0)) return 0;
    if (x >= hi) return (pol_ns)hi;
    return (pol_ns)x;
}

static double nominal_d(const pol_backoff_cfg *c, int n)
{
    if (n < 1) n = 1;
    double d;
    switch (c->kind) {
    case POL_BACKOFF_LINEAR:
        d = (double)c->base + (double)(n - 1) * (double)c->step;
        break;
    case POL_BACKOFF_EXPONENTIAL:
        /* doubling (every preset's multiplier): 2^(n-1) from its bits, the value
         * pow gives (a power of two is exact) for a tiny share of pow's instructions */
        d = (double)c->base * (c->multiplier == 2.0 ? pol_pow2(n - 1) : pow(c->multiplier, (double)(n - 1)));
        break;
    case POL_BACKOFF_CONSTANT:
    default:
        d = (double)c->base;
        break;
    }
    if (d < (double)c->floor) d = (double)c->floor;
    return d;
}

/* pol_backoff_nominal's value, which the delays start from, for
 * pol_backoff_next and pol_backoff_moments to inline (with jitter_range):
 * a call of the exported function stays a call, as a caller of the shared
 * library may interpose it. */
static inline pol_ns nominal_ns(const pol_backoff_cfg *c, int n) { return clamp_ns(c, nominal_d(c, n)); }

pol_ns pol_backoff_nominal(const pol_backoff_cfg *c, int n)
{
    if (!c) return 0;
    return nominal_ns(c, n);
}

/* The uniform range [*a, *b] that a non-decorrelated kind draws from, before
 * the final clamp; d is the clamped nominal delay. */
static inline void jitter_range(const pol_backoff_cfg *c, double d, double *a, double *b)
{
    double f = c->jitter_factor;
    switch (c->jitter) {
    case POL_JITTER_FULL:         *a = 0.0;         *b = d;                          break;
    case POL_JITTER_EQUAL:        *a = d / 2.0;     *b = d;                          break;
    case POL_JITTER_PROPORTIONAL: *a = d * (1 - f); *b = d * (1 + f);                break;
    case POL_JITTER_SUBTRACTIVE:  *a = d * (1 - f); *b = d;                          break;
    case POL_JITTER_ADDITIVE:     *a = d;           *b = d + (double)c->jitter_max;  break;
    case POL_JITTER_NONE:
    default:                      *a = d;           *b = d;                          break;
    }
}

static pol_ns next_decorrelated(const pol_backoff_cfg *c, pol_backoff_state *s, gsl_rng *r)
{
    double base = (double)c->base;
    double prev = s->prev > 0 ? (double)s->prev : base;
    pol_ns d = clamp_ns(c, gsl_ran_flat(r, base, 3.0 * prev));
    s->prev = d;
    return d;
}

static pol_ns next_decorrelated_v2(const pol_backoff_cfg *c, pol_backoff_state *s, int n,
                                   gsl_rng *r)
{
    double t = (double)(n - 1) + gsl_rng_uniform(r);
    double next = pow(V2_EXPFACTOR, t) * tanh(sqrt(V2_PFACTOR * t));
    double prev = s->v2_prev;
    s->v2_prev = next;
    if (isinf(next)) return clamp_ns(c, upper_limit(c));   /* Polly: MaxDelay */
    return clamp_ns(c, (next - prev) * V2_RPSCALING * (double)c->base);
}

pol_ns pol_backoff_next(const pol_backoff_cfg *c, pol_backoff_state *s, int n, gsl_rng *r)
{
    pol_backoff_state scratch = { 0, 0.0 };
    if (!c) return 0;
    if (n < 1) n = 1;
    if (!s) s = &scratch;
    if (c->jitter == POL_JITTER_DECORRELATED)    return r ? next_decorrelated(c, s, r) : 0;
    if (c->jitter == POL_JITTER_DECORRELATED_V2) return r ? next_decorrelated_v2(c, s, n, r) : 0;

    double a, b;
    jitter_range(c, (double)nominal_ns(c, n), &a, &b);
    if (a == b || !r) return clamp_ns(c, a);
    double u = gsl_rng_uniform(r);
    /* SUBTRACTIVE is written as the SDKs write it: d * (1 - f*u). */
    double x = c->jitter == POL_JITTER_SUBTRACTIVE ? b - (b - a) * u : a + (b - a) * u;
    return clamp_ns(c, x);
}

/* E[min(X, cap)] for X ~ U(a, b), 0 <= a <= b; cap <= 0 means none. */
static double clamped_uniform_mean(double a, double b, double cap)
{
    if (cap <= 0.0 || b <= cap) return (a + b) / 2.0;
    if (a >= cap) return cap;
    return ((cap - a) * (a + cap) / 2.0 + (b - cap) * cap) / (b - a);
}

int pol_backoff_moments(const pol_backoff_cfg *c, int n,
                        double *mean_out, pol_ns *lo_out, pol_ns *hi_out)
{
    if (!c || n < 1) return POL_EINVAL;
    if (c->jitter == POL_JITTER_DECORRELATED || c->jitter == POL_JITTER_DECORRELATED_V2)
        return POL_EINVAL;
    double a, b;
    jitter_range(c, (double)nominal_ns(c, n), &a, &b);
    if (mean_out) *mean_out = clamped_uniform_mean(a, b, (double)c->cap);
    if (lo_out) *lo_out = clamp_ns(c, a);
    if (hi_out) *hi_out = clamp_ns(c, b);
    return POL_OK;
}
