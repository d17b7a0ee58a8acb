/* pol_throttle.c — adaptive throttling (pol_throttle.h): Google SRE client
 * throttling, and botocore's adaptive mode (CUBIC + RateClocker + TokenBucket).
 * Invariants: SRE p = max(0, (req - k acc) / (req + 1)) lies in [0, 1); the
 * AWS bucket's fill rate is >= min_fill_rate and its capacity max(rate, 1),
 * as botocore's TokenBucket.max_rate setter makes them. Times inside the AWS
 * state are seconds as doubles, like botocore's time.time().
 * Cost: O(1) per call; SRE's ring is allocated once in init.
 */
#include "pol_throttle.h"
#include "pol_internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { C_REQ = 0, C_ACC, N_COUNTERS };

static const char *const kind_names[POL_THROTTLE__COUNT] = { "sre", "aws-adaptive" };

POL_NAME_FUNCS(pol_throttle_kind, pol_throttle_kind_name, pol_throttle_kind_parse, kind_names, POL_THROTTLE__COUNT)

void pol_throttle_default(pol_throttle_kind k, pol_throttle_cfg *out)
{
    if (!out) return;
    pol_throttle_cfg c = {
        .kind = k,
        .k = 2.0, .window = 120 * POL_NS_PER_S, .slices = 120,
        .beta = 0.7, .scale_c = 0.4, .min_fill_rate = 0.5, .smoothing = 0.8,
        .rate_bucket = 500 * POL_NS_PER_MS, .max_rate_scale = 2.0,
    };
    *out = c;
}

int pol_throttle_validate(const pol_throttle_cfg *c)
{
    if (!c) return POL_EINVAL;
    if (c->kind == POL_THROTTLE_SRE)
        return c->k >= 1.0 && c->slices >= 1 && c->slices <= 100000 && c->window >= c->slices
            ? POL_OK : POL_EINVAL;
    if (c->kind == POL_THROTTLE_AWS_ADAPTIVE)
        return c->beta > 0 && c->beta < 1 && c->scale_c > 0 && c->min_fill_rate > 0
            && c->smoothing > 0 && c->smoothing <= 1 && c->rate_bucket > 0 && c->max_rate_scale > 0
            ? POL_OK : POL_EINVAL;
    return POL_EINVAL;
}

static double secs(pol_ns t) { return (double)t / (double)POL_NS_PER_S; }

/* ---- CubicCalculator ----------------------------------------------------- */
static double cubic_zero_point(const pol_cubic *c)
{
    return cbrt(c->w_max * (1.0 - c->beta) / c->scale_constant);
}

void pol_cubic_init(pol_cubic *c, double starting_max_rate, pol_ns start_time,
                    double scale_constant, double beta)
{
    if (!c) return;
    c->w_max = starting_max_rate;
    c->scale_constant = scale_constant;
    c->beta = beta;
    c->k = cubic_zero_point(c);
    c->last_fail = start_time;
}

double pol_cubic_success(const pol_cubic *c, pol_ns t)
{
    if (!c) return 0.0;
    double dt = secs(t - c->last_fail) - c->k;
    return c->scale_constant * dt * dt * dt + c->w_max;
}

double pol_cubic_error(pol_cubic *c, double current_rate, pol_ns t)
{
    if (!c) return 0.0;
    c->w_max = current_rate;
    c->k = cubic_zero_point(c);
    c->last_fail = t;
    return current_rate * c->beta;
}

/* ---- RateClocker --------------------------------------------------------- */
void pol_rate_clocker_init(pol_rate_clocker *r, pol_ns start, double smoothing, pol_ns bucket_range)
{
    if (!r) return;
    r->measured = 0.0;
    r->smoothing = smoothing;
    r->last_bucket = floor(secs(start));
    r->scale = bucket_range > 0 ? 1.0 / secs(bucket_range) : 2.0;
    r->count = 0.0;
}

double pol_rate_clocker_record(pol_rate_clocker *r, pol_ns now, double amount)
{
    if (!r) return 0.0;
    double bucket = floor(secs(now) * r->scale) / r->scale;
    r->count += amount;
    if (bucket > r->last_bucket) {
        double current = r->count / (bucket - r->last_bucket);
        r->measured = current * r->smoothing + r->measured * (1.0 - r->smoothing);
        r->count = 0.0;
        r->last_bucket = bucket;
    }
    return r->measured;
}

int pol_throttle_init(pol_throttle *t, const pol_throttle_cfg *c, pol_ns now)
{
    if (!t) return POL_EINVAL;
    int rc = pol_throttle_validate(c);
    if (rc) return rc;
    memset(t, 0, sizeof *t);
    t->cfg = *c;
    if (c->kind == POL_THROTTLE_SRE) {
        t->cells = calloc(pol_window_cells(c->slices, N_COUNTERS), sizeof *t->cells);
        if (!t->cells) return POL_ENOMEM;
        pol_window_init(&t->win, c->window / c->slices, c->slices, N_COUNTERS, t->cells);
    }
    pol_throttle_reset(t, now);
    return POL_OK;
}

void pol_throttle_free(pol_throttle *t)
{
    if (!t) return;
    free(t->cells);
    t->cells = NULL;
}

void pol_throttle_reset(pol_throttle *t, pol_ns now)
{
    if (!t) return;
    if (t->cells) pol_window_reset(&t->win);
    /* register_retry_handler: CubicCalculator(starting_max_rate=0, start_time),
     * TokenBucket(max_rate=1) starting empty, RateClocker(clock). */
    t->enabled = 0;
    pol_cubic_init(&t->cubic, 0.0, now, t->cfg.scale_c, t->cfg.beta);
    pol_rate_clocker_init(&t->clock, now, t->cfg.smoothing, t->cfg.rate_bucket);
    pol_bucket_cfg bc = { 1.0, 1.0 };
    pol_bucket_init(&t->bucket, &bc, now);
    pol_bucket_set_max_rate(&t->bucket, now, 1.0, t->cfg.min_fill_rate);
    t->bucket.level = 0.0;
}

static double sre_p(pol_throttle *t, pol_ns now)
{
    double req = (double)pol_window_sum(&t->win, now, C_REQ);
    double acc = (double)pol_window_sum(&t->win, now, C_ACC);
    double p = (req - t->cfg.k * acc) / (req + 1.0);
    return p > 0.0 ? p : 0.0;
}

int pol_throttle_before_send(pol_throttle *t, pol_ns now, gsl_rng *r, pol_ns *wait_out)
{
    if (!t || !wait_out) return POL_EINVAL;
    *wait_out = 0;
    if (t->cfg.kind == POL_THROTTLE_SRE) {
        if (!r) return POL_EINVAL;
        double p = sre_p(t, now);
        double u = gsl_rng_uniform(r);          /* one draw per request, always */
        pol_window_add(&t->win, now, C_REQ, 1);
        return u < p ? POL_THROTTLE_REJECT : POL_THROTTLE_SEND;
    }
    if (!t->enabled) return POL_THROTTLE_SEND;
    /* TokenBucket._acquire(block=True): take the token if it is there, else
     * sleep (amount - capacity) / fill_rate and look again. Nothing is
     * reserved: the caller asks again at now + *wait_out, and by then the
     * fill rate may have changed (botocore's max_rate setter notifies the
     * waiters, who recompute their sleep). */
    int rc = pol_bucket_take(&t->bucket, now, 1.0, wait_out);
    if (rc < 0) return rc;
    return rc == POL_BUCKET_GO ? POL_THROTTLE_SEND : POL_THROTTLE_WAIT;
}

int pol_throttle_on_response(pol_throttle *t, pol_ns now, int throttled)
{
    if (!t) return POL_EINVAL;
    if (t->cfg.kind == POL_THROTTLE_SRE) {
        if (!throttled) pol_window_add(&t->win, now, C_ACC, 1);
        else pol_window_advance(&t->win, now);
        return POL_OK;
    }
    /* ClientRateLimiter.on_receiving_response */
    double measured = pol_rate_clocker_record(&t->clock, now, 1.0), new_rate;
    if (!throttled) {
        new_rate = pol_cubic_success(&t->cubic, now);
    } else {
        double use = measured;
        if (t->enabled && t->bucket.cfg.rate < use) use = t->bucket.cfg.rate;
        new_rate = pol_cubic_error(&t->cubic, use, now);
        t->enabled = 1;
    }
    double cap = t->cfg.max_rate_scale * measured;
    pol_bucket_set_max_rate(&t->bucket, now, new_rate < cap ? new_rate : cap, t->cfg.min_fill_rate);
    return POL_OK;
}

double pol_throttle_level(pol_throttle *t, pol_ns now)
{
    if (!t) return 0.0;
    if (t->cfg.kind == POL_THROTTLE_SRE) return sre_p(t, now);
    return t->enabled ? t->bucket.cfg.rate : 0.0;
}
