/* import.h — a LiteLLM proxy config or a Portkey config as scenario text.
 *
 * sim_import_load() reads the user's file (YAML, or JSON, which is YAML)
 * with the document model of cfg.h and builds two document trees in the
 * scenario format: a sequence of providers (one per deployment / leaf
 * target) and a sequence of policies (one per LiteLLM model group, one for
 * a Portkey config). Every generated node carries the position of the
 * config value it comes from (a default carries the position of the map it
 * would be written in), so that the scenario loader's messages about an
 * imported value, and `tune --emit`, point into the user's file. A key that
 * is understood but not simulated is a warning ("file:line:col: warning:
 * ..."), collected in `warnings`; an unknown key is an error (a warning with
 * opts.lenient); a bad value is an error located like the loader's. The
 * mapping of every key, its default and its source: docs/import.md.
 *
 * sim_import_expand() is the loader's expansion step: it replaces, in a
 * scenario document, the `import:` entries of `providers:` and `policies:`
 * and a top-level `import:` by the imported trees (paths relative to the
 * scenario file), before overrides and typing (see docs/scenario-format.md,
 * "Importing a LiteLLM or Portkey config").
 *
 * sim_import_export() writes a tuned point back into the user's format: the
 * config's text with only the tuned values replaced (or inserted), by their
 * line and column; everything else is kept byte for byte.
 *
 * Cost: linear in the config; nothing here is on a simulation path.
 */
#ifndef SIM_IMPORT_H
#define SIM_IMPORT_H
#include <stddef.h>
#include "cfg.h"
#include "cfg_emit.h"

typedef enum { SIM_IMPORT_LITELLM = 0, SIM_IMPORT_PORTKEY, SIM_IMPORT__COUNT } sim_import_format;

const char *sim_import_format_name(sim_import_format f);            /* "litellm", "portkey" */
int         sim_import_format_parse(const char *name, sim_import_format *out);

typedef struct {
    int         lenient;    /* unknown keys are warnings, not errors */
    const char *name;       /* Portkey: the policy's name (default "portkey") */
} sim_import_opts;

typedef struct { const sim_cfg_node *node; char *text; } sim_import_note;

typedef struct {
    sim_import_format format;
    sim_cfg_doc   cfg;          /* the user's file as read */
    char         *src;          /* the file name every generated node points at (owned) */
    sim_cfg_node *providers;    /* SEQ of provider maps (owned) */
    sim_cfg_node *policies;     /* SEQ of policy maps (owned) */
    sim_buf       warnings;     /* "file:line:col: warning: ...\n" lines */
    int           nwarnings;
    sim_import_note *notes;     /* where a generated value comes from, for the emitted YAML */
    size_t        nnotes, capnotes;
    char          first_rpm_provider[64]; /* a provider with an rpm limit, for the skeleton's timeline */
    double        first_rpm;
} sim_import;

/* Reads and maps the file. 0, or a negative code with err set (located). */
int  sim_import_load(sim_import_format fmt, const char *path, const sim_import_opts *opts,
                     sim_import *out, sim_err *err);
void sim_import_free(sim_import *im);
/* The note of a generated node, or NULL (a sim_cfg_note_fn). */
const char *sim_import_note_of(void *im, const sim_cfg_node *n);

/* The YAML text `retrysim import` prints: a whole runnable scenario (a
 * header comment, the defaults of docs/import.md for what the config does
 * not say: duration, workload, a rate-limit drop), or only the policies:
 * block with policies_only. */
int  sim_import_emit(const sim_import *im, int policies_only, sim_buf *out);

/* The expansion step of sim_scenario_load (see above). Warnings of the
 * imported files are appended to *warnings (may be NULL). */
int  sim_import_expand(sim_cfg_doc *doc, sim_buf *warnings, sim_err *err);

/* tune --emit: the config the scenario's policy `policy` was imported from,
 * with the values of the tuned overrides (KEY=VALUE, applied after the
 * `base` overrides) written in the config's own keys and units. *text gets
 * the new file (caller frees), *config_path the file it was made from.
 * Fails (located, or naming the override) when the policy was not imported
 * in that format or a tuned key has no counterpart in the config. */
int  sim_import_export(const char *scenario, const char *const *base, int nbase, const char *policy,
                       const char *const *tuned, int ntuned, sim_import_format fmt,
                       char **text, char *config_path, size_t path_cap, sim_err *err);

#endif
