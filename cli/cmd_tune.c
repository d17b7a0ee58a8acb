/* cmd_tune.c — `retrysim tune SCENARIO --param KEY=LO..HI ... --minimize M
 * --subject-to 'M<=V' ...`: checks the arguments (every parameter is loaded
 * at both ends of its range before any run), runs the search (tune.c),
 * writes DIR/tune.csv (one row per evaluation, atomically) and prints the
 * best point with its metrics and CIs, the runner-up points, the runs used
 * and a YAML policy block with the tuned keys set. Exit 0 with a feasible
 * best point, 1 when no evaluated point is feasible ("infeasible": the
 * closest point is printed), 2 on bad input or a failed run, 130 when
 * interrupted. The options arrive parsed (table.c); the checks before the
 * search and the report are bench/tune_report.h's. docs/cli.md is the
 * reference.
 */
#include "cli.h"
#include "outfile.h"
#include "tune.h"
#include "tune_report.h"
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int die(const char *msg)
{
    fprintf(stderr, "retrysim tune: %s\n", msg);
    return 2;
}

/* The options into P (parameters, constraints, objective): 0, or 2 after
 * one message. Also run before MPI starts (cmd_tune_entry). */
static int tune_options(const cli_tune_opts *o, const cli_args *a, tune_problem *P)
{
    char err[4096];
    if (o->params.n > TUNE_MAX_PARAMS) return die("too many --param");
    for (int i = 0; i < o->params.n; i++)
        if (tune_param_parse(o->params.v[i], &P->param[P->nparam++], err, sizeof err)) return die(err);
    if (o->cons.n > TUNE_MAX_CONS) return die("too many --subject-to");
    for (int i = 0; i < o->cons.n; i++)
        if (tune_constraint_parse(o->cons.v[i], &P->cons[P->ncons++], err, sizeof err)) return die(err);
    if (cli_given(a, "minimize") + cli_given(a, "maximize") > 1) return die("one objective: --minimize or --maximize, once");
    P->minimize = o->minimize != NULL;
    const char *obj = o->minimize ? o->minimize : o->maximize;
    if (!P->nparam) return die("nothing to tune: give at least one --param KEY=LO..HI");
    if (!obj) return die("no objective: give --minimize METRIC or --maximize METRIC");
    int id = tune_metric(obj, P->minimize ? "--minimize" : "--maximize", err, sizeof err);
    if (id < 0) return die(err);
    P->objective = (sim_metric_id)id;
    for (int k = 0; k < P->nparam; k++)
        for (int j = 0; j < k; j++)
            if (!strcmp(P->param[j].key, P->param[k].key)) {
                snprintf(err, sizeof err, "--param %s is given twice", P->param[k].key);
                return die(err);
            }
    if (o->mpi && cli_given(a, "jobs")) return die("--jobs and --mpi cannot be combined (with --mpi, the ranks are the workers)");
    return 0;
}

static int tune_check(void *opts, const cli_args *a)
{
    tune_problem *P = calloc(1, sizeof *P);
    if (!P) return die("out of memory");
    int rc = tune_options(opts, a, P);
    free(P);
    return rc;
}

int cmd_tune(void *opts, const cli_args *a)
{
    const cli_tune_opts *o = opts;
    static tune_problem P;
    memset(&P, 0, sizeof P);
    const char *path = a->pos.v[0], *out = o->out, *pol = o->policy;
    char err[4096];
    int quiet = o->quiet, mpi = o->mpi;
    long long jobs = o->jobs ? o->jobs : sysconf(_SC_NPROCESSORS_ONLN);
    if (tune_options(o, a, &P)) return 2;
    int slo = 0;
    for (int i = 0; i < P.ncons; i++) slo |= P.cons[i].metric == SIM_M_SLO_SUCCESS_RATE;
    for (int i = 0; i < P.ncons && !slo && !quiet; i++)
        if (P.cons[i].metric == SIM_M_SUCCESS_RATE && P.cons[i].ge)
            fprintf(stderr, "retrysim tune: note: '%s' leaves out the requests still unfinished at the end, so a "
                    "policy that leaves requests hanging can meet it; 'slo_success_rate>=...' counts those past "
                    "their SLO as failed (docs/metrics.md)\n", P.cons[i].text);
    sim_out_exit_on_signal("retrysim tune");     /* outside the search, which counts signals itself */

    P.path = path;
    P.base = cli_items(&o->sets);
    P.nbase = o->sets.n;
    P.reps = (int)o->reps;
    P.policy = pol;
    int rc = tune_probe(&P, pol ? &pol : NULL, pol ? 1 : 0, err, sizeof err);
    if (rc) return die(err);
    char *owned_policy = pol ? NULL : (char *)P.policy;
    const char *emit = o->emit;
    sim_import_format emit_fmt = SIM_IMPORT_LITELLM;
    if (emit) {      /* fail now, not after the search: the low corner must be writable back */
        sim_err e;
        char lo[TUNE_MAX_PARAMS][64], written[8];
        char *vals[TUNE_MAX_PARAMS];
        for (int k = 0; k < P.nparam; k++) { tune_param_value(&P.param[k], 0, lo[k], sizeof lo[k]); vals[k] = lo[k]; }
        if (sim_import_format_parse(emit, &emit_fmt)) {
            fprintf(stderr, "retrysim tune: --emit %s: expected litellm or portkey\n", emit);
            free(owned_policy);
            return 2;
        }
        if (tune_emit(&P, vals, emit_fmt, NULL, written, sizeof written, &e)) {
            fprintf(stderr, "retrysim tune: --emit %s: %s\n", emit, e.msg);
            free(owned_policy);
            return 2;
        }
    }
    P.max_reps = o->max_reps ? (int)o->max_reps : 4 * P.reps;
    if (P.max_reps < P.reps) P.max_reps = P.reps;
    P.budget = o->budget ? (size_t)o->budget : (size_t)60 * (size_t)P.reps;
    P.exec = (bench_exec_opts){ .jobs = (int)(jobs < 1 ? 1 : jobs), .signals = 1, .crash_run = -1, .mpi = mpi,
                                .who = "retrysim tune" };
    P.progress = !quiet;
    int od = sim_outdir_open(out, SIM_OUTDIR_LOCK, "retrysim tune");   /* under MPI: rank 0 only */
    if (od < 0) {
        free(owned_policy);
        return 2;
    }
    gsl_set_error_handler_off();
    tune_state T;
    int st = tune_run(&P, &T);
    if (T.nev) {
        sim_outfile f;
        if (sim_out_open(&f, out, "tune.csv")) st = st ? st : 2;
        else {
            tune_write_csv(f.f, &P, &T);
            if (sim_out_commit(&f)) st = st ? st : 2;
        }
    }
    if (st == BENCH_EXEC_STOPPED) {
        if (T.nev) fprintf(stderr, "retrysim tune: interrupted after %zu runs; the %d evaluations so far are in %s/tune.csv\n",
                           T.runs, T.nev, out);
        else fprintf(stderr, "retrysim tune: interrupted after %zu runs, before any point had all its replications; "
                     "no tune.csv\n", T.runs);
        rc = 130;
    } else if (st) {
        rc = 2;
    } else {
        tune_report(stdout, &P, &T, (int)o->top, quiet);
        if (!quiet) printf("wrote %s/tune.csv\n", out);
        rc = T.pt[T.order[0]].feasible ? 0 : 1;
        if (emit && rc == 0) {
            sim_err e;
            char written[SIM_PATH_MAX + 64];
            if (tune_emit(&P, T.pt[T.order[0]].text, emit_fmt, out, written, sizeof written, &e)) {
                fprintf(stderr, "retrysim tune: --emit %s: %s\n", emit, e.msg);
                rc = 2;
            } else printf("wrote %s (the best point in the %s config)\n", written, emit);
        }
    }
    tune_state_free(&T, &P);
    free(owned_policy);
    sim_outdir_close(od, rc == 2 || rc == 130);
    return rc;
}

/* cli_mpi_entry parses and checks before MPI starts; with --mpi only rank 0 runs this. */
static int tune_body(int argc, char **argv)
{
    const cli_program *p = &CLI_PROGRAM;
    return cli_verb_run(cli_find_verb(p->verbs, p->nverbs, "tune"), "retrysim", argc, argv);
}

int cmd_tune_entry(int argc, char **argv)
{
    return cli_mpi_entry("tune", argc, argv, tune_check, tune_body);
}
