/* pol_preset.c — named presets reproducing real clients' retry defaults.
 * (Initial set; more presets and verified sources follow.)
 */
#include "pol_preset.h"
#include <string.h>

typedef void (*preset_fill)(pol_retry_cfg *c);

static void fill_openai_python(pol_retry_cfg *c)
{
    c->max_attempts = 3;
    c->attempt_timeout = 600 * POL_NS_PER_S;
    c->backoff.kind = POL_BACKOFF_EXPONENTIAL;
    c->backoff.base = 500 * POL_NS_PER_MS;
    c->backoff.multiplier = 2.0;
    c->backoff.cap = 8 * POL_NS_PER_S;
    c->backoff.jitter = POL_JITTER_SUBTRACTIVE;
    c->backoff.jitter_factor = 0.25;
    c->hint.mode = POL_HINT_CEIL_IGNORE;
    c->hint.ceiling = 60 * POL_NS_PER_S;
    c->hint.ignore_zero = 1;
    c->honor_should_retry = 1;
}

static void fill_seed_full_jitter(pol_retry_cfg *c)
{
    c->max_attempts = 5;
    c->backoff.base = POL_NS_PER_S;
    c->backoff.cap = 60 * POL_NS_PER_S;
    c->backoff.jitter = POL_JITTER_FULL;
    c->hint.mode = POL_HINT_HONOR;
}

static const pol_preset_info infos[] = {
    { "openai-python", "3 attempts, 0.5s x2 cap 8s, jitter 1-0.25U, Retry-After honored if 0<h<=60s",
      "openai-python src/openai/_base_client.py, _constants.py" },
    { "seed-full-jitter", "5 attempts, full jitter base 1s cap 60s, Retry-After honored",
      "AWS Architecture Blog, Exponential Backoff And Jitter (2015)" },
};
static const preset_fill fills[] = { fill_openai_python, fill_seed_full_jitter };
#define N_PRESETS (sizeof infos / sizeof infos[0])
_Static_assert(sizeof fills / sizeof fills[0] == N_PRESETS, "one fill per preset");

int pol_preset_get(const char *name, pol_retry_cfg *out)
{
    if (!name) return POL_EINVAL;
    for (size_t i = 0; i < N_PRESETS; i++) {
        if (strcmp(infos[i].name, name) != 0) continue;
        if (out) {
            pol_retry_default(out);
            fills[i](out);
        }
        return POL_OK;
    }
    return POL_ENOTFOUND;
}

const pol_preset_info *pol_preset_list(size_t *n_out)
{
    if (n_out) *n_out = N_PRESETS;
    return infos;
}
