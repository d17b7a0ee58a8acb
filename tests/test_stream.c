/* test_stream.c — streamed answers: the plan's arithmetic (known answers),
 * the client's end from it (TTFT, idle and total timeouts), and runs of the
 * client loop with streams: SDK-only retries vs an application restart vs
 * stream recovery, the TTFT timeout, billing, determinism, and the loader's
 * stream keys. Through model.h only, with scenarios as YAML text. */
#include "cu_util.h"
#include "model.h"
#include <math.h>
#include <string.h>

#define MS POL_NS_PER_MS

static sim_stream_plan plan(uint32_t n, pol_ns d, uint32_t chunk)
{
    sim_stream_plan p;
    memset(&p, 0, sizeof p);
    p.first_byte = 100 * MS;
    p.per_token = d;
    p.tokens = n;
    p.chunk = chunk;
    p.end = SIM_PLAN_COMPLETE;
    return p;
}

static void test_plan_times(void)
{
    sim_stream_plan p = plan(10, 20 * MS, 1);
    CU_ASSERT_EQUAL(sim_stream_token_at(&p, 1), 0);              /* the first byte carries token 1 */
    CU_ASSERT_EQUAL(sim_stream_token_at(&p, 10), 180 * MS);
    CU_ASSERT_EQUAL(sim_stream_end_at(&p), 200 * MS);            /* one per_token after the last: ttft + n d */
    CU_ASSERT_EQUAL(sim_stream_chunks(&p), 10);
    CU_ASSERT_EQUAL(sim_stream_billed(&p), 10);
    CU_ASSERT_EQUAL(sim_stream_tokens_by(&p, -1), 0);
    CU_ASSERT_EQUAL(sim_stream_tokens_by(&p, 0), 1);
    CU_ASSERT_EQUAL(sim_stream_tokens_by(&p, 39 * MS), 2);
    CU_ASSERT_EQUAL(sim_stream_tokens_by(&p, 40 * MS), 3);
    CU_ASSERT_EQUAL(sim_stream_tokens_by(&p, 10000 * MS), 10);
    /* chunks of 4: 4, 4, 2 tokens, each when its last token is generated */
    p = plan(10, 20 * MS, 4);
    CU_ASSERT_EQUAL(sim_stream_chunks(&p), 3);
    CU_ASSERT_EQUAL(sim_stream_chunk_at(&p, 1), 60 * MS);
    CU_ASSERT_EQUAL(sim_stream_chunk_at(&p, 3), 180 * MS);
    CU_ASSERT_EQUAL(sim_stream_chunk_tokens(&p, 3), 2);
    CU_ASSERT_EQUAL(sim_stream_tokens_by(&p, 59 * MS), 0);
    CU_ASSERT_EQUAL(sim_stream_tokens_by(&p, 60 * MS), 4);
    CU_ASSERT_EQUAL(sim_stream_tokens_by(&p, 180 * MS), 10);
    /* a stall of 1 s after token 3 */
    p = plan(10, 20 * MS, 1);
    p.stall_after = 3;
    p.stall = 1000 * MS;
    CU_ASSERT_EQUAL(sim_stream_token_at(&p, 3), 40 * MS);
    CU_ASSERT_EQUAL(sim_stream_token_at(&p, 4), 1060 * MS);
    CU_ASSERT_EQUAL(sim_stream_end_at(&p), 1200 * MS);
    CU_ASSERT_EQUAL(sim_stream_tokens_by(&p, 1059 * MS), 3);
    CU_ASSERT_EQUAL(sim_stream_tokens_by(&p, 1060 * MS), 4);
    /* a cut after 5 tokens in chunks of 2: the client has 2 whole chunks; 5 are billed */
    p = plan(10, 20 * MS, 2);
    p.end = SIM_PLAN_CUT;
    p.end_after = 5;
    CU_ASSERT_EQUAL(sim_stream_chunks(&p), 2);
    CU_ASSERT_EQUAL(sim_stream_end_at(&p), 100 * MS);            /* when token 6 would have come */
    CU_ASSERT_EQUAL(sim_stream_billed(&p), 5);
    CU_ASSERT_EQUAL(sim_stream_tokens_by(&p, 10000 * MS), 4);
    /* zero per-token time: everything at the first byte */
    p = plan(7, 0, 1);
    CU_ASSERT_EQUAL(sim_stream_tokens_by(&p, 0), 7);
    CU_ASSERT_EQUAL(sim_stream_end_at(&p), 0);
}

static void test_client_end(void)
{
    sim_stream_seen s;
    sim_stream_plan p = plan(10, 20 * MS, 1);
    sim_stream_client_end(&p, 0, POL_NS_MAX, &s);                  /* no timeouts: complete */
    CU_ASSERT_EQUAL(s.kind, POL_OUT_SUCCESS);
    CU_ASSERT_EQUAL(s.at, 200 * MS);
    CU_ASSERT_EQUAL(s.tokens, 10);
    sim_stream_client_end(&p, 20 * MS, POL_NS_MAX, &s);            /* a gap equal to the idle timeout: the timeout wins */
    CU_ASSERT_EQUAL(s.kind, POL_OUT_STREAM_TIMEOUT);
    CU_ASSERT_EQUAL(s.at, 20 * MS);
    CU_ASSERT_EQUAL(s.tokens, 1);
    sim_stream_client_end(&p, 21 * MS, POL_NS_MAX, &s);
    CU_ASSERT_EQUAL(s.kind, POL_OUT_SUCCESS);
    sim_stream_client_end(&p, 0, 100 * MS, &s);                    /* the bound mid-stream: 5 tokens by then */
    CU_ASSERT_EQUAL(s.kind, POL_OUT_TIMEOUT);
    CU_ASSERT_EQUAL(s.at, 100 * MS);
    CU_ASSERT_EQUAL(s.tokens, 5);
    sim_stream_client_end(&p, 0, 200 * MS, &s);                    /* a bound that ties with the end: the timeout */
    CU_ASSERT_EQUAL(s.kind, POL_OUT_TIMEOUT);
    p.stall_after = 6;                                             /* a stall of 500 ms: only that gap is long */
    p.stall = 500 * MS;
    sim_stream_client_end(&p, 300 * MS, POL_NS_MAX, &s);
    CU_ASSERT_EQUAL(s.kind, POL_OUT_STREAM_TIMEOUT);
    CU_ASSERT_EQUAL(s.at, 100 * MS + 300 * MS);                    /* token 6 at 100 ms, then silence */
    CU_ASSERT_EQUAL(s.tokens, 6);
    sim_stream_client_end(&p, 600 * MS, POL_NS_MAX, &s);
    CU_ASSERT_EQUAL(s.kind, POL_OUT_SUCCESS);
    CU_ASSERT_EQUAL(s.at, 700 * MS);
    p = plan(10, 20 * MS, 1);                                      /* a cut and an error event */
    p.end = SIM_PLAN_CUT;
    p.end_after = 3;
    sim_stream_client_end(&p, 0, POL_NS_MAX, &s);
    CU_ASSERT_EQUAL(s.kind, POL_OUT_STREAM_CUT);
    CU_ASSERT_EQUAL(s.at, 60 * MS);
    CU_ASSERT_EQUAL(s.tokens, 3);
    p.end = SIM_PLAN_ERROR;
    p.end_after = 0;
    sim_stream_client_end(&p, 0, POL_NS_MAX, &s);
    CU_ASSERT_EQUAL(s.kind, POL_OUT_STREAM_ERROR);
    CU_ASSERT_EQUAL(s.at, 0);
    CU_ASSERT_EQUAL(s.tokens, 0);
    /* chunks of 4 with 20 ms per token: 80 ms between chunks */
    p = plan(12, 20 * MS, 4);
    sim_stream_client_end(&p, 70 * MS, POL_NS_MAX, &s);            /* the first chunk 60 ms after the first byte */
    CU_ASSERT_EQUAL(s.kind, POL_OUT_STREAM_TIMEOUT);
    CU_ASSERT_EQUAL(s.at, 130 * MS);
    CU_ASSERT_EQUAL(s.tokens, 4);
}

/* ---- runs --------------------------------------------------------------- */
static const char YAML[] =
    "scenario: stream-unit\n"
    "duration: 120s\n"
    "seed: 11\n"
    "providers:\n"
    "  - name: api\n"
    "    concurrency: 40\n"
    "    latency: { ttft: 300ms, per_token: 10ms, noise: 0.2 }\n"
    "    price: { input_per_mtok: 1, output_per_mtok: 10 }\n"
    "    stream: { cut_rate: 0.2, error_rate: 0.05 }\n"
    "workload: { clients: 20, think: 1s, prompt_tokens: 200, output_tokens: 100 }\n"
    "policies:\n"
    "  - name: sdk\n"
    "    preset: openai-python\n"
    "    stream: true\n"
    "  - name: restart\n"
    "    retry: { max_attempts: 5, base: 100ms, cap: 1s }\n"
    "    inner: { preset: openai-python }\n"
    "    stream: true\n"
    "  - name: recover\n"
    "    retry: { max_attempts: 5, base: 100ms, cap: 1s }\n"
    "    inner: { preset: openai-python }\n"
    "    stream: { recovery: true }\n"
    "  - name: plain\n"
    "    preset: openai-python\n"
    "  - name: ttft\n"
    "    retry: { max_attempts: 5, base: 100ms, cap: 1s }\n"
    "    inner: { preset: openai-python }\n"
    "    stream: { ttft_timeout: 250ms }\n";

static int load(sim_scenario *sc, const char *text, const char *const *ov, int nov)
{
    sim_err err;
    int rc = sim_scenario_load_mem(text, strlen(text), "tests/stream-unit.yaml", ov, nov, sc, &err);
    if (rc) fprintf(stderr, "\n    %s\n", err.msg);
    return rc;
}

static double metric(const sim_scenario *sc, int policy, sim_metric_id m)
{
    sim_run_metrics out;
    if (sim_run_world(&(sim_run_opts){ .sc = sc, .policy = policy }, &out, NULL)) return NAN;
    return out.m[m];
}

static void test_layers(void)
{
    sim_scenario sc;
    CU_ASSERT_EQUAL_FATAL(load(&sc, YAML, NULL, 0), 0);
    sim_run_metrics m[5];
    for (int i = 0; i < 5; i++) CU_ASSERT_EQUAL(sim_run_world(&(sim_run_opts){ .sc = &sc, .policy = i }, &m[i], NULL), 0);
    /* the SDK alone does not retry a stream that has started: every cut is a give-up */
    CU_ASSERT(m[0].m[SIM_M_STREAMS_CUT] > 0);
    CU_ASSERT_EQUAL(m[0].m[SIM_M_AMPLIFICATION], 1);
    CU_ASSERT(fabs(m[0].m[SIM_M_GIVE_UPS] - m[0].m[SIM_M_STREAMS_CUT] - m[0].m[SIM_M_STREAM_ERRORS]) < 0.5);
    /* an application wrapper restarts: more attempts, hardly any give-up, tokens billed twice */
    CU_ASSERT(m[1].m[SIM_M_AMPLIFICATION] > 1.1);
    CU_ASSERT(m[1].m[SIM_M_SUCCESS_RATE] > 0.99);
    CU_ASSERT(m[1].m[SIM_M_DISCARDED_TOKENS] > 0);
    CU_ASSERT(fabs(m[1].m[SIM_M_DISCARDED_COST] - m[1].m[SIM_M_DISCARDED_TOKENS] * 10 / 1e6) < 1e-9);
    /* recovery keeps the partial text: nothing discarded but by a give-up, and a
     * shorter time to last token at the tail than a restart */
    CU_ASSERT(m[2].m[SIM_M_SUCCESS_RATE] > 0.99);
    CU_ASSERT(m[2].m[SIM_M_DISCARDED_TOKENS] < m[1].m[SIM_M_DISCARDED_TOKENS] / 10);   /* a give-up discards */
    CU_ASSERT(m[2].m[SIM_M_TTLT_P99] < m[1].m[SIM_M_TTLT_P99]);
    CU_ASSERT(m[2].m[SIM_M_TTFT_P90] <= m[1].m[SIM_M_TTFT_P90]);
    /* a run that does not stream has no stream metrics */
    CU_ASSERT(isnan(m[3].m[SIM_M_TTFT_P50]) && isnan(m[3].m[SIM_M_GAP_P99]));
    CU_ASSERT_EQUAL(m[3].m[SIM_M_STREAMS_CUT], 0);
    /* ttlt = the latency of streamed successes; ttft about the provider's 300 ms */
    CU_ASSERT(fabs(m[1].m[SIM_M_TTLT_P50] - m[1].m[SIM_M_LAT_P50]) < 1e-6);
    CU_ASSERT(m[0].m[SIM_M_TTFT_P50] > 0.2 && m[0].m[SIM_M_TTFT_P50] < 0.45);
    /* the token gap: 10 ms x the noise */
    CU_ASSERT(m[0].m[SIM_M_GAP_P99] > 0.01 && m[0].m[SIM_M_GAP_P99] < 0.03);
    /* a TTFT timeout of 250 ms against a 300 ms ttft: timeouts before the first byte, retried by the SDK */
    CU_ASSERT(m[4].m[SIM_M_TIMEOUTS] > 100);
    CU_ASSERT(m[4].m[SIM_M_TIMEOUTS] > m[4].m[SIM_M_STREAM_TIMEOUTS]);
    CU_ASSERT(m[4].m[SIM_M_AMPLIFICATION] > m[1].m[SIM_M_AMPLIFICATION]);
    printf("\n    cuts %g, give-ups sdk %g / restart %g / recover %g; discarded %g / %g; ttlt_p99 %.3f / %.3f s; "
           "ttft timeouts %g", m[0].m[SIM_M_STREAMS_CUT], m[0].m[SIM_M_GIVE_UPS], m[1].m[SIM_M_GIVE_UPS],
           m[2].m[SIM_M_GIVE_UPS], m[1].m[SIM_M_DISCARDED_TOKENS], m[2].m[SIM_M_DISCARDED_TOKENS],
           m[1].m[SIM_M_TTLT_P99], m[2].m[SIM_M_TTLT_P99], m[4].m[SIM_M_TIMEOUTS]);
    /* determinism: the same run twice */
    CU_ASSERT_EQUAL(metric(&sc, 2, SIM_M_COST), m[2].m[SIM_M_COST]);
    CU_ASSERT_EQUAL(metric(&sc, 2, SIM_M_GAP_P99), m[2].m[SIM_M_GAP_P99]);
    sim_scenario_free(&sc);
}

/* Without faults a streamed request and a plain one see the same provider:
 * the same draws, the same end (to the rounding of a nanosecond per token),
 * and the same bill. */
static void test_same_as_plain(void)
{
    static const char *const ov[] = { "providers[api].stream={}" };
    sim_scenario sc;
    CU_ASSERT_EQUAL_FATAL(load(&sc, YAML, ov, 1), 0);
    sim_run_metrics a, b;
    CU_ASSERT_EQUAL(sim_run_world(&(sim_run_opts){ .sc = &sc, .policy = 0 }, &a, NULL), 0);
    CU_ASSERT_EQUAL(sim_run_world(&(sim_run_opts){ .sc = &sc, .policy = 3 }, &b, NULL), 0);
    CU_ASSERT_EQUAL(a.m[SIM_M_SUCCESSES], b.m[SIM_M_SUCCESSES]);
    CU_ASSERT(fabs(a.m[SIM_M_LAT_P50] - b.m[SIM_M_LAT_P50]) < 1e-5);
    /* a stream is billed at its first byte, a plain answer at its end: the
     * bills differ by what is in flight at the run's end (20 clients) */
    CU_ASSERT(fabs(a.m[SIM_M_COST] - b.m[SIM_M_COST]) <= 20 * (200 * 1 + 100 * 10) / 1e6);
    CU_ASSERT_EQUAL(a.m[SIM_M_STREAMS_CUT], 0);
    sim_scenario_free(&sc);
}

/* The timeline changes the stream fault rates (a window of cuts). */
static void test_timeline(void)
{
    static const char *const ov[] = { "providers[api].stream={}",
                                      "timeline=[{at: 30s, for: 30s, provider: api, set: {stream_cut_per_token: 0.05}}]" };
    sim_scenario sc;
    CU_ASSERT_EQUAL_FATAL(load(&sc, YAML, ov, 2), 0);
    FILE *f;
    char *buf = NULL;
    size_t n = 0;
    f = open_memstream(&buf, &n);
    sim_timeseries_header(f);
    sim_run_metrics m;
    CU_ASSERT_EQUAL(sim_run_world(&(sim_run_opts){ .sc = &sc, .policy = 1, .timeseries = f }, &m, NULL), 0);
    fclose(f);
    CU_ASSERT(m.m[SIM_M_STREAMS_CUT] > 50);
    /* cuts only inside the window: the stream_cuts_per_s column of the buckets outside it is 0 */
    int col = -1, k = 0;
    char *line = strtok(buf, "\n");
    for (char *t = line; t; k++) {
        char *c = strchr(t, ',');
        if (!strncmp(t, "stream_cuts_per_s", 17)) { col = k; break; }
        t = c ? c + 1 : NULL;
    }
    CU_ASSERT_FATAL(col >= 0);
    int outside = 0, inside = 0;
    for (int b = 0; (line = strtok(NULL, "\n")); b++) {
        const char *t = line;
        for (int i = 0; i < col && t; i++) { t = strchr(t, ','); if (t) t++; }
        double v = t ? atof(t) : 0;
        if (b < 30 || b >= 62) outside += v > 0;      /* streams started before 60 s may end after */
        else inside += v > 0;
    }
    CU_ASSERT_EQUAL(outside, 0);
    CU_ASSERT(inside > 20);
    free(buf);
    sim_scenario_free(&sc);
}

static void test_loader(void)
{
    sim_scenario sc;
    sim_err err;
    static const char *const bad[][2] = {
        { "policies[sdk].stream={ttft: 1s}", "unknown key 'ttft'" },
        { "policies[sdk].stream=often", "expected true or false" },
        { "providers[api].stream.cut_rate=2", "cut_rate" },
        { "providers[api].stream.chunk_tokens=0", "chunk_tokens" },
        { "providers[api].stream.stall=fast", "stall" },
        { "timeline=[{at: 1s, provider: api, set: {stream_cut_rat: 0.5}}]", "did you mean 'stream_cut_rate'" },
        { "workload.classes=[{name: a, stream: maybe}]", "stream" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *ov[1] = { bad[i][0] };
        int rc = sim_scenario_load_mem(YAML, strlen(YAML), "tests/stream-unit.yaml", ov, 1, &sc, &err);
        CU_ASSERT(rc != 0);
        if (rc == 0) { sim_scenario_free(&sc); continue; }
        if (!strstr(err.msg, bad[i][1])) fprintf(stderr, "\n    %s: %s", bad[i][0], err.msg);
        CU_ASSERT(strstr(err.msg, bad[i][1]) != NULL);
    }
    /* a class that streams under a policy that does not, and one that does not under one that does */
    static const char *const ov[] = { "workload={clients: 4, classes: [{name: a, stream: true}, {name: b, stream: false}]}" };
    CU_ASSERT_EQUAL_FATAL(load(&sc, YAML, ov, 1), 0);
    CU_ASSERT_EQUAL(sc.workload.classes[0].stream, 1);
    CU_ASSERT_EQUAL(sc.workload.classes[1].stream, 0);
    CU_ASSERT_EQUAL(sc.policies[2].stream.recover, 1);
    CU_ASSERT_EQUAL(sc.policies[4].stream.ttft_timeout, 250 * MS);
    CU_ASSERT(metric(&sc, 3, SIM_M_TTFT_P50) > 0);               /* the plain policy: class a streams */
    sim_scenario_free(&sc);
}

static void register_suites(void)
{
    CU_SUITE("plan", {"token, chunk and end times; tokens by a time; cuts, stalls", test_plan_times},
             {"the client's end: idle and total timeouts, ties, chunks", test_client_end});
    CU_SUITE("runs", {"SDK only vs an application restart vs recovery; TTFT timeout; determinism", test_layers},
             {"a stream without faults is a plain answer", test_same_as_plain},
             {"the timeline changes the cut rate", test_timeline},
             {"stream keys: errors and class overrides", test_loader});
}
CU_TEST_MAIN(register_suites)
