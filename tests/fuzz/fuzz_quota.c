/* fuzz_quota.c — libFuzzer target: the policy library's rate-limit header
 * parsers (policies/pol_quota.h): pol_quota_apply_header with the OpenAI
 * and Anthropic header names, and the duration, count and timestamp
 * parsers. The first byte picks the header name, the rest is the value.
 * Checks: no crash; a malformed value leaves the state unchanged; parsed
 * counts, durations and delays are never negative.
 * Seeds: tests/fuzz/corpus/quota/. */
#include "pol_quota.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const NAMES[] = {
    "x-ratelimit-remaining-requests", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-requests",
    "x-ratelimit-reset-tokens", "x-ratelimit-limit-requests", "anthropic-ratelimit-requests-remaining",
    "anthropic-ratelimit-tokens-remaining", "anthropic-ratelimit-requests-reset", "anthropic-ratelimit-tokens-reset",
    "anthropic-ratelimit-input-tokens-remaining", "X-RateLimit-Reset-Tokens", "retry-after",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    char *v = malloc(size);
    if (!v) return 0;
    memcpy(v, data + 1, size - 1);
    v[size - 1] = '\0';
    const int64_t now = 1750000000LL * POL_NS_PER_S;
    pol_quota q;
    pol_quota_reset(&q);
    const char *name = NAMES[data[0] % (sizeof NAMES / sizeof NAMES[0])];
    pol_quota before = q;
    if (pol_quota_apply_header(&q, name, v, data[0] & 0x80 ? 5 * POL_NS_PER_S : 0, now) != POL_OK &&
        memcmp(&q, &before, sizeof q))
        abort();                                        /* a malformed value leaves q unchanged */
    if (q.remaining_requests < -1 || q.remaining_tokens < -1) abort();
    pol_ns d;
    if (pol_quota_parse_duration(v, &d) == POL_OK && d < 0) abort();
    int64_t n;
    if (pol_quota_parse_count(v, &n) == POL_OK && n < 0) abort();
    if (pol_quota_parse_timestamp(v, now, &d) == POL_OK && d < 0) abort();
    free(v);
    return 0;
}
