/* pol_common.h — shared vocabulary of libretrypol, the retry policy library.
 *
 * Time is int64_t nanoseconds everywhere (pol_ns). The library never reads a
 * clock: every time-dependent call takes `now` (the simulator's virtual clock,
 * or CLOCK_MONOTONIC in a live client). Randomness comes only from the
 * gsl_rng passed in. Functions that can fail return 0 or a negative POL_E*
 * code; pol_strerror() names it. "Breaker open" or "give up" are answers
 * (enums), never errors. Nothing here allocates.
 */
#ifndef POL_COMMON_H
#define POL_COMMON_H
#include <stdint.h>
#include <stddef.h>
#include <gsl/gsl_rng.h>

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
    POL_ENOMEM   = -5    /* only from _new functions, never on a decision path */
};
const char *pol_strerror(int err);

/* Name tables (used by every *_name / *_parse pair of the library).
 * pol_name_index: index of `name` in names[0..n) (case-insensitive), or
 * POL_EINVAL (NULL argument) / POL_ENOTFOUND. pol_name_of: names[value], or
 * "?" when value is out of range; never NULL. */
int         pol_name_index(const char *const *names, int n, const char *name);
const char *pol_name_of(const char *const *names, int n, int value);
/* Defines `const char *NAME_FN(TYPE)` and `int PARSE_FN(const char *, TYPE *out)`
 * over the table NAMES[N] (used by the library's .c files). */
#define POL_NAME_FUNCS(TYPE, NAME_FN, PARSE_FN, NAMES, N)                      \
    const char *NAME_FN(TYPE v) { return pol_name_of(NAMES, (N), (int)v); }  \
    int PARSE_FN(const char *name, TYPE *out)                                 \
    {                                                                         \
        int i_ = pol_name_index(NAMES, (N), name);                            \
        if (i_ >= 0 && out) *out = (TYPE)i_;                                  \
        return i_ < 0 ? i_ : POL_OK;                                          \
    }

/* What one attempt ended with, as a client sees it. */
typedef enum {
    POL_OUT_SUCCESS = 0,     /* 2xx with a usable body */
    POL_OUT_HTTP,            /* an HTTP error status (see .status) */
    POL_OUT_TIMEOUT,         /* the client's attempt timeout fired */
    POL_OUT_CONN_REFUSED,
    POL_OUT_CONN_RESET,      /* reset, truncated or unparsable response */
    POL_OUT_CONTEXT_WINDOW,  /* prompt too long for the model (a 400 of that kind) */
    POL_OUT_CONTENT_POLICY,  /* refused by content filter (a 400 of that kind) */
    POL_OUT__COUNT
} pol_outcome_kind;

typedef struct {
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

#endif
