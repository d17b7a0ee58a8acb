/* ladder.c — the ladder queue (see ladder.h for the structure, its
 * invariant and the paper).
 *
 * Buckets and Top are lists of chunks (ladder.h) from one pool (index
 * links, a free list), so an event costs no allocation of its own. Bucket
 * arithmetic is on unsigned offsets from the rung's start, so ranges up to
 * the whole int64 span work: a rung of nb buckets of width w covers
 * [start, start + nb*w), and w is chosen as range/nb + 1 so that nb*w
 * exceeds the range it must hold. Within a bucket the events are in no
 * order: Bottom, the engine's binary heap (sim_heap_push / the engine's
 * pops), orders them by (time, seq).
 * Where an event goes (sim_ladder_push): t >= top_start -> Top; else the
 * first rung (coarsest first) whose current bucket starts at or before t;
 * else Bottom. Top's events are later than every rung's (top_start is the
 * largest time Top held when it was spread: equal times stay in seq order
 * because the spread ones were inserted first).
 */
#include "ladder.h"
#include "mem.h"
#include "pol_common.h"
#include <stdlib.h>
#include <string.h>

int sim_ladder_new(sim_engine *e)
{
    e->lq = calloc(1, sizeof *e->lq);
    if (!e->lq) return POL_ENOMEM;
    sim_ladder_clear(e);
    return POL_OK;
}

void sim_ladder_free(sim_engine *e)
{
    struct sim_ladder *l = e->lq;
    if (!l) return;
    for (int i = 0; i < LQ_MAX_RUNGS; i++) free(l->rung[i].b);
    free(l->ck);
    free(l->ck_next);
    free(l);
    e->lq = NULL;
}

/* Empty: every chunk is free again (the pool keeps its memory). */
void sim_ladder_clear(sim_engine *e)
{
    struct sim_ladder *l = e->lq;
    l->nck = 0;
    l->free_ck = LQ_NIL;
    l->nfree = 0;
    l->top = (lq_bucket){ LQ_NIL, 0 };
    l->top_min = INT64_MAX;
    l->top_max = INT64_MIN;
    l->top_start = INT64_MIN;
    l->nrungs = 0;
    l->big = LQ_BIG;
}

/* Room for `more` chunks beyond those in use, so that the puts which
 * follow cannot fail (POL_ENOMEM: nothing changed). */
static int ck_reserve(struct sim_ladder *l, uint64_t more)
{
    if ((uint64_t)l->nfree + (l->cap_ck - l->nck) >= more) return POL_OK;
    uint64_t need = (uint64_t)l->nck - l->nfree + more, nc = l->cap_ck ? l->cap_ck : 256;
    while (nc < need) nc *= 2;
    if (nc > UINT32_MAX / LQ_CK) return POL_ENOMEM;
    /* 64-byte aligned: a chunk is whole lines */
    sim_event *ck = aligned_alloc(64, (size_t)nc * LQ_CK * sizeof *ck);
    if (!ck) return POL_ENOMEM;
    sim_mem_hugepages(ck, (size_t)nc * LQ_CK * sizeof *ck);
    uint32_t *nx = realloc(l->ck_next, (size_t)nc * sizeof *nx);
    if (!nx) { free(ck); return POL_ENOMEM; }
    if (l->nck) memcpy(ck, l->ck, (size_t)l->nck * LQ_CK * sizeof *ck);
    free(l->ck);
    l->ck = ck;
    l->ck_next = nx;
    l->cap_ck = (uint32_t)nc;
    return POL_OK;
}

/* A chunk; there must be room (ck_reserve). */
static uint32_t ck_take(struct sim_ladder *l)
{
    uint32_t c = l->free_ck;
    if (c != LQ_NIL) {
        l->free_ck = l->ck_next[c];
        l->nfree--;
        return c;
    }
    return l->nck++;
}

static void ck_give(struct sim_ladder *l, uint32_t c)
{
    l->ck_next[c] = l->free_ck;
    l->free_ck = c;
    l->nfree++;
}

/* x into list b; a new chunk when its newest is full (there must be room). */
static inline void list_put(struct sim_ladder *l, lq_bucket *b, const sim_event *x)
{
    uint32_t j = b->count % LQ_CK;
    if (j == 0) {
        uint32_t c = ck_take(l);
        l->ck_next[c] = b->head;
        b->head = c;
    }
    l->ck[(size_t)b->head * LQ_CK + j] = *x;
    b->count++;
}

/* The events of the newest chunk of a list of `count` events. */
static inline uint32_t head_fill(uint32_t count) { return (count - 1) % LQ_CK + 1; }

static int64_t sat_add(int64_t a, uint64_t b)
{
    uint64_t room = (uint64_t)INT64_MAX - (uint64_t)a;   /* a <= INT64_MAX, so no wrap */
    return b >= room ? INT64_MAX : (int64_t)((uint64_t)a + b);
}

static void rung_advance(lq_rung *r, uint32_t to)
{
    r->cur = to;
    uint64_t off = (uint64_t)to * r->width;
    /* to * width may pass 2^64 only for the end of a rung spanning it all */
    r->cur_start = (r->width && off / r->width != to) ? INT64_MAX : sat_add(r->start, off);
}

/* Buckets for n events: about LQ_PER a bucket. */
static uint32_t buckets_for(uint64_t n)
{
    uint64_t nb = n / LQ_PER;
    return nb < 1 ? 1 : nb > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)nb;
}

/* Sets up rung k with nb buckets of `width` from `start`. */
static int rung_make(lq_rung *r, int64_t start, uint64_t width, uint32_t nb)
{
    if (nb > r->cap) {
        lq_bucket *b = realloc(r->b, (size_t)nb * sizeof *b);
        if (!b) return POL_ENOMEM;
        r->b = b;
        r->cap = nb;
    }
    for (uint32_t k = 0; k < nb; k++) r->b[k] = (lq_bucket){ LQ_NIL, 0 };
    r->nb = nb;
    r->start = start;
    r->width = width ? width : 1;
    rung_advance(r, 0);
    return POL_OK;
}

static inline void rung_put(struct sim_ladder *l, lq_rung *r, const sim_event *x)
{
    uint64_t b = ((uint64_t)x->t - (uint64_t)r->start) / r->width;
    uint32_t k = b < r->nb ? (uint32_t)b : r->nb - 1;   /* b < nb by construction; guard anyway */
    list_put(l, &r->b[k], x);
}

static int spread_bottom(sim_engine *e);

int sim_ladder_push(sim_engine *e, const sim_event *x)
{
    struct sim_ladder *l = e->lq;
again:
    if (e->n == 0) {                       /* empty: this event is the whole near future */
        sim_ladder_clear(e);
        l->top_start = x->t == INT64_MAX ? INT64_MAX : x->t + 1;
        return sim_heap_push(e, x);
    }
    lq_bucket *b = NULL;
    if (x->t >= l->top_start) {
        b = &l->top;
    } else {
        for (int i = 0; i < l->nrungs && !b; i++) {
            lq_rung *r = &l->rung[i];
            if (x->t >= r->cur_start) {
                uint64_t k = ((uint64_t)x->t - (uint64_t)r->start) / r->width;
                b = &r->b[k < r->nb ? k : r->nb - 1];
            }
        }
        if (!b) {
            int rc = e->nheap >= l->big ? spread_bottom(e) : 0;
            if (rc == 1) goto again;
            if (rc) return POL_ENOMEM;
            return sim_heap_push(e, x);
        }
    }
    if (b->count == UINT32_MAX || (b->count % LQ_CK == 0 && ck_reserve(l, 1))) return POL_ENOMEM;
    list_put(l, b, x);
    if (b == &l->top) {
        if (x->t < l->top_min) l->top_min = x->t;
        if (x->t > l->top_max) l->top_max = x->t;
    }
    return POL_OK;
}

/* Moves the events of list b into rung r (whose buckets are empty); its
 * chunks go back to the pool, each once its events are out. There must be
 * room for the rung's chunks (ck_reserve). */
static void spread(struct sim_ladder *l, lq_bucket b, lq_rung *r)
{
    uint32_t c = b.head, fill = head_fill(b.count);
    while (c != LQ_NIL) {
        uint32_t older = l->ck_next[c];
        if (older != LQ_NIL) {
            const char *p = (const char *)&l->ck[(size_t)older * LQ_CK];
            for (size_t off = 0; off < LQ_CK * sizeof(sim_event); off += 64) __builtin_prefetch(p + off);
        }
        const sim_event *ev = &l->ck[(size_t)c * LQ_CK];
        for (uint32_t j = 0; j < fill; j++) rung_put(l, r, &ev[j]);
        ck_give(l, c);
        c = older;
        fill = LQ_CK;
    }
}

/* Chunks a spread of n events over nb buckets may take: the full ones, and
 * one partly filled per bucket. */
static uint64_t spread_room(uint64_t n, uint32_t nb) { return n / LQ_CK + nb; }

/* Bottom has grown to l->big events, all before the finest rung's
 * current bucket (or Top): as when the first event of an empty queue is far
 * ahead (a timeline change scheduled before a million client starts), so
 * that everything sooner lands in Bottom, a binary heap, until that time.
 * Its events become a new finest rung over [their earliest time, that
 * bound), and Bottom is refilled from it. 1: done; 0: not done (all at one
 * instant, no rung left, or no memory: Bottom stays as it is, and the next
 * try waits until it doubles); POL_ENOMEM: the refill failed. Called only
 * from a push into Bottom, so the event being handled is not at its root
 * (sim_schedule took that place first). */
static int spread_bottom(sim_engine *e)
{
    struct sim_ladder *l = e->lq;
    size_t n = e->nheap;
    l->big = n * 2;
    if (l->nrungs >= LQ_MAX_RUNGS || n > UINT32_MAX) return 0;
    int64_t lo = e->heap[0].t, hi = lo;
    for (size_t i = 1; i < n; i++)
        if (e->heap[i].t > hi) hi = e->heap[i].t;
    int64_t bound = l->nrungs ? l->rung[l->nrungs - 1].cur_start : l->top_start;
    if (hi == lo || bound <= hi) return 0;
    uint32_t nb = buckets_for(n);
    lq_rung *r = &l->rung[l->nrungs];
    uint64_t range = (uint64_t)bound - 1 - (uint64_t)lo;
    if (ck_reserve(l, spread_room(n, nb)) || rung_make(r, lo, range / nb + 1, nb)) return 0;
    l->nrungs++;
    for (size_t i = 0; i < n; i++) rung_put(l, r, &e->heap[i]);
    e->nheap = 0;
    l->bottom_spreads++;
    return sim_ladder_refill(e) ? POL_ENOMEM : 1;
}

/* Top becomes rung 0. */
static int spread_top(struct sim_ladder *l)
{
    uint32_t nb = buckets_for(l->top.count);
    uint64_t range = (uint64_t)l->top_max - (uint64_t)l->top_min;
    lq_rung *r = &l->rung[0];
    if (ck_reserve(l, spread_room(l->top.count, nb)) || rung_make(r, l->top_min, range / nb + 1, nb))
        return POL_ENOMEM;
    l->nrungs = 1;
    spread(l, l->top, r);
    l->top_start = l->top_max;
    l->top = (lq_bucket){ LQ_NIL, 0 };
    l->top_min = INT64_MAX;
    l->top_max = INT64_MIN;
    return POL_OK;
}

int sim_ladder_refill(sim_engine *e)
{
    struct sim_ladder *l = e->lq;
    for (;;) {
        if (l->nrungs == 0) {
            if (l->top.count == 0) return POL_OK;  /* empty */
            if (spread_top(l)) return POL_ENOMEM;
        }
        lq_rung *r = &l->rung[l->nrungs - 1];
        uint32_t k = r->cur;
        while (k < r->nb && r->b[k].count == 0) k++;
        if (k == r->nb) {                          /* this rung is spent */
            rung_advance(r, k);
            l->nrungs--;
            continue;
        }
        lq_bucket b = r->b[k];
        int64_t bstart = sat_add(r->start, (uint64_t)k * r->width);
        uint64_t width = r->width;
        if (b.count > LQ_THRES && width > 1 && l->nrungs < LQ_MAX_RUNGS) {
            /* a crowded bucket: spread it over a finer rung below */
            lq_rung *child = &l->rung[l->nrungs];
            uint32_t nb = buckets_for(b.count);
            if (ck_reserve(l, spread_room(b.count, nb)) || rung_make(child, bstart, width / nb + 1, nb))
                return POL_ENOMEM;                 /* nothing moved yet */
            r->b[k] = (lq_bucket){ LQ_NIL, 0 };
            rung_advance(r, k + 1);
            l->nrungs++;
            spread(l, b, child);
            continue;
        }
        r->b[k] = (lq_bucket){ LQ_NIL, 0 };
        rung_advance(r, k + 1);
        l->big = LQ_BIG;
        /* the next buckets' newest chunks, fetched while Bottom's events
         * are handled: a bucket of the finest rung fits in one or two */
        for (uint32_t j = k + 1; j < r->nb && j <= k + LQ_PREFETCH; j++)
            if (r->b[j].head != LQ_NIL) {
                const char *p = (const char *)&l->ck[(size_t)r->b[j].head * LQ_CK];
                __builtin_prefetch(p);
                __builtin_prefetch(p + 64);
            }
        uint32_t c = b.head, fill = head_fill(b.count);
        while (c != LQ_NIL) {                      /* into Bottom */
            uint32_t older = l->ck_next[c];
            if (older != LQ_NIL) {
                const char *p = (const char *)&l->ck[(size_t)older * LQ_CK];
                for (size_t off = 0; off < LQ_CK * sizeof(sim_event); off += 64) __builtin_prefetch(p + off);
            }
            const sim_event *ev = &l->ck[(size_t)c * LQ_CK];
            for (uint32_t j = 0; j < fill; j++)
                if (sim_heap_push(e, &ev[j])) return POL_ENOMEM;
            ck_give(l, c);
            c = older;
            fill = LQ_CK;
        }
        return POL_OK;
    }
}
