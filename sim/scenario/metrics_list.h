/* metrics_list.h — the per-run metrics, as an X-macro: X(id, "name", "unit", "definition").
 * The order is the column order of summary.csv (new metrics are appended,
 * so that the columns before them keep their places). docs/metrics.md defines each
 * exactly; this table is the single source of their names (the scenario
 * loader validates `expect:` metric names against it, `check` and `sweep`
 * look values up by it). */
#ifndef SIM_METRICS_LIST_H
#define SIM_METRICS_LIST_H

#define SIM_METRICS(X) \
    X(REQUESTS,        "requests",         "count", "logical requests started") \
    X(ATTEMPTS,        "attempts",         "count", "attempts sent to any provider (calls)") \
    X(AMPLIFICATION,   "amplification",    "ratio", "attempts / requests") \
    X(SUCCESSES,       "successes",        "count", "requests answered by a provider") \
    X(DEGRADED,        "degraded",         "count", "requests answered by a degraded fallback") \
    X(SUCCESS_RATE,    "success_rate",     "ratio", "successes / finished requests") \
    X(GOODPUT,         "goodput",          "1/s",   "successes per second of run time") \
    X(LAT_MEAN,        "latency_mean",     "s",     "mean end-to-end latency of successful requests") \
    X(LAT_P50,         "latency_p50",      "s",     "median end-to-end latency of successful requests") \
    X(LAT_P90,         "latency_p90",      "s",     "90th percentile end-to-end latency") \
    X(LAT_P99,         "latency_p99",      "s",     "99th percentile end-to-end latency") \
    X(LAT_P999,        "latency_p999",     "s",     "99.9th percentile end-to-end latency") \
    X(HTTP_429,        "http_429",         "count", "attempts answered 429") \
    X(HTTP_5XX,        "http_5xx",         "count", "attempts answered 5xx") \
    X(HTTP_4XX,        "http_4xx",         "count", "attempts answered another 4xx (not 429)") \
    X(TIMEOUTS,        "timeouts",         "count", "attempts ended by the client's timeout") \
    X(CONN_ERRORS,     "conn_errors",      "count", "attempts refused or reset") \
    X(GIVE_UPS,        "give_ups",         "count", "requests that ended without an answer") \
    X(UNFINISHED,      "unfinished",       "count", "requests still in progress when the run ended") \
    X(BREAKER_TRANS,   "breaker_transitions", "count", "circuit-breaker state changes") \
    X(LOCAL_REJECTS,   "local_rejects",    "count", "requests or attempts refused by the client's own breaker, throttle or bulkhead") \
    X(BUDGET_DENIED,   "budget_denied",    "count", "retries refused by a retry budget") \
    X(HEDGES,          "hedges",           "count", "hedge attempts sent") \
    X(ALERTS,          "alerts",           "count", "failure-monitor alerts fired") \
    X(PEAK_OFFERED,    "peak_offered",     "1/s",   "highest attempts per second reaching a provider in one bucket") \
    X(PEAK_LOAD_RATIO, "peak_load_ratio",  "ratio", "max over buckets and providers of offered load / baseline capacity") \
    X(WASTED_WORK,     "wasted_work",      "s",     "provider service time spent on attempts nobody waited for") \
    X(WASTED_FRACTION, "wasted_fraction",  "ratio", "wasted_work / all provider service time") \
    X(DUP_BILLING,     "duplicate_billing","USD",   "cost of completions billed that the client did not use") \
    X(COST,            "cost",             "USD",   "total billed cost") \
    X(COST_PER_SUCCESS,"cost_per_success", "USD",   "cost / successes") \
    X(TIME_TO_RECOVER, "time_to_recover",  "s",     "from the end of the last fault to the first bucket back to normal") \
    X(METASTABLE,      "metastable",       "bool",  "1 if the run had not recovered by its end") \
    X(COMPLETION_TIME, "completion_time",  "s",     "time when the last request finished") \
    X(QUEUE_WAIT,      "queue_wait",       "s",     "mean time an admitted attempt waited for a server") \
    X(CALLS_PER_REQ,   "calls_per_request","ratio", "same as amplification, named as in the AWS experiment") \
    X(SLO_SUCCESS_RATE,"slo_success_rate", "ratio", "successes within the SLO / (finished + hung) requests") \
    X(HUNG,            "hung",             "count", "requests unfinished at the end, older than their SLO") \
    X(TTFT_P50,        "ttft_p50",         "s",     "median time to first token of successful streamed requests") \
    X(TTFT_P90,        "ttft_p90",         "s",     "90th percentile time to first token") \
    X(TTFT_P99,        "ttft_p99",         "s",     "99th percentile time to first token") \
    X(TTLT_P50,        "ttlt_p50",         "s",     "median time to last token of successful streamed requests") \
    X(TTLT_P99,        "ttlt_p99",         "s",     "99th percentile time to last token") \
    X(GAP_P99,         "token_gap_p99",    "s",     "99th percentile gap between two chunks a client received") \
    X(STREAMS_CUT,     "streams_cut",      "count", "streamed attempts cut by the provider after their first byte") \
    X(STREAM_ERRORS,   "stream_errors",    "count", "streamed attempts ended by an error event") \
    X(STREAM_TIMEOUTS, "stream_timeouts",  "count", "streamed attempts ended by the client's timeout after their first byte") \
    X(DISCARDED_TOKENS,"discarded_tokens", "count", "output tokens received from failed streams and not used") \
    X(DISCARDED_COST,  "discarded_cost",   "USD",   "their cost at the output price")

typedef enum {
#define SIM_METRIC_ENUM(id, name, unit, def) SIM_M_##id,
    SIM_METRICS(SIM_METRIC_ENUM)
#undef SIM_METRIC_ENUM
    SIM_M__COUNT
} sim_metric_id;

#endif
