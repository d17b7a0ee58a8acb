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

/* alert: every against the seed's FailureMonitor (/work/shared/seeds/000):
 * failures kept while timestamp > now - 3600, an alert whenever 5 or more
 * remain. With 1 s slices and whole-second times the window is exact. */
static void test_every_seed(void)
{
    pol_monitor_cfg c;
    pol_monitor m, x;
    pol_monitor_default(&c);
    CU_ASSERT_EQUAL(c.alert, POL_MONITOR_ALERT_CROSSING);
    c.window = S(3600); c.slices = 3600; c.threshold = 5;
    pol_monitor_cfg cx = c;
    c.alert = POL_MONITOR_ALERT_EVERY;
    CU_ASSERT_EQUAL_FATAL(pol_monitor_init(&m, &c, 1), POL_OK);
    CU_ASSERT_EQUAL_FATAL(pol_monitor_init(&x, &cx, 1), POL_OK);
    pol_outcome f = http(503);
    for (int i = 0; i < 10; i++) {                 /* the 5th to the 10th alert, each */
        CU_ASSERT_EQUAL(pol_monitor_record(&m, 0, S(i), &f), i >= 4);
        CU_ASSERT_EQUAL(pol_monitor_record(&x, 0, S(i), &f), i == 4);
    }
    CU_ASSERT_EQUAL(m.alerts, 6);
    CU_ASSERT_EQUAL(x.alerts, 1);
    pol_monitor_reset(&m);
    /* random whole-second failure times against the list the seed keeps */
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 11);
    static int64_t kept[20000];
    int nk = 0;
    uint64_t seed_alerts = 0;
    int64_t t = 0;
    for (int i = 0; i < 20000; i++) {
        t += (int64_t)gsl_rng_uniform_int(r, i % 1000 < 500 ? 60 : 3000);
        int j = 0;
        for (int k = 0; k < nk; k++) if (kept[k] > t - 3600) kept[j++] = kept[k];
        nk = j;
        kept[nk++] = t;
        int want = nk >= 5;
        seed_alerts += (uint64_t)want;
        CU_ASSERT_EQUAL(pol_monitor_record(&m, 0, S(t), &f), want);
    }
    CU_ASSERT_EQUAL(m.alerts, seed_alerts);
    CU_ASSERT(seed_alerts > 1000 && seed_alerts < 19000);
    gsl_rng_free(r);
    pol_monitor_free(&x);
    c.alert = (pol_monitor_alert)2;
    CU_ASSERT_EQUAL(pol_monitor_init(&x, &c, 1), POL_EINVAL);
    pol_monitor_free(&m);
}

static void register_suites(void)
{
    CU_SUITE("monitor", {"edge-triggered alert", test_edge}, {"alerts = upward crossings", test_crossings},
              {"alert every = the seed's monitor", test_every_seed});
}

CU_TEST_MAIN(register_suites)
