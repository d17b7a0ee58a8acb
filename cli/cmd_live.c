/* cmd_live.c — the `retrysim live` verb: options, the safety gate (before
 * anything connects), the scenario, then live_drive (live.h). */
#include "cli.h"
#include "live.h"
#include "live_util.h"
#include "units.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char USAGE[] =
    "usage: retrysim live SCENARIO --target URL [--target URL2...] [--clients N] [--duration D]\n"
    "                     [--max-requests N] [--max-spend USD] [--policy NAME] [--api-key-env VAR]\n"
    "                     [--format openai|anthropic] [--model M] [--out DIR] [--time-scale F]\n"
    "                     [--set KEY=VALUE]... [--report-fds] [--quiet]\n"
    "  --target URL        endpoint of the policy's first target (repeat for its other targets, in\n"
    "                      order); a URL with an empty path gets /v1/chat/completions or\n"
    "                      /v1/messages; attempts to a provider without one count as refused\n"
    "  --clients N         override workload.clients\n"
    "  --duration D        override the scenario's duration (scenario time)\n"
    "  --max-requests N    send at most N HTTP requests (retries and hedges included), then stop\n"
    "  --max-spend USD     stop before the billed cost could exceed USD (scenario prices)\n"
    "                      a non-loopback target needs one of the two caps\n"
    "  --policy NAME       the scenario policy to run (default: the first)\n"
    "  --api-key-env VAR   read the API key from environment variable VAR (never printed)\n"
    "  --format F          openai (default; Authorization: Bearer) or anthropic (x-api-key)\n"
    "  --model M           model name sent in each request (default: retrysim-mock)\n"
    "  --out DIR           summary.csv, summary-ci.csv, timeseries.csv, attempts.csv, alerts.csv\n"
    "                      (default: results-live)\n"
    "  --time-scale F      play the scenario F times faster (use the mock's value)\n"
    "  --set KEY=VALUE     override a scenario key, as for `retrysim run`\n"
    "  --quiet             no summary table\n"
    "  --report-fds        print open descriptors (start, peak, end) and peak RSS on stderr\n";

static int fail_usage(const char *msg)
{
    fprintf(stderr, "retrysim live: %s\n", msg);
    return 2;
}

int cmd_live(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) { fputs(USAGE, stdout); return 0; }
    live_opts o;
    memset(&o, 0, sizeof o);
    o.model = "retrysim-mock";
    o.out = "results-live";
    live_common_opts c = { .scale = 1 };
    const char *pol = NULL, *key_env = NULL, *format = NULL;
    char clients_set[64] = "", dur_set[64];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        long long v;
        if (!strcmp(a, "--target") && more) {
            if (o.nurl == SIM_MAX_TARGETS) return fail_usage("too many --target");
            o.url[o.nurl++] = argv[++i];
        } else if (!strcmp(a, "--clients") && more) {
            if (sim_parse_int(argv[++i], &v) || v < 1 || v > 1000000) return fail_usage("--clients needs 1..1000000");
            snprintf(clients_set, sizeof clients_set, "workload.clients=%lld", v);
        } else if (!strcmp(a, "--max-requests") && more) {
            if (sim_parse_int(argv[++i], &v) || v < 1) return fail_usage("--max-requests needs a positive integer");
            o.max_requests = v;
        } else if (!strcmp(a, "--max-spend") && more) {
            const char *s = argv[++i];
            if (*s == '$') s++;
            if (sim_parse_double(s, &o.max_spend) || !(o.max_spend > 0)) return fail_usage("--max-spend needs an amount > 0");
        } else if (!strcmp(a, "--policy") && more) pol = argv[++i];
        else if (!strcmp(a, "--api-key-env") && more) key_env = argv[++i];
        else if (!strcmp(a, "--format") && more) format = argv[++i];
        else if (!strcmp(a, "--model") && more) o.model = argv[++i];
        else if (!strcmp(a, "--out") && more) o.out = argv[++i];
        else if (!strcmp(a, "--report-fds")) o.report_fds = 1;
        else if (live_common_option(&c, argc, argv, &i, "live", USAGE)) return 2;
    }
    if (!c.path || o.nurl == 0) { fputs(USAGE, stderr); return 2; }
    if (clients_set[0]) c.sets[c.nsets++] = clients_set;   /* sets has room for these two */
    if (c.duration > 0) {
        snprintf(dur_set, sizeof dur_set, "duration=%lldns", (long long)c.duration);
        c.sets[c.nsets++] = dur_set;
    }
    o.scale = c.scale;
    o.quiet = c.quiet;
    const char *path = c.path;
    if (format && strcmp(format, "openai") && strcmp(format, "anthropic"))
        return fail_usage("--format is openai or anthropic");
    o.anthropic = format ? !strcmp(format, "anthropic") : 0;
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
    if (sim_scenario_load(path, c.sets, c.nsets, &sc, &err)) { fprintf(stderr, "%s\n", err.msg); return 2; }
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
            rc = live_drive(&sc, &o);
        }
    }
    sim_scenario_free(&sc);
    return rc;
}
