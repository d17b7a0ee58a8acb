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
 * Cost: two events and two O(1) table operations per attempt, beyond the
 * model's own.
 */
#include "world.h"

static int net_send(sim_world *w, uint32_t id, void *ctx)
{
    (void)ctx;
    const sim_slot *s = &w->slots[id];
    pol_ns arrive = w->eng.now + sim_pm_net_leg(w->pm, s->provider);
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
    pol_ns back = w->eng.now + sim_pm_net_leg(w->pm, s->provider);
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
