/* pol_version.h — the version of libretrypol: the one place it is written.
 *
 * The Makefile reads POL_VERSION_MAJOR/MINOR/PATCH from this file (VERSION,
 * the soname libretrypol.so.MAJOR, the installed file name
 * libretrypol.so.MAJOR.MINOR.PATCH and the Version of retrypol.pc all come
 * from here); a release edits these three lines and nothing else.
 * POL_VERSION_NUMBER is MAJOR * 1000000 + MINOR * 1000 + PATCH (0.1.0 ->
 * 1000, 1.2.3 -> 1002003), usable in #if; POL_VERSION_STRING is
 * "MAJOR.MINOR.PATCH". They describe the header a program was compiled
 * against; pol_version() and pol_version_number() (pol_common.h) describe the
 * library it runs with, so a program can check that the two agree:
 *     if (pol_version_number() != POL_VERSION_NUMBER) ... mismatch
 * What the numbers promise (ABI, soname): docs/policies.md, "ABI stability
 * and versioning". Macros only: nothing here is a symbol of the library.
 */
#ifndef POL_VERSION_H
#define POL_VERSION_H

#define POL_VERSION_MAJOR 0
#define POL_VERSION_MINOR 2
#define POL_VERSION_PATCH 0

#define POL_VERSION_NUMBER \
    (POL_VERSION_MAJOR * 1000000 + POL_VERSION_MINOR * 1000 + POL_VERSION_PATCH)
#define POL_VERSION_STR_(x) #x
#define POL_VERSION_XSTR_(x) POL_VERSION_STR_(x)
#define POL_VERSION_STRING                                                    \
    POL_VERSION_XSTR_(POL_VERSION_MAJOR) "." POL_VERSION_XSTR_(POL_VERSION_MINOR) \
    "." POL_VERSION_XSTR_(POL_VERSION_PATCH)

#ifdef __cplusplus
extern "C" {   /* empty (macros only); here so that a declaration added later has C linkage */
}
#endif

#endif
