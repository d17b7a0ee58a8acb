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
/* v with 17 significant digits, which reads back (strtod) to the same
 * double: the text of "%.17g", written faster for an integral value below
 * 1e15; NaN and infinities write nothing. Not a field: no separator. */
void sim_fput_exact(FILE *f, double v);
void sim_csv_end(sim_csv *c);                  /* newline */

#endif
