/* client.c — a production-style request loop on top of libretrypol.
 *
 * Build against an installed library:
 *   cc client.c $(pkg-config --cflags --libs retrypol) -o client
 *
 * A real client would send HTTP requests and pass CLOCK_MONOTONIC as `now`
 * and CLOCK_REALTIME as the wall clock for HTTP-date hints. To make the
 * output checkable, this example replays scripted responses on a virtual
 * clock and seeds its generator: the same binary prints the same lines.
 * It first checks that the libretrypol it runs with is the one whose headers
 * it was compiled against (docs/policies.md, "ABI stability and versioning").
 * Cost: nothing allocated per request; one gsl_rng per client.
 */
#include <retrypol.h>
#include <stdio.h>

typedef struct {
    pol_outcome_kind kind;
    int status;
    const char *header, *value;   /* one response header, or NULL */
    double latency_s;
} scripted_response;

/* The "network": each request meets its script one response per attempt. */
static pol_outcome receive(const scripted_response *r, int64_t wall_now)
{
    pol_outcome o = pol_outcome_make(r->kind, r->status);
    if (r->header && pol_hint_apply_header(&o, r->header, r->value, wall_now) != POL_OK)
        fprintf(stderr, "ignoring malformed %s: %s\n", r->header, r->value);
    return o;
}

static const char *describe(const pol_outcome *o, char *buf, size_t n)
{
    if (o->kind == POL_OUT_HTTP || o->kind == POL_OUT_SUCCESS)
        snprintf(buf, n, "http %d", o->status);
    else
        snprintf(buf, n, "%s", pol_outcome_kind_name(o->kind));
    return buf;
}

/* Runs one logical request; returns the final action. */
static pol_action run_request(const char *title, const pol_retry_cfg *cfg,
                              const scripted_response *script, int n, gsl_rng *rng,
                              pol_ns *clock)
{
    const int64_t wall = 1700000000LL * POL_NS_PER_S;   /* wall clock at the start */
    pol_retry_state st;
    pol_verdict v = { POL_ACT_GIVE_UP, POL_REASON_NONE, 0, POL_CLASS_FAIL };
    char what[32];
    printf("%s\n", title);
    pol_retry_begin(&st, *clock);
    for (int i = 0; i < n; i++) {
        *clock += (pol_ns)(script[i].latency_s * POL_NS_PER_S);
        pol_outcome o = receive(&script[i], wall + (*clock - st.start));
        if (pol_retry_next(cfg, &st, &o, *clock, rng, &v) != POL_OK) return POL_ACT_GIVE_UP;
        printf("  attempt %d: %s -> %s", st.attempts, describe(&o, what, sizeof what),
               pol_action_name(v.action));
        if (v.action == POL_ACT_RETRY) printf(" after %.3f s", (double)v.delay / POL_NS_PER_S);
        if (v.reason != POL_REASON_NONE) printf(" (%s)", pol_reason_name(v.reason));
        printf("\n");
        if (v.action != POL_ACT_RETRY) break;
        *clock += v.delay;                                  /* sleep */
    }
    return v.action;
}

int main(void)
{
    /* the header says POL_VERSION_*, the shared library pol_version*(): in 0.x
     * a minor release may change the ABI under the same soname, so insist on
     * the exact version (from 1.0 on, the same major and a minor at least the
     * header's would do) */
    if (pol_version_number() != POL_VERSION_NUMBER) {
        fprintf(stderr, "libretrypol %s, but this program was built against %s\n",
                pol_version(), POL_VERSION_STRING);
        return 1;
    }
    printf("libretrypol %s\n", pol_version());
    pol_retry_cfg cfg;
    if (pol_preset_get("openai-python", &cfg) != POL_OK || pol_retry_validate(&cfg) != POL_OK) {
        fprintf(stderr, "no openai-python preset\n");
        return 1;
    }
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    if (!rng) return 1;
    gsl_rng_set(rng, 42);
    pol_ns clock = 0;

    static const scripted_response rate_limited[] = {
        { POL_OUT_HTTP, 429, "retry-after", "2", 0.2 },
        { POL_OUT_HTTP, 503, NULL, NULL, 0.1 },
        { POL_OUT_SUCCESS, 200, NULL, NULL, 0.8 },
    };
    static const scripted_response exhausted[] = {
        { POL_OUT_TIMEOUT, 0, NULL, NULL, 600.0 },
        { POL_OUT_CONN_RESET, 0, NULL, NULL, 0.05 },
        { POL_OUT_HTTP, 500, "retry-after-ms", "1500", 0.3 },
    };
    static const scripted_response refused[] = {
        { POL_OUT_HTTP, 429, "x-should-retry", "false", 0.1 },
    };
    static const scripted_response bad_request[] = {
        { POL_OUT_HTTP, 400, NULL, NULL, 0.1 },
    };
    int ok = run_request("request 1: rate limited, then served", &cfg, rate_limited, 3, rng,
                         &clock) == POL_ACT_DONE;
    ok &= run_request("request 2: every attempt fails", &cfg, exhausted, 3, rng, &clock) ==
          POL_ACT_GIVE_UP;
    ok &= run_request("request 3: server says do not retry", &cfg, refused, 1, rng, &clock) ==
          POL_ACT_GIVE_UP;
    ok &= run_request("request 4: bad request", &cfg, bad_request, 1, rng, &clock) ==
          POL_ACT_GIVE_UP;
    printf("virtual time used: %.3f s\n", (double)clock / POL_NS_PER_S);
    gsl_rng_free(rng);
    return ok ? 0 : 1;
}
