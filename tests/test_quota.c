/* test_quota.c — CUnit tests of quota awareness (pol_quota): OpenAI duration
 * and count parsers, RFC 3339 timestamps (Anthropic), malformed values,
 * folding headers, and the pre-emptive wait (bounds of its jitter over 10000
 * draws, caps, expiry, local decrement).
 */
#include "cu_util.h"
#include "retrypol.h"

#define S(x) ((pol_ns)(x) * POL_NS_PER_S)
#define MS(x) ((pol_ns)(x) * POL_NS_PER_MS)

static void test_duration(void)
{
    static const struct { const char *s; pol_ns want; } good[] = {
        { "6m0s", S(360) }, { "1s", S(1) }, { "250ms", MS(250) }, { "1h2m3.5s", S(3723) + MS(500) },
        { " 20ms ", MS(20) }, { "0s", 0 }, { "1.5s", MS(1500) }, { "7.66s", MS(7660) },
        { "10us", 10 * POL_NS_PER_US }, { "3ns", 3 }, { "1m30s", S(90) }, { "\xc2\xb5s", -1 },
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        pol_ns d = -7;
        int rc = pol_quota_parse_duration(good[i].s, &d);
        if (good[i].want < 0) { CU_ASSERT_EQUAL(rc, POL_EPARSE); continue; }
        CU_ASSERT_EQUAL(rc, POL_OK);
        CU_ASSERT_EQUAL(d, good[i].want);
    }
    static const char *bad[] = { "", "  ", "s", "6m0", "1x", "1 s", "m", "1s2", ".s", "1..5s", "1sx", "abc" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pol_ns d = -7;
        CU_ASSERT_EQUAL(pol_quota_parse_duration(bad[i], &d), POL_EPARSE);
        CU_ASSERT_EQUAL(d, -7);
    }
    pol_ns d;
    CU_ASSERT_EQUAL(pol_quota_parse_duration("-1s", &d), POL_ERANGE);
    CU_ASSERT_EQUAL(pol_quota_parse_duration("25h", &d), POL_ERANGE);
    CU_ASSERT_EQUAL(pol_quota_parse_duration("99999999999999999999999h", &d), POL_ERANGE);
    CU_ASSERT_EQUAL(pol_quota_parse_duration(NULL, &d), POL_EINVAL);
}

static void test_count(void)
{
    int64_t n = -7;
    CU_ASSERT_EQUAL(pol_quota_parse_count(" 59 ", &n), POL_OK);
    CU_ASSERT_EQUAL(n, 59);
    CU_ASSERT_EQUAL(pol_quota_parse_count("0", &n), POL_OK);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_EQUAL(pol_quota_parse_count("-3", &n), POL_ERANGE);
    CU_ASSERT_EQUAL(pol_quota_parse_count("3.5", &n), POL_EPARSE);
    CU_ASSERT_EQUAL(pol_quota_parse_count("", &n), POL_EPARSE);
    CU_ASSERT_EQUAL(pol_quota_parse_count("12a", &n), POL_EPARSE);
    CU_ASSERT_EQUAL(pol_quota_parse_count("1000000000000000000000000000000", &n), POL_ERANGE);
    CU_ASSERT_EQUAL(n, 0);
}

static void test_timestamp(void)
{
    int64_t wall = 1717243200LL * POL_NS_PER_S;         /* 2024-06-01T12:00:00Z */
    pol_ns d = -7;
    CU_ASSERT_EQUAL(pol_quota_parse_timestamp("2024-06-01T12:00:30Z", wall, &d), POL_OK);
    CU_ASSERT_EQUAL(d, S(30));
    CU_ASSERT_EQUAL(pol_quota_parse_timestamp("2024-06-01T12:00:01.25Z", wall, &d), POL_OK);
    CU_ASSERT_EQUAL(d, MS(1250));
    CU_ASSERT_EQUAL(pol_quota_parse_timestamp("2024-06-01T14:00:10+02:00", wall, &d), POL_OK);
    CU_ASSERT_EQUAL(d, S(10));
    CU_ASSERT_EQUAL(pol_quota_parse_timestamp("2024-06-01t11:00:00-01:00", wall, &d), POL_OK);
    CU_ASSERT_EQUAL(d, 0);
    CU_ASSERT_EQUAL(pol_quota_parse_timestamp("2024-06-01T11:59:00Z", wall, &d), POL_OK);
    CU_ASSERT_EQUAL(d, 0);                                /* past: 0 */
    CU_ASSERT_EQUAL(pol_quota_parse_timestamp("2024-02-29T00:00:00Z", 0, &d), POL_ERANGE);
    static const char *bad[] = { "2024-06-01T12:00:30", "2024-06-01 12:00Z", "2024-13-01T00:00:00Z",
                                 "2023-02-29T00:00:00Z", "2024-06-31T00:00:00Z", "2024-06-01T24:00:00Z",
                                 "2024-06-01T12:00:30.Z", "2024-06-01T12:00:30Zjunk", "30", "" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        d = -7;
        CU_ASSERT_EQUAL(pol_quota_parse_timestamp(bad[i], wall, &d), POL_EPARSE);
        CU_ASSERT_EQUAL(d, -7);
    }
}

static void test_headers_and_check(void)
{
    pol_quota q;
    pol_quota_cfg c;
    pol_quota_reset(&q);
    pol_quota_default(&c);
    CU_ASSERT_EQUAL(c.min_requests, 1);
    CU_ASSERT_EQUAL(c.jitter, S(1));
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 11);
    pol_ns now = S(100), w;
    CU_ASSERT_EQUAL(pol_quota_check(&c, &q, now, 500, r, &w), POL_QUOTA_GO);   /* unknown */
    CU_ASSERT_EQUAL(pol_quota_apply_header(&q, "X-RateLimit-Remaining-Requests", "0", now, 0), POL_OK);
    CU_ASSERT_EQUAL(pol_quota_apply_header(&q, "x-ratelimit-reset-requests", "6m0s", now, 0), POL_OK);
    CU_ASSERT_EQUAL(pol_quota_apply_header(&q, "x-ratelimit-remaining-tokens", "1000", now, 0), POL_OK);
    CU_ASSERT_EQUAL(pol_quota_apply_header(&q, "x-ratelimit-reset-tokens", "250ms", now, 0), POL_OK);
    CU_ASSERT_EQUAL(pol_quota_apply_header(&q, "x-unrelated", "zzz", now, 0), POL_OK);
    CU_ASSERT_EQUAL(pol_quota_apply_header(&q, "x-ratelimit-reset-tokens", "soon", now, 0), POL_EPARSE);
    CU_ASSERT_EQUAL(q.reset_tokens_at, now + MS(250));                         /* unchanged */
    for (int i = 0; i < 10000; i++) {
        CU_ASSERT_EQUAL(pol_quota_check(&c, &q, now, 10, r, &w), POL_QUOTA_WAIT);
        CU_ASSERT(w >= S(360) && w <= S(361));
    }
    q.remaining_requests = 5;                                                  /* requests fine */
    CU_ASSERT_EQUAL(pol_quota_check(&c, &q, now, 10, r, &w), POL_QUOTA_GO);
    CU_ASSERT_EQUAL(pol_quota_check(&c, &q, now, 2000, r, &w), POL_QUOTA_WAIT);/* tokens short */
    CU_ASSERT(w >= MS(250) && w <= MS(1250));
    CU_ASSERT_EQUAL(pol_quota_check(&c, &q, now + MS(250), 2000, r, &w), POL_QUOTA_GO);  /* reset passed */
    c.max_wait = MS(100);
    CU_ASSERT_EQUAL(pol_quota_check(&c, &q, now, 2000, r, &w), POL_QUOTA_WAIT);
    CU_ASSERT_EQUAL(w, MS(100));
    pol_quota_on_send(&q, 600);
    pol_quota_on_send(&q, 600);
    CU_ASSERT_EQUAL(q.remaining_requests, 3);
    CU_ASSERT_EQUAL(q.remaining_tokens, 0);
    /* Anthropic */
    int64_t wall = 1717243200LL * POL_NS_PER_S;
    pol_quota_reset(&q);
    CU_ASSERT_EQUAL(pol_quota_apply_header(&q, "anthropic-ratelimit-requests-remaining", "0", now, wall), POL_OK);
    CU_ASSERT_EQUAL(pol_quota_apply_header(&q, "anthropic-ratelimit-requests-reset", "2024-06-01T12:00:30Z",
                                           now, wall), POL_OK);
    CU_ASSERT_EQUAL(q.reset_requests_at, now + S(30));
    c.jitter = 0;
    c.max_wait = 0;
    CU_ASSERT_EQUAL(pol_quota_check(&c, &q, now, 0, NULL, &w), POL_QUOTA_WAIT);
    CU_ASSERT_EQUAL(w, S(30));
    CU_ASSERT_EQUAL(pol_quota_check(&c, &q, now, -1, NULL, &w), POL_EINVAL);
    gsl_rng_free(r);
}

static void register_suites(void)
{
    CU_SUITE("quota",
             {"openai durations", test_duration},
             {"counts", test_count},
             {"rfc 3339 timestamps", test_timestamp},
             {"headers and the pre-emptive wait", test_headers_and_check});
}

CU_TEST_MAIN(register_suites)
