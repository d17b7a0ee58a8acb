/* trace.h — the columns and the timestamps of request logs and arrival
 * traces, shared by the arrivals_csv loader (scenario.c) and `retrysim fit`
 * (bench/fit.c).
 *
 * Columns. A log's header names its columns; each column of the table below
 * is found by its canonical name or one of its aliases, compared without
 * case and ignoring '_', '-', '.' and spaces (so "ContextTokens" is
 * context_tokens, an alias of prompt_tokens), unless the caller maps it to
 * a header name of its own (compared the same way). A header cell that is
 * no column is left to the caller (ignored, or a warning).
 *
 * Times. A time cell is a duration with a unit ("1.5s"), a bare number of
 * seconds ("1.5"; of milliseconds, microseconds or nanoseconds when the
 * column's header name ends in a unit: "latency_ms", "time (us)", which is
 * then also matched without it), or an absolute date and time, ISO 8601 or
 * the SQL form:
 * YYYY-MM-DD[T| ]HH:MM[:SS[.f...]][Z|+HH[:MM]|-HH[:MM]], returned as ns
 * since the Unix epoch (digits after the 9th fractional one are dropped).
 * Without an offset the time is read as UTC: only differences matter.
 * No allocation; cost linear in the text.
 */
#ifndef SIM_TRACE_H
#define SIM_TRACE_H
#include <stdint.h>
#include "pol_common.h"
#include "err.h"
#include "cfg.h"

typedef enum {
    SIM_COL_AT = 0,      /* the arrival (request) time: required */
    SIM_COL_CLASS,       /* a class name of the workload */
    SIM_COL_PROMPT,      /* prompt (input, context) tokens */
    SIM_COL_OUTPUT,      /* output (generated, completion) tokens */
    SIM_COL_DEADLINE,    /* the request's deadline: a duration or seconds */
    SIM_COL_STREAM,      /* a bool: the request streams its answer */
    SIM_COL_TRACE__COUNT,/* the columns an arrival trace reads end here */
    SIM_COL_LATENCY = SIM_COL_TRACE__COUNT, /* request latency (fit only) */
    SIM_COL_TTFT,        /* time to first token (fit only) */
    SIM_COL_STATUS,      /* HTTP status (fit only) */
    SIM_COL_MODEL,       /* model name (fit only) */
    SIM_COL__COUNT
} sim_col;

/* The canonical name ("prompt_tokens"), and every name of a column as one
 * comma-separated string for messages ("prompt_tokens, input_tokens, ..."). */
const char *sim_col_name(sim_col c);
const char *sim_col_aliases(sim_col c);
/* The column whose canonical name is name (exact), or -1. */
int sim_col_lookup(const char *name);
/* Whether header cell `cell` names the column: `mapped` (a header name the
 * user gave, or NULL for the canonical name and its aliases). */
int sim_col_matches(sim_col c, const char *mapped, const char *cell);
/* Whether two column names are the same, compared as above. */
int sim_trace_name_eq(const char *a, const char *b);

/* Finds columns 0..ncols-1 in a header row: col[c] = the index of the cell
 * of column c, or -1 when absent. mapped[c] (may be NULL, or hold NULLs):
 * the header name the user gave for column c. A column matched by two cells
 * is a located error at the second; a mapped name found in no cell returns
 * POL_ENOTFOUND with *missing = its column (the caller locates it where the
 * mapping was written); other failures POL_EINVAL with err set. */
int sim_trace_header(const sim_csv_row *hdr, int ncols, const char *const *mapped, int *col, int *missing,
                     sim_err *err);
/* The ns of one bare number of a time or duration column whose header cell
 * is `cell`: 1e6 for a name ending in ms ("latency_ms", "t (ms)"), 1e3 us,
 * 1 ns, else 1e9 (seconds). */
int64_t sim_col_unit(const char *cell);

typedef enum { SIM_TIME_RELATIVE = 1, SIM_TIME_ABSOLUTE = 2 } sim_time_kind;
/* Parses a time cell (see above) into *ns (relative: >= 0; absolute: since
 * the epoch, may be negative before 1970) and *kind. POL_EPARSE when it is
 * none of the forms, POL_ERANGE when out of range (negative, past 2262). */
int sim_trace_time(const char *s, int64_t unit, int64_t *ns, sim_time_kind *kind);
/* t - origin in ns, saturated to the int64 range: absolute times run from
 * 1678 to 2261, farther apart than an int64 of ns can say. */
int64_t sim_trace_since(int64_t t, int64_t origin);
/* A duration cell: "30s" or a bare number of `unit` ns (sim_col_unit), >= 0. */
int sim_trace_duration(const char *s, int64_t unit, pol_ns *out);

#endif
