/* pol_hedge.h — hedged requests: when to send another copy.
 *
 * A hedge is a further attempt sent while earlier ones are still in flight;
 * the first success wins and the caller cancels the rest. Pure decisions:
 *   pol_hedge_next_at(h, started_at, sent, in_flight)
 *       the time at which attempt number sent+1 should go out:
 *       started_at + sent x delay (gRFC A6 hedgingDelay spacing), or
 *       POL_NS_MAX when sent >= max_attempts or in_flight >= max_in_flight
 *       (ask again when an attempt ends). delay 0 = parallel mode: all
 *       max_attempts at once (A6 "hedgingDelay 0s").
 *   The delay is the fixed `delay`, or with use_quantile the observed
 *   `quantile` (nearest rank: the ceil(q n)-th smallest) of the last `window`
 *   latencies fed to pol_hedge_observe(), once min_samples are there (the
 *   fixed delay before that); "hedge after the p95" (Dean & Barroso, The
 *   Tail at Scale, 2013).
 * Invariants: never more than max_attempts attempts per request, never more
 * than max_in_flight at once; the quantile is one of the observed values.
 * Cost: observe O(window) (sorted ring kept up to date), next_at O(1).
 * pol_hedge_init allocates the two window arrays once.
 */
#ifndef POL_HEDGE_H
#define POL_HEDGE_H
#include "pol_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* public */
    int     max_attempts;         /* total, original included, >= 1 (A6 example 4) */
    pol_ns  delay;                /* fixed delay; 0 = parallel */
    int     max_in_flight;        /* 0 = max_attempts */
    int     use_quantile;
    double  quantile;             /* (0, 1], 0.95 */
    int     window;               /* latencies kept, >= 1 (100) */
    int     min_samples;          /* >= 1 (20) */
} pol_hedge_cfg;

typedef struct {
    /* read-only */
    pol_hedge_cfg cfg;            /* the copy pol_hedge_init took */
    /* private (pol_hedge_delay reads the quantile) */
    pol_ns *ring;                 /* arrival order */
    pol_ns *sorted;               /* same values, ascending */
    int     n, head;
} pol_hedge;

POL_API void   pol_hedge_default(pol_hedge_cfg *out);   /* 2 attempts, 500 ms, p95 of 100 after 20 */
POL_API int    pol_hedge_validate(const pol_hedge_cfg *c);
POL_API int    pol_hedge_init(pol_hedge *h, const pol_hedge_cfg *c);   /* POL_EINVAL / POL_ENOMEM */
POL_API void   pol_hedge_free(pol_hedge *h);
POL_API void   pol_hedge_reset(pol_hedge *h);
POL_API int    pol_hedge_observe(pol_hedge *h, pol_ns latency);
POL_API pol_ns pol_hedge_delay(const pol_hedge *h);
POL_API pol_ns pol_hedge_next_at(const pol_hedge *h, pol_ns started_at, int sent, int in_flight);

#ifdef __cplusplus
}
#endif
#endif
