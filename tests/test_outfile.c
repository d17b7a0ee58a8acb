/* test_outfile.c — sim/util/outfile: temporaries' names, the directory lock,
 * the stale-temporary rule, directories removed on failure, the journal's
 * torn-row rule (bench_sweep_read_partial). */
#include "cu_util.h"
#include "outfile.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char g_root[256];

static int exists(const char *dir, const char *name)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    struct stat st;
    return lstat(p, &st) == 0;
}

static void touch(const char *dir, const char *name)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("x", f);
    fclose(f);
}

static pid_t dead_pid(void)
{
    pid_t p = fork();
    if (p == 0) _exit(0);
    waitpid(p, NULL, 0);
    return p;                 /* reaped: no such process (until the number is reused) */
}

static void test_tmp_names(void)
{
    CU_ASSERT_EQUAL(sim_out_tmp_pid(".summary.csv.tmp.1234"), 1234);
    CU_ASSERT_EQUAL(sim_out_tmp_pid(".timeseries.tmp.77.png"), 77);
    CU_ASSERT_EQUAL(sim_out_tmp_pid(".latency-cdf.tmp.5.latency.tmp"), 5);
    CU_ASSERT_EQUAL(sim_out_tmp_pid(".a.tmp.12.tmp.34"), 34);              /* NAME may hold ".tmp.N" */
    CU_ASSERT_EQUAL(sim_out_tmp_pid("summary.csv.tmp.1234"), 0);           /* not hidden */
    CU_ASSERT_EQUAL(sim_out_tmp_pid("..tmp.12"), 0);                       /* empty NAME */
    CU_ASSERT_EQUAL(sim_out_tmp_pid(".x.tmp."), 0);
    CU_ASSERT_EQUAL(sim_out_tmp_pid(".x.tmp.12x"), 0);
    CU_ASSERT_EQUAL(sim_out_tmp_pid(".x.tmp.0"), 0);
    CU_ASSERT_EQUAL(sim_out_tmp_pid(".x.tmp.99999999999"), 0);             /* not a pid */
    CU_ASSERT_EQUAL(sim_out_tmp_pid(".retrysim.lock"), 0);
}

static void test_lock(void)
{
    char d[512];
    snprintf(d, sizeof d, "%s/locked", g_root);
    int h = sim_outdir_open(d, SIM_OUTDIR_LOCK, "test");
    CU_ASSERT_FATAL(h >= 0);
    CU_ASSERT(exists(d, SIM_OUT_LOCK_NAME));
    /* flock is per open file: a second taker, even in this process, is refused */
    CU_ASSERT_EQUAL(sim_outdir_open(d, SIM_OUTDIR_LOCK, "test"), -1);
    char trail[520];
    snprintf(trail, sizeof trail, "%s/", d);
    CU_ASSERT_EQUAL(sim_outdir_open(trail, SIM_OUTDIR_LOCK, "test"), -1);    /* "d/" is d */
    CU_ASSERT(exists(g_root, "locked"));                                     /* a refused taker removes nothing */
    sim_outdir_close(h, 0);
    CU_ASSERT(!exists(d, SIM_OUT_LOCK_NAME));
    CU_ASSERT(exists(g_root, "locked"));
    /* a lock file left behind (its holder killed) blocks nothing */
    touch(d, SIM_OUT_LOCK_NAME);
    h = sim_outdir_open(d, SIM_OUTDIR_LOCK, "test");
    CU_ASSERT(h >= 0);
    sim_outdir_close(h, 1);                   /* failed, but d existed: kept */
    CU_ASSERT(exists(g_root, "locked"));
    CU_ASSERT(!exists(d, SIM_OUT_LOCK_NAME));
}

static void test_created_removed(void)
{
    char d[512], top[512];
    snprintf(top, sizeof top, "%s/new", g_root);
    snprintf(d, sizeof d, "%s/new/a/b", g_root);
    int h = sim_outdir_open(d, SIM_OUTDIR_LOCK, "test");
    CU_ASSERT_FATAL(h >= 0);
    sim_outdir_close(h, 1);
    CU_ASSERT(!exists(g_root, "new"));        /* every level it created, and only those */
    h = sim_outdir_open(d, SIM_OUTDIR_LOCK, "test");
    CU_ASSERT_FATAL(h >= 0);
    sim_outfile o;
    CU_ASSERT_EQUAL_FATAL(sim_out_open(&o, d, "kept.csv"), 0);
    CU_ASSERT_EQUAL(sim_out_commit(&o), 0);
    sim_outdir_close(h, 1);                   /* failed after committing: nothing is removed */
    CU_ASSERT(exists(d, "kept.csv"));
    CU_ASSERT(!exists(d, SIM_OUT_LOCK_NAME));
    h = sim_outdir_open(d, 0, "test");        /* without a lock */
    CU_ASSERT(h >= 0);
    CU_ASSERT(!exists(d, SIM_OUT_LOCK_NAME));
    sim_outdir_close(h, 1);
    CU_ASSERT(exists(d, "kept.csv"));
    /* a file where a directory should be: refused, and the levels created before it go again */
    touch(top, "file");
    snprintf(d, sizeof d, "%s/new/c/../file/x", g_root);
    CU_ASSERT_EQUAL(sim_outdir_open(d, SIM_OUTDIR_LOCK, "test"), -1);
    CU_ASSERT(!exists(top, "c"));
}

static void test_stale(void)
{
    char d[512], name[64], live[64], other[64];
    snprintf(d, sizeof d, "%s/stale", g_root);
    CU_ASSERT_EQUAL_FATAL(sim_mkdirs(d), 0);
    pid_t dead = dead_pid();
    if (kill(dead, 0) == 0 || errno != ESRCH) return;     /* reused already: nothing to test */
    snprintf(name, sizeof name, ".summary.csv.tmp.%ld", (long)dead);
    snprintf(other, sizeof other, ".timeseries.tmp.%ld.png", (long)dead);
    snprintf(live, sizeof live, ".summary.csv.tmp.%ld", (long)getppid());
    touch(d, name);
    touch(d, other);
    touch(d, live);
    touch(d, "summary.csv");
    int h = sim_outdir_open(d, 0, "test");                 /* no lock: nothing is removed */
    sim_outdir_close(h, 0);
    CU_ASSERT(exists(d, name));
    h = sim_outdir_open(d, SIM_OUTDIR_LOCK, "test");
    CU_ASSERT(h >= 0);
    CU_ASSERT(!exists(d, name));
    CU_ASSERT(!exists(d, other));
    CU_ASSERT(exists(d, live));                            /* its pid is alive */
    CU_ASSERT(exists(d, "summary.csv"));
    sim_outdir_close(h, 0);
}

static void test_abort_untracks(void)
{
    char d[512];
    snprintf(d, sizeof d, "%s/many", g_root);
    CU_ASSERT_EQUAL_FATAL(sim_mkdirs(d), 0);
    /* more files than the registry holds, opened and aborted in turn: slots are reused */
    for (int i = 0; i < 200; i++) {
        sim_outfile o;
        CU_ASSERT_EQUAL_FATAL(sim_out_open(&o, d, "x.csv"), 0);
        CU_ASSERT(o.slot > 0);
        sim_out_abort(&o);
    }
    int t = sim_out_track("/nonexistent/a");
    CU_ASSERT(t > 0);
    sim_out_untrack(t);
}

static void test_cleanup(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_root);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

static void register_suites(void)
{
    snprintf(g_root, sizeof g_root, "/tmp/test_outfile.%ld", (long)getpid());
    if (sim_mkdirs(g_root)) return;
    CU_SUITE("outfile", { "temporary names", test_tmp_names }, { "lock", test_lock },
             { "created directories removed on failure", test_created_removed },
             { "stale temporaries", test_stale }, { "registry slots", test_abort_untracks },
             { "cleanup", test_cleanup });
}

CU_TEST_MAIN(register_suites)
