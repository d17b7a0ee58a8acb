/* test_preset.c — CUnit tests of pol_preset: the list (unique names, a
 * summary and a source each, every preset valid), the constants of each
 * client as documented in docs/policies.md, behaviour the clients are known
 * for, and known-answer delays (gsl_rng_taus2, seed 42) for every preset.
 */
#include "cu_util.h"
#include "retrypol.h"
#include <stdio.h>
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

/* The constants of every preset, as docs/policies.md lists them. */
static const struct {
    const char *name;
    int attempts;
    pol_ns base, cap;
    double mult;
    pol_jitter_kind jitter;
    pol_hint_mode hint;
    pol_ns ceiling;
    int should_retry;
} CONSTANTS[] = {
    { "openai-python", 3, MS(500), S(8), 2.0, POL_JITTER_SUBTRACTIVE, POL_HINT_CEIL_IGNORE, S(60), 1 },
    { "openai-python-next", 3, MS(500), S(8), 2.0, POL_JITTER_SUBTRACTIVE, POL_HINT_CEIL_GIVE_UP, S(120), 1 },
    { "anthropic-python", 3, MS(500), S(8), 2.0, POL_JITTER_SUBTRACTIVE, POL_HINT_CEIL_IGNORE, S(60), 1 },
    { "openai-node", 3, MS(500), S(8), 2.0, POL_JITTER_SUBTRACTIVE, POL_HINT_HONOR, 0, 1 },
    { "anthropic-node", 3, MS(500), S(8), 2.0, POL_JITTER_SUBTRACTIVE, POL_HINT_CEIL_IGNORE,
      2147483647LL * POL_NS_PER_MS, 1 },
    { "aws-standard", 3, S(1), S(20), 2.0, POL_JITTER_FULL, POL_HINT_IGNORE, 0, 0 },
    { "aws-legacy", 5, S(1), 0, 2.0, POL_JITTER_FULL, POL_HINT_IGNORE, 0, 0 },
    { "grpc", 4, MS(100), S(1), 2.0, POL_JITTER_FULL, POL_HINT_HONOR, 0, 0 },
    { "envoy", 2, MS(25), MS(250), 2.0, POL_JITTER_FULL, POL_HINT_IGNORE, 0, 0 },
    { "tenacity-random-exponential", 0, S(1), S(60), 2.0, POL_JITTER_FULL, POL_HINT_IGNORE, 0, 0 },
    { "backoff-expo-full-jitter", 0, S(1), 0, 2.0, POL_JITTER_FULL, POL_HINT_IGNORE, 0, 0 },
    { "polly-v8-exponential-jitter", 4, S(2), 0, 2.0, POL_JITTER_DECORRELATED_V2, POL_HINT_IGNORE, 0, 0 },
    { "resilience4j-exponential-random", 3, MS(500), 0, 1.5, POL_JITTER_PROPORTIONAL, POL_HINT_IGNORE, 0, 0 },
    { "litellm-router", 3, MS(500), S(8), 2.0, POL_JITTER_SUBTRACTIVE, POL_HINT_CEIL_IGNORE, S(60), 0 },
    { "portkey", 6, S(1), 0, 2.0, POL_JITTER_NONE, POL_HINT_IGNORE, 0, 0 },
    { "seed-exp-random1s", 3, S(1), 0, 2.0, POL_JITTER_ADDITIVE, POL_HINT_IGNORE, 0, 1 },
    { "seed-full-jitter", 5, S(1), S(60), 2.0, POL_JITTER_FULL, POL_HINT_HONOR, 0, 1 },
};

static void test_constants(void)
{
    size_t n;
    pol_preset_list(&n);
    CU_ASSERT_EQUAL(n, sizeof CONSTANTS / sizeof CONSTANTS[0]);
    for (size_t i = 0; i < sizeof CONSTANTS / sizeof CONSTANTS[0]; i++) {
        pol_retry_cfg c = get(CONSTANTS[i].name);
        CU_ASSERT_EQUAL(c.max_attempts, CONSTANTS[i].attempts);
        CU_ASSERT_EQUAL(c.backoff.kind, POL_BACKOFF_EXPONENTIAL);
        CU_ASSERT_EQUAL(c.backoff.base, CONSTANTS[i].base);
        CU_ASSERT_EQUAL(c.backoff.cap, CONSTANTS[i].cap);
        CU_ASSERT_DOUBLE_EQUAL(c.backoff.multiplier, CONSTANTS[i].mult, 0);
        CU_ASSERT_EQUAL(c.backoff.jitter, CONSTANTS[i].jitter);
        CU_ASSERT_EQUAL(c.hint.mode, CONSTANTS[i].hint);
        CU_ASSERT_EQUAL(c.hint.ceiling, CONSTANTS[i].ceiling);
        CU_ASSERT_EQUAL(c.honor_should_retry, CONSTANTS[i].should_retry);
    }
    pol_retry_cfg c = get("openai-python");
    CU_ASSERT_DOUBLE_EQUAL(c.backoff.jitter_factor, 0.25, 0);
    CU_ASSERT_EQUAL(c.hint.ignore_zero, 1);
    CU_ASSERT_EQUAL(c.attempt_timeout, S(600));
    CU_ASSERT_EQUAL(get("anthropic-python").attempt_timeout, S(600));
    CU_ASSERT_EQUAL(get("litellm-router").attempt_timeout, S(6000));
    CU_ASSERT_DOUBLE_EQUAL(get("resilience4j-exponential-random").backoff.jitter_factor, 0.5, 0);
    CU_ASSERT_EQUAL(get("seed-exp-random1s").backoff.jitter_max, S(1));
    /* uncapped presets really grow: the 10th window of aws-legacy is 512 s */
    pol_retry_cfg legacy = get("aws-legacy"), standard = get("aws-standard"), pk = get("portkey");
    CU_ASSERT_EQUAL(pol_backoff_nominal(&legacy.backoff, 10), S(512));
    CU_ASSERT_EQUAL(pol_backoff_nominal(&standard.backoff, 10), S(20));
    CU_ASSERT_EQUAL(pol_backoff_nominal(&pk.backoff, 5), S(16));
}

/* Which outcomes each client retries, fails or falls back on. */
static const struct { const char *name; pol_outcome_kind kind; int status; pol_class cls; } CLASSES[] = {
    { "openai-python", POL_OUT_HTTP, 408, POL_CLASS_RETRY },
    { "openai-python", POL_OUT_HTTP, 409, POL_CLASS_RETRY },
    { "openai-python", POL_OUT_HTTP, 429, POL_CLASS_RETRY },
    { "openai-python", POL_OUT_HTTP, 501, POL_CLASS_RETRY },
    { "openai-python", POL_OUT_HTTP, 400, POL_CLASS_FAIL },
    { "openai-python", POL_OUT_HTTP, 424, POL_CLASS_FAIL },
    { "openai-python", POL_OUT_TIMEOUT, 0, POL_CLASS_RETRY },
    { "anthropic-python", POL_OUT_HTTP, 424, POL_CLASS_FAIL },   /* no 424 in any release */
    { "anthropic-python", POL_OUT_HTTP, 529, POL_CLASS_RETRY },
    { "openai-node", POL_OUT_HTTP, 408, POL_CLASS_RETRY },
    { "openai-node", POL_OUT_HTTP, 409, POL_CLASS_RETRY },
    { "openai-node", POL_OUT_HTTP, 424, POL_CLASS_FAIL },
    { "openai-node", POL_OUT_HTTP, 500, POL_CLASS_RETRY },
    { "openai-node", POL_OUT_CONN_REFUSED, 0, POL_CLASS_RETRY },
    { "openai-node", POL_OUT_TIMEOUT, 0, POL_CLASS_RETRY },
    { "anthropic-node", POL_OUT_HTTP, 424, POL_CLASS_FAIL },
    { "anthropic-node", POL_OUT_HTTP, 429, POL_CLASS_RETRY },
    { "anthropic-node", POL_OUT_HTTP, 529, POL_CLASS_RETRY },
    { "anthropic-node", POL_OUT_HTTP, 400, POL_CLASS_FAIL },
    { "aws-standard", POL_OUT_HTTP, 502, POL_CLASS_RETRY },
    { "aws-standard", POL_OUT_HTTP, 504, POL_CLASS_RETRY },
    { "aws-standard", POL_OUT_HTTP, 501, POL_CLASS_FAIL },
    { "aws-standard", POL_OUT_HTTP, 409, POL_CLASS_FAIL },
    { "aws-standard", POL_OUT_CONN_RESET, 0, POL_CLASS_RETRY },
    { "aws-legacy", POL_OUT_HTTP, 509, POL_CLASS_RETRY },
    { "aws-legacy", POL_OUT_HTTP, 502, POL_CLASS_FAIL },
    { "aws-legacy", POL_OUT_HTTP, 504, POL_CLASS_FAIL },
    { "aws-legacy", POL_OUT_TIMEOUT, 0, POL_CLASS_RETRY },
    { "grpc", POL_OUT_HTTP, 503, POL_CLASS_RETRY },
    { "grpc", POL_OUT_HTTP, 500, POL_CLASS_FAIL },
    { "grpc", POL_OUT_TIMEOUT, 0, POL_CLASS_FAIL },
    { "grpc", POL_OUT_CONN_REFUSED, 0, POL_CLASS_RETRY },
    { "envoy", POL_OUT_HTTP, 503, POL_CLASS_RETRY },
    { "envoy", POL_OUT_HTTP, 429, POL_CLASS_FAIL },
    { "envoy", POL_OUT_TIMEOUT, 0, POL_CLASS_RETRY },
    { "tenacity-random-exponential", POL_OUT_HTTP, 400, POL_CLASS_RETRY },
    { "tenacity-random-exponential", POL_OUT_CONTEXT_WINDOW, 400, POL_CLASS_RETRY },
    { "backoff-expo-full-jitter", POL_OUT_HTTP, 404, POL_CLASS_RETRY },
    { "resilience4j-exponential-random", POL_OUT_HTTP, 401, POL_CLASS_RETRY },
    { "polly-v8-exponential-jitter", POL_OUT_HTTP, 400, POL_CLASS_FAIL },
    { "litellm-router", POL_OUT_CONTEXT_WINDOW, 400, POL_CLASS_FALLBACK },
    { "portkey", POL_OUT_HTTP, 429, POL_CLASS_RETRY },
    { "portkey", POL_OUT_HTTP, 408, POL_CLASS_FAIL },
    { "portkey", POL_OUT_HTTP, 529, POL_CLASS_FAIL },
    { "portkey", POL_OUT_TIMEOUT, 0, POL_CLASS_FAIL },
    { "portkey", POL_OUT_CONN_RESET, 0, POL_CLASS_RETRY },
};

static void test_classes(void)
{
    for (size_t i = 0; i < sizeof CLASSES / sizeof CLASSES[0]; i++) {
        pol_retry_cfg c = get(CLASSES[i].name);
        pol_outcome o = pol_outcome_make(CLASSES[i].kind, CLASSES[i].status);
        pol_class got = pol_classify(&c.classify, &o);
        if (got != CLASSES[i].cls)
            fprintf(stderr, "%s %s %d: %s, want %s\n", CLASSES[i].name,
                    pol_outcome_kind_name(CLASSES[i].kind), CLASSES[i].status, pol_class_name(got),
                    pol_class_name(CLASSES[i].cls));
        CU_ASSERT_EQUAL(got, CLASSES[i].cls);
    }
}

/* What each client does with a stream that fails after its first byte
 * (docs/policies.md, §5.3): the SDKs, botocore, gRPC, Envoy and Portkey have
 * returned (or forwarded) the response by then: FAIL, the caller's problem;
 * LiteLLM's router falls back (MidStreamFallbackError); the wrappers that
 * call a whole function (tenacity, backoff, Polly, resilience4j, the seeds'
 * loops) retry it. */
static void test_stream_classes(void)
{
    static const struct { const char *name; pol_class cls; } T[] = {
        { "openai-python", POL_CLASS_FAIL }, { "openai-python-next", POL_CLASS_FAIL },
        { "anthropic-python", POL_CLASS_FAIL }, { "openai-node", POL_CLASS_FAIL },
        { "anthropic-node", POL_CLASS_FAIL }, { "aws-standard", POL_CLASS_FAIL },
        { "aws-legacy", POL_CLASS_FAIL }, { "grpc", POL_CLASS_FAIL }, { "envoy", POL_CLASS_FAIL },
        { "portkey", POL_CLASS_FAIL }, { "litellm-router", POL_CLASS_FALLBACK },
        { "tenacity-random-exponential", POL_CLASS_RETRY }, { "backoff-expo-full-jitter", POL_CLASS_RETRY },
        { "polly-v8-exponential-jitter", POL_CLASS_RETRY }, { "resilience4j-exponential-random", POL_CLASS_RETRY },
        { "seed-exp-random1s", POL_CLASS_RETRY }, { "seed-full-jitter", POL_CLASS_RETRY },
    };
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++) {
        pol_retry_cfg c = get(T[i].name);
        for (int k = POL_OUT_STREAM_CUT; k <= POL_OUT_STREAM_TIMEOUT; k++) {
            pol_outcome o = pol_outcome_make((pol_outcome_kind)k, 200);
            pol_class got = pol_classify(&c.classify, &o);
            if (got != T[i].cls)
                fprintf(stderr, "%s %s: %s, want %s\n", T[i].name, pol_outcome_kind_name((pol_outcome_kind)k),
                        pol_class_name(got), pol_class_name(T[i].cls));
            CU_ASSERT_EQUAL(got, T[i].cls);
        }
    }
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

/* What the Node SDKs' retryRequest does with a hint (npm openai 6.49.0,
 * @anthropic-ai/sdk 1.15.0, src/client.ts). */
static void test_node_hints(void)
{
    const pol_ns backoff = 400611608LL;             /* 0.5 s (1 - 0.25 U), seed 42 */
    const pol_ns max_timer = 2147483647LL * POL_NS_PER_MS;
    /* openai-node: any hint is slept, no ceiling; 0 means at once */
    CU_ASSERT_EQUAL(decide("openai-node", hinted(429, S(61))).delay, S(61));
    CU_ASSERT_EQUAL(decide("openai-node", hinted(429, S(86400))).delay, S(86400));
    pol_verdict v = decide("openai-node", hinted(429, 0));
    CU_ASSERT_EQUAL(v.action, POL_ACT_RETRY);
    CU_ASSERT_EQUAL(v.delay, 0);
    CU_ASSERT_EQUAL(decide("openai-node", hinted(429, -1)).delay, backoff);   /* no header */
    CU_ASSERT_EQUAL(get("openai-node").hint.invalid_now, 1);
    /* anthropic-node: 0 < h <= 2^31 - 1 ms, else the backoff */
    CU_ASSERT_EQUAL(decide("anthropic-node", hinted(429, S(61))).delay, S(61));
    CU_ASSERT_EQUAL(decide("anthropic-node", hinted(429, max_timer)).delay, max_timer);
    CU_ASSERT_EQUAL(decide("anthropic-node", hinted(429, max_timer + POL_NS_PER_MS)).delay, backoff);
    CU_ASSERT_EQUAL(decide("anthropic-node", hinted(429, 0)).delay, backoff);
    CU_ASSERT_EQUAL(get("anthropic-node").hint.invalid_now, 0);
    /* the Python SDKs stop at 60 s: the 61 s hint the Node SDK waits out */
    CU_ASSERT_EQUAL(decide("anthropic-python", hinted(429, S(61))).delay, backoff);
    /* an unparseable retry-after, folded as each SDK reads it */
    pol_retry_cfg on = get("openai-node"), an = get("anthropic-node");
    pol_outcome o = pol_outcome_make(POL_OUT_HTTP, 429);
    CU_ASSERT_EQUAL(pol_hint_apply_header_as(&o, "retry-after", "soon", 0, &on.hint), POL_OK);
    CU_ASSERT_EQUAL(o.retry_after, 0);
    CU_ASSERT_EQUAL(decide("openai-node", o).delay, 0);
    o = pol_outcome_make(POL_OUT_HTTP, 429);
    CU_ASSERT_EQUAL(pol_hint_apply_header_as(&o, "retry-after", "soon", 0, &an.hint), POL_EPARSE);
    CU_ASSERT_EQUAL(o.retry_after, -1);
    CU_ASSERT_EQUAL(decide("anthropic-node", o).delay, backoff);
    /* x-should-retry: false is obeyed by both */
    pol_outcome no = pol_outcome_make(POL_OUT_HTTP, 500);
    no.should_retry = 0;
    CU_ASSERT_EQUAL(decide("openai-node", no).reason, POL_REASON_SERVER_SAID_NO);
    CU_ASSERT_EQUAL(decide("anthropic-node", no).reason, POL_REASON_SERVER_SAID_NO);
}

/* First four backoff delays of each preset from a fresh state, seed 42. */
static const struct { const char *name; pol_ns d[4]; } KAT[] = {
    { "openai-python", { 400611608LL, 845168023LL, 1628079528LL, 3003605403LL } },
    { "openai-python-next", { 400611608LL, 845168023LL, 1628079528LL, 3003605403LL } },
    { "anthropic-python", { 400611608LL, 845168023LL, 1628079528LL, 3003605403LL } },
    { "openai-node", { 400611608LL, 845168023LL, 1628079528LL, 3003605403LL } },
    { "anthropic-node", { 400611608LL, 845168023LL, 1628079528LL, 3003605403LL } },
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

/* pol_retry_spec_parse: the inline specs of `retrysim delays` and the Python package */
static void test_spec_parse(void)
{
    pol_retry_cfg c, p;
    char err[256];
    CU_ASSERT_EQUAL(pol_retry_spec_parse("exponential:base=1s,cap=60s,jitter=full,attempts=5", &c, err, sizeof err), POL_OK);
    CU_ASSERT_EQUAL(c.backoff.kind, POL_BACKOFF_EXPONENTIAL);
    CU_ASSERT_EQUAL(c.backoff.base, POL_NS_PER_S);
    CU_ASSERT_EQUAL(c.backoff.step, POL_NS_PER_S);               /* step follows base */
    CU_ASSERT_EQUAL(c.backoff.cap, 60 * POL_NS_PER_S);
    CU_ASSERT_EQUAL(c.max_attempts, 5);
    CU_ASSERT_EQUAL(c.nrules, 0);
    CU_ASSERT_EQUAL(pol_retry_spec_parse("linear:base=250ms,step=1.5s,mult=3,factor=0.5,jitter=proportional", &c, err, sizeof err), POL_OK);
    CU_ASSERT_EQUAL(c.backoff.step, 1500 * POL_NS_PER_MS);
    CU_ASSERT_EQUAL(c.backoff.base, 250 * POL_NS_PER_MS);
    CU_ASSERT_DOUBLE_EQUAL(c.backoff.jitter_factor, 0.5, 0);
    /* a preset, then rules and the counting mode */
    CU_ASSERT_EQUAL(pol_retry_spec_parse("openai-python;on=429|5xx:attempts=5,base=2s;count=per-kind", &c, err, sizeof err), POL_OK);
    CU_ASSERT_EQUAL(pol_preset_get("openai-python", &p), POL_OK);
    CU_ASSERT_EQUAL(c.max_attempts, p.max_attempts);
    CU_ASSERT_EQUAL(c.nrules, 1);
    CU_ASSERT_EQUAL(c.count, POL_COUNT_PER_KIND);
    CU_ASSERT_EQUAL(c.rules[0].set, POL_RULE_MAX_ATTEMPTS | POL_RULE_BACKOFF);
    CU_ASSERT_EQUAL(c.rules[0].backoff.base, 2 * POL_NS_PER_S);
    CU_ASSERT_EQUAL(c.rules[0].backoff.jitter, p.backoff.jitter);  /* the rest is the policy's */
    pol_outcome o = pol_outcome_make(POL_OUT_HTTP, 503);
    CU_ASSERT_EQUAL(pol_retry_rule_for(&c, &o), 0);
    /* errors: a message, *out untouched */
    struct { const char *spec; int rc; const char *msg; } bad[] = {
        { "nope", POL_ENOTFOUND, "unknown policy 'nope' (not a preset;" },
        { "exponential:bsae=1s", POL_EPARSE, "unknown key 'bsae' in inline spec" },
        { "exponential:base=soon", POL_EPARSE, "bad value 'soon' for base: " },
        { "exponential:base=-1s", POL_ERANGE, "bad value '-1s' for base: " },
        { "exponential:base", POL_EPARSE, "inline spec item 'base' is not key=value" },
        { "constant;on=200:attempts=2", POL_EPARSE, "bad match '200' in inline spec" },
        { "constant;count=most", POL_EPARSE, "bad count 'most'" },
        { "constant;retry=1", POL_EPARSE, "inline spec segment 'retry=1' is neither" },
        { "exponential:mult=0.5", POL_ERANGE, "is out of range" },
        { NULL, POL_EINVAL, "no spec" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&c, 0x5a, sizeof c);
        pol_retry_cfg before = c;
        int rc = pol_retry_spec_parse(bad[i].spec, &c, err, sizeof err);
        CU_ASSERT_EQUAL(rc, bad[i].rc);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].msg));
        if (!strstr(err, bad[i].msg)) fprintf(stderr, "%s: got '%s'\n", bad[i].spec ? bad[i].spec : "NULL", err);
        CU_ASSERT_EQUAL(memcmp(&c, &before, sizeof c), 0);
    }
    /* a tiny buffer truncates; NULL err is fine */
    char tiny[8];
    CU_ASSERT_EQUAL(pol_retry_spec_parse("nope", &c, tiny, sizeof tiny), POL_ENOTFOUND);
    CU_ASSERT_EQUAL(strlen(tiny), 7);
    CU_ASSERT_EQUAL(pol_retry_spec_parse("nope", &c, NULL, 0), POL_ENOTFOUND);
    CU_ASSERT_EQUAL(pol_retry_spec_parse("exponential:base=1s;on=429:a=1", &c, NULL, 0), POL_EPARSE);
}

/* The number and duration grammar (pol_parse_*, pol_units.c) that the
 * specs above and every scenario value read. */
static void test_units_grammar(void)
{
    static const struct { const char *text; int rc; pol_ns ns; } dur[] = {
        { "250ms", POL_OK, 250000000 }, { "1.5 s", POL_OK, 1500000000 }, { " 2m ", POL_OK, 120000000000 },
        { "1min", POL_OK, 60000000000 }, { "1h", POL_OK, 3600000000000 }, { "0", POL_OK, 0 },
        { "1e3ms", POL_OK, 1000000000 }, { "3us", POL_OK, 3000 }, { "7ns", POL_OK, 7 },
        { "5", POL_EPARSE, 0 }, { "-1s", POL_ERANGE, 0 }, { "0x10s", POL_EPARSE, 0 }, { "inf", POL_EPARSE, 0 },
        { "1s x", POL_EPARSE, 0 }, { "1sec", POL_EPARSE, 0 }, { "", POL_EPARSE, 0 }, { "1e19s", POL_ERANGE, 0 },
        { "s", POL_EPARSE, 0 }, { "1 .5s", POL_EPARSE, 0 },
    };
    for (size_t i = 0; i < sizeof dur / sizeof dur[0]; i++) {
        pol_ns v = -7;
        int rc = pol_parse_duration(dur[i].text, &v);
        if (rc != dur[i].rc || (rc == POL_OK && v != dur[i].ns) || (rc != POL_OK && v != -7))
            fprintf(stderr, "\n  duration '%s': rc %d, %lld\n", dur[i].text, rc, (long long)v);
        CU_ASSERT_EQUAL(rc, dur[i].rc);
        CU_ASSERT_EQUAL(v, rc == POL_OK ? dur[i].ns : -7);      /* untouched on error */
    }
    static const struct { const char *text; int rc; double v; } num[] = {
        { " 2.5 ", POL_OK, 2.5 }, { "-3e2", POL_OK, -300 }, { "+.5", POL_OK, 0.5 }, { "1e400", POL_ERANGE, 0 },
        { "nan", POL_EPARSE, 0 }, { "0x1p3", POL_EPARSE, 0 }, { "1,5", POL_EPARSE, 0 }, { "", POL_EPARSE, 0 },
        { "2 3", POL_EPARSE, 0 },
    };
    for (size_t i = 0; i < sizeof num / sizeof num[0]; i++) {
        double v = -7;
        int rc = pol_parse_double(num[i].text, &v);
        CU_ASSERT_EQUAL(rc, num[i].rc);
        CU_ASSERT_EQUAL(v, rc == POL_OK ? num[i].v : -7);
    }
    long long n = -7;
    CU_ASSERT_EQUAL(pol_parse_int(" 42 ", &n), POL_OK);
    CU_ASSERT_EQUAL(n, 42);
    CU_ASSERT_EQUAL(pol_parse_int("4.2", &n), POL_EPARSE);
    CU_ASSERT_EQUAL(pol_parse_int("99999999999999999999", &n), POL_ERANGE);
    CU_ASSERT_EQUAL(n, 42);
    CU_ASSERT_EQUAL(pol_parse_duration(NULL, &(pol_ns){ 0 }), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_parse_double("1", NULL), POL_EINVAL);
    /* a spec reads durations with it: base=1.5 s is 1.5e9 ns */
    pol_retry_cfg c;
    CU_ASSERT_EQUAL_FATAL(pol_retry_spec_parse("exponential:base=250ms,cap=1min", &c, NULL, 0), POL_OK);
    CU_ASSERT_EQUAL(c.backoff.base, 250000000);
    CU_ASSERT_EQUAL(c.backoff.cap, 60000000000);
}

static void register_suites(void)
{
    CU_SUITE("preset",
             { "list", test_list },
             { "constants of every preset", test_constants },
             { "what each client retries", test_classes },
             { "what each client does with a failed stream", test_stream_classes },
             { "openai Retry-After and x-should-retry", test_openai_hints },
             { "Node SDKs: no ceiling, 0 and unparseable hints", test_node_hints },
             { "known answers, seed 42", test_known_answers },
             { "inline specs (pol_retry_spec_parse)", test_spec_parse },
             { "numbers and durations (pol_parse_*)", test_units_grammar });
}

CU_TEST_MAIN(register_suites)
