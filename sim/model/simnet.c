/* simnet.c — the simulated transport: the network between the clients and
 * the provider model, on the world's own engine.
 *
 * An attempt sent at t reaches its provider after one network leg (drawn
 * from the provider's network stream: its net_latency, else the
 * scenario's), is submitted to the provider model (pm.c), and the model's
 * answer travels one more leg back. Both legs run here; the model's own
 * waits (queueing, service, an OCC write) run in pm.c. The world hears of
 * each step through the calls every transport makes (model.h):
 * sim_world_arrived at the provider, sim_world_answered when the provider
 * answers, sim_world_received when the answer reaches the client, and
 * sim_world_dropped for a black hole.
 * A streamed answer travels back once, at its first byte: every later chunk
 * keeps that leg (stream.c plans its end at the client from there).
 * Lazy timeouts: before each event of an attempt is scheduled, the world is
 * told its time (sim_world_arm_timeout), so a timeout that beats it is
 * scheduled first and wins an exact tie.
 * An attempt to an OCC row (the AWS experiment) whose provider the timeline
 * never changes has no arrival event: what its read finds at the row
 * depends only on the writes before it, which have all run by the time its
 * write does (sim_pm_occ_read_at), and the arrival's only other effect, the
 * bucket's `offered` count, is known at the send. Its three legs are drawn
 * at the send, in that order, from the same stream (the legs of different
 * attempts interleave differently than with an arrival event: the same
 * distribution, other draws).
 * Answers received ahead: when what a client does with an answer depends
 * on its own state alone (sim_world_can_receive_ahead: a closed loop, no
 * stateful part, one retry loop, no attempt rows or streams, no timeout or
 * deadline on the attempt, no gauge sample before the answer arrives), the
 * answer is received when the provider gives it, as of its arrival time
 * (sim_world_received_at): the world's clock reads the arrival time while
 * the client decides, and everything it schedules is at or after it. The
 * events that run in between (other clients', the provider's) cannot see
 * the difference: they share nothing with this client but the provider,
 * which the client reaches again only by its next send, itself an event
 * at the right time. Metrics are counted at the arrival's time (the
 * latency, the bucket); the last finish is a maximum.
 * Sent ahead: in such a world whose providers are all foldable OCC rows,
 * a retry whose sleep ends before the next gauge sample is sent when the
 * policy decides, as of the sleep's end
 * (world.c, schedule_next_attempt): nothing else looks at a private client
 * while it sleeps, and a send only counts and schedules (its leg to the
 * provider is an event, or an OCC read told ahead). Its follow-up events
 * are inserted earlier, so an exact tie with another event (same
 * nanosecond) may break the other way: another order of ties, the same
 * model. The AWS experiment then takes 1 event
 * an attempt (the OCC write) instead of 4. sim_run_opts.unfolded turns
 * all three folds off (tests).
 * Cost: two events (none for a folded leg) and two O(1) table operations
 * per attempt, beyond the model's own.
 */
#include "world.h"

/* One network leg to or from provider p: in a world without a network, 0
 * at the cost of one flag's test instead of a call into the provider model. */
static inline pol_ns net_leg(sim_world *w, int p)
{
    return w->net_none ? 0 : sim_pm_net_leg(w->pm, p);
}

static int net_send(sim_world *w, uint32_t id, void *ctx)
{
    (void)ctx;
    const sim_slot *s = &w->slots[id];
    pol_ns arrive = w->eng.now + net_leg(w, s->provider);
    if (w->net_fold[s->provider]) {   /* no event at the arrival (see above) */
        if (arrive <= w->sc->duration) sim_bp(w, arrive, s->provider)->offered++;
        if (sim_pm_occ_read_at(w->pm, s->provider, arrive, id)) {
            w->error = POL_ENOMEM;
            sim_engine_stop(&w->eng);
        }
        return 0;
    }
    sim_world_arm_timeout(w, id, arrive);
    if (sim_schedule(&w->eng, arrive, EV_AT_SERVER, id, s->gen, 0)) {
        w->error = POL_ENOMEM;
        sim_engine_stop(&w->eng);
    }
    return 0;
}

static void net_cancel(sim_world *w, uint32_t id, void *ctx)
{
    (void)w; (void)id; (void)ctx;   /* the attempt travels on; the world ignores its answer */
}

static int live_slot(const sim_event *ev, void *ctx)
{
    sim_world *w = ctx;
    const sim_slot *s = &w->slots[ev->ent];
    return ev->gen == s->gen && s->state != SLOT_FREE;
}

static void on_at_server(sim_engine *e, const sim_event *ev, void *ctx)
{
    (void)e;
    sim_world *w = ctx;
    uint32_t id = ev->ent;
    const sim_slot *s = &w->slots[id];
    sim_world_arrived_(w, id);
    sim_pm_submit_ex(w->pm, s->provider, s->prompt, s->output, s->stream ? SIM_PM_STREAM : 0u, id, NULL);
}

/* The provider model's answer for the attempt in slot `tag`, now. */
static void pm_answer(void *ctx, uint64_t tag, const sim_answer *a)
{
    sim_world *w = ctx;
    uint32_t id = (uint32_t)tag;
    if (a->dropped) { sim_world_dropped(w, id); return; }
    sim_world_answered_(w, id, a);
    sim_slot *s = &w->slots[id];
    pol_ns back = w->eng.now + net_leg(w, s->provider);
    if (sim_world_can_receive_ahead(w, id, back)) {   /* no event at the client (see above) */
        sim_world_received_at(w, id, back);
        return;
    }
    sim_world_arm_timeout(w, id, back);
    if (sim_schedule(&w->eng, back, EV_RESPONSE, id, s->gen, 0)) {
        w->error = POL_ENOMEM;
        sim_engine_stop(&w->eng);
    }
}

static void pm_next(void *ctx, uint64_t tag, pol_ns t)
{
    sim_world_arm_timeout(ctx, (uint32_t)tag, t);
}

static void on_response(sim_engine *e, const sim_event *ev, void *ctx)
{
    (void)e;
    sim_world_received(ctx, ev->ent);
}

int sim_net_init(sim_world *w)
{
    int np = w->sc->nproviders;
    w->net_fold = calloc((size_t)np, sizeof *w->net_fold);
    if (!w->net_fold) return POL_ENOMEM;
    w->net_none = 1;
    for (int p = 0; p < np; p++) {
        w->net_fold[p] = (uint8_t)(!w->unfolded && sim_pm_occ_foldable(w->pm, p));
        if (sim_pm_net_fixed(w->pm, p) != 0) w->net_none = 0;
    }
    w->tp = (sim_transport){ .send = net_send, .cancel = net_cancel, .ctx = NULL };
    w->simulated = 1;
    sim_engine_on(&w->eng, EV_AT_SERVER, on_at_server, live_slot, w);
    sim_engine_on(&w->eng, EV_RESPONSE, on_response, live_slot, w);
    sim_engine_prefetch(&w->eng, EV_AT_SERVER, sim_slot_addr);
    sim_engine_prefetch(&w->eng, EV_RESPONSE, sim_slot_addr);
    return POL_OK;
}

/* The provider model's host of a simulated world: answers travel back on
 * the network; timeline entries go to the world. */
const sim_pm_host *sim_net_host(sim_world *w, sim_pm_host *h)
{
    *h = (sim_pm_host){ .answer = pm_answer, .next = pm_next, .change = sim_world_on_change, .ctx = w };
    return h;
}
