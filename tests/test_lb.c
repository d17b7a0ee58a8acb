/* test_lb.c — CUnit tests of load balancing (pol_lb): each kind's choice on
 * known states, weighted frequencies over 100000 draws (within 1 %), peak
 * EWMA updates, LiteLLM usage limits and minute roll-over, and the
 * invariant that no kind ever picks an unavailable target (100000 random
 * states, gsl_rng_taus2 seed 5).
 */
#include "cu_util.h"
#include "retrypol.h"
#include <math.h>

#define S(x) ((pol_ns)(x) * POL_NS_PER_S)
#define MS(x) ((pol_ns)(x) * POL_NS_PER_MS)

static gsl_rng *R;
static int init(void) { R = gsl_rng_alloc(gsl_rng_taus2); gsl_rng_set(R, 5); return R ? 0 : 1; }
static int clean(void) { gsl_rng_free(R); return 0; }

static void targets(pol_lb_target *t, size_t n)
{
    for (size_t i = 0; i < n; i++) pol_lb_target_init(&t[i]);
}

static pol_lb lb_of(pol_lb_kind k)
{
    pol_lb_cfg c;
    pol_lb lb;
    pol_lb_default(k, &c);
    CU_ASSERT_EQUAL(pol_lb_init(&lb, &c), POL_OK);
    return lb;
}

static void test_weighted(void)
{
    pol_lb_target t[3];
    targets(t, 3);
    t[0].weight = 1; t[1].weight = 3; t[2].weight = 6;
    pol_lb lb = lb_of(POL_LB_WEIGHTED_RANDOM);
    long cnt[3] = { 0 };
    size_t ix;
    for (int i = 0; i < 100000; i++) {
        CU_ASSERT_EQUAL(pol_lb_pick(&lb, t, 3, 0, 0, R, &ix), POL_LB_PICKED);
        cnt[ix]++;
    }
    CU_ASSERT_DOUBLE_EQUAL(cnt[0] / 1e5, 0.1, 0.01);
    CU_ASSERT_DOUBLE_EQUAL(cnt[1] / 1e5, 0.3, 0.01);
    CU_ASSERT_DOUBLE_EQUAL(cnt[2] / 1e5, 0.6, 0.01);
    t[2].available = 0;
    for (int i = 0; i < 1000; i++) {
        pol_lb_pick(&lb, t, 3, 0, 0, R, &ix);
        CU_ASSERT(ix != 2);
    }
    CU_ASSERT_EQUAL(pol_lb_pick(&lb, t, 3, 0, 0, NULL, &ix), POL_EINVAL);
}

static void test_round_robin(void)
{
    pol_lb_target t[4];
    targets(t, 4);
    t[2].available = 0;
    pol_lb lb = lb_of(POL_LB_ROUND_ROBIN);
    size_t ix, want[] = { 0, 1, 3, 0, 1, 3 };
    for (int i = 0; i < 6; i++) {
        CU_ASSERT_EQUAL(pol_lb_pick(&lb, t, 4, 0, 0, NULL, &ix), POL_LB_PICKED);
        CU_ASSERT_EQUAL(ix, want[i]);
    }
    for (int i = 0; i < 4; i++) t[i].available = 0;
    CU_ASSERT_EQUAL(pol_lb_pick(&lb, t, 4, 0, 0, NULL, &ix), POL_LB_NONE);
}

static void test_least_and_p2c(void)
{
    pol_lb_target t[3];
    targets(t, 3);
    t[0].outstanding = 5; t[1].outstanding = 2; t[2].outstanding = 2;
    pol_lb lb = lb_of(POL_LB_LEAST_OUTSTANDING);
    size_t ix;
    pol_lb_pick(&lb, t, 3, 0, 0, NULL, &ix);
    CU_ASSERT_EQUAL(ix, 1);                              /* tie: lowest index */
    pol_lb p = lb_of(POL_LB_P2C);
    long cnt[3] = { 0 };
    for (int i = 0; i < 30000; i++) { pol_lb_pick(&p, t, 3, 0, 0, R, &ix); cnt[ix]++; }
    /* 0 wins only when drawn against itself, which P2C never does */
    CU_ASSERT_EQUAL(cnt[0], 0);
    CU_ASSERT(cnt[1] > 10000 && cnt[2] > 10000);
    t[1].available = t[2].available = 0;
    pol_lb_pick(&p, t, 3, 0, 0, R, &ix);
    CU_ASSERT_EQUAL(ix, 0);                              /* a single candidate */
}

static void test_ewma(void)
{
    pol_lb_target t[2];
    targets(t, 2);
    pol_lb lb = lb_of(POL_LB_EWMA);
    pol_lb_on_send(&t[0], 0, 0);
    pol_lb_on_done(&lb, &t[0], S(1), MS(100));
    CU_ASSERT_DOUBLE_EQUAL(t[0].ewma, 1e8, 0);           /* first sample */
    pol_lb_on_send(&t[0], S(1), 0);
    pol_lb_on_done(&lb, &t[0], S(11), MS(300));          /* a peak is taken at once */
    CU_ASSERT_DOUBLE_EQUAL(t[0].ewma, 3e8, 0);
    pol_lb_on_done(&lb, &t[0], S(21), 0);                /* 10 s = one tau */
    CU_ASSERT_DOUBLE_EQUAL(t[0].ewma, 3e8 * exp(-1.0), 1.0);
    CU_ASSERT_EQUAL(t[0].outstanding, 0);
    size_t ix;
    pol_lb_pick(&lb, t, 2, 0, 0, NULL, &ix);
    CU_ASSERT_EQUAL(ix, 1);                              /* unobserved costs 0 */
    pol_lb_on_done(&lb, &t[1], S(21), MS(200));
    pol_lb_pick(&lb, t, 2, 0, 0, NULL, &ix);
    CU_ASSERT_EQUAL(ix, 0);                              /* 110 ms < 200 ms */
    t[0].outstanding = 2;                                /* 110 ms x 3 > 200 ms x 1 */
    pol_lb_pick(&lb, t, 2, 0, 0, NULL, &ix);
    CU_ASSERT_EQUAL(ix, 1);
}

static void test_lowest_usage_and_cost(void)
{
    pol_lb_target t[3];
    targets(t, 3);
    pol_lb lb = lb_of(POL_LB_LOWEST_USAGE);
    t[0].tpm_limit = 1000; t[1].tpm_limit = 100000; t[2].rpm_limit = 2;
    pol_lb_on_send(&t[0], S(1), 100);
    pol_lb_on_send(&t[1], S(1), 500);
    pol_lb_on_send(&t[2], S(1), 50);
    size_t ix;
    CU_ASSERT_EQUAL(pol_lb_pick(&lb, t, 3, S(2), 10, NULL, &ix), POL_LB_PICKED);
    CU_ASSERT_EQUAL(ix, 2);                              /* lowest TPM used */
    pol_lb_on_send(&t[2], S(2), 50);                     /* rpm 2 of 2: full */
    pol_lb_pick(&lb, t, 3, S(3), 10, NULL, &ix);
    CU_ASSERT_EQUAL(ix, 0);
    pol_lb_pick(&lb, t, 3, S(3), 950, NULL, &ix);        /* 100 + 950 > 1000: skip 0 */
    CU_ASSERT_EQUAL(ix, 1);
    lb.cfg.usage_relative = 1;                           /* shares: 0.1, 0.005, - */
    pol_lb_pick(&lb, t, 3, S(3), 10, NULL, &ix);
    CU_ASSERT_EQUAL(ix, 1);
    lb.cfg.usage_relative = 0;
    t[1].tpm_limit = 600;
    CU_ASSERT_EQUAL(pol_lb_pick(&lb, t, 3, S(3), 950, NULL, &ix), POL_LB_NONE);
    CU_ASSERT_EQUAL(pol_lb_pick(&lb, t, 3, S(60), 950, NULL, &ix), POL_LB_PICKED);  /* new minute */
    CU_ASSERT_EQUAL(ix, 0);
    CU_ASSERT_DOUBLE_EQUAL(t[2].rpm_used, 0, 0);
    pol_lb c = lb_of(POL_LB_LOWEST_COST);
    t[0].cost = 2; t[1].cost = 1; t[2].cost = 1;
    t[1].outstanding = 3;
    pol_lb_pick(&c, t, 3, 0, 0, NULL, &ix);
    CU_ASSERT_EQUAL(ix, 2);                              /* tie on cost: fewer in flight */
}

static void test_never_unavailable(void)
{
    pol_lb_target t[6];
    long bad = 0, none = 0;
    for (int i = 0; i < 100000; i++) {
        pol_lb lb = lb_of((pol_lb_kind)(i % POL_LB__COUNT));
        for (int j = 0; j < 6; j++) {
            pol_lb_target_init(&t[j]);
            t[j].available = gsl_rng_uniform(R) < 0.5;
            t[j].weight = gsl_rng_uniform(R) < 0.2 ? 0 : gsl_rng_uniform(R);
            t[j].outstanding = (int)gsl_rng_uniform_int(R, 5);
            t[j].cost = gsl_rng_uniform(R);
            t[j].ewma = gsl_rng_uniform(R) * 1e9;
        }
        lb.rr_next = gsl_rng_uniform_int(R, 6);
        size_t ix = 99;
        int a = pol_lb_pick(&lb, t, 6, 0, 0, R, &ix);
        if (a == POL_LB_NONE) { none++; continue; }
        if (a != POL_LB_PICKED || ix >= 6 || !t[ix].available) bad++;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(none > 500 && none < 3000);               /* about 1/64 all down */
    CU_ASSERT_STRING_EQUAL(pol_lb_kind_name(POL_LB_P2C), "p2c");
    pol_lb_kind k;
    CU_ASSERT_EQUAL(pol_lb_kind_parse("lowest-usage", &k), POL_OK);
    CU_ASSERT_EQUAL(k, POL_LB_LOWEST_USAGE);
}

/* highest-success-rate = the seed's LoadBalancer "least_loaded"
 * (/work/shared/seeds/000): successes / total, 1.0 without data, max() keeps
 * the first of equal scores; against an independent count over random results. */
static void test_highest_success_rate(void)
{
    pol_lb lb = lb_of(POL_LB_HIGHEST_SUCCESS_RATE);
    CU_ASSERT_STRING_EQUAL(pol_lb_kind_name(POL_LB_HIGHEST_SUCCESS_RATE), "highest-success-rate");
    pol_lb_target t[4];
    targets(t, 4);
    size_t k;
    CU_ASSERT_EQUAL(pol_lb_pick(&lb, t, 4, 0, 0, R, &k), POL_LB_PICKED);
    CU_ASSERT_EQUAL(k, 0);                                   /* no data: all 1.0, the first */
    pol_lb_on_result(&lb, &t[0], S(1), 0);
    CU_ASSERT_EQUAL(pol_lb_pick(&lb, t, 4, S(1), 0, R, &k), POL_LB_PICKED);
    CU_ASSERT_EQUAL(k, 1);                                   /* 0 has 0/1; 1 has no data */
    double ok[4] = { 0 }, all[4] = { 0 };
    targets(t, 4);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 9);
    const double p[4] = { 0.6, 0.8, 0.7, 0.8 };
    for (int i = 0; i < 20000; i++) {
        for (int j = 0; j < 4; j++) t[j].available = gsl_rng_uniform(r) < 0.8;
        size_t want = 4;
        double best = -1;
        for (size_t j = 0; j < 4; j++) {
            if (!t[j].available) continue;
            double sc = all[j] > 0 ? ok[j] / all[j] : 1.0;
            if (sc > best) { best = sc; want = j; }
        }
        int a = pol_lb_pick(&lb, t, 4, S(i), 0, R, &k);
        if (want == 4) { CU_ASSERT_EQUAL(a, POL_LB_NONE); continue; }
        CU_ASSERT_EQUAL_FATAL(a, POL_LB_PICKED);
        CU_ASSERT_EQUAL(k, want);
        int good = gsl_rng_uniform(r) < p[k];
        pol_lb_on_result(&lb, &t[k], S(i), good);
        ok[k] += good;
        all[k] += 1;
    }
    gsl_rng_free(r);
    CU_ASSERT_DOUBLE_EQUAL(t[1].successes, ok[1], 0);
    CU_ASSERT_DOUBLE_EQUAL(t[1].failures, all[1] - ok[1], 0);
    /* success_window: old results fade with exp(-dt / window) */
    pol_lb_cfg c;
    pol_lb_default(POL_LB_HIGHEST_SUCCESS_RATE, &c);
    CU_ASSERT_EQUAL(c.success_window, 0);
    c.success_window = S(10);
    CU_ASSERT_EQUAL(pol_lb_init(&lb, &c), POL_OK);
    targets(t, 2);
    pol_lb_on_result(&lb, &t[0], 0, 0);
    pol_lb_on_result(&lb, &t[0], S(10), 1);
    CU_ASSERT_DOUBLE_EQUAL(t[0].failures, exp(-1.0), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(t[0].successes, 1.0, 0);
    /* with a window, one pseudo-success: a failed target comes back as its failure ages */
    targets(t, 2);
    pol_lb_on_result(&lb, &t[0], 0, 1);
    pol_lb_on_result(&lb, &t[0], 0, 1);
    pol_lb_on_result(&lb, &t[1], 0, 0);                      /* 1: 1 / 2 at t = 0 */
    CU_ASSERT_EQUAL(pol_lb_pick(&lb, t, 2, 0, 0, R, &k), POL_LB_PICKED);
    CU_ASSERT_EQUAL(k, 0);                                   /* 3/3 against 1/2 */
    CU_ASSERT_EQUAL(pol_lb_pick(&lb, t, 2, S(100), 0, R, &k), POL_LB_PICKED);
    CU_ASSERT_EQUAL(k, 0);                                   /* ties: both near 1, 0 first */
    pol_lb_on_result(&lb, &t[0], S(100), 0);                 /* a fresh failure on 0 */
    CU_ASSERT_EQUAL(pol_lb_pick(&lb, t, 2, S(100), 0, R, &k), POL_LB_PICKED);
    CU_ASSERT_EQUAL(k, 1);                                   /* 1's failure is 100 s old */
    c.success_window = -1;
    CU_ASSERT_EQUAL(pol_lb_init(&lb, &c), POL_EINVAL);
}

static void register_suites(void)
{
    CU_pSuite s = CU_add_suite("lb", init, clean);
    CU_add_test(s, "weighted random", test_weighted);
    CU_add_test(s, "round robin", test_round_robin);
    CU_add_test(s, "least outstanding and p2c", test_least_and_p2c);
    CU_add_test(s, "peak ewma", test_ewma);
    CU_add_test(s, "lowest usage and lowest cost", test_lowest_usage_and_cost);
    CU_add_test(s, "never an unavailable target", test_never_unavailable);
    CU_add_test(s, "highest success rate (the seed's least_loaded)", test_highest_success_rate);
}

CU_TEST_MAIN(register_suites)
