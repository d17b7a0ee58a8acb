/* cmd_import.c — `retrysim import litellm|portkey FILE`: prints a scenario
 * (or, with --policies-only, its policies: block) that simulates a LiteLLM
 * proxy config or a Portkey config. The mapping is sim/scenario/import*.c;
 * here only the arguments. Warnings (understood, not simulated) go to
 * stderr as "file:line:col: warning: ..."; exit 0, or 2 with the located
 * error of a bad file or usage. docs/cli.md and docs/import.md. */
#include "cli.h"
#include "import.h"
#include <stdio.h>
#include <string.h>

static const char USAGE[] =
    "usage: retrysim import litellm|portkey FILE [--policies-only] [--lenient] [--name NAME]\n"
    "  litellm FILE      a LiteLLM proxy config.yaml (model_list, router_settings, litellm_settings)\n"
    "  portkey FILE      a Portkey config (JSON: retry, strategy, targets, request_timeout)\n"
    "  --policies-only   print only the policies: block\n"
    "  --lenient         unknown keys are warnings instead of errors\n"
    "  --name NAME       the policy's name (portkey; default portkey)\n"
    "Prints the scenario on stdout; keys that are understood but not simulated are\n"
    "warnings on stderr (file:line:col). Exit 0, or 2 on a bad file or usage.\n";

int cmd_import(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) { fputs(USAGE, stdout); return 0; }
    const char *fmt = NULL, *path = NULL;
    sim_import_opts o = { 0, NULL };
    int policies_only = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--policies-only")) policies_only = 1;
        else if (!strcmp(a, "--lenient")) o.lenient = 1;
        else if (!strcmp(a, "--name") && i + 1 < argc) o.name = argv[++i];
        else if (a[0] == '-' && a[1]) { fprintf(stderr, "retrysim import: unknown option '%s'\n%s", a, USAGE); return 2; }
        else if (!fmt) fmt = a;
        else if (!path) path = a;
        else { fprintf(stderr, "retrysim import: one file at a time ('%s')\n", a); return 2; }
    }
    sim_import_format f;
    if (!fmt || !path) cli_die_usage("import", USAGE + 7);
    if (sim_import_format_parse(fmt, &f)) {
        fprintf(stderr, "retrysim import: unknown format '%s' (litellm or portkey)\n", fmt);
        return 2;
    }
    sim_import im;
    sim_err err;
    if (sim_import_load(f, path, &o, &im, &err)) { fprintf(stderr, "%s\n", err.msg); return 2; }
    if (im.warnings.s) fputs(im.warnings.s, stderr);
    sim_buf out = { 0 };
    int rc = sim_import_emit(&im, policies_only, &out);
    if (rc) fputs("retrysim import: out of memory\n", stderr);
    else if (out.s) fputs(out.s, stdout);
    sim_buf_free(&out);
    sim_import_free(&im);
    return rc ? 2 : 0;
}
