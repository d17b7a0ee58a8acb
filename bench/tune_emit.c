/* tune_emit.c — `retrysim tune --emit litellm|portkey`: the best point
 * written in the user's own config format (tune.h, tune_emit). The overrides
 * of the point (KEY=VALUE, as run) go to sim_import_export, which rewrites
 * only the tuned values of the config the tuned policy was imported from;
 * the file is written to DIR/<the config's name>, atomically, never over
 * the config itself. */
#include "tune.h"
#include "import.h"
#include "outfile.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tune_emit(const tune_problem *P, char *const *values, sim_import_format fmt, const char *dir,
              char *written, size_t cap, sim_err *err)
{
    char ov[TUNE_MAX_PARAMS][SIM_PATH_MAX + 80];
    const char *tuned[TUNE_MAX_PARAMS];
    for (int k = 0; k < P->nparam; k++) {
        snprintf(ov[k], sizeof ov[k], "%s=%s", P->param[k].key, values[k]);
        tuned[k] = ov[k];
    }
    char *text = NULL, config[SIM_PATH_MAX];
    int rc = sim_import_export(P->path, P->base, P->nbase, P->policy, tuned, P->nparam, fmt, &text, config,
                               sizeof config, err);
    if (rc || !dir) { free(text); return rc; }
    const char *base = strrchr(config, '/');
    base = base ? base + 1 : config;
    char target[SIM_PATH_MAX + 64], rc1[PATH_MAX], rc2[PATH_MAX];
    snprintf(target, sizeof target, "%s/%s", dir, base);
    if (realpath(config, rc1) && realpath(target, rc2) && !strcmp(rc1, rc2)) {
        free(text);
        snprintf(err->msg, sizeof err->msg, "--emit would overwrite %s itself; choose another --out", config);
        return POL_EINVAL;
    }
    sim_outfile f;
    if (sim_mkdirs(dir) || sim_out_open(&f, dir, base)) {
        free(text);
        snprintf(err->msg, sizeof err->msg, "cannot write %s", target);
        return POL_EINVAL;
    }
    fputs(text, f.f);
    free(text);
    if (sim_out_commit(&f)) {
        snprintf(err->msg, sizeof err->msg, "cannot write %s", target);
        return POL_EINVAL;
    }
    snprintf(written, cap, "%s", target);
    return POL_OK;
}
