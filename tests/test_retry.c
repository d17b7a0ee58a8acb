/* test_retry.c — CUnit tests of the retry state machine (pol_retry): every
 * check of pol_retry_next in its documented order and every reason, each
 * hint mode with and without a hint, the deadline (never crossed, checked
 * over 100000 random requests), max attempts, x-should-retry, fallback
 * classes, known answers with gsl_rng_taus2 seed 42.
 * Per-kind rules: match syntax and order, shared / per-kind / first-kind
 * counting with alternating kinds (give-up points and retry numbers as
 * known answers), hint modes per rule, the shared cap and deadline, and that
 * no rules decide and draw exactly as before.
 * Nested layers (pol_layers): 5 outer x 3 inner = 15 HTTP attempts on a
 * permanent 503, an inner give-up retried by the outer loop restarts the
 * inner one, the outer classifies the inner's last outcome, nested timeouts
 * and deadlines (pol_layers_expiry), an outer timeout abandons the inner loop,
 * one layer = pol_retry.
 */
#include "cu_util.h"
#include "retrypol.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

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

/* ---- per-kind rules ----------------------------------------------------- */

/* A rule matching the items (scenario syntax) with max_attempts max (0 = not set). */
static pol_retry_rule rule_of(const pol_retry_cfg *c, const char *items, int max)
{
    pol_retry_rule r;
    pol_retry_rule_init(&r, c);
    char buf[128];
    snprintf(buf, sizeof buf, "%s", items);
    for (char *t = strtok(buf, ","); t; t = strtok(NULL, ","))
        CU_ASSERT_EQUAL(pol_retry_rule_match_parse(&r, t), POL_OK);
    if (max > 0) {
        r.max_attempts = max;
        r.set |= POL_RULE_MAX_ATTEMPTS;
    }
    return r;
}

static void test_rule_match(void)
{
    pol_retry_rule r;
    pol_retry_rule_init(&r, NULL);
    pol_outcome o429 = http(429), o503 = http(503), o529 = http(529), to = pol_outcome_make(POL_OUT_TIMEOUT, 0);
    pol_outcome ok = pol_outcome_make(POL_OUT_SUCCESS, 200), rs = pol_outcome_make(POL_OUT_CONN_RESET, 0);
    CU_ASSERT_FALSE(pol_retry_rule_matches(&r, &o429));           /* matches nothing yet */
    CU_ASSERT_EQUAL(pol_retry_rule_match_parse(&r, "5xx"), POL_OK);
    CU_ASSERT_TRUE(pol_retry_rule_matches(&r, &o503));
    CU_ASSERT_TRUE(pol_retry_rule_matches(&r, &o529));
    CU_ASSERT_FALSE(pol_retry_rule_matches(&r, &o429));
    CU_ASSERT_EQUAL(pol_retry_rule_match_parse(&r, "429"), POL_OK);
    CU_ASSERT_TRUE(pol_retry_rule_matches(&r, &o429));
    CU_ASSERT_FALSE(pol_retry_rule_matches(&r, &to));
    CU_ASSERT_EQUAL(pol_retry_rule_match_parse(&r, "timeout"), POL_OK);
    CU_ASSERT_TRUE(pol_retry_rule_matches(&r, &to));
    CU_ASSERT_FALSE(pol_retry_rule_matches(&r, &rs));
    CU_ASSERT_FALSE(pol_retry_rule_matches(&r, &ok));
    CU_ASSERT_EQUAL(pol_retry_rule_match_parse(&r, "reset"), POL_OK);
    CU_ASSERT_EQUAL(pol_retry_rule_match_parse(&r, "refused"), POL_OK);
    CU_ASSERT_EQUAL(pol_retry_rule_match_parse(&r, "context-window"), POL_OK);
    CU_ASSERT_EQUAL(pol_retry_rule_match_parse(&r, "content-policy"), POL_OK);
    CU_ASSERT_TRUE(pol_retry_rule_matches(&r, &rs));
    /* bad items */
    CU_ASSERT_EQUAL(pol_retry_rule_match_parse(&r, "abc"), POL_EPARSE);
    CU_ASSERT_EQUAL(pol_retry_rule_match_parse(&r, ""), POL_EPARSE);
    CU_ASSERT_EQUAL(pol_retry_rule_match_parse(&r, "6xx"), POL_EPARSE);
    CU_ASSERT_EQUAL(pol_retry_rule_match_parse(&r, "success"), POL_EPARSE);
    CU_ASSERT_EQUAL(pol_retry_rule_match_parse(&r, "399"), POL_ERANGE);
    CU_ASSERT_EQUAL(pol_retry_rule_match_parse(&r, "600"), POL_ERANGE);
    CU_ASSERT_EQUAL(pol_retry_rule_match_parse(&r, NULL), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_retry_rule_match_kind(&r, POL_OUT_HTTP), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_retry_rule_match_kind(&r, POL_OUT_SUCCESS), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_retry_rule_match_status(&r, 99, 200), POL_ERANGE);
    CU_ASSERT_EQUAL(pol_retry_rule_match_status(&r, 500, 400), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_retry_rule_match_status(&r, 100, 599), POL_OK);   /* the whole table */
    pol_outcome o599 = http(599), o600 = http(600);
    CU_ASSERT_TRUE(pol_retry_rule_matches(&r, &o599));
    CU_ASSERT_FALSE(pol_retry_rule_matches(&r, &o600));
    CU_ASSERT_STRING_EQUAL(pol_count_mode_name(POL_COUNT_SHARED), "shared");
    CU_ASSERT_STRING_EQUAL(pol_count_mode_name(POL_COUNT_PER_KIND), "per-kind");
    CU_ASSERT_STRING_EQUAL(pol_count_mode_name(POL_COUNT_FIRST_KIND), "first-kind");
    CU_ASSERT_STRING_EQUAL(pol_count_mode_name(POL_COUNT__COUNT), "?");
    pol_count_mode m;
    CU_ASSERT_EQUAL(pol_count_mode_parse("per-kind", &m), POL_OK);
    CU_ASSERT_EQUAL(m, POL_COUNT_PER_KIND);
    CU_ASSERT_EQUAL(pol_count_mode_parse("perkind", &m), POL_ENOTFOUND);
}

static void test_rule_validate_and_order(void)
{
    pol_retry_cfg c = plain();
    c.max_attempts = 10;
    pol_retry_rule a = rule_of(&c, "429", 5), b = rule_of(&c, "4xx", 2), empty;
    pol_retry_rule_init(&empty, &c);
    CU_ASSERT_EQUAL(pol_retry_add_rule(&c, &a), 0);
    CU_ASSERT_EQUAL(pol_retry_add_rule(&c, &b), 1);
    CU_ASSERT_EQUAL(pol_retry_validate(&c), POL_OK);
    pol_outcome o429 = http(429), o404 = http(404), o503 = http(503);
    CU_ASSERT_EQUAL(pol_retry_rule_for(&c, &o429), 0);       /* first match wins */
    CU_ASSERT_EQUAL(pol_retry_rule_for(&c, &o404), 1);
    CU_ASSERT_EQUAL(pol_retry_rule_for(&c, &o503), POL_RETRY_NO_RULE);
    pol_retry_cfg d = c;                                      /* the other order: 4xx shadows 429 */
    d.rules[0] = b;
    d.rules[1] = a;
    CU_ASSERT_EQUAL(pol_retry_rule_for(&d, &o429), 0);
    /* invalid: a rule that matches nothing, unknown set bits, a bad count, too many rules */
    pol_retry_cfg e = c;
    e.rules[1] = empty;
    CU_ASSERT_EQUAL(pol_retry_validate(&e), POL_EINVAL);
    e = c;
    e.rules[0].set |= 1u << 20;
    CU_ASSERT_EQUAL(pol_retry_validate(&e), POL_EINVAL);
    e = c;
    e.rules[0].set |= POL_RULE_BACKOFF;
    e.rules[0].backoff.multiplier = 0.5;
    CU_ASSERT_EQUAL(pol_retry_validate(&e), POL_EINVAL);
    e = c;
    e.count = POL_COUNT__COUNT;
    CU_ASSERT_EQUAL(pol_retry_validate(&e), POL_EINVAL);
    e = c;
    e.rules[0].kinds = 1u << POL_OUT_HTTP;
    CU_ASSERT_EQUAL(pol_retry_validate(&e), POL_EINVAL);
    e = c;
    for (int i = 2; i < POL_RETRY_MAX_RULES; i++) CU_ASSERT_EQUAL(pol_retry_add_rule(&e, &a), i);
    CU_ASSERT_EQUAL(pol_retry_add_rule(&e, &a), POL_ERANGE);
    CU_ASSERT_EQUAL(pol_retry_validate(&e), POL_OK);
    e.nrules = POL_RETRY_MAX_RULES + 1;
    CU_ASSERT_EQUAL(pol_retry_validate(&e), POL_EINVAL);
    /* a rule's own limit and the policy's for unmatched outcomes */
    pol_retry_state s;
    pol_verdict v;
    pol_retry_begin(&s, 0);
    for (int i = 1; i <= 5; i++) {
        pol_retry_next(&c, &s, &o429, 0, R, &v);
        CU_ASSERT_EQUAL(v.action, i < 5 ? POL_ACT_RETRY : POL_ACT_GIVE_UP);
        CU_ASSERT_EQUAL(s.last_rule, 0);
    }
    CU_ASSERT_EQUAL(v.reason, POL_REASON_MAX_ATTEMPTS);
    pol_retry_begin(&s, 0);
    pol_retry_next(&c, &s, &o404, 0, R, &v);                  /* 404 is FAIL: the class decides */
    CHECK_VERDICT(v, POL_ACT_GIVE_UP, POL_REASON_NOT_RETRYABLE);
    CU_ASSERT_EQUAL(s.last_rule, 1);
}

/* Runs the outcome sequence seq (cycled) until the policy stops; returns
 * the attempt that stopped it and fills delays[] (ns) of the retries. */
static int run_seq(const pol_retry_cfg *c, const int *seq, int nseq, pol_ns *delays, int cap)
{
    pol_retry_state s;
    pol_verdict v;
    pol_retry_begin(&s, 0);
    gsl_rng_set(R, 42);
    for (int i = 0; i < cap; i++) {
        pol_outcome o = http(seq[i % nseq]);
        CU_ASSERT_EQUAL(pol_retry_next(c, &s, &o, 0, R, &v), POL_OK);
        if (v.action != POL_ACT_RETRY) return i + 1;
        if (delays) delays[i] = v.delay;
    }
    return -1;
}

/* Alternating 429 and 503: where each counting mode gives up. */
static void test_count_modes(void)
{
    pol_retry_cfg c = plain();
    c.max_attempts = 20;                                     /* the cap is far */
    c.backoff.cap = 0;
    pol_retry_rule r429 = rule_of(&c, "429", 5), r503 = rule_of(&c, "503", 2);
    pol_retry_add_rule(&c, &r429);
    pol_retry_add_rule(&c, &r503);
    const int alt[] = { 429, 503 };
    /* shared: one counter; attempt 2 is the 2nd attempt and a 503 (max 2) */
    c.count = POL_COUNT_SHARED;
    CU_ASSERT_EQUAL(run_seq(&c, alt, 2, NULL, 100), 2);
    /* per-kind: the 2nd 503 is attempt 4 */
    c.count = POL_COUNT_PER_KIND;
    CU_ASSERT_EQUAL(run_seq(&c, alt, 2, NULL, 100), 4);
    /* first-kind: the first failure was a 429 (max 5): 5 attempts, whatever came after */
    c.count = POL_COUNT_FIRST_KIND;
    CU_ASSERT_EQUAL(run_seq(&c, alt, 2, NULL, 100), 5);
    const int alt2[] = { 503, 429 };
    CU_ASSERT_EQUAL(run_seq(&c, alt2, 2, NULL, 100), 2);    /* first a 503: max 2 */
    /* per-kind with 3 x 429 then 503s: 429s use 3 of their 5, 503s their 2 */
    const int seq3[] = { 429, 429, 429, 503, 503, 503 };
    c.count = POL_COUNT_PER_KIND;
    CU_ASSERT_EQUAL(run_seq(&c, seq3, 6, NULL, 6), 5);
    c.count = POL_COUNT_SHARED;
    CU_ASSERT_EQUAL(run_seq(&c, seq3, 6, NULL, 6), 4);     /* attempt 4 >= 503's max 2 */
    /* the shared cap bounds every mode */
    c.max_attempts = 3;
    c.count = POL_COUNT_PER_KIND;
    CU_ASSERT_EQUAL(run_seq(&c, alt, 2, NULL, 100), 3);
    c.count = POL_COUNT_FIRST_KIND;
    CU_ASSERT_EQUAL(run_seq(&c, alt, 2, NULL, 100), 3);
    /* fallback_on_exhaust per rule */
    c.max_attempts = 20;
    c.count = POL_COUNT_SHARED;
    c.rules[1].fallback_on_exhaust = 1;
    c.rules[1].set |= POL_RULE_FALLBACK_ON_EXHAUST;
    pol_retry_state s;
    pol_verdict v;
    pol_outcome o = http(503);
    pol_retry_begin(&s, 0);
    pol_retry_next(&c, &s, &o, 0, R, &v);
    pol_retry_next(&c, &s, &o, 0, R, &v);
    CHECK_VERDICT(v, POL_ACT_FALLBACK, POL_REASON_MAX_ATTEMPTS);
    CU_ASSERT_EQUAL(s.kind_attempts[2], 2);
    CU_ASSERT_EQUAL(s.kind_attempts[0], 0);
}

/* The retry number of a schedule: all attempts (shared) or the kind's own. */
static void test_rule_schedules(void)
{
    pol_retry_cfg c = plain();                               /* exponential 1 s x2, no jitter */
    c.max_attempts = 10;
    c.backoff.cap = 0;
    pol_retry_rule r429 = rule_of(&c, "429", 0);
    r429.backoff.base = S(2);
    r429.set |= POL_RULE_BACKOFF;
    pol_retry_add_rule(&c, &r429);
    const int seq[] = { 429, 503, 429, 503, 429 };
    pol_ns d[8];
    c.count = POL_COUNT_SHARED;                              /* n = 1, 2, 3, 4 */
    run_seq(&c, seq, 5, d, 5);
    CU_ASSERT_EQUAL(d[0], S(2));                             /* 2 s x 2^0 */
    CU_ASSERT_EQUAL(d[1], S(2));                             /* 1 s x 2^1 */
    CU_ASSERT_EQUAL(d[2], S(8));                             /* 2 s x 2^2 */
    CU_ASSERT_EQUAL(d[3], S(8));                             /* 1 s x 2^3 */
    c.count = POL_COUNT_PER_KIND;                            /* each kind from its own 1 */
    run_seq(&c, seq, 5, d, 5);
    CU_ASSERT_EQUAL(d[0], S(2));
    CU_ASSERT_EQUAL(d[1], S(1));
    CU_ASSERT_EQUAL(d[2], S(4));
    CU_ASSERT_EQUAL(d[3], S(2));
    /* the LiteLLM seed: 429 jittered (+U(0,1 s)), the other kinds not, one counter */
    pol_retry_cfg l = plain();
    l.max_attempts = 3;
    l.backoff.cap = 0;
    pol_retry_rule j = rule_of(&l, "429", 0);
    j.backoff.jitter = POL_JITTER_ADDITIVE;
    j.backoff.jitter_max = S(1);
    j.set |= POL_RULE_BACKOFF;
    pol_retry_add_rule(&l, &j);
    const int s1[] = { 429, 529 }, s2[] = { 529, 429 };
    run_seq(&l, s1, 2, d, 3);
    CU_ASSERT(d[0] >= S(1) && d[0] < S(2));                  /* 1 s + U(0, 1 s) */
    CU_ASSERT_EQUAL(d[1], S(2));                             /* 2 s, no jitter */
    CU_ASSERT_EQUAL(run_seq(&l, s2, 2, d, 3), 3);
    CU_ASSERT_EQUAL(d[0], S(1));
    CU_ASSERT(d[1] >= S(2) && d[1] < S(3));
    /* decorrelated state per rule: a rule with its own backoff does not touch the policy's */
    pol_retry_cfg q = plain();
    q.max_attempts = 10;
    q.backoff.jitter = POL_JITTER_DECORRELATED;
    pol_retry_rule dr = rule_of(&q, "429", 0);
    dr.set |= POL_RULE_BACKOFF;
    pol_retry_add_rule(&q, &dr);
    pol_retry_state s;
    pol_verdict v;
    pol_outcome o = http(429);
    pol_retry_begin(&s, 0);
    pol_retry_next(&q, &s, &o, 0, R, &v);
    CU_ASSERT_EQUAL(s.bo.prev, 0);
    CU_ASSERT_NOT_EQUAL(s.rule_bo[0].prev, 0);
}

/* Hint handling per rule; the deadline is shared by every kind. */
static void test_rule_hints_and_deadline(void)
{
    pol_retry_cfg c = plain();
    c.max_attempts = 10;
    c.hint.mode = POL_HINT_IGNORE;
    pol_retry_rule r = rule_of(&c, "429", 0);
    r.hint.mode = POL_HINT_HONOR;
    r.set |= POL_RULE_HINT;
    pol_retry_add_rule(&c, &r);
    pol_retry_rule cg = rule_of(&c, "529", 0);
    cg.hint.mode = POL_HINT_CEIL_GIVE_UP;
    cg.hint.ceiling = S(5);
    cg.set |= POL_RULE_HINT;
    pol_retry_add_rule(&c, &cg);
    CU_ASSERT_EQUAL(first(&c, hinted(429, S(7)), 0).delay, S(7));     /* honored */
    CU_ASSERT_EQUAL(first(&c, hinted(503, S(7)), 0).delay, S(1));     /* the policy ignores it */
    pol_verdict v = first(&c, hinted(529, S(7)), 0);
    CHECK_VERDICT(v, POL_ACT_GIVE_UP, POL_REASON_HINT_TOO_LONG);
    CU_ASSERT_EQUAL(first(&c, hinted(529, S(4)), 0).delay, S(4));
    /* x-should-retry per rule */
    c.honor_should_retry = 1;
    c.rules[0].honor_should_retry = 0;
    c.rules[0].set |= POL_RULE_SHOULD_RETRY;
    CU_ASSERT_EQUAL(first(&c, told(429, 0), 0).action, POL_ACT_RETRY);
    CHECK_VERDICT(first(&c, told(503, 0), 0), POL_ACT_GIVE_UP, POL_REASON_SERVER_SAID_NO);
    /* the deadline: a 429 hint of 7 s crosses a 5 s deadline, a 503's 1 s does not */
    c.deadline = S(5);
    CHECK_VERDICT(first(&c, hinted(429, S(7)), 0), POL_ACT_GIVE_UP, POL_REASON_DEADLINE);
    CU_ASSERT_EQUAL(first(&c, hinted(503, S(7)), 0).action, POL_ACT_RETRY);
    CHECK_VERDICT(first(&c, http(503), S(4)), POL_ACT_GIVE_UP, POL_REASON_DEADLINE);
}

/* No rules: every counting mode decides and draws exactly as before. */
static void test_no_rules_unchanged(void)
{
    pol_retry_cfg c;
    pol_retry_default(&c);
    c.max_attempts = 7;
    c.backoff.jitter = POL_JITTER_DECORRELATED;
    gsl_rng *r2 = gsl_rng_alloc(gsl_rng_taus2);
    for (int mode = 0; mode < POL_COUNT__COUNT; mode++) {
        pol_retry_cfg m = c;
        m.count = (pol_count_mode)mode;
        pol_retry_state a, b;
        pol_retry_begin(&a, 0);
        pol_retry_begin(&b, 0);
        gsl_rng_set(R, 9);
        gsl_rng_set(r2, 9);
        for (int i = 0; i < 8; i++) {
            pol_outcome o = http(i % 2 ? 429 : 503);
            pol_verdict va, vb;
            pol_retry_next(&c, &a, &o, 0, R, &va);
            pol_retry_next(&m, &b, &o, 0, r2, &vb);
            CU_ASSERT_EQUAL(va.action, vb.action);
            CU_ASSERT_EQUAL(va.delay, vb.delay);
            CU_ASSERT_EQUAL(va.reason, vb.reason);
        }
        CU_ASSERT_EQUAL(gsl_rng_get(R), gsl_rng_get(r2));
    }
    gsl_rng_free(r2);
}

/* ---- nested layers ------------------------------------------------------ */

/* An application loop (5 attempts, no jitter, everything retried) around an
 * SDK-like loop (3 attempts, 0.5 s x2, no jitter). */
static void two_layers(pol_retry_cfg *outer, pol_retry_cfg *inner, pol_layers_cfg *lc)
{
    *outer = plain();
    outer->max_attempts = 5;
    for (int st = 400; st <= 599; st++) pol_classify_set_status(&outer->classify, st, POL_CLASS_RETRY);
    *inner = plain();
    inner->max_attempts = 3;
    inner->backoff.base = MS(500);
    *lc = (pol_layers_cfg){ 2, { outer, inner } };
}

static void test_layers_multiply(void)
{
    pol_retry_cfg outer, inner;
    pol_layers_cfg lc;
    two_layers(&outer, &inner, &lc);
    CU_ASSERT_EQUAL(pol_layers_validate(&lc), POL_OK);
    pol_retry_state s[POL_LAYERS_MAX];
    CU_ASSERT_EQUAL(pol_layers_begin(&lc, s, 0), POL_OK);
    pol_outcome o = http(503);
    pol_verdict v;
    int who, http_attempts = 0;
    pol_ns now = 0;
    static const pol_ns inner_delay[] = { MS(500), S(1) };
    static const pol_ns outer_delay[] = { S(1), S(2), S(4), S(8) };
    for (;;) {
        http_attempts++;
        int inner_no = s[1].attempts + 1, outer_no = s[0].attempts + 1;
        CU_ASSERT_EQUAL((http_attempts - 1) % 3 + 1, inner_no);
        CU_ASSERT_EQUAL((http_attempts - 1) / 3 + 1, outer_no);
        CU_ASSERT_EQUAL(pol_layers_next(&lc, s, 1, &o, now, R, &v, &who), POL_OK);
        if (v.action != POL_ACT_RETRY) break;
        if (inner_no < 3) {                               /* the SDK retries */
            CU_ASSERT_EQUAL(who, 1);
            CU_ASSERT_EQUAL(v.delay, inner_delay[inner_no - 1]);
        } else {                                          /* it raised: the wrapper retries */
            CU_ASSERT_EQUAL(who, 0);
            CU_ASSERT_EQUAL(v.delay, outer_delay[outer_no - 1]);
            CU_ASSERT_EQUAL(s[1].attempts, 0);          /* the inner loop restarts */
            CU_ASSERT_EQUAL(s[1].start, now + v.delay);
        }
        now += v.delay;
    }
    CU_ASSERT_EQUAL(http_attempts, 15);                   /* 5 x 3 */
    CHECK_VERDICT(v, POL_ACT_GIVE_UP, POL_REASON_MAX_ATTEMPTS);
    CU_ASSERT_EQUAL(who, 0);
    CU_ASSERT_EQUAL(s[0].attempts, 5);
    /* with the SDK's max_retries at 0 (as LiteLLM's router sets it): 5 */
    inner.max_attempts = 1;
    pol_layers_begin(&lc, s, 0);
    http_attempts = 0;
    do {
        http_attempts++;
        pol_layers_next(&lc, s, 1, &o, 0, R, &v, &who);
    } while (v.action == POL_ACT_RETRY);
    CU_ASSERT_EQUAL(http_attempts, 5);
    /* a success ends every loop */
    pol_outcome ok = pol_outcome_make(POL_OUT_SUCCESS, 200);
    pol_layers_begin(&lc, s, 0);
    pol_layers_next(&lc, s, 1, &o, 0, R, &v, &who);
    pol_layers_next(&lc, s, 1, &ok, 0, R, &v, &who);
    CHECK_VERDICT(v, POL_ACT_DONE, POL_REASON_NONE);
    CU_ASSERT_EQUAL(who, 1);
}

/* The outer loop classifies the inner's last outcome with its own table. */
static void test_layers_classify(void)
{
    pol_retry_cfg outer, inner;
    pol_layers_cfg lc;
    two_layers(&outer, &inner, &lc);
    pol_retry_state s[POL_LAYERS_MAX];
    pol_verdict v;
    int who;
    pol_outcome bad = http(400);
    pol_layers_begin(&lc, s, 0);
    pol_layers_next(&lc, s, 1, &bad, 0, R, &v, &who);   /* the SDK does not retry a 400... */
    CU_ASSERT_EQUAL(v.action, POL_ACT_RETRY);             /* ...the wrapper catches APIError */
    CU_ASSERT_EQUAL(who, 0);
    CU_ASSERT_EQUAL(s[1].attempts, 0);
    pol_classify_set_status(&outer.classify, 400, POL_CLASS_FAIL);
    pol_layers_begin(&lc, s, 0);
    pol_layers_next(&lc, s, 1, &bad, 0, R, &v, &who);
    CHECK_VERDICT(v, POL_ACT_GIVE_UP, POL_REASON_NOT_RETRYABLE);
    /* an inner FALLBACK (context window) is the outer's error too */
    pol_outcome cw = pol_outcome_make(POL_OUT_CONTEXT_WINDOW, 400);
    pol_layers_begin(&lc, s, 0);
    pol_layers_next(&lc, s, 1, &cw, 0, R, &v, &who);
    CHECK_VERDICT(v, POL_ACT_FALLBACK, POL_REASON_FALLBACK_CLASS);
    CU_ASSERT_EQUAL(who, 0);
    CU_ASSERT_EQUAL(s[0].attempts, 1);
    /* the outer deadline bounds the request: an inner retry that would cross it is fine
     * for the inner (no deadline of its own) but the outer's expiry cuts it */
    outer.deadline = S(10);
    inner.attempt_timeout = S(30);
    pol_layers_begin(&lc, s, 0);
    int layer;
    CU_ASSERT_EQUAL(pol_layers_expiry(&lc, s, S(1), &layer), S(10));
    CU_ASSERT_EQUAL(layer, 0);
}

/* Nested timeouts: the HTTP attempt's own, the outer's bound on one inner
 * loop (asyncio.wait_for), each layer's deadline; ties go outwards. */
static void test_layers_timeouts(void)
{
    pol_retry_cfg outer, inner;
    pol_layers_cfg lc;
    two_layers(&outer, &inner, &lc);
    pol_retry_state s[POL_LAYERS_MAX];
    int layer = 7;
    pol_layers_begin(&lc, s, S(100));
    CU_ASSERT_EQUAL(pol_layers_expiry(&lc, s, S(100), &layer), POL_NS_MAX);
    CU_ASSERT_EQUAL(layer, -1);
    inner.attempt_timeout = S(30);
    CU_ASSERT_EQUAL(pol_layers_expiry(&lc, s, S(105), &layer), S(135));
    CU_ASSERT_EQUAL(layer, 1);
    CU_ASSERT_EQUAL(pol_layers_expiry(&lc, s, -1, &layer), POL_NS_MAX);   /* sleeping: not the HTTP timeout */
    outer.attempt_timeout = S(45);                        /* wait_for(45 s) around the SDK call */
    CU_ASSERT_EQUAL(pol_layers_expiry(&lc, s, S(105), &layer), S(135));
    CU_ASSERT_EQUAL(pol_layers_expiry(&lc, s, S(120), &layer), S(145));
    CU_ASSERT_EQUAL(layer, 0);
    CU_ASSERT_EQUAL(pol_layers_expiry(&lc, s, -1, &layer), S(145));
    CU_ASSERT_EQUAL(pol_layers_expiry(&lc, s, S(115), &layer), S(145));  /* a tie: the outer's */
    CU_ASSERT_EQUAL(layer, 0);
    inner.deadline = S(40);                               /* the inner loop's own deadline */
    CU_ASSERT_EQUAL(pol_layers_expiry(&lc, s, S(120), &layer), S(140));
    CU_ASSERT_EQUAL(layer, 1);
    CU_ASSERT_EQUAL(pol_layers_expiry(&lc, s, S(200), &layer), S(200) + 1);  /* never before sent + 1 */
    /* the outer timeout fires: the inner loop is abandoned, the outer retries and restarts it */
    inner.deadline = 0;
    pol_outcome to = pol_outcome_make(POL_OUT_TIMEOUT, 0), o = http(503);
    pol_verdict v;
    int who;
    pol_layers_next(&lc, s, 1, &o, S(110), R, &v, &who);  /* an inner retry first */
    CU_ASSERT_EQUAL(who, 1);
    CU_ASSERT_EQUAL(s[1].attempts, 1);
    CU_ASSERT_EQUAL(pol_layers_next(&lc, s, 0, &to, S(145), R, &v, &who), POL_OK);
    CU_ASSERT_EQUAL(v.action, POL_ACT_RETRY);
    CU_ASSERT_EQUAL(who, 0);
    CU_ASSERT_EQUAL(v.delay, S(1));
    CU_ASSERT_EQUAL(s[0].attempts, 1);
    CU_ASSERT_EQUAL(s[1].attempts, 0);
    CU_ASSERT_EQUAL(s[1].start, S(146));
    CU_ASSERT_EQUAL(pol_layers_expiry(&lc, s, S(146), &layer), S(176));  /* the new loop's bounds */
    CU_ASSERT_EQUAL(layer, 1);
    /* an outer loop that does not retry timeouts gives up */
    pol_classify_set_kind(&outer.classify, POL_OUT_TIMEOUT, POL_CLASS_FAIL);
    pol_layers_next(&lc, s, 0, &to, S(191), R, &v, &who);
    CHECK_VERDICT(v, POL_ACT_GIVE_UP, POL_REASON_NOT_RETRYABLE);
    /* bad arguments */
    CU_ASSERT_EQUAL(pol_layers_next(&lc, s, 2, &to, 0, R, &v, &who), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_layers_next(&lc, s, -1, &to, 0, R, &v, &who), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_layers_next(NULL, s, 0, &to, 0, R, &v, &who), POL_EINVAL);
    pol_layers_cfg bad = lc;
    bad.n = 0;
    CU_ASSERT_EQUAL(pol_layers_validate(&bad), POL_EINVAL);
    bad.n = POL_LAYERS_MAX + 1;
    CU_ASSERT_EQUAL(pol_layers_validate(&bad), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_layers_begin(&bad, s, 0), POL_EINVAL);
    bad = lc;
    bad.layer[1] = NULL;
    CU_ASSERT_EQUAL(pol_layers_validate(&bad), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_layers_validate(NULL), POL_EINVAL);
}

/* Three layers: a gateway (2) around an application loop (2) around an SDK (3). */
static void test_layers_three(void)
{
    pol_retry_cfg g = plain(), a = plain(), k = plain();
    g.max_attempts = 2;
    a.max_attempts = 2;
    k.max_attempts = 3;
    pol_layers_cfg lc = { 3, { &g, &a, &k } };
    pol_retry_state s[POL_LAYERS_MAX];
    pol_layers_begin(&lc, s, 0);
    pol_outcome o = http(503);
    pol_verdict v;
    int n = 0, who;
    do {
        n++;
        pol_layers_next(&lc, s, 2, &o, 0, R, &v, &who);
    } while (v.action == POL_ACT_RETRY);
    CU_ASSERT_EQUAL(n, 12);
}

/* One layer is pol_retry: the same verdicts and the same draws. */
static void test_layers_one_is_retry(void)
{
    pol_retry_cfg c;
    pol_retry_default(&c);
    c.max_attempts = 6;
    c.deadline = S(30);
    c.attempt_timeout = S(10);
    pol_layers_cfg lc = { 1, { &c } };
    gsl_rng *r2 = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(R, 5);
    gsl_rng_set(r2, 5);
    for (int req = 0; req < 1000; req++) {
        pol_retry_state a;
        pol_retry_state b[POL_LAYERS_MAX];
        pol_ns now = (pol_ns)req * S(1);
        pol_retry_begin(&a, now);
        pol_layers_begin(&lc, b, now);
        for (;;) {
            int layer;
            pol_ns e = pol_layers_expiry(&lc, b, now, &layer);
            pol_ns want = now + (c.deadline - (now - a.start) < c.attempt_timeout ? c.deadline - (now - a.start)
                                                                                  : c.attempt_timeout);
            CU_ASSERT_EQUAL(e, want > now ? want : now + 1);
            now += MS(300);
            pol_outcome o = http(req % 3 ? 503 : 429);
            pol_verdict va, vb;
            int who;
            pol_retry_next(&c, &a, &o, now, R, &va);
            pol_layers_next(&lc, b, 0, &o, now, r2, &vb, &who);
            CU_ASSERT_EQUAL(va.action, vb.action);
            CU_ASSERT_EQUAL(va.delay, vb.delay);
            CU_ASSERT_EQUAL(va.reason, vb.reason);
            if (va.action != POL_ACT_RETRY) break;
            now += va.delay;
        }
    }
    CU_ASSERT_EQUAL(gsl_rng_get(R), gsl_rng_get(r2));
    gsl_rng_free(r2);
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
        { "rules: match syntax", test_rule_match },
        { "rules: validation, first match wins", test_rule_validate_and_order },
        { "rules: shared / per-kind / first-kind with alternating kinds", test_count_modes },
        { "rules: retry numbers per mode, the LiteLLM seed's jitter", test_rule_schedules },
        { "rules: hint modes per rule, shared deadline", test_rule_hints_and_deadline },
        { "rules: none = as before, in every mode", test_no_rules_unchanged },
        { "layers: 5 outer x 3 inner = 15 on a permanent 503", test_layers_multiply },
        { "layers: the outer classifies the inner's last outcome", test_layers_classify },
        { "layers: nested timeouts and deadlines", test_layers_timeouts },
        { "layers: three layers 2 x 2 x 3 = 12", test_layers_three },
        { "layers: one layer = pol_retry", test_layers_one_is_retry },
    };
    for (size_t i = 0; s && i < sizeof cases / sizeof cases[0]; i++)
        CU_add_test(s, cases[i].name, cases[i].fn);
}

CU_TEST_MAIN(register_suites)
