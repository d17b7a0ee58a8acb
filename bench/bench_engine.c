/* bench_engine.c — the classic "hold" benchmark of an event queue.
 *
 * A queue is prefilled with N events; then each step pops the earliest event
 * and pushes one at now + Exp(1 s). We time the retrysim engine (sim_run with
 * a handler that reschedules; binary, the simulator's default, and 4-ary)
 * against a bare inline binary
 * heap of the same 32-byte entries written here with no dispatch, no
 * generation check and no growth check. Runs are interleaved (bare, 4-ary,
 * binary, repeated) and the median of the repeats is reported. The
 * increments come from one precomputed table of GSL exponential draws shared
 * by every variant, so the comparison measures queue cost, not log(). Before
 * printing, every variant must end at the same virtual time with the same
 * checksum of popped times, or the benchmark fails.
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

static double run_engine(int arity, size_t size, uint64_t steps, const int64_t *incr, uint64_t *sum_out)
{
    sim_engine e;
    if (sim_engine_init(&e, arity, size + 1)) return -1;
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

int bench_engine(int argc, char **argv)
{
    int reps = 5;
    uint64_t min_steps = 2000000;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--steps") && i + 1 < argc) min_steps = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: retrysim bench engine [--reps N] [--steps N]\n"
                   "Hold model (pop earliest, push at now + Exp(1 s)) at queue sizes 1e3..1e6:\n"
                   "ns per event for a bare inline binary heap and the engine (4-ary, binary),\n"
                   "interleaved, median of N repeats, with the ratio engine/bare.\n");
            return 0;
        } else { fprintf(stderr, "retrysim bench engine: unknown argument '%s'\n", argv[i]); return 2; }
    }
    if (reps < 1 || reps > 101 || min_steps < 1000) { fprintf(stderr, "retrysim bench engine: bad --reps/--steps\n"); return 2; }
    int64_t *incr = malloc(TABLE_SIZE * sizeof *incr);
    gsl_rng *r = sim_rng_new(gsl_rng_taus2, 1, 0, SIM_STREAM_BENCH, 0);
    for (uint32_t i = 0; i < TABLE_SIZE; i++) incr[i] = (int64_t)(gsl_ran_exponential(r, 1.0) * 1e9) + 1;
    gsl_rng_free(r);

    printf("%-9s %10s %12s %14s %12s %13s %12s\n", "size", "steps", "bare ns/ev", "binary ns/ev", "binary/bare",
           "4-ary ns/ev", "4-ary/bare");
    int failed = 0;
    const size_t sizes[] = { 1000, 10000, 100000, 1000000 };
    for (size_t si = 0; si < 4; si++) {
        size_t size = sizes[si];
        uint64_t steps = min_steps > 10 * size ? min_steps : 10 * size;
        double tb[101], t4[101], t2[101];
        for (int k = 0; k < reps; k++) {
            uint64_t sb, s4, s2;
            tb[k] = run_bare(size, steps, incr, &sb);
            t4[k] = run_engine(4, size, steps, incr, &s4);
            t2[k] = run_engine(2, size, steps, incr, &s2);
            if (sb != s4 || sb != s2 || t4[k] < 0 || t2[k] < 0) {
                fprintf(stderr, "bench engine: self-check failed at size %zu (checksums %llu %llu %llu)\n",
                        size, (unsigned long long)sb, (unsigned long long)s4, (unsigned long long)s2);
                failed = 1;
            }
        }
        if (failed) break;
        double mb = median(tb, (size_t)reps), m4 = median(t4, (size_t)reps), m2 = median(t2, (size_t)reps);
        printf("%-9zu %10llu %12.1f %14.1f %12.2f %13.1f %12.2f\n", size, (unsigned long long)steps, mb, m2,
               m2 / mb, m4, m4 / mb);
        fflush(stdout);
    }
    free(incr);
    return failed;
}
