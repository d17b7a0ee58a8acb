/* tune_report.h — around a tune search (tune.h): checking the problem
 * before any run (tune_probe), and its outputs: tune.csv (one row per
 * evaluation) and the printed report (the best point with its metrics and
 * CIs, the runner-up points, the runs used and a YAML policy block with the
 * tuned keys set, rebuilt from the scenario file with sim_cfg). docs/cli.md,
 * "retrysim tune", describes both.
 */
#ifndef BENCH_TUNE_REPORT_H
#define BENCH_TUNE_REPORT_H
#include "tune.h"
#include <stdio.h>

/* Plans the corners (every parameter at LO, then at HI) without running
 * them: every key and value is checked, and the policy and replications are
 * read (P->policy is strdup'ed from the scenario's only policy when npol is
 * 0; P->reps defaults to the scenario's). 0, or 2 with the message in err
 * (the loader's, or "X has N policies; name the one to tune with --policy"). */
int  tune_probe(tune_problem *P, const char *const *pols, int npol, char *err, size_t cap);
/* tune.csv: point, the parameters, phase, replications, metric, direction,
 * mean, ci95_low, ci95_high, one column per constraint, violation, feasible,
 * penalized. */
void tune_write_csv(FILE *f, const tune_problem *P, const tune_state *T);
/* The report of a finished search (quiet: the best point's line only). */
void tune_report(FILE *f, const tune_problem *P, const tune_state *T, int top, int quiet);

#endif
