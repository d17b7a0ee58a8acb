/* fuzz_live_response.c — libFuzzer target: live's classification of an
 * HTTP answer (live_outcome_of, live/live.h) on an arbitrary body. The
 * first two bytes choose the status (a table of real and odd ones) and
 * the transfer result; the rest is the body. Checks: no crash or leak; a
 * success has no error text and every other outcome has one; the kind
 * is consistent with the status; jansson holds no memory afterwards.
 * Seeds: tests/fuzz/corpus/live_response/. */
#include "live.h"
#include "live_json.h"
#include <curl/curl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const long STATUS[] = { 200, 201, 204, 400, 401, 403, 404, 408, 413, 429, 500, 502, 503, 529,
                               0, 99, 100, 302, 600, 999, -1, 2147483647L };
static const int CODES[] = { CURLE_OK, CURLE_OK, CURLE_OK, CURLE_OK, CURLE_OPERATION_TIMEDOUT, CURLE_COULDNT_CONNECT,
                             CURLE_PARTIAL_FILE, CURLE_RECV_ERROR };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    long status = STATUS[data[0] % (sizeof STATUS / sizeof STATUS[0])];
    int code = CODES[data[1] % (sizeof CODES / sizeof CODES[0])];
    int too_large = (data[1] & 0x80) != 0;
    /* a copy of exactly the body bytes, so that any read past them is caught */
    size_t n = size - 2;
    char *body = n ? malloc(n) : NULL;
    if (n) memcpy(body, data + 2, n);
    live_reply r = { code, (data[1] & 0x40) ? "transfer closed with 7 bytes remaining to read" : NULL, status, body, n,
                     too_large };
    double p, c;
    char why[320];
    memset(why, 'x', sizeof why);
    pol_outcome o = live_outcome_of(&r, &p, &c, why, sizeof why);
    if (!memchr(why, '\0', sizeof why)) abort();
    for (const char *s = why; *s; s++)
        if ((unsigned char)*s < 0x20) abort();                         /* one CSV field, one line */
    if (o.kind == POL_OUT_SUCCESS) {
        if (why[0] || status < 200 || status > 299 || too_large || code != CURLE_OK) abort();
    } else if (!why[0]) {
        abort();
    }
    if (o.kind == POL_OUT_HTTP && (o.status < 100 || o.status > 599)) abort();
    if ((p != -1 && p < 0) || (c != -1 && c < 0)) abort();
    free(body);
    if (live_json_mem_in_use() != 0) abort();
    return 0;
}
