/* pol_stack.h — a full client policy stack in one struct, and presets.
 *
 * A pol_stack_cfg bundles the retry configuration with the optional stateful
 * policies, each behind an enable flag; it is configuration only (plain data,
 * copyable): the caller creates the state objects it enables (pol_breaker_init,
 * pol_budget_init, ...). The order a client applies them in, per attempt:
 * bulkhead acquire -> quota check -> bucket / throttle wait -> load balancer
 * pick among available targets (cooldown, breaker) -> breaker allow -> send
 * (hedges per the hedge cfg) -> record the outcome in breaker, cooldown,
 * throttle, budget -> retry verdict, and a RETRY must also pass
 * pol_budget_can_retry. docs/stateful-policies.md describes each preset:
 *   aws-standard    aws-standard retries + AWS retry quota (500/5/10/1)
 *   aws-adaptive    aws-standard retries + retry quota + CUBIC client rate
 *                   limiter (botocore "adaptive" mode)
 *   grpc            grpc retries + A6 retry throttling (maxTokens 10,
 *                   tokenRatio 0.1, A6's example)
 *   litellm-router  litellm-router retries + LiteLLM cooldowns (5 s) +
 *                   simple-shuffle routing (weighted random)
 *   envoy           envoy retries + retry budget (20 %, 3) + outlier ejection
 *                   (consecutive 5xx 5, 30 s base, 10 %, 10 s interval) +
 *                   round robin
 * Cost: filling a preset is O(size of the struct), no allocation.
 */
#ifndef POL_STACK_H
#define POL_STACK_H
#include "pol_retry.h"
#include "pol_preset.h"
#include "pol_breaker.h"
#include "pol_budget.h"
#include "pol_throttle.h"
#include "pol_bucket.h"
#include "pol_hedge.h"
#include "pol_bulkhead.h"
#include "pol_cooldown.h"
#include "pol_lb.h"
#include "pol_quota.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* public */
    pol_retry_cfg    retry;
    int use_breaker;   pol_breaker_cfg  breaker;
    int use_budget;    pol_budget_cfg   budget;
    int use_throttle;  pol_throttle_cfg throttle;
    int use_bucket;    pol_bucket_cfg   bucket;
    int use_hedge;     pol_hedge_cfg    hedge;
    int use_bulkhead;  pol_bulkhead_cfg bulkhead;
    int use_cooldown;  pol_cooldown_cfg cooldown;
    int use_lb;        pol_lb_cfg       lb;
    int use_quota;     pol_quota_cfg    quota;
} pol_stack_cfg;

/* Retry defaults (pol_retry_default), everything else off but filled with
 * its defaults, so that turning a flag on gives a valid configuration. */
POL_API void pol_stack_default(pol_stack_cfg *out);
POL_API int  pol_stack_preset(const char *name, pol_stack_cfg *out);   /* POL_OK or POL_ENOTFOUND */
/* Validates the retry cfg and every enabled part. */
POL_API int  pol_stack_validate(const pol_stack_cfg *c);
POL_API const pol_preset_info *pol_stack_list(size_t *n_out);

#ifdef __cplusplus
}
#endif
#endif
