/* sweep.c — grids, the sweep plan, the worker pool and the sweep's CSV files
 * (see sweep.h); `retrysim sweep` itself is in cmd_sweep.c.
 *
 * Worker protocol: the parent owns one command pipe and one result pipe per
 * worker. It writes a batch into a worker's command pipe: a count n
 * (uint32, 1..BENCH_BATCH_MAX, sized by bench_sched_batch from the measured
 * run time) and n run indices, in one write smaller than PIPE_BUF; the
 * worker runs them in order and writes back the batch's run_msgs (one per
 * run, in order) in one write when the batch's last run ends; the parent
 * stores each and hands that worker the next batch. Short runs thus cost
 * two context switches per batch, not per run (a result written as each
 * run ended woke the parent once a run: on one core, 1.12x the CPU time
 * of the AWS grid; docs/performance.md). Which run a worker is on is in a
 * page it shares with the parent (worker.at), so a worker that dies still
 * names its run; the results of its batch's earlier runs die with it (a
 * --resume runs them again, to the same bytes).
 * Closing the command pipe tells the worker to exit. A result pipe that
 * reaches end-of-file before the message of the run its worker holds means
 * the worker died on that run. Workers ignore SIGINT/SIGTERM (Ctrl-C reaches
 * the whole process group): the parent decides, through a self-pipe that
 * its signal handler writes to, whether to let them finish or kill them.
 */
#include "sweep.h"
#include "cfg.h"
#include "model.h"
#include "outfile.h"
#include "progress.h"
#include "units.h"
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdint.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#define TRY(x) do { int rc_ = (x); if (rc_ < 0) return rc_; } while (0)
#define MAX_POINTS 1000000
#define MAX_RUNS   ((size_t)1 << 31)

static int errf(sim_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int errf(sim_err *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return POL_EINVAL;
}

/* ------------------------------------------------------------------ grid --- */

void bench_grid_free(bench_grid *g)
{
    for (int k = 0; k < g->nkeys; k++) free(g->keys[k]);
    for (size_t i = 0; i < (size_t)g->npoints * (size_t)g->nkeys; i++) free(g->values[i]);
    free(g->keys);
    free(g->values);
    free(g->file);
    free(g->line);
    free(g->col);
    memset(g, 0, sizeof *g);
}

/* A key must be a non-empty path without '=' and not already a column. */
static int check_key(const bench_grid *g, const char *key, const char *where, sim_err *err)
{
    if (!*key) return errf(err, "%sempty key", where);
    if (strchr(key, '=')) return errf(err, "%skey '%s' contains '='", where, key);
    for (int k = 0; k < g->nkeys; k++)
        if (!strcmp(g->keys[k], key)) return errf(err, "%skey '%s' is given twice", where, key);
    return POL_OK;
}

/* Splits text at commas outside brackets and quotes; trims blanks. */
static int split_values(const char *text, char ***out, int *n, sim_err *err, const char *spec)
{
    *out = NULL;
    *n = 0;
    int cap = 0, depth = 0;
    char quote = 0;
    const char *start = text;
    for (const char *p = text;; p++) {
        char c = *p;
        if (quote) {
            if (c == quote) quote = 0;
            else if (!c) return errf(err, "--grid '%s': unclosed quote", spec);
            continue;
        }
        if (c == '\'' || c == '"') quote = c;
        else if (c == '(' || c == '[' || c == '{') depth++;
        else if ((c == ')' || c == ']' || c == '}') && depth > 0) depth--;
        else if ((c == ',' && depth == 0) || !c) {
            const char *a = start, *b = p;
            while (a < b && (*a == ' ' || *a == '\t')) a++;
            while (b > a && (b[-1] == ' ' || b[-1] == '\t')) b--;
            if (a == b) return errf(err, "--grid '%s': empty value", spec);
            if (*n == cap) {
                cap = cap ? cap * 2 : 8;
                char **nv = realloc(*out, (size_t)cap * sizeof *nv);
                if (!nv) return errf(err, "out of memory");
                *out = nv;
            }
            if (!((*out)[(*n)++] = strndup(a, (size_t)(b - a)))) return errf(err, "out of memory");
            if (!c) break;
            start = p + 1;
        }
    }
    return POL_OK;
}

int bench_grid_axis(bench_grid *g, const char *spec, sim_err *err)
{
    if (g->file) return errf(err, "--grid and --grid-file cannot be combined");
    const char *eq = strchr(spec, '=');
    if (!eq) return errf(err, "--grid '%s': expected KEY=V1,V2,...", spec);
    char *key = strndup(spec, (size_t)(eq - spec));
    char **vals = NULL;
    int nv = 0;
    int rc = key ? check_key(g, key, "--grid: ", err) : errf(err, "out of memory");
    if (!rc) rc = split_values(eq + 1, &vals, &nv, err, spec);
    int old = g->npoints ? g->npoints : 1;
    if (!rc && (long long)old * nv > MAX_POINTS) rc = errf(err, "--grid: more than %d points", MAX_POINTS);
    char **nvalues = NULL, **nkeys = NULL;
    if (!rc) {
        nvalues = calloc((size_t)old * (size_t)nv * (size_t)(g->nkeys + 1), sizeof *nvalues);
        nkeys = realloc(g->keys, (size_t)(g->nkeys + 1) * sizeof *nkeys);
        if (nkeys) g->keys = nkeys;
        if (!nvalues || !nkeys) rc = errf(err, "out of memory");
    }
    if (rc) {
        free(key);
        for (int i = 0; i < nv; i++) free(vals[i]);
        free(vals);
        free(nvalues);
        return rc;
    }
    /* new point (p, j) = old point p with value j of the new axis */
    int K = g->nkeys + 1;
    for (int p = 0; p < old; p++)
        for (int j = 0; j < nv; j++) {
            char **dst = &nvalues[((size_t)p * (size_t)nv + (size_t)j) * (size_t)K];
            for (int k = 0; k < g->nkeys; k++) dst[k] = strdup(g->values[(size_t)p * (size_t)g->nkeys + (size_t)k]);
            dst[g->nkeys] = strdup(vals[j]);
        }
    for (size_t i = 0; i < (size_t)g->npoints * (size_t)g->nkeys; i++) free(g->values[i]);
    free(g->values);
    for (int i = 0; i < nv; i++) free(vals[i]);
    free(vals);
    g->values = nvalues;
    g->keys[g->nkeys++] = key;
    g->npoints = old * nv;
    for (size_t i = 0; i < (size_t)g->npoints * (size_t)K; i++)
        if (!g->values[i]) return errf(err, "out of memory");
    return POL_OK;
}

static int grid_row(void *user, const sim_csv_row *row, sim_err *err)
{
    bench_grid *g = user;
    if (row->index == 0) {
        for (size_t k = 0; k < row->n; k++)
            if (row->field[k][0] && !sim_cfg_plausible_name(row->field[k]))   /* do not echo a file that is not a CSV */
                return sim_cfg_errf_loc(err, row->path, row->line[k], row->col[k],
                                        "the first row is not a header of override keys (is this a grid CSV file?)");
        g->keys = calloc(row->n, sizeof *g->keys);
        if (!g->keys) return errf(err, "out of memory");
        for (size_t k = 0; k < row->n; k++) {
            char where[SIM_PATH_MAX + 64];
            snprintf(where, sizeof where, "%s:%d:%d: ", row->path, row->line[k], row->col[k]);
            TRY(check_key(g, row->field[k], where, err));
            if (!(g->keys[g->nkeys++] = strdup(row->field[k]))) return errf(err, "out of memory");
        }
        return POL_OK;
    }
    if (row->n != (size_t)g->nkeys)
        return sim_cfg_errf_loc(err, row->path, row->line[0], row->col[0], "expected %d cell%s as in the header, got %zu",
                                g->nkeys, g->nkeys == 1 ? "" : "s", row->n);
    if (g->npoints == MAX_POINTS) return sim_cfg_errf_loc(err, row->path, row->line[0], row->col[0], "more than %d points", MAX_POINTS);
    size_t n = (size_t)g->npoints + 1, K = (size_t)g->nkeys;
    char **v = realloc(g->values, n * K * sizeof *v);
    if (v) g->values = v;
    int *l = realloc(g->line, n * sizeof *l);
    if (l) g->line = l;
    int *c = realloc(g->col, n * K * sizeof *c);
    if (c) g->col = c;
    if (!v || !l || !c) return errf(err, "out of memory");
    for (size_t k = 0; k < K; k++) {
        v[(n - 1) * K + k] = strdup(row->field[k]);
        c[(n - 1) * K + k] = row->col[k];
    }
    l[n - 1] = row->line[0];
    g->npoints = (int)n;
    for (size_t k = 0; k < K; k++) if (!v[(n - 1) * K + k]) return errf(err, "out of memory");
    return POL_OK;
}

int bench_grid_file(bench_grid *g, const char *path, sim_err *err)
{
    if (g->nkeys || g->file) return errf(err, "--grid and --grid-file cannot be combined");
    bench_grid_free(g);
    if (!(g->file = strdup(path))) return errf(err, "out of memory");
    int rc = sim_cfg_csv_read_input(path, "a header of override keys, then one row per point", grid_row, g, err);
    if (!rc && !g->nkeys) rc = errf(err, "%s: empty file (expected a header of override keys, then one row per point)", path);
    if (!rc && !g->npoints) rc = errf(err, "%s: no points (the header is followed by no rows)", path);
    return rc;
}

/* ------------------------------------------------------------------ plan --- */

void bench_sweep_free(bench_sweep *s)
{
    for (int p = 0; p < s->grid.npoints; p++) {
        if (s->sc) sim_scenario_free(&s->sc[p]);
        if (s->res) free(s->res[p].policy);
    }
    bench_grid_free(&s->grid);
    free(s->sc);
    free(s->res);
    free(s->run);
    free(s->first);
    free(s->m);
    free(s->done);
    free(s->cm);
    free(s->cfirst);
    free(s->cres);
    free(s->path);
    for (int i = 0; i < s->nbase; i++) free(s->base[i]);
    free(s->base);
    for (int i = 0; i < s->npols; i++) free(s->pols[i]);
    free(s->pols);
    memset(s, 0, sizeof *s);
}

/* "retry.base=1s, retry.max_attempts=3" (or "no overrides"). */
static const char *point_label(const bench_grid *g, int p, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int k = 0; k < g->nkeys && len < cap; k++)
        len += (size_t)snprintf(buf + len, cap - len, "%s%s=%s", k ? ", " : "", g->keys[k],
                                g->values[(size_t)p * (size_t)g->nkeys + (size_t)k]);
    return g->nkeys ? buf : "no overrides";
}

/* Loads point p into s->sc[p]; on failure err locates the point. */
static int load_point(bench_sweep *s, const char *path, int p, const char *const *base, int nbase, sim_err *err)
{
    const bench_grid *g = &s->grid;
    int n = nbase + g->nkeys;
    char **ov = calloc((size_t)n + 1, sizeof *ov);
    if (!ov) return errf(err, "out of memory");
    int rc = POL_OK;
    for (int i = 0; i < nbase && !rc; i++) if (!(ov[i] = strdup(base[i]))) rc = POL_ENOMEM;
    for (int k = 0; k < g->nkeys && !rc; k++) {
        const char *v = g->values[(size_t)p * (size_t)g->nkeys + (size_t)k];
        size_t len = strlen(g->keys[k]) + strlen(v) + 2;
        if (!(ov[nbase + k] = malloc(len))) { rc = POL_ENOMEM; break; }
        snprintf(ov[nbase + k], len, "%s=%s", g->keys[k], v);
    }
    if (rc) {
        errf(err, "out of memory");
    } else if ((rc = sim_scenario_load(path, (const char *const *)ov, n, &s->sc[p], err)) != 0) {
        char msg[sizeof err->msg], lb[512];
        snprintf(msg, sizeof msg, "%s", err->msg);
        if (g->file) {
            int col = 1;   /* the cell whose override the message quotes */
            for (int k = 0; k < g->nkeys; k++) {
                char q[600];
                snprintf(q, sizeof q, "override '%s'", ov[nbase + k]);
                if (strstr(msg, q)) { col = g->col[(size_t)p * (size_t)g->nkeys + (size_t)k]; break; }
            }
            snprintf(err->msg, sizeof err->msg, "%.300s:%d:%d: point %d: %.640s", g->file, g->line[p], col, p, msg);
        } else {
            snprintf(err->msg, sizeof err->msg, "point %d (%.300s): %.640s", p, point_label(g, p, lb, sizeof lb), msg);
        }
    }
    for (int i = 0; i < n; i++) free(ov[i]);
    free(ov);
    return rc;
}

/* The policy indices of point p: the named ones, or all. */
static int resolve_policies(bench_sweep *s, int p, const char *const *names, int nnames, sim_err *err)
{
    const sim_scenario *sc = &s->sc[p];
    int n = names ? nnames : sc->npolicies;
    sim_results *r = &s->res[p];
    r->policy = malloc((size_t)(n ? n : 1) * sizeof *r->policy);
    if (!r->policy) return errf(err, "out of memory");
    r->npolicies = n;
    r->reps = sc->replications;
    for (int i = 0; i < n; i++) {
        r->policy[i] = names ? sim_scenario_find_policy(sc, names[i]) : i;
        for (int k = 0; names && k < i; k++)
            if (!strcmp(names[k], names[i])) return errf(err, "--policy %s is given twice", names[i]);
        if (r->policy[i] < 0) {
            char lb[512];
            size_t len = (size_t)snprintf(err->msg, sizeof err->msg, "point %d (%s): %s has no policy '%s' (it has:", p,
                                          point_label(&s->grid, p, lb, sizeof lb), sc->path, names[i]);
            for (int k = 0; k < sc->npolicies && len < sizeof err->msg; k++)
                len += (size_t)snprintf(err->msg + len, sizeof err->msg - len, " %s", sc->policies[k].name);
            if (len < sizeof err->msg) snprintf(err->msg + len, sizeof err->msg - len, ")");
            return POL_EINVAL;
        }
    }
    return POL_OK;
}

static char **dup_strings(const char *const *v, int n)
{
    char **d = calloc((size_t)n + 1, sizeof *d);
    for (int i = 0; d && i < n; i++)
        if (!(d[i] = strdup(v[i]))) {
            while (i--) free(d[i]);
            free(d);
            return NULL;
        }
    return d;
}

/* Copies the plan's inputs into s (for bench_sweep_exec_mpi); 0 or -1. */
static int keep_inputs(bench_sweep *s, const char *path, const char *const *base, int nbase,
                       const char *const *policies, int npolicies)
{
    s->path = strdup(path);
    s->base = dup_strings(base, nbase);
    s->nbase = s->base ? nbase : 0;
    if (policies) {
        s->pols = dup_strings(policies, npolicies);
        s->npols = s->pols ? npolicies : 0;
    }
    return s->path && s->base && (!policies || s->pols) ? 0 : -1;
}

int bench_sweep_plan(bench_sweep *s, const char *path, bench_grid *grid,
                     const char *const *base, int nbase,
                     const char *const *policies, int npolicies, sim_err *err)
{
    memset(s, 0, sizeof *s);
    s->grid = *grid;
    memset(grid, 0, sizeof *grid);
    if (s->grid.npoints == 0) s->grid.npoints = 1;       /* no axis: one point */
    int np = s->grid.npoints;
    s->sc = calloc((size_t)np, sizeof *s->sc);
    s->res = calloc((size_t)np, sizeof *s->res);
    s->first = calloc((size_t)np, sizeof *s->first);
    int rc = s->sc && s->res && s->first ? POL_OK : errf(err, "out of memory");
    for (int p = 0; p < np && !rc; p++) {
        rc = load_point(s, path, p, base, nbase, err);
        if (!rc) rc = resolve_policies(s, p, policies, npolicies, err);
        if (!rc) {
            s->first[p] = s->nruns;
            s->nruns += (size_t)s->res[p].npolicies * (size_t)s->res[p].reps;
            if (s->nruns > MAX_RUNS) rc = errf(err, "more than %zu runs", MAX_RUNS);
        }
    }
    if (!rc) {
        s->run = calloc(s->nruns ? s->nruns : 1, sizeof *s->run);
        s->m = calloc(s->nruns ? s->nruns : 1, sizeof *s->m);
        s->done = calloc(s->nruns ? s->nruns : 1, 1);
        if (!s->run || !s->m || !s->done) rc = errf(err, "out of memory");
    }
    for (int p = 0; p < np && !rc; p++) {
        sim_results *r = &s->res[p];
        r->m = &s->m[s->first[p]];
        for (int i = 0; i < r->npolicies; i++)
            for (int k = 0; k < r->reps; k++)
                s->run[s->first[p] + (size_t)i * (size_t)r->reps + (size_t)k] = (bench_run){ p, r->policy[i], k };
    }
    if (!rc) rc = keep_inputs(s, path, base, nbase, policies, npolicies) ? errf(err, "out of memory") : POL_OK;
    if (rc) bench_sweep_free(s);
    return rc;
}

int bench_sweep_keep_classes(bench_sweep *s)
{
    int np = s->grid.npoints;
    size_t n = 0;
    s->cfirst = calloc((size_t)np, sizeof *s->cfirst);
    s->cres = calloc((size_t)np, sizeof *s->cres);
    if (!s->cfirst || !s->cres) return -1;
    for (int p = 0; p < np; p++) {
        const sim_results *r = &s->res[p];
        s->cfirst[p] = n;
        s->cres[p].nclasses = s->sc[p].workload.nclasses;
        n += (size_t)r->npolicies * (size_t)r->reps * (size_t)s->cres[p].nclasses;
    }
    if (!(s->cm = calloc(n ? n : 1, sizeof *s->cm))) return -1;
    for (int p = 0; p < np; p++) s->cres[p].m = &s->cm[s->cfirst[p]];
    return 0;
}

/* Run idx's class block in cm (NULL when not kept) and its length. */
static sim_run_metrics *class_block(const bench_sweep *s, size_t idx, int *n)
{
    *n = 0;
    if (!s->cm) return NULL;
    int p = s->run[idx].point;
    *n = s->cres[p].nclasses;
    return &s->cm[s->cfirst[p] + (idx - s->first[p]) * (size_t)*n];
}

size_t bench_sweep_ndone(const bench_sweep *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nruns; i++) n += s->done[i];
    return n;
}

const char *bench_sweep_describe(const bench_sweep *s, size_t run, char *buf, size_t cap)
{
    const bench_run *r = &s->run[run];
    char lb[512];
    snprintf(buf, cap, "run %zu (point %d: %s; policy %s; replication %d)", run, r->point,
             point_label(&s->grid, r->point, lb, sizeof lb), s->sc[r->point].policies[r->policy].name, r->rep);
    return buf;
}

/* ------------------------------------------------------------ execution --- */

/* What every transport shares: running one run, handing out run indices,
 * storing results, the progress bar, the messages and SIGINT/SIGTERM. */

/* ... and its per-class metrics into cls[nclasses of its point] (or NULL). */
static void run_one(const bench_sweep *s, uint32_t idx, long crash_run, bench_run_msg *msg, sim_run_metrics *cls)
{
    memset(msg, 0, sizeof *msg);
    msg->run = idx;
    if ((long)idx == crash_run) kill(getpid(), SIGKILL);
    const bench_run *r = &s->run[idx];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    msg->rc = sim_run_world(&(sim_run_opts){ .sc = &s->sc[r->point], .policy = r->policy, .replication = r->rep,
                                             .classes = cls },
                            &msg->m, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int64_t ns = (int64_t)(t1.tv_sec - t0.tv_sec) * 1000000000 + (t1.tv_nsec - t0.tv_nsec);
    msg->wall_ns = ns > 0 ? (uint64_t)ns : 0;
}

void bench_run_one(const bench_sweep *s, uint32_t idx, long crash_run, bench_run_msg *msg)
{
    run_one(s, idx, crash_run, msg, NULL);
}

static FILE *journal_open(const bench_sweep *s, const char *path);     /* in the CSV part below */
static int journal_append(FILE *f, const bench_sweep *s, size_t i);

void bench_sched_begin(bench_sched *q, bench_sweep *s, const bench_exec_opts *o)
{
    memset(q, 0, sizeof *q);
    q->s = s;
    q->o = o;
    q->who = o->who ? o->who : "retrysim sweep";
    q->journal = o->journal ? journal_open(s, o->journal) : NULL;
    if (o->journal && !q->journal) fprintf(stderr, "%s: cannot keep %s up to date: %s\n", q->who, o->journal, strerror(errno));
    sim_progress_begin(&q->pb, "sweep", s->nruns - bench_sweep_ndone(s), o->progress);
}

long bench_sched_next(bench_sched *q)
{
    while (q->cursor < q->s->nruns && q->s->done[q->cursor]) q->cursor++;
    if (!q->stopping && q->o->max_runs && q->handed >= q->o->max_runs) q->stopping = q->interrupted = 1;
    if (q->stopping || q->cursor == q->s->nruns) return -1;
    q->handed++;
    q->active++;
    return (long)q->cursor++;
}

void bench_sched_say(bench_sched *q, const char *fmt, ...)
{
    sim_progress_end(&q->pb);         /* end the bar once; later steps draw nothing */
    q->pb.enabled = 0;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", q->who);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

size_t bench_sched_batch(const bench_sched *q, int workers)
{
    if (q->o->batch > 0) return q->o->batch < BENCH_BATCH_MAX ? (size_t)q->o->batch : BENCH_BATCH_MAX;
    if (q->timed == 0) return 1;
    double mean = q->run_ns / (double)q->timed;
    double b = mean > 0 ? BENCH_BATCH_NS / mean : BENCH_BATCH_MAX;
    size_t n = b >= BENCH_BATCH_MAX ? BENCH_BATCH_MAX : b < 1 ? 1 : (size_t)b;
    size_t left = q->s->nruns - q->cursor, share = left / (2 * (size_t)(workers > 0 ? workers : 1));
    if (n > share) n = share > 0 ? share : 1;
    return n;
}

void bench_sched_result(bench_sched *q, const bench_run_msg *m, const char *where)
{
    q->active--;
    q->run_ns += (double)m->wall_ns;
    q->timed++;
    if (m->rc) {
        char desc[1024];
        bench_sched_say(q, "%s%s failed: %s", bench_sweep_describe(q->s, m->run, desc, sizeof desc), where,
                        pol_strerror(m->rc));
        q->failed = q->stopping = 1;
        return;
    }
    q->s->m[m->run] = m->m;
    q->s->done[m->run] = 1;
    if (q->journal && journal_append(q->journal, q->s, m->run)) {
        bench_sched_say(q, "cannot append to %s: %s; no more runs are journalled (the finished ones are written at the end)",
                        q->o->journal, errno ? strerror(errno) : "short write");
        __fpurge(q->journal);        /* what the failed write left in the buffer is dropped, */
        fclose(q->journal);          /* not written after the torn row */
        q->journal = NULL;
    }
    sim_progress_step(&q->pb, ++q->finished);
}

int bench_sched_end(bench_sched *q, int killed)
{
    sim_progress_end(&q->pb);
    if (q->journal) fclose(q->journal);     /* every row was flushed: nothing is left to write */
    q->journal = NULL;
    if (q->failed) return BENCH_EXEC_FAILED;
    if (bench_sweep_ndone(q->s) == q->s->nruns) return BENCH_EXEC_DONE;
    return q->interrupted || killed ? BENCH_EXEC_STOPPED : BENCH_EXEC_FAILED;
}

static volatile sig_atomic_t g_signals, g_last_signal;
static int g_wake = -1;   /* write end of a self-pipe, or -1 */
static int g_depth;       /* nested catches (tune around its sweeps): the outer one counts */

static void on_signal(int sig)
{
    int e = errno;
    g_signals++;
    g_last_signal = sig;
    if (g_wake >= 0) (void)!write(g_wake, "", 1);
    errno = e;
}

void bench_signals_catch(bench_sigsave *save, int wake_fd)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    if (g_depth++ == 0) g_signals = 0;
    save->old_wake = g_wake;
    g_wake = wake_fd;
    sigaction(SIGINT, &sa, &save->old_int);
    sigaction(SIGTERM, &sa, &save->old_term);
}

void bench_signals_restore(const bench_sigsave *save)
{
    sigaction(SIGINT, &save->old_int, NULL);
    sigaction(SIGTERM, &save->old_term, NULL);
    g_wake = save->old_wake;
    g_depth--;
}

int bench_signals_received(int *last)
{
    if (last) *last = g_last_signal;
    return g_signals;
}

/* The local transport: forked workers, one command and one result pipe each. */

typedef struct {
    pid_t pid;            /* 0 once reaped */
    int   cmd, res;       /* parent's ends; -1 when closed */
    long  run;            /* the run it is on (batch[got]), -1 = none */
    uint32_t batch[BENCH_BATCH_MAX];   /* the runs it holds, in order */
    int   nbatch, got;    /* how many; how many answered */
    volatile uint32_t *at;   /* shared with the worker: the batch position it runs (nbatch: writing) */
} worker;

static ssize_t io_full(int fd, void *buf, size_t n, int writing)
{
    size_t done = 0;
    while (done < n) {
        ssize_t k = writing ? write(fd, (char *)buf + done, n - done) : read(fd, (char *)buf + done, n - done);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        done += (size_t)k;
    }
    return (ssize_t)done;
}

static void close_fd(int *fd)
{
    if (*fd >= 0) close(*fd);
    *fd = -1;
}

/* The results of a batch, as the worker writes them (bench_run_msg, then
 * its class block, per run). */
#define OUT_MAX (BENCH_BATCH_MAX * (sizeof(bench_run_msg) + SIM_MAX_CLASSES * sizeof(sim_run_metrics)))

static void __attribute__((noreturn)) worker_main(const bench_sweep *s, int cmd, int res, long crash_run,
                                                  volatile uint32_t *at)
{
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    uint32_t cmdbuf[1 + BENCH_BATCH_MAX];
    char *out = malloc(OUT_MAX);
    if (!out) _exit(4);
    while (io_full(cmd, cmdbuf, sizeof cmdbuf[0], 0) == (ssize_t)sizeof cmdbuf[0]) {
        uint32_t n = cmdbuf[0];
        if (n < 1 || n > BENCH_BATCH_MAX) _exit(3);
        if (io_full(cmd, cmdbuf + 1, n * sizeof cmdbuf[0], 0) != (ssize_t)(n * sizeof cmdbuf[0])) _exit(3);
        size_t len = 0;
        for (uint32_t k = 1; k <= n; k++) {
            uint32_t idx = cmdbuf[k];
            if (idx >= s->nruns) _exit(3);
            *at = k - 1;
            bench_run_msg msg;
            sim_run_metrics cls[SIM_MAX_CLASSES];
            int ncls;
            class_block(s, idx, &ncls);              /* kept classes: their block follows the message */
            run_one(s, idx, crash_run, &msg, ncls ? cls : NULL);
            memcpy(out + len, &msg, sizeof msg);
            len += sizeof msg;
            size_t cb = (size_t)ncls * sizeof cls[0];
            memcpy(out + len, cls, cb);
            len += cb;
        }
        *at = n;
        if (io_full(res, out, len, 1) != (ssize_t)len) _exit(4);
    }
    _exit(0);
}

/* Hands worker w its next batch of runs, or tells it to exit. */
static void hand_out(bench_sched *q, worker *w, int nworkers)
{
    w->nbatch = w->got = 0;
    w->run = -1;
    if (w->cmd < 0) return;
    size_t want = bench_sched_batch(q, nworkers);
    uint32_t cmdbuf[1 + BENCH_BATCH_MAX];
    long idx;
    while ((size_t)w->nbatch < want && (idx = bench_sched_next(q)) >= 0) {
        w->batch[w->nbatch++] = (uint32_t)idx;
        cmdbuf[w->nbatch] = (uint32_t)idx;
    }
    if (w->nbatch == 0) { close_fd(&w->cmd); return; }
    w->run = w->batch[0];
    cmdbuf[0] = (uint32_t)w->nbatch;
    size_t bytes = (size_t)(w->nbatch + 1) * sizeof cmdbuf[0];
    /* a dead worker shows as end-of-file on its result pipe, which names its run */
    if (io_full(w->cmd, cmdbuf, bytes, 1) != (ssize_t)bytes) close_fd(&w->cmd);
}

static void report_death(bench_sched *q, worker *w)
{
    int st = 0;
    char desc[1024], how[128];
    pid_t pid = w->pid;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    w->pid = 0;
    if (WIFSIGNALED(st)) snprintf(how, sizeof how, "killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
    else if (WIFEXITED(st)) snprintf(how, sizeof how, "exited with status %d", WEXITSTATUS(st));
    else snprintf(how, sizeof how, "ended");
    bench_sched_say(q, "the worker (pid %ld) running %s %s", (long)pid,
                    bench_sweep_describe(q->s, (size_t)w->run, desc, sizeof desc), how);
}

/* A result arrived (or the pipe closed) for worker w. */
static void on_result(bench_sched *q, worker *w, int nworkers)
{
    bench_run_msg msg;
    ssize_t n = io_full(w->res, &msg, sizeof msg, 0);
    int ncls = 0;
    sim_run_metrics *block = n == (ssize_t)sizeof msg && (long)msg.run == w->run ? class_block(q->s, msg.run, &ncls) : NULL;
    size_t cb = (size_t)ncls * sizeof *block;
    sim_run_metrics cls[SIM_MAX_CLASSES];
    if (cb && io_full(w->res, cls, cb, 0) != (ssize_t)cb) n = -1;   /* died while writing its classes */
    if (n != (ssize_t)sizeof msg || (long)msg.run != w->run) {
        uint32_t k = *w->at;                   /* the run it was on: its batch's runs before k ended unreported */
        if (n != (ssize_t)sizeof msg && k < (uint32_t)w->nbatch && (int)k > w->got) w->run = w->batch[k];
        q->active -= w->nbatch - w->got;       /* this run and the rest of its batch */
        w->nbatch = w->got = 0;
        if (n == (ssize_t)sizeof msg) bench_sched_say(q, "worker protocol error (got run %u)", msg.run);
        else report_death(q, w);
        close_fd(&w->res);
        close_fd(&w->cmd);
        w->run = -1;
        q->failed = q->stopping = 1;
        return;
    }
    if (cb && !msg.rc) memcpy(block, cls, cb);
    bench_sched_result(q, &msg, "");
    if (++w->got < w->nbatch) { w->run = w->batch[w->got]; return; }
    hand_out(q, w, nworkers);
}

static int start_workers(worker *w, int nw, const bench_sweep *s, long crash_run, volatile uint32_t *at)
{
    fflush(NULL);
    for (int i = 0; i < nw; i++) {
        w[i].at = &at[i];
        int c[2], r[2];
        if (pipe(c)) return -1;
        if (pipe(r)) { close(c[0]); close(c[1]); return -1; }
        pid_t pid = fork();
        if (pid < 0) { close(c[0]); close(c[1]); close(r[0]); close(r[1]); return -1; }
        if (pid == 0) {
            for (int j = 0; j < i; j++) { close(w[j].cmd); close(w[j].res); }
            close(c[1]);
            close(r[0]);
            worker_main(s, c[0], r[1], crash_run, &at[i]);
        }
        close(c[0]);
        close(r[1]);
        w[i] = (worker){ .pid = pid, .cmd = c[1], .res = r[0], .run = -1, .at = &at[i] };
    }
    return 0;
}

static int exec_local(bench_sweep *s, const bench_exec_opts *o)
{
    size_t todo = s->nruns - bench_sweep_ndone(s);
    int nw = o->jobs < 1 ? 1 : (size_t)o->jobs > todo ? (int)todo : o->jobs;
    if (o->max_runs && (size_t)nw > o->max_runs) nw = (int)o->max_runs;
    worker *w = calloc((size_t)nw, sizeof *w);
    if (!w) { fprintf(stderr, "%s: out of memory\n", o->who ? o->who : "retrysim sweep"); return BENCH_EXEC_FAILED; }
    for (int i = 0; i < nw; i++) w[i] = (worker){ .pid = 0, .cmd = -1, .res = -1, .run = -1 };

    /* signals stay blocked while forking, so workers start with them ignored */
    sigset_t block, old_mask;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &old_mask);
    struct sigaction old_pipe, ign;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, &old_pipe);
    int wake[2] = { -1, -1 };
    if (o->signals && pipe(wake) == 0) {
        fcntl(wake[0], F_SETFL, O_NONBLOCK);
        fcntl(wake[1], F_SETFL, O_NONBLOCK);
    }
    bench_sched q;
    bench_sched_begin(&q, s, o);
    size_t at_bytes = (size_t)nw * sizeof(uint32_t);
    void *at = mmap(NULL, at_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int rc = at == MAP_FAILED ? -1 : start_workers(w, nw, s, o->crash_run, at);
    bench_sigsave saved;
    if (o->signals) bench_signals_catch(&saved, wake[1]);
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    if (rc) {
        bench_sched_say(&q, "cannot start workers: %s", strerror(errno));
        q.failed = q.stopping = 1;
    }

    for (int i = 0; i < nw; i++) hand_out(&q, &w[i], nw);
    struct pollfd *pf = calloc((size_t)nw + 1, sizeof *pf);
    int *who = calloc((size_t)nw + 1, sizeof *who);
    int killed = 0, signalled = 0;
    while (q.active > 0 && pf && who) {
        int nsig = o->signals ? bench_signals_received(NULL) : 0;
        if (nsig >= 1 && !signalled) {
            q.stopping = q.interrupted = signalled = 1;
            bench_sched_say(&q, "interrupted; finishing %d run%s in progress (interrupt again to abandon %s)",
                            q.active, q.active == 1 ? "" : "s", q.active == 1 ? "it" : "them");
            for (int i = 0; i < nw; i++) if (w[i].run < 0) close_fd(&w[i].cmd);
        }
        if (nsig >= 2) {
            fprintf(stderr, "%s: abandoning %d run%s in progress\n", q.who, q.active, q.active == 1 ? "" : "s");
            for (int i = 0; i < nw; i++) if (w[i].run >= 0 && w[i].pid) kill(w[i].pid, SIGKILL);
            killed = 1;
            break;
        }
        int n = 0;
        if (wake[0] >= 0) { pf[n] = (struct pollfd){ wake[0], POLLIN, 0 }; who[n++] = -1; }
        for (int i = 0; i < nw; i++)
            if (w[i].run >= 0) { pf[n] = (struct pollfd){ w[i].res, POLLIN, 0 }; who[n++] = i; }
        if (poll(pf, (nfds_t)n, -1) < 0) {
            if (errno == EINTR) continue;
            fprintf(stderr, "%s: poll: %s\n", q.who, strerror(errno));
            break;
        }
        for (int k = 0; k < n; k++) {
            if (!pf[k].revents) continue;
            if (who[k] < 0) { char b[64]; while (read(wake[0], b, sizeof b) > 0) {} continue; }
            on_result(&q, &w[who[k]], nw);
        }
    }
    free(pf);
    free(who);
    for (int i = 0; i < nw; i++) {
        close_fd(&w[i].cmd);
        if (w[i].pid && w[i].run >= 0 && !killed) kill(w[i].pid, SIGKILL);   /* poll failed */
        if (w[i].pid) while (waitpid(w[i].pid, NULL, 0) < 0 && errno == EINTR) {}
        close_fd(&w[i].res);
    }
    if (o->signals) bench_signals_restore(&saved);
    sigaction(SIGPIPE, &old_pipe, NULL);
    close_fd(&wake[0]);
    close_fd(&wake[1]);
    if (at != MAP_FAILED) munmap(at, at_bytes);
    free(w);
    return bench_sched_end(&q, killed);
}

int bench_sweep_exec(bench_sweep *s, const bench_exec_opts *o)
{
    if (s->nruns == bench_sweep_ndone(s)) return BENCH_EXEC_DONE;
    if (o->mpi && s->cm) {
        fprintf(stderr, "%s: per-class metrics are not carried by the MPI transport\n", o->who ? o->who : "retrysim sweep");
        return BENCH_EXEC_FAILED;
    }
    return o->mpi ? bench_sweep_exec_mpi(s, o) : exec_local(s, o);
}

/* ------------------------------------------------------------------ CSV --- */

/* The point's leading cells: point, then its value of every key. */
static void point_cells(sim_csv *c, const bench_sweep *s, int p)
{
    sim_csv_int(c, p);
    for (int k = 0; k < s->grid.nkeys; k++) sim_csv_str(c, s->grid.values[(size_t)p * (size_t)s->grid.nkeys + (size_t)k]);
}

/* Header: [lead,] point, the keys (quoted: they are arbitrary text), then
 * the runner's header of summary.csv or summary-ci.csv. */
static void header(FILE *f, const bench_sweep *s, const char *lead, void (*runner_header)(FILE *))
{
    if (lead) fprintf(f, "%s,", lead);
    fputs("point", f);
    for (int k = 0; k < s->grid.nkeys; k++) {
        sim_csv c;
        sim_csv_begin(&c, f);
        fputc(',', f);
        sim_csv_str(&c, s->grid.keys[k]);
    }
    fputc(',', f);
    runner_header(f);
}

/* Writes the rows that the runner's writer produces for point p (its
 * summary.csv or summary-ci.csv rows), each prefixed with the point's cells,
 * so a point's rows are exactly `retrysim run`'s with the same overrides. */
static int prefixed_rows(FILE *f, const bench_sweep *s, int p,
                         void (*write)(FILE *, const sim_scenario *, const sim_results *))
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) return -1;
    write(m, &s->sc[p], &s->res[p]);
    if (fclose(m)) { free(buf); return -1; }
    int quoted = 0;
    sim_csv c;
    size_t row = 0;                                    /* where the current row starts */
    for (size_t i = 0; i < len; i++) {
        if (buf[i] == '"') quoted = !quoted;          /* "" inside a field toggles twice */
        else if (buf[i] == '\n' && !quoted) {           /* a row: the point's cells, then it */
            sim_csv_begin(&c, f);
            point_cells(&c, s, p);
            fputc(',', f);
            fwrite(buf + row, 1, i + 1 - row, f);
            row = i + 1;
        }
    }
    if (row < len) {                                   /* a last row without its newline */
        sim_csv_begin(&c, f);
        point_cells(&c, s, p);
        fputc(',', f);
        fwrite(buf + row, 1, len - row, f);
    }
    free(buf);
    return 0;
}

int bench_sweep_write_runs(FILE *f, const bench_sweep *s)
{
    header(f, s, NULL, sim_summary_header);
    for (int p = 0; p < s->grid.npoints; p++)
        if (prefixed_rows(f, s, p, sim_summary_write)) return -1;
    return 0;
}

int bench_sweep_write_ci(FILE *f, const bench_sweep *s)
{
    header(f, s, NULL, sim_summary_ci_header);
    for (int p = 0; p < s->grid.npoints; p++)
        if (prefixed_rows(f, s, p, sim_summary_ci_write)) return -1;
    return 0;
}

static const char *const RUN_COLS[] = { "scenario", "policy", "replication", "seed" };

/* One row of sweep.partial.csv: run i's cells and metrics. */
static void partial_run(FILE *f, const bench_sweep *s, size_t i)
{
    const bench_run *r = &s->run[i];
    const sim_scenario *sc = &s->sc[r->point];
    sim_csv c;
    sim_csv_begin(&c, f);
    sim_csv_int(&c, (long long)i);
    point_cells(&c, s, r->point);
    sim_csv_str(&c, sc->name);
    sim_csv_str(&c, sc->policies[r->policy].name);
    sim_csv_int(&c, r->rep);
    sim_csv_num(&c, (double)sc->seed);
    for (int j = 0; j < SIM_M__COUNT; j++) {      /* %.17g reads back to the same double */
        fputc(',', f);
        sim_fput_exact(f, s->m[i].m[j]);           /* non-finite: empty, as sim_csv_num */
    }
    sim_csv_end(&c);
}

void bench_sweep_write_partial(FILE *f, const bench_sweep *s)
{
    header(f, s, "run", sim_summary_header);
    for (size_t i = 0; i < s->nruns; i++)
        if (s->done[i]) partial_run(f, s, i);
}

/* The journal: the partial file rewritten whole (atomically) when the sweep
 * starts, then one row appended per finished run, each with one write(2) of
 * the whole row (journal_append's fflush), so that whatever ends the process
 * the finished runs are on disk. A row is complete when its newline is: a write cut short (the
 * process killed inside it, a full disk) leaves a last line without one,
 * which bench_sweep_read_partial drops. After a short write nothing more is
 * appended (the torn line stays last); the caller writes the whole file at
 * the end anyway. */
#define JOURNAL_BUF ((size_t)1 << 16)

static FILE *journal_open(const bench_sweep *s, const char *path)
{
    char dir[1024];
    const char *slash = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    sim_outfile o;
    if (sim_out_open(&o, dir, slash ? slash + 1 : path)) return NULL;
    bench_sweep_write_partial(o.f, s);
    if (sim_out_commit(&o)) return NULL;
    int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
    FILE *f = fd >= 0 ? fdopen(fd, "a") : NULL;
    if (!f) {
        if (fd >= 0) close(fd);
        return NULL;
    }
    setvbuf(f, NULL, _IOFBF, JOURNAL_BUF);
    return f;
}

/* Run i's row, formatted into the stream's buffer and written by the
 * fflush: one write(2) for a row of up to JOURNAL_BUF bytes (a longer one,
 * from very long grid values, takes several; a kill between them leaves a
 * torn last row, which --resume drops). The stream and its buffer live as
 * long as the sweep: where a memory stream per row cost a calloc and an
 * 8 KiB memset each time (~9,000 instructions a run on rank 0). */
static int journal_append(FILE *f, const bench_sweep *s, size_t i)
{
    errno = 0;
    partial_run(f, s, i);
    return fflush(f) == EOF || ferror(f) ? -1 : 0;
}

/* ------------------------------------------------------------- resuming --- */

typedef struct { bench_sweep *s; int ncols; } partial_ctx;

static int partial_row(void *user, const sim_csv_row *row, sim_err *err)
{
    partial_ctx *P = user;
    bench_sweep *s = P->s;
    int K = s->grid.nkeys;
    P->ncols = 1 + 1 + K + 4 + SIM_M__COUNT;
    if ((int)row->n != P->ncols) {
        if (row->index == 0) return sim_cfg_errf_loc(err, row->path, row->line[0], row->col[0],
                                                     "this partial file has %zu columns, this sweep writes %d: "
                                                     "resume with the arguments that wrote it, or delete it", row->n, P->ncols);
        return sim_cfg_errf_loc(err, row->path, row->line[0], row->col[0], "expected %d cells as in the header, got %zu",
                                P->ncols, row->n);
    }
    if (row->index == 0) {
        for (int i = 0; i < P->ncols; i++) {
            const char *want = i == 0 ? "run" : i == 1 ? "point" : i < 2 + K ? s->grid.keys[i - 2]
                             : i < 6 + K ? RUN_COLS[i - 2 - K] : sim_metric_name((sim_metric_id)(i - 6 - K));
            if (strcmp(row->field[i], want))
                return sim_cfg_errf_loc(err, row->path, row->line[i], row->col[i],
                                        "column '%s' where this sweep has '%s': resume with the arguments that wrote it, or delete it",
                                        row->field[i], want);
        }
        return POL_OK;
    }
    long long run;
    if (sim_parse_int(row->field[0], &run) || run < 0 || (size_t)run >= s->nruns)
        return sim_cfg_errf_loc(err, row->path, row->line[0], row->col[0], "run '%s' is not a run of this sweep (0..%zu)",
                                row->field[0], s->nruns - 1);
    const bench_run *r = &s->run[run];
    const sim_scenario *sc = &s->sc[r->point];
    /* every identifying cell must be what this sweep plans for that run */
    for (int i = 1; i < 6 + K; i++) {
        char buf[64];
        const char *w;
        if (i == 1) { snprintf(buf, sizeof buf, "%d", r->point); w = buf; }
        else if (i < 2 + K) w = s->grid.values[(size_t)r->point * (size_t)K + (size_t)(i - 2)];
        else if (i == 2 + K) w = sc->name;
        else if (i == 3 + K) w = sc->policies[r->policy].name;
        else if (i == 4 + K) { snprintf(buf, sizeof buf, "%d", r->rep); w = buf; }
        else { snprintf(buf, sizeof buf, "%llu", (unsigned long long)sc->seed); w = buf; }
        double seed;
        int same = i == 5 + K ? !sim_parse_double(row->field[i], &seed) && seed == (double)sc->seed
                              : !strcmp(row->field[i], w);
        if (!same)
            return sim_cfg_errf_loc(err, row->path, row->line[i], row->col[i],
                                    "'%s' where this sweep's run %lld has '%s': resume with the arguments that wrote it, or delete it",
                                    row->field[i], run, w);
    }
    for (int j = 0; j < SIM_M__COUNT; j++) {
        const char *t = row->field[6 + K + j];
        double v = NAN;
        char *end = NULL;
        if (*t) v = strtod(t, &end);
        if (*t && (end == t || *end || !isfinite(v)))
            return sim_cfg_errf_loc(err, row->path, row->line[6 + K + j], row->col[6 + K + j],
                                    "expected a number for %s, got '%s'", sim_metric_name((sim_metric_id)j), t);
        s->m[run].m[j] = v;
    }
    s->done[run] = 1;
    return POL_OK;
}

/* The length of the file's complete records: up to its last newline outside
 * quotes (a quoted cell may hold a newline; "" inside one toggles twice).
 * -1 when it cannot be read (the CSV reader then says why). */
static int complete_bytes(const char *path, size_t *complete, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    char buf[1 << 16];
    size_t n, pos = 0, last = 0;
    int quoted = 0;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        for (size_t i = 0; i < n; i++) {
            if (buf[i] == '"') quoted = !quoted;
            else if (buf[i] == '\n' && !quoted) last = pos + i + 1;
        }
        pos += n;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) return -1;
    *complete = last;
    *size = pos;
    return 0;
}

int bench_sweep_read_partial(bench_sweep *s, const char *path, size_t *torn, sim_err *err)
{
    partial_ctx P = { s, 0 };
    size_t complete = 0, size = 0;
    if (torn) *torn = 0;
    if (complete_bytes(path, &complete, &size)) return sim_cfg_csv_read(path, partial_row, &P, err);
    if (torn) *torn = size - complete;
    return sim_cfg_csv_read_prefix(path, complete, partial_row, &P, err);
}
