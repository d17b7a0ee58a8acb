/* test_preset.c — CUnit tests of pol_preset: the list (unique names, a
 * summary and a source each, every preset valid), the constants of each
 * client as documented in docs/policies.md, behaviour the clients are known
 * for, and known-answer delays (gsl_rng_taus2, seed 42) for every preset.
 */
#include "cu_util.h"
#include "retrypol.h"
#include <string.h>

#define S(x) ((pol_ns)(x) * POL_NS_PER_S)
#define MS(x) ((pol_ns)(x) * POL_NS_PER_MS)

static pol_retry_cfg get(const char *name)
{
    pol_retry_cfg c;
    memset(&c, 0, sizeof c);
    CU_ASSERT_EQUAL_FATAL(pol_preset_get(name, &c), POL_OK);
    return c;
}

static pol_class cls(const pol_retry_cfg *c, pol_outcome_kind k, int status)
{
    pol_outcome o = pol_outcome_make(k, status);
    return pol_classify(&c->classify, &o);
}

static void test_list(void)
{
    size_t n = 0;
    const pol_preset_info *p = pol_preset_list(&n);
    CU_ASSERT_FATAL(p != NULL);
    CU_ASSERT(n >= 15);
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT(p[i].name && p[i].name[0]);
        CU_ASSERT(p[i].summary && strlen(p[i].summary) > 10);
        CU_ASSERT(p[i].source && strlen(p[i].source) > 10);
        for (size_t j = 0; j < i; j++) CU_ASSERT(strcmp(p[i].name, p[j].name) != 0);
        pol_retry_cfg c = get(p[i].name);
        CU_ASSERT_EQUAL(pol_retry_validate(&c), POL_OK);
    }
    CU_ASSERT_PTR_NOT_NULL(pol_preset_list(NULL));
    CU_ASSERT_EQUAL(pol_preset_get("openai", NULL), POL_ENOTFOUND);
    CU_ASSERT_EQUAL(pol_preset_get("OPENAI-PYTHON", NULL), POL_ENOTFOUND);
    CU_ASSERT_EQUAL(pol_preset_get(NULL, NULL), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_preset_get("openai-python", NULL), POL_OK);
}

static void test_stainless_sdks(void)
{
    static const char *const names[] = { "openai-python", "openai-python-next", "anthropic-python",
                                         "litellm-router" };
    for (size_t i = 0; i < 4; i++) {
        pol_retry_cfg c = get(names[i]);
        CU_ASSERT_EQUAL(c.max_attempts, 3);
        CU_ASSERT_EQUAL(c.backoff.kind, POL_BACKOFF_EXPONENTIAL);
        CU_ASSERT_EQUAL(c.backoff.base, MS(500));
        CU_ASSERT_DOUBLE_EQUAL(c.backoff.multiplier, 2.0, 0);
        CU_ASSERT_EQUAL(c.backoff.cap, S(8));
        CU_ASSERT_EQUAL(c.backoff.jitter, POL_JITTER_SUBTRACTIVE);
        CU_ASSERT_DOUBLE_EQUAL(c.backoff.jitter_factor, 0.25, 0);
        CU_ASSERT_EQUAL(c.hint.ignore_zero, 1);
        CU_ASSERT_EQUAL(cls(&c, POL_OUT_HTTP, 408), POL_CLASS_RETRY);
        CU_ASSERT_EQUAL(cls(&c, POL_OUT_HTTP, 409), POL_CLASS_RETRY);
        CU_ASSERT_EQUAL(cls(&c, POL_OUT_HTTP, 429), POL_CLASS_RETRY);
        CU_ASSERT_EQUAL(cls(&c, POL_OUT_HTTP, 501), POL_CLASS_RETRY);
        CU_ASSERT_EQUAL(cls(&c, POL_OUT_HTTP, 400), POL_CLASS_FAIL);
        CU_ASSERT_EQUAL(cls(&c, POL_OUT_TIMEOUT, 0), POL_CLASS_RETRY);
    }
    pol_retry_cfg o = get("openai-python"), a = get("anthropic-python"), n = get("openai-python-next"),
                  l = get("litellm-router");
    CU_ASSERT_EQUAL(o.attempt_timeout, S(600));
    CU_ASSERT_EQUAL(o.hint.mode, POL_HINT_CEIL_IGNORE);
    CU_ASSERT_EQUAL(o.hint.ceiling, S(60));
    CU_ASSERT_EQUAL(o.honor_should_retry, 1);
    CU_ASSERT_EQUAL(cls(&o, POL_OUT_HTTP, 424), POL_CLASS_FAIL);
    CU_ASSERT_EQUAL(cls(&a, POL_OUT_HTTP, 424), POL_CLASS_RETRY);
    CU_ASSERT_EQUAL(n.hint.mode, POL_HINT_CEIL_GIVE_UP);
    CU_ASSERT_EQUAL(n.hint.ceiling, S(120));
    CU_ASSERT_EQUAL(l.honor_should_retry, 0);
    CU_ASSERT_EQUAL(l.attempt_timeout, S(6000));
}

/* One verdict of a preset on a fresh request. */
static pol_verdict decide(const char *name, pol_outcome o)
{
    pol_retry_cfg c = get(name);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 42);
    pol_retry_state s;
    pol_verdict v;
    pol_retry_begin(&s, 0);
    pol_retry_next(&c, &s, &o, 0, r, &v);
    gsl_rng_free(r);
    return v;
}

static pol_outcome hinted(int status, pol_ns h)
{
    pol_outcome o = pol_outcome_make(POL_OUT_HTTP, status);
    o.retry_after = h;
    return o;
}

/* What the SDK code does with Retry-After: 0 < h <= 60 s honored, else backoff. */
static void test_openai_hints(void)
{
    const pol_ns backoff = 400611608LL;             /* 0.5 s (1 - 0.25 U), seed 42 */
    CU_ASSERT_EQUAL(decide("openai-python", hinted(429, S(30))).delay, S(30));
    CU_ASSERT_EQUAL(decide("openai-python", hinted(429, S(60))).delay, S(60));
    CU_ASSERT_EQUAL(decide("openai-python", hinted(429, S(61))).delay, backoff);
    CU_ASSERT_EQUAL(decide("openai-python", hinted(429, 0)).delay, backoff);
    CU_ASSERT_EQUAL(decide("openai-python", hinted(429, -1)).delay, backoff);
    pol_verdict v = decide("openai-python-next", hinted(429, S(121)));
    CU_ASSERT_EQUAL(v.action, POL_ACT_GIVE_UP);
    CU_ASSERT_EQUAL(v.reason, POL_REASON_HINT_TOO_LONG);
    CU_ASSERT_EQUAL(decide("openai-python-next", hinted(429, S(90))).delay, S(90));
    pol_outcome no = pol_outcome_make(POL_OUT_HTTP, 500);
    no.should_retry = 0;
    CU_ASSERT_EQUAL(decide("openai-python", no).reason, POL_REASON_SERVER_SAID_NO);
    CU_ASSERT_EQUAL(decide("litellm-router", no).action, POL_ACT_RETRY);
}

static void test_aws(void)
{
    pol_retry_cfg s = get("aws-standard"), l = get("aws-legacy");
    CU_ASSERT_EQUAL(s.max_attempts, 3);
    CU_ASSERT_EQUAL(s.backoff.jitter, POL_JITTER_FULL);
    CU_ASSERT_EQUAL(s.backoff.base, S(1));
    CU_ASSERT_EQUAL(s.backoff.cap, S(20));
    CU_ASSERT_EQUAL(s.hint.mode, POL_HINT_IGNORE);
    CU_ASSERT_EQUAL(cls(&s, POL_OUT_HTTP, 502), POL_CLASS_RETRY);
    CU_ASSERT_EQUAL(cls(&s, POL_OUT_HTTP, 504), POL_CLASS_RETRY);
    CU_ASSERT_EQUAL(cls(&s, POL_OUT_HTTP, 501), POL_CLASS_FAIL);
    CU_ASSERT_EQUAL(cls(&s, POL_OUT_HTTP, 409), POL_CLASS_FAIL);
    CU_ASSERT_EQUAL(cls(&s, POL_OUT_CONN_RESET, 0), POL_CLASS_RETRY);
    CU_ASSERT_EQUAL(l.max_attempts, 5);
    CU_ASSERT_EQUAL(l.backoff.cap, 0);
    CU_ASSERT_EQUAL(cls(&l, POL_OUT_HTTP, 509), POL_CLASS_RETRY);
    CU_ASSERT_EQUAL(cls(&l, POL_OUT_HTTP, 502), POL_CLASS_FAIL);
    CU_ASSERT_EQUAL(cls(&l, POL_OUT_HTTP, 504), POL_CLASS_FAIL);
    CU_ASSERT_EQUAL(cls(&l, POL_OUT_TIMEOUT, 0), POL_CLASS_RETRY);
    /* legacy is uncapped: the 10th retry's window is 512 s */
    CU_ASSERT_EQUAL(pol_backoff_nominal(&l.backoff, 10), S(512));
    CU_ASSERT_EQUAL(pol_backoff_nominal(&s.backoff, 10), S(20));
}

static void test_grpc_envoy(void)
{
    pol_retry_cfg g = get("grpc"), e = get("envoy");
    CU_ASSERT_EQUAL(g.max_attempts, 4);
    CU_ASSERT_EQUAL(g.backoff.base, MS(100));
    CU_ASSERT_EQUAL(g.backoff.cap, S(1));
    CU_ASSERT_EQUAL(g.hint.mode, POL_HINT_HONOR);
    CU_ASSERT_EQUAL(cls(&g, POL_OUT_HTTP, 503), POL_CLASS_RETRY);
    CU_ASSERT_EQUAL(cls(&g, POL_OUT_HTTP, 500), POL_CLASS_FAIL);
    CU_ASSERT_EQUAL(cls(&g, POL_OUT_TIMEOUT, 0), POL_CLASS_FAIL);
    CU_ASSERT_EQUAL(cls(&g, POL_OUT_CONN_REFUSED, 0), POL_CLASS_RETRY);
    CU_ASSERT_EQUAL(e.max_attempts, 2);
    CU_ASSERT_EQUAL(e.backoff.base, MS(25));
    CU_ASSERT_EQUAL(e.backoff.cap, MS(250));
    CU_ASSERT_EQUAL(cls(&e, POL_OUT_HTTP, 503), POL_CLASS_RETRY);
    CU_ASSERT_EQUAL(cls(&e, POL_OUT_HTTP, 429), POL_CLASS_FAIL);
    CU_ASSERT_EQUAL(cls(&e, POL_OUT_TIMEOUT, 0), POL_CLASS_RETRY);
}

static void test_generic_libraries(void)
{
    pol_retry_cfg t = get("tenacity-random-exponential"), b = get("backoff-expo-full-jitter"),
                  p = get("polly-v8-exponential-jitter"), r = get("resilience4j-exponential-random");
    CU_ASSERT_EQUAL(t.max_attempts, 0);
    CU_ASSERT_EQUAL(t.backoff.cap, S(60));
    CU_ASSERT_EQUAL(t.backoff.jitter, POL_JITTER_FULL);
    CU_ASSERT_EQUAL(cls(&t, POL_OUT_HTTP, 400), POL_CLASS_RETRY);  /* retries whatever raises */
    CU_ASSERT_EQUAL(cls(&t, POL_OUT_CONTEXT_WINDOW, 400), POL_CLASS_RETRY);
    CU_ASSERT_EQUAL(b.max_attempts, 0);
    CU_ASSERT_EQUAL(b.backoff.cap, 0);
    CU_ASSERT_EQUAL(p.max_attempts, 4);
    CU_ASSERT_EQUAL(p.backoff.jitter, POL_JITTER_DECORRELATED_V2);
    CU_ASSERT_EQUAL(p.backoff.base, S(2));
    CU_ASSERT_EQUAL(p.backoff.cap, 0);
    CU_ASSERT_EQUAL(r.max_attempts, 3);
    CU_ASSERT_EQUAL(r.backoff.base, MS(500));
    CU_ASSERT_DOUBLE_EQUAL(r.backoff.multiplier, 1.5, 0);
    CU_ASSERT_EQUAL(r.backoff.jitter, POL_JITTER_PROPORTIONAL);
    CU_ASSERT_DOUBLE_EQUAL(r.backoff.jitter_factor, 0.5, 0);
}

static void test_portkey_and_seeds(void)
{
    pol_retry_cfg p = get("portkey"), e = get("seed-exp-random1s"), f = get("seed-full-jitter");
    CU_ASSERT_EQUAL(p.max_attempts, 6);
    CU_ASSERT_EQUAL(p.backoff.jitter, POL_JITTER_NONE);
    CU_ASSERT_EQUAL(pol_backoff_nominal(&p.backoff, 5), S(16));
    CU_ASSERT_EQUAL(cls(&p, POL_OUT_HTTP, 429), POL_CLASS_RETRY);
    CU_ASSERT_EQUAL(cls(&p, POL_OUT_HTTP, 408), POL_CLASS_FAIL);
    CU_ASSERT_EQUAL(cls(&p, POL_OUT_HTTP, 529), POL_CLASS_FAIL);
    CU_ASSERT_EQUAL(cls(&p, POL_OUT_TIMEOUT, 0), POL_CLASS_FAIL);
    CU_ASSERT_EQUAL(cls(&p, POL_OUT_CONN_RESET, 0), POL_CLASS_RETRY);
    CU_ASSERT_EQUAL(e.max_attempts, 3);
    CU_ASSERT_EQUAL(e.backoff.jitter, POL_JITTER_ADDITIVE);
    CU_ASSERT_EQUAL(e.backoff.jitter_max, S(1));
    CU_ASSERT_EQUAL(f.max_attempts, 5);
    CU_ASSERT_EQUAL(f.backoff.cap, S(60));
    CU_ASSERT_EQUAL(f.hint.mode, POL_HINT_HONOR);
}

/* First four backoff delays of each preset from a fresh state, seed 42. */
static const struct { const char *name; pol_ns d[4]; } KAT[] = {
    { "openai-python", { 400611608LL, 845168023LL, 1628079528LL, 3003605403LL } },
    { "openai-python-next", { 400611608LL, 845168023LL, 1628079528LL, 3003605403LL } },
    { "anthropic-python", { 400611608LL, 845168023LL, 1628079528LL, 3003605403LL } },
    { "aws-standard", { 795107131LL, 1238655814LL, 2975363769LL, 7971156775LL } },
    { "aws-legacy", { 795107131LL, 1238655814LL, 2975363769LL, 7971156775LL } },
    { "grpc", { 79510713LL, 123865581LL, 297536376LL, 797115677LL } },
    { "envoy", { 19877678LL, 30966395LL, 74384094LL, 199278919LL } },
    { "tenacity-random-exponential", { 795107131LL, 1238655814LL, 2975363769LL, 7971156775LL } },
    { "backoff-expo-full-jitter", { 795107131LL, 1238655814LL, 2975363769LL, 7971156775LL } },
    { "polly-v8-exponential-jitter", { 2342669816LL, 1992638407LL, 5208658159LL, 13240778821LL } },
    { "resilience4j-exponential-random", { 647553565LL, 839495930LL, 1399321060LL, 2525165882LL } },
    { "litellm-router", { 400611608LL, 845168023LL, 1628079528LL, 3003605403LL } },
    { "portkey", { 1000000000LL, 2000000000LL, 4000000000LL, 8000000000LL } },
    { "seed-exp-random1s", { 1795107131LL, 2619327907LL, 4743840942LL, 8996394596LL } },
    { "seed-full-jitter", { 795107131LL, 1238655814LL, 2975363769LL, 7971156775LL } },
};

static void test_known_answers(void)
{
    size_t n;
    pol_preset_list(&n);
    CU_ASSERT_EQUAL(n, sizeof KAT / sizeof KAT[0]);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    for (size_t i = 0; i < sizeof KAT / sizeof KAT[0]; i++) {
        pol_retry_cfg c = get(KAT[i].name);
        pol_backoff_state s;
        pol_backoff_reset(&s);
        gsl_rng_set(r, 42);
        for (int k = 0; k < 4; k++) {
            pol_ns d = pol_backoff_next(&c.backoff, &s, k + 1, r);
            if (d != KAT[i].d[k])
                fprintf(stderr, "%s retry %d: got %lld want %lld\n", KAT[i].name, k + 1,
                        (long long)d, (long long)KAT[i].d[k]);
            CU_ASSERT_EQUAL(d, KAT[i].d[k]);
        }
    }
    gsl_rng_free(r);
}

static void register_suites(void)
{
    CU_SUITE("preset",
             { "list", test_list },
             { "Stainless SDKs and litellm constants", test_stainless_sdks },
             { "openai Retry-After and x-should-retry", test_openai_hints },
             { "aws standard and legacy", test_aws },
             { "grpc and envoy", test_grpc_envoy },
             { "tenacity, backoff, polly, resilience4j", test_generic_libraries },
             { "portkey and seed patterns", test_portkey_and_seeds },
             { "known answers, seed 42", test_known_answers });
}

CU_TEST_MAIN(register_suites)
