/* test_latstore.c — latencies in two bytes: the same mean and quantiles, to
 * the bit, as GSL gives on the sorted floats. */
#include "cu_util.h"
#include "latstore.h"
#include "pol_common.h"
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort_float.h>
#include <gsl/gsl_statistics_float.h>
#include <math.h>
#include <string.h>

static const double Q[SIM_LAT_NQ] = { 0.50, 0.90, 0.99, 0.999 };

/* Bit equality of two doubles (NaN equal to NaN). */
static int same(double a, double b) { return !memcmp(&a, &b, sizeof a); }

/* v[n] summarised by GSL as metrics.c did before the store: sorted, then
 * gsl_stats_float_mean and gsl_stats_float_quantile_from_sorted_data. */
static void gsl_summary(float *v, size_t n, sim_lat_summary *o)
{
    o->n = n;
    if (!n) {
        o->mean = NAN;
        for (int j = 0; j < SIM_LAT_NQ; j++) o->q[j] = NAN;
        return;
    }
    gsl_sort_float(v, 1, n);
    o->mean = gsl_stats_float_mean(v, 1, n);
    for (int j = 0; j < SIM_LAT_NQ; j++) o->q[j] = gsl_stats_float_quantile_from_sorted_data(v, 1, n, Q[j]);
}

static void check_same(const sim_lat_summary *a, const sim_lat_summary *b)
{
    CU_ASSERT_EQUAL(a->n, b->n);
    CU_ASSERT(same(a->mean, b->mean));
    for (int j = 0; j < SIM_LAT_NQ; j++) CU_ASSERT(same(a->q[j], b->q[j]));
    if (!same(a->mean, b->mean)) printf("\n  mean %.17g vs %.17g (n %zu)\n", a->mean, b->mean, a->n);
}

/* n draws of `kind` into the store (classes by i % ncls) and into per-class
 * and all-class float arrays, then the summaries compared. */
static void compare(unsigned long seed, size_t n, int kind, int ncls)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, seed);
    sim_latstore s;
    memset(&s, 0, sizeof s);
    float *all = malloc((n ? n : 1) * sizeof *all), *one = malloc((n ? n : 1) * sizeof *one);
    unsigned char *cl = malloc(n ? n : 1);
    CU_ASSERT_FATAL(all && one && cl);
    for (size_t i = 0; i < n; i++) {
        double x = kind == 0 ? gsl_ran_lognormal(r, log(0.4), 0.6)      /* request latencies, s */
                 : kind == 1 ? gsl_ran_gaussian(r, 1.0)                 /* both signs */
                 : kind == 2 ? (double)(gsl_rng_uniform_int(r, 5)) * 0.25 /* heavy ties, zeros */
                             : gsl_ran_exponential(r, 30.0) + 1e-6;    /* a wide range */
        all[i] = (float)x;
        cl[i] = (unsigned char)(i % (size_t)ncls);
        CU_ASSERT_EQUAL_FATAL(sim_lat_add(&s, cl[i], all[i]), POL_OK);
    }
    CU_ASSERT_EQUAL(sim_lat_count(&s), n);
    for (int k = -1; k < ncls; k++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (k < 0 || cl[i] == k) one[m++] = all[i];
        sim_lat_summary a, b;
        CU_ASSERT_EQUAL_FATAL(sim_lat_summarise(&s, k, &a), POL_OK);
        gsl_summary(one, m, &b);
        check_same(&a, &b);
    }
    sim_lat_free(&s);
    free(all); free(one); free(cl);
    gsl_rng_free(r);
}

static void test_lognormal(void)
{
    compare(1, 1, 0, 1);
    compare(2, 2, 0, 1);
    compare(3, 17, 0, 1);
    compare(4, 1000, 0, 1);
    compare(5, 200000, 0, 1);
}
static void test_signs(void) { compare(6, 5000, 1, 1); compare(7, 100001, 1, 1); }
static void test_ties(void) { compare(8, 3000, 2, 1); compare(9, 70000, 2, 1); }
static void test_wide(void) { compare(10, 50000, 3, 1); }
static void test_classes(void)
{
    compare(11, 40000, 0, 3);
    compare(12, 999, 3, SIM_MAX_CLASSES);
}

/* An empty store, and an empty class beside a full one: NaN, n = 0. */
static void test_empty(void)
{
    sim_latstore s;
    memset(&s, 0, sizeof s);
    sim_lat_summary a;
    CU_ASSERT_EQUAL(sim_lat_summarise(&s, -1, &a), POL_OK);
    CU_ASSERT_EQUAL(a.n, 0);
    CU_ASSERT(isnan(a.mean) && isnan(a.q[0]) && isnan(a.q[3]));
    CU_ASSERT_EQUAL(sim_lat_add(&s, 2, 1.5f), POL_OK);
    CU_ASSERT_EQUAL(sim_lat_summarise(&s, 1, &a), POL_OK);
    CU_ASSERT_EQUAL(a.n, 0);
    CU_ASSERT_EQUAL(sim_lat_summarise(&s, 2, &a), POL_OK);
    CU_ASSERT_EQUAL(a.n, 1);
    CU_ASSERT_EQUAL(a.mean, 1.5);
    CU_ASSERT_EQUAL(a.q[3], 1.5);
    CU_ASSERT_EQUAL(sim_lat_add(&s, SIM_MAX_CLASSES, 1.0f), POL_EINVAL);
    CU_ASSERT_EQUAL(sim_lat_summarise(&s, SIM_MAX_CLASSES, &a), POL_EINVAL);
    sim_lat_free(&s);
}

/* Two bytes a value and the blocks' links: the pool holds n / SIM_LAT_BLK
 * blocks and one part-filled block per bin in use, no more. */
static void test_footprint(void)
{
    sim_latstore s;
    memset(&s, 0, sizeof s);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 13);
    const size_t n = 100000;
    for (size_t i = 0; i < n; i++) CU_ASSERT_EQUAL_FATAL(sim_lat_add(&s, 0, (float)gsl_ran_lognormal(r, log(0.4), 0.6)), POL_OK);
    size_t bins = 0;
    for (int d = 0; d < 256; d++)
        for (int b = 0; s.dir[0][d] && b < 256; b++) {
            bins += s.dir[0][d]->bin[b].n > 0;
            CU_ASSERT_EQUAL(s.dir[0][d]->bin[b].n > 0, (s.dir[0][d]->used[b >> 6] >> (b & 63)) & 1);
        }
    CU_ASSERT(bins > 100 && bins < 2000);
    CU_ASSERT(s.nblk <= n / SIM_LAT_BLK + bins);
    CU_ASSERT(s.nblk >= n / SIM_LAT_BLK);
    sim_lat_free(&s);
    gsl_rng_free(r);
}

static void register_suites(void)
{
    CU_SUITE("latstore",
             { "lognormal latencies: GSL's mean and quantiles to the bit", test_lognormal },
             { "negative and positive values", test_signs },
             { "many ties and zeros", test_ties },
             { "a wide range of exponents", test_wide },
             { "classes apart and together", test_classes },
             { "empty store and empty class", test_empty },
             { "blocks: n / 16 and one per bin", test_footprint });
}

CU_TEST_MAIN(register_suites)
