/* test_tune.c — CUnit tests of the pure parts of `retrysim tune` (tune.h):
 * --param parsing (numbers, durations, scales, errors), the unit-coordinate
 * scaling and its rounding to the override text, the --subject-to parser,
 * the relative violation and the penalty, including its invariants (an
 * infeasible point is worse than every start point, and better the less it
 * violates).
 */
#include "cu_util.h"
#include "tune.h"
#include <math.h>
#include <string.h>

static char err[1024];

static tune_param param(const char *spec)
{
    tune_param p;
    int rc = tune_param_parse(spec, &p, err, sizeof err);
    if (rc) fprintf(stderr, "'%s': %s\n", spec, err);
    CU_ASSERT_EQUAL(rc, 0);
    return p;
}

static void test_param_parse(void)
{
    tune_param p = param("retry.base=50ms..5s:log");
    CU_ASSERT_STRING_EQUAL(p.key, "retry.base");
    CU_ASSERT(p.duration);
    CU_ASSERT_EQUAL(p.scale, TUNE_LOG);
    CU_ASSERT_DOUBLE_EQUAL(p.lo, 50e6, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(p.hi, 5e9, 1e-6);
    p = param("retry.max_attempts=1..8:int");
    CU_ASSERT(!p.duration);
    CU_ASSERT_EQUAL(p.scale, TUNE_INT);
    CU_ASSERT_DOUBLE_EQUAL(p.lo, 1, 0);
    CU_ASSERT_DOUBLE_EQUAL(p.hi, 8, 0);
    p = param("policies[a].retry.jitter_factor=0.1..0.9");
    CU_ASSERT_EQUAL(p.scale, TUNE_LIN);
    CU_ASSERT_DOUBLE_EQUAL(p.lo, 0.1, 1e-12);
    CU_ASSERT_STRING_EQUAL(p.key, "policies[a].retry.jitter_factor");
    p = param("retry.timeout=0..5s:lin");           /* a bare 0 next to a duration is a duration */
    CU_ASSERT(p.duration);
    CU_ASSERT_DOUBLE_EQUAL(p.hi, 5e9, 1e-6);

    static const char *const bad[] = {
        "retry.base", "=1..2", "retry.base=1ms", "retry.base=..2s", "retry.base=1s..",
        "retry.base=2s..1s", "retry.base=1s..1s", "retry.base=0..1s:log", "retry.base=1s..2s:cubic",
        "retry.base=1ms..2:log", "x=1.5..3:int", "x=1s..5s:int", "x=a..b",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tune_param q;
        err[0] = '\0';
        int rc = tune_param_parse(bad[i], &q, err, sizeof err);
        if (!rc) fprintf(stderr, "'%s' accepted\n", bad[i]);
        CU_ASSERT_EQUAL(rc, -1);
        CU_ASSERT(strstr(err, "--param") != NULL);
    }
}

static void test_scaling(void)
{
    char t[64];
    tune_param p = param("retry.base=1ms..100ms:log");
    CU_ASSERT_DOUBLE_EQUAL(tune_param_value(&p, 0, t, sizeof t), 1e6, 1e-6);
    CU_ASSERT_STRING_EQUAL(t, "1ms");
    CU_ASSERT_DOUBLE_EQUAL(tune_param_value(&p, 0.5, t, sizeof t), 10e6, 1e-6);   /* geometric middle */
    CU_ASSERT_STRING_EQUAL(t, "10ms");
    CU_ASSERT_DOUBLE_EQUAL(tune_param_value(&p, 1, t, sizeof t), 100e6, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(tune_param_value(&p, 7, t, sizeof t), 100e6, 1e-6);    /* clamped */
    CU_ASSERT_DOUBLE_EQUAL(tune_param_value(&p, -1, t, sizeof t), 1e6, 1e-6);
    double v = tune_param_value(&p, 0.3, t, sizeof t);                            /* 10^0.6 ms = 3.981ms */
    CU_ASSERT_STRING_EQUAL(t, "3.981ms");
    CU_ASSERT_DOUBLE_EQUAL(v, 3981000, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(tune_param_unit(&p, v), 0.3, 1e-4);
    /* the value always lies in the range and is what its text says */
    for (double u = 0; u <= 1.0001; u += 0.01) {
        v = tune_param_value(&p, u, t, sizeof t);
        CU_ASSERT(v >= p.lo && v <= p.hi);
    }
    tune_param l = param("x=0.1..0.9");
    CU_ASSERT_DOUBLE_EQUAL(tune_param_value(&l, 0.5, t, sizeof t), 0.5, 1e-12);
    CU_ASSERT_STRING_EQUAL(t, "0.5");
    tune_param_value(&l, 1.0 / 3, t, sizeof t);
    CU_ASSERT_STRING_EQUAL(t, "0.3667");
    tune_param big = param("workload.clients=1000..200000");
    tune_param_value(&big, 0.123456, t, sizeof t);
    CU_ASSERT_STRING_EQUAL(t, "25570");                                         /* 4 significant digits, no exponent */
    tune_param i = param("retry.max_attempts=1..8:int");
    int seen[9] = { 0 };
    for (double u = 0; u <= 1; u += 0.001) seen[(int)tune_param_value(&i, u, t, sizeof t)]++;
    for (int k = 1; k <= 8; k++) CU_ASSERT(seen[k] >= 120 && seen[k] <= 130);   /* equal shares of [0,1] */
    CU_ASSERT_DOUBLE_EQUAL(tune_param_value(&i, tune_param_unit(&i, 5), t, sizeof t), 5, 0);
    CU_ASSERT_STRING_EQUAL(t, "5");
    tune_param d = param("retry.timeout=500us..90s");
    CU_ASSERT_STRING_EQUAL(tune_param_format(&d, 1500, t, sizeof t), "1.5us");
    CU_ASSERT_STRING_EQUAL(tune_param_format(&d, 999, t, sizeof t), "999ns");
    CU_ASSERT_STRING_EQUAL(tune_param_format(&d, 61.23456e9, t, sizeof t), "61.23s");
}

static tune_constraint cons(const char *spec)
{
    tune_constraint c;
    int rc = tune_constraint_parse(spec, &c, err, sizeof err);
    if (rc) fprintf(stderr, "'%s': %s\n", spec, err);
    CU_ASSERT_EQUAL(rc, 0);
    return c;
}

static void test_constraints(void)
{
    tune_constraint c = cons("peak_load_ratio<=1.5");
    CU_ASSERT_EQUAL(c.metric, SIM_M_PEAK_LOAD_RATIO);
    CU_ASSERT(!c.ge);
    CU_ASSERT_DOUBLE_EQUAL(c.bound, 1.5, 0);
    CU_ASSERT_EQUAL(c.on, SIM_ON_MEAN);
    c = cons("success_rate>=0.999:lower");
    CU_ASSERT_EQUAL(c.metric, SIM_M_SUCCESS_RATE);
    CU_ASSERT(c.ge);
    CU_ASSERT_EQUAL(c.on, SIM_ON_LOWER);
    c = cons(" latency_p99 <= 2s:upper");              /* a duration for a metric in seconds */
    CU_ASSERT_EQUAL(c.metric, SIM_M_LAT_P99);
    CU_ASSERT_DOUBLE_EQUAL(c.bound, 2.0, 1e-12);
    CU_ASSERT_EQUAL(c.on, SIM_ON_UPPER);
    c = cons("latency_p99<=250ms:mean");
    CU_ASSERT_DOUBLE_EQUAL(c.bound, 0.25, 1e-12);

    struct { const char *spec, *msg; } bad[] = {
        { "success_rate=1", "expected METRIC<=VALUE" },
        { "success_rate<1", "expected METRIC<=VALUE" },
        { "<=1", "no metric" },
        { "p99_latency<=2", "did you mean 'latency_p99'" },
        { "sucess_rate>=0.9", "did you mean 'success_rate'" },
        { "success_rate>=high", "expected a number" },
        { "attempts<=2s", "expected a number after" },    /* a count is not a duration */
        { "success_rate>=0.9:lowest", "expected :mean, :lower or :upper" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        CU_ASSERT_EQUAL(tune_constraint_parse(bad[i].spec, &c, err, sizeof err), -1);
        if (!strstr(err, bad[i].msg)) fprintf(stderr, "'%s': '%s' lacks '%s'\n", bad[i].spec, err, bad[i].msg);
        CU_ASSERT(strstr(err, bad[i].msg) != NULL);
    }
    CU_ASSERT_EQUAL(tune_metric("attempts", "--minimize", err, sizeof err), SIM_M_ATTEMPTS);
    CU_ASSERT_EQUAL(tune_metric("nope_nope_nope", "--minimize", err, sizeof err), -1);
    CU_ASSERT(strstr(err, "docs/metrics.md") != NULL);
}

static void test_violation_and_penalty(void)
{
    tune_constraint le = cons("peak_load_ratio<=1.5"), ge = cons("success_rate>=0.8"), z = cons("give_ups<=0");
    CU_ASSERT_DOUBLE_EQUAL(tune_violation(&le, 1.5), 0, 0);
    CU_ASSERT_DOUBLE_EQUAL(tune_violation(&le, 1.2), 0, 0);
    CU_ASSERT_DOUBLE_EQUAL(tune_violation(&le, 3.0), 1.0, 1e-12);     /* relative: 1.5 over a bound of 1.5 */
    CU_ASSERT_DOUBLE_EQUAL(tune_violation(&ge, 0.6), 0.25, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(tune_violation(&ge, 0.9), 0, 0);
    CU_ASSERT_DOUBLE_EQUAL(tune_violation(&z, 3), 3, 0);              /* a zero bound: absolute */
    CU_ASSERT_DOUBLE_EQUAL(tune_violation(&ge, NAN), 1, 0);           /* undefined counts as violated */

    double o[] = { 10, 4, NAN, 7 }, ref, delta;
    tune_penalty_scale(o, 4, &ref, &delta);
    CU_ASSERT_DOUBLE_EQUAL(ref, 10, 0);
    CU_ASSERT_DOUBLE_EQUAL(delta, 6, 0);
    CU_ASSERT_DOUBLE_EQUAL(tune_penalized(5, 0, ref, delta), 5, 0);   /* feasible: the objective */
    for (double v = 0.001; v < 100; v *= 3) {
        double p = tune_penalized(-1e9, v, ref, delta);              /* whatever its objective */
        CU_ASSERT(p > ref);                                          /* worse than every start point */
        CU_ASSERT(tune_penalized(-1e9, v * 2, ref, delta) > p);      /* and worse the more it violates */
    }
    CU_ASSERT(tune_penalized(NAN, 0, ref, delta) > ref);             /* an undefined objective is not feasible */
    double same[] = { 3, 3 };
    tune_penalty_scale(same, 2, &ref, &delta);
    CU_ASSERT(delta > 0);
    double none[] = { NAN };
    tune_penalty_scale(none, 1, &ref, &delta);
    CU_ASSERT_DOUBLE_EQUAL(ref, 0, 0);
    CU_ASSERT(delta > 0);
}

static void register_suites(void)
{
    CU_SUITE("tune", { "param parse", test_param_parse }, { "scaling and rounding", test_scaling },
             { "constraints", test_constraints }, { "violation and penalty", test_violation_and_penalty });
}

CU_TEST_MAIN(register_suites)
