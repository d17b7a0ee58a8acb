/* pol_common.h — shared vocabulary of libretrypol, the retry policy library.
 *
 * Time is int64_t nanoseconds everywhere (pol_ns). The library never reads a
 * clock: every time-dependent call takes `now` (the simulator's virtual clock,
 * or CLOCK_MONOTONIC in a live client). Randomness comes only from the
 * gsl_rng passed in. Functions that can fail return 0 or a negative POL_E*
 * code; pol_strerror() names it. "Breaker open" or "give up" are answers
 * (enums), never errors. Nothing here allocates.
 *
 * The API is what the installed headers (retrypol.h and the pol_*.h it
 * includes) declare with POL_API; libretrypol.so exports exactly those
 * functions and nothing else (tests/e2e/abi.sh checks it).
 *
 * Struct fields are marked as libuv marks its handles':
 *   public     the caller sets them and may read them (every *_cfg struct and
 *              the plain values pol_outcome, pol_verdict, pol_preset_info are
 *              public throughout);
 *   read-only  maintained by the library: the caller may read them, never
 *              write them;
 *   private    the library's bookkeeping: neither read nor write; meaning and
 *              layout may change in any minor release.
 * State structs (pol_breaker, pol_budget, ...) are allocated by the caller
 * (their size is part of the ABI) but only the library's _init / _begin /
 * _reset functions initialise them; copying one that owns memory (an _init
 * that can return POL_ENOMEM) copies the pointers, not the memory.
 *
 * Threads: there is no global mutable state (no writable static data: every
 * table is const), so distinct objects may be used from distinct threads
 * with no locking. One object (a state struct, a gsl_rng) used from several
 * threads needs the caller's lock; cfg structs and the pure functions'
 * inputs are only read and may be shared. Per-type table and ABI/version
 * rules: docs/policies.md, "ABI stability and versioning" and "Threads".
 */
#ifndef POL_COMMON_H
#define POL_COMMON_H
#include <stdint.h>
#include <stddef.h>
#include <gsl/gsl_rng.h>
#include "pol_version.h"

/* POL_API marks every function of the API: default visibility, while the
 * library is compiled with -fvisibility=hidden so that everything else stays
 * internal. Defined only if the includer has not defined it. */
#ifndef POL_API
# if defined(__GNUC__) && __GNUC__ >= 4
#  define POL_API __attribute__((visibility("default")))
# else
#  define POL_API
# endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef int64_t pol_ns;                 /* a time or a duration, nanoseconds */
#define POL_NS_PER_US   1000LL
#define POL_NS_PER_MS   1000000LL
#define POL_NS_PER_S    1000000000LL
#define POL_MS(x)       ((pol_ns)((x) * (double)POL_NS_PER_MS))
#define POL_S(x)        ((pol_ns)((x) * (double)POL_NS_PER_S))
#define POL_NS_MAX      INT64_MAX

enum {
    POL_OK       = 0,
    POL_EINVAL   = -1,   /* an argument or config field is out of its domain */
    POL_EPARSE   = -2,   /* text (a header value) does not parse */
    POL_ERANGE   = -3,   /* a value parses but is out of range (negative, overflow) */
    POL_ENOTFOUND= -4,   /* no such preset / name */
    POL_ENOMEM   = -5    /* allocation failed: only from the five constructors that
                            allocate, pol_breaker_init, pol_budget_init,
                            pol_hedge_init, pol_monitor_init and
                            pol_throttle_init; never on a decision path */
};
/* The message of a POL_E* code ("out of memory", ...); never NULL. */
POL_API const char *pol_strerror(int err);

/* The version of the library running, as POL_VERSION_STRING and
 * POL_VERSION_NUMBER (pol_version.h) give that of the header compiled
 * against. Compare them at start-up: a mismatch means the program runs with
 * another libretrypol.so than the one it was built for. */
POL_API const char *pol_version(void);          /* e.g. "0.2.0" */
POL_API int         pol_version_number(void);   /* e.g. 2000 (0.2.0) */

/* The number and duration grammar of every retrysim input (a scenario's
 * values and --set overrides, the inline policy specs of
 * pol_retry_spec_parse). Numbers: decimal, as strtod reads them (no hex, inf
 * or nan), white space around allowed, all of the text consumed. Integers:
 * base 10. Durations: a number and a unit ns, us, ms, s, m or min, h
 * ("250ms", "1.5 s"), or a bare 0; rounded to the nanosecond. Return 0 and
 * set *out, or POL_EPARSE (not of that form), POL_ERANGE (overflow; a
 * negative duration), POL_EINVAL (a NULL argument); *out is untouched on
 * error. O(length of the text); no allocation. */
POL_API int pol_parse_double(const char *s, double *out);
POL_API int pol_parse_int(const char *s, long long *out);
POL_API int pol_parse_duration(const char *s, pol_ns *out);

/* What one attempt ended with, as a client sees it. */
typedef enum {
    POL_OUT_SUCCESS = 0,     /* 2xx with a usable body */
    POL_OUT_HTTP,            /* an HTTP error status (see .status) */
    POL_OUT_TIMEOUT,         /* the client's attempt timeout fired */
    POL_OUT_CONN_REFUSED,
    POL_OUT_CONN_RESET,      /* reset, truncated or unparsable response */
    POL_OUT_CONTEXT_WINDOW,  /* prompt too long for the model (a 400 of that kind) */
    POL_OUT_CONTENT_POLICY,  /* refused by content filter (a 400 of that kind) */
    /* A streamed answer that failed after its first byte (the HTTP status was
     * 2xx and the client had started reading events): an SDK's retry loop has
     * returned by then, so only an outer loop (an application wrapper, a
     * gateway) can restart or continue the request (docs/policies.md, §5.3). */
    POL_OUT_STREAM_CUT,      /* the connection dropped mid-stream (no end event) */
    POL_OUT_STREAM_ERROR,    /* an error event inside the stream (Anthropic `event: error`, OpenAI error chunk) */
    POL_OUT_STREAM_TIMEOUT,  /* the client's idle timeout between chunks, or its attempt timeout, after the first byte */
    POL_OUT__COUNT
} pol_outcome_kind;

typedef struct {
    /* public: plain data (pol_outcome_make, pol_hint_apply_header fill it) */
    pol_outcome_kind kind;
    int     status;          /* HTTP status for POL_OUT_HTTP (and 2xx on success), else 0 */
    pol_ns  retry_after;     /* server hint already converted to a delay, or -1 for none */
    int     should_retry;    /* x-should-retry: -1 absent, 0 "false", 1 "true" */
} pol_outcome;

/* An outcome with no hints. */
static inline pol_outcome pol_outcome_make(pol_outcome_kind k, int status)
{
    pol_outcome o = { k, status, -1, -1 };
    return o;
}

#ifdef __cplusplus
}
#endif
#endif
