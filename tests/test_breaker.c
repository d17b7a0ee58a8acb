/* test_breaker.c — CUnit tests of the circuit breakers (pol_breaker), the
 * failure mask (pol_failmask) and the time window (pol_window): every
 * transition of each kind, defaults against their sources, break growth,
 * lost probes, cancel, and the invariant that a half-open breaker never
 * admits more probes than permitted over 100000 random call sequences
 * (gsl_rng_taus2, seeds 1..3).
 */
#include "cu_util.h"
#include "retrypol.h"

#define S(x) ((pol_ns)(x) * POL_NS_PER_S)
#define MS(x) ((pol_ns)(x) * POL_NS_PER_MS)

static pol_outcome http(int status) { return pol_outcome_make(POL_OUT_HTTP, status); }

static void fail(pol_breaker *b, pol_ns now) { pol_breaker_record_result(b, now, 1, 0); }
static void ok(pol_breaker *b, pol_ns now)   { pol_breaker_record_result(b, now, 0, 0); }

static void test_defaults(void)
{
    pol_breaker_cfg c;
    pol_breaker_default(POL_BREAKER_CONSECUTIVE, &c);        /* pybreaker */
    CU_ASSERT_EQUAL(c.fail_max, 5);
    CU_ASSERT_EQUAL(c.break_duration, S(60));
    CU_ASSERT_EQUAL(c.half_open_probes, 1);
    CU_ASSERT_EQUAL(pol_breaker_validate(&c), POL_OK);
    pol_breaker_default(POL_BREAKER_RATE, &c);               /* Resilience4j */
    CU_ASSERT_EQUAL(c.window_kind, POL_WINDOW_COUNT_BASED);
    CU_ASSERT_EQUAL(c.window_size, 100);
    CU_ASSERT_EQUAL(c.min_calls, 100);
    CU_ASSERT_DOUBLE_EQUAL(c.failure_rate, 50.0, 0);
    CU_ASSERT_DOUBLE_EQUAL(c.slow_rate, 100.0, 0);
    CU_ASSERT_EQUAL(c.slow_duration, S(60));
    CU_ASSERT_EQUAL(c.break_duration, S(60));
    CU_ASSERT_EQUAL(c.half_open_probes, 10);
    CU_ASSERT_EQUAL(pol_breaker_validate(&c), POL_OK);
    pol_breaker_default(POL_BREAKER_RATIO, &c);              /* Polly v8 */
    CU_ASSERT_DOUBLE_EQUAL(c.failure_ratio, 0.1, 0);
    CU_ASSERT_EQUAL(c.sampling, S(30));
    CU_ASSERT_EQUAL(c.min_throughput, 100);
    CU_ASSERT_EQUAL(c.break_duration, S(5));
    CU_ASSERT_EQUAL(c.half_open_probes, 1);
    CU_ASSERT_EQUAL(pol_breaker_validate(&c), POL_OK);
    c.min_throughput = 1;
    CU_ASSERT_EQUAL(pol_breaker_validate(&c), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_breaker_validate(NULL), POL_EINVAL);
    pol_breaker b;
    CU_ASSERT_EQUAL(pol_breaker_init(&b, &c), POL_EINVAL);
    CU_ASSERT_STRING_EQUAL(pol_breaker_state_name(POL_BREAKER_HALF_OPEN), "half-open");
    CU_ASSERT_STRING_EQUAL(pol_breaker_answer_name(POL_BREAKER_PROBE), "probe");
    pol_breaker_kind k;
    CU_ASSERT_EQUAL(pol_breaker_kind_parse("Ratio", &k), POL_OK);
    CU_ASSERT_EQUAL(k, POL_BREAKER_RATIO);
    CU_ASSERT_EQUAL(pol_breaker_kind_parse("hystrix", &k), POL_ENOTFOUND);
    CU_ASSERT_EQUAL(pol_breaker_allow(NULL, 0), POL_BREAKER_ALLOW);
}

/* pybreaker: 5 consecutive failures open; 60 s later one trial. */
static void test_consecutive(void)
{
    pol_breaker_cfg c;
    pol_breaker b;
    pol_breaker_default(POL_BREAKER_CONSECUTIVE, &c);
    CU_ASSERT_EQUAL_FATAL(pol_breaker_init(&b, &c), POL_OK);
    for (int i = 0; i < 4; i++) { CU_ASSERT_EQUAL(pol_breaker_allow(&b, 0), POL_BREAKER_ALLOW); fail(&b, 0); }
    ok(&b, 0);                                              /* resets the run */
    for (int i = 0; i < 4; i++) fail(&b, S(1));
    CU_ASSERT_EQUAL(pol_breaker_state_at(&b, S(1)), POL_BREAKER_CLOSED);
    fail(&b, S(1));
    CU_ASSERT_EQUAL(pol_breaker_state_at(&b, S(1)), POL_BREAKER_OPEN);
    CU_ASSERT_EQUAL(pol_breaker_transitions(&b), 1);
    CU_ASSERT_EQUAL(pol_breaker_allow(&b, S(60)), POL_BREAKER_REJECT);
    fail(&b, S(30));                                        /* ignored while open */
    CU_ASSERT_EQUAL(pol_breaker_state_at(&b, S(61) - 1), POL_BREAKER_OPEN);
    CU_ASSERT_EQUAL(pol_breaker_state_at(&b, S(61)), POL_BREAKER_HALF_OPEN);
    CU_ASSERT_EQUAL(pol_breaker_transitions(&b), 1);        /* state_at is pure */
    CU_ASSERT_EQUAL(pol_breaker_allow(&b, S(61)), POL_BREAKER_PROBE);
    CU_ASSERT_EQUAL(pol_breaker_allow(&b, S(61)), POL_BREAKER_REJECT);
    fail(&b, S(62));                                        /* trial fails: open again */
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_OPEN);
    CU_ASSERT_EQUAL(b.open_until, S(122));
    CU_ASSERT_EQUAL(pol_breaker_allow(&b, S(122)), POL_BREAKER_PROBE);
    ok(&b, S(123));                                         /* trial succeeds: closed */
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_CLOSED);
    CU_ASSERT_EQUAL(pol_breaker_transitions(&b), 5);        /* O H O H C */
    CU_ASSERT_EQUAL(pol_breaker_allow(&b, S(123)), POL_BREAKER_ALLOW);
    pol_breaker_free(&b);
}

/* Resilience4j count-based window of 10, min 10 calls, half-open 3 calls. */
static void test_rate_count(void)
{
    pol_breaker_cfg c;
    pol_breaker b;
    pol_breaker_default(POL_BREAKER_RATE, &c);
    c.window_size = 10; c.min_calls = 20;                   /* min clamps to the window */
    c.half_open_probes = 3;
    CU_ASSERT_EQUAL_FATAL(pol_breaker_init(&b, &c), POL_OK);
    for (int i = 0; i < 9; i++) (i < 5 ? fail : ok)(&b, 0); /* 5 fails of 9: too few calls */
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_CLOSED);
    ok(&b, 0);                                              /* 5/10 = 50 % >= 50 %: open */
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_OPEN);
    CU_ASSERT_EQUAL(pol_breaker_allow(&b, S(60)), POL_BREAKER_PROBE);
    CU_ASSERT_EQUAL(pol_breaker_allow(&b, S(60)), POL_BREAKER_PROBE);
    CU_ASSERT_EQUAL(pol_breaker_allow(&b, S(60)), POL_BREAKER_PROBE);
    CU_ASSERT_EQUAL(pol_breaker_allow(&b, S(60)), POL_BREAKER_REJECT);
    fail(&b, S(61)); ok(&b, S(61));
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_HALF_OPEN);        /* waits for all 3 */
    ok(&b, S(61));                                          /* 1/3 = 33 % < 50 %: close */
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_CLOSED);
    CU_ASSERT_EQUAL(b.ring_len, 0);                         /* a fresh window */
    /* the ring slides: 4 fails then 6 oks = 40 %; the next fail drops a fail */
    for (int i = 0; i < 10; i++) (i < 4 ? fail : ok)(&b, S(62));
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_CLOSED);
    fail(&b, S(62));                                        /* drops fail: still 4/10 */
    CU_ASSERT_EQUAL(b.ring_fail, 4);
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_CLOSED);
    fail(&b, S(62));                                        /* drops fail: 4/10 */
    fail(&b, S(62)); fail(&b, S(62));                       /* 4/10 */
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_CLOSED);
    fail(&b, S(62));                                        /* drops ok: 5/10 */
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_OPEN);
    /* half-open with 2 of 3 failing reopens */
    for (int i = 0; i < 3; i++) CU_ASSERT_EQUAL(pol_breaker_allow(&b, S(200)), POL_BREAKER_PROBE);
    fail(&b, S(200)); fail(&b, S(200)); ok(&b, S(200));
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_OPEN);
    pol_breaker_free(&b);
}

/* Slow calls: duration > threshold; 50 % slow of 4 calls opens. */
static void test_rate_slow(void)
{
    pol_breaker_cfg c;
    pol_breaker b;
    pol_breaker_default(POL_BREAKER_RATE, &c);
    c.window_size = 4; c.min_calls = 4; c.slow_rate = 50; c.slow_duration = S(1);
    CU_ASSERT_EQUAL_FATAL(pol_breaker_init(&b, &c), POL_OK);
    pol_breaker_record_result(&b, 0, 0, S(1));              /* == threshold: not slow */
    pol_breaker_record_result(&b, 0, 0, S(1) + 1);          /* slow */
    pol_breaker_record_result(&b, 0, 0, 0);
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_CLOSED);
    pol_breaker_record_result(&b, 0, 0, S(5));              /* 2/4 slow */
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_OPEN);
    CU_ASSERT_EQUAL(pol_breaker_record_result(&b, 0, 0, -1), POL_EINVAL);
    pol_breaker_free(&b);
}

/* Time-based: window 10 s, min 4 calls; failures expire with their second. */
static void test_rate_time(void)
{
    pol_breaker_cfg c;
    pol_breaker b;
    pol_breaker_default(POL_BREAKER_RATE, &c);
    c.window_kind = POL_WINDOW_TIME_BASED; c.window_size = 10; c.min_calls = 4;
    CU_ASSERT_EQUAL_FATAL(pol_breaker_init(&b, &c), POL_OK);
    fail(&b, S(0)); fail(&b, S(1));
    ok(&b, S(11)); ok(&b, S(11)); ok(&b, S(11));            /* the fails expired */
    CU_ASSERT_EQUAL(b.win.sum[0], 3);
    fail(&b, S(12));                                        /* 1/4 */
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_CLOSED);
    fail(&b, S(12));                                        /* 2/5 */
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_CLOSED);
    fail(&b, S(13));                                        /* 3/6 = 50 % */
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_OPEN);
    pol_breaker_free(&b);
}

/* Polly: min throughput 10, ratio 0.5, sampling 10 s; only a failure trips. */
static void test_ratio(void)
{
    pol_breaker_cfg c;
    pol_breaker b;
    pol_breaker_default(POL_BREAKER_RATIO, &c);
    c.min_throughput = 10; c.failure_ratio = 0.5; c.sampling = S(10);
    CU_ASSERT_EQUAL_FATAL(pol_breaker_init(&b, &c), POL_OK);
    for (int i = 0; i < 9; i++) fail(&b, 0);                /* 9 calls < 10 */
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_CLOSED);
    ok(&b, S(10));                                          /* all expired */
    for (int i = 0; i < 5; i++) ok(&b, S(10));
    for (int i = 0; i < 4; i++) fail(&b, S(10));            /* 4/10 */
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_CLOSED);
    fail(&b, S(10));                                        /* 5/11 */
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_CLOSED);
    fail(&b, S(10));                                        /* 6/12 = 0.5 */
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_OPEN);
    CU_ASSERT_EQUAL(b.open_until, S(15));
    CU_ASSERT_EQUAL(pol_breaker_allow(&b, S(15)), POL_BREAKER_PROBE);
    ok(&b, S(15));
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_CLOSED);
    CU_ASSERT_EQUAL(b.win.sum[0], 0);                       /* metrics reset on close */
    pol_breaker_free(&b);
}

/* Break growth: 1 s x consecutive openings, capped at 3 s; reset on close. */
static void test_break_growth(void)
{
    pol_breaker_cfg c;
    pol_breaker b;
    pol_breaker_default(POL_BREAKER_CONSECUTIVE, &c);
    c.fail_max = 1; c.break_duration = S(1); c.break_max = S(3);
    CU_ASSERT_EQUAL_FATAL(pol_breaker_init(&b, &c), POL_OK);
    pol_ns t = 0, want[] = { S(1), S(2), S(3), S(3) };
    fail(&b, t);
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(b.open_until - t, want[i]);
        t = b.open_until;
        CU_ASSERT_EQUAL(pol_breaker_allow(&b, t), POL_BREAKER_PROBE);
        fail(&b, t);
    }
    t = b.open_until;
    pol_breaker_allow(&b, t);
    ok(&b, t);
    CU_ASSERT_EQUAL(b.openings, 0);
    fail(&b, t);
    CU_ASSERT_EQUAL(b.open_until - t, S(1));
    pol_breaker_free(&b);
}

/* A lost probe: half_open_max_wait reopens; cancel returns the permit. */
static void test_lost_probe_and_cancel(void)
{
    pol_breaker_cfg c;
    pol_breaker b;
    pol_breaker_default(POL_BREAKER_CONSECUTIVE, &c);
    c.fail_max = 1; c.break_duration = S(1); c.half_open_max_wait = S(5);
    CU_ASSERT_EQUAL_FATAL(pol_breaker_init(&b, &c), POL_OK);
    fail(&b, 0);
    CU_ASSERT_EQUAL(pol_breaker_allow(&b, S(1)), POL_BREAKER_PROBE);
    pol_breaker_cancel(&b);
    CU_ASSERT_EQUAL(pol_breaker_allow(&b, S(1)), POL_BREAKER_PROBE);   /* permit back */
    CU_ASSERT_EQUAL(pol_breaker_allow(&b, S(2)), POL_BREAKER_REJECT);
    CU_ASSERT_EQUAL(pol_breaker_state_at(&b, S(6)), POL_BREAKER_OPEN);
    CU_ASSERT_EQUAL(pol_breaker_allow(&b, S(6)), POL_BREAKER_REJECT);   /* reopened at 6 */
    CU_ASSERT_EQUAL(b.open_until, S(7));
    pol_breaker_cancel(&b);                                 /* no effect when open */
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_OPEN);
    pol_breaker_reset(&b);
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_CLOSED);
    CU_ASSERT_EQUAL(pol_breaker_transitions(&b), 0);
    pol_breaker_free(&b);
}

/* The failure mask decides what record() counts. */
static void test_record_mask(void)
{
    pol_breaker_cfg c;
    pol_breaker b;
    pol_breaker_default(POL_BREAKER_CONSECUTIVE, &c);
    c.fail_max = 2;
    CU_ASSERT_EQUAL_FATAL(pol_breaker_init(&b, &c), POL_OK);
    pol_outcome o400 = http(400), o503 = http(503), to = pol_outcome_make(POL_OUT_TIMEOUT, 0);
    pol_outcome cw = pol_outcome_make(POL_OUT_CONTEXT_WINDOW, 400);
    pol_breaker_record(&b, 0, &o503, 0);
    pol_breaker_record(&b, 0, &o400, 0);                    /* not a failure: resets */
    pol_breaker_record(&b, 0, &cw, 0);
    pol_breaker_record(&b, 0, &to, 0);
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_CLOSED);
    pol_breaker_record(&b, 0, &o503, 0);
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_OPEN);
    CU_ASSERT_EQUAL(pol_breaker_record(&b, 0, NULL, 0), POL_EINVAL);
    pol_breaker_free(&b);
}

static void test_failmask(void)
{
    pol_failmask m;
    pol_failmask_default(&m);
    int fails[] = { 408, 429, 500, 503, 529, 599 }, passes[] = { 200, 400, 401, 404, 409, 499 };
    for (size_t i = 0; i < 6; i++) {
        pol_outcome f = http(fails[i]), p = http(passes[i]);
        CU_ASSERT_EQUAL(pol_failmask_test(&m, &f), 1);
        CU_ASSERT_EQUAL(pol_failmask_test(&m, &p), 0);
    }
    pol_outcome s = pol_outcome_make(POL_OUT_SUCCESS, 200), r = pol_outcome_make(POL_OUT_CONN_RESET, 0);
    pol_outcome cp = pol_outcome_make(POL_OUT_CONTENT_POLICY, 400), odd = http(42);
    CU_ASSERT_EQUAL(pol_failmask_test(&m, &s), 0);
    CU_ASSERT_EQUAL(pol_failmask_test(&m, &r), 1);
    CU_ASSERT_EQUAL(pol_failmask_test(&m, &cp), 0);
    CU_ASSERT_EQUAL(pol_failmask_test(&m, &odd), 0);
    CU_ASSERT_EQUAL(pol_failmask_set_status(&m, 429, 429, 0), POL_OK);
    pol_outcome o429 = http(429);
    CU_ASSERT_EQUAL(pol_failmask_test(&m, &o429), 0);
    CU_ASSERT_EQUAL(pol_failmask_set_status(&m, 99, 200, 1), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_failmask_set_kind(&m, POL_OUT_SUCCESS, 1), POL_EINVAL);
    pol_classify_cfg cc;
    pol_classify_default(&cc);
    CU_ASSERT_EQUAL(pol_failmask_from_classes(&m, &cc, 1u << POL_CLASS_FALLBACK), POL_OK);
    CU_ASSERT_EQUAL(pol_failmask_test(&m, &cp), 1);
    CU_ASSERT_EQUAL(pol_failmask_test(&m, &o429), 0);
    CU_ASSERT_EQUAL(pol_failmask_from_classes(&m, &cc, 1u << POL_CLASS_RETRY), POL_OK);
    CU_ASSERT_EQUAL(pol_failmask_test(&m, &o429), 1);
    CU_ASSERT_EQUAL(pol_failmask_test(&m, &r), 1);
    CU_ASSERT_EQUAL(pol_failmask_test(NULL, &r), 0);
}

static void test_window(void)
{
    int64_t cells[4 * 2];
    pol_window w;
    CU_ASSERT_EQUAL(pol_window_init(&w, S(1), 4, 2, cells), POL_OK);
    CU_ASSERT_EQUAL(pol_window_init(&w, 0, 4, 2, cells), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_window_init(&w, S(1), 4, 5, cells), POL_EINVAL);
    pol_window_init(&w, S(1), 4, 2, cells);
    pol_window_add(&w, MS(500), 0, 3);
    pol_window_add(&w, MS(1500), 0, 2);
    pol_window_add(&w, MS(1500), 1, 7);
    CU_ASSERT_EQUAL(pol_window_sum(&w, MS(3999), 0), 5);   /* slices 0..3 */
    CU_ASSERT_EQUAL(pol_window_sum(&w, S(4), 0), 2);       /* slice 0 gone */
    CU_ASSERT_EQUAL(pol_window_sum(&w, S(4), 1), 7);
    pol_window_add(&w, S(1), 0, 1);                        /* late: counted in the newest */
    CU_ASSERT_EQUAL(pol_window_sum(&w, S(4), 0), 3);
    CU_ASSERT_EQUAL(pol_window_sum(&w, S(100), 0), 0);     /* a long jump clears all */
    CU_ASSERT_EQUAL(pol_window_slice_of(-1, S(1)), -1);
    CU_ASSERT_EQUAL(pol_window_slice_of(-S(1), S(1)), -1);
    CU_ASSERT_EQUAL(pol_window_slice_of(S(1) - 1, S(1)), 0);
    pol_window_add(&w, -MS(1), 0, 4);                      /* negative times are fine */
    CU_ASSERT_EQUAL(w.sum[0], 4);
}

/* Invariant: never more probes in use (PROBE answers less returned permits)
 * than half_open_probes per half-open
 * period, over 100000 random sequences of 40 calls across the three kinds,
 * and probes recorded never exceed probes admitted. */
static void test_probe_invariant(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    long violations = 0, probes = 0, periods = 0;
    for (unsigned long seed = 1; seed <= 3; seed++) {
        gsl_rng_set(r, seed);
        for (int seq = 0; seq < 33334; seq++) {
            pol_breaker_cfg c;
            pol_breaker_default((pol_breaker_kind)(seq % 3), &c);
            c.fail_max = 2; c.window_size = 4; c.min_calls = 2; c.min_throughput = 2;
            c.failure_ratio = 0.5; c.sampling = S(10);
            c.break_duration = MS(100 + gsl_rng_uniform_int(r, 200));
            c.half_open_probes = 1 + (int)gsl_rng_uniform_int(r, 4);
            c.half_open_max_wait = gsl_rng_uniform(r) < 0.3 ? MS(300) : 0;
            if (gsl_rng_uniform(r) < 0.5) c.window_kind = POL_WINDOW_TIME_BASED;
            pol_breaker b;
            if (pol_breaker_init(&b, &c) != POL_OK) { violations++; continue; }
            pol_ns now = 0;
            uint64_t period = UINT64_MAX;
            int in_period = 0, outstanding = 0;
            for (int k = 0; k < 40; k++) {
                now += MS(gsl_rng_uniform_int(r, 120));
                double u = gsl_rng_uniform(r);
                if (u < 0.5) {
                    pol_breaker_answer a = pol_breaker_allow(&b, now);
                    if (a == POL_BREAKER_PROBE) {
                        probes++;
                        if (b.transitions != period) { period = b.transitions; in_period = 0; periods++; }
                        if (++in_period > c.half_open_probes) violations++;
                    }
                    if (a != POL_BREAKER_REJECT) outstanding++;
                } else if (u < 0.95 && outstanding > 0) {
                    pol_breaker_record_result(&b, now, gsl_rng_uniform(r) < 0.6,
                                              MS(gsl_rng_uniform_int(r, 100)));
                    outstanding--;
                } else if (outstanding > 0) {     /* an admitted call not made */
                    int before = b.probes_admitted;
                    pol_breaker_cancel(&b);
                    if (b.probes_admitted < before) in_period--;
                    outstanding--;
                }
                if (b.probes_recorded > b.probes_admitted || b.probes_admitted > c.half_open_probes)
                    violations++;
            }
            pol_breaker_free(&b);
        }
    }
    CU_ASSERT_EQUAL(violations, 0);
    CU_ASSERT(probes > 10000);            /* the sequences do reach half-open */
    CU_ASSERT(periods > 5000);
    gsl_rng_free(r);
}

/* Same seed, same trace: the breaker is a pure function of its inputs. */
static void test_determinism(void)
{
    uint64_t tr[2];
    int st[2];
    for (int rep = 0; rep < 2; rep++) {
        gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
        gsl_rng_set(r, 42);
        pol_breaker_cfg c;
        pol_breaker b;
        pol_breaker_default(POL_BREAKER_RATE, &c);
        c.window_size = 20; c.min_calls = 10; c.half_open_probes = 3; c.break_duration = S(1);
        pol_breaker_init(&b, &c);
        pol_ns now = 0;
        for (int i = 0; i < 10000; i++) {
            now += MS(gsl_rng_uniform_int(r, 50));
            if (pol_breaker_allow(&b, now) != POL_BREAKER_REJECT)
                pol_breaker_record_result(&b, now, gsl_rng_uniform(r) < 0.45, 0);
        }
        tr[rep] = b.transitions;
        st[rep] = b.state;
        pol_breaker_free(&b);
        gsl_rng_free(r);
    }
    CU_ASSERT_EQUAL(tr[0], tr[1]);
    CU_ASSERT_EQUAL(st[0], st[1]);
    CU_ASSERT(tr[0] > 0);
}

/* The seed's CircuitBreaker (/work/shared/seeds/000), transcribed: every
 * result is recorded in every state; a success resets the count and closes,
 * a failure counts, stamps last_failure and opens at the threshold; a call
 * is refused while open and now - last_failure < recovery_timeout. */
typedef struct { int count, open; pol_ns last_fail; } seed_breaker;
static int seed_is_open(const seed_breaker *s, pol_ns now, pol_ns timeout)
{
    return s->open && now - s->last_fail < timeout;
}
static void seed_record(seed_breaker *s, pol_ns now, int failed, int threshold)
{
    if (!failed) { s->count = 0; s->open = 0; return; }
    s->count++;
    s->last_fail = now;
    if (s->count >= threshold) s->open = 1;
}

/* half_open: all against the transcription, over random call sequences
 * (calls in flight report later, in any order, as in a client). */
static void test_half_open_all_seed(void)
{
    pol_breaker_cfg c;
    pol_breaker_default(POL_BREAKER_CONSECUTIVE, &c);
    c.half_open = POL_BREAKER_HALF_OPEN_ALL;
    c.break_duration = S(60);
    CU_ASSERT_EQUAL(pol_breaker_validate(&c), POL_OK);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    long mismatches = 0, refused = 0, probes = 0;
    for (int seq = 0; seq < 200; seq++) {
        gsl_rng_set(r, (unsigned long)seq + 1);
        pol_breaker b;
        CU_ASSERT_EQUAL_FATAL(pol_breaker_init(&b, &c), POL_OK);
        seed_breaker sd = { 0, 0, 0 };
        pol_ns now = 0, inflight[8];
        int nin = 0;
        double pfail = 0.2 + 0.7 * gsl_rng_uniform(r);
        for (int step = 0; step < 500; step++) {
            now += (pol_ns)(gsl_rng_uniform(r) * 20e9);
            if (nin > 0 && (nin == 8 || gsl_rng_uniform(r) < 0.5)) {      /* a call reports */
                int k = (int)gsl_rng_uniform_int(r, (unsigned long)nin);
                int failed = gsl_rng_uniform(r) < pfail;
                pol_breaker_record_result(&b, now, failed, now - inflight[k]);
                seed_record(&sd, now, failed, c.fail_max);
                inflight[k] = inflight[--nin];
            } else {                                                       /* a call asks */
                int seed_ok = !seed_is_open(&sd, now, c.break_duration);
                pol_breaker_answer a = pol_breaker_allow(&b, now);
                if ((a != POL_BREAKER_REJECT) != seed_ok) mismatches++;
                if (a == POL_BREAKER_REJECT) refused++;
                if (a == POL_BREAKER_PROBE) probes++;
                if (a != POL_BREAKER_REJECT) inflight[nin++] = now;
            }
        }
        pol_breaker_free(&b);
    }
    gsl_rng_free(r);
    CU_ASSERT_EQUAL(mismatches, 0);
    CU_ASSERT(refused > 1000 && probes > 1000);     /* both paths exercised */
}

/* half_open: all, step by step; and what probes: N does with the same calls. */
static void test_half_open_all_steps(void)
{
    pol_breaker_cfg c;
    pol_breaker b;
    pol_breaker_default(POL_BREAKER_CONSECUTIVE, &c);
    c.half_open = POL_BREAKER_HALF_OPEN_ALL;
    CU_ASSERT_EQUAL_FATAL(pol_breaker_init(&b, &c), POL_OK);
    for (int i = 0; i < 5; i++) pol_breaker_record_result(&b, S(i), 1, 0);
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_OPEN);
    CU_ASSERT_EQUAL(b.open_until, S(64));
    pol_breaker_record_result(&b, S(20), 1, 0);          /* an earlier call fails: 60 s from now */
    CU_ASSERT_EQUAL(b.open_until, S(80));
    CU_ASSERT_EQUAL(pol_breaker_allow(&b, S(79)), POL_BREAKER_REJECT);
    for (int i = 0; i < 1000; i++) CU_ASSERT_EQUAL(pol_breaker_allow(&b, S(80)), POL_BREAKER_PROBE);
    pol_breaker_record_result(&b, S(81), 0, 0);          /* the first success closes */
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_CLOSED);
    pol_breaker_record_result(&b, S(81), 1, 0);          /* the other 999 report: counted as closed */
    CU_ASSERT_EQUAL(b.consecutive, 1);
    for (int i = 0; i < 4; i++) pol_breaker_record_result(&b, S(82), 1, 0);
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_OPEN);
    pol_breaker_record_result(&b, S(83), 0, 0);          /* a success while open closes (the seed) */
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_CLOSED);
    for (int i = 0; i < 5; i++) pol_breaker_record_result(&b, S(90), 1, 0);
    CU_ASSERT_EQUAL(pol_breaker_allow(&b, S(150)), POL_BREAKER_PROBE);
    pol_breaker_record_result(&b, S(151), 1, 0);         /* the first failure reopens */
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_OPEN);
    CU_ASSERT_EQUAL(b.open_until, S(211));
    pol_breaker_free(&b);
    /* probes: 1 (the default): one probe, records while open ignored */
    pol_breaker_default(POL_BREAKER_CONSECUTIVE, &c);
    CU_ASSERT_EQUAL(c.half_open, POL_BREAKER_HALF_OPEN_PROBES);
    pol_breaker_init(&b, &c);
    for (int i = 0; i < 5; i++) pol_breaker_record_result(&b, S(i), 1, 0);
    pol_breaker_record_result(&b, S(20), 1, 0);
    CU_ASSERT_EQUAL(b.open_until, S(64));
    pol_breaker_record_result(&b, S(21), 0, 0);
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_OPEN);
    CU_ASSERT_EQUAL(pol_breaker_allow(&b, S(64)), POL_BREAKER_PROBE);
    CU_ASSERT_EQUAL(pol_breaker_allow(&b, S(64)), POL_BREAKER_REJECT);
    pol_breaker_free(&b);
    /* RATE with all: the first probe result decides too */
    pol_breaker_default(POL_BREAKER_RATE, &c);
    c.half_open = POL_BREAKER_HALF_OPEN_ALL;
    c.window_size = 10; c.min_calls = 10;
    pol_breaker_init(&b, &c);
    for (int i = 0; i < 10; i++) pol_breaker_record_result(&b, S(1), 1, 0);
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_OPEN);
    CU_ASSERT_EQUAL(pol_breaker_allow(&b, S(61)), POL_BREAKER_PROBE);
    CU_ASSERT_EQUAL(pol_breaker_allow(&b, S(61)), POL_BREAKER_PROBE);
    pol_breaker_record_result(&b, S(62), 0, 0);
    CU_ASSERT_EQUAL(b.state, POL_BREAKER_CLOSED);
    pol_breaker_free(&b);
    c.half_open = (pol_breaker_half_open)2;
    CU_ASSERT_EQUAL(pol_breaker_validate(&c), POL_EINVAL);
}

static void register_suites(void)
{
    CU_SUITE("breaker",
             {"defaults and names", test_defaults},
             {"consecutive (pybreaker)", test_consecutive},
             {"rate count-based (Resilience4j)", test_rate_count},
             {"rate slow calls", test_rate_slow},
             {"rate time-based", test_rate_time},
             {"ratio (Polly)", test_ratio},
             {"break growth", test_break_growth},
             {"lost probe and cancel", test_lost_probe_and_cancel},
             {"record uses the failure mask", test_record_mask},
             {"probe invariant, 100000 sequences", test_probe_invariant},
             {"determinism", test_determinism},
             {"half_open all: the seed's breaker, stepwise", test_half_open_all_steps},
             {"half_open all = the seed's breaker, 200 random sequences", test_half_open_all_seed});
    CU_SUITE("failmask and window",
             {"failure mask", test_failmask},
             {"time window", test_window});
}

CU_TEST_MAIN(register_suites)
