/* pol_hint.c — parsing of server hints (retry-after-ms, Retry-After,
 * x-should-retry) and the names of the hint modes. (Parser: work in progress.)
 */
#include "pol_hint.h"

static const char *const mode_names[POL_HINT__COUNT] = {
    "ignore", "honor", "ceiling-give-up", "ceiling-ignore", "max", "plus-jitter"
};

const char *pol_hint_mode_name(pol_hint_mode m)
{
    return pol_name_of(mode_names, POL_HINT__COUNT, (int)m);
}

int pol_hint_mode_parse(const char *name, pol_hint_mode *out)
{
    int i = pol_name_index(mode_names, POL_HINT__COUNT, name);
    if (i < 0) return i;
    if (out) *out = (pol_hint_mode)i;
    return POL_OK;
}

int pol_hint_parse_retry_after_ms(const char *value, pol_ns *delay_out)
{
    (void)value; (void)delay_out;
    return POL_EPARSE;
}

int pol_hint_parse_retry_after(const char *value, int64_t wall_now, pol_ns *delay_out)
{
    (void)value; (void)wall_now; (void)delay_out;
    return POL_EPARSE;
}

int pol_hint_parse_should_retry(const char *value, int *flag_out)
{
    (void)value; (void)flag_out;
    return POL_EPARSE;
}

int pol_hint_apply_header(pol_outcome *o, const char *name, const char *value, int64_t wall_now)
{
    (void)o; (void)name; (void)value; (void)wall_now;
    return POL_OK;
}
