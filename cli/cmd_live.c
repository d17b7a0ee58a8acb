/* cmd_live.c — the `retrysim live` verb: the options (parsed from table.c's
 * rows) into live_opts, the safety gate (before anything connects), the
 * scenario, then live_drive (live.h). */
#include "cli.h"
#include "live.h"
#include "live_util.h"
#include "outfile.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail_usage(const char *msg)
{
    fprintf(stderr, "retrysim live: %s\n", msg);
    return 2;
}

/* After the options: the key, the safety gate (before anything connects),
 * the scenario, then the drive. */
static int live_run(const live_opts *op, const char *path, const char *pol, const char *key_env, const cli_list *sets)
{
    live_opts o = *op;
    if (key_env) {
        o.key = getenv(key_env);
        if (!o.key || !*o.key) {
            fprintf(stderr, "retrysim live: environment variable %s (--api-key-env) is unset or empty\n", key_env);
            return 2;
        }
        if (strpbrk(o.key, "\r\n")) return fail_usage("the API key contains a line break");
    }
    char why[512];
    if (live_check_targets(o.url, o.nurl, o.max_requests > 0 || o.max_spend > 0, o.key != NULL, why, sizeof why))
        return fail_usage(why);
    static char urls[SIM_MAX_TARGETS][LIVE_URL_MAX];
    if (live_resolve_urls(&o, urls)) return fail_usage("a --target URL is too long");

    sim_scenario sc;
    sim_err err;
    if (sim_scenario_load(path, cli_items(sets), sets->n, &sc, &err)) { fprintf(stderr, "%s\n", err.msg); return 2; }
    int rc = 2;
    o.policy = pol ? sim_scenario_find_policy(&sc, pol) : 0;
    if (o.policy < 0 || sc.npolicies == 0) fprintf(stderr, "retrysim live: %s has no policy '%s'\n", path, pol ? pol : "");
    else {
        rc = 0;
        const sim_policy *p = &sc.policies[o.policy];
        for (int t = 0; t < p->ntargets && t < o.nurl && o.max_spend > 0; t++) {
            const sim_provider *pv = &sc.providers[p->targets[t]];
            if (pv->price_in <= 0 && pv->price_out <= 0) {
                fprintf(stderr, "retrysim live: --max-spend needs a price for provider '%s' in %s\n", pv->name, path);
                rc = 2;
            }
        }
        if (!rc) {
            live_raise_nofile();
            live_signals_setup();
            /* --out locked (and swept of dead runs' temporaries) before anything connects */
            int od = sim_outdir_open(o.out, SIM_OUTDIR_LOCK, "retrysim live");
            rc = od < 0 ? 2 : live_drive(&sc, &o);
            sim_outdir_close(od, rc == 2);
        }
    }
    sim_scenario_free(&sc);
    return rc;
}

int cmd_live(void *opts, const cli_args *a)
{
    const cli_live_opts *co = opts;
    live_opts o;
    memset(&o, 0, sizeof o);
    o.model = co->model;
    o.out = co->out;
    o.max_requests = co->max_requests;
    o.max_spend = co->max_spend;
    o.report_fds = co->report_fds;
    o.scale = co->scale;
    o.quiet = co->quiet;
    const char *path = a->pos.v[0], *pol = co->policy, *key_env = co->key_env, *format = co->format;
    if (co->targets.n == 0) {
        fprintf(stderr, "retrysim live: missing --target URL\n");
        cli_usage(stderr, a->verb);
        return 2;
    }
    if (co->targets.n > SIM_MAX_TARGETS) {
        fprintf(stderr, "retrysim live: too many --target (%d; a policy has at most %d targets)\n", co->targets.n,
                SIM_MAX_TARGETS);
        return 2;
    }
    for (int i = 0; i < co->targets.n; i++) o.url[o.nurl++] = co->targets.v[i];
    /* the overrides: --set in order, then --clients and --duration */
    cli_list sets = { 0 };
    int oom = 0;
    for (int i = 0; i < co->sets.n; i++) oom |= cli_list_add(&sets, co->sets.v[i]);
    if (co->clients) oom |= cli_list_addf(&sets, "workload.clients=%lld", co->clients);
    if (co->duration > 0) oom |= cli_list_addf(&sets, "duration=%lldns", (long long)co->duration);
    if (oom) { cli_list_free(&sets); return fail_usage("out of memory"); }
    o.anthropic = format ? !strcmp(format, "anthropic") : 0;
    int rc = live_run(&o, path, pol, key_env, &sets);
    cli_list_free(&sets);
    return rc;
}
