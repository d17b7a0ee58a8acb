/* tune.c — the parameter search of `retrysim tune` (see tune.h): parsing
 * and scaling of parameters, constraints and the penalty (pure functions),
 * then the three phases over the sweep executor. The CLI, tune.csv and the
 * printed report are in cmd_tune.c.
 */
#include "tune.h"
#include "cfg.h"
#include "model.h"
#include "progress.h"
#include "units.h"
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_qrng.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *const TUNE_PHASE[3] = { "start", "simplex", "confirm" };

static int fail(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
    return -1;
}

/* ------------------------------------------------------------ parameters --- */

/* A plain number, or (when it is not one) a duration: *dur says which. */
static int parse_bound(const char *t, double *v, int *dur)
{
    if (!sim_parse_double(t, v)) { *dur = 0; return 0; }
    pol_ns ns;
    if (sim_parse_duration(t, &ns)) return -1;
    *v = (double)ns;
    *dur = 1;
    return 0;
}

int tune_param_parse(const char *spec, tune_param *out, char *err, size_t cap)
{
    static const char FORM[] = "expected KEY=LO..HI[:lin|:log|:int], e.g. 'retry.base=50ms..5s:log' or 'retry.max_attempts=1..8:int'";
    memset(out, 0, sizeof *out);
    const char *eq = strchr(spec, '='), *dots = eq ? strstr(eq + 1, "..") : NULL;
    if (!eq || eq == spec || !dots) return fail(err, cap, "--param '%s': %s", spec, FORM);
    if ((size_t)(eq - spec) >= sizeof out->key) return fail(err, cap, "--param '%s': key too long", spec);
    memcpy(out->key, spec, (size_t)(eq - spec));
    const char *colon = strchr(dots + 2, ':');
    char lo[64], hi[64];
    size_t nlo = (size_t)(dots - eq - 1), nhi = colon ? (size_t)(colon - dots - 2) : strlen(dots + 2);
    if (!nlo || !nhi || nlo >= sizeof lo || nhi >= sizeof hi) return fail(err, cap, "--param '%s': %s", spec, FORM);
    memcpy(lo, eq + 1, nlo);
    lo[nlo] = '\0';
    memcpy(hi, dots + 2, nhi);
    hi[nhi] = '\0';
    if (!colon || !strcmp(colon, ":lin")) out->scale = TUNE_LIN;
    else if (!strcmp(colon, ":log")) out->scale = TUNE_LOG;
    else if (!strcmp(colon, ":int")) out->scale = TUNE_INT;
    else return fail(err, cap, "--param '%s': unknown scale '%s' (expected :lin, :log or :int)", spec, colon + 1);
    int dlo, dhi;
    if (parse_bound(lo, &out->lo, &dlo)) return fail(err, cap, "--param '%s': '%s' is neither a number nor a duration like 50ms", spec, lo);
    if (parse_bound(hi, &out->hi, &dhi)) return fail(err, cap, "--param '%s': '%s' is neither a number nor a duration like 5s", spec, hi);
    if (dlo != dhi) {        /* "0..5s": a bare 0 is a duration too */
        pol_ns ns;
        const char *plain = dlo ? hi : lo;
        if (sim_parse_duration(plain, &ns)) return fail(err, cap, "--param '%s': one bound is a duration and '%s' is not", spec, plain);
        *(dlo ? &out->hi : &out->lo) = (double)ns;
        dlo = dhi = 1;
    }
    out->duration = dlo;
    if (!(out->lo < out->hi)) return fail(err, cap, "--param '%s': the range is empty (LO must be below HI)", spec);
    if (out->scale == TUNE_LOG && out->lo <= 0) return fail(err, cap, "--param '%s': a :log range needs LO > 0", spec);
    if (out->scale == TUNE_INT && (out->duration || out->lo != floor(out->lo) || out->hi != floor(out->hi)))
        return fail(err, cap, "--param '%s': an :int range needs integer bounds without units", spec);
    return 0;
}

/* v with 4 significant digits, without an exponent or trailing zeros. */
static char *fmt4(double v, char *buf, size_t cap)
{
    if (v == 0 || !isfinite(v)) { snprintf(buf, cap, "%g", v); return buf; }
    int mag = (int)floor(log10(fabs(v)));
    int dec = 3 - mag < 0 ? 0 : 3 - mag;
    double q = pow(10, mag - 3 > 0 ? mag - 3 : 0);
    snprintf(buf, cap, "%.*f", dec, q > 1 ? round(v / q) * q : v);
    if (strchr(buf, '.')) {
        char *e = buf + strlen(buf) - 1;
        while (*e == '0') *e-- = '\0';
        if (*e == '.') *e = '\0';
    }
    return buf;
}

char *tune_param_format(const tune_param *p, double v, char *buf, size_t cap)
{
    if (p->scale == TUNE_INT) { snprintf(buf, cap, "%lld", (long long)llround(v)); return buf; }
    if (!p->duration) return fmt4(v, buf, cap);
    static const struct { double ns; const char *unit; } U[] = { { 1e9, "s" }, { 1e6, "ms" }, { 1e3, "us" }, { 1, "ns" } };
    size_t i = 0;
    while (i + 1 < sizeof U / sizeof U[0] && fabs(v) < U[i].ns) i++;
    char num[48];
    fmt4(v / U[i].ns, num, sizeof num);
    if (!strcmp(U[i].unit, "ns") && strchr(num, '.')) snprintf(num, sizeof num, "%lld", (long long)llround(v));
    snprintf(buf, cap, "%s%s", num, U[i].unit);
    return buf;
}

static double clamp01(double u) { return u < 0 ? 0 : u > 1 ? 1 : u; }

double tune_param_value(const tune_param *p, double u, char *buf, size_t cap)
{
    u = clamp01(u);
    double v;
    if (p->scale == TUNE_INT) {
        double n = p->hi - p->lo + 1;
        v = p->lo + floor(u * n);
        if (v > p->hi) v = p->hi;
    } else if (p->scale == TUNE_LOG) v = p->lo * pow(p->hi / p->lo, u);
    else v = p->lo + u * (p->hi - p->lo);
    if (p->scale != TUNE_INT) v = v < p->lo ? p->lo : v > p->hi ? p->hi : v;
    tune_param_format(p, v, buf, cap);
    /* the value is what the text says */
    pol_ns ns;
    if (p->duration && !sim_parse_duration(buf, &ns)) return (double)ns;
    double back;
    return !sim_parse_double(buf, &back) ? back : v;
}

double tune_param_unit(const tune_param *p, double v)
{
    if (p->scale == TUNE_INT) return clamp01((v - p->lo + 0.5) / (p->hi - p->lo + 1));
    if (p->scale == TUNE_LOG) return clamp01(log(v / p->lo) / log(p->hi / p->lo));
    return clamp01((v - p->lo) / (p->hi - p->lo));
}

/* ----------------------------------------------------------- constraints --- */

static const char *const METRIC_UNIT[SIM_M__COUNT] = {
#define UNIT_OF(id, name, unit, def) unit,
    SIM_METRICS(UNIT_OF)
#undef UNIT_OF
};

int tune_metric(const char *name, const char *what, char *err, size_t cap)
{
    int id = sim_metric_lookup(name);
    if (id >= 0) return id;
    const char *names[SIM_M__COUNT];
    for (int i = 0; i < SIM_M__COUNT; i++) names[i] = sim_metric_name((sim_metric_id)i);
    fail(err, cap, "%s: unknown metric '%s'", what, name);
    if (sim_cfg_suggest(name, names, SIM_M__COUNT)) sim_cfg_did_you_mean(err, cap, name, names, SIM_M__COUNT);
    else {
        size_t len = strlen(err);
        snprintf(err + len, cap - len, " (the metrics are listed in docs/metrics.md)");
    }
    return -1;
}

int tune_constraint_parse(const char *spec, tune_constraint *out, char *err, size_t cap)
{
    memset(out, 0, sizeof *out);
    snprintf(out->text, sizeof out->text, "%s", spec);
    const char *le = strstr(spec, "<="), *ge = strstr(spec, ">="), *op = le ? le : ge;
    if (!op || (le && ge))
        return fail(err, cap, "--subject-to '%s': expected METRIC<=VALUE or METRIC>=VALUE, optionally with :mean, :lower or :upper", spec);
    out->ge = op == ge;
    char name[64], val[64];
    const char *a = spec, *b = op;
    while (a < b && (*a == ' ' || *a == '\t')) a++;
    while (b > a && (b[-1] == ' ' || b[-1] == '\t')) b--;
    if (b == a || (size_t)(b - a) >= sizeof name) return fail(err, cap, "--subject-to '%s': no metric before '%.2s'", spec, op);
    memcpy(name, a, (size_t)(b - a));
    name[b - a] = '\0';
    int id = tune_metric(name, "--subject-to", err, cap);
    if (id < 0) return -1;
    out->metric = (sim_metric_id)id;
    const char *v = op + 2, *colon = strchr(v, ':');
    size_t nv = colon ? (size_t)(colon - v) : strlen(v);
    if (nv >= sizeof val) return fail(err, cap, "--subject-to '%s': value too long", spec);
    memcpy(val, v, nv);
    val[nv] = '\0';
    out->on = SIM_ON_MEAN;
    if (colon && !strcmp(colon, ":lower")) out->on = SIM_ON_LOWER;
    else if (colon && !strcmp(colon, ":upper")) out->on = SIM_ON_UPPER;
    else if (colon && strcmp(colon, ":mean"))
        return fail(err, cap, "--subject-to '%s': unknown '%s' (expected :mean, :lower or :upper)", spec, colon);
    pol_ns ns;
    if (!sim_parse_double(val, &out->bound)) return 0;
    if (!strcmp(METRIC_UNIT[id], "s") && !sim_parse_duration(val, &ns)) { out->bound = (double)ns / 1e9; return 0; }
    return fail(err, cap, "--subject-to '%s': expected a number%s after '%.2s', got '%s'", spec,
                !strcmp(METRIC_UNIT[id], "s") ? " or a duration" : "", op, val);
}

double tune_violation(const tune_constraint *c, double g)
{
    if (!isfinite(g)) return 1;
    double excess = c->ge ? c->bound - g : g - c->bound;
    if (excess <= 0) return 0;
    return c->bound != 0 ? excess / fabs(c->bound) : excess;
}

double tune_penalized(double o, double v, double o_ref, double delta)
{
    if (v == 0 && isfinite(o)) return o;
    return o_ref + delta * (1 + v + (isfinite(o) ? 0 : 1));
}

void tune_penalty_scale(const double *o, size_t n, double *o_ref, double *delta)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (isfinite(o[i])) { if (o[i] < lo) lo = o[i]; if (o[i] > hi) hi = o[i]; }
    if (!isfinite(hi)) lo = hi = 0;
    *o_ref = hi;
    *delta = fmax(fmax(hi - lo, 0.1 * fabs(hi)), 1e-9);
}

/* ---------------------------------------------------------------- points --- */

double tune_signed(const tune_problem *P, const tune_point *p)
{
    return P->minimize ? p->mean : -p->mean;
}

double tune_point_penalized(const tune_problem *P, const tune_state *T, const tune_point *p)
{
    return tune_penalized(tune_signed(P, p), p->violation, T->o_ref, T->delta);
}

void tune_point_ci(const tune_point *p, sim_metric_id m, double *mean, double *lo, double *hi)
{
    double *col = malloc((size_t)(p->reps ? p->reps : 1) * sizeof *col);
    size_t n = 0;
    double sd;
    *mean = *lo = *hi = NAN;
    if (!col) return;
    for (int k = 0; k < p->reps; k++) col[k] = p->m[k].m[m];
    sim_ci95(col, (size_t)p->reps, &n, mean, &sd, lo, hi);
    free(col);
}

/* Objective, constraint values and feasibility at the point's replications. */
static void point_stats(const tune_problem *P, tune_point *p)
{
    tune_point_ci(p, P->objective, &p->mean, &p->lo, &p->hi);
    p->violation = 0;
    for (int i = 0; i < P->ncons; i++) {
        const tune_constraint *c = &P->cons[i];
        double mean, lo, hi;
        tune_point_ci(p, c->metric, &mean, &lo, &hi);
        p->cval[i] = c->on == SIM_ON_LOWER ? lo : c->on == SIM_ON_UPPER ? hi : mean;
        p->violation += tune_violation(c, p->cval[i]);
    }
    p->feasible = p->violation == 0;
}

/* Better first: feasible points by signed objective (undefined last), then
 * infeasible ones by violation, then objective; ties keep point order. */
static const tune_problem *g_cmp_problem;
static const tune_state *g_cmp_state;
static int point_cmp(const void *a, const void *b)
{
    const tune_point *x = &g_cmp_state->pt[*(const int *)a], *y = &g_cmp_state->pt[*(const int *)b];
    if (x->feasible != y->feasible) return y->feasible - x->feasible;
    if (!x->feasible && x->violation != y->violation) return x->violation < y->violation ? -1 : 1;
    double ox = tune_signed(g_cmp_problem, x), oy = tune_signed(g_cmp_problem, y);
    int fx = isfinite(ox), fy = isfinite(oy);
    if (fx != fy) return fy - fx;
    if (fx && ox != oy) return ox < oy ? -1 : 1;
    return *(const int *)a - *(const int *)b;
}

static void rank_points(const tune_problem *P, tune_state *T)
{
    for (int i = 0; i < T->npt; i++) T->order[i] = i;
    g_cmp_problem = P;
    g_cmp_state = T;
    qsort(T->order, (size_t)T->npt, sizeof *T->order, point_cmp);
}

/* The point with these values (by text), created when new; -1 out of memory. */
static int find_point(const tune_problem *P, tune_state *T, const double *u)
{
    char text[TUNE_MAX_PARAMS][64];
    double x[TUNE_MAX_PARAMS];
    for (int k = 0; k < P->nparam; k++) x[k] = tune_param_value(&P->param[k], u[k], text[k], sizeof text[k]);
    for (int i = 0; i < T->npt; i++) {
        int k = 0;
        while (k < P->nparam && !strcmp(T->pt[i].text[k], text[k])) k++;
        if (k == P->nparam) return i;
    }
    if (T->npt % 64 == 0) {
        tune_point *np = realloc(T->pt, (size_t)(T->npt + 64) * sizeof *np);
        int *no = realloc(T->order, (size_t)(T->npt + 64) * sizeof *no);
        if (np) T->pt = np;
        if (no) T->order = no;
        if (!np || !no) return -1;
    }
    tune_point *p = &T->pt[T->npt];
    memset(p, 0, sizeof *p);
    p->text = calloc((size_t)P->nparam, sizeof *p->text);
    p->x = calloc((size_t)P->nparam, sizeof *p->x);
    p->cval = calloc((size_t)(P->ncons ? P->ncons : 1), sizeof *p->cval);
    if (!p->text || !p->x || !p->cval) { free(p->text); free(p->x); free(p->cval); return -1; }
    T->npt++;
    for (int k = 0; k < P->nparam; k++) {
        p->x[k] = x[k];
        if (!(p->text[k] = strdup(text[k]))) return -1;
    }
    return T->npt - 1;
}

void tune_state_free(tune_state *T, const tune_problem *P)
{
    for (int i = 0; i < T->npt; i++) {
        for (int k = 0; T->pt[i].text && k < P->nparam; k++) free(T->pt[i].text[k]);
        free(T->pt[i].text);
        free(T->pt[i].x);
        free(T->pt[i].m);
        free(T->pt[i].cval);
    }
    for (int i = 0; i < T->nev; i++) free(T->ev[i].cval);
    free(T->pt);
    free(T->ev);
    free(T->order);
    memset(T, 0, sizeof *T);
}

/* ------------------------------------------------------------ evaluation --- */

typedef struct {
    const tune_problem *P;
    tune_state         *T;
    sim_progress        pb;
    size_t              limit;       /* runs the current phase may use */
} search;

static int record(search *S, int id, int phase)
{
    tune_state *T = S->T;
    tune_point *p = &T->pt[id];
    if (T->nev % 64 == 0) {
        tune_eval *ne = realloc(T->ev, (size_t)(T->nev + 64) * sizeof *ne);
        if (!ne) return -1;
        T->ev = ne;
    }
    tune_eval *e = &T->ev[T->nev];
    if (!(e->cval = malloc((size_t)(S->P->ncons ? S->P->ncons : 1) * sizeof *e->cval))) return -1;
    T->nev++;
    e->point = id;
    e->phase = phase;
    e->reps = p->reps;
    e->mean = p->mean;
    e->lo = p->lo;
    e->hi = p->hi;
    e->violation = p->violation;
    e->feasible = p->feasible;
    e->penalized = phase == TUNE_START ? NAN : tune_point_penalized(S->P, T, p);
    memcpy(e->cval, p->cval, (size_t)S->P->ncons * sizeof *e->cval);
    T->nphase[phase]++;
    return 0;
}

/* Brings points ids[0..n) to reps replications with one sweep (the points x
 * the policy x reps; replications a point has are filled in) and records an
 * evaluation of each point that got new runs. 0, or a BENCH_EXEC_* / 2. */
static int evaluate(search *S, const int *ids, int n, int reps, int phase)
{
    const tune_problem *P = S->P;
    tune_state *T = S->T;
    bench_grid g;
    memset(&g, 0, sizeof g);
    g.nkeys = P->nparam;
    g.npoints = n;
    g.keys = calloc((size_t)P->nparam, sizeof *g.keys);
    g.values = calloc((size_t)n * (size_t)P->nparam, sizeof *g.values);
    int bad = !g.keys || !g.values;
    for (int k = 0; !bad && k < P->nparam; k++) bad = !(g.keys[k] = strdup(P->param[k].key));
    for (int i = 0; !bad && i < n; i++)
        for (int k = 0; !bad && k < P->nparam; k++) bad = !(g.values[(size_t)i * (size_t)P->nparam + (size_t)k] = strdup(T->pt[ids[i]].text[k]));
    char repbuf[64];
    snprintf(repbuf, sizeof repbuf, "replications=%d", reps);
    const char **base = calloc((size_t)P->nbase + 1, sizeof *base);
    if (!base) bad = 1;
    for (int i = 0; !bad && i < P->nbase; i++) base[i] = P->base[i];
    if (base) base[P->nbase] = repbuf;
    bench_sweep s;
    sim_err err;
    if (bad) {
        bench_grid_free(&g);
        free(base);
        fprintf(stderr, "retrysim tune: out of memory\n");
        return BENCH_EXEC_FAILED;
    }
    int rc = bench_sweep_plan(&s, P->path, &g, base, P->nbase + 1, &P->policy, 1, &err);
    free(base);
    if (rc) {
        fprintf(stderr, "retrysim tune: %s\n", err.msg);
        return T->status = 2;
    }
    for (int i = 0; i < n; i++) {             /* common random numbers: replication k is the same run */
        const tune_point *p = &T->pt[ids[i]];
        for (int k = 0; k < p->reps && k < reps; k++) {
            s.m[s.first[i] + (size_t)k] = p->m[k];
            s.done[s.first[i] + (size_t)k] = 1;
        }
    }
    size_t before = bench_sweep_ndone(&s);
    int st = P->exec.signals && bench_signals_received(NULL) ? BENCH_EXEC_STOPPED : bench_sweep_exec(&s, &P->exec);
    T->runs += bench_sweep_ndone(&s) - before;
    sim_progress_step(&S->pb, T->runs < P->budget ? T->runs : P->budget);
    for (int i = 0; i < n && !rc; i++) {       /* after an interruption: the points whose runs all finished */
        tune_point *p = &T->pt[ids[i]];
        int complete = 1;
        for (int k = 0; k < reps; k++) complete &= s.done[s.first[i] + (size_t)k];
        if (p->reps >= reps || !complete) continue;
        sim_run_metrics *m = realloc(p->m, (size_t)reps * sizeof *m);
        if (!m) { rc = -1; break; }
        p->m = m;
        memcpy(p->m, &s.m[s.first[i]], (size_t)reps * sizeof *m);
        p->reps = reps;
        point_stats(P, p);
        rc = record(S, ids[i], phase);
    }
    bench_sweep_free(&s);
    if (rc) { fprintf(stderr, "retrysim tune: out of memory\n"); return T->status = BENCH_EXEC_FAILED; }
    return st == BENCH_EXEC_DONE ? 0 : (T->status = st);
}

/* ---------------------------------------------------------------- phases --- */

/* Sobol points in [0,1]^d; duplicates (integer parameters) are skipped. */
static int phase_start(search *S, int nstart)
{
    const tune_problem *P = S->P;
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)P->nparam);
    int *ids = malloc((size_t)nstart * sizeof *ids), n = 0;
    if (!q || !ids) { if (q) gsl_qrng_free(q); free(ids); return BENCH_EXEC_FAILED; }
    double u[TUNE_MAX_PARAMS];
    for (int draws = 0; n < nstart && draws < 8 * nstart; draws++) {
        gsl_qrng_get(q, u);
        int id = find_point(P, S->T, u), dup = 0;
        if (id < 0) { n = -1; break; }
        for (int i = 0; i < n; i++) dup |= ids[i] == id;
        if (!dup) ids[n++] = id;
    }
    gsl_qrng_free(q);
    int rc = n < 0 ? BENCH_EXEC_FAILED : evaluate(S, ids, n, P->reps, TUNE_START);
    if (!rc) {
        double *o = malloc((size_t)n * sizeof *o);
        if (!o) rc = BENCH_EXEC_FAILED;
        for (int i = 0; o && i < n; i++) o[i] = tune_signed(P, &S->T->pt[ids[i]]);
        if (o) tune_penalty_scale(o, (size_t)n, &S->T->o_ref, &S->T->delta);
        free(o);
    }
    free(ids);
    return rc;
}

typedef struct {
    search *S;
    int     cont[TUNE_MAX_PARAMS], nc;   /* indices of the continuous parameters */
    double  u0[TUNE_MAX_PARAMS];         /* unit coordinates of the base point */
    int     stop;                        /* an evaluation failed or was interrupted */
} nm_ctx;

/* The penalised objective at unit coordinates v of the continuous
 * parameters, clamped into the box; outside it, 10 delta per unit of
 * distance is added so that the simplex comes back. */
static double nm_f(const gsl_vector *v, void *user)
{
    nm_ctx *C = user;
    search *S = C->S;
    tune_state *T = S->T;
    double u[TUNE_MAX_PARAMS], out = 0;
    memcpy(u, C->u0, sizeof u);
    for (int i = 0; i < C->nc; i++) {
        double w = gsl_vector_get(v, (size_t)i), c = clamp01(w);
        out += (w - c) * (w - c);
        u[C->cont[i]] = c;
    }
    int id = find_point(S->P, T, u);
    if (id < 0 || C->stop) { C->stop = 1; return T->o_ref + 1e3 * T->delta; }
    if (T->pt[id].reps < S->P->reps && evaluate(S, &id, 1, S->P->reps, TUNE_SIMPLEX)) {
        C->stop = 1;
        return T->o_ref + 1e3 * T->delta;
    }
    return tune_point_penalized(S->P, T, &T->pt[id]) + 10 * T->delta * sqrt(out);
}

static int phase_simplex(search *S)
{
    const tune_problem *P = S->P;
    tune_state *T = S->T;
    nm_ctx C;
    memset(&C, 0, sizeof C);
    C.S = S;
    for (int k = 0; k < P->nparam; k++)
        if (P->param[k].scale != TUNE_INT) C.cont[C.nc++] = k;
    if (!C.nc) return 0;                    /* integers only: the start phase was the search */
    rank_points(P, T);
    const tune_point *best = &T->pt[T->order[0]];
    for (int k = 0; k < P->nparam; k++) C.u0[k] = tune_param_unit(&P->param[k], best->x[k]);
    size_t per_iter = (size_t)(C.nc + 2) * (size_t)P->reps;
    if (T->runs + (size_t)(C.nc + 1) * (size_t)P->reps > S->limit) return 0;
    gsl_multimin_function f = { nm_f, (size_t)C.nc, &C };
    gsl_vector *x = gsl_vector_alloc((size_t)C.nc), *step = gsl_vector_alloc((size_t)C.nc);
    gsl_multimin_fminimizer *m = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, (size_t)C.nc);
    if (!x || !step || !m) {
        if (x) gsl_vector_free(x);
        if (step) gsl_vector_free(step);
        if (m) gsl_multimin_fminimizer_free(m);
        return BENCH_EXEC_FAILED;
    }
    for (int i = 0; i < C.nc; i++) {
        double u = C.u0[C.cont[i]];
        gsl_vector_set(x, (size_t)i, u);
        gsl_vector_set(step, (size_t)i, u > 0.5 ? -0.2 : 0.2);   /* the first simplex inside the box */
    }
    int rc = gsl_multimin_fminimizer_set(m, &f, x, step);
    for (int it = 0; !rc && !C.stop && it < 200 && T->runs + per_iter <= S->limit; it++) {
        if (gsl_multimin_fminimizer_iterate(m)) break;
        if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(m), 0.004) == GSL_SUCCESS) break;
    }
    gsl_multimin_fminimizer_free(m);
    gsl_vector_free(x);
    gsl_vector_free(step);
    return C.stop ? (T->status ? T->status : BENCH_EXEC_FAILED) : 0;
}

/* While the best two points' objective CIs overlap, doubles their
 * replications (up to max_reps and the budget). */
static int phase_confirm(search *S)
{
    const tune_problem *P = S->P;
    tune_state *T = S->T;
    for (;;) {
        rank_points(P, T);
        if (T->npt < 2) return 0;
        const tune_point *a = &T->pt[T->order[0]], *b = &T->pt[T->order[1]];
        int overlap = isfinite(a->lo) && isfinite(b->lo) ? a->lo <= b->hi && b->lo <= a->hi : 1;
        int fewer = a->reps < b->reps ? a->reps : b->reps, more = a->reps + b->reps - fewer;
        int reps = fewer < more ? more : 2 * more;          /* level them, then double */
        if (reps > P->max_reps) reps = P->max_reps;
        size_t left = P->budget > T->runs ? P->budget - T->runs : 0;
        while (reps > fewer && (size_t)((reps > a->reps ? reps - a->reps : 0) + (reps > b->reps ? reps - b->reps : 0)) > left)
            reps--;
        if (!overlap || reps <= fewer) return 0;
        int ids[2] = { T->order[0], T->order[1] };
        int rc = evaluate(S, ids, 2, reps, TUNE_CONFIRM);
        if (rc) return rc;
    }
}

int tune_run(const tune_problem *P, tune_state *T)
{
    memset(T, 0, sizeof *T);
    search S = { P, T, { 0 }, P->budget };
    int d = P->nparam, nstart = 4 * (d + 1);
    size_t per_point = (size_t)P->reps;
    if ((size_t)nstart * per_point > P->budget / 2) nstart = (int)(P->budget / 2 / per_point);
    if (nstart < 2) nstart = 2;
    size_t reserve = (size_t)2 * (size_t)(P->max_reps - P->reps);
    if (reserve > P->budget / 4) reserve = P->budget / 4;
    bench_sigsave saved;
    if (P->exec.signals) bench_signals_catch(&saved, -1);     /* for the whole search, between sweeps too */
    sim_progress_begin(&S.pb, "tune", P->budget, P->progress);
    int rc = phase_start(&S, nstart);
    S.limit = P->budget - reserve;
    if (!rc) rc = phase_simplex(&S);
    S.limit = P->budget;
    if (!rc) rc = phase_confirm(&S);
    sim_progress_end(&S.pb);
    if (P->exec.signals) bench_signals_restore(&saved);
    if (T->npt) rank_points(P, T);
    return rc;
}
