/* live.c — `retrysim live SCENARIO --target URL`: the simulator's own client
 * loop against real endpoints (see live.h).
 *
 * The clients, their workload, retries, fallbacks and every stateful policy
 * part run in a sim_world (sim/world.c) set up with a transport: where the
 * simulator would send an attempt into its network and provider models, the
 * world calls tp_send, which turns the attempt into an HTTP request (body
 * for the slot's tokens and wire format, Idempotency-Key per logical
 * request, X-Trace-Id per attempt) on libcurl's multi handle. When the
 * transfer ends, its outcome (status, body, hint and rate-limit headers,
 * converted to scenario time) goes into the slot and sim_world_answer hands
 * it to the client; the world's decision comes back through tp_verdict,
 * where the model's writer (sim_attempts_write) writes the attempts.csv row
 * with the transfer's HTTP-only columns. Timeouts are the world's: its
 * timeout events fire on its engine and tp_cancel aborts the transfer
 * (libcurl only has a generous safety timeout). The loop: advance the engine to the
 * scenario clock (CLOCK_MONOTONIC x --time-scale), deliver finished
 * transfers, and ppoll on the epoll set of libcurl's sockets until the next
 * engine event or libcurl timer. Outputs are the world's metrics, written
 * by the same functions as `retrysim run`.
 * The i-th --target serves the policy's i-th target; an attempt to a
 * provider without a URL is answered as a refused connection.
 * Quantities only a server can see (wasted work, duplicate billing, queue
 * wait, requests in the system) are written empty or 0.
 * Safety: see live_check_targets; caps are enforced in tp_send
 * (--max-requests counts HTTP requests, retries and hedges included;
 * --max-spend counts what was billed plus the worst case of every attempt in
 * flight or of unknown fate): the first attempt beyond a cap ends the run,
 * it is not sent, and the attempts in flight are cancelled. The API key is
 * read from the environment, placed in the header list of a transfer and
 * never written anywhere else.
 * Streams (an attempt with sim_attempt.stream): the request asks for
 * "stream": true; a 2xx text/event-stream answer is read as server-sent
 * events as it arrives (the write callback frames lines and events, every
 * data payload is parsed by jansson; nothing is buffered beyond one event),
 * the first event is the first byte (sim_world_stream_start: the world's
 * TTFT timeout stops), each content delta a chunk (sim_world_stream_chunk:
 * tokens, the gap since the previous one), and the end of the transfer the
 * end of the stream: complete ([DONE], message_stop), an error event, or a
 * cut (the connection closed, or a body that is not events). The idle
 * timeout between events is enforced here, in the loop; the attempt's bound
 * by the world's timeout event.
 * Invariants: a transfer (xfer) belongs to one world slot id and is in the
 * multi handle iff its state is X_CURL; after tp_cancel or an answer it is
 * idle and its answer is never delivered; every easy handle is removed from
 * the multi handle before cleanup.
 * Cost: O(1) bookkeeping per attempt plus libcurl, one easy handle per slot
 * id ever in flight at once; no thread per client.
 */
#include "live.h"
#include "live_json.h"
#include "live_util.h"
#include "model.h"
#include "outfile.h"
#include "units.h"
#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <unistd.h>

/* ---------------------------------------------------------- classification --- */
/* A usage count: a non-negative JSON number, else -1. */
static double usage_value(const json_t *usage, const char *a, const char *b)
{
    const json_t *v = json_object_get(usage, a);
    if (!v) v = json_object_get(usage, b);
    double x = json_is_number(v) ? json_number_value(v) : -1;
    return x >= 0 && isfinite(x) ? x : -1;
}

/* Appends text to why[cap] (at *len) with control characters as spaces,
 * cut to at most max bytes on a UTF-8 character boundary ("..." then). */
static void why_add(char *why, size_t cap, size_t *len, const char *text, size_t max)
{
    if (!cap || !text || *len + 1 >= cap) return;
    size_t full = strlen(text), room = cap - 1 - *len;
    size_t n = full < max ? full : max;
    int cut = n < full;
    if (n > room) { n = room; cut = 1; }
    if (cut) {
        size_t dots = room - n >= 3 ? 0 : 3 - (room - n);      /* make room for "..." */
        n = n > dots ? n - dots : 0;
        while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80) n--;   /* not inside a character */
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        why[(*len)++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
    }
    if (cut && *len + 3 <= cap - 1) { memcpy(why + *len, "...", 3); *len += 3; }
    why[*len] = '\0';
}

static void why_fmt(char *why, size_t cap, size_t *len, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void why_fmt(char *why, size_t cap, size_t *len, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    why_add(why, cap, len, tmp, sizeof tmp);
}

/* The error text of an HTTP error answer: its status and the error body's
 * type, code and message (the message cut to 160 bytes). */
static void why_http(char *why, size_t cap, long status, const live_json_error *e, int parsed, const char *perr)
{
    size_t n = 0;
    why_fmt(why, cap, &n, "HTTP %ld", status);
    if (!parsed) {
        why_fmt(why, cap, &n, " (body %s)", perr);
        return;
    }
    if (!e->type && !e->code && !e->message) { why_add(why, cap, &n, " (no error object in the body)", 64); return; }
    if (e->type) { why_add(why, cap, &n, " ", 1); why_add(why, cap, &n, e->type, 48); }
    if (e->code) { why_add(why, cap, &n, e->type ? "/" : " ", 1); why_add(why, cap, &n, e->code, 48); }
    if (e->message) { why_add(why, cap, &n, ": ", 2); why_add(why, cap, &n, e->message, 160); }
}

static int starts_with(const char *s, const char *prefix) { return s && !strncmp(s, prefix, strlen(prefix)); }

pol_outcome live_outcome_of(const live_reply *r, double *prompt_tok, double *completion_tok, char *why, size_t cap)
{
    *prompt_tok = *completion_tok = -1;
    size_t n = 0;
    if (cap) why[0] = '\0';
    long status = r->status;
    int http_ok = status >= 100 && status <= 599;
    if (r->too_large) {                        /* we stopped reading: the status line was read */
        if (http_ok && (status < 200 || status >= 300)) {
            why_fmt(why, cap, &n, "HTTP %ld (error body over %u bytes, not read)", status, LIVE_RESP_MAX);
            return pol_outcome_make(POL_OUT_HTTP, (int)status);
        }
        why_fmt(why, cap, &n, "body too large: HTTP %ld with a body over %u bytes (transfer stopped)", status,
                LIVE_RESP_MAX);
        return pol_outcome_make(POL_OUT_CONN_RESET, 0);
    }
    if (r->curl_code != CURLE_OK) {
        const char *msg = curl_easy_strerror((CURLcode)r->curl_code);
        why_add(why, cap, &n, msg, 120);
        if (r->curl_msg && r->curl_msg[0] && strcmp(r->curl_msg, msg)) {
            why_add(why, cap, &n, ": ", 2);
            why_add(why, cap, &n, r->curl_msg, 160);
        }
        switch ((CURLcode)r->curl_code) {
        case CURLE_OPERATION_TIMEDOUT: return pol_outcome_make(POL_OUT_TIMEOUT, 0);
        case CURLE_COULDNT_CONNECT:
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY: return pol_outcome_make(POL_OUT_CONN_REFUSED, 0);
        default: return pol_outcome_make(POL_OUT_CONN_RESET, 0);
        }
    }
    if (!http_ok) {
        why_fmt(why, cap, &n, status ? "unexpected HTTP status %ld" : "no HTTP status in the answer", status);
        return pol_outcome_make(POL_OUT_CONN_RESET, 0);
    }
    char perr[160];
    json_t *root = r->body && r->len ? live_json_parse(r->body, r->len, LIVE_RESP_MAX, 0, perr, sizeof perr) : NULL;
    if (!r->body || !r->len) snprintf(perr, sizeof perr, "empty");
    pol_outcome o;
    if (status >= 200 && status < 300) {
        if (json_is_object(root)) {
            const json_t *u = json_object_get(root, "usage");
            if (json_is_object(u)) {
                *prompt_tok = usage_value(u, "prompt_tokens", "input_tokens");
                *completion_tok = usage_value(u, "completion_tokens", "output_tokens");
            }
            o = pol_outcome_make(POL_OUT_SUCCESS, (int)status);
        } else {
            if (root) why_fmt(why, cap, &n, "HTTP %ld with a body that is a JSON %s, not an object", status,
                              live_json_type_name(root));
            else why_fmt(why, cap, &n, "HTTP %ld with a body that is %s", status,
                         !strcmp(perr, "empty") ? "empty" : perr);
            o = pol_outcome_make(POL_OUT_CONN_RESET, 0);
        }
        json_decref(root);
        return o;
    }
    live_json_error e;
    live_json_error_of(root, &e);
    why_http(why, cap, status, &e, root != NULL, perr);
    o = pol_outcome_make(POL_OUT_HTTP, (int)status);
    if (status == 400) {
        /* OpenAI: error.code; Anthropic has no code: its documented
         * invalid_request_error message for a prompt over the window */
        if ((e.code && !strcmp(e.code, "context_length_exceeded")) ||
            (e.type && !strcmp(e.type, "invalid_request_error") && starts_with(e.message, "prompt is too long")))
            o = pol_outcome_make(POL_OUT_CONTEXT_WINDOW, 400);
        else if (e.code && (!strcmp(e.code, "content_filter") || !strcmp(e.code, "content_policy_violation")))
            o = pol_outcome_make(POL_OUT_CONTENT_POLICY, 400);
    }
    json_decref(root);
    return o;
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
enum { X_IDLE = 0, X_CURL, X_REFUSED };
enum { SSE_OPEN = 0, SSE_DONE, SSE_ERROR, SSE_BROKEN };   /* xfer.sse_end */

/* One HTTP attempt, by the world's slot id (the easy handle is kept for the
 * next attempt that gets the same id). */
typedef struct {
    CURL     *easy;
    struct curl_slist *hdrs;
    char     *body;
    size_t    body_len, body_cap;
    live_buf  resp;                /* the response body, up to LIVE_RESP_MAX */
    size_t    resp_bytes;
    int       too_large;           /* the body passed LIVE_RESP_MAX: the transfer was stopped */
    uint32_t  slot, gen;           /* the slot and its generation when sent */
    uint8_t   state;               /* X_* */
    uint8_t   row;                 /* its attempts.csv row is written */
    int       curl_code;
    int64_t   wall;                /* Unix ns of the start */
    double    worst;               /* worst-case cost of the attempt, USD */
    double    ptok, ctok;          /* usage of the answer, -1 = unknown */
    pol_outcome hint;              /* hints of the response, wall ns */
    const pol_hint_cfg *hcfg;      /* how the attempt's client reads them (sim_attempt.hint) */
    pol_quota quota;               /* its rate-limit headers; resets in wall ns from the answer */
    char      srv_id[80], trace[64];
    char      errbuf[CURL_ERROR_SIZE];  /* libcurl's message for a failed transfer */
    char      why[320];            /* why it is not a success: attempts.csv's error column */
    /* a streamed attempt */
    void     *run;                 /* its live_run */
    uint8_t   stream;              /* it asked for a stream */
    uint8_t   sse;                 /* the answer is a 2xx text/event-stream: read as events */
    uint8_t   started;             /* the world has its first byte */
    uint8_t   sse_end;             /* SSE_*: how the events ended */
    uint8_t   cr;                  /* the last byte read was a CR (a CRLF may be split over two reads) */
    long      http_status;         /* of the status line */
    live_buf  line, data;          /* the line being read, the data of the event being read */
    char      event[32];           /* its event: name */
    uint32_t  tokens;              /* content tokens received */
    int64_t   last_event;          /* CLOCK_MONOTONIC ns of the last event (the idle timeout) */
    int64_t   last_chunk;          /* of the last content chunk (the gaps), 0 = none yet */
    int64_t   idle_wall;           /* the idle timeout, wall ns; 0 = none */
    double    sprompt, soutput;    /* the stream's usage, -1 unknown */
} xfer;

typedef struct {
    sim_scenario *sc;
    const live_opts *o;
    sim_world    *w;
    live_clock    clk;
    const char  **url_of;          /* [provider]: its --target, or NULL */
    xfer        **x;               /* [slot id], NULL until first used */
    uint32_t      nx;
    uint32_t     *pend;            /* slots to answer as refused on the next turn (no URL) */
    uint32_t      npend, cap_pend;
    char         *ptext;           /* "tok tok ...": the prompt text of every request */
    size_t        ptext_len;
    char          run_id[20];
    CURLM        *multi;
    int           epfd;
    int64_t       curl_due;        /* CLOCK_MONOTONIC ns of libcurl's timer, -1 = none */
    FILE         *attempts;
    uint64_t      sent;            /* HTTP requests */
    uint32_t      in_flight, peak_in_flight;
    double        spent, worst_in_flight, worst_unknown;
    int           loopback;        /* every target is a loopback host */
    int           capped, interrupted, error;
    int           fd_start, fd_peak;
    int64_t       fd_next;         /* CLOCK_MONOTONIC ns of the next descriptor count */
    uint32_t      streaming;       /* transfers reading a stream (the idle timeouts to watch) */
} live_run;

static double price_of(const live_run *L, int prov, double prompt, double output)
{
    const sim_provider *p = &L->sc->providers[prov];
    return (prompt * p->price_in + output * p->price_out) / 1e6;
}

/* The world stops by itself when every closed-loop client is done (status 1). */
static int ending(const live_run *L)
{
    const sim_world *w = L->w;
    return L->capped || L->error || sim_world_status(w) || sim_world_now(w) >= L->sc->duration;
}

/* Runs the world's events up to the scenario clock (at most its duration):
 * an answer is delivered at the time it is looked at, after the timeouts
 * that expired before. Not after a cap or an error: the run is over. */
static void advance(live_run *L)
{
    if (L->capped || L->error) return;      /* the run is over: nothing may fire now */
    pol_ns now = live_clock_now(&L->clk);
    sim_world_advance(L->w, now < L->sc->duration ? now : L->sc->duration);
}

/* ------------------------------------------------------------ curl plumbing --- */
static size_t sse_feed(xfer *x, const char *p, size_t len);

static size_t on_body(char *ptr, size_t size, size_t n, void *ud)
{
    xfer *x = ud;
    size_t len = size * n;
    x->resp_bytes += len;
    if (x->sse) return sse_feed(x, ptr, len);
    if (x->resp.len + len > LIVE_RESP_MAX) {     /* stop reading: the outcome says "body too large" */
        x->too_large = 1;
        return 0;
    }
    live_buf_add(&x->resp, ptr, len, LIVE_RESP_MAX + 1);
    return len;
}

/* ----------------------------------------------------------------- streams --- */
/* Server-sent events (the HTML Living Standard's event-stream format, which
 * both APIs use): lines end with LF, CRLF or CR; `field: value` lines (one
 * leading space of the value dropped); `data` lines of one event are joined
 * with LF; an empty line dispatches the event; lines starting with `:` are
 * comments. A line or an event's data over LIVE_RESP_MAX is a broken stream. */
static int sse_content(xfer *x, const json_t *j, size_t *chars)
{
    /* OpenAI: choices[0].delta.content; Anthropic: content_block_delta's delta.text */
    const json_t *ch = json_object_get(j, "choices");
    const json_t *c0 = json_is_array(ch) ? json_array_get(ch, 0) : NULL;
    const json_t *d = c0 ? json_object_get(c0, "delta") : json_object_get(j, "delta");
    const json_t *t = json_is_object(d) ? json_object_get(d, c0 ? "content" : "text") : NULL;
    (void)x;
    if (!json_is_string(t) || !json_string_length(t)) return 0;
    *chars = json_string_length(t);
    return 1;
}

static double usage_num(const json_t *u, const char *a)
{
    const json_t *v = json_object_get(u, a);
    double d = json_is_number(v) ? json_number_value(v) : -1;
    return d >= 0 && isfinite(d) ? d : -1;
}

/* One event (x->event, x->data) of transfer x, now. */
static void sse_dispatch(xfer *x)
{
    live_run *L = x->run;
    int64_t mono = live_mono_ns();
    pol_ns at = live_clock_now(&L->clk);
    const char *ev = x->event;
    x->last_event = mono;
    if (!x->started && x->sse_end == SSE_OPEN) {          /* the first byte */
        x->started = sim_world_stream_start(L->w, x->slot, at) == 0 ? 1 : 2;
        if (x->started == 1) L->streaming++;
    }
    if (x->sse_end != SSE_OPEN) return;                   /* events after the end are ignored */
    if (!x->data.len) return;                             /* an event without data (a bare event: line) */
    if (!strcmp(ev, "ping")) return;
    if (!strncmp(x->data.s, "[DONE]", 6)) { x->sse_end = SSE_DONE; return; }
    char why[160];
    json_t *j = live_json_parse(x->data.s, x->data.len, LIVE_RESP_MAX, 0, why, sizeof why);
    if (!json_is_object(j)) {
        size_t n = 0;
        why_fmt(x->why, sizeof x->why, &n, "stream event that is not a JSON object: %s", j ? "another JSON value" : why);
        x->sse_end = SSE_BROKEN;
        json_decref(j);
        return;
    }
    live_json_error e;
    if (!strcmp(ev, "error") || (live_json_error_of(j, &e) && (e.type || e.message))) {
        live_json_error_of(j, &e);
        size_t n = 0;
        why_fmt(x->why, sizeof x->why, &n, "stream error event after %u tokens", x->tokens);
        if (e.type) { why_add(x->why, sizeof x->why, &n, ": ", 2); why_add(x->why, sizeof x->why, &n, e.type, 48); }
        if (e.message) { why_add(x->why, sizeof x->why, &n, ": ", 2); why_add(x->why, sizeof x->why, &n, e.message, 160); }
        x->sse_end = SSE_ERROR;
        json_decref(j);
        return;
    }
    const json_t *u = json_object_get(j, "usage");
    if (!strcmp(ev, "message_start")) {
        const json_t *msg = json_object_get(j, "message");
        u = json_is_object(msg) ? json_object_get(msg, "usage") : NULL;
        if (json_is_object(u) && usage_num(u, "input_tokens") >= 0) x->sprompt = usage_num(u, "input_tokens");
    } else if (json_is_object(u)) {                       /* OpenAI's usage chunk; Anthropic's message_delta */
        if (usage_num(u, "prompt_tokens") >= 0) x->sprompt = usage_num(u, "prompt_tokens");
        double o = usage_num(u, "completion_tokens");
        if (o < 0) o = usage_num(u, "output_tokens");
        if (o >= 0) x->soutput = o;
    }
    if (!strcmp(ev, "message_stop")) x->sse_end = SSE_DONE;
    size_t chars;
    if (sse_content(x, j, &chars)) {                      /* a content chunk: 4 characters a token, rounded up */
        uint32_t tok = (uint32_t)((chars + 3) / 4);
        x->tokens += tok;
        if (x->started == 1)
            sim_world_stream_chunk(L->w, x->slot, tok, x->last_chunk ? live_to_scenario(&L->clk, mono - x->last_chunk) : -1, at);
        x->last_chunk = mono;
    }
    json_decref(j);
}

/* One complete line of an event stream. */
static void sse_line(xfer *x, const char *l, size_t n)
{
    if (n == 0) {                                         /* dispatch */
        if (x->data.len || x->event[0]) sse_dispatch(x);
        x->data.len = 0;
        if (x->data.s) x->data.s[0] = '\0';
        x->event[0] = '\0';
        return;
    }
    if (l[0] == ':') return;                              /* a comment */
    const char *colon = memchr(l, ':', n);
    size_t fl = colon ? (size_t)(colon - l) : n;
    const char *v = colon ? colon + 1 : l + n;
    size_t vl = colon ? n - fl - 1 : 0;
    if (vl && *v == ' ') { v++; vl--; }
    if (fl == 4 && !memcmp(l, "data", 4)) {
        if (x->data.len) live_buf_add(&x->data, "\n", 1, LIVE_RESP_MAX);
        live_buf_add(&x->data, v, vl, LIVE_RESP_MAX);
    } else if (fl == 5 && !memcmp(l, "event", 5)) {
        size_t k = vl < sizeof x->event - 1 ? vl : sizeof x->event - 1;
        memcpy(x->event, v, k);
        x->event[k] = '\0';
    }                                                     /* id, retry and unknown fields: ignored */
}

/* The body bytes of an event stream: framed into lines as they come. */
static size_t sse_feed(xfer *x, const char *p, size_t len)
{
    size_t i = 0;
    if (len && x->cr && p[0] == '\n') i = 1;              /* the LF of a CRLF split over two reads */
    x->cr = 0;
    while (i < len) {
        const char *nl = NULL;
        for (size_t k = i; k < len; k++)
            if (p[k] == '\n' || p[k] == '\r') { nl = p + k; break; }
        if (!nl) { live_buf_add(&x->line, p + i, len - i, LIVE_RESP_MAX); break; }
        size_t k = (size_t)(nl - p);
        const char *l = p + i;
        size_t ln = k - i;
        if (x->line.len) {
            live_buf_add(&x->line, l, ln, LIVE_RESP_MAX);
            l = x->line.s;
            ln = x->line.len;
        }
        if (!x->line.bad) sse_line(x, l ? l : "", ln);
        x->line.len = 0;
        if (x->line.s) x->line.s[0] = '\0';
        i = k + 1;
        if (p[k] == '\r') {
            if (i < len && p[i] == '\n') i++;
            else if (i == len) x->cr = 1;
        }
        if (x->data.bad) break;
    }
    if (x->line.bad || x->data.bad) {
        size_t n = 0;
        x->why[0] = '\0';
        why_fmt(x->why, sizeof x->why, &n, "stream event over %u bytes", LIVE_RESP_MAX);
        x->sse_end = SSE_BROKEN;
        return 0;                                         /* stops the transfer */
    }
    return len;
}

static void reset_answer(xfer *x)
{
    x->hint = pol_outcome_make(POL_OUT_SUCCESS, 0);
    pol_quota_reset(&x->quota);
    x->srv_id[0] = '\0';
}

/* One header line: hints, the server's request id and rate-limit state.
 * Names longer than 63 and values longer than 255 characters are ignored
 * (no hint is that long); nothing else is kept. */
static size_t on_header(char *buf, size_t size, size_t n, void *ud)
{
    xfer *x = ud;
    size_t len = size * n;
    if (len >= 5 && !strncmp(buf, "HTTP/", 5)) {        /* a new response (after 100 Continue too) */
        reset_answer(x);
        const char *sp = memchr(buf, ' ', len);
        x->http_status = sp ? strtol(sp + 1, NULL, 10) : 0;
        x->sse = 0;
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
    if (x->stream && x->http_status >= 200 && x->http_status < 300 && !strcasecmp(name, "content-type") &&
        !strncasecmp(value, "text/event-stream", 17))
        x->sse = 1;                                  /* read as events, never buffered whole */
    if (!strcasecmp(name, "content-length")) {       /* announced too large: stop before the body */
        char *e;
        unsigned long long cl = strtoull(value, &e, 10);
        if (e != value && !*e && cl > LIVE_RESP_MAX) { x->too_large = 1; return 0; }
    }
    int64_t wall = live_wall_ns();
    pol_hint_apply_header_as(&x->hint, name, value, wall, x->hcfg);   /* as its SDK reads it; malformed: ignored */
    pol_quota_apply_header(&x->quota, name, value, 0, wall);  /* resets relative to the answer */
    if ((!strcasecmp(name, "x-request-id") || !strcasecmp(name, "request-id")) && vl < sizeof x->srv_id)
        memcpy(x->srv_id, value, vl + 1);
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

static void xfer_free(xfer *x)
{
    if (!x) return;
    if (x->easy) curl_easy_cleanup(x->easy);
    curl_slist_free_all(x->hdrs);
    free(x->body);
    live_buf_free(&x->resp);
    live_buf_free(&x->line);
    live_buf_free(&x->data);
    free(x);
}

/* The transfer of slot id, created with its easy handle on first use. */
static xfer *xfer_get(live_run *L, uint32_t id)
{
    if (id >= L->nx) {
        uint32_t nn = L->nx ? L->nx : 256;
        while (nn <= id) nn *= 2;
        xfer **n = realloc(L->x, (size_t)nn * sizeof *n);
        if (!n) return NULL;
        memset(n + L->nx, 0, (size_t)(nn - L->nx) * sizeof *n);
        L->x = n;
        L->nx = nn;
    }
    if (L->x[id]) return L->x[id];
    xfer *x = calloc(1, sizeof *x);
    CURL *e = x ? curl_easy_init() : NULL;
    if (!e) { free(x); return NULL; }
    x->easy = e;
    x->run = L;
    curl_easy_setopt(e, CURLOPT_PRIVATE, x);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);          /* a redirect must not carry the key elsewhere */
    curl_easy_setopt(e, CURLOPT_USERAGENT, "retrysim-live/0.1");
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
    if (L->loopback) curl_easy_setopt(e, CURLOPT_PROXY, "");   /* never via a proxy from the environment */
    L->x[id] = x;
    return x;
}

/* ------------------------------------------------------------ requests --- */
/* {"model":M,"max_tokens":N,"messages":[{"role":"user","content":"<4 chars per prompt token>"}]}:
 * the same shape is valid for both wire formats; written by jansson. */
static int build_body(live_run *L, xfer *x, const sim_attempt *s)
{
    size_t chars = (size_t)s->prompt * 4;
    if (chars > L->ptext_len) {
        size_t n = chars > 2 * L->ptext_len ? chars : 2 * L->ptext_len;
        char *t = realloc(L->ptext, n);
        if (!t) return POL_ENOMEM;
        for (size_t i = L->ptext_len; i < n; i++) t[i] = "tok "[i % 4];
        L->ptext = t;
        L->ptext_len = n;
    }
    json_t *j = json_pack("{s:s, s:I, s:[{s:s, s:s%}]}", "model", L->o->model,
                          "max_tokens", (json_int_t)nearbyint((double)s->output),
                          "messages", "role", "user", "content", L->ptext ? L->ptext : "", chars);
    if (!j) return POL_ENOMEM;
    if (s->stream) {           /* OpenAI sends usage in a last chunk only when asked */
        json_object_set_new(j, "stream", json_true());
        if (!L->o->anthropic) json_object_set_new(j, "stream_options", json_pack("{s:b}", "include_usage", 1));
    }
    size_t need = json_dumpb(j, NULL, 0, JSON_COMPACT);
    if (need + 1 > x->body_cap) {
        char *nb = realloc(x->body, need + 1);
        if (!nb) { json_decref(j); return POL_ENOMEM; }
        x->body = nb;
        x->body_cap = need + 1;
    }
    x->body_len = need ? json_dumpb(j, x->body, need, JSON_COMPACT) : 0;
    json_decref(j);
    if (!x->body_len || x->body_len != need) return POL_ENOMEM;
    x->body[x->body_len] = '\0';
    return POL_OK;
}

static int set_headers(live_run *L, xfer *x, const sim_attempt *s, pol_ns now)
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
    snprintf(line, sizeof line, "Idempotency-Key: %s-%u", L->run_id, s->req_id);   /* the same on every retry */
    ADD(line);
    snprintf(line, sizeof line, "X-Trace-Id: %s", x->trace);
    ADD(line);
    if (L->loopback) {
        /* for the mock: the exact prompt size, and our scenario time so that
         * its timeline starts with ours */
        snprintf(line, sizeof line, "x-retrysim-prompt-tokens: %.0f", (double)s->prompt);
        ADD(line);
        snprintf(line, sizeof line, "x-retrysim-scenario-time: %lld", (long long)now);
        ADD(line);
    }
#undef ADD
    curl_slist_free_all(x->hdrs);
    x->hdrs = h;
    return POL_OK;
fail:
    curl_slist_free_all(h);
    return POL_ENOMEM;
}

/* attempts.csv: the model writes the row (the columns of `run --trace`);
 * this supplies the columns only an HTTP client knows. o and v are the
 * attempt's outcome and the client's decision, or NULL for an attempt
 * abandoned without one (why says how). */
static void attempts_row(live_run *L, uint32_t id, const pol_outcome *o, const pol_verdict *v, const char *why)
{
    xfer *x = L->x[id];
    const sim_attempt_extra ex = {
        .trace_id = x->trace,
        .wall_start = (double)x->wall / 1e9,
        .bytes_sent = (long long)x->body_len,
        .bytes_received = (long long)x->resp_bytes,
        .prompt_tokens = x->ptok >= 0 ? x->ptok : NAN,
        .completion_tokens = x->ctok >= 0 ? x->ctok : NAN,
        .server_request_id = x->srv_id,
        .ratelimit_remaining_requests = x->quota.remaining_requests >= 0 ? (double)x->quota.remaining_requests : NAN,
        .ratelimit_remaining_tokens = x->quota.remaining_tokens >= 0 ? (double)x->quota.remaining_tokens : NAN,
        .error = why ? why : x->why,        /* live_outcome_of's text for every failure (docs/live.md) */
    };
    if (sim_attempts_write(L->attempts, L->w, id, o, v, &ex) == 0) x->row = 1;
}

/* Takes transfer x out of flight (out of the multi handle); its answer will
 * never be delivered. */
static void xfer_stop(live_run *L, xfer *x)
{
    if (x->started == 1) L->streaming--;
    x->started = 0;
    if (x->state == X_CURL) {
        curl_multi_remove_handle(L->multi, x->easy);
        L->in_flight--;
        L->worst_in_flight -= x->worst;
        L->worst_unknown += x->worst;       /* it may be billed all the same */
    }
    x->state = X_IDLE;
}

/* ---------------------------------------------------------- the transport --- */
/* Out of memory in the middle of the run: it ends without outputs. */
static void run_failed(live_run *L, sim_world *w)
{
    L->error = POL_ENOMEM;
    sim_world_stop(w);
}

/* The world sends attempt id (its view *s) now. An attempt a cap refuses
 * never leaves: the world counts only what this accepts (return 0), so
 * attempts and hedges are HTTP requests sent. */
static int tp_send(sim_world *w, uint32_t id, void *ctx)
{
    live_run *L = ctx;
    const live_opts *o = L->o;
    sim_attempt at, *s = &at;
    if (sim_world_attempt(w, id, s)) return 1;
    const char *url = L->url_of[s->provider];
    double worst = url ? price_of(L, s->provider, s->prompt, s->output) : 0;
    if (!L->capped && url && ((o->max_requests > 0 && L->sent >= (uint64_t)o->max_requests) ||
                              (o->max_spend > 0 && L->spent + L->worst_unknown + L->worst_in_flight + worst > o->max_spend))) {
        L->capped = 1;
        if (!o->quiet)
            fprintf(stderr, "retrysim live: %s cap reached after %llu requests sent; ending the run\n",
                    o->max_requests > 0 && L->sent >= (uint64_t)o->max_requests ? "--max-requests" : "--max-spend",
                    (unsigned long long)L->sent);
    }
    xfer *x = L->capped || L->error ? NULL : xfer_get(L, id);
    if (!x) {
        if (!L->capped) run_failed(L, w);
        return 1;
    }
    x->slot = id;
    x->hcfg = s->hint;
    x->gen = s->gen;
    x->row = 0;
    x->curl_code = 0;
    x->wall = live_wall_ns();
    x->worst = worst;
    x->ptok = x->ctok = -1;
    x->body_len = x->resp_bytes = 0;
    x->too_large = 0;
    x->errbuf[0] = x->why[0] = '\0';
    if (x->resp.cap > 4 * LIVE_RESP_MAX / 16) live_buf_free(&x->resp);   /* a large answer: give it back */
    x->resp.len = 0;
    x->resp.bad = 0;
    if (x->resp.s) x->resp.s[0] = '\0';
    reset_answer(x);
    x->stream = (uint8_t)(s->stream != 0);
    x->sse = x->started = x->sse_end = x->cr = 0;
    x->http_status = 0;
    if (x->line.cap > 65536) live_buf_free(&x->line);
    if (x->data.cap > 65536) live_buf_free(&x->data);
    x->line.len = x->data.len = 0;
    x->line.bad = x->data.bad = 0;
    x->event[0] = '\0';
    x->tokens = 0;
    x->last_event = x->last_chunk = 0;
    x->idle_wall = s->stream && s->idle_timeout > 0 ? live_to_wall(&L->clk, s->idle_timeout) : 0;
    x->sprompt = x->soutput = -1;
    snprintf(x->trace, sizeof x->trace, "%s-%u-%u", L->run_id, s->req_id, s->attempt_no);
    if (!url) {                              /* no --target: answered as refused on the next turn */
        if (L->npend == L->cap_pend) {
            uint32_t nc = L->cap_pend ? L->cap_pend * 2 : 64;
            uint32_t *np = realloc(L->pend, (size_t)nc * sizeof *np);
            if (!np) { run_failed(L, w); return 0; }
            L->pend = np;
            L->cap_pend = nc;
        }
        L->pend[L->npend++] = id;
        x->state = X_REFUSED;
        sim_world_arrived(w, id);
        return 0;
    }
    pol_ns now = sim_world_now(w);
    if (build_body(L, x, s) || set_headers(L, x, s, now)) { run_failed(L, w); return 0; }
    /* the world times the attempt out; this only bounds a transfer it forgot */
    long safety_ms = s->deadline > 0 ? (long)(live_to_wall(&L->clk, s->deadline - now) / POL_NS_PER_MS) + 60000 : 0;
    CURL *e = x->easy;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->hdrs);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)x->body_len);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, safety_ms);
    if (curl_multi_add_handle(L->multi, e) != CURLM_OK) { run_failed(L, w); return 0; }
    x->state = X_CURL;
    L->sent++;
    L->worst_in_flight += worst;
    if (++L->in_flight > L->peak_in_flight) L->peak_in_flight = L->in_flight;
    sim_world_arrived(w, id);              /* as far as a client can tell */
    return 0;
}

/* The transfer of slot id, if this attempt of the slot was sent (not one a
 * cap refused, whose id may hold an older attempt's transfer). */
static xfer *xfer_of(const live_run *L, uint32_t id)
{
    xfer *x = id < L->nx ? L->x[id] : NULL;
    sim_attempt a;
    return x && !sim_world_attempt(L->w, id, &a) && x->gen == a.gen ? x : NULL;
}

static void tp_cancel(sim_world *w, uint32_t id, void *ctx)
{
    (void)w;
    live_run *L = ctx;
    xfer *x = xfer_of(L, id);
    if (!x || x->state == X_IDLE) return;
    if (!x->row) attempts_row(L, id, NULL, NULL, "abandoned: the request ended without it (a hedge won or it gave up)");
    xfer_stop(L, x);
}

static void tp_verdict(sim_world *w, uint32_t id, const pol_outcome *o, const pol_verdict *v, void *ctx)
{
    live_run *L = ctx;
    sim_attempt a;
    if (!xfer_of(L, id) || sim_world_attempt(w, id, &a)) return;
    char why[96];
    const char *w_why = NULL;
    if (!L->url_of[a.provider]) w_why = "no --target for this provider";
    else if (o->kind == POL_OUT_TIMEOUT && !L->x[id]->why[0]) {
        snprintf(why, sizeof why, L->x[id]->started == 1 ? "timeout: the stream went on after %.3f s (the attempt's timeout)"
                                                    : "timeout: no answer after %.3f s (the attempt's timeout)",
                 (double)(sim_world_now(w) - a.sent) / 1e9);
        w_why = why;
    } else if (o->kind == POL_OUT_STREAM_TIMEOUT && !L->x[id]->why[0]) {
        snprintf(why, sizeof why, "stream-timeout: the stream went on after %.3f s, %u tokens in (the attempt's timeout)",
                 (double)(sim_world_now(w) - a.sent) / 1e9, L->x[id]->tokens);
        w_why = why;
    }
    attempts_row(L, id, o, v, w_why);
}

/* The events of streamed transfer x ended (the transfer is done, with curl
 * code res; or the idle timeout, res < 0): the stream's end to the world. */
static void stream_finish(live_run *L, xfer *x, int res)
{
    sim_world *w = L->w;
    int was = x->started;
    if (x->started == 1) L->streaming--;
    x->started = 0;
    sim_attempt s;
    if (was != 1 || sim_world_attempt(w, x->slot, &s)) return;   /* the world timed it out first */
    pol_outcome_kind kind = x->sse_end == SSE_DONE ? POL_OUT_SUCCESS : x->sse_end == SSE_ERROR ? POL_OUT_STREAM_ERROR
                          : res < 0 ? POL_OUT_STREAM_TIMEOUT : POL_OUT_STREAM_CUT;
    if (kind == POL_OUT_STREAM_CUT && !x->why[0]) {
        size_t n = 0;
        why_fmt(x->why, sizeof x->why, &n, "stream cut after %u tokens: ", x->tokens);
        why_add(x->why, sizeof x->why, &n, res != CURLE_OK ? (x->errbuf[0] ? x->errbuf : curl_easy_strerror((CURLcode)res))
                                                           : "the body ended before its end event", 200);
    } else if (kind == POL_OUT_STREAM_TIMEOUT) {
        size_t n = 0;
        x->why[0] = '\0';
        why_fmt(x->why, sizeof x->why, &n, "stream-timeout: no event for %.3f s after %u tokens (the idle timeout)",
                (double)live_to_scenario(&L->clk, x->idle_wall) / 1e9, x->tokens);
    }
    x->ptok = x->sprompt;
    x->ctok = x->soutput;
    double prompt = x->sprompt >= 0 ? x->sprompt : (double)(float)s.prompt;
    double output = x->soutput >= 0 && kind == POL_OUT_SUCCESS ? x->soutput : (double)x->tokens;
    L->spent += price_of(L, s.provider, prompt, output);
    if (kind == POL_OUT_STREAM_TIMEOUT) L->worst_unknown += x->worst;   /* the provider may have gone on */
    sim_world_stream_end(w, x->slot, kind, prompt, output);
}

/* Streams whose idle timeout passed are ended (STREAM_TIMEOUT); returns the
 * wall ns until the next one is due, or -1. */
static int64_t stream_idle(live_run *L)
{
    if (!L->streaming) return -1;
    int64_t next = -1;
    for (uint32_t id = 0; id < L->nx && !ending(L); id++) {
        xfer *x = L->x[id];
        if (!x || x->state != X_CURL || x->started != 1 || !x->idle_wall) continue;
        int64_t now = live_mono_ns(), due = x->last_event + x->idle_wall;
        if (due > now) {
            if (next < 0 || due - now < next) next = due - now;
            continue;
        }
        advance(L);                           /* timeouts due before it first (they may cancel x) */
        if (x->state != X_CURL || ending(L)) continue;
        curl_multi_remove_handle(L->multi, x->easy);
        x->state = X_IDLE;
        L->in_flight--;
        L->worst_in_flight -= x->worst;
        stream_finish(L, x, -1);
    }
    return next;
}

/* The transfer x ended with curl code res: its outcome to the world. */
static void transfer_done(live_run *L, xfer *x, CURLcode res)
{
    sim_world *w = L->w;
    advance(L);                               /* timeouts due before now fire first (and may cancel x) */
    if (x->state != X_CURL || ending(L)) return;
    curl_multi_remove_handle(L->multi, x->easy);
    x->state = X_IDLE;
    L->in_flight--;
    L->worst_in_flight -= x->worst;
    long status = 0;
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
    x->curl_code = (int)res;
    if (x->sse && x->started) { stream_finish(L, x, res); return; }
    live_reply rep = { (int)res, x->errbuf, status, x->resp.len ? x->resp.s : NULL, x->resp.len,
                       x->too_large || x->resp.bad };
    pol_outcome o = live_outcome_of(&rep, &x->ptok, &x->ctok, x->why, sizeof x->why);
    if (o.status > 0) {
        if (x->hint.retry_after >= 0) o.retry_after = live_to_scenario(&L->clk, x->hint.retry_after);
        o.should_retry = x->hint.should_retry;
    }
    sim_attempt s;
    if (sim_world_attempt(w, x->slot, &s)) return;
    sim_answer a = sim_answer_of(o);
    /* spend: what was billed, or the worst case when we cannot know */
    if (o.kind == POL_OUT_SUCCESS) {
        a.prompt = x->ptok >= 0 ? (double)(float)x->ptok : (double)(float)s.prompt;
        a.output = x->ctok >= 0 ? (double)(float)x->ctok : (double)(float)s.output;
        L->spent += price_of(L, s.provider, a.prompt, a.output);
    } else if (o.kind == POL_OUT_TIMEOUT || o.kind == POL_OUT_CONN_RESET) {
        L->worst_unknown += x->worst;
    }
    const pol_quota *q = &x->quota;
    a.rl_known = q->remaining_requests >= 0 || q->remaining_tokens >= 0;
    if (a.rl_known) {               /* as sim/model/pm.c stamps them: a missing count is unlimited */
        a.rl_req = q->remaining_requests >= 0 ? (float)q->remaining_requests : 1e9f;
        a.rl_tok = q->remaining_tokens >= 0 ? (float)q->remaining_tokens : 1e12f;
        pol_ns reset = q->reset_requests_at > q->reset_tokens_at ? q->reset_requests_at : q->reset_tokens_at;
        a.rl_reset = reset > 0 ? live_to_scenario(&L->clk, reset) : 0;
    }
    sim_world_answer(w, x->slot, &a);
}

static void drain_done(live_run *L)
{
    CURLMsg *msg;
    int left;
    while (!ending(L) && (msg = curl_multi_info_read(L->multi, &left))) {
        if (msg->msg != CURLMSG_DONE) continue;
        xfer *x = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
        if (x) transfer_done(L, x, msg->data.result);
    }
}

/* Attempts to providers without a URL: answered as refused connections. */
static void answer_refused(live_run *L)
{
    sim_world *w = L->w;
    for (uint32_t i = 0; i < L->npend && !ending(L); i++) {      /* an answer may append more */
        advance(L);
        if (ending(L)) break;
        uint32_t id = L->pend[i];
        xfer *x = L->x[id];
        sim_attempt a;
        if (x->state != X_REFUSED || sim_world_attempt(w, id, &a) || a.gen != x->gen) continue;
        x->state = X_IDLE;
        sim_answer ans = sim_answer_of(pol_outcome_make(POL_OUT_CONN_REFUSED, 0));
        sim_world_answer(w, id, &ans);
    }
    L->npend = 0;
}

/* The run is over: every attempt still in flight is cancelled, with a row. */
static void cancel_all(live_run *L, const char *why)
{
    for (uint32_t id = 0; id < L->nx; id++) {
        xfer *x = L->x[id];
        if (!x || x->state == X_IDLE) continue;
        if (!x->row) attempts_row(L, id, NULL, NULL, why);
        xfer_stop(L, x);
    }
    L->npend = 0;
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
        if (n < 256 || ending(L)) break;
    }
}

static void count_fds(live_run *L)
{
    int n = live_fd_count();
    if (n > L->fd_peak) L->fd_peak = n;
}

static void run_loop(live_run *L)
{
    const sim_scenario *sc = L->sc;
    sim_world *w = L->w;
    int running;
    for (;;) {
        if (live_stop_requested()) { L->interrupted = 1; break; }
        advance(L);
        if (ending(L)) break;
        answer_refused(L);
        int64_t idle = stream_idle(L);
        if (ending(L)) break;
        if (L->curl_due >= 0 && live_mono_ns() >= L->curl_due) {
            L->curl_due = -1;
            curl_multi_socket_action(L->multi, CURL_SOCKET_TIMEOUT, 0, &running);
            drain_done(L);
        }
        if (ending(L)) break;
        int64_t mono = live_mono_ns();
        if (L->o->report_fds && mono >= L->fd_next) {
            count_fds(L);
            L->fd_next = mono + 250 * POL_NS_PER_MS;
        }
        pol_ns now = live_clock_now(&L->clk);
        pol_ns next = sim_world_next_event(w);
        next = next == POL_NS_MAX ? next : next > now ? next - now : 0;
        int64_t timeout = live_to_wall(&L->clk, sc->duration - now);
        if (next != POL_NS_MAX && live_to_wall(&L->clk, next) < timeout) timeout = live_to_wall(&L->clk, next);
        if (L->curl_due >= 0 && L->curl_due - mono < timeout) timeout = L->curl_due - mono;
        if (idle >= 0 && idle < timeout) timeout = idle;
        if (L->npend || timeout < 0) timeout = 0;
        int fds[1] = { L->epfd }, ready[1];
        if (live_wait(fds, 1, timeout, ready) > 0) socket_events(L);
    }
}

static int run_setup(live_run *L)
{
    const sim_scenario *sc = L->sc;
    const sim_workload *wl = &sc->workload;
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
    /* keep an idle connection for every closed-loop client's attempts
     * (open loop: libcurl's default, 4 per transfer in the multi handle) */
    if (wl->loop == SIM_LOOP_CLOSED)
        curl_multi_setopt(L->multi, CURLMOPT_MAXCONNECTS, (long)wl->clients * SIM_MAX_INFLIGHT + 16);
    L->curl_due = -1;
    return POL_OK;
}

static void run_teardown(live_run *L)
{
    for (uint32_t id = 0; id < L->nx; id++) {
        if (!L->x[id]) continue;
        if (L->x[id]->state == X_CURL) curl_multi_remove_handle(L->multi, L->x[id]->easy);
        xfer_free(L->x[id]);
    }
    free(L->x);
    L->x = NULL;
    L->nx = 0;
    free(L->pend);
    L->pend = NULL;
    free(L->ptext);
    L->ptext = NULL;
    L->ptext_len = 0;
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
    if ((L->capped || L->interrupted) && ran < sc->duration) {
        if (ran < sim_world_now(w)) ran = sim_world_now(w);
        if (ran < 1) ran = 1;
        sc->duration = ran;
    } else {
        ran = 0;
    }
    sim_world_finish(w, ran, m);
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

int live_map_targets(const sim_scenario *sc, const live_opts *o, const char **url_of)
{
    const sim_policy *p = &sc->policies[o->policy];
    for (int i = 0; i < sc->nproviders; i++) url_of[i] = NULL;
    for (int i = 0; i < p->ntargets && i < o->nurl; i++)
        if (!url_of[p->targets[i]]) url_of[p->targets[i]] = o->url[i];
    return o->nurl < p->ntargets ? o->nurl : p->ntargets;
}

static int write_outputs(live_run *L, sim_outfile *fa, sim_outfile *fal, const sim_run_metrics *m)
{
    const char *out = L->o->out;
    sim_outfile fs, fci, fts, ftq;
    int idx = L->o->policy;
    sim_results res = { 1, &idx, 1, (sim_run_metrics *)m };
    if (sim_out_open(&fs, out, "summary.csv")) return -1;
    if (sim_out_open(&fci, out, "summary-ci.csv")) { sim_out_abort(&fs); return -1; }
    if (sim_out_open(&fts, out, "timeseries.csv")) { sim_out_abort(&fs); sim_out_abort(&fci); return -1; }
    if (sim_out_open(&ftq, out, "timeseries-requests.csv")) {
        sim_out_abort(&fs); sim_out_abort(&fci); sim_out_abort(&fts);
        return -1;
    }
    sim_summary_header(fs.f);
    sim_summary_write(fs.f, L->sc, &res);
    sim_summary_ci_header(fci.f);
    sim_summary_ci_write(fci.f, L->sc, &res);
    sim_timeseries_header(fts.f);
    sim_timeseries_write(fts.f, L->w);
    sim_timeseries_requests_header(ftq.f);
    sim_timeseries_requests_write(ftq.f, L->w);
    int bad = sim_out_commit(&fs);
    bad |= sim_out_commit(&fci);
    bad |= sim_out_commit(&fts);
    bad |= sim_out_commit(&ftq);
    bad |= sim_out_commit(fa);
    bad |= sim_out_commit(fal);
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
    json_t *mj = o->model ? json_string(o->model) : NULL;    /* NULL: not UTF-8 */
    size_t model_len = o->model ? strlen(o->model) : 0;
    json_decref(mj);
    if (!mj || model_len > 255) {
        fprintf(stderr, "retrysim live: --model must be UTF-8 text of at most 255 bytes\n");
        return 2;
    }
    L->loopback = 1;
    for (int i = 0; i < o->nurl; i++) {
        char host[512], path[LIVE_URL_MAX];
        int https;
        if (live_url_parts(o->url[i], host, sizeof host, &https, path, sizeof path) || !live_host_is_loopback(host))
            L->loopback = 0;
    }
    L->url_of = calloc((size_t)sc->nproviders, sizeof *L->url_of);
    if (!L->url_of) return 2;
    int mapped = live_map_targets(sc, o, L->url_of);
    if (!o->quiet && mapped < o->nurl)
        fprintf(stderr, "retrysim live: policy '%s' has %d target(s); the other --target URLs are not used\n",
                sc->policies[o->policy].name, mapped);
    for (int p = 0; p < sc->nproviders && !o->quiet; p++)
        if (!L->url_of[p])
            fprintf(stderr, "retrysim live: provider '%s' has no --target: attempts to it count as refused connections\n",
                    sc->providers[p].name);
    if (sim_mkdirs(o->out)) {
        fprintf(stderr, "retrysim live: cannot create output directory '%s': %s\n", o->out, strerror(errno));
        free(L->url_of);
        return 2;
    }
    sim_outfile fa, fal;
    if (sim_out_open(&fa, o->out, "attempts.csv")) { free(L->url_of); return 2; }
    if (sim_out_open(&fal, o->out, "alerts.csv")) { sim_out_abort(&fa); free(L->url_of); return 2; }
    sim_attempts_header(fa.f);
    sim_alert_header(fal.f);
    L->attempts = fa.f;
    int rc = 2;
    if (curl_global_init(CURL_GLOBAL_DEFAULT)) { sim_out_abort(&fa); sim_out_abort(&fal); free(L->url_of); return 2; }
    L->fd_start = L->fd_peak = live_fd_count();
    sim_transport tp = { .send = tp_send, .cancel = tp_cancel, .verdict = tp_verdict, .ctx = L };
    if (run_setup(L) || sim_world_open(&(sim_run_opts){ .sc = sc, .policy = o->policy, .alerts = fal.f, .transport = &tp },
                                       &L->w)) {
        fprintf(stderr, "retrysim live: out of memory or descriptors setting up the run\n");
        goto fail;
    }
    live_clock_start(&L->clk, o->scale, 0);
    run_loop(L);
    if (L->error || sim_world_status(L->w) < 0) {
        fprintf(stderr, "retrysim live: %s during the run\n",
                sim_world_status(L->w) == SIM_EZEROTIME ? "requests start without time advancing (zero think time and latency)"
                                                        : "out of memory");
        goto fail;
    }
    if (L->interrupted && !o->quiet) fprintf(stderr, "retrysim live: interrupted; writing what was measured\n");
    cancel_all(L, L->interrupted ? "cancelled: interrupted" : L->capped ? "cancelled: cap reached" : "cancelled: the run ended");
    sim_run_metrics m;
    run_metrics(L, &m);
    if (o->report_fds) count_fds(L);
    uint64_t sent = L->sent;
    uint32_t peak = L->peak_in_flight;
    run_teardown(L);
    int fd_end = live_fd_count();
    if (write_outputs(L, &fa, &fal, &m)) goto out;
    rc = L->interrupted ? 130 : 0;
    if (!o->quiet)
        printf("live: %llu HTTP requests, at most %u in flight, billed %.4f USD; wrote %s/summary.csv, "
               "summary-ci.csv, timeseries.csv, timeseries-requests.csv, attempts.csv, alerts.csv\n",
               (unsigned long long)sent, peak, L->spent, o->out);
    if (o->report_fds)
        fprintf(stderr, "fds: start %d, peak %d, end %d; peak in flight %u; peak RSS %ld kB\n",
                L->fd_start, L->fd_peak, fd_end, peak, live_peak_rss_kb());
    goto out;
fail:
    sim_out_abort(&fa);
    sim_out_abort(&fal);
out:
    run_teardown(L);
    sim_world_free(L->w);
    free(L->url_of);
    curl_global_cleanup();
    return rc;
}
