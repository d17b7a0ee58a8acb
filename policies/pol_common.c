/* pol_common.c — error strings of libretrypol (the name<->enum helpers the
 * modules share are static inline in pol_internal.h).
 * Invariants: every POL_E* code has a message; unknown codes get a generic
 * one, never NULL.
 * Cost: pol_strerror O(1).
 */
#include "pol_common.h"

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
