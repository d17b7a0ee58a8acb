/* test_outfile.c — sim/util/outfile: temporaries' names, the directory lock,
 * the stale-temporary rule, directories removed on failure, the journal's
 * torn-row rule (bench_sweep_read_partial); the CSV number writers
 * (csvout.h) against the printf formats they stand for. */
#include "cu_util.h"
#include "outfile.h"
#include "csvout.h"
#include <limits.h>
#include <math.h>
#include <stdlib.h>
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

/* What f writes for v, as a string (caller frees). */
static char *written(void (*f)(FILE *, double), double v)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    f(m, v);
    fclose(m);
    return buf;
}

static void num_field(FILE *m, double v)
{
    sim_csv c;
    sim_csv_begin(&c, m);
    sim_csv_num(&c, v);
}

/* sim_fput_exact writes "%.17g" for integral values below 1e15 (decimal
 * digits) and "%a" for every other finite value, and the text reads back
 * (strtod) to the same double, sign of zero included;
 * sim_csv_num writes "%.0f" for integral values below 1e15 and "%.10g"
 * otherwise. The values: integers of every size around the 1e15 switch,
 * both zeros, negative integers, fractions, tiny and huge values, and
 * pseudo-random doubles of every exponent. sim_csv_int: "%lld", the
 * extremes included. */
static void test_numbers(void)
{
    double v[4096];
    size_t n = 0;
    const double fixed[] = { 0.0, -0.0, 1, -1, 7, 10, 42, -42, 1e6, 123456789, 999999999999999.0, 1e15,
                             1e15 + 1, -999999999999999.0, -1e15, 1e16, 9007199254740992.0, 0.5, -0.5, 1.0 / 3,
                             2.5, 1e-300, 5e-324, 1.7976931348623157e308, -1e-5, 0.1, 4.3, 0.03333333333333333 };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) v[n++] = fixed[i];
    for (int e = 0; e < 60; e++) { v[n++] = ldexp(1, e); v[n++] = ldexp(1, e) - 1; v[n++] = -ldexp(3, e); }
    unsigned long long x = 0x9e3779b97f4a7c15ULL;
    while (n < sizeof v / sizeof v[0]) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        double d;
        memcpy(&d, &x, sizeof d);
        if (isfinite(d)) v[n++] = d;
        v[n++] = (double)(x % 2000000000000000ULL) - 1e15;      /* integers on both sides of +-1e15 */
        if (n >= sizeof v / sizeof v[0]) break;
        v[n++] = (double)(x >> 11) / 1024.0;                  /* fractions and integers */
    }
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        char want[64];
        snprintf(want, sizeof want, v[i] == floor(v[i]) && fabs(v[i]) < 1e15 ? "%.17g" : "%a", v[i]);
        char *got = written(sim_fput_exact, v[i]);
        if (strcmp(got, want) || strtod(got, NULL) != v[i] || signbit(strtod(got, NULL)) != signbit(v[i])) bad++;
        free(got);
        if (v[i] == floor(v[i]) && fabs(v[i]) < 1e15) snprintf(want, sizeof want, "%.0f", v[i]);
        else snprintf(want, sizeof want, "%.10g", v[i]);
        got = written(num_field, v[i]);
        if (strcmp(got, want)) bad++;
        free(got);
    }
    CU_ASSERT_EQUAL(bad, 0);
    char *got = written(sim_fput_exact, -0.0);
    CU_ASSERT_STRING_EQUAL(got, "-0");
    free(got);
    got = written(sim_fput_exact, 0.75);                       /* hexadecimal, exact */
    CU_ASSERT_STRING_EQUAL(got, "0x1.8p-1");
    free(got);
    got = written(sim_fput_exact, 1e15);                       /* integral, but past the switch */
    CU_ASSERT_STRING_EQUAL(got, "0x1.c6bf52634p+49");
    CU_ASSERT_EQUAL(strtod(got, NULL), 1e15);
    free(got);
    const long long ints[] = { 0, 1, -1, 9, 10, -10, 123456789, -987654321012LL, LLONG_MAX, LLONG_MIN };
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        char want[32];
        snprintf(want, sizeof want, "%lld", ints[i]);
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(m);
        sim_csv c;
        sim_csv_begin(&c, m);
        sim_csv_int(&c, ints[i]);
        fclose(m);
        CU_ASSERT_STRING_EQUAL(buf, want);
        free(buf);
    }
    got = written(num_field, 1e15);                            /* past the switch: "%.10g" */
    CU_ASSERT_STRING_EQUAL(got, "1e+15");
    free(got);
    got = written(num_field, NAN);                             /* non-finite: an empty field */
    CU_ASSERT_STRING_EQUAL(got, "");
    free(got);
    got = written(sim_fput_exact, INFINITY);
    CU_ASSERT_STRING_EQUAL(got, "");
    free(got);
}

static void register_suites(void)
{
    snprintf(g_root, sizeof g_root, "/tmp/test_outfile.%ld", (long)getpid());
    if (sim_mkdirs(g_root)) return;
    CU_SUITE("outfile", { "temporary names", test_tmp_names }, { "lock", test_lock },
             { "created directories removed on failure", test_created_removed },
             { "stale temporaries", test_stale }, { "registry slots", test_abort_untracks },
             { "cleanup", test_cleanup });
    CU_SUITE("csv numbers", { "integer fast path = printf", test_numbers });
}

CU_TEST_MAIN(register_suites)
