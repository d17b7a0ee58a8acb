/* pol_version.c — the library's own version, compiled in from pol_version.h
 * (the one place it is written): what pol_version() and pol_version_number()
 * answer is the header this libretrypol was built from.
 * Cost: O(1); constant strings, nothing allocated.
 */
#include "pol_common.h"

const char *pol_version(void)       { return POL_VERSION_STRING; }
int         pol_version_number(void) { return POL_VERSION_NUMBER; }
