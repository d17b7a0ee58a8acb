/* cfg_emit.c — YAML text from a document tree, and sim_buf (cfg_emit.h).
 * Invariant: what sim_cfg_emit writes reads back (sim_cfg_load_string) as
 * the same tree: kinds, keys, order and scalar texts (tested on every
 * importer's output and on hand-made trees with awkward scalars).
 */
#include "cfg_emit.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- sim_buf --------------------------------------------------------------- */

static int buf_room(sim_buf *b, size_t more)
{
    if (b->oom) return 0;
    if (b->n + more + 1 <= b->cap) return 1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + more + 1) cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) { b->oom = 1; return 0; }
    b->s = s;
    b->cap = cap;
    return 1;
}

void sim_buf_putn(sim_buf *b, const char *s, size_t n)
{
    if (!buf_room(b, n)) return;
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

void sim_buf_puts(sim_buf *b, const char *s) { sim_buf_putn(b, s, strlen(s)); }

void sim_buf_printf(sim_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0 || !buf_room(b, (size_t)len)) return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->n, (size_t)len + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)len;
}

void sim_buf_free(sim_buf *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}

/* ---- scalars --------------------------------------------------------------- */

/* name(args): the distribution syntax, which the loader rejoins when a flow
 * collection splits it at its commas. */
static int is_call(const char *s)
{
    size_t n = strlen(s);
    if (!isalpha((unsigned char)s[0]) || n < 3 || s[n - 1] != ')') return 0;
    const char *p = s;
    while (isalnum((unsigned char)*p) || *p == '_') p++;
    if (*p != '(') return 0;
    int depth = 0;
    for (; *p; p++) {
        if (strchr("[]{}#\"'\\\n\t", *p)) return 0;
        if (*p == ':' && p[1] == ' ') return 0;
        depth += (*p == '(') - (*p == ')');
        if (depth < 0 || (depth == 0 && p[1])) return 0;
    }
    return depth == 0;
}

static int is_plain(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL")) return 0;
    if (isspace((unsigned char)s[0]) || isspace((unsigned char)s[n - 1])) return 0;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) return 0;
    if (is_call(s)) return 1;
    if (s[0] == '-' && n > 1 && (isdigit((unsigned char)s[1]) || s[1] == '.') && !strpbrk(s, ",[]{}: #\"'"))
        return 1;
    if (strchr("-?:,[]{}#&*!|>'\"%@`", s[0])) return 0;
    if (strpbrk(s, ",[]{}\"'\\") || strstr(s, ": ") || strstr(s, " #") || s[n - 1] == ':') return 0;
    return 1;
}

void sim_cfg_emit_scalar(sim_buf *out, const char *s)
{
    if (is_plain(s)) { sim_buf_puts(out, s); return; }
    sim_buf_putn(out, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') { sim_buf_putn(out, "\\", 1); sim_buf_putn(out, (const char *)p, 1); }
        else if (*p == '\n') sim_buf_puts(out, "\\n");
        else if (*p == '\t') sim_buf_puts(out, "\\t");
        else if (*p < 0x20 || *p == 0x7f) sim_buf_printf(out, "\\x%02x", *p);
        else sim_buf_putn(out, (const char *)p, 1);
    }
    sim_buf_putn(out, "\"", 1);
}

/* ---- collections ----------------------------------------------------------- */

typedef struct {
    sim_buf        *out;
    sim_cfg_note_fn note;
    void           *ctx;
} emitter;

static const char *note_of(const emitter *e, const sim_cfg_node *v)
{
    return e->note ? e->note(e->ctx, v) : NULL;
}

static void scalar_or_null(sim_buf *out, const sim_cfg_node *n)
{
    if (n->kind == SIM_CFG_SCALAR) sim_cfg_emit_scalar(out, n->str);
    else sim_buf_puts(out, "null");
}

/* A collection of scalars, short enough for one line, with no notes inside. */
static int is_flat(const emitter *e, const sim_cfg_node *n)
{
    if (n->kind != SIM_CFG_MAP && n->kind != SIM_CFG_SEQ) return 0;
    if (n->n > (n->kind == SIM_CFG_MAP ? 8u : 16u)) return 0;
    size_t len = 0;
    for (size_t i = 0; i < n->n; i++) {
        const sim_cfg_node *v = n->items[i];
        if (v->kind == SIM_CFG_MAP || v->kind == SIM_CFG_SEQ || note_of(e, v)) return 0;
        len += (v->kind == SIM_CFG_SCALAR ? strlen(v->str) : 4) + 2;
        if (n->kind == SIM_CFG_MAP) len += strlen(n->keys[i]->str) + 2;
    }
    return len <= 96;
}

static void flow(const emitter *e, const sim_cfg_node *n)
{
    int map = n->kind == SIM_CFG_MAP;
    if (n->n == 0) { sim_buf_puts(e->out, map ? "{}" : "[]"); return; }
    sim_buf_puts(e->out, map ? "{ " : "[");
    for (size_t i = 0; i < n->n; i++) {
        if (i) sim_buf_puts(e->out, ", ");
        if (map) { sim_cfg_emit_scalar(e->out, n->keys[i]->str); sim_buf_puts(e->out, ": "); }
        scalar_or_null(e->out, n->items[i]);
    }
    sim_buf_puts(e->out, map ? " }" : "]");
}

static void block(const emitter *e, const sim_cfg_node *n, int indent, int first_inline);

static void end_line(const emitter *e, const sim_cfg_node *v)
{
    const char *nt = note_of(e, v);
    if (nt) sim_buf_printf(e->out, "  # %s", nt);
    sim_buf_puts(e->out, "\n");
}

/* The rest of a line after "key:" or "-": the value, then its own lines. */
static void value(const emitter *e, const sim_cfg_node *v, int indent, int after_dash)
{
    if (v->kind == SIM_CFG_SCALAR || v->kind == SIM_CFG_NULL) {
        sim_buf_puts(e->out, " ");
        scalar_or_null(e->out, v);
        end_line(e, v);
    } else if (v->n == 0 || is_flat(e, v)) {
        sim_buf_puts(e->out, " ");
        flow(e, v);
        end_line(e, v);
    } else if (after_dash && v->kind == SIM_CFG_MAP) {
        sim_buf_puts(e->out, " ");            /* "- key: ..." then the other keys under it */
        block(e, v, indent, 1);
    } else {
        end_line(e, v);
        block(e, v, indent, 0);
    }
}

/* Block lines at indent; first_inline: the cursor already stands after
 * "- " on the first item's line. */
static void block(const emitter *e, const sim_cfg_node *n, int indent, int first_inline)
{
    for (size_t i = 0; i < n->n; i++) {
        if (!(first_inline && i == 0)) sim_buf_printf(e->out, "%*s", indent, "");
        if (n->kind == SIM_CFG_SEQ) {
            sim_buf_puts(e->out, "-");
            value(e, n->items[i], indent + 2, 1);
        } else {
            sim_cfg_emit_scalar(e->out, n->keys[i]->str);
            sim_buf_puts(e->out, ":");
            value(e, n->items[i], indent + 2, 0);
        }
    }
}

void sim_cfg_emit(sim_buf *out, const sim_cfg_node *n, int indent, sim_cfg_note_fn note, void *ctx)
{
    emitter e = { out, note, ctx };
    if (!n) return;
    if (n->kind == SIM_CFG_MAP || n->kind == SIM_CFG_SEQ) {
        if (n->n == 0) { sim_buf_printf(out, "%*s%s\n", indent, "", n->kind == SIM_CFG_MAP ? "{}" : "[]"); return; }
        block(&e, n, indent, 0);
        return;
    }
    sim_buf_printf(out, "%*s", indent, "");
    scalar_or_null(out, n);
    sim_buf_puts(out, "\n");
}
