/* test_backoff.c — CUnit tests of pol_backoff: names, validation, nominal
 * schedules, known answers (gsl_rng_taus2, seed 42) for every jitter kind,
 * and invariants over 100000 draws: bounds, empirical mean within 1% of
 * pol_backoff_moments, decorrelated kinds never above the cap.
 */
#include "cu_util.h"
#include "retrypol.h"
#include "pol_test_names.h"
#include "pol_internal.h"          /* pol_pow2 */
#include <math.h>
#include <string.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#define DRAWS 100000
#define S(x) ((pol_ns)(x) * POL_NS_PER_S)

static gsl_rng *rng42(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 42);
    return r;
}

/* exponential, base 1 s, x2, cap 10 s, the given jitter, f 0.25 (0.2 for
 * proportional), additive jitter_max 1 s */
static pol_backoff_cfg cfg_for(pol_jitter_kind j)
{
    pol_backoff_cfg c;
    pol_backoff_default(&c);
    c.jitter = j;
    c.cap = S(10);
    c.jitter_factor = j == POL_JITTER_PROPORTIONAL ? 0.2 : 0.25;
    c.jitter_max = S(1);
    return c;
}

static void test_names(void)
{
    static const char *const want[] = { "none", "full", "equal", "decorrelated",
        "decorrelated-v2", "proportional", "subtractive", "additive" };
    static const char *const kinds[] = { "constant", "linear", "exponential" };
    CHECK_NAME_TABLE(pol_jitter_kind, pol_jitter_name, pol_jitter_parse, want, POL_JITTER__COUNT);
    CHECK_NAME_TABLE(pol_backoff_kind, pol_backoff_kind_name, pol_backoff_kind_parse, kinds, 3);
    pol_jitter_kind j;
    CU_ASSERT_EQUAL(pol_jitter_parse("FULL", &j), POL_OK);      /* case-insensitive */
    CU_ASSERT_EQUAL(j, POL_JITTER_FULL);
    CU_ASSERT_STRING_EQUAL(pol_jitter_name((pol_jitter_kind)-1), "?");
    CU_ASSERT_STRING_EQUAL(pol_strerror(POL_ERANGE), "value out of range");
    CU_ASSERT_STRING_EQUAL(pol_strerror(-99), "unknown error");
}

static void test_default_and_validate(void)
{
    pol_backoff_cfg c, bad;
    pol_backoff_default(&c);
    CU_ASSERT_EQUAL(c.kind, POL_BACKOFF_EXPONENTIAL);
    CU_ASSERT_EQUAL(c.base, S(1));
    CU_ASSERT_DOUBLE_EQUAL(c.multiplier, 2.0, 0);
    CU_ASSERT_EQUAL(c.cap, S(60));
    CU_ASSERT_EQUAL(c.jitter, POL_JITTER_FULL);
    CU_ASSERT_EQUAL(pol_backoff_validate(&c), POL_OK);
    CU_ASSERT_EQUAL(pol_backoff_validate(NULL), POL_EINVAL);
    bad = c; bad.base = -1;                   CU_ASSERT_EQUAL(pol_backoff_validate(&bad), POL_EINVAL);
    bad = c; bad.cap = -1;                    CU_ASSERT_EQUAL(pol_backoff_validate(&bad), POL_EINVAL);
    bad = c; bad.floor = S(61);               CU_ASSERT_EQUAL(pol_backoff_validate(&bad), POL_EINVAL);
    bad = c; bad.multiplier = 0.5;            CU_ASSERT_EQUAL(pol_backoff_validate(&bad), POL_EINVAL);
    bad = c; bad.multiplier = NAN;            CU_ASSERT_EQUAL(pol_backoff_validate(&bad), POL_EINVAL);
    bad = c; bad.jitter_factor = 1.5;         CU_ASSERT_EQUAL(pol_backoff_validate(&bad), POL_EINVAL);
    bad = c; bad.jitter_factor = NAN;         CU_ASSERT_EQUAL(pol_backoff_validate(&bad), POL_EINVAL);
    bad = c; bad.jitter_max = -1;             CU_ASSERT_EQUAL(pol_backoff_validate(&bad), POL_EINVAL);
    bad = c; bad.jitter = POL_JITTER__COUNT;  CU_ASSERT_EQUAL(pol_backoff_validate(&bad), POL_EINVAL);
    bad = c; bad.kind = (pol_backoff_kind)7;  CU_ASSERT_EQUAL(pol_backoff_validate(&bad), POL_EINVAL);
    bad = c; bad.kind = POL_BACKOFF_LINEAR; bad.multiplier = 0;
    CU_ASSERT_EQUAL(pol_backoff_validate(&bad), POL_OK);   /* multiplier unused */
}

static void test_nominal(void)
{
    pol_backoff_cfg c;
    pol_backoff_default(&c);
    c.jitter = POL_JITTER_NONE;
    CU_ASSERT_EQUAL(pol_backoff_nominal(&c, 1), S(1));
    CU_ASSERT_EQUAL(pol_backoff_nominal(&c, 0), S(1));       /* n < 1 counts as 1 */
    CU_ASSERT_EQUAL(pol_backoff_nominal(&c, 4), S(8));
    CU_ASSERT_EQUAL(pol_backoff_nominal(&c, 7), S(60));      /* 64 s capped */
    CU_ASSERT_EQUAL(pol_backoff_nominal(&c, 100000), S(60)); /* pow overflow capped */
    c.cap = 0;
    pol_ns huge = pol_backoff_nominal(&c, 100000);
    CU_ASSERT(huge > 0 && huge <= ((pol_ns)1 << 62));        /* saturates, never wraps */
    c.kind = POL_BACKOFF_LINEAR;
    c.step = 500 * POL_NS_PER_MS;
    CU_ASSERT_EQUAL(pol_backoff_nominal(&c, 1), S(1));
    CU_ASSERT_EQUAL(pol_backoff_nominal(&c, 5), S(3));
    c.kind = POL_BACKOFF_CONSTANT;
    CU_ASSERT_EQUAL(pol_backoff_nominal(&c, 9), S(1));
    c.floor = S(2);
    CU_ASSERT_EQUAL(pol_backoff_nominal(&c, 9), S(2));
    c.kind = POL_BACKOFF_EXPONENTIAL;
    c.multiplier = 1.5;
    c.floor = 0;
    CU_ASSERT_EQUAL(pol_backoff_nominal(&c, 3), 2250 * POL_NS_PER_MS);
    CU_ASSERT_EQUAL(pol_backoff_nominal(NULL, 3), 0);
    /* multiplier 2 takes ldexp(1, n - 1) for pow(2, n - 1): the same double (a
     * power of two is exact in this libm's pow) at every exponent up to past
     * overflow, so the same delays */
    int same = 1;
    for (int k = 0; k <= 1100 && same; k++) {
        volatile double e = (double)k;              /* pow not folded at compile time */
        same = ldexp(1.0, k) == pow(2.0, e);
        if (!same) printf("\n  2^%d: ldexp %a, pow %a\n", k, ldexp(1.0, k), pow(2.0, e));
    }
    CU_ASSERT(same);
    /* ... and pol_pow2 builds ldexp(1, k) from its bits in the normal range:
     * the same double at every exponent, and ldexp's own outside that range */
    for (int k = -1100; k <= 1100 && same; k++) {
        same = pol_pow2(k) == ldexp(1.0, k);
        if (!same) printf("\n  2^%d: pol_pow2 %a, ldexp %a\n", k, pol_pow2(k), ldexp(1.0, k));
    }
    CU_ASSERT(same);
    c.multiplier = 2.0;
    c.base = 7;
    c.cap = 0;
    CU_ASSERT_EQUAL(pol_backoff_nominal(&c, 11), 7 * 1024);
    c.cap = S(3600);
    CU_ASSERT_EQUAL(pol_backoff_nominal(&c, 2000), S(3600));    /* inf capped */
}

/* Recorded once from this implementation; any change of formula, draw order
 * or rounding shows up here. */
static const struct { pol_jitter_kind j; pol_ns d[6]; } KAT[] = {
    { POL_JITTER_NONE, { 1000000000LL, 2000000000LL, 4000000000LL, 8000000000LL, 10000000000LL, 10000000000LL } },
    { POL_JITTER_FULL, { 795107131LL, 1238655814LL, 2975363769LL, 7971156775LL, 6012787765LL, 4991277237LL } },
    { POL_JITTER_EQUAL, { 897553565LL, 1619327907LL, 3487681884LL, 7985578387LL, 8006393882LL, 7495638618LL } },
    { POL_JITTER_DECORRELATED, { 2590214262LL, 5193248028LL, 10000000000LL, 10000000000LL, 10000000000LL, 10000000000LL } },
    { POL_JITTER_DECORRELATED_V2, { 1171334908LL, 996319203LL, 2604329079LL, 6620389410LL, 5938953357LL, 10000000000LL } },
    { POL_JITTER_PROPORTIONAL, { 1118042852LL, 2095462325LL, 4390145507LL, 9588462710LL, 10000000000LL, 9996510894LL } },
    { POL_JITTER_SUBTRACTIVE, { 801223217LL, 1690336046LL, 3256159057LL, 6007210806LL, 8496803058LL, 8752180690LL } },
    { POL_JITTER_ADDITIVE, { 1795107131LL, 2619327907LL, 4743840942LL, 8996394596LL, 10000000000LL, 10000000000LL } },
};

static void test_known_answers(void)
{
    gsl_rng *r = rng42();
    for (size_t i = 0; i < sizeof KAT / sizeof KAT[0]; i++) {
        pol_backoff_cfg c = cfg_for(KAT[i].j);
        pol_backoff_state s;
        pol_backoff_reset(&s);
        gsl_rng_set(r, 42);
        for (int n = 1; n <= 6; n++) {
            pol_ns d = pol_backoff_next(&c, &s, n, r);
            if (d != KAT[i].d[n - 1])
                fprintf(stderr, "KAT %s n=%d: got %lld want %lld\n", pol_jitter_name(KAT[i].j),
                        n, (long long)d, (long long)KAT[i].d[n - 1]);
            CU_ASSERT_EQUAL(d, KAT[i].d[n - 1]);
        }
    }
    gsl_rng_free(r);
}

/* Hand-checked first values: U = 0.795107131... is taus2(42)'s first draw. */
static void test_formulas_by_hand(void)
{
    gsl_rng *r = rng42();
    double u = gsl_rng_uniform(r);
    CU_ASSERT_DOUBLE_EQUAL(u, 0.795107131, 1e-9);
    double v2 = pow(2.0, u) * tanh(sqrt(4.0 * u)) / 1.4;        /* Polly, attempt 0 */
    CU_ASSERT_DOUBLE_EQUAL(KAT[4].d[0] / 1e9, v2, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(KAT[2].d[0] / 1e9, 0.5 + 0.5 * u, 1e-9); /* equal */
    CU_ASSERT_DOUBLE_EQUAL(KAT[3].d[0] / 1e9, 1 + 2 * u, 1e-9);     /* decorrelated */
    CU_ASSERT_DOUBLE_EQUAL(KAT[6].d[0] / 1e9, 1 - 0.25 * u, 1e-9);  /* subtractive */
    CU_ASSERT_DOUBLE_EQUAL(KAT[5].d[0] / 1e9, 0.8 + 0.4 * u, 1e-9); /* proportional */
    gsl_rng_free(r);
}

/* Bounds and mean over DRAWS draws for every non-decorrelated kind, retries
 * 1..6 (the later ones straddle or hit the 10 s cap). */
static void test_bounds_and_means(void)
{
    static const pol_jitter_kind kinds[] = { POL_JITTER_NONE, POL_JITTER_FULL, POL_JITTER_EQUAL,
        POL_JITTER_PROPORTIONAL, POL_JITTER_SUBTRACTIVE, POL_JITTER_ADDITIVE };
    gsl_rng *r = rng42();
    double worst = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        pol_backoff_cfg c = cfg_for(kinds[k]);
        for (int n = 1; n <= 6; n++) {
            double mean;
            pol_ns lo, hi;
            CU_ASSERT_EQUAL_FATAL(pol_backoff_moments(&c, n, &mean, &lo, &hi), POL_OK);
            double sum = 0;
            int out = 0;
            for (int i = 0; i < DRAWS; i++) {
                pol_ns d = pol_backoff_next(&c, NULL, n, r);
                out += d < lo || d > hi || d > c.cap;
                sum += (double)d;
            }
            CU_ASSERT_EQUAL(out, 0);
            double rel = fabs(sum / DRAWS - mean) / mean;
            if (rel > worst) worst = rel;
            if (rel >= 0.01)
                fprintf(stderr, "%s n=%d: empirical %.6g analytic %.6g\n",
                        pol_jitter_name(kinds[k]), n, sum / DRAWS, mean);
            CU_ASSERT(rel < 0.01);
        }
    }
    printf("\n  worst |empirical-analytic|/analytic mean over 36 (kind, n): %.4f%%\n", 100 * worst);
    gsl_rng_free(r);
}

static void test_moments_closed_form(void)
{
    /* cfg_for(): exponential 1 s x2, cap 10 s, f 0.25 (0.2 proportional), J 1 s */
    static const struct { pol_jitter_kind j; int n; double mean; pol_ns lo, hi; } t[] = {
        { POL_JITTER_FULL, 1, 0.5e9, 0, S(1) },
        /* nominal 16 s is clamped to the 10 s cap before jitter: U(0, 10 s) */
        { POL_JITTER_FULL, 5, 5e9, 0, S(10) },
        /* proportional at n = 5: U(8 s, 12 s) clamped at 10 s:
         * ((10-8)(8+10)/2 + (12-10) 10) / 4 = 9.5 s */
        { POL_JITTER_PROPORTIONAL, 5, 9.5e9, S(8), S(10) },
        { POL_JITTER_EQUAL, 2, 1.5e9, S(1), S(2) },
        { POL_JITTER_ADDITIVE, 1, 1.5e9, S(1), S(2) },
        { POL_JITTER_SUBTRACTIVE, 3, 3.5e9, S(3), S(4) },
        { POL_JITTER_NONE, 3, 4e9, S(4), S(4) },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        pol_backoff_cfg c = cfg_for(t[i].j);
        double m;
        pol_ns lo, hi;
        CU_ASSERT_EQUAL(pol_backoff_moments(&c, t[i].n, &m, &lo, &hi), POL_OK);
        CU_ASSERT_DOUBLE_EQUAL(m, t[i].mean, 1);
        CU_ASSERT_EQUAL(lo, t[i].lo);
        CU_ASSERT_EQUAL(hi, t[i].hi);
    }
    pol_backoff_cfg c = cfg_for(POL_JITTER_DECORRELATED);
    CU_ASSERT_EQUAL(pol_backoff_moments(&c, 1, NULL, NULL, NULL), POL_EINVAL);
    c = cfg_for(POL_JITTER_DECORRELATED_V2);
    CU_ASSERT_EQUAL(pol_backoff_moments(&c, 1, NULL, NULL, NULL), POL_EINVAL);
    c = cfg_for(POL_JITTER_FULL);
    CU_ASSERT_EQUAL(pol_backoff_moments(&c, 0, NULL, NULL, NULL), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_backoff_moments(&c, 1, NULL, NULL, NULL), POL_OK);
    CU_ASSERT_EQUAL(pol_backoff_moments(NULL, 1, NULL, NULL, NULL), POL_EINVAL);
}

/* AWS decorrelated: every delay in [base, cap], never above the cap, along
 * 100000 paths of 12 retries; and the path really depends on the state. */
static void test_decorrelated_paths(void)
{
    gsl_rng *r = rng42();
    pol_backoff_cfg c = cfg_for(POL_JITTER_DECORRELATED);
    int bad = 0, capped = 0;
    for (int p = 0; p < DRAWS; p++) {
        pol_backoff_state s;
        pol_backoff_reset(&s);
        for (int n = 1; n <= 12; n++) {
            pol_ns d = pol_backoff_next(&c, &s, n, r);
            bad += d < c.base || d > c.cap || s.prev != d;
            capped += d == c.cap;
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(capped > 0);
    /* first delay of a fresh path is U(base, 3 base): mean 2 base */
    double sum = 0;
    for (int i = 0; i < DRAWS; i++) {
        pol_backoff_state s = { 0, 0 };
        sum += (double)pol_backoff_next(&c, &s, 1, r);
    }
    CU_ASSERT(fabs(sum / DRAWS / 2e9 - 1) < 0.01);
    gsl_rng_free(r);
}

/* Polly V2: never negative, never above the cap; the first delay is a
 * monotone function of U, so its median is f(0.5) = 2^0.5 tanh(sqrt 2)/1.4. */
static void test_decorrelated_v2(void)
{
    gsl_rng *r = rng42();
    pol_backoff_cfg c = cfg_for(POL_JITTER_DECORRELATED_V2);
    int bad = 0;
    static double first[DRAWS];
    for (int p = 0; p < DRAWS; p++) {
        pol_backoff_state s;
        pol_backoff_reset(&s);
        for (int n = 1; n <= 10; n++) {
            pol_ns d = pol_backoff_next(&c, &s, n, r);
            if (n == 1) first[p] = (double)d / 1e9;
            bad += d < 0 || d > c.cap;
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    gsl_sort(first, 1, DRAWS);
    double med = gsl_stats_median_from_sorted_data(first, 1, DRAWS);
    double want = sqrt(2.0) * tanh(sqrt(2.0)) / 1.4;
    CU_ASSERT(fabs(med / want - 1) < 0.01);
    /* t >= 1024 makes 2^t infinite: Polly answers MaxDelay, so do we */
    pol_backoff_state s = { 0, 0 };
    CU_ASSERT_EQUAL(pol_backoff_next(&c, &s, 2000, r), c.cap);
    c.cap = 0;
    CU_ASSERT_EQUAL(pol_backoff_next(&c, &s, 2000, r), (pol_ns)1 << 62);
    gsl_rng_free(r);
}

static void test_reset_and_nulls(void)
{
    gsl_rng *r = rng42();
    pol_backoff_state s = { 123, 4.5 };
    pol_backoff_reset(&s);
    CU_ASSERT_EQUAL(s.prev, 0);
    CU_ASSERT_DOUBLE_EQUAL(s.v2_prev, 0, 0);
    pol_backoff_reset(NULL);
    pol_backoff_default(NULL);
    pol_backoff_cfg c = cfg_for(POL_JITTER_NONE);
    CU_ASSERT_EQUAL(pol_backoff_next(&c, NULL, 1, NULL), S(1));   /* no draw needed */
    CU_ASSERT_EQUAL(pol_backoff_next(NULL, &s, 1, r), 0);
    c.base = 0;
    c.kind = POL_BACKOFF_CONSTANT;
    c.jitter = POL_JITTER_FULL;
    CU_ASSERT_EQUAL(pol_backoff_next(&c, &s, 3, r), 0);           /* immediate retry */
    gsl_rng_free(r);
}

static void register_suites(void)
{
    CU_SUITE("backoff",
             { "names", test_names },
             { "default and validate", test_default_and_validate },
             { "nominal schedules", test_nominal },
             { "known answers, seed 42", test_known_answers },
             { "formulas by hand", test_formulas_by_hand },
             { "bounds and means, 100000 draws", test_bounds_and_means },
             { "moments closed form", test_moments_closed_form },
             { "decorrelated paths", test_decorrelated_paths },
             { "decorrelated v2 (Polly)", test_decorrelated_v2 },
             { "reset and NULLs", test_reset_and_nulls });
}

CU_TEST_MAIN(register_suites)
