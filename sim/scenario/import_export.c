/* import_export.c — a tuned point written back into the user's config
 * (sim_import_export, import.h).
 *
 * The scenario is loaded twice, with its `import:` entries expanded: with
 * the base overrides (A) and with the base and the tuned overrides (T). The
 * tuned policy's entry and the providers it imported are compared node by
 * node; every value T changed is traced back through A's node, whose
 * position is the config value it was made from. That value's key says how
 * to write the tuned value in the config's unit (num_retries = attempts - 1,
 * seconds, milliseconds, ...); its text is replaced at its line and column.
 * A value the config does not write (a default) is inserted into the map
 * where it belongs (router_settings, the config's top level), created when
 * missing. Everything else in the file is kept byte for byte. The result is
 * imported again and every tuned value must come back the same, else the
 * export fails rather than write a file that does not say what was tuned.
 * Cost: two loads of the scenario and its configs, linear in the file.
 */
#include "import_util.h"
#include "units.h"
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRY(x) do { int rc_ = (x); if (rc_ < 0) return rc_; } while (0)

typedef enum { CONV_NUMBER, CONV_INT, CONV_MINUS1, CONV_SECONDS, CONV_MS } conv;

/* A config key (the last key of the value's path) and how a tuned value is written in it. */
static const struct { sim_import_format fmt; const char *key; conv cv; } KEYS[] = {
    { SIM_IMPORT_LITELLM, "num_retries", CONV_MINUS1 },   { SIM_IMPORT_LITELLM, "max_retries", CONV_MINUS1 },
    { SIM_IMPORT_LITELLM, "AuthenticationErrorRetries", CONV_MINUS1 },
    { SIM_IMPORT_LITELLM, "TimeoutErrorRetries", CONV_MINUS1 },
    { SIM_IMPORT_LITELLM, "RateLimitErrorRetries", CONV_MINUS1 },
    { SIM_IMPORT_LITELLM, "ContentPolicyViolationErrorRetries", CONV_MINUS1 },
    { SIM_IMPORT_LITELLM, "BadRequestErrorRetries", CONV_MINUS1 },
    { SIM_IMPORT_LITELLM, "timeout", CONV_SECONDS },      { SIM_IMPORT_LITELLM, "request_timeout", CONV_SECONDS },
    { SIM_IMPORT_LITELLM, "retry_after", CONV_SECONDS },  { SIM_IMPORT_LITELLM, "cooldown_time", CONV_SECONDS },
    { SIM_IMPORT_LITELLM, "allowed_fails", CONV_INT },    { SIM_IMPORT_LITELLM, "rpm", CONV_NUMBER },
    { SIM_IMPORT_LITELLM, "tpm", CONV_NUMBER },           { SIM_IMPORT_LITELLM, "weight", CONV_NUMBER },
    { SIM_IMPORT_PORTKEY, "attempts", CONV_MINUS1 },      { SIM_IMPORT_PORTKEY, "request_timeout", CONV_MS },
    { SIM_IMPORT_PORTKEY, "weight", CONV_NUMBER },
};

/* A generated value the config did not write: where it goes. section: the
 * key of the top-level map it belongs in ("" = the top level itself). */
static const struct { sim_import_format fmt; const char *path, *section, *key; conv cv; } DEFAULTS[] = {
    { SIM_IMPORT_LITELLM, "retry.max_attempts",     "router_settings", "num_retries",   CONV_MINUS1 },
    { SIM_IMPORT_LITELLM, "retry.timeout",          "router_settings", "timeout",       CONV_SECONDS },
    { SIM_IMPORT_LITELLM, "retry.floor",            "router_settings", "retry_after",   CONV_SECONDS },
    { SIM_IMPORT_LITELLM, "cooldown.cooldown",      "router_settings", "cooldown_time", CONV_SECONDS },
    { SIM_IMPORT_LITELLM, "cooldown.allowed_fails", "router_settings", "allowed_fails", CONV_INT },
    { SIM_IMPORT_PORTKEY, "retry.max_attempts",     "retry",           "attempts",      CONV_MINUS1 },
    { SIM_IMPORT_PORTKEY, "retry.timeout",          "",                "request_timeout", CONV_MS },
};

typedef struct {
    char path[300];                  /* in the entry: retry.max_attempts, load_balancing.weights[1] */
    char entry[SIM_NAME_MAX];        /* the policy's or provider's name */
    int  provider;                   /* 0: the policy, 1: a provider */
    const sim_cfg_node *orig;        /* A's node (NULL: a key the override created) */
    const sim_cfg_node *tuned;       /* T's node */
} change;

typedef struct {
    size_t at, end;                  /* bytes [at, end) replaced by text (end == at: an insertion) */
    char  *text;
} edit;

typedef struct {
    sim_err    *err;
    sim_import_format fmt;
    const imp_site *site;
    sim_cfg_doc cfg;                 /* the config as read */
    const char *text;                /* its bytes */
    size_t      len;
    int         json;                /* the top level is written in flow style ('{') */
    change     *ch;  size_t nch, capch;
    edit       *ed;  size_t ned, caped;
    struct ins { char section[64], key[64], value[64]; } *ins;  size_t nins, capins;
} exporter;

/* ---- comparing A and T -------------------------------------------------------- */

static int add_change(exporter *X, const char *entry, int provider, const char *path,
                      const sim_cfg_node *orig, const sim_cfg_node *tuned)
{
    if (X->nch == X->capch) {
        size_t cap = X->capch ? 2 * X->capch : 8;
        change *c = realloc(X->ch, cap * sizeof *c);
        if (!c) return sim_cfg_errf(X->err, NULL, "out of memory");
        X->ch = c;
        X->capch = cap;
    }
    change *c = &X->ch[X->nch++];
    snprintf(c->path, sizeof c->path, "%s", path);
    snprintf(c->entry, sizeof c->entry, "%s", entry);
    c->provider = provider;
    c->orig = orig;
    c->tuned = tuned;
    return POL_OK;
}

static int compare(exporter *X, const char *entry, int provider, const char *path,
                   const sim_cfg_node *a, const sim_cfg_node *t)
{
    char sub[300];
    if (t->kind == SIM_CFG_SCALAR) {
        if (!a || a->kind != SIM_CFG_SCALAR || strcmp(a->str, t->str)) return add_change(X, entry, provider, path, a, t);
        return POL_OK;
    }
    if (t->kind == SIM_CFG_NULL) {
        if (a && a->kind != SIM_CFG_NULL)
            return sim_cfg_errf(X->err, NULL, "the tuned point removes %s of '%s': a config cannot say that", path, entry);
        return POL_OK;
    }
    if (t->kind == SIM_CFG_MAP) {
        for (size_t i = 0; i < t->n; i++) {
            snprintf(sub, sizeof sub, "%s%s%s", path, path[0] ? "." : "", t->keys[i]->str);
            const sim_cfg_node *ac = a && a->kind == SIM_CFG_MAP ? sim_cfg_get(a, t->keys[i]->str) : NULL;
            TRY(compare(X, entry, provider, sub, ac, t->items[i]));
        }
        return POL_OK;
    }
    for (size_t i = 0; i < t->n; i++) {
        snprintf(sub, sizeof sub, "%s[%zu]", path, i);
        const sim_cfg_node *ac = a && a->kind == SIM_CFG_SEQ && i < a->n ? a->items[i] : NULL;
        TRY(compare(X, entry, provider, sub, ac, t->items[i]));
    }
    return POL_OK;
}

static const sim_cfg_node *named(const sim_cfg_node *list, const char *name)
{
    for (size_t i = 0; list && list->kind == SIM_CFG_SEQ && i < list->n; i++) {
        const sim_cfg_node *n = sim_cfg_get(list->items[i], "name");
        if (!n) n = sim_cfg_get(list->items[i], "preset");
        if (n && n->kind == SIM_CFG_SCALAR && !strcmp(n->str, name)) return list->items[i];
    }
    return NULL;
}

/* ---- positions and text ------------------------------------------------------- */

/* The byte offset of a 1-based line and character column. */
static size_t offset_of(const exporter *X, int line, int col)
{
    size_t i = 0;
    for (int l = 1; l < line && i < X->len; i++)
        if (X->text[i] == '\n') l++;
    for (int c = 1; c < col && i < X->len && X->text[i] != '\n'; c++) {
        i++;
        while (i < X->len && ((unsigned char)X->text[i] & 0xC0) == 0x80) i++;     /* UTF-8 continuation */
    }
    return i;
}

/* The extent of the scalar written at byte `at`: quoted, or plain up to a
 * space, a flow indicator or a comment. */
static size_t scalar_end(const exporter *X, size_t at, char *quote)
{
    const char *s = X->text;
    *quote = 0;
    if (at < X->len && (s[at] == '"' || s[at] == '\'')) {
        char q = s[at];
        *quote = q;
        size_t i = at + 1;
        while (i < X->len && s[i] != q) {
            if (q == '"' && s[i] == '\\') i++;
            else if (q == '\'' && s[i] == '\'' && i + 1 < X->len && s[i + 1] == '\'') i++;
            i++;
        }
        return i < X->len ? i + 1 : i;
    }
    size_t i = at;
    while (i < X->len && !isspace((unsigned char)s[i]) && !strchr(",]}#", s[i])) i++;
    return i;
}

/* The value node of the config at a position, and the key it is under. */
static const sim_cfg_node *value_at(const sim_cfg_node *n, int line, int col, const char **key, const char *parent_key)
{
    if (!n) return NULL;
    if (n->line == line && n->col == col) { *key = parent_key; return n; }
    for (size_t i = 0; i < n->n; i++) {
        const sim_cfg_node *r = value_at(n->items[i], line, col, key,
                                         n->kind == SIM_CFG_MAP ? n->keys[i]->str : parent_key);
        if (r) return r;
    }
    return NULL;
}

static int add_edit(exporter *X, size_t at, size_t end, const char *text)
{
    if (X->ned == X->caped) {
        size_t cap = X->caped ? 2 * X->caped : 8;
        edit *e = realloc(X->ed, cap * sizeof *e);
        if (!e) return sim_cfg_errf(X->err, NULL, "out of memory");
        X->ed = e;
        X->caped = cap;
    }
    char *t = strdup(text);
    if (!t) return sim_cfg_errf(X->err, NULL, "out of memory");
    X->ed[X->ned++] = (edit){ at, end, t };
    return POL_OK;
}

/* The shortest decimal that parses back (with the unit) to ns. */
static void decimal_of(pol_ns ns, double scale, const char *unit, char *out, size_t cap)
{
    for (int p = 1; p <= 17; p++) {
        snprintf(out, cap, "%.*g", p, (double)ns / scale);
        char buf[96];
        pol_ns back;
        snprintf(buf, sizeof buf, "%s%s", out, unit);
        if (sim_parse_duration(buf, &back) == POL_OK && back == ns && !strchr(out, 'e')) return;
    }
    snprintf(out, cap, "%.17g", (double)ns / scale);
}

/* The config's text for a tuned value. */
static int convert(exporter *X, const change *c, conv cv, char *out, size_t cap)
{
    const char *v = c->tuned->str;
    long long n;
    pol_ns ns;
    double d;
    switch (cv) {
    case CONV_MINUS1:
        if (sim_parse_int(v, &n) || n < 1)
            return sim_cfg_errf(X->err, NULL, "%s of '%s' = %s: the config counts retries, so it needs a whole number of "
                                "attempts >= 1", c->path, c->entry, v);
        snprintf(out, cap, "%lld", n - 1);
        return POL_OK;
    case CONV_INT:
        if (sim_parse_int(v, &n) || n < 0)
            return sim_cfg_errf(X->err, NULL, "%s of '%s' = %s: the config needs a whole number", c->path, c->entry, v);
        snprintf(out, cap, "%lld", n);
        return POL_OK;
    case CONV_SECONDS:
    case CONV_MS:
        if (sim_parse_duration(v, &ns))
            return sim_cfg_errf(X->err, NULL, "%s of '%s' = %s: expected a duration", c->path, c->entry, v);
        if (cv == CONV_SECONDS) decimal_of(ns, 1e9, "s", out, cap);
        else decimal_of(ns, 1e6, "ms", out, cap);
        return POL_OK;
    case CONV_NUMBER:
    default:
        if (sim_parse_double(v, &d))
            return sim_cfg_errf(X->err, NULL, "%s of '%s' = %s: expected a number", c->path, c->entry, v);
        snprintf(out, cap, "%s", v);
        return POL_OK;
    }
}

static int add_insert(exporter *X, const char *section, const char *key, const char *value)
{
    for (size_t i = 0; i < X->nins; i++)
        if (!strcmp(X->ins[i].section, section) && !strcmp(X->ins[i].key, key)) {
            snprintf(X->ins[i].value, sizeof X->ins[i].value, "%s", value);
            return POL_OK;
        }
    if (X->nins == X->capins) {
        size_t cap = X->capins ? 2 * X->capins : 4;
        struct ins *a = realloc(X->ins, cap * sizeof *a);
        if (!a) return sim_cfg_errf(X->err, NULL, "out of memory");
        X->ins = a;
        X->capins = cap;
    }
    struct ins *s = &X->ins[X->nins++];
    snprintf(s->section, sizeof s->section, "%s", section);
    snprintf(s->key, sizeof s->key, "%s", key);
    snprintf(s->value, sizeof s->value, "%s", value);
    return POL_OK;
}

/* The values one policy setting stands for: a LiteLLM deployment's timeout
 * or num_retries / max_retries is the group's, so every deployment of the
 * group that wrote the same value gets the tuned one; anything else is
 * itself alone. */
static int group_siblings(exporter *X, const sim_cfg_node *v, const char *key, const sim_cfg_node **out, int max)
{
    out[0] = v;
    if (X->fmt != SIM_IMPORT_LITELLM || !key || (strcmp(key, "timeout") && strcmp(key, "request_timeout") &&
        strcmp(key, "num_retries") && strcmp(key, "max_retries")))
        return 1;
    const sim_cfg_node *ml = sim_cfg_get(X->cfg.root, "model_list"), *group = NULL;
    for (size_t i = 0; ml && ml->kind == SIM_CFG_SEQ && i < ml->n && !group; i++)
        if (sim_cfg_get(sim_cfg_get(ml->items[i], "litellm_params"), key) == v) group = sim_cfg_get(ml->items[i], "model_name");
    if (!group || group->kind != SIM_CFG_SCALAR) return 1;
    int n = 1;
    for (size_t i = 0; i < ml->n && n < max; i++) {
        const sim_cfg_node *mn = sim_cfg_get(ml->items[i], "model_name");
        const sim_cfg_node *w = sim_cfg_get(sim_cfg_get(ml->items[i], "litellm_params"), key);
        if (w && w != v && mn && mn->kind == SIM_CFG_SCALAR && !strcmp(mn->str, group->str) &&
            w->kind == SIM_CFG_SCALAR && !strcmp(w->str, v->str))
            out[n++] = w;
    }
    return n;
}

/* One tuned value into an edit (a replacement) or an insertion. */
static int resolve(exporter *X, const change *c)
{
    const sim_cfg_node *o = c->orig;
    char value[64];
    if (o && o->src != X->site->src)
        return sim_cfg_errf(X->err, o, "%s of '%s' is written in the scenario, not in %s: change it there",
                            c->path, c->entry, X->site->path);
    const char *key = NULL;
    const sim_cfg_node *cv = o ? value_at(X->cfg.root, o->line, o->col, &key, NULL) : NULL;
    if (cv && cv->kind == SIM_CFG_SCALAR) {
        size_t k = 0, nk = sizeof KEYS / sizeof KEYS[0];
        while (k < nk && !(KEYS[k].fmt == X->fmt && key && !strcmp(KEYS[k].key, key))) k++;
        int weight = strstr(c->path, "weights[") != NULL;
        if (k == nk || (weight && strcmp(key, "weight")))
            return sim_cfg_errf(X->err, cv, "%s of '%s' comes from %s here, which does not say it alone: the tuned value "
                                "cannot be written back%s", c->path, c->entry, key ? key : "this value",
                                weight ? " (give the targets a weight)" : "");
        TRY(convert(X, c, KEYS[k].cv, value, sizeof value));
        const sim_cfg_node *same[64];
        int nsame = group_siblings(X, cv, key, same, 64);
        for (int i = 0; i < nsame; i++) {
            size_t at = offset_of(X, same[i]->line, same[i]->col);
            char q;
            size_t end = scalar_end(X, at, &q);
            char text[80];
            if (q) snprintf(text, sizeof text, "%c%s%c", q, value, q);
            else snprintf(text, sizeof text, "%s", value);
            TRY(add_edit(X, at, end, text));
        }
        return POL_OK;
    }
    /* a default: the value the config does not write */
    size_t k = 0, nk = sizeof DEFAULTS / sizeof DEFAULTS[0];
    while (k < nk && !(DEFAULTS[k].fmt == X->fmt && !strcmp(DEFAULTS[k].path, c->path))) k++;
    if (k == nk || c->provider)
        return sim_cfg_errf(X->err, NULL, "%s of '%s' has no counterpart in a %s config: it cannot be written back",
                            c->path, c->entry, sim_import_format_name(X->fmt));
    TRY(convert(X, c, DEFAULTS[k].cv, value, sizeof value));
    return add_insert(X, DEFAULTS[k].section, DEFAULTS[k].key, value);
}

/* The insertions, map by map: into an existing map of the top level (block
 * style: a line before its first key; flow style: after its '{'), or a new
 * map (block: appended to the file; flow: after the top level's '{'). */
static int apply_inserts(exporter *X)
{
    for (size_t i = 0; i < X->nins; i++) {
        const char *sec = X->ins[i].section;
        int done = 0;
        for (size_t j = 0; j < i; j++) done |= !strcmp(X->ins[j].section, sec);
        if (done) continue;
        const sim_cfg_node *m = sec[0] ? sim_cfg_get(X->cfg.root, sec) : X->cfg.root;
        sim_buf b = { 0 };
        if (m && m->kind == SIM_CFG_MAP) {
            size_t at = offset_of(X, m->line, m->col);
            int flow = at < X->len && X->text[at] == '{';
            if (flow) {
                size_t k = at + 1;
                while (k < X->len && (X->text[k] == ' ' || X->text[k] == '\t')) k++;
                int nl = k < X->len && (X->text[k] == '\n' || X->text[k] == '\r');
                size_t ind = k;
                while (ind < X->len && isspace((unsigned char)X->text[ind])) ind++;
                int empty = ind < X->len && X->text[ind] == '}';
                int col = 0;
                for (size_t p = ind; p > 0 && X->text[p - 1] != '\n'; p--) col++;
                for (size_t j = i; j < X->nins; j++) {
                    if (strcmp(X->ins[j].section, sec)) continue;
                    if (nl) sim_buf_printf(&b, "\n%*s", col, "");
                    else sim_buf_puts(&b, " ");
                    if (X->json) sim_buf_printf(&b, "\"%s\": %s", X->ins[j].key, X->ins[j].value);
                    else sim_buf_printf(&b, "%s: %s", X->ins[j].key, X->ins[j].value);
                    int last = 1;
                    for (size_t q = j + 1; q < X->nins; q++) last &= strcmp(X->ins[q].section, sec) != 0;
                    if (!(last && empty)) sim_buf_puts(&b, ",");
                }
                if (empty && !nl) sim_buf_puts(&b, " ");
                TRY(add_edit(X, at + 1, at + 1, b.s ? b.s : ""));
            } else {
                size_t at_line = offset_of(X, m->line, 1);
                for (size_t j = i; j < X->nins; j++)
                    if (!strcmp(X->ins[j].section, sec)) sim_buf_printf(&b, "%*s%s: %s\n", m->col - 1, "", X->ins[j].key, X->ins[j].value);
                TRY(add_edit(X, at_line, at_line, b.s ? b.s : ""));
            }
        } else if (m) {
            sim_buf_free(&b);
            return sim_cfg_errf(X->err, m, "'%s' is not a map: the tuned values cannot be added to it", sec);
        } else {
            /* a new top-level map */
            size_t at = offset_of(X, X->cfg.root->line, X->cfg.root->col);
            if (X->json) {
                sim_buf_printf(&b, "\"%s\": {", sec);
                int first = 1;
                for (size_t j = i; j < X->nins; j++) {
                    if (strcmp(X->ins[j].section, sec)) continue;
                    sim_buf_printf(&b, "%s\"%s\": %s", first ? "" : ", ", X->ins[j].key, X->ins[j].value);
                    first = 0;
                }
                sim_buf_puts(&b, "}");
                size_t k = at + 1;
                while (k < X->len && isspace((unsigned char)X->text[k])) k++;
                int empty = k < X->len && X->text[k] == '}';
                sim_buf b2 = { 0 };
                int nl = 0;
                for (size_t p = at + 1; p < k; p++) nl |= X->text[p] == '\n';
                int col = 0;
                for (size_t p = k; p > 0 && X->text[p - 1] != '\n'; p--) col++;
                if (nl) sim_buf_printf(&b2, "\n%*s%s%s", col, "", b.s ? b.s : "", empty ? "" : ",");
                else sim_buf_printf(&b2, " %s%s", b.s ? b.s : "", empty ? " " : ",");
                sim_buf_free(&b);
                b = b2;
                TRY(add_edit(X, at + 1, at + 1, b.s ? b.s : ""));
            } else {
                if (X->len && X->text[X->len - 1] != '\n') sim_buf_puts(&b, "\n");
                sim_buf_printf(&b, "%s:\n", sec);
                for (size_t j = i; j < X->nins; j++)
                    if (!strcmp(X->ins[j].section, sec)) sim_buf_printf(&b, "  %s: %s\n", X->ins[j].key, X->ins[j].value);
                TRY(add_edit(X, X->len, X->len, b.s ? b.s : ""));
            }
        }
        if (b.oom) { sim_buf_free(&b); return sim_cfg_errf(X->err, NULL, "out of memory"); }
        sim_buf_free(&b);
    }
    return POL_OK;
}

static int edit_cmp(const void *x, const void *y)
{
    const edit *a = x, *b = y;
    return (a->at < b->at) - (a->at > b->at);     /* the last first */
}

/* ---- checking the written config ----------------------------------------------- */

/* The node at a path like "retry.on[0].max_attempts" in an entry. */
static const sim_cfg_node *node_at(const sim_cfg_node *n, const char *path)
{
    char buf[300];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf; n && *p;) {
        if (*p == '.') { p++; continue; }
        if (*p == '[') {
            long i = strtol(p + 1, &p, 10);
            if (*p == ']') p++;
            n = n->kind == SIM_CFG_SEQ && i >= 0 && (size_t)i < n->n ? n->items[i] : NULL;
            continue;
        }
        char *e = p;
        while (*e && *e != '.' && *e != '[') e++;
        char save = *e;
        *e = '\0';
        n = sim_cfg_get(n, p);
        *e = save;
        p = e;
    }
    return n;
}

static int same_value(const char *a, const char *b)
{
    pol_ns x, y;
    double u, v;
    if (!strcmp(a, b)) return 1;
    if (sim_parse_duration(a, &x) == POL_OK && sim_parse_duration(b, &y) == POL_OK) return x == y;
    if (sim_parse_double(a, &u) == POL_OK && sim_parse_double(b, &v) == POL_OK) return u == v;
    return 0;
}

static int verify(exporter *X, const char *text, const char *policy)
{
    sim_import im;
    sim_import_opts o = { X->site->lenient, X->site->name[0] ? X->site->name : NULL };
    sim_err e2;
    if (imp_load_text(X->fmt, X->site->path, text, &o, &im, &e2))
        return sim_cfg_errf(X->err, NULL, "the written config does not import again: %s", e2.msg);
    int rc = POL_OK;
    for (size_t i = 0; i < X->nch && !rc; i++) {
        const change *c = &X->ch[i];
        const sim_cfg_node *entry = named(c->provider ? im.providers : im.policies, c->provider ? c->entry : policy);
        const sim_cfg_node *n = entry ? node_at(entry, c->path) : NULL;
        if (!n || n->kind != SIM_CFG_SCALAR || !same_value(n->str, c->tuned->str))
            rc = sim_cfg_errf(X->err, NULL, "the written config gives %s of '%s' = %s, not the tuned %s", c->path,
                              c->entry, n && n->kind == SIM_CFG_SCALAR ? n->str : "nothing", c->tuned->str);
    }
    sim_import_free(&im);
    return rc;
}

/* ---- entry ---------------------------------------------------------------------- */

static int load_expanded(const char *scenario, const char *const *a, int na, const char *const *b, int nb,
                         sim_cfg_doc *doc, imp_site **sites, size_t *nsites, sim_err *err)
{
    TRY(sim_cfg_load(scenario, doc, err));
    int rc = imp_expand(doc, NULL, err, sites, nsites);
    for (int i = 0; !rc && i < na; i++) rc = sim_cfg_override(doc, a[i], err);
    for (int i = 0; !rc && i < nb; i++) rc = sim_cfg_override(doc, b[i], err);
    if (rc) sim_cfg_free(doc);
    return rc;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    sim_buf b = { 0 };
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) sim_buf_putn(&b, chunk, n);
    fclose(f);
    if (b.oom) { sim_buf_free(&b); return NULL; }
    if (!b.s) { b.s = calloc(1, 1); b.n = 0; }
    *len = b.n;
    return b.s;
}

int sim_import_export(const char *scenario, const char *const *base, int nbase, const char *policy,
                      const char *const *tuned, int ntuned, sim_import_format fmt,
                      char **text, char *config_path, size_t path_cap, sim_err *err)
{
    sim_err dummy;
    if (!err) err = &dummy;
    *text = NULL;
    sim_cfg_doc A, T;
    imp_site *sites = NULL, *tsites = NULL;
    size_t nsites = 0, ntsites = 0;
    TRY(load_expanded(scenario, base, nbase, NULL, 0, &A, &sites, &nsites, err));
    int rc = load_expanded(scenario, base, nbase, tuned, ntuned, &T, &tsites, &ntsites, err);
    if (rc) { sim_cfg_free(&A); free(sites); return rc; }
    free(tsites);
    exporter X;
    memset(&X, 0, sizeof X);
    X.err = err;
    X.fmt = fmt;
    char *bytes = NULL;
    const sim_cfg_node *pa = named(sim_cfg_get(A.root, "policies"), policy);
    const sim_cfg_node *pt = named(sim_cfg_get(T.root, "policies"), policy);
    if (!pa || !pt) rc = sim_cfg_errf(err, NULL, "%s has no policy '%s'", scenario, policy);
    for (size_t i = 0; !rc && i < nsites && !X.site; i++)
        if (sites[i].src == pa->src) X.site = &sites[i];
    if (!rc && !X.site)
        rc = sim_cfg_errf(err, pa, "policy '%s' is written in the scenario, not imported: --emit writes back a policy of an "
                          "import: entry (docs/scenario-format.md)", policy);
    if (!rc && X.site->format != fmt)
        rc = sim_cfg_errf(err, pa, "policy '%s' was imported from a %s config (%s), not %s", policy,
                          sim_import_format_name(X.site->format), X.site->path, sim_import_format_name(fmt));
    if (!rc && !(bytes = read_all(X.site->path, &X.len)))
        rc = sim_cfg_errf(err, NULL, "%s: cannot read", X.site->path);
    if (!rc) rc = sim_cfg_load_string(bytes, X.site->path, &X.cfg, err);
    if (!rc) {
        X.text = bytes;
        size_t k = 0;
        while (k < X.len && isspace((unsigned char)bytes[k])) k++;
        X.json = k < X.len && bytes[k] == '{';
        rc = compare(&X, policy, 0, "", pa, pt);
        /* the providers of this import that the tuned point changed */
        const sim_cfg_node *pl = sim_cfg_get(T.root, "providers");
        for (size_t i = 0; !rc && pl && pl->kind == SIM_CFG_SEQ && i < pl->n; i++) {
            const sim_cfg_node *t = pl->items[i], *nm = sim_cfg_get(t, "name");
            if (!nm || nm->kind != SIM_CFG_SCALAR) continue;
            const sim_cfg_node *a = named(sim_cfg_get(A.root, "providers"), nm->str);
            if (a && a->src == X.site->src) rc = compare(&X, nm->str, 1, "", a, t);
        }
    }
    if (!rc && X.nch == 0) rc = sim_cfg_errf(err, NULL, "the tuned values change nothing of policy '%s'", policy);
    for (size_t i = 0; !rc && i < X.nch; i++) rc = resolve(&X, &X.ch[i]);
    if (!rc) rc = apply_inserts(&X);
    if (!rc) {
        qsort(X.ed, X.ned, sizeof *X.ed, edit_cmp);
        sim_buf out = { 0 };
        size_t pos = X.len;
        /* rebuild from the end: pieces in reverse, then join */
        char **parts = calloc(2 * X.ned + 1, sizeof *parts);
        size_t np = 0;
        for (size_t i = 0; parts && i < X.ned; i++) {
            const edit *e = &X.ed[i];
            parts[np++] = strndup(bytes + e->end, pos - e->end);
            parts[np++] = strdup(e->text);
            pos = e->at;
        }
        if (parts) parts[np++] = strndup(bytes, pos);
        for (size_t i = np; parts && i-- > 0;) { if (parts[i]) sim_buf_puts(&out, parts[i]); else out.oom = 1; free(parts[i]); }
        free(parts);
        if (!parts || out.oom) { sim_buf_free(&out); rc = sim_cfg_errf(err, NULL, "out of memory"); }
        else if (!out.s) out.s = strdup("");
        if (!rc) rc = verify(&X, out.s, policy);
        if (!rc) {
            *text = out.s;
            snprintf(config_path, path_cap, "%s", X.site->path);
        } else sim_buf_free(&out);
    }
    for (size_t i = 0; i < X.ned; i++) free(X.ed[i].text);
    free(X.ed);
    free(X.ch);
    free(X.ins);
    if (X.cfg.root || X.cfg.path) sim_cfg_free(&X.cfg);
    free(bytes);
    free(sites);
    sim_cfg_free(&A);
    sim_cfg_free(&T);
    return rc;
}
