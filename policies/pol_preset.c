/* pol_preset.c — named presets reproducing real clients' retry defaults.
 * Each preset starts from pol_retry_default() and overrides what its client
 * does differently; the `source` string names library, version and file, and
 * says so when a constant could not be confirmed. docs/policies.md explains
 * every constant and what is approximated (AWS retry quota, error codes that
 * have no HTTP status, the per-deployment logic of gateways).
 * Invariants: names are unique; pol_preset_list() returns them in a fixed
 * order; every preset passes pol_retry_validate().
 * Cost: pol_preset_get is a linear scan over ~15 names plus a struct copy.
 */
#include "pol_preset.h"
#include <string.h>

/* ---- building blocks ---------------------------------------------------- */

static void set_backoff(pol_retry_cfg *c, pol_jitter_kind j, pol_ns base, double mult, pol_ns cap)
{
    c->backoff.kind = POL_BACKOFF_EXPONENTIAL;
    c->backoff.base = base;
    c->backoff.step = base;
    c->backoff.multiplier = mult;
    c->backoff.cap = cap;
    c->backoff.jitter = j;
}

static void set_hint(pol_retry_cfg *c, pol_hint_mode mode, pol_ns ceiling, int ignore_zero)
{
    c->hint.mode = mode;
    c->hint.ceiling = ceiling;
    c->hint.ignore_zero = ignore_zero;
}

/* Every HTTP error status (>= 300) gets cls. */
static void classify_errors(pol_retry_cfg *c, pol_class cls)
{
    for (int st = 300; st <= POL_STATUS_MAX; st++) pol_classify_set_status(&c->classify, st, cls);
}

/* Only the listed statuses are retried; every other error status fails. */
static void classify_only(pol_retry_cfg *c, const int *codes, size_t n)
{
    classify_errors(c, POL_CLASS_FAIL);
    for (size_t i = 0; i < n; i++) pol_classify_set_status(&c->classify, codes[i], POL_CLASS_RETRY);
}

/* Generic retry libraries retry whatever raises: every failure. */
static void classify_everything(pol_retry_cfg *c)
{
    classify_errors(c, POL_CLASS_RETRY);
    for (int k = POL_OUT_TIMEOUT; k < POL_OUT__COUNT; k++)
        pol_classify_set_kind(&c->classify, (pol_outcome_kind)k, POL_CLASS_RETRY);
}

/* A client whose retry loop returns once the response's headers are in:
 * what fails while the stream is read is the caller's (docs/policies.md,
 * §5.3: the SDKs return the Stream object from their retry loop). */
static void stream_failures_are(pol_retry_cfg *c, pol_class cls)
{
    for (int k = POL_OUT_STREAM_CUT; k <= POL_OUT_STREAM_TIMEOUT; k++)
        pol_classify_set_kind(&c->classify, (pol_outcome_kind)k, cls);
}

/* ---- presets ------------------------------------------------------------ */

/* Stainless-generated Python SDKs (openai, anthropic): 2 retries, 0.5 s x2
 * capped at 8 s times (1 - 0.25 U); Retry-After honored when 0 < h <= 60 s,
 * else the backoff; x-should-retry obeyed; 408 409 429 >=500 retried. */
static void fill_stainless(pol_retry_cfg *c)
{
    c->max_attempts = 3;
    c->attempt_timeout = 600 * POL_NS_PER_S;
    set_backoff(c, POL_JITTER_SUBTRACTIVE, 500 * POL_NS_PER_MS, 2.0, 8 * POL_NS_PER_S);
    c->backoff.jitter_factor = 0.25;
    set_hint(c, POL_HINT_CEIL_IGNORE, 60 * POL_NS_PER_S, 1);
    c->honor_should_retry = 1;
    stream_failures_are(c, POL_CLASS_FAIL);         /* retried only before the first byte */
}

static void fill_openai_python(pol_retry_cfg *c)
{
    fill_stainless(c);
}

static void fill_openai_python_next(pol_retry_cfg *c)
{
    fill_stainless(c);
    set_hint(c, POL_HINT_CEIL_GIVE_UP, 120 * POL_NS_PER_S, 1);
}

static void fill_anthropic_python(pol_retry_cfg *c)
{
    fill_stainless(c);                              /* 424 is not retried (issue 13) */
}

/* The Stainless-generated Node SDKs share the backoff (client.ts
 * calculateDefaultRetryTimeoutMillis) and shouldRetry (408 409 429 >= 500,
 * x-should-retry obeyed); they differ in what they do with a hint. */
static void fill_openai_node(pol_retry_cfg *c)
{
    fill_stainless(c);
    set_hint(c, POL_HINT_HONOR, 0, 0);             /* any hint, 0 included: no ceiling */
    c->hint.invalid_now = 1;                        /* NaN -> setTimeout(NaN) -> at once */
    c->hint.parse_float = 1;                        /* parseFloat(header) */
}

static void fill_anthropic_node(pol_retry_cfg *c)
{
    fill_stainless(c);
    /* honored when 0 < h <= 2^31 - 1 ms (one setTimeout), else the backoff */
    set_hint(c, POL_HINT_CEIL_IGNORE, 2147483647LL * POL_NS_PER_MS, 1);
    c->hint.parse_float = 1;                        /* parseFloat(header) */
}

static void fill_aws_standard(pol_retry_cfg *c)
{
    static const int codes[] = { 429, 500, 502, 503, 504 };
    c->max_attempts = 3;
    set_backoff(c, POL_JITTER_FULL, POL_NS_PER_S, 2.0, 20 * POL_NS_PER_S);
    set_hint(c, POL_HINT_IGNORE, 0, 0);
    c->honor_should_retry = 0;
    classify_only(c, codes, sizeof codes / sizeof codes[0]);
    stream_failures_are(c, POL_CLASS_FAIL);   /* needs-retry runs before an event stream is read */
}

static void fill_aws_legacy(pol_retry_cfg *c)
{
    static const int codes[] = { 429, 500, 503, 509 };
    c->max_attempts = 5;
    set_backoff(c, POL_JITTER_FULL, POL_NS_PER_S, 2.0, 0);
    set_hint(c, POL_HINT_IGNORE, 0, 0);
    c->honor_should_retry = 0;
    classify_only(c, codes, sizeof codes / sizeof codes[0]);
    stream_failures_are(c, POL_CLASS_FAIL);
}

static void fill_grpc(pol_retry_cfg *c)
{
    static const int codes[] = { 503 };                     /* UNAVAILABLE */
    c->max_attempts = 4;
    set_backoff(c, POL_JITTER_FULL, 100 * POL_NS_PER_MS, 2.0, POL_NS_PER_S);
    set_hint(c, POL_HINT_HONOR, 0, 0);                      /* grpc-retry-pushback-ms */
    c->honor_should_retry = 0;
    classify_only(c, codes, sizeof codes / sizeof codes[0]);
    pol_classify_set_kind(&c->classify, POL_OUT_TIMEOUT, POL_CLASS_FAIL); /* DEADLINE_EXCEEDED */
    stream_failures_are(c, POL_CLASS_FAIL);                 /* committed at the response headers */
}

static void fill_envoy(pol_retry_cfg *c)
{
    c->max_attempts = 2;
    set_backoff(c, POL_JITTER_FULL, 25 * POL_NS_PER_MS, 2.0, 250 * POL_NS_PER_MS);
    set_hint(c, POL_HINT_IGNORE, 0, 0);
    c->honor_should_retry = 0;
    classify_errors(c, POL_CLASS_FAIL);                     /* retry_on: 5xx */
    for (int st = 500; st <= POL_STATUS_MAX; st++)
        pol_classify_set_status(&c->classify, st, POL_CLASS_RETRY);
    stream_failures_are(c, POL_CLASS_FAIL);   /* no retry once the response has started downstream */
}

static void fill_tenacity(pol_retry_cfg *c)
{
    c->max_attempts = 0;                                    /* stop_never */
    set_backoff(c, POL_JITTER_FULL, POL_NS_PER_S, 2.0, 60 * POL_NS_PER_S);
    set_hint(c, POL_HINT_IGNORE, 0, 0);
    c->honor_should_retry = 0;
    classify_everything(c);
}

static void fill_backoff(pol_retry_cfg *c)
{
    c->max_attempts = 0;                                    /* max_tries=None */
    set_backoff(c, POL_JITTER_FULL, POL_NS_PER_S, 2.0, 0);
    set_hint(c, POL_HINT_IGNORE, 0, 0);
    c->honor_should_retry = 0;
    classify_everything(c);
}

static void fill_polly(pol_retry_cfg *c)
{
    c->max_attempts = 4;                                    /* MaxRetryAttempts 3 */
    set_backoff(c, POL_JITTER_DECORRELATED_V2, 2 * POL_NS_PER_S, 2.0, 0);
    set_hint(c, POL_HINT_IGNORE, 0, 0);
    c->honor_should_retry = 0;
}

static void fill_resilience4j(pol_retry_cfg *c)
{
    c->max_attempts = 3;
    set_backoff(c, POL_JITTER_PROPORTIONAL, 500 * POL_NS_PER_MS, 1.5, 0);
    c->backoff.jitter_factor = 0.5;
    set_hint(c, POL_HINT_IGNORE, 0, 0);
    c->honor_should_retry = 0;
    classify_everything(c);
}

static void fill_litellm(pol_retry_cfg *c)
{
    fill_stainless(c);
    c->attempt_timeout = 6000 * POL_NS_PER_S;               /* litellm.request_timeout */
    c->honor_should_retry = 0;
    /* MidStreamFallbackError: the router's fallbacks, with the partial text
     * as a prefix (_acompletion_streaming_iterator; stream recovery) */
    stream_failures_are(c, POL_CLASS_FALLBACK);
}

static void fill_portkey(pol_retry_cfg *c)
{
    static const int codes[] = { 429, 500, 502, 503, 504 };
    c->max_attempts = 6;                                    /* "attempts": 5 */
    set_backoff(c, POL_JITTER_NONE, POL_NS_PER_S, 2.0, 0);
    set_hint(c, POL_HINT_IGNORE, 0, 0);
    c->honor_should_retry = 0;
    classify_only(c, codes, sizeof codes / sizeof codes[0]);
    pol_classify_set_kind(&c->classify, POL_OUT_TIMEOUT, POL_CLASS_FAIL); /* becomes a 408 */
    stream_failures_are(c, POL_CLASS_FAIL);                 /* retried on a response status only */
}

static void fill_seed_exp_random1s(pol_retry_cfg *c)
{
    c->max_attempts = 3;
    set_backoff(c, POL_JITTER_ADDITIVE, POL_NS_PER_S, 2.0, 0);
    c->backoff.jitter_max = POL_NS_PER_S;
    set_hint(c, POL_HINT_IGNORE, 0, 0);
}

static void fill_seed_full_jitter(pol_retry_cfg *c)
{
    c->max_attempts = 5;
    set_backoff(c, POL_JITTER_FULL, POL_NS_PER_S, 2.0, 60 * POL_NS_PER_S);
    set_hint(c, POL_HINT_HONOR, 0, 0);
}

/* ---- table -------------------------------------------------------------- */

typedef void (*preset_fill)(pol_retry_cfg *c);

static const pol_preset_info infos[] = {
    { "openai-python",
      "3 attempts; 0.5s x2 cap 8s times (1-0.25U); Retry-After honored if 0<h<=60s; x-should-retry",
      "openai-python 1.x to 2.51.0 (last checked 2.51.0) src/openai/_constants.py (DEFAULT_MAX_RETRIES 2, "
      "INITIAL_RETRY_DELAY 0.5, MAX_RETRY_DELAY 8.0, DEFAULT_TIMEOUT 600) and "
      "src/openai/_base_client.py (_calculate_retry_timeout, _should_retry)" },
    { "openai-python-next",
      "as openai-python, but a Retry-After above 120s gives up instead of backing off",
      "openai-python 2.52.0 and later (checked 3.3.1): _constants.py MAX_RETRY_AFTER_DELAY = 2*60, "
      "_base_client.py _should_retry refuses longer hints (#3555, first released in 2.52.0)" },
    { "anthropic-python",
      "as openai-python (Retry-After honored if 0<h<=60s; 408 409 429 >=500 retried)",
      "anthropic-sdk-python 0.121.0 src/anthropic/_constants.py (DEFAULT_MAX_RETRIES 2, "
      "INITIAL_RETRY_DELAY 0.5, MAX_RETRY_DELAY 8.0, timeout 10*60) and src/anthropic/_base_client.py "
      "(_calculate_retry_timeout 0 < retry_after <= 60; _should_retry 408 409 429 >=500, no 424)" },
    { "openai-node",
      "3 attempts; 0.5s x2 cap 8s times (1-0.25U); any Retry-After honored, 0 and unparseable = now",
      "openai-node (npm openai 6.49.0) src/client.ts: maxRetries ?? 2, DEFAULT_TIMEOUT 600000, "
      "shouldRetry (x-should-retry, 408 409 429 >=500), retryRequest (retry-after-ms then "
      "retry-after by parseFloat / Date.parse, no ceiling), calculateDefaultRetryTimeoutMillis" },
    { "anthropic-node",
      "as openai-node, but a hint is honored only if 0 < h <= 2^31-1 ms, else the backoff",
      "anthropic-node (npm @anthropic-ai/sdk 1.15.0) src/client.ts: maxRetries ?? 2, DEFAULT_TIMEOUT "
      "600000, shouldRetry (x-should-retry, 408 409 429 >=500: no 424), retryRequest "
      "(timeoutMillis > 0 && <= 2 ** 31 - 1), calculateDefaultRetryTimeoutMillis" },
    { "aws-standard",
      "3 attempts; full jitter U(0, min(20s, 2^(n-1) s)); 429/500/502/503/504 and network errors",
      "botocore botocore/retries/standard.py (DEFAULT_MAX_ATTEMPTS 3, ExponentialBackoff _BASE 2 "
      "_MAX_BACKOFF 20, STANDARD_RETRY_MODE_VERSION 2.0); retry quota not modeled here" },
    { "aws-legacy",
      "5 attempts; rand()*2^(n-1) s, uncapped; 429/500/503/509 and network errors",
      "botocore botocore/data/_retry.json __default__ (max_attempts 5, base rand, growth_factor 2) "
      "and botocore/retryhandler.py delay_exponential" },
    { "grpc",
      "4 attempts; U(0, min(0.1s*2^(n-1), 1s)); UNAVAILABLE (503) only; pushback honored",
      "grpc/proposal A6-client-retries.md (formula and the example retryPolicy: maxAttempts 4, "
      "initialBackoff 0.1s, maxBackoff 1s, backoffMultiplier 2, UNAVAILABLE); gRPC has no defaults" },
    { "envoy",
      "2 attempts (num_retries 1); U(0, min(25ms*2^(n-1), 250ms)); retry_on 5xx",
      "envoy source/common/common/backoff_strategy.cc JitteredExponentialBackOffStrategy; "
      "router docs: num_retries 1, base_interval 25ms, max_interval 10x base" },
    { "tenacity-random-exponential",
      "unlimited attempts; wait_random_exponential(multiplier=1, max=60): U(0, min(60s, 2^(n-1) s))",
      "tenacity tenacity/wait.py wait_exponential (exponent attempt_number-1) and "
      "wait_random_exponential (uniform(min, upper)); stop defaults to stop_never" },
    { "backoff-expo-full-jitter",
      "unlimited attempts; on_exception(expo, full_jitter): U(0, 2^(n-1) s), uncapped",
      "litl/backoff backoff/_wait_gen.py expo(base=2, factor=1, max_value=None) and "
      "backoff/_jitter.py full_jitter = random.uniform(0, value); max_tries defaults to None" },
    { "polly-v8-exponential-jitter",
      "4 attempts; Exponential + UseJitter: decorrelated jitter V2, median first delay 2s, uncapped",
      "App-vNext/Polly src/Polly.Core/Retry/RetryHelper.cs DecorrelatedJitterBackoffV2 and "
      "RetryConstants.cs (DefaultRetryCount 3, DefaultBaseDelay 2s); MaxDelay null by default" },
    { "resilience4j-exponential-random",
      "3 attempts; ofExponentialRandomBackoff(500ms, 1.5, 0.5): d*U(0.5, 1.5), uncapped",
      "resilience4j IntervalFunction (DEFAULT_INITIAL_INTERVAL 500, DEFAULT_MULTIPLIER 1.5, "
      "DEFAULT_RANDOMIZATION_FACTOR 0.5) and RetryConfig DEFAULT_MAX_ATTEMPTS 3" },
    { "litellm-router",
      "3 attempts (num_retries = openai DEFAULT_MAX_RETRIES 2); openai's backoff, x-should-retry ignored",
      "BerriAI/litellm litellm/router.py (num_retries fallback openai.DEFAULT_MAX_RETRIES, "
      "retry_after 0) and litellm/utils.py _calculate_retry_after (reimplements openai's); "
      "first-retry exponent offset not confirmed" },
    { "portkey",
      "6 attempts (attempts 5); 1s x2 no jitter, uncapped; 429/500/502/503/504; Retry-After off",
      "Portkey-AI/gateway src/handlers/retryHandler.ts (async-retry, randomize false; "
      "minTimeout 1s, factor 2 are async-retry defaults, not re-read) and portkey.ai docs "
      "automatic-retries (default on_status_codes, up to 5 attempts)" },
    { "seed-exp-random1s",
      "3 attempts; 1s x2 + U(0, 1s), uncapped; Retry-After ignored",
      "the common 'exponential backoff plus 0-1 s random' client pattern (no single source)" },
    { "seed-full-jitter",
      "5 attempts; full jitter base 1s cap 60s; Retry-After honored",
      "AWS Architecture Blog, Exponential Backoff And Jitter (2015), Full Jitter" },
};
static const preset_fill fills[] = {
    fill_openai_python, fill_openai_python_next, fill_anthropic_python, fill_openai_node,
    fill_anthropic_node, fill_aws_standard,
    fill_aws_legacy, fill_grpc, fill_envoy, fill_tenacity, fill_backoff, fill_polly,
    fill_resilience4j, fill_litellm, fill_portkey, fill_seed_exp_random1s, fill_seed_full_jitter,
};
#define N_PRESETS (sizeof infos / sizeof infos[0])
_Static_assert(sizeof fills / sizeof fills[0] == N_PRESETS, "one fill per preset");

int pol_preset_get(const char *name, pol_retry_cfg *out)
{
    if (!name) return POL_EINVAL;
    for (size_t i = 0; i < N_PRESETS; i++) {
        if (strcmp(infos[i].name, name) != 0) continue;
        if (out) {
            pol_retry_default(out);
            fills[i](out);
        }
        return POL_OK;
    }
    return POL_ENOTFOUND;
}

const pol_preset_info *pol_preset_list(size_t *n_out)
{
    if (n_out) *n_out = N_PRESETS;
    return infos;
}
