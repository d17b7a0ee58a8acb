/* metrics.h — internal to sim/model: accounting during a run and the
 * per-run metrics at its end (the CI and CSV writers are public, model.h).
 * docs/metrics.md defines every metric. */
#ifndef SIM_METRICS_H
#define SIM_METRICS_H
#include "world.h"
#include <stdio.h>

void sim_metrics_latency(sim_world *w, unsigned cls, double seconds);   /* a success of class cls */
void sim_metrics_answer(sim_world *w, const sim_slot *s, pol_ns when);   /* a provider answered */
void sim_metrics_abandoned(sim_world *w, const sim_slot *s);             /* answer nobody waited for */
void sim_metrics_finish(sim_world *w, sim_run_metrics *out);
double sim_slot_cost(const sim_world *w, const sim_slot *s);

/* alerts.csv: one row per failure-monitor alert */
void sim_alert_write(sim_world *w, int provider, int cls, pol_ns when, long long failures);   /* cls -1: a global monitor */

#endif
