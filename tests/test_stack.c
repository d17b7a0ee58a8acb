/* test_stack.c — CUnit tests of the policy stack presets (pol_stack): every
 * preset validates, reuses its retry preset unchanged, enables exactly the
 * parts it documents with their sourced constants; unknown names; and a
 * short end-to-end drive of the aws-standard stack (retry + quota) through
 * an outage, where the quota stops retries after 100 of them.
 */
#include "cu_util.h"
#include "retrypol.h"
#include <string.h>

#define S(x) ((pol_ns)(x) * POL_NS_PER_S)

static void test_list_and_validate(void)
{
    size_t n;
    const pol_preset_info *p = pol_stack_list(&n);
    CU_ASSERT_EQUAL(n, 5);
    for (size_t i = 0; i < n; i++) {
        pol_stack_cfg c;
        CU_ASSERT_EQUAL(pol_stack_preset(p[i].name, &c), POL_OK);
        CU_ASSERT_EQUAL(pol_stack_validate(&c), POL_OK);
        CU_ASSERT(strlen(p[i].summary) > 10 && strlen(p[i].source) > 10);
        pol_retry_cfg r;
        const char *rn = strncmp(p[i].name, "aws-", 4) == 0 ? "aws-standard" : p[i].name;
        CU_ASSERT_EQUAL(pol_preset_get(rn, &r), POL_OK);
        CU_ASSERT(memcmp(&r, &c.retry, sizeof r) == 0);
    }
    pol_stack_cfg c;
    CU_ASSERT_EQUAL(pol_stack_preset("hystrix", &c), POL_ENOTFOUND);
    CU_ASSERT_EQUAL(pol_stack_preset(NULL, &c), POL_EINVAL);
    pol_stack_default(&c);
    CU_ASSERT_EQUAL(pol_stack_validate(&c), POL_OK);
    c.use_breaker = c.use_budget = c.use_throttle = c.use_bucket = c.use_hedge = 1;
    c.use_bulkhead = c.use_cooldown = c.use_lb = c.use_quota = 1;
    CU_ASSERT_EQUAL(pol_stack_validate(&c), POL_OK);     /* every default is valid */
    c.bulkhead.max_concurrent = 0;
    CU_ASSERT_EQUAL(pol_stack_validate(&c), POL_EINVAL);
}

static void test_contents(void)
{
    pol_stack_cfg c;
    pol_stack_preset("aws-standard", &c);
    CU_ASSERT(c.use_budget && !c.use_throttle && !c.use_breaker && !c.use_cooldown);
    CU_ASSERT_EQUAL(c.budget.kind, POL_BUDGET_AWS);
    CU_ASSERT_EQUAL(c.budget.aws_capacity, 500);
    pol_stack_preset("aws-adaptive", &c);
    CU_ASSERT(c.use_budget && c.use_throttle);
    CU_ASSERT_EQUAL(c.throttle.kind, POL_THROTTLE_AWS_ADAPTIVE);
    pol_stack_preset("grpc", &c);
    CU_ASSERT(c.use_budget && !c.use_throttle);
    CU_ASSERT_EQUAL(c.budget.kind, POL_BUDGET_GRPC);
    CU_ASSERT_DOUBLE_EQUAL(c.budget.max_tokens, 10, 0);
    CU_ASSERT_DOUBLE_EQUAL(c.budget.token_ratio, 0.1, 0);
    pol_stack_preset("LiteLLM-Router", &c);
    CU_ASSERT(c.use_cooldown && c.use_lb && !c.use_budget);
    CU_ASSERT_EQUAL(c.cooldown.kind, POL_COOLDOWN_LITELLM);
    CU_ASSERT_EQUAL(c.cooldown.cooldown_time, S(5));
    CU_ASSERT_EQUAL(c.lb.kind, POL_LB_WEIGHTED_RANDOM);
    pol_stack_preset("envoy", &c);
    CU_ASSERT(c.use_budget && c.use_cooldown && c.use_lb);
    CU_ASSERT_EQUAL(c.budget.kind, POL_BUDGET_ENVOY);
    CU_ASSERT_EQUAL(c.cooldown.kind, POL_COOLDOWN_ENVOY);
    CU_ASSERT_EQUAL(c.lb.kind, POL_LB_ROUND_ROBIN);
}

/* aws-standard through a total outage: every request fails with 503; the
 * retry state machine wants retries, the quota grants exactly 100 (500 / 5). */
static void test_aws_outage(void)
{
    pol_stack_cfg c;
    pol_stack_preset("aws-standard", &c);
    pol_budget b;
    CU_ASSERT_EQUAL_FATAL(pol_budget_init(&b, &c.budget), POL_OK);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 1);
    long granted = 0, denied = 0;
    pol_outcome o = pol_outcome_make(POL_OUT_HTTP, 503);
    for (int q = 0; q < 200; q++) {
        pol_retry_state s;
        pol_budget_req rq;
        pol_verdict v;
        pol_retry_begin(&s, S(q));
        pol_budget_on_request(&b, S(q), &rq);
        for (;;) {
            pol_retry_next(&c.retry, &s, &o, S(q), r, &v);
            pol_budget_on_result(&b, S(q), &rq, 0);
            if (v.action != POL_ACT_RETRY) break;
            if (pol_budget_can_retry(&b, S(q), &rq, 0) != 1) { denied++; break; }
            granted++;
        }
    }
    CU_ASSERT_EQUAL(granted, 100);
    CU_ASSERT_EQUAL(denied, 200 - 50);                  /* 2 retries each for the first 50 */
    pol_budget_free(&b);
    gsl_rng_free(r);
}

static void register_suites(void)
{
    CU_SUITE("stack",
             {"list and validate", test_list_and_validate},
             {"preset contents", test_contents},
             {"aws-standard quota in an outage", test_aws_outage});
}

CU_TEST_MAIN(register_suites)
