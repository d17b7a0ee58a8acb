/* units.c — strict parsers for durations, rates and numbers (see units.h).
 * Built on strtod/strtoll with full-consumption and range checks. */
#include "units.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *skip_ws(const char *s) { while (*s && isspace((unsigned char)*s)) s++; return s; }

static int only_ws(const char *s) { return *skip_ws(s) == '\0'; }

int sim_parse_double(const char *s, double *out)
{
    if (!s || !out) return POL_EINVAL;
    s = skip_ws(s);
    if (!*s) return POL_EPARSE;
    /* refuse hex floats, inf and nan: strtod accepts them, users never mean them */
    for (const char *p = s; *p && !isspace((unsigned char)*p); p++)
        if (!(isdigit((unsigned char)*p) || *p == '.' || *p == '-' || *p == '+' || *p == 'e' || *p == 'E'))
            return POL_EPARSE;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || !only_ws(end)) return POL_EPARSE;
    if (errno == ERANGE || !isfinite(v)) return POL_ERANGE;
    *out = v;
    return POL_OK;
}

int sim_parse_int(const char *s, long long *out)
{
    if (!s || !out) return POL_EINVAL;
    s = skip_ws(s);
    if (!*s) return POL_EPARSE;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || !only_ws(end)) return POL_EPARSE;
    if (errno == ERANGE) return POL_ERANGE;
    *out = v;
    return POL_OK;
}

/* Splits "<number><suffix>" and parses the number; suffix is returned
 * without surrounding spaces (at most 7 chars). */
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
    int rc = sim_parse_double(numbuf, num);
    if (rc) return rc;
    p = skip_ws(p);
    size_t i = 0;
    while (*p && !isspace((unsigned char)*p)) {
        if (i >= 7) return POL_EPARSE;
        suffix[i++] = *p++;
    }
    suffix[i] = '\0';
    return only_ws(p) ? POL_OK : POL_EPARSE;
}

int sim_parse_duration(const char *s, pol_ns *out)
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

int sim_parse_rate(const char *s, double *per_second_out)
{
    if (!s || !per_second_out) return POL_EINVAL;
    const char *slash = strchr(s, '/');
    if (!slash) return POL_EPARSE;
    char numbuf[64];
    size_t len = (size_t)(slash - s);
    if (len >= sizeof numbuf) return POL_EPARSE;
    memcpy(numbuf, s, len);
    numbuf[len] = '\0';
    double v;
    int rc = sim_parse_double(numbuf, &v);
    if (rc) return rc;
    const char *u = skip_ws(slash + 1);
    char unit[8];
    size_t i = 0;
    while (*u && !isspace((unsigned char)*u)) { if (i >= 7) return POL_EPARSE; unit[i++] = *u++; }
    unit[i] = '\0';
    if (!only_ws(u)) return POL_EPARSE;
    double per;
    if (!strcmp(unit, "s") || !strcmp(unit, "sec")) per = 1;
    else if (!strcmp(unit, "min") || !strcmp(unit, "m")) per = 60;
    else if (!strcmp(unit, "h")) per = 3600;
    else if (!strcmp(unit, "ms")) per = 1e-3;
    else return POL_EPARSE;
    if (v < 0) return POL_ERANGE;
    *per_second_out = v / per;
    return POL_OK;
}

char *sim_format_duration(pol_ns d, char *buf, size_t n)
{
    double v = (double)d;
    const char *u;
    double a = fabs(v);
    if (a >= 3600e9 && fmod(a, 3600e9) == 0) { v /= 3600e9; u = "h"; }
    else if (a >= 60e9 && fmod(a, 60e9) == 0) { v /= 60e9; u = "m"; }
    else if (a >= 1e9) { v /= 1e9; u = "s"; }
    else if (a >= 1e6) { v /= 1e6; u = "ms"; }
    else if (a >= 1e3) { v /= 1e3; u = "us"; }
    else u = "ns";
    snprintf(buf, n, "%.6g%s", v, u);
    return buf;
}
