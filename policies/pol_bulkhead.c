/* pol_bulkhead.c — cap on requests in flight (pol_bulkhead.h).
 * Invariants: 0 <= in_flight <= max_concurrent. Cost: O(1), no allocation.
 */
#include "pol_bulkhead.h"

int pol_bulkhead_init(pol_bulkhead *b, const pol_bulkhead_cfg *c)
{
    if (!b || !c || c->max_concurrent < 1) return POL_EINVAL;
    b->cfg = *c;
    pol_bulkhead_reset(b);
    return POL_OK;
}

void pol_bulkhead_reset(pol_bulkhead *b)
{
    if (!b) return;
    b->in_flight = 0;
    b->acquired = b->rejected = 0;
}

pol_bulkhead_answer pol_bulkhead_acquire(pol_bulkhead *b)
{
    if (!b) return POL_BULKHEAD_REJECT;
    if (b->in_flight >= b->cfg.max_concurrent) {
        b->rejected++;
        return POL_BULKHEAD_REJECT;
    }
    b->in_flight++;
    b->acquired++;
    return POL_BULKHEAD_ACQUIRED;
}

int pol_bulkhead_release(pol_bulkhead *b)
{
    if (!b || b->in_flight <= 0) return POL_EINVAL;
    b->in_flight--;
    return POL_OK;
}
