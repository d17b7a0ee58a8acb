/* import_util.c — shared pieces of the importers (import_util.h). */
#include "import_util.h"
#include "units.h"
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- nodes ----------------------------------------------------------------- */

static sim_cfg_node *node(imp_ctx *c, sim_cfg_kind kind, const sim_cfg_node *at, const char *text)
{
    sim_cfg_node *n = sim_cfg_new(kind, c->src, at ? at->line : 1, at ? at->col : 1, text);
    if (!n) c->oom = 1;
    return n;
}

sim_cfg_node *imp_scalar(imp_ctx *c, const sim_cfg_node *at, const char *text) { return node(c, SIM_CFG_SCALAR, at, text); }
sim_cfg_node *imp_map(imp_ctx *c, const sim_cfg_node *at) { return node(c, SIM_CFG_MAP, at, NULL); }
sim_cfg_node *imp_seq(imp_ctx *c, const sim_cfg_node *at) { return node(c, SIM_CFG_SEQ, at, NULL); }

sim_cfg_node *imp_scalarf(imp_ctx *c, const sim_cfg_node *at, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return imp_scalar(c, at, buf);
}

void imp_put(imp_ctx *c, sim_cfg_node *map, const char *key, sim_cfg_node *val)
{
    if (!map || !val) { sim_cfg_node_free(val); c->oom |= !val; return; }
    sim_cfg_node *k = node(c, SIM_CFG_SCALAR, val, key);
    if (sim_cfg_put(map, k, val)) c->oom = 1;
}

void imp_push(imp_ctx *c, sim_cfg_node *seq, sim_cfg_node *val)
{
    if (!seq || !val) { sim_cfg_node_free(val); c->oom |= !val; return; }
    if (sim_cfg_put(seq, NULL, val)) c->oom = 1;
}

void imp_note(imp_ctx *c, const sim_cfg_node *val, const char *fmt, ...)
{
    sim_import *im = c->im;
    if (!val) return;
    if (im->nnotes == im->capnotes) {
        size_t cap = im->capnotes ? 2 * im->capnotes : 32;
        sim_import_note *n = realloc(im->notes, cap * sizeof *n);
        if (!n) { c->oom = 1; return; }
        im->notes = n;
        im->capnotes = cap;
    }
    char buf[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char *t = strdup(buf);
    if (!t) { c->oom = 1; return; }
    im->notes[im->nnotes].node = val;
    im->notes[im->nnotes++].text = t;
}

/* ---- warnings -------------------------------------------------------------- */

static void warn_at(imp_ctx *c, const sim_cfg_node *at, const char *msg)
{
    if (c->nw == c->capw) {
        size_t cap = c->capw ? 2 * c->capw : 16;
        struct warning *w = realloc(c->w, cap * sizeof *w);
        if (!w) { c->oom = 1; return; }
        c->w = w;
        c->capw = cap;
    }
    char *t = strdup(msg);
    if (!t) { c->oom = 1; return; }
    c->w[c->nw] = (struct warning){ at ? at->line : 1, at ? at->col : 1, c->nw, t };
    c->nw++;
}

void imp_warn(imp_ctx *c, const sim_cfg_node *at, const char *fmt, ...)
{
    char buf[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    warn_at(c, at, buf);
}

void imp_ignored(imp_ctx *c, const char *what, const sim_cfg_node *key, const char *why)
{
    for (size_t i = 0; i < c->nagg; i++)
        if (!strcmp(c->agg[i].what, what) && !strcmp(c->agg[i].key, key->str)) { c->agg[i].count++; return; }
    if (c->nagg == c->capagg) {
        size_t cap = c->capagg ? 2 * c->capagg : 16;
        struct agg *a = realloc(c->agg, cap * sizeof *a);
        if (!a) { c->oom = 1; return; }
        c->agg = a;
        c->capagg = cap;
    }
    struct agg *a = &c->agg[c->nagg];
    a->what = strdup(what);
    a->key = strdup(key->str);
    a->why = strdup(why);
    a->at = key;
    a->count = 1;
    if (!a->what || !a->key || !a->why) { free(a->what); free(a->key); free(a->why); c->oom = 1; return; }
    c->nagg++;
}

static int warning_cmp(const void *x, const void *y)
{
    const struct warning *a = x, *b = y;
    if (a->line != b->line) return a->line < b->line ? -1 : 1;
    if (a->col != b->col) return a->col < b->col ? -1 : 1;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

void imp_flush(imp_ctx *c)
{
    for (size_t i = 0; i < c->nagg; i++) {
        struct agg *a = &c->agg[i];
        char buf[900];
        if (a->count > 1)
            snprintf(buf, sizeof buf, "%s '%s' (%d places, the first here): understood, not simulated: %s",
                     a->what, a->key, a->count, a->why);
        else
            snprintf(buf, sizeof buf, "%s '%s': understood, not simulated: %s", a->what, a->key, a->why);
        warn_at(c, a->at, buf);
        free(a->what);
        free(a->key);
        free(a->why);
    }
    free(c->agg);
    c->agg = NULL;
    c->nagg = c->capagg = 0;
    if (c->nw) qsort(c->w, c->nw, sizeof *c->w, warning_cmp);
    for (size_t i = 0; i < c->nw; i++) {
        sim_buf_printf(&c->im->warnings, "%s:%d:%d: warning: %s\n", c->src, c->w[i].line, c->w[i].col, c->w[i].text);
        c->im->nwarnings++;
        free(c->w[i].text);
    }
    free(c->w);
    c->w = NULL;
    c->nw = c->capw = 0;
}

/* ---- keys ------------------------------------------------------------------ */

static int check_keys(imp_ctx *c, const sim_cfg_node *map, const char *what, const char *agg,
                      const imp_key *keys, size_t nkeys, const char *open);

int imp_check_keys(imp_ctx *c, const sim_cfg_node *map, const char *what, const char *agg,
                   const imp_key *keys, size_t nkeys)
{
    return check_keys(c, map, what, agg, keys, nkeys, NULL);
}

int imp_check_keys_open(imp_ctx *c, const sim_cfg_node *map, const char *what, const char *agg,
                        const imp_key *keys, size_t nkeys, const char *open)
{
    return check_keys(c, map, what, agg, keys, nkeys, open);
}

static int check_keys(imp_ctx *c, const sim_cfg_node *map, const char *what, const char *agg,
                      const imp_key *keys, size_t nkeys, const char *open)
{
    if (!map) return POL_OK;
    if (map->kind != SIM_CFG_MAP) return sim_cfg_errf(c->err, map, "expected a map for '%s'", what);
    const char *names[256];
    size_t nn = nkeys < 256 ? nkeys : 256;
    for (size_t i = 0; i < nn; i++) names[i] = keys[i].key;
    for (size_t i = 0; i < map->n; i++) {
        const sim_cfg_node *k = map->keys[i];
        size_t j = 0;
        while (j < nkeys && strcmp(keys[j].key, k->str)) j++;
        if (j < nkeys) {
            if (keys[j].ignored && map->items[i]->kind != SIM_CFG_NULL) imp_ignored(c, agg ? agg : what, k, keys[j].ignored);
            continue;
        }
        if (open) {              /* an open map: only a near miss of a simulated key is an error */
            const char *sim[256];
            size_t ns = 0;
            for (size_t j = 0; j < nkeys && ns < 256; j++) if (!keys[j].ignored) sim[ns++] = keys[j].key;
            if (!sim_cfg_suggest(k->str, sim, ns)) { imp_ignored(c, agg ? agg : what, k, open); continue; }
        }
        char msg[700];
        snprintf(msg, sizeof msg, "unknown key '%s' in %s", k->str, what);
        sim_cfg_did_you_mean(msg, sizeof msg, k->str, names, nn);
        if (!c->lenient) return sim_cfg_errf(c->err, k, "%s (--lenient makes unknown keys warnings)", msg);
        imp_warn(c, k, "%s; ignored (--lenient)", msg);
    }
    return POL_OK;
}

/* ---- values ---------------------------------------------------------------- */

const char *imp_str(const sim_cfg_node *v) { return v && v->kind == SIM_CFG_SCALAR ? v->str : NULL; }

int imp_is_env(imp_ctx *c, const sim_cfg_node *v, const char *what)
{
    const char *s = imp_str(v);
    if (!s || strncmp(s, "os.environ/", 11)) return 0;
    imp_warn(c, v, "'%s' reads the environment variable %s, unknown here: its default is simulated", what, s + 11);
    return 1;
}

int imp_number(imp_ctx *c, const sim_cfg_node *v, const char *what, double lo, double *out)
{
    if (!v || v->kind == SIM_CFG_NULL) return 0;
    if (imp_is_env(c, v, what)) return 0;
    double d;
    if (v->kind != SIM_CFG_SCALAR || sim_parse_double(v->str, &d) != POL_OK)
        return sim_cfg_errf(c->err, v, "expected a number for '%s', got '%s'", what,
                            v->kind == SIM_CFG_SCALAR ? v->str : "a collection");
    if (d < lo) return sim_cfg_errf(c->err, v, "'%s' must be >= %g, got '%s'", what, lo, v->str);
    *out = d;
    return 1;
}

int imp_int(imp_ctx *c, const sim_cfg_node *v, const char *what, long long lo, long long hi, long long *out)
{
    if (!v || v->kind == SIM_CFG_NULL) return 0;
    if (imp_is_env(c, v, what)) return 0;
    long long x;
    if (v->kind != SIM_CFG_SCALAR || sim_parse_int(v->str, &x) != POL_OK)
        return sim_cfg_errf(c->err, v, "expected an integer for '%s', got '%s'", what,
                            v->kind == SIM_CFG_SCALAR ? v->str : "a collection");
    if (x < lo || x > hi) return sim_cfg_errf(c->err, v, "'%s' must be between %lld and %lld, got '%s'", what, lo, hi, v->str);
    *out = x;
    return 1;
}

int imp_bool(imp_ctx *c, const sim_cfg_node *v, const char *what, int *out)
{
    if (!v || v->kind == SIM_CFG_NULL) return 0;
    if (imp_is_env(c, v, what)) return 0;
    int rc = sim_cfg_as_bool(v, what, out, c->err);
    return rc < 0 ? rc : 1;
}

sim_cfg_node *imp_duration(imp_ctx *c, const sim_cfg_node *v, int ms)
{
    const char *s = imp_str(v);
    size_t n = s ? strlen(s) : 0;
    while (n && isspace((unsigned char)s[n - 1])) n--;
    while (n && isspace((unsigned char)*s)) { s++; n--; }
    char buf[96];
    if (n > 0 && n < 60) snprintf(buf, sizeof buf, "%.*s%s", (int)n, s, ms ? "ms" : "s");
    else snprintf(buf, sizeof buf, "0");
    pol_ns d;
    if (sim_parse_duration(buf, &d) != POL_OK) snprintf(buf, sizeof buf, "0");
    return imp_scalar(c, v, buf);
}

/* ---- names ----------------------------------------------------------------- */

void imp_name(const char *text, char (*names)[SIM_NAME_MAX], int nnames, char *out)
{
    char base[SIM_NAME_MAX];
    size_t k = 0;
    for (const char *p = text ? text : ""; *p && k < 56; p++) {
        char ch = *p;
        int ok = isalnum((unsigned char)ch) || ch == '.' || ch == '_' || ch == '-';
        if (!ok) ch = '-';
        if (ch == '-' && (k == 0 || base[k - 1] == '-')) continue;     /* no leading or doubled '-' */
        base[k++] = ch;
    }
    while (k && base[k - 1] == '-') k--;
    if (!k) { memcpy(base, "target", 6); k = 6; }
    base[k] = '\0';
    snprintf(out, SIM_NAME_MAX, "%s", base);
    for (int suffix = 2;; suffix++) {
        int taken = 0;
        for (int i = 0; i < nnames && !taken; i++) taken = !strcmp(names[i], out);
        if (!taken) return;
        snprintf(out, SIM_NAME_MAX, "%s-%d", base, suffix);
    }
}

/* ---- the default provider model --------------------------------------------- */

sim_cfg_node *imp_provider(imp_ctx *c, const sim_cfg_node *at, const char *name)
{
    sim_cfg_node *p = imp_map(c, at);
    imp_put(c, p, "name", imp_scalar(c, at, name));
    sim_cfg_node *lat = imp_map(c, at);
    imp_put(c, lat, "ttft", imp_scalar(c, at, "lognormal(500ms, 0.5)"));
    imp_put(c, lat, "per_token", imp_scalar(c, at, "20ms"));
    imp_put(c, lat, "noise", imp_scalar(c, at, "0.1"));
    imp_note(c, lat, "the config gives no latency: docs/import.md's default model");
    imp_put(c, p, "latency", lat);
    sim_cfg_node *cc = imp_scalar(c, at, "100");
    imp_note(c, cc, "docs/import.md's default capacity: 100 in service, then 503");
    imp_put(c, p, "concurrency", cc);
    return p;
}
