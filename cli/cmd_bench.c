/* cmd_bench.c — `retrysim bench engine|model|sweep` (options: table.c). The
 * benchmarks' entry points (bench.h) take an argv; each handler passes the
 * options it parsed and checked, spelt out canonically ("--reps", "5"), so
 * the benchmark's own reading of them never sees anything else. */
#include "bench.h"
#include "cli.h"
#include <stdio.h>
#include <stdlib.h>

/* argv for a benchmark: name, then pairs or flags; grows on the heap. */
typedef struct { cli_list l; int oom; } bench_argv;

static void add(bench_argv *b, const char *s) { b->oom |= cli_list_add(&b->l, s); }
static void add_int(bench_argv *b, const char *opt, long long v)
{
    add(b, opt);
    b->oom |= cli_list_addf(&b->l, "%lld", v);
}

static int call(bench_argv *b, const cli_args *a, int (*fn)(int, char **))
{
    int rc;
    if (b->oom) {
        fprintf(stderr, "%s: out of memory\n", a->who);
        rc = 2;
    } else rc = fn(b->l.n, b->l.v);
    cli_list_free(&b->l);
    return rc;
}

int cmd_bench_engine(void *opts, const cli_args *a)
{
    const cli_bench_engine_opts *o = opts;
    bench_argv b = { { 0 }, 0 };
    add(&b, "engine");
    if (cli_given(a, "reps")) add_int(&b, "--reps", o->reps);
    if (cli_given(a, "steps")) add_int(&b, "--steps", o->steps);
    if (cli_given(a, "max-size")) add_int(&b, "--max-size", o->max_size);
    return call(&b, a, bench_engine);
}

int cmd_bench_model(void *opts, const cli_args *a)
{
    const cli_bench_model_opts *o = opts;
    bench_argv b = { { 0 }, 0 };
    add(&b, "model");
    if (cli_given(a, "max-clients")) add_int(&b, "--max-clients", o->max_clients);
    if (cli_given(a, "clients")) add_int(&b, "--clients", o->clients);
    if (cli_given(a, "queue")) { add(&b, "--queue"); add(&b, o->queue); }
    return call(&b, a, bench_model);
}

#define BENCH_SWEEP_MAX_GRIDS 16   /* bench_sweep.c's axes[] */

int cmd_bench_sweep(void *opts, const cli_args *a)
{
    const cli_bench_sweep_opts *o = opts;
    if (o->grids.n > BENCH_SWEEP_MAX_GRIDS) {
        fprintf(stderr, "%s: too many --grid (%d; at most %d)\n", a->who, o->grids.n, BENCH_SWEEP_MAX_GRIDS);
        return 2;
    }
    bench_argv b = { { 0 }, 0 };
    add(&b, "sweep");
    if (a->pos.n) add(&b, a->pos.v[0]);
    for (int i = 0; i < o->grids.n; i++) { add(&b, "--grid"); add(&b, o->grids.v[i]); }
    add_int(&b, "--replications", o->reps);
    add_int(&b, "--max-jobs", o->max_jobs);
    add_int(&b, "--repeat", o->repeat);
    if (o->mpi) add(&b, "--mpi");
    return call(&b, a, bench_sweep_scaling);
}
