/* tune_report.c — the checks before a tune search and its outputs
 * (tune_report.h). */
#include "tune_report.h"
#include "cfg.h"
#include "csvout.h"
#include "model.h"
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

void tune_write_csv(FILE *f, const tune_problem *P, const tune_state *T)
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
    static const sim_metric_id ALSO[] = { SIM_M_SLO_SUCCESS_RATE, SIM_M_SUCCESS_RATE, SIM_M_AMPLIFICATION, SIM_M_LAT_P50,
                                          SIM_M_LAT_P99, SIM_M_PEAK_LOAD_RATIO, SIM_M_GIVE_UPS, SIM_M_HUNG, SIM_M_COST };
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

void tune_report(FILE *f, const tune_problem *P, const tune_state *T, int top, int quiet)
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

/* ----------------------------------------------------------------- probe --- */

int tune_probe(tune_problem *P, const char *const *pols, int npol, char *msg, size_t cap)
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
        snprintf(msg, cap, "%s", err.msg);
        bench_grid_free(&g);
        return 2;
    }
    const sim_scenario *sc = &s.sc[0];
    if (!npol && sc->npolicies != 1) {
        size_t n = (size_t)snprintf(msg, cap, "%s has %d policies; name the one to tune with --policy (it has:", P->path,
                                    sc->npolicies);
        for (int i = 0; i < sc->npolicies && n < cap; i++) n += (size_t)snprintf(msg + n, cap - n, " %s", sc->policies[i].name);
        if (n < cap) snprintf(msg + n, cap - n, ")");
        rc = 2;
    }
    if (!npol && !rc) P->policy = strdup(sc->policies[0].name);
    if (!P->reps) P->reps = sc->replications;
    bench_sweep_free(&s);
    return rc;
}
