/* fuzz_dist.c — the distribution parser (dist.c) on text, the first byte
 * choosing durations or plain numbers: a parsed distribution formats, has a
 * mean >= 0 (or +inf for a heavy pareto) and samples values >= 0 (dist.h:
 * every distribution describes a non-negative quantity). The text may name
 * empirical(e.csv) of the scratch directory. */
#include "dist.h"
#include "fuzz_util.h"
#include <math.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gsl_rng *rng;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096) return 0;
    if (!rng) rng = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(rng, 7);
    int durations = data[0] & 1;
    char *s = fuzz_str(data + 1, size - 1);
    sim_dist d;
    sim_err err;
    int rc = sim_dist_parse(s, durations, fuzz_dir(), &d, &err);
    if (rc > 0) abort();
    if (rc < 0) fuzz_check_msg(err.msg);
    else {
        char buf[700];
        sim_dist_format(&d, durations, buf, sizeof buf);
        double m = sim_dist_mean(&d);
        if (!(m >= 0)) abort();
        for (int k = 0; k < 8; k++) {
            double x = sim_dist_sample(&d, rng);
            if (!(x >= 0)) abort();
        }
        sim_dist_free(&d);
    }
    free(s);
    return 0;
}
