/* scenario_stateful.h — the stateful-policy keys of a policy entry in a
 * scenario file (breaker, budget, throttle, rate_limiter, bulkhead,
 * cooldown, load_balancing, quota, hedge, monitor, gateway_size, degraded,
 * context_fallback, content_fallback), parsed into sim_stateful. A stack
 * preset (pol_stack_preset: aws-standard, aws-adaptive, grpc, litellm-router,
 * envoy) supplies defaults that the file's keys override.
 * Errors are one line "file:line:col: message", like the rest of the loader. */
#ifndef SIM_SCENARIO_STATEFUL_H
#define SIM_SCENARIO_STATEFUL_H
#include "cfg.h"
#include "scenario.h"

/* The policy-level keys this file reads (the parts' keys, gateway_size,
 * degraded, context_fallback, content_fallback) into out[0..cap); returns
 * how many. The scenario loader allows them beside its own. */
size_t sim_stateful_keys(const char **out, size_t cap);

int sim_stateful_load(const sim_cfg_node *policy, const sim_scenario *s, const char *preset,
                      sim_stateful *out, sim_err *err);

#endif
