/* opts.h — the command line as data: every verb and every option of
 * `retrysim` is a row of one table (table.c), and one generic parser
 * (opts.c, on glibc getopt_long), one help printer, the man page and the
 * bash completion (doc.c) are generated from it. A verb's handler
 * (cmd_*.c) receives its options already parsed into its own struct.
 *
 * A verb row (cli_verb): name, one-line summary, usage synopsis,
 * description, examples, exit statuses, the positional arguments (name,
 * minimum and maximum count, how to complete them), its option rows, the
 * size and defaults of its options struct, the handler; a verb with
 * sub-verbs (bench) has rows of its own instead of a handler.
 *
 * An option row (cli_opt): long name, optional short letter, a type that
 * says how the value is parsed and where it is stored (at byte offset `off`
 * of the verb's options struct), the value's name and help text, an integer
 * range, and flags. Types:
 *   CLI_FLAG      no value; int at off set to 1
 *   CLI_STR       const char * at off (the argv text; the last one wins)
 *   CLI_LIST      cli_list at off; every occurrence is appended
 *   CLI_INT       a decimal integer in [min, max]: long long at off, or,
 *                 with `prefix`, the text prefix + "%lld" appended to the
 *                 cli_list at off (so that --seed N and --set KEY=V keep
 *                 their command-line order in one override list)
 *   CLI_CHOICE    const char * at off, one of `choices` ("png|svg|both")
 *   CLI_DURATION  pol_ns at off, a positive duration (250ms, 30s, 5m)
 *   CLI_CUSTOM    parse(value, dest + off) returns NULL, or what the value
 *                 needs ("a number > 0")
 *
 * Conventions (every verb, docs/cli.md "Conventions"): --opt=value and
 * --opt value; -- ends the options; options and arguments may be
 * interleaved; long names must be written in full (no abbreviations, so a
 * new option never makes an old command line ambiguous); -h/--help
 * anywhere prints the verb's help and exits 0; every usage error is one line
 * "retrysim VERB: ..." with a did-you-mean for a misspelt option, exit 2.
 *
 * Lists grow on the heap: no number of repetitions overflows anything (a
 * limit of the layer below — 8 --target, 16 --param — is a clean error).
 * Cost: parsing is O(argc x options); nothing is allocated per option
 * beyond the list items.
 */
#ifndef CLI_OPTS_H
#define CLI_OPTS_H
#include <stddef.h>
#include <stdio.h>

#ifndef RETRYSIM_VERSION
#define RETRYSIM_VERSION "unknown"
#endif

/* ---- growable string lists ------------------------------------------------- */
typedef struct {
    char **v;          /* [n] owned copies; v[n] == NULL when n > 0 */
    int    n, cap;
} cli_list;

int  cli_list_add(cli_list *l, const char *s);               /* copies s; 0 or -1 */
int  cli_list_addf(cli_list *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_list_free(cli_list *l);
/* The items as the const array the loaders take (NULL when empty). */
static inline const char *const *cli_items(const cli_list *l) { return (const char *const *)l->v; }

/* ---- the table's rows ------------------------------------------------------ */
typedef enum { CLI_FLAG, CLI_STR, CLI_LIST, CLI_INT, CLI_CHOICE, CLI_DURATION, CLI_CUSTOM } cli_type;

enum {
    CLI_TESTING = 1u << 0,    /* a test hook: listed under "testing", not completed */
    CLI_HIDDEN  = 1u << 1,    /* not listed anywhere (top-level generators) */
};

/* How the shell completes a value or a positional argument. */
typedef enum {
    CLI_C_NONE = 0, CLI_C_FILE, CLI_C_DIR, CLI_C_SCENARIO, CLI_C_CSV, CLI_C_XML,
    CLI_C_METRIC, CLI_C_PRESET, CLI_C_VERB, CLI_C_SUB
} cli_complete;

typedef struct {
    const char  *name;        /* long name, without "--" */
    char         shortc;      /* short letter, or 0 */
    cli_type     type;
    size_t       off;         /* offsetof(the verb's options struct, field) */
    const char  *arg;         /* the value's name in help ("DIR"); NULL for flags */
    const char  *help;        /* lines separated by '\n' */
    long long    min, max;    /* CLI_INT */
    const char  *prefix;      /* CLI_INT: append prefix + value to the cli_list at off */
    const char  *choices;     /* CLI_CHOICE: "a|b|c" */
    const char *(*parse)(const char *value, void *dest);   /* CLI_CUSTOM */
    unsigned     flags;       /* CLI_TESTING, CLI_HIDDEN */
    cli_complete complete;    /* the value's completion */
} cli_opt;

typedef struct cli_args cli_args;

typedef struct cli_verb {
    const char  *name;
    const char  *summary;     /* one line, for the verb list */
    const char  *usage;       /* synopsis lines, each starting "retrysim VERB" */
    const char  *description; /* paragraphs separated by blank lines */
    const char  *examples;    /* one command per line; "  " starts a continuation */
    const char  *exits;       /* lines "N  meaning" */
    const char  *notes;       /* optional closing paragraph (environment, files) */
    const char  *args;        /* the positionals as in usage ("SCENARIO", "FILE..."), or NULL */
    int          pos_min, pos_max;          /* pos_max -1 = any number */
    cli_complete pos_complete;
    const cli_opt *opts;
    size_t       nopts;
    size_t       size;        /* of the options struct */
    const void  *defaults;    /* its initial value (size bytes), or NULL = zeros */
    int        (*run)(void *opts, const cli_args *a);
    int        (*entry)(int argc, char **argv);  /* instead of parse + run (MPI verbs: they
                                                    parse inside bench_mpi_main's body) */
    const struct cli_verb *subs;                 /* sub-verbs (bench engine, ...), or NULL */
    size_t       nsubs;
} cli_verb;

/* What the handler gets besides its options struct. */
struct cli_args {
    const cli_verb *verb;
    char            who[64];   /* "retrysim run", "retrysim bench engine": prefix of messages */
    cli_list        pos;       /* the positional arguments, in order */
    int            *given;     /* [verb->nopts] how many times each option was given */
    int             help;      /* -h/--help was given */
    int             usage;     /* the error is about usage: print the synopsis after it */
    char            err[512];  /* the first error ("unknown option '--x'; did you mean ...") */
};

/* ---- the program: the table (table.c) -------------------------------------- */
typedef struct {
    const char    *name, *summary, *description, *conventions, *exits, *environment, *see_also;
    const cli_verb *verbs;
    size_t         nverbs;
    const cli_opt *opts;      /* top-level options: -h, -V, --man, --bash-completion */
    size_t         nopts;
} cli_program;

extern const cli_program CLI_PROGRAM;

/* ---- parsing (opts.c) ------------------------------------------------------ */
enum { CLI_PARSED = 0, CLI_HELP = 1, CLI_ERROR = 2 };

/* Parses argv[1..argc-1] (argv[0] = the verb's name) with v's rows into
 * dest (already holding the defaults) and a. Returns CLI_PARSED, CLI_HELP
 * (-h/--help was given, even after an error) or CLI_ERROR (a->err says
 * what; nothing printed). Free with cli_args_free whatever it returned. */
int  cli_parse(const cli_verb *v, const char *who, int argc, char **argv, void *dest, cli_args *a);
void cli_args_free(const cli_verb *v, void *dest, cli_args *a);
/* Times option `name` (long name) was given; aborts on a name v lacks. */
int  cli_given(const cli_args *a, const char *name);

/* Runs a verb: its entry when it has one, else sub-verb selection, then
 * cli_verb_run. prefix: "retrysim" (or "retrysim bench" for a sub-verb).
 * Returns the exit status. */
int  cli_verb_main(const cli_verb *v, const char *prefix, int argc, char **argv);
/* Parse, then help (exit 0), the error and usage (exit 2) or the handler. */
int  cli_verb_run(const cli_verb *v, const char *prefix, int argc, char **argv);
const cli_verb *cli_find_verb(const cli_verb *verbs, size_t n, const char *name);
/* "; did you mean 'x'?" (or "") for word among the verbs' names. */
const char *cli_suggest_verb(const cli_verb *verbs, size_t n, const char *word);

/* ---- documentation (doc.c) -------------------------------------------------- */
void cli_help(FILE *f, const cli_verb *v);          /* `retrysim VERB --help` */
void cli_usage(FILE *f, const cli_verb *v);         /* the synopsis lines */
void cli_top_help(FILE *f);                         /* `retrysim --help` */
void cli_man(FILE *f);                              /* retrysim(1) in roff (man(7)) */
void cli_bash_completion(FILE *f);                  /* the bash-completion script */

#endif
