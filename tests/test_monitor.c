/* test_monitor.c — CUnit tests of the failure monitor (pol_monitor): the
 * alert fires once when the windowed count reaches the threshold, re-arms
 * when the count drops below, targets are independent, successes and
 * non-failures do not count; and over 100000 random outcomes the alerts
 * equal the upward crossings of the threshold counted independently.
 */
#include "cu_util.h"
#include "retrypol.h"

#define S(x) ((pol_ns)(x) * POL_NS_PER_S)
#define MS(x) ((pol_ns)(x) * POL_NS_PER_MS)

static pol_outcome http(int status) { return pol_outcome_make(POL_OUT_HTTP, status); }

static void test_edge(void)
{
    pol_monitor_cfg c;
    pol_monitor m;
    pol_monitor_default(&c);
    CU_ASSERT_EQUAL(c.window, S(60));
    CU_ASSERT_EQUAL(c.threshold, 10);
    c.window = S(10); c.slices = 10; c.threshold = 3;
    CU_ASSERT_EQUAL_FATAL(pol_monitor_init(&m, &c, 2), POL_OK);
    pol_outcome f = http(503), nf = http(400), ok = pol_outcome_make(POL_OUT_SUCCESS, 200);
    CU_ASSERT_EQUAL(pol_monitor_record(&m, 0, S(0), &f), 0);
    CU_ASSERT_EQUAL(pol_monitor_record(&m, 0, S(1), &nf), 0);
    CU_ASSERT_EQUAL(pol_monitor_record(&m, 0, S(1), &ok), 0);
    CU_ASSERT_EQUAL(pol_monitor_record(&m, 0, S(2), &f), 0);
    CU_ASSERT_EQUAL(pol_monitor_record(&m, 1, S(2), &f), 0);      /* other target */
    CU_ASSERT_EQUAL(pol_monitor_record(&m, 0, S(3), &f), 1);      /* 3rd: fires */
    CU_ASSERT_EQUAL(pol_monitor_record(&m, 0, S(4), &f), 0);      /* still high */
    CU_ASSERT_EQUAL(pol_monitor_count(&m, 0, S(4)), 4);
    CU_ASSERT_EQUAL(pol_monitor_count(&m, 0, S(12)), 2);          /* re-armed */
    CU_ASSERT_EQUAL(pol_monitor_record(&m, 0, S(12), &f), 1);     /* fires again */
    CU_ASSERT_EQUAL(m.alerts, 2);
    CU_ASSERT_EQUAL(pol_monitor_count(&m, 1, S(12)), 0);
    CU_ASSERT_EQUAL(pol_monitor_record(&m, 2, S(12), &f), POL_EINVAL);
    pol_monitor_reset(&m);
    CU_ASSERT_EQUAL(pol_monitor_count(&m, 0, S(12)), 0);
    pol_monitor_free(&m);
    c.threshold = 0;
    CU_ASSERT_EQUAL(pol_monitor_init(&m, &c, 2), POL_EINVAL);
}

static void test_crossings(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 6);
    pol_monitor_cfg c;
    pol_monitor m;
    pol_monitor_default(&c);
    c.window = S(5); c.slices = 5; c.threshold = 4;
    pol_monitor_init(&m, &c, 1);
    pol_outcome f = http(500);
    pol_ns now = 0;
    long fired = 0, crossings = 0;
    for (int i = 0; i < 100000; i++) {
        now += MS(gsl_rng_uniform_int(r, 3000));
        int64_t before = pol_monitor_count(&m, 0, now);
        fired += pol_monitor_record(&m, 0, now, &f);
        int64_t after = pol_monitor_count(&m, 0, now);
        if (after >= c.threshold && before < c.threshold) crossings++;
    }
    CU_ASSERT_EQUAL(fired, crossings);
    CU_ASSERT(fired > 100);
    pol_monitor_free(&m);
    gsl_rng_free(r);
}

static void register_suites(void)
{
    CU_SUITE("monitor", {"edge-triggered alert", test_edge}, {"alerts = upward crossings", test_crossings});
}

CU_TEST_MAIN(register_suites)
