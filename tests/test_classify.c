/* test_classify.c — CUnit tests of pol_classify: the default table for every
 * status 100..599 and every outcome kind, overrides, bad arguments, names.
 */
#include "cu_util.h"
#include "retrypol.h"
#include "pol_test_names.h"

static pol_class http(const pol_classify_cfg *c, int status)
{
    pol_outcome o = pol_outcome_make(POL_OUT_HTTP, status);
    return pol_classify(c, &o);
}

static pol_class kind(const pol_classify_cfg *c, pol_outcome_kind k)
{
    pol_outcome o = pol_outcome_make(k, 0);
    return pol_classify(c, &o);
}

/* The documented default, written independently of the implementation. */
static pol_class expected_default(int st)
{
    if (st >= 200 && st < 300) return POL_CLASS_SUCCESS;
    if (st == 408 || st == 409 || st == 429) return POL_CLASS_RETRY;
    if (st >= 500) return POL_CLASS_RETRY;
    return POL_CLASS_FAIL;
}

static void test_default_statuses(void)
{
    pol_classify_cfg c;
    pol_classify_default(&c);
    int wrong = 0;
    for (int st = POL_STATUS_MIN; st <= POL_STATUS_MAX; st++) wrong += http(&c, st) != expected_default(st);
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT_EQUAL(http(&c, 529), POL_CLASS_RETRY);
    CU_ASSERT_EQUAL(http(&c, 400), POL_CLASS_FAIL);
    CU_ASSERT_EQUAL(http(&c, 404), POL_CLASS_FAIL);
    CU_ASSERT_EQUAL(http(&c, 301), POL_CLASS_FAIL);
    /* statuses outside 100..599 are not understood: FAIL */
    CU_ASSERT_EQUAL(http(&c, 0), POL_CLASS_FAIL);
    CU_ASSERT_EQUAL(http(&c, 99), POL_CLASS_FAIL);
    CU_ASSERT_EQUAL(http(&c, 600), POL_CLASS_FAIL);
    CU_ASSERT_EQUAL(http(&c, -1), POL_CLASS_FAIL);
}

static void test_default_kinds(void)
{
    pol_classify_cfg c;
    pol_classify_default(&c);
    CU_ASSERT_EQUAL(kind(&c, POL_OUT_SUCCESS), POL_CLASS_SUCCESS);
    CU_ASSERT_EQUAL(kind(&c, POL_OUT_TIMEOUT), POL_CLASS_RETRY);
    CU_ASSERT_EQUAL(kind(&c, POL_OUT_CONN_REFUSED), POL_CLASS_RETRY);
    CU_ASSERT_EQUAL(kind(&c, POL_OUT_CONN_RESET), POL_CLASS_RETRY);
    CU_ASSERT_EQUAL(kind(&c, POL_OUT_CONTEXT_WINDOW), POL_CLASS_FALLBACK);
    CU_ASSERT_EQUAL(kind(&c, POL_OUT_CONTENT_POLICY), POL_CLASS_FALLBACK);
    CU_ASSERT_EQUAL(kind(&c, POL_OUT_STREAM_CUT), POL_CLASS_RETRY);      /* a wrapper restarts the stream */
    CU_ASSERT_EQUAL(kind(&c, POL_OUT_STREAM_ERROR), POL_CLASS_RETRY);
    CU_ASSERT_EQUAL(kind(&c, POL_OUT_STREAM_TIMEOUT), POL_CLASS_RETRY);
    CU_ASSERT_EQUAL(kind(&c, POL_OUT__COUNT), POL_CLASS_FAIL);
    CU_ASSERT_EQUAL(kind(&c, (pol_outcome_kind)-3), POL_CLASS_FAIL);
    /* success is success whatever status the caller left in it */
    pol_outcome o = pol_outcome_make(POL_OUT_SUCCESS, 0);
    CU_ASSERT_EQUAL(pol_classify(&c, &o), POL_CLASS_SUCCESS);
    CU_ASSERT_EQUAL(pol_classify(NULL, &o), POL_CLASS_FAIL);
    CU_ASSERT_EQUAL(pol_classify(&c, NULL), POL_CLASS_FAIL);
}

static void test_overrides(void)
{
    pol_classify_cfg c;
    pol_classify_default(&c);
    CU_ASSERT_EQUAL(pol_classify_set_status(&c, 429, POL_CLASS_FALLBACK), POL_OK);
    CU_ASSERT_EQUAL(http(&c, 429), POL_CLASS_FALLBACK);
    CU_ASSERT_EQUAL(pol_classify_set_status(&c, 501, POL_CLASS_FAIL), POL_OK);
    CU_ASSERT_EQUAL(http(&c, 501), POL_CLASS_FAIL);
    CU_ASSERT_EQUAL(http(&c, 500), POL_CLASS_RETRY);
    CU_ASSERT_EQUAL(pol_classify_set_status(&c, 100, POL_CLASS_RETRY), POL_OK);
    CU_ASSERT_EQUAL(pol_classify_set_status(&c, 599, POL_CLASS_FAIL), POL_OK);
    CU_ASSERT_EQUAL(http(&c, 599), POL_CLASS_FAIL);
    CU_ASSERT_EQUAL(pol_classify_set_status(&c, 99, POL_CLASS_RETRY), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_classify_set_status(&c, 600, POL_CLASS_RETRY), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_classify_set_status(&c, 500, (pol_class)9), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_classify_set_status(NULL, 500, POL_CLASS_FAIL), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_classify_set_kind(&c, POL_OUT_TIMEOUT, POL_CLASS_FAIL), POL_OK);
    CU_ASSERT_EQUAL(kind(&c, POL_OUT_TIMEOUT), POL_CLASS_FAIL);
    CU_ASSERT_EQUAL(pol_classify_set_kind(&c, POL_OUT_CONTEXT_WINDOW, POL_CLASS_RETRY), POL_OK);
    CU_ASSERT_EQUAL(kind(&c, POL_OUT_CONTEXT_WINDOW), POL_CLASS_RETRY);
    /* SUCCESS and HTTP entries are not settable: they are decided elsewhere */
    CU_ASSERT_EQUAL(pol_classify_set_kind(&c, POL_OUT_SUCCESS, POL_CLASS_FAIL), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_classify_set_kind(&c, POL_OUT_HTTP, POL_CLASS_FAIL), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_classify_set_kind(&c, POL_OUT__COUNT, POL_CLASS_FAIL), POL_EINVAL);
    CU_ASSERT_EQUAL(pol_classify_set_kind(&c, POL_OUT_TIMEOUT, (pol_class)-1), POL_EINVAL);
    /* plain data: a copy is independent */
    pol_classify_cfg d = c;
    pol_classify_set_status(&d, 429, POL_CLASS_RETRY);
    CU_ASSERT_EQUAL(http(&c, 429), POL_CLASS_FALLBACK);
    CU_ASSERT_EQUAL(http(&d, 429), POL_CLASS_RETRY);
    CU_ASSERT(sizeof c < 600);
}

static void test_names(void)
{
    static const char *const cls[] = { "success", "retry", "fallback", "fail" };
    static const char *const kinds[] = { "success", "http", "timeout", "refused", "reset",
                                         "context-window", "content-policy", "stream-cut", "stream-error",
                                         "stream-timeout" };
    _Static_assert(sizeof kinds / sizeof kinds[0] == POL_OUT__COUNT, "a name per kind");
    CHECK_NAME_TABLE(pol_class, pol_class_name, pol_class_parse, cls, 4);
    pol_class got;
    CU_ASSERT_EQUAL(pol_class_parse("Retry", &got), POL_OK);     /* case-insensitive */
    CU_ASSERT_EQUAL(got, POL_CLASS_RETRY);
    for (int k = 0; k < POL_OUT__COUNT; k++)
        CU_ASSERT_STRING_EQUAL(pol_outcome_kind_name((pol_outcome_kind)k), kinds[k]);
    CU_ASSERT_STRING_EQUAL(pol_outcome_kind_name(POL_OUT__COUNT), "?");
}

static void register_suites(void)
{
    CU_SUITE("classify",
             { "default statuses 100..599", test_default_statuses },
             { "default outcome kinds", test_default_kinds },
             { "overrides and bad arguments", test_overrides },
             { "names", test_names });
}

CU_TEST_MAIN(register_suites)
