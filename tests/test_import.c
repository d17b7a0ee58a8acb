/* test_import.c — CUnit tests of the importers (sim/scenario/import*.c) and
 * the YAML emitter (cfg_emit.c): the mapping of LiteLLM and Portkey keys
 * (values and the positions they keep), warnings with file:line:col,
 * unknown keys and --lenient, nested Portkey targets, the expansion of
 * import: entries in a scenario (merging by name, located errors) and the
 * export of tuned values back into the config's text. Configs are small
 * texts written to a scratch directory.
 */
#include "cu_util.h"
#include "cfg.h"
#include "cfg_emit.h"
#include "import.h"
#include "import_util.h"
#include "scenario.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CU_SCRATCH_TAG "import"
#include "cu_scratch.h"


/* The node at "a.b[2].c" under n (NULL when absent). */
static const sim_cfg_node *at(const sim_cfg_node *n, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf; n && *p;) {
        if (*p == '.') { p++; continue; }
        if (*p == '[') {
            long i = strtol(p + 1, &p, 10);
            p++;
            n = n->kind == SIM_CFG_SEQ && i >= 0 && (size_t)i < n->n ? n->items[i] : NULL;
            continue;
        }
        char *e = p;
        while (*e && *e != '.' && *e != '[') e++;
        char save = *e;
        *e = '\0';
        n = sim_cfg_get(n, p);
        *e = save;
        p = e;
    }
    return n;
}

static const char *text_at(const sim_cfg_node *n, const char *path)
{
    const sim_cfg_node *v = at(n, path);
    return v && v->kind == SIM_CFG_SCALAR ? v->str : "(absent)";
}

#define CHECK_TEXT(node, path, want) do { const char *got_ = text_at(node, path); \
        if (strcmp(got_, want)) fprintf(stderr, "\n  %s: got '%s', want '%s'\n", path, got_, want); \
        CU_ASSERT_STRING_EQUAL(got_, want); } while (0)

#define CHECK_HAS(hay, needle) do { const char *h_ = (hay) ? (hay) : ""; \
        if (!strstr(h_, needle)) fprintf(stderr, "\n  missing: %s\n  in: %s\n", needle, h_); \
        CU_ASSERT_PTR_NOT_NULL(strstr(h_, needle)); } while (0)

static const sim_cfg_node *policy(const sim_import *im, const char *name)
{
    for (size_t i = 0; im->policies && i < im->policies->n; i++)
        if (!strcmp(text_at(im->policies->items[i], "name"), name)) return im->policies->items[i];
    return NULL;
}

static int import_text(sim_import_format f, const char *name, const char *text, int lenient, sim_import *im, sim_err *err)
{
    sim_import_opts o = { lenient, NULL };
    return sim_import_load(f, write_file(name, text), &o, im, err);
}

/* ---- the emitter ------------------------------------------------------------ */

static int same_tree(const sim_cfg_node *a, const sim_cfg_node *b)
{
    if (a->kind != b->kind || a->n != b->n) return 0;
    if (a->kind == SIM_CFG_SCALAR) return !strcmp(a->str, b->str);
    for (size_t i = 0; i < a->n; i++) {
        if (a->kind == SIM_CFG_MAP && strcmp(a->keys[i]->str, b->keys[i]->str)) return 0;
        if (!same_tree(a->items[i], b->items[i])) return 0;
    }
    return 1;
}

static void test_emit_roundtrip(void)
{
    static const char *text =
        "plain: value\n"
        "colon: \"a: b\"\n"
        "hash: \"x #y\"\n"
        "quote: 'it''s'\n"
        "null_text: \"null\"\n"
        "tilde: \"~\"\n"
        "empty: \"\"\n"
        "nothing:\n"
        "dist: { ttft: lognormal(400ms, 0.5), n: -1.5 }\n"
        "list: [429, 5xx, \"a, b\", \"[x]\"]\n"
        "nested:\n"
        "  - { name: a, retry: { max_attempts: 3 } }\n"
        "  - name: b\n"
        "    deep: [[1, 2], {k: v}]\n"
        "  - []\n"
        "  - {}\n"
        "lead: \" space\"\n"
        "newline: \"a\\nb\"\n"
        "star: \"*\"\n"
        "dash: \"- x\"\n";
    sim_cfg_doc a, b;
    sim_err err;
    CU_ASSERT_EQUAL_FATAL(sim_cfg_load_string(text, "t.yaml", &a, &err), 0);
    sim_buf out = { 0 };
    sim_cfg_emit(&out, a.root, 0, NULL, NULL);
    CU_ASSERT_FALSE(out.oom);
    int rc = sim_cfg_load_string(out.s, "emitted.yaml", &b, &err);
    if (rc) fprintf(stderr, "\n  %s\n%s", err.msg, out.s);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT(same_tree(a.root, b.root));
    CHECK_HAS(out.s, "dist: { ttft: lognormal(400ms, 0.5), n: -1.5 }\n");
    CHECK_HAS(out.s, "null_text: \"null\"\n");
    CHECK_HAS(out.s, "nothing: null\n");
    sim_buf_free(&out);
    sim_cfg_free(&a);
    sim_cfg_free(&b);
}

/* ---- LiteLLM ------------------------------------------------------------------ */

static const char *LITE =
    "model_list:\n"                                                       /* 1 */
    "  - model_name: gpt-4o\n"
    "    litellm_params:\n"
    "      model: azure/gpt-4o-eastus\n"
    "      api_key: os.environ/KEY\n"                                     /* 5 */
    "      rpm: 600\n"
    "      tpm: 100000\n"
    "      input_cost_per_token: 0.0000025\n"
    "    model_info: { id: east, max_input_tokens: 128000 }\n"
    "  - model_name: gpt-4o\n"                                            /* 10 */
    "    litellm_params: { model: azure/gpt-4o-westus, api_key: os.environ/KEY2, rpm: 300 }\n"
    "  - model_name: claude\n"
    "    litellm_params: { model: anthropic/claude-sonnet-4, rpm: 400 }\n"
    "  - model_name: big\n"
    "    litellm_params: { model: openai/gpt-4.1, timeout: 90 }\n"          /* 15 */
    "router_settings:\n"
    "  routing_strategy: least-busy\n"
    "  num_retries: 4\n"
    "  timeout: 20\n"
    "  retry_after: 2\n"                                                  /* 20 */
    "  allowed_fails: 1\n"
    "  cooldown_time: 15\n"
    "  fallbacks: [{\"gpt-4o\": [\"claude\"]}]\n"
    "  context_window_fallbacks: [{\"gpt-4o\": [\"big\"]}]\n"
    "  retry_policy: { RateLimitErrorRetries: 6, BadRequestErrorRetries: 0, TimeoutErrorRetries: 4 }\n"  /* 25 */
    "litellm_settings:\n"
    "  drop_params: true\n";

static void test_litellm_mapping(void)
{
    sim_import im;
    sim_err err;
    CU_ASSERT_EQUAL_FATAL(import_text(SIM_IMPORT_LITELLM, "router.yaml", LITE, 0, &im, &err), 0);
    CU_ASSERT_EQUAL(im.providers->n, 4);
    const sim_cfg_node *east = im.providers->items[0];
    CHECK_TEXT(east, "name", "east");                             /* model_info.id */
    CHECK_TEXT(im.providers->items[1], "name", "azure-gpt-4o-westus");
    CHECK_TEXT(east, "rate_limit.rpm", "600");
    CHECK_TEXT(east, "rate_limit.tpm", "100000");
    CHECK_TEXT(east, "price.input_per_mtok", "2.5");
    CHECK_TEXT(east, "context_window", "128000");
    CHECK_TEXT(east, "concurrency", "100");                        /* the default provider model */
    CU_ASSERT_EQUAL(im.policies->n, 3);
    const sim_cfg_node *p = policy(&im, "gpt-4o");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CHECK_TEXT(p, "preset", "litellm-router");
    CHECK_TEXT(p, "retry.max_attempts", "5");
    const sim_cfg_node *ma = at(p, "retry.max_attempts");
    CU_ASSERT_EQUAL(ma->line, 18);                                   /* the position of num_retries' value */
    CU_ASSERT_EQUAL(ma->col, 16);
    CHECK_TEXT(p, "retry.timeout", "20s");
    CHECK_TEXT(p, "retry.backoff", "constant");                    /* 2 deployments: at once */
    CHECK_TEXT(p, "retry.base", "0");
    CHECK_TEXT(p, "retry.others", "retry");
    CHECK_TEXT(p, "retry.fallback_on[0]", "404");
    CHECK_TEXT(p, "retry.fallback_on[1]", "context-window");
    CHECK_TEXT(p, "retry.fallback_on[2]", "400");
    CHECK_TEXT(p, "retry.fallback_on_exhaust", "true");
    CHECK_TEXT(p, "retry.count", "first-kind");
    CHECK_TEXT(p, "retry.on[0].match", "429");                      /* TimeoutErrorRetries 4 = num_retries: no rule */
    CHECK_TEXT(p, "retry.on[0].max_attempts", "7");
    CU_ASSERT_PTR_NULL(at(p, "retry.on[1]"));
    CHECK_TEXT(p, "targets[0]", "east");
    CHECK_TEXT(p, "targets[2]", "anthropic-claude-sonnet-4");
    CHECK_TEXT(p, "load_balancing.strategy", "least-outstanding");
    CHECK_TEXT(p, "load_balancing.tiers[0]", "2");
    CHECK_TEXT(p, "load_balancing.tiers[1]", "1");
    CU_ASSERT_PTR_NULL(at(p, "load_balancing.weights"));             /* weights are simple-shuffle's */
    CHECK_TEXT(p, "cooldown.kind", "litellm");
    CHECK_TEXT(p, "cooldown.allowed_fails", "1");                  /* != litellm.allowed_fails 3: legacy */
    CHECK_TEXT(p, "cooldown.cooldown", "15s");
    CHECK_TEXT(p, "context_fallback[0]", "openai-gpt-4.1");
    const sim_cfg_node *c = policy(&im, "claude");                  /* one deployment */
    CHECK_TEXT(c, "retry.floor", "2s");                            /* retry_after */
    CHECK_TEXT(c, "retry.fail_on[0]", "404");
    CHECK_TEXT(c, "retry.fail_on[1]", "401");
    CU_ASSERT_PTR_NULL(at(c, "retry.backoff"));
    CU_ASSERT_PTR_NULL(at(c, "load_balancing"));
    CHECK_TEXT(policy(&im, "big"), "retry.timeout", "90s");        /* the deployment's own timeout */
    /* notes for the emitted YAML */
    CHECK_TEXT(p, "retry.max_attempts", "5");
    const char *note = sim_import_note_of(&im, ma);
    CU_ASSERT_PTR_NOT_NULL(note);
    if (note) CU_ASSERT_STRING_EQUAL(note, "num_retries 4 + 1");
    sim_import_free(&im);
}

static void test_litellm_strategies(void)
{
    static const char *const map[][2] = {
        { "simple-shuffle", "weighted-random" }, { "least-busy", "least-outstanding" },
        { "usage-based-routing", "lowest-usage" }, { "usage-based-routing-v2", "lowest-usage" },
        { "latency-based-routing", "ewma" }, { "cost-based-routing", "lowest-cost" },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        char text[600];
        snprintf(text, sizeof text,
                 "model_list:\n"
                 "  - { model_name: g, litellm_params: { model: a/x, rpm: 100, weight: 3 } }\n"
                 "  - { model_name: g, litellm_params: { model: a/y, rpm: 50 } }\n"
                 "router_settings: { routing_strategy: %s }\n", map[i][0]);
        sim_import im;
        sim_err err;
        CU_ASSERT_EQUAL_FATAL(import_text(SIM_IMPORT_LITELLM, "s.yaml", text, 0, &im, &err), 0);
        const sim_cfg_node *p = policy(&im, "g");
        CHECK_TEXT(p, "load_balancing.strategy", map[i][1]);
        if (i == 0) {      /* simple_shuffle.py: the first has a weight, so a missing weight is 0 */
            CHECK_TEXT(p, "load_balancing.weights[0]", "3");
            CHECK_TEXT(p, "load_balancing.weights[1]", "0");
        }
        if (i == 4) CHECK_HAS(im.warnings.s, "s.yaml:4:38: warning: latency-based-routing");
        sim_import_free(&im);
    }
    /* rpm weights when no weight is given */
    sim_import im;
    sim_err err;
    CU_ASSERT_EQUAL_FATAL(import_text(SIM_IMPORT_LITELLM, "w.yaml",
                                      "model_list:\n"
                                      "  - { model_name: g, litellm_params: { model: a/x, rpm: 100 } }\n"
                                      "  - { model_name: g, litellm_params: { model: a/y, rpm: 50 } }\n", 0, &im, &err), 0);
    CHECK_TEXT(policy(&im, "g"), "load_balancing.weights[1]", "50");
    CHECK_TEXT(policy(&im, "g"), "retry.max_attempts", "3");       /* openai.DEFAULT_MAX_RETRIES 2 */
    CHECK_TEXT(policy(&im, "g"), "cooldown.allowed_fails", "0");   /* the failure-rate rule */
    CHECK_TEXT(policy(&im, "g"), "cooldown.cooldown", "5s");
    sim_import_free(&im);
    CU_ASSERT(import_text(SIM_IMPORT_LITELLM, "u.yaml",
                          "model_list: [{ model_name: g, litellm_params: { model: a/x } }, { model_name: g, litellm_params: { model: a/y } }]\n"
                          "router_settings: { routing_strategy: least-bussy }\n", 0, &im, &err) < 0);
    CHECK_HAS(err.msg, "u.yaml:2:38: unknown routing_strategy 'least-bussy'; did you mean 'least-busy'?");
}

static void test_litellm_cooldowns(void)
{
    sim_import im;
    sim_err err;
    /* allowed_fails in litellm_settings only: litellm.allowed_fails, the failure-rate rule stays */
    CU_ASSERT_EQUAL_FATAL(import_text(SIM_IMPORT_LITELLM, "c.yaml",
                                      "model_list: [{ model_name: g, litellm_params: { model: a/x } }]\n"
                                      "litellm_settings: { allowed_fails: 1, cooldown_time: 9 }\n", 0, &im, &err), 0);
    CHECK_TEXT(policy(&im, "g"), "cooldown.allowed_fails", "0");
    CHECK_TEXT(policy(&im, "g"), "cooldown.cooldown", "9s");
    CHECK_HAS(im.warnings.s, "c.yaml:2:21: warning: litellm_settings.allowed_fails sets litellm.allowed_fails");
    sim_import_free(&im);
    /* router allowed_fails equal to litellm.allowed_fails (3): not the legacy rule either */
    CU_ASSERT_EQUAL_FATAL(import_text(SIM_IMPORT_LITELLM, "c.yaml",
                                      "model_list: [{ model_name: g, litellm_params: { model: a/x } }]\n"
                                      "router_settings: { allowed_fails: 3 }\n", 0, &im, &err), 0);
    CHECK_TEXT(policy(&im, "g"), "cooldown.allowed_fails", "0");
    sim_import_free(&im);
    /* allowed_fails_policy: legacy, per-kind counts warned */
    CU_ASSERT_EQUAL_FATAL(import_text(SIM_IMPORT_LITELLM, "c.yaml",
                                      "model_list: [{ model_name: g, litellm_params: { model: a/x } }]\n"
                                      "router_settings: { allowed_fails_policy: { RateLimitErrorAllowedFails: 10 } }\n",
                                      0, &im, &err), 0);
    CHECK_TEXT(policy(&im, "g"), "cooldown.allowed_fails", "3");
    CHECK_HAS(im.warnings.s, "warning: allowed_fails_policy: per-kind allowed fails are not simulated");
    sim_import_free(&im);
    /* disable_cooldowns: no cooldown part, and not the stack preset that brings one */
    CU_ASSERT_EQUAL_FATAL(import_text(SIM_IMPORT_LITELLM, "c.yaml",
                                      "model_list: [{ model_name: g, litellm_params: { model: a/x } }]\n"
                                      "router_settings: { disable_cooldowns: true }\n", 0, &im, &err), 0);
    CU_ASSERT_PTR_NULL(at(policy(&im, "g"), "cooldown"));
    CHECK_TEXT(policy(&im, "g"), "preset", "openai-python");
    CHECK_TEXT(policy(&im, "g"), "retry.honor_should_retry", "false");
    sim_import_free(&im);
}

static void test_litellm_policy_and_layers(void)
{
    sim_import im;
    sim_err err;
    CU_ASSERT_EQUAL_FATAL(import_text(SIM_IMPORT_LITELLM, "p.yaml",
        "model_list:\n"
        "  - { model_name: g, litellm_params: { model: openai/gpt-4o, max_retries: 2 } }\n"
        "  - { model_name: h, litellm_params: { model: anthropic/x, max_retries: 3 } }\n"
        "  - { model_name: k, litellm_params: { model: openai/y }, model_info: { id: kid } }\n"
        "router_settings:\n"
        "  num_retries: 2\n"
        "  retry_policy: { AuthenticationErrorRetries: 1, ContentPolicyViolationErrorRetries: 0,\n"
        "                  BadRequestErrorRetries: 3, InternalServerErrorRetries: 5, ServiceUnavailableErrorRetries: 0,\n"
        "                  NotFoundErrorRetries: 1 }\n"
        "  model_group_retry_policy: { h: { DefaultRetries: 6 } }\n"
        "  fallbacks: [{\"g\": [\"kid\"]}]\n", 0, &im, &err), 0);
    const sim_cfg_node *g = policy(&im, "g");
    /* the order of get_num_retries_from_retry_policy: Authentication, Timeout, RateLimit,
     * ContentPolicy, BadRequest (without content-policy: it has its own field), then 503, 5xx */
    CHECK_TEXT(g, "retry.on[0].match", "401");
    CHECK_TEXT(g, "retry.on[0].max_attempts", "2");
    CHECK_TEXT(g, "retry.on[1].match[0]", "400");
    CHECK_TEXT(g, "retry.on[1].match[1]", "context-window");
    CU_ASSERT_PTR_NULL(at(g, "retry.on[1].match[2]"));
    CHECK_TEXT(g, "retry.on[2].match", "5xx");
    CHECK_TEXT(g, "retry.on[2].max_attempts", "6");
    CHECK_TEXT(g, "retry.fallback_on[1]", "401");                  /* one deployment: no retry of a 401 */
    CHECK_TEXT(g, "retry.fallback_on[2]", "content-policy");
    CHECK_TEXT(g, "retry.fallback_on[3]", "503");
    CHECK_TEXT(g, "targets[1]", "kid");                           /* a fallback to a model_info.id */
    CHECK_TEXT(g, "inner.preset", "openai-python");                /* the openai client's own retries */
    CHECK_TEXT(g, "inner.retry.max_attempts", "3");
    const sim_cfg_node *h = policy(&im, "h");
    CHECK_TEXT(h, "retry.max_attempts", "7");                      /* model_group_retry_policy DefaultRetries */
    CU_ASSERT_PTR_NULL(at(h, "retry.on"));                         /* the group's policy replaces the router's */
    CU_ASSERT_PTR_NULL(at(h, "inner"));                            /* not an OpenAI client */
    CHECK_HAS(im.warnings.s, "p.yaml:3:73: warning: max_retries of a non-OpenAI/Azure deployment");
    CHECK_HAS(im.warnings.s, "p.yaml:9:19: warning: retry_policy 'NotFoundErrorRetries': understood, not simulated");
    sim_import_free(&im);
}

static void test_litellm_warnings(void)
{
    sim_import im;
    sim_err err;
    CU_ASSERT_EQUAL_FATAL(import_text(SIM_IMPORT_LITELLM, "w.yaml", LITE, 0, &im, &err), 0);
    static const char *want =
        "w.yaml:5:7: warning: model_list[].litellm_params 'api_key' (2 places, the first here): understood, not simulated: "
        "credentials and endpoints are not simulated\n"
        "w.yaml:20:16: warning: group 'gpt-4o': retry_after is a minimum of the backoff, which the router skips while "
        "another deployment is healthy (it then retries at once)\n"
        "w.yaml:27:3: warning: litellm_settings 'drop_params': understood, not simulated: module settings that do not change "
        "retries, routing or cooldowns\n";
    char got[4000] = "";                 /* without the scratch directory's prefix */
    size_t dl = strlen(scratch()) + 1;
    for (const char *l = im.warnings.s; l && *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) + 1 : strlen(l);
        if (!strncmp(l, scratch(), dl - 1)) { l += dl; n -= dl; }
        strncat(got, l, n < sizeof got - strlen(got) - 1 ? n : sizeof got - strlen(got) - 1);
        l += n;
    }
    if (strcmp(got, want)) fprintf(stderr, "\n  got:\n%s  want:\n%s", got, want);
    CU_ASSERT_STRING_EQUAL(got, want);
    CU_ASSERT_EQUAL(im.nwarnings, 3);
    sim_import_free(&im);
}

static void test_unknown_and_lenient(void)
{
    static const char *text =
        "model_list:\n"
        "  - model_name: g\n"
        "    litellm_params: { model: a/x, rmp: 5 }\n"
        "router_setings: { num_retries: 1 }\n";
    sim_import im;
    sim_err err;
    CU_ASSERT(import_text(SIM_IMPORT_LITELLM, "u.yaml", text, 0, &im, &err) < 0);
    char want[600];
    snprintf(want, sizeof want, "%s/u.yaml:4:1: unknown key 'router_setings' in the LiteLLM config; did you mean "
             "'router_settings'? (--lenient makes unknown keys warnings)", scratch());
    if (strcmp(err.msg, want)) fprintf(stderr, "\n  got:  %s\n  want: %s\n", err.msg, want);
    CU_ASSERT_STRING_EQUAL(err.msg, want);
    CU_ASSERT_EQUAL_FATAL(import_text(SIM_IMPORT_LITELLM, "u.yaml", text, 1, &im, &err), 0);
    CHECK_HAS(im.warnings.s, "u.yaml:3:35: warning: unknown key 'rmp' in model_list[0].litellm_params; did you mean 'rpm'?; ignored (--lenient)");
    CHECK_HAS(im.warnings.s, "u.yaml:4:1: warning: unknown key 'router_setings' in the LiteLLM config");
    sim_import_free(&im);
    /* litellm_params passes any parameter on: an unfamiliar one is a warning, a near miss an error */
    CU_ASSERT_EQUAL_FATAL(import_text(SIM_IMPORT_LITELLM, "o.yaml",
                                      "model_list: [{ model_name: g, litellm_params: { model: a/x, top_k: 5 } }]\n", 0, &im, &err), 0);
    CHECK_HAS(im.warnings.s, "o.yaml:1:61: warning: model_list[].litellm_params 'top_k': understood, not simulated: passed to the provider call");
    sim_import_free(&im);
    /* Portkey: the same rule */
    CU_ASSERT(import_text(SIM_IMPORT_PORTKEY, "u.json", "{ \"retry\": { \"atempts\": 2 } }", 0, &im, &err) < 0);
    CHECK_HAS(err.msg, "u.json:1:14: unknown key 'atempts' in retry; did you mean 'attempts'?");
    /* bad values are located too */
    CU_ASSERT(import_text(SIM_IMPORT_LITELLM, "b.yaml", "model_list: [{ model_name: g, litellm_params: { model: a, rpm: lots } }]\n",
                          0, &im, &err) < 0);
    CHECK_HAS(err.msg, "b.yaml:1:64: expected a number for 'rpm', got 'lots'");
    CU_ASSERT(import_text(SIM_IMPORT_LITELLM, "b.yaml", "model_list: [{ model_name: gpt, litellm_params: { model: a } }]\n"
                          "router_settings: { fallbacks: [{\"gpt\": [\"clade\"]}] }\n", 0, &im, &err) < 0);
    CHECK_HAS(err.msg, "b.yaml:2:41: 'fallbacks': no model group, wildcard group or model_info.id 'clade'");
    CU_ASSERT(import_text(SIM_IMPORT_LITELLM, "b.yaml", "router_settings: {}\n", 0, &im, &err) < 0);
    CHECK_HAS(err.msg, "b.yaml:1:1: missing required key 'model_list'");
}

/* ---- Portkey --------------------------------------------------------------------- */

static const char *NESTED =
    "{\n"
    "  \"retry\": { \"attempts\": 2, \"on_status_codes\": [429, 503, 408], \"use_retry_after_header\": true },\n"
    "  \"request_timeout\": 15000,\n"
    "  \"strategy\": { \"mode\": \"fallback\", \"on_status_codes\": [429, 503, 500] },\n"
    "  \"targets\": [\n"
    "    { \"strategy\": { \"mode\": \"loadbalance\" },\n"
    "      \"weight\": 3,\n"
    "      \"targets\": [\n"
    "        { \"virtual_key\": \"a\", \"weight\": 0.7 },\n"
    "        { \"strategy\": { \"mode\": \"loadbalance\" }, \"weight\": 0.3,\n"
    "          \"targets\": [ { \"virtual_key\": \"b1\" }, { \"virtual_key\": \"b2\", \"weight\": 3 } ] }\n"
    "      ] },\n"
    "    { \"provider\": \"anthropic\", \"api_key\": \"k\", \"override_params\": { \"model\": \"claude\" } },\n"
    "    { \"override_params\": { \"model\": \"@groq-prod/llama\" } }\n"
    "  ]\n"
    "}\n";

static void test_portkey_nested(void)
{
    sim_import im;
    sim_err err;
    CU_ASSERT_EQUAL_FATAL(import_text(SIM_IMPORT_PORTKEY, "pk.json", NESTED, 0, &im, &err), 0);
    CU_ASSERT_EQUAL(im.providers->n, 5);
    CHECK_TEXT(im.providers->items[0], "name", "a");
    CHECK_TEXT(im.providers->items[3], "name", "anthropic-claude");
    CHECK_TEXT(im.providers->items[4], "name", "groq-prod-llama");
    const sim_cfg_node *p = policy(&im, "portkey");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CHECK_TEXT(p, "preset", "portkey");
    CHECK_TEXT(p, "retry.max_attempts", "3");
    CHECK_TEXT(p, "retry.timeout", "15000ms");
    CHECK_TEXT(p, "retry.retry_after", "ceiling-give-up");      /* the older spelling of the switch */
    CHECK_TEXT(p, "retry.retry_after_ceiling", "60s");
    CHECK_TEXT(p, "retry.retry_after_budget", "60s");
    CHECK_TEXT(p, "retry.others", "fail");
    CHECK_TEXT(p, "retry.retry_on[0]", "429");
    CHECK_TEXT(p, "retry.retry_on[2]", "408");
    CHECK_TEXT(p, "retry.retry_on[3]", "timeout");              /* a timeout is answered 408 */
    CHECK_TEXT(p, "retry.retry_on[4]", "refused");
    CHECK_TEXT(p, "retry.fallback_on[0]", "500");               /* fallback codes not retried */
    CU_ASSERT_PTR_NULL(at(p, "retry.fallback_on[1]"));
    CHECK_TEXT(p, "retry.fallback_on_exhaust", "true");
    CHECK_TEXT(p, "load_balancing.strategy", "weighted-random");
    CHECK_TEXT(p, "load_balancing.tiers[0]", "3");              /* the loadbalance cluster, then one target each */
    CHECK_TEXT(p, "load_balancing.tiers[1]", "1");
    CHECK_TEXT(p, "load_balancing.tiers[2]", "1");
    CHECK_TEXT(p, "load_balancing.weights[0]", "0.7");          /* shares: 0.7; 0.3 x 1/4; 0.3 x 3/4 */
    CHECK_TEXT(p, "load_balancing.weights[1]", "0.075");
    CHECK_TEXT(p, "load_balancing.weights[2]", "0.225");
    CHECK_TEXT(p, "load_balancing.weights[3]", "1");
    CHECK_TEXT(p, "load_balancing.sticky", "true");
    CHECK_HAS(im.warnings.s, "pk.json:7:7: warning: weight applies to loadbalance targets; a fallback ignores it");
    CHECK_HAS(im.warnings.s, "pk.json:13:32: warning: a target 'api_key': understood, not simulated");
    sim_import_free(&im);
}

static void test_portkey_modes(void)
{
    sim_import im;
    sim_err err;
    /* no retry key: no retries; no codes: every failure falls back */
    CU_ASSERT_EQUAL_FATAL(import_text(SIM_IMPORT_PORTKEY, "m.json",
        "{ \"strategy\": { \"mode\": \"fallback\" }, \"targets\": [ { \"virtual_key\": \"x\" }, { \"virtual_key\": \"y\" } ] }",
        0, &im, &err), 0);
    const sim_cfg_node *p = policy(&im, "portkey");
    CHECK_TEXT(p, "retry.max_attempts", "1");
    CHECK_TEXT(p, "retry.others", "fallback");
    CU_ASSERT_PTR_NULL(at(p, "retry.retry_after"));
    sim_import_free(&im);
    /* default retry codes with attempts */
    CU_ASSERT_EQUAL_FATAL(import_text(SIM_IMPORT_PORTKEY, "m.json", "{ \"retry\": { \"attempts\": 5 }, \"virtual_key\": \"x\" }",
                                      0, &im, &err), 0);
    p = policy(&im, "portkey");
    CHECK_TEXT(p, "retry.retry_on[0]", "429");
    CHECK_TEXT(p, "retry.retry_on[4]", "504");
    CU_ASSERT_PTR_NULL(at(p, "load_balancing"));
    sim_import_free(&im);
    /* single: the first target only, warned */
    CU_ASSERT_EQUAL_FATAL(import_text(SIM_IMPORT_PORTKEY, "m.json",
        "{ \"strategy\": { \"mode\": \"single\" }, \"targets\": [ { \"virtual_key\": \"x\" }, { \"virtual_key\": \"y\" } ] }",
        0, &im, &err), 0);
    CU_ASSERT_EQUAL(im.providers->n, 1);
    CHECK_HAS(im.warnings.s, "m.json:1:74: warning: mode single uses targets[0] only");
    sim_import_free(&im);
    /* a fallback nested in a loadbalance: only its first group, warned */
    CU_ASSERT_EQUAL_FATAL(import_text(SIM_IMPORT_PORTKEY, "m.json",
        "{ \"strategy\": { \"mode\": \"loadbalance\" }, \"targets\": [\n"
        "  { \"strategy\": { \"mode\": \"fallback\" }, \"targets\": [ { \"virtual_key\": \"x\" }, { \"virtual_key\": \"y\" } ] },\n"
        "  { \"virtual_key\": \"z\" } ] }", 0, &im, &err), 0);
    CU_ASSERT_EQUAL(im.providers->n, 2);
    CHECK_HAS(im.warnings.s, "m.json:2:17: warning: a fallback inside a loadbalance target");
    sim_import_free(&im);
    /* errors */
    CU_ASSERT(import_text(SIM_IMPORT_PORTKEY, "e.json", "{ \"strategy\": { \"mode\": \"fallbak\" }, \"targets\": [ {} ] }",
                          0, &im, &err) < 0);
    CHECK_HAS(err.msg, "e.json:1:25: ");
    CHECK_HAS(err.msg, "did you mean 'fallback'?");
    CU_ASSERT(import_text(SIM_IMPORT_PORTKEY, "e.json", "{ \"retry\": { \"on_status_codes\": [429] } }", 0, &im, &err) < 0);
    CHECK_HAS(err.msg, "e.json:1:12: missing required key 'attempts'");
    CU_ASSERT(import_text(SIM_IMPORT_PORTKEY, "e.json", "{ \"targets\": [] }", 0, &im, &err) < 0);
    CHECK_HAS(err.msg, "'targets' needs a 'strategy'");
}

/* ---- expansion in scenarios -------------------------------------------------------- */

static void test_expand(void)
{
    write_file("pk.json", "{ \"retry\": { \"attempts\": 2 }, \"strategy\": { \"mode\": \"fallback\" },\n"
                          "  \"targets\": [ { \"virtual_key\": \"x\" }, { \"virtual_key\": \"y\" } ] }\n");
    const char *sc = write_file("s.yaml",
        "scenario: s\n"
        "duration: 1m\n"
        "providers:\n"
        "  - import: { format: portkey, file: pk.json }\n"
        "  - { name: x, rate_limit: { rpm: 60 }, latency: { ttft: 1s } }\n"
        "  - { name: other }\n"
        "workload: { clients: 2 }\n"
        "policies:\n"
        "  - import: { format: portkey, file: pk.json, name: prod }\n"
        "  - { name: prod, retry: { max_attempts: 5 } }\n"
        "  - { name: plain, targets: [other] }\n");
    sim_scenario s;
    sim_err err;
    int rc = sim_scenario_load(sc, NULL, 0, &s, &err);
    if (rc) fprintf(stderr, "\n  %s\n", err.msg);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL(s.nproviders, 3);
    CU_ASSERT_STRING_EQUAL(s.providers[0].name, "x");
    CU_ASSERT_EQUAL(s.providers[0].base.rpm, 60);                 /* merged by name: the scenario's keys win ... */
    CU_ASSERT_EQUAL(s.providers[0].base.concurrency, 100);        /* ... over the imported ones they name */
    CU_ASSERT_EQUAL(s.providers[0].ttft.a, 1e9);
    CU_ASSERT_EQUAL(s.npolicies, 2);
    CU_ASSERT_STRING_EQUAL(s.policies[0].name, "prod");
    CU_ASSERT_EQUAL(s.policies[0].retry.max_attempts, 5);
    CU_ASSERT_EQUAL(s.policies[0].ntargets, 2);
    CU_ASSERT(s.policies[0].st.use[SIM_PART_LB]);
    CU_ASSERT_EQUAL(s.policies[0].st.nlb_tiers, 2);
    CU_ASSERT(s.policies[0].st.lb_sticky);
    sim_scenario_free(&s);
    /* a top-level import brings both */
    sc = write_file("t.yaml", "scenario: t\nduration: 1m\nimport: { format: portkey, file: pk.json }\nworkload: { clients: 2 }\n");
    CU_ASSERT_EQUAL_FATAL(sim_scenario_load(sc, NULL, 0, &s, &err), 0);
    CU_ASSERT_EQUAL(s.nproviders, 2);
    CU_ASSERT_EQUAL(s.npolicies, 1);
    sim_scenario_free(&s);
    /* overrides see the imported entries */
    const char *ov[] = { "policies[portkey].retry.max_attempts=7", "providers[y].concurrency=3" };
    CU_ASSERT_EQUAL_FATAL(sim_scenario_load(sc, ov, 2, &s, &err), 0);
    CU_ASSERT_EQUAL(s.policies[0].retry.max_attempts, 7);
    CU_ASSERT_EQUAL(s.providers[1].base.concurrency, 3);
    sim_scenario_free(&s);
    /* located errors */
    static const struct { const char *text, *want; } bad[] = {
        { "scenario: u\nduration: 1m\nimport: { format: portkee, file: pk.json }\nworkload: { clients: 2 }\n",
          "u.yaml:3:19: unknown import format 'portkee' (litellm or portkey); did you mean 'portkey'?" },
        { "scenario: u\nduration: 1m\nimport: { format: portkey, file: nope.json }\nworkload: { clients: 2 }\n",
          "u.yaml:3:34: import: " },
        { "scenario: u\nduration: 1m\nimport: { format: portkey, file: pk.json, lenient: maybe }\nworkload: { clients: 2 }\n",
          "u.yaml:3:52: " },
        { "scenario: u\nduration: 1m\nproviders: [{ import: { format: portkey, file: pk.json }, name: z }]\nworkload: { clients: 2 }\npolicies: [{ name: p }]\n",
          "u.yaml:3:59: an import entry has only 'import:'" },
        { "scenario: u\nduration: 1m\nimport: { format: litellm, file: pk.json }\nworkload: { clients: 2 }\n",
          "pk.json:1:3: unknown key 'retry' in the LiteLLM config" },
        { "scenario: u\nduration: 1m\nimport: { format: portkey, file: pk.json }\nworkload: { clients: 2 }\n"
          "policies: [{ name: portkey, retry: { max_attempts: many } }]\n",
          "u.yaml:5:52: expected an integer" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sc = write_file("u.yaml", bad[i].text);
        rc = sim_scenario_load(sc, NULL, 0, &s, &err);
        CU_ASSERT(rc < 0);
        if (rc < 0) CHECK_HAS(err.msg, bad[i].want);
        else sim_scenario_free(&s);
    }
    /* an error in an imported value, found by the loader, points into the config */
    write_file("bad.json", "{ \"retry\": { \"attempts\": 2 }, \"request_timeout\": -5, \"virtual_key\": \"x\" }");
    sc = write_file("v.yaml", "scenario: v\nduration: 1m\nimport: { format: portkey, file: bad.json }\nworkload: { clients: 2 }\n");
    CU_ASSERT(sim_scenario_load(sc, NULL, 0, &s, &err) < 0);
    CHECK_HAS(err.msg, "bad.json:1:50: 'request_timeout' must be >= 0");
}

/* ---- export ------------------------------------------------------------------------------ */

static void test_export(void)
{
    static const char *cfg =
        "# our router\n"
        "model_list:\n"
        "  - model_name: g\n"
        "    litellm_params: { model: azure/a, rpm: 300, weight: 2, timeout: 30 }\n"
        "  - model_name: g\n"
        "    litellm_params:\n"
        "      model: azure/b\n"
        "      rpm: 200\n"
        "      weight: 1\n"
        "      timeout: 30   # seconds\n"
        "litellm_settings:\n"
        "  drop_params: true\n";
    const char *cpath = write_file("router.yaml", cfg);
    const char *sc = write_file("x.yaml", "scenario: x\nduration: 1m\nimport: { format: litellm, file: router.yaml }\n"
                                          "workload: { clients: 2 }\n");
    const char *tuned[] = { "retry.max_attempts=5", "policies[g].retry.timeout=12.5s",
                            "policies[g].load_balancing.weights[1]=1.5", "policies.cooldown.cooldown=20s" };
    char *text = NULL, path[512];
    sim_err err;
    int rc = sim_import_export(sc, NULL, 0, "g", tuned, 4, SIM_IMPORT_LITELLM, &text, path, sizeof path, &err);
    if (rc) fprintf(stderr, "\n  %s\n", err.msg);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_STRING_EQUAL(path, cpath);
    static const char *want =
        "# our router\n"
        "model_list:\n"
        "  - model_name: g\n"
        "    litellm_params: { model: azure/a, rpm: 300, weight: 2, timeout: 12.5 }\n"
        "  - model_name: g\n"
        "    litellm_params:\n"
        "      model: azure/b\n"
        "      rpm: 200\n"
        "      weight: 1.5\n"
        "      timeout: 12.5   # seconds\n"
        "litellm_settings:\n"
        "  drop_params: true\n"
        "router_settings:\n"
        "  num_retries: 4\n"
        "  cooldown_time: 20\n";
    if (strcmp(text, want)) fprintf(stderr, "\n  got:\n%s\n  want:\n%s\n", text, want);
    CU_ASSERT_STRING_EQUAL(text, want);
    free(text);
    /* a value the config cannot say */
    const char *base[] = { "policies[g].retry.jitter=none" };
    const char *t2[] = { "retry.base=2s" };
    CU_ASSERT(sim_import_export(sc, base, 1, "g", t2, 1, SIM_IMPORT_LITELLM, &text, path, sizeof path, &err) < 0);
    CHECK_HAS(err.msg, "retry.base of 'g' has no counterpart in a litellm config");
    CU_ASSERT(sim_import_export(sc, NULL, 0, "g", tuned, 1, SIM_IMPORT_PORTKEY, &text, path, sizeof path, &err) < 0);
    CHECK_HAS(err.msg, "policy 'g' was imported from a litellm config");
    /* Portkey JSON: replace and insert at the top of the object */
    write_file("pk.json", "{\n  \"retry\": { \"attempts\": 3 },\n  \"virtual_key\": \"x\"\n}\n");
    sc = write_file("y.yaml", "scenario: y\nduration: 1m\nimport: { format: portkey, file: pk.json }\nworkload: { clients: 2 }\n");
    const char *t3[] = { "retry.max_attempts=2", "retry.timeout=2.5s" };
    rc = sim_import_export(sc, NULL, 0, "portkey", t3, 2, SIM_IMPORT_PORTKEY, &text, path, sizeof path, &err);
    if (rc) fprintf(stderr, "\n  %s\n", err.msg);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    static const char *want2 = "{\n  \"request_timeout\": 2500,\n  \"retry\": { \"attempts\": 1 },\n  \"virtual_key\": \"x\"\n}\n";
    if (strcmp(text, want2)) fprintf(stderr, "\n  got:\n%s\n  want:\n%s\n", text, want2);
    CU_ASSERT_STRING_EQUAL(text, want2);
    free(text);
}

static void register_suites(void)
{
    CU_SUITE("emit", { "round trip", test_emit_roundtrip });
    CU_SUITE("litellm",
             { "key mappings and positions", test_litellm_mapping },
             { "routing strategies and weights", test_litellm_strategies },
             { "cooldown rules", test_litellm_cooldowns },
             { "retry_policy, layers, model id fallback", test_litellm_policy_and_layers },
             { "warnings with file:line:col", test_litellm_warnings },
             { "unknown keys, --lenient, bad values", test_unknown_and_lenient });
    CU_SUITE("portkey",
             { "nested targets", test_portkey_nested },
             { "modes and defaults", test_portkey_modes });
    CU_SUITE("scenario import:", { "expansion, merge by name, located errors", test_expand });
    CU_SUITE("export", { "tuned values into the config's text", test_export });
}

CU_TEST_MAIN(register_suites)
