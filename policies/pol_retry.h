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
 *   4. attempts made >= max_attempts, or the matched rule's limit reached
 *      (per cfg.count) -> GIVE_UP (MAX_ATTEMPTS) (with FALLBACK as the action
 *      if fallback_on_exhaust).
 *   5. delay = backoff for retry n = attempts made (PER_KIND: made of this
 *      rule's kinds), combined with the hint per the hint mode (CEIL_GIVE_UP
 *      may answer GIVE_UP, HINT_TOO_LONG; the CEIL modes also refuse a hint
 *      that would take the hints honored since begin past hint.budget, when
 *      > 0); the rule's backoff and hint cfg when it sets them.
 *   6. deadline: if now + delay >= start + deadline -> GIVE_UP (DEADLINE):
 *      never start a sleep that would cross the deadline.
 *   7. RETRY with that delay.
 * Per-kind rules (cfg.rules, at most POL_RETRY_MAX_RULES): the first rule
 * whose match contains the outcome (a status, a status class, a non-HTTP
 * kind) replaces the policy's max_attempts, backoff, hint handling,
 * x-should-retry and fallback_on_exhaust with its own (the fields its `set`
 * mask names); an outcome no rule matches uses the policy's. cfg.max_attempts
 * stays a cap over all attempts and cfg.deadline is shared. How a rule's
 * max_attempts counts when kinds alternate is cfg.count:
 *   SHARED      one counter of all attempts against the matched rule's max
 *               (openai-python / anthropic SDKs, tenacity stop_after_attempt,
 *               a hand-written `for attempt in range(n)` loop);
 *   PER_KIND    each rule counts the attempts that ended with its kinds, and
 *               its backoff's retry number is that count;
 *   FIRST_KIND  the rule of the request's first failed attempt sets the limit
 *               of the whole request (LiteLLM Router: num_retries is read from
 *               its RetryPolicy for the first exception only).
 * With no rules every mode decides exactly as before rules existed.
 * Semantics and sources: docs/policies.md, "Per-error-kind schedules".
 * Pure: the verdict depends only on (cfg, state, outcome, now, rng draws).
 * Cost: O(rules) to find the rule, else O(1); no allocation. The cfg is
 * read-only and may be shared.
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

#define POL_RETRY_MAX_RULES 8
#define POL_RETRY_NO_RULE   (-1)     /* "no rule matched": the policy's own settings */

/* How per-kind rules count attempts (pol_retry_cfg.count). */
typedef enum {
    POL_COUNT_SHARED = 0,    /* one counter of all attempts, against each matched rule's max */
    POL_COUNT_PER_KIND,      /* each rule counts the attempts that ended with its own kinds */
    POL_COUNT_FIRST_KIND,    /* the rule of the first failed attempt sets the request's limit */
    POL_COUNT__COUNT
} pol_count_mode;

/* The settings a rule replaces (pol_retry_rule.set): the others are the policy's. */
enum {
    POL_RULE_MAX_ATTEMPTS        = 1u << 0,
    POL_RULE_BACKOFF             = 1u << 1,   /* the whole backoff cfg */
    POL_RULE_HINT                = 1u << 2,   /* the whole hint cfg */
    POL_RULE_SHOULD_RETRY        = 1u << 3,   /* honor_should_retry */
    POL_RULE_FALLBACK_ON_EXHAUST = 1u << 4,
    POL_RULE__ALL                = (1u << 5) - 1
};

#define POL_RULE_STATUS_BYTES ((POL_STATUS_MAX - POL_STATUS_MIN) / 8 + 1)

/* One per-kind rule: what it matches and what it changes. Fill it with
 * pol_retry_rule_init (the policy's values, nothing matched, nothing set),
 * the pol_retry_rule_match_* functions, then the fields and `set` bits. */
typedef struct {
    /* public */
    uint8_t  status[POL_RULE_STATUS_BYTES]; /* matched HTTP statuses: status s is bit
                                               (s - POL_STATUS_MIN) % 8 of byte
                                               (s - POL_STATUS_MIN) / 8 */
    uint16_t kinds;              /* matched non-HTTP outcomes: bit k for kind k, only
                                    POL_OUT_TIMEOUT .. POL_OUT_STREAM_TIMEOUT */
    unsigned set;                /* POL_RULE_* bits: which fields below apply */
    int      max_attempts;       /* counted per cfg.count; 0 = no limit of its own */
    pol_backoff_cfg backoff;
    pol_hint_cfg    hint;
    int      honor_should_retry;
    int      fallback_on_exhaust;
} pol_retry_rule;

typedef struct {
    /* public */
    int     max_attempts;        /* total attempts including the first, >= 1; 0 = unlimited.
                                    With rules: a cap over all attempts, and the limit of
                                    outcomes no rule matches */
    pol_ns  deadline;            /* total time budget from begin, 0 = none (shared by all kinds) */
    pol_ns  attempt_timeout;     /* per-attempt timeout the caller enforces, 0 = none */
    pol_backoff_cfg  backoff;
    pol_hint_cfg     hint;
    pol_classify_cfg classify;
    int     honor_should_retry;  /* obey x-should-retry (OpenAI/Anthropic SDKs do) */
    int     fallback_on_exhaust; /* after the last attempt answer FALLBACK, not GIVE_UP */
    pol_count_mode count;        /* how rules count attempts, default SHARED */
    int     nrules;              /* 0..POL_RETRY_MAX_RULES; first match wins */
    pol_retry_rule rules[POL_RETRY_MAX_RULES];
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
    pol_backoff_state bo;        /* the policy's schedule (and that of rules without their own) */
    /* read-only */
    int     last_rule;           /* the rule the last failed attempt matched, or
                                    POL_RETRY_NO_RULE */
    int     first_rule;          /* the rule of the first failed attempt (POL_RETRY_NO_RULE
                                    when none matched); -2 before the first failure */
    int     kind_attempts[POL_RETRY_MAX_RULES + 1]; /* failed attempts per rule: [0] matched
                                    no rule, [1 + i] matched rules[i] */
    /* private */
    unsigned rule_bo_live;       /* bit i: rule_bo[i] is initialised for this request */
    pol_backoff_state rule_bo[POL_RETRY_MAX_RULES]; /* rules with their own backoff */
} pol_retry_state;

POL_API void pol_retry_default(pol_retry_cfg *out);   /* 3 attempts, exp 1s x2 cap 60s full jitter, honor hints, default classes */
POL_API int  pol_retry_validate(const pol_retry_cfg *c);
POL_API void pol_retry_begin(pol_retry_state *s, pol_ns now);
/* Reports the attempt just finished and decides. Returns POL_OK or POL_EINVAL
 * (null args); the answer is in *v. */
POL_API int  pol_retry_next(const pol_retry_cfg *c, pol_retry_state *s, const pol_outcome *o,
                            pol_ns now, gsl_rng *r, pol_verdict *v);

/* Per-kind rules. pol_retry_rule_init: nothing matched, nothing set, the
 * fields copied from policy (or pol_retry_default's when policy is NULL).
 * _match_status adds the statuses lo..hi (within 100..599); _match_kind a
 * non-HTTP kind (TIMEOUT .. STREAM_TIMEOUT); _match_parse one item in the
 * scenario syntax: "429" (400..599), "4xx" / "5xx", or a kind name
 * (pol_outcome_kind_name: "timeout", "refused", "reset", "context-window",
 * "content-policy"). They return POL_OK, POL_EINVAL (NULL, a kind that cannot
 * be matched), POL_ERANGE (a status out of range) or POL_EPARSE. */
POL_API int  pol_retry_rule_init(pol_retry_rule *r, const pol_retry_cfg *policy);
POL_API int  pol_retry_rule_match_status(pol_retry_rule *r, int lo, int hi);
POL_API int  pol_retry_rule_match_kind(pol_retry_rule *r, pol_outcome_kind k);
POL_API int  pol_retry_rule_match_parse(pol_retry_rule *r, const char *item);
/* 1 when the rule matches the outcome (never a success), else 0. */
POL_API int  pol_retry_rule_matches(const pol_retry_rule *r, const pol_outcome *o);
/* Appends a copy of r to c->rules: its index, or POL_ERANGE when full,
 * POL_EINVAL for NULL. */
POL_API int  pol_retry_add_rule(pol_retry_cfg *c, const pol_retry_rule *r);
/* The index of the first rule matching o, or POL_RETRY_NO_RULE. */
POL_API int  pol_retry_rule_for(const pol_retry_cfg *c, const pol_outcome *o);
POL_API const char *pol_count_mode_name(pol_count_mode m);   /* "shared","per-kind","first-kind" */
POL_API int         pol_count_mode_parse(const char *name, pol_count_mode *out);

POL_API const char *pol_action_name(pol_action a);   /* "done","retry","fallback","give-up" */
POL_API const char *pol_reason_name(pol_reason r);   /* "none","not-retryable","max-attempts","deadline",... */

#ifdef __cplusplus
}
#endif
#endif
