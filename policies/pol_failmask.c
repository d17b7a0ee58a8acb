/* pol_failmask.c — which outcomes count as failures (pol_failmask.h).
 * Invariants: bits outside 100..599 are never set or read; a success kind is
 * never a failure. Cost: O(1) per test, no allocation.
 */
#include "pol_failmask.h"
#include <string.h>

static void set_bit(pol_failmask *m, int status, int on)
{
    int i = status - POL_STATUS_MIN;
    uint8_t bit = (uint8_t)(1u << (i & 7));
    if (on) m->status_bits[i >> 3] |= bit;
    else    m->status_bits[i >> 3] &= (uint8_t)~bit;
}

static int get_bit(const pol_failmask *m, int status)
{
    int i = status - POL_STATUS_MIN;
    return (m->status_bits[i >> 3] >> (i & 7)) & 1;
}

void pol_failmask_none(pol_failmask *m)
{
    if (m) memset(m, 0, sizeof *m);
}

void pol_failmask_default(pol_failmask *m)
{
    if (!m) return;
    pol_failmask_none(m);
    set_bit(m, 408, 1);
    set_bit(m, 429, 1);
    pol_failmask_set_status(m, 500, POL_STATUS_MAX, 1);
    m->kind_bits = (1u << POL_OUT_TIMEOUT) | (1u << POL_OUT_CONN_REFUSED) | (1u << POL_OUT_CONN_RESET) |
                  (1u << POL_OUT_STREAM_CUT) | (1u << POL_OUT_STREAM_ERROR) | (1u << POL_OUT_STREAM_TIMEOUT);
}

int pol_failmask_set_status(pol_failmask *m, int lo, int hi, int counts)
{
    if (!m || lo < POL_STATUS_MIN || hi > POL_STATUS_MAX || lo > hi) return POL_EINVAL;
    for (int s = lo; s <= hi; s++) set_bit(m, s, counts);
    return POL_OK;
}

int pol_failmask_set_kind(pol_failmask *m, pol_outcome_kind k, int counts)
{
    if (!m || (int)k < 0 || k >= POL_OUT__COUNT || k == POL_OUT_SUCCESS || k == POL_OUT_HTTP)
        return POL_EINVAL;
    if (counts) m->kind_bits |= 1u << k;
    else        m->kind_bits &= ~(1u << k);
    return POL_OK;
}

int pol_failmask_from_classes(pol_failmask *m, const pol_classify_cfg *c, unsigned class_bits)
{
    if (!m || !c) return POL_EINVAL;
    pol_failmask_none(m);
    for (int s = POL_STATUS_MIN; s <= POL_STATUS_MAX; s++)
        if (class_bits & (1u << c->by_status[s - POL_STATUS_MIN])) set_bit(m, s, 1);
    for (int k = POL_OUT_TIMEOUT; k < POL_OUT__COUNT; k++)
        if (class_bits & (1u << c->by_kind[k])) m->kind_bits |= 1u << k;
    return POL_OK;
}

int pol_failmask_test(const pol_failmask *m, const pol_outcome *o)
{
    if (!m || !o || o->kind == POL_OUT_SUCCESS) return 0;
    if (o->kind == POL_OUT_HTTP)
        return o->status >= POL_STATUS_MIN && o->status <= POL_STATUS_MAX && get_bit(m, o->status);
    if ((int)o->kind < 0 || o->kind >= POL_OUT__COUNT) return 0;
    return (int)((m->kind_bits >> o->kind) & 1u);
}
