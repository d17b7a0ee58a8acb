/* pol_budget.h — retry budgets: one API, four accounting rules.
 *
 * Per logical request the caller keeps a pol_budget_req (zeroed by
 * pol_budget_on_request) and calls:
 *   pol_budget_on_request(b, now, rq)       a request's first attempt is sent
 *   pol_budget_can_retry(b, now, rq, is_timeout)
 *                                           1 = retry allowed (and charged),
 *                                           0 = budget empty
 *   pol_budget_on_result(b, now, rq, ok)    after every attempt, ok = success
 * Kinds:
 *   AWS     botocore standard-mode retry quota: 500 tokens; a retry costs 5
 *           (10 after a timeout); a success refunds 1 if the request was never
 *           retried, else the cost of its last retry; never above 500.
 *   GRPC    gRFC A6 retry throttling: token_count starts at max_tokens; every
 *           failed attempt -1, every success +token_ratio, kept in
 *           [0, max_tokens]; retries only while token_count > max_tokens / 2.
 *           Kept in thousandths (A6: up to 3 decimals of tokenRatio), exact.
 *   RATIO   Finagle RetryBudget: over a ttl window (10 slices), retries <=
 *           percent x requests + min_per_sec x ttl. Integer tokens exactly
 *           as Finagle: deposit 1000 per request, withdrawal 1000/percent per
 *           retry, reserve min_per_sec x ttl_s x withdrawal; withdrawals and
 *           deposits both expire with their slice (defaults ttl 10 s,
 *           min_per_sec 10, percent 0.2 = Finagle's RetryBudget()).
 *   ENVOY   Envoy retry budget: retries in flight < max(min_concurrency,
 *           budget_percent % of attempts in flight) (20 %, 3).
 * Invariants: AWS 0 <= level <= capacity; GRPC 0 <= tokens <= max; RATIO at
 * every allowed retry, retries in the window <= percent x requests in the
 * window + min_per_sec x ttl; ENVOY retries in flight never exceed the limit
 * computed at their admission. Sources: docs/stateful-policies.md.
 * Cost: O(1) per call. RATIO allocates its ring (10 slices) in pol_budget_init.
 */
#ifndef POL_BUDGET_H
#define POL_BUDGET_H
#include "pol_common.h"
#include "pol_window.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    POL_BUDGET_AWS = 0,
    POL_BUDGET_GRPC,
    POL_BUDGET_RATIO,
    POL_BUDGET_ENVOY,
    POL_BUDGET__COUNT
} pol_budget_kind;

typedef struct {
    /* public */
    pol_budget_kind kind;
    /* AWS */
    int     aws_capacity;         /* 500 */
    int     aws_retry_cost;       /* 5 */
    int     aws_timeout_cost;     /* 10 */
    int     aws_no_retry_refund;  /* 1 */
    /* GRPC */
    double  max_tokens;           /* (0, 1000] */
    double  token_ratio;          /* > 0, 3 decimals */
    /* RATIO */
    double  percent;              /* [0, 1000] as a fraction: 0.2 = 20 % */
    int     min_per_sec;          /* >= 0 */
    pol_ns  ttl;                  /* [1 s, 60 s] */
    int     slices;               /* window slices, 10 */
    /* ENVOY */
    double  budget_percent;       /* percent, 20 */
    int     min_concurrency;      /* 3 */
} pol_budget_cfg;

typedef struct {
    /* read-only */
    int retries;                  /* retries granted to this request */
    /* private */
    int last_cost;                /* AWS: cost of the last granted retry */
    int in_retry;                 /* ENVOY: the attempt in flight is a retry */
} pol_budget_req;

typedef struct {
    /* read-only */
    pol_budget_cfg cfg;           /* the copy pol_budget_init took */
    /* private (pol_budget_level reads the level) */
    int64_t  level;               /* AWS tokens; GRPC thousandths of a token */
    int64_t  grpc_max, grpc_ratio;/* GRPC in thousandths */
    int64_t  deposit, withdrawal, reserve;  /* RATIO, Finagle's integers */
    int      attempts_active, retries_active; /* ENVOY */
    /* read-only */
    uint64_t granted, denied;     /* pol_budget_can_retry answers 1 / 0 */
    /* private */
    pol_window win;
    int64_t *cells;
} pol_budget;

POL_API void pol_budget_default(pol_budget_kind k, pol_budget_cfg *out);
POL_API int  pol_budget_validate(const pol_budget_cfg *c);
POL_API int  pol_budget_init(pol_budget *b, const pol_budget_cfg *c);   /* POL_EINVAL / POL_ENOMEM */
POL_API void pol_budget_free(pol_budget *b);
POL_API void pol_budget_reset(pol_budget *b);

POL_API int  pol_budget_on_request(pol_budget *b, pol_ns now, pol_budget_req *rq);
/* 1 = allowed (charged to the budget), 0 = denied, < 0 = error. */
POL_API int  pol_budget_can_retry(pol_budget *b, pol_ns now, pol_budget_req *rq, int is_timeout);
POL_API int  pol_budget_on_result(pol_budget *b, pol_ns now, pol_budget_req *rq, int ok);
/* Remaining budget: AWS tokens, GRPC tokens, RATIO retries allowed now,
 * ENVOY retries that could start now. */
POL_API double pol_budget_level(pol_budget *b, pol_ns now);

POL_API const char *pol_budget_kind_name(pol_budget_kind k);   /* "aws","grpc","ratio","envoy" */
POL_API int         pol_budget_kind_parse(const char *name, pol_budget_kind *out);

#ifdef __cplusplus
}
#endif
#endif
