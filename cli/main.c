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
#ifdef __GLIBC__
#include <malloc.h>
#endif

/* glibc raises its mmap threshold each time a large block is freed, so a
 * model's doubling arrays (clients, slots, requests, the ladder's nodes)
 * soon come from the brk heap, where growing one copies it and leaves the
 * old copy's pages resident. Fixing the threshold at its default (128 KiB)
 * keeps them mmapped: realloc grows them with mremap, no copy, and only the
 * pages in use count. bench model, peak RSS per client at 100k clients:
 * 598 and 601 -> 573 and 559 B; 10k unchanged within noise
 * (docs/performance.md, "Memory per client"). An explicit
 * MALLOC_MMAP_THRESHOLD_ in the environment wins. */
static void tune_malloc(void)
{
#ifdef __GLIBC__
    if (getenv("MALLOC_MMAP_THRESHOLD_")) return;
    (void)mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    /* fixing it also fixes the trim threshold (at 128 KiB): a sweep of small
     * runs would then shrink and regrow the brk heap at every run (28,520
     * brk calls on the AWS grid); blocks under the mmap threshold do not add
     * up to much, so keep up to 64 MiB of free brk heap */
    (void)mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
#endif
}

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
    tune_malloc();
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
