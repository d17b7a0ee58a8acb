/* pol_monitor.h — failure monitor: per-target failure counts over a sliding
 * time window, with an edge-triggered alert.
 *
 * pol_monitor_record() counts a failure (per cfg.fail) for target i at now
 * in a window of `window` ns (`slices` slices, pol_window.h); it returns 1
 * exactly when this record makes the count reach `threshold` while the target
 * is armed (the alert fires once), 0 otherwise. The target re-arms when its
 * count is seen below the threshold again (at a record or a count query),
 * so a sustained burst fires once and a later burst fires again. With
 * cfg.alert = POL_MONITOR_ALERT_EVERY it returns 1 for every failure that
 * leaves the count at or above the threshold (no arming).
 * Invariants: alerts fired <= times armed; count = failures in the window.
 * Cost: O(1) amortised per call; pol_monitor_init allocates n_targets rings.
 */
#ifndef POL_MONITOR_H
#define POL_MONITOR_H
#include "pol_common.h"
#include "pol_failmask.h"
#include "pol_window.h"

#ifdef __cplusplus
extern "C" {
#endif

/* When a target alerts: once per upward crossing of the threshold (the
 * default), or on every failure recorded while its count is at or above it
 * (the seed's FailureMonitor, /work/shared/seeds/000: threshold 5 in the
 * last hour, an alert from the 5th failure on, each time). */
typedef enum { POL_MONITOR_ALERT_CROSSING = 0, POL_MONITOR_ALERT_EVERY } pol_monitor_alert;

typedef struct {
    /* public */
    pol_ns  window;               /* 60 s */
    int     slices;               /* 60 */
    int     threshold;            /* failures in the window that alert, 10 */
    pol_failmask fail;
    pol_monitor_alert alert;      /* CROSSING */
} pol_monitor_cfg;

typedef struct {
    /* read-only */
    pol_monitor_cfg cfg;          /* the copy pol_monitor_init took */
    size_t      n;                /* targets */
    /* private (pol_monitor_count reads a target's count) */
    pol_window *win;              /* one per target */
    uint8_t    *armed;
    int64_t    *cells;
    /* read-only */
    uint64_t    alerts;           /* alerts fired */
} pol_monitor;

POL_API void pol_monitor_default(pol_monitor_cfg *out);
POL_API int  pol_monitor_init(pol_monitor *m, const pol_monitor_cfg *c, size_t n_targets); /* POL_EINVAL / POL_ENOMEM */
POL_API void pol_monitor_free(pol_monitor *m);
POL_API void pol_monitor_reset(pol_monitor *m);
/* 1 = alert fired now, 0 = no alert, < 0 error (POL_EINVAL, bad index). */
POL_API int  pol_monitor_record(pol_monitor *m, size_t i, pol_ns now, const pol_outcome *o);
/* Failures of target i in the window at now (re-arms when below); < 0 error. */
POL_API int64_t pol_monitor_count(pol_monitor *m, size_t i, pol_ns now);

#ifdef __cplusplus
}
#endif
#endif
