/* test_robust.c — hostile and careless inputs of the scenario layer
 * (docs/robustness.md): limits checked while parsing, located messages of
 * one line, files that are not regular, CSV caps and NULs, derived sizes,
 * and the regressions the fuzzers found (tests/fuzz/corpus/<target>/regress-*
 * replays them under libFuzzer as well).
 */
#include "cu_util.h"
#include "cfg.h"
#include "dist.h"
#include "scenario.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CU_SCRATCH_TAG "robust"
#include "cu_scratch.h"



static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Loads path; expects an error whose text starts with prefix (after the
 * scratch directory when rel) and contains frag, on one line. */
static void expect_load(const char *path, const char *const *ov, int nov, const char *prefix, const char *frag)
{
    sim_scenario s;
    sim_err err;
    int rc = sim_scenario_load(path, ov, nov, &s, &err);
    CU_ASSERT(rc < 0);
    if (rc >= 0) { sim_scenario_free(&s); fprintf(stderr, "\n  %s loaded, want '%s'\n", path, frag); return; }
    int ok = !strncmp(err.msg, prefix, strlen(prefix)) && strstr(err.msg, frag) && !strchr(err.msg, '\n');
    if (!ok) fprintf(stderr, "\n  got:  %s\n  want: %s...%s\n", err.msg, prefix, frag);
    CU_ASSERT(ok);
}

#define BASE "scenario: t\nduration: 10m\nproviders:\n  - name: primary\nworkload: { clients: 10 }\npolicies:\n  - name: p\n"

static void expect_text(const char *text, int line, int col, const char *frag)
{
    const char *p = write_file("s.yaml", text);
    char prefix[512];
    snprintf(prefix, sizeof prefix, "%s:%d:%d: ", p, line, col);
    expect_load(p, NULL, 0, prefix, frag);
}

/* ---- YAML: limits while parsing --------------------------------------------- */

static void test_nesting_and_aliases(void)
{
    size_t n = 200000;
    char *deep = malloc(n + 8);
    CU_ASSERT_PTR_NOT_NULL_FATAL(deep);
    memcpy(deep, "a: ", 3);
    memset(deep + 3, '[', n);
    deep[n + 3] = '\0';
    double t0 = now_s();
    expect_text(deep, 1, 68, "nesting deeper than 64 levels");
    double dt = now_s() - t0;
    printf("\n  200000 nested '[': refused in %.3f s\n", dt);
    CU_ASSERT(dt < 1.0);   /* a loose sanity bound: it was 67 s */
    memset(deep + 3, '{', n);
    expect_text(deep, 1, 68, "nesting deeper than 64 levels");
    free(deep);

    /* billion laughs: 9 levels of 9 aliases */
    char bomb[4096];
    size_t len = (size_t)snprintf(bomb, sizeof bomb, "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (char c = 'b'; c <= 'j'; c++)
        len += (size_t)snprintf(bomb + len, sizeof bomb - len, "%c: &%c [*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c]\n",
                                c, c, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1);
    t0 = now_s();
    expect_text(bomb, 5, 8, "aliases expand to more than 10000 nodes (an alias bomb?)");
    printf("  billion laughs: refused in %.3f s\n", now_s() - t0);
    expect_text("a: &x [*x]\n", 1, 4, "nesting deeper than 64 levels: alias '*x' is inside its own anchor");
    expect_text("a: *nope\n", 1, 4, "YAML syntax error: found undefined alias '*nope'");
    /* a few aliases are fine */
    sim_cfg_doc d;
    sim_err err;
    CU_ASSERT_EQUAL(sim_cfg_load_string("a: &x { b: [1, 2] }\nc: *x\nd: *x\n", "mem", &d, &err), 0);
    CU_ASSERT_EQUAL(sim_cfg_get(d.root, "d")->n, 1);
    sim_cfg_free(&d);
}

static void test_text_positions(void)
{
    static const char bad_utf8[] = "scenario: x\nduration: 1m\xff\n";
    const char *p = write_bytes("u.yaml", bad_utf8, sizeof bad_utf8 - 1);
    char want[600];
    snprintf(want, sizeof want, "%s:2:13: ", p);
    expect_load(p, NULL, 0, want, "not valid text: invalid leading UTF-8 octet (byte 0xFF)");
    static const char ctl[] = "scenario: x\n  # \xc3\xa9t\xc3\xa9\nduration: \x01m\n";
    p = write_bytes("c.yaml", ctl, sizeof ctl - 1);
    snprintf(want, sizeof want, "%s:3:11: ", p);
    expect_load(p, NULL, 0, want, "control characters are not allowed (U+0001)");
    static const char nul[] = "scenario: x\nduration: 1\0m\n";
    p = write_bytes("n.yaml", nul, sizeof nul - 1);
    snprintf(want, sizeof want, "%s:2:12: ", p);
    expect_load(p, NULL, 0, want, "control characters are not allowed (U+0000)");
    /* a multi-line scalar quoted back: the message stays one line */
    expect_text(BASE "bucket: \"1\\nminute\"\n", 8, 9, "got '1\\nminute'");
    expect_text("a: 1\n---\nb: 2\n", 3, 1, "only one YAML document is allowed per file");
    expect_text("a: 1\na: 2\n", 2, 1, "duplicate key 'a' (first written at line 1)");
    /* a big flat map: duplicate keys are found in linear time */
    size_t n = 40000, cap = n * 16;
    char *big = malloc(cap);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) len += (size_t)snprintf(big + len, cap - len, "k%zu: %zu\n", i, i);
    snprintf(big + len, cap - len, "k7: 1\n");
    double t0 = now_s();
    expect_text(big, (int)n + 1, 1, "duplicate key 'k7' (first written at line 8)");
    printf("\n  a map of 40000 keys: checked in %.3f s\n", now_s() - t0);
    free(big);
}

static void test_not_regular(void)
{
    const char *dir = scratch();
    char want[600];
    snprintf(want, sizeof want, "%s: cannot read: it is a directory", dir);
    expect_load(dir, NULL, 0, want, "directory");
    expect_load("/dev/null", NULL, 0, "/dev/null: cannot read: not a regular file (a device)", "device");
    char fifo[400];
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
    snprintf(want, sizeof want, "%s: cannot read: not a regular file (a FIFO)", fifo);
    expect_load(fifo, NULL, 0, want, "FIFO");          /* returns at once: no writer needed */
    /* as referenced CSVs: located at the key */
    char yaml[800];
    snprintf(yaml, sizeof yaml, BASE "timeline_csv: %s\n", fifo);
    expect_text(yaml, 8, 15, "cannot read '");
    snprintf(yaml, sizeof yaml, BASE "network: { latency: empirical(%s) }\n", dir);
    expect_text(yaml, 8, 21, "it is a directory");
    expect_text(BASE "timeline_csv: /dev/zero\n", 8, 15, "cannot read '/dev/zero': not a regular file (a device)");
}

/* ---- CSV -------------------------------------------------------------------- */

static int count_rows(void *user, const sim_csv_row *row, sim_err *err)
{
    (void)row; (void)err;
    ++*(size_t *)user;
    return 0;
}

static void test_csv(void)
{
    char want[700];
    static const char nul[] = "at,for,provider,key,value\n1m,,pri\0mary,rpm,100\n";
    const char *p = write_bytes("n.csv", nul, sizeof nul - 1);
    sim_scenario s;
    sim_err err;
    CU_ASSERT(sim_scenario_load(write_file("s.yaml", BASE "timeline_csv: n.csv\n"), NULL, 0, &s, &err) < 0);
    snprintf(want, sizeof want, "%s:2:8: a NUL byte (a CSV input is text; is this a CSV file?)", p);
    CU_ASSERT_STRING_EQUAL(err.msg, want);
    static const char nul2[] = "v\n100\0junk\n";
    write_bytes("n2.csv", nul2, sizeof nul2 - 1);
    sim_dist d;
    CU_ASSERT_EQUAL(sim_dist_parse("empirical(n2.csv)", 0, scratch(), &d, &err), SIM_ELOCATED);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "n2.csv:2:4: a NUL byte"));

    /* empty files: one shape everywhere */
    write_file("e.csv", "");
    expect_text(BASE "timeline_csv: e.csv\n", 8, 15, "e.csv: empty file (expected the header at,for,provider,key,value");
    expect_text(BASE "network: { latency: empirical(e.csv) }\n", 8, 21, "e.csv: empty file (expected one value per row");
    expect_text("scenario: t\nduration: 1m\nproviders: [{name: a}]\npolicies: [{name: p}]\n"
                "workload: { loop: trace, arrivals_csv: e.csv }\n", 5, 40, "e.csv: empty file (expected a header naming the columns: at,");
    write_file("blank.csv", "\n\r\n\n");
    expect_text(BASE "timeline_csv: blank.csv\n", 8, 15, "blank.csv: empty file");
    write_file("h.csv", "at,for,provider,key,value\n");
    expect_text(BASE "timeline_csv: h.csv\n", 8, 15, "'h.csv' has a header and no change");

    /* a file that is not a CSV is not echoed */
    write_file("pw.csv", "root:x:0:0:root:/root:/bin/bash\nsecret\n");
    CU_ASSERT(sim_scenario_load(write_file("s.yaml", BASE "timeline_csv: pw.csv\n"), NULL, 0, &s, &err) < 0);
    CU_ASSERT_PTR_NULL(strstr(err.msg, "root"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "pw.csv:1:1: the first row is not a header"));

    /* caps: cells per row, bytes per cell */
    size_t n = 3000;
    char *wide = malloc(2 * n + 2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(wide);
    for (size_t i = 0; i < n; i++) { wide[2 * i] = 'x'; wide[2 * i + 1] = ','; }
    wide[2 * n] = '\n';
    p = write_bytes("wide.csv", wide, 2 * n + 1);
    size_t rows = 0;
    CU_ASSERT(sim_cfg_csv_read(p, count_rows, &rows, &err) < 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "wide.csv:1:2049: more than 1024 cells in a row"));
    free(wide);
    char *cell = malloc(SIM_CSV_MAX_CELL + 10);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cell);
    cell[0] = '"';
    memset(cell + 1, 'y', SIM_CSV_MAX_CELL + 5);
    p = write_bytes("long.csv", cell, SIM_CSV_MAX_CELL + 6);
    CU_ASSERT(sim_cfg_csv_read(p, count_rows, &rows, &err) < 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "long.csv:1:1: a cell longer than 65536 bytes"));
    free(cell);
    /* an unterminated quote, a duration overflow, arrivals out of order */
    write_file("q.csv", "at,for,provider,key,value\n\"1m,,primary,rpm,100\n");
    CU_ASSERT(sim_scenario_load(write_file("s.yaml", BASE "timeline_csv: q.csv\n"), NULL, 0, &s, &err) < 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "q.csv:3:1: malformed CSV"));
    write_file("o.csv", "at,for,provider,key,value\n1e30s,,primary,rpm,100\n");
    CU_ASSERT(sim_scenario_load(write_file("s.yaml", BASE "timeline_csv: o.csv\n"), NULL, 0, &s, &err) < 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "o.csv:2:1: duration for 'at' must not be negative or huge, got '1e30s'"));
}

/* ---- derived sizes ------------------------------------------------------------ */

static void test_sizes(void)
{
    const char *p = write_file("s.yaml", BASE);
    static const char *const ov1[] = { "duration=4294967297ns", "bucket=1ns" };
    expect_load(p, ov1, 2, "override 'bucket=1ns': ", "4294967297 time-series buckets of 1ns");
    static const char *const ov2[] = { "duration=1m", "bucket=1us" };
    expect_load(p, ov2, 2, "override 'bucket=1us': ", "60000000 time-series buckets of 1us in a run of 1m: at most 1000000");
    static const char *const ov3[] = { "replications=100001" };
    expect_load(p, ov3, 1, "override 'replications=100001': ", "must be between 1 and 100000");
    static const char *const ov4[] = { "duration=1e30s" };
    expect_load(p, ov4, 1, "override 'duration=1e30s': ", "must not be negative or huge");
    static const char *const ov5[] = { "duration=-5s" };
    expect_load(p, ov5, 1, "override 'duration=-5s': ", "must not be negative or huge");
    static const char *const ov6[] = { "workload.clients=nan" };
    expect_load(p, ov6, 1, "override 'workload.clients=nan': ", "expected an integer");
    /* 300 providers */
    size_t cap = 20000, len = 0;
    char *y = malloc(cap);
    CU_ASSERT_PTR_NOT_NULL_FATAL(y);
    len += (size_t)snprintf(y + len, cap - len, "scenario: t\nduration: 1m\nworkload: { clients: 1 }\npolicies: [{name: p}]\nproviders:\n");
    for (int i = 0; i < 300; i++) len += (size_t)snprintf(y + len, cap - len, "  - name: p%d\n", i);
    expect_text(y, 6, 3, "'providers' has 300 entries: at most 256");
    free(y);
    /* buckets x providers */
    expect_text("scenario: t\nduration: 100h\nbucket: 1s\nworkload: { clients: 1 }\npolicies: [{name: p}]\n"
                "providers: [{name: a}, {name: b}, {name: c}, {name: d}, {name: e}, {name: f}, {name: g}, {name: h},"
                " {name: i}, {name: j}, {name: k}, {name: l}]\n",
                3, 9, "360000 buckets x 12 providers = 4320000 time-series cells: at most 4000000");
    /* runs */
    expect_text("scenario: t\nduration: 1m\nreplications: 100000\nworkload: { clients: 1 }\nproviders: [{name: a}]\n"
                "policies: [{name: p}, {name: q}, {name: r}, {name: s}, {name: t}, {name: u}, {name: v}, {name: w},"
                " {name: x}, {name: y}, {name: z}]\n",
                3, 15, "11 policies x 100000 replications = 1100000 runs: at most 1000000");
}

static void register_suites(void)
{
    CU_SUITE("robust",
             { "nesting and aliases", test_nesting_and_aliases },
             { "positions and one-line messages", test_text_positions },
             { "directories, FIFOs, devices", test_not_regular },
             { "csv inputs", test_csv },
             { "derived sizes", test_sizes });
}

CU_TEST_MAIN(register_suites)
