/* import_portkey.c — a Portkey gateway config (JSON) as providers and one
 * policy (import.h).
 *
 * The config is a tree of targets: a leaf calls one provider (with its own
 * retry loop, retryHandler.ts), a `fallback` node tries its targets in order,
 * a `loadbalance` node picks one target by weight, once per request
 * (handlers/handlerUtils.ts tryTargetsRecursively). The tree is flattened
 * into tiers of weighted leaves: a fallback concatenates its children's
 * tiers, a loadbalance multiplies its children's weights into one tier; the
 * policy's targets are the leaves, load_balancing weighted-random with those
 * weights, `tiers` for the fallback levels and `sticky` (a pick holds for
 * the request's retries). retry and request_timeout are inherited down the
 * tree (a target's own replaces its parent's). docs/import.md has every key,
 * default and source (Portkey-AI/gateway src/handlers/retryHandler.ts,
 * handlerUtils.ts, services/requestContext.ts, globals.ts,
 * middlewares/requestValidator/schema/config.ts; portkey.ai docs).
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

#define CREDENTIALS "credentials and endpoints are not simulated"
#define HOOKS "guardrails and hooks: no latency or failures are modeled for them"
static const imp_key TARGET_KEYS[] = {
    { "strategy", NULL }, { "targets", NULL }, { "retry", NULL }, { "request_timeout", NULL }, { "weight", NULL },
    { "provider", NULL }, { "virtual_key", NULL }, { "override_params", NULL }, { "name", NULL },
    { "on_status_codes", "the gateway reads on_status_codes only under strategy and retry (handlerUtils.ts)" },
    { "api_key", CREDENTIALS }, { "custom_host", CREDENTIALS }, { "forward_headers", CREDENTIALS },
    { "aws_secret_access_key", CREDENTIALS }, { "aws_access_key_id", CREDENTIALS }, { "aws_session_token", CREDENTIALS },
    { "aws_region", CREDENTIALS }, { "vertex_project_id", CREDENTIALS }, { "vertex_region", CREDENTIALS },
    { "vertex_service_account_json", CREDENTIALS }, { "openai_project", CREDENTIALS }, { "openai_organization", CREDENTIALS },
    { "azure_model_name", CREDENTIALS }, { "azure_auth_mode", CREDENTIALS }, { "azure_resource_name", CREDENTIALS },
    { "azure_deployment_id", CREDENTIALS }, { "azure_api_version", CREDENTIALS }, { "deployment_id", CREDENTIALS },
    { "resource_name", CREDENTIALS }, { "api_version", CREDENTIALS },
    { "strict_open_ai_compliance", "response format compliance" },
    { "cache", "response caching" },
    { "before_request_hooks", HOOKS }, { "after_request_hooks", HOOKS }, { "input_guardrails", HOOKS },
    { "output_guardrails", HOOKS }, { "default_input_guardrails", HOOKS }, { "default_output_guardrails", HOOKS },
    { "input_mutators", HOOKS }, { "output_mutators", HOOKS },
    { "id", "the circuit breaker of Portkey's hosted gateway (cb_config) is not in the open-source gateway" },
    { "cb_config", "the circuit breaker of Portkey's hosted gateway is not simulated" },
};
static const imp_key STRATEGY_KEYS[] = {
    { "mode", NULL }, { "on_status_codes", NULL }, { "conditions", NULL }, { "default", NULL },
};
static const imp_key RETRY_KEYS[] = {
    { "attempts", NULL }, { "on_status_codes", NULL }, { "use_retry_after_headers", NULL }, { "use_retry_after_header", NULL },
};
static const imp_key OVERRIDE_KEYS[] = { { "model", NULL } };

/* globals.ts RETRY_STATUS_CODES (the gateway's source; portkey.ai's
 * automatic-retries page also lists 529) */
static const int DEFAULT_RETRY_CODES[] = { 429, 500, 502, 503, 504 };
#define PORTKEY_MAX_RETRY_WAIT "60s"   /* globals.ts MAX_RETRY_LIMIT_MS = 60 * 1000 */

typedef struct {
    const sim_cfg_node *node;          /* the leaf target */
    const sim_cfg_node *retry, *timeout;  /* effective (inherited) retry and request_timeout */
    double weight;                     /* share of its tier */
    int    direct;                     /* a direct child of the loadbalance that made its tier */
    const sim_cfg_node *weight_node;   /* then its own weight (NULL: the default 1) */
    int    tier;
    char   name[SIM_NAME_MAX];
} leaf;

typedef struct {
    imp_ctx *c;
    leaf    *lf;  int nlf, cap;
    const sim_cfg_node *fb_codes;      /* strategy.on_status_codes of the first fallback node */
    const sim_cfg_node *fb_node;       /* that fallback node's strategy */
    int      has_fallback;
} pk;

typedef struct { int first, n; } span;     /* leaves [first, first + n) of one tier */

static int push_leaf(pk *P, const sim_cfg_node *n, const sim_cfg_node *retry, const sim_cfg_node *timeout)
{
    if (P->nlf == P->cap) {
        int cap = P->cap ? 2 * P->cap : 16;
        leaf *l = realloc(P->lf, (size_t)cap * sizeof *l);
        if (!l) return sim_cfg_errf(P->c->err, n, "out of memory");
        P->lf = l;
        P->cap = cap;
    }
    leaf *l = &P->lf[P->nlf++];
    memset(l, 0, sizeof *l);
    l->node = n;
    l->retry = retry;
    l->timeout = timeout;
    l->weight = 1;
    return POL_OK;
}

static double weight_of(pk *P, const sim_cfg_node *t, int *rc)
{
    double w = 1;
    int h = imp_number(P->c, sim_cfg_get(t, "weight"), "weight", 0, &w);
    if (h < 0) *rc = h;
    return h == 1 ? w : 1;                 /* handlerUtils.ts: undefined weight -> 1 */
}

/* Flattens target t into tiers appended to *tiers (starting at leaf index
 * P->nlf). Returns the number of tiers it made, or < 0. */
static int flatten(pk *P, const sim_cfg_node *t, const char *path, const sim_cfg_node *retry, const sim_cfg_node *timeout,
                   span *tiers, int *ntiers)
{
    imp_ctx *c = P->c;
    TRY(sim_cfg_want(t, SIM_CFG_MAP, path, c->err));
    TRY(imp_check_keys(c, t, path, "a target", TARGET_KEYS, N(TARGET_KEYS)));
    const sim_cfg_node *r = sim_cfg_get(t, "retry"), *to = sim_cfg_get(t, "request_timeout");
    if (r) { TRY(imp_check_keys(c, r, "retry", "retry", RETRY_KEYS, N(RETRY_KEYS))); retry = r; }
    if (to) timeout = to;
    const sim_cfg_node *ov = sim_cfg_get(t, "override_params");
    if (ov) TRY(imp_check_keys_open(c, ov, "override_params", "override_params", OVERRIDE_KEYS, N(OVERRIDE_KEYS),
                                    "a request parameter, not retry or routing behaviour"));
    const sim_cfg_node *st = sim_cfg_get(t, "strategy"), *tl = sim_cfg_get(t, "targets");
    if (!st && !tl) {
        TRY(push_leaf(P, t, retry, timeout));
        if (*ntiers >= SIM_MAX_TARGETS) return sim_cfg_errf(c->err, t, "more than %d targets", SIM_MAX_TARGETS);
        tiers[(*ntiers)++] = (span){ P->nlf - 1, 1 };
        return 1;
    }
    if (!st) return sim_cfg_errf(c->err, sim_cfg_key_node(t, "targets"), "'targets' needs a 'strategy' (mode single, fallback or loadbalance)");
    if (!tl) return sim_cfg_errf(c->err, st, "a 'strategy' needs 'targets'");
    TRY(sim_cfg_want(st, SIM_CFG_MAP, "strategy", c->err));
    TRY(imp_check_keys(c, st, "strategy", "strategy", STRATEGY_KEYS, N(STRATEGY_KEYS)));
    TRY(sim_cfg_want(tl, SIM_CFG_SEQ, "targets", c->err));
    if (tl->n == 0) return sim_cfg_errf(c->err, tl, "'targets' needs at least one target");
    static const char *const MODES[] = { "single", "fallback", "loadbalance", "conditional" };
    int mode;
    TRY(sim_cfg_get_enum(st, "mode", SIM_CFG_REQ, MODES, 4, 0, &mode, c->err));
    const sim_cfg_node *codes = sim_cfg_get(st, "on_status_codes");
    if (codes && mode != 1)
        imp_warn(c, sim_cfg_key_node(st, "on_status_codes"), "strategy.on_status_codes applies to mode fallback only");
    char sub[256];
    if (mode == 0 || mode == 3) {             /* single: targets[0]; conditional: its default or the first */
        size_t k = 0;
        if (mode == 3) {
            const sim_cfg_node *def = sim_cfg_get(st, "default");
            for (size_t i = 0; imp_str(def) && i < tl->n; i++) {
                const sim_cfg_node *nm = sim_cfg_get(tl->items[i], "name");
                if (imp_str(nm) && !strcmp(nm->str, def->str)) k = i;
            }
            imp_warn(c, sim_cfg_get(st, "mode"), "conditional routing by request metadata is not simulated: every request "
                     "goes to %s (targets[%zu])", imp_str(def) ? "the default target" : "the first target", k);
        } else if (tl->n > 1) {
            imp_warn(c, tl->items[1], "mode single uses targets[0] only; the other %zu targets are never called", tl->n - 1);
        }
        snprintf(sub, sizeof sub, "%s.targets[%zu]", path, k);
        return flatten(P, tl->items[k], sub, retry, timeout, tiers, ntiers);
    }
    if (mode == 1) {                          /* fallback: the children's tiers, in order */
        if (!P->has_fallback) { P->has_fallback = 1; P->fb_codes = codes; P->fb_node = st; }
        else {
            const sim_cfg_node *a = P->fb_codes, *b = codes;
            int same = (!a && !b) || (a && b && a->n == b->n);
            for (size_t i = 0; same && a && i < a->n; i++)
                same = imp_str(a->items[i]) && imp_str(b->items[i]) && !strcmp(a->items[i]->str, b->items[i]->str);
            if (!same)
                imp_warn(c, codes ? codes : st, "a nested fallback with other on_status_codes: retrysim's policy has one "
                         "classification, the first fallback's (%s:%d) is simulated", c->src, P->fb_node->line);
        }
        int made = 0;
        for (size_t i = 0; i < tl->n; i++) {
            if (sim_cfg_get(tl->items[i], "weight"))
                imp_warn(c, sim_cfg_key_node(tl->items[i], "weight"), "weight applies to loadbalance targets; a fallback ignores it");
            snprintf(sub, sizeof sub, "%s.targets[%zu]", path, i);
            int k;
            TRY(k = flatten(P, tl->items[i], sub, retry, timeout, tiers, ntiers));
            made += k;
        }
        return made;
    }
    /* loadbalance: one tier; each child's share is its weight over the sum */
    int rc = 0;
    double total = 0;
    for (size_t i = 0; i < tl->n; i++) total += weight_of(P, tl->items[i], &rc);
    TRY(rc);
    int start = P->nlf, tier0 = *ntiers;
    for (size_t i = 0; i < tl->n; i++) {
        snprintf(sub, sizeof sub, "%s.targets[%zu]", path, i);
        double w = weight_of(P, tl->items[i], &rc);
        int first = P->nlf, before = *ntiers, k;
        TRY(k = flatten(P, tl->items[i], sub, retry, timeout, tiers, ntiers));
        if (k > 1) {
            imp_warn(c, sim_cfg_get(tl->items[i], "strategy"), "a fallback inside a loadbalance target: after the pick "
                     "retrysim cannot fall back inside it; only its first target group is simulated");
            P->nlf = tiers[before].first + tiers[before].n;     /* drop the rest */
        }
        *ntiers = before;
        int single = P->nlf - first == 1 && !sim_cfg_get(tl->items[i], "targets");
        for (int j = first; j < P->nlf; j++) {
            P->lf[j].weight *= total > 0 ? w / total : 0;
            P->lf[j].direct = single;
            P->lf[j].weight_node = single ? sim_cfg_get(tl->items[i], "weight") : NULL;
        }
    }
    tiers[tier0] = (span){ start, P->nlf - start };
    *ntiers = tier0 + 1;
    return 1;
}

/* A leaf's provider name: virtual_key, else provider + model, else
 * override_params.model ("@slug/model"), else its path. */
static void leaf_name(const leaf *l, int idx, char (*names)[SIM_NAME_MAX], char *out)
{
    const sim_cfg_node *t = l->node;
    const char *vk = imp_str(sim_cfg_get(t, "virtual_key")), *prov = imp_str(sim_cfg_get(t, "provider"));
    const char *model = imp_str(sim_cfg_get(sim_cfg_get(t, "override_params"), "model"));
    char text[200];
    if (vk) snprintf(text, sizeof text, "%s", vk);
    else if (prov && model) snprintf(text, sizeof text, "%s-%s", prov, model);
    else if (model) snprintf(text, sizeof text, "%s", model[0] == '@' ? model + 1 : model);
    else if (prov) snprintf(text, sizeof text, "%s", prov);
    else snprintf(text, sizeof text, "target-%d", idx);
    imp_name(text, names, idx, out);
}

/* The status codes of a list (numbers), those outside 400..599 warned and skipped. */
static int codes_of(pk *P, const sim_cfg_node *l, const char *what, int *out, int *n)
{
    *n = 0;
    if (!l) return POL_OK;
    TRY(sim_cfg_want(l, SIM_CFG_SEQ, what, P->c->err));
    for (size_t i = 0; i < l->n && *n < 128; i++) {
        long long v;
        int h;
        TRY(h = imp_int(P->c, l->items[i], what, 100, 599, &v));
        if (!h) continue;
        if (v < 400) { imp_warn(P->c, l->items[i], "status %lld in %s: retrysim's outcomes are errors 400..599", v, what); continue; }
        out[(*n)++] = (int)v;
    }
    return POL_OK;
}

static int has(const int *a, int n, int v)
{
    for (int i = 0; i < n; i++) if (a[i] == v) return 1;
    return 0;
}

static void push_codes(imp_ctx *c, sim_cfg_node *list, const sim_cfg_node *at, const int *codes, int n)
{
    for (int i = 0; i < n; i++) imp_push(c, list, imp_scalarf(c, at, "%d", codes[i]));
}

static int retry_equal(const sim_cfg_node *a, const sim_cfg_node *b);

int imp_portkey(imp_ctx *c, const sim_cfg_node *root, const char *name)
{
    sim_import *im = c->im;
    pk P;
    memset(&P, 0, sizeof P);
    P.c = c;
    span tiers[SIM_MAX_TARGETS];
    int ntiers = 0, rc;
    im->providers = imp_seq(c, root);
    im->policies = imp_seq(c, root);
    rc = sim_cfg_want(root, SIM_CFG_MAP, "a Portkey config (a JSON object)", c->err);
    if (!rc) rc = flatten(&P, root, "the config", NULL, NULL, tiers, &ntiers);
    if (rc < 0) { free(P.lf); return rc; }
    rc = 0;
    if (P.nlf > SIM_MAX_TARGETS) {
        free(P.lf);
        return sim_cfg_errf(c->err, root, "the config has %d leaf targets; a retrysim policy has at most %d", P.nlf, SIM_MAX_TARGETS);
    }

    /* providers */
    char names[SIM_MAX_TARGETS][SIM_NAME_MAX];
    for (int i = 0; i < P.nlf; i++) {
        leaf_name(&P.lf[i], i, names, P.lf[i].name);
        memcpy(names[i], P.lf[i].name, SIM_NAME_MAX);
        sim_cfg_node *p = imp_provider(c, P.lf[i].node, P.lf[i].name);
        imp_note(c, sim_cfg_get(p, "name"), "a leaf target");
        imp_push(c, im->providers, p);
    }

    /* the retry of the first leaf (one per policy) */
    const leaf *l0 = &P.lf[0];
    for (int i = 1; i < P.nlf; i++) {
        const leaf *l = &P.lf[i];
        if (!retry_equal(l->retry, l0->retry))
            imp_warn(c, l->retry ? l->retry : l->node, "this target's retry differs from the first target's; a retrysim policy "
                     "has one retry configuration: the first target's is simulated");
        const char *a = imp_str(l->timeout), *b = imp_str(l0->timeout);
        if ((a || b) && (!a || !b || strcmp(a, b)))
            imp_warn(c, l->timeout ? l->timeout : l->node, "this target's request_timeout differs from the first target's: "
                     "the first target's is simulated");
    }
    const sim_cfg_node *rt = l0->retry, *at = rt ? rt : root;
    long long attempts = 0;
    if (rt) {
        const sim_cfg_node *a;
        rc = sim_cfg_find(rt, "attempts", SIM_CFG_REQ, &a, c->err);     /* schema: 'retry.attempts' must be defined */
        if (rc >= 0) rc = imp_int(c, a, "attempts", 0, 1000000, &attempts);
        if (rc < 0) { free(P.lf); return rc; }
        if (attempts > 5) imp_warn(c, a, "Portkey's docs allow up to 5 retry attempts; %lld simulated", attempts);
    }
    int R[128], nR = 0, S[128], nS = 0;
    const sim_cfg_node *rcodes = rt ? sim_cfg_get(rt, "on_status_codes") : NULL;
    if (attempts > 0) {
        if (rcodes) rc = codes_of(&P, rcodes, "retry.on_status_codes", R, &nR);
        else for (size_t i = 0; i < N(DEFAULT_RETRY_CODES); i++) R[nR++] = DEFAULT_RETRY_CODES[i];
    }
    if (!rc && P.fb_codes) rc = codes_of(&P, P.fb_codes, "strategy.on_status_codes", S, &nS);
    if (rc < 0) { free(P.lf); return rc; }
    int fb = ntiers > 1, fb_all = fb && !P.fb_codes;   /* no codes: every non-2xx falls back */

    sim_cfg_node *p = imp_map(c, root);
    imp_push(c, im->policies, p);           /* owned by the list at once: an error below frees it */
    imp_put(c, p, "name", imp_scalar(c, root, name && name[0] ? name : "portkey"));
    sim_cfg_node *pr = imp_scalar(c, at, "portkey");
    imp_note(c, pr, "async-retry: 1 s x2, no jitter, uncapped");
    imp_put(c, p, "preset", pr);
    sim_cfg_node *r = imp_map(c, at);
    imp_put(c, p, "retry", r);
    const sim_cfg_node *an = rt ? sim_cfg_get(rt, "attempts") : NULL;
    sim_cfg_node *ma = imp_scalarf(c, an ? an : at, "%lld", attempts + 1);
    imp_note(c, ma, an ? "retry.attempts %lld + 1" : "no retry: %lld retries", attempts);
    imp_put(c, r, "max_attempts", ma);
    if (l0->timeout) {
        double ms;
        int h = imp_number(c, l0->timeout, "request_timeout", 0, &ms);
        if (h < 0) { free(P.lf); return h; }
        if (h && ms > 0) {
            sim_cfg_node *tn = imp_duration(c, l0->timeout, 1);
            imp_note(c, tn, "request_timeout %s ms (a timeout is answered 408)", l0->timeout->str);
            imp_put(c, r, "timeout", tn);
        }
    }
    /* Retry-After: only 429s, only with the switch; a hint >= 60 s or beyond
     * what is left of 60 s in total ends the retries (retryHandler.ts) */
    const sim_cfg_node *ra = rt ? sim_cfg_get(rt, "use_retry_after_headers") : NULL;
    if (!ra && rt) ra = sim_cfg_get(rt, "use_retry_after_header");
    int honor = 0;
    if (ra && (rc = imp_bool(c, ra, "use_retry_after_headers", &honor)) < 0) { free(P.lf); return rc; }
    if (honor) {
        sim_cfg_node *mode = imp_scalar(c, ra, "ceiling-give-up");
        imp_note(c, mode, "use_retry_after_headers: a Retry-After of 60 s or more gives up");
        imp_put(c, r, "retry_after", mode);
        imp_put(c, r, "retry_after_ceiling", imp_scalar(c, ra, PORTKEY_MAX_RETRY_WAIT));
        sim_cfg_node *bud = imp_scalar(c, ra, PORTKEY_MAX_RETRY_WAIT);
        imp_note(c, bud, "MAX_RETRY_LIMIT_MS: at most 60 s of Retry-After waits per target");
        imp_put(c, r, "retry_after_budget", bud);
    }
    /* classes: R retried; with a fallback, S (or every failure) goes to the next target */
    sim_cfg_node *others = imp_scalar(c, fb_all ? root : at, fb_all ? "fallback" : "fail");
    imp_note(c, others, fb_all ? "fallback without on_status_codes: every non-2xx goes to the next target"
                               : "what is neither retried nor a fallback code ends the request");
    imp_put(c, r, "others", others);
    sim_cfg_node *ro = imp_seq(c, rcodes ? rcodes : at);
    push_codes(c, ro, rcodes ? rcodes : at, R, nR);
    if (attempts > 0) {
        if (has(R, nR, 408)) imp_push(c, ro, imp_scalar(c, at, "timeout"));
        if (has(R, nR, 400)) { imp_push(c, ro, imp_scalar(c, at, "context-window")); imp_push(c, ro, imp_scalar(c, at, "content-policy")); }
        imp_push(c, ro, imp_scalar(c, at, "refused"));     /* a failed fetch is retried whatever the codes */
        imp_push(c, ro, imp_scalar(c, at, "reset"));
    }
    if (ro->n) {
        imp_note(c, ro, rcodes ? "retry.on_status_codes" : "globals.ts RETRY_STATUS_CODES, and failed connections");
        imp_put(c, r, "retry_on", ro);
    } else sim_cfg_node_free(ro);
    if (fb && !fb_all) {
        sim_cfg_node *fo = imp_seq(c, P.fb_codes);
        int F[128], nF = 0;
        for (int i = 0; i < nS; i++) if (!has(R, nR, S[i]) || attempts == 0) F[nF++] = S[i];
        push_codes(c, fo, P.fb_codes, F, nF);
        if (has(F, nF, 408)) imp_push(c, fo, imp_scalar(c, P.fb_codes, "timeout"));
        if (has(F, nF, 400)) { imp_push(c, fo, imp_scalar(c, P.fb_codes, "context-window")); imp_push(c, fo, imp_scalar(c, P.fb_codes, "content-policy")); }
        if (fo->n) { imp_note(c, fo, "strategy.on_status_codes"); imp_put(c, r, "fallback_on", fo); }
        else sim_cfg_node_free(fo);
        int Rin = 0, Rout = 0;
        for (int i = 0; i < nR; i++) { if (has(S, nS, R[i])) Rin++; else Rout++; }
        if (Rin && Rout)
            imp_warn(c, P.fb_codes, "retried codes outside strategy.on_status_codes end the request in Portkey after their "
                     "retries; retrysim falls back after the retries of every retried code");
    }
    if (fb && (fb_all || nS)) {
        sim_cfg_node *fe = imp_scalar(c, P.fb_node, "true");
        imp_note(c, fe, "after a target's retries the next target is tried");
        imp_put(c, r, "fallback_on_exhaust", fe);
    }

    sim_cfg_node *tl = imp_seq(c, root);
    for (int i = 0; i < P.nlf; i++) imp_push(c, tl, imp_scalar(c, P.lf[i].node, P.lf[i].name));
    imp_put(c, p, "targets", tl);
    if (P.nlf > 1) {
        sim_cfg_node *lb = imp_map(c, root);
        sim_cfg_node *st = imp_scalar(c, root, "weighted-random");
        imp_note(c, st, "loadbalance: a weighted pick; fallback: one tier per target group");
        imp_put(c, lb, "strategy", st);
        sim_cfg_node *w = imp_seq(c, root);
        int weighted = 0;
        for (int k = 0; k < ntiers; k++) {
            int direct = 1, any = 0;
            for (int i = tiers[k].first; i < tiers[k].first + tiers[k].n; i++) {
                direct &= P.lf[i].direct;
                any |= P.lf[i].weight_node != NULL || !P.lf[i].direct;
            }
            for (int i = tiers[k].first; i < tiers[k].first + tiers[k].n; i++) {
                const leaf *l = &P.lf[i];
                if (tiers[k].n == 1 || !any) { imp_push(c, w, imp_scalar(c, l->node, "1")); continue; }
                weighted = 1;
                if (direct) {          /* the targets' own weights: the same pick as their shares */
                    imp_push(c, w, l->weight_node ? imp_scalar(c, l->weight_node, l->weight_node->str) : imp_scalar(c, l->node, "1"));
                } else {
                    sim_cfg_node *x = imp_scalarf(c, l->node, "%.6g", l->weight);
                    imp_note(c, x, "its share: the product of the loadbalance weights above it");
                    imp_push(c, w, x);
                }
            }
        }
        if (weighted) imp_put(c, lb, "weights", w);
        else sim_cfg_node_free(w);
        if (ntiers > 1) {
            sim_cfg_node *tn = imp_seq(c, root);
            for (int k = 0; k < ntiers; k++) imp_push(c, tn, imp_scalarf(c, root, "%d", tiers[k].n));
            imp_note(c, tn, "fallback: the target groups in order");
            imp_put(c, lb, "tiers", tn);
        }
        sim_cfg_node *sk = imp_scalar(c, root, "true");
        imp_note(c, sk, "Portkey picks once per request; its retries stay on that target");
        imp_put(c, lb, "sticky", sk);
        imp_put(c, p, "load_balancing", lb);
    }
    free(P.lf);
    return POL_OK;
}

/* Two inherited retry settings are the same (the same node, or the same text). */
static int retry_equal(const sim_cfg_node *a, const sim_cfg_node *b)
{
    if (a == b) return 1;
    if (!a || !b || a->kind != b->kind) return 0;
    if (a->kind == SIM_CFG_SCALAR) return !strcmp(a->str, b->str);
    if (a->n != b->n) return 0;
    for (size_t i = 0; i < a->n; i++) {
        if (a->kind == SIM_CFG_MAP && strcmp(a->keys[i]->str, b->keys[i]->str)) return 0;
        if (!retry_equal(a->items[i], b->items[i])) return 0;
    }
    return 1;
}
