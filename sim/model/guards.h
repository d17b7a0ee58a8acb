/* guards.h — the stateful policies of the compared policies, instantiated in
 * the simulator per scope (request, client, gateway of N clients, global,
 * request class).
 *
 * Instances are created on first use and live for the run; a request-scoped
 * instance is the client's, reset at each request start. Every getter
 * returns NULL when the policy does not use that part. The world calls the
 * policy library through these instances exactly as a production client
 * would hold them (docs/scenario-format.md, "Stateful policies").
 * Cost: O(1) per lookup (index by scope), instances allocated once.
 */
#ifndef SIM_GUARDS_H
#define SIM_GUARDS_H
#include "world.h"

typedef struct { void **v; uint32_t cap; } sim_guard_table;
typedef struct sim_guards {
    unsigned        used;            /* bit per part (sim_part): the policy uses it */
    unsigned        request_scoped;  /* bit per part: used with scope request */
    sim_guard_table t[SIM_PART__COUNT];
} sim_guards;
_Static_assert(SIM_PART__COUNT <= 16, "sim_client.gates has a bit per part");

/* What a gate says about an attempt about to leave. */
enum { SIM_GATE_PASS = 0, SIM_GATE_WAIT, SIM_GATE_REJECT };

/* Whether client c's policy (its request class's) uses any stateful part:
 * the world's fast path. */
static inline int sim_guards_any(const sim_world *w, const sim_client *c)
{
    return w->kpol[c->cls].parts != 0;
}

int  sim_guards_init(sim_world *w);
void sim_guards_free(sim_world *w);
/* Resets the request-scoped instances of client ci (request start). */
int  sim_guards_request_start(sim_world *w, const sim_policy *p, uint32_t ci);
/* The gates of the policy's parts (throttling, the client's rate limiter,
 * quota awareness), in part order, before client ci's attempt to provider
 * prov leaves: PASS, WAIT (*delay > 0, then ask again), or REJECT (the
 * request ends). *part says which part answered. A part asked once per
 * attempt marks its bit in the client's gates. */
int  sim_guards_gate(sim_world *w, const sim_policy *p, uint32_t ci, int prov, int *part, pol_ns *delay);
/* What every part learns from attempt s of client ci ending with o now. */
void sim_guards_record(sim_world *w, const sim_policy *p, uint32_t ci, const sim_slot *s, const pol_outcome *o);

pol_breaker  *sim_g_breaker(sim_world *w, const sim_policy *p, uint32_t ci, int provider);
pol_budget   *sim_g_budget(sim_world *w, const sim_policy *p, uint32_t ci);
pol_throttle *sim_g_throttle(sim_world *w, const sim_policy *p, uint32_t ci);
pol_bucket   *sim_g_limiter(sim_world *w, const sim_policy *p, uint32_t ci);
pol_bulkhead *sim_g_bulkhead(sim_world *w, const sim_policy *p, uint32_t ci);
pol_cooldown *sim_g_cooldown(sim_world *w, const sim_policy *p, uint32_t ci);   /* targets = providers */
pol_lb       *sim_g_lb(sim_world *w, const sim_policy *p, uint32_t ci, pol_lb_target **targets_out);
pol_quota    *sim_g_quota(sim_world *w, const sim_policy *p, uint32_t ci, int provider);
pol_hedge    *sim_g_hedge(sim_world *w, const sim_policy *p, uint32_t ci);
pol_monitor  *sim_g_monitor(sim_world *w, const sim_policy *p, uint32_t ci);     /* targets = providers */

/* Gauges at time now, for the time series: breakers not closed and targets
 * cooled down, per provider (summed over instances); mean budget level and
 * mean throttle level over instances (NaN when unused). */
void   sim_guards_sample(sim_world *w, pol_ns now, uint32_t *open_breakers, uint32_t *cooled,
                         double *budget_level, double *throttle_level);
/* Adds what the parts count over the run into counts[SIM_M_*]
 * (breaker_transitions). */
void   sim_guards_totals(const sim_world *w, double *counts);

#endif
