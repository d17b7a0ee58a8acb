/* cmd_fit.c — `retrysim fit LOG [--column FIELD=NAME]... [--window D]
 * [--from D] [--for D] [--arrivals A] [--max-ks D] [--provider NAME]
 * [--out FILE] [--quiet]` (options: table.c). The analysis and the fragment
 * are bench/fit.c; here only the arguments: the column mappings, where the
 * fragment goes (stdout, or FILE written atomically) and the report on
 * stderr. Exit 0, or 2 with the located error of a bad log or usage.
 * docs/cli.md and docs/fit.md. */
#include "cli.h"
#include "fit.h"
#include "outfile.h"
#include <stdio.h>
#include <string.h>

int cmd_fit(void *opts, const cli_args *a)
{
    const cli_fit_opts *fo = opts;
    bench_fit_opts o = { .path = a->pos.v[0], .window = fo->window, .from = fo->from, .span = fo->span,
                         .max_ks = fo->max_ks, .speed = fo->speed, .provider = fo->provider };
    o.arrivals = !strcmp(fo->arrivals, "poisson") ? BENCH_FIT_POISSON
               : !strcmp(fo->arrivals, "replay") ? BENCH_FIT_REPLAY : BENCH_FIT_AUTO;
    const char *const *cols = cli_items(&fo->columns);
    for (int i = 0; i < fo->columns.n; i++) {
        const char *eq = strchr(cols[i], '=');
        char field[64];
        size_t len = eq ? (size_t)(eq - cols[i]) : 0;
        if (!eq || !len || len >= sizeof field || !eq[1]) {
            fprintf(stderr, "%s: --column needs FIELD=NAME, got '%s'\n", a->who, cols[i]);
            return 2;
        }
        memcpy(field, cols[i], len);
        field[len] = '\0';
        int c = sim_col_lookup(field);
        if (c < 0) {
            const char *names[SIM_COL__COUNT];
            for (int k = 0; k < SIM_COL__COUNT; k++) names[k] = sim_col_name((sim_col)k);
            const char *s = sim_cfg_suggest(field, names, SIM_COL__COUNT);
            fprintf(stderr, "%s: unknown --column field '%s'%s%s%s (at, class, prompt_tokens, output_tokens, deadline, "
                    "stream, latency, ttft, status, model)\n", a->who, field, s ? "; did you mean '" : "", s ? s : "",
                    s ? "'?" : "");
            return 2;
        }
        o.mapped[c] = eq + 1;
    }
    char ref[4096];
    if (fo->out) {
        bench_fit_log_ref(o.path, fo->out, ref, sizeof ref);
        o.log_ref = ref;
    }
    bench_fit_result r;
    sim_err err;
    if (bench_fit_analyze(&o, &r, &err)) { fprintf(stderr, "%s\n", err.msg); return 2; }
    sim_buf b = { 0 };
    bench_fit_emit(&o, &r, &b);
    bench_fit_free(&r);
    if (b.oom || !b.s) { fprintf(stderr, "%s: out of memory\n", a->who); sim_buf_free(&b); return 2; }
    if (!fo->quiet)                                  /* the report: the fragment's comment header */
        for (const char *p = b.s; *p == '#';) {
            const char *e = strchr(p, '\n');
            size_t len = e ? (size_t)(e - p + 1) : strlen(p);
            fwrite(p, 1, len, stderr);
            p += len;
        }
    int rc = 0;
    if (fo->out) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", fo->out);
        char *slash = strrchr(dir, '/');
        const char *name = slash ? slash + 1 : dir;
        if (slash == dir) dir[1] = '\0';
        else if (slash) *slash = '\0';
        sim_outfile f;
        if (!*name || sim_out_open(&f, slash ? dir : ".", slash ? name : dir)) rc = 2;
        else if (fputs(b.s, f.f) < 0) {
            sim_out_abort(&f);
            fprintf(stderr, "%s: cannot write '%s'\n", a->who, fo->out);
            rc = 2;
        } else if (sim_out_commit(&f)) {
            fprintf(stderr, "%s: cannot write '%s'\n", a->who, fo->out);
            rc = 2;
        } else if (!fo->quiet)
            fprintf(stderr, "wrote %s\n", fo->out);
        if (!*name) fprintf(stderr, "%s: --out needs a file name, got '%s'\n", a->who, fo->out);
    } else
        fputs(b.s, stdout);
    sim_buf_free(&b);
    return rc;
}
