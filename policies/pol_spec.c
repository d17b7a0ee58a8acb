/* pol_spec.c — a retry policy from an inline spec string (pol_retry_spec_parse,
 * pol_preset.h): the text of `retrysim delays POLICY` and of the Python
 * package's Policy(spec), parsed in one place so that both sample the same
 * policy.
 *
 * Grammar (docs/policies.md §7, docs/cli.md "retrysim delays"):
 *   [PRESET | KIND[:key=value,...]][;on=MATCH|MATCH...:key=value,...]...[;count=MODE]
 * Numbers and durations are pol_parse_double / _int / _duration
 * (pol_units.c), the grammar the simulator's scenarios read too, so a spec
 * means the same in a scenario's --set and here.
 * Messages are built without stdio (libretrypol does no I/O): msg() joins
 * string pieces into the caller's buffer, truncating.
 * Invariants: *out is written only on success; no allocation, no static
 * mutable data. Cost: O(length of the spec), at most POL_RETRY_MAX_RULES
 * rules.
 */
#include "pol_preset.h"
#include <stdlib.h>
#include <string.h>

#define SPEC_MAX 1024   /* the longest spec accepted, terminator included */

/* err = a + b + c + d + e (NULL pieces are skipped), truncated to errcap. */
static int msg(char *err, size_t errcap, int rc, const char *a, const char *b, const char *c, const char *d,
               const char *e)
{
    if (!err || errcap == 0) return rc;
    const char *parts[5] = { a, b, c, d, e };
    size_t len = 0;
    for (int i = 0; i < 5; i++)
        for (const char *p = parts[i]; p && *p && len + 1 < errcap; p++) err[len++] = *p;
    err[len] = '\0';
    return rc;
}

/* ---- the spec ------------------------------------------------------------ */

typedef struct { char *err; size_t cap; } spec_err;

/* One key=value onto a backoff and a max_attempts; *which gets the
 * POL_RULE_* bit of the field set. POL_ENOTFOUND for an unknown key. */
static int spec_key(pol_backoff_cfg *b, int *max_attempts, const char *key, const char *val, unsigned *which)
{
    long long n;
    *which = POL_RULE_BACKOFF;
    if (!strcmp(key, "base"))       return pol_parse_duration(val, &b->base);
    if (!strcmp(key, "cap"))        return pol_parse_duration(val, &b->cap);
    if (!strcmp(key, "floor"))      return pol_parse_duration(val, &b->floor);
    if (!strcmp(key, "step"))       return pol_parse_duration(val, &b->step);
    if (!strcmp(key, "jitter_max")) return pol_parse_duration(val, &b->jitter_max);
    if (!strcmp(key, "mult"))       return pol_parse_double(val, &b->multiplier);
    if (!strcmp(key, "factor"))     return pol_parse_double(val, &b->jitter_factor);
    if (!strcmp(key, "jitter"))     return pol_jitter_parse(val, &b->jitter) ? POL_EPARSE : POL_OK;
    if (!strcmp(key, "attempts")) {
        *which = POL_RULE_MAX_ATTEMPTS;
        int rc = pol_parse_int(val, &n);
        if (rc == POL_OK && (n < 0 || n > 1000000)) rc = POL_ERANGE;
        if (rc == POL_OK) *max_attempts = (int)n;
        return rc;
    }
    return POL_ENOTFOUND;
}

/* key=value,... (list, modified in place) onto b / max_attempts; a rule
 * (rule = 1) also takes backoff=KIND; step follows base unless given. */
static int spec_keys(char *list, pol_backoff_cfg *b, int *max_attempts, int rule, unsigned *set, spec_err *e)
{
    int step_given = 0;
    char *save = NULL;
    for (char *tok = list ? strtok_r(list, ",", &save) : NULL; tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq) return msg(e->err, e->cap, POL_EPARSE, "inline spec item '", tok, "' is not key=value", 0, 0);
        *eq = '\0';
        unsigned which = 0;
        int rc;
        if (rule && !strcmp(tok, "backoff")) {
            which = POL_RULE_BACKOFF;
            rc = pol_backoff_kind_parse(eq + 1, &b->kind) ? POL_EPARSE : POL_OK;
        } else {
            rc = spec_key(b, max_attempts, tok, eq + 1, &which);
        }
        if (rc == POL_ENOTFOUND) return msg(e->err, e->cap, POL_EPARSE, "unknown key '", tok, "' in inline spec", 0, 0);
        if (rc != POL_OK) {
            msg(e->err, e->cap, rc, "bad value '", eq + 1, "' for ", tok, ": ");
            size_t len = e->err && e->cap ? strlen(e->err) : 0;
            if (e->err) msg(e->err + len, e->cap - len, rc, pol_strerror(rc), 0, 0, 0, 0);
            return rc;
        }
        step_given |= !strcmp(tok, "step");
        if (!strcmp(tok, "base") && !step_given) b->step = b->base;
        *set |= which;
    }
    return POL_OK;
}

/* on=MATCH|MATCH...:key=value,... (seg, after "on=") -> one more rule of c. */
static int spec_rule(char *seg, pol_retry_cfg *c, spec_err *e)
{
    pol_retry_rule r;
    pol_retry_rule_init(&r, c);
    char *keys = strchr(seg, ':');
    if (keys) *keys++ = '\0';
    char *save = NULL;
    for (char *it = strtok_r(seg, "|", &save); it; it = strtok_r(NULL, "|", &save))
        if (pol_retry_rule_match_parse(&r, it) != POL_OK)
            return msg(e->err, e->cap, POL_EPARSE, "bad match '", it,
                       "' in inline spec (a status 400..599 like 429, 4xx, 5xx, timeout, "
                       "refused, reset, context-window or content-policy)", 0, 0);
    int any = r.kinds != 0;
    for (int st = 400; st <= 599 && !any; st++) {
        pol_outcome probe = pol_outcome_make(POL_OUT_HTTP, st);
        any = pol_retry_rule_matches(&r, &probe);
    }
    if (!any) return msg(e->err, e->cap, POL_EPARSE, "on= needs at least one MATCH before its ':'", 0, 0, 0, 0);
    int rc = spec_keys(keys, &r.backoff, &r.max_attempts, 1, &r.set, e);
    if (rc) return rc;
    if (pol_retry_add_rule(c, &r) < 0) return msg(e->err, e->cap, POL_ERANGE, "at most 8 rules in an inline spec", 0, 0, 0, 0);
    return POL_OK;
}

int pol_retry_spec_parse(const char *spec, pol_retry_cfg *out, char *err, size_t errcap)
{
    spec_err e = { err, errcap };
    if (err && errcap) err[0] = '\0';
    if (!spec || !out) return msg(err, errcap, POL_EINVAL, "no spec", 0, 0, 0, 0);
    char buf[SPEC_MAX];
    if (strlen(spec) >= sizeof buf) return msg(err, errcap, POL_ERANGE, "policy spec too long: '", spec, "'", 0, 0);
    strcpy(buf, spec);
    pol_retry_cfg c;
    char *segs = strchr(buf, ';');
    if (segs) *segs++ = '\0';
    if (pol_preset_get(buf, &c) != POL_OK) {
        char *rest = strchr(buf, ':');
        if (rest) *rest++ = '\0';
        pol_retry_default(&c);
        if (pol_backoff_kind_parse(buf, &c.backoff.kind) != POL_OK)
            return msg(err, errcap, POL_ENOTFOUND, "unknown policy '", spec,
                       "' (not a preset; an inline spec starts with constant:, linear: or exponential:; "
                       "a scenario's policy is FILE.yaml:NAME)", 0, 0);
        c.backoff.step = c.backoff.base;
        unsigned set = 0;
        int rc = spec_keys(rest, &c.backoff, &c.max_attempts, 0, &set, &e);
        if (rc) return rc;
    }
    char *save = NULL;
    for (char *seg = segs ? strtok_r(segs, ";", &save) : NULL; seg; seg = strtok_r(NULL, ";", &save)) {
        if (!strncmp(seg, "count=", 6)) {
            if (pol_count_mode_parse(seg + 6, &c.count) != POL_OK)
                return msg(err, errcap, POL_EPARSE, "bad count '", seg + 6,
                           "' in inline spec (shared, per-kind or first-kind)", 0, 0);
        } else if (!strncmp(seg, "on=", 3)) {
            int rc = spec_rule(seg + 3, &c, &e);
            if (rc) return rc;
        } else {
            return msg(err, errcap, POL_EPARSE, "inline spec segment '", seg, "' is neither on=... nor count=...", 0, 0);
        }
    }
    if (pol_retry_validate(&c) != POL_OK)
        return msg(err, errcap, POL_ERANGE, "inline spec '", spec, "' is out of range (see docs/policies.md)", 0, 0);
    *out = c;
    return POL_OK;
}
