/* bench_sweep.c — `retrysim bench sweep`: how a sweep scales with workers.
 *
 * Plans one sweep (default: scenarios/provider-outage.yaml over
 * retry.base=500ms,1s,2s with 3 replications: 36 runs), executes it with
 * 1, 2, ... --max-jobs worker processes, --repeat times each, and reports the
 * best wall time per worker count, runs per second and the speed-up over one
 * worker. Before printing, every execution's metrics must be bit-identical
 * to the first one's (the determinism contract of sweep.h); otherwise the
 * benchmark fails and prints no timing. The CPU time of the workers
 * (RUSAGE_CHILDREN) is reported too: cpu / wall near the worker count means the
 * workers did run at once, so a low speed-up then means the machine's cores were
 * busy with other work.
 */
#include "bench.h"
#include "sweep.h"
#include "units.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define MAX_AXES 16

static double children_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static const char USAGE[] =
    "usage: retrysim bench sweep [SCENARIO] [--grid KEY=V1,V2,...]... [--replications N]\n"
    "                            [--max-jobs N] [--repeat N]\n"
    "  default: scenarios/provider-outage.yaml --grid retry.base=500ms,1s,2s --replications 3,\n"
    "  timed with 1 and 2 workers (--max-jobs 2), best of --repeat 3\n"
    "  --mpi: under mpirun, one local worker, then the MPI ranks (rank 0 coordinates, the\n"
    "  other ranks run; with a single rank, rank 0 runs), same self-check\n";

static int scaling_main(int argc, char **argv)
{
    const char *path = "scenarios/provider-outage.yaml", *axes[MAX_AXES];
    int naxes = 0;
    long long reps = 3, max_jobs = 2, repeat = 3;
    int mpi = 0;
    char repbuf[64];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        long long *num = NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { fputs(USAGE, stdout); return 0; }
        else if (!strcmp(a, "--grid") && more && naxes < MAX_AXES) axes[naxes++] = argv[++i];
        else if (!strcmp(a, "--replications") && more) num = &reps;
        else if (!strcmp(a, "--max-jobs") && more) num = &max_jobs;
        else if (!strcmp(a, "--repeat") && more) num = &repeat;
        else if (!strcmp(a, "--mpi")) mpi = 1;
        else if (a[0] != '-') path = a;
        else { fprintf(stderr, "retrysim bench sweep: bad argument '%s'\n%s", a, USAGE); return 2; }
        if (num && (sim_parse_int(argv[++i], num) || *num < 1 || *num > 1024)) {
            fprintf(stderr, "retrysim bench sweep: %s needs an integer in 1..1024\n", a);
            return 2;
        }
    }
    if (!naxes) axes[naxes++] = "retry.base=500ms,1s,2s";
    if (mpi) max_jobs = 2;           /* row 1: one local worker; row 2: the MPI ranks */

    bench_grid g;
    memset(&g, 0, sizeof g);
    sim_err err;
    int rc = 0;
    for (int i = 0; i < naxes && !rc; i++) rc = bench_grid_axis(&g, axes[i], &err);
    snprintf(repbuf, sizeof repbuf, "replications=%lld", reps);
    const char *base[1] = { repbuf };
    bench_sweep s;
    if (!rc) rc = bench_sweep_plan(&s, path, &g, base, 1, NULL, 0, &err);
    if (rc) {
        fprintf(stderr, "%s\n", err.msg);
        bench_grid_free(&g);
        return 2;
    }
    size_t bytes = s.nruns * sizeof *s.m;
    sim_run_metrics *first = malloc(bytes ? bytes : 1);
    double *best = calloc((size_t)max_jobs + 1, sizeof *best), *cpu = calloc((size_t)max_jobs + 1, sizeof *cpu);
    if (!first || !best || !cpu) { free(first); free(best); free(cpu); bench_sweep_free(&s); return 2; }
    int bad = 0;
    for (long long r = 0; r < repeat && !bad; r++)
        for (int jobs = 1; jobs <= max_jobs && !bad; jobs++) {
            memset(s.done, 0, s.nruns);
            memset(s.m, 0, bytes);
            bench_exec_opts o = { .jobs = mpi ? 1 : jobs, .crash_run = -1, .mpi = mpi && jobs == 2 };
            double c0 = children_cpu_s();
            int64_t t0 = bench_clock_ns();
            int st = bench_sweep_exec(&s, &o);
            double wall = (double)(bench_clock_ns() - t0) / 1e9, used = children_cpu_s() - c0;
            if (st != BENCH_EXEC_DONE) { fprintf(stderr, "retrysim bench sweep: the sweep failed with %d workers\n", jobs); bad = 2; break; }
            if (r == 0 && jobs == 1) memcpy(first, s.m, bytes);
            else if (memcmp(first, s.m, bytes)) {
                fprintf(stderr, "retrysim bench sweep: results with %d workers differ from 1 worker's: not printing timings\n", jobs);
                bad = 1;
            }
            if (best[jobs] == 0 || wall < best[jobs]) { best[jobs] = wall; cpu[jobs] = used; }
        }
    if (!bad) {
        printf("sweep scaling: %s, %d point%s, %zu runs (%d replications), best of %lld\n", path, s.grid.npoints,
               s.grid.npoints == 1 ? "" : "s", s.nruns, (int)reps, repeat);
        printf("%8s %9s %9s %9s %11s %9s %9s\n", "workers", "wall s", "runs/s", "speed-up", "efficiency", "cpu s", "cpu/wall");
        for (int jobs = 1; jobs <= max_jobs; jobs++) {
            if (mpi && jobs == 2) {           /* the ranks' CPU time is not visible from rank 0 */
                int ranks = bench_mpi_ranks(), workers = ranks > 1 ? ranks - 1 : 1;
                char label[32];
                snprintf(label, sizeof label, "%d rank%s", ranks, ranks == 1 ? "" : "s");
                printf("%8s %9.3f %9.1f %8.2fx %10.0f%% %9s %9s  (%d running, rank 0 %s)\n", label, best[2],
                       (double)s.nruns / best[2], best[1] / best[2], 100 * best[1] / best[2] / workers, "-", "-", workers,
                       ranks > 1 ? "only coordinates" : "runs alone");
                continue;
            }
            printf("%8d %9.3f %9.1f %8.2fx %10.0f%% %9.3f %9.2f\n", jobs, best[jobs], (double)s.nruns / best[jobs],
                   best[1] / best[jobs], 100 * best[1] / best[jobs] / jobs, cpu[jobs], cpu[jobs] / best[jobs]);
        }
        if (mpi) printf("results identical with 1 local worker and %d MPI rank%s (%zu runs x %d metrics, bit for bit)\n",
                        bench_mpi_ranks(), bench_mpi_ranks() == 1 ? "" : "s", s.nruns, SIM_M__COUNT);
        else printf("results identical with 1..%lld workers (%zu runs x %d metrics, bit for bit)\n", max_jobs, s.nruns, SIM_M__COUNT);
    }
    free(first);
    free(best);
    free(cpu);
    bench_sweep_free(&s);
    return bad;
}

int bench_sweep_scaling(int argc, char **argv)
{
    return bench_mpi_main(argc, argv, scaling_main, "retrysim bench sweep");
}
