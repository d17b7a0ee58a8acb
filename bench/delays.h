/* delays.h — what a retry policy actually waits: the backoff delays of
 * retries 1..N-1 sampled over many simulated requests (`retrysim delays`).
 *
 * A policy is a preset name (pol_preset_list) or an inline spec
 * KIND:key=value,... (docs/cli.md, "retrysim delays"). Each of o->draws
 * simulated requests starts from a fresh pol_backoff_state and walks
 * retries n = 1..N-1, so the path-dependent (decorrelated) kinds follow
 * their path. Only the backoff is sampled: no server hints, no deadline.
 * Invariants: every sample re-seeds its own gsl_rng (taus2) with o->seed,
 * so a policy's rows do not depend on the other policies sampled, and the
 * same arguments give the same numbers.
 * Cost: O(draws x retries) draws plus a sort per retry; memory
 * 2 x draws x retries doubles (at most 1e7 x 63).
 */
#ifndef BENCH_DELAYS_H
#define BENCH_DELAYS_H
#include "retrypol.h"
#include <stddef.h>

#define BENCH_DELAYS_MAX_ATTEMPTS 64
#define BENCH_DELAYS_UNLIMITED     6     /* attempts assumed for an unlimited policy */

typedef struct {
    long long     attempts;   /* total attempts, 0 = the policy's */
    long long     draws;      /* simulated requests, >= 1 */
    unsigned long seed;
} bench_delays_opts;

typedef struct { double min, mean, p50, p99, max, cum_mean; } bench_delay_row;   /* seconds */

/* A preset name or an inline spec into *c: 0, or -1 with the message in err
 * ("unknown policy 'x' (not a preset; ...)", "unknown key 'k' in inline spec"). */
int bench_delays_policy(const char *arg, pol_retry_cfg *c, char *err, size_t cap);
/* Retries sampled for c: (o->attempts, else c's max_attempts, else
 * BENCH_DELAYS_UNLIMITED), at most BENCH_DELAYS_MAX_ATTEMPTS, minus 1;
 * 0 or less means a single attempt. */
int bench_delays_retries(const bench_delays_opts *o, const pol_retry_cfg *c);
/* Samples o->draws requests: rows[k] summarises the delay before retry k+1
 * (k < retries) and the mean time slept up to it. 0, or -1 out of memory. */
int bench_delays_sample(const bench_delays_opts *o, const pol_retry_cfg *c, int retries, bench_delay_row *rows);

#endif
