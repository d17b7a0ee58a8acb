/* report.c — the HTML report of a result (report.h).
 *
 * The page is written top to bottom by small section writers (header and
 * verdict, scenario and timeline, expectations, summary table, charts,
 * reproduce), each reading its own input: run.csv, the scenario file, the
 * CSVs of the directory, bench_plot's SVGs, check's outcomes. CSV files are
 * read by tab_parse below (RFC 4180 quoting, what libcsv writes). Charts are
 * drawn by bench_plot into a scratch directory (its "wrote" lines muted),
 * read back, stripped of their XML prologue and given unique ids (every
 * id="x", href="#x" and url(#x) of chart k becomes c<k>-x), so that the
 * inline SVGs of one page do not capture each other's symbols.
 * Styling is one inline <style>; nothing is fetched, no script runs.
 */
#include "report.h"
#include "model.h"
#include "outfile.h"
#include "plot.h"
#include "scenario.h"
#include "units.h"
#include <csv.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

/* ------------------------------------------------------------ small utilities */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    for (size_t r; buf && (r = fread(buf + n, 1, cap - n, f)) > 0;) {
        n += r;
        if (n == cap) {
            char *nb = realloc(buf, 2 * cap + 1);
            if (!nb) { free(buf); buf = NULL; break; }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf) return NULL;
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

static void esc(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* n bytes of prose: escaped, `code` spans as <code>. */
static void escn(FILE *f, const char *s, size_t n)
{
    char buf[2];
    buf[1] = '\0';
    int code = 0;
    for (size_t i = 0; i < n && s[i]; i++) {
        if (s[i] == '`' && (code || memchr(s + i + 1, '`', n - i - 1))) {
            fputs(code ? "</code>" : "<code>", f);
            code = !code;
            continue;
        }
        buf[0] = s[i];
        esc(f, buf);
    }
    if (code) fputs("</code>", f);
}

/* ---- CSV: a table of strings ----------------------------------------------- */
typedef struct { char **f; int n, cap; } csv_row;
typedef struct { csv_row *r; int n, cap; } csv_tab;

static int row_add(csv_row *r, const char *s, size_t len)
{
    if (r->n == r->cap) {
        int nc = r->cap ? 2 * r->cap : 16;
        char **nf = realloc(r->f, (size_t)nc * sizeof *nf);
        if (!nf) return -1;
        r->f = nf;
        r->cap = nc;
    }
    if (!(r->f[r->n] = malloc(len + 1))) return -1;
    memcpy(r->f[r->n], s, len);
    r->f[r->n++][len] = '\0';
    return 0;
}

static int tab_add(csv_tab *t)
{
    if (t->n == t->cap) {
        int nc = t->cap ? 2 * t->cap : 64;
        csv_row *nr = realloc(t->r, (size_t)nc * sizeof *nr);
        if (!nr) return -1;
        t->r = nr;
        t->cap = nc;
    }
    memset(&t->r[t->n++], 0, sizeof(csv_row));
    return 0;
}

static void tab_free(csv_tab *t)
{
    for (int i = 0; i < t->n; i++) {
        for (int k = 0; k < t->r[i].n; k++) free(t->r[i].f[k]);
        free(t->r[i].f);
    }
    free(t->r);
    memset(t, 0, sizeof *t);
}

/* RFC 4180: fields separated by commas, "..." with "" for a quote. */
static int tab_parse(const char *s, csv_tab *t)
{
    memset(t, 0, sizeof *t);
    size_t cap = 256, n = 0;
    char *fld = malloc(cap);
    if (!fld) return -1;
    int rc = 0, in_row = 0;
    while (*s && rc == 0) {
        if (!in_row) { if ((rc = tab_add(t))) break; in_row = 1; }
        n = 0;
        if (*s == '"') {
            for (s++; *s; s++) {
                if (*s == '"' && s[1] == '"') s++;
                else if (*s == '"') { s++; break; }
                if (n + 1 >= cap) { char *nf = realloc(fld, cap *= 2); if (!nf) { rc = -1; break; } fld = nf; }
                fld[n++] = *s;
            }
        }
        while (*s && *s != ',' && *s != '\n' && *s != '\r') {
            if (n + 1 >= cap) { char *nf = realloc(fld, cap *= 2); if (!nf) { rc = -1; break; } fld = nf; }
            fld[n++] = *s++;
        }
        if (rc || row_add(&t->r[t->n - 1], fld, n)) { rc = -1; break; }
        if (*s == ',') { s++; continue; }
        if (*s == '\r') s++;
        if (*s == '\n') s++;
        in_row = 0;
    }
    free(fld);
    if (rc) tab_free(t);
    return rc;
}

static int col(const csv_tab *t, const char *name)
{
    if (!t->n) return -1;
    for (int i = 0; i < t->r[0].n; i++) if (!strcmp(t->r[0].f[i], name)) return i;
    return -1;
}

static const char *cell(const csv_row *r, int c) { return c >= 0 && c < r->n ? r->f[c] : ""; }

/* ---- the command line --------------------------------------------------------- */

static void quote_arg(char *buf, size_t cap, size_t *len, const char *a)
{
    int plain = *a != '\0';
    for (const char *p = a; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:=,+-@%", *p)) plain = 0;
    size_t need = strlen(a) * 4 + 4;
    if (*len + need >= cap) return;
    if (*len) buf[(*len)++] = ' ';
    if (plain) { strcpy(buf + *len, a); *len += strlen(a); return; }
    buf[(*len)++] = '\'';
    for (const char *p = a; *p; p++) {
        if (*p == '\'') { memcpy(buf + *len, "'\\''", 4); *len += 4; }
        else buf[(*len)++] = *p;
    }
    buf[(*len)++] = '\'';
    buf[*len] = '\0';
}

static void this_command(char *buf, size_t cap)
{
    size_t n = 0, len = 0;
    char *raw = slurp("/proc/self/cmdline", &n);
    buf[0] = '\0';
    if (!raw) { snprintf(buf, cap, "(unknown: no /proc/self/cmdline)"); return; }
    int first = 1;
    for (size_t i = 0; i < n; i += strlen(raw + i) + 1) {
        const char *a = raw + i;
        if (first) {                           /* the program: its name as run */
            const char *b = strrchr(a, '/');
            a = !strcmp(b ? b + 1 : a, "retrysim") ? "retrysim" : a;
            first = 0;
        }
        quote_arg(buf, cap, &len, a);
    }
    free(raw);
}

/* ---- run.csv ---------------------------------------------------------------- */

void bench_report_meta_fill(bench_report_meta *m, const char *verb, const char *path, const sim_scenario *sc,
                            const char *const *sets, int nsets)
{
    memset(m, 0, sizeof *m);
    snprintf(m->verb, sizeof m->verb, "%s", verb);
    this_command(m->command, sizeof m->command);
    snprintf(m->scenario, sizeof m->scenario, "%s", path);
    if (sc) {
        snprintf(m->name, sizeof m->name, "%s", sc->name);
        m->seed = (long long)sc->seed;
        m->replications = sc->replications;
    }
    snprintf(m->version, sizeof m->version, "%s", pol_version());
    for (int i = 0; i < nsets && m->nsets < BENCH_REPORT_MAX_SETS; i++)
        snprintf(m->sets[m->nsets++], sizeof m->sets[0], "%s", sets[i]);
}

static void kv(FILE *f, const char *k, const char *v)
{
    fprintf(f, "%s,", k);
    if (strpbrk(v, ",\"\r\n")) csv_fwrite(f, v, strlen(v));
    else fputs(v, f);
    fputc('\n', f);
}

int bench_report_meta_write(const char *dir, const bench_report_meta *m, const char *who)
{
    sim_outfile o;
    if (sim_out_open(&o, dir, BENCH_REPORT_META_FILE)) {
        fprintf(stderr, "%s: cannot write %s/%s\n", who, dir, BENCH_REPORT_META_FILE);
        return -1;
    }
    char num[32];
    fputs("key,value\n", o.f);
    kv(o.f, "verb", m->verb);
    kv(o.f, "command", m->command);
    kv(o.f, "scenario", m->scenario);
    kv(o.f, "name", m->name);
    snprintf(num, sizeof num, "%lld", m->seed);
    kv(o.f, "seed", num);
    snprintf(num, sizeof num, "%lld", m->replications);
    kv(o.f, "replications", num);
    for (int i = 0; i < m->nsets; i++) kv(o.f, "set", m->sets[i]);
    if (m->objective[0]) kv(o.f, "objective", m->objective);
    kv(o.f, "version", m->version);
    if (sim_out_commit(&o)) {
        fprintf(stderr, "%s: cannot write %s/%s\n", who, dir, BENCH_REPORT_META_FILE);
        return -1;
    }
    return 0;
}

int bench_report_meta_read(const char *dir, bench_report_meta *m, char *err, size_t errcap)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, BENCH_REPORT_META_FILE);
    memset(m, 0, sizeof *m);
    char *text = slurp(path, NULL);
    if (!text) { snprintf(err, errcap, "cannot read %s: %s", path, strerror(errno)); return -1; }
    csv_tab t;
    int rc = tab_parse(text, &t);
    free(text);
    if (rc || t.n < 1 || col(&t, "key") != 0) {
        if (!rc) tab_free(&t);
        snprintf(err, errcap, "%s: not a run.csv (key,value rows)", path);
        return -1;
    }
    for (int i = 1; i < t.n; i++) {
        const char *k = cell(&t.r[i], 0), *v = cell(&t.r[i], 1);
        if (!strcmp(k, "verb")) snprintf(m->verb, sizeof m->verb, "%s", v);
        else if (!strcmp(k, "command")) snprintf(m->command, sizeof m->command, "%s", v);
        else if (!strcmp(k, "scenario")) snprintf(m->scenario, sizeof m->scenario, "%s", v);
        else if (!strcmp(k, "name")) snprintf(m->name, sizeof m->name, "%s", v);
        else if (!strcmp(k, "objective")) snprintf(m->objective, sizeof m->objective, "%s", v);
        else if (!strcmp(k, "version")) snprintf(m->version, sizeof m->version, "%s", v);
        else if (!strcmp(k, "seed")) m->seed = atoll(v);
        else if (!strcmp(k, "replications")) m->replications = atoll(v);
        else if (!strcmp(k, "set") && m->nsets < BENCH_REPORT_MAX_SETS)
            snprintf(m->sets[m->nsets++], sizeof m->sets[0], "%s", v);
    }
    tab_free(&t);
    return 0;
}

/* ------------------------------------------------------------------ the page */

static const char CSS[] =
    ":root{--ok:#1a7f37;--bad:#c62828;--ink:#1f2328;--mute:#59636e;--line:#d0d7de;--bg:#f6f8fa;--accent:#0b5cad}"
    "*{box-sizing:border-box}"
    "body{margin:0;font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;color:var(--ink);"
    "background:#fff}"
    "main{max-width:1180px;margin:0 auto;padding:24px 28px 48px}"
    "header.top{border-bottom:3px solid var(--accent);padding-bottom:14px;margin-bottom:18px}"
    "h1{font-size:28px;margin:0 0 4px}h2{font-size:21px;margin:34px 0 10px;padding-bottom:4px;"
    "border-bottom:1px solid var(--line)}h3{font-size:16px;margin:18px 0 6px}"
    ".lead{font-size:17px;color:var(--mute);margin:0 0 12px}"
    ".verdict{display:inline-block;font-weight:700;font-size:17px;padding:6px 14px;border-radius:6px;color:#fff;"
    "margin:4px 0 10px}"
    ".verdict.pass{background:var(--ok)}.verdict.fail{background:var(--bad)}.verdict.none{background:var(--mute)}"
    "dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0 0;font-size:14px}"
    "dl.meta dt{color:var(--mute)}dl.meta dd{margin:0}"
    "code,pre{font:13px/1.45 ui-monospace,'DejaVu Sans Mono',Menlo,monospace}"
    "pre{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:10px 12px;overflow-x:auto;"
    "white-space:pre-wrap;word-break:break-word}"
    "nav{font-size:14px;margin:6px 0 0}nav a{color:var(--accent);margin-right:14px;text-decoration:none}"
    "table{border-collapse:collapse;width:100%;font-size:14px;margin:6px 0}"
    "th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}"
    "th{background:var(--bg);font-weight:600}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;"
    "white-space:nowrap}"
    "td.best{font-weight:700}.ci{color:var(--mute);font-size:12px}"
    ".badge{display:inline-block;min-width:46px;text-align:center;font-weight:700;font-size:12px;padding:2px 6px;"
    "border-radius:4px;color:#fff}.badge.pass{background:var(--ok)}.badge.fail{background:var(--bad)}"
    "tr.fail td{background:#fdecea}"
    "figure{margin:18px 0 26px;border:1px solid var(--line);border-radius:8px;padding:10px 12px 6px}"
    "figure svg{width:100%;height:auto;display:block}figcaption{font-size:14px;color:var(--mute);margin-top:6px}"
    "figcaption b{color:var(--ink)}"
    ".note{color:var(--mute);font-size:14px}.warn{color:var(--bad);font-weight:600}"
    "details{margin:8px 0}summary{cursor:pointer;color:var(--accent)}"
    "footer{margin-top:40px;color:var(--mute);font-size:13px;border-top:1px solid var(--line);padding-top:8px}";

static void page_open(FILE *f, const char *title)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>", f);
    esc(f, title);
    fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n", CSS);
}

static void page_close(FILE *f, const bench_report_meta *m)
{
    fputs("<footer>Generated by retrysim ", f);
    esc(f, m && m->version[0] ? m->version : pol_version());
    fputs(" (<code>retrysim report</code>); a single file: no script, nothing fetched.</footer>\n</main>\n</body>\n</html>\n",
          f);
}

/* ---- the scenario file: header comment, description ------------------------- */

/* The leading '#' block of the file as paragraphs (a "#" line alone ends
 * one; "* " or "- " lines are list items), without its first paragraph, the
 * title (title_line). */
static void header_comment(FILE *f, const char *text)
{
    const char *p = text;
    int open = 0, in_title = 1;
    while (*p == '#') {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        const char *s = p + 1;
        size_t k = n - 1;
        if (k && *s == ' ') { s++; k--; }
        const char *t = s;
        size_t tk = k;
        while (tk && *t == ' ') { t++; tk--; }
        int item = tk > 2 && (t[0] == '*' || t[0] == '-') && t[1] == ' ';
        if (in_title) { if (!k) in_title = 0; }          /* shown as the lead */
        else if (!k) { if (open) { fputs(open == 2 ? "</li></ul>\n" : "</p>\n", f); open = 0; } }
        else if (item) {
            fputs(open == 1 ? "</p>\n<ul><li>" : open == 2 ? "</li><li>" : "<ul><li>", f);
            open = 2;
            escn(f, t + 2, tk - 2);
        } else if (open == 2 && t != s) {               /* an indented line goes on with the item */
            fputc(' ', f);
            escn(f, t, tk);
        } else {
            if (open == 2) { fputs("</li></ul>\n", f); open = 0; }
            if (!open) { fputs("<p>", f); open = 1; } else fputc(' ', f);
            escn(f, s, k);
        }
        p = e ? e + 1 : p + n;
    }
    if (open) fputs(open == 2 ? "</li></ul>\n" : "</p>\n", f);
}

/* The header comment's first paragraph after its "name — ", or "". */
static void title_line(const char *text, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (const char *p = text; p && *p == '#';) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        const char *s = p + 1;
        n--;
        while (n && *s == ' ') { s++; n--; }
        if (!n) break;
        if (len == 0) {
            const char *dash = strstr(s, "\xe2\x80\x94");   /* an em dash */
            if (dash && dash < s + n) { n -= (size_t)(dash + 3 - s); s = dash + 3; while (n && *s == ' ') { s++; n--; } }
        }
        if (len + n + 2 < cap) {
            if (len) out[len++] = ' ';
            memcpy(out + len, s, n);
            len += n;
            out[len] = '\0';
        }
        p = e ? e + 1 : NULL;
    }
}

static void description(const char *text, char *out, size_t cap)
{
    out[0] = '\0';
    for (const char *p = text; p && *p;) {
        if (!strncmp(p, "description:", 12)) {
            const char *s = p + 12, *e = strchr(s, '\n');
            while (*s == ' ') s++;
            size_t n = e ? (size_t)(e - s) : strlen(s);
            if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) { s++; n -= 2; }
            snprintf(out, cap, "%.*s", (int)n, s);
            return;
        }
        const char *e = strchr(p, '\n');
        p = e ? e + 1 : NULL;
    }
}

/* ---- the timeline ------------------------------------------------------------- */

static void fmt_dur(pol_ns d, char *buf, size_t n) { sim_format_duration(d, buf, n); }

static void change_text(const sim_scenario *sc, const sim_change *c, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
#define ADD(...) do { if (n < cap) n += (size_t)snprintf(buf + n, cap - n, __VA_ARGS__); } while (0)
    const sim_provider_params *s = &c->set;
    if (c->mask & SIM_SET_OUTAGE) {
        if (s->outage == SIM_OUTAGE_STATUS) ADD("%soutage %d", n ? ", " : "", s->outage_status);
        else if (s->outage == SIM_OUTAGE_REFUSE) ADD("%soutage: connections refused", n ? ", " : "");
        else if (s->outage == SIM_OUTAGE_BLACKHOLE) ADD("%soutage: black hole", n ? ", " : "");
        else ADD("%sno outage", n ? ", " : "");
    }
    if (c->mask & SIM_SET_RPM) ADD("%srpm %g", n ? ", " : "", s->rpm);
    if (c->mask & SIM_SET_TPM) ADD("%stpm %g", n ? ", " : "", s->tpm);
    if (c->mask & SIM_SET_CONCURRENCY) ADD("%sconcurrency %d", n ? ", " : "", s->concurrency);
    if (c->mask & SIM_SET_QUEUE) ADD("%squeue %d", n ? ", " : "", s->queue);
    if (c->mask & SIM_SET_OVERLOAD_STATUS) ADD("%soverload status %d", n ? ", " : "", s->overload_status);
    if (c->mask & SIM_SET_LATENCY_FACTOR) ADD("%slatency \xc3\x97%g", n ? ", " : "", s->latency_factor);
    if (c->mask & SIM_SET_ERROR_RATE) ADD("%serrors %g%%", n ? ", " : "", 100 * s->error_rate);
    if (c->mask & SIM_SET_ERROR_STATUS) ADD("%serror status %d", n ? ", " : "", s->error_status);
    if (c->mask & SIM_SET_RATE) ADD("%sarrival rate %g/s", n ? ", " : "", c->rate);
#undef ADD
    (void)sc;
}

static const char *change_color(const sim_change *c)
{
    if (c->mask & SIM_SET_OUTAGE) return c->set.outage == SIM_OUTAGE_NONE ? "#8c959f" : "#d1242f";
    if (c->mask & (SIM_SET_RPM | SIM_SET_TPM)) return "#e16f24";
    if (c->mask & SIM_SET_LATENCY_FACTOR) return "#8250df";
    if (c->mask & (SIM_SET_ERROR_RATE | SIM_SET_ERROR_STATUS)) return "#bf3989";
    if (c->mask & SIM_SET_RATE) return "#0969da";
    return "#57606a";
}

/* A tick step for `dur` with at most ~10 ticks. */
static pol_ns tick_step(pol_ns dur)
{
    static const double steps[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400 };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if ((double)dur / (steps[i] * 1e9) <= 10) return (pol_ns)(steps[i] * 1e9);
    return dur / 10 > 0 ? dur / 10 : 1;
}

/* A tick label: 0, 30s, 1m, 1m30s, 2h. */
static void tick_label(pol_ns t, char *buf, size_t cap)
{
    long long s = t / POL_NS_PER_S;
    if (s == 0) snprintf(buf, cap, "0");
    else if (s % 3600 == 0) snprintf(buf, cap, "%lldh", s / 3600);
    else if (s % 60 == 0) snprintf(buf, cap, "%lldm", s / 60);
    else if (s > 60) snprintf(buf, cap, "%lldm%llds", s / 60, s % 60);
    else snprintf(buf, cap, "%llds", s);
}

static void timeline(FILE *f, const sim_scenario *sc)
{
    char a[32], b[32], what[256];
    if (sc->ntimeline == 0) {
        fputs("<p class=\"note\">No timeline: the providers keep their parameters for the whole run.</p>\n", f);
        return;
    }
    if (sc->ntimeline > 200) {
        fprintf(f, "<p class=\"note\">%d timeline changes (a trace): the first 200 are listed.</p>\n", sc->ntimeline);
    }
    /* lanes: every provider that changes, then the workload */
    int lanes[64], nl = 0, has_work = 0;
    for (int i = 0; i < sc->ntimeline && i < 200; i++) {
        int p = sc->timeline[i].provider, seen = 0;
        if (p < 0) { has_work = 1; continue; }
        for (int k = 0; k < nl; k++) seen |= lanes[k] == p;
        if (!seen && nl < 63) lanes[nl++] = p;
    }
    if (has_work) lanes[nl++] = -1;
    const int W = 1100, L = 150, R = 20, LH = 34, TOP = 10;
    int H = TOP + nl * LH + 30;
    double span = (double)sc->duration, plot = W - L - R;
    fprintf(f, "<figure><svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"timeline\" "
               "xmlns=\"http://www.w3.org/2000/svg\" font-family=\"sans-serif\" font-size=\"13\">\n", W, H);
    for (int k = 0; k < nl; k++) {
        int y = TOP + k * LH;
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f6f8fa\" stroke=\"#d0d7de\"/>\n", L, y + 4,
                (int)plot, LH - 8);
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#1f2328\">", L - 8, y + LH / 2 + 5);
        esc(f, lanes[k] < 0 ? "workload" : sc->providers[lanes[k]].name);
        fputs("</text>\n", f);
    }
    for (int i = 0; i < sc->ntimeline && i < 200; i++) {
        const sim_change *c = &sc->timeline[i];
        int k = 0;
        while (k < nl && lanes[k] != c->provider) k++;
        double x0 = L + plot * (double)c->at / span;
        double x1 = L + plot * (double)(c->dur ? c->at + c->dur : sc->duration) / span;
        if (x1 > L + plot) x1 = L + plot;
        if (x1 - x0 < 2) x1 = x0 + 2;
        change_text(sc, c, what, sizeof what);
        fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"3\" fill=\"%s\" fill-opacity=\"0.85\">"
                   "<title>", x0, TOP + k * LH + 6, x1 - x0, LH - 12, change_color(c));
        esc(f, what);
        fputs("</title></rect>\n", f);
        if (x1 - x0 > 60) {
            fprintf(f, "<text x=\"%.1f\" y=\"%d\" fill=\"#fff\" font-weight=\"600\">", x0 + 6, TOP + k * LH + LH / 2 + 5);
            esc(f, what);
            fputs("</text>\n", f);
        }
    }
    pol_ns step = tick_step(sc->duration);
    int ya = TOP + nl * LH + 4;
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#57606a\"/>\n", L, ya, L + (int)plot, ya);
    for (pol_ns t = 0; t <= sc->duration; t += step) {
        double x = L + plot * (double)t / span;
        tick_label(t, a, sizeof a);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#57606a\"/>"
                   "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#59636e\">%s</text>\n",
                x, ya, x, ya + 5, x, ya + 19, a);
    }
    fputs("</svg><figcaption><b>Timeline.</b> What changes when, per provider (the run lasts ", f);
    fmt_dur(sc->duration, a, sizeof a);
    esc(f, a);
    fputs(").</figcaption></figure>\n", f);
    fputs("<table><tr><th>from</th><th>for</th><th>where</th><th>change</th></tr>\n", f);
    for (int i = 0; i < sc->ntimeline && i < 200; i++) {
        const sim_change *c = &sc->timeline[i];
        fmt_dur(c->at, a, sizeof a);
        if (c->dur) fmt_dur(c->dur, b, sizeof b);
        else snprintf(b, sizeof b, "until the end");
        change_text(sc, c, what, sizeof what);
        fprintf(f, "<tr><td>%s</td><td>%s</td><td>", c->at ? a : "0", b);
        esc(f, c->provider < 0 ? "workload" : sc->providers[c->provider].name);
        fputs("</td><td>", f);
        esc(f, what);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* ---- expectations --------------------------------------------------------------- */

typedef struct { int tests, failures; } tally;

static tally count(const bench_check_file *c)
{
    tally t = { 0, 0 };
    if (!c || !c->ran) return t;
    for (int e = 0; e < c->sc.nexpect; e++) { t.tests++; t.failures += !c->out[e].pass; }
    return t;
}

static void verdict(FILE *f, tally t, const char *none)
{
    if (!t.tests) fprintf(f, "<div class=\"verdict none\">%s</div>\n", none);
    else if (!t.failures) fprintf(f, "<div class=\"verdict pass\">PASS: all %d expectation%s hold</div>\n", t.tests,
                                  t.tests == 1 ? "" : "s");
    else fprintf(f, "<div class=\"verdict fail\">FAIL: %d of %d expectation%s do%s not hold</div>\n", t.failures, t.tests,
                 t.tests == 1 ? "" : "s", t.failures == 1 ? "es" : "");
}

static void expectations(FILE *f, const bench_check_file *c, const char *path, const char *note)
{
    if (!c || !c->ran) {
        fputs("<p class=\"note\">", f);
        const char *t = note ? note : "No expectations.";
        escn(f, t, strlen(t));
        fputs("</p>\n", f);
        return;
    }
    fprintf(f, "<p class=\"note\">Evaluated by <code>retrysim check</code>'s code on %d replication%s of %d polic%s "
               "(the mean, or a bound of the Student-t 95%% CI, as each line says).</p>\n",
            c->res.reps, c->res.reps == 1 ? "" : "s", c->npolicies, c->npolicies == 1 ? "y" : "ies");
    fputs("<table><tr><th>result</th><th>expectation</th><th>measured</th><th>line</th></tr>\n", f);
    for (int e = 0; e < c->sc.nexpect; e++) {
        const bench_check_outcome *o = &c->out[e];
        fprintf(f, "<tr class=\"%s\"><td><span class=\"badge %s\">%s</span></td><td><code>", o->pass ? "pass" : "fail",
                o->pass ? "pass" : "fail", o->pass ? "PASS" : "FAIL");
        esc(f, o->expr);
        fputs("</code></td><td>", f);
        esc(f, o->measured);
        fputs("</td><td title=\"", f);
        esc(f, path);
        fprintf(f, ":%d\" style=\"white-space:nowrap\">line %d</td></tr>\n", c->sc.expect[e].line, c->sc.expect[e].line);
    }
    fputs("</table>\n", f);
}

/* ---- the summary table -------------------------------------------------------------- */

static const struct { const char *metric, *label; double scale; int higher; const char *fmt; } HEADLINE[] = {
    { "success_rate", "success %", 100, 1, "%.2f" },
    { "amplification", "amplification", 1, 0, "%.3f" },
    { "latency_p50", "p50 latency s", 1, 0, "%.3f" },
    { "latency_p99", "p99 latency s", 1, 0, "%.3f" },
    { "peak_load_ratio", "peak load / capacity", 1, 0, "%.2f" },
    { "give_ups", "give-ups", 1, 0, "%.0f" },
    { "unfinished", "unfinished", 1, 0, "%.0f" },
    { "cost", "cost $", 1, 0, "%.2f" },
};
#define NHEAD (sizeof HEADLINE / sizeof HEADLINE[0])

typedef struct { double mean, lo, hi; long n; int have; } ci_cell;

static void fmt_num(char *buf, size_t cap, const char *fmt, double v)
{
    if (!isfinite(v)) snprintf(buf, cap, "\xe2\x80\x94");
    else snprintf(buf, cap, fmt, v);
}

/* The policies x headline metrics of a summary-ci table: mean ± half-width,
 * the CI in the cell's title; the best mean of each column in bold. */
static void ci_pivot(FILE *f, const csv_tab *t)
{
    int cp = col(t, "policy"), cm = col(t, "metric"), cn = col(t, "n"), cmean = col(t, "mean"),
        clo = col(t, "ci95_low"), chi = col(t, "ci95_high");
    if (cp < 0 || cm < 0 || cmean < 0) { fputs("<p class=\"warn\">summary-ci.csv has no policy/metric/mean columns.</p>\n", f); return; }
    const char *pols[256];
    int np = 0;
    for (int i = 1; i < t->n; i++) {
        const char *p = cell(&t->r[i], cp);
        int seen = 0;
        for (int k = 0; k < np; k++) seen |= !strcmp(pols[k], p);
        if (!seen && np < 256) pols[np++] = p;
    }
    ci_cell (*v)[NHEAD] = calloc((size_t)(np ? np : 1), sizeof *v);
    if (!v) return;
    for (int i = 1; i < t->n; i++) {
        const char *p = cell(&t->r[i], cp), *m = cell(&t->r[i], cm);
        int pi = 0;
        while (pi < np && strcmp(pols[pi], p)) pi++;
        for (size_t h = 0; h < NHEAD && pi < np; h++)
            if (!strcmp(HEADLINE[h].metric, m)) {
                ci_cell *c = &v[pi][h];
                const char *lo = cell(&t->r[i], clo), *hi = cell(&t->r[i], chi);
                c->mean = strtod(cell(&t->r[i], cmean), NULL) * HEADLINE[h].scale;
                c->lo = *lo ? strtod(lo, NULL) * HEADLINE[h].scale : NAN;
                c->hi = *hi ? strtod(hi, NULL) * HEADLINE[h].scale : NAN;
                c->n = atol(cell(&t->r[i], cn));
                c->have = 1;
            }
    }
    fputs("<table><tr><th>policy</th>", f);
    for (size_t h = 0; h < NHEAD; h++) {
        fputs("<th class=\"num\">", f);
        esc(f, HEADLINE[h].label);
        fprintf(f, "<br><span class=\"ci\">%s better</span></th>", HEADLINE[h].higher ? "higher" : "lower");
    }
    fputs("</tr>\n", f);
    for (int pi = 0; pi < np; pi++) {
        fputs("<tr><td>", f);
        esc(f, pols[pi]);
        fputs("</td>", f);
        for (size_t h = 0; h < NHEAD; h++) {
            const ci_cell *c = &v[pi][h];
            int best = c->have && isfinite(c->mean);
            for (int q = 0; q < np && best; q++)
                if (v[q][h].have && isfinite(v[q][h].mean) &&
                    (HEADLINE[h].higher ? v[q][h].mean > c->mean : v[q][h].mean < c->mean)) best = 0;
            char m[48], lo[48], hi[48], half[48];
            fmt_num(m, sizeof m, HEADLINE[h].fmt, c->have ? c->mean : NAN);
            if (c->have && isfinite(c->lo) && isfinite(c->hi)) {
                fmt_num(lo, sizeof lo, "%.4g", c->lo);
                fmt_num(hi, sizeof hi, "%.4g", c->hi);
                fmt_num(half, sizeof half, HEADLINE[h].fmt, (c->hi - c->lo) / 2);
                fprintf(f, "<td class=\"num%s\" title=\"95%% CI [%s, %s], n=%ld\">%s<br><span class=\"ci\">\xc2\xb1%s</span></td>",
                        best && np > 1 ? " best" : "", lo, hi, c->n, m, half);
            } else {
                fprintf(f, "<td class=\"num%s\">%s<br><span class=\"ci\">%s</span></td>", best && np > 1 ? " best" : "", m,
                        c->have ? "no CI (n&lt;2)" : "");
            }
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n<p class=\"note\">Mean over the replications \xc2\xb1 the half-width of its Student-t 95% "
          "confidence interval (hover a cell for the interval); the best mean of each column is bold. "
          "docs/metrics.md defines every metric.</p>\n", f);
    free(v);
}

/* Every row of a CSV as an HTML table (folded: the full data). */
static void full_table(FILE *f, const csv_tab *t, const char *label, int max_rows)
{
    if (!t->n) return;
    fputs("<details><summary>", f);
    esc(f, label);
    fprintf(f, " (%d rows)</summary>\n<table>", t->n - 1);
    for (int i = 0; i < t->n && i <= max_rows; i++) {
        fputs("<tr>", f);
        for (int k = 0; k < t->r[i].n; k++) {
            const char *s = t->r[i].f[k];
            char *end;
            strtod(s, &end);
            int num = i && *s && !*end;
            fprintf(f, i ? "<td%s>" : "<th%s>", num ? " class=\"num\"" : "");
            esc(f, s);
            fputs(i ? "</td>" : "</th>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>", f);
    if (t->n - 1 > max_rows) fprintf(f, "<p class=\"note\">First %d rows of %d.</p>", max_rows, t->n - 1);
    fputs("</details>\n", f);
}

static void ranking(FILE *f, const csv_tab *t, int top)
{
    int cr = col(t, "rank"), cpol = col(t, "policy"), cmean = col(t, "mean"), clo = col(t, "ci95_low"),
        chi = col(t, "ci95_high"), cov = col(t, "overlaps_best"), cmet = col(t, "metric"), cdir = col(t, "direction"),
        cpt = col(t, "point");
    if (cr < 0 || cmean < 0) { fputs("<p class=\"warn\">ranking.csv lacks its columns.</p>\n", f); return; }
    int ckeys0 = cpt + 1, ckeys1 = cpol;            /* the grid keys sit between point and policy */
    fputs("<p class=\"note\">", f);
    if (t->n > 1) {
        fputs("Ranked on <code>", f);
        esc(f, cell(&t->r[1], cmet));
        fputs("</code> (", f);
        esc(f, cell(&t->r[1], cdir));
        fputs("); <b>\xe2\x89\x88</b> marks a point whose 95% CI overlaps the best one's: not distinguishable "
              "at this number of replications.</p>\n", f);
    }
    fputs("<table><tr><th class=\"num\">rank</th><th class=\"num\">point</th>", f);
    for (int k = ckeys0; k < ckeys1; k++) { fputs("<th>", f); esc(f, t->r[0].f[k]); fputs("</th>", f); }
    fputs("<th>policy</th><th class=\"num\">mean</th><th class=\"num\">95% CI</th><th></th></tr>\n", f);
    for (int i = 1; i < t->n && i <= top; i++) {
        const csv_row *r = &t->r[i];
        fprintf(f, "<tr><td class=\"num\">%s</td><td class=\"num\">%s</td>", cell(r, cr), cell(r, cpt));
        for (int k = ckeys0; k < ckeys1; k++) { fputs("<td>", f); esc(f, cell(r, k)); fputs("</td>", f); }
        fputs("<td>", f);
        esc(f, cell(r, cpol));
        char mv[48], lo[48], hi[48];
        fmt_num(mv, sizeof mv, "%.4g", *cell(r, cmean) ? strtod(cell(r, cmean), NULL) : NAN);
        fmt_num(lo, sizeof lo, "%.4g", *cell(r, clo) ? strtod(cell(r, clo), NULL) : NAN);
        fmt_num(hi, sizeof hi, "%.4g", *cell(r, chi) ? strtod(cell(r, chi), NULL) : NAN);
        fprintf(f, "</td><td class=\"num\">%s</td><td class=\"num\">[%s, %s]</td><td>%s</td></tr>\n", mv, lo, hi,
                !strcmp(cell(r, cov), "1") ? "\xe2\x89\x88" : "");
    }
    fputs("</table>\n", f);
    if (t->n - 1 > top) fprintf(f, "<p class=\"note\">The best %d of %d rows.</p>\n", top, t->n - 1);
}

/* ---- charts ------------------------------------------------------------------------------ */

static const struct { const char *prefix, *title, *caption; } CHARTS[] = {
    { "timeseries", "Time series",
      "Per policy: the load offered to the provider (attempts per second, retries included) against its capacity, "
      "and the successes per second; the shaded windows are the timeline's faults. Offered load above capacity is "
      "what the retries add." },
    { "cost", "Success rate against cost",
      "Each policy's mean success rate against its spend, with 95% confidence intervals: higher and further left "
      "is better; intervals that overlap are not distinguishable at this number of replications." },
    { "latency-cdf", "Latency CDF", "Distribution of per-request latency (first attempt to the last answer)." },
    { "amplification", "Amplification against the swept key",
      "The metric over the sweep's varying grid key, one line per policy, with 95% CIs." },
    { "aws-calls", "Calls and completion time against clients",
      "The AWS Architecture Blog chart: work per request and completion time as the client count grows." },
    { "heatmap", "Heat map", "The metric over the two varying grid keys." },
};
#define NCHARTS (sizeof CHARTS / sizeof CHARTS[0])

/* Writes one gnuplot SVG inline: no XML prologue, ids prefixed with c<k>-. */
static void inline_svg(FILE *f, const char *svg, int k)
{
    const char *p = strstr(svg, "<svg");
    if (!p) return;
    char pre[16];
    snprintf(pre, sizeof pre, "c%d-", k);
    while (*p) {
        if (!strncmp(p, "id=\"", 4) || !strncmp(p, "id='", 4)) {
            fwrite(p, 1, 4, f);
            fputs(pre, f);
            p += 4;
        } else if (!strncmp(p, "href=\"#", 7) || !strncmp(p, "href='#", 7)) {
            fwrite(p, 1, 7, f);
            fputs(pre, f);
            p += 7;
        } else if (!strncmp(p, "url(#", 5)) {
            fputs("url(#", f);
            fputs(pre, f);
            p += 5;
        } else if (!strncmp(p, "<title>Gnuplot</title>", 22)) {
            p += 22;                           /* the page names the chart */
        } else {
            fputc(*p++, f);
        }
    }
    fputc('\n', f);
}

static int chart_rank(const char *name)
{
    for (size_t i = 0; i < NCHARTS; i++)
        if (!strncmp(name, CHARTS[i].prefix, strlen(CHARTS[i].prefix))) return (int)i;
    return (int)NCHARTS;
}

static int by_chart(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    int d = chart_rank(x) - chart_rank(y);
    return d ? d : strcmp(x, y);
}

/* bench_plot with stdout muted (its "wrote PATH" lines). */
static int plot_quietly(const bench_plot_opts *po)
{
    fflush(stdout);
    int saved = dup(STDOUT_FILENO), null = open("/dev/null", O_WRONLY);
    if (saved >= 0 && null >= 0) dup2(null, STDOUT_FILENO);
    int rc = bench_plot(po);
    fflush(stdout);
    if (saved >= 0) { dup2(saved, STDOUT_FILENO); close(saved); }
    if (null >= 0) close(null);
    return rc;
}

/* Draws DIR's charts as SVG and embeds them; returns the number embedded,
 * or -1 when plotting failed (the section says why). */
static int charts(FILE *f, const char *dir, const char *scenario, const char *metric, const char *who)
{
    char tmp[1024];
    const char *t = getenv("TMPDIR");
    snprintf(tmp, sizeof tmp, "%s/retrysim-report-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmp)) {
        fprintf(stderr, "%s: cannot create a scratch directory for the charts\n", who);
        return -1;
    }
    bench_plot_opts po = { dir, scenario, "svg", tmp, "*", metric && *metric ? metric : "amplification" };
    int rc = plot_quietly(&po);
    char *names[64];
    int n = 0;
    DIR *d = opendir(tmp);
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        if (l > 4 && !strcmp(e->d_name + l - 4, ".svg") && n < 64) names[n++] = strdup(e->d_name);
    }
    if (d) closedir(d);
    qsort(names, (size_t)n, sizeof names[0], by_chart);
    int shown = 0;
    for (int i = 0; i < n; i++) {
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", tmp, names[i]);
        char *svg = names[i] ? slurp(path, NULL) : NULL;
        if (svg) {
            int r = chart_rank(names[i]);
            char stem[256];
            snprintf(stem, sizeof stem, "%.*s", (int)(strlen(names[i]) - 4), names[i]);
            fprintf(f, "<figure id=\"chart-%s\">\n", stem);
            inline_svg(f, svg, i);
            fputs("<figcaption><b>", f);
            esc(f, r < (int)NCHARTS ? CHARTS[r].title : stem);
            if (r == 0 && strcmp(stem, "timeseries")) { fputs(" (", f); esc(f, stem + 11); fputs(")", f); }
            fputs(".</b> ", f);
            esc(f, r < (int)NCHARTS ? CHARTS[r].caption : "");
            fputs("</figcaption>\n</figure>\n", f);
            free(svg);
            shown++;
        }
        unlink(path);
        free(names[i]);
    }
    rmdir(tmp);
    if (rc) {
        fputs("<p class=\"warn\">Some charts could not be drawn (gnuplot or its scripts failed; "
              "<code>retrysim plot</code> says why).</p>\n", f);
        return -1;
    }
    if (!shown) fputs("<p class=\"note\">Nothing in this directory to chart.</p>\n", f);
    return shown;
}

/* ---- sections ----------------------------------------------------------------------------- */

/* A command line with each word kept on one line (a break only between words). */
static void command_words(FILE *f, const char *cmd)
{
    for (const char *p = cmd; *p;) {
        size_t n = strcspn(p, " ");
        char word[1024];
        snprintf(word, sizeof word, "%.*s", (int)(n < sizeof word ? n : sizeof word - 1), p);
        fputs("<span style=\"white-space:nowrap\">", f);
        esc(f, word);
        fputs("</span>", f);
        p += n;
        if (*p) { fputc(' ', f); p++; }
    }
}

static void meta_list(FILE *f, const bench_report_meta *m, const char *scenario, const sim_scenario *sc)
{
    fputs("<dl class=\"meta\">", f);
    if (m && m->command[0]) { fputs("<dt>command</dt><dd><code>", f); command_words(f, m->command); fputs("</code></dd>", f); }
    fputs("<dt>scenario</dt><dd><code>", f);
    esc(f, scenario);
    fputs("</code></dd>", f);
    if (sc) {
        char d[32];
        sim_format_duration(sc->duration, d, sizeof d);
        fprintf(f, "<dt>seed</dt><dd>%llu</dd><dt>replications</dt><dd>%d</dd><dt>duration</dt><dd>%s</dd>",
                (unsigned long long)sc->seed, sc->replications, d);
        fprintf(f, "<dt>policies</dt><dd>");
        for (int i = 0; i < sc->npolicies; i++) { if (i) fputs(", ", f); esc(f, sc->policies[i].name); }
        fputs("</dd>", f);
    }
    if (m && m->nsets) {
        fputs("<dt>overrides</dt><dd>", f);
        for (int i = 0; i < m->nsets; i++) { if (i) fputs(" ", f); fputs("<code>", f); esc(f, m->sets[i]); fputs("</code>", f); }
        fputs("</dd>", f);
    }
    fputs("<dt>version</dt><dd>retrysim ", f);
    esc(f, m && m->version[0] ? m->version : pol_version());
    fputs("</dd></dl>\n", f);
}

static void scenario_section(FILE *f, const char *text, const sim_scenario *sc, int level, const char *id)
{
    fprintf(f, "<h%d id=\"%s\">Scenario</h%d>\n", level, id, level);
    if (text && text[0] == '#') header_comment(f, text);
    else fputs("<p class=\"note\">The scenario file has no header comment.</p>\n", f);
    fprintf(f, "<h%d>Timeline</h%d>\n", level + 1, level + 1);
    timeline(f, sc);
}

static void reproduce(FILE *f, const bench_report_meta *m, const char *text, const char *path)
{
    fputs("<h2 id=\"reproduce\">Reproduce</h2>\n", f);
    if (m && m->command[0]) {
        fputs("<p>The same binary, scenario file and seed give the same numbers:</p>\n<pre>", f);
        esc(f, m->command);
        fputs("</pre>\n", f);
    }
    if (text) {
        fputs("<details><summary>The scenario file, <code>", f);
        esc(f, path);
        fputs("</code></summary>\n<pre>", f);
        esc(f, text);
        fputs("</pre></details>\n", f);
    }
}

static int open_out(sim_outfile *o, const char *path, const char *who)
{
    char dir[2048];
    const char *slash = strrchr(path, '/'), *name = slash ? slash + 1 : path;
    if (slash && slash != path) snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else snprintf(dir, sizeof dir, slash ? "/" : ".");
    if (!*name || sim_mkdirs(dir) || sim_out_open(o, dir, name)) {
        fprintf(stderr, "%s: cannot write '%s'\n", who, path);
        return -1;
    }
    return 0;
}

/* Re-runs a run directory's expectation policies (check.h) and compares
 * their CI rows with the directory's: 1 identical, 0 not, -1 no rows. */
static int same_rows(const bench_check_file *c, const char *ci_text)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) return -1;
    sim_summary_ci_write(m, &c->sc, &c->res);
    fclose(m);
    int same = len > 0 ? 1 : -1;
    for (char *line = buf, *e; same == 1 && line && *line; line = e ? e + 1 : NULL) {
        e = strchr(line, '\n');
        if (e) *e = '\0';
        if (*line && !strstr(ci_text, line)) same = 0;
    }
    free(buf);
    return same;
}

int bench_report_dir(const bench_report_opts *o)
{
    bench_report_meta m;
    char err[2048];
    int have_meta = bench_report_meta_read(o->dir, &m, err, sizeof err) == 0;
    const char *path = o->scenario ? o->scenario : have_meta ? m.scenario : NULL;
    if (!path || !*path) {
        fprintf(stderr, "%s: %s; name the scenario with --scenario FILE\n", o->who, err);
        return 2;
    }
    if (!have_meta) memset(&m, 0, sizeof m);
    const char *sets[BENCH_REPORT_MAX_SETS];
    for (int i = 0; i < m.nsets; i++) sets[i] = m.sets[i];
    sim_scenario sc;
    sim_err se;
    if (sim_scenario_load(path, sets, m.nsets, &sc, &se)) {
        fprintf(stderr, "%s\n", se.msg);
        return 2;
    }
    char p1[2048], p2[2048];
    snprintf(p1, sizeof p1, "%s/summary-ci.csv", o->dir);
    snprintf(p2, sizeof p2, "%s/ranking.csv", o->dir);
    char *ci_text = slurp(p1, NULL), *rank_text = slurp(p2, NULL);
    int sweep = rank_text != NULL && !ci_text;
    if (!ci_text && !rank_text) {
        fprintf(stderr, "%s: %s holds neither summary-ci.csv (run) nor ranking.csv (sweep)\n", o->who, o->dir);
        sim_scenario_free(&sc);
        return 2;
    }
    char *text = slurp(path, NULL);
    /* the expectations, by check's code */
    bench_check_file chk;
    memset(&chk, 0, sizeof chk);
    int chk_loaded = 0;
    const char *note = NULL;
    int rerun_same = -1, rc = 0;
    char notebuf[1200];
    if (sweep) note = "A sweep's points are not checked against the scenario's expectations: run `retrysim check` on "
                      "the scenario (or one point of it, with --set) for them.";
    else if (!sc.nexpect) note = "The scenario has no expect: block.";
    else if (o->no_expect) note = "Expectations not evaluated (--no-expect).";
    else {
        sim_err ce;
        chk_loaded = 1;
        if (bench_check_load(&chk, path, sets, m.nsets, &ce) || bench_check_run(&chk, path, sets, m.nsets, o->jobs, &ce)) {
            snprintf(notebuf, sizeof notebuf, "The expectations could not be evaluated: %s", ce.msg[0] ? ce.msg : "the runs failed");
            note = notebuf;
            fprintf(stderr, "%s: %s\n", o->who, notebuf);
            rc = 2;
        } else {
            rerun_same = same_rows(&chk, ci_text);
        }
    }
    sim_outfile out;
    if (open_out(&out, o->out, o->who)) { rc = 2; goto done; }
    FILE *f = out.f;
    char title[512], lead[512], desc[512];
    title_line(text, lead, sizeof lead);
    description(text, desc, sizeof desc);
    snprintf(title, sizeof title, "retrysim %s: %s", sweep ? "sweep" : "run", sc.name);
    page_open(f, title);
    fputs("<header class=\"top\">\n<h1>", f);
    esc(f, sc.name);
    fprintf(f, " <span class=\"note\">\xc2\xb7 %s</span></h1>\n<p class=\"lead\">", sweep ? "sweep" : "run");
    esc(f, lead[0] ? lead : desc);
    fputs("</p>\n", f);
    tally t = count(&chk);
    verdict(f, t, sweep ? "sweep: expectations not checked" : sc.nexpect ? "expectations not evaluated" : "no expectations");
    meta_list(f, have_meta ? &m : NULL, path, &sc);
    fputs("<nav><a href=\"#scenario\">Scenario</a><a href=\"#expectations\">Expectations</a>"
          "<a href=\"#summary\">Summary</a><a href=\"#charts\">Charts</a><a href=\"#reproduce\">Reproduce</a></nav>\n"
          "</header>\n", f);
    if (!have_meta) fputs("<p class=\"warn\">This directory has no run.csv: the command line and overrides are unknown; "
                          "the scenario was given with --scenario.</p>\n", f);
    scenario_section(f, text, &sc, 2, "scenario");
    fputs("<h2 id=\"expectations\">Expectations</h2>\n", f);
    expectations(f, &chk, path, note);
    if (rerun_same == 1)
        fputs("<p class=\"note\">The policies the expectations name were run again with the recorded overrides: their "
              "confidence intervals are identical to this directory's.</p>\n", f);
    else if (rerun_same == 0)
        fputs("<p class=\"warn\">The re-run of the policies the expectations name does not reproduce this directory's "
              "summary-ci.csv: the scenario file or the binary changed since the run.</p>\n", f);
    fputs("<h2 id=\"summary\">Summary</h2>\n", f);
    csv_tab tab;
    memset(&tab, 0, sizeof tab);
    if (!sweep && tab_parse(ci_text, &tab) == 0) {
        ci_pivot(f, &tab);
        full_table(f, &tab, "Every metric (summary-ci.csv)", 5000);
    } else if (sweep && tab_parse(rank_text, &tab) == 0) {
        ranking(f, &tab, 30);
        full_table(f, &tab, "The whole ranking (ranking.csv)", 5000);
    }
    tab_free(&tab);
    fputs("<h2 id=\"charts\">Charts</h2>\n", f);
    char metric[128];
    snprintf(metric, sizeof metric, "%s", m.objective);
    char *colon = strchr(metric, ':');
    if (colon) *colon = '\0';
    if (!metric[0] || sim_metric_lookup(metric) < 0) snprintf(metric, sizeof metric, "amplification");
    int drawn = charts(f, o->dir, path, metric, o->who);
    reproduce(f, have_meta ? &m : NULL, text, path);
    page_close(f, have_meta ? &m : NULL);
    if (drawn < 0) {                                   /* an incomplete page is not left behind */
        sim_out_abort(&out);
        fprintf(stderr, "%s: a chart could not be drawn; no page written\n", o->who);
        rc = 2;
    } else if (sim_out_commit(&out)) {
        fprintf(stderr, "%s: cannot write '%s'\n", o->who, o->out);
        rc = 2;
    } else if (!o->quiet) {
        printf("wrote %s\n", o->out);
    }
done:
    if (chk_loaded) bench_check_free(&chk);
    free(text);
    free(ci_text);
    free(rank_text);
    sim_scenario_free(&sc);
    return rc;
}

int bench_report_check(const bench_report_opts *o, const bench_report_meta *m, const bench_check_file *fc,
                       const char *const *files, int nfiles)
{
    sim_outfile out;
    if (open_out(&out, o->out, o->who)) return 2;
    FILE *f = out.f;
    tally all = { 0, 0 };
    for (int i = 0; i < nfiles; i++) { tally t = count(&fc[i]); all.tests += t.tests; all.failures += t.failures; }
    page_open(f, nfiles == 1 ? fc[0].sc.name : "retrysim check");
    fputs("<header class=\"top\">\n<h1>", f);
    if (nfiles == 1) esc(f, fc[0].sc.name);
    else fprintf(f, "%d scenarios", nfiles);
    fputs(" <span class=\"note\">\xc2\xb7 check</span></h1>\n", f);
    verdict(f, all, "no expectations");
    fputs("<dl class=\"meta\">", f);
    if (m && m->command[0]) { fputs("<dt>command</dt><dd><code>", f); command_words(f, m->command); fputs("</code></dd>", f); }
    fputs("<dt>version</dt><dd>retrysim ", f);
    esc(f, m && m->version[0] ? m->version : pol_version());
    fputs("</dd></dl>\n", f);
    if (nfiles > 1) {
        fputs("<table><tr><th>result</th><th>scenario</th><th>file</th><th class=\"num\">expectations</th></tr>\n", f);
        for (int i = 0; i < nfiles; i++) {
            tally t = count(&fc[i]);
            const char *cls = !t.tests ? "" : t.failures ? "fail" : "pass";
            fprintf(f, "<tr class=\"%s\"><td>", cls);
            if (t.tests) fprintf(f, "<span class=\"badge %s\">%s</span>", cls, t.failures ? "FAIL" : "PASS");
            else fputs("<span class=\"note\">none</span>", f);
            fprintf(f, "</td><td><a href=\"#s%d\">", i);
            esc(f, fc[i].sc.name);
            fputs("</a></td><td><code>", f);
            esc(f, files[i]);
            if (t.tests) fprintf(f, "</code></td><td class=\"num\">%d of %d hold</td></tr>\n", t.tests - t.failures, t.tests);
            else fputs("</code></td><td class=\"num\">none</td></tr>\n", f);
        }
        fputs("</table>\n", f);
    }
    fputs("</header>\n", f);
    for (int i = 0; i < nfiles; i++) {
        const bench_check_file *c = &fc[i];
        char *text = slurp(files[i], NULL), lead[512];
        title_line(text, lead, sizeof lead);
        fprintf(f, "<section id=\"s%d\">\n<h2>", i);
        esc(f, c->sc.name);
        fputs("</h2>\n<p class=\"lead\">", f);
        esc(f, lead);
        fputs("</p>\n", f);
        verdict(f, count(c), "no expectations");
        meta_list(f, NULL, files[i], &c->sc);
        char sid[32];
        snprintf(sid, sizeof sid, "s%d-scenario", i);
        scenario_section(f, text, &c->sc, 3, sid);
        fputs("<h3>Expectations</h3>\n", f);
        expectations(f, c, files[i], c->sc.nexpect ? "Not run." : "No expectations: not run.");
        if (c->ran) {
            fputs("<h3>Summary of the runs checked</h3>\n", f);
            char *buf = NULL;
            size_t len = 0;
            FILE *ms = open_memstream(&buf, &len);
            if (ms) {
                sim_summary_ci_header(ms);
                sim_summary_ci_write(ms, &c->sc, &c->res);
                fclose(ms);
                csv_tab tab;
                if (tab_parse(buf, &tab) == 0) {
                    ci_pivot(f, &tab);
                    full_table(f, &tab, "Every metric", 5000);
                    tab_free(&tab);
                }
                free(buf);
            }
            fputs("<p class=\"note\">check runs only the policies its expectations name and writes no time series: "
                  "<code>retrysim run FILE --report FILE.html</code> gives the charts.</p>\n", f);
        }
        if (text) {
            fputs("<details><summary>The scenario file</summary>\n<pre>", f);
            esc(f, text);
            fputs("</pre></details>\n", f);
        }
        fputs("</section>\n", f);
        free(text);
    }
    if (m && m->command[0]) {
        fputs("<h2 id=\"reproduce\">Reproduce</h2>\n<pre>", f);
        esc(f, m->command);
        fputs("</pre>\n", f);
    }
    page_close(f, m);
    if (sim_out_commit(&out)) { fprintf(stderr, "%s: cannot write '%s'\n", o->who, o->out); return 2; }
    if (!o->quiet) printf("wrote %s\n", o->out);
    return 0;
}
