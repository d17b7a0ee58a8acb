/* cfg.h — a small YAML document model with typed, located accessors.
 *
 * sim_cfg_load() reads a file with libyaml into a tree of nodes (scalar, map,
 * sequence, null) that remember where they were written (1-based line and
 * column). Overrides ("key.path=value", see docs/scenario-format.md) edit the
 * tree before it is typed. The accessors turn nodes into typed values and, on
 * failure, write exactly one line into a sim_err:
 *     file:line:col: message                  (a node read from a file)
 *     override 'key.path=value': message      (a node written by an override)
 * and return a negative code. Accessors never allocate except for strings
 * and distributions they hand back.
 * Invariants: every node of a document points at a `src` string the document
 * owns (or, for nodes a caller builds, one that outlives them); map keys are
 * unique (sim_cfg_load rejects duplicates). A YAML null (an empty value, ~,
 * null) is a SIM_CFG_NULL node, and the keyed getters treat it as absent.
 * Limits (docs/robustness.md): a YAML input is at most SIM_CFG_MAX_BYTES;
 * nesting, node count and alias expansion are bounded while parsing (cfg.c),
 * so a hostile document is refused at the event that crosses a limit.
 * Cost: loading is linear in the file; lookups are linear in a map's size
 * (scenario maps have a few dozen keys at most).
 *
 * The CSV helper streams a file through libcsv (64 KiB at a time) and hands
 * each row, with the line and column of every cell, to a callback; it is
 * shared by the loaders of traces, empirical distributions and grid files.
 */
#ifndef SIM_CFG_H
#define SIM_CFG_H
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include "pol_common.h"
#include "err.h"
#include "dist.h"

typedef enum { SIM_CFG_NULL = 0, SIM_CFG_SCALAR, SIM_CFG_MAP, SIM_CFG_SEQ } sim_cfg_kind;

typedef struct sim_cfg_node sim_cfg_node;
struct sim_cfg_node {
    sim_cfg_kind   kind;
    const char    *src;       /* file name; when line == 0, the override text */
    int            line, col; /* 1-based; line 0 = written by an override */
    char          *str;       /* SCALAR: the text (owned) */
    size_t         n, cap;    /* MAP: pairs, SEQ: items */
    sim_cfg_node **keys;      /* MAP: the keys (SCALAR nodes) */
    sim_cfg_node **items;     /* MAP: the values; SEQ: the items */
};

typedef struct {
    sim_cfg_node *root;       /* NULL only after a failed load */
    char  *path;              /* the file as given */
    char  *dir;               /* its directory ("." when none), for relative paths */
    char **srcs;              /* override texts that nodes point at */
    size_t nsrcs;
} sim_cfg_doc;

/* Flags of the typed getters. */
enum { SIM_CFG_REQ = 1u << 0,  /* a missing key is an error */
       SIM_CFG_POS = 1u << 1   /* durations and rates must be > 0 */ };

/* The largest YAML input (a scenario file, a request body, an override). */
#define SIM_CFG_MAX_BYTES (16 << 20)

/* ---- documents ------------------------------------------------------------ */
/* Reads a regular file (a directory, FIFO or device is refused with a
 * message, never read). */
int  sim_cfg_load(const char *path, sim_cfg_doc *out, sim_err *err);
/* Parses YAML text (one document) as if read from a file called `name`. */
int  sim_cfg_load_string(const char *text, const char *name, sim_cfg_doc *out, sim_err *err);
/* The same for len bytes that need not be NUL-terminated (and may hold NULs,
 * which are errors at their line:col). */
int  sim_cfg_load_mem(const char *text, size_t len, const char *name, sim_cfg_doc *out, sim_err *err);
/* Opens path for reading when it is a regular file (without blocking on a
 * FIFO); else "cannot open 'path': reason" or "cannot read 'path': it is a
 * directory / not a regular file (...)" in err and POL_ENOTFOUND.
 * st (may be NULL) receives its fstat. */
struct stat;
int  sim_cfg_open_regular(const char *path, FILE **out, struct stat *st, sim_err *err);
void sim_cfg_free(sim_cfg_doc *doc);
/* Applies one "key.path=value" override; see docs/scenario-format.md. */
int  sim_cfg_override(sim_cfg_doc *doc, const char *override, sim_err *err);

/* ---- nodes ---------------------------------------------------------------- */
/* A new node (text only for SCALAR); NULL when out of memory. */
sim_cfg_node *sim_cfg_new(sim_cfg_kind kind, const char *src, int line, int col, const char *text);
/* Sets key -> val in a map (replacing an existing value) or appends to a
 * sequence (key NULL). Takes ownership of key and val, even on failure. */
int  sim_cfg_put(sim_cfg_node *coll, sim_cfg_node *key, sim_cfg_node *val);
void sim_cfg_node_free(sim_cfg_node *n);
/* The value of key in map, or NULL when absent, null, or map is not a map. */
const sim_cfg_node *sim_cfg_get(const sim_cfg_node *map, const char *key);
/* The key node of key in map (for locating messages), or NULL. */
const sim_cfg_node *sim_cfg_key_node(const sim_cfg_node *map, const char *key);

/* ---- errors --------------------------------------------------------------- */
/* Rewrites control characters of msg (a newline from a quoted multi-line
 * scalar, an override or a CSV cell) as \n, \r, \t or \xNN, cutting to cap,
 * so that every message is one line. The writers below call it. */
void sim_err_oneline(char *msg, size_t cap);
/* Writes "src:line:col: message" (or "override '...': message") and returns
 * POL_EINVAL, so that `return sim_cfg_errf(err, node, ...)` reads well. */
int sim_cfg_errf(sim_err *err, const sim_cfg_node *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int sim_cfg_errf_loc(sim_err *err, const char *src, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* The closest of names to word: Levenshtein distance <= 2, or one a prefix of
 * the other (at least 2 characters); NULL when none is close. */
const char *sim_cfg_suggest(const char *word, const char *const *names, size_t n);
/* Appends "; did you mean 'X'?" to buf when a name is close to word. */
void sim_cfg_did_you_mean(char *buf, size_t cap, const char *word, const char *const *names, size_t n);

/* ---- checks --------------------------------------------------------------- */
/* Fails unless n is of the kind (what names the thing in the message). */
int sim_cfg_want(const sim_cfg_node *n, sim_cfg_kind kind, const char *what, sim_err *err);
/* Every key of map must be one of allowed (NULL-terminated); else
 * "unknown key 'k' in <what>; did you mean 'K'?". */
int sim_cfg_check_keys(const sim_cfg_node *map, const char *what,
                       const char *const *allowed, sim_err *err);
/* Looks key up: 1 and *out = the value when present, 0 when absent (or
 * null), negative when absent and flags has SIM_CFG_REQ. */
int sim_cfg_find(const sim_cfg_node *map, const char *key, unsigned flags,
                 const sim_cfg_node **out, sim_err *err);

/* ---- conversions of one node (what, when not NULL, names it in messages) -- */
int sim_cfg_as_duration(const sim_cfg_node *n, const char *what, unsigned flags, pol_ns *out, sim_err *err);
/* "70/s", "4200/min" or a plain number per second. */
int sim_cfg_as_rate(const sim_cfg_node *n, const char *what, unsigned flags, double *out, sim_err *err);
int sim_cfg_as_int(const sim_cfg_node *n, const char *what, long long lo, long long hi, long long *out, sim_err *err);
int sim_cfg_as_double(const sim_cfg_node *n, const char *what, double lo, double hi, double *out, sim_err *err);
/* true/false, yes/no, on/off (any case). */
int sim_cfg_as_bool(const sim_cfg_node *n, const char *what, int *out, sim_err *err);
/* Copies a scalar; too long for cap is an error. */
int sim_cfg_as_string(const sim_cfg_node *n, const char *what, char *buf, size_t cap, sim_err *err);
/* One of names (n_names of them): *out = its index. */
int sim_cfg_as_enum(const sim_cfg_node *n, const char *what, const char *const *names, size_t n_names,
                    int *out, sim_err *err);
/* A distribution (see sim_dist_parse); durations as for sim_dist_parse. */
int sim_cfg_as_dist(const sim_cfg_node *n, const char *what, int durations, const char *base_dir,
                    sim_dist *out, sim_err *err);

/* ---- keyed getters: absent (or null) keys keep *out = def, unless SIM_CFG_REQ --- */
int sim_cfg_get_duration(const sim_cfg_node *map, const char *key, unsigned flags, pol_ns def,
                         pol_ns *out, sim_err *err);
int sim_cfg_get_rate(const sim_cfg_node *map, const char *key, unsigned flags, double def,
                     double *out, sim_err *err);
int sim_cfg_get_int(const sim_cfg_node *map, const char *key, unsigned flags, long long lo, long long hi,
                    long long def, long long *out, sim_err *err);
int sim_cfg_get_double(const sim_cfg_node *map, const char *key, unsigned flags, double lo, double hi,
                       double def, double *out, sim_err *err);
int sim_cfg_get_bool(const sim_cfg_node *map, const char *key, unsigned flags, int def, int *out, sim_err *err);
int sim_cfg_get_string(const sim_cfg_node *map, const char *key, unsigned flags, const char *def,
                       char *buf, size_t cap, sim_err *err);
int sim_cfg_get_enum(const sim_cfg_node *map, const char *key, unsigned flags, const char *const *names,
                     size_t n_names, int def, int *out, sim_err *err);
/* def is distribution text ("constant(0)"); *out is replaced (the caller frees it). */
int sim_cfg_get_dist(const sim_cfg_node *map, const char *key, unsigned flags, int durations,
                     const char *base_dir, const char *def, sim_dist *out, sim_err *err);

/* ---- paths and CSV -------------------------------------------------------- */
/* rel resolved against dir (absolute rel is kept); fails when too long. */
int sim_cfg_resolve(const char *dir, const char *rel, char *out, size_t cap);

/* One item of an outcome list (retry_on, fail_on, ...): an HTTP status 400..599
 * (*lo = *hi = it), a class `4xx`/`5xx` (*lo..*hi), or a non-HTTP outcome
 * kind name (timeout, refused, ...; *kind set, *lo = *hi = 0; else *kind =
 * -1). `list` names the list in the located error message. */
int sim_cfg_as_outcome(const sim_cfg_node *it, const char *list, int *lo, int *hi, int *kind, sim_err *err);

typedef struct {
    const char        *path;   /* the file, for messages */
    size_t             n;      /* cells */
    const char *const *field;  /* cell texts, NUL-terminated, trimmed by libcsv */
    const int         *line, *col; /* 1-based position of each cell */
    size_t             index;  /* 0 for the first row of the file */
} sim_csv_row;
/* Called for every non-empty row; returns 0 to go on, negative (with err
 * set) to stop. */
typedef int (*sim_csv_row_fn)(void *user, const sim_csv_row *row, sim_err *err);

/* Limits of CSV inputs (docs/scenario-format.md, "CSV inputs"). */
#define SIM_CSV_MAX_BYTES ((size_t)256 << 20)   /* sim_cfg_csv_read_input: file size */
#define SIM_CSV_MAX_ROWS  ((size_t)10000000)    /* sim_cfg_csv_read_input: rows */
#define SIM_CSV_MAX_CELLS 1024                  /* cells in one row */
#define SIM_CSV_MAX_CELL  65536                 /* bytes in one cell */

/* Streams path through libcsv (strict quoting, 64 KiB at a time); a
 * malformed file, a NUL byte, a row of more than SIM_CSV_MAX_CELLS cells or
 * a cell longer than SIM_CSV_MAX_CELL is reported as "path:line:col: ...".
 * A path that is not a regular file is refused (POL_ENOTFOUND, unlocated
 * message, as for a missing file). An empty file gives no row and 0.
 * Returns 0 or the first negative code. For files retrysim wrote itself. */
int sim_cfg_csv_read(const char *path, sim_csv_row_fn fn, void *user, sim_err *err);
/* The same over the file's first nbytes only (a journal whose torn last
 * row the caller has measured off); nbytes 0 reads nothing and gives 0. */
int sim_cfg_csv_read_prefix(const char *path, size_t nbytes, sim_csv_row_fn fn, void *user, sim_err *err);
/* The reader of user inputs (timeline_csv, arrivals_csv, empirical(),
 * --grid-file): sim_cfg_csv_read plus at most SIM_CSV_MAX_BYTES and
 * SIM_CSV_MAX_ROWS (located errors), and an empty file (no row) is an error
 * "path: empty file (expected <expect>)" with POL_ENOTFOUND. */
int sim_cfg_csv_read_input(const char *path, const char *expect, sim_csv_row_fn fn, void *user, sim_err *err);
/* Whether a cell reads like a column name or a key (letters, digits, _-.[]
 * and spaces, 1..64 bytes): messages quote only such cells of a header, so
 * that a file that is not a CSV is not echoed. */
int sim_cfg_plausible_name(const char *s);
/* s for a message: control bytes as \xNN, cut after 60 bytes with "...". */
const char *sim_cfg_quote(const char *s, char *buf, size_t cap);

#endif
