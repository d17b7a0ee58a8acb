/* pol_window.h — a sliding time window of counters, the shared building block
 * of the windowed policies (Resilience4j time-based and Polly breakers,
 * Finagle retry budget, SRE throttling, failure monitor).
 *
 * The window covers n_slices slices of `slice` ns each; slice k holds the
 * events with floor(t / slice) == k (slices are aligned to multiples of the
 * slice length from time 0, so two windows with the same geometry agree). At
 * time now the window holds slices k_now - n_slices + 1 .. k_now, i.e. the
 * last (n_slices - 1) * slice ns plus the current partial slice. Each slice
 * holds up to POL_WINDOW_MAX_COUNTERS counters, and the window keeps their
 * running sums, so a query is O(1) amortised: advancing by m slices costs
 * O(min(m, n_slices)). Time may not go backwards: an event or query before
 * the newest slice is counted in the newest slice (never lost, never negative
 * indices).
 * Storage (n_slices * n_counters int64_t) is supplied by the owner and never
 * reallocated: nothing here allocates.
 */
#ifndef POL_WINDOW_H
#define POL_WINDOW_H
#include "pol_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define POL_WINDOW_MAX_COUNTERS 4

typedef struct {
    /* read-only: the geometry given to pol_window_init */
    pol_ns   slice;          /* slice length, > 0 */
    int      n_slices;       /* >= 1 */
    int      n_counters;     /* 1..POL_WINDOW_MAX_COUNTERS */
    /* private (pol_window_sum reads the counts) */
    int64_t  newest;         /* absolute index of the newest slice (INT64_MIN = empty) */
    int64_t *cells;          /* [n_slices][n_counters], owner-supplied */
    int64_t  sum[POL_WINDOW_MAX_COUNTERS];
} pol_window;

/* Storage needed for a geometry, in int64_t elements. */
POL_API size_t  pol_window_cells(int n_slices, int n_counters);
POL_API int     pol_window_init(pol_window *w, pol_ns slice, int n_slices, int n_counters, int64_t *cells);
POL_API void    pol_window_reset(pol_window *w);
/* Moves the window to `now` (drops expired slices). */
POL_API void    pol_window_advance(pol_window *w, pol_ns now);
POL_API void    pol_window_add(pol_window *w, pol_ns now, int counter, int64_t delta);
POL_API int64_t pol_window_sum(pol_window *w, pol_ns now, int counter);
/* Absolute index of the slice holding time t (floor division). */
POL_API int64_t pol_window_slice_of(pol_ns t, pol_ns slice);

#ifdef __cplusplus
}
#endif
#endif
