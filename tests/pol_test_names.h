/* pol_test_names.h — one check for every name/parse pair of libretrypol:
 * each expected name round-trips to its enum value, an unknown name is
 * POL_ENOTFOUND, NULL is POL_EINVAL, a value past the table is named "?". */
#ifndef POL_TEST_NAMES_H
#define POL_TEST_NAMES_H
#include <CUnit/CUnit.h>
#include "pol_common.h"

#define CHECK_NAME_TABLE(TYPE, NAME_FN, PARSE_FN, WANT, N)                      \
    do {                                                                        \
        TYPE got_;                                                              \
        for (int i_ = 0; i_ < (N); i_++) {                                      \
            CU_ASSERT_STRING_EQUAL(NAME_FN((TYPE)i_), (WANT)[i_]);              \
            CU_ASSERT_EQUAL(PARSE_FN((WANT)[i_], &got_), POL_OK);               \
            CU_ASSERT_EQUAL(got_, i_);                                          \
        }                                                                       \
        CU_ASSERT_EQUAL(PARSE_FN("no-such-name", &got_), POL_ENOTFOUND);        \
        CU_ASSERT_EQUAL(PARSE_FN(NULL, &got_), POL_EINVAL);                     \
        CU_ASSERT_STRING_EQUAL(NAME_FN((TYPE)(N)), "?");                        \
    } while (0)

#endif
