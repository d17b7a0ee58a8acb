/* mock.c — `retrysim mock SCENARIO`: the scenario's provider as a real HTTP
 * server (see mock.h).
 *
 * A request's life: libmicrohttpd (MHD) reads it; the access handler checks
 * route, method and JSON body (parsed with libyaml through cfg.h: JSON is
 * YAML) and submits it to the simulator's provider model (sim_pm_submit,
 * model.h) at the current scenario time, on the mock's own event engine.
 * The model then answers at once (429, outage status, context window,
 * error rate, overload), starts service (an answer after the drawn service
 * time), parks it in the waiting room, or drops it (black hole). Every answer
 * reaches pm_answer, which formats the HTTP response and resumes the
 * suspended connection. The loop: run due events, MHD_run, ppoll on MHD's
 * epoll fd and our listening socket until the next event or MHD's timeout.
 * (The network is the real one: no simulated network leg is added.)
 * Faults on the wire: an outage `refuse` closes the listening socket for
 * its window (new connections are refused by the kernel) and closes, without
 * an answer, requests that arrive on connections opened before; `blackhole`
 * never answers: the request is held, and since MHD does not watch a
 * suspended connection, its socket goes into a second epoll set that wakes
 * us when the client hangs up (its timeout), and only then is it closed;
 * --garbage-rate turns that share of 200s into non-JSON bodies or bodies cut
 * short of their Content-Length.
 * Streams ("stream": true): the model answers a request it serves at its
 * first byte with a plan (sim_answer.stream, model.h); the mock then
 * answers 200 with a chunked text/event-stream body made by a content-reader
 * callback, which writes every event that is due on the scenario clock
 * (OpenAI chat.completion.chunk data: lines and [DONE]; Anthropic
 * message_start .. message_stop; error events), and when the next one is
 * not due yet suspends the connection and schedules its own resume on the
 * engine (no thread, no timer per byte). A cut returns
 * MHD_CONTENT_READER_END_WITH_ERROR: the connection is closed without the
 * last chunk of the chunked encoding, which clients report as a broken body.
 * Invariants: a request is on the `waiting` list iff the model has it (its
 * answer is due, or it is held: black-holed) and its connection is
 * suspended; it leaves the list exactly once: by its answer, by the client's
 * hang-up of a held request, or at shutdown; a request that completes while
 * the model still has it is forgotten by the model (sim_pm_forget); every
 * connection is resumed before MHD_stop_daemon.
 */
#define _GNU_SOURCE 1      /* ppoll, accept4 */
#include "mock.h"
#include "live_json.h"
#include "live_util.h"
#include "rng.h"
#include "units.h"
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BODY_MAX      (8u << 20)     /* larger request bodies get 413 */
#define BODIES_MAX    (256u << 20)   /* all bodies being received at once; past it: 503 */
#define PARSE_MEM_MAX (64u << 20)    /* the memory budget of parsing one body (live_json.h) */
#define TEXT_MAX      65536          /* tokens of generated text in one answer (usage says the rest) */
#define IDLE_DEFAULT  30             /* s: default idle timeout */
#define HDR_PROMPT    "x-retrysim-prompt-tokens"
#define HDR_SCENARIO  "x-retrysim-scenario-time"

typedef enum { API_OPENAI = 0, API_ANTHROPIC = 1 } mock_api;
typedef enum { PH_RECV = 0, PH_WAIT, PH_READY, PH_CLOSE } mock_phase;

typedef struct mock mock;
struct mock_stream;

typedef struct mock_req {
    mock                  *m;
    struct MHD_Connection *conn;
    live_buf               body;
    int                    too_big;
    int                    too_busy;     /* BODIES_MAX passed while it was being received */
    struct mock_conn      *mc;           /* its connection */
    int                    route;        /* mock_api, or -1: no such path */
    int                    is_post;
    mock_phase             phase;
    int                    suspended;
    int                    waiting;      /* on m->waiting: the model has it */
    int                    held;         /* black-holed: its socket is in m->hfd */
    uint64_t               handle;       /* the model's name for it (sim_pm_forget) */
    double                 prompt, output;
    struct mock_req       *prev, *next;  /* the waiting list */
    unsigned               status;
    struct MHD_Response   *resp;
    char                   model[128];   /* UTF-8, as the request named it */
    int                    stream;       /* it asked for a streamed answer */
    int                    include_usage;
    struct mock_stream    *st;           /* its stream while MHD sends it (the response owns it) */
} mock_req;

/* A streamed answer being sent: owned by its MHD response (freed by its
 * free callback); r is its request until the request completes. Its slot in
 * m->sv names it for the engine's resume events (MOCK_EV_STREAM). */
typedef struct mock_stream {
    mock            *m;
    mock_req        *r;
    uint32_t         slot, gen;
    sim_stream_plan  plan;
    pol_ns           t0;                 /* scenario time of its first byte */
    uint32_t         next, nchunks;      /* the next content chunk (1-based), how many */
    int              api, include_usage, opened, done;   /* done: 1 end of stream, 2 cut */
    long             prompt;
    live_buf         out;                /* events written and not yet given to MHD */
    size_t           pos;
    time_t           created;
    char             id[48];
    char             model[128];
} mock_stream;

typedef struct { mock_stream *p; uint32_t gen, next_free; } stream_slot;
enum { MOCK_EV_STREAM = 1 };             /* the mock's own engine event: resume a stream */

/* A connection (MHD's socket context). While it waits for a complete
 * request (opened, or its previous request ended) it is on m->idle, oldest
 * first: a connection that stays there longer than the idle timeout is shut
 * down (slowloris: headers trickled byte by byte never count as progress). */
typedef struct mock_conn {
    struct MHD_Connection *conn;         /* NULL while it is ours (not yet given to MHD) */
    int                    fd;
    int                    pre;          /* ours: waiting for its first bytes (m->pfd) */
    int64_t                since;        /* CLOCK_MONOTONIC ns: waiting for a request since */
    int                    listed;       /* on m->idle */
    struct mock_conn      *prev, *next;
    unsigned char          ip[16];       /* the client address (IPv4 mapped), for m->ipt */
} mock_conn;

/* Connections per client address: open addressing, linear probing, never
 * more than half full (at most max_conn addresses in 2 x max_conn slots). */
typedef struct { unsigned char ip[16]; uint32_t n; } ip_slot;

struct mock {
    const sim_scenario *sc;
    const live_mock_opts *o;
    live_mock_limits    lim;
    int                 prov;
    sim_engine          eng;              /* the model's events, in scenario time */
    sim_pm             *pm;
    live_clock          clk;
    int                 started;          /* the scenario clock runs from the first request */
    struct MHD_Daemon  *d;
    int                 epfd, lfd;
    int                 hfd;              /* epoll set of held (black-holed) connections */
    int64_t             accept_after;     /* CLOCK_MONOTONIC ns: accept again from then on */
    struct sockaddr_storage addr;         /* where to listen (port resolved) */
    socklen_t           addrlen;
    mock_req           *waiting;          /* requests the model has (list head) */
    gsl_rng            *grng;             /* garbage draws, apart from the model's streams */
    double              default_output;
    uint64_t            serial;
    mock_conn          *idle, *idle_tail;  /* connections without a complete request, oldest first */
    int64_t             idle_ns;          /* the idle timeout, wall ns */
    unsigned            idle_s;           /* the same, whole seconds (MHD's option) */
    unsigned            max_conn, max_per_ip;
    unsigned            nconn;            /* connections MHD has */
    int                 spare_fd;         /* a descriptor kept to accept-and-refuse when out of them */
    int                 pfd;              /* epoll set of connections waiting for their first bytes */
    unsigned            npre;             /* such connections */
    mock_conn          *handoff;          /* the connection MHD_add_connection is taking over */
    ip_slot            *ipt;
    uint32_t            ipt_mask, ipt_seed;
    char               *bad_line_reply;   /* the raw 400 for a request line that is not HTTP */
    size_t              bad_line_len;
    uint64_t            bad_lines;
    size_t              bodies;           /* bytes of request bodies held now */
    char               *busy_reply;       /* the raw 503 for a connection over the limit */
    size_t              busy_len;
    uint64_t            requests, rejected, garbled, closed, refused_conns, idle_closed;
    uint64_t            n429, n5xx, n4xx;
    stream_slot        *sv;               /* streams being sent, by slot */
    uint32_t            nsv, capsv, free_sv;
    uint64_t            streams, stream_cuts, stream_errors;
};

/* ------------------------------------------------------- idle connections --- */
static void idle_unlist(mock *m, mock_conn *c)
{
    if (!c || !c->listed) return;
    if (c->prev) c->prev->next = c->next;
    else m->idle = c->next;
    if (c->next) c->next->prev = c->prev;
    else m->idle_tail = c->prev;
    c->prev = c->next = NULL;
    c->listed = 0;
}

/* c waits for a request from now on (appended: the list stays oldest first). */
static void idle_list(mock *m, mock_conn *c)
{
    idle_unlist(m, c);
    c->since = live_mono_ns();
    c->prev = m->idle_tail;
    c->next = NULL;
    if (m->idle_tail) m->idle_tail->next = c;
    else m->idle = c;
    m->idle_tail = c;
    c->listed = 1;
}

/* Connections that have waited longer than the idle timeout for a complete
 * request are shut down (shutdown, not close: MHD owns the descriptor; it
 * sees the end of the stream and closes the connection itself). Returns the
 * wall ns until the next one is due, or -1. */
static void pre_close(mock *m, mock_conn *c);

static int64_t idle_sweep(mock *m)
{
    int64_t now = live_mono_ns();
    while (m->idle && now - m->idle->since >= m->idle_ns) {
        mock_conn *c = m->idle;
        m->idle_closed++;
        if (c->pre) { pre_close(m, c); continue; }
        idle_unlist(m, c);
        if (c->fd >= 0) shutdown(c->fd, SHUT_RDWR);
    }
    return m->idle ? m->idle->since + m->idle_ns - now : -1;
}

/* ------------------------------------------------------ client addresses --- */
static void ip_key(const struct sockaddr_storage *a, unsigned char k[16])
{
    memset(k, 0, 16);
    if (a->ss_family == AF_INET6) memcpy(k, &((const struct sockaddr_in6 *)a)->sin6_addr, 16);
    else if (a->ss_family == AF_INET) {
        k[10] = k[11] = 0xff;
        memcpy(k + 12, &((const struct sockaddr_in *)a)->sin_addr, 4);
    }
}

static uint32_t ip_hash(const mock *m, const unsigned char k[16])
{
    uint32_t h = 2166136261u ^ m->ipt_seed;
    for (int i = 0; i < 16; i++) h = (h ^ k[i]) * 16777619u;
    return h ^ (h >> 15);
}

/* The count of address k (created at 0 when absent). */
static uint32_t *ip_count(mock *m, const unsigned char k[16])
{
    uint32_t i = ip_hash(m, k) & m->ipt_mask;
    while (m->ipt[i].n && memcmp(m->ipt[i].ip, k, 16)) i = (i + 1) & m->ipt_mask;
    if (!m->ipt[i].n) memcpy(m->ipt[i].ip, k, 16);
    return &m->ipt[i].n;
}

/* One connection of address k fewer; an emptied slot is filled by shifting
 * back the entries that probed past it (no tombstones). */
static void ip_release(mock *m, const unsigned char k[16])
{
    uint32_t i = ip_hash(m, k) & m->ipt_mask;
    while (m->ipt[i].n && memcmp(m->ipt[i].ip, k, 16)) i = (i + 1) & m->ipt_mask;
    if (!m->ipt[i].n || --m->ipt[i].n) return;
    for (uint32_t j = (i + 1) & m->ipt_mask; m->ipt[j].n; j = (j + 1) & m->ipt_mask) {
        uint32_t home = ip_hash(m, m->ipt[j].ip) & m->ipt_mask;
        if (((j - home) & m->ipt_mask) >= ((j - i) & m->ipt_mask)) {   /* its home is at or before the hole */
            m->ipt[i] = m->ipt[j];
            m->ipt[j].n = 0;
            i = j;
        }
    }
}

/* The request's body buffer is given back (and its bytes to the budget). */
static void body_release(mock *m, mock_req *r)
{
    m->bodies -= r->body.cap < m->bodies ? r->body.cap : m->bodies;
    live_buf_free(&r->body);
}

/* ------------------------------------------------------------ waiting list --- */
static void wait_link(mock *m, mock_req *r)
{
    r->prev = NULL;
    r->next = m->waiting;
    if (m->waiting) m->waiting->prev = r;
    m->waiting = r;
    r->waiting = 1;
}

static void wait_unlink(mock *m, mock_req *r)
{
    if (!r->waiting) return;
    if (r->prev) r->prev->next = r->next;
    else m->waiting = r->next;
    if (r->next) r->next->prev = r->prev;
    r->prev = r->next = NULL;
    r->waiting = 0;
}

/* ---------------------------------------------------------------- bodies --- */
/* Generated completion text: n tokens of 4 characters (at most TEXT_MAX). */
static json_t *gen_text(long tokens)
{
    static const char WORDS[] = "lor ips dol sit ame con adi eli sed do  eiu tem inc ut  lab et  ";
    if (tokens > TEXT_MAX) tokens = TEXT_MAX;
    if (tokens < 0) tokens = 0;
    size_t n = (size_t)tokens * 4;
    char *t = malloc(n + 1);
    if (!t) return NULL;
    for (size_t i = 0; i < n; i++) t[i] = WORDS[i % 64];
    json_t *j = json_stringn_nocheck(t, n);
    free(t);
    return j;
}

static const char *error_type(mock_api api, unsigned status)
{
    switch (status) {
    case 400: case 405: return "invalid_request_error";
    case 401: return "authentication_error";
    case 403: return api == API_ANTHROPIC ? "permission_error" : "invalid_request_error";
    case 404: return api == API_ANTHROPIC ? "not_found_error" : "invalid_request_error";
    case 413: return api == API_ANTHROPIC ? "request_too_large" : "invalid_request_error";
    case 429: return api == API_ANTHROPIC ? "rate_limit_error" : "requests";
    case 503: case 529: return api == API_ANTHROPIC ? "overloaded_error" : "server_error";
    default:  return status >= 500 ? (api == API_ANTHROPIC ? "api_error" : "server_error")
                                   : "invalid_request_error";
    }
}

/* j serialized into a malloc'd buffer (MHD frees it), or NULL; j is released. */
static char *dump_free(json_t *j, size_t *len)
{
    live_buf b = { 0 };
    if (!j || live_json_dump(j, &b, SIZE_MAX)) live_buf_free(&b);
    json_decref(j);
    *len = b.len;
    return b.s;
}

/* The provider's error JSON. code: OpenAI's error.code, or NULL (null). */
static char *error_body(mock_api api, unsigned status, const char *code, const char *msg, size_t *len)
{
    json_t *j;
    if (api == API_ANTHROPIC)
        j = json_pack("{s:s, s:{s:s, s:s}}", "type", "error", "error", "type", error_type(api, status), "message", msg);
    else
        j = json_pack("{s:{s:s, s:s, s:n, s:s?}}", "error", "message", msg, "type", error_type(api, status),
                      "param", "code", code);
    return dump_free(j, len);
}

static char *success_body(const mock *m, const mock_req *r, long prompt, long output, size_t *len)
{
    char id[48];
    json_t *j, *text = gen_text(output);
    if (!text) return NULL;
    if (r->route == API_ANTHROPIC) {
        snprintf(id, sizeof id, "msg_mock%llu", (unsigned long long)m->serial);
        j = json_pack("{s:s, s:s, s:s, s:s, s:[{s:s, s:o}], s:s, s:n, s:{s:I, s:I}}",
                      "id", id, "type", "message", "role", "assistant", "model", r->model,
                      "content", "type", "text", "text", text, "stop_reason", "max_tokens", "stop_sequence",
                      "usage", "input_tokens", (json_int_t)prompt, "output_tokens", (json_int_t)output);
    } else {
        snprintf(id, sizeof id, "chatcmpl-mock%llu", (unsigned long long)m->serial);
        j = json_pack("{s:s, s:s, s:I, s:s, s:[{s:i, s:{s:s, s:o}, s:s}], s:{s:I, s:I, s:I}}",
                      "id", id, "object", "chat.completion", "created", (json_int_t)time(NULL), "model", r->model,
                      "choices", "index", 0, "message", "role", "assistant", "content", text,
                      "finish_reason", "length",
                      "usage", "prompt_tokens", (json_int_t)prompt, "completion_tokens", (json_int_t)output,
                      "total_tokens", (json_int_t)(prompt + output));
    }
    return dump_free(j, len);
}

/* A body that stops half-way through its announced Content-Length. */
typedef struct { char *data; size_t len, cut; } cut_body;

static ssize_t cut_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    cut_body *c = cls;
    if (pos >= c->cut) return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t n = c->cut - (size_t)pos;
    if (n > max) n = max;
    memcpy(buf, c->data + pos, n);
    return (ssize_t)n;
}

static void cut_free(void *cls)
{
    cut_body *c = cls;
    free(c->data);
    free(c);
}

/* ------------------------------------------------------------- responses --- */
static void set_response(mock_req *r, unsigned status, char *body, size_t len)
{
    if (!body) { r->phase = PH_CLOSE; return; }      /* out of memory: drop the connection */
    r->resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!r->resp) { free(body); r->phase = PH_CLOSE; return; }
    MHD_add_response_header(r->resp, "Content-Type", "application/json");
    r->status = status;
    r->phase = PH_READY;
}

static void set_error(mock_req *r, mock_api api, unsigned status, const char *code, const char *msg)
{
    size_t len = 0;
    char *body = error_body(api, status, code, msg, &len);
    set_response(r, status, body, len);
}

static void add_header_num(struct MHD_Response *resp, const char *name, const char *fmt, double v)
{
    char buf[48];
    snprintf(buf, sizeof buf, fmt, v);
    MHD_add_response_header(resp, name, buf);
}

/* The model's x-ratelimit-* hints for this answer (sim/model/pm.c stamps
 * them at admission): limits as configured, what is left in the buckets,
 * and the wall time until they are full again. */
static void rate_headers(mock *m, struct MHD_Response *resp, const sim_answer *s)
{
    if (!s->rl_known) return;
    const sim_provider_params *pp = sim_pm_params(m->pm, m->prov);
    char reset[48];
    sim_format_duration((pol_ns)live_to_wall(&m->clk, s->rl_reset), reset, sizeof reset);
    struct { const char *limit, *remaining, *reset; double per_min, left; } h[2] = {
        { "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests",
          pp->rpm, s->rl_req },
        { "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens",
          pp->tpm, s->rl_tok } };
    for (int i = 0; i < 2; i++) {
        if (h[i].per_min <= 0) continue;
        add_header_num(resp, h[i].limit, "%.0f", h[i].per_min);
        add_header_num(resp, h[i].remaining, "%.0f", fmax(0, h[i].left));
        MHD_add_response_header(resp, h[i].reset, reset);
    }
}

static void retry_after_headers(mock *m, struct MHD_Response *resp, pol_ns ra)
{
    if (ra < 0) return;
    double ms = (double)live_to_wall(&m->clk, ra) / 1e6;
    add_header_num(resp, "retry-after", "%.0f", ceil(ms / 1e3));
    char buf[48];
    snprintf(buf, sizeof buf, "%.3f", ms);
    char *e = buf + strlen(buf);                    /* 120.500 -> 120.5, 120.000 -> 120 */
    while (e[-1] == '0') *--e = '\0';
    if (e[-1] == '.') e[-1] = '\0';
    MHD_add_response_header(resp, "retry-after-ms", buf);
}

static void garble_body(mock *m, mock_req *r, char *body, size_t len)
{
    if (gsl_rng_uniform(m->grng) < 0.5) {
        static const char HTML[] = "<html><body><h1>502 Bad Gateway</h1>upstream connect error</body></html>";
        free(body);
        char *h = strdup(HTML);
        set_response(r, 200, h, sizeof HTML - 1);
        if (r->resp) MHD_add_response_header(r->resp, "Content-Type", "text/html");
        return;
    }
    cut_body *c = malloc(sizeof *c);
    if (!c) { free(body); r->phase = PH_CLOSE; return; }
    *c = (cut_body){ body, len, len / 2 };
    r->resp = MHD_create_response_from_callback(len, 4096, cut_reader, c, cut_free);
    if (!r->resp) { cut_free(c); r->phase = PH_CLOSE; return; }
    MHD_add_response_header(r->resp, "Content-Type", "application/json");
    r->status = 200;
    r->phase = PH_READY;
}

/* A garbled 200: half the time an HTML body, else the JSON cut half-way
 * through its Content-Length; both carry a 16 KB header and a malformed
 * retry-after-ms, which a client must survive. */
static void garble(mock *m, mock_req *r, char *body, size_t len)
{
    m->garbled++;
    garble_body(m, r, body, len);
    if (!r->resp) return;
    static char pad[16385];
    if (!pad[0]) memset(pad, 'x', sizeof pad - 1);
    MHD_add_response_header(r->resp, "x-retrysim-padding", pad);
    MHD_add_response_header(r->resp, "retry-after-ms", "soon");
}

/* The model's answer s for request r, as HTTP. */
static void answer(mock *m, mock_req *r, const sim_answer *s)
{
    mock_api api = (mock_api)r->route;
    const pol_outcome *o = &s->out;
    long prompt = lround((float)r->prompt), output = lround((float)r->output);
    char msg[256];
    m->serial++;
    switch (o->kind) {
    case POL_OUT_SUCCESS: {
        size_t len = 0;
        char *body = success_body(m, r, prompt, output, &len);
        if (body && m->o->garbage_rate > 0 && gsl_rng_uniform(m->grng) < m->o->garbage_rate) garble(m, r, body, len);
        else set_response(r, 200, body, len);
        break;
    }
    case POL_OUT_CONN_REFUSED:
    case POL_OUT_CONN_RESET:
    case POL_OUT_TIMEOUT:
        r->phase = PH_CLOSE;
        m->closed++;
        return;
    case POL_OUT_CONTEXT_WINDOW:
    case POL_OUT_CONTENT_POLICY: {
        double win = m->sc->providers[m->prov].context_window;
        if (api == API_ANTHROPIC)
            snprintf(msg, sizeof msg, "prompt is too long: %ld tokens > %.0f maximum", prompt + output, win);
        else
            snprintf(msg, sizeof msg, "This model's maximum context length is %.0f tokens. However, you requested "
                     "%ld tokens (%ld in the messages, %ld in the completion). Please reduce the length of the "
                     "messages or completion.", win, prompt + output, prompt, output);
        set_error(r, api, 400, "context_length_exceeded", msg);
        break;
    }
    case POL_OUT_HTTP:
    default: {
        unsigned st = o->status >= 100 && o->status <= 599 ? (unsigned)o->status : 500;
        const char *code = NULL;
        if (st == 429) {
            code = "rate_limit_exceeded";
            snprintf(msg, sizeof msg, "Rate limit reached for %s. Please try again later.",
                     m->sc->providers[m->prov].name);
        } else if (st == 503 || st == 529) {
            snprintf(msg, sizeof msg, "%s", api == API_ANTHROPIC ? "Overloaded"
                     : "The server is overloaded or not ready yet.");
        } else {
            snprintf(msg, sizeof msg, "The server had an error while processing your request (status %u).", st);
        }
        set_error(r, api, st, code, msg);
        if (r->resp) retry_after_headers(m, r->resp, o->retry_after);
        break;
    }
    }
    if (!r->resp) return;
    char id[48];
    snprintf(id, sizeof id, "req_mock%llu", (unsigned long long)m->serial);
    MHD_add_response_header(r->resp, api == API_ANTHROPIC ? "request-id" : "x-request-id", id);
    rate_headers(m, r->resp, s);
}

static void wake(mock_req *r)
{
    if (r->suspended) {
        r->suspended = 0;
        MHD_resume_connection(r->conn);
    }
}

/* -------------------------------------------------------------- streams --- */
/* Server-sent events, as the APIs send them (docs/live.md, "Streaming"):
 * OpenAI: `data: <chat.completion.chunk>` lines, a role chunk first, a
 * finish_reason chunk, with stream_options.include_usage a last chunk with
 * empty choices and the usage, then `data: [DONE]`; an error mid-stream is a
 * `data: {"error": {...}}` chunk. Anthropic: `event: NAME` + `data: JSON`:
 * message_start, content_block_start, ping, content_block_delta...,
 * content_block_stop, message_delta (stop_reason, usage), message_stop; an
 * error mid-stream is `event: error` with an overloaded_error. */
static void sse_event(mock_stream *st, const char *event, json_t *j)
{
    live_buf b = { 0 };
    if (j && !live_json_dump(j, &b, SIZE_MAX)) {
        if (event) live_buf_printf(&st->out, "event: %s\n", event);
        live_buf_printf(&st->out, "data: %s\n\n", b.s);
    } else {
        st->out.bad = 1;                      /* out of memory: the stream is cut */
    }
    live_buf_free(&b);
    json_decref(j);
}

/* An OpenAI chunk with one choice (delta, finish reason), or none (usage). */
static json_t *oa_chunk(const mock_stream *st, json_t *delta, const char *finish, json_t *usage)
{
    json_t *j = json_pack("{s:s, s:s, s:I, s:s, s:n}", "id", st->id, "object", "chat.completion.chunk",
                          "created", (json_int_t)st->created, "model", st->model, "system_fingerprint");
    json_t *choices = json_array();
    if (delta)
        json_array_append_new(choices, json_pack("{s:i, s:o, s:n, s:s?}", "index", 0, "delta", delta, "logprobs",
                                                 "finish_reason", finish));
    if (j) json_object_set_new(j, "choices", choices);
    else json_decref(choices);
    if (j && st->include_usage) json_object_set_new(j, "usage", usage ? usage : json_null());
    else json_decref(usage);
    return j;
}

/* Chunk j's text: 4 characters per token, the completion text of a plain answer from its offset. */
static json_t *chunk_text(const mock_stream *st, uint32_t j)
{
    static const char WORDS[] = "lor ips dol sit ame con adi eli sed do  eiu tem inc ut  lab et  ";
    uint64_t from = (uint64_t)(j - 1) * (st->plan.chunk ? st->plan.chunk : 1) * 4;
    size_t n = (size_t)sim_stream_chunk_tokens(&st->plan, j) * 4;
    char *t = malloc(n + 1);
    if (!t) return NULL;
    for (size_t i = 0; i < n; i++) t[i] = WORDS[(from + i) % 64];
    json_t *s = json_stringn_nocheck(t, n);
    free(t);
    return s;
}

static void emit_open(mock_stream *st)
{
    if (st->api == API_ANTHROPIC) {
        sse_event(st, "message_start",
                  json_pack("{s:s, s:{s:s, s:s, s:s, s:[], s:s, s:n, s:n, s:{s:I, s:i}}}", "type", "message_start",
                            "message", "id", st->id, "type", "message", "role", "assistant", "content", "model",
                            st->model, "stop_reason", "stop_sequence", "usage", "input_tokens", (json_int_t)st->prompt,
                            "output_tokens", 1));
        sse_event(st, "content_block_start", json_pack("{s:s, s:i, s:{s:s, s:s}}", "type", "content_block_start",
                                                       "index", 0, "content_block", "type", "text", "text", ""));
        sse_event(st, "ping", json_pack("{s:s}", "type", "ping"));
    } else {
        sse_event(st, NULL, oa_chunk(st, json_pack("{s:s, s:s}", "role", "assistant", "content", ""), NULL, NULL));
    }
}

static void emit_chunk(mock_stream *st, uint32_t j)
{
    json_t *text = chunk_text(st, j);
    if (!text) { st->out.bad = 1; return; }
    if (st->api == API_ANTHROPIC)
        sse_event(st, "content_block_delta", json_pack("{s:s, s:i, s:{s:s, s:o}}", "type", "content_block_delta",
                                                       "index", 0, "delta", "type", "text_delta", "text", text));
    else
        sse_event(st, NULL, oa_chunk(st, json_pack("{s:o}", "content", text), NULL, NULL));
}

static void emit_end(mock_stream *st)
{
    long out = (long)st->plan.tokens;
    if (st->api == API_ANTHROPIC) {
        sse_event(st, "content_block_stop", json_pack("{s:s, s:i}", "type", "content_block_stop", "index", 0));
        sse_event(st, "message_delta", json_pack("{s:s, s:{s:s, s:n}, s:{s:I}}", "type", "message_delta", "delta",
                                                 "stop_reason", "max_tokens", "stop_sequence", "usage",
                                                 "output_tokens", (json_int_t)out));
        sse_event(st, "message_stop", json_pack("{s:s}", "type", "message_stop"));
        return;
    }
    sse_event(st, NULL, oa_chunk(st, json_object(), "length", NULL));
    if (st->include_usage)
        sse_event(st, NULL, oa_chunk(st, NULL, NULL, json_pack("{s:I, s:I, s:I}", "prompt_tokens", (json_int_t)st->prompt,
                                                              "completion_tokens", (json_int_t)out, "total_tokens",
                                                              (json_int_t)(st->prompt + out))));
    live_buf_printf(&st->out, "data: [DONE]\n\n");
}

static void emit_error(mock_stream *st)
{
    if (st->api == API_ANTHROPIC)
        sse_event(st, "error", json_pack("{s:s, s:{s:s, s:s}}", "type", "error", "error", "type", "overloaded_error",
                                         "message", "Overloaded"));
    else
        sse_event(st, NULL, json_pack("{s:{s:s, s:s, s:n, s:n}}", "error", "message",
                                      "The server had an error while streaming your response. Please retry.",
                                      "type", "server_error", "param", "code"));
}

static int stream_slot_new(mock *m, mock_stream *st)
{
    uint32_t i;
    if (m->free_sv != UINT32_MAX) {
        i = m->free_sv;
        m->free_sv = m->sv[i].next_free;
    } else {
        if (m->nsv == m->capsv) {
            uint32_t nc = m->capsv ? m->capsv * 2 : 64;
            stream_slot *n = realloc(m->sv, (size_t)nc * sizeof *n);
            if (!n) return -1;
            m->sv = n;
            m->capsv = nc;
        }
        i = m->nsv++;
        m->sv[i].gen = 0;
    }
    m->sv[i].p = st;
    st->slot = i;
    st->gen = m->sv[i].gen;
    return 0;
}

static void stream_free(void *cls)
{
    mock_stream *st = cls;
    mock *m = st->m;
    if (st->r) st->r->st = NULL;
    m->sv[st->slot].p = NULL;
    m->sv[st->slot].gen++;                    /* its pending resume is stale */
    m->sv[st->slot].next_free = m->free_sv;
    m->free_sv = st->slot;
    live_buf_free(&st->out);
    free(st);
}

/* MHD asks for more of the body: whatever is due on the scenario clock; when
 * nothing is, the connection is suspended until the next event's time. */
static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    mock_stream *st = cls;
    mock *m = st->m;
    if (!st->r) return MHD_CONTENT_READER_END_WITH_ERROR;       /* its request is gone */
    if (st->pos == st->out.len) {
        st->out.len = st->pos = 0;
        if (st->out.s) st->out.s[0] = '\0';
        pol_ns rel = live_clock_now(&m->clk) - st->t0;
        if (!st->opened) { emit_open(st); st->opened = 1; }
        while (st->next <= st->nchunks && sim_stream_chunk_at(&st->plan, st->next) <= rel) emit_chunk(st, st->next++);
        if (st->next > st->nchunks && !st->done && sim_stream_end_at(&st->plan) <= rel) {
            if (st->plan.end == SIM_PLAN_COMPLETE) { emit_end(st); st->done = 1; }
            else if (st->plan.end == SIM_PLAN_ERROR) { emit_error(st); st->done = 1; m->stream_errors++; }
            else { st->done = 2; m->stream_cuts++; }
        }
        if (st->out.bad) return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    if (st->pos < st->out.len) {
        size_t n = st->out.len - st->pos;
        if (n > max) n = max;
        memcpy(buf, st->out.s + st->pos, n);
        st->pos += n;
        return (ssize_t)n;
    }
    if (st->done) return st->done == 2 ? MHD_CONTENT_READER_END_WITH_ERROR : MHD_CONTENT_READER_END_OF_STREAM;
    pol_ns at = st->t0 + (st->next <= st->nchunks ? sim_stream_chunk_at(&st->plan, st->next)
                                                  : sim_stream_end_at(&st->plan));
    if (sim_schedule(&m->eng, at, MOCK_EV_STREAM, st->slot, st->gen, 0)) return MHD_CONTENT_READER_END_WITH_ERROR;
    st->r->suspended = 1;
    MHD_suspend_connection(st->r->conn);
    return 0;
}

static int stream_live(const sim_event *ev, void *ctx)
{
    const mock *m = ctx;
    return ev->ent < m->nsv && m->sv[ev->ent].p && m->sv[ev->ent].gen == ev->gen;
}

/* The next event of a stream is due: its connection goes on. */
static void on_stream_wake(sim_engine *e, const sim_event *ev, void *ctx)
{
    (void)e;
    mock *m = ctx;
    mock_stream *st = m->sv[ev->ent].p;
    if (st->r) wake(st->r);
}

/* The model's first byte of a streamed answer for r: a 200 whose body the
 * reader writes as the plan goes. */
static void start_stream(mock *m, mock_req *r, const sim_answer *a)
{
    mock_stream *st = calloc(1, sizeof *st);
    if (!st || stream_slot_new(m, st)) { free(st); r->phase = PH_CLOSE; return; }
    m->serial++;
    m->streams++;
    st->m = m;
    st->r = r;
    st->plan = *a->stream;
    st->t0 = live_clock_now(&m->clk);
    st->next = 1;
    st->nchunks = sim_stream_chunks(&st->plan);
    st->api = r->route;
    st->include_usage = r->include_usage;
    st->prompt = lround((float)r->prompt);
    st->created = time(NULL);
    snprintf(st->id, sizeof st->id, st->api == API_ANTHROPIC ? "msg_mock%llu" : "chatcmpl-mock%llu",
             (unsigned long long)m->serial);
    memcpy(st->model, r->model, sizeof st->model);
    r->resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_reader, st, stream_free);
    if (!r->resp) { stream_free(st); r->phase = PH_CLOSE; return; }
    r->st = st;
    MHD_add_response_header(r->resp, "Content-Type", "text/event-stream; charset=utf-8");
    MHD_add_response_header(r->resp, "Cache-Control", "no-cache");
    char id[48];
    snprintf(id, sizeof id, "req_mock%llu", (unsigned long long)m->serial);
    MHD_add_response_header(r->resp, st->api == API_ANTHROPIC ? "request-id" : "x-request-id", id);
    rate_headers(m, r->resp, a);
    r->status = 200;
    r->phase = PH_READY;
}

/* ------------------------------------------------------------ the model --- */
/* Closes a request the model holds (black-holed) without an answer. */
static void close_held(mock *m, mock_req *r)
{
    if (r->held) {
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (ci) epoll_ctl(m->hfd, EPOLL_CTL_DEL, ci->connect_fd, NULL);
        r->held = 0;
    }
    wait_unlink(m, r);
    r->phase = PH_CLOSE;
    m->closed++;
    wake(r);
}

/* Black-holed requests whose client hung up. */
static void held_hangups(mock *m)
{
    struct epoll_event evs[64];
    int n;
    while ((n = epoll_wait(m->hfd, evs, 64, 0)) > 0) {
        for (int i = 0; i < n; i++) {
            mock_req *r = evs[i].data.ptr;
            if (r->held) close_held(m, r);
        }
        if (n < 64) break;
    }
}

/* Watches the socket of a black-holed request for its client's hang-up. */
static void hold(mock *m, mock_req *r)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLRDHUP;
    ev.data.ptr = r;
    r->held = 1;
    if (!ci || epoll_ctl(m->hfd, EPOLL_CTL_ADD, ci->connect_fd, &ev)) { r->held = 0; close_held(m, r); }
}

/* The provider model's answer for request `tag` (a mock_req), now. */
static void pm_answer(void *ctx, uint64_t tag, const sim_answer *a)
{
    mock *m = ctx;
    mock_req *r = (mock_req *)(uintptr_t)tag;
    if (a->dropped) { hold(m, r); return; }
    if (a->out.kind == POL_OUT_HTTP || a->out.kind == POL_OUT_CONTEXT_WINDOW || a->out.kind == POL_OUT_CONTENT_POLICY) {
        int st = a->out.status;
        if (st == 429) m->n429++;
        else if (st >= 500) m->n5xx++;
        else if (st >= 400) m->n4xx++;
    }
    wait_unlink(m, r);
    if (a->stream && a->out.kind == POL_OUT_SUCCESS) start_stream(m, r, a);
    else answer(m, r, a);
    wake(r);
}

static int listen_open(mock *m);

static void listen_close(mock *m)
{
    if (m->lfd >= 0) close(m->lfd);
    m->lfd = -1;
}

/* A timeline change of our provider: refuse windows close the listening
 * socket for their duration. */
static void pm_change(void *ctx, const sim_change *ch, int ending)
{
    (void)ending;
    mock *m = ctx;
    if (ch->provider != m->prov) return;
    sim_outage_kind k = sim_pm_params(m->pm, m->prov)->outage;
    if (k == SIM_OUTAGE_REFUSE) listen_close(m);
    else if (m->lfd < 0 && listen_open(m))
        fprintf(stderr, "retrysim mock: cannot listen again after the refuse window: %s\n", strerror(errno));
}

/* ------------------------------------------------------------- requests --- */
/* Characters of a content value: a string, or the "text" of each part. */
static long content_chars(const json_t *c)
{
    if (json_is_string(c)) return (long)json_string_length(c);
    long n = 0;
    size_t i;
    const json_t *part;
    if (json_is_array(c))
        json_array_foreach(c, i, part) {
            const json_t *t = json_is_object(part) ? json_object_get(part, "text") : NULL;
            if (json_is_string(t)) n += (long)json_string_length(t);
        }
    return n;
}

/* A positive token count from header text; -1 if absent, -2 if bad. */
static long token_count(const char *text)
{
    if (!text) return -1;
    long long v;
    return sim_parse_int(text, &v) == POL_OK && v >= 1 && v <= 100000000 ? (long)v : -2;
}

/* max_tokens as JSON: -1 absent or null, -2 not a whole number in 1..1e8. */
static long json_token_count(const json_t *v)
{
    if (!v || json_is_null(v)) return -1;
    double x = json_is_integer(v) ? (double)json_integer_value(v) : json_is_real(v) ? json_real_value(v) : -1;
    return x >= 1 && x <= 100000000 && x == floor(x) ? (long)x : -2;
}

int live_mock_parse_request(const char *body, size_t len, int anthropic, live_mock_request *rq)
{
    memset(rq, 0, sizeof *rq);
    rq->max_tokens = -1;
    char why[160];
    json_t *root = live_json_parse(body, len, BODY_MAX, PARSE_MEM_MAX, why, sizeof why);
    if (!root) {
        snprintf(rq->error, sizeof rq->error, "We could not parse the JSON body of your request (%s). "
                 "The request body must be a JSON object.", why);
        return -1;
    }
    const json_t *model = json_object_get(root, "model"), *msgs = json_object_get(root, "messages");
    const json_t *mt = json_object_get(root, "max_tokens");
    if (!mt && !anthropic) mt = json_object_get(root, "max_completion_tokens");
    long out = json_token_count(mt);
    const char *err = NULL;
    if (!json_is_object(root)) err = "The request body must be a JSON object.";
    else if (!json_is_string(model) || !json_string_length(model))
        err = "model: Field required. You must provide a model parameter.";
    else if (!json_is_array(msgs) || json_array_size(msgs) == 0)
        err = "messages: Field required. 'messages' must be a non-empty array.";
    else if (out == -2 || (out == -1 && anthropic))
        err = "max_tokens: Field required. It must be a positive integer.";
    else if (json_string_length(model) >= sizeof rq->model || memchr(json_string_value(model), 0, json_string_length(model)))
        err = "model: the name is too long.";
    if (err) {
        snprintf(rq->error, sizeof rq->error, "%s", err);
        json_decref(root);
        return -1;
    }
    const json_t *stream = json_object_get(root, "stream"), *so = json_object_get(root, "stream_options");
    const json_t *iu = json_is_object(so) ? json_object_get(so, "include_usage") : NULL;
    if (stream && !json_is_null(stream) && !json_is_boolean(stream)) err = "stream: Input should be a valid boolean.";
    else if (!anthropic && so && !json_is_null(so) && !json_is_object(so))
        err = "stream_options: Input should be an object.";
    else if (iu && !json_is_null(iu) && !json_is_boolean(iu)) err = "stream_options.include_usage: Input should be a valid boolean.";
    if (err) {
        snprintf(rq->error, sizeof rq->error, "%s", err);
        json_decref(root);
        return -1;
    }
    rq->stream = json_is_true(stream);
    rq->include_usage = !anthropic && json_is_true(iu);
    memcpy(rq->model, json_string_value(model), json_string_length(model) + 1);
    long chars = content_chars(json_object_get(root, "system"));
    size_t i;
    const json_t *msg;
    json_array_foreach(msgs, i, msg) chars += content_chars(json_is_object(msg) ? json_object_get(msg, "content") : NULL);
    rq->chars = chars;
    rq->max_tokens = out;
    json_decref(root);
    return 0;
}

/* Checks the body; on success fills prompt/output and returns 0, else sets
 * the 400 answer and returns -1. */
static int parse_request(mock *m, mock_req *r, double *prompt, double *output)
{
    mock_api api = (mock_api)r->route;
    live_mock_request rq;
    int rc = live_mock_parse_request(r->body.s, r->body.len, api == API_ANTHROPIC, &rq);
    if (rc) {
        set_error(r, api, 400, NULL, rq.error);
        return -1;
    }
    memcpy(r->model, rq.model, sizeof r->model);
    r->stream = rq.stream;
    r->include_usage = rq.include_usage;
    long hp = token_count(MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, HDR_PROMPT));
    *prompt = hp > 0 ? (double)hp : ceil((double)rq.chars / 4.0);
    *output = rq.max_tokens > 0 ? (double)rq.max_tokens : m->default_output;
    return 0;
}

/* The first request starts the scenario clock; a live driver tells its own
 * scenario time so that both timelines line up. */
static void start_clock(mock *m, mock_req *r)
{
    const char *t = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, HDR_SCENARIO);
    long long at = 0;
    if (!t || sim_parse_int(t, &at) || at < 0) at = 0;
    live_clock_start(&m->clk, m->o->scale, (pol_ns)at);
    m->started = 1;
}

/* Authorization: Bearer KEY, or x-api-key: KEY. */
static int key_ok(const mock *m, mock_req *r)
{
    const char *a = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "x-api-key");
    if (a && !strcmp(a, m->o->key)) return 1;
    a = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    return a && !strncmp(a, "Bearer ", 7) && !strcmp(a + 7, m->o->key);
}

static void handle(mock *m, mock_req *r)
{
    mock_api api = r->route < 0 ? API_OPENAI : (mock_api)r->route;
    if (r->route < 0) { set_error(r, api, 404, "unknown_url", "Unknown request URL. Please check the URL."); m->rejected++; return; }
    if (!r->is_post) {
        set_error(r, api, 405, NULL, "Method not allowed. Use POST.");
        if (r->resp) MHD_add_response_header(r->resp, "Allow", "POST");
        m->rejected++;
        return;
    }
    if (m->o->key && !key_ok(m, r)) {
        set_error(r, api, 401, "invalid_api_key", "Incorrect API key provided.");
        m->rejected++;
        return;
    }
    if (r->too_big) { set_error(r, api, 413, NULL, "Request body too large."); m->rejected++; return; }
    if (r->too_busy) {
        set_error(r, api, 503, NULL, "The server is busy receiving other request bodies. Please retry.");
        if (r->resp) MHD_add_response_header(r->resp, "retry-after", "1");
        m->rejected++;
        return;
    }
    double prompt, output;
    int bad = parse_request(m, r, &prompt, &output);
    body_release(m, r);                  /* parsed: the body is not needed any more */
    if (bad) { m->rejected++; return; }
    if (!m->started) start_clock(m, r);
    m->requests++;
    pol_ns now = live_clock_now(&m->clk);
    sim_run(&m->eng, now);              /* what was due before this request, first */
    r->prompt = prompt;
    r->output = output;
    wait_link(m, r);
    /* answers due now (429, outage...) come back inside the call */
    if (sim_pm_submit_ex(m->pm, m->prov, prompt, output, r->stream ? SIM_PM_STREAM : 0u, (uint64_t)(uintptr_t)r,
                         &r->handle)) {
        wait_unlink(m, r);
        r->phase = PH_CLOSE;
        return;
    }
    if (r->phase == PH_RECV) r->phase = PH_WAIT;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                 const char *version, const char *upload, size_t *upload_size, void **req_cls)
{
    (void)version;
    mock *m = cls;
    mock_req *r = *req_cls;
    if (!r) {
        r = calloc(1, sizeof *r);
        if (!r) return MHD_NO;
        r->m = m;
        r->conn = conn;
        size_t n = strlen(url);
        while (n > 1 && url[n - 1] == '/') n--;
        r->route = n == 20 && !strncmp(url, "/v1/chat/completions", n) ? API_OPENAI
                 : n == 12 && !strncmp(url, "/v1/messages", n) ? API_ANTHROPIC : -1;
        r->is_post = !strcmp(method, MHD_HTTP_METHOD_POST);
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        r->mc = ci ? ci->socket_context : NULL;
        *req_cls = r;
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (r->too_big || r->too_busy) return MHD_YES;
        if (r->body.len + n > BODY_MAX) { r->too_big = 1; body_release(m, r); return MHD_YES; }
        if (m->bodies + n > BODIES_MAX) { r->too_busy = 1; body_release(m, r); return MHD_YES; }
        size_t before = r->body.cap;
        live_buf_add(&r->body, upload, n, BODY_MAX + 1);
        m->bodies += r->body.cap - before;
        return r->body.bad ? MHD_NO : MHD_YES;
    }
    if (r->phase == PH_RECV) {
        idle_unlist(m, r->mc);           /* a complete request: the connection is busy, not idle */
        handle(m, r);
    }
    if (r->phase == PH_WAIT) {
        r->suspended = 1;
        MHD_suspend_connection(conn);
        return MHD_YES;
    }
    if (r->phase == PH_CLOSE || !r->resp) return MHD_NO;
    enum MHD_Result rc = MHD_queue_response(conn, r->status, r->resp);
    MHD_destroy_response(r->resp);
    r->resp = NULL;
    return rc;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls, enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    (void)toe;
    mock *m = cls;
    mock_req *r = *req_cls;
    if (!r) return;
    if (r->waiting) {                      /* the model's answer will find nobody */
        if (r->held) close_held(m, r);
        else sim_pm_forget(m->pm, r->handle);
        wait_unlink(m, r);
    }
    if (r->resp) MHD_destroy_response(r->resp);
    if (r->st) r->st->r = NULL;          /* the stream (its response's) outlives its request */
    body_release(m, r);
    if (r->mc) idle_list(m, r->mc);      /* keep-alive: the next request is due within the idle timeout */
    free(r);
    *req_cls = NULL;
}

/* MHD's connection notifications: each connection gets a mock_conn. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    mock *m = cls;
    mock_conn *c = *socket_context;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        c = m->handoff;                          /* ours until now: its idle time goes on */
        m->handoff = NULL;
        if (!c) return;
        c->conn = conn;
        *socket_context = c;
        m->nconn++;
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
        if (!c) return;
        idle_unlist(m, c);
        ip_release(m, c->ip);
        if (m->nconn) m->nconn--;
        free(c);
        *socket_context = NULL;
    }
}

/* -------------------------------------------------------------- sockets --- */
static int listen_open(mock *m)
{
    int fd = socket(m->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&m->addr, m->addrlen) || listen(fd, 4096)) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    socklen_t len = sizeof m->addr;
    getsockname(fd, (struct sockaddr *)&m->addr, &len);    /* port 0 -> the one chosen */
    m->lfd = fd;
    return 0;
}

static int parse_bind(mock *m, const char *bind_addr, int port)
{
    char h[64];
    size_t n = strlen(bind_addr);
    if (n >= sizeof h) return -1;
    if (bind_addr[0] == '[' && n > 2 && bind_addr[n - 1] == ']') { memcpy(h, bind_addr + 1, n - 2); h[n - 2] = '\0'; }
    else memcpy(h, bind_addr, n + 1);
    if (!strcmp(h, "localhost")) strcpy(h, "127.0.0.1");
    memset(&m->addr, 0, sizeof m->addr);
    struct sockaddr_in *a4 = (struct sockaddr_in *)&m->addr;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&m->addr;
    if (inet_pton(AF_INET, h, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        m->addrlen = sizeof *a4;
    } else if (inet_pton(AF_INET6, h, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        m->addrlen = sizeof *a6;
    } else return -1;
    return 0;
}

/* Reads and drops what the client sent (so that closing sends a FIN, not
 * a reset that could destroy the answer before the client reads it), sends
 * the raw answer (it fits a fresh socket's buffer) and closes. */
static void answer_close(int fd, const char *reply, size_t len)
{
    char buf[4096];
    for (int i = 0; i < 16 && recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0; i++) {}
    if (reply) (void)!send(fd, reply, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    shutdown(fd, SHUT_WR);
    close(fd);
}

/* A connection over the limits: a 503 at once, then closed, so the
 * listening socket keeps being served. */
static void refuse_conn(mock *m, int fd)
{
    answer_close(fd, m->busy_reply, m->busy_len);
    m->refused_conns++;
}

static int tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* 1 when b[n], the first bytes of a connection, is an HTTP/1.x request
 * line so far (METHOD SP TARGET SP HTTP/d.d CRLF, after optional empty
 * lines), else 0. Incomplete is fine: MHD reads the rest. */
static int request_line_ok(const unsigned char *b, size_t n)
{
    size_t i = 0, start;
    while (i < n && (b[i] == '\r' || b[i] == '\n')) i++;
    for (start = i; i < n && tchar(b[i]); i++) {}
    if (i == n) return 1;
    if (i == start || b[i] != ' ') return 0;
    for (start = ++i; i < n && b[i] > 0x20 && b[i] != 0x7f; i++) {}
    if (i == n) return 1;
    if (i == start || b[i] != ' ') return 0;
    i++;
    for (const char *v = "HTTP/"; *v; v++, i++) {
        if (i == n) return 1;
        if (b[i] != (unsigned char)*v) return 0;
    }
    while (i < n && ((b[i] >= '0' && b[i] <= '9') || b[i] == '.')) i++;
    return i == n || b[i] == '\r' || b[i] == '\n';
}

/* Closes a connection of ours (still in m->pfd: closing takes it out). */
static void pre_close(mock *m, mock_conn *c)
{
    idle_unlist(m, c);
    if (c->fd >= 0) close(c->fd);
    ip_release(m, c->ip);
    m->npre--;
    free(c);
}

/* A connection of ours has its first bytes (or hung up): a request line
 * goes on to MHD, anything else gets 400 and is closed. */
static void pre_ready(mock *m, mock_conn *c)
{
    unsigned char buf[1024];
    ssize_t n = recv(c->fd, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    if (n <= 0) { pre_close(m, c); return; }
    if (!request_line_ok(buf, (size_t)n)) {
        epoll_ctl(m->pfd, EPOLL_CTL_DEL, c->fd, NULL);
        answer_close(c->fd, m->bad_line_reply, m->bad_line_len);
        c->fd = -1;
        m->bad_lines++;
        pre_close(m, c);
        return;
    }
    epoll_ctl(m->pfd, EPOLL_CTL_DEL, c->fd, NULL);
    c->pre = 0;
    m->npre--;
    m->handoff = c;
    struct sockaddr_storage peer;
    socklen_t len = sizeof peer;
    if (getpeername(c->fd, (struct sockaddr *)&peer, &len)) len = 0;
    MHD_add_connection(m->d, c->fd, (struct sockaddr *)&peer, len);    /* closes the descriptor on failure */
    if (m->handoff == c) {                       /* MHD did not take it */
        idle_unlist(m, c);
        ip_release(m, c->ip);
        free(c);
        m->refused_conns++;
    }
    m->handoff = NULL;
}

static void pre_events(mock *m)
{
    struct epoll_event evs[64];
    int n;
    while ((n = epoll_wait(m->pfd, evs, 64, 0)) > 0) {
        for (int i = 0; i < n; i++) pre_ready(m, evs[i].data.ptr);
        if (n < 64) break;
    }
}

/* Accepts every pending connection: up to max_conn in all and max_per_ip
 * from one client address; the rest get a 503 at once. A new connection
 * waits in m->pfd for its first bytes (pre_ready). Out of descriptors all
 * the same (another process, a low limit), the spare descriptor is given
 * up to accept and refuse one; only when even that fails does the pending
 * connection stay in the backlog, and the socket is not watched for 100 ms
 * instead of spinning. */
static void accept_all(mock *m)
{
    while (m->lfd >= 0) {
        struct sockaddr_storage peer;
        socklen_t len = sizeof peer;
        int fd = accept4(m->lfd, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if ((errno == EMFILE || errno == ENFILE) && m->spare_fd >= 0) {
                close(m->spare_fd);
                m->spare_fd = -1;
                fd = accept4(m->lfd, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (fd >= 0) refuse_conn(m, fd);
                m->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (fd >= 0) continue;
            }
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                m->accept_after = live_mono_ns() + 100 * POL_NS_PER_MS;
            return;
        }
        unsigned char key[16];
        ip_key(&peer, key);
        if (m->nconn + m->npre >= m->max_conn) { refuse_conn(m, fd); continue; }
        uint32_t *cnt = ip_count(m, key);
        if (*cnt >= m->max_per_ip) { refuse_conn(m, fd); continue; }
        mock_conn *c = calloc(1, sizeof *c);
        struct epoll_event ev;
        memset(&ev, 0, sizeof ev);
        ev.events = EPOLLIN | EPOLLRDHUP;
        ev.data.ptr = c;
        if (!c || epoll_ctl(m->pfd, EPOLL_CTL_ADD, fd, &ev)) { free(c); close(fd); continue; }
        (*cnt)++;
        memcpy(c->ip, key, 16);
        c->fd = fd;
        c->pre = 1;
        m->npre++;
        idle_list(m, c);
    }
}

/* A raw HTTP answer for a connection MHD does not have, in both APIs'
 * error shapes at once ("type":"error" with error.type, error.message and
 * error.code). */
static char *raw_reply(const char *status, const char *type, const char *code, const char *msg, size_t *out)
{
    size_t n = 0;
    char *body = dump_free(json_pack("{s:s, s:{s:s, s:s, s:n, s:s}}", "type", "error", "error",
                                     "type", type, "message", msg, "param", "code", code), &n);
    live_buf b = { 0 };
    if (body)
        live_buf_printf(&b, "HTTP/1.1 %s\r\nContent-Type: application/json\r\n%sConnection: close\r\n"
                        "Content-Length: %zu\r\n\r\n%s", status, status[0] == '5' ? "Retry-After: 1\r\n" : "", n, body);
    free(body);
    if (b.bad) live_buf_free(&b);
    *out = b.len;
    return b.s;
}

/* The connection limits from the descriptor limit: 32 + 1/32 of it are kept
 * for the process itself, the rest is the total; one client address may
 * hold 3/4 of the total. */
static int set_limits(mock *m)
{
    struct rlimit r;
    rlim_t nofile = getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur != RLIM_INFINITY ? r.rlim_cur : 65536;
    if (nofile > (1u << 20)) nofile = 1u << 20;
    rlim_t keep = 32 + nofile / 32;
    unsigned total = nofile > keep + 8 ? (unsigned)(nofile - keep) : 8;
    m->max_conn = m->lim.max_connections > 0 && (unsigned)m->lim.max_connections < total ? (unsigned)m->lim.max_connections
                                                                                         : total;
    unsigned per_ip = m->max_conn - m->max_conn / 4;
    m->max_per_ip = m->lim.max_per_ip > 0 && (unsigned)m->lim.max_per_ip < per_ip ? (unsigned)m->lim.max_per_ip : per_ip;
    if (!m->max_per_ip) m->max_per_ip = 1;
    double idle = m->lim.idle_timeout;
    const char *env = getenv("RETRYSIM_MOCK_IDLE_TIMEOUT");
    double v;
    if (!(idle > 0) && env && !sim_parse_double(env, &v) && v > 0 && v <= 86400) idle = v;
    if (!(idle > 0)) idle = IDLE_DEFAULT;
    m->idle_s = (unsigned)ceil(idle);
    m->idle_ns = (int64_t)m->idle_s * POL_NS_PER_S;
    m->ipt_mask = 1;
    while (m->ipt_mask < 2 * m->max_conn + 2) m->ipt_mask <<= 1;
    m->ipt = calloc(m->ipt_mask, sizeof *m->ipt);
    m->ipt_mask--;
    if (getrandom(&m->ipt_seed, sizeof m->ipt_seed, 0) != (ssize_t)sizeof m->ipt_seed) m->ipt_seed = (uint32_t)live_mono_ns();
    m->busy_reply = raw_reply("503 Service Unavailable", "overloaded_error", "too_many_connections",
                              "Too many connections to this server. Please retry.", &m->busy_len);
    m->bad_line_reply = raw_reply("400 Bad Request", "invalid_request_error", "bad_request_line",
                                  "The request line is not HTTP/1.x.", &m->bad_line_len);
    return m->ipt && m->busy_reply && m->bad_line_reply ? 0 : -1;
}

static void print_listening(const mock *m)
{
    char host[INET6_ADDRSTRLEN];
    int port;
    if (m->addr.ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&m->addr;
        inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
        port = ntohs(a->sin6_port);
        printf("listening on [%s]:%d\n", host, port);
    } else {
        const struct sockaddr_in *a = (const struct sockaddr_in *)&m->addr;
        inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
        port = ntohs(a->sin_port);
        printf("listening on %s:%d\n", host, port);
    }
    fflush(stdout);
}

/* ------------------------------------------------------------------ run --- */
static void serve(mock *m)
{
    int64_t wall_start = live_mono_ns();
    int64_t wall_end = m->o->duration > 0 ? wall_start + (int64_t)((double)m->o->duration / m->o->scale) : -1;
    while (!live_stop_requested()) {
        int64_t wall = live_mono_ns();
        if (wall_end >= 0 && wall >= wall_end) break;
        pol_ns now = 0;
        if (m->started) {
            now = live_clock_now(&m->clk);
            sim_run(&m->eng, now);
        }
        if (m->eng.error || sim_pm_error(m->pm)) break;   /* out of memory: the model would stall */
        MHD_run(m->d);
        int64_t timeout = -1;
        MHD_UNSIGNED_LONG_LONG mt;
        if (MHD_get_timeout(m->d, &mt) == MHD_YES) timeout = (int64_t)mt * POL_NS_PER_MS;
        if (m->started) {
            pol_ns next = sim_next_time(&m->eng);
            if (next != POL_NS_MAX) {
                int64_t t = live_to_wall(&m->clk, next > now ? next - now : 0);
                if (timeout < 0 || t < timeout) timeout = t;
            }
        }
        if (wall_end >= 0 && (timeout < 0 || wall_end - wall < timeout)) timeout = wall_end - wall;
        int64_t idle = idle_sweep(m);
        if (idle >= 0 && (timeout < 0 || idle < timeout)) timeout = idle;
        int paused = m->accept_after > wall;
        if (paused && (timeout < 0 || m->accept_after - wall < timeout)) timeout = m->accept_after - wall;
        int fds[4] = { m->epfd, paused ? -1 : m->lfd, m->hfd, m->pfd }, ready[4];
        live_wait(fds, 4, timeout, ready);
        if (ready[1]) accept_all(m);
        if (ready[2]) held_hangups(m);
        if (ready[3]) pre_events(m);
    }
}

static void shutdown_server(mock *m)
{
    for (mock_conn *c = m->idle, *next; c; c = next) {   /* ours: closed here */
        next = c->next;
        if (c->pre) pre_close(m, c);
    }
    while (m->waiting) {
        mock_req *r = m->waiting;
        if (!r->held) sim_pm_forget(m->pm, r->handle);
        close_held(m, r);
    }
    for (uint32_t i = 0; i < m->nsv; i++) {     /* streams waiting for their next event: end them */
        mock_stream *st = m->sv[i].p;
        if (!st || !st->r) continue;
        st->done = 2;
        st->plan.end = SIM_PLAN_CUT;
        st->next = st->nchunks + 1;
        if (st->r->suspended) wake(st->r);
    }
    for (int i = 0; i < 3; i++) MHD_run(m->d);  /* let resumed connections close */
    MHD_stop_daemon(m->d);
    listen_close(m);
}

int live_mock_run(const sim_scenario *sc, const live_mock_opts *o) { return live_mock_run_ex(sc, o, NULL); }

int live_mock_run_ex(const sim_scenario *sc, const live_mock_opts *o, const live_mock_limits *lim)
{
    mock M;
    memset(&M, 0, sizeof M);
    mock *m = &M;
    if (lim) m->lim = *lim;
    m->sc = sc;
    m->o = o;
    m->prov = o->provider;
    m->lfd = -1;
    m->spare_fd = -1;
    m->hfd = epoll_create1(EPOLL_CLOEXEC);
    m->pfd = epoll_create1(EPOLL_CLOEXEC);
    const sim_class *k0 = &sc->workload.classes[0];
    m->default_output = fmax(1, round(sim_dist_mean(&k0->output_tokens)));
    int rc = 2;
    sim_pm_opts po = { .sc = sc, .seed = sc->seed, .replication = 0, .eng = &m->eng,
                       .host = { .answer = pm_answer, .change = pm_change, .ctx = m } };
    if (sim_engine_init(&m->eng, SIM_QUEUE_BINARY, 4096) || sim_pm_new(&po, &m->pm) || sim_pm_schedule_timeline(m->pm)) {
        fprintf(stderr, "retrysim mock: out of memory\n");
        goto out;
    }
    m->grng = sim_rng_new(sim_rng_type(sc->rng), sc->seed, 0, SIM_STREAM_PROVIDER, (uint32_t)(sc->nproviders + m->prov));
    m->free_sv = UINT32_MAX;
    sim_engine_on(&m->eng, MOCK_EV_STREAM, on_stream_wake, stream_live, m);
    if (!m->grng || m->hfd < 0 || m->pfd < 0 || set_limits(m)) { fprintf(stderr, "retrysim mock: out of memory\n"); goto out; }
    if (parse_bind(m, o->bind, o->port)) {
        fprintf(stderr, "retrysim mock: --bind needs an IPv4 or IPv6 address, got '%s'\n", o->bind);
        goto out;
    }
    if (listen_open(m)) {
        fprintf(stderr, "retrysim mock: cannot listen on %s:%d: %s\n", o->bind, o->port, strerror(errno));
        goto out;
    }
    m->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    /* MHD's own timeout: no bytes either way for idle_s (a slow reader of an
     * answer); suspended connections (held by the model) are not timed out */
    m->d = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_NO_LISTEN_SOCKET, 0,
                            NULL, NULL, on_access, m,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned int)m->max_conn,
                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)m->max_per_ip,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)m->idle_s,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, m,
                            MHD_OPTION_NOTIFY_CONNECTION, on_connection, m,
                            MHD_OPTION_END);
    const union MHD_DaemonInfo *di = m->d ? MHD_get_daemon_info(m->d, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
    if (!di) {
        fprintf(stderr, "retrysim mock: cannot start libmicrohttpd (epoll, suspend/resume)\n");
        if (m->d) MHD_stop_daemon(m->d);
        listen_close(m);
        goto out;
    }
    m->epfd = di->epoll_fd;
    if (!o->quiet)
        fprintf(stderr, "retrysim mock: at most %u connections (%u per client address), idle timeout %u s\n",
                m->max_conn, m->max_per_ip, m->idle_s);
    print_listening(m);
    serve(m);
    shutdown_server(m);
    rc = 0;
    if (m->eng.error || sim_pm_error(m->pm)) {
        fprintf(stderr, "retrysim mock: out of memory in the provider model; stopped serving\n");
        rc = 1;
    }
    if (!o->quiet) {
        fprintf(stderr, "retrysim mock: %llu requests (%llu rejected as malformed): %llu answered 200, "
                "%llu 429, %llu 5xx, %llu 4xx, %llu closed unanswered (refused, black-holed or shut down), "
                "%llu garbled; %llu connections refused over the limits, %llu closed idle, "
                "%llu with a request line that is not HTTP; %llu streamed (%llu cut, %llu with an error event)\n",
                (unsigned long long)m->requests, (unsigned long long)m->rejected,
                (unsigned long long)(m->requests - m->n429 - m->n5xx - m->n4xx - m->closed),
                (unsigned long long)m->n429, (unsigned long long)m->n5xx, (unsigned long long)m->n4xx,
                (unsigned long long)m->closed, (unsigned long long)m->garbled,
                (unsigned long long)m->refused_conns, (unsigned long long)m->idle_closed,
                (unsigned long long)m->bad_lines, (unsigned long long)m->streams,
                (unsigned long long)m->stream_cuts, (unsigned long long)m->stream_errors);
    }
out:
    free(m->sv);
    if (m->spare_fd >= 0) close(m->spare_fd);
    free(m->busy_reply);
    free(m->bad_line_reply);
    free(m->ipt);
    if (m->pfd >= 0) close(m->pfd);
    if (m->hfd >= 0) close(m->hfd);
    if (m->grng) gsl_rng_free(m->grng);
    sim_pm_free(m->pm);
    sim_engine_free(&m->eng);
    return rc;
}

