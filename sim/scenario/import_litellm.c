/* import_litellm.c — a LiteLLM proxy config.yaml (model_list, router_settings,
 * litellm_settings) as providers and policies (import.h).
 *
 * One provider per deployment of model_list, one policy per model group
 * (model_name), named after it. The router's own loop is the only retry
 * loop: the policy's retry is the router's (num_retries + 1 attempts, its
 * retry_policy per kind, its backoff), its targets the group's deployments
 * (a load-balancing pool with the routing strategy) followed by the
 * deployments of each fallback group (one `tiers` entry per group), its
 * cooldown the router's. docs/import.md gives every key's mapping, default
 * and source (BerriAI/litellm litellm/router.py, litellm/types/router.py,
 * litellm/router_utils/).
 */
#include "import_util.h"
#include "scenario.h"
#include "units.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRY(x) do { int rc_ = (x); if (rc_ < 0) return rc_; } while (0)
#define N(a) (sizeof (a) / sizeof (a)[0])

/* ---- key tables ------------------------------------------------------------ */

static const imp_key TOP_KEYS[] = {
    { "model_list", NULL }, { "router_settings", NULL }, { "litellm_settings", NULL },
    { "general_settings", "proxy server settings (keys, database, alerting, spend tracking)" },
    { "environment_variables", "values for os.environ/ references; those values are not read" },
    { "include", "other config files are not read; import each of them too" },
    { "guardrails", "guardrails run before or after the call; no latency or failures are modeled for them" },
    { "credential_list", "credentials" },
    { "mcp_servers", "MCP servers are not LLM calls" },
    { "search_tools", "search tools are not LLM calls" },
    { "vector_store_registry", "vector stores are not LLM calls" },
    { "files_settings", "files API settings" },
    { "finetune_settings", "fine-tuning API settings" },
    { "assistant_settings", "assistants API settings" },
    { "callback_settings", "logging callbacks" },
    { "prompts", "prompt management" },
};

#define ROUTER_ONLY "router settings that do not change retries, routing or cooldowns"
static const imp_key ROUTER_KEYS[] = {
    { "routing_strategy", NULL }, { "num_retries", NULL }, { "timeout", NULL }, { "stream_timeout", NULL },
    { "retry_after", NULL }, { "allowed_fails", NULL }, { "allowed_fails_policy", NULL },
    { "cooldown_time", NULL }, { "disable_cooldowns", NULL }, { "retry_policy", NULL },
    { "model_group_retry_policy", NULL }, { "fallbacks", NULL }, { "context_window_fallbacks", NULL },
    { "content_policy_fallbacks", NULL }, { "default_fallbacks", NULL }, { "max_fallbacks", NULL },
    { "routing_strategy_args", "the strategy's tuning (ttl, lowest_latency_buffer, ...): retrysim's strategies have their own" },
    { "enable_pre_call_checks", "pre-call context-window checks: a too-long prompt fails as a 400 context-window instead" },
    { "model_group_alias", "aliases only rename groups" },
    { "redis_host", "shared state lives in one simulated router (scope: global)" },
    { "redis_port", "shared state lives in one simulated router (scope: global)" },
    { "redis_password", "shared state lives in one simulated router (scope: global)" },
    { "redis_url", "shared state lives in one simulated router (scope: global)" },
    { "cache_responses", "response caching" }, { "cache_kwargs", "response caching" },
    { "caching_groups", "response caching" }, { "client_ttl", ROUTER_ONLY },
    { "default_litellm_params", ROUTER_ONLY }, { "set_verbose", ROUTER_ONLY }, { "debug_level", ROUTER_ONLY },
    { "polling_interval", "request prioritisation (scheduler)" }, { "default_priority", "request prioritisation (scheduler)" },
    { "default_max_parallel_requests", "the router's per-deployment semaphore" },
    { "alerting_config", ROUTER_ONLY }, { "provider_budget_config", "spend budgets" },
    { "optional_pre_call_checks", ROUTER_ONLY }, { "enable_tag_filtering", "tag-based routing" },
    { "router_general_settings", ROUTER_ONLY }, { "assistants_config", ROUTER_ONLY },
    { "ignore_invalid_deployments", ROUTER_ONLY }, { "routing_groups", ROUTER_ONLY },
};

#define MODULE_ONLY "module settings that do not change retries, routing or cooldowns"
static const imp_key LITELLM_KEYS[] = {
    { "num_retries", NULL }, { "request_timeout", NULL }, { "allowed_fails", NULL }, { "fallbacks", NULL },
    { "context_window_fallbacks", NULL }, { "content_policy_fallbacks", NULL }, { "default_fallbacks", NULL },
    { "max_fallbacks", NULL }, { "cooldown_time", NULL }, { "retry_after", NULL }, { "timeout", NULL },
    { "routing_strategy", NULL }, { "retry_policy", NULL }, { "allowed_fails_policy", NULL },
    { "disable_cooldowns", NULL },
    { "drop_params", MODULE_ONLY }, { "modify_params", MODULE_ONLY }, { "set_verbose", MODULE_ONLY },
    { "json_logs", MODULE_ONLY }, { "success_callback", "logging callbacks" }, { "failure_callback", "logging callbacks" },
    { "callbacks", "logging callbacks" }, { "service_callback", "logging callbacks" },
    { "turn_off_message_logging", "logging callbacks" }, { "redact_user_api_key_info", "logging callbacks" },
    { "langfuse_default_tags", "logging callbacks" }, { "cache", "response caching" }, { "cache_params", "response caching" },
    { "max_budget", "spend budgets" }, { "budget_duration", "spend budgets" }, { "max_end_user_budget", "spend budgets" },
    { "default_team_settings", MODULE_ONLY }, { "enable_preview_features", MODULE_ONLY }, { "telemetry", MODULE_ONLY },
    { "ssl_verify", MODULE_ONLY }, { "force_ipv4", MODULE_ONLY }, { "max_parallel_requests", "the proxy's per-key parallel request limit" },
    { "default_internal_user_params", MODULE_ONLY }, { "key_generation_settings", MODULE_ONLY },
    { "upperbound_key_generate_params", MODULE_ONLY }, { "default_key_generate_params", MODULE_ONLY },
    { "guardrails", "guardrails" }, { "enable_json_schema_validation", MODULE_ONLY },
    { "disable_end_user_cost_tracking", MODULE_ONLY }, { "return_response_headers", MODULE_ONLY },
    { "num_retries_per_request", MODULE_ONLY },
};

static const imp_key DEPLOYMENT_KEYS[] = {
    { "model_name", NULL }, { "litellm_params", NULL }, { "model_info", NULL }, { "rpm", NULL }, { "tpm", NULL },
};

#define CREDENTIALS "credentials and endpoints are not simulated"
#define REQUEST_PARAM "a request parameter, not retry or routing behaviour"
static const imp_key PARAM_KEYS[] = {
    { "model", NULL }, { "rpm", NULL }, { "tpm", NULL }, { "timeout", NULL }, { "request_timeout", NULL },
    { "stream_timeout", NULL }, { "max_retries", NULL }, { "weight", NULL }, { "order", NULL },
    { "num_retries", NULL }, { "input_cost_per_token", NULL }, { "output_cost_per_token", NULL },
    { "cooldown_time", NULL },
    { "max_parallel_requests", "the router's per-deployment semaphore (requests wait, they do not fail)" },
    { "api_key", CREDENTIALS }, { "api_base", CREDENTIALS }, { "base_url", CREDENTIALS }, { "api_version", CREDENTIALS },
    { "organization", CREDENTIALS }, { "custom_llm_provider", CREDENTIALS }, { "aws_access_key_id", CREDENTIALS },
    { "aws_secret_access_key", CREDENTIALS }, { "aws_session_token", CREDENTIALS }, { "aws_region_name", CREDENTIALS },
    { "aws_profile_name", CREDENTIALS }, { "aws_role_name", CREDENTIALS }, { "aws_session_name", CREDENTIALS },
    { "vertex_project", CREDENTIALS }, { "vertex_location", CREDENTIALS }, { "vertex_credentials", CREDENTIALS },
    { "region_name", CREDENTIALS }, { "watsonx_region_name", CREDENTIALS }, { "litellm_credential_name", CREDENTIALS },
    { "tenant_id", CREDENTIALS }, { "client_id", CREDENTIALS }, { "client_secret", CREDENTIALS },
    { "azure_ad_token", CREDENTIALS }, { "azure_ad_token_provider", CREDENTIALS }, { "headers", CREDENTIALS },
    { "extra_headers", CREDENTIALS }, { "use_in_pass_through", CREDENTIALS }, { "use_litellm_proxy", CREDENTIALS },
    { "configurable_clientside_auth_params", CREDENTIALS }, { "tags", "tag-based routing" },
    { "mock_response", "a canned answer: the provider model answers instead" },
    { "input_cost_per_second", "cost per second (retrysim prices tokens)" },
    { "output_cost_per_second", "cost per second (retrysim prices tokens)" },
    { "max_budget", "spend budgets" }, { "budget_duration", "spend budgets" },
    { "max_file_size_mb", REQUEST_PARAM }, { "merge_reasoning_content_in_choices", REQUEST_PARAM },
    { "drop_params", REQUEST_PARAM }, { "additional_drop_params", REQUEST_PARAM }, { "temperature", REQUEST_PARAM },
    { "max_tokens", REQUEST_PARAM }, { "max_completion_tokens", REQUEST_PARAM }, { "top_p", REQUEST_PARAM },
    { "stop", REQUEST_PARAM }, { "seed", REQUEST_PARAM }, { "response_format", REQUEST_PARAM },
    { "reasoning_effort", REQUEST_PARAM }, { "thinking", REQUEST_PARAM }, { "stream", REQUEST_PARAM },
    { "frequency_penalty", REQUEST_PARAM }, { "presence_penalty", REQUEST_PARAM }, { "user", REQUEST_PARAM },
    { "extra_body", REQUEST_PARAM }, { "model_info", "model information (see model_info)" },
};

static const imp_key INFO_KEYS[] = {
    { "id", NULL }, { "max_input_tokens", NULL }, { "input_cost_per_token", NULL }, { "output_cost_per_token", NULL },
    { "mode", "model information" }, { "base_model", "model information" }, { "max_tokens", "model information" },
    { "max_output_tokens", "model information" }, { "description", "model information" },
    { "tier", "model information" }, { "team_id", "model information" }, { "team_public_model_name", "model information" },
    { "access_groups", "model information" }, { "db_model", "model information" }, { "litellm_provider", "model information" },
    { "metadata", "model information" }, { "supported_environments", "model information" },
    { "supports_function_calling", "model information" }, { "supports_parallel_function_calling", "model information" },
    { "supports_vision", "model information" }, { "supports_reasoning", "model information" },
    { "supports_response_schema", "model information" }, { "supports_prompt_caching", "model information" },
    { "supports_system_messages", "model information" }, { "supports_tool_choice", "model information" },
    { "supports_web_search", "model information" }, { "supports_audio_input", "model information" },
    { "supports_audio_output", "model information" }, { "supports_pdf_input", "model information" },
    { "version", "model information" }, { "created_at", "model information" }, { "updated_at", "model information" }, { "created_by", "model information" },
    { "updated_by", "model information" },
};

/* RetryPolicy (litellm/types/router.py) in the order get_num_retries_from_retry_policy
 * tests the exception types (router_utils/get_retry_from_policy.py), then the
 * fields LiteLLM's config_settings reference adds (ServiceUnavailable,
 * InternalServer). */
static const struct { const char *key, *match[3]; int n; } RETRY_KINDS[] = {
    { "AuthenticationErrorRetries",         { "401" }, 1 },
    { "TimeoutErrorRetries",                { "timeout" }, 1 },
    { "RateLimitErrorRetries",              { "429" }, 1 },
    { "ContentPolicyViolationErrorRetries", { "content-policy" }, 1 },
    { "BadRequestErrorRetries",             { "400", "context-window", "content-policy" }, 3 },
    { "ServiceUnavailableErrorRetries",     { "503" }, 1 },
    { "InternalServerErrorRetries",         { "5xx" }, 1 },
};
#define KIND_CONTENT_POLICY 3
#define KIND_BAD_REQUEST    4
static const imp_key POLICY_KEYS[] = {
    { "AuthenticationErrorRetries", NULL }, { "TimeoutErrorRetries", NULL }, { "RateLimitErrorRetries", NULL },
    { "ContentPolicyViolationErrorRetries", NULL }, { "BadRequestErrorRetries", NULL },
    { "ServiceUnavailableErrorRetries", NULL }, { "InternalServerErrorRetries", NULL }, { "DefaultRetries", NULL },
    { "NotFoundErrorRetries", "a 404 is never retried (router.py should_retry_this_error raises NotFoundError first)" },
};
static const imp_key ALLOWED_FAILS_KEYS[] = {
    { "BadRequestErrorAllowedFails", NULL }, { "AuthenticationErrorAllowedFails", NULL },
    { "TimeoutErrorAllowedFails", NULL }, { "RateLimitErrorAllowedFails", NULL },
    { "ContentPolicyViolationErrorAllowedFails", NULL }, { "InternalServerErrorAllowedFails", NULL },
};

/* ---- the settings, resolved ------------------------------------------------ */

#define DEFAULT_NUM_RETRIES   2      /* openai.DEFAULT_MAX_RETRIES (router.py) */
#define DEFAULT_ALLOWED_FAILS 3      /* litellm.allowed_fails (litellm/__init__.py, constants.DEFAULT_ALLOWED_FAILS) */
#define DEFAULT_MAX_FALLBACKS 5      /* litellm.ROUTER_MAX_FALLBACKS */

typedef struct {
    const sim_cfg_node *root, *rs, *ls;        /* the file, router_settings, litellm_settings */
    const sim_cfg_node *num_retries, *timeout, *retry_after, *allowed_fails, *module_allowed_fails,
                       *allowed_fails_policy, *cooldown_time, *disable_cooldowns, *routing_strategy,
                       *retry_policy, *group_retry_policy, *fallbacks, *cw_fallbacks, *cp_fallbacks,
                       *default_fallbacks, *max_fallbacks, *stream_timeout;
    long long num_retries_v, max_fallbacks_v;
    int cooldowns_off;
} settings;

typedef struct {
    const sim_cfg_node *item, *params, *info, *model_name;
    char   name[SIM_NAME_MAX];
    int    group;
    long long order;
    int    has_order;
} deployment;

typedef struct {
    const char *name;
    const sim_cfg_node *at;      /* the first deployment's model_name */
    int first, count;            /* deployments of the group: dep[idx[first .. first+count)] */
} group;

typedef struct {
    imp_ctx   *c;
    settings   s;
    deployment *dep;  int ndep;
    int       *idx;              /* deployments grouped by group, each group in file order */
    group     *grp;   int ngrp;
} lite;

/* A setting: router_settings first, then litellm_settings: the router reads
 * the litellm module's value (module = 1), or LiteLLM's config_settings
 * reference says "most values can also be set via litellm_settings ...
 * settings on router_settings will override those" (module = 2). */
static const sim_cfg_node *setting(lite *L, const char *key, int module)
{
    const sim_cfg_node *v = sim_cfg_get(L->s.rs, key);
    if (v) return v;
    v = sim_cfg_get(L->s.ls, key);
    return module ? v : NULL;
}

static int find_group(const lite *L, const char *name)
{
    for (int g = 0; g < L->ngrp; g++)
        if (!strcmp(L->grp[g].name, name)) return g;
    return -1;
}

/* ---- model_list ---------------------------------------------------------- */

static int load_deployments(lite *L, const sim_cfg_node *ml)
{
    imp_ctx *c = L->c;
    if (!ml) return sim_cfg_errf(c->err, L->s.root, "missing required key 'model_list' (the deployments)");
    TRY(sim_cfg_want(ml, SIM_CFG_SEQ, "model_list", c->err));
    if (ml->n == 0) return sim_cfg_errf(c->err, ml, "'model_list' needs at least one deployment");
    L->dep = calloc(ml->n, sizeof *L->dep);
    L->grp = calloc(ml->n, sizeof *L->grp);
    L->idx = calloc(ml->n, sizeof *L->idx);
    char (*names)[SIM_NAME_MAX] = calloc(ml->n, SIM_NAME_MAX);
    if (!L->dep || !L->grp || !L->idx || !names) { free(names); return sim_cfg_errf(c->err, ml, "out of memory"); }
    int rc = POL_OK;
    for (size_t i = 0; i < ml->n && !rc; i++) {
        const sim_cfg_node *it = ml->items[i];
        char what[64], pw[96], iw[96];
        snprintf(what, sizeof what, "model_list[%zu]", i);
        snprintf(pw, sizeof pw, "%s.litellm_params", what);
        snprintf(iw, sizeof iw, "%s.model_info", what);
        deployment *d = &L->dep[L->ndep];
        if ((rc = sim_cfg_want(it, SIM_CFG_MAP, what, c->err))) break;
        if ((rc = imp_check_keys(c, it, what, "model_list[]", DEPLOYMENT_KEYS, N(DEPLOYMENT_KEYS)))) break;
        if ((rc = sim_cfg_find(it, "model_name", SIM_CFG_REQ, &d->model_name, c->err)) < 0) break;
        if ((rc = sim_cfg_find(it, "litellm_params", SIM_CFG_REQ, &d->params, c->err)) < 0) break;
        rc = POL_OK;
        if (!imp_str(d->model_name)) { rc = sim_cfg_errf(c->err, d->model_name, "expected a name for 'model_name'"); break; }
        if ((rc = sim_cfg_want(d->params, SIM_CFG_MAP, pw, c->err))) break;
        if ((rc = imp_check_keys_open(c, d->params, pw, "model_list[].litellm_params", PARAM_KEYS, N(PARAM_KEYS),
                                      "passed to the provider call (litellm.completion takes any parameter)"))) break;
        d->info = sim_cfg_get(it, "model_info");
        if ((rc = imp_check_keys(c, d->info, iw, "model_list[].model_info", INFO_KEYS, N(INFO_KEYS)))) break;
        d->item = it;
        const sim_cfg_node *model = sim_cfg_get(d->params, "model"), *id = sim_cfg_get(d->info, "id");
        if (!imp_str(model)) { rc = sim_cfg_errf(c->err, model ? model : d->params, "%s: missing required key 'model'", pw); break; }
        if (strchr(d->model_name->str, '*'))
            imp_warn(c, d->model_name, "a wildcard model_name routes many model names: simulated as one group named '%s'",
                     d->model_name->str);
        imp_name(imp_str(id) ? id->str : model->str, names, L->ndep, d->name);
        memcpy(names[L->ndep], d->name, SIM_NAME_MAX);
        long long o;
        if ((rc = imp_int(c, sim_cfg_get(d->params, "order"), "order", 0, 1000000, &o)) < 0) break;
        d->has_order = rc == 1;
        d->order = d->has_order ? o : 0;
        rc = POL_OK;
        int g = find_group(L, d->model_name->str);
        if (g < 0) {
            g = L->ngrp++;
            L->grp[g].name = d->model_name->str;
            L->grp[g].at = d->model_name;
        }
        d->group = g;
        L->grp[g].count++;
        L->ndep++;
    }
    free(names);
    if (rc) return rc;
    /* deployments by group (file order inside a group) */
    int k = 0;
    for (int g = 0; g < L->ngrp; g++) {
        L->grp[g].first = k;
        for (int i = 0; i < L->ndep; i++)
            if (L->dep[i].group == g) L->idx[k++] = i;
    }
    return POL_OK;
}

/* A deployment's rpm/tpm: litellm_params first, then the deployment's own
 * key (router.py _add_deployment copies deployment.rpm into litellm_params). */
static const sim_cfg_node *dep_limit(const deployment *d, const char *key)
{
    const sim_cfg_node *v = sim_cfg_get(d->params, key);
    return v ? v : sim_cfg_get(d->item, key);
}

static int make_provider(lite *L, const deployment *d, sim_cfg_node *providers)
{
    imp_ctx *c = L->c;
    sim_cfg_node *p = imp_provider(c, d->item, d->name);
    imp_push(c, providers, p);              /* owned by the list at once: an error below frees it */
    imp_note(c, sim_cfg_get(p, "name"), "model_list deployment of group %s", d->model_name->str);
    const sim_cfg_node *rpm = dep_limit(d, "rpm"), *tpm = dep_limit(d, "tpm");
    double r = 0, t = 0;
    int hr, ht;
    TRY(hr = imp_number(c, rpm, "rpm", 0, &r));
    TRY(ht = imp_number(c, tpm, "tpm", 0, &t));
    if (hr || ht) {
        sim_cfg_node *rl = imp_map(c, hr ? rpm : tpm);
        if (hr) imp_put(c, rl, "rpm", imp_scalar(c, rpm, rpm->str));
        if (ht) imp_put(c, rl, "tpm", imp_scalar(c, tpm, tpm->str));
        imp_put(c, p, "rate_limit", rl);
        if (hr && !L->c->im->first_rpm_provider[0] && r > 0) {
            snprintf(L->c->im->first_rpm_provider, sizeof L->c->im->first_rpm_provider, "%s", d->name);
            L->c->im->first_rpm = r;
        }
    }
    /* price: USD per token -> per million tokens (litellm_params, else model_info) */
    const char *keys[2] = { "input_cost_per_token", "output_cost_per_token" };
    const char *out[2] = { "input_per_mtok", "output_per_mtok" };
    sim_cfg_node *price = NULL;
    for (int k = 0; k < 2; k++) {
        const sim_cfg_node *v = sim_cfg_get(d->params, keys[k]);
        if (!v) v = sim_cfg_get(d->info, keys[k]);
        double x;
        int h;
        TRY(h = imp_number(c, v, keys[k], 0, &x));
        if (!h) continue;
        if (!price) { price = imp_map(c, v); imp_put(c, p, "price", price); }
        imp_put(c, price, out[k], imp_scalarf(c, v, "%.10g", x * 1e6));
    }
    const sim_cfg_node *ctx = sim_cfg_get(d->info, "max_input_tokens");
    long long cw;
    int h;
    TRY(h = imp_int(c, ctx, "max_input_tokens", 0, 1000000000000LL, &cw));
    if (h) imp_put(c, p, "context_window", imp_scalar(c, ctx, ctx->str));
    const sim_cfg_node *st = sim_cfg_get(d->params, "stream_timeout");
    if (st) imp_warn(c, sim_cfg_key_node(d->params, "stream_timeout"),
                     "stream_timeout applies to stream=True calls (the time to the first chunk); the imported policies do not stream: "
                     "timeout applies (to model streams, add stream: { ttft_timeout: ... } to a policy)");
    return POL_OK;
}

/* ---- fallbacks --------------------------------------------------------------- */

/* '*' matches any run of characters (LiteLLM's wildcard model names like azure/<star>). */
static int glob(const char *pat, const char *s)
{
    if (!*pat) return !*s;
    if (*pat == '*') return glob(pat + 1, s) || (*s && glob(pat, s + 1));
    return *pat == *s && glob(pat + 1, s + 1);
}

#define NO_TARGET (-1000000)
/* What a fallback name calls: a model group (index >= 0), a group whose
 * wildcard name matches it, or one deployment by its model_info.id
 * (-(index + 1): reliability docs, "Fallback to Specific Model ID"). */
static int resolve_fallback(const lite *L, const char *name)
{
    for (int g = 0; g < L->ngrp; g++)
        if (!strcmp(L->grp[g].name, name)) return g;
    for (int g = 0; g < L->ngrp; g++)
        if (strchr(L->grp[g].name, '*') && glob(L->grp[g].name, name)) return g;
    for (int i = 0; i < L->ndep; i++) {
        const char *id = imp_str(sim_cfg_get(L->dep[i].info, "id"));
        if (id && !strcmp(id, name)) return -(i + 1);
    }
    return NO_TARGET;
}

/* The deployments a fallback entry stands for: into out (at most max), their count. */
static int fallback_members(const lite *L, int f, const deployment **out, int max)
{
    if (f < 0) { if (max > 0) out[0] = &L->dep[-f - 1]; return 1; }
    int n = 0;
    for (int i = 0; i < L->grp[f].count && n < max; i++) out[n++] = &L->dep[L->idx[L->grp[f].first + i]];
    return L->grp[f].count;
}

/* The fallback groups of `group` in a fallbacks list ([{group: [g1, g2]}, ...]),
 * with "*" (default_fallbacks) when the group has none: their indices into
 * out (at most max), the node of the list in *at. */
static int fallback_groups(lite *L, const sim_cfg_node *list, const char *key, const char *group,
                           int *out, int max, int *n, const sim_cfg_node **at)
{
    imp_ctx *c = L->c;
    *n = 0;
    *at = NULL;
    if (!list) return POL_OK;
    TRY(sim_cfg_want(list, SIM_CFG_SEQ, key, c->err));
    const sim_cfg_node *hit = NULL, *star = NULL;
    for (size_t i = 0; i < list->n; i++) {
        const sim_cfg_node *m = list->items[i];
        if (m->kind != SIM_CFG_MAP || m->n == 0)
            return sim_cfg_errf(c->err, m, "'%s' entries are maps like {\"%s\": [\"other-group\"]}", key, group);
        const char *from = m->keys[0]->str;       /* router.py: list(item.keys())[0] */
        if (m->n > 1) imp_warn(c, m->keys[1], "'%s' entry with %zu keys: LiteLLM reads only the first ('%s')", key, m->n, from);
        if (!strcmp(from, group) && !hit) hit = m->items[0];
        if (!strcmp(from, "*") && !star) star = m->items[0];
        if (strcmp(from, "*") && resolve_fallback(L, from) < 0) {
            const char *names[256];
            int nn = L->ngrp < 256 ? L->ngrp : 256;
            for (int g = 0; g < nn; g++) names[g] = L->grp[g].name;
            char msg[600];
            snprintf(msg, sizeof msg, "'%s': no model group named '%s' in model_list", key, from);
            sim_cfg_did_you_mean(msg, sizeof msg, from, names, (size_t)nn);
            return sim_cfg_errf(c->err, m->keys[0], "%s", msg);
        }
    }
    const sim_cfg_node *to = hit ? hit : star;
    if (!to) return POL_OK;
    if (to->kind != SIM_CFG_SCALAR) TRY(sim_cfg_want(to, SIM_CFG_SEQ, key, c->err));
    size_t cnt = to->kind == SIM_CFG_SEQ ? to->n : 1;
    for (size_t i = 0; i < cnt; i++) {
        const sim_cfg_node *g = to->kind == SIM_CFG_SEQ ? to->items[i] : to;
        if (!imp_str(g)) return sim_cfg_errf(c->err, g, "expected a model group name in '%s'", key);
        int k = resolve_fallback(L, g->str);
        if (k == NO_TARGET)
            return sim_cfg_errf(c->err, g, "'%s': no model group, wildcard group or model_info.id '%s' in model_list", key, g->str);
        if (k >= 0 && !strcmp(L->grp[k].name, group)) continue;
        if (*n == max) { imp_warn(c, g, "'%s': fallback groups after the first %d (max_fallbacks) are not tried", key, max); break; }
        out[(*n)++] = k;
    }
    *at = to;
    return POL_OK;
}

/* ---- one policy per group ---------------------------------------------------- */

typedef struct { const deployment *d; } tgt;

static int by_order(const void *a, const void *b)
{
    const deployment *x = *(const deployment *const *)a, *y = *(const deployment *const *)b;
    if (x->order != y->order) return x->order < y->order ? -1 : 1;
    return (x > y) - (x < y);                     /* file order among equals */
}

/* simple-shuffle weights of one tier (router_strategy/simple_shuffle.py:
 * `weight` when the first deployment has one, missing ones count 0; else rpm,
 * else tpm; else uniform). */
static void tier_weights(lite *L, const deployment *const *d, int n, sim_cfg_node *weights, int *any)
{
    imp_ctx *c = L->c;
    const char *by[3] = { "weight", "rpm", "tpm" };
    for (int k = 0; k < 3 && n > 1; k++) {
        const sim_cfg_node *first = k ? dep_limit(d[0], by[k]) : sim_cfg_get(d[0]->params, by[k]);
        if (!first) continue;
        for (int i = 0; i < n; i++) {
            const sim_cfg_node *v = k ? dep_limit(d[i], by[k]) : sim_cfg_get(d[i]->params, by[k]);
            double x = 0;
            if (v && imp_number(c, v, by[k], 0, &x) == 1) {
                sim_cfg_node *w = imp_scalar(c, v, v->str);
                if (k) imp_note(c, w, "simple-shuffle weighs by %s when the first deployment has no weight", by[k]);
                imp_push(c, weights, w);
            } else {
                sim_cfg_node *w = imp_scalar(c, d[i]->params, "0");
                imp_note(c, w, "no %s: weight 0 (simple_shuffle.py)", by[k]);
                imp_push(c, weights, w);
            }
        }
        *any = 1;
        return;
    }
    for (int i = 0; i < n; i++) imp_push(c, weights, imp_scalar(c, d[i]->params, "1"));
}

static const struct { const char *litellm, *strategy, *warn; } STRATEGIES[] = {
    { "simple-shuffle",         "weighted-random",   NULL },
    { "least-busy",             "least-outstanding", NULL },
    { "usage-based-routing",    "lowest-usage",      NULL },
    { "usage-based-routing-v2", "lowest-usage",      NULL },
    { "latency-based-routing",  "ewma",              "latency-based-routing (lowest average latency over a ttl, "
                                                     "with lowest_latency_buffer) is simulated by peak-EWMA latency" },
    { "cost-based-routing",     "lowest-cost",       NULL },
};

/* The retries a RetryPolicy gives each kind (-1: not set). */
static int read_retry_policy(lite *L, const sim_cfg_node *rp, const char *what, long long *r, const sim_cfg_node **at)
{
    imp_ctx *c = L->c;
    (void)what;
    for (size_t k = 0; k < N(RETRY_KINDS); k++) { r[k] = -1; at[k] = NULL; }
    if (!rp) return POL_OK;
    for (size_t k = 0; k < N(RETRY_KINDS); k++) {
        const sim_cfg_node *v = sim_cfg_get(rp, RETRY_KINDS[k].key);
        int h;
        TRY(h = imp_int(c, v, RETRY_KINDS[k].key, 0, 1000000, &r[k]));
        if (h) at[k] = v;
    }
    return POL_OK;
}

static sim_cfg_node *list_of(imp_ctx *c, const sim_cfg_node *at, const char *const *items, int n)
{
    sim_cfg_node *l = imp_seq(c, at);
    for (int i = 0; i < n; i++) {
        int dup = 0;
        for (int j = 0; j < i; j++) dup |= !strcmp(items[i], items[j]);
        if (!dup) imp_push(c, l, imp_scalar(c, at, items[i]));
    }
    return l;
}

static int make_policy(lite *L, int g, sim_cfg_node *policies)
{
    imp_ctx *c = L->c;
    settings *s = &L->s;
    const group *gr = &L->grp[g];
    const sim_cfg_node *secmap = s->rs ? s->rs : s->root;     /* where a missing router setting would go */

    /* tiers: the group's deployments (by order), then each fallback group's */
    const deployment *t[SIM_MAX_TARGETS];
    int tiers[SIM_MAX_TARGETS], ntiers = 0, nt = 0;
    const deployment *own[512];
    int nown = gr->count < 512 ? gr->count : 512;
    for (int i = 0; i < nown; i++) own[i] = &L->dep[L->idx[gr->first + i]];
    int orders = 0;
    for (int i = 1; i < nown; i++) orders |= own[i]->order != own[0]->order;
    if (orders) {
        qsort(own, (size_t)nown, sizeof own[0], by_order);
        imp_warn(c, sim_cfg_key_node(own[0]->params, "order"),
                 "group '%s': deployments with a larger 'order' are used only when every deployment of a smaller order "
                 "is cooled down (retrysim load_balancing tiers); a fallback also moves through these tiers", gr->name);
    }
    if (nown > SIM_MAX_TARGETS)
        return sim_cfg_errf(c->err, gr->at, "group '%s' has %d deployments; a retrysim policy has at most %d targets",
                            gr->name, gr->count, SIM_MAX_TARGETS);
    for (int i = 0; i < nown; i++) {
        if (i == 0 || (orders && own[i]->order != own[i - 1]->order)) tiers[ntiers++] = 0;
        tiers[ntiers - 1]++;
        t[nt++] = own[i];
    }
    int own_tiers = ntiers, own_size = nt;
    int fb[64], nfb;
    const sim_cfg_node *fb_at;
    TRY(fallback_groups(L, s->fallbacks, "fallbacks", gr->name, fb, (int)s->max_fallbacks_v, &nfb, &fb_at));
    if (!nfb && s->default_fallbacks) {
        TRY(sim_cfg_want(s->default_fallbacks, SIM_CFG_SEQ, "default_fallbacks", c->err));
        for (size_t i = 0; i < s->default_fallbacks->n && nfb < (int)s->max_fallbacks_v && nfb < 64; i++) {
            const sim_cfg_node *it = s->default_fallbacks->items[i];
            int k = imp_str(it) ? resolve_fallback(L, it->str) : NO_TARGET;
            if (k == NO_TARGET) return sim_cfg_errf(c->err, it, "'default_fallbacks': no model group named '%s' in model_list",
                                                    imp_str(it) ? it->str : "?");
            if (k != g) fb[nfb++] = k;
        }
        fb_at = s->default_fallbacks;
    }
    for (int f = 0; f < nfb; f++) {
        const deployment *m[SIM_MAX_TARGETS];
        int cnt = fallback_members(L, fb[f], m, SIM_MAX_TARGETS), dup = 0;
        for (int i = 0; i < cnt && i < SIM_MAX_TARGETS; i++)
            for (int j = 0; j < nt; j++) dup |= t[j] == m[i];
        if (dup) {
            imp_warn(c, fb_at, "group '%s': a fallback to a deployment already tried is not simulated again", gr->name);
            continue;
        }
        if (nt + cnt > SIM_MAX_TARGETS) {
            imp_warn(c, fb_at, "group '%s': fallback '%s' and those after it are not simulated: a retrysim policy "
                     "has at most %d targets", gr->name, fb[f] >= 0 ? L->grp[fb[f]].name : m[0]->name, SIM_MAX_TARGETS);
            break;
        }
        tiers[ntiers++] = cnt;
        for (int i = 0; i < cnt; i++) t[nt++] = m[i];
    }
    int has_fb = ntiers > own_tiers;

    sim_cfg_node *p = imp_map(c, gr->at);
    imp_push(c, policies, p);               /* owned by the list at once: an error below frees it */
    imp_put(c, p, "name", imp_scalar(c, gr->at, gr->name));
    imp_note(c, sim_cfg_get(p, "name"), "model group (model_name)");
    sim_cfg_node *preset = imp_scalar(c, secmap, s->cooldowns_off ? "openai-python" : "litellm-router");
    imp_note(c, preset, "the router's backoff is litellm.utils._calculate_retry_after, openai-python's");
    imp_put(c, p, "preset", preset);

    /* ---- retry ---- */
    sim_cfg_node *r = imp_map(c, secmap);
    imp_put(c, p, "retry", r);
    long long nr = s->num_retries_v;
    const sim_cfg_node *nr_at = s->num_retries;
    /* a deployment's num_retries replaces the router's (router.py: e.num_retries) */
    const sim_cfg_node *dnr = NULL;
    int dnr_same = 1;
    for (int i = 0; i < own_size; i++) {
        const sim_cfg_node *v = sim_cfg_get(t[i]->params, "num_retries");
        if (!v) { dnr_same &= dnr == NULL; continue; }
        if (dnr && strcmp(v->str ? v->str : "", dnr->str ? dnr->str : "")) dnr_same = 0;
        if (!dnr) dnr = v;
    }
    if (dnr) {
        long long v;
        int h;
        TRY(h = imp_int(c, dnr, "num_retries", 0, 1000000, &v));
        if (h) { nr = v; nr_at = dnr; }
        if (!dnr_same) imp_warn(c, dnr, "group '%s': the deployments' num_retries differ; this one (the first) is simulated", gr->name);
    }
    /* retry_policy (model_group_retry_policy[group] replaces it) */
    const sim_cfg_node *rp = s->retry_policy;
    const sim_cfg_node *grp_rp = s->group_retry_policy ? sim_cfg_get(s->group_retry_policy, gr->name) : NULL;
    if (grp_rp) rp = grp_rp;
    const sim_cfg_node *dr = rp ? sim_cfg_get(rp, "DefaultRetries") : NULL;
    if (dr) {
        long long v;
        int hd;
        TRY(hd = imp_int(c, dr, "DefaultRetries", 0, 1000000, &v));
        if (hd) { nr = v; nr_at = dr; }
    }
    sim_cfg_node *ma = imp_scalarf(c, nr_at ? nr_at : secmap, "%lld", nr + 1);
    if (nr_at) imp_note(c, ma, "%s %lld + 1", nr_at == dr ? "DefaultRetries" : "num_retries", nr);
    else imp_note(c, ma, "num_retries default %d (openai.DEFAULT_MAX_RETRIES) + 1", DEFAULT_NUM_RETRIES);
    imp_put(c, r, "max_attempts", ma);

    /* timeout: the deployment's, else the router's, else litellm.request_timeout (6000 s) */
    const sim_cfg_node *to = NULL;
    for (int i = 0; i < own_size && !to; i++) {
        to = sim_cfg_get(t[i]->params, "timeout");
        if (!to) to = sim_cfg_get(t[i]->params, "request_timeout");
    }
    for (int i = 0; to && i < own_size; i++) {
        const sim_cfg_node *v = sim_cfg_get(t[i]->params, "timeout");
        if (!v) v = sim_cfg_get(t[i]->params, "request_timeout");
        if (!v || !imp_str(v) || strcmp(v->str, to->str)) {
            imp_warn(c, v ? v : t[i]->params, "group '%s': the deployments' timeouts differ; the first one's is simulated "
                     "for every deployment (a retrysim policy has one per-attempt timeout)", gr->name);
            break;
        }
    }
    if (!to) to = s->timeout;
    double secs;
    int h;
    TRY(h = imp_number(c, to, "timeout", 0, &secs));
    if (h && secs > 0) {
        sim_cfg_node *tn = imp_duration(c, to, 0);
        imp_note(c, tn, "timeout %s s", to->str);
        imp_put(c, r, "timeout", tn);
    } else if (s->cooldowns_off) {
        sim_cfg_node *tn = imp_scalar(c, secmap, "6000s");
        imp_note(c, tn, "litellm.request_timeout default 6000 s");
        imp_put(c, r, "timeout", tn);
    }
    if (s->cooldowns_off) imp_put(c, r, "honor_should_retry", imp_scalar(c, secmap, "false"));

    /* backoff: at once while another deployment of the group is healthy (router.py
     * _time_to_sleep_before_retry returns 0); one deployment: the preset's, floored by retry_after */
    if (own_size > 1) {
        sim_cfg_node *b = imp_scalar(c, secmap, "constant");
        imp_note(c, b, "%d deployments: the router retries at once while one is healthy", own_size);
        imp_put(c, r, "backoff", b);
        imp_put(c, r, "base", imp_scalar(c, secmap, "0"));
        imp_put(c, r, "retry_after", imp_scalar(c, secmap, "ignore"));
        if (s->retry_after)
            imp_warn(c, s->retry_after, "group '%s': retry_after is a minimum of the backoff, which the router skips while "
                     "another deployment is healthy (it then retries at once)", gr->name);
    } else if (s->retry_after) {
        double ra;
        TRY(h = imp_number(c, s->retry_after, "retry_after", 0, &ra));
        if (h && ra > 0) {
            sim_cfg_node *f = imp_duration(c, s->retry_after, 0);
            imp_note(c, f, "retry_after: the minimum wait (min_timeout)");
            imp_put(c, r, "floor", f);
            if (ra > 8) {
                sim_cfg_node *cap = imp_duration(c, s->retry_after, 0);
                imp_note(c, cap, "the floor raises the 8 s cap");
                imp_put(c, r, "cap", cap);
            }
        }
    }

    /* classification: the router retries whatever failed (should_retry_this_error
     * refuses only the cases below); what it does not retry goes to the fallback groups */
    sim_cfg_node *others = imp_scalar(c, secmap, "retry");
    imp_note(c, others, "the router retries every failure except those listed below");
    imp_put(c, r, "others", others);
    const char *fail[16], *fbk[16];
    int nfail = 0, nfbk = 0;
    const char **xl = has_fb ? fbk : fail;
    int *xn = has_fb ? &nfbk : &nfail;
    xl[(*xn)++] = "404";                                  /* NotFoundError: never retried */
    if (own_size == 1) xl[(*xn)++] = "401";               /* AuthenticationError with one deployment */
    int cwf = 0, cpf = 0;
    int cw[64], cp[64], ncw = 0, ncp = 0;
    const sim_cfg_node *cw_at, *cp_at;
    TRY(fallback_groups(L, s->cw_fallbacks, "context_window_fallbacks", gr->name, cw, 64, &ncw, &cw_at));
    TRY(fallback_groups(L, s->cp_fallbacks, "content_policy_fallbacks", gr->name, cp, 64, &ncp, &cp_at));
    if (ncw) { fbk[nfbk++] = "context-window"; cwf = 1; }
    if (ncp) { fbk[nfbk++] = "content-policy"; cpf = 1; }

    long long kr[N(RETRY_KINDS)];
    const sim_cfg_node *kat[N(RETRY_KINDS)];
    TRY(read_retry_policy(L, rp, grp_rp ? "model_group_retry_policy" : "retry_policy", kr, kat));
    sim_cfg_node *on = NULL;
    for (size_t k = 0; k < N(RETRY_KINDS); k++) {
        if (kr[k] < 0 || kr[k] == nr) continue;
        int nm = RETRY_KINDS[k].n;
        if (k == KIND_BAD_REQUEST && kr[KIND_CONTENT_POLICY] >= 0) nm = 2;   /* ContentPolicyViolation is tested first */
        if (kr[k] == 0) {                                  /* no retries: class lists, simulated today */
            for (int m = 0; m < nm; m++) {
                const char *it = RETRY_KINDS[k].match[m];
                if ((!strcmp(it, "context-window") && cwf) || (!strcmp(it, "content-policy") && cpf)) continue;
                if (*xn < 16) xl[(*xn)++] = it;
            }
            continue;
        }
        if (!on) on = imp_seq(c, rp);
        sim_cfg_node *rule = imp_map(c, kat[k]);
        imp_put(c, rule, "match", nm == 1 ? imp_scalar(c, kat[k], RETRY_KINDS[k].match[0])
                                          : list_of(c, kat[k], RETRY_KINDS[k].match, nm));
        imp_put(c, rule, "max_attempts", imp_scalarf(c, kat[k], "%lld", kr[k] + 1));
        imp_note(c, rule, "%s %lld + 1", RETRY_KINDS[k].key, kr[k]);
        imp_push(c, on, rule);
    }
    if (nfail) imp_put(c, r, "fail_on", list_of(c, secmap, fail, nfail));
    if (nfbk) imp_put(c, r, "fallback_on", list_of(c, secmap, fbk, nfbk));
    if (has_fb) {
        sim_cfg_node *fe = imp_scalar(c, fb_at, "true");
        imp_note(c, fe, "after its retries a request falls back to the next group");
        imp_put(c, r, "fallback_on_exhaust", fe);
    }
    if (on) {
        sim_cfg_node *cnt = imp_scalar(c, rp, "first-kind");
        imp_note(c, cnt, "LiteLLM takes the retries of the first failure's kind for the whole request");
        imp_put(c, r, "count", cnt);
        imp_put(c, r, "on", on);
    }

    /* ---- targets ---- */
    sim_cfg_node *tl = imp_seq(c, gr->at);
    for (int i = 0; i < nt; i++) imp_push(c, tl, imp_scalar(c, t[i]->item, t[i]->name));
    imp_put(c, p, "targets", tl);

    /* ---- load balancing ---- */
    if (nt > 1) {
        const sim_cfg_node *rsn = s->routing_strategy;
        const char *name = imp_str(rsn) ? rsn->str : "simple-shuffle";
        size_t k = 0;
        while (k < N(STRATEGIES) && strcmp(STRATEGIES[k].litellm, name)) k++;
        if (k == N(STRATEGIES)) {
            const char *names[N(STRATEGIES)];
            for (size_t i = 0; i < N(STRATEGIES); i++) names[i] = STRATEGIES[i].litellm;
            char msg[600];
            snprintf(msg, sizeof msg, "unknown routing_strategy '%s'", name);
            sim_cfg_did_you_mean(msg, sizeof msg, name, names, N(STRATEGIES));
            return sim_cfg_errf(c->err, rsn, "%s (simple-shuffle, least-busy, usage-based-routing, usage-based-routing-v2, "
                                "latency-based-routing, cost-based-routing)", msg);
        }
        if (STRATEGIES[k].warn && g == 0) imp_warn(c, rsn, "%s", STRATEGIES[k].warn);
        sim_cfg_node *lb = imp_map(c, rsn ? rsn : secmap);
        sim_cfg_node *st = imp_scalar(c, rsn ? rsn : secmap, STRATEGIES[k].strategy);
        imp_note(c, st, "routing_strategy %s%s", name, rsn ? "" : " (the default)");
        imp_put(c, lb, "strategy", st);
        if (k == 0) {
            sim_cfg_node *w = imp_seq(c, gr->at);
            int any = 0, off = 0;
            for (int ti = 0; ti < ntiers; ti++) { tier_weights(L, t + off, tiers[ti], w, &any); off += tiers[ti]; }
            if (any) imp_put(c, lb, "weights", w);
            else sim_cfg_node_free(w);
        }
        if (ntiers > 1) {
            sim_cfg_node *tn = imp_seq(c, fb_at ? fb_at : gr->at);
            for (int ti = 0; ti < ntiers; ti++) imp_push(c, tn, imp_scalarf(c, fb_at ? fb_at : gr->at, "%d", tiers[ti]));
            imp_note(c, tn, has_fb ? "the group's deployments, then each fallback group" : "order tiers");
            imp_put(c, lb, "tiers", tn);
        }
        imp_put(c, p, "load_balancing", lb);
    }

    /* ---- cooldowns (router_utils/cooldown_handlers.py) ---- */
    if (!s->cooldowns_off) {
        sim_cfg_node *cd = imp_map(c, secmap);
        imp_put(c, p, "cooldown", cd);
        imp_put(c, cd, "kind", imp_scalar(c, secmap, "litellm"));
        long long af = DEFAULT_ALLOWED_FAILS, module_af = DEFAULT_ALLOWED_FAILS;
        if (s->module_allowed_fails) TRY(imp_int(c, s->module_allowed_fails, "allowed_fails", 0, 1000000, &module_af));
        af = module_af;
        int legacy = 0;
        if (s->allowed_fails) {
            TRY(h = imp_int(c, s->allowed_fails, "allowed_fails", 0, 1000000, &af));
            legacy = h && af != module_af;                   /* _is_allowed_fails_set_on_router */
        }
        if (s->allowed_fails_policy) {
            legacy = 1;
            TRY(imp_check_keys(c, s->allowed_fails_policy, "allowed_fails_policy", "allowed_fails_policy",
                               ALLOWED_FAILS_KEYS, N(ALLOWED_FAILS_KEYS)));
            if (g == 0)
                imp_warn(c, s->allowed_fails_policy, "allowed_fails_policy: per-kind allowed fails are not simulated; "
                         "every failure counts against allowed_fails (%lld)", af);
        }
        if (legacy && af == 0) {
            if (g == 0) imp_warn(c, s->allowed_fails, "allowed_fails 0 cools a deployment down at its first failure; "
                                 "retrysim's litellm cooldown reads 0 as the failure-rate rule: simulated with 1");
            af = 1;
        }
        sim_cfg_node *afn = imp_scalarf(c, legacy ? s->allowed_fails ? s->allowed_fails : s->allowed_fails_policy : secmap,
                                        "%lld", legacy ? af : 0);
        if (legacy) imp_note(c, afn, "allowed_fails %lld per cooldown_time (the legacy rule)", af);
        else imp_note(c, afn, "0: the failure-rate rule (allowed_fails not set apart from litellm.allowed_fails %lld)", module_af);
        imp_put(c, cd, "allowed_fails", afn);
        const sim_cfg_node *ct = s->cooldown_time;
        double cts = 0;
        if (ct) TRY(h = imp_number(c, ct, "cooldown_time", 0, &cts));
        sim_cfg_node *ctn;
        if (ct && cts > 0) { ctn = imp_duration(c, ct, 0); imp_note(c, ctn, "cooldown_time %s s", ct->str); }
        else { ctn = imp_scalar(c, secmap, "5s"); imp_note(c, ctn, "DEFAULT_COOLDOWN_TIME_SECONDS 5"); }
        imp_put(c, cd, "cooldown", ctn);
        for (int i = 0; i < nt; i++) {
            const sim_cfg_node *dct = sim_cfg_get(t[i]->params, "cooldown_time");
            if (dct && (!ct || !imp_str(dct) || !imp_str(ct) || strcmp(dct->str, ct->str)))
                imp_warn(c, dct, "a deployment's own cooldown_time is not simulated: the policy's cooldown applies to "
                         "every deployment");
        }
    }

    /* ---- error-specific chains ---- */
    const char *chain_key[2] = { "context_fallback", "content_fallback" };
    int *chain_grp[2] = { cw, cp }, nchain[2] = { ncw, ncp };
    const sim_cfg_node *chain_at[2] = { cw_at, cp_at };
    for (int k = 0; k < 2; k++) {
        if (!nchain[k]) continue;
        sim_cfg_node *l = imp_seq(c, chain_at[k]);
        int n = 0;
        for (int f = 0; f < nchain[k]; f++) {
            const deployment *m[SIM_MAX_TARGETS];
            int cnt = fallback_members(L, chain_grp[k][f], m, SIM_MAX_TARGETS);
            for (int i = 0; i < cnt && i < SIM_MAX_TARGETS && n < SIM_MAX_TARGETS; i++, n++)
                imp_push(c, l, imp_scalar(c, chain_at[k], m[i]->name));
        }
        imp_note(c, l, "the deployments of the %s groups, in order",
                 k ? "content_policy_fallbacks" : "context_window_fallbacks");
        imp_put(c, p, chain_key[k], l);
    }

    /* ---- an SDK-level retry layer: litellm_params.max_retries on an OpenAI/Azure
     * deployment (router_utils/client_initalization_utils.py builds its client with it) ---- */
    const sim_cfg_node *mr = NULL;
    for (int i = 0; i < own_size; i++) {
        const sim_cfg_node *v = sim_cfg_get(t[i]->params, "max_retries");
        if (!v) continue;
        long long m;
        TRY(h = imp_int(c, v, "max_retries", 0, 1000000, &m));
        const char *model = sim_cfg_get(t[i]->params, "model")->str;
        int openai = !strchr(model, '/') || !strncmp(model, "openai/", 7) || !strncmp(model, "azure/", 6) ||
                     !strncmp(model, "azure_text/", 11) || !strncmp(model, "text-completion-openai/", 23);
        if (!openai) {
            imp_warn(c, v, "max_retries of a non-OpenAI/Azure deployment: the router's call sets max_retries 0; "
                     "not simulated");
            continue;
        }
        if (!h || m == 0) continue;
        if (mr && strcmp(mr->str, v->str))
            imp_warn(c, v, "group '%s': the deployments' max_retries differ; the first one's SDK retry layer is simulated", gr->name);
        if (!mr) mr = v;
    }
    if (mr) {
        int all = 1;
        for (int i = 0; i < own_size; i++) {
            const sim_cfg_node *v = sim_cfg_get(t[i]->params, "max_retries");
            all &= v && imp_str(v) && !strcmp(v->str, mr->str);
        }
        if (!all)
            imp_warn(c, mr, "group '%s': max_retries is set on some deployments only; retrysim's inner retry layer applies "
                     "to every deployment of the policy", gr->name);
        sim_cfg_node *in = imp_map(c, mr);
        imp_put(c, in, "preset", imp_scalar(c, mr, "openai-python"));
        sim_cfg_node *ir = imp_map(c, mr);
        sim_cfg_node *im = imp_scalarf(c, mr, "%lld", atoll(mr->str) + 1);
        imp_note(c, im, "litellm_params.max_retries %s + 1: the openai client's own retries", mr->str);
        imp_put(c, ir, "max_attempts", im);
        imp_put(c, in, "retry", ir);
        imp_put(c, p, "inner", in);
    }
    return POL_OK;
}

/* ---- entry ------------------------------------------------------------------- */

static int read_settings(lite *L)
{
    imp_ctx *c = L->c;
    settings *s = &L->s;
    s->rs = sim_cfg_get(s->root, "router_settings");
    s->ls = sim_cfg_get(s->root, "litellm_settings");
    TRY(imp_check_keys(c, s->rs, "router_settings", NULL, ROUTER_KEYS, N(ROUTER_KEYS)));
    TRY(imp_check_keys(c, s->ls, "litellm_settings", NULL, LITELLM_KEYS, N(LITELLM_KEYS)));
    /* router.py Router.__init__: argument, else litellm.<module setting>, else the default */
    s->num_retries = setting(L, "num_retries", 1);
    s->timeout = sim_cfg_get(s->rs, "timeout");
    if (!s->timeout) s->timeout = setting(L, "timeout", 2);
    if (!s->timeout && s->ls) s->timeout = sim_cfg_get(s->ls, "request_timeout");
    s->stream_timeout = sim_cfg_get(s->rs, "stream_timeout");
    s->retry_after = setting(L, "retry_after", 2);
    s->allowed_fails = sim_cfg_get(s->rs, "allowed_fails");
    s->module_allowed_fails = s->ls ? sim_cfg_get(s->ls, "allowed_fails") : NULL;
    s->allowed_fails_policy = setting(L, "allowed_fails_policy", 2);
    s->cooldown_time = setting(L, "cooldown_time", 2);
    s->disable_cooldowns = setting(L, "disable_cooldowns", 2);
    s->routing_strategy = setting(L, "routing_strategy", 2);
    s->retry_policy = setting(L, "retry_policy", 2);
    s->group_retry_policy = sim_cfg_get(s->rs, "model_group_retry_policy");
    s->fallbacks = setting(L, "fallbacks", 1);
    s->cw_fallbacks = setting(L, "context_window_fallbacks", 1);
    s->cp_fallbacks = setting(L, "content_policy_fallbacks", 1);
    s->default_fallbacks = setting(L, "default_fallbacks", 1);
    s->max_fallbacks = setting(L, "max_fallbacks", 1);
    if (s->module_allowed_fails && !s->allowed_fails)
        imp_warn(c, sim_cfg_key_node(s->ls, "allowed_fails"),
                 "litellm_settings.allowed_fails sets litellm.allowed_fails, the router's default: cooldowns keep the "
                 "failure-rate rule unless router_settings.allowed_fails differs from it "
                 "(router_utils/cooldown_handlers.py _is_allowed_fails_set_on_router)");
    if (s->stream_timeout)
        imp_warn(c, sim_cfg_key_node(s->rs, "stream_timeout"),
                 "stream_timeout applies to stream=True calls (the time to the first chunk); the imported policies do not stream: "
                 "timeout applies (to model streams, add stream: { ttft_timeout: ... } to a policy)");
    s->num_retries_v = DEFAULT_NUM_RETRIES;
    int h;
    if (s->num_retries) TRY(h = imp_int(c, s->num_retries, "num_retries", 0, 1000000, &s->num_retries_v));
    if (s->num_retries && !imp_str(s->num_retries)) s->num_retries = NULL;
    s->max_fallbacks_v = DEFAULT_MAX_FALLBACKS;
    if (s->max_fallbacks) TRY(imp_int(c, s->max_fallbacks, "max_fallbacks", 0, 64, &s->max_fallbacks_v));
    int off = 0;
    if (s->disable_cooldowns) TRY(h = imp_bool(c, s->disable_cooldowns, "disable_cooldowns", &off));
    s->cooldowns_off = off;
    if (s->retry_policy) {
        TRY(sim_cfg_want(s->retry_policy, SIM_CFG_MAP, "retry_policy", c->err));
        TRY(imp_check_keys(c, s->retry_policy, "retry_policy", NULL, POLICY_KEYS, N(POLICY_KEYS)));
    }
    if (s->group_retry_policy) {
        TRY(sim_cfg_want(s->group_retry_policy, SIM_CFG_MAP, "model_group_retry_policy", c->err));
        for (size_t i = 0; i < s->group_retry_policy->n; i++) {
            const sim_cfg_node *k = s->group_retry_policy->keys[i];
            if (find_group(L, k->str) < 0)
                return sim_cfg_errf(c->err, k, "'model_group_retry_policy': no model group named '%s' in model_list", k->str);
            TRY(sim_cfg_want(s->group_retry_policy->items[i], SIM_CFG_MAP, "model_group_retry_policy entry", c->err));
            TRY(imp_check_keys(c, s->group_retry_policy->items[i], "model_group_retry_policy", NULL, POLICY_KEYS, N(POLICY_KEYS)));
        }
    }
    return POL_OK;
}

int imp_litellm(imp_ctx *c, const sim_cfg_node *root)
{
    sim_import *im = c->im;
    lite L;
    memset(&L, 0, sizeof L);
    L.c = c;
    L.s.root = root;
    int rc = sim_cfg_want(root, SIM_CFG_MAP, "a LiteLLM config (model_list:, router_settings:, ...)", c->err);
    if (!rc) rc = imp_check_keys(c, root, "the LiteLLM config", NULL, TOP_KEYS, N(TOP_KEYS));
    if (!rc) rc = load_deployments(&L, sim_cfg_get(root, "model_list"));
    if (!rc) rc = read_settings(&L);
    im->providers = imp_seq(c, root);
    im->policies = imp_seq(c, root);
    for (int g = 0; !rc && g < L.ngrp; g++)
        for (int i = 0; !rc && i < L.grp[g].count; i++) rc = make_provider(&L, &L.dep[L.idx[L.grp[g].first + i]], im->providers);
    for (int g = 0; !rc && g < L.ngrp; g++) rc = make_policy(&L, g, im->policies);
    free(L.dep);
    free(L.grp);
    free(L.idx);
    return rc;
}
