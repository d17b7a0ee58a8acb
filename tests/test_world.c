/* test_world.c — white-box tests of the world's internals (world.h): a
 * client's packed random streams. */
#include "cu_util.h"
#include "world.h"
#include "rng.h"
#include <stdlib.h>
#include <string.h>

/* Seeds client c's stream k as client_new does. */
static void seed_stream(sim_world *w, sim_client *c, int k, uint32_t domain, uint32_t id)
{
    sim_crng x;
    gsl_rng *r = sim_crng_open(&x, w, c, k);
    sim_rng_bind(r, r->type, r->state, w->seed, 0, domain, id);
    sim_crng_close(&x);
}

/* Draws through open/close, one to three per opening, the two streams
 * interleaved: the sequence of a plain gsl_rng of the same type and seed,
 * for the packed taus states and for states in the pool. */
static void streams_match(const gsl_rng_type *T, int packed)
{
    sim_world *w = calloc(1, sizeof *w);
    sim_client *c = calloc(1, sizeof *c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    w->seed = 42;
    sim_rng_pool_init(&w->client_rngs, T);
    w->rng_packed = packed;
    if (!packed) {
        c->st.p[SIM_CRNG_WORK] = sim_rng_pool_state(&w->client_rngs);
        c->st.p[SIM_CRNG_POLICY] = sim_rng_pool_state(&w->client_rngs);
    }
    seed_stream(w, c, SIM_CRNG_WORK, SIM_STREAM_CLIENT, 7);
    seed_stream(w, c, SIM_CRNG_POLICY, SIM_STREAM_CLIENT_POLICY, 7);
    gsl_rng *ref[2] = { sim_rng_new(T, 42, 0, SIM_STREAM_CLIENT, 7), sim_rng_new(T, 42, 0, SIM_STREAM_CLIENT_POLICY, 7) };
    int bad = 0;
    for (int i = 0; i < 20000; i++) {
        int k = i % 3 == 0 ? SIM_CRNG_POLICY : SIM_CRNG_WORK;
        sim_crng x;
        gsl_rng *r = sim_crng_open(&x, w, c, k);
        for (int j = 0; j <= i % 3; j++)
            if (gsl_rng_get(r) != gsl_rng_get(ref[k])) bad++;
        sim_crng_close(&x);
    }
    CU_ASSERT_EQUAL(bad, 0);
    if (packed) {                      /* the packed words are the state: a copy of the client continues it */
        sim_client copy = *c;
        sim_crng x;
        CU_ASSERT_EQUAL(gsl_rng_get(sim_crng_open(&x, w, &copy, SIM_CRNG_WORK)), gsl_rng_get(ref[SIM_CRNG_WORK]));
        sim_crng_close(&x);
    }
    gsl_rng_free(ref[0]);
    gsl_rng_free(ref[1]);
    sim_rng_pool_free(&w->client_rngs);
    free(c);
    free(w);
}

static void test_packed_taus2(void) { streams_match(gsl_rng_taus2, 1); }
static void test_packed_taus(void) { streams_match(gsl_rng_taus, 1); }
static void test_pooled(void) { streams_match(gsl_rng_mt19937, 0); streams_match(gsl_rng_taus2, 0); }

/* A draw without its close leaves the client's state where it was: the
 * close is what advances it (so a missing close would show in outputs). */
static void test_close_stores(void)
{
    sim_world *w = calloc(1, sizeof *w);
    sim_client *c = calloc(1, sizeof *c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    sim_rng_pool_init(&w->client_rngs, gsl_rng_taus2);
    w->rng_packed = 1;
    seed_stream(w, c, SIM_CRNG_WORK, SIM_STREAM_CLIENT, 1);
    sim_crng x, y;
    unsigned long a = gsl_rng_get(sim_crng_open(&x, w, c, SIM_CRNG_WORK));
    unsigned long b = gsl_rng_get(sim_crng_open(&y, w, c, SIM_CRNG_WORK));   /* x not closed */
    CU_ASSERT_EQUAL(a, b);
    sim_crng_close(&y);
    unsigned long d = gsl_rng_get(sim_crng_open(&x, w, c, SIM_CRNG_WORK));
    sim_crng_close(&x);
    CU_ASSERT_NOT_EQUAL(a, d);
    sim_rng_pool_free(&w->client_rngs);
    free(c);
    free(w);
}

static void register_suites(void)
{
    CU_SUITE("client streams",
             {"packed taus2 states: the plain generator's sequence", test_packed_taus2},
             {"packed taus states: the plain generator's sequence", test_packed_taus},
             {"pooled states (mt19937, taus2): the plain generator's sequence", test_pooled},
             {"closing stores the state back", test_close_stores});
}
CU_TEST_MAIN(register_suites)
