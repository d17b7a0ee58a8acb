/* check.h — regression assertions on scenarios (`retrysim check`): the
 * expect: list of a scenario evaluated on a run of the policies it names.
 *
 * Semantics (docs/cli.md, "retrysim check"): a bound {policy, metric, min,
 * max, on} compares the replications' mean (on: mean) or a bound of its 95%
 * Student-t CI (on: upper / lower) with min and max, inclusive. A comparison
 * {better, than, metric} holds when better's mean beats than's mean in the
 * metric's direction (on: mean), or — on: upper or lower — when better's
 * whole CI lies on the better side of than's mean: for a lower-is-better
 * metric better's upper bound < than's mean, otherwise better's lower bound
 * > than's mean. An undefined value (no finite replication, or a CI with
 * fewer than two) fails.
 * With `class: C` the value is request class C's (summary-classes.csv): the
 * executor then ships each run's per-class metrics as well.
 * Runs: the named policies only, in file order, as a one-point sweep on the
 * sweep executor (sweep.h): run i of policy j is the run `retrysim run`
 * makes, whatever the number of workers. A scenario without expectations
 * is not run.
 */
#ifndef BENCH_CHECK_H
#define BENCH_CHECK_H
#include "model.h"
#include "scenario.h"

typedef struct {
    int  pass;
    char expr[256];      /* "success_rate(full-jitter).ci95_low >= 0.99" */
    char measured[700];  /* "0.9931, 95% CI [0.9912, 0.995], n=5" */
} bench_check_outcome;

typedef struct {
    sim_scenario         sc;
    sim_results          res;       /* when ran */
    sim_class_results    cres;      /* per-class metrics of the same runs, when an expectation names a class */
    int                  ran;
    int                  npolicies; /* the policies run (those the expectations name) */
    double               seconds;   /* wall time of the runs */
    bench_check_outcome *out;       /* [sc.nexpect], after bench_check_run */
} bench_check_file;

/* Loads path (with the overrides) into *c; 0, or -1 with the loader's
 * "file:line:col: message" in err. Free with bench_check_free either way. */
int  bench_check_load(bench_check_file *c, const char *path, const char *const *sets, int nsets, sim_err *err);
/* Runs the policies c's expectations name on `jobs` worker processes and
 * evaluates every expectation into c->out. 0; -2 interrupted (SIGINT,
 * SIGTERM); -1 failed (err->msg says why, or is empty when the executor
 * already reported the run that failed). */
int  bench_check_run(bench_check_file *c, const char *path, const char *const *sets, int nsets, int jobs, sim_err *err);
/* The JUnit XML report of nfiles checked files (atomically; its directory
 * is created). 0, or -1 after a message on stderr. */
int  bench_check_write_junit(const char *path, const bench_check_file *fc, int nfiles, int tests, int failures,
                             double seconds);
void bench_check_free(bench_check_file *c);

#endif
