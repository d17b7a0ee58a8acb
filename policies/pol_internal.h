/* pol_internal.h — internal to libretrypol: what its .c files share and no
 * caller may use. Not installed (layers.mk PUBLIC_policies lists the
 * installed headers), declared without POL_API, so hidden in libretrypol.so;
 * in libretrypol.a these are ordinary global symbols under the library's
 * pol_ prefix. Anything here may change or go in any release.
 */
#ifndef POL_INTERNAL_H
#define POL_INTERNAL_H
#include "pol_common.h"

/* Name tables (used by every *_name / *_parse pair of the library).
 * pol_name_index: index of `name` in names[0..n) (case-insensitive), or
 * POL_EINVAL (NULL argument) / POL_ENOTFOUND. pol_name_of: names[value], or
 * "?" when value is out of range; never NULL. */
int         pol_name_index(const char *const *names, int n, const char *name);
const char *pol_name_of(const char *const *names, int n, int value);
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
