/* pol_common.c — error strings and the name<->enum helper shared by the
 * modules of libretrypol.
 * Invariants: every POL_E* code has a message; unknown codes get a generic
 * one, never NULL. Name tables are static const arrays indexed by enum value.
 * Cost: pol_strerror O(1); pol_name_index O(n) string compares, n < 16.
 */
#include "pol_common.h"
#include "pol_internal.h"
#include <string.h>
#include <strings.h>

const char *pol_strerror(int err)
{
    switch (err) {
    case POL_OK:        return "ok";
    case POL_EINVAL:    return "invalid argument";
    case POL_EPARSE:    return "does not parse";
    case POL_ERANGE:    return "value out of range";
    case POL_ENOTFOUND: return "no such name";
    case POL_ENOMEM:    return "out of memory";
    default:            return "unknown error";
    }
}

int pol_name_index(const char *const *names, int n, const char *name)
{
    if (!names || !name) return POL_EINVAL;
    for (int i = 0; i < n; i++)
        if (names[i] && strcasecmp(names[i], name) == 0) return i;
    return POL_ENOTFOUND;
}

const char *pol_name_of(const char *const *names, int n, int value)
{
    if (!names || value < 0 || value >= n || !names[value]) return "?";
    return names[value];
}
