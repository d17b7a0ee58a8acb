/* main.c — the `retrysim` binary: dispatches git-style verbs (cli.h).
 * Exit status: 0 success, 1 a check failed, 2 bad input or usage. */
#include "cli.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { const char *name; sim_verb_fn fn; const char *summary; } verb;

static const verb VERBS[] = {
    { "run",      cmd_run,      "replay a scenario and write summary/timeseries CSVs" },
    { "validate", cmd_validate, "check scenario files without running them" },
    { "import",   cmd_import,   "print a scenario that simulates a LiteLLM or Portkey config" },
    { "delays",   cmd_delays,   "sample the delays a retry policy waits before each retry" },
    { "sweep",    cmd_sweep,    "run a grid of parameter overrides in parallel, with CIs and a ranking" },
    { "tune",     cmd_tune,     "search parameters for the best objective under SLO constraints (Sobol + Nelder-Mead)" },
    { "check",    cmd_check,    "run scenarios and evaluate their expect: blocks (CI regression tests)" },
    { "plot",     cmd_plot,     "render the charts (PNG/SVG, gnuplot) of a run's or a sweep's CSVs" },
    { "live",     cmd_live,     "drive a scenario's workload and policy against a real HTTP endpoint" },
    { "mock",     cmd_mock,     "serve a scenario's provider over HTTP on loopback, in real time" },
    { "bench",    cmd_bench,    "performance benchmarks (engine, model)" },
};
#define NVERBS (sizeof VERBS / sizeof VERBS[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: retrysim VERB [ARGS]   (retrysim VERB --help for details)\n\nverbs:\n");
    for (size_t i = 0; i < NVERBS; i++) fprintf(f, "  %-10s %s\n", VERBS[i].name, VERBS[i].summary);
}

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) return 1;
    return 0;
}

void cli_die_usage(const char *verb, const char *text)
{
    fprintf(stderr, "retrysim %s: %s", verb, text);
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc < 2) { usage(stderr); return 2; }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) { puts("retrysim 0.1.0"); return 0; }
    for (size_t i = 0; i < NVERBS; i++)
        if (!strcmp(argv[1], VERBS[i].name)) return VERBS[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "retrysim: unknown verb '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
