/* test_throttle.c — CUnit tests of adaptive throttling (pol_throttle): the
 * SRE formula, its window and rng use; botocore's adaptive mode against
 * known answers computed with a Python transcription of botocore
 * retries/adaptive.py, throttling.py and bucket.py (responses every 100 ms,
 * throttles at 2.5 s, 2.6 s, 4.0 s), and the bucket engaging only after the
 * first throttle.
 */
#include "cu_util.h"
#include "retrypol.h"
#include <math.h>

#define S(x) ((pol_ns)(x) * POL_NS_PER_S)
#define MS(x) ((pol_ns)(x) * POL_NS_PER_MS)

static void test_defaults(void)
{
    pol_throttle_cfg c;
    pol_throttle_default(POL_THROTTLE_SRE, &c);
    CU_ASSERT_DOUBLE_EQUAL(c.k, 2.0, 0);
    CU_ASSERT_EQUAL(c.window, S(120));
    CU_ASSERT_EQUAL(pol_throttle_validate(&c), POL_OK);
    pol_throttle_default(POL_THROTTLE_AWS_ADAPTIVE, &c);
    CU_ASSERT_DOUBLE_EQUAL(c.beta, 0.7, 0);
    CU_ASSERT_DOUBLE_EQUAL(c.scale_c, 0.4, 0);
    CU_ASSERT_DOUBLE_EQUAL(c.min_fill_rate, 0.5, 0);
    CU_ASSERT_DOUBLE_EQUAL(c.smoothing, 0.8, 0);
    CU_ASSERT_EQUAL(c.rate_bucket, MS(500));
    CU_ASSERT_DOUBLE_EQUAL(c.max_rate_scale, 2.0, 0);
    CU_ASSERT_EQUAL(pol_throttle_validate(&c), POL_OK);
    c.beta = 1.0;
    CU_ASSERT_EQUAL(pol_throttle_validate(&c), POL_EINVAL);
    pol_throttle_kind k;
    CU_ASSERT_EQUAL(pol_throttle_kind_parse("aws-adaptive", &k), POL_OK);
    CU_ASSERT_EQUAL(k, POL_THROTTLE_AWS_ADAPTIVE);
}

static void test_sre(void)
{
    pol_throttle_cfg c;
    pol_throttle t;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 3);
    pol_ns w;
    pol_throttle_default(POL_THROTTLE_SRE, &c);
    CU_ASSERT_EQUAL_FATAL(pol_throttle_init(&t, &c, 0), POL_OK);
    CU_ASSERT_DOUBLE_EQUAL(pol_throttle_level(&t, 0), 0.0, 0);
    for (int i = 0; i < 10; i++) {                       /* all accepted: p stays 0 */
        CU_ASSERT_EQUAL(pol_throttle_before_send(&t, S(1), r, &w), POL_THROTTLE_SEND);
        pol_throttle_on_response(&t, S(1), 0);
    }
    CU_ASSERT_DOUBLE_EQUAL(pol_throttle_level(&t, S(1)), 0.0, 0);
    for (int i = 0; i < 30; i++) {                       /* 40 requests, 10 accepts */
        pol_throttle_before_send(&t, S(2), r, &w);
        pol_throttle_on_response(&t, S(2), 1);
    }
    CU_ASSERT_DOUBLE_EQUAL(pol_throttle_level(&t, S(2)), (40.0 - 2 * 10) / 41.0, 1e-12);
    /* frequency of local rejects matches p (p frozen: no responses) */
    double p = pol_throttle_level(&t, S(3));
    int rej = 0, n = 20000;
    pol_throttle_cfg c2 = c;
    pol_throttle t2;
    pol_throttle_init(&t2, &c2, 0);
    for (int i = 0; i < 40; i++) pol_throttle_before_send(&t2, S(3), r, &w);
    for (int i = 0; i < 10; i++) pol_throttle_on_response(&t2, S(3), 0);
    for (int i = 0; i < n; i++) {
        double pi = pol_throttle_level(&t2, S(3));
        if (pol_throttle_before_send(&t2, S(3), r, &w) == POL_THROTTLE_REJECT) rej++;
        CU_ASSERT(pi >= 0 && pi < 1);
        if (i == 0) CU_ASSERT_DOUBLE_EQUAL(pi, p, 1e-12);
    }
    /* requests grow, accepts stay 10: p -> 1; the count follows the mean of p */
    CU_ASSERT(rej > n * 0.95);
    /* the window forgets after 2 minutes */
    CU_ASSERT_DOUBLE_EQUAL(pol_throttle_level(&t, S(2) + S(120)), 0.0, 0);
    CU_ASSERT_EQUAL(pol_throttle_before_send(&t, 0, NULL, &w), POL_EINVAL);
    pol_throttle_free(&t);
    pol_throttle_free(&t2);
    gsl_rng_free(r);
}

/* botocore known answers: index i = response at (i + 1) x 100 ms. */
static void test_aws_kat(void)
{
    static const struct { int i; double measured, rate; } kat[] = {
        {  9, 9.5999999999999996, 0.5 },
        { 19, 9.984, 3.2000000000000002 },
        { 24, 9.9968000000000004, 6.9977599999999995 },
        { 25, 9.9968000000000004, 4.8984319999999997 },
        { 26, 9.9968000000000004, 5.2403835683071431 },
        { 30, 9.9993599999999994, 6.2391111420371761 },
        { 39, 9.9999743999999993, 4.8749319723329734 },
        { 40, 9.9999743999999993, 5.2157569302445177 },
        { 45, 9.9999948799999991, 6.3792657337414669 },
        { 59, 9.9999999590400002, 6.9716286404608789 },
    };
    pol_throttle_cfg c;
    pol_throttle t;
    pol_throttle_default(POL_THROTTLE_AWS_ADAPTIVE, &c);
    CU_ASSERT_EQUAL_FATAL(pol_throttle_init(&t, &c, 0), POL_OK);
    size_t k = 0;
    for (int i = 0; i < 60; i++) {
        int thr = i == 24 || i == 25 || i == 39;
        pol_throttle_on_response(&t, MS(100) * (i + 1), thr);
        if (k < sizeof kat / sizeof kat[0] && kat[k].i == i) {
            CU_ASSERT_DOUBLE_EQUAL(t.measured, kat[k].measured, 1e-9 * kat[k].measured);
            CU_ASSERT_DOUBLE_EQUAL(t.bucket.cfg.rate, kat[k].rate, 1e-9 * kat[k].rate);
            CU_ASSERT(t.bucket.cfg.rate >= c.min_fill_rate);
            CU_ASSERT_DOUBLE_EQUAL(t.bucket.cfg.burst, t.bucket.cfg.rate >= 1 ? t.bucket.cfg.rate : 1.0, 0);
            k++;
        }
        if (i < 24) CU_ASSERT_EQUAL(t.enabled, 0);
    }
    CU_ASSERT_EQUAL(k, sizeof kat / sizeof kat[0]);
    CU_ASSERT_EQUAL(t.enabled, 1);
    pol_throttle_free(&t);
}

/* Before the first throttle nothing waits; after it, sends are paced. */
static void test_aws_engage(void)
{
    pol_throttle_cfg c;
    pol_throttle t;
    pol_ns w;
    pol_throttle_default(POL_THROTTLE_AWS_ADAPTIVE, &c);
    pol_throttle_init(&t, &c, 0);
    for (int i = 0; i < 100; i++)
        CU_ASSERT_EQUAL(pol_throttle_before_send(&t, MS(10) * i, NULL, &w), POL_THROTTLE_SEND);
    CU_ASSERT_DOUBLE_EQUAL(pol_throttle_level(&t, S(1)), 0.0, 0);
    for (int i = 1; i <= 20; i++) pol_throttle_on_response(&t, MS(100) * i, 0);
    pol_throttle_on_response(&t, MS(2100), 1);           /* engage: rate 0.7 x measured */
    double rate = pol_throttle_level(&t, MS(2100));
    CU_ASSERT(rate > 0);
    /* the bucket (created empty) refilled at the pre-throttle rates, as botocore's
     * max_rate setter refills it; its capacity is max(rate, 1): sends are spaced */
    pol_ns at = MS(2100), last = 0;
    int waits = 0;
    for (int i = 0; i < 20; i++) {
        int a = pol_throttle_before_send(&t, at, NULL, &w);
        CU_ASSERT(a == POL_THROTTLE_SEND || a == POL_THROTTLE_WAIT);
        waits += a == POL_THROTTLE_WAIT;
        CU_ASSERT(at + w >= last);
        last = at + w;
    }
    CU_ASSERT(waits >= 15);
    /* 20 sends, less the < 3 tokens there, need about 17 / rate seconds */
    CU_ASSERT((double)(last - at) / POL_NS_PER_S > 16.0 / rate);
    CU_ASSERT((double)(last - at) / POL_NS_PER_S < 20.0 / rate);
    pol_throttle_reset(&t, S(100));
    CU_ASSERT_EQUAL(t.enabled, 0);
    pol_throttle_free(&t);
}

static void register_suites(void)
{
    CU_SUITE("throttle",
             {"defaults", test_defaults},
             {"sre formula and window", test_sre},
             {"aws adaptive known answers (botocore)", test_aws_kat},
             {"aws bucket engages after a throttle", test_aws_engage});
}

CU_TEST_MAIN(register_suites)
