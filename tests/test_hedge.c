/* test_hedge.c — CUnit tests of hedging (pol_hedge): fixed-delay schedule,
 * parallel mode, attempt and in-flight caps, the nearest-rank quantile of
 * the latency window and its eviction, and the invariant that a simulated
 * request never has more than max_attempts attempts nor more than
 * max_in_flight at once (10000 random requests, gsl_rng_taus2 seed 4).
 */
#include "cu_util.h"
#include "retrypol.h"

#define MS(x) ((pol_ns)(x) * POL_NS_PER_MS)

static void test_fixed(void)
{
    pol_hedge_cfg c;
    pol_hedge h;
    pol_hedge_default(&c);
    CU_ASSERT_EQUAL(c.max_attempts, 2);
    CU_ASSERT_EQUAL(c.delay, MS(500));
    c.max_attempts = 4;                                  /* A6's example hedgingPolicy */
    CU_ASSERT_EQUAL_FATAL(pol_hedge_init(&h, &c), POL_OK);
    CU_ASSERT_EQUAL(pol_hedge_next_at(&h, MS(1000), 1, 1), MS(1500));
    CU_ASSERT_EQUAL(pol_hedge_next_at(&h, MS(1000), 2, 2), MS(2000));
    CU_ASSERT_EQUAL(pol_hedge_next_at(&h, MS(1000), 3, 1), MS(2500));
    CU_ASSERT_EQUAL(pol_hedge_next_at(&h, MS(1000), 4, 0), POL_NS_MAX);
    h.cfg.max_in_flight = 2;
    CU_ASSERT_EQUAL(pol_hedge_next_at(&h, MS(1000), 2, 2), POL_NS_MAX);
    CU_ASSERT_EQUAL(pol_hedge_next_at(&h, MS(1000), 2, 1), MS(2000));
    h.cfg.delay = 0;                                     /* parallel: all at once */
    h.cfg.max_in_flight = 0;
    for (int s = 0; s < 4; s++) CU_ASSERT_EQUAL(pol_hedge_next_at(&h, MS(7), s, s), MS(7));
    CU_ASSERT_EQUAL(pol_hedge_observe(&h, MS(1)), POL_OK);           /* ignored */
    CU_ASSERT_EQUAL(pol_hedge_next_at(NULL, 0, 0, 0), POL_NS_MAX);
    pol_hedge_free(&h);
    c.max_attempts = 0;
    CU_ASSERT_EQUAL(pol_hedge_init(&h, &c), POL_EINVAL);
}

static void test_quantile(void)
{
    pol_hedge_cfg c;
    pol_hedge h;
    pol_hedge_default(&c);
    c.use_quantile = 1; c.window = 100; c.min_samples = 20; c.quantile = 0.95;
    CU_ASSERT_EQUAL_FATAL(pol_hedge_init(&h, &c), POL_OK);
    for (int i = 1; i <= 19; i++) pol_hedge_observe(&h, MS(i));
    CU_ASSERT_EQUAL(pol_hedge_delay(&h), MS(500));       /* too few: fixed delay */
    pol_hedge_observe(&h, MS(20));
    CU_ASSERT_EQUAL(pol_hedge_delay(&h), MS(19));        /* ceil(0.95 x 20) = 19th */
    for (int i = 100; i >= 21; i--) pol_hedge_observe(&h, MS(i));
    CU_ASSERT_EQUAL(pol_hedge_delay(&h), MS(95));        /* 1..100: 95th */
    for (int i = 0; i < 100; i++) pol_hedge_observe(&h, MS(7));   /* evicts all */
    CU_ASSERT_EQUAL(pol_hedge_delay(&h), MS(7));
    for (int i = 0; i < 10; i++) pol_hedge_observe(&h, MS(1000));
    CU_ASSERT_EQUAL(pol_hedge_delay(&h), MS(1000));      /* 10 of 100 above p90 */
    h.cfg.quantile = 0.9;
    CU_ASSERT_EQUAL(pol_hedge_delay(&h), MS(7));
    CU_ASSERT_EQUAL(pol_hedge_next_at(&h, 0, 1, 1), MS(7));
    for (int i = 1; i < h.n; i++) CU_ASSERT(h.sorted[i - 1] <= h.sorted[i]);
    CU_ASSERT_EQUAL(pol_hedge_observe(&h, -1), POL_EINVAL);
    pol_hedge_reset(&h);
    CU_ASSERT_EQUAL(pol_hedge_delay(&h), MS(500));
    pol_hedge_free(&h);
}

/* Simulated requests: attempts end at random; hedges follow next_at. */
static void test_invariant(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 4);
    pol_hedge_cfg c;
    pol_hedge h;
    pol_hedge_default(&c);
    c.max_attempts = 5; c.max_in_flight = 3; c.use_quantile = 1; c.window = 50; c.min_samples = 10;
    c.quantile = 0.5;
    pol_hedge_init(&h, &c);
    long bad = 0, hedges = 0;
    for (int q = 0; q < 10000; q++) {
        pol_ns start = 0, ends[8];
        int sent = 1, in_flight = 1;
        ends[0] = MS(10 * gsl_rng_uniform_int(r, 200));
        for (pol_ns now = 0; now < MS(5000); now += MS(10)) {
            for (int i = 0; i < sent; i++)
                if (ends[i] == now) { in_flight--; pol_hedge_observe(&h, now - start); }
            if (gsl_rng_uniform(r) < 0.003) break;       /* first success: cancel the rest */
            pol_ns at = pol_hedge_next_at(&h, start, sent, in_flight);
            if (at <= now) {
                ends[sent] = now + MS(10 * (1 + gsl_rng_uniform_int(r, 200)));
                sent++; in_flight++; hedges++;
            }
            if (sent > c.max_attempts || in_flight > c.max_in_flight) bad++;
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(hedges > 1000);
    pol_hedge_free(&h);
    gsl_rng_free(r);
}

static void register_suites(void)
{
    CU_SUITE("hedge",
             {"fixed delay, parallel, caps", test_fixed},
             {"quantile delay", test_quantile},
             {"attempt and in-flight invariant", test_invariant});
}

CU_TEST_MAIN(register_suites)
