/* test_oom.c — allocation-failure tests: every allocation of the code under
 * test fails in turn, and each failure must come back as an error code
 * (POL_ENOMEM, or the loader's error with "out of memory" in its message),
 * with nothing leaked (LeakSanitizer, in the sanitizer build) and no crash.
 *
 * Mechanism (the model is libuv's test/test-loop-oom.c, which swaps in an
 * allocator that fails): the Makefile links every tests/test_oom*.c with
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup,
 * so the calls made by the objects of libretrypol.a and libretrysim.a (and
 * this file) go through the counting wrappers below. oom_run(fn) runs fn with
 * allocation N failing, for N = 1, 2, ... until fn succeeds; fn must then
 * have made N - 1 allocations. Allocations inside shared libraries (libyaml,
 * libcsv, GSL's gsl_rng_alloc, stdio's buffers) are not wrapped: their
 * failures are not simulated here.
 */
#include "cu_util.h"
#include "cfg.h"
#include "dist.h"
#include "scenario.h"
#include "model.h"
#include "fit.h"
#include "retrypol.h"
#include "pol_breaker.h"
#include "pol_budget.h"
#include "pol_bucket.h"
#include "pol_bulkhead.h"
#include "pol_cooldown.h"
#include "pol_hedge.h"
#include "pol_lb.h"
#include "pol_monitor.h"
#include "pol_quota.h"
#include "pol_throttle.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the counting allocator ------------------------------------------------ */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

static long g_fail_at;   /* the allocation that fails (1-based); 0 = none */
static long g_count;     /* allocations since the counter was reset */

static int oom_now(void) { return ++g_count == g_fail_at; }

void *__wrap_malloc(size_t n) { return oom_now() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size) { return oom_now() ? NULL : __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t n) { return oom_now() ? NULL : __real_realloc(p, n); }
char *__wrap_strdup(const char *s) { return oom_now() ? NULL : __real_strdup(s); }
char *__wrap_strndup(const char *s, size_t n) { return oom_now() ? NULL : __real_strndup(s, n); }

/* The call under test: returns its code; on success it releases what it
 * made. `msg` (may be NULL) receives an error message on failure. */
typedef int (*oom_fn)(const void *arg, char *msg, size_t cap);

#define OOM_MAX 200000
static long g_failures_total, g_paths;

/* Runs fn with the first, second, ... allocation failing until it succeeds.
 * want_msg: every failure's message must contain "out of memory". Returns
 * the number of allocations of the successful call. */
static long oom_run(const char *name, oom_fn fn, const void *arg, int want_msg)
{
    char msg[1100];
    for (long n = 1; n <= OOM_MAX; n++) {
        msg[0] = '\0';
        g_count = 0;
        g_fail_at = n;
        int rc = fn(arg, msg, sizeof msg);
        long made = g_count;
        g_fail_at = 0;
        if (rc == 0) {
            if (made != n - 1) {
                fprintf(stderr, "\n  %s: succeeded with allocation %ld failing (it made %ld)\n", name, n, made);
                CU_FAIL("a failed allocation was ignored");
            }
            g_paths++;
            return n - 1;
        }
        g_failures_total++;
        if (rc > 0 || (want_msg && !strstr(msg, "out of memory"))) {
            fprintf(stderr, "\n  %s: allocation %ld failing gave rc %d, message '%s'\n", name, n, rc, msg);
            CU_FAIL("an allocation failure gave no error code or no 'out of memory'");
            return -1;
        }
    }
    fprintf(stderr, "\n  %s: still failing after %d allocations\n", name, OOM_MAX);
    CU_FAIL("no success");
    return -1;
}

/* ---- libretrypol ----------------------------------------------------------- */

static int want_enomem(int rc) { return rc == 0 || rc == POL_ENOMEM ? rc : 1; }

static int breaker_fn(const void *arg, char *msg, size_t cap)
{
    (void)msg; (void)cap;
    const pol_breaker_cfg *c = arg;
    pol_breaker b;
    int rc = pol_breaker_init(&b, c);
    if (!rc) pol_breaker_free(&b);
    return want_enomem(rc);
}

static int budget_fn(const void *arg, char *msg, size_t cap)
{
    (void)msg; (void)cap;
    pol_budget b;
    int rc = pol_budget_init(&b, arg);
    if (!rc) pol_budget_free(&b);
    return want_enomem(rc);
}

static int throttle_fn(const void *arg, char *msg, size_t cap)
{
    (void)msg; (void)cap;
    pol_throttle t;
    int rc = pol_throttle_init(&t, arg, 0);
    if (!rc) pol_throttle_free(&t);
    return want_enomem(rc);
}

static int hedge_fn(const void *arg, char *msg, size_t cap)
{
    (void)msg; (void)cap;
    pol_hedge h;
    int rc = pol_hedge_init(&h, arg);
    if (!rc) pol_hedge_free(&h);
    return want_enomem(rc);
}

static int monitor_fn(const void *arg, char *msg, size_t cap)
{
    (void)msg; (void)cap;
    pol_monitor m;
    int rc = pol_monitor_init(&m, arg, 3);
    if (!rc) pol_monitor_free(&m);
    return want_enomem(rc);
}

/* The state objects that never allocate: init with allocation 1 failing succeeds. */
static int no_alloc_fn(const void *arg, char *msg, size_t cap)
{
    (void)arg; (void)msg; (void)cap;
    pol_bucket bk;
    pol_bucket_cfg bc = { 10, 5 };
    pol_bulkhead bh;
    pol_bulkhead_cfg hc = { 4 };
    pol_cooldown cd;
    pol_cooldown_cfg cc;
    pol_cooldown_default(POL_COOLDOWN_LITELLM, &cc);
    pol_cooldown_target tg[2];
    pol_lb lb;
    pol_lb_cfg lc;
    pol_lb_default(0, &lc);
    pol_quota_cfg qc;
    pol_quota_default(&qc);
    pol_breaker br;
    pol_breaker_cfg brc;
    pol_breaker_default(POL_BREAKER_CONSECUTIVE, &brc);
    pol_budget bu;
    pol_budget_cfg buc;
    pol_budget_default(POL_BUDGET_AWS, &buc);
    int rc = pol_bucket_init(&bk, &bc, 0);
    if (!rc) rc = pol_bulkhead_init(&bh, &hc);
    if (!rc) rc = pol_cooldown_init(&cd, &cc, tg, 2, 0);
    if (!rc) rc = pol_lb_init(&lb, &lc);
    if (!rc) rc = pol_breaker_init(&br, &brc);
    if (!rc) { pol_breaker_free(&br); rc = pol_budget_init(&bu, &buc); }
    if (!rc) pol_budget_free(&bu);
    return want_enomem(rc);
}

static void test_library(void)
{
    pol_breaker_cfg b;
    pol_breaker_default(POL_BREAKER_RATE, &b);
    b.window_kind = POL_WINDOW_COUNT_BASED;
    CU_ASSERT(oom_run("breaker rate/count", breaker_fn, &b, 0) == 1);
    b.window_kind = POL_WINDOW_TIME_BASED;
    CU_ASSERT(oom_run("breaker rate/time", breaker_fn, &b, 0) == 1);
    pol_breaker_default(POL_BREAKER_RATIO, &b);
    CU_ASSERT(oom_run("breaker ratio", breaker_fn, &b, 0) == 1);
    pol_budget_cfg u;
    pol_budget_default(POL_BUDGET_RATIO, &u);
    CU_ASSERT(oom_run("budget ratio", budget_fn, &u, 0) == 1);
    pol_throttle_cfg t;
    pol_throttle_default(POL_THROTTLE_SRE, &t);
    CU_ASSERT(oom_run("throttle sre", throttle_fn, &t, 0) == 1);
    pol_throttle_default(POL_THROTTLE_AWS_ADAPTIVE, &t);
    CU_ASSERT(oom_run("throttle aws-adaptive", throttle_fn, &t, 0) == 0);
    pol_hedge_cfg h;
    pol_hedge_default(&h);
    h.use_quantile = 1;
    CU_ASSERT(oom_run("hedge quantile", hedge_fn, &h, 0) == 2);
    pol_monitor_cfg m;
    pol_monitor_default(&m);
    CU_ASSERT(oom_run("monitor", monitor_fn, &m, 0) == 3);
    CU_ASSERT(oom_run("bucket, bulkhead, cooldown, lb, consecutive breaker, aws budget", no_alloc_fn, NULL, 0) == 0);
}

/* ---- the scenario layer ---------------------------------------------------- */

typedef struct { const char *path; const char *const *ov; int nov; } load_arg;

static int load_fn(const void *arg, char *msg, size_t cap)
{
    const load_arg *a = arg;
    sim_scenario s;
    sim_err err;
    int rc = sim_scenario_load(a->path, a->ov, a->nov, &s, &err);
    if (rc) { snprintf(msg, cap, "%s", err.msg); return rc; }
    sim_scenario_free(&s);
    return 0;
}

static int cfg_string_fn(const void *arg, char *msg, size_t cap)
{
    sim_cfg_doc d;
    sim_err err;
    int rc = sim_cfg_load_string(arg, "mem.yaml", &d, &err);
    if (!rc) rc = sim_cfg_override(&d, "a.b[0].c=lognormal(1s, 2)", &err);
    if (!rc) rc = sim_cfg_override(&d, "new.key={ x: [1, 2] }", &err);
    if (rc) { snprintf(msg, cap, "%s", err.msg); sim_cfg_free(&d); return rc; }
    sim_cfg_free(&d);
    return 0;
}

static int count_row(void *user, const sim_csv_row *row, sim_err *err)
{
    (void)err;
    *(size_t *)user += row->n;
    return 0;
}

static int csv_fn(const void *arg, char *msg, size_t cap)
{
    size_t cells = 0;
    sim_err err;
    int rc = sim_cfg_csv_read_input(arg, "cells", count_row, &cells, &err);
    if (rc) snprintf(msg, cap, "%s", err.msg);
    return rc;
}

static int dist_fn(const void *arg, char *msg, size_t cap)
{
    sim_dist d;
    sim_err err;
    int rc = sim_dist_parse(arg, 1, "tests/fixtures/oom", &d, &err);
    if (rc) { snprintf(msg, cap, "%s", err.msg); return rc; }
    sim_dist_free(&d);
    return 0;
}

static int fit_fn(const void *arg, char *msg, size_t cap)
{
    bench_fit_opts o = { .path = arg };
    bench_fit_result r;
    sim_err err;
    int rc = bench_fit_analyze(&o, &r, &err);
    if (rc) { snprintf(msg, cap, "%s", err.msg); return rc; }
    sim_buf b = { 0 };
    bench_fit_emit(&o, &r, &b);
    bench_fit_free(&r);
    rc = b.oom ? POL_ENOMEM : 0;
    if (rc) snprintf(msg, cap, "out of memory");
    sim_buf_free(&b);
    return rc;
}

static void test_scenario_layer(void)
{
    static const char *const ov[] = { "duration=30s", "policies[full].retry.cap=2s",
                                      "providers[a].rate_limit.rpm=900", "workload.clients=4" };
    load_arg rich = { "tests/fixtures/oom/rich.yaml", ov, 4 }, good = { "tests/fixtures/good.yaml", NULL, 0 },
             trace = { "tests/fixtures/oom/trace.yaml", NULL, 0 }, log = { "tests/fixtures/oom/log-trace.yaml", NULL, 0 };
    CU_ASSERT(oom_run("sim_scenario_load rich.yaml", load_fn, &rich, 1) > 100);
    CU_ASSERT(oom_run("sim_scenario_load good.yaml", load_fn, &good, 1) > 100);
    CU_ASSERT(oom_run("sim_scenario_load trace.yaml", load_fn, &trace, 1) > 10);
    CU_ASSERT(oom_run("sim_scenario_load log-trace.yaml", load_fn, &log, 1) > 10);
    CU_ASSERT(oom_run("bench_fit_analyze + emit log.csv", fit_fn, "tests/fixtures/oom/log.csv", 1) > 10);
    CU_ASSERT(oom_run("sim_dist_parse empirical(log, column)", dist_fn, "empirical(log.csv, deadline)", 1) > 1);
    CU_ASSERT(oom_run("sim_cfg_load_string + overrides", cfg_string_fn,
                      "a: { b: [ { c: 1 }, &x { d: [1, 2, 3] } ], e: *x }\nf: lognormal(1s, 2)\n", 1) > 10);
    CU_ASSERT(oom_run("sim_cfg_csv_read_input", csv_fn, "tests/fixtures/oom/trace.csv", 1) > 3);
    CU_ASSERT(oom_run("sim_dist_parse empirical", dist_fn, "empirical(lat.csv)", 1) > 1);
}

/* ---- the model -------------------------------------------------------------- */

typedef struct { const sim_scenario *sc; int policy; } run_arg;

static int run_fn(const void *arg, char *msg, size_t cap)
{
    (void)msg; (void)cap;
    const run_arg *a = arg;
    sim_run_metrics m, cls[SIM_MAX_CLASSES];
    sim_run_opts o = { .sc = a->sc, .policy = a->policy, .replication = 0, .classes = cls };
    int rc = sim_run_world(&o, &m, NULL);
    return rc == 0 || rc == POL_ENOMEM ? rc : 1;
}

static void test_world(void)
{
    const char *files[] = { "tests/fixtures/oom/rich.yaml", "tests/fixtures/oom/trace.yaml",
                            "tests/fixtures/oom/log-trace.yaml" };
    for (int f = 0; f < 3; f++) {
        sim_scenario sc;
        sim_err err;
        int rc = sim_scenario_load(files[f], NULL, 0, &sc, &err);
        if (rc) fprintf(stderr, "\n  %s\n", err.msg);
        CU_ASSERT_EQUAL_FATAL(rc, 0);
        for (int p = 0; p < sc.npolicies; p++) {
            char name[200];
            snprintf(name, sizeof name, "sim_run_world %s policy %s", files[f], sc.policies[p].name);
            run_arg a = { &sc, p };
            CU_ASSERT(oom_run(name, run_fn, &a, 0) > 5);
        }
        sim_scenario_free(&sc);
    }
    printf("\n  oom: %ld paths, %ld simulated allocation failures\n", g_paths, g_failures_total);
}

static void register_suites(void)
{
    CU_SUITE("oom",
             { "libretrypol _init", test_library },
             { "scenario loader, cfg, csv, dist", test_scenario_layer },
             { "world setup and run", test_world });
}

CU_TEST_MAIN(register_suites)
