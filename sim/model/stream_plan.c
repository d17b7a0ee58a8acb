/* stream_plan.c — the arithmetic of a streamed answer's plan (model.h,
 * "streamed answers"): when each token and chunk leaves, what a client has
 * by a time, and how a client with an idle timeout and a total bound sees
 * the stream end. Pure functions of the plan, O(1) each: neither the
 * simulated client nor the mock needs an event per chunk to use them.
 *
 * With d = per_token, n = tokens, c = chunk, s = stall_after, L = stall:
 *   token i is generated at (i-1) d, + L when s > 0 and i > s;
 *   chunk j leaves with its last token, token min(j c, n);
 *   the end events leave at "token n+1" (one d after the last token), a cut
 *   or an error event after k tokens at "token k+1";
 *   a client has the whole chunks that left, 0 after a cut before the first.
 */
#include "model.h"

pol_ns sim_stream_token_at(const sim_stream_plan *p, uint32_t i)
{
    if (i == 0) return 0;
    pol_ns t = (pol_ns)(i - 1) * p->per_token;
    if (p->stall_after > 0 && i > p->stall_after) t += p->stall;
    return t;
}

uint32_t sim_stream_chunks(const sim_stream_plan *p)
{
    uint32_t c = p->chunk ? p->chunk : 1;
    if (p->end == SIM_PLAN_COMPLETE) return (p->tokens + c - 1) / c;
    return p->end_after / c;
}

static uint32_t chunk_last_token(const sim_stream_plan *p, uint32_t j)
{
    uint64_t c = p->chunk ? p->chunk : 1, last = (uint64_t)j * c;
    return last < p->tokens ? (uint32_t)last : p->tokens;
}

pol_ns sim_stream_chunk_at(const sim_stream_plan *p, uint32_t j)
{
    return j == 0 ? 0 : sim_stream_token_at(p, chunk_last_token(p, j));
}

uint32_t sim_stream_chunk_tokens(const sim_stream_plan *p, uint32_t j)
{
    if (j == 0) return 0;
    return chunk_last_token(p, j) - chunk_last_token(p, j - 1);
}

pol_ns sim_stream_end_at(const sim_stream_plan *p)
{
    return sim_stream_token_at(p, p->end == SIM_PLAN_COMPLETE ? p->tokens + 1 : p->end_after + 1);
}

uint32_t sim_stream_billed(const sim_stream_plan *p)
{
    return p->end == SIM_PLAN_COMPLETE ? p->tokens : p->end_after;
}

/* Tokens generated at or before t (0..tokens). */
static uint32_t generated_by(const sim_stream_plan *p, pol_ns t)
{
    uint32_t n = p->tokens, s = p->stall_after;
    pol_ns d = p->per_token;
    if (t < 0) return 0;
    if (s > 0 && s < n && t < sim_stream_token_at(p, s + 1)) {       /* before the stall's end */
        if (d <= 0) return s;
        pol_ns k = t / d + 1;
        return k < (pol_ns)s ? (uint32_t)k : s;
    }
    if (d <= 0) return n;
    pol_ns base = 0, first = 1;
    if (s > 0 && s < n) { base = sim_stream_token_at(p, s + 1); first = (pol_ns)s + 1; }
    pol_ns k = first + (t - base) / d;
    return k < (pol_ns)n ? (uint32_t)k : n;
}

uint32_t sim_stream_tokens_by(const sim_stream_plan *p, pol_ns t)
{
    uint32_t c = p->chunk ? p->chunk : 1, m = sim_stream_chunks(p);
    uint32_t g = generated_by(p, t);
    uint32_t j = g >= p->tokens ? (p->tokens + c - 1) / c : g / c;
    if (j > m) j = m;
    uint64_t tok = (uint64_t)j * c;
    return tok < p->tokens ? (uint32_t)tok : p->tokens;
}

/* The times a client sees events at: T(0) = 0 the first byte, T(1..m) the
 * chunks, T(m+1) the end (end events, cut, error event). */
static pol_ns event_at(const sim_stream_plan *p, uint32_t j, uint32_t m)
{
    return j <= m ? sim_stream_chunk_at(p, j) : sim_stream_end_at(p);
}

void sim_stream_client_end(const sim_stream_plan *p, pol_ns idle, pol_ns bound, sim_stream_seen *out)
{
    uint32_t m = sim_stream_chunks(p), c = p->chunk ? p->chunk : 1;
    pol_ns end = sim_stream_end_at(p), fire = POL_NS_MAX;
    if (idle > 0) {
        /* every gap T(j) - T(j-1), 2 <= j <= m, is c d except the one the
         * stall falls in and the last chunk's (partial): the earliest gap of
         * at least `idle` is among these candidates */
        uint32_t cand[7] = { 1, 2, 3, 4, m, m + 1, 0 };
        int nc = 6;
        if (p->stall_after > 0) cand[nc++] = (p->stall_after + 1 + c - 1) / c;      /* the chunk of token s+1 */
        uint32_t best = 0;
        for (int i = 0; i < nc; i++) {
            uint32_t j = cand[i];
            if (j < 1 || j > m + 1 || (best && j >= best)) continue;
            if (event_at(p, j, m) - event_at(p, j - 1, m) >= idle) best = j;
        }
        if (best) fire = event_at(p, best - 1, m) + idle;
    }
    if (bound <= fire && bound <= end) {
        out->kind = POL_OUT_TIMEOUT;
        out->at = bound < 0 ? 0 : bound;
        out->tokens = sim_stream_tokens_by(p, out->at - 1);
    } else if (fire <= end) {
        out->kind = POL_OUT_STREAM_TIMEOUT;
        out->at = fire;
        out->tokens = sim_stream_tokens_by(p, fire - 1);
    } else {
        out->kind = p->end == SIM_PLAN_COMPLETE ? POL_OUT_SUCCESS
                  : p->end == SIM_PLAN_CUT ? POL_OUT_STREAM_CUT : POL_OUT_STREAM_ERROR;
        out->at = end;
        out->tokens = p->end == SIM_PLAN_COMPLETE ? p->tokens : m * c;
    }
}
