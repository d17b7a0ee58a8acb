"""Adaptive throttling through retrypol.Throttle, Cubic, RateClocker and
TokenBucket.set_max_rate: the known answers of tests/test_throttle.c (the SRE
formula and window; botocore's adaptive mode against a transcription of
botocore, and botocore's own unit tests of CubicCalculator, RateClocker and
TokenBucket), and two random traces of sends and responses run through a C
driver and through the wrapper with the same GSL stream for SRE's draws:
every answer, wait, level, measured rate and bucket rate identical."""
import random
import unittest

import _env
from _env import G, seconds
import retrypol

MS = 1e-3


class TestThrottle(unittest.TestCase):
    def test_defaults(self):
        c = retrypol.Throttle("sre", now=0).cfg
        self.assertEqual((c.k, c.window, c.slices), (2.0, 120 * 10**9, 120))
        a = retrypol.Throttle("aws-adaptive", now=0)
        c = a.cfg
        self.assertEqual((c.beta, c.scale_c, c.min_fill_rate, c.smoothing, c.rate_bucket, c.max_rate_scale),
                         (0.7, 0.4, 0.5, 0.8, 500 * 10**6, 2.0))
        self.assertEqual(a.kind, "aws-adaptive")
        self.assertEqual(retrypol.Throttle("sre", now=0, window="1m").cfg.window, 60 * 10**9)
        with self.assertRaises(ValueError):
            retrypol.Throttle("aws-adaptive", now=0, beta=1.0)        # pol_throttle_validate: POL_EINVAL
        with self.assertRaises(ValueError):
            retrypol.Throttle("sometimes")
        with self.assertRaises(TypeError):
            retrypol.Throttle("sre", kk=2)

    def test_sre_formula_and_window(self):
        rng = retrypol.Rng(3)
        t = retrypol.Throttle("sre", now=0, rng=rng)
        self.assertEqual(t.level(0), 0.0)
        for _ in range(10):                                   # all accepted: p stays 0
            self.assertEqual(t.before_send(1).answer, "send")
            t.on_response(False, 1)
        self.assertEqual(t.level(1), 0.0)
        for _ in range(30):                                   # 40 requests, 10 accepts
            t.before_send(2)
            t.on_response(True, 2)
        self.assertAlmostEqual(t.level(2), (40 - 2 * 10) / 41, places=12)
        t2 = retrypol.Throttle("sre", now=0, rng=rng)
        for _ in range(40):
            t2.before_send(3)
        for _ in range(10):
            t2.on_response(False, 3)
        self.assertAlmostEqual(t2.level(3), 20 / 41, places=12)
        rej = sum(t2.before_send(3).answer == "reject" for _ in range(20000))
        self.assertGreater(rej, 20000 * 0.95)                 # requests grow, accepts stay: p -> 1
        self.assertEqual(t.level(2 + 120), 0.0)               # the window forgets after 2 minutes
        # the simulator's reading of an outcome: SRE accepts only successes
        self.assertTrue(t.throttled(status=503))
        self.assertFalse(t.throttled(status=200))
        t.close()
        t.close()

    def test_aws_known_answers(self):
        # (i, measured, rate) after the response at (i + 1) x 100 ms; throttles at i = 24, 25, 39
        kat = [(9, 9.5999999999999996, 0.5), (19, 9.984, 3.2000000000000002),
               (24, 9.9968000000000004, 6.9977599999999995), (25, 9.9968000000000004, 4.8984319999999997),
               (26, 9.9968000000000004, 5.2403835683071431), (30, 9.9993599999999994, 6.2391111420371761),
               (39, 9.9999743999999993, 4.8749319723329734), (40, 9.9999743999999993, 5.2157569302445177),
               (45, 9.9999948799999991, 6.3792657337414669), (59, 9.9999999590400002, 6.9716286404608789)]
        t = retrypol.Throttle("aws-adaptive", now=0)
        want = dict((i, (m, r)) for i, m, r in kat)
        seen = 0
        for i in range(60):
            t.record(status=429 if i in (24, 25, 39) else 200, now=(i + 1) * 100 * MS)
            if i in want:
                m, r = want[i]
                self.assertAlmostEqual(t.measured_rate, m, delta=1e-9 * m)
                self.assertAlmostEqual(t.rate, r, delta=1e-9 * r)
                self.assertEqual(t.state.bucket.cfg.burst, max(t.rate, 1.0))
                seen += 1
            if i < 24:
                self.assertFalse(t.enabled)
        self.assertEqual(seen, len(kat))
        self.assertTrue(t.enabled)
        self.assertEqual(t.level(6), t.rate)

    def test_aws_engage_and_blocking_acquire(self):
        t = retrypol.Throttle("aws-adaptive", now=0)
        for i in range(100):                                  # not engaged: nothing waits
            self.assertEqual(t.before_send(i * 10 * MS), ("send", 0))
        for i in range(1, 21):
            t.on_response(False, i * 100 * MS)
        t.on_response(True, 2.1)                              # engage: 0.7 x measured
        rate = t.level(2.1)
        self.assertGreater(rate, 0)
        a = t.before_send(2.1)
        while a.answer == "send":                             # use up what is there
            a = t.before_send(2.1)
        self.assertEqual(t.before_send(2.1), a)               # a WAIT takes nothing
        clock = [2.1]
        sleeps = []

        def sleep(s):
            sleeps.append(s)
            clock[0] += s
        for _ in range(17):
            self.assertTrue(t.acquire(clock=lambda: clock[0], sleep=sleep))
        self.assertGreaterEqual(len(sleeps), 15)
        self.assertAlmostEqual(clock[0] - 2.1, 17 / rate, delta=1.0 / rate)
        t.reset(100)
        self.assertFalse(t.enabled)

    def test_cubic_botocore(self):
        c = retrypol.Cubic(10, start_time=0)                  # test_starting_params
        self.assertAlmostEqual(c.k, 1.9574338205844317, places=12)
        k = c.k
        for f in (1 / 3, 1 / 2, 1 / 1.1):                     # test_success_responses_until_max_hit
            self.assertLessEqual(c.success(k * f), 10.0)
        self.assertAlmostEqual(c.success(k), 10.0, places=6)
        for f in (1.1, 2.0):
            self.assertGreaterEqual(c.success(k * f), 10.0)
        self.assertAlmostEqual(c.error(8, 1), 8 * 0.7, places=12)   # test_error_response_decreases_rate_by_beta
        self.assertEqual(c.w_max, 8.0)
        self.assertAlmostEqual(c.k, 1.8171205928321397, places=12)
        self.assertEqual(c.last_fail, 1.0)
        c = retrypol.Cubic(10, start_time=0, beta=0.6)        # test_t_0_should_match_beta_decrease
        self.assertEqual(c.error(10, 1), 6.0)
        self.assertAlmostEqual(c.success(1), 6.0, places=9)

    def test_rate_clocker_botocore(self):
        r = retrypol.RateClocker(start=0)
        self.assertEqual(r.measured, 0.0)
        self.assertAlmostEqual(r.record(1), 0.8, places=15)   # test_time_updates_if_after_bucket_range
        r = retrypol.RateClocker(start=0)                     # test_can_measure_constant_rate
        for i in range(1, 21):
            r.record(i)
        self.assertAlmostEqual(r.measured, 1.0, places=7)
        r = retrypol.RateClocker(start=0)                     # test_uses_smoothing_to_favor_recent_weights
        for ms in (1000, 1500, 2000, 2500, 3000, 3500, 4000):
            r.record(ms * MS)
        self.assertTrue(1.99 <= r.measured <= 2.0)
        r.record(14)
        self.assertTrue(0.1 <= r.measured <= 2.0)
        r = retrypol.RateClocker(start=0)                     # test_times_are_grouped_per_time_bucket
        for ms in (100, 200, 300, 400, 490):
            r.record(ms * MS)
        self.assertEqual(r.measured, 0.0)
        self.assertAlmostEqual(r.record(0.5), 12 * 0.8, places=12)

    def test_bucket_botocore(self):
        def aws_bucket(max_rate, min_rate):                   # botocore TokenBucket: created empty at 0
            b = retrypol.TokenBucket(1, 1, now=0)
            b.take(1, now=0)
            b.set_max_rate(max_rate, min_rate, now=0)
            return b
        b = aws_bucket(10, 0.1)                               # test_can_change_max_capacity_lower
        for i in range(1, 6):
            self.assertEqual(b.take(1, now=i), 0.0)
        b.set_max_rate(1, 0.1, now=5)
        for i in range(6, 11):
            self.assertEqual(b.take(1, now=i), 0.0)
        b = aws_bucket(10, 0.1)                               # test_max_capacity_is_at_least_one
        b.set_max_rate(0.5, 0.1, now=1)
        self.assertEqual((b.rate, b.burst), (0.5, 1.0))
        b = aws_bucket(10, 0.1)                               # test_acquiring_blocks_when_capacity_reached
        self.assertEqual(b.take(1, now=0.1), 0.0)
        self.assertAlmostEqual(b.take(1, now=0.15), 0.05, places=8)
        self.assertEqual(b.take(1, now=0.2), 0.0)
        b = aws_bucket(1, 0.2)                                # test_rate_cant_go_below_min
        b.set_max_rate(0.1, 0.2, now=1)
        self.assertEqual((b.rate, b.burst), (0.2, 1.0))
        with self.assertRaises(ValueError):
            b.set_max_rate(float("nan"), 0.2, now=1)
        with self.assertRaises(ValueError):
            b.set_max_rate(1, 0, now=1)

    def test_traces_equal_to_c(self):
        rnd = random.Random(16)
        ev, t = [], 0
        for _ in range(4000):
            t += rnd.randrange(0, 60_000_000)                 # up to 60 ms apart
            storm = 30 <= t / 1e9 < 100                       # a 429 storm from 30 s to 100 s
            op = 0 if rnd.random() < 0.55 else 1
            ev.append((t, op, int(rnd.random() < (0.9 if storm else 0.03))))
        body = """
    for (int kind = 0; kind < 2; kind++) {
        pol_throttle_cfg c; pol_throttle t; pol_ns w;
        pol_throttle_default(kind, &c);
        if (pol_throttle_init(&t, &c, 0)) return 1;
        gsl_rng_set(r, 5);
        for (size_t i = 0; i < sizeof ev / sizeof ev[0]; i++) {
            pol_ns now = ev[i][0];
            if (ev[i][1] == 0) {
                int a = pol_throttle_before_send(&t, now, r, &w);
                printf("%d %lld %.17g\\n", a, (long long)w, pol_throttle_level(&t, now));
            } else {
                pol_throttle_on_response(&t, now, (int)ev[i][2]);
                printf("r %.17g %.17g %.17g %d\\n", pol_throttle_level(&t, now), t.clock.measured, t.bucket.cfg.rate, t.enabled);
            }
        }
        pol_throttle_free(&t);
    }"""
        want = _env.run_c(_env.driver([_env.c_table("ev", ev)], body))
        got = []
        for kind in ("sre", "aws-adaptive"):
            th = retrypol.Throttle(kind, now=0, rng=retrypol.Rng(5))
            for now_ns, op, thr in ev:
                now = seconds(now_ns)
                if op == 0:
                    a = th.before_send(now)
                    got.append(f"{retrypol._lib.THROTTLE_ANSWERS.index(a.answer)} {a.wait_ns} {G % th.level(now)}")
                else:
                    th.on_response(thr, now)
                    s = th.state
                    got.append(f"r {G % th.level(now)} {G % s.clock.measured} {G % s.bucket.cfg.rate} {s.enabled}")
        _env.assert_lines(self, got, want)
        sends = [ln.split()[0] for ln in want if not ln.startswith("r")]
        n = len(sends) // 2
        self.assertGreater(sends[:n].count("2"), 50)          # SRE rejected some (the draws matter)
        self.assertGreater(sends[n:].count("1"), 50)          # AWS waited
        print(f"\nthrottle: {len(want)} answers of SRE and aws-adaptive equal to the C library's "
              f"(SRE rejects {sends[:n].count('2')}, AWS waits {sends[n:].count('1')})")


if __name__ == "__main__":
    unittest.main()
