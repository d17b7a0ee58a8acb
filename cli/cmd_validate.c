/* cmd_validate.c — `retrysim validate FILE... [--set key=value]...`
 * (options: table.c).
 *
 * Loads every file with sim_scenario_load (the same --set overrides applied
 * to each) and prints one line per file: "FILE: ok (...)" on stdout, or the
 * loader's "file:line:col: message" on stderr. Exit 0 when every file is
 * valid, 2 otherwise (and for usage errors). Runs nothing; cost = loading.
 */
#include "cli.h"
#include "scenario.h"
#include "units.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_validate(void *opts, const cli_args *a)
{
    const cli_validate_opts *o = opts;
    const char *const *files = cli_items(&a->pos), *const *sets = cli_items(&o->sets);
    int nfiles = a->pos.n, nsets = o->sets.n;
    int failed = 0;
    for (int i = 0; i < nfiles; i++) {
        sim_scenario s;
        sim_err err;
        if (sim_scenario_load(files[i], sets, nsets, &s, &err) != 0) {
            fprintf(stderr, "%s\n", err.msg);
            failed++;
            continue;
        }
        if (s.warnings) fputs(s.warnings, stderr);      /* imported configs: what is not simulated */
        char d[32];
        printf("%s: ok (%d provider%s, %d polic%s, %d timeline change%s, duration %s, replications %d)\n",
               files[i], s.nproviders, s.nproviders == 1 ? "" : "s", s.npolicies, s.npolicies == 1 ? "y" : "ies",
               s.ntimeline, s.ntimeline == 1 ? "" : "s", sim_format_duration(s.duration, d, sizeof d),
               s.replications);
        sim_scenario_free(&s);
    }
    return failed ? 2 : 0;
}
