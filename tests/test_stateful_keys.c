/* test_stateful_keys.c — CUnit tests of the scenario keys of the seeds'
 * semantics (sim/scenario/scenario_stateful.c, issue 13): breaker
 * `half_open: probes | all`, load balancing `strategy: highest-success-rate`
 * with `success_window`, monitor `alert: crossing | every`; their defaults,
 * their values in the library cfg, and the errors (with did-you-mean).
 */
#include "cu_util.h"
#include "scenario.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S(x) ((pol_ns)(x) * POL_NS_PER_S)

static char g_path[300];

static void cleanup(void) { if (g_path[0]) unlink(g_path); }

/* Loads a scenario whose policies section is `policies` (indented entries). */
static int load(const char *policies, sim_scenario *s, sim_err *err)
{
    if (!g_path[0]) {
        snprintf(g_path, sizeof g_path, "/tmp/retrysim-test-stateful-keys-%d.yaml", (int)getpid());
        atexit(cleanup);
    }
    FILE *f = fopen(g_path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "scenario: t\nduration: 1m\nproviders:\n  - name: a\n  - name: b\n"
               "workload: { clients: 2 }\npolicies:\n%s", policies);
    fclose(f);
    return sim_scenario_load(g_path, NULL, 0, s, err);
}

static void test_defaults(void)
{
    sim_scenario s;
    sim_err err;
    int rc = load("  - name: p\n"
                  "    breaker: { kind: consecutive }\n"
                  "    monitor: { threshold: 3 }\n"
                  "    targets: [a, b]\n"
                  "    load_balancing: { strategy: highest-success-rate }\n", &s, &err);
    if (rc) fprintf(stderr, "\n  %s\n", err.msg);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    const sim_stateful *st = &s.policies[0].st;
    CU_ASSERT_EQUAL(st->breaker.half_open, POL_BREAKER_HALF_OPEN_PROBES);
    CU_ASSERT_EQUAL(st->monitor.alert, POL_MONITOR_ALERT_CROSSING);
    CU_ASSERT_EQUAL(st->lb.kind, POL_LB_HIGHEST_SUCCESS_RATE);
    CU_ASSERT_EQUAL(st->lb.success_window, 0);
    sim_scenario_free(&s);
}

/* The seed's three classes as one policy. */
static void test_seed_values(void)
{
    sim_scenario s;
    sim_err err;
    int rc = load("  - name: seed\n"
                  "    breaker: { kind: consecutive, fail_max: 5, break: 60s, half_open: all }\n"
                  "    monitor: { window: 1h, slices: 3600, threshold: 5, alert: every }\n"
                  "    targets: [a, b]\n"
                  "    load_balancing: { strategy: highest-success-rate, success_window: 5m }\n", &s, &err);
    if (rc) fprintf(stderr, "\n  %s\n", err.msg);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    const sim_stateful *st = &s.policies[0].st;
    CU_ASSERT_EQUAL(st->breaker.half_open, POL_BREAKER_HALF_OPEN_ALL);
    CU_ASSERT_EQUAL(st->breaker.break_duration, S(60));
    CU_ASSERT_EQUAL(st->monitor.alert, POL_MONITOR_ALERT_EVERY);
    CU_ASSERT_EQUAL(st->monitor.window, S(3600));
    CU_ASSERT_EQUAL(st->lb.success_window, S(300));
    sim_scenario_free(&s);
}

static void expect_err(const char *policies, const char *frag)
{
    sim_scenario s;
    sim_err err;
    int rc = load(policies, &s, &err);
    CU_ASSERT(rc < 0);
    if (rc < 0 && !strstr(err.msg, frag)) fprintf(stderr, "\n  got: %s\n  want: ...%s...\n", err.msg, frag);
    if (rc < 0) CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, frag));
    if (rc == 0) sim_scenario_free(&s);
}

static void test_errors(void)
{
    expect_err("  - name: p\n    breaker: { half_open: al }\n", "half_open");
    expect_err("  - name: p\n    breaker: { half_open: al }\n", "did you mean 'all'");
    expect_err("  - name: p\n    monitor: { alert: evry }\n", "did you mean 'every'");
    expect_err("  - name: p\n    targets: [a, b]\n    load_balancing: { strategy: highest-sucess-rate }\n",
               "did you mean 'highest-success-rate'");
    expect_err("  - name: p\n    targets: [a, b]\n"
               "    load_balancing: { strategy: highest-success-rate, success_window: -1s }\n", "success_window");
    expect_err("  - name: p\n    monitor: { alerts: every }\n", "did you mean 'alert'");
}

static void register_suites(void)
{
    CU_SUITE("stateful keys of the seeds' semantics",
             {"defaults", test_defaults},
             {"the seed's values", test_seed_values},
             {"errors", test_errors});
}

CU_TEST_MAIN(register_suites)
