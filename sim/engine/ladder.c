/* ladder.c — the ladder queue (see ladder.h for the structure, its
 * invariant and the paper).
 *
 * Nodes live in one pool (index links, a free list), so buckets are lists
 * that cost no allocation per event; a node's event and its link are in
 * two arrays (ladder.h). Bucket arithmetic is on unsigned
 * offsets from the rung's start, so ranges up to the whole int64 span work:
 * a rung of nb buckets of width w covers [start, start + nb*w), and w is
 * chosen as range/nb + 1 so that nb*w exceeds the range it must hold.
 * Bottom is the engine's binary heap (sim_heap_push / the engine's pops).
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
    free(l->ev);
    free(l->next);
    free(l->walk);
    free(l);
    e->lq = NULL;
}

void sim_ladder_clear(sim_engine *e)
{
    struct sim_ladder *l = e->lq;
    l->nnodes = 0;
    l->free_node = LQ_NIL;
    l->top_head = LQ_NIL;
    l->top_n = 0;
    l->top_min = INT64_MAX;
    l->top_max = INT64_MIN;
    l->top_start = INT64_MIN;
    l->nrungs = 0;
    l->in_rungs = 0;
}

static uint32_t node_new(struct sim_ladder *l, const sim_event *x)
{
    uint32_t id = l->free_node;
    if (id != LQ_NIL) {
        l->free_node = l->next[id];
    } else {
        if (l->nnodes == l->cap_nodes) {
            uint32_t nc = l->cap_nodes ? l->cap_nodes * 2 : 1024;
            if (nc <= l->cap_nodes) return LQ_NIL;
            /* 64-byte aligned: two events a line, none across two */
            sim_event *ev = aligned_alloc(64, (size_t)nc * sizeof *ev);
            if (!ev) return LQ_NIL;
            sim_mem_hugepages(ev, (size_t)nc * sizeof *ev);
            if (l->nnodes) memcpy(ev, l->ev, (size_t)l->nnodes * sizeof *ev);
            free(l->ev);
            l->ev = ev;
            uint32_t *nx = realloc(l->next, (size_t)nc * sizeof *nx);
            if (!nx) return LQ_NIL;
            l->next = nx;
            l->cap_nodes = nc;
        }
        id = l->nnodes++;
    }
    l->ev[id] = *x;
    return id;
}

static void node_free(struct sim_ladder *l, uint32_t id)
{
    l->next[id] = l->free_node;
    l->free_node = id;
}

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

static void rung_put(struct sim_ladder *l, lq_rung *r, uint32_t id)
{
    uint64_t b = ((uint64_t)l->ev[id].t - (uint64_t)r->start) / r->width;
    uint32_t k = b < r->nb ? (uint32_t)b : r->nb - 1;   /* b < nb by construction; guard anyway */
    lq_bucket *bk = &r->b[k];
    l->next[id] = bk->head;
    bk->head = id;
    bk->count++;
    l->in_rungs++;
}

int sim_ladder_push(sim_engine *e, const sim_event *x)
{
    struct sim_ladder *l = e->lq;
    if (e->n == 0) {                       /* empty: this event is the whole near future */
        sim_ladder_clear(e);
        l->top_start = x->t == INT64_MAX ? INT64_MAX : x->t + 1;
        return sim_heap_push(e, x);
    }
    if (x->t >= l->top_start) {
        uint32_t id = node_new(l, x);
        if (id == LQ_NIL) return POL_ENOMEM;
        l->next[id] = l->top_head;
        l->top_head = id;
        l->top_n++;
        if (x->t < l->top_min) l->top_min = x->t;
        if (x->t > l->top_max) l->top_max = x->t;
        return POL_OK;
    }
    for (int i = 0; i < l->nrungs; i++) {
        lq_rung *r = &l->rung[i];
        if (x->t >= r->cur_start) {
            uint32_t id = node_new(l, x);
            if (id == LQ_NIL) return POL_ENOMEM;
            rung_put(l, r, id);
            return POL_OK;
        }
    }
    return sim_heap_push(e, x);
}

/* The c node ids of the list from `id`, in list order, into l->walk: the
 * walk chases only the links (next[]), so the events' lines can then be
 * fetched many at a time (LQ_AHEAD) instead of one after the other.
 * NULL: out of memory. */
static const uint32_t *gather(struct sim_ladder *l, uint32_t id, uint32_t c)
{
    if (c > l->cap_walk) {
        uint32_t nc = l->cap_walk ? l->cap_walk : 256;
        while (nc < c) nc = nc > UINT32_MAX / 2 ? c : nc * 2;
        uint32_t *w = realloc(l->walk, (size_t)nc * sizeof *w);
        if (!w) return NULL;
        l->walk = w;
        l->cap_walk = nc;
    }
    for (uint32_t i = 0; i < c; i++, id = l->next[id]) l->walk[i] = id;
    return l->walk;
}

/* Top becomes rung 0. */
static int spread_top(struct sim_ladder *l)
{
    uint64_t n = l->top_n;
    uint32_t nb = n > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)n;
    uint64_t range = (uint64_t)l->top_max - (uint64_t)l->top_min;
    lq_rung *r = &l->rung[0];
    if (rung_make(r, l->top_min, range / nb + 1, nb)) return POL_ENOMEM;
    l->nrungs = 1;
    uint32_t id = l->top_head;
    while (id != LQ_NIL) {
        uint32_t next = l->next[id];
        rung_put(l, r, id);
        id = next;
    }
    l->top_start = l->top_max;
    l->top_head = LQ_NIL;
    l->top_n = 0;
    l->top_min = INT64_MAX;
    l->top_max = INT64_MIN;
    return POL_OK;
}

int sim_ladder_refill(sim_engine *e)
{
    struct sim_ladder *l = e->lq;
    for (;;) {
        if (l->nrungs == 0) {
            if (l->top_n == 0) return POL_OK;      /* empty */
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
        uint32_t c = r->b[k].count;
        const uint32_t *ids = gather(l, r->b[k].head, c);
        if (!ids) return POL_ENOMEM;               /* nothing moved yet */
        r->b[k] = (lq_bucket){ LQ_NIL, 0 };
        l->in_rungs -= c;
        int64_t bstart = sat_add(r->start, (uint64_t)k * r->width);
        uint64_t width = r->width;
        rung_advance(r, k + 1);
        if (c > LQ_THRES && width > 1 && l->nrungs < LQ_MAX_RUNGS) {
            /* a crowded bucket: spread it over a finer rung below */
            lq_rung *child = &l->rung[l->nrungs];
            if (rung_make(child, bstart, width / c + 1, c)) return POL_ENOMEM;
            l->nrungs++;
            for (uint32_t i = 0; i < c; i++) {
                if (i + LQ_AHEAD < c) __builtin_prefetch(&l->ev[ids[i + LQ_AHEAD]]);
                rung_put(l, child, ids[i]);
            }
            continue;
        }
        /* the next buckets' first nodes: a bucket of the finest rung holds
         * about one event, so its first node is nearly all that its refill
         * will wait for; fetched now, while Bottom's events are handled */
        for (uint32_t j = k + 1; j < r->nb && j <= k + LQ_PREFETCH; j++)
            if (r->b[j].head != LQ_NIL) __builtin_prefetch(&l->ev[r->b[j].head]);
        for (uint32_t i = 0; i < c; i++) {
            if (i + LQ_AHEAD < c) __builtin_prefetch(&l->ev[ids[i + LQ_AHEAD]]);
            if (sim_heap_push(e, &l->ev[ids[i]])) return POL_ENOMEM;   /* into Bottom */
            node_free(l, ids[i]);
        }
        return POL_OK;
    }
}
