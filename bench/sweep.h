/* sweep.h — parameter sweeps: a grid of scenario overrides, run as
 * points x policies x replications by a pool of worker processes.
 *
 * A sweep is planned, executed, then written. Planning loads the scenario
 * once per grid point (with that point's "key.path=value" overrides), so
 * every bad key or value is reported before any run starts, and lays the
 * runs out in output order: point, then policy (file order, or --policy
 * order), then replication. A run's metrics depend only on (point's
 * scenario, policy, replication) — never on the worker that ran it — so
 * the outputs are byte-identical whatever the number of workers.
 * Execution forks workers that receive run indices over a pipe each and send
 * back one fixed-size message (index, status, metrics) per run; the parent
 * stores it at its index. It can stop early (signal, run limit, a worker's
 * death) and be resumed from the finished runs (bench_sweep_read_partial).
 * Cost: memory is one loaded scenario per point plus SIM_M__COUNT doubles
 * per run; the parent's work per run is O(1) besides the message.
 */
#ifndef BENCH_SWEEP_H
#define BENCH_SWEEP_H
#include "runner.h"
#include "scenario.h"
#include <stddef.h>
#include <stdio.h>

/* The points of a sweep: nkeys override paths and, per point, one value
 * text per key. */
typedef struct {
    int    nkeys;
    char **keys;          /* override paths, in column order */
    int    npoints;
    char **values;        /* [point * nkeys + k] */
    char  *file;          /* the --grid-file, or NULL */
    int   *line;          /* grid file: [point] line of the row */
    int   *col;           /* grid file: [point * nkeys + k] column of the cell */
} bench_grid;

/* Adds an axis "key=v1,v2,..." (values split at commas outside (), [], {}
 * and quotes). The new axis varies fastest, so the first axis added varies
 * slowest. A grid with no axis has one point (no overrides). Returns 0, or
 * negative with a message in err. */
int  bench_grid_axis(bench_grid *g, const char *spec, sim_err *err);
/* Reads a CSV file: a header of keys, then one point per row (libcsv). A
 * bad row is reported as "file:line:col: ...". Replaces g's points. */
int  bench_grid_file(bench_grid *g, const char *path, sim_err *err);
void bench_grid_free(bench_grid *g);

typedef struct { int point, policy, rep; } bench_run;   /* policy: index into sc[point].policies */

typedef struct {
    bench_grid       grid;
    sim_scenario    *sc;     /* [npoints], each loaded with its point's overrides */
    sim_results     *res;    /* [npoints]: a view of the point's runs, in runner.h's layout
                                (res[p].m points into m; res[p].policy is owned here) */
    size_t           nruns;
    bench_run       *run;    /* [nruns], output order */
    size_t          *first;  /* [npoints]: index of the point's first run */
    sim_run_metrics *m;      /* [nruns] */
    unsigned char   *done;   /* [nruns]: 1 when m holds the run's metrics */
} bench_sweep;

/* Takes over *grid (left empty). base: overrides applied to every point
 * before its own; policies: names to run in that order (NULL = all of each
 * point's policies). On failure err names the point and the loader's message
 * (for a grid file, "file:line:col: point N: ...") and nothing is kept. */
int  bench_sweep_plan(bench_sweep *s, const char *path, bench_grid *grid,
                      const char *const *base, int nbase,
                      const char *const *policies, int npolicies, sim_err *err);
void bench_sweep_free(bench_sweep *s);
size_t bench_sweep_ndone(const bench_sweep *s);
/* "run 7 (point 1: retry.base=1s; policy full-jitter; replication 2)" into buf. */
const char *bench_sweep_describe(const bench_sweep *s, size_t run, char *buf, size_t cap);

typedef struct {
    int    jobs;          /* worker processes, >= 1 */
    int    progress;      /* progress bar on stderr (when a terminal) */
    int    signals;       /* SIGINT/SIGTERM: stop handing out runs; a second one kills the workers */
    size_t max_runs;      /* stop as if interrupted after handing out this many (0 = no limit) */
    long   crash_run;     /* test hook: the worker given this run index dies (-1 = none) */
} bench_exec_opts;

enum { BENCH_EXEC_DONE = 0, BENCH_EXEC_STOPPED = 1, BENCH_EXEC_FAILED = 2 };
/* Runs every run not yet done. Returns BENCH_EXEC_DONE when all are done,
 * BENCH_EXEC_STOPPED after an interruption or the run limit (the finished
 * runs are kept), BENCH_EXEC_FAILED when a run failed or a worker died (a
 * message naming the run is on stderr; the other finished runs are kept). */
int  bench_sweep_exec(bench_sweep *s, const bench_exec_opts *o);

/* sweep.csv: point, keys..., then the columns of summary.csv (scenario,
 * policy, replication, seed, metrics); sweep-ci.csv: point, keys..., then
 * those of summary-ci.csv (scenario, policy, metric, n, mean, sd, ci95_low,
 * ci95_high). A point's rows are the ones `retrysim run` writes for it.
 * Every run must be done. Return 0, or -1 when out of memory. */
int  bench_sweep_write_runs(FILE *f, const bench_sweep *s);
int  bench_sweep_write_ci(FILE *f, const bench_sweep *s);
/* sweep.partial.csv: a run column, then sweep.csv's columns, for the runs
 * done only, with metrics printed exactly (%.17g) for resuming. */
void bench_sweep_write_partial(FILE *f, const bench_sweep *s);
/* Marks the runs of a partial file done (with their metrics). The file must
 * come from the same sweep: same columns, and every row's point, values,
 * scenario, policy, replication and seed equal to the planned run's. */
int  bench_sweep_read_partial(bench_sweep *s, const char *path, sim_err *err);

#endif
