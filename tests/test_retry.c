/* test_retry.c — CUnit tests of the retry state machine (pol_retry): every
 * check of pol_retry_next in its documented order and every reason, each
 * hint mode with and without a hint, the deadline (never crossed, checked
 * over 100000 random requests), max attempts, x-should-retry, fallback
 * classes, known answers with gsl_rng_taus2 seed 42.
 */
#include "cu_util.h"
#include "retrypol.h"
#include <math.h>

#define S(x) ((pol_ns)(x) * POL_NS_PER_S)
#define MS(x) ((pol_ns)(x) * POL_NS_PER_MS)

static gsl_rng *R;

static int init(void)
{
    R = gsl_rng_alloc(gsl_rng_taus2);
    return R ? 0 : 1;
}

static int clean(void)
{
    gsl_rng_free(R);
    return 0;
}

/* 3 attempts, exponential 1 s x2 cap 60 s without jitter: delays 1 s, 2 s, ... */
static pol_retry_cfg plain(void)
{
    pol_retry_cfg c;
    pol_retry_default(&c);
    c.backoff.jitter = POL_JITTER_NONE;
    return c;
}

static pol_outcome http(int status) { return pol_outcome_make(POL_OUT_HTTP, status); }

static pol_outcome hinted(int status, pol_ns hint)
{
    pol_outcome o = http(status);
    o.retry_after = hint;
    return o;
}

static pol_outcome told(int status, int should)
{
    pol_outcome o = http(status);
    o.should_retry = should;
    return o;
}

/* One attempt's verdict on a fresh request (begin at 0, report at `now`). */
static pol_verdict first(const pol_retry_cfg *c, pol_outcome o, pol_ns now)
{
    pol_retry_state s;
    pol_verdict v;
    pol_retry_begin(&s, 0);
    gsl_rng_set(R, 42);
    CU_ASSERT_EQUAL(pol_retry_next(c, &s, &o, now, R, &v), POL_OK);
    return v;
}

#define CHECK_VERDICT(v, act, why) do { \
        CU_ASSERT_EQUAL((v).action, act); CU_ASSERT_EQUAL((v).reason, why); } while (0)

static void test_defaults(void)
{
    pol_retry_cfg c;
    pol_retry_default(&c);
    CU_ASSERT_EQUAL(c.max_attempts, 3);
    CU_ASSERT_EQUAL(c.deadline, 0);
    CU_ASSERT_EQUAL(c.backoff.jitter, POL_JITTER_FULL);
    CU_ASSERT_EQUAL(c.backoff.base, S(1));
    CU_ASSERT_EQUAL(c.backoff.cap, S(60));
    CU_ASSERT_EQUAL(c.hint.mode, POL_HINT_HONOR);
    CU_ASSERT_EQUAL(c.honor_should_retry, 1);
    CU_ASSERT_EQUAL(c.fallback_on_exhaust, 0);
    CU_ASSERT_EQUAL(pol_retry_validate(&c), POL_OK);
}

static void test_validate(void)
{
    pol_retry_cfg c = plain(), b;
    CU_ASSERT_EQUAL(pol_retry_validate(NULL), POL_EINVAL);
    b = c; b.max_attempts = -1;                   CU_ASSERT_EQUAL(pol_retry_validate(&b), POL_EINVAL);
    b = c; b.deadline = -1;                       CU_ASSERT_EQUAL(pol_retry_validate(&b), POL_EINVAL);
    b = c; b.attempt_timeout = -1;                CU_ASSERT_EQUAL(pol_retry_validate(&b), POL_EINVAL);
    b = c; b.hint.mode = POL_HINT__COUNT;         CU_ASSERT_EQUAL(pol_retry_validate(&b), POL_EINVAL);
    b = c; b.hint.ceiling = -1;                   CU_ASSERT_EQUAL(pol_retry_validate(&b), POL_EINVAL);
    b = c; b.hint.jitter = -1;                    CU_ASSERT_EQUAL(pol_retry_validate(&b), POL_EINVAL);
    b = c; b.classify.by_status[29] = 9;          CU_ASSERT_EQUAL(pol_retry_validate(&b), POL_EINVAL);
    b = c; b.classify.by_kind[POL_OUT_TIMEOUT] = 4; CU_ASSERT_EQUAL(pol_retry_validate(&b), POL_EINVAL);
    b = c; b.backoff.multiplier = 0.1;            CU_ASSERT_EQUAL(pol_retry_validate(&b), POL_EINVAL);
    b = c; b.max_attempts = 0;                    CU_ASSERT_EQUAL(pol_retry_validate(&b), POL_OK);
}

static void test_null_args(void)
{
    pol_retry_cfg c = plain();
    pol_retry_state s;
    pol_verdict v;
    pol_outcome o = http(500);
    pol_retry_begin(&s, 0);
    CU_ASSERT_EQUAL(pol_retry_next(NULL, &s, &o, 0, R, &v), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_retry_next(&c, NULL, &o, 0, R, &v), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_retry_next(&c, &s, NULL, 0, R, &v), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_retry_next(&c, &s, &o, 0, NULL, &v), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_retry_next(&c, &s, &o, 0, R, NULL), POL_EINVAL);
    CU_ASSERT_EQUAL(s.attempts, 0);                     /* nothing was reported */
    pol_retry_begin(NULL, 0);
    pol_retry_default(NULL);
}

/* 1. success */
static void test_success(void)
{
    pol_retry_cfg c = plain();
    pol_verdict v = first(&c, pol_outcome_make(POL_OUT_SUCCESS, 200), 0);
    CHECK_VERDICT(v, POL_ACT_DONE, POL_REASON_NONE);
    CU_ASSERT_EQUAL(v.cls, POL_CLASS_SUCCESS);
    CU_ASSERT_EQUAL(v.delay, 0);
    v = first(&c, http(204), 0);                        /* a 2xx via the table */
    CHECK_VERDICT(v, POL_ACT_DONE, POL_REASON_NONE);
    v = first(&c, told(200, 0), 0);                     /* success outranks the header */
    CU_ASSERT_EQUAL(v.action, POL_ACT_DONE);
}

/* 2. x-should-retry, before the class and the attempt count */
static void test_should_retry(void)
{
    pol_retry_cfg c = plain();
    pol_verdict v = first(&c, told(429, 0), 0);
    CHECK_VERDICT(v, POL_ACT_GIVE_UP, POL_REASON_SERVER_SAID_NO);
    CU_ASSERT_EQUAL(v.cls, POL_CLASS_RETRY);
    v = first(&c, told(400, 1), 0);                     /* FAIL class, but the server says go */
    CHECK_VERDICT(v, POL_ACT_RETRY, POL_REASON_NONE);
    CU_ASSERT_EQUAL(v.delay, S(1));
    CU_ASSERT_EQUAL(v.cls, POL_CLASS_FAIL);
    pol_outcome cw = pol_outcome_make(POL_OUT_CONTEXT_WINDOW, 400);
    cw.should_retry = 1;
    v = first(&c, cw, 0);
    CU_ASSERT_EQUAL(v.action, POL_ACT_RETRY);
    c.max_attempts = 1;                                 /* "true" does not lift the limit */
    v = first(&c, told(400, 1), 0);
    CHECK_VERDICT(v, POL_ACT_GIVE_UP, POL_REASON_MAX_ATTEMPTS);
    c = plain();
    c.honor_should_retry = 0;
    v = first(&c, told(429, 0), 0);
    CU_ASSERT_EQUAL(v.action, POL_ACT_RETRY);
    v = first(&c, told(400, 1), 0);
    CHECK_VERDICT(v, POL_ACT_GIVE_UP, POL_REASON_NOT_RETRYABLE);
}

/* 3. class */
static void test_classes(void)
{
    pol_retry_cfg c = plain();
    pol_verdict v = first(&c, http(400), 0);
    CHECK_VERDICT(v, POL_ACT_GIVE_UP, POL_REASON_NOT_RETRYABLE);
    CU_ASSERT_EQUAL(v.cls, POL_CLASS_FAIL);
    v = first(&c, pol_outcome_make(POL_OUT_CONTENT_POLICY, 400), 0);
    CHECK_VERDICT(v, POL_ACT_FALLBACK, POL_REASON_FALLBACK_CLASS);
    CU_ASSERT_EQUAL(v.cls, POL_CLASS_FALLBACK);
    v = first(&c, pol_outcome_make(POL_OUT_TIMEOUT, 0), 0);
    CU_ASSERT_EQUAL(v.action, POL_ACT_RETRY);
    pol_classify_set_status(&c.classify, 503, POL_CLASS_FALLBACK);
    v = first(&c, http(503), 0);
    CHECK_VERDICT(v, POL_ACT_FALLBACK, POL_REASON_FALLBACK_CLASS);
}

/* 4. attempts */
static void test_max_attempts(void)
{
    pol_retry_cfg c = plain();
    pol_retry_state s;
    pol_verdict v;
    pol_outcome o = http(503);
    pol_retry_begin(&s, 0);
    CU_ASSERT_EQUAL(pol_retry_next(&c, &s, &o, 0, R, &v), POL_OK);
    CHECK_VERDICT(v, POL_ACT_RETRY, POL_REASON_NONE);
    CU_ASSERT_EQUAL(v.delay, S(1));
    CU_ASSERT_EQUAL(s.last_delay, S(1));
    CU_ASSERT_EQUAL(pol_retry_next(&c, &s, &o, S(2), R, &v), POL_OK);
    CU_ASSERT_EQUAL(v.delay, S(2));
    CU_ASSERT_EQUAL(pol_retry_next(&c, &s, &o, S(5), R, &v), POL_OK);
    CHECK_VERDICT(v, POL_ACT_GIVE_UP, POL_REASON_MAX_ATTEMPTS);
    CU_ASSERT_EQUAL(s.attempts, 3);
    c.fallback_on_exhaust = 1;
    pol_retry_begin(&s, 0);
    CU_ASSERT_EQUAL(s.attempts, 0);
    for (int i = 0; i < 3; i++) pol_retry_next(&c, &s, &o, 0, R, &v);
    CHECK_VERDICT(v, POL_ACT_FALLBACK, POL_REASON_MAX_ATTEMPTS);
    c = plain();
    c.max_attempts = 1;
    v = first(&c, http(503), 0);
    CHECK_VERDICT(v, POL_ACT_GIVE_UP, POL_REASON_MAX_ATTEMPTS);
    c.max_attempts = 0;                                 /* unlimited */
    pol_retry_begin(&s, 0);
    int retries = 0;
    for (int i = 0; i < 1000; i++) {
        pol_retry_next(&c, &s, &o, 0, R, &v);
        retries += v.action == POL_ACT_RETRY && v.delay <= S(60);
    }
    CU_ASSERT_EQUAL(retries, 1000);
    CU_ASSERT_EQUAL(v.delay, S(60));
}

/* 5. the total cap of the CEIL modes (Portkey: 60 s of Retry-After per
 * request; a hint beyond what is left gives up, backoff waits do not count) */
static void test_hint_budget(void)
{
    pol_retry_cfg c = plain();
    c.max_attempts = 10;
    c.hint.mode = POL_HINT_CEIL_GIVE_UP;
    c.hint.ceiling = S(60);
    c.hint.budget = S(60);
    pol_retry_state s;
    pol_verdict v;
    pol_retry_begin(&s, 0);
    pol_outcome o = hinted(429, S(20));
    pol_retry_next(&c, &s, &o, 0, R, &v);
    CHECK_VERDICT(v, POL_ACT_RETRY, POL_REASON_NONE);
    CU_ASSERT_EQUAL(v.delay, S(20));
    CU_ASSERT_EQUAL(s.hinted, S(20));
    o = hinted(503, -1);                                  /* a backoff wait: not counted */
    pol_retry_next(&c, &s, &o, 0, R, &v);
    CHECK_VERDICT(v, POL_ACT_RETRY, POL_REASON_NONE);
    CU_ASSERT_EQUAL(s.hinted, S(20));
    o = hinted(429, S(50));                               /* 20 + 50 > 60: the docs' example */
    pol_retry_next(&c, &s, &o, 0, R, &v);
    CHECK_VERDICT(v, POL_ACT_GIVE_UP, POL_REASON_HINT_TOO_LONG);
    pol_retry_begin(&s, 0);                               /* a new loop starts from 0 */
    CU_ASSERT_EQUAL(s.hinted, 0);
    o = hinted(429, S(40));
    pol_retry_next(&c, &s, &o, 0, R, &v);
    o = hinted(429, S(20));                               /* exactly the budget: honored */
    pol_retry_next(&c, &s, &o, 0, R, &v);
    CHECK_VERDICT(v, POL_ACT_RETRY, POL_REASON_NONE);
    CU_ASSERT_EQUAL(s.hinted, S(60));
    o = hinted(429, 1);
    pol_retry_next(&c, &s, &o, 0, R, &v);
    CHECK_VERDICT(v, POL_ACT_GIVE_UP, POL_REASON_HINT_TOO_LONG);
    c.hint.mode = POL_HINT_CEIL_IGNORE;                   /* ceiling-ignore: the backoff instead */
    pol_retry_begin(&s, 0);
    o = hinted(429, S(45));
    pol_retry_next(&c, &s, &o, 0, R, &v);
    CU_ASSERT_EQUAL(v.delay, S(45));
    pol_retry_next(&c, &s, &o, 0, R, &v);
    CHECK_VERDICT(v, POL_ACT_RETRY, POL_REASON_NONE);
    CU_ASSERT_EQUAL(v.delay, S(2));                       /* the second retry's backoff */
    CU_ASSERT_EQUAL(s.hinted, S(45));
    c.hint.budget = -1;
    CU_ASSERT_EQUAL(pol_retry_validate(&c), POL_EINVAL);
}

/* 5. each hint mode (backoff without jitter: 1 s on the first retry) */
static void test_hint_modes(void)
{
    pol_retry_cfg c = plain();
    c.hint.ceiling = S(10);
    c.hint.jitter = S(2);
    c.hint.mode = POL_HINT_IGNORE;
    CU_ASSERT_EQUAL(first(&c, hinted(429, S(5)), 0).delay, S(1));
    c.hint.mode = POL_HINT_HONOR;
    CU_ASSERT_EQUAL(first(&c, hinted(429, S(5)), 0).delay, S(5));
    CU_ASSERT_EQUAL(first(&c, hinted(429, MS(1)), 0).delay, MS(1));
    CU_ASSERT_EQUAL(first(&c, hinted(429, 0), 0).delay, 0);
    c.hint.ignore_zero = 1;
    CU_ASSERT_EQUAL(first(&c, hinted(429, 0), 0).delay, S(1));
    c.hint.ignore_zero = 0;
    c.hint.mode = POL_HINT_CEIL_GIVE_UP;
    CU_ASSERT_EQUAL(first(&c, hinted(429, S(5)), 0).delay, S(5));
    CU_ASSERT_EQUAL(first(&c, hinted(429, S(10)), 0).delay, S(10));
    pol_verdict v = first(&c, hinted(429, S(10) + 1), 0);
    CHECK_VERDICT(v, POL_ACT_GIVE_UP, POL_REASON_HINT_TOO_LONG);
    c.hint.mode = POL_HINT_CEIL_IGNORE;
    CU_ASSERT_EQUAL(first(&c, hinted(429, S(5)), 0).delay, S(5));
    CU_ASSERT_EQUAL(first(&c, hinted(429, S(100)), 0).delay, S(1));
    c.hint.mode = POL_HINT_MAX;
    CU_ASSERT_EQUAL(first(&c, hinted(429, MS(500)), 0).delay, S(1));
    CU_ASSERT_EQUAL(first(&c, hinted(429, S(5)), 0).delay, S(5));
    c.hint.mode = POL_HINT_PLUS_JITTER;
    double sum = 0;
    int out = 0;
    pol_retry_state s;
    pol_outcome o = hinted(429, S(5));
    for (int i = 0; i < 100000; i++) {
        pol_retry_begin(&s, 0);
        pol_retry_next(&c, &s, &o, 0, R, &v);
        out += v.delay < S(5) || v.delay >= S(7);
        sum += (double)v.delay;
    }
    CU_ASSERT_EQUAL(out, 0);
    CU_ASSERT(fabs(sum / 100000 / 6e9 - 1) < 0.01);
    o = hinted(429, POL_NS_MAX - 1);                    /* saturates, never wraps */
    pol_retry_begin(&s, 0);
    pol_retry_next(&c, &s, &o, 0, R, &v);
    CU_ASSERT(v.delay >= POL_NS_MAX - 1);
}

/* Without a hint every mode sleeps exactly the backoff delay. */
static void test_no_hint_is_backoff(void)
{
    pol_retry_cfg c;
    pol_retry_default(&c);                              /* full jitter */
    c.hint.ceiling = MS(1);
    c.hint.jitter = S(3);
    pol_backoff_state bs;
    pol_backoff_reset(&bs);
    gsl_rng_set(R, 42);
    pol_ns want = pol_backoff_next(&c.backoff, &bs, 1, R);
    for (int m = 0; m < POL_HINT__COUNT; m++) {
        c.hint.mode = (pol_hint_mode)m;
        pol_verdict v = first(&c, http(503), 0);
        CU_ASSERT_EQUAL(v.action, POL_ACT_RETRY);
        CU_ASSERT_EQUAL(v.delay, want);
    }
}

/* The backoff is drawn even when a hint is used, so the rng stream and the
 * decorrelated path do not depend on the server's hints. */
static void test_common_random_numbers(void)
{
    pol_retry_cfg c;
    pol_retry_default(&c);
    c.max_attempts = 5;
    c.backoff.jitter = POL_JITTER_DECORRELATED;
    pol_retry_state a, b;
    pol_verdict va, vb;
    pol_outcome hint = hinted(429, S(5)), none = http(429);
    gsl_rng *r2 = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(R, 7);
    gsl_rng_set(r2, 7);
    pol_retry_begin(&a, 0);
    pol_retry_begin(&b, 0);
    pol_retry_next(&c, &a, &hint, 0, R, &va);
    pol_retry_next(&c, &b, &none, 0, r2, &vb);
    CU_ASSERT_EQUAL(va.delay, S(5));
    CU_ASSERT_NOT_EQUAL(vb.delay, S(5));
    CU_ASSERT_EQUAL(a.bo.prev, b.bo.prev);
    pol_retry_next(&c, &a, &none, S(10), R, &va);
    pol_retry_next(&c, &b, &none, S(10), r2, &vb);
    CU_ASSERT_EQUAL(va.delay, vb.delay);
    gsl_rng_free(r2);
}

/* 6. deadline */
static void test_deadline(void)
{
    pol_retry_cfg c = plain();
    c.deadline = S(3);
    pol_retry_state s;
    pol_verdict v;
    pol_outcome o = http(503);
    pol_retry_begin(&s, S(100));
    pol_retry_next(&c, &s, &o, S(100) + MS(500), R, &v);   /* 0.5 + 1 < 3 */
    CHECK_VERDICT(v, POL_ACT_RETRY, POL_REASON_NONE);
    pol_retry_next(&c, &s, &o, S(101), R, &v);             /* 1 + 2 = 3: would touch it */
    CHECK_VERDICT(v, POL_ACT_GIVE_UP, POL_REASON_DEADLINE);
    CU_ASSERT_EQUAL(v.delay, 0);
    pol_retry_begin(&s, 0);
    pol_retry_next(&c, &s, &o, S(2), R, &v);               /* 2 s + 1 s = the deadline */
    CHECK_VERDICT(v, POL_ACT_GIVE_UP, POL_REASON_DEADLINE);
    pol_retry_begin(&s, 0);
    pol_retry_next(&c, &s, &o, S(2) - 1, R, &v);           /* wakes 1 ns before it */
    CU_ASSERT_EQUAL(v.action, POL_ACT_RETRY);
    /* a hint that would cross the deadline gives up too */
    c.hint.mode = POL_HINT_HONOR;
    pol_verdict h = first(&c, hinted(429, S(3)), 0);
    CHECK_VERDICT(h, POL_ACT_GIVE_UP, POL_REASON_DEADLINE);
}

/* 100000 random requests: a RETRY never sleeps across the deadline, the
 * attempt count never exceeds the limit, delays are never negative. */
static void test_deadline_never_crossed(void)
{
    pol_retry_cfg c;
    pol_retry_default(&c);
    c.max_attempts = 6;
    c.deadline = S(20);
    c.hint.mode = POL_HINT_MAX;
    int crossed = 0, over = 0, neg = 0, gave_up_deadline = 0;
    gsl_rng_set(R, 42);
    for (int req = 0; req < 100000; req++) {
        pol_retry_state s;
        pol_ns now = (pol_ns)gsl_rng_uniform_int(R, 1000) * POL_NS_PER_S;
        pol_ns start = now;
        pol_retry_begin(&s, now);
        for (;;) {
            now += (pol_ns)(gsl_rng_uniform(R) * 3e9);          /* attempt latency */
            pol_outcome o = http(gsl_rng_uniform(R) < 0.5 ? 429 : 503);
            if (gsl_rng_uniform(R) < 0.3) o.retry_after = (pol_ns)(gsl_rng_uniform(R) * 15e9);
            pol_verdict v;
            pol_retry_next(&c, &s, &o, now, R, &v);
            if (v.action != POL_ACT_RETRY) {
                gave_up_deadline += v.reason == POL_REASON_DEADLINE;
                break;
            }
            neg += v.delay < 0;
            crossed += now + v.delay >= start + c.deadline;
            over += s.attempts >= c.max_attempts;
            now += v.delay;
        }
    }
    CU_ASSERT_EQUAL(crossed, 0);
    CU_ASSERT_EQUAL(over, 0);
    CU_ASSERT_EQUAL(neg, 0);
    CU_ASSERT(gave_up_deadline > 0);
}

/* Known answers: default cfg (full jitter 1 s x2 cap 60 s), 5 attempts,
 * seed 42 — the same draws as the backoff KAT. */
static void test_known_answers(void)
{
    static const pol_ns want[] = { 795107131LL, 1238655814LL, 2975363769LL, 7971156775LL };
    pol_retry_cfg c;
    pol_retry_default(&c);
    c.max_attempts = 5;
    pol_retry_state s;
    pol_verdict v;
    pol_outcome o = http(500);
    gsl_rng_set(R, 42);
    pol_retry_begin(&s, 0);
    for (int i = 0; i < 4; i++) {
        pol_retry_next(&c, &s, &o, 0, R, &v);
        CU_ASSERT_EQUAL(v.action, POL_ACT_RETRY);
        CU_ASSERT_EQUAL(v.delay, want[i]);
    }
    pol_retry_next(&c, &s, &o, 0, R, &v);
    CHECK_VERDICT(v, POL_ACT_GIVE_UP, POL_REASON_MAX_ATTEMPTS);
}

static void test_names(void)
{
    static const char *const acts[] = { "done", "retry", "fallback", "give-up" };
    static const char *const why[] = { "none", "not-retryable", "max-attempts", "deadline",
                                       "hint-too-long", "server-said-no", "fallback-class" };
    for (int i = 0; i < 4; i++) CU_ASSERT_STRING_EQUAL(pol_action_name((pol_action)i), acts[i]);
    for (int i = 0; i < POL_REASON__COUNT; i++)
        CU_ASSERT_STRING_EQUAL(pol_reason_name((pol_reason)i), why[i]);
    CU_ASSERT_STRING_EQUAL(pol_action_name((pol_action)4), "?");
    CU_ASSERT_STRING_EQUAL(pol_reason_name(POL_REASON__COUNT), "?");
}

static void register_suites(void)
{
    CU_pSuite s = CU_add_suite("retry", init, clean);
    static const cu_case cases[] = {
        { "defaults", test_defaults },
        { "validate", test_validate },
        { "NULL arguments", test_null_args },
        { "1 success", test_success },
        { "2 x-should-retry", test_should_retry },
        { "3 classes", test_classes },
        { "4 max attempts", test_max_attempts },
        { "5 hint modes", test_hint_modes },
        { "5 hint budget (total cap)", test_hint_budget },
        { "5 no hint: backoff in every mode", test_no_hint_is_backoff },
        { "5 backoff drawn even when hinted", test_common_random_numbers },
        { "6 deadline", test_deadline },
        { "6 deadline never crossed, 100000 requests", test_deadline_never_crossed },
        { "known answers, seed 42", test_known_answers },
        { "names", test_names },
    };
    for (size_t i = 0; s && i < sizeof cases / sizeof cases[0]; i++)
        CU_add_test(s, cases[i].name, cases[i].fn);
}

CU_TEST_MAIN(register_suites)
