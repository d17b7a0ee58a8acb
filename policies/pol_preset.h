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

#ifdef __cplusplus
}
#endif
#endif
