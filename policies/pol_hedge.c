/* pol_hedge.c — hedging decisions (pol_hedge.h).
 * Invariants: `sorted` holds exactly the n values of `ring`, ascending; the
 * delay is the fixed one until min_samples latencies are in, then the
 * nearest-rank quantile, always one of the observed values.
 * Cost: observe O(window) (binary search + memmove), next_at O(1).
 */
#include "pol_hedge.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

void pol_hedge_default(pol_hedge_cfg *out)
{
    if (!out) return;
    pol_hedge_cfg c = { .max_attempts = 2, .delay = 500 * POL_NS_PER_MS, .max_in_flight = 0,
                        .use_quantile = 0, .quantile = 0.95, .window = 100, .min_samples = 20 };
    *out = c;
}

int pol_hedge_validate(const pol_hedge_cfg *c)
{
    if (!c || c->max_attempts < 1 || c->delay < 0 || c->max_in_flight < 0) return POL_EINVAL;
    if (c->use_quantile && (!(c->quantile > 0 && c->quantile <= 1) || c->window < 1
                            || c->window > 1000000 || c->min_samples < 1)) return POL_EINVAL;
    return POL_OK;
}

int pol_hedge_init(pol_hedge *h, const pol_hedge_cfg *c)
{
    if (!h) return POL_EINVAL;
    int rc = pol_hedge_validate(c);
    if (rc) return rc;
    memset(h, 0, sizeof *h);
    h->cfg = *c;
    if (c->use_quantile) {
        h->ring = calloc((size_t)c->window, sizeof *h->ring);
        h->sorted = calloc((size_t)c->window, sizeof *h->sorted);
        if (!h->ring || !h->sorted) {
            pol_hedge_free(h);
            return POL_ENOMEM;
        }
    }
    return POL_OK;
}

void pol_hedge_free(pol_hedge *h)
{
    if (!h) return;
    free(h->ring);
    free(h->sorted);
    h->ring = h->sorted = NULL;
    h->n = h->head = 0;
}

void pol_hedge_reset(pol_hedge *h)
{
    if (h) h->n = h->head = 0;
}

/* First index in sorted[0..n) whose value is >= v. */
static int lower_bound(const pol_ns *a, int n, pol_ns v)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (a[mid] < v) lo = mid + 1; else hi = mid;
    }
    return lo;
}

int pol_hedge_observe(pol_hedge *h, pol_ns latency)
{
    if (!h || latency < 0) return POL_EINVAL;
    if (!h->ring) return POL_OK;                   /* fixed delay: nothing to keep */
    int w = h->cfg.window;
    if (h->n == w) {                               /* drop the oldest */
        pol_ns old = h->ring[h->head];
        int i = lower_bound(h->sorted, h->n, old);
        memmove(h->sorted + i, h->sorted + i + 1, (size_t)(h->n - i - 1) * sizeof *h->sorted);
        h->n--;
    }
    int i = lower_bound(h->sorted, h->n, latency);
    memmove(h->sorted + i + 1, h->sorted + i, (size_t)(h->n - i) * sizeof *h->sorted);
    h->sorted[i] = latency;
    h->n++;
    h->ring[h->head] = latency;
    h->head = (h->head + 1) % w;
    return POL_OK;
}

pol_ns pol_hedge_delay(const pol_hedge *h)
{
    if (!h) return 0;
    if (!h->cfg.use_quantile || h->n < h->cfg.min_samples || h->n == 0) return h->cfg.delay;
    int rank = (int)ceil(h->cfg.quantile * h->n - 1e-9);
    if (rank < 1) rank = 1;
    if (rank > h->n) rank = h->n;
    return h->sorted[rank - 1];
}

pol_ns pol_hedge_next_at(const pol_hedge *h, pol_ns started_at, int sent, int in_flight)
{
    if (!h || sent < 0 || in_flight < 0) return POL_NS_MAX;
    int cap = h->cfg.max_in_flight > 0 ? h->cfg.max_in_flight : h->cfg.max_attempts;
    if (sent >= h->cfg.max_attempts || in_flight >= cap) return POL_NS_MAX;
    pol_ns d = pol_hedge_delay(h);
    if (d > 0 && sent > (POL_NS_MAX - started_at) / d) return POL_NS_MAX;
    return started_at + (pol_ns)sent * d;
}
