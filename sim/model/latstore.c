/* latstore.c — latencies in two bytes each (latstore.h). */
#include "latstore.h"
#include "pol_common.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LAT_NIL UINT32_MAX

static const double LAT_Q[SIM_LAT_NQ] = { 0.50, 0.90, 0.99, 0.999 };

/* The float's bits as an unsigned key in the float's order, and back. */
static inline uint32_t key_of(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}
static inline float float_of(uint32_t k)
{
    uint32_t u = (k & 0x80000000u) ? (k & 0x7FFFFFFFu) : ~k;
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* A free block (ENOMEM: none, nothing changed). */
static int blk_new(sim_latstore *s, uint32_t *id)
{
    if (s->nblk == s->cap) {
        uint32_t nc = s->cap ? s->cap * 2 : 256;
        if (nc <= s->cap || nc > UINT32_MAX / SIM_LAT_BLK) return POL_ENOMEM;
        uint16_t *v = realloc(s->v, (size_t)nc * SIM_LAT_BLK * sizeof *v);
        if (!v) return POL_ENOMEM;
        s->v = v;
        uint32_t *nx = realloc(s->next, (size_t)nc * sizeof *nx);
        if (!nx) return POL_ENOMEM;
        s->next = nx;
        s->cap = nc;
    }
    *id = s->nblk++;
    return POL_OK;
}

int sim_lat_add(sim_latstore *s, unsigned cls, float x)
{
    if (cls >= SIM_MAX_CLASSES) return POL_EINVAL;
    uint32_t k = key_of(x);
    unsigned d = k >> 24, b = (k >> 16) & 255;
    if (!s->dir[cls]) {
        s->dir[cls] = calloc(256, sizeof *s->dir[cls]);
        if (!s->dir[cls]) return POL_ENOMEM;
    }
    sim_lat_page *pg = s->dir[cls][d];
    if (!pg) {
        pg = malloc(sizeof *pg);
        if (!pg) return POL_ENOMEM;
        for (int i = 0; i < 256; i++) pg->bin[i] = (sim_lat_bin){ LAT_NIL, 0 };
        memset(pg->used, 0, sizeof pg->used);
        s->dir[cls][d] = pg;
        s->pages[d >> 6] |= (uint64_t)1 << (d & 63);
    }
    sim_lat_bin *bin = &pg->bin[b];
    if (bin->n == UINT32_MAX) return POL_ENOMEM;  /* 4G values in one bin: no room to count more */
    if (bin->n % SIM_LAT_BLK == 0) {          /* the newest block is full (or there is none) */
        uint32_t id;
        if (blk_new(s, &id)) return POL_ENOMEM;
        s->next[id] = bin->head;
        bin->head = id;
        pg->used[b >> 6] |= (uint64_t)1 << (b & 63);
    }
    s->v[(size_t)bin->head * SIM_LAT_BLK + bin->n % SIM_LAT_BLK] = (uint16_t)(k & 0xFFFF);
    bin->n++;
    s->count[cls]++;
    return POL_OK;
}

size_t sim_lat_count(const sim_latstore *s)
{
    size_t n = 0;
    for (int k = 0; k < SIM_MAX_CLASSES; k++) n += s->count[k];
    return n;
}

/* Appends bin's values to t (room for them). */
static size_t gather(const sim_latstore *s, const sim_lat_bin *bin, uint16_t *t)
{
    size_t m = 0;
    uint32_t in_head = bin->n % SIM_LAT_BLK ? bin->n % SIM_LAT_BLK : SIM_LAT_BLK;
    for (uint32_t id = bin->head; id != LAT_NIL; id = s->next[id]) {
        memcpy(t + m, s->v + (size_t)id * SIM_LAT_BLK, in_head * sizeof *t);
        m += in_head;
        in_head = SIM_LAT_BLK;
    }
    return m;
}

/* Sorts t[m] ascending: insertion when short, else an LSD radix sort of
 * two byte-wide passes through u[m]. */
static void sort16(uint16_t *t, uint16_t *u, size_t m)
{
    if (m < 64) {
        for (size_t i = 1; i < m; i++) {
            uint16_t x = t[i];
            size_t j = i;
            for (; j > 0 && t[j - 1] > x; j--) t[j] = t[j - 1];
            t[j] = x;
        }
        return;
    }
    size_t lo[256] = { 0 }, hi[256] = { 0 };
    for (size_t i = 0; i < m; i++) { lo[t[i] & 255]++; hi[t[i] >> 8]++; }
    size_t a = 0, c = 0;
    for (int i = 0; i < 256; i++) {
        size_t x = lo[i], y = hi[i];
        lo[i] = a; hi[i] = c;
        a += x; c += y;
    }
    for (size_t i = 0; i < m; i++) u[lo[t[i] & 255]++] = t[i];
    for (size_t i = 0; i < m; i++) t[hi[u[i] >> 8]++] = u[i];
}

/* The classes summarised that have page d: their pages into pg, how many;
 * the bins any of them uses into used. */
static int pages_at(const sim_latstore *s, int k0, int k1, unsigned d, const sim_lat_page **pg, uint64_t used[4])
{
    int np = 0;
    memset(used, 0, 4 * sizeof *used);
    for (int k = k0; k < k1; k++)
        if (s->dir[k] && s->dir[k][d]) {
            pg[np] = s->dir[k][d];
            for (int w = 0; w < 4; w++) used[w] |= pg[np]->used[w];
            np++;
        }
    return np;
}

/* The indices of bits[4]'s set bits, ascending, into at; how many. */
static unsigned set_bits(const uint64_t bits[4], uint8_t at[256])
{
    unsigned n = 0;
    for (unsigned w = 0; w < 4; w++)
        for (uint64_t m = bits[w]; m; m &= m - 1) at[n++] = (uint8_t)(w * 64 + (unsigned)__builtin_ctzll(m));
    return n;
}

int sim_lat_summarise(const sim_latstore *s, int cls, sim_lat_summary *out)
{
    if (cls >= SIM_MAX_CLASSES) return POL_EINVAL;
    int k0 = cls < 0 ? 0 : cls, k1 = cls < 0 ? SIM_MAX_CLASSES : cls + 1;
    size_t n = 0, most = 0;
    for (int k = k0; k < k1; k++) n += s->count[k];
    out->n = n;
    out->mean = NAN;
    for (int j = 0; j < SIM_LAT_NQ; j++) out->q[j] = NAN;
    if (!n) return POL_OK;
    while (k1 > k0 && !s->dir[k1 - 1]) k1--;
    const sim_lat_page *pg[SIM_MAX_CLASSES];
    uint64_t used[4];
    uint8_t ds[256], bs[256];
    unsigned nd = set_bits(s->pages, ds);
    for (unsigned di = 0; di < nd; di++) {        /* the largest bin, over the classes summarised */
        int np = pages_at(s, k0, k1, ds[di], pg, used);
        unsigned nb = set_bits(used, bs);
        for (unsigned bi = 0; bi < nb; bi++) {
            unsigned b = bs[bi];
            size_t m = 0;
            for (int p = 0; p < np; p++) m += pg[p]->bin[b].n;
            if (m > most) most = m;
        }
    }
    uint16_t *t = malloc(2 * most * sizeof *t);
    if (!t) return POL_ENOMEM;
    /* GSL's interpolation needs the values at ranks lhs and lhs + 1 */
    size_t lhs[SIM_LAT_NQ];
    double delta[SIM_LAT_NQ], at[SIM_LAT_NQ], above[SIM_LAT_NQ];
    for (int j = 0; j < SIM_LAT_NQ; j++) {
        const double index = LAT_Q[j] * (double)(n - 1);
        lhs[j] = (size_t)(int)index;
        delta[j] = index - (double)lhs[j];
        at[j] = above[j] = NAN;
    }
    long double mean = 0;                  /* gsl_stats_float_mean's recurrence, in sorted order */
    size_t i = 0;
    for (unsigned di = 0; di < nd; di++) {
        unsigned d = ds[di];
        int np = pages_at(s, k0, k1, d, pg, used);
        unsigned nb = set_bits(used, bs);
        for (unsigned bi = 0; bi < nb; bi++) {
            unsigned b = bs[bi];
            size_t m = 0;
            for (int p = 0; p < np; p++)
                if (pg[p]->bin[b].n) m += gather(s, &pg[p]->bin[b], t + m);
            if (!m) continue;
            sort16(t, t + most, m);
            uint32_t hi = (uint32_t)(d << 24 | b << 16);
            for (int j = 0; j < SIM_LAT_NQ; j++) {    /* ranks i .. i + m - 1 are this bin's */
                if (lhs[j] >= i && lhs[j] < i + m) at[j] = float_of(hi | t[lhs[j] - i]);
                if (lhs[j] + 1 >= i && lhs[j] + 1 < i + m) above[j] = float_of(hi | t[lhs[j] + 1 - i]);
            }
            for (size_t r = 0; r < m; r++, i++) mean += (float_of(hi | t[r]) - mean) / (i + 1);
        }
    }
    free(t);
    out->mean = (double)mean;
    for (int j = 0; j < SIM_LAT_NQ; j++)
        out->q[j] = lhs[j] == n - 1 ? at[j] : (1 - delta[j]) * at[j] + delta[j] * above[j];
    return POL_OK;
}

void sim_lat_free(sim_latstore *s)
{
    for (int k = 0; k < SIM_MAX_CLASSES; k++) {
        if (!s->dir[k]) continue;
        for (int d = 0; d < 256; d++) free(s->dir[k][d]);
        free(s->dir[k]);
    }
    free(s->v);
    free(s->next);
    memset(s, 0, sizeof *s);
}
