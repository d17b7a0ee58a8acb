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

/* The outcome of one finished HTTP attempt as the policy sees it.
 * curl_code: the transfer's CURLcode; status: the HTTP status (0 if none);
 * body: the response body, NUL-terminated (NULL if none); complete: 0 when
 * the body was too large to keep whole. 2xx with a JSON object is SUCCESS
 * (*prompt_tok / *completion_tok from its usage, -1 if it has none), 2xx
 * without one is CONN_RESET; 400 naming context_length_exceeded or "prompt
 * is too long" is CONTEXT_WINDOW, one naming a content filter is
 * CONTENT_POLICY; other statuses are HTTP; a timeout is TIMEOUT; a failed
 * connect or name lookup is CONN_REFUSED; every other transport error
 * (reset, empty reply, truncated body, TLS failure) is CONN_RESET. Hints are
 * not touched (the caller folds headers in with pol_hint_apply_header). */
pol_outcome live_outcome_of(int curl_code, long status, const char *body, int complete,
                            double *prompt_tok, double *completion_tok);

/* The safety gate, checked before any connection is made. urls: the
 * targets; capped: --max-requests or --max-spend given; has_key: an API key
 * will be sent. Returns 0 when live may start, else 2 with the reason in
 * why[cap]: a URL that is not http(s), a non-loopback target without a cap,
 * or an API key over plain http to a non-loopback host. */
int live_check_targets(const char *const *urls, int n, int capped, int has_key, char *why, size_t cap);

#endif
