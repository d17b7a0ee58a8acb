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
#include <string.h>

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

static const char *const count_names[POL_COUNT__COUNT] = { "shared", "per-kind", "first-kind" };
POL_NAME_FUNCS(pol_count_mode, pol_count_mode_name, pol_count_mode_parse, count_names, POL_COUNT__COUNT)

#define RULE_KINDS_OK ((uint16_t)(((1u << POL_OUT__COUNT) - 1) & ~((1u << POL_OUT_SUCCESS) | (1u << POL_OUT_HTTP))))

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
        .count = POL_COUNT_SHARED,
        .nrules = 0,
    };
    pol_backoff_default(&c.backoff);
    pol_classify_default(&c.classify);
    *out = c;
}

static int hint_valid(const pol_hint_cfg *h)
{
    return (int)h->mode >= 0 && h->mode < POL_HINT__COUNT && h->ceiling >= 0 && h->budget >= 0 && h->jitter >= 0;
}

static int rule_validate(const pol_retry_rule *r)
{
    if (r->set & ~(unsigned)POL_RULE__ALL) return POL_EINVAL;
    if (r->kinds & ~RULE_KINDS_OK) return POL_EINVAL;
    int any = r->kinds != 0;
    for (int i = 0; i < POL_RULE_STATUS_BYTES; i++) any |= r->status[i] != 0;
    if (!any) return POL_EINVAL;                                   /* matches nothing */
    int last = POL_STATUS_MAX - POL_STATUS_MIN;                    /* bits past 599 must be clear */
    if (r->status[last / 8] & (uint8_t)~((2u << (last % 8)) - 1)) return POL_EINVAL;
    if ((r->set & POL_RULE_MAX_ATTEMPTS) && r->max_attempts < 0) return POL_EINVAL;
    if ((r->set & POL_RULE_HINT) && !hint_valid(&r->hint)) return POL_EINVAL;
    if ((r->set & POL_RULE_BACKOFF) && pol_backoff_validate(&r->backoff) != POL_OK) return POL_EINVAL;
    return POL_OK;
}

int pol_retry_validate(const pol_retry_cfg *c)
{
    if (!c) return POL_EINVAL;
    if (c->max_attempts < 0 || c->deadline < 0 || c->attempt_timeout < 0) return POL_EINVAL;
    if (!hint_valid(&c->hint)) return POL_EINVAL;
    for (size_t i = 0; i < sizeof c->classify.by_status; i++)
        if (c->classify.by_status[i] > POL_CLASS_FAIL) return POL_EINVAL;
    for (size_t i = 0; i < sizeof c->classify.by_kind; i++)
        if (c->classify.by_kind[i] > POL_CLASS_FAIL) return POL_EINVAL;
    if ((int)c->count < 0 || c->count >= POL_COUNT__COUNT) return POL_EINVAL;
    if (c->nrules < 0 || c->nrules > POL_RETRY_MAX_RULES) return POL_EINVAL;
    for (int i = 0; i < c->nrules; i++)
        if (rule_validate(&c->rules[i]) != POL_OK) return POL_EINVAL;
    return pol_backoff_validate(&c->backoff);
}

/* ---- per-kind rules ------------------------------------------------------ */

int pol_retry_rule_init(pol_retry_rule *r, const pol_retry_cfg *policy)
{
    if (!r) return POL_EINVAL;
    pol_retry_cfg d;
    if (!policy) {
        pol_retry_default(&d);
        policy = &d;
    }
    memset(r, 0, sizeof *r);
    r->max_attempts = policy->max_attempts;
    r->backoff = policy->backoff;
    r->hint = policy->hint;
    r->honor_should_retry = policy->honor_should_retry;
    r->fallback_on_exhaust = policy->fallback_on_exhaust;
    return POL_OK;
}

int pol_retry_rule_match_status(pol_retry_rule *r, int lo, int hi)
{
    if (!r || lo > hi) return POL_EINVAL;
    if (lo < POL_STATUS_MIN || hi > POL_STATUS_MAX) return POL_ERANGE;
    for (int st = lo; st <= hi; st++) {
        int b = st - POL_STATUS_MIN;
        r->status[b / 8] |= (uint8_t)(1u << (b % 8));
    }
    return POL_OK;
}

int pol_retry_rule_match_kind(pol_retry_rule *r, pol_outcome_kind k)
{
    if (!r || (int)k < 0 || k >= POL_OUT__COUNT || !(RULE_KINDS_OK & (1u << k))) return POL_EINVAL;
    r->kinds |= (uint16_t)(1u << k);
    return POL_OK;
}

int pol_retry_rule_match_parse(pol_retry_rule *r, const char *item)
{
    if (!r || !item) return POL_EINVAL;
    size_t n = strlen(item);
    if (n == 3 && (item[0] == '4' || item[0] == '5') && item[1] == 'x' && item[2] == 'x') {
        int lo = (item[0] - '0') * 100;
        return pol_retry_rule_match_status(r, lo, lo + 99);
    }
    if (n > 0 && n <= 9) {
        int st = 0;
        size_t i = 0;
        while (i < n && item[i] >= '0' && item[i] <= '9') st = st * 10 + (item[i++] - '0');
        if (i == n) return st >= 400 && st <= POL_STATUS_MAX ? pol_retry_rule_match_status(r, st, st) : POL_ERANGE;
    }
    for (int k = POL_OUT_TIMEOUT; k < POL_OUT__COUNT; k++)
        if (!strcmp(item, pol_outcome_kind_name((pol_outcome_kind)k)))
            return pol_retry_rule_match_kind(r, (pol_outcome_kind)k);
    return POL_EPARSE;
}

int pol_retry_rule_matches(const pol_retry_rule *r, const pol_outcome *o)
{
    if (!r || !o || (int)o->kind < 0 || o->kind >= POL_OUT__COUNT) return 0;
    if (o->kind == POL_OUT_HTTP) {
        if (o->status < POL_STATUS_MIN || o->status > POL_STATUS_MAX) return 0;
        int b = o->status - POL_STATUS_MIN;
        return (r->status[b / 8] >> (b % 8)) & 1;
    }
    return o->kind != POL_OUT_SUCCESS && ((r->kinds >> o->kind) & 1);
}

int pol_retry_add_rule(pol_retry_cfg *c, const pol_retry_rule *r)
{
    if (!c || !r || c->nrules < 0) return POL_EINVAL;
    if (c->nrules >= POL_RETRY_MAX_RULES) return POL_ERANGE;
    c->rules[c->nrules] = *r;
    return c->nrules++;
}

int pol_retry_rule_for(const pol_retry_cfg *c, const pol_outcome *o)
{
    if (!c || !o) return POL_RETRY_NO_RULE;
    for (int i = 0; i < c->nrules && i < POL_RETRY_MAX_RULES; i++)
        if (pol_retry_rule_matches(&c->rules[i], o)) return i;
    return POL_RETRY_NO_RULE;
}

/* ---- the state machine --------------------------------------------------- */

#define FIRST_UNSET (-2)

void pol_retry_begin(pol_retry_state *s, pol_ns now)
{
    if (!s) return;
    s->start = now;
    s->attempts = 0;
    s->last_delay = 0;
    s->hinted = 0;
    pol_backoff_reset(&s->bo);
    s->last_rule = POL_RETRY_NO_RULE;
    s->first_rule = FIRST_UNSET;
    memset(s->kind_attempts, 0, sizeof s->kind_attempts);
    s->rule_bo_live = 0;         /* a rule's backoff state is reset when the rule is first used */
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
    /* the rule of this outcome (first match), its counters */
    int ri = c->nrules > 0 ? pol_retry_rule_for(c, o) : POL_RETRY_NO_RULE;
    const pol_retry_rule *rule = ri >= 0 ? &c->rules[ri] : NULL;
    unsigned set = rule ? rule->set : 0;
    s->kind_attempts[ri + 1]++;
    s->last_rule = ri;
    if (s->first_rule == FIRST_UNSET) s->first_rule = ri;
    int honor = set & POL_RULE_SHOULD_RETRY ? rule->honor_should_retry : c->honor_should_retry;
    int fb = set & POL_RULE_FALLBACK_ON_EXHAUST ? rule->fallback_on_exhaust : c->fallback_on_exhaust;

    /* 2. x-should-retry */
    int forced = 0;
    if (honor && o->should_retry == 0) {
        give(v, POL_ACT_GIVE_UP, POL_REASON_SERVER_SAID_NO);
        return POL_OK;
    }
    if (honor && o->should_retry == 1) forced = 1;
    /* 3. class */
    if (!forced && v->cls == POL_CLASS_FAIL) {
        give(v, POL_ACT_GIVE_UP, POL_REASON_NOT_RETRYABLE);
        return POL_OK;
    }
    if (!forced && v->cls == POL_CLASS_FALLBACK) {
        give(v, POL_ACT_FALLBACK, POL_REASON_FALLBACK_CLASS);
        return POL_OK;
    }
    /* 4. attempts: the policy's cap over all attempts, then the rule's limit */
    int limit = 0, counted = s->attempts;
    if (c->count == POL_COUNT_PER_KIND) {
        limit = set & POL_RULE_MAX_ATTEMPTS ? rule->max_attempts : c->max_attempts;
        counted = s->kind_attempts[ri + 1];
    } else {
        const pol_retry_rule *lr = c->count == POL_COUNT_FIRST_KIND
                                 ? (s->first_rule >= 0 ? &c->rules[s->first_rule] : NULL) : rule;
        if (lr && (lr->set & POL_RULE_MAX_ATTEMPTS)) limit = lr->max_attempts;
    }
    if ((c->max_attempts > 0 && s->attempts >= c->max_attempts) || (limit > 0 && counted >= limit)) {
        give(v, fb ? POL_ACT_FALLBACK : POL_ACT_GIVE_UP, POL_REASON_MAX_ATTEMPTS);
        return POL_OK;
    }
    /* 5. delay: retry n of this schedule (all attempts, or this kind's with PER_KIND) */
    const pol_backoff_cfg *bc = set & POL_RULE_BACKOFF ? &rule->backoff : &c->backoff;
    pol_backoff_state *bs = &s->bo;
    if (set & POL_RULE_BACKOFF) {
        bs = &s->rule_bo[ri];
        if (!(s->rule_bo_live & (1u << ri))) {
            pol_backoff_reset(bs);
            s->rule_bo_live |= 1u << ri;
        }
    }
    int n = c->count == POL_COUNT_PER_KIND ? counted : s->attempts;
    pol_ns backoff = pol_backoff_next(bc, bs, n, r), delay;
    int used = combine_hint(set & POL_RULE_HINT ? &rule->hint : &c->hint, o->retry_after, backoff, s->hinted, r, &delay);
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
