/* units.h — parsing of quantities written with units in scenario files and
 * on the command line.
 *   durations: <number><unit>, unit one of ns us ms s m h (e.g. 250ms, 1.5s, 5m);
 *              a bare 0 is accepted as zero. Negative values are POL_ERANGE.
 *   rates:     <number>/<unit>, unit one of s sec min m h  (800/s, 60000/min),
 *              returned in events per second.
 *   money:     a plain number, optionally prefixed by '$'.
 * Strict: the whole string must be consumed (surrounding spaces allowed).
 * Returns POL_OK, POL_EPARSE (not of the grammar) or POL_ERANGE (negative,
 * overflow, not finite). No allocation.
 */
#ifndef SIM_UNITS_H
#define SIM_UNITS_H
#include <stdint.h>
#include "pol_common.h"

int sim_parse_duration(const char *s, pol_ns *out);
int sim_parse_rate(const char *s, double *per_second_out);
int sim_parse_double(const char *s, double *out);      /* finite decimal number */
int sim_parse_int(const char *s, long long *out);      /* decimal integer */
/* Formats a duration compactly ("250ms", "1.5s", "2m") into buf; returns buf. */
char *sim_format_duration(pol_ns d, char *buf, size_t n);

#endif
