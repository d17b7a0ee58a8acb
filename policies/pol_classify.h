/* pol_classify.h — what to do with an outcome: retry, fall back only, or fail.
 *
 * A table from HTTP status (100..599) and from each non-HTTP outcome kind to a
 * class. Defaults: 408 409 429 500 502 503 504 529, timeouts and connection
 * errors RETRY; context-window and content-policy FALLBACK; every other 4xx
 * FAIL; every other 5xx RETRY; 2xx SUCCESS. Each entry can be overridden.
 * Cost: a table lookup. Size: ~520 bytes, plain data, copyable.
 */
#ifndef POL_CLASSIFY_H
#define POL_CLASSIFY_H
#include "pol_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    POL_CLASS_SUCCESS = 0,
    POL_CLASS_RETRY,         /* retry (same target), subject to the retry state machine */
    POL_CLASS_FALLBACK,      /* do not retry this target; a fallback target may be tried */
    POL_CLASS_FAIL           /* permanent: neither retry nor fall back */
} pol_class;

#define POL_STATUS_MIN 100
#define POL_STATUS_MAX 599

typedef struct {
    /* public: by_status[s - POL_STATUS_MIN] and by_kind[k] hold a pol_class;
     * pol_classify_set_status / _set_kind are the checked way to write them */
    uint8_t by_status[POL_STATUS_MAX - POL_STATUS_MIN + 1];
    uint8_t by_kind[POL_OUT__COUNT];  /* for the non-HTTP kinds; SUCCESS/HTTP entries unused */
} pol_classify_cfg;

POL_API void      pol_classify_default(pol_classify_cfg *out);
POL_API int       pol_classify_set_status(pol_classify_cfg *c, int status, pol_class cls);
POL_API int       pol_classify_set_kind(pol_classify_cfg *c, pol_outcome_kind k, pol_class cls);
POL_API pol_class pol_classify(const pol_classify_cfg *c, const pol_outcome *o);
POL_API const char *pol_class_name(pol_class c);      /* "success","retry","fallback","fail" */
POL_API int         pol_class_parse(const char *name, pol_class *out);
POL_API const char *pol_outcome_kind_name(pol_outcome_kind k); /* "success","http","timeout","refused","reset","context-window","content-policy" */

#ifdef __cplusplus
}
#endif
#endif
