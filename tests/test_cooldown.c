/* test_cooldown.c — CUnit tests of cooldowns (pol_cooldown): LiteLLM's
 * current rules (429 with several deployments, > 50 % failures of >= 5 calls
 * a minute, non-retryable 401/404, other 4xx never), its legacy
 * allowed_fails counter and Retry-After length; Envoy consecutive-5xx
 * ejection (sweep-aligned returns, growing and capped ejection time,
 * max_ejection_percent, success resets), and the invariant that Envoy never
 * ejects past its percentage over 100000 random outcomes.
 */
#include "cu_util.h"
#include "retrypol.h"

#define S(x) ((pol_ns)(x) * POL_NS_PER_S)
#define MS(x) ((pol_ns)(x) * POL_NS_PER_MS)

static pol_outcome http(int status) { return pol_outcome_make(POL_OUT_HTTP, status); }
static pol_outcome okay(void) { return pol_outcome_make(POL_OUT_SUCCESS, 200); }

static void setup(pol_cooldown *c, pol_cooldown_kind k, pol_cooldown_target *t, size_t n)
{
    pol_cooldown_cfg cfg;
    pol_cooldown_default(k, &cfg);
    CU_ASSERT_EQUAL_FATAL(pol_cooldown_init(c, &cfg, t, n, 0), POL_OK);
}

static void test_defaults(void)
{
    pol_cooldown_cfg c;
    pol_cooldown_default(POL_COOLDOWN_LITELLM, &c);
    CU_ASSERT_EQUAL(c.cooldown_time, S(5));
    CU_ASSERT_DOUBLE_EQUAL(c.failure_threshold, 0.5, 0);
    CU_ASSERT_EQUAL(c.min_requests, 5);
    CU_ASSERT_EQUAL(c.allowed_fails, 0);
    pol_cooldown_default(POL_COOLDOWN_ENVOY, &c);
    CU_ASSERT_EQUAL(c.consecutive_5xx, 5);
    CU_ASSERT_EQUAL(c.base_ejection, S(30));
    CU_ASSERT_EQUAL(c.max_ejection, S(300));
    CU_ASSERT_DOUBLE_EQUAL(c.max_ejection_percent, 10, 0);
    CU_ASSERT_EQUAL(c.interval, S(10));
    pol_outcome o429 = http(429);
    CU_ASSERT_EQUAL(pol_failmask_test(&c.fail, &o429), 0);   /* Envoy: 5xx only */
    CU_ASSERT_EQUAL(pol_cooldown_validate(&c), POL_OK);
    c.interval = 0;
    CU_ASSERT_EQUAL(pol_cooldown_validate(&c), POL_EINVAL);
}

static void test_litellm_rules(void)
{
    pol_cooldown c;
    pol_cooldown_target t[2];
    setup(&c, POL_COOLDOWN_LITELLM, t, 2);
    pol_outcome o429 = http(429), o400 = http(400), o401 = http(401), o500 = http(500), ok = okay();
    CU_ASSERT_EQUAL(pol_cooldown_record(&c, 0, S(1), &o429), 1);    /* 429: at once */
    CU_ASSERT_EQUAL(pol_cooldown_available(&c, 0, S(6) - 1), 0);
    CU_ASSERT_EQUAL(pol_cooldown_available(&c, 0, S(6)), 1);
    CU_ASSERT_EQUAL(pol_cooldown_unavailable(&c, S(2)), 1);
    for (int i = 0; i < 10; i++) CU_ASSERT_EQUAL(pol_cooldown_record(&c, 1, S(2), &o400), 0);
    CU_ASSERT_EQUAL(pol_cooldown_record(&c, 1, S(2), &o401), 1);    /* not retryable */
    /* rate: 2 ok + 2 fails = 50 %: no; the 3rd fail makes 60 % of 5: cool */
    pol_cooldown_reset(&c, 0);
    pol_cooldown_record(&c, 0, S(1), &ok);
    pol_cooldown_record(&c, 0, S(1), &ok);
    CU_ASSERT_EQUAL(pol_cooldown_record(&c, 0, S(1), &o500), 0);
    CU_ASSERT_EQUAL(pol_cooldown_record(&c, 0, S(1), &o500), 0);
    CU_ASSERT_EQUAL(pol_cooldown_record(&c, 0, S(1), &o500), 1);
    CU_ASSERT_EQUAL(t[0].cooldowns, 1);
    /* a new minute starts the counts afresh */
    pol_cooldown_record(&c, 0, S(61), &o500);
    CU_ASSERT_EQUAL(t[0].fails_minute, 1);
    CU_ASSERT_EQUAL(t[0].successes_minute, 0);
    /* a single deployment is never cooled down for 429 or the rate */
    pol_cooldown one;
    pol_cooldown_target t1;
    setup(&one, POL_COOLDOWN_LITELLM, &t1, 1);
    for (int i = 0; i < 20; i++) CU_ASSERT_EQUAL(pol_cooldown_record(&one, 0, S(1), &o429), 0);
    CU_ASSERT_EQUAL(pol_cooldown_record(&one, 0, S(1), &o401), 1);
    CU_ASSERT_EQUAL(pol_cooldown_record(&c, 2, S(1), &o429), POL_EINVAL);
}

/* Legacy allowed_fails 3: the 4th failure within the TTL cools down. */
static void test_litellm_allowed_fails(void)
{
    pol_cooldown c;
    pol_cooldown_target t[2];
    pol_cooldown_cfg cfg;
    pol_cooldown_default(POL_COOLDOWN_LITELLM, &cfg);
    cfg.allowed_fails = 3;
    pol_cooldown_init(&c, &cfg, t, 2, 0);
    pol_outcome o500 = http(500);
    for (int i = 0; i < 3; i++) CU_ASSERT_EQUAL(pol_cooldown_record(&c, 0, S(1 + i), &o500), 0);
    CU_ASSERT_EQUAL(pol_cooldown_record(&c, 0, S(4), &o500), 1);
    CU_ASSERT_EQUAL(t[0].until, S(9));
    /* the count expires cooldown_time after its last increment */
    for (int i = 0; i < 3; i++) pol_cooldown_record(&c, 1, S(1 + 2 * i), &o500);
    CU_ASSERT_EQUAL(pol_cooldown_record(&c, 1, S(10) + 1, &o500), 0);   /* 5 s after 5 s */
    CU_ASSERT_EQUAL(t[1].fails, 1);
}

static void test_litellm_hint(void)
{
    pol_cooldown c;
    pol_cooldown_target t[2];
    pol_cooldown_cfg cfg;
    pol_cooldown_default(POL_COOLDOWN_LITELLM, &cfg);
    cfg.hint_sets_cooldown = 1;
    cfg.hint_cap = S(60);
    pol_cooldown_init(&c, &cfg, t, 2, 0);
    pol_outcome o = http(429);
    o.retry_after = S(20);
    CU_ASSERT_EQUAL(pol_cooldown_record(&c, 0, S(1), &o), 1);
    CU_ASSERT_EQUAL(t[0].until, S(21));
    o.retry_after = S(600);
    CU_ASSERT_EQUAL(pol_cooldown_record(&c, 1, S(1), &o), 1);
    CU_ASSERT_EQUAL(t[1].until, S(61));                   /* capped */
    o.retry_after = -1;
    CU_ASSERT_EQUAL(pol_cooldown_record(&c, 0, S(30), &o), 1);
    CU_ASSERT_EQUAL(t[0].until, S(35));                   /* no hint: cooldown_time */
}

static void test_envoy(void)
{
    pol_cooldown c;
    pol_cooldown_target t[10];
    setup(&c, POL_COOLDOWN_ENVOY, t, 10);
    pol_outcome o503 = http(503), o429 = http(429), ok = okay(), to = pol_outcome_make(POL_OUT_TIMEOUT, 0);
    for (int i = 0; i < 4; i++) CU_ASSERT_EQUAL(pol_cooldown_record(&c, 0, S(1), &o503), 0);
    pol_cooldown_record(&c, 0, S(1), &o429);               /* not a 5xx: resets the run */
    for (int i = 0; i < 4; i++) CU_ASSERT_EQUAL(pol_cooldown_record(&c, 0, S(2), &o503), 0);
    CU_ASSERT_EQUAL(pol_cooldown_record(&c, 0, S(2), &to), 1);          /* 5th: ejected */
    CU_ASSERT_EQUAL(t[0].until, S(40));                   /* 2 + 30 -> next sweep at 40 */
    for (int i = 0; i < 5; i++) pol_cooldown_record(&c, 1, S(3), &o503);
    CU_ASSERT_EQUAL(pol_cooldown_available(&c, 1, S(3)), 1);            /* 10 % reached */
    CU_ASSERT_EQUAL(c.overflows, 1);
    /* second ejection of host 0 right after its return: 60 s */
    for (int i = 0; i < 5; i++) pol_cooldown_record(&c, 0, S(41), &o503);
    CU_ASSERT_EQUAL(t[0].until, S(110));                  /* 41 + 60 -> 110 */
    CU_ASSERT_EQUAL(t[0].ejections, 2);
    /* a long healthy spell decays the multiplier to 0: base again */
    for (int i = 0; i < 5; i++) pol_cooldown_record(&c, 0, S(1000), &o503);
    CU_ASSERT_EQUAL(t[0].ejections, 1);
    CU_ASSERT_EQUAL(t[0].until, S(1030));
    pol_cooldown_record(&c, 0, S(1030), &ok);
    CU_ASSERT_EQUAL(t[0].consecutive, 0);
}

static void test_envoy_cap(void)
{
    pol_cooldown c;
    pol_cooldown_target t[1];
    pol_cooldown_cfg cfg;
    pol_cooldown_default(POL_COOLDOWN_ENVOY, &cfg);
    cfg.max_ejection_percent = 100;
    cfg.consecutive_5xx = 1;
    pol_cooldown_init(&c, &cfg, t, 1, 0);
    pol_outcome o = http(500);
    pol_ns now = 0, prev_len = 0;
    for (int i = 1; i <= 14; i++) {
        CU_ASSERT_EQUAL(pol_cooldown_record(&c, 0, now, &o), 1);
        pol_ns len = t[0].until - now;
        pol_ns want = S(30) * i > S(300) ? S(300) : S(30) * i;
        CU_ASSERT(len >= want && len < want + S(10));
        CU_ASSERT(len >= prev_len || want == S(300));
        prev_len = len;
        now = t[0].until;                                  /* fails at once on return */
    }
}

/* Never more ejected than the percentage allows (plus the one that the
 * check lets through from below). */
static void test_envoy_percent_invariant(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 9);
    pol_cooldown c;
    pol_cooldown_target t[20];
    pol_cooldown_cfg cfg;
    pol_cooldown_default(POL_COOLDOWN_ENVOY, &cfg);
    cfg.max_ejection_percent = 25;
    cfg.consecutive_5xx = 2;
    pol_cooldown_init(&c, &cfg, t, 20, 0);
    pol_ns now = 0;
    long bad = 0, ejections = 0;
    for (int i = 0; i < 100000; i++) {
        now += MS(gsl_rng_uniform_int(r, 50));
        pol_outcome o = gsl_rng_uniform(r) < 0.7 ? http(502) : okay();
        size_t before = pol_cooldown_unavailable(&c, now);
        int e = pol_cooldown_record(&c, gsl_rng_uniform_int(r, 20), now, &o);
        ejections += e == 1;
        if (e == 1 && 100.0 * before / 20 >= 25) bad++;
        if (pol_cooldown_unavailable(&c, now) > 5) bad++;    /* 25 % of 20 */
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(ejections > 100);
    CU_ASSERT(c.overflows > 100);
    gsl_rng_free(r);
}

static void register_suites(void)
{
    CU_SUITE("cooldown",
             {"defaults", test_defaults},
             {"litellm rules", test_litellm_rules},
             {"litellm allowed_fails", test_litellm_allowed_fails},
             {"litellm retry-after length", test_litellm_hint},
             {"envoy ejection", test_envoy},
             {"envoy ejection time cap", test_envoy_cap},
             {"envoy percentage invariant", test_envoy_percent_invariant});
}

CU_TEST_MAIN(register_suites)
