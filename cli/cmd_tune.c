/* cmd_tune.c — `retrysim tune SCENARIO --param KEY=LO..HI ... --minimize M
 * --subject-to 'M<=V' ...`: checks the arguments (every parameter is loaded
 * at both ends of its range before any run), runs the search (tune.c),
 * writes DIR/tune.csv (one row per evaluation, atomically) and prints the
 * best point with its metrics and CIs, the runner-up points, the runs used
 * and a YAML policy block with the tuned keys set. Exit 0 with a feasible
 * best point, 1 when no evaluated point is feasible ("infeasible": the
 * closest point is printed), 2 on bad input or a failed run, 130 when
 * interrupted. docs/cli.md is the reference.
 */
#include "cfg.h"
#include "cli.h"
#include "model.h"
#include "outfile.h"
#include "tune.h"
#include "units.h"
#include <ctype.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char USAGE[] =
    "usage: retrysim tune SCENARIO --param KEY=LO..HI[:lin|:log|:int]...\n"
    "                     (--minimize METRIC | --maximize METRIC)\n"
    "                     [--subject-to 'METRIC<=V[:mean|:lower|:upper]']... [--policy NAME]\n"
    "                     [--budget RUNS] [--replications N] [--max-replications N]\n"
    "                     [--jobs N | --mpi] [--out DIR] [--seed S] [--set KEY=VALUE]...\n"
    "                     [--top N] [--quiet] [--emit litellm|portkey]\n"
    "  --param KEY=LO..HI   a scenario override path and its range: numbers or durations\n"
    "                       (50ms..5s); :lin (default), :log (LO > 0) or :int (repeatable)\n"
    "  --minimize/--maximize METRIC  the objective: the replication mean of a metric\n"
    "  --subject-to C       METRIC<=V or METRIC>=V on the mean, or on the 95% CI's\n"
    "                       lower/upper bound with :lower/:upper (repeatable)\n"
    "  --policy NAME        the policy tuned (needed when the scenario has several)\n"
    "  --budget RUNS        runs the search may use (default 60 x replications)\n"
    "  --replications N     replications per evaluation (default: the scenario's)\n"
    "  --max-replications N cap when confirming the best two points (default 4 x N)\n"
    "  --jobs N             worker processes (default: the number of online CPUs)\n"
    "  --mpi                run under mpirun/srun, the ranks are the workers\n"
    "  --out DIR            where tune.csv goes (default: results)\n"
    "  --seed S             the scenario seed: every point runs the same replication streams\n"
    "  --set KEY=VALUE      override a scenario key at every point (repeatable)\n"
    "  --top N              runner-up points printed (default 5)\n"
    "  --quiet              print only the best point's line\n"
    "  --emit FORMAT        also write the best point into the LiteLLM or Portkey config the\n"
    "                       tuned policy was imported from, as DIR/<its file name>\n"
    "Exit: 0 a feasible best point, 1 infeasible (the closest point is printed), 2 bad input.\n";

#define MAX_SETS 64

static int die(const char *msg)
{
    fprintf(stderr, "retrysim tune: %s\n", msg);
    return 2;
}

static long long int_arg(const char *opt, const char *v, long long lo, long long hi, int *bad)
{
    long long x;
    if (sim_parse_int(v, &x) || x < lo || x > hi) {
        fprintf(stderr, "retrysim tune: %s needs an integer in %lld..%lld, got '%s'\n", opt, lo, hi, v);
        *bad = 1;
    }
    return x;
}

/* ------------------------------------------------------------------ YAML --- */

/* A scalar that YAML reads back as the same text, inside flow collections too. */
static void yaml_scalar(FILE *f, const char *s)
{
    size_t n = strlen(s);
    int plain = n > 0 && !isspace((unsigned char)s[0]) && !isspace((unsigned char)s[n - 1]) &&
                !strchr("-?:,[]{}#&*!|>'\"%@`", s[0]) && !strpbrk(s, ",[]{}\"'\\") && !strstr(s, ": ") &&
                !strstr(s, " #") && s[n - 1] != ':';
    if (!plain && n > 1 && s[0] == '-' && (isdigit((unsigned char)s[1]) || s[1] == '.') && !strpbrk(s, ",[]{}: #")) plain = 1;
    if (plain) { fputs(s, f); return; }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static int is_flat(const sim_cfg_node *n)
{
    for (size_t i = 0; i < n->n; i++)
        if (n->items[i]->kind == SIM_CFG_MAP || n->items[i]->kind == SIM_CFG_SEQ) return 0;
    return n->n <= 8;
}

static void yaml_node(FILE *f, const sim_cfg_node *n, int indent);

static void yaml_flow(FILE *f, const sim_cfg_node *n)
{
    fputs(n->kind == SIM_CFG_MAP ? "{ " : "[", f);
    for (size_t i = 0; i < n->n; i++) {
        if (i) fputs(", ", f);
        if (n->kind == SIM_CFG_MAP) { yaml_scalar(f, n->keys[i]->str); fputs(": ", f); }
        if (n->items[i]->kind == SIM_CFG_SCALAR) yaml_scalar(f, n->items[i]->str);
        else fputs("null", f);
    }
    fputs(n->kind == SIM_CFG_MAP ? " }" : "]", f);
}

/* The value after "key:" or "- " (the cursor is on that line). */
static void yaml_value(FILE *f, const sim_cfg_node *v, int indent)
{
    if (v->kind == SIM_CFG_SCALAR) { fputc(' ', f); yaml_scalar(f, v->str); fputc('\n', f); }
    else if (v->kind == SIM_CFG_NULL) fputs(" null\n", f);
    else if (is_flat(v)) { fputc(' ', f); yaml_flow(f, v); fputc('\n', f); }
    else { fputc('\n', f); yaml_node(f, v, indent); }
}

/* A block map or sequence at indent (each line starts with it). */
static void yaml_node(FILE *f, const sim_cfg_node *n, int indent)
{
    for (size_t i = 0; i < n->n; i++) {
        fprintf(f, "%*s", indent, "");
        if (n->kind == SIM_CFG_SEQ) { fputc('-', f); yaml_value(f, n->items[i], indent + 2); continue; }
        yaml_scalar(f, n->keys[i]->str);
        fputc(':', f);
        yaml_value(f, n->items[i], indent + 2);
    }
}

/* The policy's node in the scenario with overrides applied, printed as a
 * "policies:" list item. 0, or -1 when it cannot be rebuilt. */
static int print_policy_yaml(FILE *f, const tune_problem *P, const tune_point *best)
{
    sim_cfg_doc doc;
    sim_err err;
    if (sim_cfg_load(P->path, &doc, &err)) return -1;
    int rc = 0;
    for (int i = 0; i < P->nbase && !rc; i++) rc = sim_cfg_override(&doc, P->base[i], &err);
    for (int k = 0; k < P->nparam && !rc; k++) {
        char ov[SIM_PATH_MAX + 80];
        snprintf(ov, sizeof ov, "%s=%s", P->param[k].key, best->text[k]);
        rc = sim_cfg_override(&doc, ov, &err);
    }
    const sim_cfg_node *pols = rc ? NULL : sim_cfg_get(doc.root, "policies"), *item = NULL;
    for (size_t i = 0; pols && pols->kind == SIM_CFG_SEQ && i < pols->n && !item; i++) {
        const sim_cfg_node *nm = sim_cfg_get(pols->items[i], "name");
        if (!nm) nm = sim_cfg_get(pols->items[i], "preset");
        if (nm && nm->kind == SIM_CFG_SCALAR && !strcmp(nm->str, P->policy)) item = pols->items[i];
    }
    if (item && item->kind == SIM_CFG_MAP) {
        fprintf(f, "  -");
        sim_cfg_node one = *item;       /* the first key goes on the "- " line */
        one.n = 1;
        yaml_node(f, &one, 1);
        one = *item;
        one.keys++;
        one.items++;
        one.n--;
        yaml_node(f, &one, 4);
    } else rc = -1;
    sim_cfg_free(&doc);
    return rc;
}

/* ---------------------------------------------------------------- report --- */

static void write_csv(FILE *f, const tune_problem *P, const tune_state *T)
{
    sim_csv c;
    fputs("point", f);
    for (int k = 0; k < P->nparam; k++) { sim_csv_begin(&c, f); fputc(',', f); sim_csv_str(&c, P->param[k].key); }
    fputs(",phase,replications,metric,direction,mean,ci95_low,ci95_high", f);
    for (int i = 0; i < P->ncons; i++) { sim_csv_begin(&c, f); fputc(',', f); sim_csv_str(&c, P->cons[i].text); }
    fputs(",violation,feasible,penalized\n", f);
    sim_csv_begin(&c, f);
    for (int e = 0; e < T->nev; e++) {
        const tune_eval *v = &T->ev[e];
        sim_csv_int(&c, v->point);
        for (int k = 0; k < P->nparam; k++) sim_csv_str(&c, T->pt[v->point].text[k]);
        sim_csv_str(&c, TUNE_PHASE[v->phase]);
        sim_csv_int(&c, v->reps);
        sim_csv_str(&c, sim_metric_name(P->objective));
        sim_csv_str(&c, P->minimize ? "min" : "max");
        sim_csv_num(&c, v->mean);
        sim_csv_num(&c, v->lo);
        sim_csv_num(&c, v->hi);
        for (int i = 0; i < P->ncons; i++) sim_csv_num(&c, v->cval[i]);
        sim_csv_num(&c, v->violation);
        sim_csv_int(&c, v->feasible);
        sim_csv_num(&c, v->penalized);
        sim_csv_end(&c);
    }
}

static void print_metric(FILE *f, const tune_point *p, sim_metric_id m, const char *note)
{
    double mean, lo, hi;
    tune_point_ci(p, m, &mean, &lo, &hi);
    char ci[80] = "-";
    if (isfinite(lo)) snprintf(ci, sizeof ci, "[%.6g, %.6g]", lo, hi);
    fprintf(f, "  %-20s %12.6g  95%% CI %-27s %s\n", sim_metric_name(m), mean, ci, note);
}

static void print_point(FILE *f, const tune_problem *P, const tune_point *p)
{
    for (int k = 0; k < P->nparam; k++) fprintf(f, "  %s = %s\n", P->param[k].key, p->text[k]);
    char note[256];
    snprintf(note, sizeof note, "objective (%s)", P->minimize ? "minimised" : "maximised");
    print_metric(f, p, P->objective, note);
    for (int i = 0; i < P->ncons; i++) {
        const tune_constraint *c = &P->cons[i];
        snprintf(note, sizeof note, "%s: %s (%s %.6g)", c->text, tune_violation(c, p->cval[i]) == 0 ? "holds" : "VIOLATED",
                 c->on == SIM_ON_LOWER ? "ci95_low" : c->on == SIM_ON_UPPER ? "ci95_high" : "mean", p->cval[i]);
        print_metric(f, p, c->metric, note);
    }
    static const sim_metric_id ALSO[] = { SIM_M_SUCCESS_RATE, SIM_M_AMPLIFICATION, SIM_M_LAT_P50, SIM_M_LAT_P99,
                                          SIM_M_PEAK_LOAD_RATIO, SIM_M_GIVE_UPS, SIM_M_COST };
    for (size_t j = 0; j < sizeof ALSO / sizeof ALSO[0]; j++) {
        int shown = ALSO[j] == P->objective;
        for (int i = 0; i < P->ncons; i++) shown |= ALSO[j] == P->cons[i].metric;
        if (!shown) print_metric(f, p, ALSO[j], "");
    }
}

static void print_runners_up(FILE *f, const tune_problem *P, const tune_state *T, int top)
{
    int n = T->npt - 1 < top ? T->npt - 1 : top;
    if (n <= 0) return;
    int w[TUNE_MAX_PARAMS];
    for (int k = 0; k < P->nparam; k++) {
        w[k] = (int)strlen(P->param[k].key);
        for (int r = 1; r <= n; r++) {
            int l = (int)strlen(T->pt[T->order[r]].text[k]);
            if (l > w[k]) w[k] = l;
        }
    }
    fprintf(f, "runner-up points (best first; * = objective CI overlaps the best's):\n");
    fprintf(f, "%5s %6s", "rank", "point");
    for (int k = 0; k < P->nparam; k++) fprintf(f, "  %-*s", w[k], P->param[k].key);
    fprintf(f, " %5s %12s  %-27s %s\n", "reps", sim_metric_name(P->objective), "95% CI", "feasible");
    const tune_point *best = &T->pt[T->order[0]];
    for (int r = 1; r <= n; r++) {
        const tune_point *p = &T->pt[T->order[r]];
        fprintf(f, "%5d %6d", r + 1, T->order[r]);
        for (int k = 0; k < P->nparam; k++) fprintf(f, "  %-*s", w[k], p->text[k]);
        char ci[80] = "-";
        if (isfinite(p->lo)) snprintf(ci, sizeof ci, "[%.6g, %.6g]", p->lo, p->hi);
        int ov = isfinite(p->lo) && isfinite(best->lo) && p->lo <= best->hi && p->hi >= best->lo;
        fprintf(f, " %5d %12.6g  %-27s %s%s\n", p->reps, p->mean, ci, p->feasible ? "yes" : "no", ov ? " *" : "");
    }
}

static void report(FILE *f, const tune_problem *P, const tune_state *T, int top, int quiet)
{
    const tune_point *best = &T->pt[T->order[0]];
    if (quiet) {
        fprintf(f, "%s point %d:", best->feasible ? "best" : "infeasible: closest", T->order[0]);
        for (int k = 0; k < P->nparam; k++) fprintf(f, " %s=%s", P->param[k].key, best->text[k]);
        fprintf(f, " %s=%.6g (%d replications, %zu runs)\n", sim_metric_name(P->objective), best->mean, best->reps, T->runs);
        return;
    }
    fprintf(f, "tune: %s, policy %s: %s %s", P->path, P->policy, P->minimize ? "minimize" : "maximize",
            sim_metric_name(P->objective));
    for (int i = 0; i < P->ncons; i++) fprintf(f, "%s%s", i ? ", " : " subject to ", P->cons[i].text);
    fprintf(f, "\n%d points, %d evaluations (%d start, %d simplex, %d confirm): %zu runs of a budget of %zu "
            "(%d replications per point, up to %d)\n", T->npt, T->nev, T->nphase[TUNE_START], T->nphase[TUNE_SIMPLEX],
            T->nphase[TUNE_CONFIRM], T->runs, P->budget, P->reps, P->max_reps);
    if (best->feasible) fprintf(f, "best: point %d (%d replications)\n", T->order[0], best->reps);
    else fprintf(f, "infeasible: none of the %d points meets every constraint\n"
                 "closest point (least total relative violation, %.6g): point %d (%d replications)\n",
                 T->npt, best->violation, T->order[0], best->reps);
    print_point(f, P, best);
    print_runners_up(f, P, T, top);
    if (!best->feasible) return;
    fprintf(f, "YAML (the policy with the tuned keys set; paste under policies:):\n");
    if (print_policy_yaml(f, P, best)) fprintf(f, "  (cannot rebuild the policy's YAML from %s)\n", P->path);
    for (int k = 0; k < P->nparam; k++)
        if (strncmp(P->param[k].key, "retry.", 6) && strncmp(P->param[k].key, "policies", 8))
            fprintf(f, "not a policy key: --set %s=%s\n", P->param[k].key, best->text[k]);
}

/* ------------------------------------------------------------------ main --- */

/* Plans the corners (all LO, all HI) without running them: every key and
 * value is checked, and the policy and replications are read. */
static int probe(tune_problem *P, const char *const *pols, int npol)
{
    bench_grid g;
    memset(&g, 0, sizeof g);
    sim_err err;
    int rc = 0;
    for (int k = 0; k < P->nparam && !rc; k++) {
        char spec[SIM_PATH_MAX + 160], lo[64], hi[64];
        tune_param_value(&P->param[k], 0, lo, sizeof lo);
        tune_param_value(&P->param[k], 1, hi, sizeof hi);
        snprintf(spec, sizeof spec, "%s=%s,%s", P->param[k].key, lo, hi);
        rc = bench_grid_axis(&g, spec, &err);
    }
    bench_sweep s;
    if (!rc) rc = bench_sweep_plan(&s, P->path, &g, P->base, P->nbase, pols, npol, &err);
    if (rc) {
        fprintf(stderr, "retrysim tune: %s\n", err.msg);
        bench_grid_free(&g);
        return 2;
    }
    const sim_scenario *sc = &s.sc[0];
    if (!npol && sc->npolicies != 1) {
        fprintf(stderr, "retrysim tune: %s has %d policies; name the one to tune with --policy (it has:", P->path, sc->npolicies);
        for (int i = 0; i < sc->npolicies; i++) fprintf(stderr, " %s", sc->policies[i].name);
        fprintf(stderr, ")\n");
        rc = 2;
    }
    if (!npol && !rc) P->policy = strdup(sc->policies[0].name);
    if (!P->reps) P->reps = sc->replications;
    bench_sweep_free(&s);
    return rc;
}

static int tune_main(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) { fputs(USAGE, stdout); return 0; }
    static tune_problem P;
    memset(&P, 0, sizeof P);
    const char *path = NULL, *out = "results", *sets[MAX_SETS + 1], *pol = NULL, *obj = NULL, *emit = NULL;
    char seedbuf[64], err[1024];
    int nsets = 0, bad = 0, quiet = 0, mpi = 0, jobs_given = 0, have_obj = 0;
    long long jobs = sysconf(_SC_NPROCESSORS_ONLN), budget = 0, reps = 0, max_reps = 0, top = 5;
    for (int i = 1; i < argc && !bad; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--param") && more) {
            if (P.nparam == TUNE_MAX_PARAMS) return die("too many --param");
            if (tune_param_parse(argv[++i], &P.param[P.nparam++], err, sizeof err)) return die(err);
        } else if (!strcmp(a, "--subject-to") && more) {
            if (P.ncons == TUNE_MAX_CONS) return die("too many --subject-to");
            if (tune_constraint_parse(argv[++i], &P.cons[P.ncons++], err, sizeof err)) return die(err);
        } else if ((!strcmp(a, "--minimize") || !strcmp(a, "--maximize")) && more) {
            if (have_obj++) return die("one objective: --minimize or --maximize, once");
            P.minimize = a[3] == 'i';
            obj = argv[++i];
        } else if (!strcmp(a, "--policy") && more) pol = argv[++i];
        else if (!strcmp(a, "--budget") && more) budget = int_arg(a, argv[++i], 2, 1LL << 40, &bad);
        else if (!strcmp(a, "--replications") && more) reps = int_arg(a, argv[++i], 1, 100000, &bad);
        else if (!strcmp(a, "--max-replications") && more) max_reps = int_arg(a, argv[++i], 1, 100000, &bad);
        else if (!strcmp(a, "--jobs") && more) { jobs = int_arg(a, argv[++i], 1, 1024, &bad); jobs_given = 1; }
        else if (!strcmp(a, "--mpi")) mpi = 1;
        else if (!strcmp(a, "--out") && more) out = argv[++i];
        else if (!strcmp(a, "--top") && more) top = int_arg(a, argv[++i], 0, 1000000, &bad);
        else if (!strcmp(a, "--seed") && more) {
            snprintf(seedbuf, sizeof seedbuf, "seed=%lld", int_arg(a, argv[++i], 0, (long long)(~0ULL >> 1), &bad));
            if (nsets == MAX_SETS) return die("too many --set");
            sets[nsets++] = seedbuf;
        } else if (!strcmp(a, "--set") && more) {
            if (nsets == MAX_SETS) return die("too many --set");
            sets[nsets++] = argv[++i];
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) quiet = 1;
        else if (!strcmp(a, "--emit") && more) emit = argv[++i];
        else if (a[0] == '-') { fprintf(stderr, "retrysim tune: unknown option or missing value '%s'\n%s", a, USAGE); return 2; }
        else if (!path) path = a;
        else { fprintf(stderr, "retrysim tune: one scenario at a time ('%s')\n", a); return 2; }
    }
    if (bad) return 2;
    if (!path) { fputs(USAGE, stderr); return 2; }
    if (!P.nparam) return die("nothing to tune: give at least one --param KEY=LO..HI");
    if (!obj) return die("no objective: give --minimize METRIC or --maximize METRIC");
    int id = tune_metric(obj, P.minimize ? "--minimize" : "--maximize", err, sizeof err);
    if (id < 0) return die(err);
    P.objective = (sim_metric_id)id;
    for (int k = 0; k < P.nparam; k++)
        for (int j = 0; j < k; j++)
            if (!strcmp(P.param[j].key, P.param[k].key)) {
                snprintf(err, sizeof err, "--param %s is given twice", P.param[k].key);
                return die(err);
            }
    if (mpi && jobs_given) return die("--jobs and --mpi cannot be combined (with --mpi, the ranks are the workers)");

    P.path = path;
    P.base = sets;
    P.nbase = nsets;
    P.reps = (int)reps;
    P.policy = pol;
    int rc = probe(&P, pol ? &pol : NULL, pol ? 1 : 0);
    if (rc) return rc;
    char *owned_policy = pol ? NULL : (char *)P.policy;
    sim_import_format emit_fmt = SIM_IMPORT_LITELLM;
    if (emit) {      /* fail now, not after the search: the low corner must be writable back */
        sim_err e;
        char lo[TUNE_MAX_PARAMS][64], written[8];
        char *vals[TUNE_MAX_PARAMS];
        for (int k = 0; k < P.nparam; k++) { tune_param_value(&P.param[k], 0, lo[k], sizeof lo[k]); vals[k] = lo[k]; }
        if (sim_import_format_parse(emit, &emit_fmt)) {
            fprintf(stderr, "retrysim tune: --emit %s: expected litellm or portkey\n", emit);
            free(owned_policy);
            return 2;
        }
        if (tune_emit(&P, vals, emit_fmt, NULL, written, sizeof written, &e)) {
            fprintf(stderr, "retrysim tune: --emit %s: %s\n", emit, e.msg);
            free(owned_policy);
            return 2;
        }
    }
    P.max_reps = max_reps ? (int)max_reps : 4 * P.reps;
    if (P.max_reps < P.reps) P.max_reps = P.reps;
    P.budget = budget ? (size_t)budget : (size_t)60 * (size_t)P.reps;
    P.exec = (bench_exec_opts){ .jobs = (int)(jobs < 1 ? 1 : jobs), .signals = 1, .crash_run = -1, .mpi = mpi,
                                .who = "retrysim tune" };
    P.progress = !quiet;
    if (sim_mkdirs(out)) {
        fprintf(stderr, "retrysim tune: cannot create output directory '%s'\n", out);
        free(owned_policy);
        return 2;
    }
    gsl_set_error_handler_off();
    tune_state T;
    int st = tune_run(&P, &T);
    if (T.nev) {
        sim_outfile f;
        if (sim_out_open(&f, out, "tune.csv")) st = st ? st : 2;
        else {
            write_csv(f.f, &P, &T);
            if (sim_out_commit(&f)) st = st ? st : 2;
        }
    }
    if (st == BENCH_EXEC_STOPPED) {
        if (T.nev) fprintf(stderr, "retrysim tune: interrupted after %zu runs; the %d evaluations so far are in %s/tune.csv\n",
                           T.runs, T.nev, out);
        else fprintf(stderr, "retrysim tune: interrupted after %zu runs, before any point had all its replications; "
                     "no tune.csv\n", T.runs);
        rc = 130;
    } else if (st) {
        rc = 2;
    } else {
        report(stdout, &P, &T, (int)top, quiet);
        if (!quiet) printf("wrote %s/tune.csv\n", out);
        rc = T.pt[T.order[0]].feasible ? 0 : 1;
        if (emit && rc == 0) {
            sim_err e;
            char written[SIM_PATH_MAX + 64];
            if (tune_emit(&P, T.pt[T.order[0]].text, emit_fmt, out, written, sizeof written, &e)) {
                fprintf(stderr, "retrysim tune: --emit %s: %s\n", emit, e.msg);
                rc = 2;
            } else printf("wrote %s (the best point in the %s config)\n", written, emit);
        }
    }
    tune_state_free(&T, &P);
    free(owned_policy);
    return rc;
}

int cmd_tune(int argc, char **argv)
{
    return bench_mpi_main(argc, argv, tune_main, "retrysim tune");
}
