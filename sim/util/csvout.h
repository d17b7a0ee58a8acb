/* csvout.h — one CSV row at a time, fields quoted by libcsv's csv_fwrite
 * when they need it. Numbers: integers without a decimal point, others
 * %.10g, NaN and infinities as an empty field. O(field length) per field.
 */
#ifndef SIM_CSVOUT_H
#define SIM_CSVOUT_H
#include <stdio.h>

typedef struct { FILE *f; int first; } sim_csv;
void sim_csv_begin(sim_csv *c, FILE *f);
void sim_csv_str(sim_csv *c, const char *s);
void sim_csv_num(sim_csv *c, double v);        /* %.10g; NaN -> empty field */
void sim_csv_int(sim_csv *c, long long v);
/* v exactly, so that strtod reads back the same double: an integral value
 * below 1e15 in decimal (the text of "%.17g" and "%lld"), any other as a
 * C99 hexadecimal float ("%a", e.g. 0x1.8p-1 for 0.75), which costs a third
 * of "%.17g"; NaN and infinities write nothing. Not a field: no separator.
 * For files that are read back rather than read (the sweep's journal). */
void sim_fput_exact(FILE *f, double v);
void sim_csv_end(sim_csv *c);                  /* newline */

#endif
