/* cu_util.h — shared scaffolding for the CUnit test programs.
 * Each tests/test_<module>.c defines `static void register_suites(void)` that
 * adds its suites with CU_add_suite/CU_add_test, then ends with
 * CU_TEST_MAIN(register_suites). The program prints CUnit's summary and exits
 * with the number of failed assertions + failed suites (0 = all passed).
 * Paths: tests run from the repository root; RETRYSIM_BIN names the binary. */
#ifndef CU_UTIL_H
#define CU_UTIL_H
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>

#define CU_TEST_MAIN(register_fn)                                               \
    int main(void)                                                              \
    {                                                                           \
        if (CU_initialize_registry() != CUE_SUCCESS) return 1;                  \
        register_fn();                                                          \
        if (CU_get_error() != CUE_SUCCESS) {                                    \
            fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());                 \
            CU_cleanup_registry();                                              \
            return 1;                                                           \
        }                                                                       \
        CU_basic_set_mode(CU_BRM_NORMAL);                                       \
        CU_basic_run_tests();                                                   \
        int fails = (int)(CU_get_number_of_failures() +                        \
                          CU_get_number_of_suites_failed());                    \
        CU_cleanup_registry();                                                  \
        return fails > 255 ? 255 : fails;                                       \
    }

/* Adds a suite with the given tests: CU_SUITE("name", {"t1", fn1}, {"t2", fn2}) */
typedef struct { const char *name; CU_TestFunc fn; } cu_case;
static inline void cu_add_suite(const char *name, const cu_case *cases, size_t n)
{
    CU_pSuite s = CU_add_suite(name, NULL, NULL);
    if (!s) return;
    for (size_t i = 0; i < n; i++) CU_add_test(s, cases[i].name, cases[i].fn);
}
#define CU_SUITE(name, ...)                                                     \
    do {                                                                        \
        static const cu_case cases_[] = { __VA_ARGS__ };                        \
        cu_add_suite(name, cases_, sizeof cases_ / sizeof cases_[0]);           \
    } while (0)

#endif
