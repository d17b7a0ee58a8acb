/* eventq.c — implicit d-ary heap of sim_event ordered by (t, seq), the
 * dispatch to the ladder queue (ladder.c), and the run loop. Sifts move a
 * hole instead of swapping (one store per level).
 * Invariant: heap[i] <= heap[child] for every child; seq strictly increases
 * with insertions, so (t, seq) is a total order and pops are deterministic.
 * Heaps: during a dispatch the handled event stays at the root until the
 * handler's first schedule replaces it (or the handler returns and it is
 * removed): the common "handle, then schedule the next event" costs one
 * sift-down. Ladder: the event is taken out before its handler runs, and
 * the heap (Bottom) is refilled from the rungs whenever it runs empty.
 * Layout: the heap array starts 32 bytes into a 64-byte line, so the two
 * children 2i+1, 2i+2 of a binary node (32 bytes each) always share one
 * cache line: a sift-down level costs one line, not two (LaMarca and
 * Ladner, "The influence of caches on the performance of heaps", 1996). */
#include "eventq.h"
#include "ladder.h"
#include "mem.h"
#include "pol_common.h"
#include <stdlib.h>
#include <string.h>


/* (t, seq) as one 128-bit unsigned number, which orders as the pair does
 * since t >= 0 (sim_schedule never schedules before now, which starts at
 * 0): a comparison is a compare and a borrow, where the pair took two
 * compares, an equality and their logic. */
__extension__ typedef unsigned __int128 ev_key;
static inline ev_key ev_key_of(const sim_event *a) { return (ev_key)(uint64_t)a->t << 64 | a->seq; }
static inline int ev_less(const sim_event *a, const sim_event *b) { return ev_key_of(a) < ev_key_of(b); }

/* The same order without branches: the choice between two children is a
 * coin flip to the branch predictor (one miss, ~15 cycles, per level), so
 * a binary sift-down picks the smaller child by arithmetic instead -- while
 * the heap is small. In a heap far beyond the caches the branchy loop wins:
 * its speculation starts the next level's load before the comparison is
 * known, the arithmetic makes each level's load wait for the last
 * (bench engine, hold model: 0.64-0.88 of the branchy loop's time up to 1e5
 * events, 1.5-2x at 1e6 and 1e7; docs/performance.md). */
#define SIFT_BRANCHLESS_MAX ((size_t)1 << 17)   /* entries: 4 MiB of heap */
static inline size_t ev_less_bit(const sim_event *a, const sim_event *b)
{
    return (size_t)(ev_key_of(a) < ev_key_of(b));
}

/* Room for cap entries, heap[1] on a 64-byte boundary (see above); the
 * first n entries copied over. */
static int heap_realloc(sim_engine *e, size_t cap)
{
    if (cap > (SIZE_MAX - 128) / sizeof *e->heap) return POL_ENOMEM;
    size_t bytes = ((cap + 1) * sizeof *e->heap + 63) & ~(size_t)63;
    void *raw = aligned_alloc(64, bytes);
    if (!raw) return POL_ENOMEM;
    sim_mem_hugepages(raw, bytes);
    sim_event *h = (sim_event *)((char *)raw + 64 - sizeof *h);
    if (e->heap_raw) {
        memcpy(h, e->heap, e->nheap * sizeof *h);
        free(e->heap_raw);
    }
    e->heap_raw = raw;
    e->heap = h;
    e->cap = cap;
    return POL_OK;
}

int sim_engine_init(sim_engine *e, int queue, size_t initial_cap)
{
    if (!e || (queue != SIM_QUEUE_BINARY && queue != SIM_QUEUE_4ARY && queue != SIM_QUEUE_LADDER)) return POL_EINVAL;
    memset(e, 0, sizeof *e);
    e->arity = queue == SIM_QUEUE_4ARY ? 4 : 2;
    size_t cap = initial_cap < 16 ? 16 : initial_cap;
    if (queue == SIM_QUEUE_LADDER && cap > 1024) cap = 1024;   /* Bottom stays small */
    if (heap_realloc(e, cap)) return POL_ENOMEM;
    if (queue == SIM_QUEUE_LADDER && sim_ladder_new(e)) { sim_engine_free(e); return POL_ENOMEM; }
    return POL_OK;
}

void sim_engine_free(sim_engine *e)
{
    if (!e) return;
    if (e->lq) sim_ladder_free(e);
    free(e->heap_raw);
    e->heap_raw = NULL;
    e->heap = NULL;
    e->n = e->nheap = e->cap = 0;
}

void sim_engine_clear(sim_engine *e)
{
    if (e->lq) sim_ladder_clear(e);
    e->n = e->nheap = 0;
    e->seq = 0;
    e->now = 0;
    e->stopped = 0;
    e->error = 0;
    e->root_free = 0;
    e->dispatched = e->skipped = 0;
}

int sim_engine_on(sim_engine *e, uint32_t kind, sim_handler fn, sim_live_fn live, void *ctx)
{
    if (!e || kind >= SIM_MAX_KINDS || !fn) return POL_EINVAL;
    e->kinds[kind] = (sim_kind_entry){ fn, live, ctx, NULL };
    return POL_OK;
}

int sim_engine_prefetch(sim_engine *e, uint32_t kind, sim_addr_fn addr)
{
    if (!e || kind >= SIM_MAX_KINDS) return POL_EINVAL;
    e->kinds[kind].addr = addr;
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

/* The entry at byte offset o of the heap. */
static inline sim_event *ev_at(char *b, size_t o) { return (sim_event *)(b + o); }

/* On byte offsets: node i is at o = 32 i and its first child at D o + 32,
 * so a level's loads and stores address b + o directly, where an index
 * took a shift and an add for each of the entries it touches; the
 * branchless choice of a child is then a conditional move of its offset
 * (and of its key, loaded once). */
ALWAYS_INLINE void sift_down_(sim_event *h, size_t n, sim_event x, const size_t D, const int branchless)
{
    char *b = (char *)h;
    const size_t E = sizeof *h, nb = n * E;
    size_t o = 0;
    for (;;) {
        size_t c = D * o + E;
        if (c >= nb) break;
        size_t m = c;
        if (c + D * E <= nb) {
            if (D == 2 && branchless) m = ev_less_bit(ev_at(b, c + E), ev_at(b, c)) ? c + E : c;
            else
                for (size_t k = c + E; k < c + D * E; k += E)
                    if (ev_less(ev_at(b, k), ev_at(b, m))) m = k;
        } else {
            for (size_t k = c + E; k < nb; k += E)
                if (ev_less(ev_at(b, k), ev_at(b, m))) m = k;
        }
        if (!ev_less(ev_at(b, m), &x)) break;
        *ev_at(b, o) = *ev_at(b, m);
        o = m;
    }
    *ev_at(b, o) = x;
}

ALWAYS_INLINE void sift_down(sim_event *h, size_t n, sim_event x, const size_t D)
{
    if (D == 2 && n <= SIFT_BRANCHLESS_MAX) sift_down_(h, n, x, D, 1);
    else sift_down_(h, n, x, D, 0);
}

/* Heap storage. */
static int grow(sim_engine *e)
{
    return heap_realloc(e, e->cap * 2);
}

/* The heap part: push x (the ladder's Bottom uses it too). */
int sim_heap_push(sim_engine *e, const sim_event *x)
{
    if (e->nheap == e->cap && grow(e)) return POL_ENOMEM;
    if (e->arity == 4) sift_up(e->heap, e->nheap++, *x, 4);
    else sift_up(e->heap, e->nheap++, *x, 2);
    return POL_OK;
}

/* An allocation failed: an event would be lost, so the run cannot go on
 * (sticky; sim_run dispatches nothing more). */
static int oom(sim_engine *e)
{
    e->error = POL_ENOMEM;
    e->stopped = 1;
    return POL_ENOMEM;
}

/* While a handler runs, the event it handles is still at the root
 * (root_free = 1, heaps only): the first event it schedules replaces the
 * root and sifts down once, instead of a pop and a push. */

/* Whether an event at t, replacing a binary heap's root, stays there: it
 * is at the current instant and both of the root's children are later. A
 * handler's first schedule is most often the next step of an attempt at
 * the same instant (zero network legs), which then costs no level of a
 * sift-down; a later event is told apart by its first comparison. */
static inline int stays_at_root(const sim_engine *e, int64_t t)
{
    return t == e->now && e->arity == 2 && e->nheap >= 3 && t < e->heap[1].t && t < e->heap[2].t;
}

/* x replaces the root and sifts down; out of line, as is push_new, so that
 * a schedule that stays at the root saves none of their registers. */
static __attribute__((noinline)) int sift_root(sim_engine *e, const sim_event *x)
{
    if (e->arity == 4) sift_down(e->heap, e->nheap, *x, 4);
    else sift_down(e->heap, e->nheap, *x, 2);
    return POL_OK;
}

static __attribute__((noinline)) int push_new(sim_engine *e, const sim_event *x)
{
    if (e->lq) {
        if (sim_ladder_push(e, x)) return oom(e);
        e->n++;
        return POL_OK;
    }
    if (sim_heap_push(e, x)) return oom(e);
    e->n++;
    return POL_OK;
}

int sim_schedule(sim_engine *e, int64_t t, uint32_t kind, uint32_t ent, uint32_t gen, uint32_t arg)
{
    if (t < e->now) t = e->now;
    if (e->rec && e->rec_n < e->rec_cap) e->rec[e->rec_n++] = t - e->now;
    sim_event x = { t, e->seq++, kind, ent, gen, arg };
    if (e->root_free && (!e->lq || sim_ladder_in_bottom(e, t))) {
        e->root_free = 0;
        if (!stays_at_root(e, t)) return sift_root(e, &x);
        e->heap[0] = x;
        return POL_OK;
    }
    return push_new(e, &x);
}

ALWAYS_INLINE void remove_root(sim_engine *e, const size_t D)
{
    sim_event last = e->heap[--e->nheap];
    if (e->nheap) sift_down(e->heap, e->nheap, last, D);
}

/* Removes the root; the ladder then refills an empty Bottom. */
static inline int take_root(sim_engine *e)
{
    remove_root(e, 2);
    e->n--;
    return e->nheap == 0 && e->n && sim_ladder_refill(e) ? oom(e) : POL_OK;
}

int sim_pop(sim_engine *e, sim_event *out)
{
    if (e->n == 0) return 0;
    *out = e->heap[0];
    if (e->lq) take_root(e);
    else {
        if (e->arity == 4) remove_root(e, 4);
        else remove_root(e, 2);
        e->n--;
    }
    return 1;
}

/* The next root is heap[1] or heap[2] (or an event the handler schedules):
 * their entities are fetched while the root's handler runs. Only in a large
 * model: with fewer pending events than SIM_PREFETCH_MIN the entities are
 * in the caches anyway, and the hints' calls cost instructions (callgrind,
 * bench model's scenario at 1k clients: +3.5%). */
#define SIM_PREFETCH_MIN 8192
ALWAYS_INLINE void prefetch_next(const sim_engine *e)
{
    if (e->n < SIM_PREFETCH_MIN) return;
    for (size_t i = 1; i <= 2 && i < e->nheap; i++) {
        const sim_kind_entry *k = &e->kinds[e->heap[i].kind];
        if (k->addr) __builtin_prefetch(k->addr(&e->heap[i], k->ctx));
    }
}

ALWAYS_INLINE uint64_t run_loop(sim_engine *e, int64_t stop, const size_t D)
{
    uint64_t count = 0;
    while (e->n && !e->stopped && e->heap[0].t <= stop) {
        sim_event ev = e->heap[0];
        e->now = ev.t;
        prefetch_next(e);
        const sim_kind_entry *k = &e->kinds[ev.kind];
        if (k->live && !k->live(&ev, k->ctx)) {
            e->skipped++;
            remove_root(e, D);
            e->n--;
            continue;
        }
        e->root_free = 1;
        k->fn(e, &ev, k->ctx);
        if (e->root_free) { e->root_free = 0; remove_root(e, D); e->n--; }
        count++;                     /* else its place went to the handler's first event: n unchanged */
    }
    return count;
}

/* As run_loop, with the handled event left at Bottom's root while its
 * handler runs: a first schedule that belongs in Bottom replaces it
 * (sim_ladder_in_bottom); else the root is taken after the handler, and an
 * emptied Bottom is refilled from the rungs. */
static uint64_t run_ladder(sim_engine *e, int64_t stop)
{
    uint64_t count = 0;
    while (e->n && !e->stopped && e->heap[0].t <= stop) {
        sim_event ev = e->heap[0];
        e->now = ev.t;
        prefetch_next(e);
        const sim_kind_entry *k = &e->kinds[ev.kind];
        if (k->live && !k->live(&ev, k->ctx)) {
            e->skipped++;
            if (take_root(e)) break;   /* out of memory: refill failed (e->error) */
            continue;
        }
        e->root_free = 1;
        k->fn(e, &ev, k->ctx);
        count++;
        if (e->root_free) {
            e->root_free = 0;
            if (take_root(e)) break;
        }
    }
    return count;
}

uint64_t sim_run(sim_engine *e, int64_t stop)
{
    if (e->error) return 0;
    e->stopped = 0;
    uint64_t count = e->lq ? run_ladder(e, stop) : e->arity == 4 ? run_loop(e, stop, 4) : run_loop(e, stop, 2);
    e->dispatched += count;
    if (!e->stopped && e->now < stop) e->now = stop;
    return count;
}
