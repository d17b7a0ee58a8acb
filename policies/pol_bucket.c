/* pol_bucket.c — token bucket with reservations (pol_bucket.h).
 * Invariants: 0 <= level <= burst; `at` only moves forward; a WAIT's delay
 * is rounded up (ceil) to whole ns and a tiny relative tolerance (1e-9 of the
 * amount) absorbs the rounding of the refill, so sleeping *wait always finds
 * the amount. Cost: O(1), no allocation.
 */
#include "pol_bucket.h"
#include <math.h>

#define TOL(amount) (1e-9 * ((amount) > 1.0 ? (amount) : 1.0))

static int cfg_ok(double rate, double burst)
{
    return isfinite(rate) && isfinite(burst) && rate > 0 && burst > 0;
}

int pol_bucket_per_minute(pol_bucket_cfg *out, double limit)
{
    if (!out || !isfinite(limit) || limit <= 0) return POL_EINVAL;
    out->rate = limit / 60.0;
    out->burst = limit;
    return POL_OK;
}

int pol_bucket_init(pol_bucket *b, const pol_bucket_cfg *c, pol_ns now)
{
    if (!b || !c || !cfg_ok(c->rate, c->burst)) return POL_EINVAL;
    b->cfg = *c;
    pol_bucket_reset(b, now);
    return POL_OK;
}

void pol_bucket_reset(pol_bucket *b, pol_ns now)
{
    if (!b) return;
    b->level = b->cfg.burst;
    b->at = now;
}

/* Level at time t >= b->at. */
static double level_at(const pol_bucket *b, pol_ns t)
{
    double l = b->level + b->cfg.rate * (double)(t - b->at) / (double)POL_NS_PER_S;
    return l > b->cfg.burst ? b->cfg.burst : l;
}

double pol_bucket_level(const pol_bucket *b, pol_ns now)
{
    if (!b || now < b->at) return 0.0;
    return level_at(b, now);
}

/* ns needed to refill `missing` tokens, rounded up. */
static pol_ns refill_time(const pol_bucket *b, double missing)
{
    double ns = ceil(missing / b->cfg.rate * (double)POL_NS_PER_S);
    return ns >= (double)POL_NS_MAX / 2 ? POL_NS_MAX / 2 : (pol_ns)ns;
}

static int check(const pol_bucket *b, double amount, const pol_ns *wait_out)
{
    if (!b || !wait_out || !isfinite(amount) || amount < 0) return POL_EINVAL;
    return amount > b->cfg.burst + TOL(amount) ? POL_ERANGE : POL_OK;
}

int pol_bucket_take(pol_bucket *b, pol_ns now, double amount, pol_ns *wait_out)
{
    int rc = check(b, amount, wait_out);
    if (rc) return rc;
    if (now < b->at) {                           /* reservations pending */
        *wait_out = (b->at - now) + refill_time(b, amount);
        return POL_BUCKET_WAIT;
    }
    double l = level_at(b, now);
    b->level = l;
    b->at = now;
    if (l + TOL(amount) >= amount) {
        b->level = l > amount ? l - amount : 0.0;
        *wait_out = 0;
        return POL_BUCKET_GO;
    }
    *wait_out = refill_time(b, amount - l);
    return POL_BUCKET_WAIT;
}

int pol_bucket_reserve(pol_bucket *b, pol_ns now, double amount, pol_ns *wait_out)
{
    int rc = pol_bucket_take(b, now, amount, wait_out);
    if (rc != POL_BUCKET_WAIT) return rc;
    /* the tokens are there at now + wait: consume them then */
    b->at = now + *wait_out;
    b->level = 0.0;
    return POL_BUCKET_WAIT;
}

int pol_bucket_set_rate(pol_bucket *b, pol_ns now, double rate, double burst)
{
    if (!b || !cfg_ok(rate, burst)) return POL_EINVAL;
    if (now > b->at) {
        b->level = level_at(b, now);
        b->at = now;
    }
    b->cfg.rate = rate;
    b->cfg.burst = burst;
    if (b->level > burst) b->level = burst;
    return POL_OK;
}

int pol_bucket_set_max_rate(pol_bucket *b, pol_ns now, double value, double min_rate)
{
    if (!b || !isfinite(value) || !isfinite(min_rate) || min_rate <= 0) return POL_EINVAL;
    return pol_bucket_set_rate(b, now, value > min_rate ? value : min_rate, value >= 1.0 ? value : 1.0);
}
