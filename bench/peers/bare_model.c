/* bare_model.c — the bench model of bench/peers/simpy_model.py written as
 * plainly as C allows: a floor for `make bench-peers`.
 *
 * The same model, step for step (simpy_model.py's docstring says what it
 * is): N closed-loop clients, one provider with a token bucket of N*60/min
 * (depth one second of rate, starting full), N requests in service and no
 * waiting room, lognormal service, a 30 s attempt timeout, 5 attempts with
 * full-jitter exponential backoff and Retry-After honored, and the storm
 * window (6000/min from duration/3 for duration/4). What it leaves out is
 * everything retrysim does beyond that model: no scenario, no policy
 * library, no metrics but four counters, no latencies kept, no guards,
 * transports, streams or traces. So the ratio of its speed to retrysim's
 * is what retrysim's generality costs on this model, and its ratio to
 * SimPy is roughly the most any simulator of this model could reach
 * (docs/performance.md, "The floor").
 *
 * Events run on retrysim's own engine (sim/engine/eventq.h: the binary
 * heap a 1k-client run uses), so the difference is the model's alone; each
 * client is a small state machine whose state says what its next event
 * means. Draws come from GSL (taus2; ziggurat normals, exponentials).
 * Prints one line, as simpy_model.py: clients, duration, requests,
 * attempts, success rate, wall seconds of the event loop.
 * Usage: bare_model CLIENTS [DURATION_S] [SEED]
 */
#include "eventq.h"
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define NS 1000000000.0

enum { EV_CLIENT, EV_RELEASE, EV_RATE };
/* what a client's next event means */
enum { C_REQUEST, C_ATTEMPT, C_DONE, C_TIMED_OUT };

typedef struct {
    int state, attempt;
} client;

typedef struct {
    double rate, tokens;    /* per second; tokens in the bucket */
    int64_t at;             /* of the last refill, ns */
    long in_service, concurrency;
} provider;

typedef struct {
    gsl_rng *r;
    client  *cl;
    provider p;
    double   mu;            /* log of the median service, s */
    int64_t  timeout;
    long     requests, attempts, successes, give_ups;
} model;

static void refill(provider *p, int64_t t)
{
    double dt = (double)(t - p->at) / NS;
    p->at = t;
    if (dt > 0) {
        double full = p->tokens + p->rate * dt;
        p->tokens = full < p->rate ? full : p->rate;   /* depth = rate x 1 s */
    }
}

static inline int64_t ns_of(double s) { return (int64_t)(s * NS + 0.5); }   /* s >= 0 */

/* The storm window's start and end: the bucket's rate changes (arg: rpm). */
static void on_rate(sim_engine *e, const sim_event *ev, void *ctx)
{
    model *m = ctx;
    refill(&m->p, e->now);
    m->p.rate = ev->arg / 60.0;
    m->p.tokens = m->p.tokens < m->p.rate ? m->p.tokens : m->p.rate;
}

/* The provider finishes an attempt its client stopped waiting for. */
static void on_release(sim_engine *e, const sim_event *ev, void *ctx)
{
    (void)e; (void)ev;
    ((model *)ctx)->p.in_service--;
}

static void next_request(sim_engine *e, model *m, client *c, uint32_t who)
{
    c->state = C_REQUEST;
    sim_schedule(e, e->now + ns_of(gsl_ran_exponential(m->r, 1.0)), EV_CLIENT, who, 0, 0);
}

static void on_client(sim_engine *e, const sim_event *ev, void *ctx)
{
    model *m = ctx;
    provider *p = &m->p;
    client *c = &m->cl[ev->ent];
    int64_t now = e->now;
    double hint = -1;             /* the failed attempt's Retry-After, s */
    switch (c->state) {
    case C_DONE:                  /* served within the timeout */
        p->in_service--;
        m->successes++;
        next_request(e, m, c, ev->ent);
        return;
    case C_TIMED_OUT:
        break;
    case C_REQUEST:
        m->requests++;
        c->attempt = 0;
        /* fall through */
    case C_ATTEMPT:
        c->attempt++;
        m->attempts++;
        refill(p, now);
        if (p->tokens < 1) {
            hint = ceil((1 - p->tokens) / p->rate * 1e3) / 1e3;   /* until one token is back, in ms */
            break;
        }
        p->tokens -= 1;
        if (p->in_service >= p->concurrency) break;   /* 503 */
        p->in_service++;
        double service = (exp(m->mu + 0.3 * gsl_ran_gaussian_ziggurat(m->r, 1.0)) + 100 * 0.005)
                         * exp(0.2 * gsl_ran_gaussian_ziggurat(m->r, 1.0));
        if (service <= 30.0) {
            c->state = C_DONE;
            sim_schedule(e, now + ns_of(service), EV_CLIENT, ev->ent, 0, 0);
        } else {                  /* the client stops waiting at 30 s; the provider serves on */
            c->state = C_TIMED_OUT;
            sim_schedule(e, now + m->timeout, EV_CLIENT, ev->ent, 0, 0);
            sim_schedule(e, now + ns_of(service), EV_RELEASE, 0, 0, 0);
        }
        return;
    }
    if (c->attempt >= 5) {        /* the attempt failed: give up, or back off */
        m->give_ups++;
        next_request(e, m, c, ev->ent);
        return;
    }
    double cap = ldexp(1.0, c->attempt - 1);
    double delay = hint >= 0 ? hint : gsl_rng_uniform(m->r) * (cap < 30.0 ? cap : 30.0);
    c->state = C_ATTEMPT;
    sim_schedule(e, now + ns_of(delay), EV_CLIENT, ev->ent, 0, 0);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bare_model CLIENTS [DURATION_S] [SEED]\n");
        return 2;
    }
    long n = atol(argv[1]);
    double duration = argc > 2 ? atof(argv[2]) : 60.0;
    unsigned long seed = argc > 3 ? strtoul(argv[3], NULL, 10) : 1;
    if (n < 1 || n > 100000000 || !(duration > 0 && duration < 1e6)) {
        fprintf(stderr, "bare_model: CLIENTS must be 1..1e8 and DURATION_S in (0, 1e6)\n");
        return 2;
    }
    model m = { .r = gsl_rng_alloc(gsl_rng_taus2), .cl = calloc((size_t)n, sizeof(client)),
                .p = { .rate = (double)n, .tokens = (double)n, .concurrency = n },
                .mu = log(0.4), .timeout = ns_of(30.0) };
    sim_engine e;
    if (!m.r || !m.cl || sim_engine_init(&e, SIM_QUEUE_BINARY, (size_t)n + 16)) {
        fprintf(stderr, "bare_model: out of memory\n");
        return 2;
    }
    gsl_rng_set(m.r, seed);
    sim_engine_on(&e, EV_CLIENT, on_client, NULL, &m);
    sim_engine_on(&e, EV_RELEASE, on_release, NULL, &m);
    sim_engine_on(&e, EV_RATE, on_rate, NULL, &m);
    int64_t at = ns_of(duration / 3);
    sim_schedule(&e, at, EV_RATE, 0, 0, 6000);
    sim_schedule(&e, at + ns_of(duration / 4), EV_RATE, 0, 0, (uint32_t)(n * 60));
    for (long i = 0; i < n; i++) sim_schedule(&e, ns_of(gsl_rng_uniform(m.r)), EV_CLIENT, (uint32_t)i, 0, 0);

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    sim_run(&e, ns_of(duration));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (e.error) {
        fprintf(stderr, "bare_model: out of memory\n");
        return 2;
    }
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / NS;
    long fin = m.successes + m.give_ups;
    printf("%ld %g %ld %ld %.6f %.6f\n", n, duration, m.requests, m.attempts,
           fin ? (double)m.successes / (double)fin : NAN, wall);
    sim_engine_free(&e);
    free(m.cl);
    gsl_rng_free(m.r);
    return 0;
}
