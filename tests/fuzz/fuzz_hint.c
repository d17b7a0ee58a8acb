/* fuzz_hint.c — libFuzzer target: the policy library's hint header parsers
 * (policies/pol_hint.h): retry-after (seconds or an HTTP date),
 * retry-after-ms, x-should-retry, and pol_hint_apply_header with each
 * name. The input is the header value (NUL-terminated copy). Checks: no
 * crash; a parsed delay is never negative; a flag is 0 or 1; a failed
 * apply leaves the outcome as it was. Seeds: tests/fuzz/corpus/hint/. */
#include "pol_hint.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *v = malloc(size + 1);
    if (!v) return 0;
    memcpy(v, data, size);
    v[size] = '\0';
    const int64_t now = 1750000000LL * POL_NS_PER_S;     /* a fixed wall clock: 2025-06-15 */
    pol_ns d = -7;
    if (pol_hint_parse_retry_after_ms(v, &d) == POL_OK && d < 0) abort();
    d = -7;
    if (pol_hint_parse_retry_after(v, now, &d) == POL_OK && d < 0) abort();
    int flag = 7;
    if (pol_hint_parse_should_retry(v, &flag) == POL_OK && flag != 0 && flag != 1) abort();
    static const char *const NAMES[] = { "retry-after", "Retry-After-Ms", "x-should-retry", "x-other" };
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++) {
        pol_outcome o = pol_outcome_make(POL_OUT_HTTP, 429), before = o;
        if (pol_hint_apply_header(&o, NAMES[i], v, now) != POL_OK && memcmp(&o, &before, sizeof o)) abort();
        if (o.retry_after < -1) abort();
    }
    free(v);
    return 0;
}
