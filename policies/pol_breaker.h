/* pol_breaker.h — circuit breakers: one API, three trip rules.
 *
 * A caller asks pol_breaker_allow() before each call (ALLOW, REJECT, or PROBE
 * while half-open) and reports each admitted call with pol_breaker_record().
 * States CLOSED -> OPEN -> HALF_OPEN -> CLOSED or OPEN:
 *   CLOSED     every call is allowed; results feed the trip rule of the kind:
 *     CONSECUTIVE  fail_max consecutive failures open it; a success resets
 *                  the count (pybreaker: fail_max 5, reset_timeout 60 s).
 *     RATE         Resilience4j: over a count-based (last window_size calls)
 *                  or time-based (last window_size seconds) window, once
 *                  it holds >= min_calls calls (count-based: min(min_calls,
 *                  window_size)), open when failures*100/calls >= failure_rate
 *                  or slow*100/calls >= slow_rate; a call is slow when its
 *                  duration > slow_duration (defaults 50 %, 100 calls, 100
 *                  calls, 100 %, 60 s, wait 60 s, 10 half-open calls).
 *     RATIO        Polly v8: over sampling (10 slices), once throughput >=
 *                  min_throughput, a failure opens it when failures/throughput
 *                  >= failure_ratio (0.1, 30 s, 100, break 5 s).
 *   OPEN       every call is rejected until open_until = opening time + break
 *              duration; break = break_duration, or with break_max > 0,
 *              break_duration x consecutive openings capped at break_max
 *              (Envoy ejection style). Results of calls admitted before the
 *              opening are ignored.
 *   HALF_OPEN  the first call at or after open_until moves to HALF_OPEN; at
 *              most half_open_probes calls are admitted (answer PROBE), the
 *              rest rejected. CONSECUTIVE and RATIO: a failed probe reopens
 *              at once, half_open_probes successes close. RATE: once all
 *              probes are recorded, their failure or slow rate at or above
 *              the thresholds reopens, else it closes. Closing clears the
 *              window and the consecutive-openings count. If half_open_max_wait
 *              > 0 and probes are still outstanding that long after entering
 *              HALF_OPEN, the breaker reopens (Resilience4j
 *              maxWaitDurationInHalfOpenState; 0 = wait forever).
 * half_open = ALL (the seed's breaker): HALF_OPEN admits every call (each a
 *              PROBE), the first result recorded decides (success closes,
 *              failure reopens), whatever the kind; and, as the seed's
 *              record_success / record_failure run in every state, a success
 *              recorded while OPEN (a call admitted before the opening)
 *              closes it, and a failure recorded while OPEN restarts the
 *              break from now (the seed times out from the last failure).
 * A probe permit that is not used (the call was never made) is returned with
 * pol_breaker_cancel(). In HALF_OPEN a record consumes one outstanding probe;
 * records beyond the admitted probes are ignored.
 * Which outcomes are failures: cfg.fail (pol_failmask.h).
 * Invariants: never more than half_open_probes PROBE answers per half-open
 * period; `transitions` counts every state change. Sources and formulas:
 * docs/stateful-policies.md.
 * Cost: O(1) per call (the time window advances slice by slice). Memory: the
 * window ring, allocated once by pol_breaker_init (window_size bytes
 * count-based, 3 x 8 x slices bytes time-based); nothing allocates later.
 */
#ifndef POL_BREAKER_H
#define POL_BREAKER_H
#include "pol_common.h"
#include "pol_failmask.h"
#include "pol_window.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    POL_BREAKER_CONSECUTIVE = 0,  /* pybreaker */
    POL_BREAKER_RATE,             /* Resilience4j CircuitBreaker */
    POL_BREAKER_RATIO,            /* Polly v8 circuit breaker */
    POL_BREAKER__COUNT
} pol_breaker_kind;

typedef enum { POL_BREAKER_CLOSED = 0, POL_BREAKER_OPEN, POL_BREAKER_HALF_OPEN } pol_breaker_state;
typedef enum { POL_BREAKER_ALLOW = 0, POL_BREAKER_REJECT, POL_BREAKER_PROBE } pol_breaker_answer;
typedef enum { POL_WINDOW_COUNT_BASED = 0, POL_WINDOW_TIME_BASED } pol_window_kind;
/* What HALF_OPEN admits: half_open_probes probes (every library above), or
 * every call (the seed's CircuitBreaker, /work/shared/seeds/000: once the
 * timeout has passed every call goes through; the first success closes, the
 * first failure reopens). */
typedef enum { POL_BREAKER_HALF_OPEN_PROBES = 0, POL_BREAKER_HALF_OPEN_ALL } pol_breaker_half_open;

typedef struct {
    /* public */
    pol_breaker_kind kind;
    /* CONSECUTIVE */
    int     fail_max;             /* consecutive failures that open, >= 1 */
    /* RATE */
    pol_window_kind window_kind;
    int     window_size;          /* calls (count-based) or seconds (time-based), >= 1 */
    int     min_calls;            /* >= 1 */
    double  failure_rate;         /* percent, (0, 100] */
    double  slow_rate;            /* percent, (0, 100] */
    pol_ns  slow_duration;        /* > 0 */
    /* RATIO */
    double  failure_ratio;        /* (0, 1] */
    pol_ns  sampling;             /* > 0 */
    int     min_throughput;       /* >= 2 */
    /* all kinds */
    pol_ns  break_duration;       /* open time, > 0 */
    pol_ns  break_max;            /* 0 = fixed; else base x openings, capped here */
    int     half_open_probes;     /* >= 1 (HALF_OPEN_PROBES) */
    pol_ns  half_open_max_wait;   /* 0 = forever */
    pol_breaker_half_open half_open;  /* PROBES (default) or ALL: see below */
    pol_failmask fail;
} pol_breaker_cfg;

typedef struct {
    /* read-only */
    pol_breaker_cfg cfg;          /* the copy pol_breaker_init took */
    pol_breaker_state state;      /* as last stored (pol_breaker_state_at: as of now) */
    pol_ns   open_until;          /* OPEN: when probes start */
    pol_ns   half_open_at;        /* HALF_OPEN: when it was entered */
    int      openings;            /* consecutive openings (reset on close) */
    int      consecutive;         /* CONSECUTIVE: current run of failures */
    int      probes_admitted, probes_recorded, probe_failures, probe_slow;
    uint64_t transitions;         /* also pol_breaker_transitions() */
    /* private */
    /* RATE count-based ring: one byte per call (bit0 failed, bit1 slow) */
    uint8_t *ring;
    int      ring_head, ring_len, ring_fail, ring_slow;
    /* RATE time-based and RATIO: counters calls, failures, slow */
    pol_window win;
    int64_t *cells;
} pol_breaker;

/* Defaults of the kind's reference library (see the top of this file). */
POL_API void pol_breaker_default(pol_breaker_kind k, pol_breaker_cfg *out);
POL_API int  pol_breaker_validate(const pol_breaker_cfg *c);
/* Allocates the window; POL_EINVAL (bad cfg) or POL_ENOMEM. Starts CLOSED. */
POL_API int  pol_breaker_init(pol_breaker *b, const pol_breaker_cfg *c);
POL_API void pol_breaker_free(pol_breaker *b);
POL_API void pol_breaker_reset(pol_breaker *b);          /* CLOSED, empty window, transitions 0 */

/* Admission. NULL b answers ALLOW (no breaker). */
POL_API pol_breaker_answer pol_breaker_allow(pol_breaker *b, pol_ns now);
/* Returns an unused PROBE permit (no effect in other states). */
POL_API void pol_breaker_cancel(pol_breaker *b);
/* Reports an admitted call: the outcome is classified by cfg.fail, and the
 * call is slow when duration > cfg.slow_duration (RATE only). */
POL_API int  pol_breaker_record(pol_breaker *b, pol_ns now, const pol_outcome *o, pol_ns duration);
/* The same with the classification done by the caller. */
POL_API int  pol_breaker_record_result(pol_breaker *b, pol_ns now, int failed, pol_ns duration);

/* State as the next pol_breaker_allow would see it (an OPEN breaker whose
 * break has elapsed reads HALF_OPEN). Does not change b. */
POL_API pol_breaker_state pol_breaker_state_at(const pol_breaker *b, pol_ns now);
POL_API uint64_t pol_breaker_transitions(const pol_breaker *b);

POL_API const char *pol_breaker_state_name(pol_breaker_state s);    /* "closed","open","half-open" */
POL_API const char *pol_breaker_answer_name(pol_breaker_answer a);  /* "allow","reject","probe" */
POL_API const char *pol_breaker_kind_name(pol_breaker_kind k);      /* "consecutive","rate","ratio" */
POL_API int         pol_breaker_kind_parse(const char *name, pol_breaker_kind *out);

#ifdef __cplusplus
}
#endif
#endif
