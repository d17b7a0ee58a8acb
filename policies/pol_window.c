/* pol_window.c — sliding time window of counters (pol_window.h).
 * Invariants: sum[c] == the sum of cells of counter c over the live slices;
 * a slice is cleared (and subtracted from the sums) before it is reused, so
 * no event outlives its window. Cost: O(1) amortised, no allocation.
 */
#include "pol_window.h"
#include <string.h>

int64_t pol_window_slice_of(pol_ns t, pol_ns slice)
{
    int64_t q = t / slice;
    return (t % slice != 0 && t < 0) ? q - 1 : q;
}

size_t pol_window_cells(int n_slices, int n_counters)
{
    if (n_slices < 1 || n_counters < 1 || n_counters > POL_WINDOW_MAX_COUNTERS) return 0;
    return (size_t)n_slices * (size_t)n_counters;
}

int pol_window_init(pol_window *w, pol_ns slice, int n_slices, int n_counters, int64_t *cells)
{
    if (!w || !cells || slice <= 0 || pol_window_cells(n_slices, n_counters) == 0) return POL_EINVAL;
    w->slice = slice;
    w->n_slices = n_slices;
    w->n_counters = n_counters;
    w->cells = cells;
    pol_window_reset(w);
    return POL_OK;
}

void pol_window_reset(pol_window *w)
{
    if (!w || !w->cells) return;
    memset(w->cells, 0, pol_window_cells(w->n_slices, w->n_counters) * sizeof *w->cells);
    memset(w->sum, 0, sizeof w->sum);
    w->newest = INT64_MIN;
}

static int64_t *cell(pol_window *w, int64_t k)
{
    int64_t pos = k % w->n_slices;
    if (pos < 0) pos += w->n_slices;
    return w->cells + pos * w->n_counters;
}

static void clear_slice(pol_window *w, int64_t k)
{
    int64_t *c = cell(w, k);
    for (int i = 0; i < w->n_counters; i++) {
        w->sum[i] -= c[i];
        c[i] = 0;
    }
}

void pol_window_advance(pol_window *w, pol_ns now)
{
    if (!w || !w->cells) return;
    int64_t k = pol_window_slice_of(now, w->slice);
    if (w->newest == INT64_MIN) {
        w->newest = k;
        return;
    }
    if (k <= w->newest) return;
    if (k - w->newest >= w->n_slices) {
        pol_window_reset(w);
    } else {
        for (int64_t j = w->newest + 1; j <= k; j++) clear_slice(w, j);
    }
    w->newest = k;
}

void pol_window_add(pol_window *w, pol_ns now, int counter, int64_t delta)
{
    if (!w || !w->cells || counter < 0 || counter >= w->n_counters) return;
    pol_window_advance(w, now);
    cell(w, w->newest)[counter] += delta;
    w->sum[counter] += delta;
}

int64_t pol_window_sum(pol_window *w, pol_ns now, int counter)
{
    if (!w || !w->cells || counter < 0 || counter >= w->n_counters) return 0;
    pol_window_advance(w, now);
    return w->sum[counter];
}
