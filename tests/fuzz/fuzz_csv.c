/* fuzz_csv.c — the CSV inputs. The first byte picks the reader, the rest is
 * the file: 0 sim_cfg_csv_read_input (row invariants checked), 1 and 2
 * empirical(...) of durations / numbers, 3 timeline_csv, 4 arrivals_csv
 * (through the scenario loader), 5 sim_cfg_csv_read (byte % 6); bytes
 * 0xF0.. pick the request-log readers: 0xF0 arrivals_csv as a map (a
 * window, speed, loop), 0xF1 empirical(in.csv, column), 0xF2 `retrysim fit`
 * (bench_fit_analyze and the fragment, which must load as a scenario). */
#include "cfg.h"
#include "cfg_emit.h"
#include "dist.h"
#include "scenario.h"
#include "fit.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check_row(void *user, const sim_csv_row *row, sim_err *err)
{
    (void)err;
    size_t *rows = user;
    if (row->index != (*rows)++ || row->n == 0 || row->n > SIM_CSV_MAX_CELLS) abort();
    for (size_t i = 0; i < row->n; i++) {
        if (row->line[i] < 1 || row->col[i] < 1) abort();
        if (strlen(row->field[i]) > SIM_CSV_MAX_CELL) abort();
        if (i && row->line[i] < row->line[i - 1]) abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 1 << 16) return 0;
    int mode = data[0] >= 0xF0 ? 6 + (data[0] - 0xF0) % 3 : data[0] % 6;
    const char *path = fuzz_file("in.csv", data + 1, size - 1);
    sim_err err;
    int rc = 0;
    if (mode == 0 || mode == 5) {
        size_t rows = 0;
        rc = mode ? sim_cfg_csv_read(path, check_row, &rows, &err)
                  : sim_cfg_csv_read_input(path, "rows", check_row, &rows, &err);
    } else if (mode <= 2) {
        sim_dist d;
        rc = sim_dist_parse("empirical(in.csv)", mode == 1, fuzz_dir(), &d, &err);
        if (!rc) {
            if (d.n == 0 || !(d.a >= 0)) abort();
            for (size_t i = 0; i < d.n; i++) if (!(d.samples[i] >= 0)) abort();
            sim_dist_free(&d);
        }
    } else if (mode == 6) {
        static const char y[] = "scenario: f\nduration: 10s\nproviders: [{name: a}]\npolicies: [{name: p}]\n"
            "workload: { loop: trace, arrivals_csv: { file: in.csv, from: 1s, for: 5s, speed: 3, loop: true },"
            " classes: [{name: x}, {name: y}] }\n";
        char name[128];
        snprintf(name, sizeof name, "%s/fuzz.yaml", fuzz_dir());
        sim_scenario s;
        rc = sim_scenario_load_mem(y, strlen(y), name, NULL, 0, &s, &err);
        if (!rc) {
            const sim_workload *wl = &s.workload;
            if (!wl->arrivals_loop || wl->arrivals_period <= 0) abort();
            for (size_t i = 0; i < wl->n_arrivals; i++) {
                if (wl->arrivals[i] >= wl->arrivals_period || wl->arrivals[i] >= s.duration) abort();
                if (wl->arrival_class && wl->arrival_class[i] != SIM_ARR_ANY_CLASS && wl->arrival_class[i] >= wl->nclasses)
                    abort();
            }
            sim_scenario_free(&s);
        }
    } else if (mode == 7) {
        sim_dist d;
        rc = sim_dist_parse("empirical(in.csv, at)", 1, fuzz_dir(), &d, &err);
        if (!rc) {
            for (size_t i = 0; i < d.n; i++) if (!(d.samples[i] >= 0)) abort();
            sim_dist_free(&d);
        }
    } else if (mode == 8) {
        bench_fit_opts o = { .path = path };
        bench_fit_result r;
        rc = bench_fit_analyze(&o, &r, &err);
        if (!rc) {
            if (r.n < 2 || !(r.rate > 0) || !(r.span > 0)) abort();
            sim_buf b = { 0 };
            bench_fit_emit(&o, &r, &b);
            bench_fit_free(&r);
            if (!b.s) abort();
            sim_buf t = { 0 };
            sim_buf_printf(&t, "scenario: f\npolicies: [{name: p}]\n%s", b.s);
            char name[128];
            snprintf(name, sizeof name, "%s/fit.yaml", fuzz_dir());
            sim_scenario s;
            sim_err e2;
            int lr = sim_scenario_load_mem(t.s, t.n, name, NULL, 0, &s, &e2);
            if (lr == 0) sim_scenario_free(&s);
            else fuzz_check_msg(e2.msg);
            sim_buf_free(&t);
            sim_buf_free(&b);
        }
    } else {
        static const char *const yaml[] = {
            "scenario: f\nduration: 10s\nproviders: [{name: a}]\npolicies: [{name: p}]\n"
            "workload: { clients: 1 }\ntimeline_csv: in.csv\n",
            "scenario: f\nduration: 10s\nproviders: [{name: a}]\npolicies: [{name: p}]\n"
            "workload: { loop: trace, arrivals_csv: in.csv, classes: [{name: x}, {name: y}] }\n" };
        const char *y = yaml[mode - 3];
        char name[128];
        snprintf(name, sizeof name, "%s/fuzz.yaml", fuzz_dir());
        sim_scenario s;
        rc = sim_scenario_load_mem(y, strlen(y), name, NULL, 0, &s, &err);
        if (!rc) sim_scenario_free(&s);
    }
    if (rc > 0) abort();
    if (rc < 0) fuzz_check_msg(err.msg);
    return 0;
}
