/* test_budget.c — CUnit tests of the retry budgets (pol_budget): the AWS
 * retry quota (botocore quota.py / standard.py), gRPC A6 throttling, the
 * Finagle ratio budget, the Envoy retry budget; and the invariant that a
 * ratio budget never lets retries exceed percent x requests + min_per_sec x
 * ttl in its window, checked at every allowed retry by an independent count
 * over 100000 random events (gsl_rng_taus2 seeds 1..2, percent 0.1 and 0.2).
 */
#include "cu_util.h"
#include "retrypol.h"
#include <stdlib.h>

#define S(x) ((pol_ns)(x) * POL_NS_PER_S)
#define MS(x) ((pol_ns)(x) * POL_NS_PER_MS)

static void make(pol_budget *b, pol_budget_kind k)
{
    pol_budget_cfg c;
    pol_budget_default(k, &c);
    CU_ASSERT_EQUAL_FATAL(pol_budget_init(b, &c), POL_OK);
}

static void test_defaults(void)
{
    pol_budget_cfg c;
    pol_budget_default(POL_BUDGET_AWS, &c);
    CU_ASSERT_EQUAL(c.aws_capacity, 500);
    CU_ASSERT_EQUAL(c.aws_retry_cost, 5);
    CU_ASSERT_EQUAL(c.aws_timeout_cost, 10);
    CU_ASSERT_EQUAL(c.aws_no_retry_refund, 1);
    CU_ASSERT_DOUBLE_EQUAL(c.percent, 0.2, 0);          /* Finagle RetryBudget() */
    CU_ASSERT_EQUAL(c.min_per_sec, 10);
    CU_ASSERT_EQUAL(c.ttl, S(10));
    CU_ASSERT_DOUBLE_EQUAL(c.budget_percent, 20.0, 0);  /* Envoy */
    CU_ASSERT_EQUAL(c.min_concurrency, 3);
    for (int k = 0; k < POL_BUDGET__COUNT; k++) {
        c.kind = (pol_budget_kind)k;
        CU_ASSERT_EQUAL(pol_budget_validate(&c), POL_OK);
    }
    c.kind = POL_BUDGET_RATIO;
    c.ttl = MS(500);
    CU_ASSERT_EQUAL(pol_budget_validate(&c), POL_EINVAL);   /* Finagle: ttl in [1 s, 60 s] */
    c.kind = POL_BUDGET_GRPC;
    c.max_tokens = 1001;
    CU_ASSERT_EQUAL(pol_budget_validate(&c), POL_EINVAL);   /* A6: (0, 1000] */
    pol_budget_kind k;
    CU_ASSERT_EQUAL(pol_budget_kind_parse("ENVOY", &k), POL_OK);
    CU_ASSERT_EQUAL(k, POL_BUDGET_ENVOY);
    CU_ASSERT_STRING_EQUAL(pol_budget_kind_name(POL_BUDGET_RATIO), "ratio");
}

/* botocore: 100 retries of 5 drain 500; timeouts cost 10; refunds. */
static void test_aws(void)
{
    pol_budget b;
    pol_budget_req rq;
    make(&b, POL_BUDGET_AWS);
    pol_budget_on_request(&b, 0, &rq);
    for (int i = 0; i < 100; i++) CU_ASSERT_EQUAL(pol_budget_can_retry(&b, 0, &rq, 0), 1);
    CU_ASSERT_DOUBLE_EQUAL(pol_budget_level(&b, 0), 0, 0);
    CU_ASSERT_EQUAL(pol_budget_can_retry(&b, 0, &rq, 0), 0);
    CU_ASSERT_EQUAL(rq.retries, 100);
    pol_budget_on_result(&b, 0, &rq, 0);                 /* a failure refunds nothing */
    CU_ASSERT_DOUBLE_EQUAL(pol_budget_level(&b, 0), 0, 0);
    pol_budget_on_result(&b, 0, &rq, 1);                 /* success after retries: last cost */
    CU_ASSERT_DOUBLE_EQUAL(pol_budget_level(&b, 0), 5, 0);
    pol_budget_req r2;
    pol_budget_on_request(&b, 0, &r2);
    pol_budget_on_result(&b, 0, &r2, 1);                 /* success, never retried: 1 */
    CU_ASSERT_DOUBLE_EQUAL(pol_budget_level(&b, 0), 6, 0);
    pol_budget_on_request(&b, 0, &r2);
    CU_ASSERT_EQUAL(pol_budget_can_retry(&b, 0, &r2, 1), 0);   /* timeout needs 10 > 6 */
    CU_ASSERT_EQUAL(pol_budget_can_retry(&b, 0, &r2, 0), 1);   /* 6 - 5 */
    CU_ASSERT_EQUAL(r2.last_cost, 5);
    pol_budget_reset(&b);
    pol_budget_on_request(&b, 0, &r2);
    CU_ASSERT_EQUAL(pol_budget_can_retry(&b, 0, &r2, 1), 1);
    CU_ASSERT_EQUAL(r2.last_cost, 10);
    CU_ASSERT_DOUBLE_EQUAL(pol_budget_level(&b, 0), 490, 0);
    pol_budget_on_result(&b, 0, &r2, 1);                 /* refund 10 */
    pol_budget_on_request(&b, 0, &r2);
    pol_budget_on_result(&b, 0, &r2, 1);                 /* +1, capped at 500 */
    CU_ASSERT_DOUBLE_EQUAL(pol_budget_level(&b, 0), 500, 0);
    pol_budget_free(&b);
}

/* A6: max 10, ratio 0.1; retries while tokens > 5. */
static void test_grpc(void)
{
    pol_budget b;
    pol_budget_req rq;
    make(&b, POL_BUDGET_GRPC);
    pol_budget_on_request(&b, 0, &rq);
    for (int i = 0; i < 4; i++) pol_budget_on_result(&b, 0, &rq, 0);
    CU_ASSERT_DOUBLE_EQUAL(pol_budget_level(&b, 0), 6.0, 1e-12);
    CU_ASSERT_EQUAL(pol_budget_can_retry(&b, 0, &rq, 0), 1);
    CU_ASSERT_DOUBLE_EQUAL(pol_budget_level(&b, 0), 6.0, 1e-12);   /* checking is free */
    pol_budget_on_result(&b, 0, &rq, 0);                 /* 5: not > 5 */
    CU_ASSERT_EQUAL(pol_budget_can_retry(&b, 0, &rq, 0), 0);
    pol_budget_on_result(&b, 0, &rq, 1);                 /* 5.1 */
    CU_ASSERT_DOUBLE_EQUAL(pol_budget_level(&b, 0), 5.1, 1e-12);
    CU_ASSERT_EQUAL(pol_budget_can_retry(&b, 0, &rq, 0), 1);
    for (int i = 0; i < 20; i++) pol_budget_on_result(&b, 0, &rq, 0);
    CU_ASSERT_DOUBLE_EQUAL(pol_budget_level(&b, 0), 0.0, 0);       /* floor 0 */
    for (int i = 0; i < 200; i++) pol_budget_on_result(&b, 0, &rq, 1);
    CU_ASSERT_DOUBLE_EQUAL(pol_budget_level(&b, 0), 10.0, 0);      /* ceiling max, exact */
    pol_budget_free(&b);
}

/* Finagle: no requests -> min_per_sec x ttl = 100 retries; then 20 %. */
static void test_ratio(void)
{
    pol_budget b;
    pol_budget_req rq;
    make(&b, POL_BUDGET_RATIO);
    CU_ASSERT_EQUAL(b.withdrawal, 5000);
    CU_ASSERT_EQUAL(b.reserve, 10 * 10 * 5000);
    int n = 0;
    while (pol_budget_can_retry(&b, 0, &rq, 0) == 1) n++;
    CU_ASSERT_EQUAL(n, 100);
    for (int i = 0; i < 50; i++) pol_budget_on_request(&b, S(1), &rq);
    n = 0;
    while (pol_budget_can_retry(&b, S(1), &rq, 0) == 1) n++;
    CU_ASSERT_EQUAL(n, 10);                               /* 20 % of 50 */
    /* after ttl the withdrawals and deposits expire: the reserve is back */
    n = 0;
    while (pol_budget_can_retry(&b, S(12), &rq, 0) == 1) n++;
    CU_ASSERT_EQUAL(n, 100);
    pol_budget_cfg c;
    pol_budget_default(POL_BUDGET_RATIO, &c);
    c.percent = 0; c.min_per_sec = 0;
    pol_budget_free(&b);
    CU_ASSERT_EQUAL(pol_budget_init(&b, &c), POL_OK);
    pol_budget_on_request(&b, 0, &rq);
    CU_ASSERT_EQUAL(pol_budget_can_retry(&b, 0, &rq, 0), 0);   /* Finagle's Empty */
    pol_budget_free(&b);
}

/* Envoy: retries in flight < max(3, 20 % of attempts in flight). */
static void test_envoy(void)
{
    pol_budget b;
    pol_budget_req rq[200];
    make(&b, POL_BUDGET_ENVOY);
    pol_budget_on_request(&b, 0, &rq[0]);
    int n = 0;
    for (int i = 0; i < 10; i++) n += pol_budget_can_retry(&b, 0, &rq[0], 0);
    CU_ASSERT_EQUAL(n, 3);
    CU_ASSERT_EQUAL(b.retries_active, 3);
    pol_budget_on_result(&b, 0, &rq[0], 0);               /* a retry attempt ended */
    CU_ASSERT_EQUAL(b.retries_active, 2);
    pol_budget_reset(&b);
    for (int i = 0; i < 100; i++) pol_budget_on_request(&b, 0, &rq[i]);
    n = 0;
    for (int i = 0; i < 100; i++) n += pol_budget_can_retry(&b, 0, &rq[100 + i], 0);
    /* each retry is also an attempt in flight: limit = floor(0.2 x (100 + r)) */
    CU_ASSERT_EQUAL(n, 24);                               /* 23 < floor(24.6), 24 = floor(24.8) */
    CU_ASSERT(b.retries_active <= (int)(0.2 * b.attempts_active));
    pol_budget_free(&b);
}

/* The ratio invariant, by an independent count over slice-aligned windows. */
typedef struct { pol_ns t; int retry; } ev;

static void ratio_invariant(double percent, unsigned long seed, long *bad, long *granted)
{
    pol_budget_cfg c;
    pol_budget b;
    pol_budget_req rq;
    pol_budget_default(POL_BUDGET_RATIO, &c);
    c.percent = percent;
    CU_ASSERT_EQUAL_FATAL(pol_budget_init(&b, &c), POL_OK);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, seed);
    enum { N = 50000 };
    ev *e = malloc(N * sizeof *e);
    int ne = 0, lo = 0;
    pol_ns now = 0, slice = c.ttl / c.slices;
    double minimum = c.min_per_sec * (double)(c.ttl / POL_NS_PER_S);
    for (int i = 0; i < N; i++) {
        /* bursts of retries and quiet spells */
        now += (pol_ns)(gsl_rng_uniform(r) < 0.01 ? gsl_rng_uniform_int(r, 20000) : gsl_rng_uniform_int(r, 20))
               * POL_NS_PER_MS;
        if (gsl_rng_uniform(r) < 0.4) {
            pol_budget_on_request(&b, now, &rq);
            e[ne++] = (ev){ now, 0 };
        } else if (pol_budget_can_retry(&b, now, &rq, 0) == 1) {
            e[ne++] = (ev){ now, 1 };
            (*granted)++;
            int64_t first = (pol_window_slice_of(now, slice) - c.slices + 1) * slice;
            while (e[lo].t < first) lo++;
            long req = 0, ret = 0;
            for (int j = lo; j < ne; j++) { if (e[j].retry) ret++; else req++; }
            if ((double)ret > percent * (double)req + minimum + 1e-9) (*bad)++;
        }
    }
    free(e);
    gsl_rng_free(r);
    pol_budget_free(&b);
}

static void test_ratio_invariant(void)
{
    long bad = 0, granted = 0;
    ratio_invariant(0.1, 1, &bad, &granted);
    ratio_invariant(0.2, 2, &bad, &granted);
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(granted > 1000);
}

static void test_bad_args(void)
{
    pol_budget b;
    pol_budget_req rq;
    make(&b, POL_BUDGET_AWS);
    CU_ASSERT_EQUAL(pol_budget_can_retry(&b, 0, NULL, 0), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_budget_on_request(NULL, 0, &rq), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_budget_on_result(&b, 0, NULL, 1), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_budget_init(&b, NULL), POL_EINVAL);
    pol_budget_free(&b);
    pol_budget_free(NULL);
}

static void register_suites(void)
{
    CU_SUITE("budget",
             {"defaults", test_defaults},
             {"aws retry quota", test_aws},
             {"grpc A6 throttling", test_grpc},
             {"finagle ratio", test_ratio},
             {"envoy", test_envoy},
             {"ratio never exceeded, 100000 events", test_ratio_invariant},
             {"bad arguments", test_bad_args});
}

CU_TEST_MAIN(register_suites)
