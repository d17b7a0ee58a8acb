/* test_engine.c — the event queue, the run loop and the random streams. */
#include "cu_util.h"
#include "eventq.h"
#include "ladder.h"
#include "rng.h"
#include "pol_common.h"
#include <gsl/gsl_randist.h>
#include <string.h>

typedef struct { uint32_t order[64]; int n; } log_ctx;

static void log_handler(sim_engine *e, const sim_event *ev, void *ctx)
{
    (void)e;
    log_ctx *l = ctx;
    if (l->n < 64) l->order[l->n++] = ev->arg;
}

static void ties_in_insertion_order(int arity)
{
    sim_engine e;
    CU_ASSERT_EQUAL_FATAL(sim_engine_init(&e, arity, 4), 0);
    log_ctx l = { {0}, 0 };
    sim_engine_on(&e, 1, log_handler, NULL, &l);
    /* 40 events at 4 distinct times, inserted interleaved */
    for (uint32_t i = 0; i < 40; i++) sim_schedule(&e, (int64_t)(i % 4) * 10, 1, 0, 0, i);
    sim_run(&e, 1000);
    CU_ASSERT_EQUAL(l.n, 40);
    int k = 0;
    for (uint32_t t = 0; t < 4; t++)
        for (uint32_t i = t; i < 40; i += 4) CU_ASSERT_EQUAL(l.order[k++], i);
    CU_ASSERT_EQUAL(e.now, 1000);
    sim_engine_free(&e);
}
static void test_ties_binary(void) { ties_in_insertion_order(SIM_QUEUE_BINARY); }
static void test_ties_4ary(void) { ties_in_insertion_order(SIM_QUEUE_4ARY); }
static void test_ties_ladder(void) { ties_in_insertion_order(SIM_QUEUE_LADDER); }

/* Cancellation: an entity whose generation moved on never sees old events. */
typedef struct { uint32_t gen[8]; int fired[8]; int stale_fired; } cancel_ctx;
static int cancel_live(const sim_event *ev, void *ctx) { cancel_ctx *c = ctx; return ev->gen == c->gen[ev->ent]; }
static void cancel_handler(sim_engine *e, const sim_event *ev, void *ctx)
{
    (void)e;
    cancel_ctx *c = ctx;
    if (ev->gen != c->gen[ev->ent]) c->stale_fired++;
    c->fired[ev->ent]++;
}
static void cancelled_never_fire(int queue)
{
    sim_engine e;
    sim_engine_init(&e, queue, 16);
    cancel_ctx c;
    memset(&c, 0, sizeof c);
    sim_engine_on(&e, 2, cancel_handler, cancel_live, &c);
    for (uint32_t ent = 0; ent < 8; ent++) sim_schedule(&e, 100 + ent, 2, ent, c.gen[ent], 0);
    /* cancel the odd entities' timers by bumping their generation, and re-arm two of them */
    for (uint32_t ent = 1; ent < 8; ent += 2) c.gen[ent]++;
    sim_schedule(&e, 500, 2, 3, c.gen[3], 0);
    sim_schedule(&e, 50, 2, 5, c.gen[5], 0);
    sim_run(&e, 10000);
    CU_ASSERT_EQUAL(c.stale_fired, 0);
    for (uint32_t ent = 0; ent < 8; ent++) {
        int want = (ent % 2 == 0) ? 1 : (ent == 3 || ent == 5) ? 1 : 0;
        CU_ASSERT_EQUAL(c.fired[ent], want);
    }
    CU_ASSERT_EQUAL(e.skipped, 4);
    CU_ASSERT_EQUAL(e.dispatched, 6);
    CU_ASSERT_EQUAL(e.n, 0);
    sim_engine_free(&e);
}
static void test_cancelled_never_fire(void) { cancelled_never_fire(SIM_QUEUE_BINARY); }
static void test_cancelled_ladder(void) { cancelled_never_fire(SIM_QUEUE_LADDER); }

/* A handler that schedules several events (the first replaces the root). */
typedef struct { gsl_rng *r; uint64_t hash; int64_t last_t; int order_ok; uint32_t left; } trace_ctx;
static void trace_handler(sim_engine *e, const sim_event *ev, void *ctx)
{
    trace_ctx *c = ctx;
    if (ev->t < c->last_t) c->order_ok = 0;
    c->last_t = ev->t;
    c->hash = (c->hash ^ (uint64_t)ev->t ^ ((uint64_t)ev->arg << 40)) * 1099511628211ULL;
    if (c->left == 0) return;
    c->left--;
    int fan = (int)gsl_rng_uniform_int(c->r, 3);   /* 0, 1 or 2 children */
    for (int i = 0; i < fan; i++)
        sim_schedule(e, ev->t + (int64_t)gsl_rng_uniform_int(c->r, 1000), 3, 0, 0, ev->arg * 3 + (uint32_t)i);
}
static uint64_t trace_hash(int arity, uint64_t seed, int *order_ok, uint64_t *dispatched)
{
    sim_engine e;
    sim_engine_init(&e, arity, 16);
    trace_ctx c = { sim_rng_new(gsl_rng_taus2, seed, 0, SIM_STREAM_BENCH, 7), 1469598103934665603ULL, 0, 1, 20000 };
    sim_engine_on(&e, 3, trace_handler, NULL, &c);
    for (uint32_t i = 0; i < 200; i++) sim_schedule(&e, (int64_t)gsl_rng_uniform_int(c.r, 100), 3, 0, 0, i);
    sim_run(&e, INT64_MAX / 2);
    *order_ok = c.order_ok;
    *dispatched = e.dispatched;
    gsl_rng_free(c.r);
    sim_engine_free(&e);
    return c.hash;
}
static void test_trace_deterministic(void)
{
    int ok1, ok2, ok3;
    uint64_t d1, d2, d3;
    uint64_t h1 = trace_hash(2, 99, &ok1, &d1);
    uint64_t h2 = trace_hash(2, 99, &ok2, &d2);
    uint64_t h3 = trace_hash(4, 99, &ok3, &d3);
    int ok5;
    uint64_t d5;
    uint64_t h5 = trace_hash(SIM_QUEUE_LADDER, 99, &ok5, &d5);
    CU_ASSERT(ok5);
    CU_ASSERT_EQUAL(h1, h5);
    CU_ASSERT_EQUAL(d1, d5);
    CU_ASSERT(ok1 && ok2 && ok3);
    CU_ASSERT(d1 > 1000);
    CU_ASSERT_EQUAL(h1, h2);
    CU_ASSERT_EQUAL(d1, d2);
    /* both arities pop the same total order */
    CU_ASSERT_EQUAL(h1, h3);
    uint64_t d4;
    int ok4;
    CU_ASSERT_NOT_EQUAL(trace_hash(2, 100, &ok4, &d4), h1);
}

static void stop_time_and_stop(int queue)
{
    sim_engine e;
    sim_engine_init(&e, queue, 16);
    log_ctx l = { {0}, 0 };
    sim_engine_on(&e, 1, log_handler, NULL, &l);
    sim_schedule(&e, 10, 1, 0, 0, 1);
    sim_schedule(&e, 20, 1, 0, 0, 2);
    sim_schedule(&e, 30, 1, 0, 0, 3);
    CU_ASSERT_EQUAL(sim_run(&e, 20), 2);        /* events at t <= stop run */
    CU_ASSERT_EQUAL(e.now, 20);
    CU_ASSERT_EQUAL(e.n, 1);
    sim_schedule(&e, 5, 1, 0, 0, 4);            /* in the past: clamped to now */
    sim_event ev;
    CU_ASSERT_EQUAL(sim_pop(&e, &ev), 1);
    CU_ASSERT_EQUAL(ev.t, 20);
    CU_ASSERT_EQUAL(ev.arg, 4);
    CU_ASSERT_EQUAL(sim_engine_init(&e, 3, 4), POL_EINVAL);
    sim_engine_free(&e);
}
static void test_stop_time_and_stop(void) { stop_time_and_stop(SIM_QUEUE_BINARY); }
static void test_stop_ladder(void) { stop_time_and_stop(SIM_QUEUE_LADDER); }

/* The ladder queue pops exactly the heap's (time, seq) order under every
 * pattern that stresses it: many equal times (a synchronized start), huge
 * ranges (times near INT64_MAX), crowded buckets that spawn rungs, far
 * events that stay in Top, events pushed below the current bucket, and
 * queues that drain to empty and fill again. */
static void ladder_matches_heap(uint64_t seed, int pattern)
{
    sim_engine h, l;
    CU_ASSERT_EQUAL_FATAL(sim_engine_init(&h, SIM_QUEUE_BINARY, 16), 0);
    CU_ASSERT_EQUAL_FATAL(sim_engine_init(&l, SIM_QUEUE_LADDER, 16), 0);
    gsl_rng *r = sim_rng_new(gsl_rng_taus2, seed, 0, SIM_STREAM_BENCH, 11);
    int64_t now = 0;
    uint64_t mismatches = 0, pops = 0;
    for (int round = 0; round < 40; round++) {
        int pushes = pattern >= 4 ? 6000 : 1 + (int)gsl_rng_uniform_int(r, pattern == 3 ? 20 : 3000);
        for (int i = 0; i < pushes; i++) {
            int64_t dt;
            switch (i == 0 && round % 8 == 0 && pattern == 4 ? -1 : pattern) {
            case -1: dt = (int64_t)1e12; break;      /* the first event of an empty queue, far ahead */
            case 4:  dt = gsl_rng_uniform(r) < 0.2 ? 7 : (int64_t)gsl_rng_uniform_int(r, 1000000); break;
            case 5:  dt = now < 1000000000 ? 1000000000 - now : 0; break;   /* then all at one instant */
            case 0:  dt = (int64_t)gsl_rng_uniform_int(r, 1000000); break;               /* uniform */
            case 1:  dt = (int64_t)gsl_rng_uniform_int(r, 3); break;                     /* ties */
            case 2:  dt = gsl_rng_uniform(r) < 0.1 ? INT64_MAX / 4 + (int64_t)gsl_rng_uniform_int(r, 1000)
                                                     : (int64_t)(gsl_ran_exponential(r, 1e9)); break;  /* huge range */
            default: dt = (int64_t)(gsl_ran_exponential(r, 1e6) * (gsl_rng_uniform(r) < 0.5 ? 1 : 1e4)); break;
            }
            int64_t t = dt > INT64_MAX - now ? INT64_MAX : now + dt;   /* times near INT64_MAX: saturate */
            uint32_t arg = (uint32_t)gsl_rng_get(r);
            CU_ASSERT_EQUAL_FATAL(sim_schedule(&h, t, 0, 0, 0, arg), 0);
            CU_ASSERT_EQUAL_FATAL(sim_schedule(&l, t, 0, 0, 0, arg), 0);
        }
        CU_ASSERT_EQUAL(h.n, l.n);
        /* pop part of it (all of it every 8th round) */
        size_t take = round % 8 == 7 ? h.n : h.n / 2 + 1;
        for (size_t i = 0; i < take && h.n; i++) {
            sim_event a, b;
            CU_ASSERT_EQUAL(sim_next_time(&h), sim_next_time(&l));
            sim_pop(&h, &a);
            CU_ASSERT_EQUAL_FATAL(sim_pop(&l, &b), 1);
            if (a.t != b.t || a.seq != b.seq || a.arg != b.arg) mismatches++;
            pops++;
            now = a.t;
            h.now = l.now = now;                /* sim_schedule clamps to now, as in a run */
        }
    }
    while (h.n) {
        sim_event a, b;
        sim_pop(&h, &a);
        CU_ASSERT_EQUAL_FATAL(sim_pop(&l, &b), 1);
        if (a.t != b.t || a.seq != b.seq) mismatches++;
        pops++;
    }
    CU_ASSERT_EQUAL(l.n, 0);
    CU_ASSERT(pops > (pattern == 3 ? 200u : 1000u));
    /* a Bottom grown under a far first event became a rung; one of a single
     * instant (every time equal) cannot: it stays a heap, tried again at double */
    if (pattern == 4) CU_ASSERT(l.lq->bottom_spreads > 0);
    if (pattern == 5) CU_ASSERT_EQUAL(l.lq->bottom_spreads, 0);
    CU_ASSERT_EQUAL(mismatches, 0);
    gsl_rng_free(r);
    sim_engine_free(&h);
    sim_engine_free(&l);
}
/* A binary heap past the size where sift-down switches from the
 * branchless child choice to the branchy one (1 << 17 entries, eventq.c),
 * and back while it drains: pops stay in strict (time, seq) order, ties
 * (times drawn from a small range) included, and every event comes out. */
static void test_heap_both_sift_paths(void)
{
    sim_engine h;
    CU_ASSERT_EQUAL_FATAL(sim_engine_init(&h, SIM_QUEUE_BINARY, 16), 0);
    gsl_rng *r = sim_rng_new(gsl_rng_taus2, 17, 0, SIM_STREAM_BENCH, 13);
    uint64_t pushed = 0, popped = 0, disorder = 0;
    sim_event last = { .t = -1 };
    size_t peak = 0;
    for (int round = 0; round < 6; round++) {
        size_t pushes = round < 3 ? 120000 : 20000;      /* grows past 1 << 17, then drains below */
        for (size_t i = 0; i < pushes; i++, pushed++)
            CU_ASSERT_EQUAL_FATAL(sim_schedule(&h, h.now + (int64_t)gsl_rng_uniform_int(r, 50000), 0, 0, 0, 0), 0);
        if (h.n > peak) peak = h.n;
        size_t take = round < 3 ? pushes / 4 : h.n * 3 / 4;
        for (size_t i = 0; i < take && h.n; i++, popped++) {
            sim_event a;
            sim_pop(&h, &a);
            if (a.t < last.t || (a.t == last.t && a.seq <= last.seq)) disorder++;
            last = a;
            h.now = a.t;
        }
    }
    while (h.n) {
        sim_event a;
        sim_pop(&h, &a);
        if (a.t < last.t || (a.t == last.t && a.seq <= last.seq)) disorder++;
        last = a;
        popped++;
    }
    CU_ASSERT(peak > ((size_t)1 << 17));
    CU_ASSERT_EQUAL(popped, pushed);
    CU_ASSERT_EQUAL(disorder, 0);
    gsl_rng_free(r);
    sim_engine_free(&h);
}

static void test_ladder_uniform(void) { ladder_matches_heap(1, 0); ladder_matches_heap(2, 0); }
static void test_ladder_ties(void) { ladder_matches_heap(3, 1); }
static void test_ladder_huge(void) { ladder_matches_heap(4, 2); }
static void test_ladder_mixed(void) { ladder_matches_heap(5, 3); ladder_matches_heap(6, 3); }
static void test_ladder_far_first(void) { ladder_matches_heap(7, 4); ladder_matches_heap(8, 5); }

/* The run loop with handlers that schedule (0, 1 or 3 events each, at
 * zero, short and long delays, some cancelled): the ladder, whose handled
 * event stays at Bottom's root until the first schedule that belongs in
 * Bottom replaces it, dispatches exactly the binary heap's sequence. */
typedef struct {
    gsl_rng *r; uint64_t hash; uint64_t n; uint32_t gen[64];
    uint64_t hinted[2], nhints, hits;   /* sim_engine_prefetch: the last two events hinted */
    uint64_t expect[2];                 /* those hinted before the previous dispatch */
} hold_ctx;
static int hold_live(const sim_event *ev, void *ctx) { hold_ctx *c = ctx; return ev->gen == c->gen[ev->ent]; }
static const void *hold_addr(const sim_event *ev, void *ctx)
{
    hold_ctx *c = ctx;
    c->hinted[c->nhints++ & 1] = ev->seq;
    return &c->gen[ev->ent];
}
static void hold_handler(sim_engine *e, const sim_event *ev, void *ctx)
{
    hold_ctx *c = ctx;
    /* the run loop hints the next root's candidates before this handler runs */
    if (c->nhints && (c->expect[0] == ev->seq || c->expect[1] == ev->seq)) c->hits++;
    c->expect[0] = c->hinted[0];
    c->expect[1] = c->hinted[1];
    c->hash = (c->hash ^ (uint64_t)ev->t ^ ((uint64_t)ev->arg << 32) ^ ev->seq) * 0x100000001b3ULL;
    c->n++;
    double u = gsl_rng_uniform(c->r);
    int k = u < 0.1 ? 0 : u < 0.85 ? 1 : 3;
    for (int i = 0; i < k; i++) {
        double v = gsl_rng_uniform(c->r);
        int64_t dt = v < 0.2 ? 0 : v < 0.6 ? (int64_t)gsl_ran_exponential(c->r, 1e6)
                                           : (int64_t)gsl_ran_exponential(c->r, 1e9);
        uint32_t ent = (uint32_t)gsl_rng_uniform_int(c->r, 64);
        if (gsl_rng_uniform(c->r) < 0.05) c->gen[ent]++;      /* cancels ent's pending events */
        sim_schedule(e, e->now + dt, 0, ent, c->gen[ent], (uint32_t)gsl_rng_get(c->r));
    }
}
static void hold_setup(sim_engine *e, hold_ctx *c, int queue, uint32_t stream, sim_handler fn, sim_live_fn live)
{
    memset(c, 0, sizeof *c);
    c->r = sim_rng_new(gsl_rng_taus2, 9, 0, SIM_STREAM_BENCH, stream);
    CU_ASSERT_EQUAL_FATAL(sim_engine_init(e, queue, 16), 0);
    sim_engine_on(e, 0, fn, live, c);
}
static uint64_t hold_run_ex(int queue, uint32_t initial, uint64_t *n, int hint, uint64_t *hits)
{
    sim_engine e;
    hold_ctx c;
    hold_setup(&e, &c, queue, 12, hold_handler, hold_live);
    if (hint) CU_ASSERT_EQUAL(sim_engine_prefetch(&e, 0, hold_addr), 0);
    for (uint32_t i = 0; i < initial; i++) sim_schedule(&e, (int64_t)(i % 7), 0, i % 64, 0, i);
    sim_run(&e, (int64_t)30e9);
    *n = c.n;
    if (hits) *hits = c.hits;
    sim_engine_free(&e);
    gsl_rng_free(c.r);
    return c.hash;
}
static uint64_t hold_run(int queue, uint64_t *n) { return hold_run_ex(queue, 5000, n, 0, NULL); }
static void test_ladder_run_loop(void)
{
    uint64_t nb, nl;
    uint64_t hb = hold_run(SIM_QUEUE_BINARY, &nb), hl = hold_run(SIM_QUEUE_LADDER, &nl);
    CU_ASSERT(nb > 20000);
    CU_ASSERT_EQUAL(nb, nl);
    CU_ASSERT_EQUAL(hb, hl);
}

/* A handler's first schedule at its own instant takes a binary heap's root
 * with no sift when both of the root's children are later (stays_at_root,
 * eventq.c); with a child at that instant (a tie, whose smaller seq goes
 * first) it sifts. Both cases occur here, and the binary heap and the
 * ladder (whose Bottom is one) dispatch the 4-ary heap's sequence, which
 * always sifts. */
typedef struct { gsl_rng *r; uint64_t hash, n, kept, tied; } now_ctx;
static void now_handler(sim_engine *e, const sim_event *ev, void *ctx)
{
    now_ctx *c = ctx;
    c->hash = (c->hash ^ (uint64_t)ev->t ^ ((uint64_t)ev->arg << 32) ^ ev->seq) * 0x100000001b3ULL;
    if (++c->n > 40000) return;
    if (gsl_rng_uniform(c->r) < 0.6) {
        if (e->nheap >= 3 && e->now < e->heap[1].t && e->now < e->heap[2].t) c->kept++;
        else c->tied++;
        sim_schedule(e, e->now, 0, 0, 0, (uint32_t)gsl_rng_get(c->r));
    }
    double u = gsl_rng_uniform(c->r);
    int64_t dt = u < 0.3 ? (int64_t)gsl_rng_uniform_int(c->r, 3) : (int64_t)gsl_ran_exponential(c->r, 1e4);
    sim_schedule(e, e->now + dt, 0, 0, 0, (uint32_t)gsl_rng_get(c->r));
}
static uint64_t now_run(int queue, uint64_t *kept, uint64_t *tied)
{
    sim_engine e;
    now_ctx c = { sim_rng_new(gsl_rng_taus2, 21, 0, SIM_STREAM_BENCH, 14), 1469598103934665603ULL, 0, 0, 0 };
    CU_ASSERT_EQUAL_FATAL(sim_engine_init(&e, queue, 16), 0);
    sim_engine_on(&e, 0, now_handler, NULL, &c);
    for (uint32_t i = 0; i < 300; i++) sim_schedule(&e, (int64_t)(i % 10), 0, 0, 0, i);
    sim_run(&e, INT64_MAX / 2);
    CU_ASSERT_EQUAL(e.n, 0);
    *kept = c.kept;
    *tied = c.tied;
    sim_engine_free(&e);
    gsl_rng_free(c.r);
    return c.hash;
}
static void test_zero_delay_root(void)
{
    uint64_t kb, tb, k4, t4, kl, tl;
    uint64_t hb = now_run(SIM_QUEUE_BINARY, &kb, &tb);
    CU_ASSERT(kb > 1000);
    CU_ASSERT(tb > 1000);
    CU_ASSERT_EQUAL(hb, now_run(SIM_QUEUE_4ARY, &k4, &t4));
    CU_ASSERT_EQUAL(hb, now_run(SIM_QUEUE_LADDER, &kl, &tl));
}

/* The classic hold model (each event schedules one at now + Exp(1 s)), with
 * the prefetch hint: the hint names the event dispatched next unless the
 * handler's own event is next (rare with many pending). */
static void hint_handler(sim_engine *e, const sim_event *ev, void *ctx)
{
    hold_ctx *c = ctx;
    if (c->nhints && (c->expect[0] == ev->seq || c->expect[1] == ev->seq)) c->hits++;
    c->expect[0] = c->hinted[0];
    c->expect[1] = c->hinted[1];
    c->n++;
    if (c->n < 200000) sim_schedule(e, e->now + (int64_t)gsl_ran_exponential(c->r, 1e9), 0, ev->ent, 0, 0);
}
static uint64_t hint_run(int queue, uint32_t pending, uint64_t *n)
{
    sim_engine e;
    hold_ctx c;
    hold_setup(&e, &c, queue, 13, hint_handler, NULL);
    CU_ASSERT_EQUAL(sim_engine_prefetch(&e, 0, hold_addr), 0);
    for (uint32_t i = 0; i < pending; i++) sim_schedule(&e, (int64_t)gsl_ran_exponential(c.r, 1e9), 0, i % 64, 0, 0);
    sim_run(&e, INT64_MAX - 1);
    *n = c.n;
    sim_engine_free(&e);
    gsl_rng_free(c.r);
    return c.hits;
}

/* The prefetch hint changes nothing that is dispatched (the rescheduling,
 * cancelling hold model above, with the hint on and off); it names the next
 * event most of the time; and a small queue gets no hints (the engine's
 * SIM_PREFETCH_MIN, 8,192 pending: there they would only cost). */
static void test_prefetch_hint(void)
{
    CU_ASSERT_EQUAL(sim_engine_prefetch(NULL, 0, hold_addr), POL_EINVAL);
    const int queues[] = { SIM_QUEUE_BINARY, SIM_QUEUE_4ARY, SIM_QUEUE_LADDER };
    for (int q = 0; q < 3; q++) {
        uint64_t n0, n1;
        uint64_t h0 = hold_run_ex(queues[q], 20000, &n0, 0, NULL), h1 = hold_run_ex(queues[q], 20000, &n1, 1, NULL);
        CU_ASSERT_EQUAL(h0, h1);
        CU_ASSERT_EQUAL(n0, n1);
        uint64_t n, hits = hint_run(queues[q], 20000, &n);
        CU_ASSERT(n > 100000);
        CU_ASSERT(hits > n / 2);
        CU_ASSERT(hits < n);
        CU_ASSERT_EQUAL(hint_run(queues[q], 1000, &n), 0);
        CU_ASSERT(n > 100000);
    }
}

static void test_streams(void)
{
    /* fixed hash: known answer, independent of call order */
    uint64_t a = sim_stream_seed(1, 0, SIM_STREAM_CLIENT, 0);
    uint64_t b = sim_stream_seed(1, 0, SIM_STREAM_CLIENT, 1);
    uint64_t c = sim_stream_seed(1, 1, SIM_STREAM_CLIENT, 0);
    uint64_t d = sim_stream_seed(1, 0, SIM_STREAM_PROVIDER, 0);
    CU_ASSERT(a != b && a != c && a != d && b != c);
    CU_ASSERT(a <= 0xffffffffULL && a != 0);
    CU_ASSERT_EQUAL(sim_splitmix64(0), 0xe220a8397b1dcdafULL);   /* reference value of splitmix64 */
    CU_ASSERT_PTR_EQUAL(sim_rng_type("taus2"), gsl_rng_taus2);
    CU_ASSERT_PTR_EQUAL(sim_rng_type("mt19937"), gsl_rng_mt19937);
    CU_ASSERT_PTR_NULL(sim_rng_type("no-such-rng"));
    gsl_rng *r1 = sim_rng_new(NULL, 5, 2, SIM_STREAM_CLIENT, 17);
    gsl_rng *r2 = sim_rng_new(gsl_rng_taus2, 5, 2, SIM_STREAM_CLIENT, 17);
    for (int i = 0; i < 100; i++) CU_ASSERT_EQUAL(gsl_rng_get(r1), gsl_rng_get(r2));
    sim_rng_reseed(r1, 5, 2, SIM_STREAM_CLIENT, 17);
    gsl_rng *r3 = sim_rng_new(NULL, 5, 2, SIM_STREAM_CLIENT, 17);
    CU_ASSERT_EQUAL(gsl_rng_get(r1), gsl_rng_get(r3));
    gsl_rng_free(r1); gsl_rng_free(r2); gsl_rng_free(r3);
}

static void register_suites(void)
{
    CU_SUITE("eventq",
             {"ties pop in insertion order (binary)", test_ties_binary},
             {"binary heap past 1 << 17 entries and back: strict (time, seq) order", test_heap_both_sift_paths},
             {"ties pop in insertion order (4-ary)", test_ties_4ary},
             {"cancelled events never fire", test_cancelled_never_fire},
             {"same seed -> identical event trace; arities agree", test_trace_deterministic},
             {"stop time, clamping, pop", test_stop_time_and_stop},
             {"zero-delay schedule keeps the root: the sifting queues' order", test_zero_delay_root});
    CU_SUITE("ladder queue",
             {"ties pop in insertion order", test_ties_ladder},
             {"cancelled events never fire", test_cancelled_ladder},
             {"stop time, clamping, pop", test_stop_ladder},
             {"same order as the heap: uniform", test_ladder_uniform},
             {"same order as the heap: equal times", test_ladder_ties},
             {"same order as the heap: times near INT64_MAX", test_ladder_huge},
             {"same order as the heap: two scales, draining", test_ladder_mixed},
             {"same order as the heap: a far first event, Bottom made a rung", test_ladder_far_first},
             {"run loop with rescheduling handlers: the heap's dispatch order", test_ladder_run_loop},
             {"prefetch hint: same dispatch, names the next event", test_prefetch_hint});
    CU_SUITE("rng", {"stream seeding", test_streams});
}
CU_TEST_MAIN(register_suites)
