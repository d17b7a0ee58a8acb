/* cmd_help.c — `retrysim help [VERB [BENCHMARK]]` and `retrysim version`
 * (rows in table.c). */
#include "cli.h"
#include <stdio.h>

int cmd_help(void *opts, const cli_args *a)
{
    (void)opts;
    const cli_program *p = &CLI_PROGRAM;
    if (a->pos.n == 0) { cli_top_help(stdout); return 0; }
    const char *name = a->pos.v[0];
    const cli_verb *v = cli_find_verb(p->verbs, p->nverbs, name);
    if (!v) {
        fprintf(stderr, "%s: unknown verb '%s'%s\n", a->who, name, cli_suggest_verb(p->verbs, p->nverbs, name));
        return 2;
    }
    if (a->pos.n == 2) {
        const char *sub = a->pos.v[1];
        const cli_verb *s = v->nsubs ? cli_find_verb(v->subs, v->nsubs, sub) : NULL;
        if (!s) {
            if (!v->nsubs) fprintf(stderr, "%s: %s has no sub-verbs ('%s')\n", a->who, v->name, sub);
            else fprintf(stderr, "%s: %s has no '%s'%s\n", a->who, v->name, sub, cli_suggest_verb(v->subs, v->nsubs, sub));
            return 2;
        }
        v = s;
    }
    cli_help(stdout, v);
    return 0;
}

int cmd_version(void *opts, const cli_args *a)
{
    (void)opts;
    (void)a;
    printf("retrysim %s\n", RETRYSIM_VERSION);
    return 0;
}
