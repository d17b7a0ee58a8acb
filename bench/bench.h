/* bench.h — performance benchmarks behind `retrysim bench WHAT`.
 * Each prints figures to stdout after checking its own results, and returns
 * 0, or 1 when a self-check failed (the figures are then not printed). */
#ifndef BENCH_H
#define BENCH_H
#include <stdint.h>

int bench_engine(int argc, char **argv);
int bench_model(int argc, char **argv);
int bench_sweep_scaling(int argc, char **argv);   /* bench sweep: 1 vs 2 workers (bench_sweep.c) */
/* Monotonic wall time in ns (benchmarks only: the engine never reads a clock). */
int64_t bench_clock_ns(void);

#endif
