/* fuzz_mock_request.c — libFuzzer target: the mock's request-body parser
 * (live_mock_parse_request, live/mock.h) on arbitrary bytes, in the
 * OpenAI format for inputs of even length and Anthropic's for odd ones. Checks: no crash or leak; an accepted body has a NUL-terminated
 * non-empty model and sane counts; a refused one has a message; jansson
 * holds no memory afterwards. Seeds: tests/fuzz/corpus/mock_request/. */
#include "live_json.h"
#include "mock.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    {
        int anthropic = (int)(size & 1);
        live_mock_request rq;
        int rc = live_mock_parse_request((const char *)data, size, anthropic, &rq);
        if (rc == 0) {
            if (!rq.model[0] || strlen(rq.model) >= sizeof rq.model || rq.error[0]) abort();
            if (rq.chars < 0 || (size_t)rq.chars > size * 2 + 16) abort();
            if (rq.max_tokens != -1 && (rq.max_tokens < 1 || rq.max_tokens > 100000000)) abort();
            if (anthropic && rq.max_tokens == -1) abort();
        } else if (rc != -1 || !rq.error[0]) {
            abort();
        }
    }
    if (live_json_mem_in_use() != 0) abort();
    return 0;
}
