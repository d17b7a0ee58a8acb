/* pol_layers.h — nested retry loops: a retry policy that wraps another.
 *
 * Real clients stack loops: an application's retry_with_backoff(5) around an
 * SDK that keeps its own max_retries=2, a gateway around a client, tenacity
 * around botocore. pol_layers composes up to POL_LAYERS_MAX pol_retry loops
 * exactly as such code runs: layer 0 is the outermost loop, layer n-1 the
 * innermost, the one that makes the HTTP attempts; one attempt of layer k is
 * one whole run of the loops k+1 .. n-1.
 *
 *   - An HTTP attempt's outcome goes to the innermost layer (pol_layers_next
 *     with layer = n-1). DONE is the answer; RETRY is a retry of that loop.
 *   - GIVE_UP (or FALLBACK) at layer k is the end of one attempt of layer
 *     k-1 ("the inner loop raised"): the same outcome — the inner loop's last
 *     one, its status and hints — is reported to layer k-1, which classifies
 *     it with its own table and decides in turn. Only layer 0's GIVE_UP or
 *     FALLBACK reaches the caller.
 *   - RETRY at layer k restarts the layers inside it (k+1 .. n-1, fresh
 *     counters, backoff and deadline origin at the end of the sleep).
 *   - Timeouts nest: layer n-1's attempt_timeout bounds one HTTP attempt;
 *     layer k's attempt_timeout (k < n-1) bounds one attempt of layer k, i.e.
 *     one whole run of the loops inside it (asyncio.wait_for around the SDK
 *     call), sleeps included; every layer's deadline bounds its own loop from
 *     its start. pol_layers_expiry gives the earliest such bound and whose it
 *     is; when it fires the caller abandons what runs inside that layer (the
 *     HTTP attempt in flight, or the inner sleep) and reports a timeout to
 *     that layer with pol_layers_next(layer = k).
 *   - Amplification multiplies: 5 outer x 3 inner attempts = 15 HTTP attempts
 *     on a permanent 503 when both loops retry it.
 * With one layer, pol_layers_next is pol_retry_next (same decisions, same
 * draws). Pure: no clock, no allocation; the cfg only points at the
 * layers' pol_retry_cfg, which the caller keeps alive and unchanged.
 * Semantics: docs/policies.md, "Nested retry layers".
 * Cost: O(n) per call (n <= 4), plus pol_retry_next per layer asked.
 */
#ifndef POL_LAYERS_H
#define POL_LAYERS_H
#include "pol_retry.h"

#ifdef __cplusplus
extern "C" {
#endif

#define POL_LAYERS_MAX 4

typedef struct {
    /* public */
    int n;                                      /* layers, 1 .. POL_LAYERS_MAX */
    const pol_retry_cfg *layer[POL_LAYERS_MAX]; /* [0] outermost .. [n-1] innermost */
} pol_layers_cfg;

/* The state of the nested loops is an array of c->n pol_retry_state, one per
 * layer (s[k] is layer k's: s[k].attempts its attempts so far, its current
 * one is attempts + 1; s[k].start when its loop began), which the caller
 * allocates: pol_retry_state s[POL_LAYERS_MAX], or exactly n of them. */

/* POL_OK, or POL_EINVAL: n out of range, a NULL layer, an invalid layer. */
POL_API int pol_layers_validate(const pol_layers_cfg *c);
/* Begins every layer's loop (s[0 .. n-1]) at now: a request, or a fallback target. */
POL_API int pol_layers_begin(const pol_layers_cfg *c, pol_retry_state *s, pol_ns now);
/* The attempt of `layer` just ended with o: the HTTP attempt's outcome for
 * layer n-1; for k < n-1, a timeout (the layer's attempt timeout or
 * deadline fired, see pol_layers_expiry) — the layers inside it are
 * abandoned and see nothing. Decides from that layer outwards as described
 * above; *v is the answer (for RETRY, v->delay is the sleep before the next
 * HTTP attempt), *decided the layer that gave it: for RETRY the layer that
 * retries (the layers inside it have been restarted at now + delay), for
 * DONE the innermost, for GIVE_UP / FALLBACK 0. decided may be NULL.
 * Returns POL_OK or POL_EINVAL. */
POL_API int pol_layers_next(const pol_layers_cfg *c, pol_retry_state *s, int layer, const pol_outcome *o,
                            pol_ns now, gsl_rng *r, pol_verdict *v, int *decided);
/* When what runs now must be abandoned: the earliest of layer n-1's
 * attempt_timeout after `sent` (the HTTP attempt in flight was sent then;
 * pass sent < 0 while sleeping between attempts), every layer k < n-1's
 * attempt_timeout after layer k+1's loop began, and every layer's deadline
 * after its own loop began. Returns that time (never before sent + 1 when
 * sent >= 0) and sets *layer to the layer whose bound it is (the outermost
 * one on a tie), or returns POL_NS_MAX (and *layer = -1) when none applies.
 * layer may be NULL. */
POL_API pol_ns pol_layers_expiry(const pol_layers_cfg *c, const pol_retry_state *s, pol_ns sent, int *layer);

#ifdef __cplusplus
}
#endif
#endif
