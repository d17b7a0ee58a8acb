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

/* An integral value below 1e15 as "%.0f" and "%.17g" print it: a sign if
 * negative ("-0" for negative zero), then its decimal digits. Written
 * digit by digit, which costs ~60 instructions where glibc's "%.17g" costs
 * ~1,500 (multi-precision arithmetic) and even "%lld" ~800 (snprintf's
 * stream set-up); tests/test_outfile.c checks the text against printf's.
 * buf: at least 22 bytes. Returns 0 if v is not such a value. */
static void decimal(char *buf, int negative, unsigned long long u)
{
    char digits[20];
    int k = 0;
    do { digits[k++] = (char)('0' + u % 10); u /= 10; } while (u);
    if (negative) *buf++ = '-';
    while (k) *buf++ = digits[--k];
    *buf = '\0';
}

static int integral(char *buf, double v)
{
    if (!(v == floor(v) && fabs(v) < 1e15)) return 0;
    decimal(buf, signbit(v) != 0, (unsigned long long)fabs(v));
    return 1;
}

void sim_fput_exact(FILE *f, double v)
{
    char buf[64];
    if (!isfinite(v)) return;
    if (integral(buf, v)) fputs(buf, f);
    else fprintf(f, "%a", v);     /* C99 hexadecimal: exact, a third of "%.17g"'s cost */
}

void sim_csv_num(sim_csv *c, double v)
{
    char buf[64];
    if (!isfinite(v)) buf[0] = '\0';
    else if (!integral(buf, v)) snprintf(buf, sizeof buf, "%.10g", v);
    if (!c->first) fputc(',', c->f);
    c->first = 0;
    fputs(buf, c->f);
}

void sim_csv_int(sim_csv *c, long long v)
{
    char buf[24];
    decimal(buf, v < 0, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v);   /* "%lld" */
    if (!c->first) fputc(',', c->f);
    c->first = 0;
    fputs(buf, c->f);
}

void sim_csv_end(sim_csv *c) { fputc('\n', c->f); c->first = 1; }

