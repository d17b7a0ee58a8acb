/* pol_retry.h — the retry state machine of one logical request.
 *
 * A client calls pol_retry_begin() when the request starts, makes an attempt,
 * and after each attempt calls pol_retry_next() with the outcome. The verdict
 * says: DONE (success), RETRY after `delay`, FALLBACK (try the next target),
 * or GIVE_UP with a reason. Order of the checks in pol_retry_next:
 *   1. success -> DONE.
 *   2. x-should-retry (when cfg.honor_should_retry): "false" -> GIVE_UP
 *      (SERVER_SAID_NO); "true" -> retryable whatever the class.
 *   3. class FAIL -> GIVE_UP (NOT_RETRYABLE); class FALLBACK -> FALLBACK.
 *   4. attempts made >= max_attempts -> GIVE_UP (MAX_ATTEMPTS)
 *      (with FALLBACK as the action if cfg.fallback_on_exhaust).
 *   5. delay = backoff for retry n = attempts made, combined with the hint per
 *      cfg.hint.mode (CEIL_GIVE_UP may answer GIVE_UP, HINT_TOO_LONG); the CEIL
 *      modes also refuse a hint that would take the hints honored since begin
 *      past cfg.hint.budget (when > 0).
 *   6. deadline: if now + delay >= start + deadline -> GIVE_UP (DEADLINE):
 *      never start a sleep that would cross the deadline.
 *   7. RETRY with that delay.
 * Pure: the verdict depends only on (cfg, state, outcome, now, rng draws).
 * Cost: O(1), no allocation. The cfg is read-only and may be shared.
 */
#ifndef POL_RETRY_H
#define POL_RETRY_H
#include "pol_common.h"
#include "pol_backoff.h"
#include "pol_hint.h"
#include "pol_classify.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* public */
    int     max_attempts;        /* total attempts including the first, >= 1; 0 = unlimited */
    pol_ns  deadline;            /* total time budget from begin, 0 = none */
    pol_ns  attempt_timeout;     /* per-attempt timeout the caller enforces, 0 = none */
    pol_backoff_cfg  backoff;
    pol_hint_cfg     hint;
    pol_classify_cfg classify;
    int     honor_should_retry;  /* obey x-should-retry (OpenAI/Anthropic SDKs do) */
    int     fallback_on_exhaust; /* after the last attempt answer FALLBACK, not GIVE_UP */
} pol_retry_cfg;

typedef enum {
    POL_ACT_DONE = 0,
    POL_ACT_RETRY,
    POL_ACT_FALLBACK,
    POL_ACT_GIVE_UP
} pol_action;

typedef enum {
    POL_REASON_NONE = 0,
    POL_REASON_NOT_RETRYABLE,
    POL_REASON_MAX_ATTEMPTS,
    POL_REASON_DEADLINE,
    POL_REASON_HINT_TOO_LONG,
    POL_REASON_SERVER_SAID_NO,
    POL_REASON_FALLBACK_CLASS,   /* the outcome's class was FALLBACK */
    POL_REASON__COUNT
} pol_reason;

typedef struct {
    /* public: the answer, filled by pol_retry_next */
    pol_action action;
    pol_reason reason;
    pol_ns     delay;            /* for RETRY: how long to sleep before the next attempt */
    pol_class  cls;              /* the outcome's class */
} pol_verdict;

typedef struct {
    /* public */
    pol_ns  start;               /* the deadline's origin: pol_retry_begin sets it to
                                    `now`; a caller may move it (e.g. back to the
                                    first begin, so that one deadline covers the
                                    fallback targets too, as the simulator does) */
    /* read-only */
    int     attempts;            /* attempts reported so far */
    pol_ns  last_delay;          /* the delay of the last RETRY verdict, 0 before */
    pol_ns  hinted;              /* total of the hints honored since begin (hint.budget) */
    /* private */
    pol_backoff_state bo;
} pol_retry_state;

POL_API void pol_retry_default(pol_retry_cfg *out);   /* 3 attempts, exp 1s x2 cap 60s full jitter, honor hints, default classes */
POL_API int  pol_retry_validate(const pol_retry_cfg *c);
POL_API void pol_retry_begin(pol_retry_state *s, pol_ns now);
/* Reports the attempt just finished and decides. Returns POL_OK or POL_EINVAL
 * (null args); the answer is in *v. */
POL_API int  pol_retry_next(const pol_retry_cfg *c, pol_retry_state *s, const pol_outcome *o,
                            pol_ns now, gsl_rng *r, pol_verdict *v);

POL_API const char *pol_action_name(pol_action a);   /* "done","retry","fallback","give-up" */
POL_API const char *pol_reason_name(pol_reason r);   /* "none","not-retryable","max-attempts","deadline",... */

#ifdef __cplusplus
}
#endif
#endif
