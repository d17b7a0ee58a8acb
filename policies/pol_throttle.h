/* pol_throttle.h — adaptive client-side throttling.
 *
 * Before each attempt the caller asks pol_throttle_before_send(); after each
 * response it reports pol_throttle_on_response(throttled), throttled = the
 * server pushed back (429, or 503/529 overload, as the caller decides).
 *   SRE          Google SRE book, "Handling Overload": over a window of
 *                `window` (2 min) in per-second slices, requests = attempts
 *                asked for (rejected ones included), accepts = responses not
 *                throttled; reject locally with probability
 *                p = max(0, (requests - k * accepts) / (requests + 1)), k = 2,
 *                one uniform draw from the rng per request.
 *   AWS_ADAPTIVE botocore retries/adaptive.py + throttling.py + bucket.py:
 *                a token bucket that engages after the first throttle; its
 *                rate follows CUBIC (beta 0.7, C 0.4): on a throttle
 *                w_max = rate_to_use, K = cbrt(w_max (1 - beta) / C),
 *                new = rate_to_use x beta; on a success
 *                new = C (t - t_fail - K)^3 + w_max; then
 *                bucket rate = min(new, 2 x measured rate), fill rate at
 *                least 0.5/s, capacity max(rate, 1). The measured send rate
 *                is botocore's RateClocker: responses counted in 0.5 s
 *                buckets, EWMA with smoothing 0.8. A throttle before
 *                engagement uses the measured rate, after it
 *                min(measured, bucket rate). The blocking acquire is
 *                botocore's loop: WAIT(d) = no token now, sleep d and ask
 *                again (nothing is reserved, so a rate changed meanwhile
 *                applies at once, as botocore's waiters recompute their
 *                sleep when the max_rate setter notifies them).
 * Answers: POL_THROTTLE_SEND (wait 0; AWS: the token is taken),
 * POL_THROTTLE_WAIT (*wait > 0, nothing taken: call pol_throttle_before_send
 * again at now + *wait), POL_THROTTLE_REJECT (SRE: fail the attempt locally).
 * Invariants: SRE p in [0, 1); AWS bucket level in [0, capacity], fill rate
 * >= min_fill_rate. Cost: O(1); SRE allocates its ring in pol_throttle_init.
 */
#ifndef POL_THROTTLE_H
#define POL_THROTTLE_H
#include "pol_common.h"
#include "pol_window.h"
#include "pol_bucket.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { POL_THROTTLE_SRE = 0, POL_THROTTLE_AWS_ADAPTIVE, POL_THROTTLE__COUNT } pol_throttle_kind;
typedef enum { POL_THROTTLE_SEND = 0, POL_THROTTLE_WAIT = 1, POL_THROTTLE_REJECT = 2 } pol_throttle_answer;

typedef struct {
    /* public */
    pol_throttle_kind kind;
    /* SRE */
    double  k;                    /* 2 */
    pol_ns  window;               /* 2 min */
    int     slices;               /* 120 */
    /* AWS_ADAPTIVE */
    double  beta;                 /* 0.7 */
    double  scale_c;              /* 0.4 */
    double  min_fill_rate;        /* 0.5 per second */
    double  smoothing;            /* 0.8 */
    pol_ns  rate_bucket;          /* 0.5 s */
    double  max_rate_scale;       /* 2.0 */
} pol_throttle_cfg;

/* botocore's CubicCalculator (botocore/retries/throttling.py), method for
 * method. Rates are per second; times are pol_ns (botocore: time.time()). */
typedef struct {
    /* read-only */
    double w_max;                 /* _w_max: the rate at the last throttle */
    double k;                     /* _k = cbrt(w_max (1 - beta) / scale_constant) */
    pol_ns last_fail;             /* _last_fail */
    /* private */
    double scale_constant, beta;
} pol_cubic;
/* CubicCalculator(starting_max_rate, start_time, scale_constant, beta). */
POL_API void   pol_cubic_init(pol_cubic *c, double starting_max_rate, pol_ns start_time,
                              double scale_constant, double beta);
/* success_received: scale_constant (t - last_fail - k)^3 + w_max (reads only). */
POL_API double pol_cubic_success(const pol_cubic *c, pol_ns t);
/* error_received: w_max = current_rate, k recomputed, last_fail = t;
 * returns current_rate x beta. */
POL_API double pol_cubic_error(pol_cubic *c, double current_rate, pol_ns t);

/* botocore's RateClocker (botocore/retries/adaptive.py): counts what is
 * recorded; when the time bucket (floor(t / range) x range) moves past the
 * last one, measured = smoothing x count / (bucket - last) + (1 - smoothing)
 * x measured, and the count restarts. The first last bucket is floor(start)
 * (whole seconds, as botocore's math.floor(clock.current_time())). */
typedef struct {
    /* read-only */
    double measured;              /* _measured_rate, per second */
    /* private */
    double count, last_bucket, smoothing, scale;   /* last_bucket in seconds */
} pol_rate_clocker;
POL_API void   pol_rate_clocker_init(pol_rate_clocker *r, pol_ns start, double smoothing, pol_ns bucket_range);
/* record(amount): returns the measured rate after it. */
POL_API double pol_rate_clocker_record(pol_rate_clocker *r, pol_ns now, double amount);

typedef struct {
    /* read-only */
    pol_throttle_cfg cfg;         /* the copy pol_throttle_init took */
    /* AWS_ADAPTIVE: botocore's ClientRateLimiter is these three and `enabled`;
     * bucket.cfg.rate is TokenBucket.max_rate (the fill rate) */
    int      enabled;             /* _enabled: the first throttle engages the bucket */
    pol_cubic cubic;
    pol_rate_clocker clock;
    pol_bucket bucket;
    /* private (pol_throttle_level reads the state) */
    /* SRE: counters 0 requests, 1 accepts */
    pol_window win;
    int64_t *cells;
} pol_throttle;

POL_API void pol_throttle_default(pol_throttle_kind k, pol_throttle_cfg *out);
POL_API int  pol_throttle_validate(const pol_throttle_cfg *c);
/* now = the creation time (botocore's CUBIC start_time and RateClocker origin).
 * POL_EINVAL (bad cfg) or POL_ENOMEM (SRE allocates its ring). */
POL_API int  pol_throttle_init(pol_throttle *t, const pol_throttle_cfg *c, pol_ns now);
POL_API void pol_throttle_free(pol_throttle *t);
POL_API void pol_throttle_reset(pol_throttle *t, pol_ns now);
/* Returns a pol_throttle_answer (>= 0) or POL_EINVAL; *wait_out set for WAIT. */
POL_API int  pol_throttle_before_send(pol_throttle *t, pol_ns now, gsl_rng *r, pol_ns *wait_out);
POL_API int  pol_throttle_on_response(pol_throttle *t, pol_ns now, int throttled);
/* SRE: current rejection probability. AWS: current bucket rate (0 = not engaged). */
POL_API double pol_throttle_level(pol_throttle *t, pol_ns now);

POL_API const char *pol_throttle_kind_name(pol_throttle_kind k);   /* "sre","aws-adaptive" */
POL_API int         pol_throttle_kind_parse(const char *name, pol_throttle_kind *out);

#ifdef __cplusplus
}
#endif
#endif
