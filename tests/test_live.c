/* test_live.c — CUnit tests of the live-mode building blocks that need no
 * network: the loopback test and URL split behind the safety gate, the gate
 * itself, the outcome of an HTTP attempt (every curl result and body kind,
 * with its error text; hostile bodies in bounded time and memory), the
 * mock's request parser, the scenario clock, the mapping of --target URLs to the
 * policy's providers, and the shell world's timeline (the mock's provider
 * parameters follow the scenario's windows).
 * The servers themselves are tested end to end by tests/e2e/live_*.sh.
 */
#include "cu_util.h"
#include "live.h"
#include "live_json.h"
#include "live_util.h"
#include "mock.h"
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static char why[320];

static pol_outcome outb(int code, long status, const char *body, size_t len, double *p, double *c)
{
    live_reply r = { code, NULL, status, body, len, 0 };
    return live_outcome_of(&r, p, c, why, sizeof why);
}

static pol_outcome out(int code, long status, const char *body, double *p, double *c)
{
    return outb(code, status, body, body ? strlen(body) : 0, p, c);
}

static double ms_since(struct timespec t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
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
    CU_ASSERT_STRING_EQUAL(why, "");                           /* a success has no error text */
    o = out(CURLE_OK, 200, "{\"type\":\"message\",\"usage\":{\"input_tokens\":5,\"output_tokens\":3}}", &p, &c);
    CU_ASSERT_EQUAL(o.kind, POL_OUT_SUCCESS);
    CU_ASSERT_DOUBLE_EQUAL(p, 5, 0);
    CU_ASSERT_DOUBLE_EQUAL(c, 3, 0);
    o = out(CURLE_OK, 201, "{\"ok\":true}", &p, &c);                  /* JSON without usage */
    CU_ASSERT_EQUAL(o.kind, POL_OUT_SUCCESS);
    CU_ASSERT_DOUBLE_EQUAL(p, -1, 0);
    o = out(CURLE_OK, 200, "{\"usage\":{\"prompt_tokens\":-4,\"completion_tokens\":\"7\"}}", &p, &c);
    CU_ASSERT_EQUAL(o.kind, POL_OUT_SUCCESS);                         /* bad counts: unknown */
    CU_ASSERT_DOUBLE_EQUAL(p, -1, 0);
    CU_ASSERT_DOUBLE_EQUAL(c, -1, 0);
    /* a 200 that is not a JSON object is a broken response, with a reason */
    CU_ASSERT_EQUAL(out(CURLE_OK, 200, "<html>502 Bad Gateway</html>", &p, &c).kind, POL_OUT_CONN_RESET);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "HTTP 200 with a body that is not JSON"));
    CU_ASSERT_EQUAL(out(CURLE_OK, 200, "{\"id\":\"chatcmpl\",\"usage\":{\"prompt", &p, &c).kind, POL_OUT_CONN_RESET);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "not JSON"));
    CU_ASSERT_EQUAL(out(CURLE_OK, 200, "[1,2]", &p, &c).kind, POL_OUT_CONN_RESET);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "JSON array, not an object"));
    CU_ASSERT_EQUAL(out(CURLE_OK, 200, NULL, &p, &c).kind, POL_OUT_CONN_RESET);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "empty"));
    CU_ASSERT_EQUAL(out(CURLE_OK, 200, "", &p, &c).kind, POL_OUT_CONN_RESET);
    CU_ASSERT_EQUAL(out(CURLE_OK, 200, "  \r\n", &p, &c).kind, POL_OUT_CONN_RESET);
    CU_ASSERT_EQUAL(outb(CURLE_OK, 200, "{\"a\":1}\0{", 10, &p, &c).kind, POL_OUT_CONN_RESET);   /* a NUL inside */
    CU_ASSERT_EQUAL(out(CURLE_OK, 200, "{\"a\":\"\xff\xfe\"}", &p, &c).kind, POL_OUT_CONN_RESET);  /* not UTF-8 */
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "not JSON"));
    CU_ASSERT_EQUAL(out(CURLE_OK, 200, "{\"a\":1} trailing", &p, &c).kind, POL_OUT_CONN_RESET);
    /* random bytes */
    unsigned char rnd[512];
    unsigned x = 12345;
    for (size_t i = 0; i < sizeof rnd; i++) { x = x * 1103515245u + 12345u; rnd[i] = (unsigned char)(x >> 16); }
    CU_ASSERT_EQUAL(outb(CURLE_OK, 200, (const char *)rnd, sizeof rnd, &p, &c).kind, POL_OUT_CONN_RESET);
    CU_ASSERT(why[0] != '\0');
    /* an escaped surrogate pair (Python's json.dumps default): valid JSON, a success */
    o = out(CURLE_OK, 200, "{\"choices\":[{\"message\":{\"content\":\"\\ud83d\\ude00 ok\"}}],"
                           "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}", &p, &c);
    CU_ASSERT_EQUAL(o.kind, POL_OUT_SUCCESS);
    CU_ASSERT_DOUBLE_EQUAL(c, 2, 0);
    CU_ASSERT_STRING_EQUAL(why, "");
    /* a lone surrogate is not valid JSON text */
    CU_ASSERT_EQUAL(out(CURLE_OK, 200, "{\"a\":\"\\ud83d\"}", &p, &c).kind, POL_OUT_CONN_RESET);
    /* too big to keep: an error outcome, never a success */
    live_reply big = { CURLE_WRITE_ERROR, "Failure writing output to destination", 200, "{\"id\":", 6, 1 };
    o = live_outcome_of(&big, &p, &c, why, sizeof why);
    CU_ASSERT_EQUAL(o.kind, POL_OUT_CONN_RESET);
    CU_ASSERT_DOUBLE_EQUAL(c, -1, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "body too large"));
    big.status = 503;                                                 /* an error status stays that status */
    o = live_outcome_of(&big, &p, &c, why, sizeof why);
    CU_ASSERT_EQUAL(o.kind, POL_OUT_HTTP);
    CU_ASSERT_EQUAL(o.status, 503);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "not read"));
    /* errors: the kind from the fields, the text from type/code/message */
    o = out(CURLE_OK, 429, "{\"error\":{\"message\":\"Rate limit reached for gpt-4o.\",\"type\":\"requests\","
                           "\"param\":null,\"code\":\"rate_limit_exceeded\"}}", &p, &c);
    CU_ASSERT_EQUAL(o.kind, POL_OUT_HTTP);
    CU_ASSERT_EQUAL(o.status, 429);
    CU_ASSERT_STRING_EQUAL(why, "HTTP 429 requests/rate_limit_exceeded: Rate limit reached for gpt-4o.");
    o = out(CURLE_OK, 529, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}",
            &p, &c);
    CU_ASSERT_EQUAL(o.status, 529);
    CU_ASSERT_STRING_EQUAL(why, "HTTP 529 overloaded_error: Overloaded");
    o = out(CURLE_OK, 429, "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow\\ndown\"}}",
            &p, &c);
    CU_ASSERT_STRING_EQUAL(why, "HTTP 429 rate_limit_error: slow down");        /* control characters: spaces */
    CU_ASSERT_EQUAL(out(CURLE_OK, 503, NULL, &p, &c).kind, POL_OUT_HTTP);
    CU_ASSERT_STRING_EQUAL(why, "HTTP 503 (body empty)");
    CU_ASSERT_EQUAL(out(CURLE_OK, 502, "<html>bad gateway</html>", &p, &c).kind, POL_OUT_HTTP);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "HTTP 502 (body not JSON"));
    CU_ASSERT_EQUAL(out(CURLE_OK, 500, "{\"error\":\"upstream failed\"}", &p, &c).status, 500);
    CU_ASSERT_STRING_EQUAL(why, "HTTP 500: upstream failed");
    CU_ASSERT_EQUAL(out(CURLE_OK, 500, "{\"error\":{\"message\":\"x\",\"code\":503}}", &p, &c).status, 500);
    CU_ASSERT_STRING_EQUAL(why, "HTTP 500 503: x");                              /* a numeric code */
    CU_ASSERT_EQUAL(out(CURLE_OK, 400, "{\"error\":{\"message\":\"This model's maximum context length is 8192 tokens.\","
                        "\"type\":\"invalid_request_error\",\"param\":\"messages\",\"code\":\"context_length_exceeded\"}}",
                        &p, &c).kind, POL_OUT_CONTEXT_WINDOW);
    CU_ASSERT_EQUAL(out(CURLE_OK, 400, "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
                        "\"message\":\"prompt is too long: 300000 tokens > 200000 maximum\"}}", &p, &c).kind,
                    POL_OUT_CONTEXT_WINDOW);
    CU_ASSERT_EQUAL(out(CURLE_OK, 400, "{\"error\":{\"code\":\"content_filter\"}}", &p, &c).kind,
                    POL_OUT_CONTENT_POLICY);
    /* the fields decide, not a substring anywhere in the body */
    o = out(CURLE_OK, 400, "{\"error\":{\"message\":\"context_length_exceeded? no: content_filter\","
                           "\"type\":\"invalid_request_error\",\"code\":null}}", &p, &c);
    CU_ASSERT_EQUAL(o.kind, POL_OUT_HTTP);
    CU_ASSERT_EQUAL(o.status, 400);
    CU_ASSERT_EQUAL(out(CURLE_OK, 400, "{\"error\":{\"type\":\"invalid_request_error\",\"message\":\"the "
                        "prompt is too long\"}}", &p, &c).kind, POL_OUT_HTTP);
    o = out(CURLE_OK, 400, "{\"error\":{\"code\":null}}", &p, &c);
    CU_ASSERT_EQUAL(o.kind, POL_OUT_HTTP);
    CU_ASSERT_EQUAL(o.status, 400);
    /* a long message is cut on a character boundary */
    char longmsg[2048];
    int k = snprintf(longmsg, sizeof longmsg, "{\"error\":{\"type\":\"t\",\"message\":\"");
    for (int i = 0; i < 300; i++) k += snprintf(longmsg + k, sizeof longmsg - (size_t)k, "\xc3\xa9");
    snprintf(longmsg + k, sizeof longmsg - (size_t)k, "\"}}");
    out(CURLE_OK, 500, longmsg, &p, &c);
    CU_ASSERT(strlen(why) < 200);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "..."));
    CU_ASSERT_EQUAL(((unsigned char)strstr(why, "...")[-1] & 0xC0) == 0xC0, 0);   /* not half an é */
    /* statuses outside HTTP's range */
    CU_ASSERT_EQUAL(out(CURLE_OK, 0, NULL, &p, &c).kind, POL_OUT_CONN_RESET);
    CU_ASSERT(why[0] != '\0');
    o = out(CURLE_OK, 999, "{\"usage\":{}}", &p, &c);
    CU_ASSERT_EQUAL(o.kind, POL_OUT_CONN_RESET);
    CU_ASSERT_STRING_EQUAL(why, "unexpected HTTP status 999");
    /* transport, with libcurl's message */
    CU_ASSERT_EQUAL(out(CURLE_OPERATION_TIMEDOUT, 0, NULL, &p, &c).kind, POL_OUT_TIMEOUT);
    CU_ASSERT(why[0] != '\0');
    live_reply refused = { CURLE_COULDNT_CONNECT, "Failed to connect to 127.0.0.1 port 9: Connection refused", 0,
                           NULL, 0, 0 };
    CU_ASSERT_EQUAL(live_outcome_of(&refused, &p, &c, why, sizeof why).kind, POL_OUT_CONN_REFUSED);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "Connection refused"));
    CU_ASSERT_EQUAL(out(CURLE_COULDNT_RESOLVE_HOST, 0, NULL, &p, &c).kind, POL_OUT_CONN_REFUSED);
    static const int resets[] = { CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE,
                                  CURLE_WEIRD_SERVER_REPLY, CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION };
    for (size_t i = 0; i < sizeof resets / sizeof resets[0]; i++) {
        o = out(resets[i], 200, "{}", &p, &c);
        CU_ASSERT_EQUAL(o.kind, POL_OUT_CONN_RESET);
        CU_ASSERT_EQUAL(o.status, 0);
        CU_ASSERT(why[0] != '\0');
    }
    live_reply partial = { CURLE_PARTIAL_FILE, "transfer closed with 120 bytes remaining to read", 200, "{\"id\"", 5, 0 };
    live_outcome_of(&partial, &p, &c, why, sizeof why);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "partial file: transfer closed with 120 bytes"));
}

/* Hostile bodies are parsed or refused in linear time and bounded memory. */
static void test_outcomes_hostile(void)
{
    double p, c;
    size_t n = 200 * 1024;
    char *b = malloc(LIVE_RESP_MAX + 16);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    struct timespec t0;
    memset(b, '[', n);                                      /* 200 KB of opening brackets */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CU_ASSERT_EQUAL(outb(CURLE_OK, 200, b, n, &p, &c).kind, POL_OUT_CONN_RESET);
    CU_ASSERT(ms_since(t0) < 50);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "nested deeper than 2048"));
    for (size_t i = 0; i < n / 2; i++) { b[i] = '['; b[n - 1 - i] = ']'; }   /* balanced, 100 K deep */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CU_ASSERT_EQUAL(outb(CURLE_OK, 200, b, n, &p, &c).kind, POL_OUT_CONN_RESET);
    CU_ASSERT(ms_since(t0) < 50);
    size_t k = 0;                                           /* {"a":{"a":...}} 200 KB deep objects */
    while (k + 5 < n / 2) { memcpy(b + k, "{\"a\":", 5); k += 5; }
    memcpy(b + k, "1", 1); k++;
    size_t depth = (k - 1) / 5;
    for (size_t i = 0; i < depth; i++) b[k++] = '}';
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CU_ASSERT_EQUAL(outb(CURLE_OK, 200, b, k, &p, &c).kind, POL_OUT_CONN_RESET);
    CU_ASSERT(ms_since(t0) < 50);
    /* 1000-deep nesting is fine */
    k = 0;
    b[k++] = '{';
    memcpy(b + k, "\"x\":", 4); k += 4;
    for (int i = 0; i < 1000; i++) b[k++] = '[';
    for (int i = 0; i < 1000; i++) b[k++] = ']';
    b[k++] = '}';
    CU_ASSERT_EQUAL(outb(CURLE_OK, 200, b, k, &p, &c).kind, POL_OUT_SUCCESS);
    /* 1 MB of empty objects: over the memory budget, refused fast */
    k = 0;
    b[k++] = '{';
    memcpy(b + k, "\"x\":[", 5); k += 5;
    while (k < LIVE_RESP_MAX - 8) { memcpy(b + k, "{},", 3); k += 3; }
    memcpy(b + k, "{}]}", 4); k += 4;
    size_t before = live_json_mem_in_use();
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CU_ASSERT_EQUAL(outb(CURLE_OK, 200, b, k, &p, &c).kind, POL_OUT_CONN_RESET);
    CU_ASSERT(ms_since(t0) < 2000);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "too complex"));
    CU_ASSERT_EQUAL(live_json_mem_in_use(), before);         /* nothing kept */
    /* a 1 MB string is fine */
    k = 0;
    memcpy(b, "{\"s\":\"", 6); k = 6;
    while (k < LIVE_RESP_MAX - 3) b[k++] = 'a';
    memcpy(b + k, "\"}", 2); k += 2;
    CU_ASSERT_EQUAL(outb(CURLE_OK, 200, b, k, &p, &c).kind, POL_OUT_SUCCESS);
    free(b);
}

/* The mock's request parser (the same code the server runs). */
static void test_mock_parse(void)
{
    live_mock_request rq;
    const char *ok = "{\"model\":\"gpt-x\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"abcd\"},"
                     "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"xy\"},{\"type\":\"image\"}]}]}";
    CU_ASSERT_EQUAL(live_mock_parse_request(ok, strlen(ok), 0, &rq), 0);
    CU_ASSERT_STRING_EQUAL(rq.model, "gpt-x");
    CU_ASSERT_EQUAL(rq.max_tokens, 50);
    CU_ASSERT_EQUAL(rq.chars, 6);
    CU_ASSERT_STRING_EQUAL(rq.error, "");
    const char *sys = "{\"model\":\"c\",\"system\":\"12345678\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\","
                      "\"content\":\"\\ud83d\\ude00\"}]}";             /* a surrogate pair: 4 bytes of UTF-8 */
    CU_ASSERT_EQUAL(live_mock_parse_request(sys, strlen(sys), 1, &rq), 0);
    CU_ASSERT_EQUAL(rq.chars, 12);
    const char *nomax = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}";
    CU_ASSERT_EQUAL(live_mock_parse_request(nomax, strlen(nomax), 0, &rq), 0);       /* OpenAI: optional */
    CU_ASSERT_EQUAL(rq.max_tokens, -1);
    CU_ASSERT_EQUAL(live_mock_parse_request(nomax, strlen(nomax), 1, &rq), -1);      /* Anthropic: required */
    CU_ASSERT_PTR_NOT_NULL(strstr(rq.error, "max_tokens"));
    const char *mct = "{\"model\":\"m\",\"max_completion_tokens\":7,\"messages\":[{\"content\":\"a\"}]}";
    CU_ASSERT_EQUAL(live_mock_parse_request(mct, strlen(mct), 0, &rq), 0);
    CU_ASSERT_EQUAL(rq.max_tokens, 7);
    static const struct { const char *body, *err; } bad[] = {
        { "", "parse" }, { "{", "parse" }, { "[1,2]", "JSON object" }, { "\"str\"", "JSON object" },
        { "{\"messages\":[{}],\"max_tokens\":1}", "model" },
        { "{\"model\":\"\",\"messages\":[{}],\"max_tokens\":1}", "model" },
        { "{\"model\":5,\"messages\":[{}],\"max_tokens\":1}", "model" },
        { "{\"model\":\"m\",\"max_tokens\":1}", "messages" },
        { "{\"model\":\"m\",\"messages\":[],\"max_tokens\":1}", "messages" },
        { "{\"model\":\"m\",\"messages\":{},\"max_tokens\":1}", "messages" },
        { "{\"model\":\"m\",\"messages\":[{}],\"max_tokens\":-5}", "max_tokens" },
        { "{\"model\":\"m\",\"messages\":[{}],\"max_tokens\":0}", "max_tokens" },
        { "{\"model\":\"m\",\"messages\":[{}],\"max_tokens\":1.5}", "max_tokens" },
        { "{\"model\":\"m\",\"messages\":[{}],\"max_tokens\":\"10\"}", "max_tokens" },
        { "{\"model\":\"m\",\"messages\":[{}],\"max_tokens\":1e300}", "max_tokens" },
        { "{\"model\":\"m\",\"messages\":[{\"content\":\"\\ud800\"}],\"max_tokens\":1}", "parse" },
        { "{\"model\":\"m\",\"messages\":[{\"content\":\"\xc3\x28\"}],\"max_tokens\":1}", "parse" },
        { "{\"model\":\"m\\u0000x\",\"messages\":[{}],\"max_tokens\":1}", "parse" },
        { "{\"model\":\"m\",\"messages\":[{}],\"max_tokens\":1} x", "parse" },
        { "model: m\nmessages: [a]\nmax_tokens: 1\n", "parse" },                    /* YAML is not JSON */
        { "{\"model\":&a \"m\",\"messages\":[*a],\"max_tokens\":1}", "parse" },     /* nor are aliases */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CU_ASSERT_EQUAL(live_mock_parse_request(bad[i].body, strlen(bad[i].body), 1, &rq), -1);
        if (!strstr(rq.error, bad[i].err)) { fprintf(stderr, "\n  body %zu: '%s'\n", i, rq.error); CU_FAIL("wrong message"); }
    }
    char longm[300];
    snprintf(longm, sizeof longm, "{\"model\":\"%0200d\",\"messages\":[{}],\"max_tokens\":1}", 0);
    CU_ASSERT_EQUAL(live_mock_parse_request(longm, strlen(longm), 0, &rq), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(rq.error, "too long"));
    /* 200 KB of nesting: refused in milliseconds */
    size_t n = 200 * 1024;
    char *b = malloc(n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    memset(b, '[', n);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CU_ASSERT_EQUAL(live_mock_parse_request(b, n, 0, &rq), -1);
    CU_ASSERT(ms_since(t0) < 50);
    CU_ASSERT_PTR_NOT_NULL(strstr(rq.error, "nested deeper"));
    free(b);
    CU_ASSERT_EQUAL(live_json_mem_in_use(), 0);
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
             { "hostile response bodies", test_outcomes_hostile },
             { "mock request parsing", test_mock_parse },
             { "scenario clock", test_clock },
             { "--target URLs to providers", test_map_targets },
             { "provider model timeline", test_pm_timeline });
}

CU_TEST_MAIN(register_suites)
