/* cmd_import.c — `retrysim import litellm|portkey FILE [--policies-only]
 * [--lenient] [--name NAME]` (options: table.c): prints a scenario (or only
 * its policies: block) that simulates a LiteLLM proxy config or a Portkey
 * config. The mapping is sim/scenario/import*.c; here only the arguments.
 * Warnings (understood, not simulated) go to stderr as
 * "file:line:col: warning: ..."; exit 0, or 2 with the located error of a
 * bad file or usage. docs/cli.md and docs/import.md. */
#include "cli.h"
#include "import.h"
#include <stdio.h>
#include <string.h>

int cmd_import(void *opts, const cli_args *a)
{
    const cli_import_opts *io = opts;
    const char *fmt = a->pos.v[0], *path = a->pos.v[1];
    sim_import_opts o = { io->lenient, io->name };
    sim_import_format f;
    if (sim_import_format_parse(fmt, &f)) {
        fprintf(stderr, "%s: unknown format '%s' (litellm or portkey)\n", a->who, fmt);
        return 2;
    }
    sim_import im;
    sim_err err;
    if (sim_import_load(f, path, &o, &im, &err)) { fprintf(stderr, "%s\n", err.msg); return 2; }
    if (im.warnings.s) fputs(im.warnings.s, stderr);
    sim_buf out = { 0 };
    int rc = sim_import_emit(&im, io->policies_only, &out);
    if (rc) fprintf(stderr, "%s: out of memory\n", a->who);
    else if (out.s) fputs(out.s, stdout);
    sim_buf_free(&out);
    sim_import_free(&im);
    return rc ? 2 : 0;
}
