/* ranking.h — the ranking of a finished sweep (sweep.h) by one metric: one
 * row per point x policy with the replications' mean and 95% Student-t CI
 * (sim_ci95), best first, and whether each row's CI overlaps the best's.
 *
 * Order: by the mean in the objective's direction; undefined means (no
 * finite replication) last; ties keep run order (point, then policy slot).
 * Overlap: 1 when the row's CI intersects the best row's, 0 when disjoint,
 * undefined (NaN / -1) when either CI is (fewer than two finite values).
 * Cost: one pass over the runs plus a sort of the rows.
 */
#ifndef BENCH_RANKING_H
#define BENCH_RANKING_H
#include "sweep.h"
#include <stdio.h>

typedef struct { int point, slot; size_t n; double mean, lo, hi; } bench_rank_row;

/* "METRIC", "METRIC:min" or "METRIC:max" (without a direction, the metric's
 * better one: sim_metric_lower_is_better). 0, or -1 with the message in err
 * ("--objective: unknown metric 'x' (...)"). */
int  bench_objective_parse(const char *text, sim_metric_id *obj, int *minimize, char *err, size_t cap);
/* The ranked rows of a sweep whose runs are all done (*n of them; free()),
 * or NULL when out of memory. */
bench_rank_row *bench_sweep_rank(const bench_sweep *s, sim_metric_id obj, int minimize, size_t *n);
/* 1 overlaps, 0 disjoint, -1 unknown (a CI needs 2 finite values). */
int  bench_rank_overlaps(const bench_rank_row *r, const bench_rank_row *best);
/* ranking.csv: rank, point, the grid keys, policy, metric, direction, n,
 * mean, ci95_low, ci95_high, overlaps_best. */
void bench_ranking_write(FILE *f, const bench_sweep *s, const bench_rank_row *rows, size_t n, sim_metric_id obj,
                         int minimize);
/* The table printed after a sweep: the best `top` rows (0 = all), "*" on
 * the rows whose CI overlaps the best's. */
void bench_ranking_print(FILE *f, const bench_sweep *s, const bench_rank_row *rows, size_t n, sim_metric_id obj,
                         int minimize, size_t top);

#endif
