/* pol_bulkhead.h — bulkhead: a cap on requests in flight.
 *
 * pol_bulkhead_acquire() answers ACQUIRED (in_flight + 1) or REJECT when
 * max_concurrent are already in flight; every ACQUIRED is paired with one
 * pol_bulkhead_release(). Polly v8's concurrency limiter without a queue
 * (PermitLimit, QueueLimit 0); Resilience4j SemaphoreBulkhead with
 * maxWaitDuration 0.
 * Invariants: 0 <= in_flight <= max_concurrent; a release without an acquire
 * is POL_EINVAL and changes nothing. Cost: O(1), plain data, no allocation.
 */
#ifndef POL_BULKHEAD_H
#define POL_BULKHEAD_H
#include "pol_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { POL_BULKHEAD_ACQUIRED = 0, POL_BULKHEAD_REJECT = 1 } pol_bulkhead_answer;

typedef struct { int max_concurrent; } pol_bulkhead_cfg;   /* public; >= 1 */

typedef struct {
    /* read-only */
    pol_bulkhead_cfg cfg;
    int      in_flight;
    uint64_t acquired, rejected;
} pol_bulkhead;

POL_API int  pol_bulkhead_init(pol_bulkhead *b, const pol_bulkhead_cfg *c);
POL_API void pol_bulkhead_reset(pol_bulkhead *b);
POL_API pol_bulkhead_answer pol_bulkhead_acquire(pol_bulkhead *b);   /* NULL b: REJECT */
POL_API int  pol_bulkhead_release(pol_bulkhead *b);

#ifdef __cplusplus
}
#endif
#endif
