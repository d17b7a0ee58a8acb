/* pol_hint.c — server hints: retry-after-ms, Retry-After (delta-seconds or
 * HTTP-date) and x-should-retry, and the names of the hint modes.
 * Invariants: every parser accepts any C string (or NULL) without reading
 * past its terminator, writes *out only on POL_OK, and yields a delay in
 * [0, POL_HINT_MAX_DELAY]. Integers are accumulated with a saturation guard,
 * so a 1000-digit number is POL_ERANGE, not an overflow. Dates are converted
 * by hand (days-from-civil), independent of locale and TZ; the weekday name
 * must be a valid one but is not cross-checked against the date (it is
 * redundant and servers get it wrong). RFC 850 two-digit years follow RFC
 * 9110 §5.6.7: more than 50 years in the future means the previous century.
 * Cost: O(length of the value), no allocation.
 */
#include "pol_hint.h"
#include "pol_internal.h"
#include "pol_lex.h"
#include <math.h>
#include <string.h>
#include <strings.h>

static const char *const mode_names[POL_HINT__COUNT] = {
    "ignore", "honor", "ceiling-give-up", "ceiling-ignore", "max", "plus-jitter"
};

POL_NAME_FUNCS(pol_hint_mode, pol_hint_mode_name, pol_hint_mode_parse, mode_names, POL_HINT__COUNT)

/* ---- lexical helpers (digits and spaces: pol_lex.h) --------------------- */

/* True when only optional whitespace remains. */
static int at_end(const char *p)
{
    return *pol_lex_skip_ows(p) == '\0';
}

static const char *expect(const char *p, const char *lit)
{
    size_t n = strlen(lit);
    return p && strncmp(p, lit, n) == 0 ? p + n : NULL;
}

/* ---- numbers: 1*DIGIT [ "." 1*DIGIT ] in `unit` ns ---------------------- */

static int parse_decimal(const char *s, pol_ns unit, pol_ns *out)
{
    const char *p = pol_lex_skip_ows(s);
    int neg = 0, big = 0;
    if (*p == '-') { neg = 1; p++; }
    if (!pol_lex_digit(*p)) return POL_EPARSE;
    uint64_t ip = 0;
    for (; pol_lex_digit(*p); p++) {
        if (ip > 1000000000000000ULL) big = 1;        /* keep scanning, value is moot */
        else ip = ip * 10 + (uint64_t)(*p - '0');
    }
    uint64_t frac = 0, scale = 1;
    if (*p == '.') {
        p++;
        if (!pol_lex_digit(*p)) return POL_EPARSE;
        for (; pol_lex_digit(*p); p++)
            if (scale < 1000000000ULL) { frac = frac * 10 + (uint64_t)(*p - '0'); scale *= 10; }
    }
    if (!at_end(p)) return POL_EPARSE;
    if (neg) return POL_ERANGE;
    if (big || ip > (uint64_t)(POL_HINT_MAX_DELAY / unit)) return POL_ERANGE;
    pol_ns ns = (pol_ns)ip * unit + (pol_ns)(frac * (uint64_t)unit / scale);
    if (ns > POL_HINT_MAX_DELAY) return POL_ERANGE;
    *out = ns;
    return POL_OK;
}

int pol_hint_parse_retry_after_ms(const char *value, pol_ns *delay_out)
{
    pol_ns d;
    if (!value || !delay_out) return POL_EINVAL;
    int rc = parse_decimal(value, POL_NS_PER_MS, &d);
    if (rc == POL_OK) *delay_out = d;
    return rc;
}

/* ---- HTTP-date ---------------------------------------------------------- */

static const char *const short_days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
static const char *const long_days[]  = { "Monday", "Tuesday", "Wednesday", "Thursday",
                                          "Friday", "Saturday", "Sunday" };
static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* Matches one of names (case-sensitive, RFC 9110) at p. */
static const char *match_word(const char *p, const char *const *names, int n, int *idx)
{
    for (int i = 0; i < n; i++) {
        size_t len = strlen(names[i]);
        if (strncmp(p, names[i], len) == 0) {
            *idx = i;
            return p + len;
        }
    }
    return NULL;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Year of a day count since 1970-01-01 (inverse of the above, year only). */
static int64_t year_from_days(int64_t z)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    return yoe + era * 400 + (mp >= 10);
}

static int days_in_month(int64_t y, int m)
{
    static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return dim[m] + (m == 1 && leap);
}

typedef struct { int64_t year; int mon, day, hh, mm, ss; } civil_time;

/* time-of-day = hour ":" minute ":" second */
static const char *time_of_day(const char *p, civil_time *t)
{
    if (p) p = pol_lex_digits_n(p, 2, &t->hh);
    p = expect(p, ":");
    if (p) p = pol_lex_digits_n(p, 2, &t->mm);
    p = expect(p, ":");
    if (p) p = pol_lex_digits_n(p, 2, &t->ss);
    return p;
}

static const char *month_name(const char *p, civil_time *t)
{
    return p ? match_word(p, months, 12, &t->mon) : NULL;
}

static const char *year4(const char *p, civil_time *t)
{
    int y;
    if (p) p = pol_lex_digits_n(p, 4, &y);
    if (p) t->year = y;
    return p;
}

/* IMF-fixdate after "Sun,": SP 2DIGIT SP month SP 4DIGIT SP time SP "GMT" */
static const char *imf_fixdate(const char *p, civil_time *t)
{
    p = expect(p, " ");
    if (p) p = pol_lex_digits_n(p, 2, &t->day);
    p = month_name(expect(p, " "), t);
    p = year4(expect(p, " "), t);
    p = time_of_day(expect(p, " "), t);
    return expect(p, " GMT");
}

/* rfc850-date after "Sunday,": SP 2DIGIT "-" month "-" 2DIGIT SP time SP "GMT" */
static const char *rfc850_date(const char *p, civil_time *t, int64_t wall_year)
{
    int yy = 0;
    p = expect(p, " ");
    if (p) p = pol_lex_digits_n(p, 2, &t->day);
    p = month_name(expect(p, "-"), t);
    p = expect(p, "-");
    if (p) p = pol_lex_digits_n(p, 2, &yy);
    p = time_of_day(expect(p, " "), t);
    p = expect(p, " GMT");
    if (p) {
        t->year = wall_year - wall_year % 100 + yy;
        if (t->year > wall_year + 50) t->year -= 100;
    }
    return p;
}

/* asctime-date after "Sun": SP month SP ( 2DIGIT / SP DIGIT ) SP time SP 4DIGIT */
static const char *asctime_date(const char *p, civil_time *t)
{
    p = month_name(expect(p, " "), t);
    p = expect(p, " ");
    if (p && *p == ' ') p = pol_lex_digits_n(p + 1, 1, &t->day);
    else if (p) p = pol_lex_digits_n(p, 2, &t->day);
    p = time_of_day(expect(p, " "), t);
    return year4(expect(p, " "), t);
}

/* Floor division with a non-negative remainder. */
static int64_t floor_div(int64_t a, int64_t b, int64_t *rem)
{
    int64_t q = a / b, r = a % b;
    if (r < 0) { q--; r += b; }
    *rem = r;
    return q;
}

/* Parses an HTTP-date (any of the three forms) into seconds since the epoch. */
static int parse_http_date(const char *s, int64_t wall_year, int64_t *epoch_s)
{
    civil_time t = { 0, 0, 0, 0, 0, 0 };
    const char *p = pol_lex_skip_ows(s), *q;
    int wd;
    if ((q = match_word(p, long_days, 7, &wd)) && *q == ',')
        p = rfc850_date(q + 1, &t, wall_year);
    else if ((q = match_word(p, short_days, 7, &wd)) && *q == ',')
        p = imf_fixdate(q + 1, &t);
    else if (q && *q == ' ')
        p = asctime_date(q, &t);
    else
        return POL_EPARSE;
    if (!p || !at_end(p)) return POL_EPARSE;
    if (t.day < 1 || t.day > days_in_month(t.year, t.mon) || t.hh > 23 || t.mm > 59 ||
        t.ss > 60)
        return POL_EPARSE;
    *epoch_s = days_from_civil(t.year, t.mon + 1, t.day) * 86400 +
               t.hh * 3600 + t.mm * 60 + t.ss;
    return POL_OK;
}

int pol_hint_parse_retry_after(const char *value, int64_t wall_now, pol_ns *delay_out)
{
    if (!value || !delay_out) return POL_EINVAL;
    const char *p = pol_lex_skip_ows(value);
    if (pol_lex_digit(*p) || *p == '-' || *p == '+' || *p == '.') {
        pol_ns d;
        int rc = parse_decimal(value, POL_NS_PER_S, &d);
        if (rc == POL_OK) *delay_out = d;
        return rc;
    }
    int64_t rem, sod, date_s;
    int64_t now_s = floor_div(wall_now, POL_NS_PER_S, &rem);
    int rc = parse_http_date(value, year_from_days(floor_div(now_s, 86400, &sod)), &date_s);
    if (rc != POL_OK) return rc;
    int64_t diff_s = date_s - now_s;             /* |date_s| < 2.6e11: no overflow */
    if (diff_s > POL_HINT_MAX_DELAY / POL_NS_PER_S) return POL_ERANGE;
    pol_ns d = diff_s <= 0 ? 0 : diff_s * POL_NS_PER_S - rem;   /* past dates: 0 */
    *delay_out = d;
    return POL_OK;
}

int pol_hint_parse_should_retry(const char *value, int *flag_out)
{
    if (!value || !flag_out) return POL_EINVAL;
    const char *p = pol_lex_skip_ows(value), *q;
    int flag;
    if ((q = expect(p, "true")))       flag = 1;
    else if ((q = expect(p, "false"))) flag = 0;
    else return POL_EPARSE;
    if (!at_end(q)) return POL_EPARSE;
    *flag_out = flag;
    return POL_OK;
}

int pol_hint_apply_header(pol_outcome *o, const char *name, const char *value, int64_t wall_now)
{
    pol_ns d;
    int rc, flag;
    if (!o || !name || !value) return POL_EINVAL;
    if (strcasecmp(name, "retry-after-ms") == 0) {
        if ((rc = pol_hint_parse_retry_after_ms(value, &d)) == POL_OK) o->retry_after = d;
        return rc;
    }
    if (strcasecmp(name, "retry-after") == 0) {
        /* retry-after-ms wins, whatever the order the headers arrive in */
        if ((rc = pol_hint_parse_retry_after(value, wall_now, &d)) == POL_OK &&
            o->retry_after < 0)
            o->retry_after = d;
        return rc;
    }
    if (strcasecmp(name, "x-should-retry") == 0) {
        if ((rc = pol_hint_parse_should_retry(value, &flag)) == POL_OK) o->should_retry = flag;
        return rc;
    }
    return POL_OK;
}

/* JavaScript's parseFloat on s: the longest prefix (after spaces and tabs)
 * that is [+-] Infinity or [+-] (digits [. digits] | . digits) [e [+-] digits].
 * Returns 1 with *out (+-HUGE_VAL for Infinity), 0 for NaN. No locale, no
 * strtod: digits accumulate into a double, the exponent scales by pow(10). */
static int js_parse_float(const char *s, double *out)
{
    const char *p = pol_lex_skip_ows(s);
    double sign = 1.0;
    if (*p == '+' || *p == '-') sign = *p++ == '-' ? -1.0 : 1.0;
    if (strncmp(p, "Infinity", 8) == 0) { *out = sign * HUGE_VAL; return 1; }
    double m = 0.0;
    long exp10 = 0;
    int digits = 0;
    for (; pol_lex_digit(*p); p++, digits++) {
        if (m < 1e18) m = m * 10 + (*p - '0');
        else exp10++;
    }
    if (*p == '.') {
        for (p++; pol_lex_digit(*p); p++, digits++)
            if (m < 1e18) { m = m * 10 + (*p - '0'); exp10--; }
    }
    if (!digits) return 0;
    if ((*p == 'e' || *p == 'E')) {
        const char *q = p + 1;
        long e = 0, es = 1;
        if (*q == '+' || *q == '-') es = *q++ == '-' ? -1 : 1;
        if (pol_lex_digit(*q)) {
            for (; pol_lex_digit(*q); q++) if (e < 100000) e = e * 10 + (*q - '0');
            exp10 += es * e;
        }
    }
    *out = sign * (m == 0.0 ? 0.0 : m * pow(10.0, (double)exp10));
    return 1;
}

/* Folds a delay d into o as header `ms` (retry-after-ms overwrites) or not. */
static void set_hint(pol_outcome *o, int ms, pol_ns d)
{
    if (ms || o->retry_after < 0) o->retry_after = d;
}

int pol_hint_apply_header_as(pol_outcome *o, const char *name, const char *value,
                             int64_t wall_now, const pol_hint_cfg *h)
{
    int rc = pol_hint_apply_header(o, name, value, wall_now);
    if (rc == POL_OK || rc == POL_EINVAL || !h || (!h->invalid_now && !h->parse_float)) return rc;
    int ms = strcasecmp(name, "retry-after-ms") == 0;
    if (!ms && strcasecmp(name, "retry-after") != 0) return rc;
    const char *p = pol_lex_skip_ows(value);
    if (!*p) return rc;                         /* "": falsy in the SDKs, not read */
    double x;
    if (h->parse_float && js_parse_float(p, &x)) {
        if (isfinite(x) && x > 0) {             /* a numeric prefix: "12abc", "1e3", "+5" */
            double ns = x * (ms ? 1e6 : 1e9);
            if (ns > (double)POL_HINT_MAX_DELAY) return POL_ERANGE;
            set_hint(o, ms, (pol_ns)ceil(ns));
            return POL_OK;
        }
        /* 0, negative or Infinity: setTimeout fires at once (openai-node);
         * anthropic-node takes it for no hint */
        if (h->invalid_now) { set_hint(o, ms, 0); return POL_OK; }
        return rc;
    }
    if (!h->parse_float && rc == POL_ERANGE && *p != '-') return rc;   /* a number, too large */
    /* NaN (or, without parse_float, a negative number): a retry-after-ms is ignored; a retry-after goes to Date.parse,
     * which failed as the HTTP-date parse did: NaN again, slept as 0 */
    if (ms || !h->invalid_now) return rc;
    set_hint(o, 0, 0);
    return POL_OK;
}
