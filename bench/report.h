/* report.h — one self-contained HTML page of a result (`retrysim report DIR`,
 * `run|sweep|check --report FILE.html`): the scenario's description (the
 * header comment of its file) and timeline, every chart `retrysim plot`
 * draws for the directory (inline SVG), the summary table with its 95%
 * confidence intervals, the expectations with PASS/FAIL and the measured
 * values, and the command line, seed and version that made it. No
 * JavaScript, no external reference: the page reads offline as one file.
 *
 * Where each part comes from:
 *   - DIR/run.csv (`key,value` rows, written atomically by run, sweep and
 *     check next to their outputs: bench_report_meta_write) names the verb,
 *     the exact command line, the scenario path, its overrides, the seed,
 *     the replications and the version;
 *   - the scenario file (run.csv's, or --scenario): its header comment, its
 *     typed timeline (sim_scenario_load with the recorded overrides), and its
 *     text, folded at the end;
 *   - charts: bench_plot (plot.h) into a scratch directory as SVG, each
 *     embedded with its ids prefixed so that several SVGs share one page;
 *   - the table: DIR/summary-ci.csv (run), DIR/ranking.csv (sweep), or the
 *     CI rows of check's own runs (sim_summary_ci_write on its results);
 *   - expectations: evaluated by bench/check.c, never here: `check
 *     --report` passes its outcomes; for a run directory the report asks
 *     check.h to run the policies the expectations name again with the
 *     recorded overrides (by construction the same runs as the directory's:
 *     same scenario, seed, policy and replication), and says whether the
 *     re-run's confidence intervals are byte-identical to the directory's.
 *     A sweep's points are not checked.
 * Invariants: the HTML is written to a temporary and renamed (outfile.h);
 * the same directory and binary give the same bytes.
 * Cost: the charts (one gnuplot per chart), plus for a run directory with
 * expectations the runs of the policies they name.
 */
#ifndef BENCH_REPORT_H
#define BENCH_REPORT_H
#include "check.h"
#include <stddef.h>

#define BENCH_REPORT_META_FILE "run.csv"
#define BENCH_REPORT_MAX_SETS  64

/* What made a result directory (DIR/run.csv). */
typedef struct {
    char verb[16];               /* run, sweep, check */
    char command[4096];          /* the exact command line, shell-quoted */
    char scenario[1024];         /* the scenario file as given */
    char name[128];              /* its scenario: name */
    char objective[128];         /* sweep: --objective (METRIC[:min|max]) */
    char version[32];
    long long seed, replications;
    int  nsets;
    char sets[BENCH_REPORT_MAX_SETS][256];   /* overrides, in order (--set, --seed, --grid keys are not here) */
} bench_report_meta;

/* Fills m for `verb` run on scenario `path` (loaded as sc, with these
 * overrides): the command line is this process's (/proc/self/cmdline). */
void bench_report_meta_fill(bench_report_meta *m, const char *verb, const char *path, const sim_scenario *sc,
                            const char *const *sets, int nsets);
/* DIR/run.csv, atomically: 0, or -1 after a message on stderr ("who: ..."). */
int  bench_report_meta_write(const char *dir, const bench_report_meta *m, const char *who);
/* Reads DIR/run.csv: 0; -1 when it is absent or unreadable (err says). */
int  bench_report_meta_read(const char *dir, bench_report_meta *m, char *err, size_t errcap);

typedef struct {
    const char *dir;             /* the result directory (run, sweep), or NULL (check) */
    const char *out;             /* the HTML file */
    const char *scenario;        /* overrides meta's scenario path, or NULL */
    const char *who;             /* message prefix: "retrysim report" */
    int         jobs;            /* workers for the expectations' runs (>= 1) */
    int         no_expect;       /* do not evaluate a run directory's expectations */
    int         quiet;           /* no "wrote" line */
} bench_report_opts;

/* The report of a run or sweep directory (its run.csv, or o->scenario).
 * Returns the exit status: 0 written; 2 bad input (no run.csv and no
 * --scenario, an unloadable scenario, nothing to report), a chart or the
 * file that failed (a message on stderr). */
int bench_report_dir(const bench_report_opts *o);

/* The report of `retrysim check`: one section per checked file (fc[i] as
 * bench_check_run left it, files[i] its path), written to o->out. */
int bench_report_check(const bench_report_opts *o, const bench_report_meta *m, const bench_check_file *fc,
                       const char *const *files, int nfiles);

#endif
