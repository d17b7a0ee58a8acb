/* pol_units.c — the number and duration grammar of every retrysim input
 * (pol_common.h): a scenario's values and --set overrides (the simulator's
 * sim/scenario/units.c calls these), and the inline policy specs
 * (pol_spec.c), so a value means the same everywhere.
 * Numbers: strtod's decimal syntax with full consumption, surrounding white
 * space allowed; hex floats, inf and nan are refused (strtod accepts them,
 * users never mean them). Integers: strtoll, base 10. Durations: a number
 * and a suffix ns, us, ms, s, m or min, h (white space between allowed), or
 * a bare 0; never negative, below 9.2e18 ns, rounded to the nanosecond.
 * Invariants: *out is written only on success; no allocation, no I/O.
 * Cost: O(length of the text).
 */
#include "pol_common.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *skip_ws(const char *s) { while (*s && isspace((unsigned char)*s)) s++; return s; }

int pol_parse_double(const char *s, double *out)
{
    if (!s || !out) return POL_EINVAL;
    s = skip_ws(s);
    if (!*s) return POL_EPARSE;
    for (const char *p = s; *p && !isspace((unsigned char)*p); p++)
        if (!(isdigit((unsigned char)*p) || *p == '.' || *p == '-' || *p == '+' || *p == 'e' || *p == 'E'))
            return POL_EPARSE;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *skip_ws(end)) return POL_EPARSE;
    if (errno == ERANGE || !isfinite(v)) return POL_ERANGE;
    *out = v;
    return POL_OK;
}

int pol_parse_int(const char *s, long long *out)
{
    if (!s || !out) return POL_EINVAL;
    s = skip_ws(s);
    if (!*s) return POL_EPARSE;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *skip_ws(end)) return POL_EPARSE;
    if (errno == ERANGE) return POL_ERANGE;
    *out = v;
    return POL_OK;
}

/* Splits "<number><suffix>" and parses the number; the suffix (at most 7
 * characters) without surrounding white space. */
static int split_num(const char *s, double *num, char suffix[8])
{
    s = skip_ws(s);
    const char *p = s;
    if (*p == '+' || *p == '-') p++;
    while (isdigit((unsigned char)*p) || *p == '.') p++;
    if ((*p == 'e' || *p == 'E') && (isdigit((unsigned char)p[1]) ||
        ((p[1] == '-' || p[1] == '+') && isdigit((unsigned char)p[2])))) {
        p += 2;
        while (isdigit((unsigned char)*p)) p++;
    }
    if (p == s) return POL_EPARSE;
    char numbuf[64];
    size_t len = (size_t)(p - s);
    if (len >= sizeof numbuf) return POL_EPARSE;
    memcpy(numbuf, s, len);
    numbuf[len] = '\0';
    int rc = pol_parse_double(numbuf, num);
    if (rc) return rc;
    p = skip_ws(p);
    size_t i = 0;
    while (*p && !isspace((unsigned char)*p)) {
        if (i >= 7) return POL_EPARSE;
        suffix[i++] = *p++;
    }
    suffix[i] = '\0';
    return *skip_ws(p) ? POL_EPARSE : POL_OK;
}

int pol_parse_duration(const char *s, pol_ns *out)
{
    if (!s || !out) return POL_EINVAL;
    double v;
    char u[8];
    int rc = split_num(s, &v, u);
    if (rc) return rc;
    double scale;
    if (!strcmp(u, "ns")) scale = 1;
    else if (!strcmp(u, "us")) scale = 1e3;
    else if (!strcmp(u, "ms")) scale = 1e6;
    else if (!strcmp(u, "s")) scale = 1e9;
    else if (!strcmp(u, "m") || !strcmp(u, "min")) scale = 60e9;
    else if (!strcmp(u, "h")) scale = 3600e9;
    else if (!u[0] && v == 0) scale = 0;
    else return POL_EPARSE;
    if (v < 0) return POL_ERANGE;
    double ns = v * scale;
    if (!(ns < 9.2e18)) return POL_ERANGE;
    *out = (pol_ns)llround(ns);
    return POL_OK;
}
