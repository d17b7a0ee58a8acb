/* mock.h — `retrysim mock`: a local HTTP server that behaves, in real time,
 * as one of a scenario's providers, for testing live mode and real clients
 * against outages, 429 storms and brownouts on loopback.
 *
 * It speaks the OpenAI chat-completions (POST /v1/chat/completions) and the
 * Anthropic messages (POST /v1/messages) wire formats and runs the
 * simulator's own provider model (sim/provider.c, through a shell world,
 * live_util.h) with the engine's clock bound to CLOCK_MONOTONIC x scale:
 * token buckets, concurrency and waiting room, latency, error rate, context
 * window and the timeline answer exactly as they do in `retrysim run`.
 * docs/live.md describes the wire behaviour.
 *
 * Threads: one. libmicrohttpd runs in external-epoll mode with
 * suspend/resume; a connection whose answer is not due yet is suspended and
 * resumed by the engine's EV_RESPONSE event, so 1000 held requests cost 1000
 * sockets and no threads. Cost per request: O(log n) heap operations plus
 * parsing the JSON body (jansson, live_json.h) and formatting the answer.
 */
#ifndef LIVE_MOCK_H
#define LIVE_MOCK_H
#include "scenario.h"

typedef struct {
    const char *bind;          /* address to listen on, default 127.0.0.1 */
    int         port;          /* 0 = ephemeral; the chosen one is printed */
    int         provider;      /* index into sc->providers */
    double      scale;         /* --time-scale: scenario seconds per wall second */
    pol_ns      duration;      /* stop after this much scenario time, 0 = until SIGINT/SIGTERM */
    double      garbage_rate;  /* hidden --garbage-rate: share of 200s sent garbled */
    const char *key;           /* when set, requests must carry it (Bearer or x-api-key), else 401 */
    int         quiet;         /* no counters at exit */
} live_mock_opts;

/* The mock's defences (live_mock_run_ex; every 0 means the default). */
typedef struct {
    double idle_timeout;       /* wall s a connection may go without a complete request (idle,
                                  or trickling its headers or body); 0 = the environment's
                                  RETRYSIM_MOCK_IDLE_TIMEOUT, else 30; whole seconds, rounded up */
    int    max_connections;    /* 0 = from RLIMIT_NOFILE: all but 32 + 1/32 of it */
    int    max_per_ip;         /* per client address; 0 = 3/4 of max_connections */
} live_mock_limits;

/* A request body as the mock reads it. */
typedef struct {
    char model[128];           /* the model name (UTF-8, no NUL) */
    long max_tokens;           /* max_tokens (OpenAI: or max_completion_tokens); -1 = absent or null */
    long chars;                /* bytes of the messages' content text and of system */
    int  stream;               /* "stream": true (a boolean; null = absent = false) */
    int  include_usage;        /* OpenAI "stream_options": {"include_usage": true} */
    char error[256];           /* the 400's message when refused, else "" */
} live_mock_request;

/* Parses and checks a request body (body[len], need not be NUL-terminated)
 * of the OpenAI (anthropic = 0) or Anthropic format with live_json_parse
 * (live_json.h: at most 8 MiB, depth 2048, a 64 MiB memory budget): a JSON
 * object with a non-empty string model (< 128 bytes), a non-empty array
 * messages, and max_tokens a whole number in 1..1e8 (required by
 * Anthropic); stream, when present, a boolean, and OpenAI's stream_options
 * an object whose include_usage is a boolean. Returns 0, or -1 with
 * rq->error set. Linear in len; no
 * global state but jansson's allocation counters. */
int live_mock_parse_request(const char *body, size_t len, int anthropic, live_mock_request *rq);

/* Serves until the duration or a stop signal; returns the exit status
 * (0, or 2 when the socket or the server cannot be set up). */
int live_mock_run(const sim_scenario *sc, const live_mock_opts *o);
/* The same with limits (NULL = every default). */
int live_mock_run_ex(const sim_scenario *sc, const live_mock_opts *o, const live_mock_limits *lim);

#endif
