/* main.c — the `retrysim` binary: the top-level options (-h, -V and the
 * generators --man and --bash-completion), then the verb named by argv[1]
 * from the one table (table.c), run by the generic parser (opts.h).
 * Exit status: 0 success, 1 a check failed, 2 bad input or usage, 130
 * interrupted. */
#include "cli.h"
#include "cfg.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The top-level option spelt by arg ("-V", "--version"), or NULL. */
static const cli_opt *top_option(const char *arg)
{
    const cli_program *p = &CLI_PROGRAM;
    for (size_t i = 0; i < p->nopts; i++) {
        const cli_opt *o = &p->opts[i];
        if ((arg[1] == '-' && !strcmp(arg + 2, o->name)) || (o->shortc && arg[1] == o->shortc && !arg[2])) return o;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    const cli_program *p = &CLI_PROGRAM;
    if (argc < 2) {
        cli_top_help(stderr);
        return 2;
    }
    const char *a = argv[1];
    if (a[0] == '-' && a[1]) {
        const cli_opt *o = top_option(a);
        if (o && !strcmp(o->name, "help") && argc > 2)      /* retrysim --help VERB = retrysim help VERB */
            return cli_verb_run(cli_find_verb(p->verbs, p->nverbs, "help"), "retrysim", argc - 1, argv + 1);
        if (o && argc > 2) {
            fprintf(stderr, "retrysim: %s takes no arguments ('%s'); a verb's options come after it\n", a, argv[2]);
            return 2;
        }
        if (o && !strcmp(o->name, "help")) { cli_top_help(stdout); return 0; }
        if (o && !strcmp(o->name, "version")) { printf("retrysim %s\n", RETRYSIM_VERSION); return 0; }
        if (o && !strcmp(o->name, "man")) { cli_man(stdout); return 0; }
        if (o && !strcmp(o->name, "bash-completion")) { cli_bash_completion(stdout); return 0; }
        const char *names[8];
        size_t n = 0;
        for (size_t i = 0; i < p->nopts && n < 8; i++)
            if (!(p->opts[i].flags & CLI_HIDDEN)) names[n++] = p->opts[i].name;
        const char *s = a[1] == '-' ? sim_cfg_suggest(a + 2, names, n) : NULL;
        fprintf(stderr, "retrysim: unknown option '%s'", a);
        if (s) fprintf(stderr, "; did you mean '--%s'?", s);
        fprintf(stderr, " (options come after the verb: retrysim VERB --help)\n");
        return 2;
    }
    const cli_verb *v = cli_find_verb(p->verbs, p->nverbs, a);
    if (!v) {
        fprintf(stderr, "retrysim: unknown verb '%s'%s (retrysim --help lists the verbs)\n", a,
                cli_suggest_verb(p->verbs, p->nverbs, a));
        return 2;
    }
    return cli_verb_main(v, "retrysim", argc - 1, argv + 1);
}
