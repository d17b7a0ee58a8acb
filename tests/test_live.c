/* test_live.c — CUnit tests of the live-mode building blocks that need no
 * network: the loopback test and URL split behind the safety gate, the gate
 * itself, the outcome of an HTTP attempt (every curl result and body kind),
 * JSON escaping, the scenario clock, the mapping of --target URLs to the
 * policy's providers, and the shell world's timeline (the mock's provider
 * parameters follow the scenario's windows).
 * The servers themselves are tested end to end by tests/e2e/live_*.sh.
 */
#include "cu_util.h"
#include "live.h"
#include "live_util.h"
#include <curl/curl.h>
#include <string.h>

static void test_loopback(void)
{
    static const char *const yes[] = { "localhost", "LocalHost", "127.0.0.1", "127.255.1.2", "::1", "[::1]",
                                       "::ffff:127.0.0.1", "0:0:0:0:0:0:0:1" };
    static const char *const no[] = { "", "10.0.0.1", "0.0.0.0", "128.0.0.1", "example.com", "localhost.evil.com",
                                      "127.0.0.1.nip.io", "::2", "::ffff:10.0.0.1", "[::1", "api.openai.com",
                                      "127.1" };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) CU_ASSERT_EQUAL(live_host_is_loopback(yes[i]), 1);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) CU_ASSERT_EQUAL(live_host_is_loopback(no[i]), 0);
    CU_ASSERT_EQUAL(live_host_is_loopback(NULL), 0);
}

static void test_url_parts(void)
{
    char host[256], path[256];
    int https = -1;
    CU_ASSERT_EQUAL(live_url_parts("http://127.0.0.1:8080", host, sizeof host, &https, path, sizeof path), 0);
    CU_ASSERT_STRING_EQUAL(host, "127.0.0.1");
    CU_ASSERT_STRING_EQUAL(path, "/");
    CU_ASSERT_EQUAL(https, 0);
    CU_ASSERT_EQUAL(live_url_parts("https://api.example.com/v1/chat/completions", host, sizeof host, &https, path,
                                   sizeof path), 0);
    CU_ASSERT_STRING_EQUAL(host, "api.example.com");
    CU_ASSERT_STRING_EQUAL(path, "/v1/chat/completions");
    CU_ASSERT_EQUAL(https, 1);
    CU_ASSERT_EQUAL(live_url_parts("http://[::1]:9/x", host, sizeof host, &https, path, sizeof path), 0);
    CU_ASSERT_STRING_EQUAL(host, "::1");
    CU_ASSERT_EQUAL(live_url_parts("http://user:pw@localhost/", host, sizeof host, &https, path, sizeof path), 0);
    CU_ASSERT_STRING_EQUAL(host, "localhost");
    CU_ASSERT_EQUAL(live_url_parts("ftp://127.0.0.1/", host, sizeof host, &https, path, sizeof path), -1);
    CU_ASSERT_EQUAL(live_url_parts("127.0.0.1:80", host, sizeof host, &https, path, sizeof path), -1);
    CU_ASSERT_EQUAL(live_url_parts("not a url", host, sizeof host, &https, path, sizeof path), -1);
    CU_ASSERT_EQUAL(live_url_parts("http://averyveryverylonghostname.example/", host, 8, &https, path, sizeof path), -1);
}

static void test_safety_gate(void)
{
    char why[512];
    const char *remote[] = { "https://api.openai.com/v1/chat/completions" };
    const char *plain[] = { "http://api.example.com/v1/messages" };
    const char *local[] = { "http://127.0.0.1:1234", "http://localhost:1/v1/messages", "http://[::1]:5/" };
    const char *mixed[] = { "http://127.0.0.1:1234", "https://10.1.2.3/" };
    const char *bad[] = { "file:///etc/passwd" };
    CU_ASSERT_EQUAL(live_check_targets(remote, 1, 0, 0, why, sizeof why), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "--max-requests"));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "api.openai.com"));
    CU_ASSERT_EQUAL(live_check_targets(remote, 1, 1, 1, why, sizeof why), 0);
    CU_ASSERT_EQUAL(live_check_targets(plain, 1, 1, 0, why, sizeof why), 0);
    CU_ASSERT_EQUAL(live_check_targets(plain, 1, 1, 1, why, sizeof why), 2);     /* key over plain http */
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "https"));
    CU_ASSERT_EQUAL(live_check_targets(local, 3, 0, 1, why, sizeof why), 0);
    CU_ASSERT_EQUAL(live_check_targets(mixed, 2, 0, 0, why, sizeof why), 2);     /* one remote is enough */
    CU_ASSERT_EQUAL(live_check_targets(bad, 1, 1, 0, why, sizeof why), 2);
}

static pol_outcome out(int code, long status, const char *body, double *p, double *c)
{
    return live_outcome_of(code, status, body, 1, p, c);
}

static void test_outcomes(void)
{
    double p, c;
    pol_outcome o = out(CURLE_OK, 200, "{\"id\":\"x\",\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":7}}", &p, &c);
    CU_ASSERT_EQUAL(o.kind, POL_OUT_SUCCESS);
    CU_ASSERT_EQUAL(o.status, 200);
    CU_ASSERT_EQUAL(o.retry_after, -1);
    CU_ASSERT_DOUBLE_EQUAL(p, 12, 0);
    CU_ASSERT_DOUBLE_EQUAL(c, 7, 0);
    o = out(CURLE_OK, 200, "{\"type\":\"message\",\"usage\":{\"input_tokens\":5,\"output_tokens\":3}}", &p, &c);
    CU_ASSERT_EQUAL(o.kind, POL_OUT_SUCCESS);
    CU_ASSERT_DOUBLE_EQUAL(p, 5, 0);
    CU_ASSERT_DOUBLE_EQUAL(c, 3, 0);
    o = out(CURLE_OK, 201, "{\"ok\":true}", &p, &c);                  /* JSON without usage */
    CU_ASSERT_EQUAL(o.kind, POL_OUT_SUCCESS);
    CU_ASSERT_DOUBLE_EQUAL(p, -1, 0);
    /* a 200 that is not a JSON object is a broken response */
    CU_ASSERT_EQUAL(out(CURLE_OK, 200, "<html>502 Bad Gateway</html>", &p, &c).kind, POL_OUT_CONN_RESET);
    CU_ASSERT_EQUAL(out(CURLE_OK, 200, "{\"id\":\"chatcmpl\",\"usage\":{\"prompt", &p, &c).kind, POL_OUT_CONN_RESET);
    CU_ASSERT_EQUAL(out(CURLE_OK, 200, "[1,2]", &p, &c).kind, POL_OUT_CONN_RESET);
    CU_ASSERT_EQUAL(out(CURLE_OK, 200, NULL, &p, &c).kind, POL_OUT_CONN_RESET);
    CU_ASSERT_EQUAL(out(CURLE_OK, 200, "", &p, &c).kind, POL_OUT_CONN_RESET);
    /* too big to keep: trusted, tokens unknown */
    o = live_outcome_of(CURLE_OK, 200, "{\"id\":", 0, &p, &c);
    CU_ASSERT_EQUAL(o.kind, POL_OUT_SUCCESS);
    CU_ASSERT_DOUBLE_EQUAL(c, -1, 0);
    /* errors */
    o = out(CURLE_OK, 429, "{\"error\":{\"code\":\"rate_limit_exceeded\"}}", &p, &c);
    CU_ASSERT_EQUAL(o.kind, POL_OUT_HTTP);
    CU_ASSERT_EQUAL(o.status, 429);
    CU_ASSERT_EQUAL(out(CURLE_OK, 529, "{}", &p, &c).status, 529);
    CU_ASSERT_EQUAL(out(CURLE_OK, 503, NULL, &p, &c).kind, POL_OUT_HTTP);
    CU_ASSERT_EQUAL(out(CURLE_OK, 400, "{\"error\":{\"code\":\"context_length_exceeded\"}}", &p, &c).kind,
                    POL_OUT_CONTEXT_WINDOW);
    CU_ASSERT_EQUAL(out(CURLE_OK, 400, "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
                        "\"message\":\"prompt is too long: 300000 tokens > 200000 maximum\"}}", &p, &c).kind,
                    POL_OUT_CONTEXT_WINDOW);
    CU_ASSERT_EQUAL(out(CURLE_OK, 400, "{\"error\":{\"code\":\"content_filter\"}}", &p, &c).kind,
                    POL_OUT_CONTENT_POLICY);
    o = out(CURLE_OK, 400, "{\"error\":{\"code\":null}}", &p, &c);
    CU_ASSERT_EQUAL(o.kind, POL_OUT_HTTP);
    CU_ASSERT_EQUAL(o.status, 400);
    CU_ASSERT_EQUAL(out(CURLE_OK, 0, NULL, &p, &c).kind, POL_OUT_CONN_RESET);
    /* transport */
    CU_ASSERT_EQUAL(out(CURLE_OPERATION_TIMEDOUT, 0, NULL, &p, &c).kind, POL_OUT_TIMEOUT);
    CU_ASSERT_EQUAL(out(CURLE_COULDNT_CONNECT, 0, NULL, &p, &c).kind, POL_OUT_CONN_REFUSED);
    CU_ASSERT_EQUAL(out(CURLE_COULDNT_RESOLVE_HOST, 0, NULL, &p, &c).kind, POL_OUT_CONN_REFUSED);
    static const int resets[] = { CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE,
                                  CURLE_WEIRD_SERVER_REPLY, CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION };
    for (size_t i = 0; i < sizeof resets / sizeof resets[0]; i++) {
        o = out(resets[i], 200, "{}", &p, &c);
        CU_ASSERT_EQUAL(o.kind, POL_OUT_CONN_RESET);
        CU_ASSERT_EQUAL(o.status, 0);
    }
}

static void test_json_escape(void)
{
    char buf[64];
    size_t n = live_json_escape(buf, 0, sizeof buf, "a\"b\\c\nd\x01");
    CU_ASSERT_STRING_EQUAL(buf, "a\\\"b\\\\c\\u000ad\\u0001");
    CU_ASSERT_EQUAL(n, strlen(buf));
    n = live_json_escape(buf, n, sizeof buf, "é");                       /* UTF-8 passes through */
    CU_ASSERT_STRING_EQUAL(buf + n - 2, "é");
    CU_ASSERT_EQUAL(live_json_escape(buf, 0, 4, "abcdef"), 4);           /* does not fit */
    CU_ASSERT_EQUAL(live_json_escape(buf, 0, 4, "abc"), 3);
}

static void test_clock(void)
{
    live_clock c;
    live_clock_start(&c, 10, 5 * POL_NS_PER_S);
    pol_ns now = live_clock_now(&c);
    CU_ASSERT(now >= 5 * POL_NS_PER_S && now < 6 * POL_NS_PER_S);
    CU_ASSERT_EQUAL(live_to_wall(&c, POL_NS_PER_S), 100 * POL_NS_PER_MS);
    CU_ASSERT_EQUAL(live_to_scenario(&c, 100 * POL_NS_PER_MS), POL_NS_PER_S);
    CU_ASSERT_EQUAL(live_to_wall(&c, 1), 1);                              /* rounds up: never a zero wait */
    double s;
    CU_ASSERT_EQUAL(live_parse_scale("2.5", &s), 0);
    CU_ASSERT_DOUBLE_EQUAL(s, 2.5, 0);
    CU_ASSERT_NOT_EQUAL(live_parse_scale("0", &s), 0);
    CU_ASSERT_NOT_EQUAL(live_parse_scale("-1", &s), 0);
    CU_ASSERT_NOT_EQUAL(live_parse_scale("x", &s), 0);
}

static int changes;
static void count_change(void *ctx, const sim_change *ch, int ending)
{
    (void)ctx; (void)ch; (void)ending;
    changes++;
}
static void no_answer(void *ctx, uint64_t tag, const sim_answer *a) { (void)ctx; (void)tag; (void)a; }

/* The mock's provider model on its own engine follows the scenario's timeline. */
static void test_pm_timeline(void)
{
    sim_scenario sc;
    sim_err err;
    if (sim_scenario_load("tests/fixtures/live-small.yaml", NULL, 0, &sc, &err)) {
        CU_FAIL(err.msg);
        return;
    }
    sim_engine eng;
    CU_ASSERT_EQUAL_FATAL(sim_engine_init(&eng, 2, 64), 0);
    sim_pm *pm = NULL;
    sim_pm_opts po = { .sc = &sc, .seed = sc.seed, .eng = &eng,
                       .host = { .answer = no_answer, .change = count_change } };
    CU_ASSERT_EQUAL_FATAL(sim_pm_new(&po, &pm), 0);
    CU_ASSERT_EQUAL_FATAL(sim_pm_schedule_timeline(pm), 0);
    CU_ASSERT_DOUBLE_EQUAL(sim_pm_params(pm, 0)->rpm, 1500, 0);
    CU_ASSERT_EQUAL(sim_next_time(&eng), 60 * POL_NS_PER_S);
    sim_run(&eng, 61 * POL_NS_PER_S);
    CU_ASSERT_DOUBLE_EQUAL(sim_pm_params(pm, 0)->rpm, 600, 0);
    sim_run(&eng, 121 * POL_NS_PER_S);
    CU_ASSERT_DOUBLE_EQUAL(sim_pm_params(pm, 0)->rpm, 1500, 0);
    sim_run(&eng, 151 * POL_NS_PER_S);
    CU_ASSERT_EQUAL(sim_pm_params(pm, 0)->outage, SIM_OUTAGE_STATUS);
    CU_ASSERT_EQUAL(sim_pm_params(pm, 0)->outage_status, 503);
    sim_run(&eng, 171 * POL_NS_PER_S);
    CU_ASSERT_EQUAL(sim_pm_params(pm, 0)->outage, SIM_OUTAGE_NONE);
    CU_ASSERT_EQUAL(changes, 4);
    CU_ASSERT_EQUAL(sim_next_time(&eng), INT64_MAX);
    sim_pm_free(pm);
    sim_engine_free(&eng);
    sim_scenario_free(&sc);
}

static void test_map_targets(void)
{
    sim_scenario sc;
    sim_err err;
    if (sim_scenario_load("tests/fixtures/live-stateful.yaml", NULL, 0, &sc, &err)) {
        CU_FAIL(err.msg);
        return;
    }
    const char *url_of[2];
    live_opts o;
    memset(&o, 0, sizeof o);
    o.url[0] = "http://127.0.0.1:1/v1/chat/completions";
    o.url[1] = "http://127.0.0.1:2/v1/chat/completions";
    o.url[2] = "http://127.0.0.1:3/v1/chat/completions";
    o.policy = sim_scenario_find_policy(&sc, "hedged");        /* targets: primary, replica */
    o.nurl = 3;
    CU_ASSERT_EQUAL(live_map_targets(&sc, &o, url_of), 2);      /* the third URL serves no target */
    CU_ASSERT_PTR_EQUAL(url_of[0], o.url[0]);
    CU_ASSERT_PTR_EQUAL(url_of[1], o.url[1]);
    o.policy = sim_scenario_find_policy(&sc, "breaker-budget"); /* target: primary only */
    o.nurl = 1;
    CU_ASSERT_EQUAL(live_map_targets(&sc, &o, url_of), 1);
    CU_ASSERT_PTR_EQUAL(url_of[0], o.url[0]);
    CU_ASSERT_PTR_NULL(url_of[1]);                              /* replica: answered as refused */
    sim_scenario_free(&sc);
}

static void register_suites(void)
{
    CU_SUITE("live",
             { "loopback hosts", test_loopback },
             { "URL parts", test_url_parts },
             { "safety gate", test_safety_gate },
             { "attempt outcomes", test_outcomes },
             { "JSON escaping", test_json_escape },
             { "scenario clock", test_clock },
             { "--target URLs to providers", test_map_targets },
             { "provider model timeline", test_pm_timeline });
}

CU_TEST_MAIN(register_suites)
