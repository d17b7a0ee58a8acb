/* fuzz_units.c — the strict parsers of units.c: durations, rates, numbers,
 * integers, and the duration formatter on what they accept; and the trace
 * times of trace.c. Checks: a duration is >= 0, a rate is finite and >= 0,
 * the formatted text is short, a relative trace time is >= 0. */
#include "units.h"
#include "trace.h"
#include "fuzz_util.h"
#include <math.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    char *s = fuzz_str(data, size);
    pol_ns d;
    double v;
    long long i;
    char buf[64];
    int rc = sim_parse_duration(s, &d);
    if (rc == POL_OK) {
        if (d < 0) abort();
        if (strlen(sim_format_duration(d, buf, sizeof buf)) >= sizeof buf - 1) abort();
        pol_ns back;   /* the formatted text parses again */
        if (sim_parse_duration(buf, &back) == POL_EPARSE) abort();
    } else if (rc != POL_EPARSE && rc != POL_ERANGE) abort();
    rc = sim_parse_rate(s, &v);
    if (rc == POL_OK && !(isfinite(v) && v >= 0)) abort();
    rc = sim_parse_double(s, &v);
    if (rc == POL_OK && !isfinite(v)) abort();
    rc = sim_parse_int(s, &i);
    if (rc != POL_OK && rc != POL_EPARSE && rc != POL_ERANGE) abort();
    int64_t t;          /* trace times: relative ones >= 0 */
    sim_time_kind k;
    rc = sim_trace_time(s, 1000000, &t, &k);
    if (rc == POL_OK && k == SIM_TIME_RELATIVE && t < 0) abort();
    if (rc != POL_OK && rc != POL_EPARSE && rc != POL_ERANGE) abort();
    (void)sim_col_unit(s);
    free(s);
    return 0;
}
