/* pol_budget.c — retry budgets (pol_budget.h).
 * Invariants: AWS 0 <= level <= aws_capacity; GRPC 0 <= level <= grpc_max
 * (both in integer units, so no rounding drift); RATIO a withdrawal happens
 * only when deposits - withdrawals in the window + reserve >= withdrawal
 * (Finagle's TokenBucket.newLeakyBucket over a WindowedAdder of 10 slices);
 * ENVOY retries_active and attempts_active never go negative.
 * Cost: O(1) per call; RATIO's ring is allocated once in init.
 */
#include "pol_budget.h"
#include "pol_internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[POL_BUDGET__COUNT] = { "aws", "grpc", "ratio", "envoy" };

POL_NAME_FUNCS(pol_budget_kind, pol_budget_kind_name, pol_budget_kind_parse, kind_names, POL_BUDGET__COUNT)

void pol_budget_default(pol_budget_kind k, pol_budget_cfg *out)
{
    if (!out) return;
    pol_budget_cfg c = {
        .kind = k,
        .aws_capacity = 500, .aws_retry_cost = 5, .aws_timeout_cost = 10, .aws_no_retry_refund = 1,
        .max_tokens = 10.0, .token_ratio = 0.1,
        .percent = 0.2, .min_per_sec = 10, .ttl = 10 * POL_NS_PER_S, .slices = 10,
        .budget_percent = 20.0, .min_concurrency = 3,
    };
    *out = c;
}

int pol_budget_validate(const pol_budget_cfg *c)
{
    if (!c) return POL_EINVAL;
    switch (c->kind) {
    case POL_BUDGET_AWS:
        return c->aws_capacity >= 0 && c->aws_retry_cost >= 0 && c->aws_timeout_cost >= 0
            && c->aws_no_retry_refund >= 0 ? POL_OK : POL_EINVAL;
    case POL_BUDGET_GRPC:
        return c->max_tokens > 0 && c->max_tokens <= 1000 && c->token_ratio > 0
            && c->token_ratio <= 1000 ? POL_OK : POL_EINVAL;
    case POL_BUDGET_RATIO:
        return c->percent >= 0 && c->percent <= 1000 && c->min_per_sec >= 0
            && c->ttl >= POL_NS_PER_S && c->ttl <= 60 * POL_NS_PER_S
            && c->slices >= 1 && c->slices <= 1000 && c->ttl / c->slices > 0 ? POL_OK : POL_EINVAL;
    case POL_BUDGET_ENVOY:
        return c->budget_percent >= 0 && c->budget_percent <= 100 && c->min_concurrency >= 0
            ? POL_OK : POL_EINVAL;
    default:
        return POL_EINVAL;
    }
}

int pol_budget_init(pol_budget *b, const pol_budget_cfg *c)
{
    if (!b) return POL_EINVAL;
    int rc = pol_budget_validate(c);
    if (rc) return rc;
    memset(b, 0, sizeof *b);
    b->cfg = *c;
    if (c->kind == POL_BUDGET_GRPC) {
        b->grpc_max = llround(c->max_tokens * 1000.0);
        b->grpc_ratio = llround(c->token_ratio * 1000.0);
    } else if (c->kind == POL_BUDGET_RATIO) {
        /* Finagle RetryBudget.apply: ScaleFactor 1000 */
        b->deposit = c->percent == 0.0 ? 0 : 1000;
        b->withdrawal = c->percent == 0.0 ? 1 : (int64_t)(1000.0 / c->percent);
        b->reserve = (int64_t)c->min_per_sec * (c->ttl / POL_NS_PER_S) * b->withdrawal;
        b->cells = calloc(pol_window_cells(c->slices, 1), sizeof *b->cells);
        if (!b->cells) return POL_ENOMEM;
        pol_window_init(&b->win, c->ttl / c->slices, c->slices, 1, b->cells);
    }
    pol_budget_reset(b);
    return POL_OK;
}

void pol_budget_free(pol_budget *b)
{
    if (!b) return;
    free(b->cells);
    b->cells = NULL;
}

void pol_budget_reset(pol_budget *b)
{
    if (!b) return;
    b->level = b->cfg.kind == POL_BUDGET_AWS ? b->cfg.aws_capacity
             : b->cfg.kind == POL_BUDGET_GRPC ? b->grpc_max : 0;
    b->attempts_active = b->retries_active = 0;
    b->granted = b->denied = 0;
    if (b->cells) pol_window_reset(&b->win);
}

int pol_budget_on_request(pol_budget *b, pol_ns now, pol_budget_req *rq)
{
    if (!b || !rq) return POL_EINVAL;
    memset(rq, 0, sizeof *rq);
    if (b->cfg.kind == POL_BUDGET_RATIO && b->deposit > 0) pol_window_add(&b->win, now, 0, b->deposit);
    if (b->cfg.kind == POL_BUDGET_ENVOY) b->attempts_active++;
    return POL_OK;
}

/* Envoy: max(min_retry_concurrency, budget_percent % of active requests). */
static int envoy_limit(const pol_budget *b)
{
    double pct = b->cfg.budget_percent / 100.0 * (double)b->attempts_active;
    int lim = (int)pct;
    return lim > b->cfg.min_concurrency ? lim : b->cfg.min_concurrency;
}

int pol_budget_can_retry(pol_budget *b, pol_ns now, pol_budget_req *rq, int is_timeout)
{
    if (!b || !rq) return POL_EINVAL;
    int ok = 0;
    switch (b->cfg.kind) {
    case POL_BUDGET_AWS: {
        int cost = is_timeout ? b->cfg.aws_timeout_cost : b->cfg.aws_retry_cost;
        if (cost <= b->level) {
            b->level -= cost;
            rq->last_cost = cost;
            ok = 1;
        }
        break;
    }
    case POL_BUDGET_GRPC:
        ok = 2 * b->level > b->grpc_max;        /* token_count > max_tokens / 2 */
        break;
    case POL_BUDGET_RATIO:
        if (pol_window_sum(&b->win, now, 0) + b->reserve >= b->withdrawal) {
            pol_window_add(&b->win, now, 0, -b->withdrawal);
            ok = 1;
        }
        break;
    case POL_BUDGET_ENVOY:
        if (b->retries_active < envoy_limit(b)) {
            b->retries_active++;
            b->attempts_active++;
            rq->in_retry = 1;
            ok = 1;
        }
        break;
    default:
        return POL_EINVAL;
    }
    if (ok) { rq->retries++; b->granted++; }
    else b->denied++;
    return ok;
}

int pol_budget_on_result(pol_budget *b, pol_ns now, pol_budget_req *rq, int ok)
{
    (void)now;
    if (!b || !rq) return POL_EINVAL;
    switch (b->cfg.kind) {
    case POL_BUDGET_AWS:
        if (ok) {
            int64_t refund = rq->retries > 0 ? rq->last_cost : b->cfg.aws_no_retry_refund;
            b->level += refund;
            if (b->level > b->cfg.aws_capacity) b->level = b->cfg.aws_capacity;
        }
        break;
    case POL_BUDGET_GRPC:
        b->level += ok ? b->grpc_ratio : -1000;
        if (b->level < 0) b->level = 0;
        if (b->level > b->grpc_max) b->level = b->grpc_max;
        break;
    case POL_BUDGET_ENVOY:
        if (b->attempts_active > 0) b->attempts_active--;
        if (rq->in_retry && b->retries_active > 0) b->retries_active--;
        rq->in_retry = 0;
        break;
    default:
        break;
    }
    return POL_OK;
}

double pol_budget_level(pol_budget *b, pol_ns now)
{
    if (!b) return 0.0;
    switch (b->cfg.kind) {
    case POL_BUDGET_AWS:  return (double)b->level;
    case POL_BUDGET_GRPC: return (double)b->level / 1000.0;
    case POL_BUDGET_RATIO: {
        int64_t n = (pol_window_sum(&b->win, now, 0) + b->reserve) / b->withdrawal;
        return n > 0 ? (double)n : 0.0;
    }
    case POL_BUDGET_ENVOY: {
        int left = envoy_limit(b) - b->retries_active;
        return left > 0 ? left : 0;
    }
    default: return 0.0;
    }
}
