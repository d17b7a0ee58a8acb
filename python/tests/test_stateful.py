"""Breakers, budgets, the token bucket, load balancers, quota and stack presets
through the Python wrappers: the library's documented behaviour (docs/stateful-policies.md)."""
import unittest

import _env  # noqa: F401
import retrypol


class TestStateful(unittest.TestCase):
    def test_breaker_consecutive(self):
        b = retrypol.Breaker("consecutive", fail_max=2, break_duration="10s")
        self.assertEqual(b.allow(0), "allow")
        b.record(status=503, now=0)
        b.record("timeout", now=1)
        self.assertEqual(b.state(1), "open")
        self.assertEqual(b.allow(2), "reject")
        self.assertEqual(b.state(11.5), "half-open")
        self.assertEqual(b.allow(11.5), "probe")
        b.record(status=200, now=12)
        self.assertEqual(b.state(12), "closed")
        self.assertGreaterEqual(b.transitions, 3)
        with self.assertRaises(TypeError):
            retrypol.Breaker(fail_maximum=3)
        with self.assertRaises(ValueError):
            retrypol.Breaker("sometimes")
        b.close()
        b.close()

    def test_budget_aws(self):
        b = retrypol.Budget("aws", aws_capacity=10, aws_retry_cost=5)
        rq = b.request(0)
        self.assertTrue(b.can_retry(rq, 0))
        self.assertTrue(b.can_retry(rq, 0))
        self.assertFalse(b.can_retry(rq, 0))         # 10 tokens, 5 per retry
        self.assertEqual((b.granted, b.denied), (2, 1))
        self.assertEqual(b.level(0), 0)

    def test_bucket(self):
        tb = retrypol.TokenBucket(rate=2, burst=2, now=0)
        self.assertEqual(tb.take(now=0), 0.0)
        self.assertEqual(tb.take(now=0), 0.0)
        self.assertAlmostEqual(tb.take(now=0), 0.5)
        self.assertAlmostEqual(tb.level(now=0.25), 0.5)
        self.assertAlmostEqual(retrypol.TokenBucket.per_minute(600).cfg.rate, 10.0)

    def test_load_balancer(self):
        lb = retrypol.LoadBalancer("round-robin", targets=3, rng=retrypol.Rng(1))
        self.assertEqual([lb.pick(0) for _ in range(4)], [0, 1, 2, 0])
        w = retrypol.LoadBalancer("weighted-random", targets=[{"weight": 0}, {"weight": 1}], rng=retrypol.Rng(1))
        self.assertEqual({w.pick(0) for _ in range(50)}, {1})
        lo = retrypol.LoadBalancer("least-outstanding", targets=2, rng=retrypol.Rng(1))
        lo.on_send(0, now=0)
        self.assertEqual(lo.pick(0), 1)
        lo.targets[0].available = lo.targets[1].available = 0
        self.assertIsNone(lo.pick(0))

    def test_quota(self):
        q = retrypol.Quota(rng=retrypol.Rng(3), jitter=0)
        q.apply_headers({"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "2s"}, now=10)
        self.assertEqual(q.remaining_requests, 0)
        self.assertAlmostEqual(q.check(now=10), 2.0)
        self.assertEqual(q.check(now=12.5), 0.0)

    def test_stack_preset(self):
        names = [p.name for p in retrypol.stack_presets()]
        self.assertIn("aws-adaptive", names)
        s = retrypol.stack("aws-adaptive")
        self.assertIn("budget", s.uses())
        self.assertEqual(s.budget().level(0), 500.0)   # botocore's retry quota
        self.assertIsNone(s.breaker())
        self.assertEqual(s.policy.max_attempts, 3)
        with self.assertRaises(retrypol.PolicyError):
            retrypol.stack("nope")


if __name__ == "__main__":
    unittest.main()
