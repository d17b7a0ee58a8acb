/* pol_breaker.c — circuit breakers (pol_breaker.h).
 * Invariants: probes_admitted <= half_open_probes in every half-open period
 * (half_open PROBES; ALL admits every call and the first result decides);
 * probes_recorded <= probes_admitted; the count ring's ring_fail/ring_slow
 * equal the flags of its ring_len newest entries; every state change goes
 * through move(), which counts it.
 * Cost: O(1) per allow/record; the ring is allocated once in init.
 */
#include "pol_breaker.h"
#include "pol_internal.h"
#include <stdlib.h>
#include <string.h>

enum { C_CALLS = 0, C_FAILS, C_SLOW, N_COUNTERS };
#define POLLY_SLICES 10

static const char *const state_names[]  = { "closed", "open", "half-open" };
static const char *const answer_names[] = { "allow", "reject", "probe" };
static const char *const kind_names[POL_BREAKER__COUNT] = { "consecutive", "rate", "ratio" };

const char *pol_breaker_state_name(pol_breaker_state s)   { return pol_name_of(state_names, 3, (int)s); }
const char *pol_breaker_answer_name(pol_breaker_answer a) { return pol_name_of(answer_names, 3, (int)a); }
POL_NAME_FUNCS(pol_breaker_kind, pol_breaker_kind_name, pol_breaker_kind_parse, kind_names, POL_BREAKER__COUNT)

void pol_breaker_default(pol_breaker_kind k, pol_breaker_cfg *out)
{
    if (!out) return;
    pol_breaker_cfg c = {
        .kind = k,
        .fail_max = 5,                              /* pybreaker */
        .window_kind = POL_WINDOW_COUNT_BASED,      /* Resilience4j */
        .window_size = 100, .min_calls = 100,
        .failure_rate = 50.0, .slow_rate = 100.0, .slow_duration = 60 * POL_NS_PER_S,
        .failure_ratio = 0.1,                       /* Polly v8 */
        .sampling = 30 * POL_NS_PER_S, .min_throughput = 100,
        .break_duration = 60 * POL_NS_PER_S,
        .break_max = 0,
        .half_open_probes = 1,
        .half_open_max_wait = 0,
    };
    if (k == POL_BREAKER_RATE) c.half_open_probes = 10;
    if (k == POL_BREAKER_RATIO) c.break_duration = 5 * POL_NS_PER_S;
    pol_failmask_default(&c.fail);
    *out = c;
}

int pol_breaker_validate(const pol_breaker_cfg *c)
{
    if (!c || (int)c->kind < 0 || c->kind >= POL_BREAKER__COUNT) return POL_EINVAL;
    if (c->break_duration <= 0 || c->break_max < 0 || c->half_open_probes < 1
        || c->half_open_max_wait < 0) return POL_EINVAL;
    if (c->half_open != POL_BREAKER_HALF_OPEN_PROBES && c->half_open != POL_BREAKER_HALF_OPEN_ALL)
        return POL_EINVAL;
    switch (c->kind) {
    case POL_BREAKER_CONSECUTIVE:
        return c->fail_max >= 1 ? POL_OK : POL_EINVAL;
    case POL_BREAKER_RATE:
        if (c->window_kind != POL_WINDOW_COUNT_BASED && c->window_kind != POL_WINDOW_TIME_BASED)
            return POL_EINVAL;
        if (c->window_size < 1 || c->window_size > 1000000 || c->min_calls < 1) return POL_EINVAL;
        if (!(c->failure_rate > 0 && c->failure_rate <= 100)) return POL_EINVAL;
        if (!(c->slow_rate > 0 && c->slow_rate <= 100) || c->slow_duration <= 0) return POL_EINVAL;
        return POL_OK;
    case POL_BREAKER_RATIO:
        if (!(c->failure_ratio > 0 && c->failure_ratio <= 1)) return POL_EINVAL;
        return c->sampling >= POLLY_SLICES && c->min_throughput >= 2 ? POL_OK : POL_EINVAL;
    default:
        return POL_EINVAL;
    }
}

int pol_breaker_init(pol_breaker *b, const pol_breaker_cfg *c)
{
    if (!b) return POL_EINVAL;
    int rc = pol_breaker_validate(c);
    if (rc) return rc;
    memset(b, 0, sizeof *b);
    b->cfg = *c;
    if (c->kind == POL_BREAKER_RATE && c->window_kind == POL_WINDOW_COUNT_BASED) {
        b->ring = calloc((size_t)c->window_size, 1);
        if (!b->ring) return POL_ENOMEM;
    } else if (c->kind != POL_BREAKER_CONSECUTIVE) {
        int n = c->kind == POL_BREAKER_RATE ? c->window_size : POLLY_SLICES;
        pol_ns slice = c->kind == POL_BREAKER_RATE ? POL_NS_PER_S : c->sampling / POLLY_SLICES;
        b->cells = calloc(pol_window_cells(n, N_COUNTERS), sizeof *b->cells);
        if (!b->cells) return POL_ENOMEM;
        pol_window_init(&b->win, slice, n, N_COUNTERS, b->cells);
    }
    pol_breaker_reset(b);
    return POL_OK;
}

void pol_breaker_free(pol_breaker *b)
{
    if (!b) return;
    free(b->ring);
    free(b->cells);
    b->ring = NULL;
    b->cells = NULL;
}

static void clear_stats(pol_breaker *b)
{
    b->consecutive = 0;
    b->ring_head = b->ring_len = b->ring_fail = b->ring_slow = 0;
    if (b->ring) memset(b->ring, 0, (size_t)b->cfg.window_size);
    if (b->cells) pol_window_reset(&b->win);
}

void pol_breaker_reset(pol_breaker *b)
{
    if (!b) return;
    clear_stats(b);
    b->state = POL_BREAKER_CLOSED;
    b->open_until = b->half_open_at = 0;
    b->openings = 0;
    b->probes_admitted = b->probes_recorded = b->probe_failures = b->probe_slow = 0;
    b->transitions = 0;
}

/* The break of the current opening (b->openings of them in a row). */
static pol_ns break_length(const pol_breaker *b)
{
    pol_ns d = b->cfg.break_duration;
    if (b->cfg.break_max > 0) {
        d = b->openings > b->cfg.break_max / b->cfg.break_duration
            ? b->cfg.break_max : b->cfg.break_duration * b->openings;
        if (d < b->cfg.break_duration) d = b->cfg.break_duration;
    }
    return d;
}

static void move(pol_breaker *b, pol_breaker_state to, pol_ns now)
{
    b->state = to;
    b->transitions++;
    if (to == POL_BREAKER_OPEN) {
        b->openings++;
        pol_ns d = break_length(b);
        b->open_until = now > POL_NS_MAX - d ? POL_NS_MAX : now + d;
    } else if (to == POL_BREAKER_HALF_OPEN) {
        b->half_open_at = now;
        b->probes_admitted = b->probes_recorded = b->probe_failures = b->probe_slow = 0;
    } else {
        b->openings = 0;
        clear_stats(b);
    }
}

/* HALF_OPEN timeout on lost probes: back to OPEN. */
static void check_half_open_wait(pol_breaker *b, pol_ns now)
{
    if (b->state == POL_BREAKER_HALF_OPEN && b->cfg.half_open_max_wait > 0
        && b->probes_recorded < b->probes_admitted
        && now - b->half_open_at >= b->cfg.half_open_max_wait)
        move(b, POL_BREAKER_OPEN, now);
}

pol_breaker_answer pol_breaker_allow(pol_breaker *b, pol_ns now)
{
    if (!b) return POL_BREAKER_ALLOW;
    check_half_open_wait(b, now);
    if (b->state == POL_BREAKER_OPEN) {
        if (now < b->open_until) return POL_BREAKER_REJECT;
        move(b, POL_BREAKER_HALF_OPEN, now);
    }
    if (b->state == POL_BREAKER_HALF_OPEN) {
        if (b->cfg.half_open == POL_BREAKER_HALF_OPEN_PROBES
            && b->probes_admitted >= b->cfg.half_open_probes) return POL_BREAKER_REJECT;
        b->probes_admitted++;
        return POL_BREAKER_PROBE;
    }
    return POL_BREAKER_ALLOW;
}

void pol_breaker_cancel(pol_breaker *b)
{
    if (b && b->state == POL_BREAKER_HALF_OPEN && b->probes_admitted > b->probes_recorded)
        b->probes_admitted--;
}

/* Percentages as Resilience4j computes them: rate >= threshold trips. */
static int over(int64_t part, int64_t calls, double threshold_pct)
{
    return calls > 0 && (double)part * 100.0 / (double)calls >= threshold_pct;
}

static void record_closed(pol_breaker *b, pol_ns now, int failed, int slow)
{
    const pol_breaker_cfg *c = &b->cfg;
    int trip = 0;
    switch (c->kind) {
    case POL_BREAKER_CONSECUTIVE:
        b->consecutive = failed ? b->consecutive + 1 : 0;
        trip = b->consecutive >= c->fail_max;
        break;
    case POL_BREAKER_RATE: {
        int64_t calls, fails, slows, min_calls = c->min_calls;
        if (b->ring) {
            uint8_t *e = &b->ring[b->ring_head];
            if (b->ring_len == c->window_size) {
                b->ring_fail -= *e & 1;
                b->ring_slow -= (*e >> 1) & 1;
            } else {
                b->ring_len++;
            }
            *e = (uint8_t)((failed ? 1 : 0) | (slow ? 2 : 0));
            b->ring_fail += failed ? 1 : 0;
            b->ring_slow += slow ? 1 : 0;
            b->ring_head = (b->ring_head + 1) % c->window_size;
            calls = b->ring_len; fails = b->ring_fail; slows = b->ring_slow;
            if (min_calls > c->window_size) min_calls = c->window_size;
        } else {
            pol_window_add(&b->win, now, C_CALLS, 1);
            pol_window_add(&b->win, now, C_FAILS, failed ? 1 : 0);
            pol_window_add(&b->win, now, C_SLOW, slow ? 1 : 0);
            calls = b->win.sum[C_CALLS]; fails = b->win.sum[C_FAILS]; slows = b->win.sum[C_SLOW];
        }
        trip = calls >= min_calls && (over(fails, calls, c->failure_rate) || over(slows, calls, c->slow_rate));
        break;
    }
    case POL_BREAKER_RATIO:
        pol_window_add(&b->win, now, C_CALLS, 1);
        pol_window_add(&b->win, now, C_FAILS, failed ? 1 : 0);
        trip = failed && b->win.sum[C_CALLS] >= c->min_throughput
            && (double)b->win.sum[C_FAILS] >= c->failure_ratio * (double)b->win.sum[C_CALLS];
        break;
    default:
        break;
    }
    if (trip) move(b, POL_BREAKER_OPEN, now);
}

static void record_probe(pol_breaker *b, pol_ns now, int failed, int slow)
{
    const pol_breaker_cfg *c = &b->cfg;
    if (c->half_open == POL_BREAKER_HALF_OPEN_ALL) {           /* any result decides (the seed) */
        move(b, failed ? POL_BREAKER_OPEN : POL_BREAKER_CLOSED, now);
        return;
    }
    if (b->probes_recorded >= b->probes_admitted) return;     /* not a probe's result */
    b->probes_recorded++;
    b->probe_failures += failed ? 1 : 0;
    b->probe_slow += slow ? 1 : 0;
    if (c->kind != POL_BREAKER_RATE) {
        if (failed) move(b, POL_BREAKER_OPEN, now);
        else if (b->probes_recorded >= c->half_open_probes) move(b, POL_BREAKER_CLOSED, now);
        return;
    }
    if (b->probes_recorded < c->half_open_probes) return;
    int n = b->probes_recorded;
    if (over(b->probe_failures, n, c->failure_rate) || over(b->probe_slow, n, c->slow_rate))
        move(b, POL_BREAKER_OPEN, now);
    else
        move(b, POL_BREAKER_CLOSED, now);
}

int pol_breaker_record_result(pol_breaker *b, pol_ns now, int failed, pol_ns duration)
{
    if (!b || duration < 0) return POL_EINVAL;
    check_half_open_wait(b, now);
    int slow = b->cfg.kind == POL_BREAKER_RATE && duration > b->cfg.slow_duration;
    if (b->state == POL_BREAKER_CLOSED) record_closed(b, now, failed, slow);
    else if (b->state == POL_BREAKER_HALF_OPEN) record_probe(b, now, failed, slow);
    else if (b->cfg.half_open == POL_BREAKER_HALF_OPEN_ALL) {   /* OPEN, the seed's rules */
        if (!failed) {
            move(b, POL_BREAKER_CLOSED, now);
        } else {
            pol_ns d = break_length(b);
            pol_ns until = now > POL_NS_MAX - d ? POL_NS_MAX : now + d;
            if (until > b->open_until) b->open_until = until;
        }
    }
    return POL_OK;                                          /* else OPEN: ignored */
}

int pol_breaker_record(pol_breaker *b, pol_ns now, const pol_outcome *o, pol_ns duration)
{
    if (!b || !o) return POL_EINVAL;
    return pol_breaker_record_result(b, now, pol_failmask_test(&b->cfg.fail, o), duration);
}

pol_breaker_state pol_breaker_state_at(const pol_breaker *b, pol_ns now)
{
    if (!b) return POL_BREAKER_CLOSED;
    if (b->state == POL_BREAKER_OPEN && now >= b->open_until) return POL_BREAKER_HALF_OPEN;
    if (b->state == POL_BREAKER_HALF_OPEN && b->cfg.half_open_max_wait > 0
        && b->probes_recorded < b->probes_admitted
        && now - b->half_open_at >= b->cfg.half_open_max_wait) return POL_BREAKER_OPEN;
    return b->state;
}

uint64_t pol_breaker_transitions(const pol_breaker *b)
{
    return b ? b->transitions : 0;
}
