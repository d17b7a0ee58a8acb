/* eventq.c — implicit d-ary heap of sim_event ordered by (t, seq), and the
 * run loop. Sifts move a hole instead of swapping (one store per level).
 * Invariant: heap[i] <= heap[child] for every child; seq strictly increases
 * with insertions, so (t, seq) is a total order and pops are deterministic.
 * During a dispatch the handled event stays at the root until the handler's
 * first schedule replaces it (or the handler returns and it is removed):
 * the common "handle, then schedule the next event" costs one sift-down. */
#include "eventq.h"
#include "pol_common.h"
#include <stdlib.h>
#include <string.h>

static inline int ev_less(const sim_event *a, const sim_event *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

int sim_engine_init(sim_engine *e, int arity, size_t initial_cap)
{
    if (!e || (arity != 2 && arity != 4)) return POL_EINVAL;
    memset(e, 0, sizeof *e);
    e->arity = arity;
    e->cap = initial_cap < 16 ? 16 : initial_cap;
    e->heap = malloc(e->cap * sizeof *e->heap);
    return e->heap ? POL_OK : POL_ENOMEM;
}

void sim_engine_free(sim_engine *e)
{
    if (!e) return;
    free(e->heap);
    e->heap = NULL;
    e->n = e->cap = 0;
}

void sim_engine_clear(sim_engine *e)
{
    e->n = 0;
    e->seq = 0;
    e->now = 0;
    e->stopped = 0;
    e->root_free = 0;
    e->dispatched = e->skipped = 0;
}

int sim_engine_on(sim_engine *e, uint32_t kind, sim_handler fn, sim_live_fn live, void *ctx)
{
    if (!e || kind >= SIM_MAX_KINDS || !fn) return POL_EINVAL;
    e->kinds[kind] = (sim_kind_entry){ fn, live, ctx };
    return POL_OK;
}

#define ALWAYS_INLINE static inline __attribute__((always_inline))

/* D is a compile-time constant at every call site, so each arity gets its
 * own specialised loop. */
ALWAYS_INLINE void sift_up(sim_event *h, size_t i, sim_event x, const size_t D)
{
    while (i > 0) {
        size_t p = (i - 1) / D;
        if (!ev_less(&x, &h[p])) break;
        h[i] = h[p];
        i = p;
    }
    h[i] = x;
}

ALWAYS_INLINE void sift_down(sim_event *h, size_t n, sim_event x, const size_t D)
{
    size_t i = 0;
    for (;;) {
        size_t c = D * i + 1;
        if (c >= n) break;
        size_t m = c;
        if (c + D <= n) {
            for (size_t k = 1; k < D; k++)
                if (ev_less(&h[c + k], &h[m])) m = c + k;
        } else {
            for (size_t k = c + 1; k < n; k++)
                if (ev_less(&h[k], &h[m])) m = k;
        }
        if (!ev_less(&h[m], &x)) break;
        h[i] = h[m];
        i = m;
    }
    h[i] = x;
}

static int grow(sim_engine *e)
{
    size_t nc = e->cap * 2;
    sim_event *nh = realloc(e->heap, nc * sizeof *nh);
    if (!nh) return POL_ENOMEM;
    e->heap = nh;
    e->cap = nc;
    return POL_OK;
}

/* While a handler runs, the event it handles is still at the root
 * (root_free = 1): the first event it schedules replaces the root and sifts
 * down once, instead of a pop and a push. */
int sim_schedule(sim_engine *e, int64_t t, uint32_t kind, uint32_t ent, uint32_t gen, uint32_t arg)
{
    if (t < e->now) t = e->now;
    sim_event x = { t, e->seq++, kind, ent, gen, arg };
    if (e->root_free) {
        e->root_free = 0;
        if (e->arity == 4) sift_down(e->heap, e->n, x, 4);
        else sift_down(e->heap, e->n, x, 2);
        return POL_OK;
    }
    if (e->n == e->cap && grow(e)) return POL_ENOMEM;
    if (e->arity == 4) sift_up(e->heap, e->n++, x, 4);
    else sift_up(e->heap, e->n++, x, 2);
    return POL_OK;
}

ALWAYS_INLINE void remove_root(sim_engine *e, const size_t D)
{
    sim_event last = e->heap[--e->n];
    if (e->n) sift_down(e->heap, e->n, last, D);
}

int sim_pop(sim_engine *e, sim_event *out)
{
    if (e->n == 0) return 0;
    *out = e->heap[0];
    if (e->arity == 4) remove_root(e, 4);
    else remove_root(e, 2);
    return 1;
}

ALWAYS_INLINE uint64_t run_loop(sim_engine *e, int64_t stop, const size_t D)
{
    uint64_t count = 0;
    while (e->n && !e->stopped && e->heap[0].t <= stop) {
        sim_event ev = e->heap[0];
        e->now = ev.t;
        const sim_kind_entry *k = &e->kinds[ev.kind];
        if (k->live && !k->live(&ev, k->ctx)) {
            e->skipped++;
            remove_root(e, D);
            continue;
        }
        e->root_free = 1;
        k->fn(e, &ev, k->ctx);
        if (e->root_free) { e->root_free = 0; remove_root(e, D); }
        count++;
    }
    return count;
}

uint64_t sim_run(sim_engine *e, int64_t stop)
{
    e->stopped = 0;
    uint64_t count = e->arity == 4 ? run_loop(e, stop, 4) : run_loop(e, stop, 2);
    e->dispatched += count;
    if (!e->stopped && e->now < stop) e->now = stop;
    return count;
}
