/* pol_monitor.c — windowed failure counts with an edge-triggered alert
 * (pol_monitor.h).
 * Invariants: a target fires only while armed, and firing disarms it; it
 * re-arms only when its count is seen below the threshold (ALERT_EVERY: it
 * fires on every failure at or above the threshold).
 * Cost: O(1) amortised per call; one allocation per array in init.
 */
#include "pol_monitor.h"
#include <stdlib.h>
#include <string.h>

void pol_monitor_default(pol_monitor_cfg *out)
{
    if (!out) return;
    out->window = 60 * POL_NS_PER_S;
    out->slices = 60;
    out->threshold = 10;
    pol_failmask_default(&out->fail);
    out->alert = POL_MONITOR_ALERT_CROSSING;
}

int pol_monitor_init(pol_monitor *m, const pol_monitor_cfg *c, size_t n_targets)
{
    if (!m || !c || c->slices < 1 || c->slices > 100000 || c->window < c->slices
        || c->threshold < 1 || n_targets == 0
        || (c->alert != POL_MONITOR_ALERT_CROSSING && c->alert != POL_MONITOR_ALERT_EVERY)) return POL_EINVAL;
    memset(m, 0, sizeof *m);
    m->cfg = *c;
    m->n = n_targets;
    size_t per = pol_window_cells(c->slices, 1);
    m->win = calloc(n_targets, sizeof *m->win);
    m->armed = calloc(n_targets, 1);
    m->cells = calloc(n_targets * per, sizeof *m->cells);
    if (!m->win || !m->armed || !m->cells) {
        pol_monitor_free(m);
        return POL_ENOMEM;
    }
    for (size_t i = 0; i < n_targets; i++)
        pol_window_init(&m->win[i], c->window / c->slices, c->slices, 1, m->cells + i * per);
    pol_monitor_reset(m);
    return POL_OK;
}

void pol_monitor_free(pol_monitor *m)
{
    if (!m) return;
    free(m->win);
    free(m->armed);
    free(m->cells);
    m->win = NULL;
    m->armed = NULL;
    m->cells = NULL;
    m->n = 0;
}

void pol_monitor_reset(pol_monitor *m)
{
    if (!m || !m->win) return;
    for (size_t i = 0; i < m->n; i++) {
        pol_window_reset(&m->win[i]);
        m->armed[i] = 1;
    }
    m->alerts = 0;
}

int64_t pol_monitor_count(pol_monitor *m, size_t i, pol_ns now)
{
    if (!m || !m->win || i >= m->n) return POL_EINVAL;
    int64_t n = pol_window_sum(&m->win[i], now, 0);
    if (n < m->cfg.threshold) m->armed[i] = 1;
    return n;
}

int pol_monitor_record(pol_monitor *m, size_t i, pol_ns now, const pol_outcome *o)
{
    if (!m || !o || !m->win || i >= m->n) return POL_EINVAL;
    pol_monitor_count(m, i, now);                 /* expire, maybe re-arm */
    if (!pol_failmask_test(&m->cfg.fail, o)) return 0;
    pol_window_add(&m->win[i], now, 0, 1);
    if (m->cfg.alert == POL_MONITOR_ALERT_EVERY) {
        if (m->win[i].sum[0] < m->cfg.threshold) return 0;
        m->alerts++;
        return 1;
    }
    if (m->armed[i] && m->win[i].sum[0] >= m->cfg.threshold) {
        m->armed[i] = 0;
        m->alerts++;
        return 1;
    }
    return 0;
}
