/* test_world.c — white-box tests of the world's internals (world.h): a
 * client's packed random streams; the provider model's inline fmin/fmax. */
#include "cu_util.h"
#include "world.h"
#include "rng.h"
#include "minmax.h"
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* sim_min_d and sim_max_d against libm's fmin and fmax, bit for bit, on
 * every pair of a set of non-NaN values (signed zeros, infinities,
 * subnormals, equal and adjacent values) and on random pairs. */
static void test_minmax(void)
{
    double v[64];
    int n = 0;
    const double fixed[] = { 0.0, -0.0, 1.0, -1.0, 0.5, nextafter(1.0, 2.0), nextafter(1.0, 0.0), 1e9, 1e-300,
                             DBL_TRUE_MIN, -DBL_TRUE_MIN, DBL_MIN, DBL_MAX, -DBL_MAX, INFINITY, -INFINITY };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) v[n++] = fixed[i];
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    while (n < 64) v[n++] = (gsl_rng_uniform(r) - 0.5) * 1e3;
    int bad = 0;
    for (int k = 0; k < 200000; k++) {
        double a = k < n * n ? v[k / n] : (gsl_rng_uniform(r) - 0.5) * 120;
        double b = k < n * n ? v[k % n] : (gsl_rng_uniform(r) - 0.5) * 120;
        double lo = sim_min_d(a, b), hi = sim_max_d(a, b), flo = fmin(a, b), fhi = fmax(a, b);
        if ((memcmp(&lo, &flo, sizeof lo) || memcmp(&hi, &fhi, sizeof hi)) && bad++ < 5)
            printf("\n  (%a, %a): min %a max %a, libm %a %a\n", a, b, lo, hi, flo, fhi);
    }
    gsl_rng_free(r);
    CU_ASSERT_EQUAL(bad, 0);
}

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
    CU_SUITE("helpers",
             {"sim_min_d / sim_max_d are libm's fmin / fmax without NaN", test_minmax});
}
CU_TEST_MAIN(register_suites)
