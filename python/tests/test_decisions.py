"""Request.next against the C state machine: a C program (compiled against the
library under test) runs outcome sequences through pol_hint_apply_header_as +
pol_layers_next with the same seed, and prints every verdict; the Python
wrapper must print the same lines. Plus the documented semantics of
docs/policies.md §5 on a few known cases."""
import subprocess
import tempfile
import unittest

import _env
import retrypol

# (policy spec, [(kind, status, {headers}, now_s)])
CASES = [
    ("openai-python", [("http", 429, {"retry-after": "2"}, 0.0), ("http", 503, {}, 2.5), ("http", 503, {}, 4.0)]),
    ("openai-python", [("http", 429, {"retry-after-ms": "1500", "retry-after": "9"}, 0.0), ("success", 200, {}, 2)]),
    ("openai-python", [("http", 500, {"x-should-retry": "false"}, 0.0)]),
    ("openai-python", [("http", 400, {"x-should-retry": "true"}, 0.0), ("http", 400, {}, 1.0)]),
    ("openai-python-next", [("http", 429, {"retry-after": "300"}, 0.0)]),
    ("openai-node", [("http", 429, {"retry-after": "soon"}, 0.0), ("http", 429, {"retry-after": "1e3"}, 1.0)]),
    ("anthropic-node", [("http", 429, {"retry-after": "0"}, 0.0), ("timeout", 0, {}, 1.0)]),
    ("exponential:base=1s,cap=60s,jitter=decorrelated,attempts=6;on=429:base=2s,attempts=4;count=per-kind",
     [("http", 429, {}, 0), ("http", 503, {}, 3), ("http", 429, {}, 6), ("http", 503, {}, 9), ("http", 429, {}, 12),
      ("refused", 0, {}, 20)]),
    ("portkey", [("reset", 0, {}, 0), ("http", 504, {}, 1), ("http", 408, {}, 4)]),
    ("seed-full-jitter", [("http", 503, {"retry-after": "Sun, 06 Nov 1994 08:49:37 GMT"}, 0)]),
    ("aws-standard", [("http", 429, {"Retry-After": "5"}, 0), ("context-window", 400, {}, 1)]),
]
KINDS = retrypol._lib.OUTCOME_KINDS
WALL = 784111777 * 10**9   # Sun, 06 Nov 1994 08:49:37 GMT


def c_driver():
    body = []
    for i, (spec, steps) in enumerate(CASES):
        body.append("    {")
        body.append(f'        pol_retry_cfg c; char err[256];')
        body.append(f'        if (pol_retry_spec_parse("{spec}", &c, err, sizeof err)) {{ puts(err); return 1; }}')
        body.append("        pol_layers_cfg lc = { 1, { &c } }; pol_retry_state s[1]; pol_verdict v; int who;")
        body.append("        gsl_rng_set(r, 11); pol_layers_begin(&lc, s, 0);")
        for kind, status, headers, now in steps:
            body.append(f"        {{ pol_outcome o = pol_outcome_make({KINDS.index(kind)}, {status});")
            for k, val in headers.items():
                body.append(f'          pol_hint_apply_header_as(&o, "{k}", "{val}", {WALL}LL, &c.hint);')
            body.append(f"          pol_layers_next(&lc, s, 0, &o, {int(now * 10**9)}LL, r, &v, &who);")
            body.append(f'          printf("{i} %s %s %lld %s %d\\n", pol_action_name(v.action), pol_reason_name(v.reason), '
                        f'(long long)v.delay, pol_class_name(v.cls), who); }}')
        body.append("    }")
    return ("#include <stdio.h>\n#include \"retrypol.h\"\nint main(void) {\n"
            "    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);\n" + "\n".join(body) + "\n    gsl_rng_free(r);\n    return 0;\n}\n")


def python_lines():
    out = []
    for i, (spec, steps) in enumerate(CASES):
        p = retrypol.Policy(spec)
        req = p.request(now=0, rng=retrypol.Rng(11))
        for kind, status, headers, now in steps:
            d = req.next(kind, status=status, headers=headers, now=now, wall_now=WALL / 1e9)
            out.append(f"{i} {d.action} {d.reason} {d.delay_ns} {d.cls} {d.layer}")
    return out


class TestDecisions(unittest.TestCase):
    def test_same_verdicts_as_c(self):
        with tempfile.TemporaryDirectory() as tmp:
            exe = _env.compile_c(c_driver(), tmp, "driver")
            want = subprocess.run([exe], capture_output=True, text=True, check=True).stdout.splitlines()
        got = python_lines()
        self.assertEqual(got, want)
        self.assertGreater(len(want), 20)
        print(f"\ndecisions: {len(want)} verdicts of {len(CASES)} requests equal to the C state machine's")

    def test_documented_semantics(self):
        p = retrypol.Policy("openai-python")
        r = p.request(now=0, rng=retrypol.Rng(1))
        d = r.next(status=429, headers={"retry-after": "2"}, now=0)
        self.assertTrue(d.retry)
        self.assertEqual(d.delay, 2.0)                  # 0 < h <= 60 s: honored
        d = r.next(status=429, headers={"retry-after": "61"}, now=2)
        self.assertTrue(d.retry)
        self.assertLess(d.delay, 1.01)                  # above 60 s: the backoff, 1 s * (1 - 0.25 U)
        d = r.next(status=429, now=3)
        self.assertEqual((d.action, d.reason), ("give-up", "max-attempts"))
        self.assertEqual(r.attempts, 3)
        # x-should-retry: false wins over a retryable 503
        d = p.request(now=0).next(status=503, headers={"x-should-retry": "false"}, now=0)
        self.assertEqual((d.action, d.reason), ("give-up", "server-said-no"))
        # a success is done; a 400 is not retryable; context-window falls back
        self.assertTrue(p.request(now=0).next(status=200, now=0).done)
        self.assertEqual(p.request(now=0).next(status=400, now=0).reason, "not-retryable")
        self.assertTrue(p.request(now=0).next("context-window", now=0).fallback)
        # the deadline: a sleep that would cross it is never started
        q = retrypol.Policy.from_dict({"max_attempts": 10, "base": "1s", "jitter": "none", "deadline": "3500ms"})
        r = q.request(now=0)
        self.assertEqual(r.next(status=503, now=0).delay, 1.0)
        self.assertEqual(r.next(status=503, now=1).delay, 2.0)      # 1 + 2 < 3.5
        d = r.next(status=503, now=3)                               # 3 + 4 >= 3.5: not started
        self.assertEqual(d.reason, "deadline")

    def test_nested_layers(self):
        # scenarios/nested-retries.yaml's wrapper: 5 outer x 3 inner attempts on a permanent 503
        p = retrypol.Policy.from_dict({"name": "w", "retry": {"max_attempts": 5, "others": "retry"},
                                       "inner": {"preset": "openai-python"}})
        r = p.request(now=0, rng=retrypol.Rng(2))
        n = 1
        while r.next(status=503, now=n).retry:
            n += 1
        self.assertEqual(n, 15)
        exp, layer = p.request(now=0).expiry(sent=0)
        self.assertEqual((exp, layer), (600.0, 1))     # the SDK's 600 s attempt timeout

    def test_outcome_and_hints(self):
        o = retrypol.Outcome(status=429, headers=[("Retry-After", "7"), ("retry-after-ms", "1500")])
        self.assertEqual((o.kind, o.status, o.retry_after), ("http", 429, 1.5))
        self.assertIsNone(retrypol.Outcome("timeout").retry_after)
        self.assertEqual(retrypol.parse_retry_after_ms("1500"), 1.5)
        self.assertEqual(retrypol.parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", wall_now=WALL / 1e9), 10.0)
        self.assertIs(retrypol.parse_should_retry("false"), False)
        for bad in ("abc", "1e3", "-1", ""):
            with self.assertRaises(retrypol.RetrypolError):
                retrypol.parse_retry_after(bad)
        self.assertEqual(retrypol.parse_quota_duration("6m0s"), 360.0)
        self.assertEqual(retrypol.parse_quota_count("42"), 42)


if __name__ == "__main__":
    unittest.main()
