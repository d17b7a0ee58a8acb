/* test_engine.c — the event queue, the run loop and the random streams. */
#include "cu_util.h"
#include "eventq.h"
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
static void test_ties_binary(void) { ties_in_insertion_order(2); }
static void test_ties_4ary(void) { ties_in_insertion_order(4); }

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
static void test_cancelled_never_fire(void)
{
    sim_engine e;
    sim_engine_init(&e, 2, 16);
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
    sim_engine_free(&e);
}

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

static void test_stop_time_and_stop(void)
{
    sim_engine e;
    sim_engine_init(&e, 2, 16);
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
             {"ties pop in insertion order (4-ary)", test_ties_4ary},
             {"cancelled events never fire", test_cancelled_never_fire},
             {"same seed -> identical event trace; arities agree", test_trace_deterministic},
             {"stop time, clamping, pop", test_stop_time_and_stop});
    CU_SUITE("rng", {"stream seeding", test_streams});
}
CU_TEST_MAIN(register_suites)
