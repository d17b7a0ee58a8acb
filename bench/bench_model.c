/* bench_model.c — full-model throughput and memory: the standard scenario
 * below at 1k, 10k, 100k and 1M closed-loop clients (provider capacity scales
 * with the client count, so every size sees the same per-client dynamics:
 * a 429 storm in the middle of the run, full-jitter retries, timeouts).
 * Each run is a process of its own (forked, then the binary exec'd afresh:
 * CHILD_ENV), whose peak RSS (the high-water mark, reset when the run
 * starts: proc(5) clear_refs) is the run's; memory per client is (the
 * run's growth of RSS at N clients - the same with 1 client) / N, medians
 * of MODEL_REPS runs up to 10k clients. The child checks its results
 * (requests were made, retries happened, some succeeded) before the parent
 * prints anything.
 * Figures: wall and CPU time of the run (CPU time is what a shared machine
 * disturbs least), simulated attempts per CPU second on one core (the run
 * itself is single-threaded), events per attempt (dispatched + skipped).
 */
#include "bench.h"
#include "scenario.h"
#include "units.h"
#include "model.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char MODEL_YAML[] =
    "scenario: bench-model\n"
    "duration: 60s\n"
    "seed: 1\n"
    "replications: 1\n"
    "bucket: 5s\n"
    "providers:\n"
    "  - name: primary\n"
    "    rate_limit: { rpm: 60000, retry_after: until-reset }\n"
    "    concurrency: 1000\n"
    "    latency: { ttft: lognormal(400ms, 0.3), per_token: 5ms, noise: 0.2 }\n"
    "    price: { input_per_mtok: 2.50, output_per_mtok: 10.00 }\n"
    "timeline:\n"
    "  - { at: 20s, for: 15s, provider: primary, set: { rpm: 6000 } }\n"
    "workload:\n"
    "  clients: 1000\n"
    "  think: exponential(1s)\n"
    "  prompt_tokens: 1000\n"
    "  output_tokens: 100\n"
    "policies:\n"
    "  - name: full-jitter\n"
    "    retry: { max_attempts: 5, backoff: exponential, base: 1s, cap: 30s, jitter: full, timeout: 30s }\n";

typedef struct {
    double wall_s, cpu_s, attempts, requests, events, success_rate;
    long   maxrss_kb;
    long   grown_kb;      /* peak RSS during the run less the RSS it started from, -1 unknown */
    int    ok;
} model_result;

/* The overrides that scale the standard scenario to `clients`. */
static void model_overrides(long clients, const char *duration, char o[6][64])
{
    snprintf(o[0], 64, "workload.clients=%ld", clients);
    snprintf(o[1], 64, "providers[primary].rate_limit.rpm=%ld", clients * 60);
    snprintf(o[2], 64, "providers[primary].concurrency=%ld", clients);
    snprintf(o[3], 64, "duration=%s", duration);
    /* shorter runs keep the storm window inside the run: a third of it, starting at a third */
    pol_ns d = 0;
    sim_parse_duration(duration, &d);
    snprintf(o[4], 64, "timeline[0].at=%lldms", (long long)(d / 3 / POL_NS_PER_MS));
    snprintf(o[5], 64, "timeline[0].for=%lldms", (long long)(d / 4 / POL_NS_PER_MS));
}

static int write_model(char *path)
{
    int fd = mkstemp(path);
    if (fd < 0) return -1;
    int ok = write(fd, MODEL_YAML, sizeof MODEL_YAML - 1) == (ssize_t)(sizeof MODEL_YAML - 1);
    close(fd);
    if (!ok) { unlink(path); return -1; }
    return 0;
}

size_t bench_model_record(long clients, int64_t *dt, size_t cap)
{
    char path[] = "/tmp/retrysim-bench-XXXXXX";
    if (write_model(path)) return 0;
    char o[6][64];
    model_overrides(clients, "60s", o);
    const char *ov[] = { o[0], o[1], o[2], o[3], o[4], o[5] };
    sim_scenario sc;
    sim_err err;
    size_t n = 0;
    if (sim_scenario_load(path, ov, 6, &sc, &err) == 0) {
        sim_run_metrics m;
        sim_run_stats st;
        if (sim_run_world(&(sim_run_opts){ .sc = &sc, .record_dt = dt, .record_cap = cap }, &m, &st) == 0)
            n = st.recorded;
        sim_scenario_free(&sc);
    }
    unlink(path);
    return n;
}

static int bench_queue;   /* --queue: 0 = the default */

/* A field of /proc/self/status in kB ("VmRSS", "VmHWM"), or -1. */
static long status_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long v = -1;
    size_t n = strlen(field);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, field, n) && line[n] == ':') { v = atol(line + n + 1); break; }
    fclose(f);
    return v;
}

/* Resets the peak RSS (VmHWM) to the current RSS (proc(5), clear_refs "5");
 * 0 when the kernel did. */
static int reset_peak(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (!f) return -1;
    int ok = fputs("5", f) >= 0;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

/* One run of the model scenario at `clients`, measured here. */
static void measure(const char *path, long clients, const char *duration, model_result *r)
{
    memset(r, 0, sizeof *r);
    char o[6][64];
    model_overrides(clients, duration, o);
    const char *ov[] = { o[0], o[1], o[2], o[3], o[4], o[5] };
    sim_scenario sc;
    sim_err err;
    if (sim_scenario_load(path, ov, 6, &sc, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return;
    }
    sim_run_metrics m;
    sim_run_stats st;
    struct timespec c0, c1;
    /* the run's own peak: the high-water mark reset to the RSS it starts from
     * (what the process holds before and the scenario's load are not the run's) */
    long rss0 = reset_peak() == 0 ? status_kb("VmRSS") : -1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    int64_t t0 = bench_clock_ns();
    int rc = sim_run_world(&(sim_run_opts){ .sc = &sc, .queue = bench_queue }, &m, &st);
    int64_t t1 = bench_clock_ns();
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    if (rc == 0) {
        r->wall_s = (double)(t1 - t0) / 1e9;
        r->cpu_s = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
        r->attempts = m.m[SIM_M_ATTEMPTS];
        r->requests = m.m[SIM_M_REQUESTS];
        r->success_rate = m.m[SIM_M_SUCCESS_RATE];
        r->events = (double)(st.dispatched + st.skipped);
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        r->maxrss_kb = ru.ru_maxrss;
        long hwm = rss0 >= 0 ? status_kb("VmHWM") : -1;
        r->grown_kb = hwm >= rss0 && rss0 >= 0 ? hwm - rss0 : -1;
        r->ok = r->requests > 0 && r->attempts > r->requests && r->success_rate > 0.1 && r->success_rate <= 1;
    }
    sim_scenario_free(&sc);
}

/* The environment variable that makes `retrysim bench model` one measured
 * run ("CLIENTS DURATION QUEUE PATH"), its model_result written to stdout:
 * run_child execs the binary afresh for each run, so that each gets its own
 * address layout (ASLR), which moves a small run's RSS by up to ~180 kB. */
#define CHILD_ENV "RETRYSIM_BENCH_MODEL_CHILD"

static int child_main(const char *spec)
{
    long clients = 0;
    int queue = 0, at = 0;
    char duration[32] = "";
    if (sscanf(spec, "%ld %31s %d %n", &clients, duration, &queue, &at) != 3 || !spec[at]) {
        fprintf(stderr, "retrysim bench model: bad %s\n", CHILD_ENV);
        return 2;
    }
    bench_queue = queue;
    model_result r;
    measure(spec + at, clients, duration, &r);
    return write(STDOUT_FILENO, &r, sizeof r) == (ssize_t)sizeof r ? 0 : 1;
}

static int run_child(const char *path, long clients, const char *duration, model_result *out)
{
    int fd[2];
    if (pipe(fd)) return -1;
    char spec[PATH_MAX + 96];
    snprintf(spec, sizeof spec, "%ld %s %d %s", clients, duration, bench_queue, path);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        close(fd[0]);
        if (dup2(fd[1], STDOUT_FILENO) >= 0 && setenv(CHILD_ENV, spec, 1) == 0) {
            char *argv[] = { "retrysim", "bench", "model", NULL };
            execv("/proc/self/exe", argv);
        }
        unsetenv(CHILD_ENV);                   /* no exec: measured in the fork itself */
        model_result r;
        measure(path, clients, duration, &r);
        ssize_t n = write(fd[1], &r, sizeof r);
        _exit(n == (ssize_t)sizeof r ? 0 : 1);
    }
    close(fd[1]);
    ssize_t n = read(fd[0], out, sizeof *out);
    close(fd[0]);
    int st;
    waitpid(pid, &st, 0);
    return (n == (ssize_t)sizeof *out && WIFEXITED(st) && WEXITSTATUS(st) == 0) ? 0 : -1;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* The run of `clients` as run_child measures it; runs of up to 10k clients
 * (tens of ms) are repeated MODEL_REPS times, each in a process of its own
 * address layout, and their memory is the median of the repetitions'
 * growth (a layout moves a run's growth by up to ~180 kB, as much as 1k
 * clients' memory); the times are the first repetition's. */
#define MODEL_REPS 11
static int run_reps(const char *path, long clients, const char *duration, model_result *out)
{
    if (run_child(path, clients, duration, out)) return -1;
    if (clients > 10000 || out->grown_kb < 0) return 0;
    long g[MODEL_REPS];
    g[0] = out->grown_kb;
    for (int i = 1; i < MODEL_REPS; i++) {
        model_result r;
        if (run_child(path, clients, duration, &r) || r.grown_kb < 0) return 0;   /* keep the first */
        g[i] = r.grown_kb;
    }
    qsort(g, MODEL_REPS, sizeof *g, cmp_long);
    out->grown_kb = g[MODEL_REPS / 2];
    return 0;
}

int bench_model(int argc, char **argv)
{
    const char *spec = getenv(CHILD_ENV);
    if (spec) return child_main(spec);
    long max_clients = 1000000, only = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--max-clients") && i + 1 < argc) max_clients = atol(argv[++i]);
        else if (!strcmp(argv[i], "--clients") && i + 1 < argc) only = atol(argv[++i]);
        else if (!strcmp(argv[i], "--queue") && i + 1 < argc) {
            const char *q = argv[++i];
            bench_queue = !strcmp(q, "binary") ? SIM_QUEUE_BINARY : !strcmp(q, "4-ary") ? SIM_QUEUE_4ARY
                        : !strcmp(q, "ladder") ? SIM_QUEUE_LADDER : !strcmp(q, "default") ? 0 : -1;
            if (bench_queue < 0) {
                fprintf(stderr, "retrysim bench model: --queue is binary, 4-ary, ladder or default, got '%s'\n", q);
                return 2;
            }
        }
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: retrysim bench model [--max-clients N]\n"
                   "Full-model throughput (simulated attempts/s and events/s per core) and peak\n"
                   "memory per client, on a standard 429-storm scenario at 1k..1M clients.\n");
            return 0;
        } else { fprintf(stderr, "retrysim bench model: unknown argument '%s'\n", argv[i]); return 2; }
    }
    if (only && only != 1000 && only != 10000 && only != 100000 && only != 1000000) {
        fprintf(stderr, "retrysim bench model: --clients is 1000, 10000, 100000 or 1000000, got %ld\n", only);
        return 2;
    }
    char path[] = "/tmp/retrysim-bench-XXXXXX";
    if (write_model(path)) {
        fprintf(stderr, "retrysim bench model: cannot write a temporary scenario\n");
        return 1;
    }
    model_result base;
    if (run_reps(path, 1, "60s", &base)) { unlink(path); fprintf(stderr, "bench model: baseline run failed\n"); return 1; }
    printf("%-9s %9s %12s %12s %8s %10s %8s %12s %8s %12s %10s\n", "clients", "sim time", "requests", "attempts",
           "success", "wall s", "cpu s", "attempts/s", "ev/att", "peak RSS MB", "B/client");
    const long sizes[] = { 1000, 10000, 100000, 1000000 };
    int failed = 0;
    for (int i = 0; i < 4 && sizes[i] <= max_clients; i++) {
        if (only && sizes[i] != only) continue;
        const char *dur = sizes[i] >= 1000000 ? "15s" : "60s";
        model_result r;
        if (run_reps(path, sizes[i], dur, &r) || !r.ok) {
            fprintf(stderr, "bench model: the run with %ld clients failed its self-check\n", sizes[i]);
            failed = 1;
            break;
        }
        double per_client = r.grown_kb >= 0 && base.grown_kb >= 0
                                ? (double)(r.grown_kb - base.grown_kb) * 1024.0 / (double)sizes[i]
                                : (double)(r.maxrss_kb - base.maxrss_kb) * 1024.0 / (double)sizes[i];
        printf("%-9ld %9s %12.0f %12.0f %8.4f %10.4f %8.4f %12.0f %8.2f %12.1f %10.0f\n", sizes[i], dur, r.requests,
               r.attempts, r.success_rate, r.wall_s, r.cpu_s, r.attempts / r.cpu_s, r.events / r.attempts,
               (double)r.maxrss_kb / 1024.0, per_client);
        fflush(stdout);
    }
    unlink(path);
    return failed;
}
