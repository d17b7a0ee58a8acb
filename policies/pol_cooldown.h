/* pol_cooldown.h — taking failing targets out of rotation for a while.
 *
 * The caller owns an array of pol_cooldown_target (one per target), reports
 * every attempt's outcome with pol_cooldown_record(), and asks
 * pol_cooldown_available() before routing (or copies it into
 * pol_lb_target.available). Two kinds:
 *   LITELLM  LiteLLM Router cooldowns (router_utils/cooldown_handlers.py).
 *            Only statuses in cfg.fail run the logic (default: 401, 404,
 *            408, 429, 5xx and transport errors; other 4xx never cool down).
 *            With allowed_fails > 0 (the legacy allowed_fails policy): a
 *            failure count that expires cooldown_time after its last
 *            increment; the failure that makes it exceed allowed_fails starts
 *            a cooldown. With allowed_fails == 0 (current default logic),
 *            counted per UTC minute, the current failure included: a 429
 *            cools down at once when there is more than one target; else
 *            fails/(fails+successes) > failure_threshold (0.5) with at least
 *            min_requests (5) calls this minute and more than one target;
 *            a non-retryable status (401, 404) cools down at once. A cooldown
 *            lasts cooldown_time (5 s), or with hint_sets_cooldown the 429's
 *            Retry-After when it has one (capped at hint_cap if > 0).
 *   ENVOY    Envoy outlier detection, consecutive_5xx: consecutive failures
 *            (default mask: 5xx and transport errors; any other response
 *            resets the run) reaching consecutive_5xx (5) eject the target,
 *            unless 100 x ejected / n >= max_ejection_percent (10). An
 *            ejection lasts base_ejection (30 s) x ejections, capped at
 *            max(base, max_ejection) (300 s); hosts return at the first
 *            analysis sweep (every interval, 10 s, from pol_cooldown_init's
 *            now) at or after that; each sweep a host spends un-ejected
 *            decrements its multiplier (not below 0).
 * Invariants: available() is a pure function of state and now; ENVOY never
 * ejects past the percentage (checked before each ejection).
 * Cost: O(1) per record, O(n) per ENVOY ejection decision, no allocation.
 */
#ifndef POL_COOLDOWN_H
#define POL_COOLDOWN_H
#include "pol_common.h"
#include "pol_failmask.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { POL_COOLDOWN_LITELLM = 0, POL_COOLDOWN_ENVOY, POL_COOLDOWN__COUNT } pol_cooldown_kind;

typedef struct {
    /* public */
    pol_cooldown_kind kind;
    /* LITELLM */
    int     allowed_fails;        /* 0 = current rate logic; > 0 = legacy allowed_fails */
    pol_ns  cooldown_time;        /* 5 s */
    double  failure_threshold;    /* 0.5 */
    int     min_requests;         /* 5 */
    int     hint_sets_cooldown;   /* a 429's Retry-After sets the length */
    pol_ns  hint_cap;             /* 0 = none */
    /* ENVOY */
    int     consecutive_5xx;      /* 5 */
    pol_ns  base_ejection;        /* 30 s */
    pol_ns  max_ejection;         /* 300 s */
    double  max_ejection_percent; /* 10 */
    pol_ns  interval;             /* 10 s */
    pol_failmask fail;
} pol_cooldown_cfg;

typedef struct {
    /* read-only (pol_cooldown_init initialises the array) */
    pol_ns  until;                /* unavailable before this */
    int     consecutive;          /* ENVOY run of failures */
    int     ejections;            /* ENVOY multiplier */
    /* private */
    pol_ns  healthy_since;        /* ENVOY: when the last ejection ended */
    int64_t minute;               /* LITELLM current-minute counters */
    int     fails_minute, successes_minute;
    int     fails;                /* LITELLM legacy counter ... */
    pol_ns  fails_expire;         /* ... and when it expires */
    /* read-only */
    uint64_t cooldowns;           /* times cooled down / ejected */
} pol_cooldown_target;

typedef struct {
    /* read-only */
    pol_cooldown_cfg cfg;         /* the copy pol_cooldown_init took */
    pol_cooldown_target *t;       /* caller-owned array */
    size_t  n;
    /* private */
    pol_ns  origin;               /* ENVOY sweep grid origin */
    /* read-only */
    uint64_t overflows;           /* ENVOY ejections refused by the percentage */
} pol_cooldown;

POL_API void pol_cooldown_default(pol_cooldown_kind k, pol_cooldown_cfg *out);
POL_API int  pol_cooldown_validate(const pol_cooldown_cfg *c);
POL_API int  pol_cooldown_init(pol_cooldown *c, const pol_cooldown_cfg *cfg,
                               pol_cooldown_target *targets, size_t n, pol_ns now);
POL_API void pol_cooldown_reset(pol_cooldown *c, pol_ns now);
/* 1 when this outcome started a cooldown / ejection now, 0 when not, < 0 error. */
POL_API int  pol_cooldown_record(pol_cooldown *c, size_t i, pol_ns now, const pol_outcome *o);
POL_API int  pol_cooldown_available(const pol_cooldown *c, size_t i, pol_ns now);  /* 1 / 0 */
POL_API size_t pol_cooldown_unavailable(const pol_cooldown *c, pol_ns now);      /* how many out */

POL_API const char *pol_cooldown_kind_name(pol_cooldown_kind k);  /* "litellm","envoy" */
POL_API int         pol_cooldown_kind_parse(const char *name, pol_cooldown_kind *out);

#ifdef __cplusplus
}
#endif
#endif
