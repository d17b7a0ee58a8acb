/* opts.c — the generic option parser of every verb (opts.h): builds the
 * struct option[] of a verb's rows for glibc getopt_long, parses, checks
 * values and ranges, stores them at their rows' offsets, and words every
 * usage error the same way.
 *
 * getopt_long runs with optstring "-:...": arguments come back in order
 * (value 1, so positionals and options interleave without reordering argv
 * and whatever POSIXLY_CORRECT says), a missing value is ':' and errors are
 * not printed by getopt. getopt_long accepts unambiguous prefixes of long
 * names; they are refused here (the element's name must be a full row name),
 * so that `--mpi`, which bench_mpi_main looks for as an exact word, is the
 * only spelling, and a new option never breaks an old command line.
 */
#include "opts.h"
#include "cfg.h"
#include "units.h"
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- lists --- */
int cli_list_add(cli_list *l, const char *s)
{
    if (l->n + 2 > l->cap) {
        if (l->cap > INT_MAX / 4) return -1;
        int cap = l->cap ? 2 * l->cap : 8;
        char **v = realloc(l->v, (size_t)cap * sizeof *v);
        if (!v) return -1;
        l->v = v;
        l->cap = cap;
    }
    char *c = strdup(s);
    if (!c) return -1;
    l->v[l->n++] = c;
    l->v[l->n] = NULL;
    return 0;
}

int cli_list_addf(cli_list *l, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n < 0 ? NULL : malloc((size_t)n + 1);
    if (s) vsnprintf(s, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    if (!s) return -1;
    int rc = cli_list_add(l, s);
    free(s);
    return rc;
}

void cli_list_free(cli_list *l)
{
    for (int i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* ------------------------------------------------------------- messages --- */
static void set_err(cli_args *a, int usage, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_err(cli_args *a, int usage, const char *fmt, ...)
{
    if (a->err[0]) return;                /* the first problem is the one reported */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->err, sizeof a->err, fmt, ap);
    va_end(ap);
    a->usage = usage;
}

/* "an integer in 1..1024", "a non-negative integer", ... */
static const char *int_range(const cli_opt *o, char *buf, size_t cap)
{
    if (o->max == LLONG_MAX && o->min == 0) return "a non-negative integer";
    if (o->max == LLONG_MAX && o->min == 1) return "a positive integer";
    if (o->max == LLONG_MAX) snprintf(buf, cap, "an integer >= %lld", o->min);
    else snprintf(buf, cap, "an integer in %lld..%lld", o->min, o->max);
    return buf;
}

/* "png, svg or both" from "png|svg|both" */
static void choice_list(const char *choices, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (const char *c = choices; *c && n + 8 < cap; c++) {
        if (*c != '|') { buf[n++] = *c; continue; }
        const char *sep = strchr(c + 1, '|') ? ", " : " or ";
        size_t k = strlen(sep);
        memcpy(buf + n, sep, k);
        n += k;
    }
    buf[n] = '\0';
}

static int is_choice(const char *choices, const char *v)
{
    size_t lv = strlen(v);
    for (const char *c = choices; *c;) {
        size_t k = strcspn(c, "|");
        if (k == lv && !strncmp(c, v, k)) return 1;
        c += k;
        if (*c) c++;
    }
    return 0;
}

/* The long names of v's rows (and "help"), for the suggester. */
static const char *suggest_opt(const cli_verb *v, const char *word)
{
    const char **names = calloc(v->nopts + 1, sizeof *names);
    if (!names) return NULL;
    size_t n = 0;
    for (size_t i = 0; i < v->nopts; i++)
        if (!(v->opts[i].flags & CLI_HIDDEN)) names[n++] = v->opts[i].name;
    names[n++] = "help";
    /* the word itself (written with one dash), an abbreviation of one name,
     * else the closest name */
    const char *s = NULL;
    size_t lw = strlen(word), prefixed = 0;
    for (size_t i = 0; i < n && !s; i++)
        if (!strcmp(names[i], word)) s = names[i];
    const char *prefix_of = NULL;
    for (size_t i = 0; i < n; i++)
        if (!strncmp(names[i], word, lw) && prefixed++ == 0) prefix_of = names[i];
    if (!s && prefixed == 1) s = prefix_of;
    if (!s) s = sim_cfg_suggest(word, names, n);
    free(names);
    return s;
}

static void unknown_option(const cli_verb *v, cli_args *a, const char *elem, int shortc)
{
    char name[128];
    if (elem && elem[0] == '-' && elem[1] == '-') {
        snprintf(name, sizeof name, "%.*s", (int)strcspn(elem, "="), elem);
        const char *s = suggest_opt(v, name + 2);
        if (s) set_err(a, 1, "unknown option '%s'; did you mean '--%s'?", name, s);
        else set_err(a, 1, "unknown option '%s'", name);
        return;
    }
    /* a single-dash word whose first letter is unknown: maybe a long name with one dash */
    if (elem && elem[0] == '-' && elem[1] == shortc && elem[2] && shortc) {
        const char *s = suggest_opt(v, elem + 1);
        if (s) { set_err(a, 1, "unknown option '%s'; did you mean '--%s'?", elem, s); return; }
    }
    set_err(a, 1, "unknown option '-%c'", shortc ? shortc : '?');
}

/* 1 when the element "--name[=value]" spells name in full. */
static int spelt_in_full(const char *elem, const char *name)
{
    if (!elem || elem[0] != '-' || elem[1] != '-') return 1;     /* a short option */
    size_t k = strcspn(elem + 2, "=");
    return strlen(name) == k && !strncmp(elem + 2, name, k);
}

/* --------------------------------------------------------------- values --- */
static void store(const cli_opt *o, void *dest, const char *val, cli_args *a)
{
    void *p = (char *)dest + o->off;
    char buf[160];
    switch (o->type) {
    case CLI_FLAG:
        *(int *)p = 1;
        return;
    case CLI_STR:
        *(const char **)p = val;
        return;
    case CLI_LIST:
        if (cli_list_add(p, val)) set_err(a, 0, "out of memory");
        return;
    case CLI_INT: {
        long long x;
        if (sim_parse_int(val, &x) || x < o->min || x > o->max) {
            set_err(a, 0, "--%s needs %s, got '%s'", o->name, int_range(o, buf, sizeof buf), val);
            return;
        }
        if (!o->prefix) *(long long *)p = x;
        else if (cli_list_addf(p, "%s%lld", o->prefix, x)) set_err(a, 0, "out of memory");
        return;
    }
    case CLI_CHOICE:
        if (!is_choice(o->choices, val)) {
            choice_list(o->choices, buf, sizeof buf);
            set_err(a, 0, "--%s is %s, got '%s'", o->name, buf, val);
            return;
        }
        *(const char **)p = val;
        return;
    case CLI_DURATION: {
        pol_ns d;
        if (sim_parse_duration(val, &d) || d <= 0) {
            set_err(a, 0, "--%s needs a positive duration such as 30s, got '%s'", o->name, val);
            return;
        }
        *(pol_ns *)p = d;
        return;
    }
    case CLI_CUSTOM: {
        const char *need = o->parse(val, p);
        if (need) set_err(a, 0, "--%s needs %s, got '%s'", o->name, need, val);
        return;
    }
    }
}

/* ---------------------------------------------------------------- parse --- */
static const char *arg_word(const cli_verb *v, char *buf, size_t cap)
{
    /* "FILE..." -> "FILE", "[SCENARIO]" -> "SCENARIO" */
    const char *s = v->args ? v->args : "ARGUMENT";
    size_t n = 0;
    for (; *s && n + 1 < cap; s++)
        if (*s != '[' && *s != ']' && *s != '.') buf[n++] = *s;
    buf[n] = '\0';
    return buf;
}

int cli_parse(const cli_verb *v, const char *who, int argc, char **argv, void *dest, cli_args *a)
{
    memset(a, 0, sizeof *a);
    a->verb = v;
    snprintf(a->who, sizeof a->who, "%s %s", who, v->name);
    a->given = calloc(v->nopts + 1, sizeof *a->given);
    struct option *lo = calloc(v->nopts + 2, sizeof *lo);
    char *shorts = malloc(2 * v->nopts + 8);
    if (!a->given || !lo || !shorts) {
        free(lo);
        free(shorts);
        set_err(a, 0, "out of memory");
        return CLI_ERROR;
    }
    size_t ns = 0;
    shorts[ns++] = '-';                   /* arguments in order, as value 1 */
    shorts[ns++] = ':';                   /* a missing value is ':', getopt prints nothing */
    for (size_t i = 0; i < v->nopts; i++) {
        const cli_opt *o = &v->opts[i];
        lo[i].name = o->name;
        lo[i].has_arg = o->type == CLI_FLAG ? no_argument : required_argument;
        lo[i].val = 256 + (int)i;
        if (o->shortc) {
            shorts[ns++] = o->shortc;
            if (o->type != CLI_FLAG) shorts[ns++] = ':';
        }
    }
    lo[v->nopts].name = "help";
    lo[v->nopts].val = 'h';
    shorts[ns++] = 'h';
    shorts[ns] = '\0';

    opterr = 0;
    optind = 0;                           /* glibc: start over (a process may parse twice) */
    for (;;) {
        int at = optind ? optind : 1;     /* the element getopt is about to read */
        const char *elem = at < argc ? argv[at] : NULL;
        int c = getopt_long(argc, argv, shorts, lo, NULL);
        if (c == -1) break;
        if (c == 1) {
            if (cli_list_add(&a->pos, optarg)) set_err(a, 0, "out of memory");
            continue;
        }
        if (c == '?') {                   /* unknown, ambiguous, or a flag given a value */
            if (optopt >= 256 && elem && elem[0] == '-' && elem[1] == '-' && strchr(elem, '=')
                && spelt_in_full(elem, v->opts[optopt - 256].name))
                set_err(a, 1, "--%s takes no value ('%s')", v->opts[optopt - 256].name, elem);
            else if (optopt == 'h' && elem && elem[1] == '-' && spelt_in_full(elem, "help"))
                set_err(a, 1, "--help takes no value ('%s')", elem);
            else unknown_option(v, a, elem, optopt < 256 ? optopt : 0);
            continue;
        }
        const cli_opt *o = NULL;
        if (c == ':') {                   /* a value is missing */
            if (optopt >= 256) o = &v->opts[optopt - 256];
            else for (size_t i = 0; i < v->nopts; i++) if (v->opts[i].shortc == optopt) o = &v->opts[i];
            if (o && !spelt_in_full(elem, o->name)) unknown_option(v, a, elem, 0);
            else if (o) set_err(a, 1, "--%s needs a value", o->name);
            else unknown_option(v, a, elem, optopt);
            continue;
        }
        if (c == 'h') {
            if (spelt_in_full(elem, "help")) a->help = 1;
            else unknown_option(v, a, elem, 0);
            continue;
        }
        if (c >= 256) o = &v->opts[c - 256];
        else for (size_t i = 0; i < v->nopts; i++) if (v->opts[i].shortc == c) o = &v->opts[i];
        if (!o || !spelt_in_full(elem, o->name)) { unknown_option(v, a, elem, 0); continue; }
        a->given[o - v->opts]++;
        store(o, dest, o->type == CLI_FLAG ? NULL : optarg, a);
    }
    for (int i = optind; i < argc; i++)   /* after "--" */
        if (cli_list_add(&a->pos, argv[i])) set_err(a, 0, "out of memory");
    free(lo);
    free(shorts);
    if (a->help) return CLI_HELP;
    if (a->err[0]) return CLI_ERROR;
    char word[64];
    if (a->pos.n < v->pos_min) set_err(a, 1, "missing %s", arg_word(v, word, sizeof word));
    else if (v->pos_max >= 0 && a->pos.n > v->pos_max) {
        const char *extra = a->pos.v[v->pos_max];
        if (v->pos_max == 0) set_err(a, 1, "takes no arguments ('%s')", extra);
        else if (v->pos_max == 1) set_err(a, 1, "one %s at a time ('%s')", arg_word(v, word, sizeof word), extra);
        else set_err(a, 1, "at most %d arguments ('%s')", v->pos_max, extra);
    }
    return a->err[0] ? CLI_ERROR : CLI_PARSED;
}

void cli_args_free(const cli_verb *v, void *dest, cli_args *a)
{
    for (size_t i = 0; dest && i < v->nopts; i++) {
        const cli_opt *o = &v->opts[i];
        if (o->type == CLI_LIST || (o->type == CLI_INT && o->prefix))
            cli_list_free((cli_list *)((char *)dest + o->off));   /* a list shared by rows: freed once, then empty */
    }
    cli_list_free(&a->pos);
    free(a->given);
    a->given = NULL;
}

int cli_given(const cli_args *a, const char *name)
{
    for (size_t i = 0; i < a->verb->nopts; i++)
        if (!strcmp(a->verb->opts[i].name, name)) return a->given[i];
    fprintf(stderr, "%s: internal error: no option --%s\n", a->who, name);
    abort();
}

/* ---------------------------------------------------------------- verbs --- */
const cli_verb *cli_find_verb(const cli_verb *verbs, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(verbs[i].name, name)) return &verbs[i];
    return NULL;
}

const char *cli_suggest_verb(const cli_verb *verbs, size_t n, const char *word)
{
    static char buf[96];
    const char **names = calloc(n + 1, sizeof *names);
    buf[0] = '\0';
    if (!names) return buf;
    for (size_t i = 0; i < n; i++) names[i] = verbs[i].name;
    const char *s = sim_cfg_suggest(word, names, n);
    if (s) snprintf(buf, sizeof buf, "; did you mean '%s'?", s);
    free(names);
    return buf;
}

int cli_verb_run(const cli_verb *v, const char *prefix, int argc, char **argv)
{
    void *dest = calloc(1, v->size ? v->size : 1);
    if (!dest) { fprintf(stderr, "%s %s: out of memory\n", prefix, v->name); return 2; }
    if (v->defaults) memcpy(dest, v->defaults, v->size);
    cli_args a;
    int rc, st = cli_parse(v, prefix, argc, argv, dest, &a);
    if (st == CLI_HELP) { cli_help(stdout, v); rc = 0; }
    else if (st == CLI_ERROR) {
        fprintf(stderr, "%s: %s\n", a.who, a.err);
        if (a.usage) cli_usage(stderr, v);
        rc = 2;
    } else rc = v->run(dest, &a);
    cli_args_free(v, dest, &a);
    free(dest);
    return rc;
}

/* "engine, model or sweep" */
static void sub_names(const cli_verb *v, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < v->nsubs && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", i == 0 ? "" : i + 1 == v->nsubs ? " or " : ", ", v->subs[i].name);
}

int cli_verb_main(const cli_verb *v, const char *prefix, int argc, char **argv)
{
    if (v->entry) return v->entry(argc, argv);
    if (!v->nsubs) return cli_verb_run(v, prefix, argc, argv);
    /* a verb of sub-verbs: the first argument names one */
    char word[64], lower[64], names[256], who[96];
    arg_word(v, word, sizeof word);
    size_t i = 0;
    for (; word[i] && i + 1 < sizeof lower; i++) lower[i] = (char)(word[i] >= 'A' && word[i] <= 'Z' ? word[i] + 32 : word[i]);
    lower[i] = '\0';
    sub_names(v, names, sizeof names);
    const char *w = argc > 1 ? argv[1] : NULL;
    if (w && (!strcmp(w, "-h") || !strcmp(w, "--help"))) { cli_help(stdout, v); return 0; }
    if (!w || w[0] == '-') {
        if (w) fprintf(stderr, "%s %s: name the %s (%s) before the options ('%s')\n", prefix, v->name, lower, names, w);
        else fprintf(stderr, "%s %s: missing %s (%s)\n", prefix, v->name, word, names);
        cli_usage(stderr, v);
        return 2;
    }
    const cli_verb *sub = cli_find_verb(v->subs, v->nsubs, w);
    if (!sub) {
        fprintf(stderr, "%s %s: unknown %s '%s'%s (%s)\n", prefix, v->name, lower, w,
                cli_suggest_verb(v->subs, v->nsubs, w), names);
        return 2;
    }
    snprintf(who, sizeof who, "%s %s", prefix, v->name);
    return cli_verb_main(sub, who, argc - 1, argv + 1);
}
