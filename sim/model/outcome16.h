/* outcome16.h — internal to sim/model: a pol_outcome in 16 bytes instead
 * of 24 (the same values: the kind, the HTTP status, the converted
 * Retry-After, x-should-retry), for the tables that hold one per attempt in
 * flight (the world's slots, the provider model's requests). */
#ifndef SIM_OUTCOME16_H
#define SIM_OUTCOME16_H
#include "pol_common.h"
#include <stdint.h>

typedef struct {
    pol_ns   retry_after;
    int32_t  status;
    uint8_t  kind;           /* pol_outcome_kind */
    int8_t   should_retry;
} sim_outcome16;

static inline sim_outcome16 sim_out_pack(pol_outcome o)
{
    return (sim_outcome16){ o.retry_after, (int32_t)o.status, (uint8_t)o.kind, (int8_t)o.should_retry };
}
static inline pol_outcome sim_out_unpack(sim_outcome16 p)
{
    return (pol_outcome){ .kind = (pol_outcome_kind)p.kind, .status = p.status,
                          .retry_after = p.retry_after, .should_retry = p.should_retry };
}

#endif
