/* bench_engine.c — the classic "hold" benchmark of an event queue.
 *
 * A queue is prefilled with N events; then each step pops the earliest event
 * and pushes one at now + an increment. We time the retrysim engine (sim_run
 * with a handler that reschedules) with each of its queues — binary heap,
 * 4-ary heap, ladder queue (ladder.h) — against a bare inline binary heap of
 * the same 32-byte entries written here with no dispatch, no generation check
 * and no growth check. Two increment distributions: Exp(1 s) (the textbook
 * hold model) and "recorded": the delays (event time - now) of the events
 * that the full model (bench model's standard scenario, 10k clients)
 * actually scheduled, replayed in their order. Runs are interleaved (bare,
 * binary, 4-ary, ladder, repeated) and the median of the repeats is
 * reported. Every variant draws the same table, so the comparison measures
 * queue cost, not log(). Before printing, every variant must end with the
 * same checksum of popped times, or the benchmark fails.
 */
#include "bench.h"
#include "eventq.h"
#include "rng.h"
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TABLE_BITS 20
#define TABLE_SIZE (1u << TABLE_BITS)

int64_t bench_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

typedef struct {
    const int64_t *incr;
    uint32_t       pos;
    uint64_t       checksum;
    uint64_t       left;
} hold_state;

/* ---------- the bare heap: binary, inline, same entries ---------- */
typedef struct { sim_event *h; size_t n; uint64_t seq; } bare_heap;

static inline int bare_less(const sim_event *a, const sim_event *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static inline void bare_push(bare_heap *b, int64_t t)
{
    sim_event x = { t, b->seq++, 0, 0, 0, 0 };
    size_t i = b->n++;
    while (i > 0) {
        size_t p = (i - 1) >> 1;
        if (!bare_less(&x, &b->h[p])) break;
        b->h[i] = b->h[p];
        i = p;
    }
    b->h[i] = x;
}

static inline sim_event bare_pop(bare_heap *b)
{
    sim_event top = b->h[0], x = b->h[--b->n];
    size_t i = 0, n = b->n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && bare_less(&b->h[c + 1], &b->h[c])) c++;
        if (!bare_less(&b->h[c], &x)) break;
        b->h[i] = b->h[c];
        i = c;
    }
    if (n) b->h[i] = x;
    return top;
}

static double run_bare(size_t size, uint64_t steps, const int64_t *incr, uint64_t *sum_out)
{
    bare_heap b = { malloc((size + 1) * sizeof(sim_event)), 0, 0 };
    uint32_t pos = 0;
    for (size_t i = 0; i < size; i++) bare_push(&b, incr[pos++ & (TABLE_SIZE - 1)]);
    uint64_t sum = 0;
    int64_t t0 = bench_clock_ns();
    for (uint64_t s = 0; s < steps; s++) {
        sim_event ev = bare_pop(&b);
        sum += (uint64_t)ev.t;
        bare_push(&b, ev.t + incr[pos++ & (TABLE_SIZE - 1)]);
    }
    int64_t t1 = bench_clock_ns();
    free(b.h);
    *sum_out = sum;
    return (double)(t1 - t0) / (double)steps;
}

/* ---------- the engine ---------- */
static void hold_handler(sim_engine *e, const sim_event *ev, void *ctx)
{
    hold_state *st = ctx;
    st->checksum += (uint64_t)ev->t;
    if (--st->left == 0) { sim_engine_stop(e); return; }
    sim_schedule(e, ev->t + st->incr[st->pos++ & (TABLE_SIZE - 1)], 0, ev->ent, ev->gen, 0);
}

static double run_engine(int queue, size_t size, uint64_t steps, const int64_t *incr, uint64_t *sum_out)
{
    sim_engine e;
    if (sim_engine_init(&e, queue, size + 1)) return -1;
    hold_state st = { incr, 0, 0, steps };
    sim_engine_on(&e, 0, hold_handler, NULL, &st);
    for (size_t i = 0; i < size; i++) sim_schedule(&e, incr[st.pos++ & (TABLE_SIZE - 1)], 0, 0, 0, 0);
    int64_t t0 = bench_clock_ns();
    sim_run(&e, INT64_MAX);
    int64_t t1 = bench_clock_ns();
    /* the last handler stopped without pushing: count it like the bare loop */
    sim_engine_free(&e);
    *sum_out = st.checksum;
    return (double)(t1 - t0) / (double)steps;
}

static double median(double *v, size_t n)
{
    gsl_sort(v, 1, n);
    return gsl_stats_median_from_sorted_data(v, 1, n);
}

/* The recorded table: the model's delays, cycled to TABLE_SIZE entries;
 * 0 delays become 1 ns (the hold model needs time to advance). */
static int recorded_table(int64_t *incr)
{
    size_t cap = TABLE_SIZE;
    int64_t *dt = malloc(cap * sizeof *dt);
    if (!dt) return -1;
    size_t n = bench_model_record(10000, dt, cap);
    if (n < 1000) { free(dt); return -1; }
    for (size_t i = 0; i < TABLE_SIZE; i++) incr[i] = dt[i % n] > 0 ? dt[i % n] : 1;
    free(dt);
    return 0;
}

int bench_engine(int argc, char **argv)
{
    int reps = 3;
    uint64_t min_steps = 2000000;
    size_t max_size = 10000000;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--steps") && i + 1 < argc) min_steps = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--max-size") && i + 1 < argc) max_size = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: retrysim bench engine [--reps N] [--steps N] [--max-size N]\n"
                   "Hold model (pop earliest, push at now + an increment) at queue sizes 1e3..1e7\n"
                   "(up to --max-size), increments Exp(1 s) and as recorded from the full model:\n"
                   "ns per event for a bare inline binary heap and the engine's queues (binary,\n"
                   "4-ary, ladder), interleaved, median of N repeats, each as a ratio to bare.\n");
            return 0;
        } else { fprintf(stderr, "retrysim bench engine: unknown argument '%s'\n", argv[i]); return 2; }
    }
    if (reps < 1 || reps > 101 || min_steps < 1000 || max_size < 1000) {
        fprintf(stderr, "retrysim bench engine: bad --reps/--steps/--max-size\n");
        return 2;
    }
    int64_t *tables[2] = { malloc(TABLE_SIZE * sizeof(int64_t)), malloc(TABLE_SIZE * sizeof(int64_t)) };
    if (!tables[0] || !tables[1]) { free(tables[0]); free(tables[1]); return 1; }
    gsl_rng *r = sim_rng_new(gsl_rng_taus2, 1, 0, SIM_STREAM_BENCH, 0);
    for (uint32_t i = 0; i < TABLE_SIZE; i++) tables[0][i] = (int64_t)(gsl_ran_exponential(r, 1.0) * 1e9) + 1;
    gsl_rng_free(r);
    if (recorded_table(tables[1])) {
        fprintf(stderr, "bench engine: could not record the model's event delays\n");
        free(tables[0]); free(tables[1]);
        return 1;
    }
    static const char *const DIST[] = { "exp(1s)", "recorded" };
    static const int QUEUE[] = { SIM_QUEUE_BINARY, SIM_QUEUE_4ARY, SIM_QUEUE_LADDER };
    printf("%-9s %-9s %10s %9s %9s %7s %9s %7s %9s %7s\n", "size", "incr", "steps", "bare ns", "binary",
           "/bare", "4-ary", "/bare", "ladder", "/bare");
    int failed = 0;
    const size_t sizes[] = { 1000, 10000, 100000, 1000000, 10000000 };
    for (size_t si = 0; si < 5 && !failed && sizes[si] <= max_size; si++) {
        size_t size = sizes[si];
        uint64_t steps = size >= 1000000 ? 3 * size : 10 * size;
        if (steps < min_steps) steps = min_steps;
        for (int d = 0; d < 2 && !failed; d++) {
            double tb[101], tq[3][101];
            for (int k = 0; k < reps; k++) {
                uint64_t sb, sq[3];
                tb[k] = run_bare(size, steps, tables[d], &sb);
                for (int q = 0; q < 3; q++) {
                    tq[q][k] = run_engine(QUEUE[q], size, steps, tables[d], &sq[q]);
                    if (sq[q] != sb || tq[q][k] < 0) {
                        fprintf(stderr, "bench engine: self-check failed at size %zu (%s, queue %d)\n", size, DIST[d], QUEUE[q]);
                        failed = 1;
                    }
                }
            }
            if (failed) break;
            double mb = median(tb, (size_t)reps), m[3];
            for (int q = 0; q < 3; q++) m[q] = median(tq[q], (size_t)reps);
            printf("%-9zu %-9s %10llu %9.1f %9.1f %7.2f %9.1f %7.2f %9.1f %7.2f\n", size, DIST[d],
                   (unsigned long long)steps, mb, m[0], m[0] / mb, m[1], m[1] / mb, m[2], m[2] / mb);
            fflush(stdout);
        }
    }
    free(tables[0]);
    free(tables[1]);
    return failed;
}
