/* test_hint.c — CUnit tests of pol_hint: retry-after-ms, Retry-After as
 * delta-seconds and as each HTTP-date form, x-should-retry, header folding,
 * hint-mode names, and a random-bytes fuzz that must never crash nor return
 * a delay outside [0, one day].
 */
#include "cu_util.h"
#include "retrypol.h"
#include "pol_test_names.h"
#include <string.h>

#define S(x) ((pol_ns)(x) * POL_NS_PER_S)
/* Sun, 06 Nov 1994 08:49:37 GMT, the RFC 9110 example, as Unix time */
#define RFC_EXAMPLE 784111777LL

static int ms(const char *v, pol_ns *d) { return pol_hint_parse_retry_after_ms(v, d); }
static int ra(const char *v, int64_t now, pol_ns *d) { return pol_hint_parse_retry_after(v, now, d); }
static int ra0(const char *v, pol_ns *d) { return ra(v, 0, d); }

typedef struct { const char *v; int rc; pol_ns d; } num_case;

/* Runs a table through a parser; on error the output must stay untouched. */
static void check_numbers(int (*parse)(const char *, pol_ns *), const num_case *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        pol_ns d = -7;
        int rc = parse(t[i].v, &d);
        if (rc != t[i].rc || d != (rc == POL_OK ? t[i].d : -7))
            fprintf(stderr, "'%s': rc %d d %lld, want rc %d d %lld\n", t[i].v ? t[i].v : "(null)",
                    rc, (long long)d, t[i].rc, (long long)t[i].d);
        CU_ASSERT_EQUAL(rc, t[i].rc);
        CU_ASSERT_EQUAL(d, rc == POL_OK ? t[i].d : -7);
    }
}

/* The decimal grammar both headers share, malformed and out-of-range values. */
static const num_case BAD_NUMBERS[] = {
    { "-1", POL_ERANGE, 0 }, { "-0.5", POL_ERANGE, 0 }, { "-", POL_EPARSE, 0 },
    { "", POL_EPARSE, 0 }, { "   ", POL_EPARSE, 0 }, { "abc", POL_EPARSE, 0 },
    { "1e3", POL_EPARSE, 0 }, { "+5", POL_EPARSE, 0 }, { "0x10", POL_EPARSE, 0 },
    { "1.", POL_EPARSE, 0 }, { ".5", POL_EPARSE, 0 }, { "1 2", POL_EPARSE, 0 },
    { "inf", POL_EPARSE, 0 }, { "nan", POL_EPARSE, 0 }, { "5ms", POL_EPARSE, 0 },
    { "-abc", POL_EPARSE, 0 }, { "12 s", POL_EPARSE, 0 }, { NULL, POL_EINVAL, 0 },
};
#define NBAD (sizeof BAD_NUMBERS / sizeof BAD_NUMBERS[0])

static void test_retry_after_ms(void)
{
    static const num_case ok[] = {
        { "1500", POL_OK, 1500 * POL_NS_PER_MS }, { "0", POL_OK, 0 },
        { "0.5", POL_OK, 500 * POL_NS_PER_US }, { "12.345678", POL_OK, 12345678 },
        { " \t20\t ", POL_OK, 20 * POL_NS_PER_MS }, { "86400000", POL_OK, POL_HINT_MAX_DELAY },
        { "86400001", POL_ERANGE, 0 }, { "86400000.5", POL_ERANGE, 0 },
    };
    check_numbers(ms, ok, sizeof ok / sizeof ok[0]);
    check_numbers(ms, BAD_NUMBERS, NBAD);
    CU_ASSERT_EQUAL(ms("5", NULL), POL_EINVAL);
}

static void test_huge_numbers(void)
{
    char big[1102];
    pol_ns d = -7;
    memset(big, '9', 1000);
    big[1000] = '\0';
    CU_ASSERT_EQUAL(ms(big, &d), POL_ERANGE);
    CU_ASSERT_EQUAL(ra(big, 0, &d), POL_ERANGE);
    strcpy(big + 1000, "x");                          /* syntax before range */
    CU_ASSERT_EQUAL(ra(big, 0, &d), POL_EPARSE);
    big[0] = '1';
    memset(big + 1, '0', 19);                         /* 1e19 overflows int64 */
    big[20] = '\0';
    CU_ASSERT_EQUAL(ra(big, 0, &d), POL_ERANGE);
    strcpy(big, "1.");                                /* 1000 fraction digits */
    memset(big + 2, '9', 1000);
    big[1002] = '\0';
    CU_ASSERT_EQUAL(ra(big, 0, &d), POL_OK);
    CU_ASSERT_EQUAL(d, S(2) - 1);                     /* 1.999999999 s, truncated */
    memset(big, '0', 1000);                           /* leading zeros are fine */
    strcpy(big + 1000, "7");
    CU_ASSERT_EQUAL(ra(big, 0, &d), POL_OK);
    CU_ASSERT_EQUAL(d, S(7));
}

static void test_retry_after_seconds(void)
{
    static const num_case ok[] = {
        { "120", POL_OK, S(120) }, { "0", POL_OK, 0 }, { "1.5", POL_OK, 1500 * POL_NS_PER_MS },
        { " 3 ", POL_OK, S(3) }, { "86400", POL_OK, S(86400) }, { "86401", POL_ERANGE, 0 },
    };
    check_numbers(ra0, ok, sizeof ok / sizeof ok[0]);
    check_numbers(ra0, BAD_NUMBERS, NBAD);
    CU_ASSERT_EQUAL(ra("5", 0, NULL), POL_EINVAL);
}

static void test_http_dates(void)
{
    const int64_t now = (RFC_EXAMPLE - 10) * POL_NS_PER_S;  /* 10 s before */
    pol_ns d = -7;
    CU_ASSERT_EQUAL(ra("Sun, 06 Nov 1994 08:49:37 GMT", now, &d), POL_OK);
    CU_ASSERT_EQUAL(d, S(10));
    d = -7;
    CU_ASSERT_EQUAL(ra("Sunday, 06-Nov-94 08:49:37 GMT", now, &d), POL_OK);
    CU_ASSERT_EQUAL(d, S(10));
    d = -7;
    CU_ASSERT_EQUAL(ra("Sun Nov  6 08:49:37 1994", now, &d), POL_OK);
    CU_ASSERT_EQUAL(d, S(10));
    CU_ASSERT_EQUAL(ra("  Sun, 06 Nov 1994 08:49:38 GMT\t", now, &d), POL_OK);
    CU_ASSERT_EQUAL(d, S(11));
    /* sub-second wall clock: the delay keeps nanoseconds */
    CU_ASSERT_EQUAL(ra("Sun, 06 Nov 1994 08:49:37 GMT", now + 250 * POL_NS_PER_MS, &d), POL_OK);
    CU_ASSERT_EQUAL(d, S(10) - 250 * POL_NS_PER_MS);
    /* past dates mean "now" */
    CU_ASSERT_EQUAL(ra("Sun, 06 Nov 1994 08:49:37 GMT", now + S(3600), &d), POL_OK);
    CU_ASSERT_EQUAL(d, 0);
    CU_ASSERT_EQUAL(ra("Thu, 01 Jan 1970 00:00:00 GMT", now, &d), POL_OK);
    CU_ASSERT_EQUAL(d, 0);
    /* one day ahead is the limit */
    CU_ASSERT_EQUAL(ra("Mon, 07 Nov 1994 08:49:27 GMT", now, &d), POL_OK);
    CU_ASSERT_EQUAL(d, S(86400));
    CU_ASSERT_EQUAL(ra("Mon, 07 Nov 1994 08:49:28 GMT", now, &d), POL_ERANGE);
    CU_ASSERT_EQUAL(ra("Fri, 31 Dec 9999 23:59:59 GMT", now, &d), POL_ERANGE);
    /* a later date, checked against days-from-civil by hand:
     * 2024-02-29 = 19782 days after 1970-01-01 */
    int64_t leap = 19782LL * 86400;
    CU_ASSERT_EQUAL(ra("Thu, 29 Feb 2024 00:01:00 GMT", leap * POL_NS_PER_S, &d), POL_OK);
    CU_ASSERT_EQUAL(d, S(60));
    CU_ASSERT_EQUAL(ra("Wed, 29 Feb 2023 00:01:00 GMT", leap * POL_NS_PER_S, &d), POL_EPARSE);
    int64_t y2000 = (11016LL * 86400 - 5) * POL_NS_PER_S;              /* 2000-02-29 - 5 s */
    CU_ASSERT_EQUAL(ra("Tue, 29 Feb 2000 00:00:00 GMT", y2000, &d), POL_OK); /* 400-year leap */
    CU_ASSERT_EQUAL(d, S(5));
    CU_ASSERT_EQUAL(ra("Thu, 29 Feb 1900 00:00:00 GMT", 0, &d), POL_EPARSE);
    /* asctime with a two-digit day; a leap second is accepted */
    CU_ASSERT_EQUAL(ra("Wed Nov 16 08:49:37 1994", now + S(10 * 86400), &d), POL_OK);
    CU_ASSERT_EQUAL(d, S(10));
    CU_ASSERT_EQUAL(ra("Sun, 06 Nov 1994 08:49:60 GMT", now, &d), POL_OK);
    CU_ASSERT_EQUAL(d, S(33));
}

static void test_rfc850_century(void)
{
    /* now = 2030-01-01: "79" is 2079 (49 years ahead, too far: ERANGE), but
     * "81" would be 51 years ahead, so it means 1981 (past: 0) */
    int64_t y2030 = 21915LL * 86400 * POL_NS_PER_S;
    pol_ns d = -7;
    CU_ASSERT_EQUAL(ra("Monday, 01-Jan-79 00:00:00 GMT", y2030, &d), POL_ERANGE);
    CU_ASSERT_EQUAL(ra("Thursday, 01-Jan-81 00:00:00 GMT", y2030, &d), POL_OK);
    CU_ASSERT_EQUAL(d, 0);
    CU_ASSERT_EQUAL(ra("Tuesday, 01-Jan-30 00:00:10 GMT", y2030, &d), POL_OK);
    CU_ASSERT_EQUAL(d, S(10));
}

static void test_malformed_dates(void)
{
    static const char *const bad[] = {
        "sun, 06 Nov 1994 08:49:37 GMT",        /* names are case-sensitive */
        "Sun, 06 nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 06 Nov 1994 08:49:37",
        "Sun, 06 Nov 1994 08:49:37 GMT junk",
        "Sun, 6 Nov 1994 08:49:37 GMT",         /* IMF wants 2DIGIT day */
        "Sun, 06 Nov 94 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT",
        "Sun, 06 Nov 1994 08:49:61 GMT",
        "Sun, 00 Nov 1994 08:49:37 GMT",
        "Sun, 31 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 8:49:37 GMT",
        "Sun,06 Nov 1994 08:49:37 GMT",
        "Sunday, 06 Nov 1994 08:49:37 GMT",     /* long name with IMF body */
        "Sun, 06-Nov-94 08:49:37 GMT",          /* short name with RFC 850 body */
        "Sunday, 06-Nov-1994 08:49:37 GMT",
        "Sun Nov 6 08:49:37 1994",              /* asctime wants SP DIGIT */
        "Sun Nov  6 08:49:37 94",
        "Sun Nov  6 08:49:37",
        "Xyz, 06 Nov 1994 08:49:37 GMT",
        "Sun",
        "Sun,",
        "GMT",
        "2024-01-01T00:00:00Z",
        "Sun, 06 Nov 1994 08:49:37 GMT\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pol_ns d = -7;
        int rc = ra(bad[i], 0, &d);
        if (rc != POL_EPARSE) fprintf(stderr, "accepted? '%s' rc=%d\n", bad[i], rc);
        CU_ASSERT_EQUAL(rc, POL_EPARSE);
        CU_ASSERT_EQUAL(d, -7);
    }
}

static void test_should_retry(void)
{
    static const struct { const char *v; int rc, flag; } t[] = {
        { "true", POL_OK, 1 }, { " false ", POL_OK, 0 }, { "True", POL_EPARSE, -1 },
        { "yes", POL_EPARSE, -1 }, { "1", POL_EPARSE, -1 }, { "truex", POL_EPARSE, -1 },
        { "", POL_EPARSE, -1 }, { NULL, POL_EINVAL, -1 },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int f = -1;
        CU_ASSERT_EQUAL(pol_hint_parse_should_retry(t[i].v, &f), t[i].rc);
        CU_ASSERT_EQUAL(f, t[i].flag);
    }
    CU_ASSERT_EQUAL(pol_hint_parse_should_retry("true", NULL), POL_EINVAL);
}

static void test_apply_header(void)
{
    pol_outcome o = pol_outcome_make(POL_OUT_HTTP, 429);
    /* retry-after-ms wins in either order */
    CU_ASSERT_EQUAL(pol_hint_apply_header(&o, "Retry-After", "7", 0), POL_OK);
    CU_ASSERT_EQUAL(o.retry_after, S(7));
    CU_ASSERT_EQUAL(pol_hint_apply_header(&o, "retry-after-ms", "250", 0), POL_OK);
    CU_ASSERT_EQUAL(o.retry_after, 250 * POL_NS_PER_MS);
    CU_ASSERT_EQUAL(pol_hint_apply_header(&o, "RETRY-AFTER", "9", 0), POL_OK);
    CU_ASSERT_EQUAL(o.retry_after, 250 * POL_NS_PER_MS);
    /* a malformed value returns its error and leaves o alone */
    CU_ASSERT_EQUAL(pol_hint_apply_header(&o, "retry-after-ms", "soon", 0), POL_EPARSE);
    CU_ASSERT_EQUAL(pol_hint_apply_header(&o, "retry-after-ms", "-5", 0), POL_ERANGE);
    CU_ASSERT_EQUAL(o.retry_after, 250 * POL_NS_PER_MS);
    /* a malformed retry-after-ms falls back to retry-after, as the SDKs do */
    o = pol_outcome_make(POL_OUT_HTTP, 429);
    CU_ASSERT_EQUAL(pol_hint_apply_header(&o, "retry-after-ms", "x", 0), POL_EPARSE);
    CU_ASSERT_EQUAL(pol_hint_apply_header(&o, "retry-after", "2", 0), POL_OK);
    CU_ASSERT_EQUAL(o.retry_after, S(2));
    /* x-should-retry */
    CU_ASSERT_EQUAL(o.should_retry, -1);
    CU_ASSERT_EQUAL(pol_hint_apply_header(&o, "X-Should-Retry", "false", 0), POL_OK);
    CU_ASSERT_EQUAL(o.should_retry, 0);
    CU_ASSERT_EQUAL(pol_hint_apply_header(&o, "x-should-retry", "maybe", 0), POL_EPARSE);
    CU_ASSERT_EQUAL(o.should_retry, 0);
    /* unknown headers are ignored */
    pol_outcome before = o;
    CU_ASSERT_EQUAL(pol_hint_apply_header(&o, "content-type", "application/json", 0), POL_OK);
    CU_ASSERT_EQUAL(memcmp(&before, &o, sizeof o), 0);
    CU_ASSERT_EQUAL(pol_hint_apply_header(NULL, "retry-after", "1", 0), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_hint_apply_header(&o, NULL, "1", 0), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_hint_apply_header(&o, "retry-after", NULL, 0), POL_EINVAL);
}

static void test_mode_names(void)
{
    static const char *const want[] = { "ignore", "honor", "ceiling-give-up", "ceiling-ignore",
                                        "max", "plus-jitter" };
    CHECK_NAME_TABLE(pol_hint_mode, pol_hint_mode_name, pol_hint_mode_parse, want, POL_HINT__COUNT);
}

/* 200000 random strings over an alphabet rich in the grammar's characters
 * (and arbitrary bytes): no crash, and every accepted value is in range. */
static void test_fuzz(void)
{
    static const char alpha[] = "0123456789 .-:,+SunMoTuedWhFrSatJnFbMrApyJlAgSpOcNvDGMT\t\x01\xff";
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 42);
    char buf[64];
    int accepted = 0, bad = 0;
    for (int i = 0; i < 200000; i++) {
        size_t len = gsl_rng_uniform_int(r, sizeof buf - 1);
        for (size_t k = 0; k < len; k++)
            buf[k] = gsl_rng_uniform(r) < 0.9 ? alpha[gsl_rng_uniform_int(r, sizeof alpha - 1)]
                                              : (char)(1 + gsl_rng_uniform_int(r, 255));
        buf[len] = '\0';
        pol_ns d = -1;
        int f = -1;
        int rc = ra(buf, RFC_EXAMPLE * POL_NS_PER_S, &d);
        accepted += rc == POL_OK;
        bad += rc == POL_OK ? (d < 0 || d > POL_HINT_MAX_DELAY) : (rc != POL_EPARSE && rc != POL_ERANGE);
        rc = ms(buf, &d);
        bad += rc == POL_OK && (d < 0 || d > POL_HINT_MAX_DELAY);
        rc = pol_hint_parse_should_retry(buf, &f);
        bad += rc == POL_OK && f != 0 && f != 1;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(accepted > 0);
    gsl_rng_free(r);
}

/* pol_hint_apply_header_as: a hint of 0 is a hint (-1 is none), and with
 * invalid_now an unusable retry-after is one too (openai-node). */
static void test_apply_header_as(void)
{
    pol_hint_cfg now = { .mode = POL_HINT_HONOR, .invalid_now = 1 }, plain = { .mode = POL_HINT_HONOR };
    pol_outcome o = pol_outcome_make(POL_OUT_HTTP, 429);
    CU_ASSERT_EQUAL(pol_hint_apply_header_as(&o, "retry-after", "0", 0, &plain), POL_OK);
    CU_ASSERT_EQUAL(o.retry_after, 0);                         /* 0 is present, not absent */
    o = pol_outcome_make(POL_OUT_HTTP, 429);
    CU_ASSERT_EQUAL(pol_hint_apply_header_as(&o, "retry-after-ms", "0", 0, NULL), POL_OK);
    CU_ASSERT_EQUAL(o.retry_after, 0);
    static const char *const bad[] = { "soon", "1e3", "-5", " -0.5 ", "Sun, 06 Nov 1994 08:49:37 UTC" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        o = pol_outcome_make(POL_OUT_HTTP, 429);
        CU_ASSERT_EQUAL(pol_hint_apply_header_as(&o, "Retry-After", bad[i], 0, &now), POL_OK);
        CU_ASSERT_EQUAL(o.retry_after, 0);
        o = pol_outcome_make(POL_OUT_HTTP, 429);
        CU_ASSERT(pol_hint_apply_header_as(&o, "Retry-After", bad[i], 0, &plain) < 0);
        CU_ASSERT_EQUAL(o.retry_after, -1);
        o = pol_outcome_make(POL_OUT_HTTP, 429);
        CU_ASSERT(pol_hint_apply_header_as(&o, "Retry-After", bad[i], 0, NULL) < 0);
        CU_ASSERT_EQUAL(o.retry_after, -1);
    }
    /* an empty value is not read (falsy in the SDKs) */
    o = pol_outcome_make(POL_OUT_HTTP, 429);
    CU_ASSERT_EQUAL(pol_hint_apply_header_as(&o, "retry-after", " ", 0, &now), POL_EPARSE);
    CU_ASSERT_EQUAL(o.retry_after, -1);
    /* too large stays an error; retry-after-ms is not affected; -ms wins either way */
    o = pol_outcome_make(POL_OUT_HTTP, 429);
    CU_ASSERT_EQUAL(pol_hint_apply_header_as(&o, "retry-after", "100000000", 0, &now), POL_ERANGE);
    CU_ASSERT_EQUAL(o.retry_after, -1);
    CU_ASSERT_EQUAL(pol_hint_apply_header_as(&o, "retry-after-ms", "soon", 0, &now), POL_EPARSE);
    CU_ASSERT_EQUAL(o.retry_after, -1);
    CU_ASSERT_EQUAL(pol_hint_apply_header_as(&o, "retry-after-ms", "500", 0, &now), POL_OK);
    CU_ASSERT_EQUAL(pol_hint_apply_header_as(&o, "retry-after", "soon", 0, &now), POL_OK);
    CU_ASSERT_EQUAL(o.retry_after, 500 * POL_NS_PER_MS);
    o = pol_outcome_make(POL_OUT_HTTP, 429);
    CU_ASSERT_EQUAL(pol_hint_apply_header_as(&o, "retry-after", "soon", 0, &now), POL_OK);
    CU_ASSERT_EQUAL(pol_hint_apply_header_as(&o, "retry-after-ms", "500", 0, &now), POL_OK);
    CU_ASSERT_EQUAL(o.retry_after, 500 * POL_NS_PER_MS);
    /* parse_float: JavaScript's parseFloat prefix (both Node SDKs) */
    pol_hint_cfg onode = { .mode = POL_HINT_HONOR, .invalid_now = 1, .parse_float = 1 },
                 anode = { .mode = POL_HINT_CEIL_IGNORE, .ignore_zero = 1, .parse_float = 1 };
    static const struct { const char *name, *value; int on_rc; pol_ns on; int an_rc; pol_ns an; } JS[] = {
        { "retry-after", "12abc", POL_OK, 12 * POL_NS_PER_S, POL_OK, 12 * POL_NS_PER_S },
        { "retry-after", "1e3", POL_OK, 1000 * POL_NS_PER_S, POL_OK, 1000 * POL_NS_PER_S },
        { "retry-after", "+5", POL_OK, 5 * POL_NS_PER_S, POL_OK, 5 * POL_NS_PER_S },
        { "retry-after", ".5", POL_OK, 500 * POL_NS_PER_MS, POL_OK, 500 * POL_NS_PER_MS },
        { "retry-after", "2.5e-1s", POL_OK, 250 * POL_NS_PER_MS, POL_OK, 250 * POL_NS_PER_MS },
        { "retry-after", "-5", POL_OK, 0, POL_ERANGE, -1 },
        { "retry-after", "-0", POL_OK, 0, POL_ERANGE, -1 },
        { "retry-after", "Infinity", POL_OK, 0, POL_EPARSE, -1 },
        { "retry-after", "soon", POL_OK, 0, POL_EPARSE, -1 },
        { "retry-after", "e5", POL_OK, 0, POL_EPARSE, -1 },
        { "retry-after", "1e9", POL_ERANGE, -1, POL_ERANGE, -1 },
        { "retry-after-ms", "500ms", POL_OK, 500 * POL_NS_PER_MS, POL_OK, 500 * POL_NS_PER_MS },
        { "retry-after-ms", "soon", POL_EPARSE, -1, POL_EPARSE, -1 },
        { "retry-after-ms", "-1", POL_OK, 0, POL_ERANGE, -1 },
    };
    for (size_t i = 0; i < sizeof JS / sizeof JS[0]; i++) {
        o = pol_outcome_make(POL_OUT_HTTP, 429);
        int rc = pol_hint_apply_header_as(&o, JS[i].name, JS[i].value, 0, &onode);
        if (rc != JS[i].on_rc || o.retry_after != JS[i].on)
            fprintf(stderr, "openai-node %s: %s: rc %d hint %lld\n", JS[i].name, JS[i].value, rc, (long long)o.retry_after);
        CU_ASSERT_EQUAL(rc, JS[i].on_rc);
        CU_ASSERT_EQUAL(o.retry_after, JS[i].on);
        o = pol_outcome_make(POL_OUT_HTTP, 429);
        rc = pol_hint_apply_header_as(&o, JS[i].name, JS[i].value, 0, &anode);
        if (rc != JS[i].an_rc || o.retry_after != JS[i].an)
            fprintf(stderr, "anthropic-node %s: %s: rc %d hint %lld\n", JS[i].name, JS[i].value, rc, (long long)o.retry_after);
        CU_ASSERT_EQUAL(rc, JS[i].an_rc);
        CU_ASSERT_EQUAL(o.retry_after, JS[i].an);
    }
    /* other headers as pol_hint_apply_header */
    CU_ASSERT_EQUAL(pol_hint_apply_header_as(&o, "x-should-retry", "maybe", 0, &now), POL_EPARSE);
    CU_ASSERT_EQUAL(pol_hint_apply_header_as(&o, "x-other", "soon", 0, &now), POL_OK);
    CU_ASSERT_EQUAL(pol_hint_apply_header_as(NULL, "retry-after", "soon", 0, &now), POL_EINVAL);
}

static void register_suites(void)
{
    CU_SUITE("hint",
             { "retry-after-ms", test_retry_after_ms },
             { "1000-digit and overflowing numbers", test_huge_numbers },
             { "retry-after delta-seconds", test_retry_after_seconds },
             { "retry-after HTTP-dates", test_http_dates },
             { "RFC 850 two-digit years", test_rfc850_century },
             { "malformed dates", test_malformed_dates },
             { "x-should-retry", test_should_retry },
             { "apply_header", test_apply_header },
             { "apply_header_as: 0 and invalid_now", test_apply_header_as },
             { "hint mode names", test_mode_names },
             { "fuzz", test_fuzz });
}

CU_TEST_MAIN(register_suites)
