/* test_bulkhead.c — CUnit tests of the bulkhead (pol_bulkhead): acquire up
 * to the cap, REJECT beyond, release, over-release, and the invariant
 * 0 <= in_flight <= max over 100000 random acquire/release (seed 8).
 */
#include "cu_util.h"
#include "retrypol.h"

static void test_basic(void)
{
    pol_bulkhead b;
    pol_bulkhead_cfg c = { 2 }, bad = { 0 };
    CU_ASSERT_EQUAL(pol_bulkhead_init(&b, &bad), POL_EINVAL);
    CU_ASSERT_EQUAL_FATAL(pol_bulkhead_init(&b, &c), POL_OK);
    CU_ASSERT_EQUAL(pol_bulkhead_acquire(&b), POL_BULKHEAD_ACQUIRED);
    CU_ASSERT_EQUAL(pol_bulkhead_acquire(&b), POL_BULKHEAD_ACQUIRED);
    CU_ASSERT_EQUAL(pol_bulkhead_acquire(&b), POL_BULKHEAD_REJECT);
    CU_ASSERT_EQUAL(b.rejected, 1);
    CU_ASSERT_EQUAL(pol_bulkhead_release(&b), POL_OK);
    CU_ASSERT_EQUAL(pol_bulkhead_acquire(&b), POL_BULKHEAD_ACQUIRED);
    CU_ASSERT_EQUAL(pol_bulkhead_release(&b), POL_OK);
    CU_ASSERT_EQUAL(pol_bulkhead_release(&b), POL_OK);
    CU_ASSERT_EQUAL(pol_bulkhead_release(&b), POL_EINVAL);
    CU_ASSERT_EQUAL(b.in_flight, 0);
    CU_ASSERT_EQUAL(pol_bulkhead_acquire(NULL), POL_BULKHEAD_REJECT);
}

static void test_invariant(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 8);
    pol_bulkhead b;
    pol_bulkhead_cfg c = { 7 };
    pol_bulkhead_init(&b, &c);
    long bad = 0, held = 0;
    for (int i = 0; i < 100000; i++) {
        if (gsl_rng_uniform(r) < 0.55) held += pol_bulkhead_acquire(&b) == POL_BULKHEAD_ACQUIRED;
        else if (pol_bulkhead_release(&b) == POL_OK) held--;
        if (b.in_flight < 0 || b.in_flight > 7 || b.in_flight != held) bad++;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(b.rejected > 1000);
    gsl_rng_free(r);
}

static void register_suites(void)
{
    CU_SUITE("bulkhead", {"acquire, reject, release", test_basic}, {"invariant", test_invariant});
}

CU_TEST_MAIN(register_suites)
