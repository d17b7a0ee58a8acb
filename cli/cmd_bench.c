/* cmd_bench.c — `retrysim bench WHAT`: dispatches to the benchmarks. */
#include "bench.h"
#include "cli.h"
#include <stdio.h>
#include <string.h>

int cmd_bench(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        printf("usage: retrysim bench engine [--reps N] [--steps N]   event queue vs a bare heap\n"
               "       retrysim bench model [--max-clients N]         full-model throughput and memory\n"
               "       retrysim bench sweep [SCENARIO] [--max-jobs N] sweep speed-up with 1..N workers\n"
               "       mpirun -np N retrysim bench sweep --mpi        one local worker vs N MPI ranks\n");
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "engine")) return bench_engine(argc - 1, argv + 1);
    if (!strcmp(argv[1], "model")) return bench_model(argc - 1, argv + 1);
    if (!strcmp(argv[1], "sweep")) return bench_sweep_scaling(argc - 1, argv + 1);
    fprintf(stderr, "retrysim bench: unknown benchmark '%s' (try: engine, model, sweep)\n", argv[1]);
    return 2;
}
