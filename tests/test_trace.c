/* test_trace.c — CUnit tests of arrival traces with per-request fields:
 * the columns and timestamps of trace.c, the arrivals_csv loader
 * (scenario.c: header matching, mappings, windows, speed, loop, every
 * per-row cell and its located errors) and their replay by the model
 * (world.c: a row's tokens and deadline override the class's, a looped
 * trace repeats). Each case writes small files to a scratch directory. */
#include "cu_util.h"
#include "cfg.h"
#include "scenario.h"
#include "trace.h"
#include "model.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S(x)  ((pol_ns)llround((x) * 1e9))
#define MS(x) ((pol_ns)llround((x) * 1e6))

#define CU_SCRATCH_TAG "trace"
#include "cu_scratch.h"


#define HEAD "scenario: tr\nduration: 1m\nproviders: [{name: a}]\npolicies: [{name: p}]\n"

static int load(const char *text, sim_scenario *s)
{
    sim_err err;
    int rc = sim_scenario_load(write_file("s.yaml", text), NULL, 0, s, &err);
    if (rc) fprintf(stderr, "\n  unexpected error: %s\n", err.msg);
    return rc;
}

/* Expects the load to fail with a message starting "<file>:line:col: "
 * (file: a name in the scratch directory) and holding frag. */
static void expect_err(const char *text, const char *file, int line, int col, const char *frag)
{
    sim_scenario s;
    sim_err err;
    int rc = sim_scenario_load(write_file("s.yaml", text), NULL, 0, &s, &err);
    CU_ASSERT(rc < 0);
    if (rc >= 0) { sim_scenario_free(&s); fprintf(stderr, "\n  loaded, wanted '%s'\n", frag); return; }
    char prefix[512];
    snprintf(prefix, sizeof prefix, "%s/%s:%d:%d: ", scratch(), file, line, col);
    int ok = !strncmp(err.msg, prefix, strlen(prefix)) && strstr(err.msg, frag) && !strchr(err.msg, '\n');
    if (!ok) fprintf(stderr, "\n  got:  %s\n  want: %s...%s\n", err.msg, prefix, frag);
    CU_ASSERT(ok);
}

/* ---- trace.c --------------------------------------------------------------- */

static void test_times(void)
{
    int64_t a, b;
    sim_time_kind k;
    CU_ASSERT_EQUAL(sim_trace_time("2023-11-16 18:15:46.6805900", 1000000000, &a, &k), POL_OK);
    CU_ASSERT_EQUAL(k, SIM_TIME_ABSOLUTE);
    CU_ASSERT_EQUAL(sim_trace_time("2023-11-16 18:15:50.9951690", 1000000000, &b, &k), POL_OK);
    CU_ASSERT_EQUAL(b - a, 4314579000LL);                 /* 7 fractional digits, exactly */
    CU_ASSERT_EQUAL(sim_trace_time("1970-01-01T00:00:00Z", 1000000000, &a, &k), POL_OK);
    CU_ASSERT_EQUAL(a, 0);
    CU_ASSERT_EQUAL(sim_trace_time("2000-03-01 00:00:00", 1000000000, &a, &k), POL_OK);
    CU_ASSERT_EQUAL(a, 951868800LL * 1000000000);
    CU_ASSERT_EQUAL(sim_trace_time("2023-11-16T19:15:46+01:00", 1000000000, &a, &k), POL_OK);
    CU_ASSERT_EQUAL(sim_trace_time("2023-11-16T18:15:46Z", 1000000000, &b, &k), POL_OK);
    CU_ASSERT_EQUAL(a, b);
    CU_ASSERT_EQUAL(sim_trace_time("2023-11-16T18:15:46.123456789123-0130", 1000000000, &a, &k), POL_OK);
    CU_ASSERT_EQUAL(a - b, 5400LL * 1000000000 + 123456789);   /* digits after the 9th dropped */
    CU_ASSERT_EQUAL(sim_trace_time("2023-11-16 18:15", 1000000000, &a, &k), POL_OK);
    CU_ASSERT_EQUAL(sim_trace_time("2024-02-29 00:00:00", 1000000000, &a, &k), POL_OK);
    CU_ASSERT_EQUAL(sim_trace_time("2023-02-29 00:00:00", 1000000000, &a, &k), POL_ERANGE);
    CU_ASSERT_EQUAL(sim_trace_time("2023-13-01 00:00:00", 1000000000, &a, &k), POL_ERANGE);
    CU_ASSERT_EQUAL(sim_trace_time("2023-11-16 25:00:00", 1000000000, &a, &k), POL_ERANGE);
    CU_ASSERT_EQUAL(sim_trace_time("2023-11-16", 1000000000, &a, &k), POL_EPARSE);
    CU_ASSERT_EQUAL(sim_trace_time("2023-11-16 18:15:46 junk", 1000000000, &a, &k), POL_EPARSE);
    CU_ASSERT_EQUAL(sim_trace_time("1.5s", 1000000000, &a, &k), POL_OK);
    CU_ASSERT_EQUAL(k, SIM_TIME_RELATIVE);
    CU_ASSERT_EQUAL(a, S(1.5));
    CU_ASSERT_EQUAL(sim_trace_time("1.5", 1000000000, &a, &k), POL_OK);
    CU_ASSERT_EQUAL(a, S(1.5));
    CU_ASSERT_EQUAL(sim_trace_time("1500", 1000000, &a, &k), POL_OK);   /* a column in ms */
    CU_ASSERT_EQUAL(a, S(1.5));
    CU_ASSERT_EQUAL(sim_trace_time("1700000000.25", 1000000000, &a, &k), POL_OK);   /* epoch seconds */
    CU_ASSERT(llabs(a - (1700000000LL * 1000000000 + 250000000)) < 1000);   /* a double's precision */
    CU_ASSERT_EQUAL(sim_trace_time("-1", 1000000000, &a, &k), POL_ERANGE);
    CU_ASSERT_EQUAL(sim_trace_time("soon", 1000000000, &a, &k), POL_EPARSE);
    pol_ns d;
    CU_ASSERT_EQUAL(sim_trace_duration("250", 1000000, &d), POL_OK);
    CU_ASSERT_EQUAL(d, MS(250));
    CU_ASSERT_EQUAL(sim_trace_duration("30s", 1000000, &d), POL_OK);   /* a unit wins over the column's */
    CU_ASSERT_EQUAL(d, S(30));
}

static void test_columns(void)
{
    CU_ASSERT_TRUE(sim_col_matches(SIM_COL_AT, NULL, "TIMESTAMP"));
    CU_ASSERT_TRUE(sim_col_matches(SIM_COL_PROMPT, NULL, "ContextTokens"));
    CU_ASSERT_TRUE(sim_col_matches(SIM_COL_OUTPUT, NULL, "GeneratedTokens"));
    CU_ASSERT_TRUE(sim_col_matches(SIM_COL_OUTPUT, NULL, "completion-tokens"));
    CU_ASSERT_TRUE(sim_col_matches(SIM_COL_LATENCY, NULL, "latency_ms"));
    CU_ASSERT_TRUE(sim_col_matches(SIM_COL_LATENCY, NULL, "Latency (s)"));
    CU_ASSERT_FALSE(sim_col_matches(SIM_COL_PROMPT, NULL, "prompt_tokens_ms"));  /* units only for times */
    CU_ASSERT_TRUE(sim_col_matches(SIM_COL_AT, "When", "when"));
    CU_ASSERT_FALSE(sim_col_matches(SIM_COL_AT, "When", "at"));       /* a mapping replaces the names */
    CU_ASSERT_EQUAL(sim_col_unit("latency_ms"), 1000000);
    CU_ASSERT_EQUAL(sim_col_unit("t (us)"), 1000);
    CU_ASSERT_EQUAL(sim_col_unit("ts"), 1000000000);
    CU_ASSERT_EQUAL(sim_col_unit("latency"), 1000000000);
    CU_ASSERT_EQUAL(sim_col_lookup("prompt_tokens"), SIM_COL_PROMPT);
    CU_ASSERT_EQUAL(sim_col_lookup("nope"), -1);
}

/* ---- the loader ------------------------------------------------------------ */

static void test_azure_header(void)
{
    /* the Azure LLM inference trace's own header, CRLF, 7 fractional digits */
    write_file("az.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\r\n"
                         "2023-11-16 18:15:46.6805900,374,44\r\n"
                         "2023-11-16 18:15:50.9951690,396,109\r\n"
                         "2023-11-16 18:15:51.2224670,879,55\r\n");
    sim_scenario s;
    CU_ASSERT_EQUAL_FATAL(load(HEAD "workload: { loop: trace, arrivals_csv: az.csv }\n", &s), 0);
    const sim_workload *wl = &s.workload;
    CU_ASSERT_EQUAL_FATAL(wl->n_arrivals, 3);
    CU_ASSERT_EQUAL(wl->arrivals[0], 0);
    CU_ASSERT_EQUAL(wl->arrivals[1], 4314579000LL);
    CU_ASSERT_EQUAL(wl->arrivals[2], 4541877000LL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(wl->arrival_prompt);
    CU_ASSERT_PTR_NOT_NULL_FATAL(wl->arrival_output);
    CU_ASSERT_EQUAL(wl->arrival_prompt[2], 879);
    CU_ASSERT_EQUAL(wl->arrival_output[1], 109);
    CU_ASSERT_PTR_NULL(wl->arrival_class);          /* absent columns cost nothing */
    CU_ASSERT_PTR_NULL(wl->arrival_deadline_ms);
    CU_ASSERT_PTR_NULL(wl->arrival_flags);
    CU_ASSERT_PTR_NULL(s.warnings);
    CU_ASSERT_FALSE(wl->arrivals_loop);
    CU_ASSERT_TRUE(wl->arrival_has_tokens);     /* the provider's capacity uses the trace's means */
    CU_ASSERT_DOUBLE_EQUAL(wl->arrival_prompt_mean, (374 + 396 + 879) / 3.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(wl->arrival_output_mean, (44 + 109 + 55) / 3.0, 1e-9);
    sim_scenario_free(&s);

    /* the same through a mapping of other names */
    write_file("m.csv", "When,In,Out,model\n0,10,1,gpt\n0.5s,20,2,gpt\n");
    CU_ASSERT_EQUAL_FATAL(load(HEAD "workload:\n  loop: trace\n  arrivals_csv:\n    file: m.csv\n"
                               "    columns: { at: When, prompt_tokens: in, output_tokens: OUT }\n", &s), 0);
    CU_ASSERT_EQUAL_FATAL(s.workload.n_arrivals, 2);
    CU_ASSERT_EQUAL(s.workload.arrivals[1], MS(500));
    CU_ASSERT_EQUAL(s.workload.arrival_prompt[1], 20);
    CU_ASSERT_EQUAL(s.workload.arrival_output[0], 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s.warnings);       /* the model column is not read: said once */
    CU_ASSERT_PTR_NOT_NULL(strstr(s.warnings, "m.csv:1:13: warning: column 'model' is not read"));
    sim_scenario_free(&s);

    /* in order, 584 years apart: the first is replayed, the last is past the run */
    write_file("years.csv", "at\n1678-01-01 00:00:00\n2261-12-31 00:00:00\n");
    CU_ASSERT_EQUAL_FATAL(load(HEAD "workload: { loop: trace, arrivals_csv: years.csv }\n", &s), 0);
    CU_ASSERT_EQUAL(s.workload.n_arrivals, 1);
    CU_ASSERT_EQUAL(s.workload.arrivals[0], 0);
    sim_scenario_free(&s);
}

static void test_cells(void)
{
    /* every per-request column; empty cells fall back to the class */
    write_file("all.csv", "at,class,prompt_tokens,output_tokens,deadline,stream\n"
                          "0,chat,100,10,30s,true\n"
                          "1,,,,,\n"
                          "2,batch,5.4,0,2.5,no\n");
    sim_scenario s;
    CU_ASSERT_EQUAL_FATAL(load(HEAD "workload:\n  loop: trace\n  arrivals_csv: all.csv\n"
                               "  classes: [{name: chat}, {name: batch}]\n", &s), 0);
    const sim_workload *wl = &s.workload;
    CU_ASSERT_EQUAL_FATAL(wl->n_arrivals, 3);
    CU_ASSERT_EQUAL(wl->arrival_class[0], 0);
    CU_ASSERT_EQUAL(wl->arrival_class[1], SIM_ARR_ANY_CLASS);
    CU_ASSERT_EQUAL(wl->arrival_class[2], 1);
    CU_ASSERT_EQUAL(wl->arrival_prompt[1], SIM_ARR_NO_TOKENS);
    CU_ASSERT_EQUAL(wl->arrival_prompt[2], 5);
    CU_ASSERT_EQUAL(wl->arrival_output[2], 0);
    CU_ASSERT_EQUAL(wl->arrival_deadline_ms[0], 30000);
    CU_ASSERT_EQUAL(wl->arrival_deadline_ms[1], 0);
    CU_ASSERT_EQUAL(wl->arrival_deadline_ms[2], 2500);
    CU_ASSERT_EQUAL(wl->arrival_deadline_max, S(30));
    CU_ASSERT_EQUAL(wl->arrival_flags[0], SIM_ARR_STREAM_SET | SIM_ARR_STREAM);
    CU_ASSERT_EQUAL(wl->arrival_flags[1], 0);
    CU_ASSERT_EQUAL(wl->arrival_flags[2], SIM_ARR_STREAM_SET);
    CU_ASSERT(!s.warnings || !strstr(s.warnings, "column 'stream'"));   /* streamed answers are simulated */
    /* empty cells count their class's mean (1000 and 300 by default); 0 output tokens count 1 */
    CU_ASSERT_DOUBLE_EQUAL(wl->arrival_prompt_mean, (100 + 1000 + 5) / 3.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(wl->arrival_output_mean, (10 + 300 + 1) / 3.0, 1e-9);
    sim_scenario_free(&s);
}

static void test_window_speed_loop(void)
{
    write_file("ten.csv", "at\n0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n");
    sim_scenario s;
    /* from 2s for 4s of the trace, twice as fast: rows 2..5 at 0, 0.5, 1, 1.5 */
    CU_ASSERT_EQUAL_FATAL(load(HEAD "workload: { loop: trace, arrivals_csv: { file: ten.csv, from: 2s, for: 4s, speed: 2 } }\n",
                               &s), 0);
    CU_ASSERT_EQUAL_FATAL(s.workload.n_arrivals, 4);
    CU_ASSERT_EQUAL(s.workload.arrivals[0], 0);
    CU_ASSERT_EQUAL(s.workload.arrivals[3], MS(1500));
    sim_scenario_free(&s);
    /* loop with a window: the period is for / speed */
    CU_ASSERT_EQUAL_FATAL(load(HEAD "workload: { loop: trace, arrivals_csv: { file: ten.csv, for: 4s, speed: 2, loop: true } }\n",
                               &s), 0);
    CU_ASSERT_TRUE(s.workload.arrivals_loop);
    CU_ASSERT_EQUAL(s.workload.arrivals_period, S(2));
    sim_scenario_free(&s);
    /* without one: the last arrival plus one mean gap */
    CU_ASSERT_EQUAL_FATAL(load(HEAD "workload: { loop: trace, arrivals_csv: { file: ten.csv, loop: true } }\n", &s), 0);
    CU_ASSERT_EQUAL(s.workload.arrivals_period, S(10));
    sim_scenario_free(&s);
    /* origin: first makes the first row t = 0 (epoch seconds) */
    write_file("epoch.csv", "ts\n1700000000\n1700000002.5\n");
    CU_ASSERT_EQUAL_FATAL(load(HEAD "workload: { loop: trace, arrivals_csv: { file: epoch.csv, origin: first } }\n", &s), 0);
    CU_ASSERT_EQUAL_FATAL(s.workload.n_arrivals, 2);
    CU_ASSERT_EQUAL(s.workload.arrivals[0], 0);
    CU_ASSERT_EQUAL(s.workload.arrivals[1], MS(2500));
    sim_scenario_free(&s);
    /* a column in milliseconds */
    write_file("ms.csv", "time_ms\n0\n250\n");
    CU_ASSERT_EQUAL_FATAL(load(HEAD "workload: { loop: trace, arrivals_csv: ms.csv }\n", &s), 0);
    CU_ASSERT_EQUAL(s.workload.arrivals[1], MS(250));
    sim_scenario_free(&s);
}

static void test_errors(void)
{
    write_file("m.csv", "When,In\n0,1\n");
    expect_err(HEAD "workload:\n  loop: trace\n  arrivals_csv: { file: m.csv, columns: { at: Whenn } }\n", "s.yaml", 7, 47,
               "column 'Whenn' (for 'at') is not in the header of");
    expect_err(HEAD "workload:\n  loop: trace\n  arrivals_csv: { file: m.csv, columns: { att: When } }\n", "s.yaml", 7, 43,
               "unknown key 'att' in arrivals_csv.columns; did you mean 'at'?");
    expect_err(HEAD "workload:\n  loop: trace\n  arrivals_csv: { file: m.csv, sped: 2 }\n", "s.yaml", 7, 32,
               "unknown key 'sped' in arrivals_csv; did you mean 'speed'?");
    expect_err(HEAD "workload:\n  loop: trace\n  arrivals_csv: { file: m.csv, speed: 0 }\n", "s.yaml", 7, 39, "speed must be > 0");
    write_file("typo.csv", "at,promt_tokens\n0,1\n");
    expect_err(HEAD "workload: { loop: trace, arrivals_csv: typo.csv }\n", "typo.csv", 1, 4,
               "unknown column 'promt_tokens'; did you mean 'prompt_tokens'?");
    write_file("two.csv", "time,timestamp\n0,0\n");
    expect_err(HEAD "workload: { loop: trace, arrivals_csv: two.csv }\n", "two.csv", 1, 6,
               "columns 'time' and 'timestamp' are both read as 'at'");
    write_file("noat.csv", "prompt_tokens\n5\n");
    expect_err(HEAD "workload: { loop: trace, arrivals_csv: noat.csv }\n", "noat.csv", 1, 1, "the header names no time column");
    write_file("tok.csv", "at,prompt_tokens\n0,1\n1,lots\n");
    expect_err(HEAD "workload: { loop: trace, arrivals_csv: tok.csv }\n", "tok.csv", 3, 3,
               "expected a token count (a number in 0..4000000000) for 'prompt_tokens', got 'lots'");
    write_file("neg.csv", "at,output_tokens\n0,-1\n");
    expect_err(HEAD "workload: { loop: trace, arrivals_csv: neg.csv }\n", "neg.csv", 2, 3, "for 'output_tokens', got '-1'");
    write_file("mix.csv", "at\n2023-11-16 18:15:46\n5s\n");
    expect_err(HEAD "workload: { loop: trace, arrivals_csv: mix.csv }\n", "mix.csv", 3, 1,
               "expected a date and time like the first row's, got '5s'");
    write_file("order.csv", "at\n2023-11-16 18:15:46\n2023-11-16 18:15:45\n");
    expect_err(HEAD "workload: { loop: trace, arrivals_csv: order.csv }\n", "order.csv", 3, 1,
               "arrivals must be sorted by time");
    /* the first and last years a time can name, out of order: more ns apart
     * than an int64 holds, said without overflow */
    write_file("years.csv", "at\n2261-12-31 00:00:00\n1678-01-01 00:00:00\n");
    expect_err(HEAD "workload: { loop: trace, arrivals_csv: years.csv }\n", "years.csv", 3, 1,
               "arrivals must be sorted by time: -9.22337e+09s comes after 0ns (line 2)");
    write_file("dl.csv", "at,deadline\n0,soon\n");
    expect_err(HEAD "workload: { loop: trace, arrivals_csv: dl.csv }\n", "dl.csv", 2, 3, "expected a deadline like 30s");
    write_file("st.csv", "at,stream\n0,maybe\n");
    expect_err(HEAD "workload: { loop: trace, arrivals_csv: st.csv }\n", "st.csv", 2, 3,
               "expected true or false for 'stream', got 'maybe'");
    write_file("cls.csv", "at,class\n0,chatt\n");
    expect_err(HEAD "workload: { loop: trace, arrivals_csv: cls.csv, classes: [{name: chat}] }\n", "cls.csv", 2, 3,
               "unknown class 'chatt'; did you mean 'chat'?");
    write_file("cells.csv", "at,prompt_tokens\n0,1,2\n");
    expect_err(HEAD "workload: { loop: trace, arrivals_csv: cells.csv }\n", "cells.csv", 2, 1, "expected 2 cells, got 3");
    write_file("bad.csv", "at\n2023-11-16 99:00:00\n");
    expect_err(HEAD "workload: { loop: trace, arrivals_csv: bad.csv }\n", "bad.csv", 2, 1,
               "expected a time like 1.5s, 1.5 (seconds) or 2023-11-16 18:15:46.68, got '2023-11-16 99:00:00'");
    write_file("one.csv", "at\n0\n");
    expect_err(HEAD "workload: { loop: trace, arrivals_csv: { file: one.csv, loop: true } }\n", "s.yaml", 5, 63,
               "loop: true needs a window ('for') or a trace that spans more than one instant");
    expect_err(HEAD "workload: { loop: trace, arrivals_csv: { file: one.csv, from: 5s } }\n", "s.yaml", 5, 40,
               "'one.csv' has no arrivals in the window from 5s");
    expect_err(HEAD "workload: { loop: trace, arrivals_csv: [one.csv] }\n", "s.yaml", 5, 40,
               "expected a file name or a map { file, columns, from, for, speed, loop, origin }");
}

static void test_empirical_column(void)
{
    /* empirical(log.csv, column): one column of a request log, empty cells skipped */
    write_file("log.csv", "TIMESTAMP,ContextTokens,latency_ms\n2023-11-16 18:15:46,100,250\n2023-11-16 18:15:47,,\n"
                          "2023-11-16 18:15:48,300,1.5s\n");
    sim_dist d;
    sim_err err;
    CU_ASSERT_EQUAL_FATAL(sim_dist_parse("empirical(log.csv, contexttokens)", 0, scratch(), &d, &err), 0);
    CU_ASSERT_EQUAL(d.n, 2);
    CU_ASSERT_DOUBLE_EQUAL(sim_dist_mean(&d), 200, 1e-12);
    char buf[256];
    CU_ASSERT_STRING_EQUAL(sim_dist_format(&d, 0, buf, sizeof buf), "empirical(log.csv, contexttokens)");
    sim_dist_free(&d);
    /* a duration column in ms (its name says so); a unit in a cell wins */
    CU_ASSERT_EQUAL_FATAL(sim_dist_parse("empirical('log.csv', 'latency_ms')", 1, scratch(), &d, &err), 0);
    CU_ASSERT_EQUAL(d.n, 2);
    CU_ASSERT_DOUBLE_EQUAL(d.samples[0], 2.5e8, 0);
    CU_ASSERT_DOUBLE_EQUAL(d.samples[1], 1.5e9, 0);
    sim_dist_free(&d);
    CU_ASSERT(sim_dist_parse("empirical(log.csv, GeneratedTokens)", 0, scratch(), &d, &err) < 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "log.csv:1:1: no column 'GeneratedTokens' in the header"));
}

/* ---- the replay ------------------------------------------------------------ */

static double run_metric(const sim_scenario *s, sim_metric_id m)
{
    sim_run_metrics out;
    sim_run_opts o = { .sc = s, .policy = 0, .replication = 0 };
    int rc = sim_run_world(&o, &out, NULL);
    CU_ASSERT_EQUAL(rc, 0);
    return rc ? NAN : out.m[m];
}

static void test_replay_tokens(void)
{
    /* price 1 USD per input token and 2 per output token: the cost is the tokens billed */
    write_file("tok.csv", "at,prompt_tokens,output_tokens\n0,100,10\n1,200,\n2,,30\n");
    const char *text = "scenario: tr\nduration: 1m\npolicies: [{name: p}]\n"
                       "providers: [{name: a, latency: { per_token: 1ms }, price: { input_per_mtok: 1e6, output_per_mtok: 2e6 } }]\n"
                       "workload: { loop: trace, arrivals_csv: tok.csv, prompt_tokens: 7, output_tokens: 5 }\n";
    sim_scenario s;
    CU_ASSERT_EQUAL_FATAL(load(text, &s), 0);
    CU_ASSERT_DOUBLE_EQUAL(run_metric(&s, SIM_M_COST), (100 + 200 + 7) + 2.0 * (10 + 5 + 30), 1e-9);
    /* the latency follows the row's output tokens: (10 + 5 + 30) ms / 3 */
    CU_ASSERT_DOUBLE_EQUAL(run_metric(&s, SIM_M_LAT_MEAN), 0.015, 1e-9);
    sim_scenario_free(&s);
}

static void test_replay_loop(void)
{
    write_file("ten.csv", "at\n0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n");
    sim_scenario s;
    /* rows 0..3 twice as fast, every 2 s for 10 s: 20 requests */
    CU_ASSERT_EQUAL_FATAL(load("scenario: tr\nduration: 10s\nproviders: [{name: a}]\npolicies: [{name: p}]\n"
                               "workload: { loop: trace, arrivals_csv: { file: ten.csv, for: 4s, speed: 2, loop: true } }\n",
                               &s), 0);
    CU_ASSERT_DOUBLE_EQUAL(run_metric(&s, SIM_M_REQUESTS), 20, 0);
    sim_scenario_free(&s);
    /* without loop: the 10 rows once */
    CU_ASSERT_EQUAL_FATAL(load("scenario: tr\nduration: 30s\nproviders: [{name: a}]\npolicies: [{name: p}]\n"
                               "workload: { loop: trace, arrivals_csv: ten.csv }\n", &s), 0);
    CU_ASSERT_DOUBLE_EQUAL(run_metric(&s, SIM_M_REQUESTS), 10, 0);
    sim_scenario_free(&s);
}

static void test_replay_deadlines(void)
{
    /* every attempt fails; constant 1 s backoff: a deadline D allows the
     * attempts at 0, 1, ... that start a sleep ending before D */
    write_file("dl.csv", "at,deadline\n0,2.5s\n0,5.5\n0,\n");
    const char *fmt = "scenario: tr\nduration: 1m\nproviders: [{name: a, outage: 503}]\n"
                      "policies: [{name: p, retry: { max_attempts: 10, backoff: constant, base: 1s, jitter: none%s } }]\n"
                      "workload: { loop: trace, arrivals_csv: dl.csv%s }\n";
    char text[1024];
    sim_scenario s;
    /* the empty row: no deadline at all, 10 attempts; then 3 and 6 */
    snprintf(text, sizeof text, fmt, "", "");
    CU_ASSERT_EQUAL_FATAL(load(text, &s), 0);
    CU_ASSERT_DOUBLE_EQUAL(run_metric(&s, SIM_M_ATTEMPTS), 3 + 6 + 10, 0);
    CU_ASSERT_DOUBLE_EQUAL(run_metric(&s, SIM_M_GIVE_UPS), 3, 0);
    sim_scenario_free(&s);
    /* the empty row takes the class's deadline (1.5 s: 2 attempts) */
    snprintf(text, sizeof text, fmt, "", ", deadline: 1.5s");
    CU_ASSERT_EQUAL_FATAL(load(text, &s), 0);
    CU_ASSERT_DOUBLE_EQUAL(run_metric(&s, SIM_M_ATTEMPTS), 3 + 6 + 2, 0);
    sim_scenario_free(&s);
    /* ... or the policy's (4.5 s: 5 attempts), which the rows override too */
    snprintf(text, sizeof text, fmt, ", deadline: 4.5s", "");
    CU_ASSERT_EQUAL_FATAL(load(text, &s), 0);
    CU_ASSERT_DOUBLE_EQUAL(run_metric(&s, SIM_M_ATTEMPTS), 3 + 6 + 5, 0);
    sim_scenario_free(&s);
}

/* A row's stream flag decides whether its request streams, over the policy
 * (which does not stream here): every streamed one is cut (cut_rate 1) and
 * openai-python does not retry a cut after its first byte. */
static void test_replay_stream(void)
{
    write_file("st.csv", "at,stream\n0,true\n1,false\n2,true\n3,\n4,yes\n");
    sim_scenario s;
    CU_ASSERT_EQUAL_FATAL(load("scenario: tr\nduration: 1m\n"
                               "providers: [{name: a, latency: { ttft: 10ms, per_token: 1ms }, stream: { cut_rate: 1 }}]\n"
                               "policies: [{preset: openai-python}]\n"
                               "workload: { loop: trace, arrivals_csv: st.csv, output_tokens: 20 }\n", &s), 0);
    sim_run_metrics m;
    CU_ASSERT_EQUAL_FATAL(sim_run_world(&(sim_run_opts){ .sc = &s, .policy = 0 }, &m, NULL), 0);
    CU_ASSERT_EQUAL(m.m[SIM_M_REQUESTS], 5);
    CU_ASSERT_EQUAL(m.m[SIM_M_STREAMS_CUT], 3);      /* rows 0, 2, 4 */
    CU_ASSERT_EQUAL(m.m[SIM_M_SUCCESSES], 2);        /* rows 1 and 3: not streamed, not cut */
    CU_ASSERT_EQUAL(m.m[SIM_M_GIVE_UPS], 3);
    sim_scenario_free(&s);
}

static void register_suites(void)
{
    CU_SUITE("trace",
             { "times", test_times },
             { "columns", test_columns },
             { "azure header and mappings", test_azure_header },
             { "per-request cells", test_cells },
             { "window, speed, loop, origin", test_window_speed_loop },
             { "located errors", test_errors },
             { "empirical(log, column)", test_empirical_column },
             { "replay: tokens", test_replay_tokens },
             { "replay: loop", test_replay_loop },
             { "replay: deadlines", test_replay_deadlines },
             { "replay: the stream flag", test_replay_stream });
}

CU_TEST_MAIN(register_suites)
