/* test_models.c — the simulator's models against theory and invariants.
 * Scenarios are built in C here (no YAML), so these tests pin the models
 * themselves: M/M/c against Erlang C, token buckets, the OCC row, timeouts
 * and wasted work, determinism of a run. */
#include "cu_util.h"
#include "model.h"      /* the model's public API only: this suite is a caller */
#include <math.h>
#include <string.h>

static sim_dist dconst(double v) { sim_dist d; memset(&d, 0, sizeof d); d.kind = SIM_DIST_CONSTANT; d.a = v; return d; }
static sim_dist dexp(double mean) { sim_dist d; memset(&d, 0, sizeof d); d.kind = SIM_DIST_EXPONENTIAL; d.a = mean; return d; }

/* A scenario with one provider, one policy without retries, open-loop Poisson. */
static void base_scenario(sim_scenario *sc, sim_provider *prov, sim_policy *pol)
{
    memset(sc, 0, sizeof *sc);
    memset(prov, 0, sizeof *prov);
    memset(pol, 0, sizeof *pol);
    strcpy(sc->name, "model-test");
    sc->duration = 100 * POL_NS_PER_S;
    sc->seed = 7;
    sc->replications = 1;
    sc->bucket = POL_NS_PER_S;
    strcpy(sc->rng, "taus2");
    sc->net_latency = dconst(0);
    strcpy(prov->name, "server");
    prov->base.overload_status = 503;
    prov->base.latency_factor = 1;
    prov->base.error_status = 500;
    prov->base.outage_status = 503;
    prov->ttft = dconst(0);
    prov->per_token = dconst(0);
    sc->providers = prov;
    sc->nproviders = 1;
    sim_workload *wl = &sc->workload;
    wl->loop = SIM_LOOP_OPEN;
    wl->nclasses = 1;
    strcpy(wl->classes[0].name, "default");
    wl->classes[0].weight = 1;
    wl->classes[0].prompt_tokens = dconst(100);
    wl->classes[0].output_tokens = dconst(100);
    wl->classes[0].policy = -1;
    wl->think = dconst(0);
    strcpy(pol->name, "no-retry");
    pol_retry_default(&pol->retry);
    pol->retry.max_attempts = 1;
    pol->targets[0] = 0;
    pol->ntargets = 1;
    sc->policies = pol;
    sc->npolicies = 1;
}

/* Erlang C: probability an arrival waits, and the mean wait Wq. */
static double erlang_c_wq(int c, double lambda, double mu)
{
    double a = lambda / mu, rho = a / c, term = 1, sum = 0;
    for (int k = 0; k < c; k++) { sum += term; term *= a / (k + 1); }
    double top = term / (1 - rho);          /* term = a^c / c! */
    double pw = top / (sum + top);
    return pw / (c * mu - lambda);
}

static void mmc_case(int c, double lambda, double service_mean_s, int reps, double dur_s)
{
    sim_scenario sc;
    sim_provider prov;
    sim_policy pol;
    base_scenario(&sc, &prov, &pol);
    prov.kind = SIM_PROV_QUEUE;
    prov.base.concurrency = c;
    prov.base.queue = -1;                    /* unlimited waiting room */
    prov.service = dexp(service_mean_s * 1e9);
    sc.workload.rate = lambda;
    sc.replications = reps;
    sc.duration = (pol_ns)(dur_s * 1e9);
    sc.bucket = 10 * POL_NS_PER_S;
    sim_results res;
    CU_ASSERT_EQUAL_FATAL(sim_runner_run(&sc, NULL, &res), 0);
    double col[64];
    sim_results_column(&res, 0, SIM_M_QUEUE_WAIT, col);
    size_t n;
    double mean, sd, lo, hi;
    sim_ci95(col, (size_t)reps, &n, &mean, &sd, &lo, &hi);
    double wq = erlang_c_wq(c, lambda, 1 / service_mean_s);
    printf("\n    M/M/%d lambda=%.1f/s mu=%.1f/s: Erlang C Wq=%.4fs, simulated %.4fs [%.4f, %.4f] (n=%zu)",
           c, lambda, 1 / service_mean_s, wq, mean, lo, hi, n);
    CU_ASSERT_EQUAL(n, (size_t)reps);
    CU_ASSERT(lo <= wq && wq <= hi);
    /* and the interval is informative: half-width under 10% of Wq */
    CU_ASSERT((hi - lo) / 2 < 0.10 * wq);
    /* nothing was lost: no retries, no errors, everyone served */
    sim_results_column(&res, 0, SIM_M_SUCCESS_RATE, col);
    for (int i = 0; i < reps; i++) CU_ASSERT_DOUBLE_EQUAL(col[i], 1.0, 1e-12);
    sim_results_free(&res);
}

static void test_mm2(void) { mmc_case(2, 7.0, 0.2, 20, 2000); }
static void test_mm5(void) { mmc_case(5, 20.0, 0.2, 20, 1000); }

/* Token bucket: an RPM limit caps the admitted rate and 429s carry until-reset hints. */
static void test_rate_limit(void)
{
    sim_scenario sc;
    sim_provider prov;
    sim_policy pol;
    base_scenario(&sc, &prov, &pol);
    prov.base.rpm = 600;                     /* 10 per second */
    prov.retry_after = SIM_RA_UNTIL_RESET;
    prov.ttft = dconst(1e6);
    sc.workload.rate = 40;                   /* offered 4x the limit */
    sc.duration = 200 * POL_NS_PER_S;
    sim_results res;
    CU_ASSERT_EQUAL_FATAL(sim_runner_run(&sc, NULL, &res), 0);
    const double *m = res.m[0].m;
    double ok_rate = m[SIM_M_SUCCESSES] / 200.0;
    CU_ASSERT(fabs(ok_rate - 10.0) < 0.3);   /* the limit, within 3% */
    CU_ASSERT(fabs(m[SIM_M_HTTP_429] / m[SIM_M_ATTEMPTS] - 0.75) < 0.02);
    CU_ASSERT_DOUBLE_EQUAL(m[SIM_M_PEAK_LOAD_RATIO] > 3.0, 1, 0);
    sim_results_free(&res);
}

/* Timeouts: a slow server and a short client timeout waste the server's work. */
static void test_timeouts_waste(void)
{
    sim_scenario sc;
    sim_provider prov;
    sim_policy pol;
    base_scenario(&sc, &prov, &pol);
    prov.ttft = dconst(2e9);                 /* every answer takes 2 s */
    prov.price_in = 1e6;                     /* $1 per token: cost = tokens */
    pol.retry.attempt_timeout = POL_NS_PER_S;/* client waits 1 s */
    sc.workload.rate = 5;
    sc.duration = 50 * POL_NS_PER_S;
    sim_results res;
    CU_ASSERT_EQUAL_FATAL(sim_runner_run(&sc, NULL, &res), 0);
    const double *m = res.m[0].m;
    CU_ASSERT(m[SIM_M_SUCCESSES] == 0);
    /* every attempt times out, except those sent in the last second (still waiting at the end) */
    CU_ASSERT(m[SIM_M_TIMEOUTS] <= m[SIM_M_ATTEMPTS]);
    CU_ASSERT(m[SIM_M_ATTEMPTS] - m[SIM_M_TIMEOUTS] < 20);
    /* all service is wasted, except work still in progress or in flight back at the end (~2 s of 50) */
    CU_ASSERT(m[SIM_M_WASTED_FRACTION] > 0.9);
    /* every completed answer was billed and none was used */
    CU_ASSERT(m[SIM_M_DUP_BILLING] > 0);
    CU_ASSERT_DOUBLE_EQUAL(m[SIM_M_DUP_BILLING], m[SIM_M_COST], 1e-6);
    sim_results_free(&res);
}

/* Same scenario, seed, binary: identical metrics and timeseries bytes. */
static void test_run_deterministic(void)
{
    sim_scenario sc;
    sim_provider prov;
    sim_policy pol;
    base_scenario(&sc, &prov, &pol);
    prov.base.concurrency = 3;
    prov.base.queue = 5;
    prov.ttft = dexp(3e8);
    pol.retry.max_attempts = 4;
    pol.retry.attempt_timeout = POL_NS_PER_S;
    sc.workload.rate = 12;
    sc.replications = 2;
    char *buf1 = NULL, *buf2 = NULL;
    size_t n1 = 0, n2 = 0;
    FILE *f1 = open_memstream(&buf1, &n1), *f2 = open_memstream(&buf2, &n2);
    sim_runner_opts o1 = { .timeseries = f1 }, o2 = { .timeseries = f2 };
    sim_results r1, r2;
    CU_ASSERT_EQUAL_FATAL(sim_runner_run(&sc, &o1, &r1), 0);
    CU_ASSERT_EQUAL_FATAL(sim_runner_run(&sc, &o2, &r2), 0);
    fclose(f1);
    fclose(f2);
    CU_ASSERT(n1 > 1000);
    CU_ASSERT_EQUAL(n1, n2);
    CU_ASSERT(n1 == n2 && memcmp(buf1, buf2, n1) == 0);
    CU_ASSERT(memcmp(r1.m, r2.m, sizeof(sim_run_metrics) * 2) == 0);
    /* the two replications differ */
    CU_ASSERT(r1.m[0].m[SIM_M_ATTEMPTS] != r1.m[1].m[SIM_M_ATTEMPTS]);
    CU_ASSERT(r1.m[0].m[SIM_M_AMPLIFICATION] > 1.0);
    free(buf1);
    free(buf2);
    sim_results_free(&r1);
    sim_results_free(&r2);
}

/* CSV: the number of fields of one line (quote-aware; "" inside quotes is a quote). */
static int csv_nfields(const char *s, const char *end, int *empty)
{
    int n = 1, q = 0, len = 0;
    *empty = 0;
    for (const char *p = s; p < end; p++) {
        if (*p == '"') { q = !q; len++; }
        else if (*p == ',' && !q) { if (!len) (*empty)++; n++; len = 0; }
        else len++;
    }
    if (!len) (*empty)++;
    return n;
}
/* Every line of buf has as many fields as its header, which has `want`
 * names; returns the number of data rows and the empty fields in them. */
static int csv_check(const char *buf, size_t n, int want, int *empties)
{
    int rows = -1, hdr = 0;
    *empties = 0;
    for (const char *p = buf, *e; p < buf + n; p = e + 1) {
        e = memchr(p, '\n', (size_t)(buf + n - p));
        CU_ASSERT_PTR_NOT_NULL_FATAL(e);           /* every line ends */
        int empty, k = csv_nfields(p, e, &empty);
        if (rows < 0) { hdr = k; CU_ASSERT_EQUAL(k, want); CU_ASSERT_EQUAL(empty, 0); }
        else { CU_ASSERT_EQUAL(k, hdr); *empties += empty; }
        rows++;
    }
    return rows;
}
/* The index of column `name` in the header line of buf, -1 if none. */
static int csv_col(const char *buf, const char *name)
{
    size_t len = strlen(name);
    int i = 0;
    for (const char *p = buf; *p && *p != '\n'; i++) {
        const char *e = p + strcspn(p, ",\n");
        if ((size_t)(e - p) == len && !memcmp(p, name, len)) return i;
        p = *e == ',' ? e + 1 : e;
    }
    return -1;
}
static int header_fields(void (*hdr)(FILE *))
{
    char *b = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&b, &n);
    hdr(f);
    fclose(f);
    int empty, k = csv_nfields(b, b + n - 1, &empty);
    free(b);
    return k;
}

/* One schema per file: each stream's header and every row have the same
 * number of fields; timeseries.csv has one row per bucket x provider and no
 * empty field (capacities are finite here), timeseries-requests.csv one row
 * per bucket; attempts.csv's live-only columns are empty in a simulated run. */
static void test_csv_schema(void)
{
    sim_scenario sc;
    sim_provider prov[2];
    sim_policy pol;
    base_scenario(&sc, &prov[0], &pol);
    prov[0].base.rpm = 600;                       /* 10/s: 429s, a finite capacity */
    prov[0].base.error_rate = 0.2;
    prov[1] = prov[0];
    strcpy(prov[1].name, "backup");
    prov[1].base.error_rate = 0;
    sc.providers = prov;
    sc.nproviders = 2;
    sc.duration = 20 * POL_NS_PER_S;
    sc.bucket = 3 * POL_NS_PER_S;                 /* the last bucket is shorter: 7 buckets */
    sc.workload.rate = 12;
    sc.replications = 2;
    pol.retry.max_attempts = 3;                   /* to the first provider only: the second's rows are zeros */
    char *b[4] = { NULL };
    size_t n[4] = { 0 };
    FILE *f[4];
    for (int i = 0; i < 4; i++) f[i] = open_memstream(&b[i], &n[i]);
    sim_timeseries_header(f[0]);
    sim_timeseries_requests_header(f[1]);
    sim_attempts_header(f[2]);
    sim_alert_header(f[3]);
    sim_runner_opts o = { .timeseries = f[0], .timeseries_requests = f[1], .trace = f[2], .alerts = f[3] };
    sim_results r;
    CU_ASSERT_EQUAL_FATAL(sim_runner_run(&sc, &o, &r), 0);
    for (int i = 0; i < 4; i++) fclose(f[i]);
    int empties;
    CU_ASSERT_EQUAL(csv_check(b[0], n[0], header_fields(sim_timeseries_header), &empties), 7 * 2 * 2);
    CU_ASSERT_EQUAL(empties, 0);
    CU_ASSERT(strstr(b[0], "\"*\"") == NULL);
    CU_ASSERT_EQUAL(csv_check(b[1], n[1], header_fields(sim_timeseries_requests_header), &empties), 7 * 2);
    CU_ASSERT_EQUAL(empties, 7 * 2 * 3);          /* budget_level, throttle_level, ttft_mean_s: no budget, no throttle, no stream */
    int natt = csv_check(b[2], n[2], header_fields(sim_attempts_header), &empties);
    CU_ASSERT_EQUAL(natt, (int)(r.m[0].m[SIM_M_ATTEMPTS] + r.m[1].m[SIM_M_ATTEMPTS]));
    CU_ASSERT(empties >= natt * 7);               /* the 7 numeric live-only columns (and retry_after_s, next_delay_s) */
    CU_ASSERT(strstr(b[0], "\"backup\"") != NULL);         /* a row for every provider, used or not */
    CU_ASSERT_EQUAL(csv_col(b[2], "trace_id"), 23);   /* the common columns (the 4 layer and 3 stream ones) first, then live's */
    CU_ASSERT_EQUAL(csv_col(b[2], "error"), header_fields(sim_attempts_header) - 1);
    CU_ASSERT_EQUAL(csv_check(b[3], n[3], header_fields(sim_alert_header), &empties), 0);
    printf("\n    csv: %d attempts, %d time series rows", natt, 7 * 2 * 2);
    for (int i = 0; i < 4; i++) free(b[i]);
    sim_results_free(&r);
}

/* The transport API (live mode): a fake transport that answers 200 after
 * 50 ms of the caller's clock, or never (timeouts must cancel). */
typedef struct { uint32_t pending[4096]; pol_ns due[4096]; int n; int sent, cancelled, answer, cap; } fake_tp;
static int fake_send(sim_world *w, uint32_t slot, void *ctx)
{
    fake_tp *f = ctx;
    sim_attempt a;
    CU_ASSERT_EQUAL_FATAL(sim_world_attempt(w, slot, &a), 0);
    CU_ASSERT_EQUAL(a.sent, sim_world_now(w));
    CU_ASSERT(a.attempt_no >= 1 && a.provider == 0);
    if (f->cap && f->sent >= f->cap) return 1;          /* a cap: the attempt never leaves */
    f->sent++;
    sim_world_arrived(w, slot);
    if (f->n < 4096) { f->pending[f->n] = slot; f->due[f->n] = sim_world_now(w) + 50 * POL_NS_PER_MS; f->n++; }
    return 0;
}
static void fake_cancel(sim_world *w, uint32_t slot, void *ctx)
{
    (void)w;
    fake_tp *f = ctx;
    f->cancelled++;
    for (int i = 0; i < f->n; i++)
        if (f->pending[i] == slot) { f->pending[i] = f->pending[--f->n]; f->due[i] = f->due[f->n]; return; }
}
static void drive(sim_world *w, fake_tp *f, pol_ns end)
{
    for (pol_ns t = 0; t <= end; t += 10 * POL_NS_PER_MS) {
        sim_world_advance(w, t);
        if (sim_world_status(w)) return;
        for (int i = 0; f->answer && i < f->n;) {
            if (f->due[i] <= t) {
                uint32_t slot = f->pending[i];
                f->pending[i] = f->pending[--f->n];
                f->due[i] = f->due[f->n];
                sim_answer a = sim_answer_of(pol_outcome_make(POL_OUT_SUCCESS, 200));
                sim_world_answer(w, slot, &a);
            } else i++;
        }
    }
}
static void transport_case(int answer, int cap)
{
    sim_scenario sc;
    sim_provider prov;
    sim_policy pol;
    base_scenario(&sc, &prov, &pol);
    sc.workload.loop = SIM_LOOP_CLOSED;
    sc.workload.clients = 5;
    sc.workload.think = dconst(1e8);
    sc.duration = 10 * POL_NS_PER_S;
    pol.retry.max_attempts = 2;
    pol.retry.attempt_timeout = 200 * POL_NS_PER_MS;
    fake_tp f;
    memset(&f, 0, sizeof f);
    f.answer = answer;
    f.cap = cap;
    sim_transport tp = { .send = fake_send, .cancel = fake_cancel, .ctx = &f };
    sim_world *w;
    CU_ASSERT_EQUAL_FATAL(sim_world_open(&(sim_run_opts){ .sc = &sc, .transport = &tp }, &w), 0);
    drive(w, &f, sc.duration);
    sim_run_metrics m;
    sim_world_finish(w, 0, &m);
    CU_ASSERT_EQUAL(m.m[SIM_M_ATTEMPTS], (double)f.sent);
    if (cap) {
        /* the 21st attempt is refused by the transport: the run stops there, 20 attempts counted */
        CU_ASSERT_EQUAL(f.sent, cap);
        CU_ASSERT_EQUAL(m.m[SIM_M_ATTEMPTS], cap);
        CU_ASSERT(sim_world_now(w) < POL_NS_PER_S);
    } else if (answer) {
        /* 5 clients, 150 ms per cycle (50 ms answer + 100 ms think), 10 s: ~333 requests */
        CU_ASSERT(m.m[SIM_M_SUCCESSES] > 300 && m.m[SIM_M_SUCCESSES] < 340);
        CU_ASSERT_EQUAL(m.m[SIM_M_TIMEOUTS], 0);
        CU_ASSERT_EQUAL(f.cancelled, 0);
        CU_ASSERT(fabs(m.m[SIM_M_LAT_P50] - 0.05) < 0.011);
    } else {
        /* nothing answers: every attempt times out, is cancelled, and each request gives up after 2 */
        CU_ASSERT_EQUAL(m.m[SIM_M_SUCCESSES], 0);
        CU_ASSERT_EQUAL(f.cancelled, (int)m.m[SIM_M_TIMEOUTS]);
        /* a cycle: 200 ms timeout, backoff U(0, 1 s), 200 ms timeout, 100 ms think: ~1 s; 5 clients, 10 s */
        CU_ASSERT(m.m[SIM_M_GIVE_UPS] >= 35 && m.m[SIM_M_GIVE_UPS] <= 65);
        printf("\n    transport, nothing answers: %.0f give-ups, %d cancelled", m.m[SIM_M_GIVE_UPS], f.cancelled);
        CU_ASSERT(f.n <= 5);   /* only the attempts still within their timeout remain */
    }
    sim_world_free(w);
}
static void test_transport_answers(void) { transport_case(1, 0); }
static void test_transport_timeouts_cancel(void) { transport_case(0, 0); }
static void test_transport_cap(void) { transport_case(1, 20); }

/* Live mode's rows: the model's writer with the columns only an HTTP
 * client knows (here from a fake transport whose attempts all time out; the
 * cancel after a timeout writes an "abandoned" row too, as live's would
 * without its one-row-per-transfer guard). */
typedef struct { fake_tp f; FILE *out; int verdicts, abandoned; } extra_tp;
static sim_attempt_extra fake_extra(const char *error)
{
    return (sim_attempt_extra){ .trace_id = "t-1", .wall_start = 1700000000.25, .bytes_sent = 123,
                                .bytes_received = 456, .prompt_tokens = 10, .completion_tokens = NAN,
                                .server_request_id = "req_1", .ratelimit_remaining_requests = 5,
                                .ratelimit_remaining_tokens = NAN, .error = error };
}
static void extra_verdict(sim_world *w, uint32_t id, const pol_outcome *o, const pol_verdict *v, void *ctx)
{
    extra_tp *x = ctx;
    sim_attempt_extra ex = fake_extra("");
    if (sim_attempts_write(x->out, w, id, o, v, &ex) == 0) x->verdicts++;
}
static void extra_cancel(sim_world *w, uint32_t id, void *ctx)
{
    extra_tp *x = ctx;
    sim_attempt_extra ex = fake_extra("abandoned: test");
    if (sim_attempts_write(x->out, w, id, NULL, NULL, &ex) == 0) x->abandoned++;
    fake_cancel(w, id, &x->f);
}
/* field i (0-based) of a line without quoted commas, into out */
static void field(const char *line, int i, char *out, size_t cap)
{
    const char *p = line;
    for (; i > 0 && p; i--) { p = strchr(p, ','); if (p) p++; }
    size_t n = p ? strcspn(p, ",\n") : 0;
    if (n >= cap) n = cap - 1;
    memcpy(out, p ? p : "", n);
    out[n] = '\0';
}
static void test_csv_live_extra(void)
{
    sim_scenario sc;
    sim_provider prov;
    sim_policy pol;
    base_scenario(&sc, &prov, &pol);
    sc.workload.loop = SIM_LOOP_CLOSED;
    sc.workload.clients = 3;
    sc.workload.think = dconst(1e8);
    sc.duration = 3 * POL_NS_PER_S;
    pol.retry.max_attempts = 2;
    pol.retry.attempt_timeout = 200 * POL_NS_PER_MS;
    extra_tp x;
    memset(&x, 0, sizeof x);
    char *b = NULL;
    size_t n = 0;
    x.out = open_memstream(&b, &n);
    sim_attempts_header(x.out);
    sim_transport tp = { .send = fake_send, .cancel = extra_cancel, .verdict = extra_verdict, .ctx = &x };
    sim_world *w;
    CU_ASSERT_EQUAL_FATAL(sim_world_open(&(sim_run_opts){ .sc = &sc, .transport = &tp }, &w), 0);
    drive(w, &x.f, sc.duration);
    sim_world_free(w);
    fclose(x.out);
    int empties, ncols = header_fields(sim_attempts_header);
    CU_ASSERT_EQUAL(csv_check(b, n, ncols, &empties), x.verdicts + x.abandoned);
    CU_ASSERT(x.verdicts > 5 && x.abandoned > 5);
    int c_trace = csv_col(b, "trace_id"), c_wall = csv_col(b, "wall_start_s"), c_sent = csv_col(b, "bytes_sent"),
        c_ctok = csv_col(b, "completion_tokens"), c_err = csv_col(b, "error"), c_out = csv_col(b, "outcome"),
        c_status = csv_col(b, "status"), c_rep = csv_col(b, "replication");
    int seen_abandoned = 0, seen_timeout = 0;
    for (const char *p = strchr(b, '\n') + 1; *p; p = strchr(p, '\n') + 1) {
        char v[64], e[64], o[64], st[16];
        field(p, c_trace, v, sizeof v);
        CU_ASSERT_STRING_EQUAL(v, "\"t-1\"");
        field(p, c_wall, v, sizeof v);
        CU_ASSERT_STRING_EQUAL(v, "\"1700000000.250\"");
        field(p, c_sent, v, sizeof v);
        CU_ASSERT_STRING_EQUAL(v, "123");
        field(p, c_ctok, v, sizeof v);
        CU_ASSERT_STRING_EQUAL(v, "");
        field(p, c_rep, v, sizeof v);
        CU_ASSERT_STRING_EQUAL(v, "0");               /* live is replication 0 */
        field(p, c_err, e, sizeof e);
        field(p, c_out, o, sizeof o);
        field(p, c_status, st, sizeof st);
        if (!strcmp(e, "\"abandoned: test\"")) {
            seen_abandoned++;
            CU_ASSERT_STRING_EQUAL(o, "\"\"");
            CU_ASSERT_STRING_EQUAL(st, "");
        } else {
            seen_timeout++;
            CU_ASSERT_STRING_EQUAL(o, "\"timeout\"");
            CU_ASSERT_STRING_EQUAL(st, "0");
        }
    }
    CU_ASSERT_EQUAL(seen_abandoned, x.abandoned);
    CU_ASSERT_EQUAL(seen_timeout, x.verdicts);
    free(b);
}

/* The provider model on its own engine (as the mock uses it). */
typedef struct { int n; uint64_t tag[64]; sim_answer a[64]; pol_ns at[64]; sim_engine *e; } pm_log;
static void log_answer(void *ctx, uint64_t tag, const sim_answer *a)
{
    pm_log *l = ctx;
    if (l->n < 64) { l->tag[l->n] = tag; l->a[l->n] = *a; l->at[l->n] = l->e->now; l->n++; }
}
/* A provider model on its own engine, answers logged: pm_open after the
 * test set f->prov; pm_close frees. */
typedef struct { sim_scenario sc; sim_provider prov; sim_policy pol; sim_engine eng; pm_log l; sim_pm *pm; } pm_fix;
static void pm_base(pm_fix *f)
{
    memset(f, 0, sizeof *f);
    base_scenario(&f->sc, &f->prov, &f->pol);
}
static void pm_open(pm_fix *f)
{
    CU_ASSERT_EQUAL_FATAL(sim_engine_init(&f->eng, 2, 64), 0);
    f->l.e = &f->eng;
    sim_pm_opts po = { .sc = &f->sc, .seed = 1, .eng = &f->eng, .host = { .answer = log_answer, .ctx = &f->l } };
    CU_ASSERT_EQUAL_FATAL(sim_pm_new(&po, &f->pm), 0);
}
static void pm_close(pm_fix *f)
{
    sim_pm_free(f->pm);
    sim_engine_free(&f->eng);
}

static void test_pm_answers(void)
{
    static pm_fix f;
    pm_base(&f);
    f.prov.base.rpm = 120;                   /* 2/s, bucket depth 2 */
    f.prov.base.concurrency = 1;
    f.prov.base.queue = 1;
    f.prov.retry_after = SIM_RA_UNTIL_RESET;
    f.prov.ttft = dconst(1e9);               /* 1 s of service */
    pm_open(&f);
    sim_pm *pm = f.pm;
    uint64_t h[4];
    CU_ASSERT_EQUAL(sim_pm_submit(pm, 0, 10, 5, 1, &h[0]), 0);   /* served: done at 1 s */
    CU_ASSERT_EQUAL(sim_pm_submit(pm, 0, 10, 5, 2, &h[1]), 0);   /* waits: done at 2 s */
    CU_ASSERT_EQUAL(f.l.n, 0);
    CU_ASSERT_EQUAL(sim_pm_in_system(pm, 0), 2);
    CU_ASSERT_EQUAL(sim_pm_submit(pm, 0, 10, 5, 3, &h[2]), 0);   /* rpm bucket empty: 429 at once */
    CU_ASSERT_EQUAL_FATAL(f.l.n, 1);
    CU_ASSERT_EQUAL(f.l.tag[0], 3);
    CU_ASSERT_EQUAL(f.l.a[0].out.status, 429);
    CU_ASSERT_EQUAL(f.l.a[0].out.retry_after, 500 * POL_NS_PER_MS);   /* until one request token is back */
    CU_ASSERT(f.l.a[0].rl_known && f.l.a[0].rl_req == 0);
    CU_ASSERT(f.l.a[0].rl_tok == 1e12f);                           /* no tpm limit: unlimited */
    CU_ASSERT(f.l.a[0].rl_reset > 0);                              /* the bucket is not full */
    sim_pm_forget(pm, h[1]);                                      /* nobody waits for 2 any more */
    sim_pm_forget(pm, h[2]);                                      /* stale: already answered, no effect */
    sim_run(&f.eng, 10 * POL_NS_PER_S);
    CU_ASSERT_EQUAL_FATAL(f.l.n, 2);                                /* 1 answered; 2 served but not told */
    CU_ASSERT_EQUAL(f.l.tag[1], 1);
    CU_ASSERT_EQUAL(f.l.a[1].out.kind, POL_OUT_SUCCESS);
    CU_ASSERT_EQUAL(f.l.a[1].service, POL_NS_PER_S);
    CU_ASSERT_EQUAL(f.l.at[1], POL_NS_PER_S);
    double service, waited;
    uint64_t admitted;
    sim_pm_totals(pm, &service, &admitted, &waited);
    CU_ASSERT_EQUAL(admitted, 2);
    CU_ASSERT_DOUBLE_EQUAL(service, 2.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(waited, 1.0, 1e-9);                    /* 2 waited from 0 s to 1 s */
    CU_ASSERT_EQUAL(sim_pm_in_system(pm, 0), 0);
    /* a black hole: dropped at once, never answered */
    sim_provider_params bh = f.prov.base;
    bh.outage = SIM_OUTAGE_BLACKHOLE;
    sim_pm_apply(pm, 0, SIM_SET_OUTAGE, &bh);
    CU_ASSERT_EQUAL(sim_pm_submit(pm, 0, 10, 5, 4, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(f.l.n, 3);
    CU_ASSERT(f.l.a[2].dropped);
    CU_ASSERT_DOUBLE_EQUAL(sim_pm_capacity(pm, 0), 0, 0);
    CU_ASSERT_DOUBLE_EQUAL(sim_pm_capacity0(pm, 0), 1.0, 1e-12);   /* min(rpm 2/s, 1 server / 1 s) */
    pm_close(&f);
}

/* Without the hints' values (sim_pm_keep_hints off, a host that never
 * reads them): an answer still says it had hints, and carries none. */
static void test_pm_hints_off(void)
{
    static pm_fix f;
    pm_base(&f);
    f.prov.base.rpm = 60;                    /* bucket depth 1 */
    f.prov.ttft = dconst(1e9);
    pm_open(&f);
    CU_ASSERT_EQUAL(sim_pm_keep_hints(f.pm, 0), 0);
    CU_ASSERT_EQUAL(sim_pm_submit(f.pm, 0, 10, 5, 1, NULL), 0);
    CU_ASSERT_EQUAL(sim_pm_submit(f.pm, 0, 10, 5, 2, NULL), 0);    /* 429 at once */
    CU_ASSERT_EQUAL_FATAL(f.l.n, 1);
    CU_ASSERT_EQUAL(f.l.a[0].out.status, 429);
    CU_ASSERT(f.l.a[0].rl_known);
    CU_ASSERT(f.l.a[0].rl_tok == 0 && f.l.a[0].rl_reset == 0);
    pm_close(&f);
}


/* ---- folded events (simnet.c): the same model in fewer events --------------- */

/* A foldable OCC row told its reads ahead: a write succeeds iff no write
 * succeeded at or after its read; a success at the read's own nanosecond
 * counts as after it. */
static void test_occ_read_ahead(void)
{
    static pm_fix f;
    pm_base(&f);
    f.prov.kind = SIM_PROV_OCC;
    f.sc.net_latency = dconst(5e6);          /* every leg 5 ms: a write 10 ms after its read */
    pm_open(&f);
    CU_ASSERT_FATAL(sim_pm_occ_foldable(f.pm, 0));
    const pol_ns ms = POL_NS_PER_MS;
    CU_ASSERT_EQUAL(sim_pm_occ_read_at(f.pm, 0, 10 * ms, 1), 0);   /* writes at 20 ms: first, succeeds */
    CU_ASSERT_EQUAL(sim_pm_occ_read_at(f.pm, 0, 12 * ms, 2), 0);   /* 22 ms: read before 1's write */
    CU_ASSERT_EQUAL(sim_pm_occ_read_at(f.pm, 0, 20 * ms, 3), 0);   /* 30 ms: read at 1's write's instant */
    CU_ASSERT_EQUAL(sim_pm_occ_read_at(f.pm, 0, 21 * ms, 4), 0);   /* 31 ms: after it, 3 failed: succeeds */
    CU_ASSERT_EQUAL(sim_pm_occ_read_at(f.pm, 0, 25 * ms, 5), 0);   /* 35 ms: 4 wrote at 31 ms */
    CU_ASSERT_EQUAL(f.l.n, 0);                                     /* nothing answered before its write */
    sim_run(&f.eng, POL_NS_PER_S);
    CU_ASSERT_EQUAL_FATAL(f.l.n, 5);
    const int status[5] = { 200, 409, 409, 200, 409 };
    const pol_ns at[5] = { 20 * ms, 22 * ms, 30 * ms, 31 * ms, 35 * ms };
    for (int i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL(f.l.tag[i], (uint64_t)i + 1);
        CU_ASSERT_EQUAL(f.l.a[i].out.status, status[i]);
        CU_ASSERT_EQUAL(f.l.at[i], at[i]);
    }
    pm_close(&f);
    /* not foldable: an outage in the base parameters, a timeline entry for it, another kind */
    pm_base(&f);
    f.prov.kind = SIM_PROV_OCC;
    f.prov.base.outage = SIM_OUTAGE_STATUS;
    pm_open(&f);
    CU_ASSERT_FALSE(sim_pm_occ_foldable(f.pm, 0));
    pm_close(&f);
    pm_base(&f);
    f.prov.kind = SIM_PROV_OCC;
    static sim_change ch;
    memset(&ch, 0, sizeof ch);
    ch.provider = 0;
    ch.at = POL_NS_PER_S;
    f.sc.timeline = &ch;
    f.sc.ntimeline = 1;
    pm_open(&f);
    CU_ASSERT_FALSE(sim_pm_occ_foldable(f.pm, 0));
    pm_close(&f);
    pm_base(&f);
    pm_open(&f);
    CU_ASSERT_FALSE(sim_pm_occ_foldable(f.pm, 0));
    pm_close(&f);
}

/* sim_pm_net_fixed, by which simnet.c draws no leg in a world whose legs
 * all take 0: a constant leg's length as sim_pm_net_leg gives it (0.4 ns
 * truncated to 0, as a draw's), -1 for a drawn one, the provider's own
 * network latency before the scenario's. */
static void test_net_fixed(void)
{
    static pm_fix f;
    const double v[] = { 0, 0.4, 5e6 };
    for (int i = 0; i < 3; i++) {
        pm_base(&f);
        f.sc.net_latency = dconst(v[i]);
        pm_open(&f);
        pol_ns fixed = sim_pm_net_fixed(f.pm, 0);
        CU_ASSERT_EQUAL(fixed, (pol_ns)v[i]);
        CU_ASSERT_EQUAL(fixed, sim_pm_net_leg(f.pm, 0));
        pm_close(&f);
    }
    pm_base(&f);
    f.sc.net_latency = dexp(1e6);
    pm_open(&f);
    CU_ASSERT_EQUAL(sim_pm_net_fixed(f.pm, 0), -1);
    pm_close(&f);
    pm_base(&f);
    f.prov.has_net_latency = 1;
    f.prov.net_latency = dexp(1e6);          /* the scenario's is 0 */
    pm_open(&f);
    CU_ASSERT_EQUAL(sim_pm_net_fixed(f.pm, 0), -1);
    pm_close(&f);
    pm_base(&f);
    f.sc.net_latency = dexp(1e6);
    f.prov.has_net_latency = 1;
    f.prov.net_latency = dconst(3e6);
    pm_open(&f);
    CU_ASSERT_EQUAL(sim_pm_net_fixed(f.pm, 0), 3000000);
    CU_ASSERT_EQUAL(sim_pm_net_leg(f.pm, 0), 3000000);
    pm_close(&f);
}

/* The AWS experiment's file with overrides; each policy's run r, folded or
 * not: metrics and engine counters. */
static int aws_load(sim_scenario *sc, const char *latency, const char *clients)
{
    char lat[64], cl[64];
    snprintf(lat, sizeof lat, "network.latency=%s", latency);
    snprintf(cl, sizeof cl, "workload.clients=%s", clients);
    const char *ov[] = { lat, cl };
    sim_err err;
    int rc = sim_scenario_load("scenarios/aws-backoff-jitter.yaml", ov, 2, sc, &err);
    if (rc) fprintf(stderr, "\n  aws scenario: %s\n", err.msg);
    return rc;
}

static int aws_run(const sim_scenario *sc, int policy, int rep, int unfolded, sim_run_metrics *m, sim_run_stats *st)
{
    return sim_run_world(&(sim_run_opts){ .sc = sc, .policy = policy, .replication = rep, .unfolded = unfolded }, m, st);
}

/* With every leg a constant 10 ms nothing is drawn from the network stream,
 * so the folds can change nothing: every metric of every policy's runs is
 * the same, folded or not, in a quarter of the events (1 an attempt, not 4). */
static void test_folds_exact(void)
{
    static sim_scenario sc;
    CU_ASSERT_EQUAL_FATAL(aws_load(&sc, "10ms", "60"), 0);
    int same = 0, total = 0;
    double ev_folded = 0, ev_unfolded = INFINITY;
    for (int p = 0; p < sc.npolicies; p++)
        for (int r = 0; r < 3; r++) {
            sim_run_metrics a, b;
            sim_run_stats sa, sb;
            CU_ASSERT_EQUAL_FATAL(aws_run(&sc, p, r, 0, &a, &sa), 0);
            CU_ASSERT_EQUAL_FATAL(aws_run(&sc, p, r, 1, &b, &sb), 0);
            int eq = 1;
            for (int k = 0; k < SIM_M__COUNT; k++)
                if (!(a.m[k] == b.m[k] || (isnan(a.m[k]) && isnan(b.m[k])))) {
                    eq = 0;
                    fprintf(stderr, "\n  %s rep %d: metric %d folded %.17g, unfolded %.17g", sc.policies[p].name, r, k,
                            a.m[k], b.m[k]);
                }
            same += eq;
            total++;
            double att = a.m[SIM_M_ATTEMPTS];
            CU_ASSERT(att >= 60);
            /* folded: the OCC write, and a wake-up only where a retry's sleep crosses a bucket's end;
             * + each client's first wake-up and the 5 bucket samples */
            CU_ASSERT((double)sa.dispatched <= 1.02 * att + 60 + 5);
            CU_ASSERT((double)sb.dispatched >= 4 * att);
            if ((double)(sa.dispatched - 65) / att > ev_folded) ev_folded = (double)(sa.dispatched - 65) / att;
            if ((double)sb.dispatched / att < ev_unfolded) ev_unfolded = (double)sb.dispatched / att;
        }
    CU_ASSERT_EQUAL(same, total);
    printf("\n    %d of %d runs identical folded and unfolded; events an attempt (beside the first wake-ups and the samples): at most %.3f folded, "
           "at least %.3f unfolded", same, total, ev_folded, ev_unfolded);
    sim_scenario_free(&sc);
}

/* With the file's |N(10 ms, 2 ms)| legs the folds draw them in another
 * order: the same model, other draws. Calls and completion times agree
 * within 4 standard errors of their difference, for every policy. */
static void test_folds_same_model(void)
{
    static sim_scenario sc;
    CU_ASSERT_EQUAL_FATAL(aws_load(&sc, "absnormal(10ms,2ms)", "60"), 0);
    enum { R = 40 };
    const int metric[2] = { SIM_M_ATTEMPTS, SIM_M_COMPLETION_TIME };
    for (int p = 0; p < sc.npolicies; p++) {
        double x[2][2][R];
        for (int r = 0; r < R; r++)
            for (int u = 0; u < 2; u++) {
                sim_run_metrics m;
                CU_ASSERT_EQUAL_FATAL(aws_run(&sc, p, r, u, &m, NULL), 0);
                for (int k = 0; k < 2; k++) x[u][k][r] = m.m[metric[k]];
            }
        for (int k = 0; k < 2; k++) {
            double mean[2], var[2];
            for (int u = 0; u < 2; u++) {
                double s = 0, q = 0;
                for (int r = 0; r < R; r++) s += x[u][k][r];
                mean[u] = s / R;
                for (int r = 0; r < R; r++) q += (x[u][k][r] - mean[u]) * (x[u][k][r] - mean[u]);
                var[u] = q / (R - 1);
            }
            double se = sqrt(var[0] / R + var[1] / R);
            CU_ASSERT(fabs(mean[0] - mean[1]) <= 4 * se);
            if (k == 0) printf("\n    %-13s calls folded %.1f, unfolded %.1f (se of the difference %.1f)",
                               sc.policies[p].name, mean[0], mean[1], se);
        }
    }
    sim_scenario_free(&sc);
}

static void register_suites(void)
{
    CU_SUITE("queueing",
             {"M/M/2 mean wait matches Erlang C within the 95% CI", test_mm2},
             {"M/M/5 mean wait matches Erlang C within the 95% CI", test_mm5});
    CU_SUITE("provider",
             {"RPM token bucket caps admitted rate", test_rate_limit},
             {"timeouts: wasted work and duplicate billing", test_timeouts_waste});
    CU_SUITE("determinism", {"same seed -> identical metrics and timeseries", test_run_deterministic});
    CU_SUITE("csv", {"one schema per file: header and rows agree, no empty provider columns", test_csv_schema},
             {"attempts.csv: live's extra columns through the model's writer", test_csv_live_extra});
    CU_SUITE("transport",
             {"a transport's answers drive the real client loop", test_transport_answers},
             {"timeouts cancel the transport's attempts", test_transport_timeouts_cancel},
             {"a send the transport refuses stops the run, uncounted", test_transport_cap});
    CU_SUITE("provider model", {"answers, waiting room, 429 hints, forget, black hole", test_pm_answers},
             {"hints' values not kept: known, not carried", test_pm_hints_off});
    CU_SUITE("folds", {"OCC reads told ahead: a write fails after any success at or after its read", test_occ_read_ahead},
             {"a constant network leg's length, as drawn; -1 if drawn", test_net_fixed},
             {"constant legs: folded and unfolded runs identical, 1 event an attempt, not 4", test_folds_exact},
             {"drawn legs: the same calls and completion times within 4 se", test_folds_same_model});
}
CU_TEST_MAIN(register_suites)
