/* pol_internal.h — internal to libretrypol: what its .c files share and no
 * caller may use. Not installed (layers.mk PUBLIC_policies lists the
 * installed headers). Its helpers are static inline, so they are symbols of
 * neither libretrypol.so nor libretrypol.a: both define exactly the API.
 * Anything here may change or go in any release.
 * Cost: pol_name_index O(n) string compares (n < 16), pol_name_of and pol_pow2 O(1).
 */
#ifndef POL_INTERNAL_H
#define POL_INTERNAL_H
#include "pol_common.h"
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

/* Name tables (used by every *_name / *_parse pair of the library).
 * pol_name_index: index of `name` in names[0..n) (case-insensitive), or
 * POL_EINVAL (NULL argument) / POL_ENOTFOUND. pol_name_of: names[value], or
 * "?" when value is out of range; never NULL. */
static inline int pol_name_index(const char *const *names, int n, const char *name)
{
    if (!names || !name) return POL_EINVAL;
    for (int i = 0; i < n; i++)
        if (names[i] && strcasecmp(names[i], name) == 0) return i;
    return POL_ENOTFOUND;
}

static inline const char *pol_name_of(const char *const *names, int n, int value)
{
    if (!names || value < 0 || value >= n || !names[value]) return "?";
    return names[value];
}

/* 2^k, exactly ldexp(1.0, k): for a normal result the double whose exponent
 * field is 1023 + k, built from its bits (ldexp costs about 48 instructions
 * a call); below or above that range ldexp itself (subnormal, 0, inf). */
static inline double pol_pow2(int k)
{
    if (k < -1022 || k > 1023) return ldexp(1.0, k);
    uint64_t bits = (uint64_t)(k + 1023) << 52;
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

/* Defines `const char *NAME_FN(TYPE)` and `int PARSE_FN(const char *, TYPE *out)`
 * over the table NAMES[N]; both must be declared POL_API in a public header
 * (the definitions take their visibility from that declaration). */
#define POL_NAME_FUNCS(TYPE, NAME_FN, PARSE_FN, NAMES, N)                      \
    const char *NAME_FN(TYPE v) { return pol_name_of(NAMES, (N), (int)v); }  \
    int PARSE_FN(const char *name, TYPE *out)                                 \
    {                                                                         \
        int i_ = pol_name_index(NAMES, (N), name);                            \
        if (i_ >= 0 && out) *out = (TYPE)i_;                                  \
        return i_ < 0 ? i_ : POL_OK;                                          \
    }

#endif
