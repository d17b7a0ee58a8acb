/* cmd_sweep.c — `retrysim sweep SCENARIO --grid KEY=V1,V2 ...`: runs every
 * grid point x policy x replication with a pool of worker processes (see
 * sweep.h) and writes sweep.csv, sweep-ci.csv and ranking.csv into --out,
 * atomically, then prints the ranking by the objective. An interrupted sweep
 * (SIGINT/SIGTERM) or one whose worker died writes the finished runs to
 * sweep.partial.csv instead; --resume completes it, and the final files are
 * the same bytes as an uninterrupted sweep's. --out is locked while the
 * sweep writes it, and every finished run is appended to sweep.partial.csv
 * as it finishes (the journal, local and MPI alike), so that even a SIGKILL
 * loses only the runs in progress. The options arrive parsed (table.c); the
 * ranking is bench/ranking.h's. docs/cli.md is the reference.
 */
#include "cli.h"
#include "model.h"
#include "outfile.h"
#include "ranking.h"
#include "sweep.h"
#include "units.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PARTIAL  "sweep.partial.csv"

/* Writes the finished runs to DIR/sweep.partial.csv; 0 or -1. */
static int write_partial(const bench_sweep *s, const char *out)
{
    sim_outfile fp;
    if (sim_out_open(&fp, out, PARTIAL)) return -1;
    bench_sweep_write_partial(fp.f, s);
    return sim_out_commit(&fp);
}

static int write_results(const bench_sweep *s, const char *out, sim_metric_id obj, int minimize, size_t top, int quiet)
{
    size_t nrows = 0;
    bench_rank_row *rows = bench_sweep_rank(s, obj, minimize, &nrows);
    if (!rows) { fprintf(stderr, "retrysim sweep: out of memory\n"); return 2; }
    sim_outfile f[3];
    static const char *const names[3] = { "sweep.csv", "sweep-ci.csv", "ranking.csv" };
    int opened = 0, rc = 0;
    for (; opened < 3; opened++) if (sim_out_open(&f[opened], out, names[opened])) { rc = 2; break; }
    if (!rc) {
        int bad = bench_sweep_write_runs(f[0].f, s) || bench_sweep_write_ci(f[1].f, s);
        bench_ranking_write(f[2].f, s, rows, nrows, obj, minimize);
        if (bad) fprintf(stderr, "retrysim sweep: out of memory while writing the results\n");
        /* a signal while writing removes the temporaries (the journal still holds every run: --resume
           writes them again); the renames and the journal's removal happen together */
        sim_out_hold_signals();
        for (int i = 0; i < 3; i++) {
            if (bad) sim_out_abort(&f[i]);
            else if (sim_out_commit(&f[i])) rc = 2;
        }
        if (bad) rc = 2;
        if (!rc) {
            char pp[1100];
            snprintf(pp, sizeof pp, "%s/%s", out, PARTIAL);
            if (unlink(pp) && errno != ENOENT) fprintf(stderr, "retrysim sweep: cannot remove %s: %s\n", pp, strerror(errno));
        }
        sim_out_release_signals();
    } else {
        for (int i = 0; i < opened; i++) sim_out_abort(&f[i]);
    }
    if (!rc && !quiet) {
        bench_ranking_print(stdout, s, rows, nrows, obj, minimize, top);
        printf("wrote %s/sweep.csv, %s/sweep-ci.csv, %s/ranking.csv\n", out, out, out);
    }
    free(rows);
    return rc;
}

/* What the options alone can refuse; also run before MPI starts (cmd_sweep_entry). */
static int sweep_check(void *opts, const cli_args *a)
{
    const cli_sweep_opts *o = opts;
    if (o->mpi && cli_given(a, "jobs")) {
        fprintf(stderr, "retrysim sweep: --jobs and --mpi cannot be combined (with --mpi, the ranks are the workers)\n");
        return 2;
    }
    sim_metric_id obj;
    int minimize;
    char msg[256];
    if (bench_objective_parse(o->objective, &obj, &minimize, msg, sizeof msg)) {
        fprintf(stderr, "retrysim sweep: %s\n", msg);
        return 2;
    }
    if (o->grid_file && o->grids.n) {
        fprintf(stderr, "retrysim sweep: --grid and --grid-file cannot be combined\n");
        return 2;
    }
    return 0;
}

int cmd_sweep(void *opts, const cli_args *a)
{
    const cli_sweep_opts *o = opts;
    const char *path = a->pos.v[0], *out = o->out, *grid_file = o->grid_file;
    int naxes = o->grids.n, npol = o->pols.n, mpi = o->mpi, resume = o->resume;
    long jobs = o->jobs ? (long)o->jobs : sysconf(_SC_NPROCESSORS_ONLN);
    if (sweep_check(opts, a)) return 2;
    sim_out_exit_on_signal("retrysim sweep");   /* outside the executor, which counts signals itself */
    if (jobs < 1) jobs = 1;
    sim_metric_id obj;
    int minimize;
    char msg[256];
    bench_objective_parse(o->objective, &obj, &minimize, msg, sizeof msg);

    bench_grid g;
    memset(&g, 0, sizeof g);
    sim_err err;
    int rc = 0;
    if (grid_file) rc = bench_grid_file(&g, grid_file, &err);
    for (int i = 0; i < naxes && !rc; i++) rc = bench_grid_axis(&g, o->grids.v[i], &err);
    bench_sweep s;
    if (!rc) rc = bench_sweep_plan(&s, path, &g, cli_items(&o->sets), o->sets.n, npol ? cli_items(&o->pols) : NULL, npol, &err);
    if (rc) {
        fprintf(stderr, "%s\n", err.msg);
        bench_grid_free(&g);
        return 2;
    }
    int od = sim_outdir_open(out, SIM_OUTDIR_LOCK, "retrysim sweep");   /* under MPI: rank 0 only, it alone runs this */
    if (od < 0) {
        bench_sweep_free(&s);
        return 2;
    }
    char pp[1100];
    snprintf(pp, sizeof pp, "%s/%s", out, PARTIAL);
    if (resume && access(pp, F_OK) == 0) {
        size_t torn = 0;
        if (bench_sweep_read_partial(&s, pp, &torn, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            bench_sweep_free(&s);
            sim_outdir_close(od, 1);
            return 2;
        }
        if (torn)
            fprintf(stderr, "retrysim sweep: note: dropped the torn last row of %s (%zu bytes without an end of line: "
                    "the sweep was killed while writing it)\n", pp, torn);
        fprintf(stderr, "retrysim sweep: resuming: %zu of %zu runs done in %s\n", bench_sweep_ndone(&s), s.nruns, pp);
    } else if (resume) {
        fprintf(stderr, "retrysim sweep: no %s to resume; running the whole sweep\n", pp);
    } else if (access(pp, F_OK) == 0) {
        fprintf(stderr, "retrysim sweep: note: %s is left from an interrupted sweep; replaced without --resume\n", pp);
    }

    bench_exec_opts eo = { .jobs = (int)jobs, .progress = 1, .signals = 1, .max_runs = (size_t)o->max_runs,
                           .crash_run = (long)o->crash_run, .mpi = mpi, .journal = pp,
                           .batch = (int)o->batch };
    int st = bench_sweep_exec(&s, &eo);
    if (st == BENCH_EXEC_DONE) {
        rc = write_results(&s, out, obj, minimize, (size_t)o->top, o->quiet);
        if (rc == 0)                                   /* run.csv, --report */
            rc = cli_after_results("sweep", out, path, &s.sc[0], &o->sets, o->objective, o->report, o->quiet);
    } else {
        size_t done = bench_sweep_ndone(&s);
        int wrote = write_partial(&s, out) == 0;
        if (st == BENCH_EXEC_STOPPED)
            fprintf(stderr, "retrysim sweep: interrupted after %zu of %zu runs%s%s%s\n", done, s.nruns,
                    wrote ? "; wrote " : "", wrote ? pp : "", wrote ? " (complete it with --resume)" : "");
        else
            fprintf(stderr, "retrysim sweep: stopped: %zu of %zu runs done%s%s\n", done, s.nruns,
                    wrote ? "; finished runs are in " : "", wrote ? pp : "");
        rc = st == BENCH_EXEC_STOPPED ? 130 : 2;
    }
    bench_sweep_free(&s);
    sim_outdir_close(od, rc != 0);
    return rc;
}

/* cli_mpi_entry parses and checks the command line before MPI starts; with
 * --mpi, only rank 0 runs this body (and reports a problem once); the other
 * ranks serve the runs. */
static int sweep_body(int argc, char **argv)
{
    const cli_program *p = &CLI_PROGRAM;
    return cli_verb_run(cli_find_verb(p->verbs, p->nverbs, "sweep"), "retrysim", argc, argv);
}

int cmd_sweep_entry(int argc, char **argv)
{
    return cli_mpi_entry("sweep", argc, argv, sweep_check, sweep_body);
}
