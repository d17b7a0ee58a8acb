"""Hedging through retrypol.Hedge: the known answers of tests/test_hedge.c
(A6's fixed-delay schedule, parallel mode, the attempt and in-flight caps,
the nearest-rank quantile of the latency window and its eviction), the
invariant over simulated requests on the C test's GSL stream (seed 4), and a
random trace of observations and schedule questions through a C driver and
the wrapper: every delay and send time identical."""
import random
import unittest

import _env
from _env import seconds
import retrypol

MS = 1e-3


class TestHedge(unittest.TestCase):
    def test_fixed_parallel_caps(self):
        self.assertEqual((retrypol.Hedge().cfg.max_attempts, retrypol.Hedge().delay), (2, 0.5))
        h = retrypol.Hedge(max_attempts=4)                       # A6's example hedgingPolicy
        self.assertEqual([h.next_at(1, s, s) for s in (1, 2)], [1.5, 2.0])
        self.assertEqual(h.next_at(1, 3, 1), 2.5)
        self.assertIsNone(h.next_at(1, 4, 0))                    # max_attempts sent
        h = retrypol.Hedge(max_attempts=4, max_in_flight=2)
        self.assertIsNone(h.next_at(1, 2, 2))
        self.assertEqual(h.next_at(1, 2, 1), 2.0)
        p = retrypol.Hedge(max_attempts=4, delay=0)              # parallel: all at once
        self.assertEqual({p.next_at(7 * MS, s, s) for s in range(4)}, {7 * MS})
        p.observe(1 * MS)                                        # ignored
        self.assertEqual(p.samples, 0)
        with self.assertRaises(ValueError):
            retrypol.Hedge(max_attempts=0)

    def test_quantile(self):
        h = retrypol.Hedge(use_quantile=1, window=100, min_samples=20, quantile=0.95)
        for i in range(1, 20):
            h.observe(i * MS)
        self.assertEqual(h.delay, 0.5)                           # too few: the fixed delay
        h.observe(20 * MS)
        self.assertEqual(h.delay_ns, 19 * 10**6)                 # ceil(0.95 x 20) = 19th
        for i in range(100, 20, -1):
            h.observe(i * MS)
        self.assertEqual(h.delay_ns, 95 * 10**6)                 # 1..100: the 95th
        for _ in range(100):
            h.observe(7 * MS)                                    # evicts all
        self.assertEqual(h.delay_ns, 7 * 10**6)
        for _ in range(10):
            h.observe(1.0)
        self.assertEqual(h.delay, 1.0)                           # 10 of 100 above p90
        p90 = retrypol.Hedge(use_quantile=1, window=100, min_samples=20, quantile=0.9)
        for _ in range(90):
            p90.observe(7 * MS)
        for _ in range(10):
            p90.observe(1.0)
        self.assertEqual(p90.delay_ns, 7 * 10**6)
        self.assertEqual(p90.next_at(0, 1, 1), 7 * MS)
        with self.assertRaises(ValueError):
            h.observe(-1)
        h.reset()
        self.assertEqual(h.delay, 0.5)
        h.close()
        h.close()

    def test_invariant(self):
        # test_invariant of test_hedge.c on its GSL stream (seed 4), its first 1000 requests
        r = retrypol.Rng(4)
        h = retrypol.Hedge(max_attempts=5, max_in_flight=3, use_quantile=1, window=50, min_samples=10, quantile=0.5)
        bad = hedges = 0
        for _ in range(1000):
            ends = [10 * r.uniform_int(200)]
            in_flight = 1
            for now in range(0, 5000, 10):                       # ms
                for e in ends:
                    if e == now:
                        in_flight -= 1
                        h.observe(now * MS)
                if r.uniform() < 0.003:
                    break                                        # first success: cancel the rest
                at = h.next_at(0, len(ends), in_flight)
                if at is not None and at <= now * MS:
                    ends.append(now + 10 * (1 + r.uniform_int(200)))
                    in_flight += 1
                    hedges += 1
                bad += len(ends) > 5 or in_flight > 3
        self.assertEqual(bad, 0)
        self.assertGreater(hedges, 100)

    def test_trace_equal_to_c(self):
        rnd = random.Random(16)
        ev = []
        for _ in range(3000):
            if rnd.random() < 0.6:
                ev.append((0, int(rnd.lognormvariate(19.5, 0.8)), 0, 0))          # observe a latency (ns)
            else:
                ev.append((1, rnd.randrange(0, 10**12), rnd.randrange(0, 6), rnd.randrange(0, 4)))
        cfgs = [dict(max_attempts=3), dict(max_attempts=4, max_in_flight=2, use_quantile=1, quantile=0.95,
                                           window=40, min_samples=10),
                dict(max_attempts=2, use_quantile=1, quantile=0.5, window=7, min_samples=3)]
        body = []
        for kw in cfgs:
            sets = " ".join(f"c.{k} = {v};" for k, v in kw.items())
            body.append(f"""    {{
        pol_hedge_cfg c; pol_hedge h;
        pol_hedge_default(&c);
        {sets}
        if (pol_hedge_init(&h, &c)) return 1;
        for (size_t i = 0; i < sizeof ev / sizeof ev[0]; i++) {{
            if (ev[i][0] == 0) {{ pol_hedge_observe(&h, ev[i][1]); printf("o %lld\\n", (long long)pol_hedge_delay(&h)); }}
            else printf("n %lld\\n", (long long)pol_hedge_next_at(&h, ev[i][1], (int)ev[i][2], (int)ev[i][3]));
        }}
        pol_hedge_free(&h);
    }}""")
        want = _env.run_c(_env.driver([_env.c_table("ev", ev)], "\n".join(body)))
        got = []
        for kw in cfgs:
            h = retrypol.Hedge(**kw)
            for op, a, sent, in_flight in ev:
                if op == 0:
                    h.observe(seconds(a))
                    got.append(f"o {h.delay_ns}")
                else:
                    t = h.next_at(seconds(a), sent, in_flight)
                    got.append(f"n {retrypol._lib.POL_NS_MAX if t is None else int(round(t * 1e9))}")
        _env.assert_lines(self, got, want)
        self.assertGreater(len(set(want)), 1000)
        print(f"\nhedge: {len(want)} delays and send times of 3 configurations equal to the C library's")


if __name__ == "__main__":
    unittest.main()
