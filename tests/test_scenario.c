/* test_scenario.c — CUnit tests of the scenario loader (scenario.c), the
 * YAML document model and overrides (cfg.c) and distributions (dist.c).
 *
 * Fixtures: tests/fixtures/good.yaml (+ good_trace.csv, think.csv) is
 * loaded and checked value by value; every error case is a small YAML text
 * written to a temporary directory, and the test asserts the exact
 * "file:line:col: " prefix and a fragment of the message. Distributions:
 * sample means within 1% of sim_dist_mean over 100000 draws (taus2, seed 7).
 */
#include "cu_util.h"
#include "cfg.h"
#include "scenario.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S(x)  ((pol_ns)((x) * 1e9))
#define MS(x) ((pol_ns)((x) * 1e6))

#define CU_SCRATCH_TAG "scenario"
#include "cu_scratch.h"


/* A valid scenario of 7 lines; cases append from line 8. */
#define BASE "scenario: t\n"             \
             "duration: 10m\n"           \
             "providers:\n"              \
             "  - name: primary\n"       \
             "workload: { clients: 10 }\n" \
             "policies:\n"               \
             "  - name: p\n"

/* Loads text as s.yaml with overrides; expects failure at line:col with
 * frag in the message (line 0: an override message, no position). */
static void expect_error_ov(const char *text, const char *const *ov, int nov, int line, int col, const char *frag)
{
    const char *path = write_file("s.yaml", text);
    sim_scenario s;
    sim_err err;
    int rc = sim_scenario_load(path, ov, nov, &s, &err);
    CU_ASSERT(rc < 0);
    if (rc >= 0) { sim_scenario_free(&s); fprintf(stderr, "\n  loaded, wanted an error '%s'\n", frag); return; }
    char prefix[512];
    if (line > 0) snprintf(prefix, sizeof prefix, "%s:%d:%d: ", path, line, col);
    else snprintf(prefix, sizeof prefix, "override '%s': ", ov[0]);
    int ok = !strncmp(err.msg, prefix, strlen(prefix)) && strstr(err.msg, frag);
    if (!ok) fprintf(stderr, "\n  got:  %s\n  want: %s...%s\n", err.msg, prefix, frag);
    CU_ASSERT(ok);
    CU_ASSERT_PTR_NULL(s.providers);
    CU_ASSERT_PTR_NULL(strchr(err.msg, '\n'));
}

static void expect_error(const char *text, int line, int col, const char *frag)
{
    expect_error_ov(text, NULL, 0, line, col, frag);
}

typedef struct { const char *text; int line, col; const char *frag; } err_case;

static void run_cases(const err_case *c, size_t n)
{
    for (size_t i = 0; i < n; i++) expect_error(c[i].text, c[i].line, c[i].col, c[i].frag);
}

static int load_text(const char *text, const char *const *ov, int nov, sim_scenario *s)
{
    sim_err err;
    int rc = sim_scenario_load(write_file("s.yaml", text), ov, nov, s, &err);
    if (rc) fprintf(stderr, "\n  unexpected error: %s\n", err.msg);
    return rc;
}

#define CHECK_MSG(got, want) do { \
        if (strcmp(got, want)) fprintf(stderr, "\n  got:  %s\n  want: %s\n", got, want); \
        CU_ASSERT_STRING_EQUAL(got, want); } while (0)

/* ---- per-kind rules and nested layers ------------------------------------- */

static void test_rules_and_layers(void)
{
    sim_scenario s;
    const char *text = BASE
        "    preset: openai-python\n"
        "    retry:\n"
        "      max_attempts: 6\n"
        "      base: 3s\n"
        "      jitter: full\n"
        "      count: per-kind\n"
        "      on:\n"
        "        - { match: 429, max_attempts: 5, base: 2s, retry_after: ignore }\n"
        "        - { match: [5xx, timeout], jitter: none }\n"
        "        - { match: refused, honor_should_retry: false, fallback_on_exhaust: true }\n"
        "  - name: wrapper\n"
        "    retry: { max_attempts: 5 }\n"
        "    inner: { policy: sdk }\n"
        "  - name: sdk\n"
        "    retry: { max_attempts: 2 }\n"
        "    inner: { preset: openai-python, retry: { timeout: 30s, on: [ { match: 529, max_attempts: 1 } ] } }\n";
    CU_ASSERT_EQUAL_FATAL(load_text(text, NULL, 0, &s), 0);
    const sim_policy *p = &s.policies[0];
    CU_ASSERT_EQUAL(p->nlayers, 1);
    CU_ASSERT_EQUAL(p->retry.count, POL_COUNT_PER_KIND);
    CU_ASSERT_EQUAL(p->retry.nrules, 3);
    const pol_retry_rule *r = p->retry.rules;
    pol_outcome o429 = pol_outcome_make(POL_OUT_HTTP, 429), o503 = pol_outcome_make(POL_OUT_HTTP, 503);
    pol_outcome to = pol_outcome_make(POL_OUT_TIMEOUT, 0), rf = pol_outcome_make(POL_OUT_CONN_REFUSED, 0);
    CU_ASSERT_TRUE(pol_retry_rule_matches(&r[0], &o429));
    CU_ASSERT_TRUE(pol_retry_rule_matches(&r[1], &o503) && pol_retry_rule_matches(&r[1], &to));
    CU_ASSERT_FALSE(pol_retry_rule_matches(&r[1], &o429));
    CU_ASSERT_TRUE(pol_retry_rule_matches(&r[2], &rf));
    /* set bits: what each rule wrote; the rest is the policy's (with its own keys applied) */
    CU_ASSERT_EQUAL(r[0].set, POL_RULE_MAX_ATTEMPTS | POL_RULE_BACKOFF | POL_RULE_HINT);
    CU_ASSERT_EQUAL(r[0].max_attempts, 5);
    CU_ASSERT_EQUAL(r[0].backoff.base, 2 * POL_NS_PER_S);
    CU_ASSERT_EQUAL(r[0].backoff.step, 2 * POL_NS_PER_S);                 /* step follows base */
    CU_ASSERT_EQUAL(r[0].backoff.jitter, POL_JITTER_FULL);               /* the policy's (after its keys) */
    CU_ASSERT_EQUAL(r[0].backoff.cap, p->retry.backoff.cap);             /* the preset's 8 s */
    CU_ASSERT_EQUAL(r[0].hint.mode, POL_HINT_IGNORE);
    CU_ASSERT_EQUAL(r[1].set, POL_RULE_BACKOFF);
    CU_ASSERT_EQUAL(r[1].backoff.base, 3 * POL_NS_PER_S);                /* the policy's base 3s */
    CU_ASSERT_EQUAL(r[1].backoff.jitter, POL_JITTER_NONE);
    CU_ASSERT_EQUAL(r[2].set, POL_RULE_SHOULD_RETRY | POL_RULE_FALLBACK_ON_EXHAUST);
    CU_ASSERT_EQUAL(r[2].honor_should_retry, 0);
    CU_ASSERT_EQUAL(r[2].fallback_on_exhaust, 1);
    CU_ASSERT_EQUAL(pol_retry_validate(&p->retry), POL_OK);
    /* wrapper -> sdk (a policy written later) -> openai-python: 3 layers */
    const sim_policy *w = &s.policies[1], *k = &s.policies[2];
    CU_ASSERT_EQUAL(k->nlayers, 2);
    CU_ASSERT_EQUAL(w->nlayers, 3);
    CU_ASSERT_EQUAL(w->retry.max_attempts, 5);
    CU_ASSERT_EQUAL(w->inner[0].max_attempts, 2);
    CU_ASSERT_EQUAL(w->inner[1].max_attempts, 3);                       /* the preset's */
    CU_ASSERT_EQUAL(w->inner[1].attempt_timeout, 30 * POL_NS_PER_S);
    CU_ASSERT_EQUAL(w->inner[1].nrules, 1);
    CU_ASSERT_EQUAL(w->inner[1].backoff.base, 500 * POL_NS_PER_MS);
    sim_scenario_free(&s);
    /* errors */
    static const err_case cases[] = {
        { BASE "    retry: { on: [ { max_attempts: 2 } ] }\n", 8, 20, "missing required key 'match'" },
        { BASE "    retry: { on: [ { match: 42 } ] }\n", 8, 29, "must be between 400 and 599" },
        { BASE "    retry: { on: [ { match: 429, timeot: 1s } ] }\n", 8, 34, "unknown key 'timeot' in retry.on[0]; expected one of: match, max_attempts" },
        { BASE "    retry: { on: [ { match: 429, timeout: 1s } ] }\n", 8, 34, "'timeout' cannot be set per kind" },
        { BASE "    retry: { on: [ { match: 429, retry_on: [500] } ] }\n", 8, 34, "'retry_on' cannot be set per kind" },
        { BASE "    retry: { on: [ { match: 429, floor: 9s, cap: 1s } ] }\n", 8, 41, "floor must not exceed cap" },
        { BASE "    retry: { count: each }\n", 8, 21, "expected one of shared, per-kind, first-kind" },
        { BASE "    retry: { on: [ {match: 429}, {match: 429}, {match: 429}, {match: 429}, {match: 429}, "
               "{match: 429}, {match: 429}, {match: 429}, {match: 429} ] }\n", 8, 0, "at most 8 rules" },
        { BASE "    inner: { retyr: {} }\n", 8, 14, "unknown key 'retyr' in policy 'p' inner; did you mean 'retry'" },
        { BASE "    inner: {}\n", 8, 12, "inner needs 'preset', 'retry' or 'policy'" },
        { BASE "    inner: { policy: q }\n", 8, 22, "unknown policy 'q'" },
        { BASE "    inner: { policy: p }\n", 8, 22, "cannot be its own inner loop" },
        { BASE "    inner: { preset: openai-pyton }\n", 8, 22, "did you mean 'openai-python'" },
        { BASE "    inner: { preset: openai-python, retry: { max_attempts: -1 } }\n", 8, 60, "'max_attempts' must be between 0" },
        { BASE "    inner: { retry: {}, inner: { retry: {}, inner: { retry: {}, inner: { retry: {} } } } }\n", 8, 0,
               "more than 4 retry layers" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (cases[i].col == 0) {            /* position not pinned: the message only */
            sim_err err;
            CU_ASSERT(sim_scenario_load(write_file("s.yaml", cases[i].text), NULL, 0, &s, &err) < 0);
            if (!strstr(err.msg, cases[i].frag)) fprintf(stderr, "\n  got: %s\n  want: ...%s\n", err.msg, cases[i].frag);
            CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, cases[i].frag));
        } else {
            expect_error(cases[i].text, cases[i].line, cases[i].col, cases[i].frag);
        }
    }
}

/* ---- the good fixture ------------------------------------------------------ */

static void test_good_file(void)
{
    sim_scenario s;
    sim_err err;
    int rc = sim_scenario_load("tests/fixtures/good.yaml", NULL, 0, &s, &err);
    if (rc) fprintf(stderr, "\n  %s\n", err.msg);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_STRING_EQUAL(s.name, "fixture-good");
    CU_ASSERT_EQUAL(s.duration, S(600));
    CU_ASSERT_EQUAL(s.seed, 42);
    CU_ASSERT_EQUAL(s.replications, 3);
    CU_ASSERT_EQUAL(s.bucket, S(5));
    CU_ASSERT_STRING_EQUAL(s.rng, "mt19937");
    CU_ASSERT_EQUAL(s.net_latency.kind, SIM_DIST_UNIFORM);
    CU_ASSERT_DOUBLE_EQUAL(s.net_latency.b, 3e6, 1e-6);

    CU_ASSERT_EQUAL_FATAL(s.nproviders, 2);
    const sim_provider *p = &s.providers[0];
    CU_ASSERT_STRING_EQUAL(p->name, "primary");
    CU_ASSERT_EQUAL(p->kind, SIM_PROV_LLM);
    CU_ASSERT_DOUBLE_EQUAL(p->base.rpm, 10000, 0);
    CU_ASSERT_DOUBLE_EQUAL(p->base.tpm, 2e6, 0);
    CU_ASSERT_EQUAL(p->retry_after, SIM_RA_UNTIL_RESET);
    CU_ASSERT_EQUAL(p->base.concurrency, 800);
    CU_ASSERT_EQUAL(p->base.queue, 100);
    CU_ASSERT_EQUAL(p->base.overload_status, 529);
    CU_ASSERT_EQUAL(p->ttft.kind, SIM_DIST_LOGNORMAL);
    CU_ASSERT_DOUBLE_EQUAL(p->ttft.a, 4e8, 1e-3);
    CU_ASSERT_DOUBLE_EQUAL(p->ttft.b, 0.5, 1e-12);
    CU_ASSERT_EQUAL(p->per_token.kind, SIM_DIST_CONSTANT);
    CU_ASSERT_DOUBLE_EQUAL(p->per_token.a, 15e6, 1e-3);
    CU_ASSERT_DOUBLE_EQUAL(p->noise_sigma, 0.2, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(p->slowdown, 0.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(p->base.error_rate, 0.01, 1e-12);
    CU_ASSERT_EQUAL(p->base.error_status, 500);
    CU_ASSERT_DOUBLE_EQUAL(p->base.latency_factor, 1, 0);
    CU_ASSERT_DOUBLE_EQUAL(p->context_window, 128000, 0);
    CU_ASSERT_DOUBLE_EQUAL(p->price_in, 2.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(p->price_out, 10, 1e-12);
    CU_ASSERT_EQUAL(p->has_net_latency, 0);
    p = &s.providers[1];
    CU_ASSERT_EQUAL(p->retry_after, SIM_RA_FIXED);
    CU_ASSERT_EQUAL(p->retry_after_fixed, S(20));
    CU_ASSERT_EQUAL(p->base.outage, SIM_OUTAGE_REFUSE);
    CU_ASSERT_EQUAL(p->base.outage_status, 503);
    CU_ASSERT_EQUAL(p->base.concurrency, 0);
    CU_ASSERT_EQUAL(p->has_net_latency, 1);
    CU_ASSERT_DOUBLE_EQUAL(p->net_latency.a, 5e6, 1e-6);

    /* 3 YAML entries + 2 CSV rows, sorted by at: 30s(csv) 60s 90s(csv) 120s 360s */
    CU_ASSERT_EQUAL_FATAL(s.ntimeline, 5);
    static const double at[] = { 30, 60, 90, 120, 360 };
    for (int i = 0; i < 5; i++) CU_ASSERT_EQUAL(s.timeline[i].at, S(at[i]));
    const sim_change *c = &s.timeline[0];
    CU_ASSERT_EQUAL(c->provider, 1);
    CU_ASSERT_EQUAL(c->mask, SIM_SET_ERROR_RATE);
    CU_ASSERT_DOUBLE_EQUAL(c->set.error_rate, 0.2, 1e-12);
    CU_ASSERT_EQUAL(c->dur, 0);
    CU_ASSERT_EQUAL(c->line, 4);   /* the CSV row */
    c = &s.timeline[1];
    CU_ASSERT_EQUAL(c->mask, SIM_SET_OUTAGE | SIM_SET_LATENCY_FACTOR);
    CU_ASSERT_EQUAL(c->set.outage, SIM_OUTAGE_NONE);
    CU_ASSERT_DOUBLE_EQUAL(c->set.latency_factor, 3, 0);
    CU_ASSERT_EQUAL(c->line, 30);
    CU_ASSERT_EQUAL(c->col, 5);
    c = &s.timeline[2];
    CU_ASSERT_EQUAL(c->mask, SIM_SET_CONCURRENCY);
    CU_ASSERT_EQUAL(c->set.concurrency, 10);
    CU_ASSERT_EQUAL(c->dur, S(30));
    c = &s.timeline[3];
    CU_ASSERT_EQUAL(c->provider, 0);
    CU_ASSERT_EQUAL(c->dur, S(180));
    CU_ASSERT_EQUAL(c->mask, SIM_SET_RPM);
    CU_ASSERT_DOUBLE_EQUAL(c->set.rpm, 1000, 0);
    c = &s.timeline[4];
    CU_ASSERT_EQUAL(c->mask, SIM_SET_OUTAGE | SIM_SET_OUTAGE_STATUS | SIM_SET_ERROR_RATE);
    CU_ASSERT_EQUAL(c->set.outage, SIM_OUTAGE_STATUS);
    CU_ASSERT_EQUAL(c->set.outage_status, 503);

    const sim_workload *w = &s.workload;
    CU_ASSERT_EQUAL(w->loop, SIM_LOOP_CLOSED);
    CU_ASSERT_EQUAL(w->clients, 50);
    CU_ASSERT_EQUAL(w->think.kind, SIM_DIST_EMPIRICAL);
    CU_ASSERT_EQUAL(w->think.n, 4);
    CU_ASSERT_DOUBLE_EQUAL(sim_dist_mean(&w->think), 1e9, 1e-3);
    CU_ASSERT_EQUAL(w->stagger, S(1));          /* default: mean think time */
    CU_ASSERT_EQUAL(w->start, SIM_START_SYNC);
    CU_ASSERT_EQUAL_FATAL(w->nclasses, 2);
    CU_ASSERT_STRING_EQUAL(w->classes[0].name, "chat");
    CU_ASSERT_DOUBLE_EQUAL(w->classes[0].weight, 3, 0);
    CU_ASSERT_EQUAL(w->classes[0].prompt_tokens.kind, SIM_DIST_LOGNORMAL);
    CU_ASSERT_DOUBLE_EQUAL(w->classes[0].prompt_tokens.a, 800, 0);
    CU_ASSERT_DOUBLE_EQUAL(w->classes[0].output_tokens.a, 300, 0);
    CU_ASSERT_EQUAL(w->classes[0].policy, -1);
    CU_ASSERT_DOUBLE_EQUAL(w->classes[1].prompt_tokens.a, 1000, 0);   /* default */
    CU_ASSERT_EQUAL(w->classes[1].deadline, S(30));
    CU_ASSERT_EQUAL(w->classes[1].policy, 1);

    CU_ASSERT_EQUAL_FATAL(s.npolicies, 2);
    const sim_policy *pol = &s.policies[0];
    CU_ASSERT_STRING_EQUAL(pol->name, "full-jitter");
    CU_ASSERT_STRING_EQUAL(pol->preset, "");
    CU_ASSERT_EQUAL(pol->retry.max_attempts, 5);
    CU_ASSERT_EQUAL(pol->retry.backoff.base, S(1));
    CU_ASSERT_EQUAL(pol->retry.backoff.cap, S(60));
    CU_ASSERT_EQUAL(pol->retry.backoff.jitter, POL_JITTER_FULL);
    CU_ASSERT_EQUAL(pol->retry.hint.mode, POL_HINT_HONOR);
    CU_ASSERT_EQUAL(pol->retry.attempt_timeout, S(30));
    pol_outcome o = pol_outcome_make(POL_OUT_HTTP, 502);
    CU_ASSERT_EQUAL(pol_classify(&pol->retry.classify, &o), POL_CLASS_RETRY);
    o.status = 501;
    CU_ASSERT_EQUAL(pol_classify(&pol->retry.classify, &o), POL_CLASS_FAIL);
    o = pol_outcome_make(POL_OUT_CONTEXT_WINDOW, 400);
    CU_ASSERT_EQUAL(pol_classify(&pol->retry.classify, &o), POL_CLASS_FALLBACK);
    CU_ASSERT_EQUAL(pol->ntargets, 2);
    CU_ASSERT_EQUAL(pol->targets[1], 1);
    CU_ASSERT_EQUAL(pol->line, 47);
    CU_ASSERT_EQUAL(pol->col, 5);
    pol = &s.policies[1];
    CU_ASSERT_STRING_EQUAL(pol->name, "openai-python");
    CU_ASSERT_STRING_EQUAL(pol->preset, "openai-python");
    pol_retry_cfg want;
    pol_preset_get("openai-python", &want);
    CU_ASSERT_EQUAL(memcmp(&pol->retry, &want, sizeof want), 0);
    CU_ASSERT_EQUAL(pol->ntargets, 1);
    CU_ASSERT_EQUAL(pol->targets[0], 0);

    CU_ASSERT_EQUAL_FATAL(s.nexpect, 2);
    CU_ASSERT_EQUAL(s.expect[0].is_comparison, 0);
    CU_ASSERT_STRING_EQUAL(s.expect[0].policy, "full-jitter");
    CU_ASSERT_EQUAL(s.expect[0].metric, SIM_M_PEAK_LOAD_RATIO);
    CU_ASSERT(!s.expect[0].has_min && s.expect[0].has_max);
    CU_ASSERT_DOUBLE_EQUAL(s.expect[0].max, 1.5, 0);
    CU_ASSERT_EQUAL(s.expect[1].is_comparison, 1);
    CU_ASSERT_STRING_EQUAL(s.expect[1].better, "full-jitter");
    CU_ASSERT_STRING_EQUAL(s.expect[1].than, "openai-python");
    CU_ASSERT_EQUAL(s.expect[1].on, SIM_ON_UPPER);
    CU_ASSERT_EQUAL(s.expect[1].lower_is_better, 1);

    CU_ASSERT_EQUAL(sim_scenario_find_provider(&s, "backup"), 1);
    CU_ASSERT_EQUAL(sim_scenario_find_provider(&s, "nope"), -1);
    CU_ASSERT_EQUAL(sim_scenario_find_policy(&s, "openai-python"), 1);
    sim_scenario_free(&s);
    CU_ASSERT_PTR_NULL(s.providers);
}

static void test_defaults(void)
{
    sim_scenario s;
    CU_ASSERT_EQUAL_FATAL(load_text(BASE, NULL, 0, &s), 0);
    CU_ASSERT_EQUAL(s.seed, 1);
    CU_ASSERT_EQUAL(s.replications, 1);
    CU_ASSERT_EQUAL(s.bucket, S(1));
    CU_ASSERT_STRING_EQUAL(s.rng, "taus2");
    const sim_provider *p = &s.providers[0];
    CU_ASSERT_EQUAL(p->base.overload_status, 503);
    CU_ASSERT_EQUAL(p->base.error_status, 500);
    CU_ASSERT_EQUAL(p->base.outage, SIM_OUTAGE_NONE);
    CU_ASSERT_EQUAL(p->base.outage_status, 503);
    CU_ASSERT_DOUBLE_EQUAL(p->base.latency_factor, 1, 0);
    CU_ASSERT_EQUAL(p->retry_after, SIM_RA_UNTIL_RESET);
    CU_ASSERT_EQUAL(p->ttft.kind, SIM_DIST_CONSTANT);
    CU_ASSERT_DOUBLE_EQUAL(p->ttft.a, 0, 0);
    CU_ASSERT_EQUAL(s.workload.nclasses, 1);
    CU_ASSERT_STRING_EQUAL(s.workload.classes[0].name, "default");
    CU_ASSERT_DOUBLE_EQUAL(s.workload.classes[0].prompt_tokens.a, 1000, 0);
    CU_ASSERT_DOUBLE_EQUAL(s.workload.classes[0].output_tokens.a, 300, 0);
    CU_ASSERT_EQUAL(s.workload.classes[0].policy, -1);
    CU_ASSERT_EQUAL(s.workload.stagger, S(1));
    pol_retry_cfg def;
    pol_retry_default(&def);
    CU_ASSERT_EQUAL(memcmp(&s.policies[0].retry, &def, sizeof def), 0);
    CU_ASSERT_EQUAL(s.ntimeline, 0);
    CU_ASSERT_EQUAL(s.nexpect, 0);
    sim_scenario_free(&s);
}

static void test_open_and_trace(void)
{
    sim_scenario s;
    const char *open = "scenario: o\nduration: 1m\nproviders: [{name: a}]\npolicies: [{name: p}]\n"
                       "workload: { loop: open, rate: 600/min, output_tokens: exponential(200) }\n"
                       "timeline:\n  - { at: 10s, for: 5s, set: { rate: 50/s } }\n";
    CU_ASSERT_EQUAL_FATAL(load_text(open, NULL, 0, &s), 0);
    CU_ASSERT_EQUAL(s.workload.loop, SIM_LOOP_OPEN);
    CU_ASSERT_DOUBLE_EQUAL(s.workload.rate, 10, 1e-12);
    CU_ASSERT_EQUAL(s.workload.classes[0].output_tokens.kind, SIM_DIST_EXPONENTIAL);
    CU_ASSERT_EQUAL(s.timeline[0].provider, -1);
    CU_ASSERT_EQUAL(s.timeline[0].mask, SIM_SET_RATE);
    CU_ASSERT_DOUBLE_EQUAL(s.timeline[0].rate, 50, 1e-12);
    sim_scenario_free(&s);

    write_file("arr.csv", "at,class\n0.5,small\n1s,big\n1s,small\n2m,big\n");
    const char *trace = "scenario: tr\nduration: 1m\nproviders: [{name: a}]\npolicies: [{name: p}]\n"
                        "workload:\n  loop: trace\n  arrivals_csv: arr.csv\n"
                        "  classes: [{name: small}, {name: big, output_tokens: 900}]\n";
    CU_ASSERT_EQUAL_FATAL(load_text(trace, NULL, 0, &s), 0);
    CU_ASSERT_EQUAL_FATAL(s.workload.n_arrivals, 3);      /* 2m is after the end */
    CU_ASSERT_EQUAL(s.workload.arrivals[0], MS(500));
    CU_ASSERT_EQUAL(s.workload.arrivals[2], S(1));
    CU_ASSERT_EQUAL(s.workload.arrival_class[0], 0);
    CU_ASSERT_EQUAL(s.workload.arrival_class[1], 1);
    sim_scenario_free(&s);
}

/* ---- errors ---------------------------------------------------------------- */

static void test_err_keys(void)
{
    static const err_case cases[] = {
        { BASE "durration: 5m\n", 8, 1, "unknown key 'durration' in the scenario; did you mean 'duration'?" },
        { BASE "workload2: {}\n", 8, 1, "did you mean 'workload'?" },
        { "scenario: t\nduration: 10m\nproviders:\n  - name: primary\n    concurrncy: 5\n"
                     "workload: { clients: 10 }\npolicies: [{name: p}]\n",
                 5, 5, "unknown key 'concurrncy' in provider 'primary'; did you mean 'concurrency'?" },
        { BASE "    retry: { bse: 1s }\n", 8, 14, "unknown key 'bse' in policy 'p' retry; did you mean 'base'?" },
        { BASE "    colour: red\n", 8, 5, "unknown key 'colour' in policy 'p'; expected one of: name, preset" },
        { "scenario: t\nproviders: [{name: a}]\nworkload: { clients: 1 }\npolicies: [{name: p}]\n",
                 1, 1, "missing required key 'duration'" },
        { "scenario: t\nduration: 1m\nproviders: [{ kind: llm }]\nworkload: { clients: 1 }\npolicies: [{name: p}]\n",
                 3, 13, "missing required key 'name'" },
        { "scenario: t\nduration: 1m\nproviders: [{name: a}]\nworkload: { think: 1s }\npolicies: [{name: p}]\n",
                 4, 11, "missing required key 'clients'" },
        { BASE "duration: 5m\n", 8, 1, "duplicate key 'duration' (first written at line 2)" },
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_err_types(void)
{
    static const err_case cases[] = {
        { "scenario: t\nduration: abc\n", 2, 11, "expected a positive duration like 250ms for 'duration', got 'abc'" },
        { "scenario: t\nduration: 0s\n", 2, 11, "expected a positive duration like 250ms for 'duration', got '0s'" },
        { "scenario: t\nduration: 10\n", 2, 11, "got '10'" },
        { BASE "seed: -1\n", 8, 7, "value for 'seed' must be >= 0, got '-1'" },
        { BASE "replications: 0\n", 8, 15, "value for 'replications' must be between 1 and 100000" },
        { BASE "rng: mt1993\n", 8, 6, "unknown GSL generator 'mt1993'; did you mean 'mt19937'?" },
        { BASE "providers2: x\n", 8, 1, "did you mean 'providers'?" },
        { "scenario: t\nduration: 1m\nproviders: { name: a }\n", 3, 12, "expected a list for 'providers', got a map" },
        { "scenario: t\nduration: 1m\nproviders: []\n", 3, 12, "'providers' needs at least one entry" },
        { BASE "    retry: { jitter: ful }\n", 8, 22, "expected one of none, full, equal" },
        { BASE "    retry: { jitter: ful }\n", 8, 22, "did you mean 'full'?" },
        { BASE "    retry: { honor_should_retry: maybe }\n", 8, 34, "expected true or false for 'honor_should_retry'" },
        { BASE "    retry: { retry_on: [429, tiemout] }\n", 8, 30, "did you mean 'timeout'?" },
        { BASE "    retry: { retry_on: [200] }\n", 8, 25, "status in 'retry_on' must be between 400 and 599" },
        { BASE "    retry: { multiplier: 0.5 }\n", 8, 26, "'multiplier' must be between 1 and 1000" },
        { BASE "  - preset: openai-pyhton\n", 8, 13, "unknown preset 'openai-pyhton'; did you mean 'openai-python'?" },
        { BASE "  - name: p\n", 8, 11, "duplicate policy name 'p'" },
        { BASE "    targets: [primery]\n", 8, 15, "unknown provider 'primery'; did you mean 'primary'?" },
        { "scenario: t\nduration: 1m\nproviders:\n  - name: a\n    latency: { ttft: lognormal(400, 0.5) }\n",
                 5, 22, "median must be a duration like 250ms, got '400'" },
        { "scenario: t\nduration: 1m\nproviders:\n  - name: a\n    latency: { ttft: lognormal(400ms, -1) }\n",
                 5, 22, "sigma must be >= 0" },
        { "scenario: t\nduration: 1m\nproviders:\n  - name: a\n    outage: blackhol\n",
                 5, 13, "did you mean 'blackhole'?" },
        { "scenario: t\nduration: 1m\nproviders:\n  - name: a\n    kind: queue\n",
                 4, 5, "missing required key 'service'" },
        { "scenario: t\nduration: 1m\nproviders:\n  - name: a\n    error_rate: 1.5\n",
                 5, 17, "value for 'error_rate' must be between 0 and 1" },
        { "scenario: t\nduration: 1m\nproviders: [{name: a}]\npolicies: [{name: p}]\n"
                     "workload: { loop: open, rate: 5/s, clients: 3 }\n",
                 5, 36, "'clients' applies only to loop: closed" },
        { "scenario: t\nduration: 1m\nproviders: [{name: a}]\npolicies: [{name: p}]\n"
                     "workload: { loop: open, rate: fast }\n",
                 5, 31, "expected a positive rate like 70/s or 4200/min for 'rate', got 'fast'" },
        { "scenario: t\nduration: 1m\nproviders: [{name: a}]\npolicies: [{name: p}]\n"
                     "workload: { clients: 2, classes: [{name: x, policy: q}] }\n",
                 5, 53, "unknown policy 'q'; did you mean 'p'?" },
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_err_yaml(void)
{
    expect_error("scenario: t\nduration: 1m\n  providers: x\n", 3, 12, "YAML syntax error: mapping values are not allowed");
    expect_error("scenario: t\nproviders: [a, b\n", 3, 1, "YAML syntax error");
    expect_error("", 1, 1, "the file is empty");
    expect_error("- a\n- b\n", 1, 1, "expected a map for 'the scenario");
    expect_error("a: &x [*x]\n", 1, 4, "nesting deeper than");
    sim_scenario s;
    sim_err err;
    CU_ASSERT(sim_scenario_load("/nonexistent/x.yaml", NULL, 0, &s, &err) < 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/nonexistent/x.yaml: cannot open"));
}

static void test_err_timeline(void)
{
    static const err_case cases[] = {
        { BASE "timeline:\n  - { at: 12m, provider: primary, set: { rpm: 1 } }\n",
                 9, 11, "at 12m is outside the run (duration 10m)" },
        { BASE "timeline:\n  - { at: 10m, provider: primary, set: { rpm: 1 } }\n",
                 9, 11, "outside the run" },
        { BASE "timeline:\n  - { at: 8m, for: 3m, provider: primary, set: { rpm: 1 } }\n",
                 9, 20, "the window ends at 11m, after the end of the run (duration 10m)" },
        { BASE "timeline:\n  - { at: 1m, for: -5s, provider: primary, set: { rpm: 1 } }\n",
                 9, 20, "must not be negative" },
        { BASE "timeline:\n  - { at: 1m, provider: primery, set: { rpm: 1 } }\n",
                 9, 25, "unknown provider 'primery'; did you mean 'primary'?" },
        { BASE "timeline:\n  - { at: 1m, provider: primary, set: {} }\n",
                 9, 39, "empty 'set'" },
        { BASE "timeline:\n  - { at: 1m, provider: primary, set: { rate: 5 } }\n",
                 9, 41, "'rate' changes the workload's arrival rate" },
        { BASE "timeline:\n  - { at: 1m, set: { rpm: 5 } }\n",
                 9, 22, "'rpm' is a provider parameter: name the provider" },
        { BASE "timeline:\n  - { at: 1m, provider: primary, set: { rpn: 5 } }\n",
                 9, 41, "unknown key 'rpn' in timeline[0] set; did you mean 'rpm'?" },
        { BASE "timeline:\n  - { at: 1m }\n", 9, 5, "missing required key 'set'" },
        { BASE "timeline:\n  - { at: 1m, set: { rate: 5 } }\n", 9, 22, "'rate' changes need workload loop: open" },
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_err_csv(void)
{
    write_file("t1.csv", "at,for,provider,key,value\n1m,,primary,rpm,100\n2m,,primary,rpm,lots\n");
    char want[512];
    snprintf(want, sizeof want, BASE "timeline_csv: t1.csv\n");
    sim_scenario s;
    sim_err err;
    const char *path = write_file("s.yaml", want);
    CU_ASSERT(sim_scenario_load(path, NULL, 0, &s, &err) < 0);
    snprintf(want, sizeof want, "%s/t1.csv:3:17: expected a number for 'rpm', got 'lots'", g_dir);
    CHECK_MSG(err.msg, want);

    write_file("t2.csv", "at,for,provider,key,value\n1m,,primary,rpm,100\n2m,,primery,rpm,1\n");
    CU_ASSERT(sim_scenario_load(write_file("s.yaml", BASE "timeline_csv: t2.csv\n"), NULL, 0, &s, &err) < 0);
    snprintf(want, sizeof want, "%s/t2.csv:3:5: unknown provider 'primery'; did you mean 'primary'?", g_dir);
    CHECK_MSG(err.msg, want);

    write_file("t3.csv", "at,for,provider,key,value\n\"1m,,primary,rpm,100\n");
    CU_ASSERT(sim_scenario_load(write_file("s.yaml", BASE "timeline_csv: t3.csv\n"), NULL, 0, &s, &err) < 0);
    snprintf(want, sizeof want, "%s/t3.csv:", g_dir);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, want));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "malformed CSV"));

    write_file("t4.csv", "at,for,provider,kye,value\n");
    CU_ASSERT(sim_scenario_load(write_file("s.yaml", BASE "timeline_csv: t4.csv\n"), NULL, 0, &s, &err) < 0);
    snprintf(want, sizeof want, "%s/t4.csv:1:17: unknown column 'kye' in the header (expected at,for,provider,key,value); did you mean 'key'?", g_dir);
    CHECK_MSG(err.msg, want);

    write_file("a1.csv", "at\n1s\n3s\n2s\n");
    CU_ASSERT(sim_scenario_load(write_file("s.yaml",
        "scenario: t\nduration: 1m\nproviders: [{name: a}]\npolicies: [{name: p}]\n"
        "workload: { loop: trace, arrivals_csv: a1.csv }\n"), NULL, 0, &s, &err) < 0);
    snprintf(want, sizeof want, "%s/a1.csv:4:1: arrivals must be sorted by time: 2s comes after 3s (line 3)", g_dir);
    CHECK_MSG(err.msg, want);

    write_file("e1.csv", "v\n1s\n\"x\"\n");
    CU_ASSERT(sim_scenario_load(write_file("s.yaml", BASE "network: { latency: empirical(e1.csv) }\n"),
                                NULL, 0, &s, &err) < 0);
    snprintf(want, sizeof want, "%s/e1.csv:3:1: expected a non-negative duration (250ms, or seconds), got 'x'", g_dir);
    CHECK_MSG(err.msg, want);

    expect_error(BASE "timeline_csv: missing.csv\n", 8, 15, "cannot open");
}

static void test_err_expect(void)
{
    static const err_case cases[] = {
        { BASE "expect:\n  - { policy: p, metric: amplificaton, max: 2 }\n",
                 9, 26, "unknown metric 'amplificaton'; did you mean 'amplification'?" },
        { BASE "expect:\n  - { policy: q, metric: amplification, max: 2 }\n", 9, 15, "unknown policy 'q'" },
        { BASE "expect:\n  - { policy: p, metric: cost }\n", 9, 5, "needs 'min', 'max' or both" },
        { BASE "expect:\n  - { better: p, than: p, metric: cost }\n", 9, 24, "name the same policy" },
        { BASE "expect:\n  - { better: p, than: x, metric: cost, max: 3 }\n", 9, 41, "'max' belongs to the bound form" },
        { BASE "expect:\n  - { policy: p, metric: cost, max: 3, on: median }\n", 9, 44, "expected one of mean, upper, lower" },
        { BASE "expect:\n  - { policy: p, class: defualt, metric: cost, max: 3 }\n", 9, 25,
               "unknown class 'defualt'; did you mean 'default'?" },
        { BASE "expect:\n  - { policy: p, class: default, metric: peak_load_ratio, max: 3 }\n", 9, 42,
               "'peak_load_ratio' is not measured per class (these are not: breaker_transitions, peak_offered" },
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

/* slo:, scope: class, hedge pick, expect class: what they load into, and their errors */
static void test_issue13_keys(void)
{
    sim_scenario s;
    const char *text = "scenario: t\nduration: 10m\nslo: { latency: 30s }\n"
        "providers: [ { name: a }, { name: b } ]\n"
        "workload:\n  clients: 10\n  classes: [ { name: chat }, { name: docs } ]\n"
        "policies:\n"
        "  - name: p\n"
        "    targets: [a, b]\n"
        "    budget: { scope: class }\n"
        "    monitor: { scope: class }\n"
        "    hedge: { mode: parallel, pick: list-order }\n"
        "expect:\n"
        "  - { policy: p, class: docs, metric: slo_success_rate, min: 0.5 }\n"
        "  - { better: p, than: p2, metric: hung }\n"
        "  - { policy: p, metric: slo_success_rate, min: 0.5 }\n";
    char buf[2048];
    snprintf(buf, sizeof buf, "%s", text);
    char *pol = strstr(buf, "expect:");
    char add[] = "  - { name: p2 }\n";
    memmove(pol + strlen(add), pol, strlen(pol) + 1);
    memcpy(pol, add, strlen(add));
    CU_ASSERT_EQUAL_FATAL(load_text(buf, NULL, 0, &s), 0);
    CU_ASSERT_EQUAL(s.slo_latency, 30 * POL_NS_PER_S);
    CU_ASSERT_EQUAL(s.slo_written, 1);
    const sim_stateful *st = &s.policies[0].st;
    CU_ASSERT_EQUAL(st->scope[SIM_PART_BUDGET], SIM_SCOPE_CLASS);
    CU_ASSERT_EQUAL(st->scope[SIM_PART_MONITOR], SIM_SCOPE_CLASS);
    CU_ASSERT_EQUAL(st->hedge_list_order, 1);
    CU_ASSERT_EQUAL(s.expect[0].cls, 1);
    CU_ASSERT_EQUAL(s.expect[1].cls, -1);
    CU_ASSERT_EQUAL(s.expect[1].lower_is_better, 1);       /* hung: lower is better */
    CU_ASSERT_EQUAL(s.expect[2].lower_is_better, 0);       /* slo_success_rate: higher */
    sim_scenario_free(&s);
    CU_ASSERT_EQUAL_FATAL(load_text(BASE, NULL, 0, &s), 0);
    CU_ASSERT_EQUAL(s.slo_latency, SIM_SLO_DEFAULT);
    CU_ASSERT_EQUAL(s.slo_written, 0);
    CU_ASSERT_EQUAL(s.policies[0].st.scope[SIM_PART_MONITOR], SIM_SCOPE_GLOBAL);
    sim_scenario_free(&s);
    static const err_case cases[] = {
        { BASE "    hedge: { delay: 1s, pick: list-order }\n", 8, 31, "'pick' is an option of mode: parallel" },
        { BASE "    hedge: { mode: parallel, pick: list }\n", 8, 36, "expected one of first-answer, list-order" },
        { BASE "    monitor: { scope: client }\n", 8, 23, "a monitor's scope is global (one for every client, the default) or class" },
        { BASE "    budget: { scope: feature }\n", 8, 22, "expected one of request, client, gateway, global, class" },
        { "scenario: t\nduration: 10m\nslo: { latency: 0 }\nproviders: [ { name: a } ]\n", 3, 17, "latency" },
        { "scenario: t\nduration: 10m\nslo: { latncy: 1s }\n", 3, 8, "unknown key 'latncy' in slo; did you mean 'latency'?" },
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

/* ---- overrides ------------------------------------------------------------- */

#define OVB "scenario: t\nduration: 10m\nproviders: [{name: primary}, {name: b}]\n" \
            "workload: { clients: 10 }\n"                                      \
            "timeline:\n  - { at: 1m, for: 1m, provider: primary, set: { rpm: 5 } }\n" \
            "  - { at: 2m, provider: b, set: { rpm: 5 } }\n"                   \
            "policies:\n  - name: full-jitter\n    retry: { base: 1s }\n  - preset: openai-python\n"

static void test_overrides(void)
{
    sim_scenario s;
    const char *ov[] = { "timeline[0].for=90s", "policies[full-jitter].retry.base=500ms",
                         "workload.clients=200", "retry.cap=30s", "policies[openai-python].retry.retry_on=[400]",
                         "providers[b].latency.ttft=lognormal(400ms, 0.5)" };
    CU_ASSERT_EQUAL_FATAL(load_text(OVB, ov, 6, &s), 0);
    CU_ASSERT_EQUAL(s.timeline[0].dur, S(90));
    CU_ASSERT_EQUAL(s.timeline[1].dur, 0);
    CU_ASSERT_EQUAL(s.policies[0].retry.backoff.base, MS(500));
    CU_ASSERT_EQUAL(s.policies[1].retry.backoff.base, MS(500));   /* the preset's own */
    CU_ASSERT_EQUAL(s.workload.clients, 200);
    CU_ASSERT_EQUAL(s.policies[0].retry.backoff.cap, S(30));        /* shorthand: every policy */
    CU_ASSERT_EQUAL(s.policies[1].retry.backoff.cap, S(30));
    pol_outcome o = pol_outcome_make(POL_OUT_HTTP, 400);
    CU_ASSERT_EQUAL(pol_classify(&s.policies[1].retry.classify, &o), POL_CLASS_RETRY);
    CU_ASSERT_EQUAL(pol_classify(&s.policies[0].retry.classify, &o), POL_CLASS_FAIL);
    CU_ASSERT_EQUAL(s.providers[1].ttft.kind, SIM_DIST_LOGNORMAL);
    sim_scenario_free(&s);

    const char *all[] = { "policies.retry.base=2s", "timeline.set.rpm=7" };
    CU_ASSERT_EQUAL_FATAL(load_text(OVB, all, 2, &s), 0);
    CU_ASSERT_EQUAL(s.policies[0].retry.backoff.base, S(2));
    CU_ASSERT_EQUAL(s.policies[1].retry.backoff.base, S(2));
    CU_ASSERT_DOUBLE_EQUAL(s.timeline[0].set.rpm, 7, 0);
    CU_ASSERT_DOUBLE_EQUAL(s.timeline[1].set.rpm, 7, 0);
    sim_scenario_free(&s);

    const char *idx[] = { "policies[1].name=other" };
    CU_ASSERT_EQUAL_FATAL(load_text(OVB, idx, 1, &s), 0);
    CU_ASSERT_STRING_EQUAL(s.policies[1].name, "other");
    sim_scenario_free(&s);
}

static void test_override_errors(void)
{
    static const struct { const char *ov, *frag; } cases[] = {
        { "workload.clientz=5", "unknown key 'clientz' in workload; did you mean 'clients'?" },
        { "workload.clients.max=5", "workload.clients is a scalar, not a map or a list" },
        { "policies[ful-jitter].retry.base=1s", "policies has no element named 'ful-jitter'; did you mean 'full-jitter'?" },
        { "timeline[5].for=1s", "index [5] is out of range: timeline has 2 elements" },
        { "workload.clients=abc", "expected an integer for 'clients', got 'abc'" },
        { "no-equals-sign", "expected key.path=value" },
        { "workload[0].clients=1", "workload is a map, not a list" },
        { "retry.bass=1s", "unknown key 'bass' in policy 'full-jitter' retry; did you mean 'base'?" },
        { "workload.clients=[1", "YAML syntax error in the value" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) expect_error_ov(OVB, &cases[i].ov, 1, 0, 0, cases[i].frag);
}

/* ---- cfg ------------------------------------------------------------------- */

static void test_cfg_suggest_and_flow(void)
{
    static const char *const names[] = { "duration", "concurrency", "clients", "rpm" };
    CU_ASSERT_STRING_EQUAL(sim_cfg_suggest("durration", names, 4), "duration");
    CU_ASSERT_STRING_EQUAL(sim_cfg_suggest("conc", names, 4), "concurrency");
    CU_ASSERT_STRING_EQUAL(sim_cfg_suggest("rpn", names, 4), "rpm");
    CU_ASSERT_PTR_NULL(sim_cfg_suggest("xyzzy", names, 4));
    static const char *const metrics[] = { "latency_p50", "latency_p99", "latency_mean" };
    CU_ASSERT_STRING_EQUAL(sim_cfg_suggest("p99_latency", metrics, 3), "latency_p99");

    sim_cfg_doc d;
    sim_err err;
    CU_ASSERT_EQUAL_FATAL(sim_cfg_load_string("a: { x: lognormal(1s, 2), y: 3 }\nb: [uniform(1, 2), 4]\n",
                                              "mem.yaml", &d, &err), 0);
    const sim_cfg_node *a = sim_cfg_get(d.root, "a"), *b = sim_cfg_get(d.root, "b");
    CU_ASSERT_EQUAL(a->n, 2);
    CU_ASSERT_STRING_EQUAL(sim_cfg_get(a, "x")->str, "lognormal(1s, 2)");
    CU_ASSERT_EQUAL(sim_cfg_get(a, "x")->col, 9);
    CU_ASSERT_STRING_EQUAL(sim_cfg_get(a, "y")->str, "3");
    CU_ASSERT_EQUAL(b->n, 2);
    CU_ASSERT_STRING_EQUAL(b->items[0]->str, "uniform(1, 2)");
    pol_ns v;
    CU_ASSERT(sim_cfg_get_duration(a, "y", 0, 0, &v, &err) < 0);
    CU_ASSERT_STRING_EQUAL(err.msg, "mem.yaml:1:30: expected a duration like 250ms for 'y', got '3'");
    CU_ASSERT_EQUAL(sim_cfg_get_duration(a, "missing", 0, 77, &v, &err), 0);
    CU_ASSERT_EQUAL(v, 77);
    CU_ASSERT(sim_cfg_get_duration(a, "missing", SIM_CFG_REQ, 77, &v, &err) < 0);
    CU_ASSERT_STRING_EQUAL(err.msg, "mem.yaml:1:4: missing required key 'missing'");
    sim_cfg_free(&d);
}

typedef struct { int n; int line[8], col[8]; char text[8][32]; } csv_seen;

static int csv_collect(void *u, const sim_csv_row *row, sim_err *err)
{
    (void)err;
    csv_seen *s = u;
    for (size_t i = 0; i < row->n && s->n < 8; i++, s->n++) {
        s->line[s->n] = row->line[i];
        s->col[s->n] = row->col[i];
        snprintf(s->text[s->n], 32, "%s", row->field[i]);
    }
    return 0;
}

static void test_csv_positions(void)
{
    const char *p = write_file("pos.csv", "a,\"b,c\"\r\n\n  d , e\n\"multi\nline\",f");
    csv_seen s = { 0 };
    sim_err err;
    CU_ASSERT_EQUAL_FATAL(sim_cfg_csv_read(p, csv_collect, &s, &err), 0);
    CU_ASSERT_EQUAL_FATAL(s.n, 6);
    static const int line[] = { 1, 1, 3, 3, 4, 5 }, col[] = { 1, 3, 1, 6, 1, 7 };
    static const char *const text[] = { "a", "b,c", "d", "e", "multi\nline", "f" };
    for (int i = 0; i < 6; i++) {
        CU_ASSERT_EQUAL(s.line[i], line[i]);
        CU_ASSERT_EQUAL(s.col[i], col[i]);
        CU_ASSERT_STRING_EQUAL(s.text[i], text[i]);
    }
}

/* ---- distributions --------------------------------------------------------- */

static void check_mean(const char *text, int durations)
{
    sim_dist d;
    sim_err err;
    int rc = sim_dist_parse(text, durations, scratch(), &d, &err);
    if (rc) fprintf(stderr, "\n  %s: %s\n", text, err.msg);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 7);
    double sum = 0;
    for (int i = 0; i < 100000; i++) {
        double x = sim_dist_sample(&d, r);
        CU_ASSERT(x >= 0);
        sum += x;
    }
    double m = sum / 100000, want = sim_dist_mean(&d);
    if (!(fabs(m - want) <= 0.01 * want)) fprintf(stderr, "\n  %s: sample mean %g, analytic %g\n", text, m, want);
    CU_ASSERT(fabs(m - want) <= 0.01 * want);
    gsl_rng_free(r);
    sim_dist_free(&d);
}

static void test_dist_means(void)
{
    check_mean("constant(3)", 0);
    check_mean("uniform(1s, 3s)", 1);
    check_mean("exponential(5s)", 1);
    check_mean("lognormal(400ms, 0.5)", 1);
    check_mean("lognormal(300, 0.8)", 0);
    check_mean("normal(1, 1)", 0);             /* truncated at 0: mean 1.2876 */
    check_mean("normal(10, 2)", 0);
    check_mean("absnormal(0.5, 1)", 0);
    check_mean("absnormal(0, 1)", 0);
    check_mean("pareto(3, 1)", 0);
    check_mean("gamma(2.5, 100ms)", 1);
    check_mean("gamma(0.5, 300)", 0);
    write_file("emp.csv", "1\n2\n3\n10\n");
    check_mean("empirical(emp.csv)", 0);

    sim_dist d;
    sim_err err;
    CU_ASSERT_EQUAL(sim_dist_parse("normal(1, 1)", 0, ".", &d, &err), 0);
    CU_ASSERT_DOUBLE_EQUAL(sim_dist_mean(&d), 1.287599, 1e-5);
    CU_ASSERT_EQUAL(sim_dist_parse("absnormal(0, 1)", 0, ".", &d, &err), 0);
    CU_ASSERT_DOUBLE_EQUAL(sim_dist_mean(&d), sqrt(2 / M_PI), 1e-12);
    CU_ASSERT_EQUAL(sim_dist_parse("pareto(1, 2)", 0, ".", &d, &err), 0);
    CU_ASSERT(isinf(sim_dist_mean(&d)));
}

static void test_dist_parse(void)
{
    sim_dist d;
    sim_err err;
    char buf[128];
    CU_ASSERT_EQUAL(sim_dist_parse("400ms", 1, ".", &d, &err), 0);
    CU_ASSERT_EQUAL(d.kind, SIM_DIST_CONSTANT);
    CU_ASSERT_DOUBLE_EQUAL(d.a, 4e8, 0);
    CU_ASSERT_EQUAL(sim_dist_parse("  lognormal( 400ms ,0.5 ) ", 1, ".", &d, &err), 0);
    CU_ASSERT_STRING_EQUAL(sim_dist_format(&d, 1, buf, sizeof buf), "lognormal(400ms, 0.5)");
    CU_ASSERT_EQUAL(sim_dist_parse("pareto(1.5, 2s)", 1, ".", &d, &err), 0);
    CU_ASSERT_DOUBLE_EQUAL(d.a, 1.5, 0);
    CU_ASSERT_DOUBLE_EQUAL(d.b, 2e9, 0);
    CU_ASSERT_STRING_EQUAL(sim_dist_format(&d, 1, buf, sizeof buf), "pareto(1.5, 2s)");
    CU_ASSERT_EQUAL(sim_dist_parse("gamma(2, 150ms)", 1, ".", &d, &err), 0);
    CU_ASSERT_EQUAL(d.kind, SIM_DIST_GAMMA);
    CU_ASSERT_DOUBLE_EQUAL(sim_dist_mean(&d), 3e8, 1e-6);
    CU_ASSERT_STRING_EQUAL(sim_dist_format(&d, 1, buf, sizeof buf), "gamma(2, 150ms)");
    CU_ASSERT_EQUAL(sim_dist_parse("uniform(100, 500)", 0, ".", &d, &err), 0);
    CU_ASSERT_STRING_EQUAL(sim_dist_format(&d, 0, buf, sizeof buf), "uniform(100, 500)");
    sim_dist e;
    CU_ASSERT_EQUAL(sim_dist_parse(buf, 0, ".", &e, &err), 0);
    CU_ASSERT(e.kind == d.kind && e.a == d.a && e.b == d.b);

    static const struct { const char *text; int dur; const char *frag; } bad[] = {
        { "lognorml(1s, 1)", 1, "unknown distribution 'lognorml'; did you mean 'lognormal'?" },
        { "weibull(1, 2)", 0, "expected constant, uniform" },
        { "uniform(1s)", 1, "uniform(lo, hi) takes 2 arguments, got 1" },
        { "exponential()", 1, "takes 1 argument, got 0" },
        { "uniform(3s, 1s)", 1, "lo must be <= hi" },
        { "exponential(0s)", 1, "mean must be > 0" },
        { "lognormal(0, 1)", 0, "median must be > 0" },
        { "normal(1, -1)", 0, "sd must be >= 0" },
        { "pareto(0, 1)", 0, "alpha must be > 0" },
        { "gamma(1, 0)", 0, "gamma(shape, scale): scale must be > 0" },
        { "gamma(2, 5)", 1, "gamma: scale must be a duration like 250ms, got '5'" },
        { "exponential(5)", 1, "mean must be a duration like 250ms, got '5'" },
        { "abc", 1, "expected a duration like 250ms or a distribution" },
        { "-3", 0, "value must be >= 0" },
        { "lognormal(1s", 1, "quote it" },
        { "empirical(nope.csv)", 0, "cannot open" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = sim_dist_parse(bad[i].text, bad[i].dur, scratch(), &d, &err);
        CU_ASSERT(rc < 0);
        if (rc >= 0 || !strstr(err.msg, bad[i].frag))
            fprintf(stderr, "\n  %s: got '%s', want '%s'\n", bad[i].text, rc ? err.msg : "ok", bad[i].frag);
        CU_ASSERT(rc < 0 && strstr(err.msg, bad[i].frag));
    }
}

static void test_dist_empirical(void)
{
    write_file("dur.csv", "latency\n250ms\n1.5\n2s\n");
    sim_dist d;
    sim_err err;
    CU_ASSERT_EQUAL_FATAL(sim_dist_parse("empirical(dur.csv)", 1, scratch(), &d, &err), 0);
    CU_ASSERT_EQUAL(d.n, 3);
    CU_ASSERT_DOUBLE_EQUAL(d.samples[0], 2.5e8, 0);
    CU_ASSERT_DOUBLE_EQUAL(d.samples[1], 1.5e9, 0);
    CU_ASSERT_DOUBLE_EQUAL(sim_dist_mean(&d), (2.5e8 + 1.5e9 + 2e9) / 3, 1e-3);
    char buf[128];
    CU_ASSERT_STRING_EQUAL(sim_dist_format(&d, 1, buf, sizeof buf), "empirical(dur.csv)");
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    for (int i = 0; i < 1000; i++) {
        double x = sim_dist_sample(&d, r);
        CU_ASSERT(x == d.samples[0] || x == d.samples[1] || x == d.samples[2]);
    }
    gsl_rng_free(r);
    sim_dist_free(&d);
    CU_ASSERT_PTR_NULL(d.samples);

    write_file("bad.csv", "1\n2\n3,4\n");
    CU_ASSERT_EQUAL(sim_dist_parse("empirical(bad.csv)", 0, scratch(), &d, &err), SIM_ELOCATED);
    char want[400];
    snprintf(want, sizeof want, "%s/bad.csv:3:1: expected one value per row, got 2 cells", g_dir);
    CHECK_MSG(err.msg, want);
    write_file("empty.csv", "header\n");
    CU_ASSERT(sim_dist_parse("empirical(empty.csv)", 0, scratch(), &d, &err) < 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "has no values"));
}

static void test_determinism(void)
{
    sim_scenario a, b;
    sim_err err;
    CU_ASSERT_EQUAL_FATAL(sim_scenario_load("tests/fixtures/good.yaml", NULL, 0, &a, &err), 0);
    CU_ASSERT_EQUAL_FATAL(sim_scenario_load("tests/fixtures/good.yaml", NULL, 0, &b, &err), 0);
    CU_ASSERT_EQUAL(memcmp(a.timeline, b.timeline, (size_t)a.ntimeline * sizeof *a.timeline), 0);
    CU_ASSERT_EQUAL(memcmp(a.policies, b.policies, (size_t)a.npolicies * sizeof *a.policies), 0);
    gsl_rng *r1 = gsl_rng_alloc(gsl_rng_taus2), *r2 = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r1, 99);
    gsl_rng_set(r2, 99);
    for (int i = 0; i < 1000; i++) {
        CU_ASSERT_EQUAL(sim_dist_sample(&a.providers[0].ttft, r1), sim_dist_sample(&b.providers[0].ttft, r2));
        CU_ASSERT_EQUAL(sim_dist_sample(&a.workload.think, r1), sim_dist_sample(&b.workload.think, r2));
    }
    gsl_rng_free(r1);
    gsl_rng_free(r2);
    sim_scenario_free(&a);
    sim_scenario_free(&b);
}

static void test_metric_names(void)
{
    CU_ASSERT_STRING_EQUAL(sim_metric_name(SIM_M_AMPLIFICATION), "amplification");
    CU_ASSERT_EQUAL(sim_metric_lookup("peak_load_ratio"), SIM_M_PEAK_LOAD_RATIO);
    CU_ASSERT_EQUAL(sim_metric_lookup("calls_per_request"), SIM_M_CALLS_PER_REQ);
    CU_ASSERT_EQUAL(sim_metric_lookup("nope"), -1);
    for (int i = 0; i < SIM_M__COUNT; i++) CU_ASSERT_EQUAL(sim_metric_lookup(sim_metric_name((sim_metric_id)i)), i);
}

/* others: the class of every unlisted outcome; retry_after_budget */
static void test_retry_others_budget(void)
{
    sim_scenario s;
    if (load_text(BASE "    retry: { others: fallback, retry_on: [429, timeout], fail_on: [501],\n"
                       "             retry_after: ceiling-give-up, retry_after_ceiling: 60s, retry_after_budget: 60s }\n"
                       "  - name: q\n    retry: { others: fail }\n", NULL, 0, &s)) { CU_FAIL("load"); return; }
    const pol_classify_cfg *c = &s.policies[0].retry.classify;
    CU_ASSERT_EQUAL(c->by_status[429 - POL_STATUS_MIN], POL_CLASS_RETRY);
    CU_ASSERT_EQUAL(c->by_status[400 - POL_STATUS_MIN], POL_CLASS_FALLBACK);
    CU_ASSERT_EQUAL(c->by_status[503 - POL_STATUS_MIN], POL_CLASS_FALLBACK);
    CU_ASSERT_EQUAL(c->by_status[501 - POL_STATUS_MIN], POL_CLASS_FAIL);
    CU_ASSERT_EQUAL(c->by_status[200 - POL_STATUS_MIN], POL_CLASS_SUCCESS);
    CU_ASSERT_EQUAL(c->by_kind[POL_OUT_TIMEOUT], POL_CLASS_RETRY);
    CU_ASSERT_EQUAL(c->by_kind[POL_OUT_CONN_RESET], POL_CLASS_FALLBACK);
    CU_ASSERT_EQUAL(c->by_kind[POL_OUT_CONTEXT_WINDOW], POL_CLASS_FALLBACK);
    CU_ASSERT_EQUAL(s.policies[0].retry.hint.budget, S(60));
    c = &s.policies[1].retry.classify;
    CU_ASSERT_EQUAL(c->by_status[429 - POL_STATUS_MIN], POL_CLASS_FAIL);
    CU_ASSERT_EQUAL(c->by_kind[POL_OUT_CONTENT_POLICY], POL_CLASS_FAIL);
    sim_scenario_free(&s);
    expect_error(BASE "    retry: { others: maybe }\n", 8, 22, "'others'");
}

/* retry_after_zero / _invalid / _parse: pol_hint_cfg's flags, also per kind */
static void test_hint_keys(void)
{
    sim_scenario s;
    const char *text = BASE
        "    retry:\n"
        "      retry_after_zero: absent\n"
        "      retry_after_invalid: now\n"
        "      retry_after_parse: parse-float\n"
        "      on: [ { match: 429, retry_after_zero: hint } ]\n"
        "  - name: node\n"
        "    preset: openai-node\n"
        "    retry: { retry_after_parse: strict }\n";
    CU_ASSERT_EQUAL_FATAL(load_text(text, NULL, 0, &s), 0);
    const pol_retry_cfg *c = &s.policies[0].retry;
    CU_ASSERT_EQUAL(c->hint.ignore_zero, 1);
    CU_ASSERT_EQUAL(c->hint.invalid_now, 1);
    CU_ASSERT_EQUAL(c->hint.parse_float, 1);
    CU_ASSERT_EQUAL(c->rules[0].set, POL_RULE_HINT);
    CU_ASSERT_EQUAL(c->rules[0].hint.ignore_zero, 0);
    CU_ASSERT_EQUAL(c->rules[0].hint.invalid_now, 1);              /* the policy's */
    c = &s.policies[1].retry;                                       /* the preset's, one key changed */
    CU_ASSERT_EQUAL(c->hint.invalid_now, 1);
    CU_ASSERT_EQUAL(c->hint.parse_float, 0);
    sim_scenario_free(&s);
    expect_error(BASE "    retry: { retry_after_zero: nope }\n", 8, 32, "expected one of hint, absent for 'retry_after_zero'");
    expect_error(BASE "    retry: { retry_after_parse: float }\n", 8, 33, "expected one of strict, parse-float");
}

static void register_suites(void)
{
    CU_SUITE("scenario",
             { "good fixture", test_good_file },
             { "defaults", test_defaults },
             { "open loop and trace", test_open_and_trace },
             { "errors: keys", test_err_keys },
             { "errors: types", test_err_types },
             { "retry: others, retry_after_budget", test_retry_others_budget },
             { "retry: retry_after_zero, _invalid, _parse", test_hint_keys },
             { "errors: yaml", test_err_yaml },
             { "errors: timeline", test_err_timeline },
             { "errors: csv", test_err_csv },
             { "errors: expect", test_err_expect },
             { "slo, scope: class, hedge pick, expect class", test_issue13_keys },
             { "overrides", test_overrides },
             { "override errors", test_override_errors },
             { "per-kind rules and nested layers", test_rules_and_layers });
    CU_SUITE("cfg",
             { "suggest and flow collections", test_cfg_suggest_and_flow },
             { "csv positions", test_csv_positions });
    CU_SUITE("dist",
             { "sample means", test_dist_means },
             { "parse", test_dist_parse },
             { "empirical", test_dist_empirical },
             { "determinism", test_determinism },
             { "metric names", test_metric_names });
}

CU_TEST_MAIN(register_suites)
