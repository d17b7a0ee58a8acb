/* delays.h — what a retry policy actually waits: the backoff delays of
 * retries 1..N-1 sampled over many simulated requests (`retrysim delays`).
 *
 * A policy is a preset name (pol_preset_list), an inline spec
 * KIND:key=value,...[;on=MATCH|MATCH:key=value,...]...[;count=MODE]
 * (docs/cli.md, "retrysim delays"), or FILE.yaml[:NAME], a policy of a
 * scenario file with its nested retry loops (FILE.yaml alone: each of its
 * policies). Two views:
 *   - without kinds, each of o->draws simulated requests starts from a fresh
 *     pol_backoff_state and walks the policy's own schedule (its outermost
 *     layer's, without its per-kind rules) for retries n = 1..N-1, so the
 *     path-dependent (decorrelated) kinds follow their path;
 *   - with kinds (--kind 429,503,...), every request's attempts end with
 *     those outcomes in turn (the last one repeating) and the delays are the
 *     verdicts of pol_layers_next: the per-kind rules, the counting mode and
 *     every nested layer apply, and the rows stop where the policy gives up.
 * Hints and deadlines are not part of either view.
 * Invariants: every sample re-seeds its own gsl_rng (taus2) with o->seed,
 * so a policy's rows do not depend on the other policies sampled, and the
 * same arguments give the same numbers.
 * Cost: O(draws x retries) draws plus a sort per retry; memory
 * 2 x draws x retries doubles (at most 1e7 x 63).
 */
#ifndef BENCH_DELAYS_H
#define BENCH_DELAYS_H
#include "retrypol.h"
#include "scenario.h"
#include <stddef.h>

#define BENCH_DELAYS_MAX_ATTEMPTS 64
#define BENCH_DELAYS_UNLIMITED     6     /* attempts assumed for an unlimited policy */
#define BENCH_DELAYS_MAX_KINDS    16

typedef struct {
    long long     attempts;   /* total attempts, 0 = the policy's */
    long long     draws;      /* simulated requests, >= 1 */
    unsigned long seed;
    pol_outcome   kinds[BENCH_DELAYS_MAX_KINDS];   /* the attempts' outcomes in turn (nkinds > 0) */
    int           nkinds;
} bench_delays_opts;

/* One policy to sample: its retry loops, outermost first. */
typedef struct {
    char          name[SIM_PATH_MAX + SIM_NAME_MAX + 2];
    int           n;
    pol_retry_cfg layer[SIM_MAX_LAYERS];
} bench_delays_pol;

typedef struct { double min, mean, p50, p99, max, cum_mean; } bench_delay_row;   /* seconds */

/* Appends the policies `arg` names (one, or a scenario file's) to the
 * growable *list (*n of *cap): 0; -1 with the message in err ("unknown
 * policy 'x' (not a preset; ...)", "unknown key 'k' in inline spec"); or -2
 * with a scenario file's error, which names its own file:line:col. */
int bench_delays_load(const char *arg, bench_delays_pol **list, int *n, int *cap, char *err, size_t errcap);
/* --kind's value (statuses 400..599 or kind names, comma-separated) into
 * o->kinds: 0, or -1 with the message in err. */
int bench_delays_kinds(const char *val, bench_delays_opts *o, char *err, size_t errcap);
/* Retries asked for p: o->attempts, else (kinds: BENCH_DELAYS_MAX_ATTEMPTS;
 * else p's max_attempts, else BENCH_DELAYS_UNLIMITED), at most
 * BENCH_DELAYS_MAX_ATTEMPTS, minus 1. */
int bench_delays_retries(const bench_delays_opts *o, const bench_delays_pol *p);
/* Samples o->draws requests: rows[k] summarises the delay before retry k+1
 * and the mean time slept up to it, for k < *made (the retries the policy
 * makes, <= retries). 0, or -1 out of memory. */
int bench_delays_sample(const bench_delays_opts *o, const bench_delays_pol *p, int retries, bench_delay_row *rows,
                        int *made);

#endif
