/* pol_retry.c — the retry state machine of one logical request
 * (pol_retry.h), checks in the documented order 1..7.
 * Invariants: a RETRY verdict never has a negative delay and, when a deadline
 * is set, now + delay < start + deadline (a sleep never crosses the deadline);
 * attempts never exceed max_attempts (when > 0). The backoff delay is drawn
 * on every retryable outcome, hint or not, so that the rng stream consumed
 * per retry does not depend on the server's hints (common random numbers
 * across compared policies); PLUS_JITTER adds one draw when a hint is present.
 * Cost: O(1), at most two rng draws, no allocation.
 */
#include "pol_retry.h"
#include "pol_internal.h"
#include <gsl/gsl_randist.h>

static const char *const action_names[] = { "done", "retry", "fallback", "give-up" };
#define N_ACTIONS ((int)(sizeof action_names / sizeof action_names[0]))
static const char *const reason_names[POL_REASON__COUNT] = {
    "none", "not-retryable", "max-attempts", "deadline", "hint-too-long",
    "server-said-no", "fallback-class"
};

const char *pol_action_name(pol_action a)
{
    return pol_name_of(action_names, N_ACTIONS, (int)a);
}

const char *pol_reason_name(pol_reason r)
{
    return pol_name_of(reason_names, POL_REASON__COUNT, (int)r);
}

void pol_retry_default(pol_retry_cfg *out)
{
    if (!out) return;
    pol_retry_cfg c = {
        .max_attempts = 3,
        .deadline = 0,
        .attempt_timeout = 0,
        .hint = { .mode = POL_HINT_HONOR, .ceiling = 0, .budget = 0, .jitter = 0, .ignore_zero = 0 },
        .honor_should_retry = 1,
        .fallback_on_exhaust = 0,
    };
    pol_backoff_default(&c.backoff);
    pol_classify_default(&c.classify);
    *out = c;
}

int pol_retry_validate(const pol_retry_cfg *c)
{
    if (!c) return POL_EINVAL;
    if (c->max_attempts < 0 || c->deadline < 0 || c->attempt_timeout < 0) return POL_EINVAL;
    if ((int)c->hint.mode < 0 || c->hint.mode >= POL_HINT__COUNT) return POL_EINVAL;
    if (c->hint.ceiling < 0 || c->hint.budget < 0 || c->hint.jitter < 0) return POL_EINVAL;
    for (size_t i = 0; i < sizeof c->classify.by_status; i++)
        if (c->classify.by_status[i] > POL_CLASS_FAIL) return POL_EINVAL;
    for (size_t i = 0; i < sizeof c->classify.by_kind; i++)
        if (c->classify.by_kind[i] > POL_CLASS_FAIL) return POL_EINVAL;
    return pol_backoff_validate(&c->backoff);
}

void pol_retry_begin(pol_retry_state *s, pol_ns now)
{
    if (!s) return;
    s->start = now;
    s->attempts = 0;
    s->last_delay = 0;
    s->hinted = 0;
    pol_backoff_reset(&s->bo);
}

static void give(pol_verdict *v, pol_action a, pol_reason why)
{
    v->action = a;
    v->reason = why;
    v->delay = 0;
}

/* Step 5: combines the backoff delay with the hint; `hinted` is the total
 * of the hints honored so far. Returns 0 (backoff used), 1 (the hint was
 * honored: a CEIL mode adds it to the total), or -1 when CEIL_GIVE_UP
 * refuses a hint above the ceiling or beyond what is left of the budget. */
static int combine_hint(const pol_hint_cfg *h, pol_ns hint, pol_ns backoff, pol_ns hinted, gsl_rng *r,
                        pol_ns *delay)
{
    if (hint < 0 || (hint == 0 && h->ignore_zero) || h->mode == POL_HINT_IGNORE) {
        *delay = backoff;
        return 0;
    }
    int within = hint <= h->ceiling && (h->budget <= 0 || (hinted <= h->budget && hint <= h->budget - hinted));
    switch (h->mode) {
    case POL_HINT_CEIL_GIVE_UP:
        if (!within) return -1;
        *delay = hint;
        return 1;
    case POL_HINT_CEIL_IGNORE:
        *delay = within ? hint : backoff;
        return within;
    case POL_HINT_MAX:
        *delay = hint > backoff ? hint : backoff;
        break;
    case POL_HINT_PLUS_JITTER: {
        pol_ns j = h->jitter > 0 ? (pol_ns)gsl_ran_flat(r, 0.0, (double)h->jitter) : 0;
        *delay = hint > POL_NS_MAX - j ? POL_NS_MAX : hint + j;      /* saturate */
        break;
    }
    case POL_HINT_HONOR:
    default:
        *delay = hint;
        break;
    }
    return 0;
}

int pol_retry_next(const pol_retry_cfg *c, pol_retry_state *s, const pol_outcome *o,
                   pol_ns now, gsl_rng *r, pol_verdict *v)
{
    if (!c || !s || !o || !r || !v) return POL_EINVAL;
    s->attempts++;
    v->cls = pol_classify(&c->classify, o);
    v->delay = 0;

    /* 1. success */
    if (v->cls == POL_CLASS_SUCCESS) {
        give(v, POL_ACT_DONE, POL_REASON_NONE);
        return POL_OK;
    }
    /* 2. x-should-retry */
    int forced = 0;
    if (c->honor_should_retry && o->should_retry == 0) {
        give(v, POL_ACT_GIVE_UP, POL_REASON_SERVER_SAID_NO);
        return POL_OK;
    }
    if (c->honor_should_retry && o->should_retry == 1) forced = 1;
    /* 3. class */
    if (!forced && v->cls == POL_CLASS_FAIL) {
        give(v, POL_ACT_GIVE_UP, POL_REASON_NOT_RETRYABLE);
        return POL_OK;
    }
    if (!forced && v->cls == POL_CLASS_FALLBACK) {
        give(v, POL_ACT_FALLBACK, POL_REASON_FALLBACK_CLASS);
        return POL_OK;
    }
    /* 4. attempts */
    if (c->max_attempts > 0 && s->attempts >= c->max_attempts) {
        give(v, c->fallback_on_exhaust ? POL_ACT_FALLBACK : POL_ACT_GIVE_UP,
             POL_REASON_MAX_ATTEMPTS);
        return POL_OK;
    }
    /* 5. delay */
    pol_ns backoff = pol_backoff_next(&c->backoff, &s->bo, s->attempts, r), delay;
    int used = combine_hint(&c->hint, o->retry_after, backoff, s->hinted, r, &delay);
    if (used < 0) {
        give(v, POL_ACT_GIVE_UP, POL_REASON_HINT_TOO_LONG);
        return POL_OK;
    }
    if (delay < 0) delay = 0;
    /* 6. deadline: never start a sleep that would cross it */
    if (c->deadline > 0 && delay >= c->deadline - (now - s->start)) {
        give(v, POL_ACT_GIVE_UP, POL_REASON_DEADLINE);
        return POL_OK;
    }
    /* 7. retry */
    v->action = POL_ACT_RETRY;
    v->reason = POL_REASON_NONE;
    v->delay = delay;
    s->last_delay = delay;
    if (used > 0) s->hinted = delay > POL_NS_MAX - s->hinted ? POL_NS_MAX : s->hinted + delay;
    return POL_OK;
}
