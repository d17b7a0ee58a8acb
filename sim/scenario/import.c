/* import.c — the importers' entry points (import.h): loading a config,
 * the YAML `retrysim import` prints, and the loader's expansion of
 * `import:` entries in a scenario document.
 * Expansion invariants: every `import:` entry is replaced (or the load
 * fails); imported nodes keep the imported file's positions and point at a
 * file name the scenario document owns (doc->srcs), so they live as long as
 * the document; an entry of the scenario that names an imported provider
 * or policy is merged into it (its keys win) and removed.
 */
#include "import_util.h"
#include "units.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRY(x) do { int rc_ = (x); if (rc_ < 0) return rc_; } while (0)

static const char *const FORMATS[SIM_IMPORT__COUNT] = { "litellm", "portkey" };

const char *sim_import_format_name(sim_import_format f)
{
    return (int)f >= 0 && f < SIM_IMPORT__COUNT ? FORMATS[f] : "?";
}

int sim_import_format_parse(const char *name, sim_import_format *out)
{
    for (int i = 0; name && i < SIM_IMPORT__COUNT; i++)
        if (!strcmp(name, FORMATS[i])) { *out = (sim_import_format)i; return POL_OK; }
    return POL_ENOTFOUND;
}

/* ---- load ------------------------------------------------------------------ */

void sim_import_free(sim_import *im)
{
    if (!im) return;
    sim_cfg_free(&im->cfg);
    sim_cfg_node_free(im->providers);
    sim_cfg_node_free(im->policies);
    sim_buf_free(&im->warnings);
    for (size_t i = 0; i < im->nnotes; i++) free(im->notes[i].text);
    free(im->notes);
    free(im->src);
    memset(im, 0, sizeof *im);
}

static int load_any(sim_import_format fmt, const char *path, const char *text, const sim_import_opts *opts,
                    sim_import *out, sim_err *err);

int sim_import_load(sim_import_format fmt, const char *path, const sim_import_opts *opts, sim_import *out, sim_err *err)
{
    return load_any(fmt, path, NULL, opts, out, err);
}

int imp_load_text(sim_import_format fmt, const char *name, const char *text, const sim_import_opts *opts,
                  sim_import *out, sim_err *err)
{
    return load_any(fmt, name, text, opts, out, err);
}

static int load_any(sim_import_format fmt, const char *path, const char *text, const sim_import_opts *opts,
                    sim_import *out, sim_err *err)
{
    sim_err dummy;
    if (!err) err = &dummy;
    memset(out, 0, sizeof *out);
    out->format = fmt;
    if ((int)fmt < 0 || fmt >= SIM_IMPORT__COUNT) return sim_cfg_errf(err, NULL, "unknown import format");
    int rc = text ? sim_cfg_load_string(text, path, &out->cfg, err) : sim_cfg_load(path, &out->cfg, err);
    if (rc) { memset(out, 0, sizeof *out); return rc < 0 ? rc : POL_EINVAL; }
    out->src = strdup(out->cfg.path);
    if (!out->src) { sim_import_free(out); return sim_cfg_errf(err, NULL, "out of memory"); }
    imp_ctx c = { .im = out, .src = out->src, .lenient = opts && opts->lenient, .err = err };
    rc = fmt == SIM_IMPORT_LITELLM ? imp_litellm(&c, out->cfg.root)
                                   : imp_portkey(&c, out->cfg.root, opts ? opts->name : NULL);
    imp_flush(&c);
    if (!rc && (c.oom || out->warnings.oom)) rc = sim_cfg_errf(err, NULL, "%s: out of memory", path);
    if (rc) { sim_import_free(out); return rc < 0 ? rc : POL_EINVAL; }
    return POL_OK;
}

const char *sim_import_note_of(void *ctx, const sim_cfg_node *n)
{
    const sim_import *im = ctx;
    for (size_t i = 0; i < im->nnotes; i++)
        if (im->notes[i].node == n) return im->notes[i].text;
    return NULL;
}

/* ---- the emitted scenario ---------------------------------------------------- */

static sim_cfg_node *scalar(const char *text) { return sim_cfg_new(SIM_CFG_SCALAR, "", 0, 0, text); }

static int put(sim_cfg_node *m, const char *k, sim_cfg_node *v)
{
    return sim_cfg_put(m, scalar(k), v);
}

int sim_import_emit(const sim_import *im, int policies_only, sim_buf *out)
{
    const char *fmt = sim_import_format_name(im->format);
    if (policies_only) {
        sim_buf_printf(out, "# retrysim import %s %s --policies-only: the policies of the config; paste under policies:\n"
                            "# (the providers they name come from the same import without --policies-only)\n",
                       fmt, im->src);
        sim_buf_puts(out, "policies:\n");
        sim_cfg_emit(out, im->policies, 2, sim_import_note_of, (void *)im);
        return out->oom ? POL_ENOMEM : POL_OK;
    }
    /* the scenario's name: the file's base name */
    const char *base = strrchr(im->src, '/');
    base = base ? base + 1 : im->src;
    char name[SIM_NAME_MAX];
    size_t k = 0;
    for (const char *p = base; *p && *p != '.' && k + 1 < sizeof name; p++) name[k++] = *p;
    name[k] = '\0';
    if (!k) snprintf(name, sizeof name, "imported");

    sim_cfg_node *root = sim_cfg_new(SIM_CFG_MAP, "", 0, 0, NULL);
    int rc = root ? POL_OK : POL_ENOMEM;
    char desc[300];
    snprintf(desc, sizeof desc, "%s config %s, imported", fmt, base);
    if (!rc) rc = put(root, "scenario", scalar(name));
    if (!rc) rc = put(root, "description", scalar(desc));
    if (!rc) rc = put(root, "duration", scalar("10m"));
    if (!rc) rc = put(root, "seed", scalar("1"));
    if (!rc) rc = put(root, "replications", scalar("3"));
    if (!rc) rc = put(root, "bucket", scalar("5s"));
    sim_cfg_node *timeline = NULL;
    const char *drop = im->first_rpm_provider[0] ? im->first_rpm_provider
                     : im->providers && im->providers->n ? sim_cfg_get(im->providers->items[0], "name")->str : NULL;
    if (!rc && drop) {
        timeline = sim_cfg_new(SIM_CFG_SEQ, "", 0, 0, NULL);
        sim_cfg_node *ch = sim_cfg_new(SIM_CFG_MAP, "", 0, 0, NULL), *set = sim_cfg_new(SIM_CFG_MAP, "", 0, 0, NULL);
        char rpm[64];
        snprintf(rpm, sizeof rpm, "%.6g", im->first_rpm_provider[0] ? im->first_rpm / 10 : 10);
        rc = timeline && ch && set ? POL_OK : POL_ENOMEM;
        if (!rc) rc = put(ch, "at", scalar("2m"));
        if (!rc) rc = put(ch, "for", scalar("3m"));
        if (!rc) rc = put(ch, "provider", scalar(drop));
        if (!rc) rc = put(set, im->first_rpm_provider[0] ? "rpm" : "concurrency", scalar(rpm));
        if (!rc) { rc = put(ch, "set", set); set = NULL; }
        if (!rc) { rc = sim_cfg_put(timeline, NULL, ch); ch = NULL; }
        sim_cfg_node_free(set);
        sim_cfg_node_free(ch);
    }
    sim_cfg_node *wl = rc ? NULL : sim_cfg_new(SIM_CFG_MAP, "", 0, 0, NULL);
    if (!rc && wl) {
        rc = put(wl, "clients", scalar("50"));
        if (!rc) rc = put(wl, "think", scalar("exponential(2s)"));
    } else if (!rc) rc = POL_ENOMEM;

    sim_buf_printf(out, "# retrysim import %s %s\n"
                        "# Providers and policies simulate the config (docs/import.md gives the mapping of every key);\n"
                        "# the duration, workload and the rate-limit drop of the timeline are defaults to edit.\n",
                   fmt, im->src);
    if (im->nwarnings)
        sim_buf_printf(out, "# %d key%s of the config %s understood but not simulated (the warnings on stderr).\n",
                       im->nwarnings, im->nwarnings == 1 ? "" : "s", im->nwarnings == 1 ? "is" : "are");
    if (!rc) {
        sim_cfg_emit(out, root, 0, NULL, NULL);
        sim_buf_puts(out, "providers:\n");
        sim_cfg_emit(out, im->providers, 2, sim_import_note_of, (void *)im);
        if (timeline) {
            sim_buf_printf(out, "timeline:   # %s's %s drops to 10%% for 3 minutes\n", drop,
                           im->first_rpm_provider[0] ? "rate limit" : "capacity");
            sim_cfg_emit(out, timeline, 2, NULL, NULL);
        }
        sim_buf_puts(out, "workload:\n");
        sim_cfg_emit(out, wl, 2, NULL, NULL);
        sim_buf_puts(out, "policies:\n");
        sim_cfg_emit(out, im->policies, 2, sim_import_note_of, (void *)im);
    }
    sim_cfg_node_free(root);
    sim_cfg_node_free(timeline);
    sim_cfg_node_free(wl);
    return rc ? rc : out->oom ? POL_ENOMEM : POL_OK;
}

/* ---- expansion in a scenario document ---------------------------------------- */

typedef struct {
    sim_cfg_doc *doc;
    sim_buf     *warnings;
    sim_err     *err;
    imp_site    *sites;     /* every import loaded (NULL: not recorded) */
    size_t       nsites, capsites;
    int          record;
    char       **warned;    /* files whose warnings were appended already */
    size_t       nwarned;
    const sim_cfg_node **imported;   /* entries that came from an import */
    size_t       nimported, capimported;
} expander;

static const char *const IMPORT_KEYS[] = { "format", "file", "lenient", "name", "groups", NULL };

/* Loads the config an `import:` map names. */
static int load_import(expander *E, const sim_cfg_node *spec, sim_import *im)
{
    sim_err *err = E->err;
    TRY(sim_cfg_want(spec, SIM_CFG_MAP, "import", err));
    TRY(sim_cfg_check_keys(spec, "import", IMPORT_KEYS, err));
    const sim_cfg_node *f, *fl;
    TRY(sim_cfg_find(spec, "format", SIM_CFG_REQ, &f, err));
    TRY(sim_cfg_find(spec, "file", SIM_CFG_REQ, &fl, err));
    sim_import_format fmt;
    if (f->kind != SIM_CFG_SCALAR || sim_import_format_parse(f->str, &fmt)) {
        char msg[300];
        snprintf(msg, sizeof msg, "unknown import format '%s' (litellm or portkey)", f->kind == SIM_CFG_SCALAR ? f->str : "?");
        if (f->kind == SIM_CFG_SCALAR) sim_cfg_did_you_mean(msg, sizeof msg, f->str, FORMATS, SIM_IMPORT__COUNT);
        return sim_cfg_errf(err, f, "%s", msg);
    }
    if (fl->kind != SIM_CFG_SCALAR) return sim_cfg_errf(err, fl, "expected a file name for 'file'");
    sim_import_opts o = { 0, NULL };
    TRY(sim_cfg_get_bool(spec, "lenient", 0, 0, &o.lenient, err));
    const sim_cfg_node *nm = sim_cfg_get(spec, "name");
    if (nm) {
        if (fmt != SIM_IMPORT_PORTKEY) return sim_cfg_errf(err, sim_cfg_key_node(spec, "name"), "'name' names the policy of a portkey import; a litellm import names its policies after the model groups");
        TRY(sim_cfg_want(nm, SIM_CFG_SCALAR, "name", err));
        o.name = nm->str;
    }
    const sim_cfg_node *groups = sim_cfg_get(spec, "groups");
    if (groups && fmt != SIM_IMPORT_LITELLM)
        return sim_cfg_errf(err, sim_cfg_key_node(spec, "groups"), "'groups' selects model groups of a litellm import");
    if (groups) TRY(sim_cfg_want(groups, SIM_CFG_SEQ, "groups", err));
    char path[SIM_PATH_MAX];
    if (sim_cfg_resolve(E->doc->dir, fl->str, path, sizeof path)) return sim_cfg_errf(err, fl, "path too long");
    sim_err e2;
    int rc = sim_import_load(fmt, path, &o, im, &e2);
    if (rc) {
        /* an unlocated message (the file cannot be opened): point at `file:` */
        if (strncmp(e2.msg, path, strlen(path)) || e2.msg[strlen(path)] != ':' ||
            !(e2.msg[strlen(path) + 1] >= '0' && e2.msg[strlen(path) + 1] <= '9'))
            return sim_cfg_errf(err, fl, "import: %s", e2.msg);
        *err = e2;
        return SIM_ELOCATED;
    }
    /* keep only the selected groups' policies */
    for (size_t i = 0; groups && i < groups->n; i++) {
        const sim_cfg_node *g = groups->items[i];
        int found = 0;
        for (size_t k = 0; g->kind == SIM_CFG_SCALAR && k < im->policies->n; k++)
            found |= !strcmp(sim_cfg_get(im->policies->items[k], "name")->str, g->str);
        if (!found) {
            const char *names[64];
            size_t nn = 0;
            for (size_t k = 0; k < im->policies->n && nn < 64; k++) names[nn++] = sim_cfg_get(im->policies->items[k], "name")->str;
            char msg[1000];
            snprintf(msg, sizeof msg, "'groups': %s has no model group '%s'", path, g->kind == SIM_CFG_SCALAR ? g->str : "?");
            if (g->kind == SIM_CFG_SCALAR) sim_cfg_did_you_mean(msg, sizeof msg, g->str, names, nn);
            sim_import_free(im);
            return sim_cfg_errf(err, g, "%s", msg);
        }
    }
    if (groups) {
        size_t w = 0;
        for (size_t k = 0; k < im->policies->n; k++) {
            const char *pn = sim_cfg_get(im->policies->items[k], "name")->str;
            int keep = 0;
            for (size_t i = 0; i < groups->n; i++) keep |= !strcmp(groups->items[i]->str, pn);
            if (keep) im->policies->items[w++] = im->policies->items[k];
            else sim_cfg_node_free(im->policies->items[k]);
        }
        im->policies->n = w;
    }
    if (E->record) {
        if (E->nsites == E->capsites) {
            size_t cap = E->capsites ? 2 * E->capsites : 4;
            imp_site *a = realloc(E->sites, cap * sizeof *a);
            if (!a) { sim_import_free(im); return sim_cfg_errf(err, NULL, "out of memory"); }
            E->sites = a;
            E->capsites = cap;
        }
        imp_site *st = &E->sites[E->nsites++];
        memset(st, 0, sizeof *st);
        st->format = fmt;
        st->lenient = o.lenient;
        snprintf(st->path, sizeof st->path, "%s", path);
        if (o.name) snprintf(st->name, sizeof st->name, "%s", o.name);
        st->src = im->src;                       /* the document adopts it: the imported nodes point at it */
    }
    /* the warnings of a file, once */
    int seen = 0;
    for (size_t i = 0; i < E->nwarned; i++) seen |= !strcmp(E->warned[i], path);
    if (!seen && E->warnings && im->warnings.s) sim_buf_puts(E->warnings, im->warnings.s);
    if (!seen) {
        char **w = realloc(E->warned, (E->nwarned + 1) * sizeof *w);
        char *dup = strdup(path);
        if (!w || !dup) { free(dup); if (w) E->warned = w; sim_import_free(im); return sim_cfg_errf(err, NULL, "out of memory"); }
        E->warned = w;
        E->warned[E->nwarned++] = dup;
    }
    return POL_OK;
}

/* Gives the file name of the imported nodes to the document. */
static int adopt_src(expander *E, sim_import *im)
{
    char **srcs = realloc(E->doc->srcs, (E->doc->nsrcs + 1) * sizeof *srcs);
    if (!srcs) return sim_cfg_errf(E->err, NULL, "out of memory");
    E->doc->srcs = srcs;
    E->doc->srcs[E->doc->nsrcs++] = im->src;
    im->src = NULL;
    return POL_OK;
}

static int mark_imported(expander *E, const sim_cfg_node *n)
{
    if (E->nimported == E->capimported) {
        size_t cap = E->capimported ? 2 * E->capimported : 16;
        const sim_cfg_node **a = realloc(E->imported, cap * sizeof *a);
        if (!a) return sim_cfg_errf(E->err, NULL, "out of memory");
        E->imported = a;
        E->capimported = cap;
    }
    E->imported[E->nimported++] = n;
    return POL_OK;
}

/* Moves the items of `from` into seq at position pos (replacing nothing). */
static int splice(expander *E, sim_cfg_node *seq, size_t pos, sim_cfg_node *from)
{
    size_t add = from->n;
    if (seq->n + add > seq->cap) {
        size_t cap = seq->n + add + 8;
        sim_cfg_node **items = realloc(seq->items, cap * sizeof *items);
        if (!items) return sim_cfg_errf(E->err, NULL, "out of memory");
        seq->items = items;
        seq->cap = cap;
    }
    memmove(seq->items + pos + add, seq->items + pos, (seq->n - pos) * sizeof *seq->items);
    for (size_t i = 0; i < add; i++) {
        seq->items[pos + i] = from->items[i];
        TRY(mark_imported(E, from->items[i]));
    }
    seq->n += add;
    from->n = 0;
    return POL_OK;
}

/* An entry { import: {...} } of a list (any other key next to import: is an error). */
static const sim_cfg_node *import_spec(const sim_cfg_node *it, sim_err *err, int *rc)
{
    *rc = 0;
    if (it->kind != SIM_CFG_MAP || !sim_cfg_key_node(it, "import")) return NULL;
    if (it->n != 1) {
        for (size_t i = 0; i < it->n; i++)
            if (strcmp(it->keys[i]->str, "import")) {
                *rc = sim_cfg_errf(err, it->keys[i], "an import entry has only 'import:'; to change an imported entry, "
                                                      "write an entry of the same name next to it (its keys win)");
                return NULL;
            }
    }
    return sim_cfg_get(it, "import") ? sim_cfg_get(it, "import") : it;
}

static int expand_list(expander *E, sim_cfg_node *list, int providers)
{
    for (size_t i = 0; i < list->n; i++) {
        int rc;
        const sim_cfg_node *spec = import_spec(list->items[i], E->err, &rc);
        TRY(rc);
        if (!spec) continue;
        sim_import im;
        TRY(load_import(E, spec, &im));
        sim_cfg_node *entry = list->items[i];
        memmove(list->items + i, list->items + i + 1, (list->n - i - 1) * sizeof *list->items);
        list->n--;
        sim_cfg_node *from = providers ? im.providers : im.policies;
        size_t add = from->n;
        rc = adopt_src(E, &im);
        if (!rc) rc = splice(E, list, i, from);
        sim_cfg_node_free(entry);
        sim_import_free(&im);
        TRY(rc);
        i += add;
        i--;
    }
    return POL_OK;
}

/* A top-level import: (a map or a list of maps) appends providers and policies. */
static int expand_top(expander *E, sim_cfg_node *root)
{
    long k = -1;
    for (size_t i = 0; i < root->n; i++)
        if (!strcmp(root->keys[i]->str, "import")) k = (long)i;
    if (k < 0) return POL_OK;
    sim_cfg_node *v = root->items[k], *key = root->keys[k];
    if (v->kind == SIM_CFG_NULL) return sim_cfg_errf(E->err, key, "'import' needs {format: litellm|portkey, file: FILE}");
    size_t n = v->kind == SIM_CFG_SEQ ? v->n : 1;
    for (size_t j = 0; j < n; j++) {
        const sim_cfg_node *spec = v->kind == SIM_CFG_SEQ ? v->items[j] : v;
        sim_import im;
        TRY(load_import(E, spec, &im));
        int rc = POL_OK;
        const char *lists[2] = { "providers", "policies" };
        sim_cfg_node *from[2] = { im.providers, im.policies };
        for (int l = 0; l < 2 && !rc; l++) {
            sim_cfg_node *seq = (sim_cfg_node *)sim_cfg_get(root, lists[l]);
            if (!seq) {
                sim_cfg_node *kn = sim_cfg_new(SIM_CFG_SCALAR, key->src, key->line, key->col, lists[l]);
                sim_cfg_node *sn = sim_cfg_new(SIM_CFG_SEQ, key->src, key->line, key->col, NULL);
                rc = sim_cfg_put(root, kn, sn) ? sim_cfg_errf(E->err, NULL, "out of memory") : POL_OK;
                seq = (sim_cfg_node *)sim_cfg_get(root, lists[l]);
            }
            if (!rc && seq->kind != SIM_CFG_SEQ) rc = sim_cfg_want(seq, SIM_CFG_SEQ, lists[l], E->err);
            if (!rc) rc = splice(E, seq, seq->n, from[l]);
        }
        if (!rc) rc = adopt_src(E, &im);
        sim_import_free(&im);
        TRY(rc);
    }
    /* remove the import: key (its position is no longer needed) */
    for (size_t i = 0; i < root->n; i++)
        if (!strcmp(root->keys[i]->str, "import")) {
            sim_cfg_node_free(root->keys[i]);
            sim_cfg_node_free(root->items[i]);
            memmove(root->keys + i, root->keys + i + 1, (root->n - i - 1) * sizeof *root->keys);
            memmove(root->items + i, root->items + i + 1, (root->n - i - 1) * sizeof *root->items);
            root->n--;
            break;
        }
    return POL_OK;
}

static int is_imported(const expander *E, const sim_cfg_node *n)
{
    for (size_t i = 0; i < E->nimported; i++)
        if (E->imported[i] == n) return 1;
    return 0;
}

/* Deep merge: every key of `over` replaces or (maps in both) merges into `into`. */
static int merge(expander *E, sim_cfg_node *into, sim_cfg_node *over)
{
    for (size_t i = 0; i < over->n; i++) {
        const char *k = over->keys[i]->str;
        sim_cfg_node *cur = (sim_cfg_node *)sim_cfg_get(into, k);
        if (cur && cur->kind == SIM_CFG_MAP && over->items[i]->kind == SIM_CFG_MAP) {
            TRY(merge(E, cur, over->items[i]));
            continue;
        }
        sim_cfg_node *key = over->keys[i], *val = over->items[i];
        over->keys[i] = over->items[i] = NULL;
        if (sim_cfg_put(into, key, val)) return sim_cfg_errf(E->err, NULL, "out of memory");
    }
    return POL_OK;
}

static const char *entry_name(const sim_cfg_node *e)
{
    const sim_cfg_node *n = sim_cfg_get(e, "name");
    return n && n->kind == SIM_CFG_SCALAR ? n->str : NULL;
}

/* An entry of the scenario named like an imported one is merged into it. */
static int merge_by_name(expander *E, sim_cfg_node *list)
{
    for (size_t i = 0; i < list->n; i++) {
        sim_cfg_node *e = list->items[i];
        const char *nm = entry_name(e);
        if (!nm || is_imported(E, e) || e->kind != SIM_CFG_MAP) continue;
        for (size_t j = 0; j < list->n; j++) {
            sim_cfg_node *t = list->items[j];
            if (j == i || !is_imported(E, t) || !entry_name(t) || strcmp(entry_name(t), nm)) continue;
            TRY(merge(E, t, e));
            for (size_t k = 0; k < e->n; k++) { sim_cfg_node_free(e->keys[k]); sim_cfg_node_free(e->items[k]); }
            e->n = 0;
            sim_cfg_node_free(e);
            memmove(list->items + i, list->items + i + 1, (list->n - i - 1) * sizeof *list->items);
            list->n--;
            i--;
            break;
        }
    }
    return POL_OK;
}

int imp_expand(sim_cfg_doc *doc, sim_buf *warnings, sim_err *err, imp_site **sites, size_t *nsites)
{
    if (sites) { *sites = NULL; *nsites = 0; }
    if (!doc || !doc->root || doc->root->kind != SIM_CFG_MAP) return POL_OK;
    expander E = { .doc = doc, .warnings = warnings, .err = err, .record = sites != NULL };
    sim_cfg_node *root = doc->root;
    int rc = expand_top(&E, root);
    const char *lists[2] = { "providers", "policies" };
    for (int l = 0; l < 2 && !rc; l++) {
        sim_cfg_node *seq = (sim_cfg_node *)sim_cfg_get(root, lists[l]);
        if (seq && seq->kind == SIM_CFG_SEQ) rc = expand_list(&E, seq, l == 0);
        if (!rc && seq && seq->kind == SIM_CFG_SEQ && E.nimported) rc = merge_by_name(&E, seq);
    }
    for (size_t i = 0; i < E.nwarned; i++) free(E.warned[i]);
    free(E.warned);
    free(E.imported);
    if (sites && !rc) { *sites = E.sites; *nsites = E.nsites; }
    else free(E.sites);
    return rc;
}

int sim_import_expand(sim_cfg_doc *doc, sim_buf *warnings, sim_err *err)
{
    return imp_expand(doc, warnings, err, NULL, NULL);
}
