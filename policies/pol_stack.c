/* pol_stack.c — client policy stacks and their presets (pol_stack.h).
 * Invariants: every preset validates (pol_stack_validate) and its retry part
 * is exactly pol_preset_get() of the named retry preset; disabled parts hold
 * their defaults. Cost: O(size of the struct), no allocation.
 */
#include "pol_stack.h"
#include <string.h>
#include <strings.h>

void pol_stack_default(pol_stack_cfg *out)
{
    if (!out) return;
    memset(out, 0, sizeof *out);
    pol_retry_default(&out->retry);
    pol_breaker_default(POL_BREAKER_CONSECUTIVE, &out->breaker);
    pol_budget_default(POL_BUDGET_AWS, &out->budget);
    pol_throttle_default(POL_THROTTLE_SRE, &out->throttle);
    out->bucket.rate = 1.0;
    out->bucket.burst = 1.0;
    pol_hedge_default(&out->hedge);
    out->bulkhead.max_concurrent = 100;
    pol_cooldown_default(POL_COOLDOWN_LITELLM, &out->cooldown);
    pol_lb_default(POL_LB_WEIGHTED_RANDOM, &out->lb);
    pol_quota_default(&out->quota);
}

static const pol_preset_info infos[] = {
    { "aws-standard",
      "aws-standard retries + retry quota (500 tokens, retry 5, timeout retry 10, refund 1 or the cost)",
      "botocore botocore/retries/standard.py (RetryQuotaChecker _RETRY_COST 5, _NO_RETRY_INCREMENT 1, "
      "_TIMEOUT_RETRY_REQUEST 10) and quota.py (RetryQuota INITIAL_CAPACITY 500)" },
    { "aws-adaptive",
      "aws-standard + retry quota + client rate limiter (CUBIC beta 0.7, C 0.4; token bucket after the first throttle)",
      "botocore botocore/retries/adaptive.py (ClientRateLimiter _MAX_RATE_ADJUST_SCALE 2, RateClocker "
      "smoothing 0.8, 0.5 s buckets), throttling.py (CubicCalculator), bucket.py (TokenBucket _MIN_RATE 0.5)" },
    { "grpc",
      "grpc retries + retry throttling maxTokens 10, tokenRatio 0.1",
      "grpc/proposal A6-client-retries.md (retryThrottling example; token_count rules)" },
    { "litellm-router",
      "litellm-router retries + deployment cooldowns (5 s; 429, >50% fails of >= 5 calls a minute, 401/404) + simple-shuffle",
      "BerriAI/litellm litellm/router_utils/cooldown_handlers.py, litellm/constants.py "
      "(DEFAULT_COOLDOWN_TIME_SECONDS 5, DEFAULT_FAILURE_THRESHOLD_PERCENT 0.5, DEFAULT_ALLOWED_FAILS 3)" },
    { "envoy",
      "envoy retries + retry budget (20 %, min 3) + outlier ejection (5 consecutive 5xx, 30 s x n, 10 %, 10 s) + round robin",
      "envoy api v3 cluster/v3/circuit_breaker.proto RetryBudget, outlier_detection.proto defaults, "
      "source/common/upstream/outlier_detection_impl.cc ejectHost" },
};
#define N_INFOS (sizeof infos / sizeof infos[0])

const pol_preset_info *pol_stack_list(size_t *n_out)
{
    if (n_out) *n_out = N_INFOS;
    return infos;
}

int pol_stack_preset(const char *name, pol_stack_cfg *out)
{
    if (!name || !out) return POL_EINVAL;
    size_t i = 0;
    while (i < N_INFOS && strcasecmp(name, infos[i].name) != 0) i++;
    if (i == N_INFOS) return POL_ENOTFOUND;
    pol_stack_cfg c;
    pol_stack_default(&c);
    const char *retry = strncasecmp(name, "aws-", 4) == 0 ? "aws-standard" : infos[i].name;
    int rc = pol_preset_get(retry, &c.retry);
    if (rc) return rc;
    switch (i) {
    case 0:                                            /* aws-standard */
    case 1:                                            /* aws-adaptive: + rate limiter */
        c.use_throttle = i == 1;
        pol_throttle_default(POL_THROTTLE_AWS_ADAPTIVE, &c.throttle);
        c.use_budget = 1;
        pol_budget_default(POL_BUDGET_AWS, &c.budget);
        break;
    case 2:
        c.use_budget = 1;
        pol_budget_default(POL_BUDGET_GRPC, &c.budget);
        c.budget.max_tokens = 10.0;
        c.budget.token_ratio = 0.1;
        break;
    case 3:
        c.use_cooldown = c.use_lb = 1;
        pol_cooldown_default(POL_COOLDOWN_LITELLM, &c.cooldown);
        pol_lb_default(POL_LB_WEIGHTED_RANDOM, &c.lb);
        break;
    default:                                           /* envoy */
        c.use_budget = c.use_cooldown = c.use_lb = 1;
        pol_budget_default(POL_BUDGET_ENVOY, &c.budget);
        pol_cooldown_default(POL_COOLDOWN_ENVOY, &c.cooldown);
        pol_lb_default(POL_LB_ROUND_ROBIN, &c.lb);
        break;
    }
    *out = c;
    return POL_OK;
}

int pol_stack_validate(const pol_stack_cfg *c)
{
    if (!c) return POL_EINVAL;
    int rc = pol_retry_validate(&c->retry);
    if (!rc && c->use_breaker) rc = pol_breaker_validate(&c->breaker);
    if (!rc && c->use_budget) rc = pol_budget_validate(&c->budget);
    if (!rc && c->use_throttle) rc = pol_throttle_validate(&c->throttle);
    if (!rc && c->use_bucket && !(c->bucket.rate > 0 && c->bucket.burst > 0)) rc = POL_EINVAL;
    if (!rc && c->use_hedge) rc = pol_hedge_validate(&c->hedge);
    if (!rc && c->use_bulkhead && c->bulkhead.max_concurrent < 1) rc = POL_EINVAL;
    if (!rc && c->use_cooldown) rc = pol_cooldown_validate(&c->cooldown);
    if (!rc && c->use_lb && ((int)c->lb.kind < 0 || c->lb.kind >= POL_LB__COUNT || c->lb.decay <= 0))
        rc = POL_EINVAL;
    if (!rc && c->use_quota && (c->quota.jitter < 0 || c->quota.max_wait < 0)) rc = POL_EINVAL;
    return rc;
}
