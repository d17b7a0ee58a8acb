/* eventq.h — the discrete-event engine: a virtual clock, an event queue and a
 * run loop with a handler table per event kind.
 *
 * Events are small plain 32-byte entries ordered by (time, seq) where seq is
 * a counter assigned at insertion, so ties pop in insertion order on every
 * machine, whatever the queue: a flat implicit binary heap, a 4-ary heap, or
 * a ladder queue (ladder.h: O(1) amortised; the heap is then its Bottom),
 * chosen at sim_engine_init; `retrysim bench engine` measures all three and
 * docs/performance.md says which the simulator uses. Nothing is ever removed from the middle
 * of the heap: an event that became moot (a timeout whose response already
 * arrived) carries the generation number its entity had when it was
 * scheduled, and the kind's `live` predicate compares it with the entity's
 * current generation; stale events are skipped (counted in `skipped`).
 * Cost: heaps: schedule O(log n), pop O(log n); ladder: O(1) amortised;
 * storage grows by doubling.
 */
#ifndef SIM_EVENTQ_H
#define SIM_EVENTQ_H
#include <stdint.h>
#include <stddef.h>

#define SIM_MAX_KINDS 32

typedef struct {
    int64_t  t;        /* virtual time, ns */
    uint64_t seq;      /* insertion order, tie-breaker */
    uint32_t kind;     /* index into the handler table */
    uint32_t ent;      /* entity the event is for (client, provider, slot...) */
    uint32_t gen;      /* generation of the entity when scheduled */
    uint32_t arg;      /* free for the handler */
} sim_event;

struct sim_engine;
typedef void (*sim_handler)(struct sim_engine *e, const sim_event *ev, void *ctx);
/* Returns nonzero if ev is still current (its generation matches). */
typedef int  (*sim_live_fn)(const sim_event *ev, void *ctx);
/* Where the state of ev's entity is in memory (a hint for prefetching). */
typedef const void *(*sim_addr_fn)(const sim_event *ev, void *ctx);

typedef struct {
    sim_handler fn;
    sim_live_fn live;    /* NULL = always live */
    void       *ctx;
    sim_addr_fn addr;    /* NULL, or the address of an event's entity (sim_engine_prefetch) */
} sim_kind_entry;

/* Queues for sim_engine_init. */
#define SIM_QUEUE_LADDER 1
#define SIM_QUEUE_BINARY 2
#define SIM_QUEUE_4ARY   4

struct sim_ladder;

typedef struct sim_engine {
    sim_event     *heap;           /* the heap (the ladder's Bottom); heap[1] 64-byte aligned */
    void          *heap_raw;       /* its allocation */
    size_t         nheap, cap;     /* entries of the heap */
    size_t         n;              /* events pending in all (heap, and the ladder's rungs and Top) */
    int            arity;          /* 2 or 4: the heap's; ladder: 2 */
    struct sim_ladder *lq;         /* NULL unless SIM_QUEUE_LADDER */
    uint64_t       seq;
    int64_t        now;
    int            stopped;
    int            error;          /* sticky: POL_ENOMEM once a schedule or the ladder's refill
                                      could not allocate (an event would be lost); sim_run
                                      then dispatches nothing more */
    int            root_free;      /* during dispatch: the root may be overwritten */
    uint64_t       dispatched, skipped;
    int64_t       *rec;            /* when set: the delays (t - now) of the first rec_cap schedules */
    size_t         rec_n, rec_cap;
    sim_kind_entry kinds[SIM_MAX_KINDS];
} sim_engine;

/* queue: SIM_QUEUE_BINARY, SIM_QUEUE_4ARY or SIM_QUEUE_LADDER.
 * Returns 0 or POL_EINVAL/POL_ENOMEM. */
int  sim_engine_init(sim_engine *e, int queue, size_t initial_cap);
void sim_engine_free(sim_engine *e);
/* Empties the queue and resets the clock to 0, keeping the allocation and kinds. */
void sim_engine_clear(sim_engine *e);
int  sim_engine_on(sim_engine *e, uint32_t kind, sim_handler fn, sim_live_fn live, void *ctx);
/* A hint, no effect on results: addr(ev, ctx) is where the state of an
 * event's entity is. While an event's handler runs, the run loop prefetches
 * the entities of the two candidates for the next root, so a large model's
 * first touch of a client or slot waits less for memory. Call after
 * sim_engine_on (which clears it). Returns 0 or POL_EINVAL. */
int  sim_engine_prefetch(sim_engine *e, uint32_t kind, sim_addr_fn addr);
/* Schedules an event at absolute time t (t < now is clamped to now).
 * Returns 0 or POL_ENOMEM; on POL_ENOMEM the engine also records it in
 * e->error and stops, so a caller that does not check still finds out. */
int  sim_schedule(sim_engine *e, int64_t t, uint32_t kind, uint32_t ent, uint32_t gen, uint32_t arg);
/* Pops and returns the earliest event into *out (no dispatch); 0 if empty. */
int  sim_pop(sim_engine *e, sim_event *out);
/* Dispatches events in order while their time <= stop and sim_engine_stop()
 * was not called; then sets now = stop (if not stopped). Returns the number
 * of events dispatched. */
uint64_t sim_run(sim_engine *e, int64_t stop);
/* Internal to sim/engine (the ladder queue): push x onto the heap part. */
int  sim_heap_push(sim_engine *e, const sim_event *x);
static inline void sim_engine_stop(sim_engine *e) { e->stopped = 1; }
static inline int64_t sim_now(const sim_engine *e) { return e->now; }
/* The time of the earliest pending event (the heap's root), INT64_MAX if none. */
static inline int64_t sim_next_time(const sim_engine *e) { return e->n ? e->heap[0].t : INT64_MAX; }

#endif
