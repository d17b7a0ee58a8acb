/* pol_preset.h — named presets reproducing real clients' retry defaults.
 *
 * Each preset fills a pol_retry_cfg with the constants of a real client
 * library at a named version; docs/policies.md cites the source of every
 * constant. pol_preset_list() enumerates them in a fixed order.
 */
#ifndef POL_PRESET_H
#define POL_PRESET_H
#include "pol_retry.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* read-only: the library's constant tables */
    const char *name;         /* e.g. "openai-python" */
    const char *summary;      /* one line: what it does */
    const char *source;       /* where the constants come from (library, version, file) */
} pol_preset_info;

POL_API int  pol_preset_get(const char *name, pol_retry_cfg *out);   /* POL_OK or POL_ENOTFOUND */
POL_API const pol_preset_info *pol_preset_list(size_t *n_out);

/* A policy from an inline spec, the text `retrysim delays` and the Python
 * package (python/retrypol) accept:
 *   [PRESET | KIND[:key=value,...]][;on=MATCH|MATCH...:key=value,...]...[;count=MODE]
 * KIND constant|linear|exponential starts from pol_retry_default; keys base
 * cap floor step jitter_max (durations: 250ms, 1.5s, 2m, 1h, 0), mult factor
 * (numbers), jitter (a pol_jitter_name), attempts (0..1000000, total
 * attempts; 0 = unlimited); `step` follows `base` unless written. Each
 * `;on=` adds a per-kind rule (pol_retry_rule_init from the policy so far,
 * MATCH as pol_retry_rule_match_parse, the same keys plus backoff=KIND; a
 * key written sets its POL_RULE_* bit). `;count=` is a pol_count_mode_name.
 * The result passes pol_retry_validate. Returns POL_OK; POL_ENOTFOUND (not a
 * preset nor a KIND), POL_EPARSE (syntax, an unknown key, a bad value),
 * POL_ERANGE (too long, too many rules, out of range) or POL_EINVAL (NULL
 * spec or out), with a one-line message in err (errcap bytes, may be NULL /
 * 0); *out is written only on success. Durations and numbers are read with
 * strtod, so in the C locale (the default of a program that never calls
 * setlocale). Pure: reads only its arguments. Cost: O(length of spec). */
POL_API int  pol_retry_spec_parse(const char *spec, pol_retry_cfg *out, char *err, size_t errcap);

#ifdef __cplusplus
}
#endif
#endif
