/* mpi_entry.c — the entry of the verbs that take --mpi (sweep, tune).
 *
 * The command line is parsed, and what the options alone can refuse is
 * checked, on every rank BEFORE MPI starts: a usage error or --help then
 * ends every rank at once, without MPI_Init — libmpi has allocated nothing
 * (the leak checker reports nothing) and mpirun sees every rank exit with
 * the same status. The message is printed once: ranks that the launcher
 * announces as other than 0 (OMPI_COMM_WORLD_RANK, PMIX_RANK, PMI_RANK)
 * check with stderr on /dev/null. Whether to start MPI is the parsed
 * --mpi flag, not a word of argv (`--out --mpi` names a directory). Then
 * bench_mpi_run runs the verb on rank 0 (parsing again) and serves the runs
 * on the others.
 */
#include "cli.h"
#include "sweep.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_mpi_entry(const char *name, int argc, char **argv, int (*check)(void *opts, const cli_args *a),
                  int (*body)(int, char **))
{
    const cli_program *p = &CLI_PROGRAM;
    const cli_verb *v = cli_find_verb(p->verbs, p->nverbs, name);
    char who[64];
    snprintf(who, sizeof who, "retrysim %s", name);
    void *dest = calloc(1, v->size ? v->size : 1);
    if (!dest) { fprintf(stderr, "%s: out of memory\n", who); return 2; }
    if (v->defaults) memcpy(dest, v->defaults, v->size);
    int quiet = bench_mpi_rank_hint() != 0, saved = -1;
    if (quiet) {                                   /* rank 0 says it */
        fflush(stderr);
        int nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
        saved = nul >= 0 ? dup(STDERR_FILENO) : -1;
        if (saved >= 0) dup2(nul, STDERR_FILENO);
        if (nul >= 0) close(nul);
    }
    cli_args a;
    int rc = -1, mpi = 0, st = cli_parse(v, "retrysim", argc, argv, dest, &a);
    if (st == CLI_HELP) {
        if (!quiet) cli_help(stdout, v);
        rc = 0;
    } else if (st == CLI_ERROR) {
        fprintf(stderr, "%s: %s\n", a.who, a.err);
        if (a.usage) cli_usage(stderr, v);
        rc = 2;
    } else {
        mpi = cli_given(&a, "mpi") > 0;
        int c = check ? check(dest, &a) : 0;
        if (c) rc = c;
    }
    if (saved >= 0) {
        fflush(stderr);
        dup2(saved, STDERR_FILENO);
        close(saved);
    }
    cli_args_free(v, dest, &a);
    free(dest);
    if (rc >= 0) return rc;
    return bench_mpi_run(mpi, argc, argv, body, who);
}
