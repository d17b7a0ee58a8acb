/* test_classes.c — request classes and what issue 13 added to the model:
 * per-class metrics (they add up to the run's), `scope: class` (one
 * instance per request class), slo_success_rate / hung and the metastable
 * flag of a run whose requests hang, hedge pick list-order (the seed's
 * gather-all fallbacks), and `throttled` counted once per attempt. The
 * scenarios are YAML text, loaded as a user's would be. */
#include "cu_util.h"
#include "model.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int load(const char *text, sim_scenario *sc)
{
    sim_err err;
    int rc = sim_scenario_load_mem(text, strlen(text), "test.yaml", NULL, 0, sc, &err);
    if (rc) fprintf(stderr, "\n  load: %s\n", err.msg);
    return rc;
}

/* One run of policy p, replication 0, with its per-class metrics. */
static int run1(const sim_scenario *sc, int p, sim_run_metrics *m, sim_run_metrics *cls, FILE *tsq)
{
    sim_run_opts o = { .sc = sc, .policy = p, .replication = 0, .classes = cls, .timeseries_requests = tsq };
    return sim_run_world(&o, m, NULL);
}

/* ---- per-class metrics ------------------------------------------------------ */
static const char *CLASSES =
    "scenario: classes\n"
    "duration: 3m\n"
    "seed: 4\n"
    "providers:\n"
    "  - { name: a, error_rate: 0.2, latency: { ttft: uniform(100ms, 1s) }, price: { input_per_mtok: 1, output_per_mtok: 2 } }\n"
    "  - { name: b, latency: { ttft: uniform(1s, 2s) }, price: { input_per_mtok: 3, output_per_mtok: 4 } }\n"
    "timeline: [ { at: 1m, for: 30s, provider: a, set: { outage: 503 } } ]\n"
    "workload:\n"
    "  clients: 30\n"
    "  think: exponential(1s)\n"
    "  classes:\n"
    "    - { name: chat, weight: 3, prompt_tokens: 200, output_tokens: 50 }\n"
    "    - { name: docs, weight: 1, prompt_tokens: 2000, output_tokens: 500, policy: chain }\n"
    "    - { name: batch, weight: 1, prompt_tokens: 500, output_tokens: 100, deadline: 3s }\n"
    "policies:\n"
    "  - name: retry\n"
    "    retry: { max_attempts: 3, base: 200ms, timeout: 10s }\n"
    "    budget: { kind: aws, capacity: 50 }\n"
    "  - name: chain\n"
    "    retry: { max_attempts: 1, timeout: 10s, others: fallback }\n"
    "    targets: [a, b]\n";

static void test_classes_add_up(void)
{
    sim_scenario sc;
    CU_ASSERT_EQUAL_FATAL(load(CLASSES, &sc), 0);
    CU_ASSERT_EQUAL_FATAL(sc.workload.nclasses, 3);
    sim_run_metrics all, cls[3];
    CU_ASSERT_EQUAL_FATAL(run1(&sc, 0, &all, cls, NULL), 0);
    static const sim_metric_id SUM[] = { SIM_M_REQUESTS, SIM_M_ATTEMPTS, SIM_M_SUCCESSES, SIM_M_DEGRADED, SIM_M_HTTP_429,
                                         SIM_M_HTTP_5XX, SIM_M_HTTP_4XX, SIM_M_TIMEOUTS, SIM_M_CONN_ERRORS, SIM_M_GIVE_UPS,
                                         SIM_M_UNFINISHED, SIM_M_LOCAL_REJECTS, SIM_M_BUDGET_DENIED, SIM_M_HEDGES,
                                         SIM_M_ALERTS, SIM_M_WASTED_WORK, SIM_M_DUP_BILLING, SIM_M_COST, SIM_M_HUNG };
    for (size_t i = 0; i < sizeof SUM / sizeof SUM[0]; i++) {
        double s = cls[0].m[SUM[i]] + cls[1].m[SUM[i]] + cls[2].m[SUM[i]];
        if (fabs(s - all.m[SUM[i]]) > 1e-9 * (1 + fabs(s)))
            fprintf(stderr, "\n  %s: classes %g, run %g", sim_metric_name(SUM[i]), s, all.m[SUM[i]]);
        CU_ASSERT(fabs(s - all.m[SUM[i]]) <= 1e-9 * (1 + fabs(s)));
    }
    for (int k = 0; k < 3; k++) {
        CU_ASSERT(cls[k].m[SIM_M_REQUESTS] > 20);
        for (int j = 0; j < SIM_M__COUNT; j++)
            if (!sim_metric_per_class((sim_metric_id)j)) CU_ASSERT(isnan(cls[k].m[j]));
        /* the ratios are the class's own */
        double fin = cls[k].m[SIM_M_SUCCESSES] + cls[k].m[SIM_M_DEGRADED] + cls[k].m[SIM_M_GIVE_UPS];
        CU_ASSERT_DOUBLE_EQUAL(cls[k].m[SIM_M_SUCCESS_RATE], cls[k].m[SIM_M_SUCCESSES] / fin, 1e-12);
        CU_ASSERT_DOUBLE_EQUAL(cls[k].m[SIM_M_AMPLIFICATION], cls[k].m[SIM_M_ATTEMPTS] / cls[k].m[SIM_M_REQUESTS], 1e-12);
        CU_ASSERT(cls[k].m[SIM_M_LAT_P50] <= cls[k].m[SIM_M_LAT_P99]);
        CU_ASSERT(cls[k].m[SIM_M_COMPLETION_TIME] <= all.m[SIM_M_COMPLETION_TIME]);
    }
    /* docs always runs the chain (a fallback to b: every docs request answered); chat retries on a */
    CU_ASSERT(cls[1].m[SIM_M_SUCCESS_RATE] > 0.99);
    CU_ASSERT(cls[0].m[SIM_M_SUCCESS_RATE] < cls[1].m[SIM_M_SUCCESS_RATE]);
    /* batch's 3 s deadline is its SLO: no batch success later than that counts */
    CU_ASSERT(cls[2].m[SIM_M_LAT_P999] <= 3.0 + 1e-6);
    /* the same run without the per-class metrics: the same all-classes metrics */
    sim_run_metrics again;
    CU_ASSERT_EQUAL_FATAL(run1(&sc, 0, &again, NULL, NULL), 0);
    CU_ASSERT_EQUAL(memcmp(&again, &all, sizeof all), 0);
    /* the runner's class results and the writers */
    sim_results res;
    sim_class_results cres;
    sim_runner_opts ro = { .classes = &cres };
    CU_ASSERT_EQUAL_FATAL(sim_runner_run(&sc, &ro, &res), 0);
    CU_ASSERT_EQUAL(cres.nclasses, 3);
    double col[1];
    sim_results_class_column(&res, &cres, 0, 1, SIM_M_REQUESTS, col);
    CU_ASSERT_EQUAL(col[0], cres.m[1].m[SIM_M_REQUESTS]);
    sim_results_class_column(&res, &cres, 0, -1, SIM_M_REQUESTS, col);   /* all classes */
    CU_ASSERT_EQUAL(col[0], res.m[0].m[SIM_M_REQUESTS]);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    sim_summary_classes_header(f);
    sim_summary_classes_write(f, &sc, &res, &cres);
    fclose(f);
    int lines = 0;
    for (size_t i = 0; i < len; i++) lines += buf[i] == '\n';
    CU_ASSERT_EQUAL(lines, 1 + 2 * 3);                 /* header + 2 policies x 1 replication x 3 classes */
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "scenario,policy,replication,seed,class,requests,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"classes\",\"chain\",0,4,\"batch\","));
    free(buf);
    sim_results_free(&res);
    sim_class_results_free(&cres);
    sim_scenario_free(&sc);
}

/* ---- scope: class ------------------------------------------------------------ */
/* Two classes share one policy; `bad`'s requests overflow the provider's
 * context window (a 400 its policy counts as a breaker failure), `good`'s
 * succeed. A breaker shared by both (global) opens on bad's failures and
 * refuses good's requests too; one per class leaves good alone. */
static const char *SCOPED =
    "scenario: scoped\n"
    "duration: 2m\n"
    "providers: [ { name: a, context_window: 4000, latency: { ttft: 200ms } } ]\n"
    "workload:\n"
    "  clients: 20\n"
    "  think: 500ms\n"
    "  classes:\n"
    "    - { name: good, prompt_tokens: 500, output_tokens: 100 }\n"
    "    - { name: bad, prompt_tokens: 8000, output_tokens: 100 }\n"
    "policies:\n"
    "  - name: shared\n"
    "    retry: { max_attempts: 1 }\n"
    "    breaker: { kind: consecutive, fail_max: 3, break: 30s, fail_on: [context-window] }\n"
    "  - name: per-class\n"
    "    retry: { max_attempts: 1 }\n"
    "    breaker: { kind: consecutive, fail_max: 3, break: 30s, fail_on: [context-window], scope: class }\n";

static void test_scope_class(void)
{
    sim_scenario sc;
    CU_ASSERT_EQUAL_FATAL(load(SCOPED, &sc), 0);
    CU_ASSERT_EQUAL(sc.policies[1].st.scope[SIM_PART_BREAKER], SIM_SCOPE_CLASS);
    sim_run_metrics all, cls[2];
    CU_ASSERT_EQUAL_FATAL(run1(&sc, 0, &all, cls, NULL), 0);
    CU_ASSERT(cls[0].m[SIM_M_LOCAL_REJECTS] > 10);          /* good refused by bad's open breaker */
    CU_ASSERT(cls[0].m[SIM_M_SUCCESS_RATE] < 0.9);
    CU_ASSERT_EQUAL_FATAL(run1(&sc, 1, &all, cls, NULL), 0);
    CU_ASSERT_EQUAL(cls[0].m[SIM_M_LOCAL_REJECTS], 0);      /* its own breaker never opens */
    CU_ASSERT_EQUAL(cls[0].m[SIM_M_SUCCESS_RATE], 1);
    CU_ASSERT(cls[1].m[SIM_M_LOCAL_REJECTS] > 10);          /* bad's does */
    CU_ASSERT(all.m[SIM_M_BREAKER_TRANS] > 0);
    sim_scenario_free(&sc);
}

/* ---- hanging requests --------------------------------------------------------- */
/* A black hole from 30 s on and no timeout: every client hangs. success_rate
 * sees only what finished (all successes); slo_success_rate and hung see
 * the hang, and the run is metastable. With a timeout, nothing hangs. */
static const char *HANG =
    "scenario: hang\n"
    "duration: 3m\n"
    "providers: [ { name: a, latency: { ttft: 300ms } } ]\n"
    "timeline: [ { at: 30s, for: 30s, provider: a, set: { outage: blackhole } } ]\n"
    "workload: { clients: 25, think: 1s }\n"
    "policies:\n"
    "  - { name: no-timeout, retry: { max_attempts: 3, timeout: 0 } }\n"
    "  - { name: timeout-2s, retry: { max_attempts: 3, base: 500ms, timeout: 2s } }\n";

static void test_hang(void)
{
    sim_scenario sc;
    CU_ASSERT_EQUAL_FATAL(load(HANG, &sc), 0);
    CU_ASSERT_EQUAL(sc.slo_latency, SIM_SLO_DEFAULT);
    CU_ASSERT_EQUAL(sc.slo_written, 0);
    sim_run_metrics m, cls[1];
    CU_ASSERT_EQUAL_FATAL(run1(&sc, 0, &m, cls, NULL), 0);
    CU_ASSERT_EQUAL(m.m[SIM_M_SUCCESS_RATE], 1);             /* it hides the hang */
    CU_ASSERT_EQUAL(m.m[SIM_M_UNFINISHED], 25);
    CU_ASSERT_EQUAL(m.m[SIM_M_HUNG], 25);
    double want = m.m[SIM_M_SUCCESSES] / (m.m[SIM_M_SUCCESSES] + 25);
    CU_ASSERT_DOUBLE_EQUAL(m.m[SIM_M_SLO_SUCCESS_RATE], want, 1e-12);
    CU_ASSERT(m.m[SIM_M_SLO_SUCCESS_RATE] < 0.99);
    CU_ASSERT_EQUAL(m.m[SIM_M_METASTABLE], 1);
    CU_ASSERT_DOUBLE_EQUAL(m.m[SIM_M_TIME_TO_RECOVER], 120, 1e-9);   /* from the fault's end (1m) to the end */
    CU_ASSERT_EQUAL(cls[0].m[SIM_M_HUNG], 25);
    CU_ASSERT(isnan(cls[0].m[SIM_M_METASTABLE]));
    CU_ASSERT_EQUAL_FATAL(run1(&sc, 1, &m, NULL, NULL), 0);
    CU_ASSERT_EQUAL(m.m[SIM_M_HUNG], 0);
    CU_ASSERT_EQUAL(m.m[SIM_M_METASTABLE], 0);
    CU_ASSERT_EQUAL(m.m[SIM_M_SLO_SUCCESS_RATE], m.m[SIM_M_SUCCESS_RATE]);   /* no success later than 60 s */
    sim_scenario_free(&sc);
    /* an SLO longer than the run: nothing can be past it; a short one: slow successes do not count */
    char text[2048];
    snprintf(text, sizeof text, "%sslo: { latency: 10m }\n", HANG);
    CU_ASSERT_EQUAL_FATAL(load(text, &sc), 0);
    CU_ASSERT_EQUAL(sc.slo_written, 1);
    CU_ASSERT_EQUAL_FATAL(run1(&sc, 0, &m, NULL, NULL), 0);
    CU_ASSERT_EQUAL(m.m[SIM_M_HUNG], 0);
    CU_ASSERT_EQUAL(m.m[SIM_M_SLO_SUCCESS_RATE], 1);
    CU_ASSERT_EQUAL(m.m[SIM_M_METASTABLE], 0);               /* the buckets say recovered, nothing hangs past 10m */
    sim_scenario_free(&sc);
    snprintf(text, sizeof text, "%sslo: { latency: 200ms }\n", HANG);
    CU_ASSERT_EQUAL_FATAL(load(text, &sc), 0);
    CU_ASSERT_EQUAL_FATAL(run1(&sc, 1, &m, NULL, NULL), 0);
    CU_ASSERT_EQUAL(m.m[SIM_M_SLO_SUCCESS_RATE], 0);         /* every answer takes 300 ms */
    sim_scenario_free(&sc);
    /* without a fault: time_to_recover counts from when the oldest hung request passed its SLO */
    const char *nofault =
        "scenario: hang2\nduration: 3m\nslo: { latency: 20s }\n"
        "providers: [ { name: a, outage: blackhole } ]\n"
        "workload: { clients: 5, think: 1s }\n"
        "policies: [ { name: p, retry: { max_attempts: 1, timeout: 0 } } ]\n";
    CU_ASSERT_EQUAL_FATAL(load(nofault, &sc), 0);
    CU_ASSERT_EQUAL_FATAL(run1(&sc, 0, &m, NULL, NULL), 0);
    CU_ASSERT_EQUAL(m.m[SIM_M_HUNG], 5);
    CU_ASSERT(isnan(m.m[SIM_M_SUCCESS_RATE]));               /* nothing finished */
    CU_ASSERT_EQUAL(m.m[SIM_M_SLO_SUCCESS_RATE], 0);
    CU_ASSERT_EQUAL(m.m[SIM_M_METASTABLE], 1);
    CU_ASSERT(m.m[SIM_M_TIME_TO_RECOVER] > 155 && m.m[SIM_M_TIME_TO_RECOVER] <= 160);   /* 3m - (start + 20 s) */
    sim_scenario_free(&sc);
}

/* ---- hedge pick list-order ---------------------------------------------------- */
static const char *HEDGE =
    "scenario: gather\n"
    "duration: 2m\n"
    "providers:\n"
    "  - { name: slow, latency: { ttft: 2s } }\n"
    "  - { name: fast, latency: { ttft: 100ms } }\n"
    "  - { name: down, outage: 503 }\n"
    "  - { name: down2, outage: 503 }\n"
    "workload: { clients: 5, think: 1s }\n"
    "policies:\n"
    "  - { name: first-answer, retry: { max_attempts: 1, timeout: 30s }, targets: [slow, fast], hedge: { mode: parallel, max_attempts: 2 } }\n"
    "  - { name: list-order, retry: { max_attempts: 1, timeout: 30s }, targets: [slow, fast], hedge: { mode: parallel, max_attempts: 2, pick: list-order } }\n"
    "  - { name: first-down, retry: { max_attempts: 1, timeout: 30s }, targets: [down, slow], hedge: { mode: parallel, max_attempts: 2, pick: list-order } }\n"
    "  - { name: all-down, retry: { max_attempts: 1, timeout: 30s }, targets: [down, down2], hedge: { mode: parallel, max_attempts: 2, pick: list-order } }\n";

static void test_list_order(void)
{
    sim_scenario sc;
    CU_ASSERT_EQUAL_FATAL(load(HEDGE, &sc), 0);
    CU_ASSERT_EQUAL(sc.policies[0].st.hedge_list_order, 0);
    CU_ASSERT_EQUAL(sc.policies[1].st.hedge_list_order, 1);
    sim_run_metrics m;
    /* first answer: the fast copy wins, the slow one is abandoned (wasted, billed) */
    CU_ASSERT_EQUAL_FATAL(run1(&sc, 0, &m, NULL, NULL), 0);
    CU_ASSERT_DOUBLE_EQUAL(m.m[SIM_M_LAT_P50], 0.1, 1e-6);
    CU_ASSERT(m.m[SIM_M_WASTED_WORK] > 0);
    /* list order: the slow copy is first in the list: its answer, at its latency; nothing wasted */
    CU_ASSERT_EQUAL_FATAL(run1(&sc, 1, &m, NULL, NULL), 0);
    CU_ASSERT_DOUBLE_EQUAL(m.m[SIM_M_LAT_P50], 2.0, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(m.m[SIM_M_LAT_MEAN], 2.0, 1e-6);
    CU_ASSERT_EQUAL(m.m[SIM_M_WASTED_WORK], 0);
    CU_ASSERT_DOUBLE_EQUAL(m.m[SIM_M_AMPLIFICATION], 2.0, 0.05);
    CU_ASSERT_EQUAL(m.m[SIM_M_SUCCESS_RATE], 1);
    /* the first target fails at once: the request waits for the second (the slowest) and succeeds */
    CU_ASSERT_EQUAL_FATAL(run1(&sc, 2, &m, NULL, NULL), 0);
    CU_ASSERT_EQUAL(m.m[SIM_M_SUCCESS_RATE], 1);
    CU_ASSERT_DOUBLE_EQUAL(m.m[SIM_M_LAT_P50], 2.0, 1e-6);
    CU_ASSERT(m.m[SIM_M_HTTP_5XX] > 0);
    /* every copy fails: the policy decides on the first target's outcome (503, attempts exhausted): a give-up */
    FILE *tr = tmpfile();
    sim_run_opts o = { .sc = &sc, .policy = 3, .replication = 0, .trace = tr };
    CU_ASSERT_EQUAL_FATAL(sim_run_world(&o, &m, NULL), 0);
    CU_ASSERT_EQUAL(m.m[SIM_M_SUCCESSES], 0);
    CU_ASSERT_EQUAL(m.m[SIM_M_GIVE_UPS], m.m[SIM_M_REQUESTS] - m.m[SIM_M_UNFINISHED]);
    /* attempts.csv: per request, one copy waits (retry), the last one carries the give-up */
    rewind(tr);
    char line[1024];
    int retry = 0, giveup = 0;
    while (fgets(line, sizeof line, tr)) {
        retry += strstr(line, ",\"retry\",") != NULL;
        giveup += strstr(line, ",\"give-up\",") != NULL;
    }
    fclose(tr);
    CU_ASSERT(giveup > 10);
    CU_ASSERT_EQUAL(retry, giveup);
    sim_scenario_free(&sc);
}

/* ---- throttled: once per attempt -------------------------------------------- */
/* botocore's adaptive limiter shared by 60 clients: waiters wake up and wait
 * again many times; each attempt counts once in timeseries-requests.csv's
 * throttled_per_s (its first wait or its rejection). */
static void test_throttled_once(void)
{
    const char *text =
        "scenario: thr\nduration: 2m\nbucket: 10s\n"
        "providers: [ { name: a, rate_limit: { rpm: 600, retry_after: until-reset }, latency: { ttft: 200ms } } ]\n"
        "workload: { clients: 60, think: 500ms }\n"
        "policies: [ { preset: aws-adaptive } ]\n";
    sim_scenario sc;
    CU_ASSERT_EQUAL_FATAL(load(text, &sc), 0);
    FILE *tsq = tmpfile();
    sim_run_metrics m;
    CU_ASSERT_EQUAL_FATAL(run1(&sc, 0, &m, NULL, tsq), 0);
    rewind(tsq);
    char line[1024];
    double throttled = 0;
    while (fgets(line, sizeof line, tsq)) {      /* rows: ...,budget_denied_per_s,throttled_per_s,budget_level,throttle_level,ttft_mean_s */
        double v[16];
        int n = 0;
        char *rest = line, *p;
        while ((p = strsep(&rest, ",")) && n < 16) v[n++] = atof(p);
        CU_ASSERT_EQUAL_FATAL(n, 15);
        throttled += v[11] * 10;                  /* per second over a 10 s bucket */
    }
    fclose(tsq);
    CU_ASSERT(throttled > 100);                   /* the limiter made clients wait */
    CU_ASSERT(throttled <= m.m[SIM_M_ATTEMPTS] + m.m[SIM_M_LOCAL_REJECTS] + 60 + 0.5);   /* + those waiting at the end */
    sim_scenario_free(&sc);
}

static void register_suites(void)
{
    CU_SUITE("classes",
             { "per-class metrics add up to the run's; the writers", test_classes_add_up },
             { "scope: class: one breaker per class", test_scope_class });
    CU_SUITE("slo",
             { "hung requests: slo_success_rate, hung, metastable", test_hang });
    CU_SUITE("hedge",
             { "pick list-order: all copies end, the first success in list order", test_list_order });
    CU_SUITE("throttle",
             { "throttled counts an attempt once", test_throttled_once });
}

CU_TEST_MAIN(register_suites)
