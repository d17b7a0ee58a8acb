/* pol_hint.h — server hints: Retry-After, retry-after-ms, x-should-retry.
 *
 * Parsing is strict: leading/trailing spaces allowed, anything else that is
 * not the documented grammar is POL_EPARSE; negative, or larger than
 * POL_HINT_MAX_DELAY (one day), is POL_ERANGE. Nothing allocates.
 * retry-after carries delta-seconds (RFC 9110: 1*DIGIT; a decimal fraction is
 * accepted, as the OpenAI SDK does) or an HTTP-date (IMF-fixdate, plus the
 * obsolete RFC 850 and asctime forms); the date is turned into a delay against
 * the caller's wall clock `wall_now` (Unix time, ns), past dates give 0.
 */
#ifndef POL_HINT_H
#define POL_HINT_H
#include "pol_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define POL_HINT_MAX_DELAY (86400LL * POL_NS_PER_S)

POL_API int pol_hint_parse_retry_after_ms(const char *value, pol_ns *delay_out);
POL_API int pol_hint_parse_retry_after(const char *value, int64_t wall_now, pol_ns *delay_out);
POL_API int pol_hint_parse_should_retry(const char *value, int *flag_out);  /* "true"/"false" */

/* Folds one response header into an outcome: retry-after-ms wins over
 * retry-after (as in the OpenAI/Anthropic SDKs); x-should-retry sets
 * should_retry. Unknown headers are ignored (return POL_OK). Header names are
 * case-insensitive. A malformed value returns its error and leaves o as it was. */
POL_API int pol_hint_apply_header(pol_outcome *o, const char *name, const char *value, int64_t wall_now);

typedef enum {
    POL_HINT_IGNORE = 0,     /* backoff only */
    POL_HINT_HONOR,          /* sleep exactly the hint when present */
    POL_HINT_CEIL_GIVE_UP,   /* honor if <= ceiling, else give up (reason HINT_TOO_LONG) */
    POL_HINT_CEIL_IGNORE,    /* honor if <= ceiling, else use the backoff delay */
    POL_HINT_MAX,            /* max(hint, backoff) */
    POL_HINT_PLUS_JITTER,    /* hint + U(0, jitter) */
    POL_HINT__COUNT
} pol_hint_mode;

typedef struct {
    /* public */
    pol_hint_mode mode;
    pol_ns ceiling;          /* for the CEIL modes */
    pol_ns budget;           /* for the CEIL modes: a hint is honored only while the
                                hints honored since pol_retry_begin, this one
                                included, total <= budget (0 = no total cap;
                                Portkey's 60 s cumulative Retry-After cap) */
    pol_ns jitter;           /* for PLUS_JITTER */
    int    ignore_zero;      /* a hint of 0 counts as absent (the Python SDKs and
                                anthropic-node honor a hint only when 0 < hint);
                                0: a hint of 0 means "retry now" (openai-node) */
    int    invalid_now;      /* a retry-after that is there but is no delay
                                (unparseable, negative, Infinity) means "retry
                                now": pol_hint_apply_header_as folds it as a
                                hint of 0 (openai-node: parseFloat and
                                Date.parse give NaN, setTimeout(NaN) fires at
                                once); 0: it stays absent */
    int    parse_float;      /* pol_hint_apply_header_as reads a value that the
                                strict grammar refuses as JavaScript's
                                parseFloat does (both Node SDKs): its numeric
                                prefix ("12abc" = 12, "1e3", "+5"); a prefix
                                <= 0 is "now" with invalid_now, else absent */
} pol_hint_cfg;

/* pol_hint_apply_header as the client configured by h reads the headers.
 * With h NULL, or neither h->invalid_now nor h->parse_float, it is
 * pol_hint_apply_header. Otherwise a retry-after or retry-after-ms value that
 * the strict grammar refuses is read again: with parse_float its
 * parseFloat prefix, if > 0, is the hint (POL_ERANGE above
 * POL_HINT_MAX_DELAY); a prefix <= 0 or Infinity, and (retry-after only) a
 * value with no number at all, set a hint of 0 with invalid_now. An empty
 * value is never read (falsy in the SDKs). retry-after-ms still overwrites,
 * retry-after still fills only an absent hint. Returns POL_OK when it set a
 * hint, else the strict parser's error with o unchanged. */
POL_API int pol_hint_apply_header_as(pol_outcome *o, const char *name, const char *value,
                                     int64_t wall_now, const pol_hint_cfg *h);

POL_API const char *pol_hint_mode_name(pol_hint_mode m);   /* "ignore","honor","ceiling-give-up",... */
POL_API int         pol_hint_mode_parse(const char *name, pol_hint_mode *out);

#ifdef __cplusplus
}
#endif
#endif
