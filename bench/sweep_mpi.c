/* sweep_mpi.c — the MPI transport of sweeps (see sweep.h): `retrysim sweep
 * --mpi` and `retrysim tune --mpi` under mpirun or srun.
 *
 * Rank 0 parses the command line, plans, coordinates and writes; every other
 * rank is a worker that only runs what rank 0 hands it. Per sweep:
 *   1. rank 0 broadcasts the plan's inputs (scenario path, base overrides,
 *      policies, grid keys and values, the crash hook); each worker plans
 *      the same sweep with bench_sweep_plan, and MPI_Gather brings every
 *      rank's status, run count and host name to rank 0, which broadcasts
 *      go or abandon (a rank that cannot read the scenario is named);
 *   2. request/response: a worker sends TAG_ASK (the bench_run_msg of each
 *      run of its last batch, or one with run NO_RUN) and gets TAG_WORK (a
 *      batch: 1..BENCH_BATCH_MAX run indices, as many as bench_sched_batch
 *      sizes from the measured run time) or TAG_STOP (this sweep is
 *      over for it). Rank 0 answers whoever asks first, so long runs do not
 *      stall a static split, and stores each answer at its run index through
 *      the scheduler that the local transport uses (bench_sched): the files
 *      are byte-identical to a local sweep's.
 * Rank 0 only coordinates (it waits with MPI_Test and short sleeps instead
 * of a spinning blocking receive, so it costs almost no CPU); with a single
 * rank it runs the runs itself.
 * Failures: MPI_ERRORS_RETURN is set on MPI_COMM_WORLD and every call is
 * checked; an MPI error stops the sweep with a message naming the call and
 * the runs in progress by rank. A rank that dies makes Open MPI end the job
 * (its runtime does that whatever the error handler): mpirun names the dead
 * rank and sends SIGTERM to the others; rank 0 catches it, names the runs in
 * progress and their ranks, and returns BENCH_EXEC_STOPPED so the caller
 * writes sweep.partial.csv (for --resume), then exits without MPI_Finalize.
 * Built without MPI (no mpicc), the functions say so and fail.
 */
#include "sweep.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bench_mpi_main(int argc, char **argv, int (*body)(int, char **), const char *who)
{
    int mpi = 0;
    for (int i = 1; i < argc; i++) mpi |= !strcmp(argv[i], "--mpi");
    return bench_mpi_run(mpi, argc, argv, body, who);
}

int bench_mpi_rank_hint(void)
{
    static const char *const vars[] = { "OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK" };
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v) return atoi(v);
    }
    return 0;
}

int bench_mpi_run(int mpi, int argc, char **argv, int (*body)(int, char **), const char *who)
{
    int rank = 0, size = 1;
    if (!mpi) {
        const char *n = getenv("OMPI_COMM_WORLD_SIZE");
        if (!n) n = getenv("PMI_SIZE");
        if (n && atoi(n) > 1)
            fprintf(stderr, "%s: note: started by MPI without --mpi: each of the %d ranks runs everything by itself\n",
                    who, atoi(n));
        return body(argc, argv);
    }
    if (bench_mpi_start(&rank, &size, who)) return 2;
    if (rank != 0) return bench_mpi_serve();
    bench_sigsave saved;
    bench_signals_catch(&saved, -1);       /* mpirun's SIGTERM while rank 0 plans is not lost */
    int rc = body(argc, argv);
    bench_signals_restore(&saved);
    bench_mpi_stop();
    return rc;
}

#ifndef RETRYSIM_HAVE_MPI

int bench_mpi_start(int *rank, int *size, const char *who)
{
    *rank = 0;
    *size = 1;
    fprintf(stderr, "%s: --mpi: this retrysim was built without MPI (install Open MPI — `bash scripts/deps.sh` "
            "installs libopenmpi-dev and openmpi-bin — then rebuild)\n", who);
    return -1;
}
int  bench_mpi_serve(void) { return 2; }
int  bench_mpi_ranks(void) { return 1; }
void bench_mpi_stop(void) {}
int  bench_sweep_exec_mpi(bench_sweep *s, const bench_exec_opts *o)
{
    (void)s;
    fprintf(stderr, "%s: built without MPI\n", o->who ? o->who : "retrysim sweep");
    return BENCH_EXEC_FAILED;
}

#else
#include <mpi.h>
#include <signal.h>
#include <time.h>

enum { TAG_ASK = 1, TAG_WORK = 2, TAG_STOP = 3 };
enum { OP_QUIT = 0, OP_PLAN = 1 };
#define NO_RUN UINT32_MAX
#define HOST_MAX 64

typedef struct {
    int32_t  rc;              /* 0 = planned */
    uint64_t nruns;
    char     host[HOST_MAX];
    char     msg[768];
} plan_status;

static int   g_rank, g_size, g_started, g_abandon;
static char (*g_hosts)[HOST_MAX];   /* [g_size], rank 0: from the last plan's gather */

/* An MPI call that failed: a message (with the runs in progress, when
 * given) and no further MPI communication. */
static int mpi_failed(const char *who, const char *call, int err)
{
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(err, text, &len) != MPI_SUCCESS) snprintf(text, sizeof text, "error %d", err);
    fprintf(stderr, "%s: rank %d: %s failed: %s\n", who, g_rank, call, text);
    g_abandon = 1;
    return -1;
}
#define MPI_TRY(who, call) do { int e_ = (call); if (e_ != MPI_SUCCESS) return mpi_failed(who, #call, e_); } while (0)

int bench_mpi_start(int *rank, int *size, const char *who)
{
    int e = MPI_Init(NULL, NULL);
    if (e != MPI_SUCCESS) { fprintf(stderr, "%s: MPI_Init failed\n", who); return -1; }
    g_started = 1;
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_size);
    *rank = g_rank;
    *size = g_size;
    return 0;
}

int bench_mpi_ranks(void) { return g_started ? g_size : 1; }

void bench_mpi_stop(void)
{
    if (!g_started || g_abandon) return;    /* after a signal or an MPI error: no more communication */
    if (g_rank == 0 && g_size > 1) {
        int hdr[2] = { OP_QUIT, 0 };
        if (MPI_Bcast(hdr, 2, MPI_INT, 0, MPI_COMM_WORLD) != MPI_SUCCESS) return;
    }
    MPI_Finalize();
    g_started = 0;
}

/* ---- the plan's inputs as one buffer of NUL-terminated strings ---------- */

typedef struct { char *b; size_t len, cap; int bad; } buf;

static void put(buf *B, const char *str)
{
    size_t n = strlen(str) + 1;
    if (B->len + n > B->cap) {
        size_t cap = (B->cap + n) * 2;
        char *nb = realloc(B->b, cap);
        if (!nb) { B->bad = 1; return; }
        B->b = nb;
        B->cap = cap;
    }
    memcpy(B->b + B->len, str, n);
    B->len += n;
}

static void put_int(buf *B, long long v)
{
    char t[32];
    snprintf(t, sizeof t, "%lld", v);
    put(B, t);
}

static void encode(buf *B, const bench_sweep *s, long crash_run)
{
    put(B, s->path);
    put_int(B, crash_run);
    put_int(B, s->nbase);
    for (int i = 0; i < s->nbase; i++) put(B, s->base[i]);
    put_int(B, s->pols ? s->npols : -1);
    for (int i = 0; s->pols && i < s->npols; i++) put(B, s->pols[i]);
    put_int(B, s->grid.nkeys);
    for (int k = 0; k < s->grid.nkeys; k++) put(B, s->grid.keys[k]);
    put_int(B, s->grid.nkeys ? s->grid.npoints : 0);
    for (size_t i = 0; i < (size_t)s->grid.npoints * (size_t)s->grid.nkeys; i++) put(B, s->grid.values[i]);
}

typedef struct { const char *p, *end; int bad; } cursor;

static const char *get(cursor *c)
{
    if (c->bad || c->p >= c->end) { c->bad = 1; return ""; }
    const char *s = c->p;
    c->p += strlen(s) + 1;
    return s;
}

static long get_int(cursor *c, long lo, long hi)
{
    long v = strtol(get(c), NULL, 10);
    if (v < lo || v > hi) { c->bad = 1; return lo; }
    return v;
}

/* Plans the sweep that buffer b describes (a worker's side of step 1). */
static int decode_and_plan(const char *b, size_t len, bench_sweep *s, long *crash_run, sim_err *err)
{
    cursor c = { b, b + len, 0 };
    const char *path = get(&c);
    *crash_run = get_int(&c, -1, 1L << 40);
    int nbase = (int)get_int(&c, 0, 1 << 20), npols;
    const char **base = calloc((size_t)nbase + 1, sizeof *base), **pols = NULL;
    for (int i = 0; base && i < nbase; i++) base[i] = get(&c);
    npols = (int)get_int(&c, -1, 1 << 20);
    if (npols >= 0 && (pols = calloc((size_t)npols + 1, sizeof *pols)))
        for (int i = 0; i < npols; i++) pols[i] = get(&c);
    bench_grid g;
    memset(&g, 0, sizeof g);
    g.nkeys = (int)get_int(&c, 0, 1 << 20);
    g.keys = calloc((size_t)g.nkeys + 1, sizeof *g.keys);
    for (int k = 0; g.keys && k < g.nkeys; k++) g.keys[k] = strdup(get(&c));
    g.npoints = (int)get_int(&c, 0, 1 << 30);
    size_t nv = (size_t)g.npoints * (size_t)g.nkeys;
    g.values = calloc(nv + 1, sizeof *g.values);
    for (size_t i = 0; g.values && i < nv; i++) g.values[i] = strdup(get(&c));
    int rc;
    if (!base || (npols >= 0 && !pols) || !g.keys || !g.values) {
        snprintf(err->msg, sizeof err->msg, "out of memory");
        rc = -1;
    } else if (c.bad) {
        snprintf(err->msg, sizeof err->msg, "malformed plan message from rank 0");
        rc = -1;
    } else {
        rc = bench_sweep_plan(s, path, &g, base, nbase, pols, npols < 0 ? 0 : npols, err);
    }
    if (rc) bench_grid_free(&g);
    free(base);
    free(pols);
    return rc;
}

/* Step 1 on every rank: gathers the plan statuses at rank 0, which decides
 * (go = 1) or names the first rank that differs. */
static int agree(const bench_sweep *s, int rc, const sim_err *err, const char *who, int *go)
{
    plan_status mine, *all = NULL;
    memset(&mine, 0, sizeof mine);
    mine.rc = rc ? 1 : 0;
    mine.nruns = rc ? 0 : s->nruns;
    int hl = 0;
    char host[MPI_MAX_PROCESSOR_NAME];
    if (MPI_Get_processor_name(host, &hl) != MPI_SUCCESS) snprintf(host, sizeof host, "?");
    snprintf(mine.host, sizeof mine.host, "%.*s", HOST_MAX - 1, host);
    if (rc) snprintf(mine.msg, sizeof mine.msg, "%.*s", (int)sizeof mine.msg - 1, err->msg);
    if (g_rank == 0 && !(all = calloc((size_t)g_size, sizeof *all))) return mpi_failed(who, "calloc", MPI_ERR_NO_MEM);
    int e = MPI_Gather(&mine, (int)sizeof mine, MPI_BYTE, all, (int)sizeof mine, MPI_BYTE, 0, MPI_COMM_WORLD);
    if (e != MPI_SUCCESS) { free(all); return mpi_failed(who, "MPI_Gather", e); }
    *go = 1;
    if (g_rank == 0) {
        if (!g_hosts) g_hosts = calloc((size_t)g_size, sizeof *g_hosts);
        for (int r = 0; r < g_size; r++) {
            if (g_hosts) memcpy(g_hosts[r], all[r].host, HOST_MAX);
            if (!*go) continue;
            if (all[r].rc) {
                fprintf(stderr, "%s: rank %d (%s) cannot plan the sweep: %s\n", who, r, all[r].host, all[r].msg);
                *go = 0;
            } else if (all[r].nruns != s->nruns) {
                fprintf(stderr, "%s: rank %d (%s) plans %llu runs where rank 0 plans %zu: the ranks read different "
                        "scenario files\n", who, r, all[r].host, (unsigned long long)all[r].nruns, s->nruns);
                *go = 0;
            }
        }
    }
    free(all);
    MPI_TRY(who, MPI_Bcast(go, 1, MPI_INT, 0, MPI_COMM_WORLD));
    return 0;
}

int bench_mpi_serve(void)
{
    const char *who = "retrysim worker";
    /* as the local workers: rank 0 decides. mpirun's SIGTERM (a rank died,
     * Ctrl-C, a cancelled job) must not end the workers first: their deaths
     * would make mpirun SIGKILL rank 0 at once, before it saves the finished
     * runs; they end with mpirun's SIGKILL (odls_base_sigkill_timeout, 1 s). */
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    for (;;) {
        int hdr[2];
        int e = MPI_Bcast(hdr, 2, MPI_INT, 0, MPI_COMM_WORLD);
        if (e != MPI_SUCCESS) return mpi_failed(who, "MPI_Bcast", e), 2;
        if (hdr[0] == OP_QUIT) break;
        char *b = malloc((size_t)hdr[1] + 1);
        if (!b) return mpi_failed(who, "malloc", MPI_ERR_NO_MEM), 2;
        e = MPI_Bcast(b, hdr[1], MPI_CHAR, 0, MPI_COMM_WORLD);
        if (e != MPI_SUCCESS) { free(b); return mpi_failed(who, "MPI_Bcast", e), 2; }
        bench_sweep s;
        sim_err err;
        long crash_run = -1;
        int rc = decode_and_plan(b, (size_t)hdr[1], &s, &crash_run, &err), go = 0;
        free(b);
        if (agree(&s, rc, &err, who, &go)) return 2;
        static bench_run_msg msg[BENCH_BATCH_MAX];
        memset(&msg[0], 0, sizeof msg[0]);
        msg[0].run = NO_RUN;
        int nmsg = 1;
        while (go) {
            uint32_t idx[BENCH_BATCH_MAX];
            int n = 0;
            MPI_Status st;
            e = MPI_Send(msg, nmsg * (int)sizeof msg[0], MPI_BYTE, 0, TAG_ASK, MPI_COMM_WORLD);
            if (e == MPI_SUCCESS) e = MPI_Recv(idx, BENCH_BATCH_MAX, MPI_UINT32_T, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
            if (e == MPI_SUCCESS) e = MPI_Get_count(&st, MPI_UINT32_T, &n);
            if (e != MPI_SUCCESS) { bench_sweep_free(&s); return mpi_failed(who, "MPI_Send/MPI_Recv", e), 2; }
            if (st.MPI_TAG == TAG_STOP) break;
            if (n < 1 || n > BENCH_BATCH_MAX) { bench_sweep_free(&s); return mpi_failed(who, "protocol (batch)", MPI_ERR_OTHER), 2; }
            for (int k = 0; k < n; k++) {
                if (idx[k] >= s.nruns) { bench_sweep_free(&s); return mpi_failed(who, "protocol (run index)", MPI_ERR_OTHER), 2; }
                bench_run_one(&s, idx[k], crash_run, &msg[k]);
            }
            nmsg = n;
        }
        if (!rc) bench_sweep_free(&s);
    }
    MPI_Finalize();
    g_started = 0;
    return 0;
}

/* ---- rank 0 ---------------------------------------------------------------- */

static void sleep_us(long us)
{
    struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
    nanosleep(&ts, NULL);
}

/* Each rank's batch of runs (rank 0's bookkeeping). */
typedef struct { uint32_t run[BENCH_BATCH_MAX]; int n; } rank_batch;

/* "run 3 (...) on rank 1 (host), run 4 (...) on rank 2 (host)" */
static void say_in_progress(bench_sched *q, const rank_batch *assigned, const char *why)
{
    char desc[1024];
    int any = 0;
    for (int r = 1; r < g_size; r++) {
        for (int k = 0; k < assigned[r].n; k++) {
            if (!any) bench_sched_say(q, "%s; abandoning the runs in progress:", why);
            fprintf(stderr, "  %s on rank %d (%s)\n", bench_sweep_describe(q->s, assigned[r].run[k], desc, sizeof desc), r,
                    g_hosts ? g_hosts[r] : "?");
            any = 1;
        }
    }
    if (!any) bench_sched_say(q, "%s; no run was in progress", why);
}

/* One rank: rank 0 runs the runs itself, between checks for a signal. */
static int exec_alone(bench_sched *q)
{
    long idx;
    while ((idx = bench_sched_next(q)) >= 0) {
        bench_run_msg msg;
        bench_run_one(q->s, (uint32_t)idx, q->o->crash_run, &msg);
        bench_sched_result(q, &msg, "");
        if (q->o->signals && bench_signals_received(NULL)) {
            bench_sched_say(q, "interrupted");
            q->stopping = q->interrupted = 1;
        }
    }
    return bench_sched_end(q, 0);
}

int bench_sweep_exec_mpi(bench_sweep *s, const bench_exec_opts *o)
{
    const char *who = o->who ? o->who : "retrysim sweep";
    if (!g_started || g_rank != 0 || g_abandon) {
        fprintf(stderr, "%s: MPI is not running on this rank (internal error)\n", who);
        return BENCH_EXEC_FAILED;
    }
    bench_sched q;
    bench_sigsave saved;
    if (o->signals) bench_signals_catch(&saved, -1);
    if (g_size == 1) {
        bench_sched_begin(&q, s, o);
        int st = exec_alone(&q);
        if (o->signals) bench_signals_restore(&saved);
        return st;
    }
    /* step 1: the plan */
    buf B = { 0 };
    encode(&B, s, o->crash_run);
    int hdr[2] = { OP_PLAN, (int)B.len }, go = 0;
    int e = B.bad || B.len > (size_t)1 << 30 ? MPI_ERR_NO_MEM : MPI_Bcast(hdr, 2, MPI_INT, 0, MPI_COMM_WORLD);
    if (e == MPI_SUCCESS) e = MPI_Bcast(B.b, hdr[1], MPI_CHAR, 0, MPI_COMM_WORLD);
    free(B.b);
    if (e != MPI_SUCCESS || agree(s, 0, NULL, who, &go) || !go) {
        if (e != MPI_SUCCESS) mpi_failed(who, "MPI_Bcast (plan)", e);
        if (o->signals) bench_signals_restore(&saved);
        return BENCH_EXEC_FAILED;
    }
    /* step 2: request/response until every worker got TAG_STOP */
    rank_batch *assigned = calloc((size_t)g_size, sizeof *assigned);
    if (!assigned) { g_abandon = 1; return BENCH_EXEC_FAILED; }
    bench_sched_begin(&q, s, o);
    int live = g_size - 1, killed = 0;
    static bench_run_msg msg[BENCH_BATCH_MAX];
    const int msgcap = BENCH_BATCH_MAX * (int)sizeof msg[0];
    MPI_Request req = MPI_REQUEST_NULL;
    e = MPI_Irecv(msg, msgcap, MPI_BYTE, MPI_ANY_SOURCE, TAG_ASK, MPI_COMM_WORLD, &req);
    const char *call = "MPI_Irecv";
    long nap = 20;
    while (live > 0 && e == MPI_SUCCESS) {
        int sig = 0;
        if (o->signals && bench_signals_received(&sig)) {
            char why[128];
            snprintf(why, sizeof why, "stopped by signal %d (%s)%s", sig, strsignal(sig),
                     sig == SIGTERM ? " — under mpirun, a rank died (see mpirun's message) or the job was cancelled" : "");
            say_in_progress(&q, assigned, why);
            q.stopping = q.interrupted = killed = 1;
            g_abandon = 1;
            break;
        }
        int flag = 0;
        MPI_Status st;
        if ((e = MPI_Test(&req, &flag, &st)) != MPI_SUCCESS) { call = "MPI_Test"; break; }
        if (!flag) {
            sleep_us(nap);                      /* waiting costs no CPU: the workers get the cores */
            if (nap < 1000) nap *= 2;
            continue;
        }
        nap = 20;
        int r = st.MPI_SOURCE, bytes = 0;
        if ((e = MPI_Get_count(&st, MPI_BYTE, &bytes)) != MPI_SUCCESS) { call = "MPI_Get_count"; break; }
        int got = bytes / (int)sizeof msg[0];
        char where[HOST_MAX + 32];
        snprintf(where, sizeof where, " on rank %d (%s)", r, g_hosts ? g_hosts[r] : "?");
        if (!(got == 1 && msg[0].run == NO_RUN && assigned[r].n == 0)) {
            if (got != assigned[r].n || bytes % (int)sizeof msg[0]) {
                bench_sched_say(&q, "rank %d answered %d runs but holds %d (protocol error)", r, got, assigned[r].n);
                q.failed = q.stopping = 1;
                q.active -= assigned[r].n;
            } else {
                for (int k = 0; k < got; k++) {
                    if (msg[k].run != assigned[r].run[k]) {
                        bench_sched_say(&q, "rank %d answered run %u but holds %u (protocol error)", r, msg[k].run,
                                        assigned[r].run[k]);
                        q.failed = q.stopping = 1;
                        q.active--;
                    } else {
                        bench_sched_result(&q, &msg[k], where);
                    }
                }
            }
        }
        size_t want = bench_sched_batch(&q, g_size - 1);
        long next;
        assigned[r].n = 0;
        while ((size_t)assigned[r].n < want && (next = bench_sched_next(&q)) >= 0)
            assigned[r].run[assigned[r].n++] = (uint32_t)next;
        int n = assigned[r].n;
        uint32_t none = 0;
        if ((e = MPI_Send(n ? assigned[r].run : &none, n ? n : 1, MPI_UINT32_T, r, n ? TAG_WORK : TAG_STOP,
                          MPI_COMM_WORLD)) != MPI_SUCCESS) {
            call = "MPI_Send";
            break;
        }
        if (!n) live--;
        if (live > 0 && (e = MPI_Irecv(msg, msgcap, MPI_BYTE, MPI_ANY_SOURCE, TAG_ASK, MPI_COMM_WORLD, &req))
                            != MPI_SUCCESS) call = "MPI_Irecv";
    }
    if (e != MPI_SUCCESS) {
        mpi_failed(who, call, e);
        say_in_progress(&q, assigned, "the sweep cannot go on");
        q.failed = 1;
    }
    if (o->signals) bench_signals_restore(&saved);
    if (killed) {             /* mpirun signals again (SIGINT then SIGTERM): live until the partial file is written */
        signal(SIGINT, SIG_IGN);
        signal(SIGTERM, SIG_IGN);
    }
    free(assigned);
    return bench_sched_end(&q, killed);
}

#endif
