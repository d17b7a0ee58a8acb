/* table.c — the one table of the command line: every verb of `retrysim`,
 * its synopsis, description, examples and exit statuses, and every option
 * with its type, range, destination and help (opts.h describes the rows).
 * The parser (opts.c), `--help`, the man page and the bash completion
 * (doc.c) are all generated from it, and docs/cli.md follows it; a new
 * option is one row here plus its field in the verb's struct (cli.h).
 */
#include "cli.h"
#include "units.h"
#include <limits.h>
#include <stddef.h>
#include <string.h>

/* A row names its first fields in order and leaves the rest zero: */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define OFF(type, field) offsetof(type, field)
#define NROWS(a) (sizeof (a) / sizeof (a)[0])

/* ------------------------------------------------------- custom values --- */
const char *cli_parse_scale(const char *value, void *dest)
{
    double v;
    if (sim_parse_double(value, &v) || !(v > 0) || v > 1e6) return "a number > 0 (at most 1e6)";
    *(double *)dest = v;
    return NULL;
}

const char *cli_parse_money(const char *value, void *dest)
{
    double v;
    if (*value == '$') value++;
    if (sim_parse_double(value, &v) || !(v > 0)) return "an amount > 0";
    *(double *)dest = v;
    return NULL;
}

const char *cli_parse_fraction(const char *value, void *dest)
{
    double v;
    if (sim_parse_double(value, &v) || v < 0 || v > 1) return "a number in 0..1";
    *(double *)dest = v;
    return NULL;
}

/* -------------------------------------------------------------------- run --- */
#define T cli_run_opts
static const cli_opt RUN_OPTS[] = {
    { "out", 0, CLI_STR, OFF(T, out), "DIR", "where the CSVs go (default: results)", .complete = CLI_C_DIR },
    { "seed", 0, CLI_INT, OFF(T, sets), "N", "override the scenario's seed", 0, LLONG_MAX, "seed=" },
    { "replications", 0, CLI_INT, OFF(T, sets), "N", "override the number of replications (1..100000)", 1, 100000,
      "replications=" },
    { "policy", 0, CLI_LIST, OFF(T, pols), "NAME", "run only this policy (repeatable; the runs follow this order)" },
    { "set", 0, CLI_LIST, OFF(T, sets), "KEY=VALUE",
      "override a scenario key, e.g. --set workload.clients=200 (repeatable;\n"
      "applied in command-line order with --seed and --replications)" },
    { "trace", 0, CLI_FLAG, OFF(T, trace), NULL, "also write attempts.csv, one row per attempt" },
    { "report", 0, CLI_STR, OFF(T, report), "FILE.html",
      "also write one self-contained HTML report: scenario, charts, CI table,\nexpectations, command line (docs/report.md)", .complete = CLI_C_FILE },
    { "quiet", 'q', CLI_FLAG, OFF(T, quiet), NULL, "do not print the summary table" },
};
static const T RUN_DEFAULTS = { .out = "results" };
#undef T

/* --------------------------------------------------------------- validate --- */
static const cli_opt VALIDATE_OPTS[] = {
    { "set", 's', CLI_LIST, OFF(cli_validate_opts, sets), "KEY=VALUE",
      "override one key of every file before it is checked (repeatable)" },
};

/* ----------------------------------------------------------------- import --- */
#define T cli_import_opts
static const cli_opt IMPORT_OPTS[] = {
    { "policies-only", 0, CLI_FLAG, OFF(T, policies_only), NULL, "print only the policies: block" },
    { "lenient", 0, CLI_FLAG, OFF(T, lenient), NULL, "unknown keys are warnings instead of errors" },
    { "name", 0, CLI_STR, OFF(T, name), "NAME", "the policy's name (portkey; default portkey)" },
};
#undef T

/* -------------------------------------------------------------------- fit --- */
#define T cli_fit_opts
static const cli_opt FIT_OPTS[] = {
    { "column", 0, CLI_LIST, OFF(T, columns), "FIELD=NAME",
      "read FIELD from the log's column NAME (repeatable; FIELD: at,\n"
      "prompt_tokens, output_tokens, latency, ttft, status, model, class;\n"
      "without it, columns are found by their usual names, any case)" },
    { "window", 0, CLI_DURATION, OFF(T, window), "D", "width of the rate windows (default 1m)" },
    { "from", 0, CLI_DURATION, OFF(T, from), "D", "read the log from D after its first request" },
    { "for", 0, CLI_DURATION, OFF(T, span), "D", "read D of the log (from --from)" },
    { "speed", 0, CLI_CUSTOM, OFF(T, speed), "F",
      "the fragment replays the log F times as fast (its rates x F, its times\n"
      "/ F; arrivals_csv's speed: F); --window, --from, --for stay in the log's\n"
      "clock", .parse = cli_parse_scale },
    { "arrivals", 0, CLI_CHOICE, OFF(T, arrivals), "A",
      "the fragment's workload: auto (default: by the evidence), poisson\n"
      "(open loop, a rate per window when it changes) or replay (the log)",
      .choices = "auto|poisson|replay" },
    { "max-ks", 0, CLI_CUSTOM, OFF(T, max_ks), "D",
      "token counts: use the log's own values (empirical) when the best\n"
      "fit's KS distance is above D (default 0.05)", .parse = cli_parse_fraction },
    { "provider", 0, CLI_STR, OFF(T, provider), "NAME", "the fitted provider's name (default fitted)" },
    { "out", 0, CLI_STR, OFF(T, out), "FILE", "write the fragment to FILE (atomically) instead of stdout; the log's\n"
      "path in it is then relative to FILE's directory", .complete = CLI_C_FILE },
    { "quiet", 'q', CLI_FLAG, OFF(T, quiet), NULL, "do not print the report on stderr" },
};
static const T FIT_DEFAULTS = { .arrivals = "auto" };
#undef T

/* ----------------------------------------------------------------- delays --- */
#define T cli_delays_opts
static const cli_opt DELAYS_OPTS[] = {
    { "attempts", 0, CLI_INT, OFF(T, attempts), "N",
      "total attempts, so N-1 retries (default: the policy's max_attempts,\n"
      "or 6 when it is unlimited; 2..64)", 2, 64 },
    { "draws", 0, CLI_INT, OFF(T, draws), "N", "simulated requests per policy (default 10000, at most 10000000)", 1, 10000000 },
    { "seed", 0, CLI_INT, OFF(T, seed), "S", "seed of the gsl_rng taus2 generator (default 1, at most 4294967295)", 0,
      4294967295LL },
    { "csv", 0, CLI_FLAG, OFF(T, csv), NULL, "print CSV: policy, retry, draws, min_s, mean_s, p50_s, p99_s, max_s, cum_mean_s" },
    { "kind", 0, CLI_STR, OFF(T, kind), "K[,K...]",
      "the outcomes each request's attempts end with, in turn, the last repeating\n"
      "(a status like 429 or 503, or timeout, refused, reset, context-window,\n"
      "content-policy): the delays then follow the per-kind rules and every nested\n"
      "retry loop, and stop where the policy gives up (without --kind: the policy's\n"
      "own schedule, its outermost loop without its rules)" },
};
static const T DELAYS_DEFAULTS = { .draws = 10000, .seed = 1 };
#undef T

/* ------------------------------------------------------------------ sweep --- */
#define T cli_sweep_opts
static const cli_opt SWEEP_OPTS[] = {
    { "grid", 0, CLI_LIST, OFF(T, grids), "KEY=V1,V2,...",
      "an axis: a scenario override path and its values (repeatable;\n"
      "points = the cross product, the first axis varies slowest)" },
    { "grid-file", 0, CLI_STR, OFF(T, grid_file), "FILE.csv", "points from a CSV file: a header of keys, one point per row",
      .complete = CLI_C_CSV },
    { "jobs", 0, CLI_INT, OFF(T, jobs), "N", "worker processes (default: the number of online CPUs; 1..1024)", 1, 1024 },
    { "batch", 0, CLI_INT, OFF(T, batch), "N",
      "runs per message to a worker or rank (default: about 20 ms of runs by the\n"
      "measured run time; 1..64); the results do not depend on N", 1, 64 },
    { "out", 0, CLI_STR, OFF(T, out), "DIR", "where the CSVs go (default: results)", .complete = CLI_C_DIR },
    { "objective", 0, CLI_STR, OFF(T, objective), "METRIC[:min|max]",
      "the metric ranked and its direction (default slo_success_rate:max;\n"
      "without :min/:max, the metric's better direction)", .complete = CLI_C_METRIC },
    { "replications", 0, CLI_INT, OFF(T, sets), "N", "override the scenario's replications at every point (1..100000)", 1,
      100000, "replications=" },
    { "seed", 0, CLI_INT, OFF(T, sets), "N", "override the scenario's seed at every point", 0, LLONG_MAX, "seed=" },
    { "policy", 0, CLI_LIST, OFF(T, pols), "NAME", "run only this policy (repeatable, in this order)" },
    { "resume", 0, CLI_FLAG, OFF(T, resume), NULL, "complete the sweep recorded in DIR/sweep.partial.csv" },
    { "top", 0, CLI_INT, OFF(T, top), "N", "print the N best rows of the ranking (default 20, 0 = all)", 0, 1000000000 },
    { "report", 0, CLI_STR, OFF(T, report), "FILE.html",
      "also write one self-contained HTML report: scenario, charts, ranking,\ncommand line (docs/report.md)", .complete = CLI_C_FILE },
    { "quiet", 'q', CLI_FLAG, OFF(T, quiet), NULL, "print no ranking" },
    { "mpi", 0, CLI_FLAG, OFF(T, mpi), NULL,
      "run under mpirun/srun: rank 0 coordinates and writes, the other\n"
      "ranks run the runs (docs/distributed.md); instead of --jobs" },
    { "max-runs", 0, CLI_INT, OFF(T, max_runs), "N", "stop after handing out N runs, as an interrupt would (exit 130)", 1,
      1LL << 40, .flags = CLI_TESTING },
    { "crash-run", 0, CLI_INT, OFF(T, crash_run), "I", "the worker (or MPI rank) given run I kills itself with SIGKILL", 0,
      1LL << 40, .flags = CLI_TESTING },
};
static const T SWEEP_DEFAULTS = { .out = "results", .objective = "slo_success_rate:max", .top = 20, .crash_run = -1 };
#undef T

/* ------------------------------------------------------------------- tune --- */
#define T cli_tune_opts
static const cli_opt TUNE_OPTS[] = {
    { "param", 0, CLI_LIST, OFF(T, params), "KEY=LO..HI[:SCALE]",
      "a scenario override path and its range: numbers or durations\n"
      "(50ms..5s); :lin (default), :log (LO > 0) or :int (repeatable, up to 16)" },
    { "minimize", 0, CLI_STR, OFF(T, minimize), "METRIC", "the objective: the replication mean of a metric, lowest wins",
      .complete = CLI_C_METRIC },
    { "maximize", 0, CLI_STR, OFF(T, maximize), "METRIC", "the objective, highest wins (one of --minimize/--maximize, once)",
      .complete = CLI_C_METRIC },
    { "subject-to", 0, CLI_LIST, OFF(T, cons), "CONSTRAINT",
      "METRIC<=V or METRIC>=V on the mean, or on the 95% CI's\n"
      "lower/upper bound with :lower/:upper (repeatable, up to 16)" },
    { "policy", 0, CLI_STR, OFF(T, policy), "NAME", "the policy tuned (needed when the scenario has several)" },
    { "budget", 0, CLI_INT, OFF(T, budget), "RUNS", "runs the search may use (default 60 x replications)", 2, 1LL << 40 },
    { "replications", 0, CLI_INT, OFF(T, reps), "N", "replications per evaluation (default: the scenario's)", 1, 100000 },
    { "max-replications", 0, CLI_INT, OFF(T, max_reps), "N", "cap when confirming the best two points (default 4 x N)", 1,
      100000 },
    { "jobs", 0, CLI_INT, OFF(T, jobs), "N", "worker processes (default: the number of online CPUs; 1..1024)", 1, 1024 },
    { "mpi", 0, CLI_FLAG, OFF(T, mpi), NULL, "run under mpirun/srun, the ranks are the workers" },
    { "out", 0, CLI_STR, OFF(T, out), "DIR", "where tune.csv goes (default: results)", .complete = CLI_C_DIR },
    { "seed", 0, CLI_INT, OFF(T, sets), "S", "the scenario seed: every point runs the same replication streams", 0,
      LLONG_MAX, "seed=" },
    { "set", 0, CLI_LIST, OFF(T, sets), "KEY=VALUE", "override a scenario key at every point (repeatable)" },
    { "top", 0, CLI_INT, OFF(T, top), "N", "runner-up points printed (default 5)", 0, 1000000 },
    { "quiet", 'q', CLI_FLAG, OFF(T, quiet), NULL, "print only the best point's line" },
    { "emit", 0, CLI_STR, OFF(T, emit), "FORMAT",
      "also write the best point into the LiteLLM or Portkey config the tuned\n"
      "policy was imported from, as DIR/<its file name> (litellm or portkey;\n"
      "only the tuned keys change: docs/import.md)" },
};
static const T TUNE_DEFAULTS = { .out = "results", .top = 5 };
#undef T

/* ------------------------------------------------------------------ check --- */
#define T cli_check_opts
static const cli_opt CHECK_OPTS[] = {
    { "junit", 0, CLI_STR, OFF(T, junit), "REPORT.xml", "also write a JUnit XML report (one testsuite per file)",
      .complete = CLI_C_XML },
    { "replications", 0, CLI_INT, OFF(T, reps), "N", "override every scenario's replications (1..100000)", 1, 100000 },
    { "jobs", 0, CLI_INT, OFF(T, jobs), "N",
      "worker processes for the runs (default: the number of online CPUs;\n"
      "1..1024); the results do not depend on N", 1, 1024 },
    { "report", 0, CLI_STR, OFF(T, report), "FILE.html",
      "also write one self-contained HTML report: every file's scenario,\nexpectations and CI table (docs/report.md)", .complete = CLI_C_FILE },
};
#undef T

/* ----------------------------------------------------------------- report --- */
#define T cli_report_opts
static const cli_opt REPORT_OPTS[] = {
    { "out", 0, CLI_STR, OFF(T, out), "FILE.html", "where the page goes (default DIR/report.html)", .complete = CLI_C_FILE },
    { "scenario", 0, CLI_STR, OFF(T, scenario), "FILE",
      "the scenario that was run (default: the one DIR/run.csv names)", .complete = CLI_C_SCENARIO },
    { "jobs", 0, CLI_INT, OFF(T, jobs), "N",
      "worker processes for the expectations' runs (default: the online CPUs;\n1..1024)", 1, 1024 },
    { "no-expect", 0, CLI_FLAG, OFF(T, no_expect), NULL, "do not evaluate the scenario's expectations" },
    { "quiet", 'q', CLI_FLAG, OFF(T, quiet), NULL, "print nothing on success" },
};
#undef T

/* ------------------------------------------------------------------- plot --- */
#define T cli_plot_opts
static const cli_opt PLOT_OPTS[] = {
    { "scenario", 0, CLI_STR, OFF(T, scenario), "FILE",
      "the scenario that was run: its timeline gives the fault windows\n"
      "shaded on the time series (default: where the capacity drops)", .complete = CLI_C_SCENARIO },
    { "format", 0, CLI_CHOICE, OFF(T, format), "F", "png, svg or both (default both)", .choices = "png|svg|both" },
    { "out", 0, CLI_STR, OFF(T, out), "DIR2", "where the images go (default DIR/plots)", .complete = CLI_C_DIR },
    { "provider", 0, CLI_STR, OFF(T, provider), "NAME", "the provider of the time series (default: all providers, \"*\")" },
    { "metric", 0, CLI_STR, OFF(T, metric), "NAME", "the metric of the sweep charts (default amplification)",
      .complete = CLI_C_METRIC },
};
static const T PLOT_DEFAULTS = { .format = "both", .provider = "*", .metric = "amplification" };
#undef T

/* ------------------------------------------------------------------- live --- */
#define T cli_live_opts
static const cli_opt LIVE_OPTS[] = {
    { "target", 0, CLI_LIST, OFF(T, targets), "URL",
      "endpoint of the policy's first target (repeat for its other targets, in\n"
      "order, up to 8); a URL with an empty path gets /v1/chat/completions or\n"
      "/v1/messages; attempts to a provider without one count as refused" },
    { "clients", 0, CLI_INT, OFF(T, clients), "N", "override workload.clients (1..1000000)", 1, 1000000 },
    { "duration", 0, CLI_DURATION, OFF(T, duration), "D", "override the scenario's duration (scenario time)" },
    { "max-requests", 0, CLI_INT, OFF(T, max_requests), "N",
      "send at most N HTTP requests (retries and hedges included), then stop", 1, LLONG_MAX },
    { "max-spend", 0, CLI_CUSTOM, OFF(T, max_spend), "USD",
      "stop before the billed cost could exceed USD (scenario prices);\n"
      "a non-loopback target needs --max-requests or --max-spend", .parse = cli_parse_money },
    { "policy", 0, CLI_STR, OFF(T, policy), "NAME", "the scenario policy to run (default: the first)" },
    { "api-key-env", 0, CLI_STR, OFF(T, key_env), "VAR", "read the API key from environment variable VAR (never printed)" },
    { "format", 0, CLI_CHOICE, OFF(T, format), "F", "openai (default; Authorization: Bearer) or anthropic (x-api-key)",
      .choices = "openai|anthropic" },
    { "model", 0, CLI_STR, OFF(T, model), "M", "model name sent in each request (default: retrysim-mock)" },
    { "out", 0, CLI_STR, OFF(T, out), "DIR",
      "summary.csv, summary-ci.csv, timeseries.csv, attempts.csv, alerts.csv\n(default: results-live)",
      .complete = CLI_C_DIR },
    { "time-scale", 0, CLI_CUSTOM, OFF(T, scale), "F", "play the scenario F times faster (use the mock's value)",
      .parse = cli_parse_scale },
    { "set", 0, CLI_LIST, OFF(T, sets), "KEY=VALUE", "override a scenario key, as for `retrysim run` (repeatable)" },
    { "report-fds", 0, CLI_FLAG, OFF(T, report_fds), NULL, "print open descriptors (start, peak, end) and peak RSS on stderr" },
    { "quiet", 'q', CLI_FLAG, OFF(T, quiet), NULL, "no summary table" },
};
static const T LIVE_DEFAULTS = { .scale = 1, .model = "retrysim-mock", .out = "results-live" };
#undef T

/* ------------------------------------------------------------------- mock --- */
#define T cli_mock_opts
static const cli_opt MOCK_OPTS[] = {
    { "port", 0, CLI_INT, OFF(T, port), "P", "port to listen on (default 0: any free port; 0..65535)", 0, 65535 },
    { "bind", 0, CLI_STR, OFF(T, bind), "ADDR", "address to listen on (default 127.0.0.1)" },
    { "provider", 0, CLI_STR, OFF(T, provider), "NAME", "which of the scenario's providers to be (default: the first)" },
    { "time-scale", 0, CLI_CUSTOM, OFF(T, scale), "F", "play the scenario F times faster (timeline, latencies, limits)",
      .parse = cli_parse_scale },
    { "duration", 0, CLI_DURATION, OFF(T, duration), "D", "stop after D of scenario time (default: at SIGINT/SIGTERM)" },
    { "idle-timeout", 0, CLI_DURATION, OFF(T, idle_timeout), "D",
      "close a connection that goes D of wall time without a complete request\n"
      "(idle, or trickling its headers or body; default 30s, or the environment's\n"
      "RETRYSIM_MOCK_IDLE_TIMEOUT; whole seconds, rounded up)" },
    { "max-connections", 0, CLI_INT, OFF(T, max_connections), "N",
      "connections open at once (default: the descriptor limit minus 32 and 1/32 of it);\n"
      "beyond it a new connection gets a 503 and is closed", 1, 1000000 },
    { "max-per-ip", 0, CLI_INT, OFF(T, max_per_ip), "N",
      "connections from one client address (default 3/4 of --max-connections)", 1, 1000000 },
    { "set", 0, CLI_LIST, OFF(T, sets), "KEY=VALUE", "override a scenario key, as for `retrysim run` (repeatable)" },
    { "api-key-env", 0, CLI_STR, OFF(T, key_env), "VAR", "require the key in environment variable VAR (else 401)" },
    { "quiet", 'q', CLI_FLAG, OFF(T, quiet), NULL, "no request counts on stderr at exit" },
    { "garbage-rate", 0, CLI_CUSTOM, OFF(T, garbage_rate), "P", "send this share (0..1) of the 200 answers garbled",
      .parse = cli_parse_fraction, .flags = CLI_TESTING },
};
static const T MOCK_DEFAULTS = { .scale = 1, .bind = "127.0.0.1" };
#undef T

/* ------------------------------------------------------------------ bench --- */
static const cli_opt BENCH_ENGINE_OPTS[] = {
    { "reps", 0, CLI_INT, OFF(cli_bench_engine_opts, reps), "N", "repeats per queue size, the median is reported (default 3; 1..101)",
      1, 101 },
    { "steps", 0, CLI_INT, OFF(cli_bench_engine_opts, steps), "N",
      "events per measurement, at least 10 x the queue size below 1e6 and 3 x from\n"
      "1e6 (default 2000000; at least 1000)", 1000, LLONG_MAX },
    { "max-size", 0, CLI_INT, OFF(cli_bench_engine_opts, max_size), "N",
      "the largest queue size of 1e3, 1e4, ..., 1e7 measured (default 10000000)", 1000, 10000000 },
};
static const cli_opt BENCH_MODEL_OPTS[] = {
    { "max-clients", 0, CLI_INT, OFF(cli_bench_model_opts, max_clients), "N",
      "the largest client count of 1k, 10k, 100k, 1M measured (default 1000000)", 1, LLONG_MAX },
    { "clients", 0, CLI_INT, OFF(cli_bench_model_opts, clients), "N",
      "measure only this client count (1000, 10000, 100000 or 1000000)", 1000, 1000000 },
    { "queue", 0, CLI_STR, OFF(cli_bench_model_opts, queue), "Q",
      "the runs' event queue: binary, 4-ary, ladder or default (the one runs use)" },
};
#define T cli_bench_sweep_opts
static const cli_opt BENCH_SWEEP_OPTS[] = {
    { "grid", 0, CLI_LIST, OFF(T, grids), "KEY=V1,V2,...", "an axis, as for `retrysim sweep` (repeatable, up to 16;\n"
      "default retry.base=500ms,1s,2s)" },
    { "replications", 0, CLI_INT, OFF(T, reps), "N", "replications of every point (default 3; 1..1024)", 1, 1024 },
    { "max-jobs", 0, CLI_INT, OFF(T, max_jobs), "N", "time 1..N worker processes (default 2; 1..1024)", 1, 1024 },
    { "repeat", 0, CLI_INT, OFF(T, repeat), "N", "executions per worker count, the best is reported (default 3; 1..1024)", 1,
      1024 },
    { "mpi", 0, CLI_FLAG, OFF(T, mpi), NULL,
      "under mpirun: one local worker, then the MPI ranks (rank 0 coordinates,\n"
      "the others run; with a single rank, rank 0 runs), same self-check" },
};
#undef T

static const char BENCH_EXITS[] =
    "0    the figures are printed\n"
    "1    a self-check failed: the results were wrong, no figures are printed\n"
    "2    bad usage, or the benchmark could not run";

static const cli_verb BENCH_SUBS[] = {
    { .name = "engine", .summary = "event queue: the engine's heaps against a bare binary heap",
      .usage = "retrysim bench engine [--reps N] [--steps N] [--max-size N]",
      .description =
          "Hold model (pop the earliest event, push one at now + an increment) at queue\n"
          "sizes 1e3..1e7, increments Exp(1 s) and as recorded from the full model (bench\n"
          "model's scenario at 10k clients): ns per event for a bare inline binary heap\n"
          "and the engine's queues (binary, 4-ary, ladder), interleaved, median of the\n"
          "repeats, each with its ratio to the bare heap.",
      .examples = "retrysim bench engine\nretrysim bench engine --reps 11 --max-size 1000000",
      .exits = BENCH_EXITS,
      .opts = BENCH_ENGINE_OPTS, .nopts = NROWS(BENCH_ENGINE_OPTS),
      .size = sizeof(cli_bench_engine_opts), .run = cmd_bench_engine },
    { .name = "model", .summary = "full-model throughput and memory per client, 1k..1M clients",
      .usage = "retrysim bench model [--max-clients N] [--clients N] [--queue Q]",
      .description =
          "Full-model throughput (simulated attempts/s and events/s per core) and peak\n"
          "memory per client, on a standard 429-storm scenario at 1k, 10k, 100k and 1M\n"
          "clients. Memory per client: each run in a fresh process, its own growth of\n"
          "RSS (less a 1-client run's) over N, the median of 11 runs up to 10k clients.",
      .examples = "retrysim bench model\nretrysim bench model --max-clients 100000",
      .exits = BENCH_EXITS,
      .opts = BENCH_MODEL_OPTS, .nopts = NROWS(BENCH_MODEL_OPTS),
      .size = sizeof(cli_bench_model_opts), .run = cmd_bench_model },
    { .name = "sweep", .summary = "sweep speed-up with 1..N workers or MPI ranks, bit-identical",
      .usage = "retrysim bench sweep [SCENARIO] [--grid KEY=V1,V2,...]...\n"
               " [--replications N] [--max-jobs N] [--repeat N]\n"
               " [--mpi]\n"
               "mpirun -np N retrysim bench sweep --mpi",
      .description =
          "Times one sweep (default: scenarios/provider-outage.yaml over\n"
          "retry.base=500ms,1s,2s with 3 replications: 36 runs) with 1..--max-jobs worker\n"
          "processes, best of --repeat, and prints wall time, runs per second, the speed-up\n"
          "over one worker and the workers' CPU time. Every execution's metrics must be\n"
          "bit-identical to the one-worker execution's, or no timing is printed.",
      .examples = "retrysim bench sweep\n"
                  "retrysim bench sweep scenarios/429-storm.yaml --grid retry.base=1s,2s\n"
                  "mpirun -np 3 retrysim bench sweep --mpi",
      .exits = BENCH_EXITS,
      .args = "[SCENARIO]", .pos_min = 0, .pos_max = 1, .pos_complete = CLI_C_SCENARIO,
      .opts = BENCH_SWEEP_OPTS, .nopts = NROWS(BENCH_SWEEP_OPTS),
      .size = sizeof(cli_bench_sweep_opts),
      .defaults = &(const cli_bench_sweep_opts){ .reps = 3, .max_jobs = 2, .repeat = 3 },
      .run = cmd_bench_sweep },
};

/* ------------------------------------------------------------------ verbs --- */
static const cli_verb VERBS[] = {
    { .name = "run", .summary = "replay a scenario and write summary/timeseries CSVs",
      .usage = "retrysim run SCENARIO [--out DIR] [--seed N] [--replications N]\n"
               " [--policy NAME]... [--set KEY=VALUE]... [--trace] [--quiet]\n"
               " [--report FILE.html]",
      .description =
          "Replays a scenario: every policy of the file (or each --policy) x every\n"
          "replication. Writes into --out summary.csv (one row per policy x replication,\n"
          "every metric), summary-ci.csv (mean and Student-t 95% CI per policy and metric),\n"
          "timeseries.csv (per bucket and provider), alerts.csv (failure-monitor alerts)\n"
          "and with --trace attempts.csv, then prints a table of means and 95% CI\n"
          "half-widths. The files are written under temporary names and renamed when every\n"
          "run succeeded. Same file, seed and binary give byte-identical files. --out is\n"
          "locked while the run writes it (a second run into it exits 2); Ctrl-C or SIGTERM\n"
          "removes the temporaries, and the directory when the run created it.",
      .examples = "retrysim run scenarios/provider-outage.yaml --out results/outage\n"
                  "retrysim run scenarios/429-storm.yaml --policy full-jitter \\\n    --set workload.clients=2000 --trace\n"
                  "retrysim run scenarios/429-storm.yaml --seed 7 --replications 10 --quiet",
      .exits = "0    every run finished and the files are written\n"
               "2    bad input or usage: an unloadable scenario (file:line:col: message), an\n"
               "     unknown --policy, an unwritable --out, an --out in use by another\n"
               "     process, a run that cannot make progress; nothing is left in --out then\n"
               "130  interrupted (SIGINT, SIGTERM): the temporaries are removed, nothing is\n"
               "     written",
      .args = "SCENARIO", .pos_min = 1, .pos_max = 1, .pos_complete = CLI_C_SCENARIO,
      .opts = RUN_OPTS, .nopts = NROWS(RUN_OPTS), .size = sizeof(cli_run_opts), .defaults = &RUN_DEFAULTS,
      .run = cmd_run },
    { .name = "validate", .summary = "check scenario files without running them",
      .usage = "retrysim validate FILE... [--set KEY=VALUE]...",
      .description =
          "Checks scenario files without running them. Each --set overrides one key of\n"
          "every file before it is checked, e.g. --set workload.clients=200,\n"
          "--set 'policies[full-jitter].retry.base=500ms', --set retry.cap=30s\n"
          "(see docs/scenario-format.md, \"Overrides\").\n"
          "Prints 'FILE: ok (...)' per valid file; errors go to stderr as\n"
          "'file:line:col: message', with a did-you-mean for a misspelt key.",
      .examples = "retrysim validate scenarios/*.yaml\n"
                  "retrysim validate my.yaml --set workload.clients=200 --set retry.cap=30s",
      .exits = "0    every file is valid\n"
               "2    a file is not (its first error is on stderr), or bad usage",
      .args = "FILE...", .pos_min = 1, .pos_max = -1, .pos_complete = CLI_C_SCENARIO,
      .opts = VALIDATE_OPTS, .nopts = NROWS(VALIDATE_OPTS), .size = sizeof(cli_validate_opts),
      .run = cmd_validate },
    { .name = "import", .summary = "print a scenario that simulates a LiteLLM or Portkey config",
      .usage = "retrysim import litellm|portkey FILE [--policies-only] [--lenient]\n"
               " [--name NAME]",
      .description =
          "Reads a LiteLLM proxy config.yaml (model_list, router_settings,\n"
          "litellm_settings) or a Portkey config (JSON: retry, strategy, targets,\n"
          "request_timeout) and prints a scenario that simulates it on stdout: its\n"
          "deployments or targets as providers (documented default models where the\n"
          "config gives no latency), its retries, routing, cooldowns and fallbacks as a\n"
          "policy. Keys that are understood but not simulated are warnings on stderr\n"
          "(file:line:col); an unknown key is an error (a warning with --lenient):\n"
          "nothing is dropped silently. A scenario can also reference the config\n"
          "directly (policies: - import: {format: litellm, file: router.yaml}), so that\n"
          "`retrysim check` re-simulates it on every change. Every key's mapping, default\n"
          "and source: docs/import.md.",
      .examples = "retrysim import litellm proxy_config.yaml > my-router.yaml\n"
                  "retrysim import portkey config.json --policies-only\n"
                  "retrysim import litellm proxy_config.yaml --lenient 2> warnings.txt",
      .exits = "0    the scenario is printed (warnings, if any, on stderr)\n"
               "2    a bad file (its file:line:col), an unknown key, or bad usage",
      .args = "litellm|portkey FILE", .pos_min = 2, .pos_max = 2, .pos_complete = CLI_C_FILE,
      .opts = IMPORT_OPTS, .nopts = NROWS(IMPORT_OPTS), .size = sizeof(cli_import_opts),
      .run = cmd_import },
    { .name = "fit", .summary = "fit a workload and provider model to a request log",
      .usage = "retrysim fit LOG [--column FIELD=NAME]... [--window D]\n"
               " [--from D] [--for D] [--speed F]\n"
               " [--arrivals auto|poisson|replay] [--max-ks D]\n"
               " [--provider NAME] [--out FILE] [--quiet]",
      .description =
          "Reads a request log (a CSV whose header names its columns: a time, and any of\n"
          "prompt and output tokens, latency, time to first token, status, model) and\n"
          "writes a scenario fragment (duration, workload, timeline, providers) that\n"
          "validates and runs once a scenario name and policies are added: the arrival\n"
          "process (one Poisson rate, a rate per window as a timeline, or the advice to\n"
          "replay the log, from the index of dispersion of counts and KS tests of the\n"
          "inter-arrival times), the token counts (lognormal, gamma, Pareto and\n"
          "exponential fitted by maximum likelihood, the best by KS distance, or the\n"
          "log's values), their correlation, the provider's ttft, per_token and noise\n"
          "(least squares of latency on output tokens) and its 5xx error rate. Every\n"
          "figure is written as a YAML comment and printed on stderr. Times are\n"
          "durations, seconds (ms when the column's name ends in _ms) or dates like\n"
          "2023-11-16 18:15:46.68. Method and how to read the output: docs/fit.md.",
      .examples = "retrysim fit scenarios/traces/AzureLLMInferenceTrace_conv.csv > conv-fit.yaml\n"
                  "retrysim fit requests.csv --column at=created --column latency=elapsed_ms \\\n"
                  "    --window 5m --out fitted.yaml\n"
                  "retrysim fit requests.csv --from 1h --for 10m --arrivals poisson --quiet",
      .exits = "0    the fragment is written\n"
               "2    an unreadable or bad log (file:line:col), an unknown --column field, or\n"
               "     bad usage",
      .args = "LOG", .pos_min = 1, .pos_max = 1, .pos_complete = CLI_C_CSV,
      .opts = FIT_OPTS, .nopts = NROWS(FIT_OPTS), .size = sizeof(cli_fit_opts), .defaults = &FIT_DEFAULTS,
      .run = cmd_fit },
    { .name = "delays", .summary = "sample the delays a retry policy waits before each retry",
      .usage = "retrysim delays [POLICY...] [--kind K,...] [--attempts N] [--draws N]\n"
               " [--seed S] [--csv]",
      .description =
          "Samples the delay a retry policy sleeps before each retry n = 1..N-1 and prints\n"
          "min, mean, p50, p99, max (seconds) and the mean cumulative time slept up to that\n"
          "retry. Each draw is one simulated request with fresh backoff state; only the\n"
          "backoff is sampled (no server hints, no deadline). Without a POLICY, lists the\n"
          "presets.\n"
          "\n"
          "POLICY is a preset name or an inline spec KIND:key=value,... with KIND\n"
          "constant|linear|exponential and keys base cap floor step jitter_max\n"
          "(durations: 250ms, 1s, 2m), mult factor (numbers), jitter (none full equal\n"
          "decorrelated decorrelated-v2 proportional subtractive additive), attempts\n"
          "(integer), e.g. exponential:base=1s,cap=60s,jitter=full,attempts=5; per-kind\n"
          "rules follow as ;on=MATCH|MATCH...:key=value,... (MATCH 429, 5xx, timeout,\n"
          "refused, reset, context-window, content-policy; the same keys, plus\n"
          "backoff=KIND) and ;count=shared|per-kind|first-kind. POLICY may also be\n"
          "FILE.yaml:NAME, the policy NAME of a scenario file with its nested retry\n"
          "loops (FILE.yaml: all of its policies). Every policy re-seeds its generator\n"
          "with --seed: its rows do not depend on the other policies listed, and the\n"
          "same arguments give the same bytes.",
      .examples = "retrysim delays                  # the presets\n"
                  "retrysim delays openai-python anthropic-python\n"
                  "retrysim delays 'exponential:base=1s,cap=60s,jitter=full,attempts=5' --csv\n"
                  "retrysim delays 'exponential:base=1s;on=429:base=2s,attempts=5' --kind 429,503\n"
                  "retrysim delays scenarios/nested-retries.yaml:wrapper-over-sdk --kind 503",
      .exits = "0    the delays (or the presets) are printed\n"
               "2    an unknown preset, a bad inline spec or --kind, a scenario file's\n"
               "     error (file:line:col), or bad usage",
      .args = "[POLICY...]", .pos_min = 0, .pos_max = -1, .pos_complete = CLI_C_PRESET,
      .opts = DELAYS_OPTS, .nopts = NROWS(DELAYS_OPTS), .size = sizeof(cli_delays_opts), .defaults = &DELAYS_DEFAULTS,
      .run = cmd_delays },
    { .name = "sweep", .summary = "run a grid of parameter overrides in parallel, with CIs, ranked",
      .usage = "retrysim sweep SCENARIO [--grid KEY=V1,V2,...]... [--grid-file FILE.csv]\n"
               " [--jobs N] [--out DIR] [--objective METRIC[:min|max]]\n"
               " [--replications N] [--seed N] [--policy NAME]...\n"
               " [--resume] [--top N] [--quiet] [--mpi] [--batch N]\n"
               " [--report FILE.html]",
      .description =
          "Runs every grid point x policy x replication on a pool of worker processes (or\n"
          "MPI ranks) and writes sweep.csv, sweep-ci.csv and ranking.csv into --out,\n"
          "atomically, then prints the ranking by the objective. Every point is loaded\n"
          "before any run starts. The files are byte-identical whatever the number of\n"
          "workers or ranks.\n"
          "\n"
          "Every finished run is appended to DIR/sweep.partial.csv as it finishes (the\n"
          "journal), so a sweep that is interrupted (Ctrl-C, SIGTERM), killed (even by\n"
          "SIGKILL) or loses a worker keeps its finished runs; --resume completes it, and\n"
          "the final files are the same bytes as an uninterrupted sweep's. --out is locked\n"
          "while the sweep writes it.",
      .examples = "retrysim sweep scenarios/429-storm.yaml --grid retry.base=250ms,1s,4s \\\n"
                  "    --grid retry.max_attempts=3,5 --jobs 2\n"
                  "retrysim sweep scenarios/aws-backoff-jitter.yaml \\\n"
                  "    --grid workload.clients=10,50,100 --objective calls_per_request \\\n"
                  "    --out results/aws\n"
                  "mpirun -np 9 retrysim sweep scenarios/429-storm.yaml --grid retry.base=1s,4s \\\n    --mpi",
      .exits = "0    every run finished and the files are written\n"
               "2    bad input or usage, or a run failed or a worker died (the finished runs\n"
               "     are in DIR/sweep.partial.csv)\n"
               "130  interrupted: the finished runs are in DIR/sweep.partial.csv (--resume)",
      .args = "SCENARIO", .pos_min = 1, .pos_max = 1, .pos_complete = CLI_C_SCENARIO,
      .opts = SWEEP_OPTS, .nopts = NROWS(SWEEP_OPTS), .size = sizeof(cli_sweep_opts), .defaults = &SWEEP_DEFAULTS,
      .run = cmd_sweep, .entry = cmd_sweep_entry },
    { .name = "tune", .summary = "search parameters for the best objective under SLO constraints",
      .usage = "retrysim tune SCENARIO --param KEY=LO..HI[:lin|:log|:int]...\n"
               " (--minimize METRIC | --maximize METRIC)\n"
               " [--subject-to 'METRIC<=V[:mean|:lower|:upper]']...\n"
               " [--policy NAME] [--budget RUNS] [--replications N]\n"
               " [--max-replications N] [--jobs N | --mpi] [--out DIR]\n"
               " [--seed S] [--set KEY=VALUE]... [--top N] [--quiet]\n"
               " [--emit litellm|portkey]",
      .description =
          "Searches scenario overrides for the point that minimises (or maximises) the\n"
          "replication mean of one metric subject to bounds on others: a Sobol start, then\n"
          "Nelder-Mead on the continuous parameters, then more replications for the best\n"
          "two points while their CIs overlap. Every parameter is loaded at both ends of\n"
          "its range before any run. Writes DIR/tune.csv (one row per evaluation,\n"
          "atomically, also after an interrupt) and prints the best point with its metrics\n"
          "and CIs, the runner-up points, the runs used and a YAML policy block with the\n"
          "tuned keys set. Every point runs the same replication streams (common random\n"
          "numbers).",
      .examples = "retrysim tune scenarios/429-storm.yaml --policy full-jitter \\\n"
                  "    --param 'retry.base=50ms..5s:log' --param 'retry.max_attempts=1..10:int' \\\n"
                  "    --minimize latency_p99 --subject-to 'slo_success_rate>=0.99'\n"
                  "retrysim tune scenarios/aws-backoff-jitter.yaml --policy full-jitter \\\n"
                  "    --param 'retry.base=10ms..1s:log' --minimize attempts \\\n"
                  "    --subject-to 'latency_mean<=1.5s' --budget 200\n"
                  "mpirun -np 3 retrysim tune scenarios/429-storm.yaml --policy full-jitter \\\n"
                  "    --param 'retry.base=50ms..5s:log' --minimize latency_p99 --mpi --quiet",
      .exits = "0    a feasible best point was found\n"
               "1    infeasible: no evaluated point meets every constraint (the closest is\n"
               "     printed)\n"
               "2    bad input or usage, or a run failed\n"
               "130  interrupted: the evaluations so far are in DIR/tune.csv",
      .args = "SCENARIO", .pos_min = 1, .pos_max = 1, .pos_complete = CLI_C_SCENARIO,
      .opts = TUNE_OPTS, .nopts = NROWS(TUNE_OPTS), .size = sizeof(cli_tune_opts), .defaults = &TUNE_DEFAULTS,
      .run = cmd_tune, .entry = cmd_tune_entry },
    { .name = "check", .summary = "run scenarios and evaluate their expect: blocks (CI tests)",
      .usage = "retrysim check FILE... [--junit REPORT.xml] [--replications N] [--jobs N]\n"
               " [--report FILE.html]",
      .description =
          "Runs each scenario's policies named in its expect: list and reports every\n"
          "expectation as PASS or FAIL with the measured value and its 95% CI. Every file\n"
          "is loaded before anything runs; a file without expectations is reported and not\n"
          "run. Meant for CI: a change that re-creates a thundering herd makes check\n"
          "exit 1. The report does not depend on --jobs.",
      .examples = "retrysim check scenarios/*.yaml\n"
                  "retrysim check scenarios/*.yaml --junit report.xml --jobs 2\n"
                  "retrysim check my-scenario.yaml --replications 2\n"
                  "retrysim check scenarios/*.yaml --report check.html",
      .exits = "0    every expectation holds\n"
               "1    an expectation failed\n"
               "2    bad input or usage, a run that could not be executed, a report that\n"
               "     could not be written\n"
               "130  interrupted: no report is written",
      .args = "FILE...", .pos_min = 1, .pos_max = -1, .pos_complete = CLI_C_SCENARIO,
      .opts = CHECK_OPTS, .nopts = NROWS(CHECK_OPTS), .size = sizeof(cli_check_opts), .run = cmd_check },
    { .name = "report", .summary = "one self-contained HTML page of a run or sweep directory",
      .usage = "retrysim report DIR [--out FILE.html] [--scenario FILE] [--jobs N]\n"
               " [--no-expect] [--quiet]",
      .description =
          "Writes one HTML file that reads offline with no script: the scenario's\n"
          "description (its header comment) and timeline, every chart `retrysim plot`\n"
          "draws for DIR (inline SVG), the summary table with its 95% confidence\n"
          "intervals (a sweep: its ranking), the expectations with PASS/FAIL and the\n"
          "measured values, and the command line, seed and version that made DIR\n"
          "(DIR/run.csv, written by run and sweep). A run directory's expectations are\n"
          "evaluated by check's code on a re-run of the policies they name, with the\n"
          "recorded overrides, and the page says whether that re-run reproduces DIR's\n"
          "confidence intervals. `run`, `sweep` and `check` take --report FILE.html to\n"
          "write the page as they finish. docs/report.md describes the page.",
      .examples = "retrysim report results/storm\n"
                  "retrysim run scenarios/brownout.yaml --out results/b \\\n    --report results/b/report.html\n"
                  "retrysim report results/aws --out aws.html --no-expect",
      .exits = "0    the page is written\n"
               "2    bad input or usage: no run.csv and no --scenario, an unloadable scenario,\n"
               "     nothing to report, a chart or the file that could not be written",
      .notes = "environment: RETRYSIM_PLOTS, GNUPLOT (as for retrysim plot), TMPDIR (where the\n"
               "charts are drawn)",
      .args = "DIR", .pos_min = 1, .pos_max = 1, .pos_complete = CLI_C_DIR,
      .opts = REPORT_OPTS, .nopts = NROWS(REPORT_OPTS), .size = sizeof(cli_report_opts), .run = cmd_report },
    { .name = "plot", .summary = "render the charts (PNG/SVG, gnuplot) of a run's or a sweep's CSVs",
      .usage = "retrysim plot DIR [--scenario FILE] [--format png|svg|both] [--out DIR2]\n"
               " [--provider NAME] [--metric NAME]",
      .description =
          "DIR is a directory written by `retrysim run` (timeseries.csv, summary-ci.csv,\n"
          "attempts.csv with --trace) or `retrysim sweep` (sweep-ci.csv); every chart that\n"
          "its files allow is drawn (time series, cost, latency CDF; amplification, the AWS\n"
          "calls chart, heat maps) with the gnuplot scripts of plots/, and `wrote PATH` is\n"
          "printed for each image (docs/plots.md).",
      .examples = "retrysim plot results\n"
                  "retrysim plot results/outage --scenario scenarios/provider-outage.yaml\n"
                  "retrysim plot results/aws --metric attempts --out results/aws/img",
      .exits = "0    every chart that applies was drawn\n"
               "2    nothing to plot in DIR, gnuplot cannot be run, a chart failed, or bad\n"
               "     usage, or DIR2 is in use by another process\n"
               "130  interrupted (SIGINT, SIGTERM): the unfinished images are removed",
      .notes = "environment: RETRYSIM_PLOTS (the gnuplot scripts), GNUPLOT (the gnuplot program)",
      .args = "DIR", .pos_min = 1, .pos_max = 1, .pos_complete = CLI_C_DIR,
      .opts = PLOT_OPTS, .nopts = NROWS(PLOT_OPTS), .size = sizeof(cli_plot_opts), .defaults = &PLOT_DEFAULTS,
      .run = cmd_plot },
    { .name = "live", .summary = "drive a scenario's workload and policy against a real HTTP endpoint",
      .usage = "retrysim live SCENARIO --target URL [--target URL2...] [--clients N]\n"
               " [--duration D] [--max-requests N] [--max-spend USD]\n"
               " [--policy NAME] [--api-key-env VAR]\n"
               " [--format openai|anthropic] [--model M] [--out DIR]\n"
               " [--time-scale F] [--set KEY=VALUE]... [--report-fds]\n"
               " [--quiet]",
      .description =
          "Runs the simulator's own client loop (every workload and policy `run` accepts,\n"
          "stateful parts included) against real endpoints through libcurl, the i-th\n"
          "--target serving the policy's i-th target, and writes the same CSVs as `run`\n"
          "plus attempts.csv. A non-loopback target needs --max-requests or --max-spend;\n"
          "the API key is read only from the variable named by --api-key-env and never\n"
          "written anywhere (docs/live.md).",
      .examples = "retrysim live scenarios/429-storm.yaml --target http://127.0.0.1:8080 \\\n"
                  "    --time-scale 10\n"
                  "retrysim live scenarios/provider-outage.yaml \\\n"
                  "    --target https://api.example.com --max-requests 200 \\\n"
                  "    --api-key-env OPENAI_API_KEY --model gpt-4o-mini",
      .exits = "0    the run ended (duration or a cap) and the outputs are written\n"
               "2    bad input or usage, an unsafe target, a setup or write failure\n"
               "130  interrupted: the outputs are written all the same",
      .args = "SCENARIO", .pos_min = 1, .pos_max = 1, .pos_complete = CLI_C_SCENARIO,
      .opts = LIVE_OPTS, .nopts = NROWS(LIVE_OPTS), .size = sizeof(cli_live_opts), .defaults = &LIVE_DEFAULTS,
      .run = cmd_live },
    { .name = "mock", .summary = "serve a scenario's provider over HTTP on loopback, in real time",
      .usage = "retrysim mock SCENARIO [--port P] [--bind ADDR] [--provider NAME]\n"
               " [--time-scale F] [--duration D] [--set KEY=VALUE]...\n"
               " [--api-key-env VAR] [--idle-timeout D]\n"
               " [--max-connections N] [--max-per-ip N] [--quiet]",
      .description =
          "Serves one of a scenario's providers (its limits, latencies, timeline) over\n"
          "HTTP, in real time or --time-scale times faster. Prints 'listening on\n"
          "ADDR:PORT' once ready. Serves POST /v1/chat/completions (OpenAI) and POST\n"
          "/v1/messages (Anthropic); see docs/live.md.",
      .examples = "retrysim mock scenarios/429-storm.yaml --port 8080\n"
                  "retrysim mock scenarios/provider-outage.yaml --time-scale 10 --duration 5m",
      .exits = "0    served until --duration or SIGINT/SIGTERM\n"
               "1    out of memory while serving: the provider model stopped\n"
               "2    bad input or usage, or the socket or the server cannot be set up",
      .args = "SCENARIO", .pos_min = 1, .pos_max = 1, .pos_complete = CLI_C_SCENARIO,
      .opts = MOCK_OPTS, .nopts = NROWS(MOCK_OPTS), .size = sizeof(cli_mock_opts), .defaults = &MOCK_DEFAULTS,
      .run = cmd_mock },
    { .name = "bench", .summary = "performance benchmarks (engine, model, sweep)",
      .usage = "retrysim bench engine [--reps N] [--steps N]\n"
               "retrysim bench model [--max-clients N]\n"
               "retrysim bench sweep [SCENARIO] [--grid KEY=V1,V2,...]...\n"
               " [--replications N] [--max-jobs N] [--repeat N]\n"
               " [--mpi]",
      .description =
          "Performance benchmarks; each checks its own results before printing a figure\n"
          "(docs/performance.md has the figures and how to read them). `make bench` runs\n"
          "all three. retrysim bench BENCHMARK --help prints one benchmark's help.",
      .examples = "retrysim bench engine\n"
                  "retrysim bench model --max-clients 100000\n"
                  "mpirun -np 3 retrysim bench sweep --mpi",
      .exits = BENCH_EXITS,
      .args = "BENCHMARK", .pos_min = 1, .pos_max = 1, .pos_complete = CLI_C_SUB,
      .subs = BENCH_SUBS, .nsubs = NROWS(BENCH_SUBS) },
    { .name = "help", .summary = "print the help of a verb (retrysim help VERB) or this list",
      .usage = "retrysim help [VERB [BENCHMARK]]",
      .description = "Prints the help of VERB (as retrysim VERB --help does), or the list of verbs.",
      .examples = "retrysim help\nretrysim help run\nretrysim help bench sweep",
      .exits = "0    the help is printed\n2    an unknown verb",
      .args = "[VERB]", .pos_min = 0, .pos_max = 2, .pos_complete = CLI_C_VERB,
      .size = 1, .run = cmd_help },
    { .name = "version", .summary = "print the version (also -V, --version)",
      .usage = "retrysim version",
      .description = "Prints \"retrysim X.Y.Z\".",
      .examples = "retrysim version\nretrysim --version",
      .exits = "0    always",
      .pos_min = 0, .pos_max = 0,
      .size = 1, .run = cmd_version },
};

/* The options before any verb; main.c matches them, doc.c lists them. */
static const cli_opt TOP_OPTS[] = {
    { "help", 'h', CLI_FLAG, 0, NULL, "print the verbs, the conventions and the exit statuses, and exit" },
    { "version", 'V', CLI_FLAG, 0, NULL, "print \"retrysim " RETRYSIM_VERSION "\" and exit" },
    { "man", 0, CLI_FLAG, 0, NULL, "print the man page retrysim(1) in roff (make install uses it)", .flags = CLI_HIDDEN },
    { "bash-completion", 0, CLI_FLAG, 0, NULL, "print the bash completion script (make install uses it)",
      .flags = CLI_HIDDEN },
};

const cli_program CLI_PROGRAM = {
    .name = "retrysim",
    .summary = "discrete-event simulator and benchmark harness for LLM-API retry policies",
    .description =
        "retrysim replays scenario files (rate-limit storms, outages, black holes,\n"
        "brownouts, thundering herds, metastable retry storms) across thousands of\n"
        "virtual clients against models of LLM providers, with the retry policies of\n"
        "the production library libretrypol, and reports tidy CSVs with 95% confidence\n"
        "intervals across replications. Same scenario, seed and binary give\n"
        "byte-identical outputs. Each verb has its own options: retrysim help VERB.",
    .conventions =
        "--opt VALUE, --opt=VALUE  both give an option its value; long names are\n"
        "                          written in full (no abbreviations)\n"
        "--                        ends the options: what follows is an argument\n"
        "interleaving              options and arguments come in any order\n"
        "-h, --help                anywhere: the verb's help, exit 0\n"
        "repeatable options        (--set, --grid, --policy, ...) keep their order\n"
        "errors                    one line 'retrysim VERB: ...' on stderr, with a\n"
        "                          did-you-mean for a misspelt verb or option; exit 2",
    .exits =
        "0    success\n"
        "1    a check failed (check: an expectation; tune: no feasible point; bench: a\n"
        "     self-check)\n"
        "2    bad input or usage (one message; file:line:col for a scenario)\n"
        "130  interrupted by SIGINT or SIGTERM (run, sweep, tune, check, plot, live);\n"
        "     no temporary is left behind",
    .environment =
        "RETRYSIM_PLOTS  the directory of the gnuplot scripts (plot)\n"
        "GNUPLOT  the gnuplot program (plot; default: gnuplot on PATH)\n"
        "OMPI_COMM_WORLD_SIZE, PMI_SIZE  set by mpirun and srun: sweep and tune note a\n"
        "     start by MPI without --mpi\n"
        "the variable named by --api-key-env  the API key (live, mock)",
    .see_also =
        "More: retrysim help VERB, man retrysim, docs/cli.md (the reference),\n"
        "docs/scenario-format.md, docs/metrics.md, docs/live.md, docs/distributed.md.",
    .verbs = VERBS, .nverbs = NROWS(VERBS),
    .opts = TOP_OPTS, .nopts = NROWS(TOP_OPTS),
};
