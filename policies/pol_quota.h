/* pol_quota.h — quota awareness: pre-emptive delay from rate-limit headers.
 *
 * Responses carry the provider's view of the caller's quota:
 *   OpenAI     x-ratelimit-remaining-requests / -tokens (integers) and
 *              x-ratelimit-reset-requests / -tokens (durations such as
 *              "6m0s", "1s", "250ms", "1h2m3.5s": Go duration syntax, units
 *              h m s ms us µs ns, each number may have a fraction)
 *   Anthropic  anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-
 *              {remaining,reset}, reset an RFC 3339 timestamp
 *              ("2024-06-01T12:00:30Z", offset or fraction allowed)
 * pol_quota_apply_header() folds one header into the state (the reset is kept
 * as an absolute time on the caller's clock: now + delay). Before a request,
 * pol_quota_check() answers GO, or WAIT until the reset when the remaining
 * count is below its threshold (requests: < min_requests; tokens: < max(
 * min_tokens, tokens the request needs)), plus U(0, jitter) so that clients
 * do not wake together; the longer of the two waits wins, capped at max_wait
 * (0 = no cap). Once a reset time has passed the count is treated as unknown
 * (GO) until the next response. pol_quota_on_send() decrements the local
 * view so that concurrent requests do not all spend the same remainder.
 * Parsers are strict like pol_hint.c: optional spaces around the value,
 * anything else off-grammar POL_EPARSE, negative or beyond a day POL_ERANGE;
 * they write the output only on POL_OK.
 * Cost: O(length of the value) per header, O(1) per check, at most two
 * rng draws, no allocation.
 */
#ifndef POL_QUOTA_H
#define POL_QUOTA_H
#include "pol_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { POL_QUOTA_GO = 0, POL_QUOTA_WAIT = 1 } pol_quota_answer;

typedef struct {
    /* public */
    int64_t min_requests;     /* wait when remaining requests < this (default 1) */
    int64_t min_tokens;       /* wait when remaining tokens < max(this, needed) (0) */
    pol_ns  jitter;           /* spread: + U(0, jitter) (default 1 s) */
    pol_ns  max_wait;         /* 0 = no cap */
} pol_quota_cfg;

typedef struct {
    /* public: the caller's view of its quota, plain data. pol_quota_reset
     * and pol_quota_apply_header write it; a caller that learns the quota
     * some other way may set the fields itself (the simulator does) */
    int64_t remaining_requests, remaining_tokens;   /* -1 = unknown */
    pol_ns  reset_requests_at, reset_tokens_at;     /* absolute, -1 = unknown */
} pol_quota;

POL_API void pol_quota_default(pol_quota_cfg *out);
POL_API void pol_quota_reset(pol_quota *q);
/* OpenAI duration ("6m0s", "250ms") -> ns. */
POL_API int  pol_quota_parse_duration(const char *value, pol_ns *out);
/* Non-negative decimal integer. */
POL_API int  pol_quota_parse_count(const char *value, int64_t *out);
/* RFC 3339 timestamp -> delay from wall_now (Unix ns); past times give 0. */
POL_API int  pol_quota_parse_timestamp(const char *value, int64_t wall_now, pol_ns *delay_out);
/* Folds one header (case-insensitive name); unknown names are ignored
 * (POL_OK); a malformed value returns its error and leaves q unchanged. */
POL_API int  pol_quota_apply_header(pol_quota *q, const char *name, const char *value,
                                    pol_ns now, int64_t wall_now);
/* Returns GO or WAIT (>= 0) or POL_EINVAL; *wait_out is the delay (0 for GO). */
POL_API int  pol_quota_check(const pol_quota_cfg *c, const pol_quota *q, pol_ns now, double tokens,
                             gsl_rng *r, pol_ns *wait_out);
POL_API void pol_quota_on_send(pol_quota *q, double tokens);

#ifdef __cplusplus
}
#endif
#endif
