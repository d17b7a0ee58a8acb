/* rng.h — per-entity random streams.
 *
 * Every entity that draws random numbers (each client, each provider, the
 * network, the open-loop arrival process, each shared policy state) owns one
 * gsl_rng. Its seed is a fixed hash of (scenario seed, replication, domain,
 * entity id): the 64-bit splitmix64 finaliser applied to the seed, then mixed
 * with each coordinate in turn (docs/engine.md, "Random streams"), folded to
 * 32 bits because GSL's generators seed from an unsigned long and taus2 uses
 * its low 32 bits. Hence streams never depend on the order in which entities
 * are created or on how many other entities exist, and a replication r of a
 * run is the same whatever process or rank runs it.
 * Default generator: taus2 (small state, fast, good equidistribution).
 */
#ifndef SIM_RNG_H
#define SIM_RNG_H
#include <stdint.h>
#include <gsl/gsl_rng.h>

typedef enum {
    SIM_STREAM_CLIENT   = 1,   /* id = client index */
    SIM_STREAM_PROVIDER = 2,   /* id = provider index */
    SIM_STREAM_NETWORK  = 3,   /* id = provider index (legs to/from it) */
    SIM_STREAM_ARRIVALS = 4,   /* id = 0 (open-loop arrival process) */
    SIM_STREAM_POLICY   = 5,   /* id = shared policy state index */
    SIM_STREAM_CLIENT_POLICY = 6, /* id = client index: the client's policy draws (jitter) */
    SIM_STREAM_PROVIDER_SSE = 7,  /* id = provider index: the faults of its streamed answers */
    SIM_STREAM_BENCH    = 15
} sim_stream_domain;

uint64_t sim_splitmix64(uint64_t x);          /* the splitmix64 output function of x */
uint64_t sim_stream_seed(uint64_t seed, uint32_t replication, uint32_t domain, uint32_t id);
/* The GSL generator type named `name` (e.g. "taus2", "mt19937"), or NULL. */
const gsl_rng_type *sim_rng_type(const char *name);
gsl_rng *sim_rng_new(const gsl_rng_type *T, uint64_t seed, uint32_t replication,
                     uint32_t domain, uint32_t id);
/* A pool of generators of one type, carved out of large chunks instead of two
 * mallocs each (gsl_rng_alloc's way): ~40 bytes per taus2 stream instead of
 * ~64, and pointers stay valid while the pool grows. Streams from a pool are
 * ordinary gsl_rng objects for every GSL call, but must not be passed to
 * gsl_rng_free: sim_rng_pool_free releases them all. */
/* A stream whose state its owner keeps (e.g. inside its own struct, next to
 * the fields it uses when it draws: one cache line instead of three):
 * r->type = T, r->state = state (T->size bytes, 8-aligned), then seeded as
 * sim_rng_new would. No allocation; never gsl_rng_free such a stream. */
void     sim_rng_bind(gsl_rng *r, const gsl_rng_type *T, void *state, uint64_t seed, uint32_t replication,
                      uint32_t domain, uint32_t id);
typedef struct sim_rng_chunk sim_rng_chunk;
typedef struct {
    const gsl_rng_type *type;
    sim_rng_chunk      *chunks;
    size_t              used_in_last;
} sim_rng_pool;
void     sim_rng_pool_init(sim_rng_pool *p, const gsl_rng_type *T);
gsl_rng *sim_rng_pool_new(sim_rng_pool *p, uint64_t seed, uint32_t replication, uint32_t domain, uint32_t id);
/* State memory for one stream of the pool's type (for sim_rng_bind), valid until sim_rng_pool_free. */
void    *sim_rng_pool_state(sim_rng_pool *p);
void     sim_rng_pool_free(sim_rng_pool *p);
/* Re-seeds an existing generator for another (replication, id): no allocation. */
void     sim_rng_reseed(gsl_rng *r, uint64_t seed, uint32_t replication, uint32_t domain, uint32_t id);

#endif
