/* live_json.h — JSON for live mode and the mock, on jansson (libjansson-dev).
 *
 * Every JSON document that live/ reads or writes goes through jansson: the
 * request bodies live builds and the mock parses, the mock's success and
 * error bodies, the replies live parses. Why jansson (and not json-c or
 * cJSON): it is strict RFC 8259 by default (rejects invalid UTF-8, lone
 * surrogates, trailing garbage, NaN, comments) and decodes escaped
 * surrogate pairs ("\ud83d\ude00") to UTF-8; its recursive-descent parser
 * stops at a fixed depth (JSON_PARSER_MAX_DEPTH, 2048) while parsing, in
 * one linear pass; its objects are hash tables with a random per-process
 * seed (no hash flooding); it has allocation hooks (json_set_alloc_funcs),
 * which is how a parse here is held to a memory budget; json_loadb with
 * JSON_DISABLE_EOF_CHECK reads one value at a time from a buffer, which is
 * what an SSE `data:` payload is (a later streaming feature); and it is
 * packaged and maintained in Debian (2.14). docs/live.md, "JSON", has the
 * limits.
 *
 * Limits of live_json_parse, all enforced while parsing: the input is at
 * most max_len bytes (the callers' body caps; longer input is refused
 * before any parsing), nesting at most 2048 arrays/objects (jansson's
 * compile-time limit), and the memory the parse allocates at most
 * LIVE_JSON_MEM(len) bytes or a cap (an allocation past it fails, and so does the
 * parse: a body of a million empty objects cannot cost a gigabyte). Time is
 * linear in the input.
 *
 * Threads: the allocation hooks are process-wide and installed once; the
 * budget is per thread.
 */
#ifndef LIVE_JSON_H
#define LIVE_JSON_H
#include "live_util.h"
#include <jansson.h>
#include <stddef.h>

#define LIVE_JSON_DEPTH 2048              /* jansson's JSON_PARSER_MAX_DEPTH */
/* the memory budget of parsing len bytes: 16 bytes per input byte plus
 * 1 MiB (measured with jansson 2.14, counting 16 bytes of malloc overhead
 * per block: a long string costs 3x its text, a reply with logprobs 12x,
 * an array of one-digit numbers 16x; an array of empty arrays 39x and one of
 * empty objects 71x, which are refused) */
#define LIVE_JSON_MEM(len) ((size_t)(len) * 16 + ((size_t)1 << 20))

/* Parses buf[len] (need not be NUL-terminated; a NUL byte inside is an
 * error) as one JSON value of any type, with a memory budget of
 * LIVE_JSON_MEM(len), or mem_cap bytes when that is smaller (0 = no cap).
 * On failure returns NULL and writes
 * why (e.g. "not JSON: invalid token near 'x' at byte 12", "nested deeper
 * than 2048", "too large: over 1048576 bytes", "too complex: over N bytes of
 * memory") into why[cap]. */
json_t *live_json_parse(const char *buf, size_t len, size_t max_len, size_t mem_cap, char *why, size_t cap);

/* The name of a value's type: "object", "array", "string", ... */
const char *live_json_type_name(const json_t *v);

/* The string member key of object o, or NULL (absent, not a string, or o
 * not an object). */
const char *live_json_str(const json_t *o, const char *key);

/* The provider error of an error body, from its fields:
 *   OpenAI    {"error":{"message","type","param","code"}}
 *   Anthropic {"type":"error","error":{"type","message"}}
 * (and {"error":"text"}, which some gateways send). Each field points into
 * root, or is NULL when absent; code is also given for a numeric code (as
 * text in code_buf). Returns 1 when root has an error member, else 0. */
typedef struct {
    const char *type, *code, *message;
    char        code_buf[24];
} live_json_error;
int live_json_error_of(const json_t *root, live_json_error *e);

/* Serializes v compactly into b (replacing its content). 0, or -1 when out
 * of memory or when it would pass max bytes. */
int live_json_dump(const json_t *v, live_buf *b, size_t max);

/* Bytes jansson holds now (for tests: no leak, budgets). */
size_t live_json_mem_in_use(void);

#endif
