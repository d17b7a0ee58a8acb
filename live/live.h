/* live.h — `retrysim live`: a scenario's workload and policy driven against
 * real HTTP endpoints (a provider, or `retrysim mock`).
 *
 * Live mode runs the simulator's own client loop (sim/world.c: closed, open
 * and trace workloads, retries, fallback chains and every stateful policy
 * part) with the scenario clock (CLOCK_MONOTONIC x --time-scale) as `now`,
 * and an HTTP transport in place of the simulated network and providers:
 * each attempt is an HTTP request, each answer (status, body, hint and
 * rate-limit headers) goes back to the client that sent it. One thread:
 * libcurl's multi interface with socket callbacks on epoll, and the world's
 * event engine as the timer heap. Results are written by the simulator's
 * own metric code, so summary.csv, summary-ci.csv, timeseries.csv,
 * timeseries-requests.csv, alerts.csv and attempts.csv compare column for
 * column with `retrysim run --trace` (attempts.csv: the same writer, with the
 * columns only an HTTP client knows filled in). docs/live.md is the manual.
 * Cost: O(log n) per timer, O(1) bookkeeping per attempt, plus libcurl; no
 * thread per client.
 */
#ifndef LIVE_LIVE_H
#define LIVE_LIVE_H
#include "scenario.h"
#include <stddef.h>

#define LIVE_URL_MAX 2048

/* Options of a live run (cmd_live.c fills them from the command line). */
typedef struct {
    const char *url[SIM_MAX_TARGETS];
    int         nurl;
    int         policy;            /* index into sc->policies */
    int         anthropic;
    const char *model;
    const char *key;               /* the API key's value, or NULL; never printed */
    long long   max_requests;      /* 0 = none */
    double      max_spend;         /* USD, 0 = none */
    double      scale;
    const char *out;
    int         report_fds, quiet;
} live_opts;

/* url_of[p] (nproviders entries): the URL that serves provider p, the i-th
 * of o->url for the i-th target of the policy o->policy, or NULL. Returns
 * how many URLs were used (the others have no target to serve). */
int live_map_targets(const sim_scenario *sc, const live_opts *o, const char **url_of);

/* Runs the scenario's clients against o->url until the scenario's duration,
 * a cap or SIGINT/SIGTERM (live_signals_setup must have been called), then
 * writes the outputs into o->out (also when every closed-loop client is
 * done). sc->duration becomes the time actually run when a cap or a signal
 * stops the run early. Returns the exit status: 0, 130 when a signal
 * stopped it (the outputs are written all the same), or 2 when setup or
 * writing fails. */
int live_drive(sim_scenario *sc, const live_opts *o);
/* A target whose path is empty or "/" gets the format's standard path
 * (/v1/chat/completions, /v1/messages), written into urls[i]. -1 on a bad URL. */
int live_resolve_urls(live_opts *o, char urls[][LIVE_URL_MAX]);

/* At most this many bytes of a response body are read: a longer body (by
 * its Content-Length, or as it arrives) stops the transfer. */
#define LIVE_RESP_MAX (1u << 20)

/* What one finished HTTP attempt gave. */
typedef struct {
    int         curl_code;   /* the transfer's CURLcode */
    const char *curl_msg;    /* libcurl's error buffer (CURLOPT_ERRORBUFFER), or NULL */
    long        status;      /* the HTTP status, 0 if none */
    const char *body;        /* the response body, body[len] (NULL if none; NULs allowed) */
    size_t      len;
    int         too_large;   /* the body passed LIVE_RESP_MAX: reading stopped */
} live_reply;

/* The outcome of one finished HTTP attempt as the policy sees it, and why
 * it is not a success in why[cap] (empty for a success): the error column
 * of attempts.csv. Every JSON body is parsed with live_json_parse (depth,
 * size and memory limits; docs/live.md, "JSON").
 *   2xx with a JSON object           SUCCESS (*prompt_tok, *completion_tok
 *                                    from its usage, -1 if none)
 *   2xx with anything else (not JSON, truncated, empty, an array, too deep)
 *                                    CONN_RESET ("HTTP 200 with a body that is ...")
 *   a body over LIVE_RESP_MAX        CONN_RESET for 2xx ("body too large: ..."),
 *                                    HTTP (status) otherwise
 *   400 whose error.code is context_length_exceeded, or an Anthropic
 *   invalid_request_error whose message begins "prompt is too long"
 *                                    CONTEXT_WINDOW
 *   400 whose error.code is content_filter / content_policy_violation
 *                                    CONTENT_POLICY
 *   other statuses 100..599          HTTP (status), why = "HTTP 429 type/code: message"
 *   a status outside 100..599 (999)  CONN_RESET ("unexpected HTTP status 999")
 *   curl: timeout TIMEOUT; connect or name lookup failed CONN_REFUSED; any
 *   other transport error (reset, empty reply, truncated body, TLS) CONN_RESET,
 *   why = libcurl's message.
 * Hints are not touched (the caller folds headers in with pol_hint_apply_header). */
pol_outcome live_outcome_of(const live_reply *r, double *prompt_tok, double *completion_tok, char *why, size_t cap);

/* The safety gate, checked before any connection is made. urls: the
 * targets; capped: --max-requests or --max-spend given; has_key: an API key
 * will be sent. Returns 0 when live may start, else 2 with the reason in
 * why[cap]: a URL that is not http(s), a non-loopback target without a cap,
 * or an API key over plain http to a non-loopback host. */
int live_check_targets(const char *const *urls, int n, int capped, int has_key, char *why, size_t cap);

#endif
