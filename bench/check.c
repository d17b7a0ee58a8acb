/* check.c — evaluating a scenario's expect: list (check.h) and the JUnit
 * report. */
#include "check.h"
#include "model.h"
#include "outfile.h"
#include "sweep.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs the named policies of the scenario at `path` (with the same
 * overrides) as a one-point sweep on `jobs` worker processes, and copies the
 * results into *out (runner.h's layout, owned by out). Returns 0, -2 when
 * interrupted (SIGINT/SIGTERM), -1 on failure. */
static int run_policies(const char *path, const char *const *sets, int nsets, const sim_scenario *sc,
                        const int *idx, int n, int jobs, sim_results *out, sim_class_results *cout, sim_err *err)
{
    const char **names = malloc((size_t)(n ? n : 1) * sizeof *names);
    if (!names) { snprintf(err->msg, sizeof err->msg, "out of memory"); return -1; }
    for (int i = 0; i < n; i++) names[i] = sc->policies[idx[i]].name;
    bench_grid none;
    memset(&none, 0, sizeof none);
    bench_sweep sw;
    int rc = bench_sweep_plan(&sw, path, &none, sets, nsets, names, n, err);
    free(names);
    if (rc) return -1;
    if (cout && bench_sweep_keep_classes(&sw)) {
        bench_sweep_free(&sw);
        snprintf(err->msg, sizeof err->msg, "out of memory");
        return -1;
    }
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
        if (!out->policy || !out->m) {
            sim_results_free(out);
            snprintf(err->msg, sizeof err->msg, "out of memory");
            rc = -1;
        } else {
            memcpy(out->policy, r->policy, (size_t)r->npolicies * sizeof *out->policy);
            memcpy(out->m, r->m, (size_t)r->npolicies * (size_t)r->reps * sizeof *out->m);
        }
        if (!rc && cout) {
            size_t nc = (size_t)r->npolicies * (size_t)r->reps * (size_t)sw.cres[0].nclasses;
            cout->nclasses = sw.cres[0].nclasses;
            cout->m = malloc((nc ? nc : 1) * sizeof *cout->m);
            if (!cout->m) {
                sim_results_free(out);
                snprintf(err->msg, sizeof err->msg, "out of memory");
                rc = -1;
            } else {
                memcpy(cout->m, sw.cres[0].m, nc * sizeof *cout->m);
            }
        }
    }
    bench_sweep_free(&sw);
    return rc;
}

typedef struct { size_t n; double mean, lo, hi; } stat;

static const char *on_name(sim_on on)
{
    return on == SIM_ON_UPPER ? "ci95_high" : on == SIM_ON_LOWER ? "ci95_low" : "mean";
}

static stat measure(const sim_scenario *sc, const sim_results *r, const sim_class_results *cr, const char *policy,
                    int cls, sim_metric_id m)
{
    stat s = { 0, NAN, NAN, NAN };
    int slot = -1;
    for (int i = 0; i < r->npolicies; i++)
        if (!strcmp(sc->policies[r->policy[i]].name, policy)) slot = i;
    double *col = malloc((size_t)r->reps * sizeof *col);
    if (slot < 0 || !col) { free(col); return s; }
    double sd;
    sim_results_class_column(r, cr, slot, cls, m, col);
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

static void evaluate(const sim_scenario *sc, const sim_results *r, const sim_class_results *cr, const sim_expect *x,
                     bench_check_outcome *o)
{
    const char *metric = sim_metric_name(x->metric);
    char a[240], b[240], cl[SIM_NAME_MAX + 16] = "";
    if (x->cls >= 0) snprintf(cl, sizeof cl, ", class %s", sc->workload.classes[x->cls].name);
    if (!x->is_comparison) {
        stat s = measure(sc, r, cr, x->policy, x->cls, x->metric);
        double v = pick(&s, x->on);
        int n = snprintf(o->expr, sizeof o->expr, "%s(%s%s).%s", metric, x->policy, cl, on_name(x->on));
        if (x->has_min && x->has_max) snprintf(o->expr + n, sizeof o->expr - (size_t)n, " in [%g, %g]", x->min, x->max);
        else if (x->has_min) snprintf(o->expr + n, sizeof o->expr - (size_t)n, " >= %g", x->min);
        else snprintf(o->expr + n, sizeof o->expr - (size_t)n, " <= %g", x->max);
        o->pass = isfinite(v) && (!x->has_min || v >= x->min) && (!x->has_max || v <= x->max);
        describe(a, sizeof a, &s);
        snprintf(o->measured, sizeof o->measured, "%s", a);
        return;
    }
    stat sb = measure(sc, r, cr, x->better, x->cls, x->metric), st = measure(sc, r, cr, x->than, x->cls, x->metric);
    int lower = x->lower_is_better;
    /* on: mean compares means; a CI bound asks for better's whole CI on the better side */
    sim_on side = x->on == SIM_ON_MEAN ? SIM_ON_MEAN : lower ? SIM_ON_UPPER : SIM_ON_LOWER;
    double vb = pick(&sb, side), vt = st.mean;
    snprintf(o->expr, sizeof o->expr, "%s(%s%s).%s %s %s(%s%s).mean", metric, x->better, cl, on_name(side),
             lower ? "<" : ">", metric, x->than, cl);
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

int bench_check_load(bench_check_file *c, const char *path, const char *const *sets, int nsets, sim_err *err)
{
    memset(c, 0, sizeof *c);
    if (sim_scenario_load(path, sets, nsets, &c->sc, err)) return -1;
    if (!(c->out = calloc((size_t)c->sc.nexpect + 1, sizeof *c->out))) {
        snprintf(err->msg, sizeof err->msg, "out of memory");
        return -1;
    }
    return 0;
}

int bench_check_run(bench_check_file *c, const char *path, const char *const *sets, int nsets, int jobs, sim_err *err)
{
    const sim_scenario *sc = &c->sc;
    err->msg[0] = '\0';
    int *idx = malloc((size_t)(sc->npolicies ? sc->npolicies : 1) * sizeof *idx);
    if (!idx) { snprintf(err->msg, sizeof err->msg, "out of memory"); return -1; }
    int n = named_policies(sc, idx), classes = 0;
    for (int e = 0; e < sc->nexpect; e++) classes |= sc->expect[e].cls >= 0;
    double t = now_s();
    int rc = run_policies(path, sets, nsets, sc, idx, n, jobs, &c->res, classes ? &c->cres : NULL, err);
    free(idx);
    if (rc) return rc;
    c->ran = 1;
    c->npolicies = n;
    c->seconds = now_s() - t;
    for (int e = 0; e < sc->nexpect; e++) evaluate(sc, &c->res, classes ? &c->cres : NULL, &sc->expect[e], &c->out[e]);
    return 0;
}

void bench_check_free(bench_check_file *c)
{
    if (c->ran) sim_results_free(&c->res);
    sim_class_results_free(&c->cres);
    sim_scenario_free(&c->sc);
    free(c->out);
    memset(c, 0, sizeof *c);
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

int bench_check_write_junit(const char *path, const bench_check_file *fc, int nfiles, int tests, int failures,
                            double seconds)
{
    char dir[1024] = ".";
    const char *slash = strrchr(path, '/'), *name = slash ? slash + 1 : path;
    if (slash && slash != path) snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else if (slash) snprintf(dir, sizeof dir, "/");
    if (!*name) { fprintf(stderr, "retrysim check: cannot write '%s': not a file name\n", path); return -1; }
    /* no lock: reports of parallel jobs may share a directory (each file is atomic) */
    int od = sim_outdir_open(dir, 0, "retrysim check");
    if (od < 0) return -1;
    sim_outfile o;
    if (sim_out_open(&o, dir, name)) { sim_outdir_close(od, 1); return -1; }
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
            const bench_check_outcome *oc = &fc[i].out[e];
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
    int rc = sim_out_commit(&o);
    sim_outdir_close(od, rc != 0);      /* a directory created for a report that failed goes again */
    return rc;
}
