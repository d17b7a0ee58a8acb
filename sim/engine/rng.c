/* rng.c — stream seeding by splitmix64 mixing (see rng.h). Pure functions of
 * their arguments; generator lookup walks GSL's type table. */
#include "rng.h"
#include <stdlib.h>
#include <string.h>

uint64_t sim_splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint64_t sim_stream_seed(uint64_t seed, uint32_t replication, uint32_t domain, uint32_t id)
{
    uint64_t h = sim_splitmix64(seed);
    h = sim_splitmix64(h ^ (uint64_t)replication);
    h = sim_splitmix64(h ^ ((uint64_t)domain << 32 | id));
    uint64_t s = (h ^ (h >> 32)) & 0xffffffffULL;
    return s ? s : 0x2545f491ULL;   /* 0 would select GSL's default seed */
}

const gsl_rng_type *sim_rng_type(const char *name)
{
    const gsl_rng_type **t = gsl_rng_types_setup();
    for (; *t; t++)
        if (!strcmp((*t)->name, name)) return *t;
    return NULL;
}

gsl_rng *sim_rng_new(const gsl_rng_type *T, uint64_t seed, uint32_t replication,
                     uint32_t domain, uint32_t id)
{
    gsl_rng *r = gsl_rng_alloc(T ? T : gsl_rng_taus2);
    if (r) gsl_rng_set(r, (unsigned long)sim_stream_seed(seed, replication, domain, id));
    return r;
}

void sim_rng_reseed(gsl_rng *r, uint64_t seed, uint32_t replication, uint32_t domain, uint32_t id)
{
    gsl_rng_set(r, (unsigned long)sim_stream_seed(seed, replication, domain, id));
}

void sim_rng_bind(gsl_rng *r, const gsl_rng_type *T, void *state, uint64_t seed, uint32_t replication,
                  uint32_t domain, uint32_t id)
{
    r->type = T;
    r->state = state;
    gsl_rng_set(r, (unsigned long)sim_stream_seed(seed, replication, domain, id));
}

#define POOL_CHUNK 4096

struct sim_rng_chunk {
    sim_rng_chunk *next;
    gsl_rng        r[POOL_CHUNK];
    size_t         state_size;      /* per stream, rounded up to 16 */
    unsigned char *state;           /* POOL_CHUNK * state_size bytes */
};

void sim_rng_pool_init(sim_rng_pool *p, const gsl_rng_type *T)
{
    p->type = T ? T : gsl_rng_taus2;
    p->chunks = NULL;
    p->used_in_last = POOL_CHUNK;
}

static gsl_rng *pool_take(sim_rng_pool *p)
{
    if (p->used_in_last == POOL_CHUNK) {
        sim_rng_chunk *c = malloc(sizeof *c);
        if (!c) return NULL;
        c->state_size = (p->type->size + 15) & ~(size_t)15;
        c->state = calloc(POOL_CHUNK, c->state_size ? c->state_size : 16);
        if (!c->state) { free(c); return NULL; }
        c->next = p->chunks;
        p->chunks = c;
        p->used_in_last = 0;
    }
    sim_rng_chunk *c = p->chunks;
    gsl_rng *r = &c->r[p->used_in_last];
    r->type = p->type;
    r->state = c->state + p->used_in_last * c->state_size;
    p->used_in_last++;
    return r;
}

gsl_rng *sim_rng_pool_new(sim_rng_pool *p, uint64_t seed, uint32_t replication, uint32_t domain, uint32_t id)
{
    gsl_rng *r = pool_take(p);
    if (r) gsl_rng_set(r, (unsigned long)sim_stream_seed(seed, replication, domain, id));
    return r;
}

void *sim_rng_pool_state(sim_rng_pool *p)
{
    gsl_rng *r = pool_take(p);
    return r ? r->state : NULL;
}

void sim_rng_pool_free(sim_rng_pool *p)
{
    while (p->chunks) {
        sim_rng_chunk *c = p->chunks;
        p->chunks = c->next;
        free(c->state);
        free(c);
    }
    p->used_in_last = POOL_CHUNK;
}
