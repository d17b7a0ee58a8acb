/* ladder.h — internal to sim/engine: the ladder queue behind
 * sim_engine_init(e, SIM_QUEUE_LADDER, ...).
 *
 * Tang, Goh and Thng, "Ladder Queue: An O(1) Priority Queue Structure for
 * Large-Scale Discrete Event Simulation", ACM TOMACS 15(3), 2005. Events far
 * in the future wait unsorted in Top; when the near future runs dry, Top is
 * spread over the buckets of rung 0; a bucket that still holds more than
 * LQ_THRES events is spread over a finer rung below it (at most
 * LQ_MAX_RUNGS); a small bucket is moved into Bottom. Bottom here is the
 * engine's own binary heap (e->heap, e->nheap) rather than the paper's
 * sorted list, so that many events at one instant (a synchronized start)
 * cost O(log n) each, not O(n), and (time, seq) order is kept exactly.
 * Invariant: every event in Bottom precedes (by time, seq) every event in a
 * rung, and every event in a rung precedes every event in Top; whenever the
 * queue holds an event, Bottom holds one (so e->heap[0] is the minimum).
 * Cost: O(1) amortised per event for distributions the buckets can split
 * (the paper's analysis); O(log b) for the b events that share one Bottom.
 */
#ifndef SIM_LADDER_H
#define SIM_LADDER_H
#include "eventq.h"

#define LQ_THRES     50   /* a bucket larger than this is split into a new rung (the paper's THRES) */
#define LQ_MAX_RUNGS 8    /* the paper's MaxRungs */
#define LQ_NIL       UINT32_MAX
#define LQ_PREFETCH  4    /* buckets ahead whose newest chunk a refill prefetches */
#define LQ_CK        8    /* events a chunk holds (256 bytes, four cache lines) */
#define LQ_PER       8    /* events a spread puts in a bucket, on average */
#define LQ_BIG       4096 /* Bottom events from which a push into Bottom makes them a rung */

/* A bucket, and Top, is a list of chunks of LQ_CK events each: its newest
 * chunk (head) takes the next event, the older ones are full. A walk then
 * waits on one link per LQ_CK events, and reads each chunk's events from
 * consecutive lines, where a list of single events waited on every event's
 * link (docs/performance.md, "Chunked buckets"). A spread gives a rung
 * about LQ_PER events a bucket, not the paper's one, so that the chunks a
 * rung leaves partly empty stay a small share of its memory. */
typedef struct { uint32_t head, count; } lq_bucket;   /* head: newest chunk, LQ_NIL when empty */

typedef struct {
    lq_bucket *b;         /* [nb] */
    uint32_t  nb, cap;    /* buckets in use, allocated */
    int64_t   start;      /* time at which bucket 0 starts */
    uint64_t  width;      /* bucket width, >= 1 ns */
    uint32_t  cur;        /* buckets before cur are empty and will stay so */
    int64_t   cur_start;  /* start time of bucket cur (saturating) */
} lq_rung;

struct sim_ladder {
    sim_event *ck;        /* [cap_ck * LQ_CK] the chunks' events, 64-byte aligned */
    uint32_t  *ck_next;   /* [cap_ck] a chunk's older neighbour in its list (or in the free list) */
    uint32_t  nck, cap_ck, free_ck, nfree;
    lq_bucket top;
    int64_t   top_min, top_max;
    int64_t   top_start;  /* events at or after it go to Top */
    lq_rung   rung[LQ_MAX_RUNGS];
    int       nrungs;
    size_t    big;        /* Bottom's size that makes it a rung (LQ_BIG; more after a vain try) */
    uint64_t  bottom_spreads; /* times Bottom became a rung (spread_bottom), for tests and benches */
};

int  sim_ladder_new(sim_engine *e);
void sim_ladder_free(sim_engine *e);
void sim_ladder_clear(sim_engine *e);
/* x goes where its time belongs; the heap part (Bottom) through heap_push. */
int  sim_ladder_push(sim_engine *e, const sim_event *x);
/* Whether an event at time t belongs in Bottom (precedes every rung and Top). */
static inline int sim_ladder_in_bottom(const sim_engine *e, int64_t t)
{
    const struct sim_ladder *l = e->lq;
    if (t >= l->top_start) return 0;
    for (int i = 0; i < l->nrungs; i++)
        if (t >= l->rung[i].cur_start) return 0;
    return 1;
}
/* After Bottom was emptied: moves the next bucket into it (0, or POL_ENOMEM). */
int  sim_ladder_refill(sim_engine *e);

#endif
