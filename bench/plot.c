/* plot.c — `retrysim plot DIR` below the command line (plot.h): renders
 * every chart that DIR's CSVs allow, by running the gnuplot scripts of
 * plots/ (docs/plots.md).
 *
 *   timeseries.csv  (run)          -> timeseries    offered load, successes, capacity, faults
 *   summary-ci.csv  (run)          -> cost          success rate against cost, with CIs
 *   attempts.csv    (run --trace)  -> latency-cdf   per-request latency CDF
 *   sweep-ci.csv    (sweep)        -> amplification (one varying grid key),
 *                                     aws-calls     (that key is workload.clients),
 *                                     heatmap       (two varying grid keys)
 *
 * The C side only decides which charts apply and passes parameters (file
 * names, provider, fault windows, metric, grid keys) with `gnuplot -e`; all
 * reading and reshaping of the CSVs happens in the scripts. Each chart is
 * written under a temporary name and renamed when gnuplot succeeded, so a
 * failed chart leaves no partial file. The scripts are found in
 * $RETRYSIM_PLOTS, else next to the binary (../plots from build/retrysim,
 * ../share/retrysim/plots when installed); gnuplot is $GNUPLOT or `gnuplot`
 * on PATH. Cost: one gnuplot process per chart; the CSVs are read by gnuplot,
 * except sweep-ci.csv, whose grid keys are inspected here (one pass, libcsv).
 */
#include "plot.h"
#include "cfg.h"
#include "outfile.h"
#include "scenario.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <libgen.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define MAX_KEYS 16
#define PARAMS_MAX 8192

static const struct { const char *name, *unit; } METRIC_UNITS[] = {
#define SIM_METRIC_UNIT(id, name, unit, def) { name, unit },
    SIM_METRICS(SIM_METRIC_UNIT)
#undef SIM_METRIC_UNIT
};

static const char *metric_unit(const char *name)
{
    for (size_t i = 0; i < sizeof METRIC_UNITS / sizeof METRIC_UNITS[0]; i++)
        if (!strcmp(METRIC_UNITS[i].name, name)) return METRIC_UNITS[i].unit;
    return "";
}

/* ------------------------------------------------------- gnuplot params --- */
typedef struct { char s[PARAMS_MAX]; size_t n; int overflow; } params;

static void p_raw(params *p, const char *text)
{
    size_t k = strlen(text);
    if (p->n + k + 1 > sizeof p->s) { p->overflow = 1; return; }
    memcpy(p->s + p->n, text, k + 1);
    p->n += k;
}

/* name='value'; — a gnuplot single-quoted string doubles its quotes */
static void p_str(params *p, const char *name, const char *value)
{
    p_raw(p, name);
    p_raw(p, "='");
    for (const char *c = value; *c; c++) {
        char one[3] = { *c, *c == '\'' ? '\'' : '\0', '\0' };
        p_raw(p, one);
    }
    p_raw(p, "'; ");
}

static int file_readable(const char *dir, const char *name, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s/%s", dir, name);
    return n > 0 && (size_t)n < cap && access(out, R_OK) == 0;
}

/* ------------------------------------------------------ locate things --- */
static int has_scripts(const char *dir)
{
    char p[PATH_MAX];
    return snprintf(p, sizeof p, "%s/timeseries.gp", dir) < (int)sizeof p && access(p, R_OK) == 0;
}

static int find_plotdir(char *out, size_t cap)
{
    const char *env = getenv("RETRYSIM_PLOTS");
    if (env && *env) {
        if (!has_scripts(env)) {
            fprintf(stderr, "retrysim plot: RETRYSIM_PLOTS=%s holds no timeseries.gp\n", env);
            return -1;
        }
        snprintf(out, cap, "%s", env);
        return 0;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        const char *bindir = dirname(exe);
        static const char *const rel[] = { "../plots", "../share/retrysim/plots", "plots" };
        for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
            char cand[PATH_MAX];
            if (snprintf(cand, sizeof cand, "%s/%s", bindir, rel[i]) >= (int)sizeof cand) continue;
            if (has_scripts(cand)) {
                if (!realpath(cand, out)) snprintf(out, cap, "%s", cand);
                return 0;
            }
        }
    }
    fprintf(stderr, "retrysim plot: cannot find the gnuplot scripts (plots/timeseries.gp) next to the\n"
                    "binary or in its share/retrysim/plots; set RETRYSIM_PLOTS to their directory\n");
    return -1;
}

static const char *gnuplot_prog(void)
{
    const char *g = getenv("GNUPLOT");
    return g && *g ? g : "gnuplot";
}

/* Runs argv; returns its exit status, or -1 when it could not be started.
 * While it runs it is the registry's child (outfile.h): SIGINT/SIGTERM kill
 * it before removing the temporaries it writes. Signals stay blocked from
 * before the spawn until it is registered; the child starts with the mask
 * of before. */
static int run_prog(char *const argv[], int quiet)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (quiet) {
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    }
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &old);
    posix_spawnattr_t at;
    posix_spawnattr_init(&at);
    posix_spawnattr_setsigmask(&at, &old);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, &at, argv, environ);
    posix_spawnattr_destroy(&at);
    posix_spawn_file_actions_destroy(&fa);
    if (!rc) sim_out_child(pid);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (rc) return -1;
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) { sim_out_child(0); return -1; }
    sim_out_child(0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* ------------------------------------------------------- sweep inspection --- */
typedef struct {
    int    nkeys;
    char  *key[MAX_KEYS];
    char  *first[MAX_KEYS];          /* the key's value in the first data row */
    int    varies[MAX_KEYS];         /* another value was seen */
    int    has_metric;
} sweep_info;

static int sweep_row(void *user, const sim_csv_row *row, sim_err *err)
{
    sweep_info *s = user;
    (void)err;
    if (row->index == 0) {
        if (row->n < 3 || strcmp(row->field[0], "point")) return 0;
        for (size_t i = 1; i < row->n; i++) {
            const char *f = row->field[i];
            if (!strcmp(f, "scenario") || !strcmp(f, "policy")) break;
            if (s->nkeys < MAX_KEYS) s->key[s->nkeys++] = strdup(f);
        }
        for (size_t i = 1; i < row->n; i++) if (!strcmp(row->field[i], "metric")) s->has_metric = 1;
        return 0;
    }
    for (int k = 0; k < s->nkeys && (size_t)(k + 1) < row->n; k++) {
        const char *v = row->field[k + 1];
        if (!s->first[k]) s->first[k] = strdup(v);
        else if (strcmp(s->first[k], v)) s->varies[k] = 1;
    }
    return 0;
}

static void sweep_free(sweep_info *s)
{
    for (int k = 0; k < s->nkeys; k++) { free(s->key[k]); free(s->first[k]); }
    memset(s, 0, sizeof *s);
}

/* ------------------------------------------------------------ faults --- */
/* "start:end ..." in seconds: the timeline windows of the scenario that touch
 * the provider drawn (any provider for "*"); a permanent change lasts to the
 * end of the run. Workload changes (open-loop rate) are not faults. */
static int fault_windows(const char *path, const char *provider, char *out, size_t cap)
{
    sim_scenario sc;
    sim_err err;
    if (sim_scenario_load(path, NULL, 0, &sc, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    int want = -1;
    if (strcmp(provider, "*")) {
        want = sim_scenario_find_provider(&sc, provider);
        if (want < 0) {
            fprintf(stderr, "retrysim plot: %s has no provider '%s'\n", path, provider);
            sim_scenario_free(&sc);
            return -1;
        }
    }
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; i < sc.ntimeline; i++) {
        const sim_change *ch = &sc.timeline[i];
        if (ch->provider < 0 || (want >= 0 && ch->provider != want)) continue;
        pol_ns end = ch->dur > 0 ? ch->at + ch->dur : sc.duration;
        int k = snprintf(out + n, cap - n, "%s%.9g:%.9g", n ? " " : "", (double)ch->at / 1e9, (double)end / 1e9);
        if (k < 0 || (size_t)k >= cap - n) break;
        n += (size_t)k;
    }
    sim_scenario_free(&sc);
    return 0;
}

/* ------------------------------------------------------------- charts --- */
typedef struct {
    const char *plotdir, *outdir, *format;
    int ok, failed;
} plot_ctx;

/* Renders one chart: plotdir/SCRIPT.gp with the given parameters (in, out
 * and fmt are added), into outdir/NAME.{png,svg} via temporary names. A
 * script's exit status 3 means "nothing worth a chart": skipped, not failed. */
static void render(plot_ctx *c, const char *script, const char *name, const char *in, params *p)
{
    char tmpbase[PATH_MAX], gp[PATH_MAX], tracked[3][PATH_MAX + 16];
    /* .NAME.tmp.PID.png, .svg, .latency.tmp: a signal removes them, a later plot removes them if this one died */
    snprintf(tmpbase, sizeof tmpbase, "%s/.%s.tmp.%ld", c->outdir, name, (long)getpid());
    snprintf(tracked[0], sizeof tracked[0], "%s.png", tmpbase);
    snprintf(tracked[1], sizeof tracked[1], "%s.svg", tmpbase);
    snprintf(tracked[2], sizeof tracked[2], "%s.latency.tmp", tmpbase);
    int th[3];
    for (int i = 0; i < 3; i++) th[i] = sim_out_track(tracked[i]);
    snprintf(gp, sizeof gp, "%s/%s.gp", c->plotdir, script);
    p_str(p, "plotdir", c->plotdir);
    p_str(p, "in", in);
    p_str(p, "out", tmpbase);
    p_str(p, "fmt", c->format);
    if (p->overflow) {
        fprintf(stderr, "retrysim plot: %s: parameters too long\n", name);
        c->failed++;
        for (int i = 0; i < 3; i++) sim_out_untrack(th[i]);
        return;
    }
    char *argv[] = { (char *)gnuplot_prog(), "-e", p->s, gp, NULL };
    int rc = run_prog(argv, 0);
    const char *exts[2] = { "png", "svg" };
    int want[2] = { strcmp(c->format, "svg") != 0, strcmp(c->format, "png") != 0 };
    int good = rc == 0;
    for (int i = 0; i < 2 && good; i++) {
        char t[PATH_MAX + 8];
        struct stat st;
        snprintf(t, sizeof t, "%s.%s", tmpbase, exts[i]);
        if (want[i] && (stat(t, &st) || st.st_size == 0)) good = 0;
    }
    for (int i = 0; i < 2; i++) {
        char t[PATH_MAX + 8], f[PATH_MAX + 8];
        snprintf(t, sizeof t, "%s.%s", tmpbase, exts[i]);
        snprintf(f, sizeof f, "%s/%s.%s", c->outdir, name, exts[i]);
        if (good && want[i] && rename(t, f) == 0) printf("wrote %s\n", f);
        else unlink(t);
    }
    char t[PATH_MAX + 16];
    snprintf(t, sizeof t, "%s.latency.tmp", tmpbase);
    unlink(t);
    for (int i = 0; i < 3; i++) sim_out_untrack(th[i]);
    if (good) c->ok++;
    else if (rc == 3) fprintf(stderr, "retrysim plot: %s skipped (nothing to draw)\n", name);
    else {
        c->failed++;
        fprintf(stderr, "retrysim plot: %s failed (%s %s exited %d)\n", name, gnuplot_prog(), gp, rc);
    }
}

int bench_plot(const bench_plot_opts *o)
{
    const char *dir = o->dir, *scenario = o->scenario, *format = o->format, *outdir = o->outdir;
    const char *provider = o->provider, *metric = o->metric;
    struct stat st;
    if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "retrysim plot: '%s' is not a directory\n", dir);
        return 2;
    }
    char ts[PATH_MAX], ci[PATH_MAX], tr[PATH_MAX], sw[PATH_MAX];
    int has_ts = file_readable(dir, "timeseries.csv", ts, sizeof ts);
    int has_ci = file_readable(dir, "summary-ci.csv", ci, sizeof ci);
    int has_tr = file_readable(dir, "attempts.csv", tr, sizeof tr);
    int has_sw = file_readable(dir, "sweep-ci.csv", sw, sizeof sw);
    if (!has_ts && !has_ci && !has_tr && !has_sw) {
        fprintf(stderr, "retrysim plot: nothing to plot in %s: it holds none of timeseries.csv, summary-ci.csv\n"
                        "(retrysim run), attempts.csv (retrysim run --trace), sweep-ci.csv (retrysim sweep)\n", dir);
        return 2;
    }
    char faults[4096];
    if (scenario && fault_windows(scenario, provider, faults, sizeof faults)) return 2;

    sweep_info sweep;
    memset(&sweep, 0, sizeof sweep);
    int vk[MAX_KEYS], nvk = 0;
    if (has_sw) {
        sim_err err;
        if (sim_cfg_csv_read(sw, sweep_row, &sweep, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            sweep_free(&sweep);
            return 2;
        }
        if (!sweep.nkeys || !sweep.has_metric) {
            fprintf(stderr, "retrysim plot: %s is not a sweep-ci.csv (header: point, grid keys, ..., policy, metric, ...)\n", sw);
            sweep_free(&sweep);
            return 2;
        }
        for (int k = 0; k < sweep.nkeys; k++) if (sweep.varies[k]) vk[nvk++] = k;
    }

    plot_ctx c = { NULL, NULL, format, 0, 0 };
    char plotdir[PATH_MAX], outbuf[PATH_MAX];
    int rc = 2, od = -1;
    if (find_plotdir(plotdir, sizeof plotdir)) goto out;
    char *probe[] = { (char *)gnuplot_prog(), "--version", NULL };
    if (run_prog(probe, 1) != 0) {
        fprintf(stderr, "retrysim plot: cannot run '%s' (install gnuplot, e.g. the Debian package gnuplot-nox,\n"
                        "or set GNUPLOT to the program)\n", gnuplot_prog());
        goto out;
    }
    if (!outdir) { snprintf(outbuf, sizeof outbuf, "%s/plots", dir); outdir = outbuf; }
    sim_out_exit_on_signal("retrysim plot");
    od = sim_outdir_open(outdir, SIM_OUTDIR_LOCK, "retrysim plot");
    if (od < 0) goto out;
    c.plotdir = plotdir;
    c.outdir = outdir;
    params p;
    if (has_ts) {
        memset(&p, 0, sizeof p);
        p_str(&p, "provider", provider);
        if (scenario) p_str(&p, "faults", faults);
        render(&c, "timeseries", "timeseries", ts, &p);
    }
    if (has_ci) {
        memset(&p, 0, sizeof p);
        render(&c, "cost", "cost", ci, &p);
    }
    if (has_tr) {
        memset(&p, 0, sizeof p);
        render(&c, "latency-cdf", "latency-cdf", tr, &p);
    }
    if (has_sw && nvk == 1) {
        const char *key = sweep.key[vk[0]];
        memset(&p, 0, sizeof p);
        p_str(&p, "key", key);
        p_str(&p, "metric", metric);
        p_str(&p, "unit", metric_unit(metric));
        char name[128];
        snprintf(name, sizeof name, "%s%s", strcmp(metric, "amplification") ? "sweep-" : "", metric);
        render(&c, "amplification", name, sw, &p);
        if (!strcmp(key, "workload.clients")) {
            memset(&p, 0, sizeof p);
            p_str(&p, "key", key);
            render(&c, "aws-calls", "aws-calls", sw, &p);
        }
    } else if (has_sw && nvk == 2) {
        memset(&p, 0, sizeof p);
        p_str(&p, "key1", sweep.key[vk[0]]);
        p_str(&p, "key2", sweep.key[vk[1]]);
        p_str(&p, "metric", metric);
        p_str(&p, "unit", metric_unit(metric));
        render(&c, "heatmap", "heatmap", sw, &p);
    } else if (has_sw) {
        fprintf(stderr, "retrysim plot: %s: %d grid keys vary; the sweep charts take one (lines) or two (heat map)\n",
                sw, nvk);
    }
    if (c.failed) rc = 2;
    else if (!c.ok) fprintf(stderr, "retrysim plot: nothing to plot in %s\n", dir);
    else rc = 0;
out:
    sim_outdir_close(od, rc != 0);
    sweep_free(&sweep);
    return rc;
}
