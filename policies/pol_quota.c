/* pol_quota.c — rate-limit headers and the pre-emptive delay (pol_quota.h).
 * Invariants: parsers accept any C string (or NULL) without reading past its
 * terminator, write their output only on POL_OK, and give values in
 * [0, POL_QUOTA_MAX]; numbers accumulate with a saturation guard (1000 digits
 * is POL_ERANGE, not an overflow). Timestamps are converted by hand
 * (days-from-civil), independent of locale and TZ.
 * Cost: O(length) per parse, O(1) per check, at most 2 rng draws.
 */
#include "pol_quota.h"
#include "pol_lex.h"
#include <gsl/gsl_randist.h>
#include <string.h>
#include <strings.h>

#define POL_QUOTA_MAX (86400LL * POL_NS_PER_S)   /* one day, as pol_hint */
#define COUNT_MAX     ((int64_t)1 << 53)


void pol_quota_default(pol_quota_cfg *out)
{
    if (!out) return;
    out->min_requests = 1;
    out->min_tokens = 0;
    out->jitter = POL_NS_PER_S;
    out->max_wait = 0;
}

void pol_quota_reset(pol_quota *q)
{
    if (!q) return;
    q->remaining_requests = q->remaining_tokens = -1;
    q->reset_requests_at = q->reset_tokens_at = -1;
}

int pol_quota_parse_count(const char *value, int64_t *out)
{
    if (!value || !out) return POL_EINVAL;
    const char *p = pol_lex_skip_ows(value);
    if (*p == '-') return pol_lex_digit(p[1]) ? POL_ERANGE : POL_EPARSE;
    if (!pol_lex_digit(*p)) return POL_EPARSE;
    int64_t v = 0;
    int big = 0;
    for (; pol_lex_digit(*p); p++) {
        if (v > COUNT_MAX) big = 1;
        else v = v * 10 + (*p - '0');
    }
    if (*pol_lex_skip_ows(p)) return POL_EPARSE;
    if (big || v > COUNT_MAX) return POL_ERANGE;
    *out = v;
    return POL_OK;
}

/* Unit at p: returns its length and its size in ns, or 0. "m" must not be
 * the start of "ms". */
static int unit_at(const char *p, pol_ns *ns)
{
    static const struct { const char *u; pol_ns ns; } units[] = {
        { "ns", 1 }, { "us", POL_NS_PER_US }, { "\xc2\xb5s", POL_NS_PER_US },
        { "\xce\xbcs", POL_NS_PER_US }, { "ms", POL_NS_PER_MS }, { "s", POL_NS_PER_S },
        { "m", 60 * POL_NS_PER_S }, { "h", 3600 * POL_NS_PER_S },
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        size_t n = strlen(units[i].u);
        if (strncmp(p, units[i].u, n) == 0) {
            *ns = units[i].ns;
            return (int)n;
        }
    }
    return 0;
}

int pol_quota_parse_duration(const char *value, pol_ns *out)
{
    if (!value || !out) return POL_EINVAL;
    const char *p = pol_lex_skip_ows(value);
    if (*p == '-') return POL_ERANGE;
    double total = 0.0;
    int parts = 0;
    while (*p && *p != ' ' && *p != '\t') {
        if (!pol_lex_digit(*p) && *p != '.') return POL_EPARSE;
        double v = 0.0, scale = 1.0;
        int digits = 0;
        for (; pol_lex_digit(*p); p++, digits++) if (v < 1e18) v = v * 10 + (*p - '0');
        if (*p == '.') {
            for (p++; pol_lex_digit(*p); p++, digits++) { scale /= 10; v += (*p - '0') * scale; }
        }
        if (digits == 0) return POL_EPARSE;
        pol_ns unit;
        int n = unit_at(p, &unit);
        if (n == 0) return POL_EPARSE;
        p += n;
        total += v * (double)unit;
        parts++;
        if (total > (double)POL_QUOTA_MAX) return POL_ERANGE;
    }
    if (parts == 0 || *pol_lex_skip_ows(p)) return POL_EPARSE;
    *out = (pol_ns)(total + 0.5);
    return POL_OK;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

int pol_quota_parse_timestamp(const char *value, int64_t wall_now, pol_ns *delay_out)
{
    if (!value || !delay_out) return POL_EINVAL;
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    const char *p = pol_lex_skip_ows(value);
    int y, mo, d, h, mi, s, oh = 0, om = 0, sign = 0;
    if (!(p = pol_lex_digits_n(p, 4, &y)) || *p++ != '-' || !(p = pol_lex_digits_n(p, 2, &mo)) || *p++ != '-'
        || !(p = pol_lex_digits_n(p, 2, &d)) || (*p != 'T' && *p != 't' && *p != ' ') || !(p = pol_lex_digits_n(p + 1, 2, &h))
        || *p++ != ':' || !(p = pol_lex_digits_n(p, 2, &mi)) || *p++ != ':' || !(p = pol_lex_digits_n(p, 2, &s)))
        return POL_EPARSE;
    int64_t frac_ns = 0;
    if (*p == '.') {
        int64_t scale = POL_NS_PER_S / 10;
        if (!pol_lex_digit(p[1])) return POL_EPARSE;
        for (p++; pol_lex_digit(*p); p++, scale /= 10) frac_ns += (*p - '0') * scale;
    }
    if (*p == 'Z' || *p == 'z') p++;
    else if (*p == '+' || *p == '-') {
        sign = *p == '+' ? 1 : -1;
        if (!(p = pol_lex_digits_n(p + 1, 2, &oh)) || *p++ != ':' || !(p = pol_lex_digits_n(p, 2, &om))) return POL_EPARSE;
    } else return POL_EPARSE;
    if (*pol_lex_skip_ows(p)) return POL_EPARSE;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || s > 60
        || oh > 23 || om > 59) return POL_EPARSE;
    if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return POL_EPARSE;
    int64_t t = ((days_civil(y, mo, d) * 24 + h) * 60 + mi) * 60 + s - sign * (oh * 3600 + om * 60);
    if (t > INT64_MAX / POL_NS_PER_S - 1 || t < INT64_MIN / POL_NS_PER_S + 1) return POL_ERANGE;
    int64_t at = t * POL_NS_PER_S + frac_ns;
    pol_ns delay = at > wall_now ? at - wall_now : 0;
    if (delay > POL_QUOTA_MAX) return POL_ERANGE;
    *delay_out = delay;
    return POL_OK;
}

typedef enum { F_REM_REQ, F_REM_TOK, F_RESET_REQ, F_RESET_TOK, F_RESET_REQ_TS, F_RESET_TOK_TS } field;

static const struct { const char *name; field f; } headers[] = {
    { "x-ratelimit-remaining-requests", F_REM_REQ },
    { "x-ratelimit-remaining-tokens", F_REM_TOK },
    { "x-ratelimit-reset-requests", F_RESET_REQ },
    { "x-ratelimit-reset-tokens", F_RESET_TOK },
    { "anthropic-ratelimit-requests-remaining", F_REM_REQ },
    { "anthropic-ratelimit-tokens-remaining", F_REM_TOK },
    { "anthropic-ratelimit-input-tokens-remaining", F_REM_TOK },
    { "anthropic-ratelimit-output-tokens-remaining", F_REM_TOK },
    { "anthropic-ratelimit-requests-reset", F_RESET_REQ_TS },
    { "anthropic-ratelimit-tokens-reset", F_RESET_TOK_TS },
    { "anthropic-ratelimit-input-tokens-reset", F_RESET_TOK_TS },
    { "anthropic-ratelimit-output-tokens-reset", F_RESET_TOK_TS },
};

int pol_quota_apply_header(pol_quota *q, const char *name, const char *value,
                           pol_ns now, int64_t wall_now)
{
    if (!q || !name || !value) return POL_EINVAL;
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        if (strcasecmp(name, headers[i].name) != 0) continue;
        int64_t n;
        pol_ns d;
        int rc;
        switch (headers[i].f) {
        case F_REM_REQ:
        case F_REM_TOK:
            if ((rc = pol_quota_parse_count(value, &n))) return rc;
            if (headers[i].f == F_REM_REQ) q->remaining_requests = n;
            else q->remaining_tokens = n;
            return POL_OK;
        case F_RESET_REQ:
        case F_RESET_TOK:
            rc = pol_quota_parse_duration(value, &d);
            break;
        default:
            rc = pol_quota_parse_timestamp(value, wall_now, &d);
            break;
        }
        if (rc) return rc;
        if (headers[i].f == F_RESET_REQ || headers[i].f == F_RESET_REQ_TS) q->reset_requests_at = now + d;
        else q->reset_tokens_at = now + d;
        return POL_OK;
    }
    return POL_OK;
}

/* Wait until `reset_at` when `remaining` (known) is below `need`. */
static pol_ns wait_for(int64_t remaining, pol_ns reset_at, double need, pol_ns now,
                       pol_ns jitter, gsl_rng *r)
{
    if (remaining < 0 || reset_at < 0 || reset_at <= now || (double)remaining >= need) return 0;
    pol_ns j = jitter > 0 && r ? (pol_ns)gsl_ran_flat(r, 0.0, (double)jitter) : 0;
    return reset_at - now + j;
}

int pol_quota_check(const pol_quota_cfg *c, const pol_quota *q, pol_ns now, double tokens,
                    gsl_rng *r, pol_ns *wait_out)
{
    if (!c || !q || !wait_out || tokens < 0 || c->jitter < 0 || c->max_wait < 0) return POL_EINVAL;
    double need_tok = tokens > (double)c->min_tokens ? tokens : (double)c->min_tokens;
    pol_ns w1 = wait_for(q->remaining_requests, q->reset_requests_at, (double)c->min_requests, now, c->jitter, r);
    pol_ns w2 = wait_for(q->remaining_tokens, q->reset_tokens_at, need_tok, now, c->jitter, r);
    pol_ns w = w1 > w2 ? w1 : w2;
    if (c->max_wait > 0 && w > c->max_wait) w = c->max_wait;
    *wait_out = w;
    return w > 0 ? POL_QUOTA_WAIT : POL_QUOTA_GO;
}

void pol_quota_on_send(pol_quota *q, double tokens)
{
    if (!q) return;
    if (q->remaining_requests > 0) q->remaining_requests--;
    if (q->remaining_tokens >= 0 && tokens > 0) {
        int64_t t = (int64_t)tokens;
        q->remaining_tokens = q->remaining_tokens > t ? q->remaining_tokens - t : 0;
    }
}
