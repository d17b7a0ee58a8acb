/* import_util.h — what the importers share (internal to sim/scenario):
 * building located nodes, warnings (one per key name and place, with a
 * count), key tables (simulated / understood but not simulated / unknown),
 * reading numbers and durations from config values, provider names.
 * Errors: every function that can fail writes err (located) and returns a
 * negative code; builders record an allocation failure in ctx->oom, which
 * the importer checks once at the end.
 */
#ifndef SIM_IMPORT_UTIL_H
#define SIM_IMPORT_UTIL_H
#include "import.h"
#include "err.h"

typedef struct {
    sim_import *im;
    const char *src;           /* = im->src */
    int         lenient;
    sim_err    *err;
    int         oom;
    /* aggregated warnings: one per (what, key) */
    struct agg { char *what, *key, *why; const sim_cfg_node *at; int count; } *agg;
    size_t      nagg, capagg;
    /* every warning, written sorted by position by imp_flush */
    struct warning { int line, col; size_t seq; char *text; } *w;
    size_t      nw, capw;
} imp_ctx;

/* ---- nodes (positioned at `at`, or 1:1 of the file when at is NULL) ------ */
sim_cfg_node *imp_scalar(imp_ctx *c, const sim_cfg_node *at, const char *text);
sim_cfg_node *imp_scalarf(imp_ctx *c, const sim_cfg_node *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
sim_cfg_node *imp_map(imp_ctx *c, const sim_cfg_node *at);
sim_cfg_node *imp_seq(imp_ctx *c, const sim_cfg_node *at);
/* map[key] = val (the key node is placed at val); takes val. */
void imp_put(imp_ctx *c, sim_cfg_node *map, const char *key, sim_cfg_node *val);
void imp_push(imp_ctx *c, sim_cfg_node *seq, sim_cfg_node *val);
/* A note for the emitted YAML ("num_retries 3 + 1 (router.yaml:12)"). */
void imp_note(imp_ctx *c, const sim_cfg_node *val, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- warnings -------------------------------------------------------------- */
void imp_warn(imp_ctx *c, const sim_cfg_node *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* An understood key that is not simulated: one warning per (what, key),
 * at its first place, with the count of places. */
void imp_ignored(imp_ctx *c, const char *what, const sim_cfg_node *key, const char *why);
/* Writes every warning, in the file's order (call once, at the end). */
void imp_flush(imp_ctx *c);

/* ---- keys ------------------------------------------------------------------ */
typedef struct {
    const char *key;
    const char *ignored;       /* NULL: simulated; else why it is not */
} imp_key;
/* Checks every key of map against the table: an ignored key is a warning,
 * an unknown key an error with did-you-mean (a warning when lenient).
 * `what` names the map ("router_settings", "model_list[2].litellm_params"),
 * `agg` the warning group for ignored keys (NULL: what). */
int imp_check_keys(imp_ctx *c, const sim_cfg_node *map, const char *what, const char *agg,
                   const imp_key *keys, size_t nkeys);
/* The same for a map that takes keys the importer does not know (LiteLLM's
 * litellm_params, Portkey's override_params: request parameters passed on):
 * an unknown key close to a simulated one (did-you-mean) is an error, any
 * other a warning saying `open`. */
int imp_check_keys_open(imp_ctx *c, const sim_cfg_node *map, const char *what, const char *agg,
                        const imp_key *keys, size_t nkeys, const char *open);

/* ---- values ---------------------------------------------------------------- */
/* An "os.environ/NAME" reference: the value is unknown here (a warning). */
int imp_is_env(imp_ctx *c, const sim_cfg_node *v, const char *what);
/* A number (or a quoted number) into *out, >= lo; 1 ok, 0 absent/env, <0 error. */
int imp_number(imp_ctx *c, const sim_cfg_node *v, const char *what, double lo, double *out);
int imp_int(imp_ctx *c, const sim_cfg_node *v, const char *what, long long lo, long long hi, long long *out);
int imp_bool(imp_ctx *c, const sim_cfg_node *v, const char *what, int *out);
/* A duration scalar from a number of seconds (or milliseconds with ms = 1),
 * written as the config's text plus the unit so that it parses back to the
 * same nanoseconds. */
sim_cfg_node *imp_duration(imp_ctx *c, const sim_cfg_node *v, int ms);
/* The text of a scalar (NULL for other kinds). */
const char *imp_str(const sim_cfg_node *v);

/* ---- names ----------------------------------------------------------------- */
/* A scenario name from free text: [A-Za-z0-9._-] kept, others become '-',
 * at most 63 characters; unique among the names already in `names` (-2, -3,
 * ... appended). Writes out (SIM_NAME_MAX). */
void imp_name(const char *text, char (*names)[SIM_NAME_MAX], int nnames, char *out);

/* ---- expansion and export (import.c, import_export.c) ----------------------- */
typedef struct {
    sim_import_format format;
    int   lenient;
    char  path[SIM_PATH_MAX];      /* the file as resolved against the scenario's directory */
    char  name[SIM_NAME_MAX];      /* portkey: the policy's name, "" = the default */
    const char *src;               /* the name the imported nodes point at (owned by the document) */
} imp_site;
/* sim_import_expand, also returning every import it loaded (caller frees *sites). */
int imp_expand(sim_cfg_doc *doc, sim_buf *warnings, sim_err *err, imp_site **sites, size_t *nsites);
/* sim_import_load of text, as if read from a file called name. */
int imp_load_text(sim_import_format fmt, const char *name, const char *text, const sim_import_opts *opts,
                  sim_import *out, sim_err *err);

/* ---- the formats (import_litellm.c, import_portkey.c) ---------------------- */
/* The default provider model of docs/import.md ("name" and the latency that
 * the config does not give), positioned at `at`. */
sim_cfg_node *imp_provider(imp_ctx *c, const sim_cfg_node *at, const char *name);
int imp_litellm(imp_ctx *c, const sim_cfg_node *root);
int imp_portkey(imp_ctx *c, const sim_cfg_node *root, const char *name);

#endif
