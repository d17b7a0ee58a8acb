/* test_cli.c — CUnit tests of the command line's option machinery (opts.h):
 * the generic parser on a test verb (--x=y and --x y, "--", interleaving,
 * missing values, unknown and abbreviated options with their did-you-mean,
 * flags given a value, integer ranges, choices, durations, custom values,
 * repeatable lists far beyond 64 entries with their order, -h after an
 * error, positional counts, parsing twice), and the real table (table.c):
 * every verb's help has a usage line, every option, examples and exit
 * statuses within 80 columns; every option is in its verb's synopsis; names
 * and short letters are unique; the man page and the completion script name
 * every verb.
 */
#include "cu_util.h"
#include "cli.h"
#include <limits.h>
#include <stddef.h>
#include <string.h>

/* ---- a test verb ------------------------------------------------------------ */
typedef struct {
    const char *out, *fmt;
    cli_list    sets, tags;
    long long   n;
    pol_ns      dur;
    double      frac;
    int         quiet, trace;
} t_opts;

static const cli_opt T_OPTS[] = {
    { .name = "out", .type = CLI_STR, .off = offsetof(t_opts, out), .arg = "DIR", .help = "h" },
    { .name = "set", .shortc = 's', .type = CLI_LIST, .off = offsetof(t_opts, sets), .arg = "K=V", .help = "h" },
    { .name = "seed", .type = CLI_INT, .off = offsetof(t_opts, sets), .arg = "N", .help = "h", .min = 0,
      .max = LLONG_MAX, .prefix = "seed=" },
    { .name = "tag", .type = CLI_LIST, .off = offsetof(t_opts, tags), .arg = "T", .help = "h" },
    { .name = "n", .type = CLI_INT, .off = offsetof(t_opts, n), .arg = "N", .help = "h", .min = 1, .max = 10 },
    { .name = "format", .type = CLI_CHOICE, .off = offsetof(t_opts, fmt), .arg = "F", .help = "h", .choices = "png|svg|both" },
    { .name = "duration", .type = CLI_DURATION, .off = offsetof(t_opts, dur), .arg = "D", .help = "h" },
    { .name = "frac", .type = CLI_CUSTOM, .off = offsetof(t_opts, frac), .arg = "P", .help = "h",
      .parse = cli_parse_fraction },
    { .name = "policy", .type = CLI_STR, .off = offsetof(t_opts, out), .arg = "P", .help = "h" },
    { .name = "quiet", .shortc = 'q', .type = CLI_FLAG, .off = offsetof(t_opts, quiet), .help = "h" },
    { .name = "trace", .type = CLI_FLAG, .off = offsetof(t_opts, trace), .help = "h" },
};
static const t_opts T_DEFAULTS = { .out = "results", .n = 3 };
static const cli_verb T_VERB = {
    .name = "t", .summary = "s", .usage = "retrysim t FILE...", .description = "d", .examples = "e", .exits = "0  ok",
    .args = "FILE...", .pos_min = 1, .pos_max = 3, .opts = T_OPTS, .nopts = sizeof T_OPTS / sizeof T_OPTS[0],
    .size = sizeof(t_opts), .defaults = &T_DEFAULTS,
};

static t_opts o;
static cli_args a;

/* Parses a NULL-terminated argument list (after the verb name). */
static int parse_v(const char *const *args)
{
    int argc = 1;
    while (args[argc - 1]) argc++;
    char **argv = calloc((size_t)argc + 1, sizeof *argv);
    CU_ASSERT_PTR_NOT_NULL_FATAL(argv);
    argv[0] = (char *)"t";
    for (int i = 1; i < argc; i++) argv[i] = (char *)args[i - 1];
    cli_args_free(&T_VERB, &o, &a);   /* the previous parse's lists */
    o = T_DEFAULTS;
    int rc = cli_parse(&T_VERB, "retrysim", argc, argv, &o, &a);
    free(argv);                       /* string values point into the args, not argv */
    return rc;
}
#define PARSE(...) parse_v((const char *const[]){ __VA_ARGS__, NULL })

static void test_values(void)
{
    CU_ASSERT_EQUAL(PARSE("f.yaml", "--out=dir1", "--n", "7", "-q"), CLI_PARSED);
    CU_ASSERT_STRING_EQUAL(o.out, "dir1");
    CU_ASSERT_EQUAL(o.n, 7);
    CU_ASSERT_EQUAL(o.quiet, 1);
    CU_ASSERT_EQUAL(o.trace, 0);
    CU_ASSERT_EQUAL(a.pos.n, 1);
    CU_ASSERT_STRING_EQUAL(a.pos.v[0], "f.yaml");
    CU_ASSERT_STRING_EQUAL(a.who, "retrysim t");
    /* --opt value, interleaved with positionals, the last value wins */
    CU_ASSERT_EQUAL(PARSE("--out", "d2", "a", "--n=2", "b", "--out", "d3"), CLI_PARSED);
    CU_ASSERT_STRING_EQUAL(o.out, "d3");
    CU_ASSERT_EQUAL(o.n, 2);
    CU_ASSERT_EQUAL(a.pos.n, 2);
    CU_ASSERT_STRING_EQUAL(a.pos.v[1], "b");
    CU_ASSERT_EQUAL(cli_given(&a, "out"), 2);
    CU_ASSERT_EQUAL(cli_given(&a, "n"), 1);
    CU_ASSERT_EQUAL(cli_given(&a, "trace"), 0);
    /* a value that looks like an option is a value; "=" in a value is kept */
    CU_ASSERT_EQUAL(PARSE("a", "--out", "--trace", "--set", "k=v=w", "-s", "x=1", "-sy=2"), CLI_PARSED);
    CU_ASSERT_STRING_EQUAL(o.out, "--trace");
    CU_ASSERT_EQUAL(o.trace, 0);
    CU_ASSERT_EQUAL(o.sets.n, 3);
    CU_ASSERT_STRING_EQUAL(o.sets.v[0], "k=v=w");
    CU_ASSERT_STRING_EQUAL(o.sets.v[1], "x=1");
    CU_ASSERT_STRING_EQUAL(o.sets.v[2], "y=2");
    /* an empty value */
    CU_ASSERT_EQUAL(PARSE("a", "--out="), CLI_PARSED);
    CU_ASSERT_STRING_EQUAL(o.out, "");
}

static void test_dashdash(void)
{
    CU_ASSERT_EQUAL(PARSE("--quiet", "--", "--trace", "-q", "-"), CLI_PARSED);
    CU_ASSERT_EQUAL(o.quiet, 1);
    CU_ASSERT_EQUAL(o.trace, 0);
    CU_ASSERT_EQUAL(a.pos.n, 3);
    CU_ASSERT_STRING_EQUAL(a.pos.v[0], "--trace");
    CU_ASSERT_STRING_EQUAL(a.pos.v[1], "-q");
    CU_ASSERT_STRING_EQUAL(a.pos.v[2], "-");
    /* positionals before and after -- keep their order */
    CU_ASSERT_EQUAL(PARSE("a", "--n", "4", "--", "b"), CLI_PARSED);
    CU_ASSERT_EQUAL(a.pos.n, 2);
    CU_ASSERT_STRING_EQUAL(a.pos.v[0], "a");
    CU_ASSERT_STRING_EQUAL(a.pos.v[1], "b");
}

static void test_errors(void)
{
    CU_ASSERT_EQUAL(PARSE("a", "--out"), CLI_ERROR);
    CU_ASSERT_STRING_EQUAL(a.err, "--out needs a value");
    CU_ASSERT(a.usage);
    CU_ASSERT_EQUAL(PARSE("a", "-s"), CLI_ERROR);
    CU_ASSERT_STRING_EQUAL(a.err, "--set needs a value");
    CU_ASSERT_EQUAL(PARSE("a", "--polcy", "x"), CLI_ERROR);
    CU_ASSERT_STRING_EQUAL(a.err, "unknown option '--polcy'; did you mean '--policy'?");
    CU_ASSERT_EQUAL(PARSE("a", "--polcy=x"), CLI_ERROR);
    CU_ASSERT_STRING_EQUAL(a.err, "unknown option '--polcy'; did you mean '--policy'?");
    CU_ASSERT_EQUAL(PARSE("a", "--zzzzzz"), CLI_ERROR);
    CU_ASSERT_STRING_EQUAL(a.err, "unknown option '--zzzzzz'");
    /* getopt_long would take these abbreviations; the CLI does not */
    CU_ASSERT_EQUAL(PARSE("a", "--tra"), CLI_ERROR);
    CU_ASSERT_STRING_EQUAL(a.err, "unknown option '--tra'; did you mean '--trace'?");
    CU_ASSERT_EQUAL(o.trace, 0);
    CU_ASSERT_EQUAL(PARSE("a", "--ou", "x"), CLI_ERROR);
    CU_ASSERT_STRING_EQUAL(a.err, "unknown option '--ou'; did you mean '--out'?");
    CU_ASSERT_EQUAL(PARSE("a", "--se", "x"), CLI_ERROR);   /* ambiguous for getopt: --set, --seed */
    CU_ASSERT_NSTRING_EQUAL(a.err, "unknown option '--se'", 20);
    CU_ASSERT_EQUAL(PARSE("a", "--quiet=1"), CLI_ERROR);
    CU_ASSERT_STRING_EQUAL(a.err, "--quiet takes no value ('--quiet=1')");
    CU_ASSERT_EQUAL(PARSE("a", "-x"), CLI_ERROR);
    CU_ASSERT_STRING_EQUAL(a.err, "unknown option '-x'");
    CU_ASSERT_EQUAL(PARSE("a", "-trace"), CLI_ERROR);
    CU_ASSERT_STRING_EQUAL(a.err, "unknown option '-trace'; did you mean '--trace'?");
    /* the first error is the one reported */
    CU_ASSERT_EQUAL(PARSE("a", "--bogus", "--n", "0"), CLI_ERROR);
    CU_ASSERT_STRING_EQUAL(a.err, "unknown option '--bogus'");
    /* but -h anywhere wins */
    CU_ASSERT_EQUAL(PARSE("a", "--bogus", "-h"), CLI_HELP);
    CU_ASSERT_EQUAL(PARSE("--help"), CLI_HELP);
    CU_ASSERT_EQUAL(PARSE("a", "--hel"), CLI_ERROR);
    /* positional counts */
    CU_ASSERT_EQUAL(PARSE("--quiet"), CLI_ERROR);
    CU_ASSERT_STRING_EQUAL(a.err, "missing FILE");
    CU_ASSERT_EQUAL(PARSE("a", "b", "c", "d"), CLI_ERROR);
    CU_ASSERT_STRING_EQUAL(a.err, "at most 3 arguments ('d')");
}

static void test_ranges(void)
{
    CU_ASSERT_EQUAL(PARSE("a", "--n", "1"), CLI_PARSED);
    CU_ASSERT_EQUAL(o.n, 1);
    CU_ASSERT_EQUAL(PARSE("a", "--n", "10"), CLI_PARSED);
    CU_ASSERT_EQUAL(o.n, 10);
    CU_ASSERT_EQUAL(PARSE("a", "--n", "0"), CLI_ERROR);
    CU_ASSERT_STRING_EQUAL(a.err, "--n needs an integer in 1..10, got '0'");
    CU_ASSERT_EQUAL(PARSE("a", "--n=11"), CLI_ERROR);
    CU_ASSERT_STRING_EQUAL(a.err, "--n needs an integer in 1..10, got '11'");
    CU_ASSERT_EQUAL(PARSE("a", "--n", "x"), CLI_ERROR);
    CU_ASSERT_EQUAL(PARSE("a", "--n", "3.5"), CLI_ERROR);
    CU_ASSERT_EQUAL(PARSE("a", "--n", "-1"), CLI_ERROR);
    CU_ASSERT_EQUAL(PARSE("a", "--n", "99999999999999999999999"), CLI_ERROR);
    CU_ASSERT_EQUAL(PARSE("a", "--seed", "-1"), CLI_ERROR);
    CU_ASSERT_STRING_EQUAL(a.err, "--seed needs a non-negative integer, got '-1'");
    CU_ASSERT_EQUAL(PARSE("a", "--format", "svg"), CLI_PARSED);
    CU_ASSERT_STRING_EQUAL(o.fmt, "svg");
    CU_ASSERT_EQUAL(PARSE("a", "--format", "sv"), CLI_ERROR);
    CU_ASSERT_STRING_EQUAL(a.err, "--format is png, svg or both, got 'sv'");
    CU_ASSERT_EQUAL(PARSE("a", "--duration", "1.5s"), CLI_PARSED);
    CU_ASSERT_EQUAL(o.dur, 1500000000);
    CU_ASSERT_EQUAL(PARSE("a", "--duration", "0"), CLI_ERROR);
    CU_ASSERT_EQUAL(PARSE("a", "--duration", "soon"), CLI_ERROR);
    CU_ASSERT_EQUAL(PARSE("a", "--frac", "0.25"), CLI_PARSED);
    CU_ASSERT_DOUBLE_EQUAL(o.frac, 0.25, 0);
    CU_ASSERT_EQUAL(PARSE("a", "--frac", "1.5"), CLI_ERROR);
    CU_ASSERT_STRING_EQUAL(a.err, "--frac needs a number in 0..1, got '1.5'");
}

/* 300 --set, 200 --tag and --seed in between: every one kept, in order,
 * the prefixed integers interleaved where they were given. */
static void test_long_lists(void)
{
    static const char *args[1200];
    static char texts[600][32];
    int n = 0;
    args[n++] = "f.yaml";
    for (int i = 0; i < 300; i++) {
        snprintf(texts[i], sizeof texts[i], "k%d=%d", i, i);
        args[n++] = "--set";
        args[n++] = texts[i];
        if (i % 100 == 50) { args[n++] = "--seed"; args[n++] = "7"; }
        if (i < 200) { snprintf(texts[300 + i], 32, "t%d", i); args[n++] = "--tag"; args[n++] = texts[300 + i]; }
    }
    args[n] = NULL;
    CU_ASSERT_EQUAL(parse_v(args), CLI_PARSED);
    CU_ASSERT_EQUAL(o.sets.n, 303);
    CU_ASSERT_EQUAL(o.tags.n, 200);
    CU_ASSERT_STRING_EQUAL(o.sets.v[0], "k0=0");
    CU_ASSERT_STRING_EQUAL(o.sets.v[51], "seed=7");
    CU_ASSERT_STRING_EQUAL(o.sets.v[52], "k51=51");
    CU_ASSERT_STRING_EQUAL(o.sets.v[302], "k299=299");
    CU_ASSERT_PTR_NULL(o.sets.v[303]);
    CU_ASSERT_STRING_EQUAL(o.tags.v[199], "t199");
    CU_ASSERT_EQUAL(cli_given(&a, "set"), 300);
    CU_ASSERT_EQUAL(cli_given(&a, "seed"), 3);
}

static void test_list_api(void)
{
    cli_list l = { 0 };
    for (int i = 0; i < 1000; i++) CU_ASSERT_EQUAL(cli_list_addf(&l, "x%d", i), 0);
    CU_ASSERT_EQUAL(l.n, 1000);
    CU_ASSERT_STRING_EQUAL(l.v[999], "x999");
    CU_ASSERT_PTR_NULL(l.v[1000]);
    cli_list_free(&l);
    CU_ASSERT_EQUAL(l.n, 0);
    CU_ASSERT_PTR_NULL(l.v);
    CU_ASSERT_PTR_NULL(cli_items(&l));
}

/* ---- the real table ------------------------------------------------------------ */
static char *capture(void (*fn)(FILE *, const cli_verb *), const cli_verb *v, void (*top)(FILE *))
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return NULL;
    if (fn) fn(f, v);
    else top(f);
    fclose(f);
    return buf;
}

static int max_line(const char *s)
{
    int w = 0, cur = 0;
    for (; *s; s++) {
        if (*s == '\n') { cur = 0; continue; }
        if (++cur > w) w = cur;
    }
    return w;
}

static void check_verb(const cli_verb *v, const char *prefix)
{
    char want[96];
    snprintf(want, sizeof want, "%s %s", prefix, v->name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v->usage);
    CU_ASSERT_NSTRING_EQUAL(v->usage, want, strlen(want));
    CU_ASSERT(v->summary && *v->summary && v->description && *v->description);
    CU_ASSERT(v->examples && strstr(v->examples, want));
    CU_ASSERT(v->exits && v->exits[0] == '0');
    CU_ASSERT(v->run || v->entry || v->nsubs);
    char *h = capture(cli_help, v, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    CU_ASSERT(strstr(h, "usage: ") == h);
    CU_ASSERT(strstr(h, "\noptions:\n") != NULL);
    CU_ASSERT(strstr(h, "\nexamples:\n") != NULL);
    CU_ASSERT(strstr(h, "\nexit status:\n") != NULL);
    if (max_line(h) > 80) fprintf(stderr, "\n%s --help: a line of %d columns\n", want, max_line(h));
    CU_ASSERT(max_line(h) <= 80);
    for (size_t i = 0; i < v->nopts; i++) {
        const cli_opt *op = &v->opts[i];
        char flag[80];
        snprintf(flag, sizeof flag, "--%s", op->name);
        if (!(op->flags & CLI_HIDDEN)) CU_ASSERT(strstr(h, flag) != NULL);
        /* in the synopsis: every option but the test hooks */
        if (!(op->flags & (CLI_HIDDEN | CLI_TESTING)) && !strstr(v->usage, flag))
            fprintf(stderr, "\n%s: %s is not in the usage line\n", want, flag);
        if (!(op->flags & (CLI_HIDDEN | CLI_TESTING))) CU_ASSERT(strstr(v->usage, flag) != NULL);
        CU_ASSERT(op->off < v->size);
        CU_ASSERT(op->help && *op->help);
        CU_ASSERT((op->type == CLI_FLAG) == (op->arg == NULL));
        CU_ASSERT(op->type != CLI_CHOICE || op->choices);
        CU_ASSERT(op->type != CLI_CUSTOM || op->parse);
        CU_ASSERT(op->type != CLI_INT || op->min <= op->max);
        CU_ASSERT(strcmp(op->name, "help") && op->shortc != 'h');
        for (size_t k = 0; k < i; k++) {
            CU_ASSERT(strcmp(op->name, v->opts[k].name) != 0);
            CU_ASSERT(!op->shortc || op->shortc != v->opts[k].shortc);
        }
    }
    free(h);
    for (size_t i = 0; i < v->nsubs; i++) check_verb(&v->subs[i], want);
}

static void test_table(void)
{
    const cli_program *p = &CLI_PROGRAM;
    CU_ASSERT(p->nverbs >= 12);
    for (size_t i = 0; i < p->nverbs; i++) {
        check_verb(&p->verbs[i], "retrysim");
        for (size_t k = 0; k < i; k++) CU_ASSERT(strcmp(p->verbs[i].name, p->verbs[k].name) != 0);
    }
    const char *must[] = { "run", "validate", "delays", "sweep", "tune", "check", "plot", "live", "mock", "bench",
                           "help", "version" };
    for (size_t i = 0; i < sizeof must / sizeof must[0]; i++)
        CU_ASSERT_PTR_NOT_NULL(cli_find_verb(p->verbs, p->nverbs, must[i]));
    CU_ASSERT_STRING_EQUAL(cli_suggest_verb(p->verbs, p->nverbs, "rn"), "; did you mean 'run'?");
    CU_ASSERT_STRING_EQUAL(cli_suggest_verb(p->verbs, p->nverbs, "sweeep"), "; did you mean 'sweep'?");
    CU_ASSERT_STRING_EQUAL(cli_suggest_verb(p->verbs, p->nverbs, "qqqqqq"), "");
    char *top = capture(NULL, NULL, cli_top_help);
    CU_ASSERT_PTR_NOT_NULL_FATAL(top);
    CU_ASSERT(max_line(top) <= 80);
    CU_ASSERT(strstr(top, "--version") && strstr(top, "-V") && strstr(top, "retrysim help VERB"));
    for (size_t i = 0; i < p->nverbs; i++) CU_ASSERT(strstr(top, p->verbs[i].name) != NULL);
    CU_ASSERT(strstr(top, "--man") == NULL);        /* hidden */
    free(top);
}

static void test_generated(void)
{
    const cli_program *p = &CLI_PROGRAM;
    char *man = capture(NULL, NULL, cli_man), *sh = capture(NULL, NULL, cli_bash_completion);
    CU_ASSERT_PTR_NOT_NULL_FATAL(man);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sh);
    CU_ASSERT(strstr(man, ".TH RETRYSIM 1 ") != NULL);
    CU_ASSERT(strstr(man, ".SH EXIT STATUS") != NULL);
    CU_ASSERT(strstr(sh, "complete -F _retrysim retrysim") != NULL);
    for (size_t i = 0; i < p->nverbs; i++) {
        char ss[96], fn[96];
        snprintf(ss, sizeof ss, ".SS \"retrysim %s\"", p->verbs[i].name);
        snprintf(fn, sizeof fn, "_retrysim_v_%s()", p->verbs[i].name);
        CU_ASSERT(strstr(man, ss) != NULL);
        CU_ASSERT(strstr(sh, fn) != NULL);
    }
    CU_ASSERT(strstr(sh, "_retrysim_v_bench_sweep()") != NULL);
    CU_ASSERT(strstr(sh, "--crash-run") == NULL || strstr(sh, "vals=") != NULL);   /* test hooks: values only */
    /* no roff line may start with a quote or an unescaped control character's text */
    for (const char *l = man; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        CU_ASSERT(*l != '\'');
    free(man);
    free(sh);
}

static void cleanup_parse(void)
{
    cli_args_free(&T_VERB, &o, &a);
}

static void register_suites(void)
{
    CU_SUITE("cli parser", { "--x=y, --x y, interleaving", test_values }, { "-- ends the options", test_dashdash },
             { "errors and did-you-mean", test_errors }, { "ranges, choices, durations", test_ranges },
             { "lists beyond 64 entries", test_long_lists }, { "cli_list", test_list_api },
             { "free", cleanup_parse });
    CU_SUITE("cli table", { "every verb's help and rows", test_table }, { "man page and completion", test_generated });
}

CU_TEST_MAIN(register_suites)
