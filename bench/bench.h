/* bench.h — performance benchmarks behind `retrysim bench WHAT`.
 * Each prints figures to stdout after checking its own results, and returns
 * 0, or 1 when a self-check failed (the figures are then not printed). */
#ifndef BENCH_H
#define BENCH_H
#include <stddef.h>
#include <stdint.h>

int bench_engine(int argc, char **argv);
int bench_model(int argc, char **argv);
int bench_sweep_scaling(int argc, char **argv);   /* bench sweep: 1 vs 2 workers (bench_sweep.c) */
/* Runs bench model's standard scenario at `clients` and records the delays
 * (event time - now) of its first `cap` scheduled events into dt; returns
 * how many were recorded (0 on failure). */
size_t bench_model_record(long clients, int64_t *dt, size_t cap);
/* Monotonic wall time in ns (benchmarks only: the engine never reads a clock). */
int64_t bench_clock_ns(void);

#endif
