/* runner.h — runs a scenario's compared policies x replications and keeps
 * the per-run metrics; writes the timeseries and trace streams in a fixed
 * order (policy order of the file, then replication), so outputs do not
 * depend on how the runs were executed. Used by run, check and sweep. */
#ifndef SIM_RUNNER_H
#define SIM_RUNNER_H
#include "world.h"
#include <stdio.h>

typedef struct {
    int              npolicies;
    int             *policy;      /* indices into sc->policies, in output order */
    int              reps;
    sim_run_metrics *m;           /* [i * reps + r] for policy[i], replication r */
} sim_results;

typedef struct {
    FILE *timeseries;             /* or NULL */
    FILE *trace;                  /* attempts.csv stream, or NULL */
    int   progress;               /* draw a progress bar on stderr */
    const char *label;            /* progress bar label */
    FILE *alerts;                 /* alerts.csv stream (failure monitor), or NULL */
} sim_runner_opts;

/* policies: NULL = all. Returns 0, or a negative POL_E* (message on stderr). */
int  sim_runner_run(const sim_scenario *sc, const int *policies, int npolicies,
                    const sim_runner_opts *o, sim_results *res);
void sim_results_free(sim_results *r);
/* Metric values of policy slot i across replications into out[reps]. */
void sim_results_column(const sim_results *r, int i, sim_metric_id m, double *out);

/* Writes summary.csv and summary-ci.csv rows. */
void sim_summary_header(FILE *f);
void sim_summary_write(FILE *f, const sim_scenario *sc, const sim_results *r);
void sim_summary_ci_header(FILE *f);
void sim_summary_ci_write(FILE *f, const sim_scenario *sc, const sim_results *r);
/* The compact table `run` prints. */
void sim_summary_table(FILE *f, const sim_scenario *sc, const sim_results *r);

#endif
