/* dist.c — distributions of scenario quantities: parse, sample (GSL), mean,
 * format (see scenario.h and docs/scenario-format.md, "Distributions").
 *
 * Syntax: name(arg, ...) or a bare value, which means constant(value). For a
 * distribution of durations the arguments that are times (every one but
 * lognormal's sigma and pareto's alpha) are durations with units and are
 * stored in ns; otherwise plain numbers. Every distribution describes a
 * non-negative quantity: parameters that would give negative values are
 * refused. empirical(file.csv) reads one value per row (an optional header
 * row first) with libcsv; for durations a cell is "250ms" or a bare number of
 * seconds; empirical(file.csv, column) reads one named column of a CSV with a
 * header (a request log), skipping empty cells. For EMPIRICAL, a holds the
 * mean of the values.
 * Normal draws (normal, absnormal, lognormal) use GSL's ziggurat
 * (gsl_ran_gaussian_ziggurat: Marsaglia and Tsang 2000), about one uniform
 * and no logarithm per draw instead of the polar method's two uniforms, a
 * log and a sqrt; lognormal's log(median) is taken once, at parse time.
 * Cost: sampling is O(1) (a truncated normal resamples, on average < 2 draws
 * since its mean is >= 0); parsing an empirical file is linear in its size.
 */
#include "dist.h"
#include "cfg.h"
#include "units.h"
#include "trace.h"
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

typedef struct {
    const char   *name;
    sim_dist_kind kind;
    int           nargs;
    unsigned      dur_args;     /* bit i: argument i is a duration (when durations) */
    const char   *arg_names[2];
} dist_info;

static const dist_info KINDS[] = {
    { "constant",    SIM_DIST_CONSTANT,    1, 1u, { "x", NULL } },
    { "uniform",     SIM_DIST_UNIFORM,     2, 3u, { "lo", "hi" } },
    { "exponential", SIM_DIST_EXPONENTIAL, 1, 1u, { "mean", NULL } },
    { "lognormal",   SIM_DIST_LOGNORMAL,   2, 1u, { "median", "sigma" } },
    { "normal",      SIM_DIST_NORMAL,      2, 3u, { "mean", "sd" } },
    { "absnormal",   SIM_DIST_ABSNORMAL,   2, 3u, { "mean", "sd" } },
    { "pareto",      SIM_DIST_PARETO,      2, 2u, { "alpha", "xm" } },
    { "empirical",   SIM_DIST_EMPIRICAL,   1, 0u, { "file", NULL } },
    { "gamma",       SIM_DIST_GAMMA,       2, 2u, { "shape", "scale" } },
};
#define NKINDS (sizeof KINDS / sizeof KINDS[0])

static const dist_info *info_of(sim_dist_kind k)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (KINDS[i].kind == k) return &KINDS[i];
    return &KINDS[0];
}

static int errf(sim_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int errf(sim_err *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err) vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    if (err) sim_err_oneline(err->msg, sizeof err->msg);
    return POL_EINVAL;
}

/* Trims spaces in place; returns the start. */
static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) *--e = '\0';
    return s;
}

/* A value: a duration (ns) or a plain number. */
static int parse_value(const char *s, int duration, double *out)
{
    if (!duration) return sim_parse_double(s, out);
    pol_ns ns;
    int rc = sim_parse_duration(s, &ns);
    if (!rc) *out = (double)ns;
    return rc;
}

/* ---- empirical ------------------------------------------------------------- */

typedef struct {
    int         durations;
    const char *column;        /* empirical(file, column): the header's column, else NULL */
    int         cell;          /* its index in the header */
    double      unit;          /* ns per bare number (durations; the column's name may say ms) */
    double     *v;
    size_t      n, cap;
} emp_reader;

static int emp_row(void *user, const sim_csv_row *row, sim_err *err)
{
    emp_reader *r = user;
    char q[96];
    if (r->column && row->index == 0) {            /* the header names the column */
        for (size_t i = 0; i < row->n; i++)
            if (sim_trace_name_eq(row->field[i], r->column)) {
                r->cell = (int)i;
                r->unit = (double)sim_col_unit(row->field[i]);
                return POL_OK;
            }
        return sim_cfg_errf_loc(err, row->path, row->line[0], row->col[0], "no column '%s' in the header",
                                sim_cfg_quote(r->column, q, sizeof q));
    }
    if (!r->column && row->n != 1)
        return sim_cfg_errf_loc(err, row->path, row->line[0], row->col[0],
                                "expected one value per row, got %zu cells", row->n);
    int ci = r->column ? r->cell : 0;
    if ((size_t)ci >= row->n)
        return sim_cfg_errf_loc(err, row->path, row->line[0], row->col[0], "the row has no cell for column '%s'",
                                sim_cfg_quote(r->column, q, sizeof q));
    double x;
    const char *cell = row->field[ci];
    if (r->column && !*cell) return POL_OK;        /* an empty cell of a log: no value */
    int rc = r->durations ? parse_value(cell, 1, &x) : sim_parse_double(cell, &x);
    if (rc == POL_EPARSE && r->durations && sim_parse_double(cell, &x) == POL_OK) {
        x *= r->unit;                   /* a bare number of seconds (or the column's unit) */
        rc = x < 9.2e18 ? POL_OK : POL_ERANGE;
    }
    if (rc == POL_EPARSE && row->index == 0 && !r->column) return POL_OK;   /* a header row */
    const char *what = r->durations ? "duration (250ms, or seconds)" : "number";
    if ((rc || x < 0) && !sim_cfg_plausible_name(cell))   /* not a file of values: do not echo it */
        return sim_cfg_errf_loc(err, row->path, row->line[ci], row->col[ci],
                                "expected a non-negative %s (is this a file of values, one per row?)", what);
    if (rc || x < 0)
        return sim_cfg_errf_loc(err, row->path, row->line[ci], row->col[ci], "expected a non-negative %s, got '%s'",
                                what, sim_cfg_quote(cell, q, sizeof q));
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 256;
        double *v = realloc(r->v, cap * sizeof *v);
        if (!v) return sim_cfg_errf_loc(err, NULL, 0, 0, "out of memory");
        r->v = v;
        r->cap = cap;
    }
    r->v[r->n++] = x;
    return POL_OK;
}

/* Unquotes one argument of empirical() into out (cap bytes); 0 or -1. */
static int emp_arg(const char *arg, char *out, size_t cap)
{
    size_t len = strlen(arg);
    if (len >= 2 && (arg[0] == '"' || arg[0] == '\'') && arg[len - 1] == arg[0]) { arg++; len -= 2; }
    if (!len || len >= cap) return -1;
    memcpy(out, arg, len);
    out[len] = '\0';
    return 0;
}

/* empirical(file.csv) or empirical(file.csv, column): arg is the text
 * between the parentheses. */
static int parse_empirical(char *arg, int durations, const char *base_dir, sim_dist *d, sim_err *err)
{
    char file[SIM_PATH_MAX], path[SIM_PATH_MAX], column[128] = "";
    char *comma = NULL;
    for (char *p = arg, quote = 0; *p; p++) {      /* the first comma outside quotes */
        if (quote) { if (*p == quote) quote = 0; }
        else if (*p == '"' || *p == '\'') quote = *p;
        else if (*p == ',') { comma = p; break; }
    }
    if (comma) {
        *comma = '\0';
        if (emp_arg(trim(comma + 1), column, sizeof column))
            return errf(err, "empirical(file.csv, column): bad column name");
    }
    if (emp_arg(trim(arg), file, sizeof file)) return errf(err, "empirical(file.csv): bad file name");
    if (sim_cfg_resolve(base_dir, file, path, sizeof path)) return errf(err, "empirical: path too long");
    emp_reader r = { .durations = durations, .column = column[0] ? column : NULL, .unit = 1e9 };
    sim_err e;
    int rc = sim_cfg_csv_read_input(path, column[0] ? "a header naming the column, then one value per row"
                                                    : "one value per row, after an optional header", emp_row, &r, &e);
    if (rc) {
        free(r.v);
        /* an unreadable file is reported where the scenario names it */
        if (rc == POL_ENOTFOUND || rc == POL_ENOMEM) return errf(err, "%s", e.msg);
        *err = e;
        return SIM_ELOCATED;
    }
    if (!r.n) {
        free(r.v);
        return errf(err, "empirical: '%s' has no values", path);
    }
    d->samples = r.v;
    d->n = r.n;
    if (column[0]) {                               /* formatted back as "file, column" */
        size_t fl = strlen(file);
        d->file = malloc(fl + strlen(column) + 3);
        if (d->file) { memcpy(d->file, file, fl); memcpy(d->file + fl, ", ", 2); strcpy(d->file + fl + 2, column); }
    } else
        d->file = strdup(file);
    if (!d->file) { free(r.v); d->samples = NULL; return errf(err, "out of memory"); }
    double sum = 0;
    for (size_t i = 0; i < r.n; i++) sum += r.v[i];
    d->a = sum / (double)r.n;
    return POL_OK;
}

/* ---- parse ----------------------------------------------------------------- */

static int check_params(const dist_info *k, const sim_dist *d, sim_err *err)
{
    const char *n = k->name;
    switch (k->kind) {
    case SIM_DIST_CONSTANT: if (d->a < 0) return errf(err, "constant: value must be >= 0"); break;
    case SIM_DIST_UNIFORM:
        if (d->a < 0) return errf(err, "uniform(lo, hi): lo must be >= 0");
        if (d->a > d->b) return errf(err, "uniform(lo, hi): lo must be <= hi");
        break;
    case SIM_DIST_EXPONENTIAL: if (!(d->a > 0)) return errf(err, "exponential(mean): mean must be > 0"); break;
    case SIM_DIST_LOGNORMAL:
        if (!(d->a > 0)) return errf(err, "lognormal(median, sigma): median must be > 0");
        if (d->b < 0) return errf(err, "lognormal(median, sigma): sigma must be >= 0");
        break;
    case SIM_DIST_NORMAL:
    case SIM_DIST_ABSNORMAL:
        if (d->a < 0) return errf(err, "%s(mean, sd): mean must be >= 0", n);
        if (d->b < 0) return errf(err, "%s(mean, sd): sd must be >= 0", n);
        break;
    case SIM_DIST_PARETO:
        if (!(d->a > 0)) return errf(err, "pareto(alpha, xm): alpha must be > 0");
        if (!(d->b > 0)) return errf(err, "pareto(alpha, xm): xm must be > 0");
        break;
    case SIM_DIST_GAMMA:
        if (!(d->a > 0)) return errf(err, "gamma(shape, scale): shape must be > 0");
        if (!(d->b > 0)) return errf(err, "gamma(shape, scale): scale must be > 0");
        break;
    default: break;
    }
    return POL_OK;
}

static int parse_args(const dist_info *k, char *args, int durations, sim_dist *d, sim_err *err)
{
    char *arg[3];
    int na = 0;
    for (char *p = args;; ) {
        char *comma = strchr(p, ',');
        if (comma) *comma = '\0';
        if (na < 3) arg[na] = trim(p);
        na++;
        if (!comma) break;
        p = comma + 1;
    }
    if (na == 1 && !*arg[0]) na = 0;
    if (na != k->nargs)
        return errf(err, "%s(%s%s%s) takes %d argument%s, got %d", k->name, k->arg_names[0],
                    k->arg_names[1] ? ", " : "", k->arg_names[1] ? k->arg_names[1] : "",
                    k->nargs, k->nargs == 1 ? "" : "s", na);
    double v[2] = { 0, 0 };
    for (int i = 0; i < na; i++) {
        int dur = durations && (k->dur_args >> i & 1u);
        int rc = parse_value(arg[i], dur, &v[i]);
        if (rc)
            return errf(err, "%s: %s must be %s, got '%s'", k->name, k->arg_names[i],
                        dur ? (rc == POL_ERANGE ? "a non-negative duration" : "a duration like 250ms")
                            : "a number", arg[i]);
    }
    d->a = v[0];
    d->b = v[1];
    return check_params(k, d, err);
}

int sim_dist_parse(const char *text, int durations, const char *base_dir, sim_dist *out, sim_err *err)
{
    if (!text || !out) return errf(err, "no distribution");
    char buf[SIM_PATH_MAX + 64];
    if (strlen(text) >= sizeof buf) return errf(err, "distribution text too long");
    strcpy(buf, text);
    char *s = trim(buf);
    sim_dist d = { 0 };
    char *open = strchr(s, '(');
    int rc;
    if (!open) {                                   /* a bare value = constant */
        rc = parse_value(s, durations, &d.a);
        if (rc == POL_EPARSE)
            return errf(err, durations ? "expected a duration like 250ms or a distribution like exponential(5s), got '%s'"
                                       : "expected a number or a distribution like lognormal(300, 0.8), got '%s'", s);
        if (rc || d.a < 0) return errf(err, "value must be >= 0, got '%s'", s);
        *out = d;
        return POL_OK;
    }
    size_t len = strlen(s);
    char *close = strchr(open + 1, ')');
    if (s[len - 1] != ')' || close != s + len - 1 || strchr(open + 1, '('))
        return errf(err, "expected name(arguments), got '%s'%s", s,
                    s[len - 1] != ')' ? " (inside { } or [ ], quote it: \"lognormal(400ms, 0.5)\")" : "");
    s[len - 1] = '\0';
    *open = '\0';
    char *name = trim(s);
    const dist_info *k = NULL;
    for (size_t i = 0; i < NKINDS; i++)
        if (!strcmp(name, KINDS[i].name)) k = &KINDS[i];
    if (!k) {
        const char *names[NKINDS];
        for (size_t i = 0; i < NKINDS; i++) names[i] = KINDS[i].name;
        char msg[256];
        snprintf(msg, sizeof msg, "unknown distribution '%s'", name);
        sim_cfg_did_you_mean(msg, sizeof msg, name, names, NKINDS);
        if (!sim_cfg_suggest(name, names, NKINDS))
            snprintf(msg + strlen(msg), sizeof msg - strlen(msg),
                     "; expected constant, uniform, exponential, lognormal, normal, absnormal, pareto, gamma or empirical");
        return errf(err, "%s", msg);
    }
    d.kind = k->kind;
    if (k->kind == SIM_DIST_EMPIRICAL) rc = parse_empirical(trim(open + 1), durations, base_dir, &d, err);
    else rc = parse_args(k, open + 1, durations, &d, err);
    if (rc) return rc;
    if (d.kind == SIM_DIST_LOGNORMAL) d.ln_a = log(d.a);
    *out = d;
    return POL_OK;
}

void sim_dist_free(sim_dist *d)
{
    if (!d) return;
    free(d->samples);
    free(d->file);
    memset(d, 0, sizeof *d);
}

/* ---- sample and mean ------------------------------------------------------- */

double sim_dist_sample(const sim_dist *d, gsl_rng *r)
{
    double x;
    switch (d->kind) {
    case SIM_DIST_CONSTANT: return d->a;
    case SIM_DIST_UNIFORM: return d->a == d->b ? d->a : gsl_ran_flat(r, d->a, d->b);
    case SIM_DIST_EXPONENTIAL: return gsl_ran_exponential(r, d->a);
    case SIM_DIST_LOGNORMAL: return exp(d->ln_a + d->b * gsl_ran_gaussian_ziggurat(r, 1.0));
    case SIM_DIST_NORMAL:
        if (d->b == 0) return d->a;
        do x = d->a + gsl_ran_gaussian_ziggurat(r, d->b); while (x < 0);
        return x;
    case SIM_DIST_ABSNORMAL: return d->b == 0 ? fabs(d->a) : sim_dist_absnormal(d, r);
    case SIM_DIST_PARETO: return gsl_ran_pareto(r, d->a, d->b);
    case SIM_DIST_GAMMA: return gsl_ran_gamma(r, d->a, d->b);
    case SIM_DIST_EMPIRICAL: return d->n ? d->samples[gsl_rng_uniform_int(r, d->n)] : 0;
    }
    return 0;
}

double sim_dist_mean(const sim_dist *d)
{
    double m = d->a, s = d->b;
    switch (d->kind) {
    case SIM_DIST_CONSTANT:
    case SIM_DIST_EXPONENTIAL:
    case SIM_DIST_EMPIRICAL: return m;
    case SIM_DIST_UNIFORM: return (d->a + d->b) / 2;
    case SIM_DIST_LOGNORMAL: return m * exp(s * s / 2);
    case SIM_DIST_NORMAL: {              /* N(m, s) conditioned on x >= 0 */
        if (s == 0) return m;
        double alpha = -m / s;
        return m + s * gsl_ran_ugaussian_pdf(alpha) / gsl_cdf_ugaussian_Q(alpha);
    }
    case SIM_DIST_ABSNORMAL:             /* folded normal */
        if (s == 0) return fabs(m);
        return s * sqrt(2 / M_PI) * exp(-m * m / (2 * s * s)) + m * (1 - 2 * gsl_cdf_ugaussian_P(-m / s));
    case SIM_DIST_PARETO: return d->a > 1 ? d->a * d->b / (d->a - 1) : INFINITY;
    case SIM_DIST_GAMMA: return d->a * d->b;
    }
    return 0;
}

/* ---- format ---------------------------------------------------------------- */

static void fmt_value(double v, int duration, char *buf, size_t n)
{
    if (duration) sim_format_duration((pol_ns)llround(v), buf, n);
    else snprintf(buf, n, "%.10g", v);
}

char *sim_dist_format(const sim_dist *d, int durations, char *buf, size_t n)
{
    const dist_info *k = info_of(d->kind);
    char a[64], b[64];
    fmt_value(d->a, durations && (k->dur_args & 1u), a, sizeof a);
    fmt_value(d->b, durations && (k->dur_args & 2u), b, sizeof b);
    if (d->kind == SIM_DIST_CONSTANT) snprintf(buf, n, "%s", a);
    else if (d->kind == SIM_DIST_EMPIRICAL) snprintf(buf, n, "empirical(%s)", d->file ? d->file : "?");
    else if (k->nargs == 1) snprintf(buf, n, "%s(%s)", k->name, a);
    else snprintf(buf, n, "%s(%s, %s)", k->name, a, b);
    return buf;
}
