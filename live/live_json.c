/* live_json.c — jansson with limits (see live_json.h).
 *
 * Memory budget: jansson's allocation hooks (json_set_alloc_funcs) are
 * installed before main by a constructor, so every allocation jansson ever
 * makes goes through jmalloc/jfree: each block carries its size in a
 * header, a per-thread counter holds the bytes in use, and while a parse is
 * running (budget set) an allocation that would pass the budget returns
 * NULL: jansson then fails the parse ("out of memory"), which is reported as
 * "too complex". Outside a parse there is no budget.
 */
#include "live_json.h"
#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef union { size_t n; max_align_t align; } jhdr;

static _Thread_local size_t j_used;      /* bytes jansson holds on this thread */
static _Thread_local size_t j_limit;     /* 0 = no budget */
static _Thread_local int    j_refused;   /* an allocation passed the budget */

static void *jmalloc(size_t n)
{
    if (n > SIZE_MAX - sizeof(jhdr)) return NULL;
    if (j_limit && (n > j_limit || j_used > j_limit - n)) { j_refused = 1; return NULL; }
    jhdr *h = malloc(sizeof *h + n);
    if (!h) return NULL;
    h->n = n;
    j_used += n;
    return h + 1;
}

static void jfree(void *p)
{
    if (!p) return;
    jhdr *h = (jhdr *)p - 1;
    j_used -= h->n < j_used ? h->n : j_used;   /* a block freed on another thread: never below 0 */
    free(h);
}

__attribute__((constructor)) static void live_json_hooks(void) { json_set_alloc_funcs(jmalloc, jfree); }

size_t live_json_mem_in_use(void) { return j_used; }

json_t *live_json_parse(const char *buf, size_t len, size_t max_len, size_t mem_cap, char *why, size_t cap)
{
    if (cap) why[0] = '\0';
    if (!buf) { snprintf(why, cap, "empty body"); return NULL; }
    if (len > max_len) { snprintf(why, cap, "too large: over %zu bytes", max_len); return NULL; }
    size_t i = 0;
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n')) i++;
    if (i == len) { snprintf(why, cap, "empty body"); return NULL; }
    json_error_t err;
    size_t budget = LIVE_JSON_MEM(len);
    if (mem_cap && budget > mem_cap) budget = mem_cap;
    j_limit = j_used + budget;
    j_refused = 0;
    json_t *v = json_loadb(buf, len, JSON_DECODE_ANY, &err);
    int refused = j_refused;
    j_limit = 0;
    if (v) return v;
    if (refused || json_error_code(&err) == json_error_out_of_memory)
        snprintf(why, cap, "too complex: needs over %zu bytes of memory to parse", budget);
    else if (json_error_code(&err) == json_error_stack_overflow)
        snprintf(why, cap, "not JSON: nested deeper than %d", LIVE_JSON_DEPTH);
    else
        snprintf(why, cap, "not JSON: %s at byte %d", err.text, err.position);
    return NULL;
}

const char *live_json_type_name(const json_t *v)
{
    switch (v ? json_typeof(v) : JSON_NULL) {
    case JSON_OBJECT:  return "object";
    case JSON_ARRAY:   return "array";
    case JSON_STRING:  return "string";
    case JSON_INTEGER:
    case JSON_REAL:    return "number";
    case JSON_TRUE:
    case JSON_FALSE:   return "boolean";
    default:           return "null";
    }
}

const char *live_json_str(const json_t *o, const char *key)
{
    const json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int live_json_error_of(const json_t *root, live_json_error *e)
{
    memset(e, 0, sizeof *e);
    const json_t *err = json_is_object(root) ? json_object_get(root, "error") : NULL;
    if (!err) return 0;
    if (json_is_string(err)) { e->message = json_string_value(err); return 1; }
    e->type = live_json_str(err, "type");
    e->message = live_json_str(err, "message");
    const json_t *code = json_is_object(err) ? json_object_get(err, "code") : NULL;
    if (json_is_string(code)) e->code = json_string_value(code);
    else if (json_is_integer(code)) {
        snprintf(e->code_buf, sizeof e->code_buf, "%lld", (long long)json_integer_value(code));
        e->code = e->code_buf;
    }
    return 1;
}

int live_json_dump(const json_t *v, live_buf *b, size_t max)
{
    b->len = 0;
    b->bad = 0;
    size_t need = json_dumpb(v, NULL, 0, JSON_COMPACT);
    if (!need || need >= max) return -1;
    live_buf_add(b, "", 0, max);               /* allocates; keeps s NUL-terminated */
    if (b->bad) return -1;
    if (b->cap < need + 1) {
        char *ns = realloc(b->s, need + 1);
        if (!ns) { b->bad = 1; return -1; }
        b->s = ns;
        b->cap = need + 1;
    }
    if (json_dumpb(v, b->s, need, JSON_COMPACT) != need) { b->bad = 1; return -1; }
    b->len = need;
    b->s[need] = '\0';
    return 0;
}
