/* cli.h — the verbs of the `retrysim` binary: each verb's options struct
 * (filled by the generic parser from the rows of table.c, opts.h) and its
 * handler (cmd_*.c), which turns the options into calls of the layers below
 * and prints the result. A handler returns the process exit status: 0 ok,
 * 1 a check failed, 2 bad input or usage, 130 interrupted. */
#ifndef SIM_CLI_H
#define SIM_CLI_H
#include "opts.h"
#include "pol_common.h"
#include "scenario.h"

typedef struct {
    cli_list    sets;          /* --set, --seed (seed=N), --replications (replications=N), in order */
    cli_list    pols;          /* --policy */
    const char *out;
    const char *report;        /* --report FILE.html */
    int         trace, quiet;
} cli_run_opts;

typedef struct { cli_list sets; } cli_validate_opts;

typedef struct {
    int         policies_only, lenient;
    const char *name;
} cli_import_opts;

typedef struct {
    cli_list    columns;       /* --column FIELD=NAME */
    pol_ns      window, from, span;
    double      max_ks, speed;
    const char *arrivals, *provider, *out;
    int         quiet;
} cli_fit_opts;

typedef struct {
    long long   attempts, draws, seed;
    int         csv;
    const char *kind;          /* --kind K[,K...] */
} cli_delays_opts;

typedef struct {
    cli_list    grids, pols;
    cli_list    sets;          /* --replications, --seed, in order */
    const char *grid_file, *out, *objective;
    const char *report;        /* --report FILE.html */
    long long   jobs, top, max_runs, crash_run, batch;
    int         mpi, resume, quiet;
} cli_sweep_opts;

typedef struct {
    cli_list    params, cons;
    cli_list    sets;          /* --set and --seed (seed=N), in order */
    const char *minimize, *maximize, *policy, *out, *emit;
    long long   budget, reps, max_reps, jobs, top;
    int         mpi, quiet;
} cli_tune_opts;

typedef struct {
    const char *junit;
    const char *report;        /* --report FILE.html */
    long long   reps, jobs;
} cli_check_opts;

typedef struct {
    const char *out, *scenario;
    long long   jobs;
    int         no_expect, quiet;
} cli_report_opts;

typedef struct { const char *scenario, *format, *out, *provider, *metric; } cli_plot_opts;

typedef struct {
    cli_list    targets, sets;
    long long   clients, max_requests;
    double      max_spend, scale;
    pol_ns      duration;
    const char *policy, *key_env, *format, *model, *out;
    int         report_fds, quiet;
} cli_live_opts;

typedef struct {
    cli_list    sets;
    long long   port;
    double      scale, garbage_rate;
    pol_ns      duration, idle_timeout;
    const char *bind, *provider, *key_env;
    long long   max_connections, max_per_ip;
    int         quiet;
} cli_mock_opts;

typedef struct { long long reps, steps, max_size; } cli_bench_engine_opts;
typedef struct { long long max_clients, clients; const char *queue; } cli_bench_model_opts;
typedef struct {
    cli_list  grids;
    long long reps, max_jobs, repeat;
    int       mpi;
} cli_bench_sweep_opts;

int cmd_run(void *opts, const cli_args *a);
int cmd_validate(void *opts, const cli_args *a);
int cmd_import(void *opts, const cli_args *a);
int cmd_fit(void *opts, const cli_args *a);
int cmd_delays(void *opts, const cli_args *a);
int cmd_sweep(void *opts, const cli_args *a);
int cmd_sweep_entry(int argc, char **argv);     /* cli_mpi_entry around parse + cmd_sweep */
int cmd_tune(void *opts, const cli_args *a);
int cmd_tune_entry(int argc, char **argv);
int cmd_check(void *opts, const cli_args *a);
int cmd_plot(void *opts, const cli_args *a);
int cmd_report(void *opts, const cli_args *a);
int cmd_live(void *opts, const cli_args *a);
int cmd_mock(void *opts, const cli_args *a);
int cmd_bench_engine(void *opts, const cli_args *a);
int cmd_bench_model(void *opts, const cli_args *a);
int cmd_bench_sweep(void *opts, const cli_args *a);
int cmd_help(void *opts, const cli_args *a);
int cmd_version(void *opts, const cli_args *a);

/* The entry of a verb that takes --mpi (mpi_entry.c): parses argv and runs
 * check(opts, args) (the options' own refusals, 0 or an exit status, one
 * message) on every rank before MPI starts, printing only on rank 0; then
 * bench_mpi_run(--mpi as parsed, argc, argv, body). */
int cli_mpi_entry(const char *name, int argc, char **argv, int (*check)(void *opts, const cli_args *a),
                  int (*body)(int, char **));

/* After run or sweep wrote DIR: DIR/run.csv (the command line, scenario,
 * overrides, seed, version), then with report != NULL the HTML page
 * (cmd_report.c, bench/report.h). sc: the scenario as loaded (point 0 for a
 * sweep); objective: a sweep's. Returns the exit status, 0 or 2. */
int cli_after_results(const char *verb, const char *dir, const char *path, const sim_scenario *sc,
                      const cli_list *sets, const char *objective, const char *report, int quiet);

/* Custom value parsers of table.c (NULL, or what the value needs). */
const char *cli_parse_scale(const char *value, void *dest);      /* double in (0, 1e6] */
const char *cli_parse_money(const char *value, void *dest);      /* [$]amount > 0 */
const char *cli_parse_fraction(const char *value, void *dest);   /* double in [0, 1] */

#endif
