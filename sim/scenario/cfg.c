/* cfg.c — the YAML document model, overrides, typed accessors and the CSV
 * row reader (see cfg.h).
 *
 * Loading reads libyaml's events (yaml_parser_parse) into a parse tree and
 * checks every limit as each event arrives: nesting depth, node count and
 * the nodes that aliases expand to (so 200k nested '[' or a "billion laughs"
 * alias bomb stop at the event that crosses the limit, at its line:col,
 * having read only that far). The tree is then copied into sim_cfg_node
 * trees, expanding aliases. Inside flow collections YAML
 * splits `lognormal(400ms, 0.5)` at its comma; the copy rejoins such plain
 * scalars while their parentheses are unbalanced, so the scenario syntax of
 * DESIGN.md works unquoted. Overrides parse their value as YAML too.
 * The CSV reader streams the file through libcsv in 64 KiB chunks (never
 * the whole file in memory), with the caps of cfg.h.
 * Cost: linear in the input (maps check duplicate keys with a hash set);
 * nothing here is on a simulation hot path.
 */
#include "cfg.h"
#include "retrypol.h"
#include "units.h"
#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#define CFG_MAX_DEPTH       64       /* levels of nesting, aliases expanded */
#define CFG_MAX_NODES       100000   /* nodes of a document, aliases expanded */
#define CFG_MAX_ALIAS_NODES 10000    /* of which copies made by aliases */

/* ---- errors ---------------------------------------------------------------- */

void sim_err_oneline(char *msg, size_t cap)
{
    size_t n = strlen(msg), bad = 0;
    for (size_t i = 0; i < n; i++) bad += (unsigned char)msg[i] < 0x20 || msg[i] == 0x7f;
    if (!bad || cap < 2) return;
    char tmp[sizeof ((sim_err *)0)->msg];
    if (n >= sizeof tmp) n = sizeof tmp - 1;
    memcpy(tmp, msg, n);
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++) {
        unsigned char c = (unsigned char)tmp[i];
        if (c >= 0x20 && c != 0x7f) { msg[o++] = (char)c; continue; }
        char x[8];
        const char *e = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : x;
        if (e == x) snprintf(x, sizeof x, "\\x%02X", c);
        size_t l = strlen(e);
        if (o + l + 1 > cap) break;
        memcpy(msg + o, e, l);
        o += l;
    }
    msg[o] = '\0';
}

static int verrf(sim_err *err, const char *src, int line, int col, const char *fmt, va_list ap)
{
    if (!err) return POL_EINVAL;
    int len = 0;
    if (line > 0) len = snprintf(err->msg, sizeof err->msg, "%s:%d:%d: ", src ? src : "?", line, col);
    else if (src) len = snprintf(err->msg, sizeof err->msg, "override '%s': ", src);
    if (len < 0) len = 0;
    if ((size_t)len >= sizeof err->msg) len = (int)sizeof err->msg - 1;
    vsnprintf(err->msg + len, sizeof err->msg - (size_t)len, fmt, ap);
    sim_err_oneline(err->msg, sizeof err->msg);
    return POL_EINVAL;
}

int sim_cfg_errf_loc(sim_err *err, const char *src, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = verrf(err, src, line, col, fmt, ap);
    va_end(ap);
    return rc;
}

int sim_cfg_errf(sim_err *err, const sim_cfg_node *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = verrf(err, at ? at->src : NULL, at ? at->line : 0, at ? at->col : 0, fmt, ap);
    va_end(ap);
    return rc;
}

static size_t levenshtein(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64) return (size_t)-1;
    size_t prev[65], cur[65];
    for (size_t j = 0; j <= lb; j++) prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, (lb + 1) * sizeof *prev);
    }
    return prev[lb];
}

/* Whether a and b are the same words ('_' or '-' separated) in another
 * order: "p99_latency" and "latency_p99". */
static int same_words(const char *a, const char *b)
{
    if (strlen(a) != strlen(b) || strlen(a) >= 64) return 0;
    char ta[64], tb[64];
    strcpy(ta, a);
    strcpy(tb, b);
    int na = 0, matched = 0;
    for (char *save = NULL, *w = strtok_r(ta, "_-", &save); w; w = strtok_r(NULL, "_-", &save)) {
        na++;
        strcpy(tb, b);
        for (char *s2 = NULL, *v = strtok_r(tb, "_-", &s2); v; v = strtok_r(NULL, "_-", &s2))
            if (!strcmp(w, v)) { matched++; break; }
    }
    return na > 1 && matched == na;
}

const char *sim_cfg_suggest(const char *word, const char *const *names, size_t n)
{
    if (!word || !*word) return NULL;
    const char *best = NULL;
    size_t best_d = 3, lw = strlen(word);
    for (size_t i = 0; i < n; i++) {
        if (!names[i] || !strcmp(names[i], word)) continue;
        size_t ln = strlen(names[i]), d = levenshtein(word, names[i]);
        size_t shorter = lw < ln ? lw : ln;
        if (d > 2 && shorter >= 2 && !strncasecmp(word, names[i], shorter)) d = 2;
        if (d > 2 && same_words(word, names[i])) d = 2;
        if (d < best_d) { best = names[i]; best_d = d; }
    }
    return best;
}

void sim_cfg_did_you_mean(char *buf, size_t cap, const char *word, const char *const *names, size_t n)
{
    const char *s = sim_cfg_suggest(word, names, n);
    size_t len = strlen(buf);
    if (s && len < cap) snprintf(buf + len, cap - len, "; did you mean '%s'?", s);
}

/* ---- nodes ----------------------------------------------------------------- */

sim_cfg_node *sim_cfg_new(sim_cfg_kind kind, const char *src, int line, int col, const char *text)
{
    sim_cfg_node *n = calloc(1, sizeof *n);
    if (!n) return NULL;
    n->kind = kind;
    n->src = src;
    n->line = line;
    n->col = col;
    if (kind == SIM_CFG_SCALAR && !(n->str = strdup(text ? text : ""))) { free(n); return NULL; }
    return n;
}

void sim_cfg_node_free(sim_cfg_node *n)
{
    if (!n) return;
    for (size_t i = 0; i < n->n; i++) {
        if (n->keys) sim_cfg_node_free(n->keys[i]);
        sim_cfg_node_free(n->items[i]);
    }
    free(n->keys);
    free(n->items);
    free(n->str);
    free(n);
}

static long map_index(const sim_cfg_node *map, const char *key)
{
    if (!map || map->kind != SIM_CFG_MAP) return -1;
    for (size_t i = 0; i < map->n; i++)
        if (!strcmp(map->keys[i]->str, key)) return (long)i;
    return -1;
}

int sim_cfg_put(sim_cfg_node *coll, sim_cfg_node *key, sim_cfg_node *val)
{
    int is_map = coll && coll->kind == SIM_CFG_MAP;
    if (!val || (is_map && !key) || !coll || (!is_map && coll->kind != SIM_CFG_SEQ)) goto fail;
    if (is_map) {
        long i = map_index(coll, key->str);
        if (i >= 0) {
            sim_cfg_node_free(coll->items[i]);
            coll->items[i] = val;
            sim_cfg_node_free(key);
            return POL_OK;
        }
    }
    if (coll->n == coll->cap) {
        size_t cap = coll->cap ? 2 * coll->cap : 8;
        sim_cfg_node **items = realloc(coll->items, cap * sizeof *items);
        if (!items) goto fail;
        coll->items = items;
        if (is_map) {
            sim_cfg_node **keys = realloc(coll->keys, cap * sizeof *keys);
            if (!keys) goto fail;
            coll->keys = keys;
        }
        coll->cap = cap;
    }
    if (is_map) coll->keys[coll->n] = key;
    coll->items[coll->n++] = val;
    return POL_OK;
fail:
    sim_cfg_node_free(key);
    sim_cfg_node_free(val);
    return POL_ENOMEM;
}

const sim_cfg_node *sim_cfg_key_node(const sim_cfg_node *map, const char *key)
{
    long i = map_index(map, key);
    return i < 0 ? NULL : map->keys[i];
}

const sim_cfg_node *sim_cfg_get(const sim_cfg_node *map, const char *key)
{
    long i = map_index(map, key);
    if (i < 0 || map->items[i]->kind == SIM_CFG_NULL) return NULL;
    return map->items[i];
}

static sim_cfg_node *node_copy(const sim_cfg_node *n, const char *src)
{
    sim_cfg_node *c = sim_cfg_new(n->kind, src ? src : n->src, n->line, n->col, n->str);
    if (!c) return NULL;
    for (size_t i = 0; i < n->n; i++) {
        sim_cfg_node *k = n->keys ? node_copy(n->keys[i], src) : NULL;
        if (sim_cfg_put(c, k, node_copy(n->items[i], src))) { sim_cfg_node_free(c); return NULL; }
    }
    return c;
}

/* ---- loading (libyaml events) ---------------------------------------------- */

/* The parse tree is built from libyaml's event stream (yaml_parser_parse),
 * not from its document API, so that every limit is checked while parsing:
 * a node deeper than CFG_MAX_DEPTH, more than CFG_MAX_NODES nodes (aliases
 * expanded) or aliases that expand to more than CFG_MAX_ALIAS_NODES nodes
 * stop the parse at the event that crosses the limit, after reading only
 * the input up to it. An alias is a pointer to its anchor's node (the tree
 * is a DAG until the conversion copies it); each node knows its expanded
 * size (weight) and its height, so an alias costs O(1) to check. */
typedef struct ynode ynode;
struct ynode {
    sim_cfg_kind  kind;          /* SCALAR, MAP or SEQ (nulls are plain scalars here) */
    unsigned char plain, flow, done;
    int           line, col;     /* 1-based start mark */
    char         *value;         /* SCALAR: the text (NUL-terminated; len may be larger) */
    size_t        len;
    ynode       **kids;          /* SEQ: items; MAP: key, value, key, value, ... */
    size_t        n, cap;
    size_t        weight;        /* nodes of its expansion, keys and aliases included */
    int           height;        /* levels below it (0: a scalar) */
};

typedef struct { char *name; ynode *node; } yanchor;

typedef struct {
    const char *src;
    int         line0;           /* 0: keep marks; otherwise nodes get line 0 (overrides) */
    const char *text;            /* the input, for locating reader errors */
    size_t      text_len;
    sim_err    *err;
    ynode     **all;             /* every node, freed at the end (aliases share nodes) */
    size_t      nall, capall;
    yanchor    *anch;
    size_t      nanch, capanch;
    ynode      *stack[CFG_MAX_DEPTH + 1];
    int         depth;           /* open collections */
    ynode      *root;
    size_t      total, aliased;  /* nodes of the expansion so far; of which through aliases */
} ybuild;

static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
    if (n < *cap) return POL_OK;
    size_t nc = *cap ? 2 * *cap : 8;
    void *a = realloc(*arr, nc * size);
    if (!a) return POL_ENOMEM;
    *arr = a;
    *cap = nc;
    return POL_OK;
}

static int yb_err(ybuild *b, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int yb_err(ybuild *b, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verrf(b->err, b->src, b->line0 ? 0 : line, col, fmt, ap);
    va_end(ap);
    return POL_EINVAL;
}

static int yb_oom(ybuild *b)
{
    sim_cfg_errf_loc(b->err, NULL, 0, 0, "%s: out of memory", b->src);
    return POL_ENOMEM;
}

static void yb_free(ybuild *b)
{
    for (size_t i = 0; i < b->nall; i++) {
        free(b->all[i]->value);
        free(b->all[i]->kids);
        free(b->all[i]);
    }
    free(b->all);
    for (size_t i = 0; i < b->nanch; i++) free(b->anch[i].name);
    free(b->anch);
    memset(b->stack, 0, sizeof b->stack);
    b->all = NULL;
    b->anch = NULL;
    b->nall = b->capall = b->nanch = b->capanch = 0;
    b->depth = 0;
    b->root = NULL;
    b->total = b->aliased = 0;
}

/* Counts `add` more nodes of the expansion at line:col. */
static int yb_count(ybuild *b, size_t add, int line, int col)
{
    b->total += add;
    if (b->total > CFG_MAX_NODES)
        return yb_err(b, line, col, "too many nodes (more than %d, after expanding aliases)", CFG_MAX_NODES);
    return POL_OK;
}

/* Adds child to the open collection (or makes it the root). */
static int yb_attach(ybuild *b, ynode *child)
{
    if (b->depth == 0) { b->root = child; return POL_OK; }
    ynode *p = b->stack[b->depth - 1];
    if (grow((void **)&p->kids, &p->cap, p->n, sizeof *p->kids)) return yb_oom(b);
    p->kids[p->n++] = child;
    return POL_OK;
}

static int yb_anchor(ybuild *b, const yaml_char_t *anchor, ynode *n)
{
    if (!anchor) return POL_OK;
    if (grow((void **)&b->anch, &b->capanch, b->nanch, sizeof *b->anch)) return yb_oom(b);
    char *name = strdup((const char *)anchor);
    if (!name) return yb_oom(b);
    b->anch[b->nanch++] = (yanchor){ name, n };
    return POL_OK;
}

/* A new node for event ev (its anchor registered), attached to its parent. */
static int yb_node(ybuild *b, const yaml_event_t *ev, sim_cfg_kind kind, const yaml_char_t *anchor, ynode **out)
{
    int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;
    if (b->depth > CFG_MAX_DEPTH) return yb_err(b, line, col, "nesting deeper than %d levels", CFG_MAX_DEPTH);
    int rc = yb_count(b, 1, line, col);
    if (rc) return rc;
    if (grow((void **)&b->all, &b->capall, b->nall, sizeof *b->all)) return yb_oom(b);
    ynode *n = calloc(1, sizeof *n);
    if (!n) return yb_oom(b);
    b->all[b->nall++] = n;
    n->kind = kind;
    n->line = line;
    n->col = col;
    n->weight = 1;
    if ((rc = yb_anchor(b, anchor, n)) || (rc = yb_attach(b, n))) return rc;
    *out = n;
    return POL_OK;
}

static int yb_alias(ybuild *b, const yaml_event_t *ev)
{
    int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;
    const char *name = (const char *)ev->data.alias.anchor;
    ynode *t = NULL;
    for (size_t i = b->nanch; i-- > 0; )
        if (!strcmp(b->anch[i].name, name)) { t = b->anch[i].node; break; }
    if (!t) return yb_err(b, line, col, "YAML syntax error: found undefined alias '*%s'", name);
    if (!t->done)
        return yb_err(b, t->line, t->col, "nesting deeper than %d levels: alias '*%s' is inside its own anchor "
                      "(a recursive alias)", CFG_MAX_DEPTH, name);
    if (b->depth + t->height > CFG_MAX_DEPTH)
        return yb_err(b, line, col, "nesting deeper than %d levels (after expanding alias '*%s')", CFG_MAX_DEPTH, name);
    b->aliased += t->weight;
    if (b->aliased > CFG_MAX_ALIAS_NODES)
        return yb_err(b, line, col, "aliases expand to more than %d nodes (an alias bomb?)", CFG_MAX_ALIAS_NODES);
    int rc = yb_count(b, t->weight, line, col);
    return rc ? rc : yb_attach(b, t);
}

static void yb_close(ybuild *b)
{
    ynode *n = b->stack[--b->depth];
    n->done = 1;
    for (size_t i = 0; i < n->n; i++) {
        n->weight += n->kids[i]->weight;
        if (n->kids[i]->height + 1 > n->height) n->height = n->kids[i]->height + 1;
    }
}

/* Line and column (1-based, in characters) of byte offset off of the input. */
static void text_pos(const ybuild *b, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    if (!b->text) return;
    if (off > b->text_len) off = b->text_len;
    for (size_t i = 0; i < off; i++) {
        unsigned char c = (unsigned char)b->text[i];
        if (c == '\n') { ++*line; *col = 1; }
        else if ((c & 0xC0) != 0x80) ++*col;     /* not a UTF-8 continuation byte */
    }
}

static int yaml_error(const yaml_parser_t *p, ybuild *b)
{
    const char *src = b->src;
    sim_err *err = b->err;
    if (p->error == YAML_MEMORY_ERROR) return yb_oom(b);
    if (p->error == YAML_READER_ERROR) {
        int line, col;
        text_pos(b, p->problem_offset, &line, &col);
        char what[64] = "";
        if (p->problem_value >= 0)
            snprintf(what, sizeof what, p->problem && strstr(p->problem, "octet") ? " (byte 0x%02X)" : " (U+%04X)",
                     (unsigned)p->problem_value);
        const char *prob = p->problem ? p->problem : "cannot read";
        if (b->line0) return sim_cfg_errf_loc(err, src, 0, 0, "the value is not valid text: %s%s at column %d", prob, what, col);
        return sim_cfg_errf_loc(err, src, line, col, "not valid text: %s%s", prob, what);
    }
    char ctx[256] = "";
    if (p->context)
        snprintf(ctx, sizeof ctx, " (%s at line %zu, column %zu)", p->context,
                 p->context_mark.line + 1, p->context_mark.column + 1);
    if (b->line0) return sim_cfg_errf_loc(err, src, 0, 0, "YAML syntax error in the value: %s",
                                          p->problem ? p->problem : "malformed");
    return sim_cfg_errf_loc(err, src, (int)p->problem_mark.line + 1, (int)p->problem_mark.column + 1,
                            "YAML syntax error: %s%s", p->problem ? p->problem : "malformed", ctx);
}

/* Feeds the parser's events into b until the end of the first document;
 * then checks that no second document follows. */
static int yb_parse(yaml_parser_t *p, ybuild *b)
{
    int rc = POL_OK, docs = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(p, &ev)) return yaml_error(p, b);
        ynode *n = NULL;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            yaml_event_delete(&ev);
            return POL_OK;
        case YAML_DOCUMENT_START_EVENT:
            docs++;
            break;
        case YAML_DOCUMENT_END_EVENT:
            break;
        case YAML_SCALAR_EVENT:
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
        case YAML_ALIAS_EVENT:
            if (docs > 1) {   /* a second document is almost always a mistake (a stray '---') */
                rc = yb_err(b, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1,
                            "only one YAML document is allowed per file");
                break;
            }
            if (ev.type == YAML_ALIAS_EVENT) { rc = yb_alias(b, &ev); break; }
            if (ev.type == YAML_SCALAR_EVENT) {
                rc = yb_node(b, &ev, SIM_CFG_SCALAR, ev.data.scalar.anchor, &n);
                if (rc) break;
                n->done = 1;
                n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
                n->len = ev.data.scalar.length;
                if (!(n->value = malloc(n->len + 1))) { rc = yb_oom(b); break; }
                memcpy(n->value, ev.data.scalar.value, n->len);
                n->value[n->len] = '\0';
                break;
            }
            {
                int seq = ev.type == YAML_SEQUENCE_START_EVENT;
                rc = yb_node(b, &ev, seq ? SIM_CFG_SEQ : SIM_CFG_MAP,
                             seq ? ev.data.sequence_start.anchor : ev.data.mapping_start.anchor, &n);
                if (rc) break;
                n->flow = seq ? ev.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE
                              : ev.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
                b->stack[b->depth++] = n;
            }
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (b->depth > 0) yb_close(b);
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (rc) return rc;
    }
}

/* ---- conversion into sim_cfg_node ------------------------------------------ */

typedef struct {
    const char *src;
    int         line0;
    size_t      count;
    sim_err    *err;
} loader;

static int is_null_scalar(const ynode *y)
{
    if (!y || y->kind != SIM_CFG_SCALAR || !y->plain) return 0;
    const char *v = y->value;
    return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") || !strcmp(v, "NULL");
}

static int is_plain(const ynode *y) { return y && y->kind == SIM_CFG_SCALAR && y->plain; }

static int paren_balance(const char *s)
{
    int b = 0;
    for (; *s; s++) b += (*s == '(') - (*s == ')');
    return b;
}

/* Appends ", piece" to *text (malloc'd). */
static int join_piece(char **text, const char *piece)
{
    size_t a = strlen(*text), b = strlen(piece);
    char *t = realloc(*text, a + b + 3);
    if (!t) return POL_ENOMEM;
    memcpy(t + a, ", ", 2);
    memcpy(t + a + 2, piece, b + 1);
    *text = t;
    return POL_OK;
}

static sim_cfg_node *convert(loader *L, const ynode *y, int depth);

/* An error at a node's start mark; returns NULL for the converters. */
static sim_cfg_node *mark_err(loader *L, const ynode *y, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static sim_cfg_node *mark_err(loader *L, const ynode *y, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verrf(L->err, L->src, L->line0 ? 0 : y->line, y->col, fmt, ap);
    va_end(ap);
    return NULL;
}

static sim_cfg_node *new_at(loader *L, sim_cfg_kind kind, const ynode *y, const char *text)
{
    if (++L->count > CFG_MAX_NODES)
        return mark_err(L, y, "too many nodes (more than %d, after expanding aliases)", CFG_MAX_NODES);
    sim_cfg_node *n = sim_cfg_new(kind, L->src, L->line0 ? 0 : y->line, L->line0 ? 0 : y->col, text);
    if (!n) sim_cfg_errf_loc(L->err, NULL, 0, 0, "%s: out of memory", L->src);
    return n;
}

/* Converts a flow collection's plain scalar at *i, rejoining the pieces YAML
 * split at commas while parentheses stay open. `piece(j)` yields the j-th
 * continuation or NULL when it is not a plain fragment. */
typedef const ynode *(*piece_fn)(const ynode *coll, size_t j);

static const ynode *seq_piece(const ynode *coll, size_t j)
{
    return j < coll->n && is_plain(coll->kids[j]) ? coll->kids[j] : NULL;
}

static const ynode *map_piece(const ynode *coll, size_t j)
{
    if (2 * j + 1 >= coll->n) return NULL;
    const ynode *k = coll->kids[2 * j], *v = coll->kids[2 * j + 1];
    return is_plain(k) && is_null_scalar(v) && v->value[0] == '\0' ? k : NULL;
}

static sim_cfg_node *convert_flow_scalar(loader *L, const ynode *coll, const ynode *y,
                                         piece_fn piece, size_t *j, int depth)
{
    if (!is_plain(y) || paren_balance(y->value) <= 0) return convert(L, y, depth);
    char *text = strdup(y->value);
    if (!text) return mark_err(L, y, "out of memory");
    size_t k = *j;
    const ynode *p;
    while (paren_balance(text) > 0 && (p = piece(coll, k)) != NULL) {
        if (join_piece(&text, p->value)) { free(text); return mark_err(L, y, "out of memory"); }
        k++;
    }
    if (paren_balance(text) == 0) *j = k;   /* the pieces are consumed */
    else { free(text); return convert(L, y, depth); }
    sim_cfg_node *n = new_at(L, SIM_CFG_SCALAR, y, text);
    free(text);
    return n;
}

/* An item of a collection at depth: in flow style (piece != NULL) with the
 * rejoining of split scalars. */
static sim_cfg_node *convert_item(loader *L, const ynode *coll, const ynode *y, piece_fn piece,
                                  size_t *next, int depth)
{
    return piece ? convert_flow_scalar(L, coll, y, piece, next, depth + 1) : convert(L, y, depth + 1);
}

/* Appends key -> val to map m, which the caller knows has no such key. */
static int map_append(sim_cfg_node *m, sim_cfg_node *k, sim_cfg_node *v)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 8;
        sim_cfg_node **items = realloc(m->items, cap * sizeof *items);
        if (items) m->items = items;
        sim_cfg_node **keys = items ? realloc(m->keys, cap * sizeof *keys) : NULL;
        if (keys) m->keys = keys;
        if (!items || !keys) { sim_cfg_node_free(k); sim_cfg_node_free(v); return POL_ENOMEM; }
        m->cap = cap;
    }
    m->keys[m->n] = k;
    m->items[m->n++] = v;
    return POL_OK;
}

/* Duplicate keys: a hash set of the keys so far (open addressing), so that
 * a map of n keys costs O(n), not O(n^2). */
typedef struct { const sim_cfg_node **slot; size_t mask; } keyset;

static size_t key_hash(const char *s)
{
    size_t h = 1469598103934665603u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* The key node already in the set under the same text, or NULL after adding k. */
static const sim_cfg_node *keyset_add(keyset *ks, const sim_cfg_node *k)
{
    for (size_t i = key_hash(k->str) & ks->mask;; i = (i + 1) & ks->mask) {
        if (!ks->slot[i]) { ks->slot[i] = k; return NULL; }
        if (!strcmp(ks->slot[i]->str, k->str)) return ks->slot[i];
    }
}

static sim_cfg_node *convert_map(loader *L, const ynode *y, int depth)
{
    sim_cfg_node *m = new_at(L, SIM_CFG_MAP, y, NULL);
    if (!m) return NULL;
    size_t np = y->n / 2, size = 16;
    while (size < 2 * np) size *= 2;
    keyset ks = { calloc(size, sizeof *ks.slot), size - 1 };
    if (!ks.slot) { sim_cfg_node_free(m); return mark_err(L, y, "out of memory"); }
    for (size_t i = 0; i < np; i++) {
        const ynode *yk = y->kids[2 * i], *yv = y->kids[2 * i + 1];
        if (yk->kind != SIM_CFG_SCALAR) { mark_err(L, yk, "a key must be a plain string"); goto fail; }
        size_t next = i + 1;
        sim_cfg_node *k = new_at(L, SIM_CFG_SCALAR, yk, yk->value);
        if (!k) goto fail;
        const sim_cfg_node *prev = keyset_add(&ks, k);
        if (prev) {
            mark_err(L, yk, "duplicate key '%s' (first written at line %d)", yk->value, prev->line);
            sim_cfg_node_free(k);
            goto fail;
        }
        sim_cfg_node *v = convert_item(L, y, yv, y->flow ? map_piece : NULL, &next, depth);
        if (!v) { sim_cfg_node_free(k); goto fail; }
        if (map_append(m, k, v)) { mark_err(L, y, "out of memory"); goto fail; }
        i = next - 1;
    }
    free(ks.slot);
    return m;
fail:
    free(ks.slot);
    sim_cfg_node_free(m);
    return NULL;
}

static sim_cfg_node *convert_seq(loader *L, const ynode *y, int depth)
{
    sim_cfg_node *s = new_at(L, SIM_CFG_SEQ, y, NULL);
    if (!s) return NULL;
    for (size_t i = 0; i < y->n; i++) {
        size_t next = i + 1;
        sim_cfg_node *v = convert_item(L, y, y->kids[i], y->flow ? seq_piece : NULL, &next, depth);
        if (!v) { sim_cfg_node_free(s); return NULL; }
        if (sim_cfg_put(s, NULL, v)) { sim_cfg_node_free(s); return mark_err(L, y, "out of memory"); }
        i = next - 1;
    }
    return s;
}

static sim_cfg_node *convert(loader *L, const ynode *y, int depth)
{
    if (depth > CFG_MAX_DEPTH) return mark_err(L, y, "nesting deeper than %d levels", CFG_MAX_DEPTH);
    switch (y->kind) {
    case SIM_CFG_SCALAR:
        if (is_null_scalar(y)) return new_at(L, SIM_CFG_NULL, y, NULL);
        if (strlen(y->value) != y->len) return mark_err(L, y, "a NUL character in a string");
        return new_at(L, SIM_CFG_SCALAR, y, y->value);
    case SIM_CFG_MAP: return convert_map(L, y, depth);
    case SIM_CFG_SEQ: return convert_seq(L, y, depth);
    default: return mark_err(L, y, "empty node");
    }
}

/* Parses len bytes of text into a node tree (NULL for an empty document);
 * nodes name src (line0: as an override, without positions). */
static int parse_text(const char *text, size_t len, const char *src, int line0, sim_cfg_node **out, sim_err *err)
{
    *out = NULL;
    if (len > SIM_CFG_MAX_BYTES) {
        if (line0) return sim_cfg_errf_loc(err, src, 0, 0, "the value is longer than %d MiB", SIM_CFG_MAX_BYTES >> 20);
        return sim_cfg_errf_loc(err, NULL, 0, 0, "%s: larger than %d MiB (the limit of a YAML input)", src,
                                SIM_CFG_MAX_BYTES >> 20);
    }
    yaml_parser_t p;
    ybuild b = { .src = src, .line0 = line0, .text = text, .text_len = len, .err = err };
    if (!yaml_parser_initialize(&p)) return yb_oom(&b);
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    int rc = yb_parse(&p, &b);
    yaml_parser_delete(&p);
    if (!rc && b.root) {
        loader L = { src, line0, 0, err };
        *out = convert(&L, b.root, 0);
        if (!*out) rc = POL_EINVAL;
    }
    yb_free(&b);
    return rc;
}

static int doc_init(sim_cfg_doc *doc, const char *path)
{
    memset(doc, 0, sizeof *doc);
    doc->path = strdup(path);
    const char *slash = strrchr(path, '/');
    doc->dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    return doc->path && doc->dir ? POL_OK : POL_ENOMEM;
}

static int doc_finish(sim_cfg_doc *doc, int rc, sim_err *err)
{
    if (!rc && !doc->root) rc = sim_cfg_errf_loc(err, doc->path, 1, 1, "the file is empty");
    if (rc) sim_cfg_free(doc);
    return rc;
}

/* Opens path for reading if it is a regular file: else a message "what
 * 'path': reason" (what: "cannot open"...) and POL_ENOTFOUND. The open
 * does not block on a FIFO. */
int sim_cfg_open_regular(const char *path, FILE **out, struct stat *st_out, sim_err *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        sim_cfg_errf_loc(err, NULL, 0, 0, "cannot open '%s': %s", path, strerror(errno));
        return POL_ENOTFOUND;
    }
    struct stat st;
    const char *why = NULL;
    if (fstat(fd, &st)) why = strerror(errno);
    else if (S_ISDIR(st.st_mode)) why = "it is a directory";
    else if (!S_ISREG(st.st_mode))
        why = S_ISFIFO(st.st_mode) ? "not a regular file (a FIFO)"
            : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "not a regular file (a device)"
            : S_ISSOCK(st.st_mode) ? "not a regular file (a socket)" : "not a regular file";
    if (!why) {
        int fl = fcntl(fd, F_GETFL);
        if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) why = strerror(errno);
    }
    FILE *f = why ? NULL : fdopen(fd, "rb");
    if (!f) {
        if (!why) why = strerror(errno);
        close(fd);
        sim_cfg_errf_loc(err, NULL, 0, 0, "cannot read '%s': %s", path, why);
        return POL_ENOTFOUND;
    }
    if (st_out) *st_out = st;
    *out = f;
    return POL_OK;
}

int sim_cfg_load(const char *path, sim_cfg_doc *out, sim_err *err)
{
    if (doc_init(out, path)) { sim_cfg_free(out); return sim_cfg_errf_loc(err, NULL, 0, 0, "out of memory"); }
    FILE *f;
    sim_err e;
    if (sim_cfg_open_regular(path, &f, NULL, &e)) {
        /* "path: cannot open: reason" (the CLI's and the tests' wording) */
        const char *why = strstr(e.msg, "': ");
        sim_cfg_free(out);
        sim_cfg_errf_loc(err, NULL, 0, 0, "%s: %s: %s", path, strncmp(e.msg, "cannot open", 11) ? "cannot read" : "cannot open",
                         why ? why + 3 : "error");
        return POL_ENOTFOUND;
    }
    /* read whole (at most one byte past the limit: parse_text refuses it) */
    size_t cap = 1 << 14, n = 0;
    char *buf = malloc(cap);
    int rc = buf ? POL_OK : POL_ENOMEM;
    while (!rc) {
        if (n == cap) {
            size_t nc = cap * 2 > (size_t)SIM_CFG_MAX_BYTES + 1 ? (size_t)SIM_CFG_MAX_BYTES + 1 : cap * 2;
            if (nc == cap) break;
            char *nb = realloc(buf, nc);
            if (!nb) { rc = POL_ENOMEM; break; }
            buf = nb;
            cap = nc;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    int bad = !rc && ferror(f);
    int e_no = errno;
    fclose(f);
    if (rc) { free(buf); sim_cfg_free(out); return sim_cfg_errf_loc(err, NULL, 0, 0, "%s: out of memory", path), POL_ENOMEM; }
    if (bad) {
        free(buf);
        sim_cfg_free(out);
        sim_cfg_errf_loc(err, NULL, 0, 0, "%s: read error: %s", path, strerror(e_no));
        return POL_ENOTFOUND;
    }
    rc = parse_text(buf, n, out->path, 0, &out->root, err);
    free(buf);
    return doc_finish(out, rc, err);
}

int sim_cfg_load_string(const char *text, const char *name, sim_cfg_doc *out, sim_err *err)
{
    if (doc_init(out, name)) { sim_cfg_free(out); return sim_cfg_errf_loc(err, NULL, 0, 0, "out of memory"); }
    return doc_finish(out, parse_text(text, strlen(text), out->path, 0, &out->root, err), err);
}

int sim_cfg_load_mem(const char *text, size_t len, const char *name, sim_cfg_doc *out, sim_err *err)
{
    if (doc_init(out, name)) { sim_cfg_free(out); return sim_cfg_errf_loc(err, NULL, 0, 0, "out of memory"); }
    return doc_finish(out, parse_text(text, len, out->path, 0, &out->root, err), err);
}

void sim_cfg_free(sim_cfg_doc *doc)
{
    if (!doc) return;
    sim_cfg_node_free(doc->root);
    for (size_t i = 0; i < doc->nsrcs; i++) free(doc->srcs[i]);
    free(doc->srcs);
    free(doc->path);
    free(doc->dir);
    memset(doc, 0, sizeof *doc);
}

/* ---- overrides ------------------------------------------------------------- */

typedef struct {
    char *key;      /* a map key, or NULL for a selector */
    char *sel;      /* a selector: "[0]" index or "[name]" (without brackets) */
} ov_step;

typedef struct {
    const char *text;         /* the override, for messages */
    ov_step    *steps;
    size_t      n;
    const sim_cfg_node *value;
    size_t      applied;
    sim_err    *err;
} ov_ctx;

static int ov_err(ov_ctx *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int ov_err(ov_ctx *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = verrf(o->err, o->text, 0, 0, fmt, ap);
    va_end(ap);
    return rc;
}

/* The path up to (not including) step i, as written. */
static const char *ov_path(const ov_ctx *o, size_t i, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < i && len < cap; k++)
        len += (size_t)snprintf(buf + len, cap - len, o->steps[k].key ? "%s%s" : "%s[%s]",
                                o->steps[k].key && k ? "." : "", o->steps[k].key ? o->steps[k].key : o->steps[k].sel);
    return buf[0] ? buf : "the top level";
}

static void ov_free_steps(ov_step *s, size_t n)
{
    for (size_t i = 0; i < n; i++) { free(s[i].key); free(s[i].sel); }
    free(s);
}

/* Splits "a.b[x][0].c" into steps. */
static int ov_parse_path(ov_ctx *o, const char *path, size_t len)
{
    size_t cap = len + 2;
    o->steps = calloc(cap, sizeof *o->steps);
    if (!o->steps) return ov_err(o, "out of memory");
    size_t i = 0;
    int need_key = 1;
    while (i < len) {
        if (path[i] == '[') {
            const char *close = memchr(path + i, ']', len - i);
            if (!close || close == path + i + 1) return ov_err(o, "unclosed or empty [ ] in the path");
            o->steps[o->n++].sel = strndup(path + i + 1, (size_t)(close - path - i - 1));
            i = (size_t)(close - path) + 1;
            need_key = 0;
            continue;
        }
        if (path[i] == '.') {
            if (need_key) return ov_err(o, "empty name in the path");
            i++;
            need_key = 1;
            if (i == len) return ov_err(o, "the path ends with '.'");
            continue;
        }
        if (!need_key) return ov_err(o, "expected '.' or '[' after ']' in the path");
        size_t j = i;
        while (j < len && path[j] != '.' && path[j] != '[') j++;
        o->steps[o->n++].key = strndup(path + i, j - i);
        i = j;
        need_key = 0;
    }
    for (size_t k = 0; k < o->n; k++)   /* a failed strndup leaves both NULL */
        if (!o->steps[k].key && !o->steps[k].sel) return ov_err(o, "out of memory");
    if (!o->n || !o->steps[0].key) return ov_err(o, "expected key.path=value");
    if (!strcmp(o->steps[0].key, "retry")) {          /* retry.X = policies.retry.X */
        memmove(o->steps + 1, o->steps, o->n * sizeof *o->steps);
        o->n++;
        o->steps[0].key = strdup("policies");
        o->steps[0].sel = NULL;
        if (!o->steps[0].key) return ov_err(o, "out of memory");
    }
    return POL_OK;
}

/* The name an element answers to in a [name] selector: its name:, else its preset:. */
static const char *elem_name(const sim_cfg_node *e)
{
    const sim_cfg_node *n = sim_cfg_get(e, "name");
    if (!n || n->kind != SIM_CFG_SCALAR) n = sim_cfg_get(e, "preset");
    return n && n->kind == SIM_CFG_SCALAR ? n->str : NULL;
}

static int ov_apply(ov_ctx *o, sim_cfg_node *n, size_t i);

static int ov_set(ov_ctx *o, sim_cfg_node **slot)
{
    sim_cfg_node *v = node_copy(o->value, NULL);
    if (!v) return ov_err(o, "out of memory");
    sim_cfg_node_free(*slot);
    *slot = v;
    o->applied++;
    return POL_OK;
}

static int ov_step_into(ov_ctx *o, sim_cfg_node **slot, size_t i)
{
    return i + 1 == o->n ? ov_set(o, slot) : ov_apply(o, *slot, i + 1);
}

static int ov_apply_seq(ov_ctx *o, sim_cfg_node *n, size_t i)
{
    const ov_step *s = &o->steps[i];
    char pb[256];
    if (s->key) {                       /* no selector: every element */
        for (size_t k = 0; k < n->n; k++) {
            int rc = ov_apply(o, n->items[k], i);
            if (rc) return rc;
        }
        return POL_OK;
    }
    long long idx;
    if (sim_parse_int(s->sel, &idx) == POL_OK) {
        if (idx < 0 || (size_t)idx >= n->n)
            return ov_err(o, "index [%lld] is out of range: %s has %zu element%s", idx,
                          ov_path(o, i, pb, sizeof pb), n->n, n->n == 1 ? "" : "s");
        return ov_step_into(o, &n->items[idx], i);
    }
    size_t found = 0;
    const char *names[256];
    size_t nn = 0;
    for (size_t k = 0; k < n->n; k++) {
        const char *en = elem_name(n->items[k]);
        if (en && nn < 256) names[nn++] = en;
        if (!en || strcmp(en, s->sel)) continue;
        found++;
        int rc = ov_step_into(o, &n->items[k], i);
        if (rc) return rc;
    }
    if (found) return POL_OK;
    char msg[512];
    snprintf(msg, sizeof msg, "%s has no element named '%s'", ov_path(o, i, pb, sizeof pb), s->sel);
    sim_cfg_did_you_mean(msg, sizeof msg, s->sel, names, nn);
    return ov_err(o, "%s", msg);
}

static int ov_apply(ov_ctx *o, sim_cfg_node *n, size_t i)
{
    const ov_step *s = &o->steps[i];
    char pb[256];
    if (n->kind == SIM_CFG_SEQ) return ov_apply_seq(o, n, i);
    if (n->kind != SIM_CFG_MAP)
        return ov_err(o, "%s is a %s, not a map or a list, so '%s' cannot be selected in it",
                      ov_path(o, i, pb, sizeof pb), n->kind == SIM_CFG_NULL ? "null" : "scalar",
                      s->key ? s->key : s->sel);
    if (!s->key)
        return ov_err(o, "%s is a map, not a list: [%s] cannot select in it", ov_path(o, i, pb, sizeof pb), s->sel);
    long k = map_index(n, s->key);
    if (k < 0) {                        /* create the key (typing then checks it) */
        sim_cfg_node *key = sim_cfg_new(SIM_CFG_SCALAR, o->text, 0, 0, s->key);
        sim_cfg_node *val = sim_cfg_new(SIM_CFG_NULL, o->text, 0, 0, NULL);
        if (sim_cfg_put(n, key, val)) return ov_err(o, "out of memory");
        k = (long)n->n - 1;
    }
    if (i + 1 < o->n && n->items[k]->kind == SIM_CFG_NULL) {
        if (!o->steps[i + 1].key)
            return ov_err(o, "%s does not exist, so [%s] cannot select in it",
                          ov_path(o, i + 1, pb, sizeof pb), o->steps[i + 1].sel);
        sim_cfg_node *m = sim_cfg_new(SIM_CFG_MAP, o->text, 0, 0, NULL);
        if (!m) return ov_err(o, "out of memory");
        sim_cfg_node_free(n->items[k]);
        n->items[k] = m;
    }
    return ov_step_into(o, &n->items[k], i);
}

int sim_cfg_override(sim_cfg_doc *doc, const char *override, sim_err *err)
{
    if (!doc || !doc->root || !override) return POL_EINVAL;
    char **srcs = realloc(doc->srcs, (doc->nsrcs + 1) * sizeof *srcs);
    if (!srcs) return sim_cfg_errf_loc(err, NULL, 0, 0, "out of memory");
    doc->srcs = srcs;
    char *text = strdup(override);
    if (!text) return sim_cfg_errf_loc(err, NULL, 0, 0, "out of memory");
    doc->srcs[doc->nsrcs++] = text;

    ov_ctx o = { .text = text, .err = err };
    const char *eq = strchr(text, '=');
    if (!eq || eq == text) return ov_err(&o, "expected key.path=value");
    int rc = ov_parse_path(&o, text, (size_t)(eq - text));
    sim_cfg_node *value = NULL;
    if (!rc) rc = parse_text(eq + 1, strlen(eq + 1), text, 1, &value, err);
    if (!rc && !value) value = sim_cfg_new(SIM_CFG_NULL, text, 0, 0, NULL);
    if (!rc && !value) rc = ov_err(&o, "out of memory");
    o.value = value;
    if (!rc) rc = ov_apply(&o, doc->root, 0);
    char pb[256];
    if (!rc && !o.applied) rc = ov_err(&o, "%s is an empty list, nothing to set", ov_path(&o, o.n - 1, pb, sizeof pb));
    sim_cfg_node_free(value);
    ov_free_steps(o.steps, o.n);
    return rc;
}

/* ---- typed accessors ------------------------------------------------------- */

static const char *kind_noun(sim_cfg_kind k)
{
    switch (k) {
    case SIM_CFG_MAP: return "a map";
    case SIM_CFG_SEQ: return "a list";
    case SIM_CFG_SCALAR: return "a scalar";
    default: return "nothing";
    }
}

/* " for 'what'" or "". */
static const char *for_what(const char *what, char *buf, size_t cap)
{
    if (!what) return "";
    snprintf(buf, cap, " for '%s'", what);
    return buf;
}

int sim_cfg_want(const sim_cfg_node *n, sim_cfg_kind kind, const char *what, sim_err *err)
{
    if (n && n->kind == kind) return POL_OK;
    char fw[128];
    if (!n) return sim_cfg_errf(err, NULL, "expected %s%s", kind_noun(kind), for_what(what, fw, sizeof fw));
    return sim_cfg_errf(err, n, "expected %s%s, got %s", kind_noun(kind), for_what(what, fw, sizeof fw),
                        kind_noun(n->kind));
}

/* Fails unless n is a scalar: "expected <expect> for 'what', got ...". */
static int want_scalar(const sim_cfg_node *n, const char *what, const char *expect, sim_err *err)
{
    if (n->kind == SIM_CFG_SCALAR) return POL_OK;
    char fw[128];
    return sim_cfg_errf(err, n, "expected %s%s, got %s", expect, for_what(what, fw, sizeof fw), kind_noun(n->kind));
}

static int bad_value(const sim_cfg_node *n, const char *what, const char *expect, sim_err *err)
{
    char fw[128];
    return sim_cfg_errf(err, n, "expected %s%s, got '%s'", expect, for_what(what, fw, sizeof fw), n->str);
}

int sim_cfg_check_keys(const sim_cfg_node *map, const char *what, const char *const *allowed, sim_err *err)
{
    int rc = sim_cfg_want(map, SIM_CFG_MAP, what, err);
    if (rc) return rc;
    size_t na = 0;
    while (allowed[na]) na++;
    for (size_t i = 0; i < map->n; i++) {
        const char *k = map->keys[i]->str;
        size_t j = 0;
        while (j < na && strcmp(allowed[j], k)) j++;
        if (j < na) continue;
        char msg[768];
        snprintf(msg, sizeof msg, "unknown key '%s'%s%s", k, what ? " in " : "", what ? what : "");
        if (sim_cfg_suggest(k, allowed, na)) sim_cfg_did_you_mean(msg, sizeof msg, k, allowed, na);
        else {
            size_t len = strlen(msg);
            len += (size_t)snprintf(msg + len, sizeof msg - len, "; expected one of:");
            for (j = 0; j < na && len < sizeof msg; j++)
                len += (size_t)snprintf(msg + len, sizeof msg - len, "%s %s", j ? "," : "", allowed[j]);
        }
        return sim_cfg_errf(err, map->keys[i], "%s", msg);
    }
    return POL_OK;
}

int sim_cfg_find(const sim_cfg_node *map, const char *key, unsigned flags,
                 const sim_cfg_node **out, sim_err *err)
{
    *out = sim_cfg_get(map, key);
    if (*out) return 1;
    if (!(flags & SIM_CFG_REQ)) return 0;
    long i = map_index(map, key);
    if (i >= 0) return sim_cfg_errf(err, map->items[i], "'%s' needs a value", key);
    return sim_cfg_errf(err, map, "missing required key '%s'", key);
}

int sim_cfg_as_duration(const sim_cfg_node *n, const char *what, unsigned flags, pol_ns *out, sim_err *err)
{
    const char *expect = flags & SIM_CFG_POS ? "a positive duration like 250ms" : "a duration like 250ms";
    int rc = want_scalar(n, what, expect, err);
    if (rc) return rc;
    pol_ns v;
    rc = sim_parse_duration(n->str, &v);
    if (rc == POL_ERANGE) {
        char fw[128];
        return sim_cfg_errf(err, n, "duration%s must not be negative or huge, got '%s'",
                            for_what(what, fw, sizeof fw), n->str);
    }
    if (rc) return bad_value(n, what, expect, err);
    if ((flags & SIM_CFG_POS) && v <= 0) return bad_value(n, what, expect, err);
    *out = v;
    return POL_OK;
}

int sim_cfg_as_rate(const sim_cfg_node *n, const char *what, unsigned flags, double *out, sim_err *err)
{
    const char *expect = flags & SIM_CFG_POS ? "a positive rate like 70/s or 4200/min"
                                             : "a rate like 70/s or 4200/min";
    int rc = want_scalar(n, what, expect, err);
    if (rc) return rc;
    double v;
    if (sim_parse_rate(n->str, &v) != POL_OK && sim_parse_double(n->str, &v) != POL_OK)
        return bad_value(n, what, expect, err);
    if (v < 0 || ((flags & SIM_CFG_POS) && v <= 0)) return bad_value(n, what, expect, err);
    *out = v;
    return POL_OK;
}

static int out_of_range(const sim_cfg_node *n, const char *what, const char *range, sim_err *err)
{
    char fw[128];
    return sim_cfg_errf(err, n, "value%s must be %s, got '%s'", for_what(what, fw, sizeof fw), range, n->str);
}

/* "in [lo, hi]", ">= lo" or "<= hi" for messages. */
static void range_text(char *buf, size_t cap, double lo, double hi, int is_int)
{
    const char *f = is_int ? "%.0f" : "%g";
    char a[48], b[48];
    snprintf(a, sizeof a, f, lo);
    snprintf(b, sizeof b, f, hi);
    if (lo <= -1e300 || lo <= (double)-9.2e18) snprintf(buf, cap, "<= %s", b);
    else if (hi >= 1e300 || hi >= (double)9.2e18) snprintf(buf, cap, ">= %s", a);
    else snprintf(buf, cap, "between %s and %s", a, b);
}

int sim_cfg_as_int(const sim_cfg_node *n, const char *what, long long lo, long long hi, long long *out, sim_err *err)
{
    int rc = want_scalar(n, what, "an integer", err);
    if (rc) return rc;
    long long v;
    if (sim_parse_int(n->str, &v) != POL_OK) return bad_value(n, what, "an integer", err);
    if (v < lo || v > hi) {
        char r[128];
        range_text(r, sizeof r, (double)lo, (double)hi, 1);
        return out_of_range(n, what, r, err);
    }
    *out = v;
    return POL_OK;
}

int sim_cfg_as_double(const sim_cfg_node *n, const char *what, double lo, double hi, double *out, sim_err *err)
{
    int rc = want_scalar(n, what, "a number", err);
    if (rc) return rc;
    double v;
    const char *s = n->str;
    if (*s == '$') s++;                 /* money may carry a dollar sign */
    if (sim_parse_double(s, &v) != POL_OK) return bad_value(n, what, "a number", err);
    if (v < lo || v > hi) {
        char r[128];
        range_text(r, sizeof r, lo, hi, 0);
        return out_of_range(n, what, r, err);
    }
    *out = v;
    return POL_OK;
}

int sim_cfg_as_bool(const sim_cfg_node *n, const char *what, int *out, sim_err *err)
{
    static const char *const T[] = { "true", "yes", "on" }, *const F[] = { "false", "no", "off" };
    int rc = want_scalar(n, what, "true or false", err);
    if (rc) return rc;
    for (int i = 0; i < 3; i++) {
        if (!strcasecmp(n->str, T[i])) { *out = 1; return POL_OK; }
        if (!strcasecmp(n->str, F[i])) { *out = 0; return POL_OK; }
    }
    return bad_value(n, what, "true or false", err);
}

int sim_cfg_as_string(const sim_cfg_node *n, const char *what, char *buf, size_t cap, sim_err *err)
{
    int rc = want_scalar(n, what, "a string", err);
    if (rc) return rc;
    size_t len = strlen(n->str);
    if (len >= cap) {
        char fw[128];
        return sim_cfg_errf(err, n, "string%s is too long (%zu characters, at most %zu)",
                            for_what(what, fw, sizeof fw), len, cap - 1);
    }
    memcpy(buf, n->str, len + 1);
    return POL_OK;
}

int sim_cfg_as_enum(const sim_cfg_node *n, const char *what, const char *const *names, size_t n_names,
                    int *out, sim_err *err)
{
    char expect[512];
    size_t len = (size_t)snprintf(expect, sizeof expect, "one of");
    for (size_t i = 0; i < n_names && len < sizeof expect; i++)
        len += (size_t)snprintf(expect + len, sizeof expect - len, "%s %s", i ? "," : "", names[i]);
    int rc = want_scalar(n, what, expect, err);
    if (rc) return rc;
    for (size_t i = 0; i < n_names; i++)
        if (!strcmp(n->str, names[i])) { *out = (int)i; return POL_OK; }
    char fw[128], msg[768];
    snprintf(msg, sizeof msg, "expected %s%s, got '%s'", expect, for_what(what, fw, sizeof fw), n->str);
    sim_cfg_did_you_mean(msg, sizeof msg, n->str, names, n_names);
    return sim_cfg_errf(err, n, "%s", msg);
}

int sim_cfg_as_dist(const sim_cfg_node *n, const char *what, int durations, const char *base_dir,
                    sim_dist *out, sim_err *err)
{
    const char *expect = durations ? "a distribution of durations like 250ms or exponential(5s)"
                                   : "a distribution like 300 or lognormal(300, 0.8)";
    int rc = want_scalar(n, what, expect, err);
    if (rc) return rc;
    sim_dist d;
    sim_err e;
    rc = sim_dist_parse(n->str, durations, base_dir, &d, &e);
    if (rc == SIM_ELOCATED) { *err = e; return rc; }
    char fw[128];
    if (rc) return sim_cfg_errf(err, n, "bad distribution%s: %s", for_what(what, fw, sizeof fw), e.msg);
    sim_dist_free(out);
    *out = d;
    return POL_OK;
}

/* ---- keyed getters --------------------------------------------------------- */

int sim_cfg_get_duration(const sim_cfg_node *map, const char *key, unsigned flags, pol_ns def,
                         pol_ns *out, sim_err *err)
{
    const sim_cfg_node *n;
    int rc = sim_cfg_find(map, key, flags, &n, err);
    if (rc <= 0) { if (!rc) *out = def; return rc; }
    return sim_cfg_as_duration(n, key, flags, out, err);
}

int sim_cfg_get_rate(const sim_cfg_node *map, const char *key, unsigned flags, double def,
                     double *out, sim_err *err)
{
    const sim_cfg_node *n;
    int rc = sim_cfg_find(map, key, flags, &n, err);
    if (rc <= 0) { if (!rc) *out = def; return rc; }
    return sim_cfg_as_rate(n, key, flags, out, err);
}

int sim_cfg_get_int(const sim_cfg_node *map, const char *key, unsigned flags, long long lo, long long hi,
                    long long def, long long *out, sim_err *err)
{
    const sim_cfg_node *n;
    int rc = sim_cfg_find(map, key, flags, &n, err);
    if (rc <= 0) { if (!rc) *out = def; return rc; }
    return sim_cfg_as_int(n, key, lo, hi, out, err);
}

int sim_cfg_get_double(const sim_cfg_node *map, const char *key, unsigned flags, double lo, double hi,
                       double def, double *out, sim_err *err)
{
    const sim_cfg_node *n;
    int rc = sim_cfg_find(map, key, flags, &n, err);
    if (rc <= 0) { if (!rc) *out = def; return rc; }
    return sim_cfg_as_double(n, key, lo, hi, out, err);
}

int sim_cfg_get_bool(const sim_cfg_node *map, const char *key, unsigned flags, int def, int *out, sim_err *err)
{
    const sim_cfg_node *n;
    int rc = sim_cfg_find(map, key, flags, &n, err);
    if (rc <= 0) { if (!rc) *out = def; return rc; }
    return sim_cfg_as_bool(n, key, out, err);
}

int sim_cfg_get_string(const sim_cfg_node *map, const char *key, unsigned flags, const char *def,
                       char *buf, size_t cap, sim_err *err)
{
    const sim_cfg_node *n;
    int rc = sim_cfg_find(map, key, flags, &n, err);
    if (rc < 0) return rc;
    if (rc == 0) {
        if (def && cap) snprintf(buf, cap, "%s", def);
        return POL_OK;
    }
    return sim_cfg_as_string(n, key, buf, cap, err);
}

int sim_cfg_get_enum(const sim_cfg_node *map, const char *key, unsigned flags, const char *const *names,
                     size_t n_names, int def, int *out, sim_err *err)
{
    const sim_cfg_node *n;
    int rc = sim_cfg_find(map, key, flags, &n, err);
    if (rc <= 0) { if (!rc) *out = def; return rc; }
    return sim_cfg_as_enum(n, key, names, n_names, out, err);
}

int sim_cfg_get_dist(const sim_cfg_node *map, const char *key, unsigned flags, int durations,
                     const char *base_dir, const char *def, sim_dist *out, sim_err *err)
{
    const sim_cfg_node *n;
    int rc = sim_cfg_find(map, key, flags, &n, err);
    if (rc > 0) return sim_cfg_as_dist(n, key, durations, base_dir, out, err);
    if (rc < 0) return rc;
    sim_dist d;
    sim_err e;
    if (sim_dist_parse(def, durations, base_dir, &d, &e)) return sim_cfg_errf(err, map, "default of '%s': %s", key, e.msg);
    sim_dist_free(out);
    *out = d;
    return POL_OK;
}

/* ---- paths and CSV --------------------------------------------------------- */

int sim_cfg_resolve(const char *dir, const char *rel, char *out, size_t cap)
{
    int n = (rel[0] == '/' || !dir || !*dir || !strcmp(dir, "."))
                ? snprintf(out, cap, "%s", rel)
                : snprintf(out, cap, "%s/%s", dir, rel);
    return n < 0 || (size_t)n >= cap ? POL_ERANGE : POL_OK;
}

typedef struct {
    const char    *path;
    sim_csv_row_fn fn;
    void          *user;
    sim_err       *err;
    int            rc;
    char         **field;
    int           *line, *col;
    size_t         n, cap, rows, max_rows;
    size_t         cell_len;            /* bytes of the current cell so far */
    int            cur_line, cur_col;   /* position of the byte being fed */
    int            tok_line, tok_col;   /* start of the current cell */
    int            at_start;            /* no byte of the current cell fed yet */
} csv_state;

static void csv_cell(void *s, size_t len, void *data)
{
    csv_state *st = data;
    if (st->rc) return;
    int line = st->at_start ? st->cur_line : st->tok_line, col = st->at_start ? st->cur_col : st->tok_col;
    if (st->n >= SIM_CSV_MAX_CELLS) {
        st->rc = sim_cfg_errf_loc(st->err, st->path, line, col, "more than %d cells in a row (the limit of a CSV input)",
                                  SIM_CSV_MAX_CELLS);
        return;
    }
    if (st->n == st->cap) {
        size_t cap = st->cap ? 2 * st->cap : 8;
        char **f = realloc(st->field, cap * sizeof *f);
        if (f) st->field = f;
        int *l = realloc(st->line, cap * sizeof *l);
        if (l) st->line = l;
        int *c = realloc(st->col, cap * sizeof *c);
        if (c) st->col = c;
        if (!f || !l || !c) { st->rc = sim_cfg_errf_loc(st->err, NULL, 0, 0, "out of memory"); st->rc = POL_ENOMEM; return; }
        st->cap = cap;
    }
    char *t = strndup(s ? s : "", s ? len : 0);
    if (!t) { sim_cfg_errf_loc(st->err, NULL, 0, 0, "out of memory"); st->rc = POL_ENOMEM; return; }
    st->field[st->n] = t;
    st->line[st->n] = line;
    st->col[st->n] = col;
    st->n++;
    st->at_start = 1;
}

static void csv_clear_row(csv_state *st)
{
    for (size_t i = 0; i < st->n; i++) free(st->field[i]);
    st->n = 0;
}

static void csv_row_end(int c, void *data)
{
    (void)c;
    csv_state *st = data;
    st->at_start = 1;
    if (!st->rc && st->n) {
        if (st->max_rows && st->rows >= st->max_rows)
            st->rc = sim_cfg_errf_loc(st->err, st->path, st->line[0], st->col[0],
                                      "more than %zu rows (the limit of a CSV input)", st->max_rows);
        else {
            sim_csv_row row = { st->path, st->n, (const char *const *)st->field, st->line, st->col, st->rows++ };
            int rc = st->fn(st->user, &row, st->err);
            if (rc) st->rc = rc < 0 ? rc : POL_EINVAL;
        }
    }
    csv_clear_row(st);
}

static int is_csv_special(char c) { return c == ',' || c == '\n' || c == '\r'; }

/* Feeds len bytes at line:col (no newline inside unless len == 1). */
static int csv_feed(struct csv_parser *p, csv_state *st, const char *b, size_t len, int line, int col)
{
    if (st->at_start && !is_csv_special(b[0])) {
        st->tok_line = line;
        st->tok_col = col;
        st->at_start = 0;
        st->cell_len = 0;
    }
    if (!st->at_start && (st->cell_len += len) > SIM_CSV_MAX_CELL)
        return st->rc = sim_cfg_errf_loc(st->err, st->path, st->tok_line, st->tok_col,
                                         "a cell longer than %d bytes (the limit of a CSV input)", SIM_CSV_MAX_CELL);
    st->cur_line = line;
    st->cur_col = col;
    size_t done = csv_parse(p, b, len, csv_cell, csv_row_end, st);
    if (st->rc) return st->rc;
    if (done != len)
        return st->rc = sim_cfg_errf_loc(st->err, st->path, line, col + (int)done, "malformed CSV: %s",
                                         csv_strerror(csv_error(p)));
    return POL_OK;
}

enum { CSV_CHUNK = 1 << 16 };

/* The reader: max_bytes / max_rows 0 = no limit; expect != NULL: an empty
 * file (no row) is an error that names what was expected; only the file's
 * first upto bytes are read (SIZE_MAX: all of it). */
static int csv_stream(const char *path, size_t max_bytes, size_t max_rows, const char *expect, size_t upto,
                      sim_csv_row_fn fn, void *user, sim_err *err)
{
    FILE *f;
    int rc = sim_cfg_open_regular(path, &f, NULL, err);
    if (rc) return rc;
    struct csv_parser p;
    char *buf = malloc(CSV_CHUNK);
    if (!buf || csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL)) {
        free(buf);
        fclose(f);
        sim_cfg_errf_loc(err, NULL, 0, 0, "%s: out of memory", path);
        return POL_ENOMEM;
    }
    csv_state st = { .path = path, .fn = fn, .user = user, .err = err, .at_start = 1, .max_rows = max_rows };
    int line = 1, col = 1;
    size_t total = 0;
    size_t left = upto;
    while (!rc && left) {
        size_t len = fread(buf, 1, left < CSV_CHUNK ? left : CSV_CHUNK, f);
        left -= len;
        if (len == 0) {
            if (ferror(f)) rc = sim_cfg_errf_loc(err, path, line, col, "read error: %s", strerror(errno));
            break;
        }
        if (max_bytes && (total += len) > max_bytes) {
            rc = sim_cfg_errf_loc(err, path, line, col, "the file is larger than %zu MiB (the limit of a CSV input)",
                                  max_bytes >> 20);
            break;
        }
        for (size_t i = 0; i < len && !rc; ) {
            size_t j = i;
            while (j < len && buf[j] && !is_csv_special(buf[j])) j++;
            if (j == i) {
                if (!buf[i]) {
                    rc = sim_cfg_errf_loc(err, path, line, col, "a NUL byte (a CSV input is text; is this a CSV file?)");
                    break;
                }
                j = i + 1;
            }
            rc = csv_feed(&p, &st, buf + i, j - i, line, col);
            if (buf[i] == '\n') { if (line < INT_MAX) line++; col = 1; }
            else col = (size_t)col + (j - i) < INT_MAX ? col + (int)(j - i) : INT_MAX;
            i = j;
        }
    }
    st.cur_line = line;
    st.cur_col = col;
    if (!rc && csv_fini(&p, csv_cell, csv_row_end, &st) != 0 && !st.rc)
        rc = sim_cfg_errf_loc(err, path, line, col, "malformed CSV: %s", csv_strerror(csv_error(&p)));
    if (!rc) rc = st.rc;
    if (!rc && expect && st.rows == 0) {
        sim_cfg_errf_loc(err, NULL, 0, 0, "%s: empty file (expected %s)", path, expect);
        rc = POL_ENOTFOUND;
    }
    csv_clear_row(&st);
    free(st.field);
    free(st.line);
    free(st.col);
    csv_free(&p);
    free(buf);
    fclose(f);
    return rc;
}

int sim_cfg_csv_read(const char *path, sim_csv_row_fn fn, void *user, sim_err *err)
{
    return csv_stream(path, 0, 0, NULL, SIZE_MAX, fn, user, err);
}

int sim_cfg_csv_read_prefix(const char *path, size_t nbytes, sim_csv_row_fn fn, void *user, sim_err *err)
{
    return nbytes ? csv_stream(path, 0, 0, NULL, nbytes, fn, user, err) : 0;
}

int sim_cfg_csv_read_input(const char *path, const char *expect, sim_csv_row_fn fn, void *user, sim_err *err)
{
    return csv_stream(path, SIM_CSV_MAX_BYTES, SIM_CSV_MAX_ROWS, expect ? expect : "at least one row", SIZE_MAX, fn,
                      user, err);
}

int sim_cfg_plausible_name(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++) {
        unsigned char c = (unsigned char)s[n];
        if (!(isalnum(c) || strchr("_-.[]() ", c))) return 0;
    }
    return n > 0 && n <= 64;
}

const char *sim_cfg_quote(const char *s, char *buf, size_t cap)
{
    size_t o = 0;
    if (cap < 8) { if (cap) buf[0] = '\0'; return buf; }
    for (size_t i = 0; s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if (o + 8 >= cap || i >= 60) { memcpy(buf + o, "...", 4); return buf; }
        if (c < 0x20 || c == 0x7f) o += (size_t)snprintf(buf + o, cap - o, "\\x%02X", c);
        else buf[o++] = (char)c;
    }
    buf[o] = '\0';
    return buf;
}

int sim_cfg_as_outcome(const sim_cfg_node *it, const char *list, int *lo, int *hi, int *kind, sim_err *err)
{
    const char *kinds[POL_OUT__COUNT];
    size_t nk = 0;
    for (int k = POL_OUT_TIMEOUT; k < POL_OUT__COUNT; k++) kinds[nk++] = pol_outcome_kind_name((pol_outcome_kind)k);
    *lo = *hi = 0;
    *kind = -1;
    long long st;
    if (it->kind == SIM_CFG_SCALAR && sim_parse_int(it->str, &st) == POL_OK) {
        if (st < 400 || st > 599)
            return sim_cfg_errf(err, it, "status in '%s' must be between 400 and 599, got '%s'", list, it->str);
        *lo = *hi = (int)st;
        return POL_OK;
    }
    if (it->kind == SIM_CFG_SCALAR && strlen(it->str) == 3 && (it->str[0] == '4' || it->str[0] == '5') &&
        it->str[1] == 'x' && it->str[2] == 'x') {
        *lo = (it->str[0] - '0') * 100;
        *hi = *lo + 99;
        return POL_OK;
    }
    for (size_t k = 0; it->kind == SIM_CFG_SCALAR && k < nk; k++)
        if (!strcmp(it->str, kinds[k])) { *kind = POL_OUT_TIMEOUT + (int)k; return POL_OK; }
    char msg[768];
    size_t len = (size_t)snprintf(msg, sizeof msg, "expected an HTTP status like 429, a class like 5xx or one of");
    for (size_t k = 0; k < nk; k++) len += (size_t)snprintf(msg + len, sizeof msg - len, "%s %s", k ? "," : "", kinds[k]);
    snprintf(msg + len, sizeof msg - len, " in '%s', got '%s'", list, it->kind == SIM_CFG_SCALAR ? it->str : "a collection");
    if (it->kind == SIM_CFG_SCALAR) sim_cfg_did_you_mean(msg, sizeof msg, it->str, kinds, nk);
    return sim_cfg_errf(err, it, "%s", msg);
}
