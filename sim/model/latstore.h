/* latstore.h — the latencies of a run's successful requests, kept exactly
 * in two bytes each, for their mean and quantiles at the run's end.
 *
 * A float's 32 bits, mapped so that their order as an unsigned integer is
 * the float's order (the sign bit flipped for x >= +0, every bit for
 * x < 0), split into a high half, the bin, and a low half, the value kept.
 * A bin (sign, exponent and the mantissa's top 7 bits: 65,536 of them, a
 * run's latencies fill a thousand or two) holds its low halves unsorted in
 * a list of blocks of SIM_LAT_BLK from one pool; a class's bins are pages
 * of 256, made when a value first falls in one, with a bit per bin in use
 * (and per page), so that the end visits only those. At the end the bins are
 * walked in order, each one's values sorted, so the values come out as a
 * full sort of the floats would give them: the mean follows GSL's
 * recurrence over them (gsl_stats_float_mean, in sorted order as before)
 * and the quantiles GSL's interpolation (gsl_stats_float_quantile_from_
 * sorted_data), both to the bit (tests/test_latstore.c checks them against
 * GSL). Where a float each and a class byte cost 4-5 bytes a sample (and a
 * doubling array up to twice that), this is 2.25 bytes and a part-filled
 * block per bin in use (docs/performance.md, "Latencies in two bytes").
 */
#ifndef SIM_LATSTORE_H
#define SIM_LATSTORE_H
#include "scenario.h"   /* SIM_MAX_CLASSES */
#include <stddef.h>
#include <stdint.h>

#define SIM_LAT_BLK 16          /* values a block holds (32 bytes) */
#define SIM_LAT_NQ  4           /* quantiles a summary gives: p50, p90, p99, p99.9 */

typedef struct { uint32_t head, n; } sim_lat_bin;   /* head: the newest block (full but for it) */
typedef struct {
    sim_lat_bin bin[256];
    uint64_t    used[4];                   /* a bit per bin that holds a value */
} sim_lat_page;

typedef struct {
    uint16_t     *v;                       /* [cap * SIM_LAT_BLK] the blocks' values */
    uint32_t     *next;                    /* [cap] a block's older neighbour in its bin */
    uint32_t      nblk, cap;
    size_t        count[SIM_MAX_CLASSES];  /* values held per class */
    sim_lat_page **dir[SIM_MAX_CLASSES];   /* [256] a class's pages of 256 bins, NULL until used */
    uint64_t      pages[4];                /* a bit per page index some class has */
} sim_latstore;

typedef struct {
    size_t n;                  /* values summarised */
    double mean;               /* NaN when n == 0, as the quantiles */
    double q[SIM_LAT_NQ];      /* at 0.50, 0.90, 0.99, 0.999 */
} sim_lat_summary;

/* Adds x (any float but NaN) to class cls (< SIM_MAX_CLASSES): 0, or
 * POL_ENOMEM with the store unchanged. */
int  sim_lat_add(sim_latstore *s, unsigned cls, float x);
/* The summary of class cls's values, or of every class's when cls < 0:
 * 0, or POL_ENOMEM (the scratch of one bin could not be had). */
int  sim_lat_summarise(const sim_latstore *s, int cls, sim_lat_summary *out);
/* Values held (every class's). */
size_t sim_lat_count(const sim_latstore *s);
void sim_lat_free(sim_latstore *s);

#endif
