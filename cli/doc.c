/* doc.c — everything the user reads about the command line, generated from
 * the one table (table.c, opts.h): `retrysim VERB --help`, `retrysim
 * --help`, the man page retrysim(1) (`retrysim --man`, roff for man(7)) and
 * the bash completion script (`retrysim --bash-completion`). `make install`
 * installs the last two; tests/e2e/cli.sh renders the page with groff and
 * drives the completion function as bash would.
 *
 * Table text conventions: a usage line that starts with a blank continues
 * the synopsis above it; an example line that starts with blanks continues
 * the command above it; an exit-status line is "N  meaning"; descriptions
 * are paragraphs separated by an empty line.
 */
#include "opts.h"
#include "retrypol.h"
#include "scenario.h"
#include <ctype.h>
#include <string.h>

/* ------------------------------------------------------------ help text --- */
/* The width of a synopsis' command words ("retrysim bench sweep "): where
 * its continuation lines start. */
static size_t prog_len(const char *line)
{
    size_t n = 0;
    for (;;) {
        size_t k = 0;
        while (line[n + k] >= 'a' && line[n + k] <= 'z') k++;
        if (!k || (line[n + k] != ' ' && line[n + k] != '\0')) return n;
        n += k;
        if (line[n] == ' ') n++;
        if (!line[n]) return n;
    }
}

void cli_usage(FILE *f, const cli_verb *v)
{
    const char *s = v->usage;
    size_t indent = 0;
    for (int first = 1; *s; first = 0) {
        size_t n = strcspn(s, "\n");
        if (*s == ' ') fprintf(f, "%*s%.*s\n", (int)(7 + indent), "", (int)(n - 1), s + 1);
        else {
            fprintf(f, "%s%.*s\n", first ? "usage: " : "       ", (int)n, s);
            indent = prog_len(s);
        }
        s += n;
        if (*s) s++;
    }
}

/* "  -q, --quiet", "      --out DIR" */
static int opt_left(const cli_opt *o, char *buf, size_t cap)
{
    return snprintf(buf, cap, "  %c%c%s--%s%s%s", o->shortc ? '-' : ' ', o->shortc ? o->shortc : ' ',
                    o->shortc ? ", " : "  ", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
}

#define HELP_COLUMNS 80

/* An option's line(s): the left column padded to w, then its help filled to
 * HELP_COLUMNS (the table's line breaks are only spaces here). */
static void print_opt(FILE *f, const cli_opt *o, int w)
{
    char left[128];
    int n = opt_left(o, left, sizeof left), col;
    if (n > w) { fprintf(f, "%s\n%*s", left, w + 2, ""); }
    else fprintf(f, "%-*s  ", w, left);
    col = w + 2;
    int start = 1;
    for (const char *h = o->help; *h;) {
        while (*h == ' ' || *h == '\n') h++;
        size_t k = strcspn(h, " \n");
        if (!k) break;
        if (!start && col + 1 + (int)k > HELP_COLUMNS) {
            fprintf(f, "\n%*s", w + 2, "");
            col = w + 2;
            start = 1;
        }
        if (!start) { fputc(' ', f); col++; }
        fprintf(f, "%.*s", (int)k, h);
        col += (int)k;
        start = 0;
        h += k;
    }
    fputc('\n', f);
}

static void print_lines(FILE *f, const char *s, const char *indent)
{
    while (*s) {
        size_t k = strcspn(s, "\n");
        if (k) fprintf(f, "%s%.*s\n", indent, (int)k, s);
        else fputc('\n', f);
        s += k;
        if (*s) s++;
    }
}

static int opts_width(const cli_opt *opts, size_t n)
{
    int w = 14;
    for (size_t i = 0; i < n; i++) {
        char left[128];
        int k = opt_left(&opts[i], left, sizeof left);
        if (k > w && k <= 28) w = k;
    }
    return w;
}

static const cli_opt HELP_OPT = { .name = "help", .shortc = 'h', .type = CLI_FLAG, .help = "print this help and exit" };

void cli_help(FILE *f, const cli_verb *v)
{
    cli_usage(f, v);
    fputc('\n', f);
    print_lines(f, v->description, "");
    if (v->nsubs) {
        fprintf(f, "\n%s:\n", v->args);
        for (size_t i = 0; i < v->nsubs; i++) fprintf(f, "  %-10s %s\n", v->subs[i].name, v->subs[i].summary);
        for (size_t i = 0; i < v->nsubs; i++) {
            const cli_verb *s = &v->subs[i];
            int w = opts_width(s->opts, s->nopts);
            fprintf(f, "\noptions of %s %s:\n", v->name, s->name);
            if (!s->nopts) fprintf(f, "  (none)\n");
            for (size_t k = 0; k < s->nopts; k++) print_opt(f, &s->opts[k], w);
        }
        fprintf(f, "\noptions:\n");
        print_opt(f, &HELP_OPT, opts_width(&HELP_OPT, 1));
    } else {
        int w = opts_width(v->opts, v->nopts), testing = 0;
        fprintf(f, "\noptions:\n");
        for (size_t i = 0; i < v->nopts; i++) {
            if (v->opts[i].flags & (CLI_TESTING | CLI_HIDDEN)) { testing |= !(v->opts[i].flags & CLI_HIDDEN); continue; }
            print_opt(f, &v->opts[i], w);
        }
        print_opt(f, &HELP_OPT, w);
        if (testing) {
            fprintf(f, "\ntesting hooks (not for normal use):\n");
            for (size_t i = 0; i < v->nopts; i++)
                if ((v->opts[i].flags & (CLI_TESTING | CLI_HIDDEN)) == CLI_TESTING) print_opt(f, &v->opts[i], w);
        }
    }
    fprintf(f, "\nexamples:\n");
    print_lines(f, v->examples, "  ");
    fprintf(f, "\nexit status:\n");
    print_lines(f, v->exits, "  ");
    if (v->notes) {
        fputc('\n', f);
        print_lines(f, v->notes, "");
    }
}

void cli_top_help(FILE *f)
{
    const cli_program *p = &CLI_PROGRAM;
    fprintf(f, "usage: retrysim VERB [OPTIONS] [ARGS]     (retrysim help VERB: a verb's options)\n"
               "       retrysim help [VERB]\n"
               "       retrysim -V | --version\n\n");
    print_lines(f, p->description, "");
    fprintf(f, "\nverbs:\n");
    for (size_t i = 0; i < p->nverbs; i++) fprintf(f, "  %-10s %s\n", p->verbs[i].name, p->verbs[i].summary);
    fprintf(f, "\noptions:\n");
    int w = opts_width(p->opts, p->nopts);
    for (size_t i = 0; i < p->nopts; i++)
        if (!(p->opts[i].flags & CLI_HIDDEN)) print_opt(f, &p->opts[i], w);
    fprintf(f, "\nconventions (every verb):\n");
    print_lines(f, p->conventions, "  ");
    fprintf(f, "\nexit status:\n");
    print_lines(f, p->exits, "  ");
    fprintf(f, "\n%s\n", p->see_also);
}

/* ------------------------------------------------------------- man page --- */
/* Text for roff: backslashes and minus signs escaped, no line starting with
 * a control character. */
static void roff_str(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n && s[i]; i++) {
        char c = s[i];
        if (c == '\\') fputs("\\e", f);
        else if (c == '-') fputs("\\-", f);
        else if ((c == '.' || c == '\'') && (i == 0 || s[i - 1] == '\n')) fprintf(f, "\\&%c", c);
        else fputc(c, f);
    }
}
static void roff(FILE *f, const char *s) { roff_str(f, s, strlen(s)); }

/* Paragraphs (blank-line separated) as .PP blocks, filled by roff. */
static void roff_paras(FILE *f, const char *s)
{
    int start = 1;
    while (*s) {
        size_t k = strcspn(s, "\n");
        if (k == 0) start = 1;
        else {
            if (start) fputs(".PP\n", f);
            start = 0;
            const char *t = s;
            size_t m = k;
            while (m && *t == ' ') { t++; m--; }      /* roff: a leading blank would break the fill */
            roff_str(f, t, m);
            fputc('\n', f);
        }
        s += k;
        if (*s) s++;
    }
}

/* A help text's lines joined into one filled paragraph. */
static void roff_joined(FILE *f, const char *s)
{
    while (*s) {
        size_t k = strcspn(s, "\n");
        const char *t = s;
        size_t m = k;
        while (m && *t == ' ') { t++; m--; }
        if (m) { roff_str(f, t, m); fputc('\n', f); }
        s += k;
        if (*s) s++;
    }
}

static void roff_opt(FILE *f, const cli_opt *o)
{
    fputs(".TP\n", f);
    if (o->shortc) fprintf(f, "\\fB\\-%c\\fR, ", o->shortc);
    fputs("\\fB\\-\\-", f);
    roff(f, o->name);
    fputs("\\fR", f);
    if (o->arg) { fputs(" \\fI", f); roff(f, o->arg); fputs("\\fR", f); }
    fputc('\n', f);
    roff_joined(f, o->help);
}

static void roff_usage(FILE *f, const cli_verb *v)
{
    fputs(".PP\n.nf\n", f);
    const char *s = v->usage;
    size_t indent = 0;
    while (*s) {
        size_t n = strcspn(s, "\n");
        if (*s == ' ') { fprintf(f, "%*s", (int)indent, ""); roff_str(f, s + 1, n - 1); }
        else { indent = prog_len(s); roff_str(f, s, n); }
        fputc('\n', f);
        s += n;
        if (*s) s++;
    }
    fputs(".fi\n", f);
}

static void roff_list(FILE *f, const char *s)   /* "N  meaning" lines as .TP */
{
    while (*s) {
        size_t k = strcspn(s, "\n");
        size_t tag = 0;
        while (tag < k && !(s[tag] == ' ' && tag + 1 < k && s[tag + 1] == ' ')) tag++;
        const char *rest = s + tag;
        size_t m = k - tag;
        while (m && *rest == ' ') { rest++; m--; }
        if (s[0] == ' ' || tag == k) {    /* a continuation line of the previous entry */
            const char *t = s;
            size_t mm = k;
            while (mm && *t == ' ') { t++; mm--; }
            roff_str(f, t, mm);
            fputc('\n', f);
        } else {
            fputs(".TP\n.B ", f);
            roff_str(f, s, tag);
            fputc('\n', f);
            roff_str(f, rest, m);
            fputc('\n', f);
        }
        s += k;
        if (*s) s++;
    }
}

static void roff_verb(FILE *f, const cli_verb *v, const char *prefix)
{
    fprintf(f, ".SS \"%s ", prefix);
    roff(f, v->name);
    fputs("\"\n", f);
    roff_usage(f, v);
    roff_paras(f, v->description);
    if (v->nsubs) {
        for (size_t i = 0; i < v->nsubs; i++) {
            const cli_verb *s = &v->subs[i];
            fprintf(f, ".PP\n\\fB%s ", prefix);
            roff(f, v->name);
            fputc(' ', f);
            roff(f, s->name);
            fputs("\\fR: ", f);
            roff(f, s->summary);
            fputc('\n', f);
            for (size_t k = 0; k < s->nopts; k++) roff_opt(f, &s->opts[k]);
        }
    } else {
        if (v->nopts) fputs(".PP\nOptions:\n", f);
        int testing = 0;
        for (size_t i = 0; i < v->nopts; i++) {
            if (v->opts[i].flags & (CLI_TESTING | CLI_HIDDEN)) { testing |= !(v->opts[i].flags & CLI_HIDDEN); continue; }
            roff_opt(f, &v->opts[i]);
        }
        if (testing) {
            fputs(".PP\nTesting hooks (not for normal use):\n", f);
            for (size_t i = 0; i < v->nopts; i++)
                if ((v->opts[i].flags & (CLI_TESTING | CLI_HIDDEN)) == CLI_TESTING) roff_opt(f, &v->opts[i]);
        }
    }
    fputs(".PP\nExamples:\n.PP\n.RS 4\n.nf\n", f);
    const char *s = v->examples;
    while (*s) {
        size_t k = strcspn(s, "\n");
        roff_str(f, s, k);
        fputc('\n', f);
        s += k;
        if (*s) s++;
    }
    fputs(".fi\n.RE\n.PP\nExit status:\n", f);
    roff_list(f, v->exits);
    if (v->notes) roff_paras(f, v->notes);
}

void cli_man(FILE *f)
{
    const cli_program *p = &CLI_PROGRAM;
    fprintf(f, ".\\\" retrysim.1 \\(em generated by `retrysim \\-\\-man` from the option table (cli/table.c).\n"
               ".\\\" Do not edit: change the table and regenerate.\n"
               ".TH RETRYSIM 1 \"\" \"retrysim %s\" \"User Commands\"\n"
               ".\\\" identifiers and paths: neither hyphenated nor stretched\n.nh\n.ad l\n"
               ".SH NAME\nretrysim \\- ", RETRYSIM_VERSION);
    roff(f, p->summary);
    fputs("\n.SH SYNOPSIS\n.nf\n\\fBretrysim\\fR \\fIVERB\\fR [\\fIOPTIONS\\fR] [\\fIARGS\\fR]\n"
          "\\fBretrysim help\\fR [\\fIVERB\\fR]\n\\fBretrysim\\fR \\fB\\-V\\fR | \\fB\\-\\-version\\fR\n.fi\n"
          ".SH DESCRIPTION\n", f);
    roff_paras(f, p->description);
    fputs(".PP\nThe verbs:\n", f);
    for (size_t i = 0; i < p->nverbs; i++) {
        fputs(".TP\n.B ", f);
        roff(f, p->verbs[i].name);
        fputc('\n', f);
        roff(f, p->verbs[i].summary);
        fputc('\n', f);
    }
    fputs(".SH OPTIONS\n", f);
    for (size_t i = 0; i < p->nopts; i++)
        if (!(p->opts[i].flags & CLI_HIDDEN)) roff_opt(f, &p->opts[i]);
    fputs(".TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR (after a verb)\nprint that verb's help and exit\n", f);
    fputs(".SH CONVENTIONS\n", f);
    roff_list(f, p->conventions);
    fputs(".SH COMMANDS\n", f);
    for (size_t i = 0; i < p->nverbs; i++) roff_verb(f, &p->verbs[i], "retrysim");
    fputs(".SH EXIT STATUS\n", f);
    roff_list(f, p->exits);
    fputs(".SH ENVIRONMENT\n", f);
    roff_list(f, p->environment);
    fputs(".SH SEE ALSO\n", f);
    roff_paras(f, p->see_also);
}

/* ------------------------------------------------------ bash completion --- */
static const char *kind_word(cli_complete c)
{
    switch (c) {
    case CLI_C_FILE: return "file";
    case CLI_C_DIR: return "dir";
    case CLI_C_SCENARIO: return "scenario";
    case CLI_C_CSV: return "csv";
    case CLI_C_XML: return "xml";
    case CLI_C_METRIC: return "metric";
    case CLI_C_PRESET: return "preset";
    case CLI_C_VERB: return "verb";
    case CLI_C_SUB: return "sub";
    case CLI_C_NONE: break;
    }
    return "none";
}

static void sh_words(FILE *f, const cli_opt *o)   /* "png svg both" from "png|svg|both" */
{
    for (const char *c = o->choices; *c; c++) fputc(*c == '|' ? ' ' : *c, f);
}

/* One function per verb: the options, the options taking a value, the
 * positionals' count and kind, and (for $1 = such an option) its value's kind. */
static void sh_verb(FILE *f, const cli_verb *v, const char *fname)
{
    fprintf(f, "_retrysim_v_%s()\n{\n    opts='", fname);
    for (size_t i = 0; i < v->nopts; i++) {
        const cli_opt *o = &v->opts[i];
        if (o->flags & (CLI_TESTING | CLI_HIDDEN)) continue;
        if (o->shortc) fprintf(f, "-%c ", o->shortc);
        fprintf(f, "--%s ", o->name);
    }
    fputs("-h --help'\n    vals=' ", f);
    for (size_t i = 0; i < v->nopts; i++) {
        const cli_opt *o = &v->opts[i];
        if (o->type == CLI_FLAG) continue;
        if (o->shortc) fprintf(f, "-%c ", o->shortc);
        fprintf(f, "--%s ", o->name);
    }
    fprintf(f, "'\n    pmax=%d pkind=%s\n    case $1 in\n", v->pos_max, kind_word(v->pos_complete));
    for (size_t i = 0; i < v->nopts; i++) {
        const cli_opt *o = &v->opts[i];
        if (o->type == CLI_FLAG || (o->complete == CLI_C_NONE && o->type != CLI_CHOICE)) continue;
        fputs("        ", f);
        if (o->shortc) fprintf(f, "-%c|", o->shortc);
        fprintf(f, "--%s) kind=", o->name);
        if (o->type == CLI_CHOICE) { fputc('\'', f); sh_words(f, o); fputc('\'', f); }
        else fputs(kind_word(o->complete), f);
        fputs(" ;;\n", f);
    }
    fputs("        *) kind=none ;;\n    esac\n}\n\n", f);
}

void cli_bash_completion(FILE *f)
{
    const cli_program *p = &CLI_PROGRAM;
    fprintf(f, "# bash completion for retrysim(1)                          -*- shell-script -*-\n"
               "# Generated by `retrysim --bash-completion` (retrysim %s) from its option\n"
               "# table (cli/table.c); do not edit. Installed as\n"
               "# $PREFIX/share/bash-completion/completions/retrysim. Works with the\n"
               "# bash-completion package (_init_completion, _filedir) and without it.\n\n",
               RETRYSIM_VERSION);
    fputs("_retrysim_verbs='", f);
    for (size_t i = 0; i < p->nverbs; i++) fprintf(f, "%s%s", i ? " " : "", p->verbs[i].name);
    fputs("'\n_retrysim_metrics='", f);
    for (int m = 0; m < SIM_M__COUNT; m++) fprintf(f, "%s%s", m ? " " : "", sim_metric_name((sim_metric_id)m));
    fputs("'\n_retrysim_presets='", f);
    size_t np;
    const pol_preset_info *pr = pol_preset_list(&np);
    for (size_t i = 0; i < np; i++) fprintf(f, "%s%s", i ? " " : "", pr[i].name);
    fputs("'\n\n", f);
    fputs("# _retrysim_files [-d | EXT|EXT...]: files (directories, or files with those\n"
          "# extensions, and directories to walk into) matching $cur\n"
          "_retrysim_files()\n{\n"
          "    if declare -F _filedir > /dev/null 2>&1; then\n"
          "        _filedir \"$@\"\n        return\n    fi\n"
          "    compopt -o filenames 2> /dev/null\n"
          "    local IFS=$'\\n' ext\n"
          "    COMPREPLY=($(compgen -d -- \"$cur\"))\n"
          "    [[ $1 == -d ]] && return\n"
          "    if [[ -z $1 ]]; then COMPREPLY+=($(compgen -f -- \"$cur\")); return; fi\n"
          "    for ext in ${1//|/$'\\n'}; do COMPREPLY+=($(compgen -f -X \"!*.$ext\" -- \"$cur\")); done\n"
          "}\n\n", f);
    fputs("# _retrysim_complete KIND: completes $cur as a value of that kind\n"
          "_retrysim_complete()\n{\n    case $1 in\n"
          "        none) ;;\n"
          "        file) _retrysim_files ;;\n"
          "        dir) _retrysim_files -d ;;\n"
          "        scenario) _retrysim_files 'yaml|yml' ;;\n"
          "        csv) _retrysim_files csv ;;\n"
          "        xml) _retrysim_files xml ;;\n"
          "        metric) COMPREPLY=($(compgen -W \"$_retrysim_metrics\" -- \"$cur\")) ;;\n"
          "        preset) COMPREPLY=($(compgen -W \"$_retrysim_presets\" -- \"$cur\")) ;;\n"
          "        verb) COMPREPLY=($(compgen -W \"$_retrysim_verbs\" -- \"$cur\")) ;;\n"
          "        sub) COMPREPLY=($(compgen -W \"$subs\" -- \"$cur\")) ;;\n"
          "        *) COMPREPLY=($(compgen -W \"$1\" -- \"$cur\")) ;;\n"
          "    esac\n}\n\n", f);
    for (size_t i = 0; i < p->nverbs; i++) {
        const cli_verb *v = &p->verbs[i];
        if (!v->nsubs) { sh_verb(f, v, v->name); continue; }
        fprintf(f, "_retrysim_v_%s()\n{\n    opts='-h --help' vals=' ' pmax=1 pkind=sub kind=none\n}\n\n", v->name);
        for (size_t k = 0; k < v->nsubs; k++) {
            char fname[64];
            snprintf(fname, sizeof fname, "%s_%s", v->name, v->subs[k].name);
            sh_verb(f, &v->subs[k], fname);
        }
    }
    fputs("_retrysim()\n{\n"
          "    local cur prev words cword split=false\n"
          "    if declare -F _init_completion > /dev/null 2>&1; then\n"
          "        _init_completion -s || return\n"
          "    else\n"
          "        # by hand: join the '--opt' '=' 'value' words that COMP_WORDBREAKS split\n"
          "        local i j=-1\n"
          "        words=() cword=0 COMPREPLY=()\n"
          "        for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do\n"
          "            if ((j > 0)) && [[ ${COMP_WORDS[i]} == = && ${words[j]} == --* && ${words[j]} != *=* ]]; then\n"
          "                words[j]+==\n"
          "                ((i == COMP_CWORD)) && cword=$j\n"
          "                if ((i < COMP_CWORD && i + 1 < ${#COMP_WORDS[@]})); then\n"
          "                    ((i++))\n                    words[j]+=${COMP_WORDS[i]}\n"
          "                    ((i == COMP_CWORD)) && cword=$j\n"
          "                fi\n                continue\n            fi\n"
          "            words[++j]=${COMP_WORDS[i]}\n"
          "            ((i == COMP_CWORD)) && cword=$j\n"
          "        done\n"
          "        cur=${words[cword]-} prev=${words[cword-1]-}\n"
          "        if [[ $cur == --*=* ]]; then prev=${cur%%=*} cur=${cur#*=} split=true; fi\n"
          "    fi\n"
          "    if ((cword == 1)); then\n"
          "        if [[ $cur == -* ]]; then\n"
          "            COMPREPLY=($(compgen -W '-h --help -V --version' -- \"$cur\"))\n"
          "        else\n"
          "            COMPREPLY=($(compgen -W \"$_retrysim_verbs\" -- \"$cur\"))\n"
          "        fi\n"
          "        return\n"
          "    fi\n"
          "    local verb=${words[1]} first=2 opts vals pmax pkind kind subs=\n", f);
    /* verbs with sub-verbs: the second word picks the table */
    for (size_t i = 0; i < p->nverbs; i++) {
        const cli_verb *v = &p->verbs[i];
        if (!v->nsubs) continue;
        fprintf(f, "    if [[ $verb == %s ]]; then\n        subs='", v->name);
        for (size_t k = 0; k < v->nsubs; k++) fprintf(f, "%s%s", k ? " " : "", v->subs[k].name);
        fprintf(f, "'\n        if ((cword > 2)) && [[ \" $subs \" == *\" ${words[2]} \"* ]]; then\n"
                   "            verb=%s_${words[2]} first=3\n        fi\n    fi\n", v->name);
    }
    fputs("    declare -F \"_retrysim_v_$verb\" > /dev/null || return\n"
          "    \"_retrysim_v_$verb\" \"$prev\"\n"
          "    # the value of an option (--opt VALUE, or --opt=VALUE: split)\n"
          "    if [[ $split == true || ( $vals == *\" $prev \"* && $cword -gt $first ) ]]; then\n"
          "        if [[ $vals == *\" $prev \"* ]]; then _retrysim_complete \"$kind\"; fi\n"
          "        return\n"
          "    fi\n"
          "    if [[ $cur == -* ]]; then\n"
          "        COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
          "        [[ ${COMPREPLY-} == *= ]] && compopt -o nospace 2> /dev/null\n"
          "        return\n"
          "    fi\n"
          "    # a positional argument: how many come before this one?\n"
          "    local i n=0 dashdash=false\n"
          "    for ((i = first; i < cword; i++)); do\n"
          "        if [[ $dashdash == true ]]; then ((n++))\n"
          "        elif [[ ${words[i]} == -- ]]; then dashdash=true\n"
          "        elif [[ ${words[i]} == -* ]]; then\n"
          "            [[ ${words[i]} != *=* && $vals == *\" ${words[i]} \"* ]] && ((i++))\n"
          "        else ((n++))\n"
          "        fi\n"
          "    done\n"
          "    if ((pmax >= 0 && n >= pmax)); then return; fi\n"
          "    _retrysim_complete \"$pkind\"\n"
          "} &&\n"
          "    complete -F _retrysim retrysim\n\n"
          "# ex: filetype=sh\n", f);
}
