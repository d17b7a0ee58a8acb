/* test_throttle.c — CUnit tests of adaptive throttling (pol_throttle): the
 * SRE formula, its window and rng use; botocore's adaptive mode against
 * known answers computed with a Python transcription of botocore
 * retries/adaptive.py, throttling.py and bucket.py (responses every 100 ms,
 * throttles at 2.5 s, 2.6 s, 4.0 s), and the bucket engaging only after the
 * first throttle; botocore's own unit tests of CubicCalculator, RateClocker,
 * TokenBucket and ClientRateLimiter (tests/unit/retries/test_throttling.py,
 * test_adaptive.py, test_bucket.py) transcribed; a WAIT that reserves nothing.
 */
#include "cu_util.h"
#include "retrypol.h"
#include <math.h>
#include <stdlib.h>

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
            CU_ASSERT_DOUBLE_EQUAL(t.clock.measured, kat[k].measured, 1e-9 * kat[k].measured);
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
     * max_rate setter refills it; its capacity is max(rate, 1). One caller that
     * sleeps each WAIT and asks again (botocore's blocking acquire) sends at the
     * fill rate; a WAIT takes nothing, so asking twice gives the same wait */
    pol_ns at = MS(2100);
    int sent = 0, waits = 0;
    while (sent < 20) {
        int a = pol_throttle_before_send(&t, at, NULL, &w);
        CU_ASSERT_FATAL(a == POL_THROTTLE_SEND || a == POL_THROTTLE_WAIT);
        if (a == POL_THROTTLE_SEND) { sent++; continue; }
        pol_ns w2;
        CU_ASSERT_EQUAL(pol_throttle_before_send(&t, at, NULL, &w2), POL_THROTTLE_WAIT);
        CU_ASSERT_EQUAL(w2, w);
        waits++;
        at += w;
    }
    CU_ASSERT(waits >= 15);
    /* 20 sends, less the < 3 tokens there, need about 17 / rate seconds */
    CU_ASSERT((double)(at - MS(2100)) / POL_NS_PER_S > 16.0 / rate);
    CU_ASSERT((double)(at - MS(2100)) / POL_NS_PER_S < 20.0 / rate);
    pol_throttle_reset(&t, S(100));
    CU_ASSERT_EQUAL(t.enabled, 0);
    pol_throttle_free(&t);
}

/* botocore tests/unit/retries/test_throttling.py (TestCubicCalculator),
 * transcribed: CubicCalculator(starting_max_rate=10, start_time=0). */
static void test_cubic_botocore(void)
{
    pol_cubic c;
    pol_cubic_init(&c, 10, 0, 0.4, 0.7);                          /* test_starting_params */
    CU_ASSERT_DOUBLE_EQUAL(c.k, 1.9574338205844317, 1e-12);
    double k = c.k;                                              /* test_success_responses_until_max_hit */
    CU_ASSERT(pol_cubic_success(&c, (pol_ns)(k / 3.0 * 1e9)) <= 10.0);
    CU_ASSERT(pol_cubic_success(&c, (pol_ns)(k / 2.0 * 1e9)) <= 10.0);
    CU_ASSERT(pol_cubic_success(&c, (pol_ns)(k / 1.1 * 1e9)) <= 10.0);
    CU_ASSERT_DOUBLE_EQUAL(pol_cubic_success(&c, (pol_ns)llround(k * 1e9)), 10.0, 1e-6);
    CU_ASSERT(pol_cubic_success(&c, (pol_ns)(k * 1.1 * 1e9)) >= 10.0);
    CU_ASSERT(pol_cubic_success(&c, (pol_ns)(k * 2.0 * 1e9)) >= 10.0);
    /* test_error_response_decreases_rate_by_beta: throttled at 8 TPS at t = 1 */
    CU_ASSERT_DOUBLE_EQUAL(pol_cubic_error(&c, 8, S(1)), 8 * 0.7, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(c.w_max, 8.0, 0);
    CU_ASSERT_DOUBLE_EQUAL(c.k, 1.8171205928321397, 1e-12);
    CU_ASSERT_EQUAL(c.last_fail, S(1));
    /* test_t_0_should_match_beta_decrease: beta 0.6 */
    pol_cubic_init(&c, 10, 0, 0.4, 0.6);
    CU_ASSERT_DOUBLE_EQUAL(pol_cubic_error(&c, 10, S(1)), 6.0, 0);
    CU_ASSERT_DOUBLE_EQUAL(pol_cubic_success(&c, S(1)), 6.0, 1e-9);
}

/* botocore tests/unit/retries/test_adaptive.py (TestRateClocker),
 * transcribed: the FakeClock's first timestamp (0) is the creation time. */
static void test_rate_clocker_botocore(void)
{
    pol_rate_clocker r;
    pol_rate_clocker_init(&r, 0, 0.8, MS(500));
    CU_ASSERT_DOUBLE_EQUAL(r.measured, 0.0, 0);                  /* test_initial_rate_is_0 */
    CU_ASSERT_DOUBLE_EQUAL(pol_rate_clocker_record(&r, S(1), 1), 0.8, 1e-15); /* test_time_updates_if_after_bucket_range */

    pol_rate_clocker_init(&r, 0, 0.8, MS(500));                   /* test_can_measure_constant_rate */
    for (int i = 1; i <= 20; i++) pol_rate_clocker_record(&r, S(i), 1);
    CU_ASSERT_DOUBLE_EQUAL(r.measured, 1.0, 1e-7);

    pol_rate_clocker_init(&r, 0, 0.8, MS(500));                   /* test_uses_smoothing_to_favor_recent_weights */
    static const int ms[] = { 1000, 1500, 2000, 2500, 3000, 3500, 4000 };
    for (int i = 0; i < 7; i++) pol_rate_clocker_record(&r, MS(ms[i]), 1);
    CU_ASSERT(r.measured >= 1.99 && r.measured <= 2.0);
    pol_rate_clocker_record(&r, S(14), 1);
    CU_ASSERT(r.measured >= 0.1 && r.measured <= 2.0);

    pol_rate_clocker_init(&r, 0, 0.8, MS(500));                   /* test_noop_when_delta_t_is_0 */
    static const int t0[] = { 1, 1, 1, 2, 3 };
    for (int i = 0; i < 5; i++) pol_rate_clocker_record(&r, S(t0[i]), 1);
    CU_ASSERT(r.measured >= 1.0);

    pol_rate_clocker_init(&r, 0, 0.8, MS(500));                   /* test_times_are_grouped_per_time_bucket */
    static const int g[] = { 100, 200, 300, 400, 490 };
    for (int i = 0; i < 5; i++) pol_rate_clocker_record(&r, MS(g[i]), 1);
    CU_ASSERT_DOUBLE_EQUAL(r.measured, 0.0, 0);
    pol_rate_clocker_record(&r, MS(500), 1);
    CU_ASSERT_DOUBLE_EQUAL(r.measured, 12 * 0.8, 1e-12);
}

/* botocore tests/unit/retries/test_bucket.py (TestTokenBucket), transcribed:
 * TokenBucket(max_rate, min_rate) is a pol_bucket created empty at 0 whose
 * max_rate is set with pol_bucket_set_max_rate; acquire(block=False) is
 * pol_bucket_take (GO or not). */
static void aws_bucket(pol_bucket *b, double max_rate, double min_rate)
{
    pol_bucket_cfg c = { 1, 1 };
    pol_bucket_init(b, &c, 0);
    pol_bucket_set_max_rate(b, 0, max_rate, min_rate);
    b->level = 0;
}
static void test_bucket_botocore(void)
{
    pol_bucket b;
    pol_ns w;
    aws_bucket(&b, 10, 0.1);                                     /* test_can_acquire_amount */
    for (int i = 1; i <= 5; i++) CU_ASSERT_EQUAL(pol_bucket_take(&b, S(i), 1, &w), POL_BUCKET_GO);

    aws_bucket(&b, 10, 0.1);                                     /* test_can_change_max_capacity_lower */
    for (int i = 1; i <= 5; i++) CU_ASSERT_EQUAL(pol_bucket_take(&b, S(i), 1, &w), POL_BUCKET_GO);
    CU_ASSERT_EQUAL(pol_bucket_set_max_rate(&b, S(5), 1, 0.1), POL_OK);
    for (int i = 6; i <= 10; i++) CU_ASSERT_EQUAL(pol_bucket_take(&b, S(i), 1, &w), POL_BUCKET_GO);

    aws_bucket(&b, 10, 0.1);                                     /* test_max_capacity_is_at_least_one */
    pol_bucket_set_max_rate(&b, S(1), 0.5, 0.1);
    CU_ASSERT_DOUBLE_EQUAL(b.cfg.rate, 0.5, 0);
    CU_ASSERT_DOUBLE_EQUAL(b.cfg.burst, 1.0, 0);

    aws_bucket(&b, 10, 0.1);                                     /* test_acquire_fails_on_non_block_mode */
    CU_ASSERT_NOT_EQUAL(pol_bucket_take(&b, S(1), 100, &w), POL_BUCKET_GO);

    aws_bucket(&b, 10, 0.1);                                     /* test_can_retrieve_at_max_send_rate */
    for (int i = 0; i < 20; i++) CU_ASSERT_EQUAL(pol_bucket_take(&b, S(1) + MS(100) * i, 1, &w), POL_BUCKET_GO);

    aws_bucket(&b, 10, 0.1);                                     /* test_acquiring_blocks_when_capacity_reached */
    CU_ASSERT_EQUAL(pol_bucket_take(&b, MS(100), 1, &w), POL_BUCKET_GO);
    CU_ASSERT_DOUBLE_EQUAL(pol_bucket_level(&b, MS(100)), 0.0, 1e-9);
    CU_ASSERT_EQUAL(pol_bucket_take(&b, MS(150), 1, &w), POL_BUCKET_WAIT);   /* sleeps 0.05 s */
    CU_ASSERT(llabs(w - MS(50)) <= 1);
    CU_ASSERT_EQUAL(pol_bucket_take(&b, MS(200), 1, &w), POL_BUCKET_GO);
    CU_ASSERT_DOUBLE_EQUAL(pol_bucket_level(&b, MS(200)), 0.0, 1e-9);
    CU_ASSERT_EQUAL(pol_bucket_take(&b, 300001 * POL_NS_PER_US, 1, &w), POL_BUCKET_GO);

    aws_bucket(&b, 1, 0.2);                                      /* test_rate_cant_go_below_min */
    pol_bucket_set_max_rate(&b, S(1), 0.1, 0.2);
    CU_ASSERT_DOUBLE_EQUAL(b.cfg.rate, 0.2, 0);
    CU_ASSERT_DOUBLE_EQUAL(b.cfg.burst, 1.0, 0);
    CU_ASSERT_EQUAL(pol_bucket_set_max_rate(&b, S(1), NAN, 0.2), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_bucket_set_max_rate(&b, S(1), 1, 0), POL_EINVAL);
}

/* botocore tests/unit/retries/test_adaptive.py (TestClientRateLimiter), with
 * the mocks replaced by the state they stand for. */
static void test_limiter_botocore(void)
{
    pol_throttle_cfg c;
    pol_throttle t;
    pol_ns w;
    pol_throttle_default(POL_THROTTLE_AWS_ADAPTIVE, &c);
    /* test_bucket_bucket_acquisition_only_if_enabled */
    pol_throttle_init(&t, &c, 0);
    double lv = t.bucket.level;
    CU_ASSERT_EQUAL(pol_throttle_before_send(&t, 0, NULL, &w), POL_THROTTLE_SEND);
    CU_ASSERT_DOUBLE_EQUAL(t.bucket.level, lv, 0);
    /* test_token_bucket_enabled_on_throttling_error: measured 21 -> error -> acquire */
    t.clock.measured = 21;
    pol_throttle_on_response(&t, MS(100), 1);         /* same 0.5 s bucket: measured stays 21 */
    CU_ASSERT_EQUAL(t.enabled, 1);
    CU_ASSERT_DOUBLE_EQUAL(t.cubic.w_max, 21.0, 0);
    CU_ASSERT_DOUBLE_EQUAL(t.bucket.cfg.rate, 21 * 0.7, 1e-12);
    CU_ASSERT_EQUAL(pol_throttle_before_send(&t, S(1), NULL, &w), POL_THROTTLE_SEND);
    CU_ASSERT(t.bucket.level < 21 * 0.7 - 0.5);      /* a token was taken */
    pol_throttle_free(&t);
    /* test_max_rate_updated_on_success_response: CUBIC says 20, measured 21 */
    pol_throttle_init(&t, &c, 0);
    t.clock.measured = 21;
    t.cubic.w_max = 20; t.cubic.k = 0; t.cubic.last_fail = MS(100);
    pol_throttle_on_response(&t, MS(100), 0);
    CU_ASSERT_DOUBLE_EQUAL(t.bucket.cfg.rate, 20.0, 1e-12);
    /* test_max_rate_cant_exceed_20_percent_max: CUBIC says 100, measured 20 -> 2 x 20 */
    t.clock.measured = 20;
    t.cubic.w_max = 100; t.cubic.k = 0; t.cubic.last_fail = MS(200);
    pol_throttle_on_response(&t, MS(200), 0);
    CU_ASSERT_DOUBLE_EQUAL(t.bucket.cfg.rate, 40.0, 1e-12);
    pol_throttle_free(&t);
}

/* The blocking acquire reserves nothing: a rate raised while a caller waits
 * applies to it at once (the collapse of scenarios/adaptive-collapse.yaml was
 * reservations made at 0.5/s that a later, higher rate could not shorten). */
static void test_aws_wait_follows_rate(void)
{
    pol_throttle_cfg c;
    pol_throttle t;
    pol_ns w, w2;
    pol_throttle_default(POL_THROTTLE_AWS_ADAPTIVE, &c);
    pol_throttle_init(&t, &c, 0);
    pol_throttle_on_response(&t, MS(100), 1);         /* measured 0: rate the minimum 0.5/s */
    CU_ASSERT_DOUBLE_EQUAL(t.bucket.cfg.rate, 0.5, 0);
    t.bucket.level = 0;
    CU_ASSERT_EQUAL(pol_throttle_before_send(&t, MS(100), NULL, &w), POL_THROTTLE_WAIT);
    CU_ASSERT(llabs(w - S(2)) <= 1);
    for (int i = 0; i < 50; i++)                      /* 50 more callers: nothing queues */
        CU_ASSERT_EQUAL(pol_throttle_before_send(&t, MS(100), NULL, &w2), POL_THROTTLE_WAIT);
    CU_ASSERT_EQUAL(w2, w);
    pol_bucket_set_max_rate(&t.bucket, MS(200), 10, c.min_fill_rate);   /* the rate grows */
    CU_ASSERT_EQUAL(pol_throttle_before_send(&t, MS(300), NULL, &w), POL_THROTTLE_SEND);
    pol_throttle_free(&t);
}

static void register_suites(void)
{
    CU_SUITE("throttle",
             {"defaults", test_defaults},
             {"sre formula and window", test_sre},
             {"aws adaptive known answers (botocore)", test_aws_kat},
             {"aws bucket engages after a throttle", test_aws_engage},
             {"botocore CubicCalculator (test_throttling.py)", test_cubic_botocore},
             {"botocore RateClocker (test_adaptive.py)", test_rate_clocker_botocore},
             {"botocore TokenBucket (test_bucket.py)", test_bucket_botocore},
             {"botocore ClientRateLimiter (test_adaptive.py)", test_limiter_botocore},
             {"aws wait follows a rate change", test_aws_wait_follows_rate});
}

CU_TEST_MAIN(register_suites)
