/* pol_lb.c — load balancing across caller-owned targets (pol_lb.h).
 * Invariants: a pick is always an available target (and, LOWEST_USAGE, one
 * whose limits the request fits); the random kinds draw from r only (1 draw
 * for WEIGHTED_RANDOM, 2 for P2C with >= 2 candidates), so a run is
 * reproducible from the seed. Cost: O(n) per pick, no allocation.
 */
#include "pol_lb.h"
#include "pol_internal.h"
#include <math.h>

#define MINUTE (60 * POL_NS_PER_S)

static const char *const kind_names[POL_LB__COUNT] = {
    "weighted-random", "round-robin", "least-outstanding", "p2c", "ewma",
    "lowest-usage", "lowest-cost", "highest-success-rate"
};

POL_NAME_FUNCS(pol_lb_kind, pol_lb_kind_name, pol_lb_kind_parse, kind_names, POL_LB__COUNT)

void pol_lb_default(pol_lb_kind k, pol_lb_cfg *out)
{
    if (!out) return;
    out->kind = k;
    out->decay = 10 * POL_NS_PER_S;    /* Finagle PeakEwma decayTime */
    out->usage_relative = 0;
    out->success_window = 0;           /* the seed: every result since the start */
}

int pol_lb_init(pol_lb *lb, const pol_lb_cfg *c)
{
    if (!lb || !c || (int)c->kind < 0 || c->kind >= POL_LB__COUNT || c->decay <= 0
        || c->success_window < 0) return POL_EINVAL;
    lb->cfg = *c;
    pol_lb_reset(lb);
    return POL_OK;
}

void pol_lb_reset(pol_lb *lb)
{
    if (lb) lb->rr_next = 0;
}

void pol_lb_target_init(pol_lb_target *t)
{
    if (!t) return;
    pol_lb_target z = { .available = 1, .weight = 1.0, .ewma_at = -1, .result_at = -1 };
    *t = z;
}

static void roll_minute(pol_lb_target *t, pol_ns now)
{
    int64_t m = now >= 0 ? now / MINUTE : -((-now + MINUTE - 1) / MINUTE);
    if (m != t->minute) {
        t->minute = m;
        t->rpm_used = t->tpm_used = 0.0;
    }
}

static int fits(pol_lb_target *t, pol_ns now, double tokens)
{
    roll_minute(t, now);
    if (t->tpm_limit > 0 && t->tpm_used + tokens > t->tpm_limit) return 0;
    if (t->rpm_limit > 0 && t->rpm_used + 1 > t->rpm_limit) return 0;
    return 1;
}

static double usage_score(const pol_lb *lb, const pol_lb_target *t)
{
    if (!lb->cfg.usage_relative) return t->tpm_used;
    double a = t->tpm_limit > 0 ? t->tpm_used / t->tpm_limit : 0.0;
    double b = t->rpm_limit > 0 ? t->rpm_used / t->rpm_limit : 0.0;
    return a > b ? a : b;
}

/* The decay factor of target t's result counts from its last result to now. */
static double result_decay(const pol_lb *lb, const pol_lb_target *t, pol_ns now)
{
    if (!lb || lb->cfg.success_window <= 0 || t->result_at < 0 || now <= t->result_at) return 1.0;
    return exp(-(double)(now - t->result_at) / (double)lb->cfg.success_window);
}

/* Success rate. success_window 0 (the seed): successes / total, 1.0 with no
 * result. success_window W > 0: both counts decayed to now, plus one
 * pseudo-success (the seed's "no data, assume good" as a prior), so a target
 * that is no longer picked drifts back to 1.0 as its failures age (without
 * the prior the decay would cancel in the ratio and an early failure would
 * exclude a target for good). */
static double success_rate(const pol_lb *lb, const pol_lb_target *t, pol_ns now)
{
    if (lb->cfg.success_window <= 0) {
        double total = t->successes + t->failures;
        return total > 0 ? t->successes / total : 1.0;
    }
    double w = result_decay(lb, t, now), s = t->successes * w, f = t->failures * w;
    return (s + 1.0) / (s + f + 1.0);
}

/* Score of target i for the argmin kinds; lower is better. */
static double score(const pol_lb *lb, const pol_lb_target *t, pol_ns now)
{
    switch (lb->cfg.kind) {
    case POL_LB_HIGHEST_SUCCESS_RATE: return -success_rate(lb, t, now);
    case POL_LB_LEAST_OUTSTANDING: return (double)t->outstanding;
    case POL_LB_EWMA:              return t->ewma * (double)(t->outstanding + 1);
    case POL_LB_LOWEST_USAGE:      return usage_score(lb, t);
    case POL_LB_LOWEST_COST:       return t->cost;
    default:                       return 0.0;
    }
}

/* k-th (0-based) available target. */
static size_t nth_available(const pol_lb_target *t, size_t n, size_t k)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].available && k-- == 0) return i;
    return n;
}

int pol_lb_pick(pol_lb *lb, pol_lb_target *t, size_t n, pol_ns now, double tokens,
                gsl_rng *r, size_t *index_out)
{
    if (!lb || (!t && n) || !index_out || tokens < 0) return POL_EINVAL;
    size_t avail = 0;
    double wsum = 0.0;
    for (size_t i = 0; i < n; i++)
        if (t[i].available) {
            avail++;
            wsum += t[i].weight > 0 ? t[i].weight : 0.0;
        }
    if (avail == 0) return POL_LB_NONE;
    size_t best = n;
    switch (lb->cfg.kind) {
    case POL_LB_WEIGHTED_RANDOM: {
        if (!r) return POL_EINVAL;
        double u = gsl_rng_uniform(r);
        if (wsum <= 0) { best = nth_available(t, n, (size_t)(u * (double)avail)); break; }
        double x = u * wsum, acc = 0.0;
        for (size_t i = 0; i < n && best == n; i++)
            if (t[i].available && t[i].weight > 0 && (acc += t[i].weight) > x) best = i;
        if (best == n)                          /* rounding at the top end */
            for (size_t i = n; i-- > 0 && best == n;) if (t[i].available && t[i].weight > 0) best = i;
        break;
    }
    case POL_LB_ROUND_ROBIN:
        for (size_t k = 0; k < n && best == n; k++) {
            size_t i = (lb->rr_next + k) % n;
            if (t[i].available) best = i;
        }
        lb->rr_next = best + 1;
        break;
    case POL_LB_P2C: {
        if (!r) return POL_EINVAL;
        size_t a = nth_available(t, n, gsl_rng_uniform_int(r, avail));
        if (avail == 1) { best = a; break; }
        size_t k = gsl_rng_uniform_int(r, avail - 1);
        /* the k-th available among the others (skipping a) */
        size_t rank_a = 0;
        for (size_t i = 0; i < a; i++) rank_a += t[i].available ? 1 : 0;
        size_t b = nth_available(t, n, k >= rank_a ? k + 1 : k);
        best = t[b].outstanding < t[a].outstanding ? b : a;
        break;
    }
    default: {
        double bs = INFINITY;
        for (size_t i = 0; i < n; i++) {
            if (!t[i].available) continue;
            if (lb->cfg.kind == POL_LB_LOWEST_USAGE && !fits(&t[i], now, tokens)) continue;
            double s = score(lb, &t[i], now);
            if (s < bs || (s == bs && lb->cfg.kind == POL_LB_LOWEST_COST && best < n
                           && t[i].outstanding < t[best].outstanding)) {
                bs = s;
                best = i;
            }
        }
        if (best == n) return POL_LB_NONE;
        break;
    }
    }
    if (best >= n) return POL_LB_NONE;
    *index_out = best;
    return POL_LB_PICKED;
}

void pol_lb_on_send(pol_lb_target *t, pol_ns now, double tokens)
{
    if (!t) return;
    roll_minute(t, now);
    t->outstanding++;
    t->rpm_used += 1.0;
    t->tpm_used += tokens > 0 ? tokens : 0.0;
}

void pol_lb_on_done(const pol_lb *lb, pol_lb_target *t, pol_ns now, pol_ns latency)
{
    if (!t) return;
    if (t->outstanding > 0) t->outstanding--;
    if (latency < 0) return;
    double x = (double)latency, tau = lb ? (double)lb->cfg.decay : 10.0 * POL_NS_PER_S;
    if (t->ewma_at < 0 || x > t->ewma) {
        t->ewma = x;                            /* first sample, or a peak */
    } else {
        double dt = (double)(now > t->ewma_at ? now - t->ewma_at : 0);
        double w = exp(-dt / tau);
        t->ewma = t->ewma * w + x * (1.0 - w);
    }
    t->ewma_at = now;
}

void pol_lb_on_result(const pol_lb *lb, pol_lb_target *t, pol_ns now, int ok)
{
    if (!t) return;
    double w = result_decay(lb, t, now);
    t->successes = t->successes * w + (ok ? 1.0 : 0.0);
    t->failures = t->failures * w + (ok ? 0.0 : 1.0);
    t->result_at = now;
}
