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
 * Execution hands run indices, one at a time, to whichever worker asks, and
 * stores each one's fixed-size answer (index, status, metrics) at its index.
 * Two transports share that scheduler (bench_sched): forked workers with a
 * pipe pair each (sweep.c), or MPI ranks, rank 0 coordinating (sweep_mpi.c).
 * It can stop early (signal, run limit, a worker's death) and be resumed
 * from the finished runs (bench_sweep_read_partial).
 * Cost: memory is one loaded scenario per point plus SIM_M__COUNT doubles
 * per run; the parent's work per run is O(1) besides the message.
 */
#ifndef BENCH_SWEEP_H
#define BENCH_SWEEP_H
#include "model.h"
#include "progress.h"
#include "scenario.h"
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
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
    /* per-request-class metrics, only when kept (bench_sweep_keep_classes:
     * `check` with a class expectation); NULL otherwise */
    sim_run_metrics *cm;     /* each run's classes, point after point */
    size_t          *cfirst; /* [npoints]: index in cm of the point's first run's first class */
    sim_class_results *cres; /* [npoints]: views into cm, in runner.h's layout */
    /* the plan's inputs, kept so that MPI ranks can plan the same sweep */
    char            *path;   /* the scenario file */
    char           **base;   /* [nbase] overrides applied before each point's */
    int              nbase;
    char           **pols;   /* [npols] policy names, or NULL = all */
    int              npols;
} bench_sweep;

/* Takes over *grid (left empty). base: overrides applied to every point
 * before its own; policies: names to run in that order (NULL = all of each
 * point's policies). On failure err names the point and the loader's message
 * (for a grid file, "file:line:col: point N: ...") and nothing is kept. */
int  bench_sweep_plan(bench_sweep *s, const char *path, bench_grid *grid,
                      const char *const *base, int nbase,
                      const char *const *policies, int npolicies, sim_err *err);
void bench_sweep_free(bench_sweep *s);
/* Keeps each run's per-class metrics too (res[p] gets cres[p]): the local
 * transport then ships nclasses x sim_run_metrics after each run's message;
 * the MPI transport refuses such a sweep. 0, or -1 out of memory. */
int  bench_sweep_keep_classes(bench_sweep *s);
size_t bench_sweep_ndone(const bench_sweep *s);
/* "run 7 (point 1: retry.base=1s; policy full-jitter; replication 2)" into buf. */
const char *bench_sweep_describe(const bench_sweep *s, size_t run, char *buf, size_t cap);

typedef struct {
    int    jobs;          /* worker processes, >= 1 (local transport) */
    int    progress;      /* progress bar on stderr (when a terminal) */
    int    signals;       /* SIGINT/SIGTERM: stop handing out runs; a second one kills the workers */
    size_t max_runs;      /* stop as if interrupted after handing out this many (0 = no limit) */
    long   crash_run;     /* test hook: the worker given this run index dies (-1 = none) */
    int    mpi;           /* hand the runs to the MPI ranks (sweep_mpi.c) instead of forked workers */
    int    batch;         /* runs per message, 1..BENCH_BATCH_MAX (0 = sized by bench_sched_batch) */
    const char *who;      /* prefix of messages (NULL = "retrysim sweep") */
    const char *journal;  /* keep this partial file up to date while running: rewritten
                             at the start, one row appended per finished run, one
                             write(2) each (or NULL); `retrysim sweep` always keeps it */
} bench_exec_opts;

enum { BENCH_EXEC_DONE = 0, BENCH_EXEC_STOPPED = 1, BENCH_EXEC_FAILED = 2 };
/* Runs every run not yet done. Returns BENCH_EXEC_DONE when all are done,
 * BENCH_EXEC_STOPPED after an interruption or the run limit (the finished
 * runs are kept), BENCH_EXEC_FAILED when a run failed or a worker died (a
 * message naming the run is on stderr; the other finished runs are kept). */
int  bench_sweep_exec(bench_sweep *s, const bench_exec_opts *o);

/* ---- MPI (sweep_mpi.c; without MPI at build time, stubs that say so) ----
 * bench_mpi_main is a verb's entry point: without --mpi in argv it calls
 * body(argc, argv); with it, it initialises MPI (MPI_ERRORS_RETURN on
 * MPI_COMM_WORLD), and rank 0 runs body — whose bench_sweep_exec calls with
 * o->mpi hand their runs to the other ranks — while every other rank serves
 * those sweeps until body returns. Returns the rank's exit status (2 with a
 * message when retrysim was built without MPI). The pieces: bench_mpi_start
 * (MPI_Init; -1 without MPI), bench_mpi_serve (a worker's loop, until rank 0
 * calls bench_mpi_stop), bench_mpi_stop (releases the workers and finalises;
 * after a signal or an MPI error it does nothing: mpirun is ending the job). */
int  bench_mpi_main(int argc, char **argv, int (*body)(int, char **), const char *who);
/* The same, with --mpi decided by the caller (a verb that has parsed and
 * checked its command line before MPI starts: cli/cmd_sweep.c). */
int  bench_mpi_run(int mpi, int argc, char **argv, int (*body)(int, char **), const char *who);
/* This process's rank as the launcher announces it before MPI_Init
 * (OMPI_COMM_WORLD_RANK, PMIX_RANK, PMI_RANK), 0 when none does: so that a
 * usage error found before MPI starts is printed once, by rank 0. */
int  bench_mpi_rank_hint(void);
int  bench_mpi_start(int *rank, int *size, const char *who);
int  bench_mpi_serve(void);
void bench_mpi_stop(void);
int  bench_mpi_ranks(void);          /* ranks in MPI_COMM_WORLD (1 without MPI) */
int  bench_sweep_exec_mpi(bench_sweep *s, const bench_exec_opts *o);

/* ---- shared by the transports (sweep.c's forked workers, sweep_mpi.c's
 * ranks): everything but moving the bytes. */
typedef struct {
    uint32_t        run;
    int32_t         rc;
    uint64_t        wall_ns;      /* how long the run took on its worker (batch sizing) */
    sim_run_metrics m;
} bench_run_msg;
/* Executes run idx of s into *out (the --crash-run hook kills the caller). */
void bench_run_one(const bench_sweep *s, uint32_t idx, long crash_run, bench_run_msg *out);

/* The coordinator's bookkeeping: which run goes out next (in index order,
 * skipping done ones, up to max_runs), storing results, the progress bar
 * and messages. */
typedef struct {
    bench_sweep *s;
    const bench_exec_opts *o;
    const char *who;
    size_t  cursor;       /* runs before it are done or handed out */
    size_t  handed, finished;
    int     stopping, interrupted, failed, active;   /* active: handed out, no answer yet */
    double  run_ns;       /* total wall time of the answered runs (bench_run_msg.wall_ns)... */
    size_t  timed;        /* ...and how many */
    FILE   *journal;      /* o->journal opened for appending (fully buffered: a row per fflush), or NULL */
    sim_progress pb;
} bench_sched;
void bench_sched_begin(bench_sched *q, bench_sweep *s, const bench_exec_opts *o);
/* The next run index to hand out (active++), or -1: none left or stopping. */
long bench_sched_next(bench_sched *q);
/* Batches: a worker gets up to BENCH_BATCH_MAX runs per message when runs
 * are short, about BENCH_BATCH_NS of them by the mean run time measured so
 * far (1 until a run was measured), and never more than a share of what is
 * left that keeps every worker busy to the end (left / (2 x workers)).
 * Which worker runs a run never changes its result: the files are the same
 * for any batch size, worker count or rank count. */
#define BENCH_BATCH_MAX 64
#define BENCH_BATCH_NS  20000000.0   /* 20 ms of runs per message */
size_t bench_sched_batch(const bench_sched *q, int workers);
/* A run's message arrived (active--): stores its metrics, or reports its
 * failure ("<run>" + where + " failed: ...") and stops. */
void bench_sched_result(bench_sched *q, const bench_run_msg *m, const char *where);
/* Ends the progress bar and prints "who: message" on stderr. */
void bench_sched_say(bench_sched *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Ends the bar; the BENCH_EXEC_* status (killed: runs were abandoned). */
int  bench_sched_end(bench_sched *q, int killed);

/* SIGINT/SIGTERM while executing: counted (and a byte written to wake_fd,
 * when >= 0, for poll); restore puts the previous handlers back. Catches
 * nest: only the outermost resets the count (tune catches around all its
 * sweeps, so a signal between two of them is not forgotten). */
typedef struct { struct sigaction old_int, old_term; int old_wake; } bench_sigsave;
void bench_signals_catch(bench_sigsave *save, int wake_fd);
void bench_signals_restore(const bench_sigsave *save);
int  bench_signals_received(int *last_signal);

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
 * scenario, policy, replication and seed equal to the planned run's. A torn
 * last row — the bytes after the last newline outside quotes: a journal
 * append cut short by the process's death — is not read; *torn (when not
 * NULL) gets its length in bytes (0: none). Any other malformed row is an
 * error. */
int  bench_sweep_read_partial(bench_sweep *s, const char *path, size_t *torn, sim_err *err);

#endif
