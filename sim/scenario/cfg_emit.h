/* cfg_emit.h — YAML text from a document tree (cfg.h), and a growable
 * text buffer.
 *
 * sim_cfg_emit() writes a node as block YAML at an indentation: maps and
 * sequences whose items are all scalars (and that are short) in flow style
 * ("{ a: 1, b: 2 }", "[429, 5xx]"), everything else in block style; keys
 * and items in the tree's order, so the output is deterministic. A scalar
 * is written plain when YAML (and the loader, which rejoins distributions
 * like lognormal(400ms, 0.5) in flow collections) reads it back as the same
 * text, else double-quoted with \" \\ \n \t escapes; a SCALAR that reads as
 * null ("", "~", "null") is quoted, a NULL node is written "null". Reading
 * the output with sim_cfg_load_string gives back the same tree (kinds, keys,
 * texts; positions differ). A note callback may append "  # text" to the
 * line of a value (block style only: a flow collection with a noted item is
 * written in block style).
 * Cost: linear in the tree; the buffer doubles as it grows.
 */
#ifndef SIM_CFG_EMIT_H
#define SIM_CFG_EMIT_H
#include <stddef.h>
#include "cfg.h"

typedef struct {
    char  *s;            /* NUL-terminated text (NULL until the first append) */
    size_t n, cap;
    int    oom;          /* an allocation failed: the text is incomplete */
} sim_buf;

void sim_buf_puts(sim_buf *b, const char *s);
void sim_buf_putn(sim_buf *b, const char *s, size_t n);
void sim_buf_printf(sim_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sim_buf_free(sim_buf *b);

/* The note of a value (its key node, or NULL for a sequence item), or NULL. */
typedef const char *(*sim_cfg_note_fn)(void *ctx, const sim_cfg_node *val);

/* Appends n's items as block YAML lines starting at `indent` spaces (n a MAP
 * or SEQ; a scalar is written as one line). */
void sim_cfg_emit(sim_buf *out, const sim_cfg_node *n, int indent, sim_cfg_note_fn note, void *ctx);
/* Appends one scalar as YAML text (plain or quoted, see above). */
void sim_cfg_emit_scalar(sim_buf *out, const char *s);

#endif
