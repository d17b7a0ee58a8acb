/* pol_layers.c — nested retry loops (pol_layers.h).
 * Invariants: only the layer an outcome is reported to, and the layers
 * outside it that an inner give-up reaches, count an attempt; a RETRY at
 * layer k restarts exactly the layers k+1 .. n-1; with n = 1 every call is
 * the single layer's pol_retry_next, so a flat policy decides (and draws)
 * exactly as without layers.
 * Cost: O(n) plus one pol_retry_next per layer asked; no allocation.
 */
#include "pol_layers.h"

int pol_layers_validate(const pol_layers_cfg *c)
{
    if (!c || c->n < 1 || c->n > POL_LAYERS_MAX) return POL_EINVAL;
    for (int k = 0; k < c->n; k++)
        if (!c->layer[k] || pol_retry_validate(c->layer[k]) != POL_OK) return POL_EINVAL;
    return POL_OK;
}

int pol_layers_begin(const pol_layers_cfg *c, pol_retry_state *s, pol_ns now)
{
    if (!c || !s || c->n < 1 || c->n > POL_LAYERS_MAX) return POL_EINVAL;
    for (int k = 0; k < c->n; k++) pol_retry_begin(&s[k], now);
    return POL_OK;
}

int pol_layers_next(const pol_layers_cfg *c, pol_retry_state *s, int layer, const pol_outcome *o,
                    pol_ns now, gsl_rng *r, pol_verdict *v, int *decided)
{
    if (!c || !s || !o || !r || !v || c->n < 1 || c->n > POL_LAYERS_MAX || layer < 0 || layer >= c->n)
        return POL_EINVAL;
    for (int k = 0; k <= layer; k++)
        if (!c->layer[k]) return POL_EINVAL;
    for (int k = layer;; k--) {
        int rc = pol_retry_next(c->layer[k], &s[k], o, now, r, v);
        if (rc != POL_OK) return rc;
        if (v->action == POL_ACT_RETRY) {
            for (int j = k + 1; j < c->n; j++) pol_retry_begin(&s[j], now + v->delay);
            if (decided) *decided = k;
            return POL_OK;
        }
        /* DONE ends every loop; an outermost GIVE_UP / FALLBACK is the answer */
        if (v->action == POL_ACT_DONE || k == 0) {
            if (decided) *decided = k;
            return POL_OK;
        }
        /* the loop of layer k raised: one attempt of layer k-1 failed with o */
    }
}

static pol_ns add_sat(pol_ns a, pol_ns b)
{
    return b > 0 && a > POL_NS_MAX - b ? POL_NS_MAX - 1 : a + b;
}

pol_ns pol_layers_expiry(const pol_layers_cfg *c, const pol_retry_state *s, pol_ns sent, int *layer)
{
    pol_ns best = POL_NS_MAX;
    int who = -1;
    if (layer) *layer = -1;
    if (!c || !s || c->n < 1 || c->n > POL_LAYERS_MAX) return POL_NS_MAX;
    /* from the innermost outwards, so that a tie goes to the outer layer */
    for (int k = c->n - 1; k >= 0; k--) {
        const pol_retry_cfg *l = c->layer[k];
        if (!l) return POL_NS_MAX;
        pol_ns t = POL_NS_MAX;
        if (l->attempt_timeout > 0) {
            if (k == c->n - 1) {
                if (sent >= 0) t = add_sat(sent, l->attempt_timeout);
            } else {
                t = add_sat(s[k + 1].start, l->attempt_timeout);
            }
        }
        if (l->deadline > 0 && add_sat(s[k].start, l->deadline) < t) t = add_sat(s[k].start, l->deadline);
        if (t <= best && t != POL_NS_MAX) {
            best = t;
            who = k;
        }
    }
    if (who < 0) return POL_NS_MAX;
    if (sent >= 0 && best <= sent) best = sent + 1;
    if (layer) *layer = who;
    return best;
}
