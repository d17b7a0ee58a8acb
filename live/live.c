/* live.c — `retrysim live SCENARIO --target URL`: the scenario's clients and
 * policy against a real endpoint (see live.h).
 *
 * A client's life mirrors sim/world.c: start (stagger draw) -> request (class,
 * prompt and output sizes from the client's workload stream, body built,
 * Idempotency-Key fixed, pol_retry_begin) -> attempt (headers with a fresh
 * X-Trace-Id, timeout = the policy's attempt timeout, cut to what is left of
 * the deadline; curl_multi_add_handle) -> outcome (live_outcome_of plus the
 * response's hint headers, converted to scenario time) -> pol_retry_next ->
 * sleep (EV_WAKE on the engine), fall back to the next --target, give up, or
 * finish and think. Metrics go through the simulator's accumulators
 * (sim_metrics_answer, sim_metrics_latency) into a shell world, and out
 * through sim_metrics_finish and the CSV writers of runner.c and metrics.c.
 * Quantities only a server can see (wasted work, duplicate billing, queue
 * wait, requests in the system) are written empty or 0.
 * Safety: see live_check_targets; caps are enforced before an attempt is
 * sent (--max-requests counts HTTP requests, retries included; --max-spend
 * counts what was billed plus the worst case of every attempt in flight or
 * of unknown fate); the API key is read from the environment, placed in one
 * header list per client and never written anywhere else.
 * Invariants: a client has at most one transfer in the multi handle
 * (in_flight); every EV_WAKE carries the client's generation; all easy
 * handles are removed from the multi handle before cleanup.
 */
#include "live.h"
#include "cfg.h"
#include "live_util.h"
#include "metrics.h"
#include "outfile.h"
#include "rng.h"
#include "runner.h"
#include "units.h"
#include <curl/curl.h>
#include <gsl/gsl_randist.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <unistd.h>

#define RESP_MAX   (1u << 20)   /* response bytes kept for parsing */
#define EV_GAUGE   EV_BUCKET

/* ---------------------------------------------------------- classification --- */
static double usage_value(const sim_cfg_node *usage, const char *a, const char *b)
{
    const sim_cfg_node *v = sim_cfg_get(usage, a);
    if (!v) v = sim_cfg_get(usage, b);
    double x;
    if (!v || v->kind != SIM_CFG_SCALAR || sim_parse_double(v->str, &x) || x < 0) return -1;
    return x;
}

pol_outcome live_outcome_of(int curl_code, long status, const char *body, int complete,
                            double *prompt_tok, double *completion_tok)
{
    *prompt_tok = *completion_tok = -1;
    switch ((CURLcode)curl_code) {
    case CURLE_OK: break;
    case CURLE_OPERATION_TIMEDOUT: return pol_outcome_make(POL_OUT_TIMEOUT, 0);
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return pol_outcome_make(POL_OUT_CONN_REFUSED, 0);
    default: return pol_outcome_make(POL_OUT_CONN_RESET, 0);
    }
    if (status >= 200 && status < 300) {
        if (!complete) return pol_outcome_make(POL_OUT_SUCCESS, (int)status);   /* too big to check */
        sim_cfg_doc doc;
        sim_err err;
        if (!body || sim_cfg_load_string(body, "response", &doc, &err))
            return pol_outcome_make(POL_OUT_CONN_RESET, 0);
        int is_obj = doc.root && doc.root->kind == SIM_CFG_MAP;
        const sim_cfg_node *u = is_obj ? sim_cfg_get(doc.root, "usage") : NULL;
        if (u) {
            *prompt_tok = usage_value(u, "prompt_tokens", "input_tokens");
            *completion_tok = usage_value(u, "completion_tokens", "output_tokens");
        }
        sim_cfg_free(&doc);
        return pol_outcome_make(is_obj ? POL_OUT_SUCCESS : POL_OUT_CONN_RESET, is_obj ? (int)status : 0);
    }
    if (status < 100 || status > 599) return pol_outcome_make(POL_OUT_CONN_RESET, 0);
    if (status == 400 && body) {
        if (strstr(body, "context_length_exceeded") || strstr(body, "prompt is too long"))
            return pol_outcome_make(POL_OUT_CONTEXT_WINDOW, 400);
        if (strstr(body, "content_policy_violation") || strstr(body, "content_filter"))
            return pol_outcome_make(POL_OUT_CONTENT_POLICY, 400);
    }
    return pol_outcome_make(POL_OUT_HTTP, (int)status);
}

/* ------------------------------------------------------------------ safety --- */
int live_check_targets(const char *const *urls, int n, int capped, int has_key, char *why, size_t cap)
{
    for (int i = 0; i < n; i++) {
        char host[512], path[LIVE_URL_MAX];
        int https;
        if (live_url_parts(urls[i], host, sizeof host, &https, path, sizeof path)) {
            snprintf(why, cap, "--target '%s' is not an absolute http:// or https:// URL", urls[i]);
            return 2;
        }
        if (live_host_is_loopback(host)) continue;
        if (!capped) {
            snprintf(why, cap, "target host '%s' is not loopback: refusing to start without --max-requests "
                     "or --max-spend (every attempt may be billed)", host);
            return 2;
        }
        if (has_key && !https) {
            snprintf(why, cap, "refusing to send an API key over plain http to '%s'; use https", host);
            return 2;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ state --- */

typedef struct {
    uint32_t  id;
    CURL     *easy;
    gsl_rng  *rng, *prng;
    pol_retry_state rs;
    struct curl_slist *hdrs;
    uint32_t  gen, req_id;
    int32_t   done;
    uint16_t  attempt_no;
    uint8_t   cls, target, busy, in_flight;
    double    prompt, output;      /* token sizes of the current request */
    double    worst;               /* worst-case cost of the attempt in flight, USD */
    pol_ns    req_start, next_delay, att_start;
    int64_t   att_wall;            /* Unix ns of the attempt's start */
    char     *body;
    size_t    body_len, body_cap;
    char      idem[48], trace[64];
    pol_outcome hint;              /* hints of the current response, wall ns */
    char      srv_id[80], rl_req[24], rl_tok[24];
    live_buf  resp;                /* the response body, up to RESP_MAX (then resp.bad) */
    size_t    resp_bytes;
} live_client;

typedef struct {
    sim_scenario *sc;
    const live_opts *o;
    sim_world    *w;
    live_timeline tl;
    live_clock    clk;
    live_client  *cl;
    uint32_t      ncl;
    gsl_ran_discrete_t *classes;   /* class draw by weight, NULL for one class */
    char          model_json[256];
    char          run_id[20];
    CURLM        *multi;
    int           epfd;
    int64_t       curl_due;        /* CLOCK_MONOTONIC ns of libcurl's timer, -1 = none */
    FILE         *attempts;
    uint64_t      sent;
    uint32_t      in_flight, peak_in_flight;
    double        spent, worst_in_flight, worst_unknown;
    int           loopback;        /* every target is a loopback host */
    int           capped, interrupted, all_done, error;
    int           fd_start, fd_peak;
} live_run;

static const pol_retry_cfg *client_cfg(const live_run *L, const live_client *c) { return &L->w->cfgs[c->cls]; }

static const sim_policy *client_policy(const live_run *L, const live_client *c)
{
    int fixed = L->sc->workload.classes[c->cls].policy;
    return fixed >= 0 ? &L->sc->policies[fixed] : L->w->pol;
}

static int client_provider(const live_run *L, const live_client *c)
{
    return client_policy(L, c)->targets[c->target];
}

static double price_of(const live_run *L, int prov, double prompt, double output)
{
    const sim_provider *p = &L->sc->providers[prov];
    return (prompt * p->price_in + output * p->price_out) / 1e6;
}

/* ------------------------------------------------------------ curl plumbing --- */
static size_t on_body(char *ptr, size_t size, size_t n, void *ud)
{
    live_client *c = ud;
    size_t len = size * n;
    c->resp_bytes += len;
    live_buf_add(&c->resp, ptr, len, RESP_MAX);
    return len;
}

static void keep_value(char *dst, size_t cap, const char *v)
{
    size_t n = strlen(v);
    if (n >= cap) n = cap - 1;
    memcpy(dst, v, n);
    dst[n] = '\0';
}

/* One header line: hints, the server's request id and rate-limit state.
 * Names longer than 63 and values longer than 255 characters are ignored
 * (no hint is that long); nothing else is kept. */
static size_t on_header(char *buf, size_t size, size_t n, void *ud)
{
    live_client *c = ud;
    size_t len = size * n;
    if (len >= 5 && !strncmp(buf, "HTTP/", 5)) {        /* a new response (after 100 Continue too) */
        c->hint = pol_outcome_make(POL_OUT_SUCCESS, 0);
        c->srv_id[0] = c->rl_req[0] = c->rl_tok[0] = '\0';
        return len;
    }
    const char *colon = memchr(buf, ':', len);
    if (!colon) return len;
    size_t nl = (size_t)(colon - buf);
    const char *v = colon + 1, *end = buf + len;
    while (v < end && (*v == ' ' || *v == '\t')) v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t')) end--;
    size_t vl = (size_t)(end - v);
    if (nl == 0 || nl > 63 || vl > 255) return len;
    char name[64], value[256];
    memcpy(name, buf, nl);
    name[nl] = '\0';
    memcpy(value, v, vl);
    value[vl] = '\0';
    pol_hint_apply_header(&c->hint, name, value, live_wall_ns());   /* a malformed hint is ignored */
    if (!strcasecmp(name, "x-request-id") || !strcasecmp(name, "request-id")) keep_value(c->srv_id, sizeof c->srv_id, value);
    else if (!strcasecmp(name, "x-ratelimit-remaining-requests")) keep_value(c->rl_req, sizeof c->rl_req, value);
    else if (!strcasecmp(name, "x-ratelimit-remaining-tokens")) keep_value(c->rl_tok, sizeof c->rl_tok, value);
    return len;
}

static int on_socket(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
    (void)e;
    (void)socketp;
    live_run *L = userp;
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(L->epfd, EPOLL_CTL_DEL, s, NULL);
        return 0;
    }
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.data.fd = s;
    if (what & CURL_POLL_IN) ev.events |= EPOLLIN;
    if (what & CURL_POLL_OUT) ev.events |= EPOLLOUT;
    if (epoll_ctl(L->epfd, EPOLL_CTL_MOD, s, &ev) && errno == ENOENT) epoll_ctl(L->epfd, EPOLL_CTL_ADD, s, &ev);
    return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    live_run *L = userp;
    L->curl_due = timeout_ms < 0 ? -1 : live_mono_ns() + (int64_t)timeout_ms * POL_NS_PER_MS;
    return 0;
}

static int client_setup(live_run *L, live_client *c, uint32_t id)
{
    const gsl_rng_type *T = sim_rng_type(L->sc->rng);
    c->id = id;
    c->rng = sim_rng_new(T, L->sc->seed, 0, SIM_STREAM_CLIENT, id);
    c->prng = sim_rng_new(T, L->sc->seed, 0, SIM_STREAM_CLIENT_POLICY, id);
    c->easy = curl_easy_init();
    if (!c->rng || !c->prng || !c->easy) return POL_ENOMEM;
    CURL *e = c->easy;
    curl_easy_setopt(e, CURLOPT_PRIVATE, c);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, c);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);          /* a redirect must not carry the key elsewhere */
    curl_easy_setopt(e, CURLOPT_USERAGENT, "retrysim-live/0.1");
    if (L->loopback) curl_easy_setopt(e, CURLOPT_PROXY, "");   /* never via a proxy from the environment */
    return POL_OK;
}

static void client_free(live_client *c)
{
    if (c->easy) curl_easy_cleanup(c->easy);
    curl_slist_free_all(c->hdrs);
    if (c->rng) gsl_rng_free(c->rng);
    if (c->prng) gsl_rng_free(c->prng);
    free(c->body);
    live_buf_free(&c->resp);
}

/* ------------------------------------------------------------ requests --- */
/* {"model":M,"max_tokens":N,"messages":[{"role":"user","content":"<4 chars per prompt token>"}]}:
 * the same shape is valid for both wire formats. */
static int build_body(live_run *L, live_client *c)
{
    size_t chars = (size_t)c->prompt * 4;
    size_t need = chars + strlen(L->model_json) + 128;
    if (need > c->body_cap) {
        char *nb = realloc(c->body, need);
        if (!nb) return POL_ENOMEM;
        c->body = nb;
        c->body_cap = need;
    }
    int n = snprintf(c->body, c->body_cap, "{\"model\":\"%s\",\"max_tokens\":%.0f,"
                     "\"messages\":[{\"role\":\"user\",\"content\":\"", L->model_json, c->output);
    size_t len = (size_t)n;
    for (size_t i = 0; i < chars; i += 4) memcpy(c->body + len + i, "tok ", chars - i < 4 ? chars - i : 4);
    len += chars;
    memcpy(c->body + len, "\"}]}", 5);
    c->body_len = len + 4;
    return POL_OK;
}

static int set_headers(live_run *L, live_client *c, pol_ns now)
{
    static const char *const FIXED[] = { "Content-Type: application/json", "Accept: application/json", "Expect:" };
    char line[512];
    struct curl_slist *h = NULL, *t;
#define ADD(s) do { if (!(t = curl_slist_append(h, (s)))) goto fail; h = t; } while (0)
    for (size_t i = 0; i < sizeof FIXED / sizeof FIXED[0]; i++) ADD(FIXED[i]);
    if (L->o->anthropic) ADD("anthropic-version: 2023-06-01");
    if (L->o->key) {
        size_t kl = strlen(L->o->key);
        char *auth = malloc(kl + 32);
        if (!auth) goto fail;
        snprintf(auth, kl + 32, L->o->anthropic ? "x-api-key: %s" : "Authorization: Bearer %s", L->o->key);
        t = curl_slist_append(h, auth);
        memset(auth, 0, kl + 32);            /* the only other copy of the key lives in the list */
        free(auth);
        if (!t) goto fail;
        h = t;
    }
    snprintf(line, sizeof line, "Idempotency-Key: %s", c->idem);
    ADD(line);
    snprintf(line, sizeof line, "X-Trace-Id: %s", c->trace);
    ADD(line);
    if (L->loopback) {
        /* for the mock: the exact prompt size, and our scenario time so that
         * its timeline starts with ours */
        snprintf(line, sizeof line, "x-retrysim-prompt-tokens: %.0f", c->prompt);
        ADD(line);
        snprintf(line, sizeof line, "x-retrysim-scenario-time: %lld", (long long)now);
        ADD(line);
    }
#undef ADD
    curl_slist_free_all(c->hdrs);
    c->hdrs = h;
    return POL_OK;
fail:
    curl_slist_free_all(h);
    return POL_ENOMEM;
}

static void finish_request(live_run *L, live_client *c, pol_ns now);

/* Sends the client's next attempt, unless a cap says no more. */
static void send_attempt(live_run *L, live_client *c)
{
    const live_opts *o = L->o;
    pol_ns now = live_clock_now(&L->clk);
    int prov = client_provider(L, c);
    if (L->capped) return;
    double worst = price_of(L, prov, c->prompt, c->output);
    if ((o->max_requests > 0 && L->sent >= (uint64_t)o->max_requests) ||
        (o->max_spend > 0 && L->spent + L->worst_unknown + L->worst_in_flight + worst > o->max_spend)) {
        L->capped = 1;                    /* this request stays unfinished */
        if (!o->quiet)
            fprintf(stderr, "retrysim live: %s cap reached after %llu requests sent; finishing those in flight\n",
                    o->max_requests > 0 && L->sent >= (uint64_t)o->max_requests ? "--max-requests" : "--max-spend",
                    (unsigned long long)L->sent);
        return;
    }
    c->attempt_no++;
    snprintf(c->trace, sizeof c->trace, "%s-%u-%u", L->run_id, c->req_id, c->attempt_no);
    if (set_headers(L, c, now)) { L->error = POL_ENOMEM; return; }
    const pol_retry_cfg *cfg = client_cfg(L, c);
    pol_ns to = cfg->attempt_timeout;
    if (cfg->deadline > 0) {
        pol_ns left = c->req_start + cfg->deadline - now;
        if (left < 1) left = 1;
        if (to == 0 || left < to) to = left;
    }
    long to_ms = to > 0 ? (long)((live_to_wall(&L->clk, to) + POL_NS_PER_MS - 1) / POL_NS_PER_MS) : 0;
    CURL *e = c->easy;
    curl_easy_setopt(e, CURLOPT_URL, o->url[c->target]);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->hdrs);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, c->body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)c->body_len);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, to > 0 && to_ms < 1 ? 1L : to_ms);
    c->hint = pol_outcome_make(POL_OUT_SUCCESS, 0);
    c->srv_id[0] = c->rl_req[0] = c->rl_tok[0] = '\0';
    c->resp.len = c->resp_bytes = 0;
    c->resp.bad = 0;
    if (c->resp.s) c->resp.s[0] = '\0';
    c->att_start = now;
    c->att_wall = live_wall_ns();
    c->worst = worst;
    if (curl_multi_add_handle(L->multi, e) != CURLM_OK) { L->error = POL_ENOMEM; return; }
    c->in_flight = 1;
    L->sent++;
    L->worst_in_flight += worst;
    if (++L->in_flight > L->peak_in_flight) L->peak_in_flight = L->in_flight;
    sim_world *w = L->w;
    w->counts[SIM_M_ATTEMPTS] += 1;
    w->br[sim_bucket_of(w, now)].attempts++;
    sim_bp(w, now, prov)->offered++;
    w->prov[prov].in_flight++;
}

static void start_request(live_run *L, live_client *c)
{
    sim_world *w = L->w;
    const sim_workload *wl = &L->sc->workload;
    pol_ns now = live_clock_now(&L->clk);
    c->busy = 1;
    c->req_id = w->next_req_id++;
    c->req_start = now;
    c->cls = (uint8_t)(L->classes ? gsl_ran_discrete(c->rng, L->classes) : 0);
    const sim_class *k = &wl->classes[c->cls];
    double pt = sim_dist_sample(&k->prompt_tokens, c->rng);
    double ot = sim_dist_sample(&k->output_tokens, c->rng);
    c->prompt = pt < 0 ? 0 : round(pt);
    c->output = ot < 1 ? 1 : round(ot);
    c->target = 0;
    c->attempt_no = 0;
    c->next_delay = 0;
    snprintf(c->idem, sizeof c->idem, "%s-%u", L->run_id, c->req_id);
    if (build_body(L, c)) { L->error = POL_ENOMEM; return; }
    pol_retry_begin(&c->rs, now);
    w->counts[SIM_M_REQUESTS] += 1;
    w->br[sim_bucket_of(w, now)].started++;
    send_attempt(L, c);
}

static void finish_request(live_run *L, live_client *c, pol_ns now)
{
    sim_world *w = L->w;
    const sim_workload *wl = &L->sc->workload;
    c->busy = 0;
    c->done++;
    w->last_finish = now;
    if (wl->requests_per_client == 0 || c->done < wl->requests_per_client) {
        double think = sim_dist_sample(&wl->think, c->rng);
        c->gen++;
        sim_schedule(&w->eng, now + (pol_ns)(think < 0 ? 0 : think), EV_WAKE, c->id, c->gen, 0);
    } else if (++w->finished_clients == w->nclients) {
        L->all_done = 1;
    }
}

/* attempts.csv */
static void attempts_header(FILE *f)
{
    fputs("scenario,policy,request_id,attempt,trace_id,client,provider,start,end,wall_start,status,outcome,"
          "retry_after,delay_before,decision,reason,next_delay,bytes_sent,bytes_received,prompt_tokens,"
          "completion_tokens,server_request_id,ratelimit_remaining_requests,ratelimit_remaining_tokens,error\n", f);
}

static void attempts_row(live_run *L, const live_client *c, pol_ns now, const pol_outcome *o,
                         const pol_verdict *v, double ptok, double ctok, int curl_code)
{
    sim_csv r;
    sim_csv_begin(&r, L->attempts);
    sim_csv_str(&r, L->sc->name);
    sim_csv_str(&r, client_policy(L, c)->name);
    sim_csv_int(&r, c->req_id);
    sim_csv_int(&r, c->attempt_no);
    sim_csv_str(&r, c->trace);
    sim_csv_int(&r, c->id);
    sim_csv_str(&r, L->sc->providers[client_provider(L, c)].name);
    sim_csv_num(&r, (double)c->att_start / 1e9);
    sim_csv_num(&r, (double)now / 1e9);
    char wall[32];
    snprintf(wall, sizeof wall, "%.3f", (double)c->att_wall / 1e9);
    sim_csv_str(&r, wall);
    sim_csv_int(&r, o->status);
    sim_csv_str(&r, pol_outcome_kind_name(o->kind));
    sim_csv_num(&r, o->retry_after >= 0 ? (double)o->retry_after / 1e9 : NAN);
    sim_csv_num(&r, (double)c->next_delay / 1e9);
    sim_csv_str(&r, pol_action_name(v->action));
    sim_csv_str(&r, pol_reason_name(v->reason));
    sim_csv_num(&r, v->action == POL_ACT_RETRY ? (double)v->delay / 1e9 : NAN);
    sim_csv_int(&r, (long long)c->body_len);
    sim_csv_int(&r, (long long)c->resp_bytes);
    sim_csv_num(&r, ptok >= 0 ? ptok : NAN);
    sim_csv_num(&r, ctok >= 0 ? ctok : NAN);
    sim_csv_str(&r, c->srv_id);
    sim_csv_str(&r, c->rl_req);
    sim_csv_str(&r, c->rl_tok);
    sim_csv_str(&r, curl_code ? curl_easy_strerror((CURLcode)curl_code) : "");
    sim_csv_end(&r);
}

/* The transfer of client c ended with curl code res. */
static void attempt_done(live_run *L, live_client *c, CURLcode res)
{
    sim_world *w = L->w;
    pol_ns now = live_clock_now(&L->clk);
    int prov = client_provider(L, c);
    long status = 0;
    curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
    c->in_flight = 0;
    L->in_flight--;
    L->worst_in_flight -= c->worst;
    w->prov[prov].in_flight--;
    double ptok, ctok;
    pol_outcome o = live_outcome_of((int)res, status, c->resp.len ? c->resp.s : NULL, !c->resp.bad, &ptok, &ctok);
    if (o.status > 0) {
        if (c->hint.retry_after >= 0) o.retry_after = live_to_scenario(&L->clk, c->hint.retry_after);
        o.should_retry = c->hint.should_retry;
    }
    /* spend: what was billed, or the worst case when we cannot know */
    if (o.kind == POL_OUT_SUCCESS)
        L->spent += price_of(L, prov, ptok >= 0 ? ptok : c->prompt, ctok >= 0 ? ctok : c->output);
    else if (o.kind == POL_OUT_TIMEOUT || o.kind == POL_OUT_CONN_RESET)
        L->worst_unknown += c->worst;
    /* provider-side counters, as the simulator counts answers */
    if (o.kind == POL_OUT_TIMEOUT) {
        w->counts[SIM_M_TIMEOUTS] += 1;
        sim_bp(w, now, prov)->timeouts++;
    } else {
        sim_slot s;
        memset(&s, 0, sizeof s);
        s.provider = (int16_t)prov;
        s.out = o;
        s.prompt = (float)(ptok >= 0 ? ptok : c->prompt);
        s.output = (float)(ctok >= 0 ? ctok : c->output);
        sim_metrics_answer(w, &s, now);
    }
    pol_verdict v;
    pol_retry_next(client_cfg(L, c), &c->rs, &o, now, c->prng, &v);
    if (L->attempts) attempts_row(L, c, now, &o, &v, ptok, ctok, (int)res);
    uint32_t b = sim_bucket_of(w, now);
    switch (v.action) {
    case POL_ACT_DONE:
        sim_metrics_latency(w, (double)(now - c->req_start) / 1e9);
        w->counts[SIM_M_SUCCESSES] += 1;
        w->br[b].succeeded++;
        finish_request(L, c, now);
        return;
    case POL_ACT_RETRY:
        c->next_delay = v.delay;
        c->gen++;
        sim_schedule(&w->eng, now + v.delay, EV_WAKE, c->id, c->gen, 1);
        return;
    case POL_ACT_FALLBACK:
        if (c->target + 1 < client_policy(L, c)->ntargets && c->target + 1 < L->o->nurl) {
            c->target++;
            pol_retry_begin(&c->rs, now);
            c->rs.start = c->req_start;     /* the deadline covers the whole request */
            c->next_delay = 0;
            send_attempt(L, c);
            return;
        }
        __attribute__((fallthrough));    /* no target left: give up */
    case POL_ACT_GIVE_UP:
    default:
        w->counts[SIM_M_GIVE_UPS] += 1;
        w->br[b].gave_up++;
        finish_request(L, c, now);
        return;
    }
}

static void drain_done(live_run *L)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(L->multi, &left))) {
        if (msg->msg != CURLMSG_DONE) continue;
        CURL *e = msg->easy_handle;
        CURLcode res = msg->data.result;
        live_client *c = NULL;
        curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&c);
        curl_multi_remove_handle(L->multi, e);
        if (c) attempt_done(L, c, res);
    }
}

/* ---------------------------------------------------------- engine events --- */
static int live_wake(const sim_event *ev, void *ctx)
{
    const live_run *L = ctx;
    return ev->gen == L->cl[ev->ent].gen;
}

static void on_wake(sim_engine *e, const sim_event *ev, void *ctx)
{
    (void)e;
    live_run *L = ctx;
    live_client *c = &L->cl[ev->ent];
    if (L->capped) return;
    if (ev->arg == 0) start_request(L, c);
    else send_attempt(L, c);
}

/* End of a metric bucket: the gauges of timeseries.csv. in_system is the
 * server's view and stays 0; capacity is the scenario's model of the
 * provider at that time (live cannot observe it). */
static void on_gauge(sim_engine *e, const sim_event *ev, void *ctx)
{
    live_run *L = ctx;
    sim_world *w = L->w;
    const sim_scenario *sc = L->sc;
    uint32_t b = ev->arg;
    w->br[b].budget_level = w->br[b].throttle_level = NAN;    /* no stateful policy parts in live */
    for (int p = 0; p < sc->nproviders; p++) {
        sim_bucket_prov *bp = &w->bp[(size_t)b * (size_t)sc->nproviders + (size_t)p];
        bp->in_flight = w->prov[p].in_flight;
        bp->capacity = (float)sim_prov_capacity(w->prov[p].cfg, &w->prov[p].p, sc);
    }
    if (L->o->report_fds) {
        int n = live_fd_count();
        if (n > L->fd_peak) L->fd_peak = n;
    }
    if (b + 1 < w->nbuckets) {
        pol_ns next = (pol_ns)(b + 2) * sc->bucket - 1;
        sim_schedule(e, next < sc->duration ? next : sc->duration, EV_GAUGE, 0, 0, b + 1);
    }
}

/* ------------------------------------------------------------------- loop --- */
static void socket_events(live_run *L)
{
    struct epoll_event evs[256];
    int n, running;
    while ((n = epoll_wait(L->epfd, evs, 256, 0)) > 0) {
        for (int i = 0; i < n; i++) {
            int flags = 0;
            if (evs[i].events & EPOLLIN) flags |= CURL_CSELECT_IN;
            if (evs[i].events & EPOLLOUT) flags |= CURL_CSELECT_OUT;
            if (evs[i].events & (EPOLLERR | EPOLLHUP)) flags |= CURL_CSELECT_ERR;
            curl_multi_socket_action(L->multi, evs[i].data.fd, flags, &running);
        }
        drain_done(L);
        if (n < 256) break;
    }
}

static void run_loop(live_run *L)
{
    const sim_scenario *sc = L->sc;
    sim_world *w = L->w;
    int running;
    for (;;) {
        if (live_stop_requested()) { L->interrupted = 1; break; }
        pol_ns now = live_clock_now(&L->clk);
        sim_run(&w->eng, now < sc->duration ? now : sc->duration);
        if (now >= sc->duration || L->error || L->all_done || (L->capped && L->in_flight == 0)) break;
        if (L->curl_due >= 0 && live_mono_ns() >= L->curl_due) {
            L->curl_due = -1;
            curl_multi_socket_action(L->multi, CURL_SOCKET_TIMEOUT, 0, &running);
            drain_done(L);
        }
        now = live_clock_now(&L->clk);
        int64_t mono = live_mono_ns();
        pol_ns next = live_next_event(w, now);
        int64_t timeout = live_to_wall(&L->clk, sc->duration - now);
        if (next != POL_NS_MAX && live_to_wall(&L->clk, next) < timeout) timeout = live_to_wall(&L->clk, next);
        if (L->curl_due >= 0 && L->curl_due - mono < timeout) timeout = L->curl_due - mono;
        if (timeout < 0) timeout = 0;
        int fds[1] = { L->epfd }, ready[1];
        if (live_wait(fds, 1, timeout, ready) > 0) socket_events(L);
    }
}

static int run_setup(live_run *L)
{
    const sim_scenario *sc = L->sc;
    const sim_workload *wl = &sc->workload;
    sim_world *w = L->w;
    w->cfgs = calloc((size_t)wl->nclasses, sizeof *w->cfgs);
    L->ncl = (uint32_t)wl->clients;
    L->cl = calloc(L->ncl ? L->ncl : 1, sizeof *L->cl);
    if (!w->cfgs || !L->cl) return POL_ENOMEM;
    double weight[SIM_MAX_CLASSES];
    for (int k = 0; k < wl->nclasses; k++) {
        weight[k] = wl->classes[k].weight;
        int fixed = wl->classes[k].policy;
        w->cfgs[k] = (fixed >= 0 ? &sc->policies[fixed] : w->pol)->retry;
        if (wl->classes[k].deadline > 0) w->cfgs[k].deadline = wl->classes[k].deadline;
    }
    if (wl->nclasses > 1 && !(L->classes = gsl_ran_discrete_preproc((size_t)wl->nclasses, weight)))
        return POL_ENOMEM;
    uint64_t nonce = 0;
    if (getrandom(&nonce, sizeof nonce, 0) != (ssize_t)sizeof nonce) nonce = (uint64_t)live_wall_ns() ^ (uint64_t)getpid();
    snprintf(L->run_id, sizeof L->run_id, "rs%012llx", (unsigned long long)(nonce & 0xffffffffffffULL));
    L->epfd = epoll_create1(EPOLL_CLOEXEC);
    L->multi = curl_multi_init();
    if (L->epfd < 0 || !L->multi) return POL_ENOMEM;
    curl_multi_setopt(L->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(L->multi, CURLMOPT_SOCKETDATA, L);
    curl_multi_setopt(L->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(L->multi, CURLMOPT_TIMERDATA, L);
    curl_multi_setopt(L->multi, CURLMOPT_MAXCONNECTS, (long)L->ncl + 16);
    L->curl_due = -1;
    w->nclients = L->ncl;
    for (uint32_t i = 0; i < L->ncl; i++)
        if (client_setup(L, &L->cl[i], i)) return POL_ENOMEM;
    sim_engine_on(&w->eng, EV_WAKE, on_wake, live_wake, L);
    sim_engine_on(&w->eng, EV_GAUGE, on_gauge, NULL, L);
    pol_ns first = sc->bucket - 1 < sc->duration ? sc->bucket - 1 : sc->duration;
    sim_schedule(&w->eng, first, EV_GAUGE, 0, 0, 0);
    for (uint32_t i = 0; i < L->ncl; i++) {
        live_client *c = &L->cl[i];
        pol_ns at = 0;
        if (wl->start == SIM_START_STAGGER && wl->stagger > 0)
            at = (pol_ns)(gsl_rng_uniform(c->rng) * (double)wl->stagger);
        sim_schedule(&w->eng, at, EV_WAKE, i, c->gen, 0);
    }
    return POL_OK;
}

static void run_teardown(live_run *L)
{
    for (uint32_t i = 0; i < L->ncl && L->cl; i++) {
        live_client *c = &L->cl[i];
        if (c->in_flight && L->multi) curl_multi_remove_handle(L->multi, c->easy);
        client_free(c);
    }
    free(L->cl);
    L->cl = NULL;
    if (L->classes) gsl_ran_discrete_free(L->classes);
    L->classes = NULL;
    if (L->multi) curl_multi_cleanup(L->multi);
    L->multi = NULL;
    if (L->epfd >= 0) close(L->epfd);
    L->epfd = -1;
}

/* The metrics of what was measured; a run cut short (signal, cap) is
 * measured over the time it ran. */
static void run_metrics(live_run *L, sim_run_metrics *m)
{
    sim_scenario *sc = L->sc;
    sim_world *w = L->w;
    pol_ns ran = live_clock_now(&L->clk);
    if (ran < sc->duration) {
        if (ran < 1) ran = 1;
        sc->duration = ran;
        w->nbuckets = (uint32_t)((ran + sc->bucket - 1) / sc->bucket);
    }
    sim_metrics_finish(w, m);
    m->m[SIM_M_WASTED_WORK] = NAN;           /* server side: not observable by a client */
    m->m[SIM_M_WASTED_FRACTION] = NAN;
    m->m[SIM_M_DUP_BILLING] = NAN;
    m->m[SIM_M_QUEUE_WAIT] = NAN;
}

/* ------------------------------------------------------------------- run --- */
/* Full endpoint URLs: a URL with an empty path gets the format's standard one. */
int live_resolve_urls(live_opts *o, char urls[][LIVE_URL_MAX])
{
    for (int i = 0; i < o->nurl; i++) {
        char host[512], path[LIVE_URL_MAX];
        int https;
        if (live_url_parts(o->url[i], host, sizeof host, &https, path, sizeof path)) return -1;
        if (strcmp(path, "/")) continue;
        size_t n = strlen(o->url[i]);
        while (n > 0 && o->url[i][n - 1] == '/') n--;
        const char *add = o->anthropic ? "/v1/messages" : "/v1/chat/completions";
        if (snprintf(urls[i], LIVE_URL_MAX, "%.*s%s", (int)n, o->url[i], add) >= LIVE_URL_MAX) return -1;
        o->url[i] = urls[i];
    }
    return 0;
}

static int write_outputs(live_run *L, sim_outfile *fa, const sim_run_metrics *m)
{
    const char *out = L->o->out;
    sim_outfile fs, fci, fts;
    int idx = L->o->policy;
    sim_results res = { 1, &idx, 1, (sim_run_metrics *)m };
    if (sim_out_open(&fs, out, "summary.csv")) return -1;
    if (sim_out_open(&fci, out, "summary-ci.csv")) { sim_out_abort(&fs); return -1; }
    if (sim_out_open(&fts, out, "timeseries.csv")) { sim_out_abort(&fs); sim_out_abort(&fci); return -1; }
    sim_summary_header(fs.f);
    sim_summary_write(fs.f, L->sc, &res);
    sim_summary_ci_header(fci.f);
    sim_summary_ci_write(fci.f, L->sc, &res);
    sim_timeseries_header(fts.f);
    sim_timeseries_write(fts.f, L->w);
    int bad = sim_out_commit(&fs);
    bad |= sim_out_commit(&fci);
    bad |= sim_out_commit(&fts);
    bad |= sim_out_commit(fa);
    if (!L->o->quiet) sim_summary_table(stdout, L->sc, &res);
    return bad ? -1 : 0;
}

int live_drive(sim_scenario *sc, const live_opts *o)
{
    live_run R;
    memset(&R, 0, sizeof R);
    live_run *L = &R;
    L->sc = sc;
    L->o = o;
    L->epfd = -1;
    if (live_json_escape(L->model_json, 0, sizeof L->model_json, o->model) >= sizeof L->model_json) {
        fprintf(stderr, "retrysim live: --model is too long\n");
        return 2;
    }
    L->loopback = 1;
    for (int i = 0; i < o->nurl; i++) {
        char host[512], path[LIVE_URL_MAX];
        int https;
        if (live_url_parts(o->url[i], host, sizeof host, &https, path, sizeof path) || !live_host_is_loopback(host))
            L->loopback = 0;
    }
    if (sim_mkdirs(o->out)) { fprintf(stderr, "retrysim live: cannot create '%s'\n", o->out); return 2; }
    sim_outfile fa;
    if (sim_out_open(&fa, o->out, "attempts.csv")) return 2;
    attempts_header(fa.f);
    L->attempts = fa.f;
    int rc = 2;
    if (live_world_new(sc, o->policy, &L->tl, &L->w)) { sim_out_abort(&fa); return 2; }
    if (curl_global_init(CURL_GLOBAL_DEFAULT)) { sim_out_abort(&fa); sim_world_free(L->w); return 2; }
    L->fd_start = L->fd_peak = live_fd_count();
    if (run_setup(L)) {
        fprintf(stderr, "retrysim live: out of memory or descriptors setting up %u clients\n", L->ncl);
        sim_out_abort(&fa);
        goto out;
    }
    live_clock_start(&L->clk, o->scale, 0);
    run_loop(L);
    if (L->error) {
        fprintf(stderr, "retrysim live: out of memory during the run\n");
        sim_out_abort(&fa);
        goto out;
    }
    if (L->interrupted && !o->quiet) fprintf(stderr, "retrysim live: interrupted; writing what was measured\n");
    sim_run_metrics m;
    run_metrics(L, &m);
    int fd_in_run = live_fd_count();
    if (fd_in_run > L->fd_peak) L->fd_peak = fd_in_run;
    uint64_t sent = L->sent;
    uint32_t peak = L->peak_in_flight;
    run_teardown(L);
    int fd_end = live_fd_count();
    if (write_outputs(L, &fa, &m)) goto out;
    rc = L->interrupted ? 130 : 0;
    if (!o->quiet)
        printf("live: %llu HTTP requests, at most %u in flight, billed %.4f USD; wrote %s/summary.csv, "
               "summary-ci.csv, timeseries.csv, attempts.csv\n", (unsigned long long)sent, peak, L->spent, o->out);
    if (o->report_fds)
        fprintf(stderr, "fds: start %d, peak %d, end %d; peak in flight %u; peak RSS %ld kB\n",
                L->fd_start, L->fd_peak, fd_end, peak, live_peak_rss_kb());
out:
    run_teardown(L);
    sim_world_free(L->w);
    curl_global_cleanup();
    return rc;
}

