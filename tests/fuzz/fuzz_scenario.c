/* fuzz_scenario.c — the scenario loader on a buffer: YAML text, then
 * (after a NUL byte) up to 4 NUL-separated "key.path=value" overrides, as
 * `--set` gives them. The document may name t.csv, a.csv, e.csv of the
 * scratch directory. Checks: the load returns 0 or a negative code with one
 * message line; a loaded scenario holds the loader's invariants. */
#include "cfg.h"
#include "scenario.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16) return 0;
    char *buf = fuzz_str(data, size);
    size_t doc = strlen(buf);              /* the document ends at the first NUL */
    const char *ov[4];
    int nov = 0;
    for (size_t i = doc + 1; i < size && nov < 4; i += strlen(buf + i) + 1) ov[nov++] = buf + i;
    char name[128];
    snprintf(name, sizeof name, "%s/fuzz.yaml", fuzz_dir());
    sim_scenario s;
    sim_err err;
    int rc = sim_scenario_load_mem(buf, doc, name, ov, nov, &s, &err);
    if (rc > 0) abort();
    if (rc < 0) fuzz_check_msg(err.msg);
    else {
        if (s.duration <= 0 || s.bucket <= 0 || s.bucket > s.duration) abort();
        if (s.nproviders < 1 || s.npolicies < 1 || s.replications < 1 || s.replications > SIM_MAX_REPLICATIONS) abort();
        if (sim_scenario_buckets(&s) > SIM_MAX_BUCKETS) abort();
        for (int i = 0; i < s.ntimeline; i++)
            if (s.timeline[i].at < 0 || s.timeline[i].at >= s.duration || (i && s.timeline[i].at < s.timeline[i - 1].at)) abort();
        for (size_t i = 0; i < s.workload.n_arrivals; i++)
            if (s.workload.arrivals[i] >= s.duration || (i && s.workload.arrivals[i] < s.workload.arrivals[i - 1])) abort();
        for (int p = 0; p < s.npolicies; p++)
            for (int t = 0; t < s.policies[p].ntargets; t++)
                if (s.policies[p].targets[t] < 0 || s.policies[p].targets[t] >= s.nproviders) abort();
        sim_scenario_free(&s);
    }
    /* the generic document layer on the same bytes (the mock's request bodies) */
    sim_cfg_doc d;
    if (sim_cfg_load_mem(buf, doc, "body", &d, &err) == 0) {
        for (int i = 0; i < nov; i++)
            if (sim_cfg_override(&d, ov[i], &err) < 0) fuzz_check_msg(err.msg);
        sim_cfg_free(&d);
    } else fuzz_check_msg(err.msg);
    free(buf);
    return 0;
}
