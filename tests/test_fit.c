/* test_fit.c — CUnit tests of `retrysim fit` (bench/fit.c) on synthetic
 * request logs generated with GSL from known parameters: the estimates
 * must lie within 3 of their own standard errors of the truth (|z| < 3;
 * each z is printed), the right candidate must win, and the advice must
 * follow the process (one Poisson rate, a rate per window, or a replay
 * for a bursty log). The fragment must load as part of a scenario. */
#include "cu_util.h"
#include "fit.h"
#include "scenario.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort_double.h>

static char g_dir[256];

static void remove_dir(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", g_dir);
}

static const char *path_of(const char *name)
{
    static char p[400];
    if (!g_dir[0]) {
        snprintf(g_dir, sizeof g_dir, "/tmp/retrysim-test-fit-XXXXXX");
        if (!mkdtemp(g_dir)) { perror("mkdtemp"); exit(1); }
        atexit(remove_dir);
    }
    snprintf(p, sizeof p, "%s/%s", g_dir, name);
    return p;
}

/* Asserts |est - truth| < 3 se and prints z. */
#define NEAR(what, est, se, truth) do { \
        double z_ = ((est) - (truth)) / (se); \
        fprintf(stderr, "    %-22s %12.6g  truth %10.6g  SE %9.3g  z %+.2f\n", what, (double)(est), (double)(truth), (double)(se), z_); \
        CU_ASSERT(fabs(z_) < 3); } while (0)

/* The synthetic log: Poisson arrivals (rate per segment), lognormal
 * prompts, gamma outputs, latency = (ttft + out x per_token) x
 * lognormal(0, noise) in ms, 429 with p429, else 503 with p5xx. */
typedef struct {
    double rate[4]; double seg;     /* rates of consecutive segments of seg seconds (0 ends) */
    double burst;                   /* > 0: each arrival is a batch of this mean size (geometric) */
    double median, sigma;           /* prompt lognormal */
    double shape, scale;            /* output gamma */
    double ttft, per_token, noise;  /* s, s, sigma */
    double p429, p5xx;
} synth;

static size_t write_log(const char *name, const synth *sy, unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    FILE *f = fopen(path_of(name), "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "created_at,model,input_tokens,completion_tokens,latency_ms,status_code\n");
    size_t n = 0;
    double t = 0;
    for (int s = 0; s < 4 && sy->rate[s] > 0; s++) {
        double end = (s + 1) * sy->seg;
        for (;;) {
            t += gsl_ran_exponential(r, 1 / sy->rate[s]);
            if (t >= end) { t = end; break; }
            unsigned k = sy->burst > 0 ? gsl_ran_geometric(r, 1 / sy->burst) : 1;
            for (unsigned j = 0; j < k; j++) {
                double p = round(gsl_ran_lognormal(r, log(sy->median), sy->sigma));
                double o = round(gsl_ran_gamma(r, sy->shape, sy->scale));
                if (o < 1) o = 1;
                double lat = (sy->ttft + o * sy->per_token) * gsl_ran_lognormal(r, 0, sy->noise);
                int st = gsl_rng_uniform(r) < sy->p429 ? 429 : gsl_rng_uniform(r) < sy->p5xx ? 503 : 200;
                /* absolute times, microseconds, as a real log */
                double sec = 46 + t;
                int mm = 15 + (int)(sec / 60), ss = (int)fmod(sec, 60);
                long us = lround((sec - floor(sec)) * 1e6);
                if (us == 1000000) us = 999999;
                fprintf(f, "2023-11-16T%02d:%02d:%02d.%06ldZ,%s,%.0f,%.0f,%.3f,%d\n", 18 + mm / 60, mm % 60, ss, us,
                        n % 3 ? "gpt-4o" : "gpt-4o-mini", p, o, lat * 1000, st);
                n++;
            }
        }
    }
    fclose(f);
    gsl_rng_free(r);
    return n;
}

static void test_recovery(void)
{
    synth sy = { .rate = { 20 }, .seg = 600, .median = 800, .sigma = 0.6, .shape = 2, .scale = 150,
                 .ttft = 0.4, .per_token = 0.02, .noise = 0.25, .p429 = 0.03, .p5xx = 0.02 };
    size_t n = write_log("poisson.csv", &sy, 11);
    bench_fit_opts o = { .path = path_of("poisson.csv") };
    bench_fit_result r;
    sim_err err;
    int rc = bench_fit_analyze(&o, &r, &err);
    if (rc) fprintf(stderr, "\n  %s\n", err.msg);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    fprintf(stderr, "\n  synthetic log: %zu requests\n", n);
    CU_ASSERT_EQUAL(r.n, n);
    CU_ASSERT_STRING_EQUAL(r.header[SIM_COL_AT], "created_at");
    CU_ASSERT_STRING_EQUAL(r.header[SIM_COL_LATENCY], "latency_ms");
    NEAR("rate", r.rate, r.rate_se, sy.rate[0]);
    CU_ASSERT_FALSE(r.vary);
    CU_ASSERT_FALSE(r.bursty);
    CU_ASSERT_FALSE(r.replay);
    /* prompt: lognormal wins, its median and sigma */
    CU_ASSERT_EQUAL(r.prompt.best, BENCH_FIT_LOGNORMAL);
    CU_ASSERT_FALSE(r.prompt.empirical);
    CU_ASSERT(r.prompt.c[BENCH_FIT_LOGNORMAL].ks < 0.02);
    NEAR("prompt median", r.prompt.c[BENCH_FIT_LOGNORMAL].a, r.prompt.c[BENCH_FIT_LOGNORMAL].se_a, sy.median);
    NEAR("prompt sigma", r.prompt.c[BENCH_FIT_LOGNORMAL].b, r.prompt.c[BENCH_FIT_LOGNORMAL].se_b, sy.sigma);
    /* output: gamma wins, its shape and scale */
    CU_ASSERT_EQUAL(r.output.best, BENCH_FIT_GAMMA);
    CU_ASSERT(r.output.c[BENCH_FIT_GAMMA].ks < 0.02);
    NEAR("output shape", r.output.c[BENCH_FIT_GAMMA].a, r.output.c[BENCH_FIT_GAMMA].se_a, sy.shape);
    NEAR("output scale", r.output.c[BENCH_FIT_GAMMA].b, r.output.c[BENCH_FIT_GAMMA].se_b, sy.scale);
    /* independent draws */
    CU_ASSERT(fabs(r.spearman) < 3 / sqrt((double)n));
    CU_ASSERT_FALSE(r.correlated);
    /* the provider: from the successful requests */
    NEAR("ttft", r.ttft, r.ttft_se, sy.ttft);
    NEAR("per_token", r.per_token, r.per_token_se, sy.per_token);
    NEAR("noise", r.noise, r.noise_se, sy.noise);
    double d = (double)r.nstatus, p429 = (double)r.n429 / d;
    NEAR("429 share", p429, sqrt(p429 * (1 - p429) / d), sy.p429);
    NEAR("error_rate", r.error_rate, r.error_rate_se, sy.p5xx);
    CU_ASSERT_EQUAL(r.top5xx, 503);
    CU_ASSERT(r.peak_admitted_rpm > 0);
    CU_ASSERT_EQUAL(r.nmodels, 2);

    /* the fragment runs as part of a scenario */
    sim_buf b = { 0 };
    bench_fit_emit(&o, &r, &b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b.s);
    CU_ASSERT_PTR_NOT_NULL(strstr(b.s, "  loop: open\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.s, "  prompt_tokens: lognormal("));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.s, "  output_tokens: gamma("));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.s, "    error_status: 503\n"));
    CU_ASSERT_PTR_NULL(strstr(b.s, "\ntimeline:"));
    sim_buf text = { 0 };
    sim_buf_printf(&text, "scenario: fitted\npolicies: [{preset: openai-python}]\n%s", b.s);
    sim_scenario s;
    rc = sim_scenario_load_mem(text.s, text.n, path_of("fitted.yaml"), NULL, 0, &s, &err);
    if (rc) fprintf(stderr, "\n  %s\n%s", err.msg, text.s);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL(s.workload.loop, SIM_LOOP_OPEN);
    CU_ASSERT_EQUAL(s.workload.classes[0].prompt_tokens.kind, SIM_DIST_LOGNORMAL);
    CU_ASSERT_EQUAL(s.workload.classes[0].output_tokens.kind, SIM_DIST_GAMMA);
    CU_ASSERT_DOUBLE_EQUAL(s.workload.rate, r.rate, 0.01 * r.rate);
    CU_ASSERT_DOUBLE_EQUAL(s.providers[0].base.error_rate, r.error_rate, 1e-3);
    sim_scenario_free(&s);
    sim_buf_free(&text);
    sim_buf_free(&b);
    bench_fit_free(&r);
}

static void test_rate_windows(void)
{
    /* 10/s for 5 minutes, then 30/s: a timeline of rates, Poisson within */
    synth sy = { .rate = { 10, 30 }, .seg = 300, .median = 100, .sigma = 0.3, .shape = 3, .scale = 10,
                 .ttft = 0.1, .per_token = 0.01, .noise = 0.1 };
    write_log("steps.csv", &sy, 12);
    bench_fit_opts o = { .path = path_of("steps.csv") };
    bench_fit_result r;
    sim_err err;
    CU_ASSERT_EQUAL_FATAL(bench_fit_analyze(&o, &r, &err), 0);
    CU_ASSERT_TRUE(r.vary);
    CU_ASSERT_FALSE(r.bursty);
    CU_ASSERT_FALSE(r.replay);
    CU_ASSERT(r.nwin >= 9);
    fprintf(stderr, "\n");
    NEAR("window 2 rate", r.win_rate[2], sqrt(r.win_rate[2] * 60) / 60, 10);
    NEAR("window 7 rate", r.win_rate[7], sqrt(r.win_rate[7] * 60) / 60, 30);
    CU_ASSERT(r.idc_win > 10);
    CU_ASSERT(r.idc_in < 1.25);
    sim_buf b = { 0 };
    bench_fit_emit(&o, &r, &b);
    CU_ASSERT_PTR_NOT_NULL(b.s && strstr(b.s, "\ntimeline:"));
    CU_ASSERT_PTR_NOT_NULL(b.s && strstr(b.s, "  - { at: 5m, set: { rate: "));
    sim_buf_free(&b);
    bench_fit_free(&r);
    /* --from/--for: the second half only, one rate */
    o.from = 330 * (pol_ns)1000000000;
    o.span = 240 * (pol_ns)1000000000;
    CU_ASSERT_EQUAL_FATAL(bench_fit_analyze(&o, &r, &err), 0);
    CU_ASSERT_FALSE(r.vary);
    NEAR("rate of the part read", r.rate, r.rate_se, 30);
    bench_fit_free(&r);
}

static void test_bursty(void)
{
    /* batches of 5 on average: Poisson per window fails, the advice is the replay */
    synth sy = { .rate = { 4 }, .seg = 600, .burst = 5, .median = 100, .sigma = 0.3, .shape = 3, .scale = 10,
                 .ttft = 0.1, .per_token = 0.01, .noise = 0.1 };
    write_log("bursty.csv", &sy, 13);
    bench_fit_opts o = { .path = path_of("bursty.csv") };
    bench_fit_result r;
    sim_err err;
    CU_ASSERT_EQUAL_FATAL(bench_fit_analyze(&o, &r, &err), 0);
    CU_ASSERT_TRUE(r.bursty);
    CU_ASSERT_TRUE(r.replay);
    CU_ASSERT(r.idc_in > 3);
    sim_buf b = { 0 };
    bench_fit_emit(&o, &r, &b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b.s);
    CU_ASSERT_PTR_NOT_NULL(strstr(b.s, "  loop: trace\n"));
    sim_buf text = { 0 };
    sim_buf_printf(&text, "scenario: fitted\npolicies: [{preset: openai-python}]\n%s", b.s);
    sim_scenario s;
    int rc = sim_scenario_load_mem(text.s, text.n, path_of("fitted.yaml"), NULL, 0, &s, &err);
    if (rc) fprintf(stderr, "\n  %s\n", err.msg);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL(s.workload.loop, SIM_LOOP_TRACE);
    CU_ASSERT_EQUAL(s.workload.n_arrivals, r.n);
    CU_ASSERT_PTR_NOT_NULL(s.workload.arrival_prompt);   /* input_tokens: an alias */
    sim_scenario_free(&s);
    sim_buf_free(&text);
    sim_buf_free(&b);
    bench_fit_free(&r);
}

static void test_candidates(void)
{
    /* each candidate recovers its own parameters from 20000 draws */
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 5);
    enum { N = 20000 };
    double *x = malloc(N * sizeof *x);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    bench_fit_cand c;
    fprintf(stderr, "\n");
    for (int i = 0; i < N; i++) x[i] = gsl_ran_pareto(g, 2.5, 30);
    gsl_sort(x, 1, N);
    bench_fit_candidate(BENCH_FIT_PARETO, x, N, 0, &c);
    CU_ASSERT_TRUE(c.ok);
    NEAR("pareto alpha", c.a, c.se_a, 2.5);
    CU_ASSERT(c.ks < 0.015);
    for (int i = 0; i < N; i++) x[i] = gsl_ran_exponential(g, 7);
    gsl_sort(x, 1, N);
    bench_fit_candidate(BENCH_FIT_EXPONENTIAL, x, N, 0, &c);
    NEAR("exponential mean", c.a, c.se_a, 7);
    for (int i = 0; i < N; i++) x[i] = gsl_ran_gamma(g, 0.7, 4);
    gsl_sort(x, 1, N);
    bench_fit_candidate(BENCH_FIT_GAMMA, x, N, 0, &c);
    NEAR("gamma shape < 1", c.a, c.se_a, 0.7);
    NEAR("gamma scale", c.b, c.se_b, 4);
    /* the KS p-value of the right model is not small; of a wrong one it is */
    CU_ASSERT(c.ks_p > 0.01);
    bench_fit_candidate(BENCH_FIT_EXPONENTIAL, x, N, 0, &c);
    CU_ASSERT(c.ks_p < 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(bench_fit_ks_p(0, 100), 1, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(bench_fit_ks_p(1.36 / (sqrt(1000.0) + 0.12 + 0.11 / sqrt(1000.0)), 1000), 0.05, 0.002);
    free(x);
    gsl_rng_free(g);
}

static void test_ttft_column(void)
{
    /* a TTFT column: ttft is its lognormal fit, per_token the slope of the decode time */
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 21);
    FILE *f = fopen(path_of("ttft.csv"), "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "t,output_tokens,ttft,latency\n");
    double t = 0;
    for (int i = 0; i < 5000; i++) {
        t += gsl_ran_exponential(g, 0.1);
        double o = 1 + round(gsl_ran_exponential(g, 200)), ttft = gsl_ran_lognormal(g, log(0.3), 0.2);
        fprintf(f, "%.6f,%.0f,%.6f,%.6f\n", t, o, ttft, ttft + o * 0.012 * gsl_ran_lognormal(g, 0, 0.15));
    }
    fclose(f);
    gsl_rng_free(g);
    bench_fit_opts o = { .path = path_of("ttft.csv") };
    bench_fit_result r;
    sim_err err;
    CU_ASSERT_EQUAL_FATAL(bench_fit_analyze(&o, &r, &err), 0);
    const bench_fit_cand *c = &r.ttft_d.c[BENCH_FIT_LOGNORMAL];
    fprintf(stderr, "\n");
    NEAR("ttft median", c->a, c->se_a, 0.3);
    NEAR("ttft sigma", c->b, c->se_b, 0.2);
    NEAR("per_token (decode)", r.per_token, r.per_token_se, 0.012);
    NEAR("noise (decode)", r.noise, r.noise_se, 0.15);
    sim_buf b = { 0 };
    bench_fit_emit(&o, &r, &b);
    CU_ASSERT_PTR_NOT_NULL(b.s && strstr(b.s, "    latency: { ttft: lognormal("));
    sim_buf_free(&b);
    bench_fit_free(&r);
}

static void test_errors(void)
{
    bench_fit_opts o = { .path = path_of("bad.csv") };
    bench_fit_result r;
    sim_err err;
    FILE *f = fopen(o.path, "w");
    fputs("when,tokens\n1,2\n", f);
    fclose(f);
    CU_ASSERT(bench_fit_analyze(&o, &r, &err) < 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "bad.csv:1:1: the header names no time column"));
    o.mapped[SIM_COL_AT] = "when";
    CU_ASSERT(bench_fit_analyze(&o, &r, &err) < 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "fewer than two requests"));
    f = fopen(o.path, "w");
    fputs("when,latency_ms,status\n0,12,200\n1,x,200\n", f);
    fclose(f);
    CU_ASSERT(bench_fit_analyze(&o, &r, &err) < 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "bad.csv:3:3: expected a duration like 1.2s or 1.2 (seconds) for 'latency', got 'x'"));
    o.mapped[SIM_COL_AT] = "nope";
    CU_ASSERT(bench_fit_analyze(&o, &r, &err) < 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "column 'nope' (--column at=...) is not in the header"));
    /* the first and last years a time can name are more int64 ns apart than
     * an int64 holds: the span is measured, not overflowed (the CI fuzzer's
     * csv crash, bench/fit.c:610) */
    o.mapped[SIM_COL_AT] = NULL;
    f = fopen(o.path, "w");
    fputs("time,prompt_tokens\n1678-01-01 00:00:00,10\n2261-12-31 00:00:00,20\n2261-12-31 00:00:01,20\n", f);
    fclose(f);
    CU_ASSERT(bench_fit_analyze(&o, &r, &err) < 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "the part read spans 1.84291e+10 s (run time), 3.07152e+08 windows"));
}

static void register_suites(void)
{
    CU_SUITE("fit",
             { "recovery of known parameters", test_recovery },
             { "a rate per window", test_rate_windows },
             { "a bursty log: replay", test_bursty },
             { "each candidate's MLE", test_candidates },
             { "a TTFT column", test_ttft_column },
             { "bad logs", test_errors });
}

CU_TEST_MAIN(register_suites)
