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

void sim_csv_num(sim_csv *c, double v)
{
    char buf[64];
    if (!isfinite(v)) buf[0] = '\0';
    else if (v == floor(v) && fabs(v) < 1e15) snprintf(buf, sizeof buf, "%.0f", v);
    else snprintf(buf, sizeof buf, "%.10g", v);
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

