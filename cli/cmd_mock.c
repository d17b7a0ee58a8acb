/* cmd_mock.c — the `retrysim mock` verb: the options (parsed from table.c's
 * rows) and the scenario, then live_mock_run (mock.h). */
#include "cli.h"
#include "live_util.h"
#include "mock.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_mock(void *opts, const cli_args *a)
{
    const cli_mock_opts *co = opts;
    live_mock_opts o = { co->bind, (int)co->port, 0, co->scale, co->duration, co->garbage_rate, NULL, co->quiet };
    const char *path = a->pos.v[0], *prov = co->provider;
    if (co->key_env) {
        o.key = getenv(co->key_env);
        if (!o.key || !*o.key) {
            fprintf(stderr, "retrysim mock: environment variable %s (--api-key-env) is unset or empty\n", co->key_env);
            return 2;
        }
    }
    sim_scenario sc;
    sim_err err;
    if (sim_scenario_load(path, cli_items(&co->sets), co->sets.n, &sc, &err)) { fprintf(stderr, "%s\n", err.msg); return 2; }
    int rc = 2;
    o.provider = prov ? sim_scenario_find_provider(&sc, prov) : 0;
    if (o.provider < 0) fprintf(stderr, "retrysim mock: %s has no provider '%s'\n", path, prov);
    else if (sc.providers[o.provider].kind == SIM_PROV_OCC)
        fprintf(stderr, "retrysim mock: provider '%s' is an OCC server; the mock serves LLM and queue providers\n",
                sc.providers[o.provider].name);
    else if (sc.npolicies < 1) fprintf(stderr, "retrysim mock: %s has no policy\n", path);
    else {
        live_raise_nofile();
        live_signals_setup();
        live_mock_limits lim = { .idle_timeout = (double)co->idle_timeout / 1e9,
                                 .max_connections = (int)co->max_connections, .max_per_ip = (int)co->max_per_ip };
        rc = live_mock_run_ex(&sc, &o, &lim);
    }
    sim_scenario_free(&sc);
    return rc;
}
