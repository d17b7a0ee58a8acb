/* pol_failmask.h — which outcomes count as failures, for the stateful policies
 * (breakers, cooldowns, outlier ejection, failure monitors).
 *
 * A mask is a bit per HTTP status (100..599) and a bit per non-HTTP outcome
 * kind (timeout, refused, reset, context-window, content-policy, stream-cut,
 * stream-error, stream-timeout). A success
 * kind never counts, whatever the bits. The default is the "transient" set of
 * Microsoft.Extensions.Http.Resilience (HttpClientResiliencePredicates:
 * 408, 429, every 5xx, and transport errors: timeout, refused, reset), and
 * the three mid-stream failures;
 * context-window and content-policy 400s are the caller's fault and do not
 * count. A mask can also be derived from a pol_classify_cfg (every status and
 * kind whose class is in a set of classes).
 * Invariants: pol_failmask_test is a pure function of (mask, outcome); the
 * mask is plain data (72 bytes), copyable, shareable read-only.
 * Cost: O(1) per test; building from classes is O(500).
 */
#ifndef POL_FAILMASK_H
#define POL_FAILMASK_H
#include "pol_common.h"
#include "pol_classify.h"

#ifdef __cplusplus
extern "C" {
#endif

#define POL_FAILMASK_NSTATUS (POL_STATUS_MAX - POL_STATUS_MIN + 1)

typedef struct {
    /* private: build and test it with the pol_failmask_* functions; plain
     * data, copy it freely */
    uint8_t  status_bits[(POL_FAILMASK_NSTATUS + 7) / 8];
    uint32_t kind_bits;      /* bit (1u << kind) for the non-HTTP kinds */
} pol_failmask;

POL_API void pol_failmask_default(pol_failmask *m);        /* 408, 429, 5xx, timeout, refused, reset */
POL_API void pol_failmask_none(pol_failmask *m);           /* nothing counts */
/* Sets statuses lo..hi (inclusive, within 100..599) to count or not. */
POL_API int  pol_failmask_set_status(pol_failmask *m, int lo, int hi, int counts);
POL_API int  pol_failmask_set_kind(pol_failmask *m, pol_outcome_kind k, int counts);
/* Every status and non-HTTP kind whose class (per c) has its bit
 * (1u << pol_class) in class_bits counts; nothing else does. */
POL_API int  pol_failmask_from_classes(pol_failmask *m, const pol_classify_cfg *c, unsigned class_bits);
/* 1 when o counts as a failure, 0 when not (also for NULL arguments). */
POL_API int  pol_failmask_test(const pol_failmask *m, const pol_outcome *o);

#ifdef __cplusplus
}
#endif
#endif
