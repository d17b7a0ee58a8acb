/* pol_bucket.h — client-side token bucket rate limiter.
 *
 * Tokens refill continuously at `rate` per second up to `burst`. An amount
 * is requests (1 per call) or tokens (a TPM limit: the request's token count);
 * pol_bucket_per_minute() turns an RPM or TPM limit L into rate L/60, burst L.
 *   pol_bucket_take     GO when the level covers the amount (it is taken);
 *                       else WAIT with *wait = time until it would, nothing
 *                       taken (ask again then).
 *   pol_bucket_reserve  takes the amount in any case: GO, or WAIT(d) meaning
 *                       "the tokens are yours, send at now + d". Reservations
 *                       queue in order: a later caller waits behind them.
 * Reservations never make the level negative: the bucket is kept as
 * (level, at), the level it will have at time `at`, and a reservation moves
 * `at` into the future with level 0 there. Before `at` nothing is available.
 * Invariants: 0 <= level <= burst at all times; an amount above burst is
 * POL_ERANGE (it could never be served); waits are rounded up to the next ns
 * so that after sleeping *wait the amount is there.
 * Cost: O(1), no allocation, plain data.
 */
#ifndef POL_BUCKET_H
#define POL_BUCKET_H
#include "pol_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { POL_BUCKET_GO = 0, POL_BUCKET_WAIT = 1 } pol_bucket_answer;

typedef struct {
    /* public */
    double rate;     /* tokens per second, > 0 */
    double burst;    /* capacity, > 0 */
} pol_bucket_cfg;

typedef struct {
    /* read-only */
    pol_bucket_cfg cfg;   /* as given to init, or to pol_bucket_set_rate */
    /* private (pol_bucket_level reads the level) */
    double level;    /* tokens at time `at` */
    pol_ns at;       /* may lie in the future (reservations) */
} pol_bucket;

/* rate = limit/60 per second, burst = limit (an RPM or TPM limit). */
POL_API int    pol_bucket_per_minute(pol_bucket_cfg *out, double limit);
POL_API int    pol_bucket_init(pol_bucket *b, const pol_bucket_cfg *c, pol_ns now);  /* starts full */
POL_API void   pol_bucket_reset(pol_bucket *b, pol_ns now);                          /* full again */
/* Return POL_BUCKET_GO or POL_BUCKET_WAIT (>= 0), or POL_EINVAL / POL_ERANGE. */
POL_API int    pol_bucket_take(pol_bucket *b, pol_ns now, double amount, pol_ns *wait_out);
POL_API int    pol_bucket_reserve(pol_bucket *b, pol_ns now, double amount, pol_ns *wait_out);
/* Level available at now (0 while reservations are pending). */
POL_API double pol_bucket_level(const pol_bucket *b, pol_ns now);
/* Changes rate and burst: refills at the old rate up to now first, then
 * clamps the level to the new burst (botocore TokenBucket.max_rate setter). */
POL_API int    pol_bucket_set_rate(pol_bucket *b, pol_ns now, double rate, double burst);
/* botocore TokenBucket.max_rate = value (botocore/retries/bucket.py): refill
 * at the old rate, fill rate max(value, min_rate), capacity value if
 * value >= 1 else 1, level clamped to it. POL_EINVAL for a value that is not
 * finite or a min_rate <= 0. */
POL_API int    pol_bucket_set_max_rate(pol_bucket *b, pol_ns now, double value, double min_rate);

#ifdef __cplusplus
}
#endif
#endif
