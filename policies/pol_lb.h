/* pol_lb.h — load balancing across targets (deployments, providers, hosts).
 *
 * The caller owns an array of pol_lb_target (one per target) and keeps it up
 * to date with pol_lb_on_send / pol_lb_on_done and the `available` flag (set
 * it to 0 for a target that is cooled down, ejected, or whose breaker is
 * open). pol_lb_pick() chooses among the available ones:
 *   WEIGHTED_RANDOM    P(i) = weight_i / sum of weights (LiteLLM simple-shuffle
 *                      with weights; all weights 0 = uniform); 1 draw
 *   ROUND_ROBIN        the next available after the previous pick
 *   LEAST_OUTSTANDING  fewest requests in flight (ties: lowest index)
 *   P2C                two distinct uniform draws, the one with fewer in flight
 *                      (ties: the first drawn); power of two choices
 *   EWMA               lowest peak-EWMA cost (Finagle/Linkerd PeakEwma):
 *                      cost = ewma x (outstanding + 1); on each latency x at
 *                      time t, w = exp(-(t - t_last) / tau) and
 *                      ewma = x if x > ewma (peak) else ewma w + x (1 - w);
 *                      tau = decay (10 s); an unobserved target costs 0 (tried
 *                      first); ties: lowest index
 *   LOWEST_USAGE       LiteLLM usage-based-routing: skip a target whose
 *                      current-minute usage would pass its limits
 *                      (tpm_used + tokens > tpm_limit or rpm_used + 1 >
 *                      rpm_limit; limit 0 = none), pick the lowest TPM used
 *                      (or, with usage_relative, the lowest max(tpm share,
 *                      rpm share)); ties: lowest index
 *   LOWEST_COST        lowest cost (ties: fewest in flight, then lowest index)
 *   HIGHEST_SUCCESS_RATE the seed's LoadBalancer "least_loaded"
 *                      (/work/shared/seeds/000): the highest successes /
 *                      (successes + failures) as pol_lb_on_result counts them;
 *                      a target with no result yet scores 1.0; ties: lowest
 *                      index (Python's max() keeps the first). success_window
 *                      0 = every result since the start (the seed); W > 0 =
 *                      counts decayed by exp(-age / W) plus one
 *                      pseudo-success: (s + 1) / (s + f + 1), so an unpicked
 *                      target drifts back to 1.0 as its failures age
 * Usage counts reset when the minute (floor(now / 60 s)) changes.
 * Answers: POL_LB_PICKED with *index_out, or POL_LB_NONE when no target is
 * available (or, LOWEST_USAGE, all would exceed their limits).
 * Invariants: never picks an unavailable target; draws only from r.
 * Cost: O(n) per pick (O(1) + O(n) scan for the random kinds), no allocation.
 */
#ifndef POL_LB_H
#define POL_LB_H
#include "pol_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    POL_LB_WEIGHTED_RANDOM = 0,
    POL_LB_ROUND_ROBIN,
    POL_LB_LEAST_OUTSTANDING,
    POL_LB_P2C,
    POL_LB_EWMA,
    POL_LB_LOWEST_USAGE,
    POL_LB_LOWEST_COST,
    POL_LB_HIGHEST_SUCCESS_RATE,
    POL_LB__COUNT
} pol_lb_kind;

typedef enum { POL_LB_PICKED = 0, POL_LB_NONE = 1 } pol_lb_answer;

typedef struct {
    /* public: the caller sets these (pol_lb_target_init gives defaults) */
    int     available;            /* 0 = skip */
    double  weight;               /* WEIGHTED_RANDOM, >= 0 */
    double  cost;                 /* LOWEST_COST: price per request or per token */
    double  rpm_limit, tpm_limit; /* LOWEST_USAGE, 0 = no limit */
    /* read-only: maintained by pol_lb_on_send / pol_lb_on_done */
    int     outstanding;
    double  ewma;                 /* ns */
    pol_ns  ewma_at;              /* last observation, -1 = none */
    double  rpm_used, tpm_used;
    int64_t minute;
    double  successes, failures;  /* HIGHEST_SUCCESS_RATE (pol_lb_on_result), decayed */
    pol_ns  result_at;            /* last result, -1 = none */
} pol_lb_target;

typedef struct {
    /* public */
    pol_lb_kind kind;
    pol_ns  decay;                /* EWMA tau, 10 s */
    int     usage_relative;       /* LOWEST_USAGE: compare shares of the limits */
    pol_ns  success_window;       /* HIGHEST_SUCCESS_RATE: 0 = all time (the seed), else decay tau */
} pol_lb_cfg;

typedef struct {
    /* read-only */
    pol_lb_cfg cfg;
    /* private */
    size_t     rr_next;
} pol_lb;

POL_API void pol_lb_default(pol_lb_kind k, pol_lb_cfg *out);
POL_API int  pol_lb_init(pol_lb *lb, const pol_lb_cfg *c);
POL_API void pol_lb_reset(pol_lb *lb);
POL_API void pol_lb_target_init(pol_lb_target *t);   /* available, weight 1, no limits */
/* Returns POL_LB_PICKED / POL_LB_NONE (>= 0) or POL_EINVAL. */
POL_API int  pol_lb_pick(pol_lb *lb, pol_lb_target *t, size_t n, pol_ns now, double tokens,
                         gsl_rng *r, size_t *index_out);
POL_API void pol_lb_on_send(pol_lb_target *t, pol_ns now, double tokens);
POL_API void pol_lb_on_done(const pol_lb *lb, pol_lb_target *t, pol_ns now, pol_ns latency);
/* Counts an attempt's result for HIGHEST_SUCCESS_RATE: ok = 1 success, 0
 * failure (the seed's record_result: an exception is a failure). */
POL_API void pol_lb_on_result(const pol_lb *lb, pol_lb_target *t, pol_ns now, int ok);

POL_API const char *pol_lb_kind_name(pol_lb_kind k);  /* "weighted-random",...,"lowest-cost","highest-success-rate" */
POL_API int         pol_lb_kind_parse(const char *name, pol_lb_kind *out);

#ifdef __cplusplus
}
#endif
#endif
