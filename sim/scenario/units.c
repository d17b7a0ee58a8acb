/* units.c — strict parsers for durations, rates and numbers (see units.h).
 * Numbers and durations are libretrypol's (pol_parse_*, pol_units.c); rates,
 * percentages and the formatting are the simulator's own, built on them. */
#include "units.h"
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *skip_ws(const char *s) { while (*s && isspace((unsigned char)*s)) s++; return s; }

static int only_ws(const char *s) { return *skip_ws(s) == '\0'; }

/* Numbers and durations: libretrypol's grammar (pol_units.c), which the
 * inline policy specs read too, so a value means the same everywhere. */
int sim_parse_double(const char *s, double *out) { return pol_parse_double(s, out); }
int sim_parse_int(const char *s, long long *out) { return pol_parse_int(s, out); }
int sim_parse_duration(const char *s, pol_ns *out) { return pol_parse_duration(s, out); }

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
