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
 * parsing the JSON body (libyaml) and formatting the answer.
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

/* Serves until the duration or a stop signal; returns the exit status
 * (0, or 2 when the socket or the server cannot be set up). */
int live_mock_run(const sim_scenario *sc, const live_mock_opts *o);

#endif
