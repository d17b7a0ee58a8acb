/* pol_classify.c — the outcome -> class table of pol_classify.h.
 * Invariants: every entry of a cfg made by pol_classify_default or changed
 * through the setters is a valid pol_class; HTTP statuses outside 100..599
 * and unknown outcome kinds classify as FAIL (a client must not loop on what
 * it does not understand).
 * Cost: one table lookup; the table is ~520 bytes of plain copyable data.
 */
#include "pol_classify.h"
#include "pol_internal.h"

static const char *const class_names[] = { "success", "retry", "fallback", "fail" };
#define N_CLASSES ((int)(sizeof class_names / sizeof class_names[0]))

static const char *const kind_names[POL_OUT__COUNT] = {
    "success", "http", "timeout", "refused", "reset", "context-window", "content-policy",
    "stream-cut", "stream-error", "stream-timeout"
};

POL_NAME_FUNCS(pol_class, pol_class_name, pol_class_parse, class_names, N_CLASSES)

const char *pol_outcome_kind_name(pol_outcome_kind k)
{
    return pol_name_of(kind_names, POL_OUT__COUNT, (int)k);
}

static int class_ok(pol_class cls)
{
    return (int)cls >= 0 && (int)cls < N_CLASSES;
}

void pol_classify_default(pol_classify_cfg *out)
{
    static const int retry_4xx[] = { 408, 409, 429 };
    if (!out) return;
    for (int st = POL_STATUS_MIN; st <= POL_STATUS_MAX; st++) {
        pol_class cls = POL_CLASS_FAIL;                 /* 1xx, 3xx, 4xx */
        if (st >= 200 && st < 300) cls = POL_CLASS_SUCCESS;
        else if (st >= 500) cls = POL_CLASS_RETRY;
        out->by_status[st - POL_STATUS_MIN] = (uint8_t)cls;
    }
    for (size_t i = 0; i < sizeof retry_4xx / sizeof retry_4xx[0]; i++)
        out->by_status[retry_4xx[i] - POL_STATUS_MIN] = POL_CLASS_RETRY;
    out->by_kind[POL_OUT_SUCCESS]        = POL_CLASS_SUCCESS;
    out->by_kind[POL_OUT_HTTP]           = POL_CLASS_FAIL;    /* unused */
    out->by_kind[POL_OUT_TIMEOUT]        = POL_CLASS_RETRY;
    out->by_kind[POL_OUT_CONN_REFUSED]   = POL_CLASS_RETRY;
    out->by_kind[POL_OUT_CONN_RESET]     = POL_CLASS_RETRY;
    out->by_kind[POL_OUT_CONTEXT_WINDOW] = POL_CLASS_FALLBACK;
    out->by_kind[POL_OUT_CONTENT_POLICY] = POL_CLASS_FALLBACK;
    /* a loop that wraps the whole call, the stream's reading included,
     * restarts it; the SDK presets override these (pol_preset.c) */
    out->by_kind[POL_OUT_STREAM_CUT]     = POL_CLASS_RETRY;
    out->by_kind[POL_OUT_STREAM_ERROR]   = POL_CLASS_RETRY;
    out->by_kind[POL_OUT_STREAM_TIMEOUT] = POL_CLASS_RETRY;
}

int pol_classify_set_status(pol_classify_cfg *c, int status, pol_class cls)
{
    if (!c || !class_ok(cls) || status < POL_STATUS_MIN || status > POL_STATUS_MAX)
        return POL_EINVAL;
    c->by_status[status - POL_STATUS_MIN] = (uint8_t)cls;
    return POL_OK;
}

int pol_classify_set_kind(pol_classify_cfg *c, pol_outcome_kind k, pol_class cls)
{
    if (!c || !class_ok(cls) || k <= POL_OUT_HTTP || k >= POL_OUT__COUNT)
        return POL_EINVAL;
    c->by_kind[k] = (uint8_t)cls;
    return POL_OK;
}

pol_class pol_classify(const pol_classify_cfg *c, const pol_outcome *o)
{
    if (!c || !o) return POL_CLASS_FAIL;
    if (o->kind == POL_OUT_SUCCESS) return POL_CLASS_SUCCESS;
    if (o->kind == POL_OUT_HTTP) {
        if (o->status < POL_STATUS_MIN || o->status > POL_STATUS_MAX) return POL_CLASS_FAIL;
        return (pol_class)c->by_status[o->status - POL_STATUS_MIN];
    }
    if ((int)o->kind < 0 || o->kind >= POL_OUT__COUNT) return POL_CLASS_FAIL;
    return (pol_class)c->by_kind[o->kind];
}
