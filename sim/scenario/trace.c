/* trace.c — columns and timestamps of request logs and arrival traces
 * (see trace.h). */
#include "trace.h"
#include "units.h"
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Canonical name first, then the aliases, all written normalised (lower
 * case, no '_', '-', '.' or space): see norm(). */
static const char *const NAMES[SIM_COL__COUNT][16] = {
    [SIM_COL_AT]       = { "at", "t", "time", "timestamp", "ts", "arrival", "arrivaltime", "arrivedat", "createdat",
                           "created", "starttime", "requesttime", NULL },
    [SIM_COL_CLASS]    = { "class", "requestclass", NULL },
    [SIM_COL_PROMPT]   = { "prompttokens", "inputtokens", "contexttokens", "prompttokencount", NULL },
    [SIM_COL_OUTPUT]   = { "outputtokens", "completiontokens", "generatedtokens", "outputtokencount", NULL },
    [SIM_COL_DEADLINE] = { "deadline", NULL },
    [SIM_COL_STREAM]   = { "stream", "streaming", NULL },
    [SIM_COL_LATENCY]  = { "latency", "e2elatency", "responsetime", "elapsed", "totaltime", "duration", NULL },
    [SIM_COL_TTFT]     = { "ttft", "timetofirsttoken", "firsttokenlatency", NULL },
    [SIM_COL_STATUS]   = { "status", "statuscode", "httpstatus", "code", NULL },
    [SIM_COL_MODEL]    = { "model", "modelname", "deployment", NULL },
};
/* The same, as written in messages. */
static const char *const SPELLED[SIM_COL__COUNT] = {
    [SIM_COL_AT]       = "at (or t, time, timestamp, ts, arrival, arrival_time, arrived_at, created_at, created, start_time, request_time)",
    [SIM_COL_CLASS]    = "class (or request_class)",
    [SIM_COL_PROMPT]   = "prompt_tokens (or input_tokens, context_tokens, prompt_token_count)",
    [SIM_COL_OUTPUT]   = "output_tokens (or completion_tokens, generated_tokens, output_token_count)",
    [SIM_COL_DEADLINE] = "deadline",
    [SIM_COL_STREAM]   = "stream (or streaming)",
    [SIM_COL_LATENCY]  = "latency (or e2e_latency, response_time, elapsed, total_time, duration)",
    [SIM_COL_TTFT]     = "ttft (or time_to_first_token, first_token_latency)",
    [SIM_COL_STATUS]   = "status (or status_code, http_status, code)",
    [SIM_COL_MODEL]    = "model (or model_name, deployment)",
};
static const char *const CANON[SIM_COL__COUNT] = {
    "at", "class", "prompt_tokens", "output_tokens", "deadline", "stream", "latency", "ttft", "status", "model" };

/* Columns whose bare numbers are times: their names may end in a unit. */
static int timed(sim_col c)
{
    return c == SIM_COL_AT || c == SIM_COL_DEADLINE || c == SIM_COL_LATENCY || c == SIM_COL_TTFT;
}

const char *sim_col_name(sim_col c) { return (unsigned)c < SIM_COL__COUNT ? CANON[c] : "?"; }
const char *sim_col_aliases(sim_col c) { return (unsigned)c < SIM_COL__COUNT ? SPELLED[c] : "?"; }

int sim_col_lookup(const char *name)
{
    for (int c = 0; name && c < SIM_COL__COUNT; c++)
        if (!strcmp(CANON[c], name)) return c;
    return -1;
}

/* Lower case without '_', '-', '.', spaces and parentheses; cut to cap. */
static void norm(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    for (; *s && n + 1 < cap; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '_' || ch == '-' || ch == '.' || ch == ' ' || ch == '(' || ch == ')' || ch == '[' || ch == ']')
            continue;
        out[n++] = (char)tolower(ch);
    }
    out[n] = '\0';
}

/* The unit a header name ends in, after a separator: "latency_ms", "t (ms)",
 * "elapsed.s". *base_len: the length of the name before the separator. */
static int64_t unit_suffix(const char *cell, size_t *base_len)
{
    static const struct { const char *u; int64_t ns; } U[] = {
        { "ms", 1000000 }, { "us", 1000 }, { "ns", 1 }, { "s", 1000000000 }, { "sec", 1000000000 },
        { "secs", 1000000000 }, { "seconds", 1000000000 }, { "millis", 1000000 } };
    size_t len = strlen(cell);
    while (len && (cell[len - 1] == ')' || cell[len - 1] == ']' || cell[len - 1] == ' ')) len--;
    for (size_t i = 0; i < sizeof U / sizeof U[0]; i++) {
        size_t ul = strlen(U[i].u);
        if (len <= ul + 1) continue;
        if (strncasecmp(cell + len - ul, U[i].u, ul)) continue;
        char sep = cell[len - ul - 1];
        if (sep != '_' && sep != '-' && sep != '.' && sep != ' ' && sep != '(' && sep != '[') continue;
        size_t b = len - ul - 1;
        while (b && (cell[b - 1] == ' ' || cell[b - 1] == '(' || cell[b - 1] == '[')) b--;
        if (!b) continue;
        if (base_len) *base_len = b;
        return U[i].ns;
    }
    return 0;
}

int64_t sim_col_unit(const char *cell)
{
    int64_t u = cell ? unit_suffix(cell, NULL) : 0;
    return u ? u : 1000000000;
}

int sim_trace_name_eq(const char *x, const char *y)
{
    char a[80], b[80];
    norm(x, a, sizeof a);
    norm(y, b, sizeof b);
    return a[0] && !strcmp(a, b);
}

int sim_col_matches(sim_col c, const char *mapped, const char *cell)
{
    if ((unsigned)c >= SIM_COL__COUNT || !cell) return 0;
    char a[80], b[80];
    norm(cell, a, sizeof a);
    if (mapped) {
        norm(mapped, b, sizeof b);
        return b[0] && !strcmp(a, b);
    }
    char base[80] = "";
    size_t bl;
    if (timed(c) && unit_suffix(cell, &bl) && bl < sizeof b) {
        memcpy(b, cell, bl);
        b[bl] = '\0';
        norm(b, base, sizeof base);
    }
    for (int i = 0; NAMES[c][i]; i++)
        if (!strcmp(a, NAMES[c][i]) || (base[0] && !strcmp(base, NAMES[c][i]))) return 1;
    return 0;
}

int sim_trace_header(const sim_csv_row *hdr, int ncols, const char *const *mapped, int *col, int *missing,
                     sim_err *err)
{
    for (int c = 0; c < SIM_COL__COUNT; c++) col[c] = -1;
    if (ncols > SIM_COL__COUNT) ncols = SIM_COL__COUNT;
    for (size_t i = 0; i < hdr->n; i++) {
        for (int c = 0; c < ncols; c++) {
            const char *m = mapped ? mapped[c] : NULL;
            if (!sim_col_matches((sim_col)c, m, hdr->field[i])) continue;
            if (col[c] >= 0) {
                char q1[96], q2[96];
                return sim_cfg_errf_loc(err, hdr->path, hdr->line[i], hdr->col[i],
                                        "columns '%s' and '%s' are both read as '%s'; name the one to read with "
                                        "columns: { %s: NAME }",
                                        sim_cfg_quote(hdr->field[col[c]], q1, sizeof q1),
                                        sim_cfg_quote(hdr->field[i], q2, sizeof q2), CANON[c], CANON[c]);
            }
            col[c] = (int)i;
            break;
        }
    }
    for (int c = 0; mapped && c < ncols; c++)
        if (mapped[c] && col[c] < 0) {
            if (missing) *missing = c;
            return POL_ENOTFOUND;
        }
    return POL_OK;
}

/* ---- times ----------------------------------------------------------------- */

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* n digits at *p into *v (exactly n); advances *p. */
static int digits(const char **p, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i])) return 0;
        x = x * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *v = x;
    return 1;
}

static int parse_absolute(const char *s, int64_t *ns)
{
    int y, mo, d, h, mi, sec = 0;
    const char *p = s;
    if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' || !digits(&p, 2, &d))
        return POL_EPARSE;
    if (*p != 'T' && *p != 't' && *p != ' ') return POL_EPARSE;
    while (*p == ' ') p++;
    if (*p == 'T' || *p == 't') p++;
    if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi)) return POL_EPARSE;
    int64_t frac = 0;
    if (*p == ':') {
        p++;
        if (!digits(&p, 2, &sec)) return POL_EPARSE;
        if (*p == '.' || *p == ',') {
            p++;
            int n = 0;
            if (!isdigit((unsigned char)*p)) return POL_EPARSE;
            for (; isdigit((unsigned char)*p); p++, n++)
                if (n < 9) frac = frac * 10 + (*p - '0');
            for (; n < 9; n++) frac *= 10;
        }
    }
    int64_t off = 0;
    while (*p == ' ') p++;
    if (*p == 'Z' || *p == 'z') p++;
    else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
        if (!digits(&p, 2, &oh)) return POL_EPARSE;
        if (*p == ':') p++;
        if (isdigit((unsigned char)*p) && !digits(&p, 2, &om)) return POL_EPARSE;
        if (oh > 23 || om > 59) return POL_ERANGE;
        off = sign * (int64_t)(oh * 3600 + om * 60);
    }
    while (*p == ' ') p++;
    if (*p) return POL_EPARSE;
    static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 ||
        sec > 60)
        return POL_ERANGE;
    if (y < 1678 || y > 2261) return POL_ERANGE;          /* int64 ns since 1970 */
    int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
    *ns = t * 1000000000 + frac;
    return POL_OK;
}

int64_t sim_trace_since(int64_t t, int64_t origin)
{
    if (origin < 0 && t > INT64_MAX + origin) return INT64_MAX;
    if (origin > 0 && t < INT64_MIN + origin) return INT64_MIN;
    return t - origin;
}

int sim_trace_duration(const char *s, int64_t unit, pol_ns *out)
{
    double x;
    if (sim_parse_duration(s, out) == POL_OK) return POL_OK;
    int rc = sim_parse_double(s, &x);
    if (rc) return rc == POL_ERANGE ? POL_ERANGE : POL_EPARSE;
    x *= (double)(unit > 0 ? unit : 1000000000);
    if (x < 0 || !(x < 9.2e18)) return POL_ERANGE;
    *out = (pol_ns)llround(x);
    return POL_OK;
}

int sim_trace_time(const char *s, int64_t unit, int64_t *ns, sim_time_kind *kind)
{
    while (*s == ' ') s++;
    if (isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[2]) &&
        isdigit((unsigned char)s[3]) && s[4] == '-') {
        int rc = parse_absolute(s, ns);
        if (!rc) *kind = SIM_TIME_ABSOLUTE;
        return rc;
    }
    pol_ns t;
    int rc = sim_trace_duration(s, unit, &t);
    if (rc) return rc;
    *ns = t;
    *kind = SIM_TIME_RELATIVE;
    return POL_OK;
}
