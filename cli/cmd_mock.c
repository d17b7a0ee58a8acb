/* cmd_mock.c — the `retrysim mock` verb: options and the scenario, then
 * live_mock_run (mock.h). */
#include "cli.h"
#include "live_util.h"
#include "mock.h"
#include "units.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char USAGE[] =
    "usage: retrysim mock SCENARIO [--port P] [--bind ADDR] [--provider NAME]\n"
    "                     [--time-scale F] [--duration D] [--set KEY=VALUE]... [--quiet]\n"
    "  --port P          port to listen on (default 0: any free port)\n"
    "  --bind ADDR       address to listen on (default 127.0.0.1)\n"
    "  --provider NAME   which of the scenario's providers to be (default: the first)\n"
    "  --time-scale F    play the scenario F times faster (timeline, latencies, limits)\n"
    "  --duration D      stop after D of scenario time (default: at SIGINT/SIGTERM)\n"
    "  --set KEY=VALUE   override a scenario key, as for `retrysim run`\n"
    "  --api-key-env VAR require the key in environment variable VAR (else 401)\n"
    "  --quiet           no request counts on stderr at exit\n"
    "Prints 'listening on ADDR:PORT' once ready. Serves POST /v1/chat/completions\n"
    "(OpenAI) and POST /v1/messages (Anthropic); see docs/live.md.\n";

int cmd_mock(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) { fputs(USAGE, stdout); return 0; }
    live_mock_opts o = { "127.0.0.1", 0, 0, 1.0, 0, 0.0, NULL, 0 };
    live_common_opts c = { .scale = 1 };
    const char *prov = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        long long v;
        double d;
        if (!strcmp(a, "--port") && more) {
            if (sim_parse_int(argv[++i], &v) || v < 0 || v > 65535) cli_die_usage("mock", "--port needs 0..65535\n");
            o.port = (int)v;
        } else if (!strcmp(a, "--bind") && more) o.bind = argv[++i];
        else if (!strcmp(a, "--provider") && more) prov = argv[++i];
        else if (!strcmp(a, "--api-key-env") && more) {
            const char *var = argv[++i];
            o.key = getenv(var);
            if (!o.key || !*o.key) {
                fprintf(stderr, "retrysim mock: environment variable %s (--api-key-env) is unset or empty\n", var);
                return 2;
            }
        }
        else if (!strcmp(a, "--garbage-rate") && more) {   /* hidden: for robustness tests */
            if (sim_parse_double(argv[++i], &d) || d < 0 || d > 1) cli_die_usage("mock", "--garbage-rate needs 0..1\n");
            o.garbage_rate = d;
        } else if (live_common_option(&c, argc, argv, &i, "mock", USAGE)) return 2;
    }
    if (!c.path) { fputs(USAGE, stderr); return 2; }
    o.scale = c.scale;
    o.duration = c.duration;
    o.quiet = c.quiet;
    sim_scenario sc;
    sim_err err;
    if (sim_scenario_load(c.path, c.sets, c.nsets, &sc, &err)) { fprintf(stderr, "%s\n", err.msg); return 2; }
    int rc = 2;
    o.provider = prov ? sim_scenario_find_provider(&sc, prov) : 0;
    if (o.provider < 0) fprintf(stderr, "retrysim mock: %s has no provider '%s'\n", c.path, prov);
    else if (sc.providers[o.provider].kind == SIM_PROV_OCC)
        fprintf(stderr, "retrysim mock: provider '%s' is an OCC server; the mock serves LLM and queue providers\n",
                sc.providers[o.provider].name);
    else if (sc.npolicies < 1) fprintf(stderr, "retrysim mock: %s has no policy\n", c.path);
    else {
        live_raise_nofile();
        live_signals_setup();
        rc = live_mock_run(&sc, &o);
    }
    sim_scenario_free(&sc);
    return rc;
}
