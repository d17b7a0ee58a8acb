/* test_bucket.c — CUnit tests of the token bucket (pol_bucket): take and
 * reserve known answers, RPM/TPM helpers, rate changes, bad input, and the
 * invariants over 100000 random operations (gsl_rng_taus2 seed 7): the level
 * never below 0 nor above the burst, and the tokens granted over [0, t]
 * never more than burst + rate x t (token-bucket conformance).
 */
#include "cu_util.h"
#include "retrypol.h"

#define S(x) ((pol_ns)(x) * POL_NS_PER_S)
#define MS(x) ((pol_ns)(x) * POL_NS_PER_MS)

static void test_per_minute(void)
{
    pol_bucket_cfg c;
    CU_ASSERT_EQUAL(pol_bucket_per_minute(&c, 600), POL_OK);
    CU_ASSERT_DOUBLE_EQUAL(c.rate, 10.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(c.burst, 600.0, 0);
    CU_ASSERT_EQUAL(pol_bucket_per_minute(&c, 0), POL_EINVAL);
    pol_bucket b;
    pol_bucket_cfg bad = { 0, 1 };
    CU_ASSERT_EQUAL(pol_bucket_init(&b, &bad, 0), POL_EINVAL);
}

static void test_take(void)
{
    pol_bucket_cfg c = { 2.0, 10.0 };                 /* 2 per second, burst 10 */
    pol_bucket b;
    pol_ns w;
    CU_ASSERT_EQUAL_FATAL(pol_bucket_init(&b, &c, 0), POL_OK);
    CU_ASSERT_DOUBLE_EQUAL(pol_bucket_level(&b, 0), 10.0, 0);
    CU_ASSERT_EQUAL(pol_bucket_take(&b, 0, 10, &w), POL_BUCKET_GO);
    CU_ASSERT_EQUAL(w, 0);
    CU_ASSERT_EQUAL(pol_bucket_take(&b, 0, 1, &w), POL_BUCKET_WAIT);
    CU_ASSERT_EQUAL(w, MS(500));
    CU_ASSERT_EQUAL(pol_bucket_take(&b, MS(250), 1, &w), POL_BUCKET_WAIT);   /* nothing taken */
    CU_ASSERT_EQUAL(w, MS(250));
    CU_ASSERT_EQUAL(pol_bucket_take(&b, MS(500), 1, &w), POL_BUCKET_GO);
    CU_ASSERT_DOUBLE_EQUAL(pol_bucket_level(&b, MS(500)), 0.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(pol_bucket_level(&b, S(100)), 10.0, 0);          /* capped */
    CU_ASSERT_EQUAL(pol_bucket_take(&b, S(100), 10.5, &w), POL_ERANGE);
    CU_ASSERT_EQUAL(pol_bucket_take(&b, S(100), -1, &w), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_bucket_take(&b, S(100), 1, NULL), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_bucket_take(&b, S(100), 0, &w), POL_BUCKET_GO);
}

/* Reservations queue: rate 1/s, burst 1, each caller waits behind the last. */
static void test_reserve(void)
{
    pol_bucket_cfg c = { 1.0, 1.0 };
    pol_bucket b;
    pol_ns w;
    pol_bucket_init(&b, &c, 0);
    CU_ASSERT_EQUAL(pol_bucket_reserve(&b, 0, 1, &w), POL_BUCKET_GO);
    CU_ASSERT_EQUAL(pol_bucket_reserve(&b, 0, 1, &w), POL_BUCKET_WAIT);
    CU_ASSERT_EQUAL(w, S(1));
    CU_ASSERT_EQUAL(pol_bucket_reserve(&b, 0, 1, &w), POL_BUCKET_WAIT);
    CU_ASSERT_EQUAL(w, S(2));
    CU_ASSERT_EQUAL(pol_bucket_reserve(&b, MS(500), 0.5, &w), POL_BUCKET_WAIT);
    CU_ASSERT_EQUAL(w, MS(2000));                     /* at 2 s + 0.5 s */
    CU_ASSERT_DOUBLE_EQUAL(pol_bucket_level(&b, S(2)), 0.0, 0);   /* still reserved */
    CU_ASSERT_EQUAL(pol_bucket_take(&b, S(2), 1, &w), POL_BUCKET_WAIT);
    CU_ASSERT_EQUAL(w, MS(1500));
    CU_ASSERT_EQUAL(pol_bucket_take(&b, MS(3500), 1, &w), POL_BUCKET_GO);
    CU_ASSERT(b.level >= 0);
}

static void test_set_rate(void)
{
    pol_bucket_cfg c = { 1.0, 10.0 };
    pol_bucket b;
    pol_ns w;
    pol_bucket_init(&b, &c, 0);
    pol_bucket_take(&b, 0, 10, &w);
    CU_ASSERT_EQUAL(pol_bucket_set_rate(&b, S(4), 5.0, 3.0), POL_OK);   /* 4 refilled, clamp 3 */
    CU_ASSERT_DOUBLE_EQUAL(pol_bucket_level(&b, S(4)), 3.0, 1e-9);
    pol_bucket_take(&b, S(4), 3, &w);
    CU_ASSERT_DOUBLE_EQUAL(pol_bucket_level(&b, S(4) + MS(200)), 1.0, 1e-9);
    CU_ASSERT_EQUAL(pol_bucket_set_rate(&b, S(5), 0, 1), POL_EINVAL);
    pol_bucket_reset(&b, S(9));
    CU_ASSERT_DOUBLE_EQUAL(pol_bucket_level(&b, S(9)), 3.0, 0);
}

/* Invariants over 100000 random takes and reservations. */
static void test_invariants(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 7);
    pol_bucket_cfg c = { 3.5, 20.0 };
    pol_bucket b;
    pol_bucket_init(&b, &c, 0);
    pol_ns now = 0, w;
    double granted = 0;              /* tokens whose use time is <= now */
    long bad = 0, waits = 0;
    pol_ns last_use = 0;
    for (int i = 0; i < 100000; i++) {
        now += (pol_ns)gsl_rng_uniform_int(r, 400) * POL_NS_PER_MS;
        double amt = 0.1 + gsl_rng_uniform(r) * 6.0;
        int reserve = gsl_rng_uniform(r) < 0.4;
        int rc = reserve ? pol_bucket_reserve(&b, now, amt, &w) : pol_bucket_take(&b, now, amt, &w);
        if (rc < 0 || w < 0) bad++;
        if (rc == POL_BUCKET_WAIT) waits++;
        if (rc == POL_BUCKET_GO || (reserve && rc == POL_BUCKET_WAIT)) {
            granted += amt;
            pol_ns use = now + w;
            if (use > last_use) last_use = use;
            /* conformance: all tokens granted so far are used by last_use */
            if (granted > c.burst + c.rate * (double)last_use / POL_NS_PER_S + 1e-6) bad++;
        }
        if (b.level < 0 || b.level > c.burst) bad++;
        double l = pol_bucket_level(&b, now);
        if (l < 0 || l > c.burst) bad++;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(waits > 1000);
    gsl_rng_free(r);
}

static void register_suites(void)
{
    CU_SUITE("bucket",
             {"per-minute helper", test_per_minute},
             {"take", test_take},
             {"reserve queues", test_reserve},
             {"set rate", test_set_rate},
             {"invariants, 100000 ops", test_invariants});
}

CU_TEST_MAIN(register_suites)
