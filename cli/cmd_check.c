/* check.c — `retrysim check FILE...`: regression assertions on scenarios.
 *
 * Every file is loaded first (a bad one stops everything with exit 2 before
 * any run); then each scenario's expect: list is evaluated on a run of the
 * policies it names (sim_runner_run, in file order; policies no expectation
 * names are not run, and a scenario without expectations is not run at all).
 * Semantics (docs/cli.md, "retrysim check"): a bound {policy, metric, min,
 * max, on} compares the replications' mean (on: mean) or a bound of its 95%
 * Student-t CI (on: upper / lower) with min and max, inclusive. A comparison
 * {better, than, metric} holds when better's mean beats than's mean in the
 * metric's direction (on: mean), or — on: upper or lower — when better's
 * whole CI lies on the better side of than's mean: for a lower-is-better
 * metric better's upper bound < than's mean, otherwise better's lower bound
 * > than's mean. An undefined value (no finite replication, or a CI with
 * fewer than two) fails. Exit status: 0 all hold, 1 one failed, 2 bad input.
 */
#include "cli.h"
#include "model.h"
#include "outfile.h"
#include "model.h"
#include "sweep.h"
#include "units.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Runs the named policies of the scenario at `path` (with the same
 * overrides) as a one-point sweep on `jobs` worker processes, and copies the
 * results into *out (runner.h's layout, owned by out). Run i of policy j is
 * the same run `retrysim run` makes, whatever `jobs` is. Returns 0, -2 when
 * interrupted (SIGINT/SIGTERM), -1 on failure. */
static int run_policies(const char *path, const char *const *sets, int nsets, const sim_scenario *sc,
                        const int *idx, int n, int jobs, sim_results *out)
{
    const char **names = malloc((size_t)n * sizeof *names);
    if (!names) return -1;
    for (int i = 0; i < n; i++) names[i] = sc->policies[idx[i]].name;
    bench_grid none;
    memset(&none, 0, sizeof none);
    bench_sweep sw;
    sim_err err;
    int rc = bench_sweep_plan(&sw, path, &none, sets, nsets, names, n, &err);
    free(names);
    if (rc) { fprintf(stderr, "%s\n", err.msg); return -1; }
    bench_exec_opts o;
    memset(&o, 0, sizeof o);
    o.jobs = jobs;
    o.progress = 1;
    o.signals = 1;
    o.crash_run = -1;
    o.who = "retrysim check";
    int ex = bench_sweep_exec(&sw, &o);
    rc = ex == BENCH_EXEC_DONE ? 0 : ex == BENCH_EXEC_STOPPED ? -2 : -1;
    if (!rc) {
        const sim_results *r = &sw.res[0];
        out->npolicies = r->npolicies;
        out->reps = r->reps;
        out->policy = malloc((size_t)r->npolicies * sizeof *out->policy);
        out->m = malloc((size_t)r->npolicies * (size_t)r->reps * sizeof *out->m);
        if (!out->policy || !out->m) { sim_results_free(out); rc = -1; }
        else {
            memcpy(out->policy, r->policy, (size_t)r->npolicies * sizeof *out->policy);
            memcpy(out->m, r->m, (size_t)r->npolicies * (size_t)r->reps * sizeof *out->m);
        }
    }
    bench_sweep_free(&sw);
    return rc;
}

static const char USAGE[] =
    "usage: retrysim check FILE... [--junit REPORT.xml] [--replications N] [--jobs N]\n"
    "  runs each scenario's policies named in its expect: list and reports every\n"
    "  expectation as PASS or FAIL with the measured value and its 95% CI\n"
    "  --junit FILE       also write a JUnit XML report (one testsuite per file)\n"
    "  --replications N   override every scenario's replications\n"
    "  --jobs N           worker processes for the runs (default: the number of online CPUs);\n"
    "                     the results do not depend on N\n"
    "exit status: 0 all expectations hold, 1 one failed, 2 bad input\n";

typedef struct { size_t n; double mean, lo, hi; } stat;

typedef struct {
    int  pass;
    char expr[256];      /* "success_rate(full-jitter).ci95_low >= 0.99" */
    char measured[700];  /* "0.9931, 95% CI [0.9912, 0.995], n=5" */
} outcome;

typedef struct {
    sim_scenario sc;
    sim_results  res;
    int          ran;
    double       seconds;
    outcome     *out;     /* [sc.nexpect] */
} file_check;

static const char *on_name(sim_on on)
{
    return on == SIM_ON_UPPER ? "ci95_high" : on == SIM_ON_LOWER ? "ci95_low" : "mean";
}

static stat measure(const sim_scenario *sc, const sim_results *r, const char *policy, sim_metric_id m)
{
    stat s = { 0, NAN, NAN, NAN };
    int slot = -1;
    for (int i = 0; i < r->npolicies; i++)
        if (!strcmp(sc->policies[r->policy[i]].name, policy)) slot = i;
    double *col = malloc((size_t)r->reps * sizeof *col);
    if (slot < 0 || !col) { free(col); return s; }
    double sd;
    sim_results_column(r, slot, m, col);
    sim_ci95(col, (size_t)r->reps, &s.n, &s.mean, &sd, &s.lo, &s.hi);
    free(col);
    return s;
}

static double pick(const stat *s, sim_on on) { return on == SIM_ON_UPPER ? s->hi : on == SIM_ON_LOWER ? s->lo : s->mean; }

/* "0.9931, 95% CI [0.9912, 0.995], n=5" (or what is undefined). */
static void describe(char *buf, size_t cap, const stat *s)
{
    if (!s->n) snprintf(buf, cap, "undefined (no replication has a finite value)");
    else if (!isfinite(s->lo)) snprintf(buf, cap, "%.6g, 95%% CI undefined (n=%zu: a CI needs 2)", s->mean, s->n);
    else snprintf(buf, cap, "%.6g, 95%% CI [%.6g, %.6g], n=%zu", s->mean, s->lo, s->hi, s->n);
}

static void evaluate(const sim_scenario *sc, const sim_results *r, const sim_expect *x, outcome *o)
{
    const char *metric = sim_metric_name(x->metric);
    char a[240], b[240];
    if (!x->is_comparison) {
        stat s = measure(sc, r, x->policy, x->metric);
        double v = pick(&s, x->on);
        int n = snprintf(o->expr, sizeof o->expr, "%s(%s).%s", metric, x->policy, on_name(x->on));
        if (x->has_min && x->has_max) snprintf(o->expr + n, sizeof o->expr - (size_t)n, " in [%g, %g]", x->min, x->max);
        else if (x->has_min) snprintf(o->expr + n, sizeof o->expr - (size_t)n, " >= %g", x->min);
        else snprintf(o->expr + n, sizeof o->expr - (size_t)n, " <= %g", x->max);
        o->pass = isfinite(v) && (!x->has_min || v >= x->min) && (!x->has_max || v <= x->max);
        describe(a, sizeof a, &s);
        snprintf(o->measured, sizeof o->measured, "%s", a);
        return;
    }
    stat sb = measure(sc, r, x->better, x->metric), st = measure(sc, r, x->than, x->metric);
    int lower = x->lower_is_better;
    /* on: mean compares means; a CI bound asks for better's whole CI on the better side */
    sim_on side = x->on == SIM_ON_MEAN ? SIM_ON_MEAN : lower ? SIM_ON_UPPER : SIM_ON_LOWER;
    double vb = pick(&sb, side), vt = st.mean;
    snprintf(o->expr, sizeof o->expr, "%s(%s).%s %s %s(%s).mean", metric, x->better, on_name(side), lower ? "<" : ">",
             metric, x->than);
    o->pass = isfinite(vb) && isfinite(vt) && (lower ? vb < vt : vb > vt);
    describe(a, sizeof a, &sb);
    describe(b, sizeof b, &st);
    snprintf(o->measured, sizeof o->measured, "%s: %s; %s: %s", x->better, a, x->than, b);
}

/* The indices of the policies the expectations name, in file order. */
static int named_policies(const sim_scenario *sc, int *idx)
{
    int n = 0;
    for (int p = 0; p < sc->npolicies; p++) {
        const char *name = sc->policies[p].name;
        for (int e = 0; e < sc->nexpect; e++) {
            const sim_expect *x = &sc->expect[e];
            if (!strcmp(name, x->is_comparison ? x->better : x->policy) || (x->is_comparison && !strcmp(name, x->than))) {
                idx[n++] = p;
                break;
            }
        }
    }
    return n;
}

static void xml_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default:
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') fputc('?', f);   /* not allowed in XML 1.0 */
            else fputc(c, f);
        }
    }
}

static int write_junit(const char *path, file_check *fc, int nfiles, int tests, int failures, double seconds)
{
    char dir[1024] = ".";
    const char *slash = strrchr(path, '/'), *name = slash ? slash + 1 : path;
    if (slash && slash != path) snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else if (slash) snprintf(dir, sizeof dir, "/");
    if (!*name || sim_mkdirs(dir)) { fprintf(stderr, "retrysim check: cannot write '%s'\n", path); return -1; }
    sim_outfile o;
    if (sim_out_open(&o, dir, name)) return -1;
    FILE *f = o.f;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f, "<testsuites name=\"retrysim check\" tests=\"%d\" failures=\"%d\" errors=\"0\" time=\"%.3f\">\n",
            tests, failures, seconds);
    for (int i = 0; i < nfiles; i++) {
        const sim_scenario *sc = &fc[i].sc;
        int nf = 0;
        for (int e = 0; e < sc->nexpect; e++) nf += !fc[i].out[e].pass;
        fputs("  <testsuite name=\"", f);
        xml_text(f, sc->path);
        fprintf(f, "\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"0\" time=\"%.3f\">\n", sc->nexpect, nf, fc[i].seconds);
        if (!sc->nexpect) fputs("    <system-out>no expectations</system-out>\n", f);
        for (int e = 0; e < sc->nexpect; e++) {
            const outcome *oc = &fc[i].out[e];
            fputs("    <testcase classname=\"", f);
            xml_text(f, sc->name);
            fprintf(f, "\" name=\"line %d: ", sc->expect[e].line);
            xml_text(f, oc->expr);
            fputs("\" time=\"0\">", f);
            if (!oc->pass) {
                fputs("\n      <failure type=\"expectation\" message=\"", f);
                xml_text(f, oc->expr);
                fputs(" does not hold: measured ", f);
                xml_text(f, oc->measured);
                fputs("\"/>\n    ", f);
            }
            fputs("</testcase>\n", f);
        }
        fputs("  </testsuite>\n", f);
    }
    fputs("</testsuites>\n", f);
    return sim_out_commit(&o);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cmd_check(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) { fputs(USAGE, stdout); return 0; }
    const char *junit = NULL, *sets[1];
    char repbuf[64];
    int nsets = 0, nfiles = 0;
    long jobs = sysconf(_SC_NPROCESSORS_ONLN);
    if (jobs < 1) jobs = 1;
    const char **files = calloc((size_t)argc, sizeof *files);
    if (!files) return 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--junit") && more) junit = argv[++i];
        else if (!strcmp(a, "--replications") && more) {
            long long v;
            if (sim_parse_int(argv[++i], &v) || v < 1 || v > 100000)
                cli_die_usage("check", "--replications needs an integer in 1..100000\n");
            snprintf(repbuf, sizeof repbuf, "replications=%lld", v);
            sets[0] = repbuf;
            nsets = 1;
        } else if (!strcmp(a, "--jobs") && more) {
            long long v;
            if (sim_parse_int(argv[++i], &v) || v < 1 || v > 1024) cli_die_usage("check", "--jobs needs an integer in 1..1024\n");
            jobs = (long)v;
        } else if (a[0] == '-') { fprintf(stderr, "retrysim check: unknown option or missing value '%s'\n%s", a, USAGE); free(files); return 2; }
        else files[nfiles++] = a;
    }
    if (!nfiles) { fputs(USAGE, stderr); free(files); return 2; }

    file_check *fc = calloc((size_t)nfiles, sizeof *fc);
    int bad = !fc;
    for (int i = 0; fc && i < nfiles; i++) {
        sim_err err;
        if (sim_scenario_load(files[i], sets, nsets, &fc[i].sc, &err)) { fprintf(stderr, "%s\n", err.msg); bad = 1; }
        else if (!(fc[i].out = calloc((size_t)fc[i].sc.nexpect + 1, sizeof *fc[i].out))) bad = 1;
        else if (fc[i].sc.warnings) fputs(fc[i].sc.warnings, stderr);   /* imported configs: not simulated */
    }
    int tests = 0, failures = 0, without = 0, interrupted = 0;
    double t0 = now_s();
    for (int i = 0; i < nfiles && !bad; i++) {
        file_check *c = &fc[i];
        const sim_scenario *sc = &c->sc;
        if (!sc->nexpect) {
            printf("%s: %s: no expectations\n", sc->path, sc->name);
            without++;
            continue;
        }
        int *idx = malloc((size_t)sc->npolicies * sizeof *idx);
        if (!idx) { bad = 1; break; }
        int n = named_policies(sc, idx);
        double t = now_s();
        int run_rc = run_policies(files[i], sets, nsets, sc, idx, n, (int)jobs, &c->res);
        free(idx);
        if (run_rc == -2) { interrupted = 1; break; }
        if (run_rc) { bad = 1; break; }
        c->ran = 1;
        c->seconds = now_s() - t;
        printf("%s: %s: %d replication%s of %d polic%s, %d expectation%s\n", sc->path, sc->name, c->res.reps,
               c->res.reps == 1 ? "" : "s", n, n == 1 ? "y" : "ies", sc->nexpect, sc->nexpect == 1 ? "" : "s");
        for (int e = 0; e < sc->nexpect; e++) {
            outcome *oc = &c->out[e];
            evaluate(sc, &c->res, &sc->expect[e], oc);
            tests++;
            failures += !oc->pass;
            printf("  %s  %s:%d: %s: measured %s\n", oc->pass ? "PASS" : "FAIL", sc->path, sc->expect[e].line,
                   oc->expr, oc->measured);
        }
        fflush(stdout);
    }
    int rc = bad ? 2 : interrupted ? 130 : failures ? 1 : 0;
    if (interrupted) fprintf(stderr, "retrysim check: interrupted; no report written\n");
    if (!bad && !interrupted) {
        printf("check: %d expectation%s in %d file%s: %d passed, %d failed", tests, tests == 1 ? "" : "s", nfiles,
               nfiles == 1 ? "" : "s", tests - failures, failures);
        if (without) printf(" (%d file%s without expectations)", without, without == 1 ? "" : "s");
        printf("\n");
        if (junit && write_junit(junit, fc, nfiles, tests, failures, now_s() - t0)) rc = 2;
    }
    for (int i = 0; fc && i < nfiles; i++) {
        if (fc[i].ran) sim_results_free(&fc[i].res);
        sim_scenario_free(&fc[i].sc);
        free(fc[i].out);
    }
    free(fc);
    free(files);
    return rc;
}
