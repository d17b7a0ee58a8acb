"""The failure monitor through retrypol.Monitor: the known answers of
tests/test_monitor.c (the edge-triggered alert, re-arming, independent
targets, non-failures; alert 'every' against the seed's FailureMonitor), the
alerts = upward crossings invariant on the C test's GSL stream (seed 6), and
a random trace through a C driver and the wrapper: every alert and count
identical."""
import random
import unittest

import _env
from _env import seconds
import retrypol


class TestMonitor(unittest.TestCase):
    def test_edge(self):
        d = retrypol.Monitor().cfg
        self.assertEqual((d.window, d.slices, d.threshold, d.alert), (60 * 10**9, 60, 10, 0))
        m = retrypol.Monitor(2, window="10s", slices=10, threshold=3)
        self.assertFalse(m.record(0, status=503, now=0))
        self.assertFalse(m.record(0, status=400, now=1))                 # not a failure
        self.assertFalse(m.record(0, status=200, now=1))
        self.assertFalse(m.record(0, status=503, now=2))
        self.assertFalse(m.record(1, status=503, now=2))                 # the other target
        self.assertTrue(m.record(0, status=503, now=3))                  # the 3rd: fires
        self.assertFalse(m.record(0, status=503, now=4))                 # still high
        self.assertEqual(m.count(0, 4), 4)
        self.assertEqual(m.count(0, 12), 2)                              # re-armed
        self.assertTrue(m.record(0, status=503, now=12))                 # fires again
        self.assertEqual(m.alerts, 2)
        self.assertEqual(m.count(1, 12), 0)
        with self.assertRaises(IndexError):
            m.record(2, status=503, now=12)
        m.reset()
        self.assertEqual(m.count(0, 12), 0)
        with self.assertRaises(ValueError):
            retrypol.Monitor(2, threshold=0)
        with self.assertRaises(ValueError):
            retrypol.Monitor(alert="sometimes")
        m.close()
        m.close()

    def test_fail_mask(self):
        m = retrypol.Monitor(1, threshold=1, fail=retrypol.FailMask.none().set_status(400))
        self.assertFalse(m.record(0, status=503, now=0))
        self.assertTrue(m.record(0, status=400, now=0))

    def test_every_is_the_seed_monitor(self):
        every = retrypol.Monitor(1, window="3600s", slices=3600, threshold=5, alert="every")
        crossing = retrypol.Monitor(1, window="3600s", slices=3600, threshold=5)
        for i in range(10):                                              # the 5th to the 10th alert, each
            self.assertEqual(every.record(0, status=503, now=i), i >= 4)
            self.assertEqual(crossing.record(0, status=503, now=i), i == 4)
        self.assertEqual((every.alerts, crossing.alerts), (6, 1))

    def test_crossings(self):
        # test_crossings of test_monitor.c on its GSL stream (seed 6), its first 30000 failures
        r = retrypol.Rng(6)
        m = retrypol.Monitor(1, window=5, slices=5, threshold=4)
        now_ms = fired = crossings = 0
        for _ in range(30000):
            now_ms += r.uniform_int(3000)
            before = m.count(0, now_ms / 1e3)
            fired += m.record(0, status=500, now=now_ms / 1e3)
            crossings += m.count(0, now_ms / 1e3) >= 4 > before
        self.assertEqual(fired, crossings)
        self.assertGreater(fired, 100)

    def test_trace_equal_to_c(self):
        rnd = random.Random(16)
        ev, t = [], 0
        for _ in range(4000):
            t += rnd.randrange(0, 2_000_000_000)
            s = rnd.choice([200, 200, 429, 500, 503, 400])
            ev.append((t, rnd.randrange(3), 0 if s == 200 else 1, s, rnd.random() < 0.2))
        cfgs = [("crossing", 30, 30, 4), ("every", 60, 6, 3)]
        body = []
        for alert, window, slices, threshold in cfgs:
            body.append(f"""    {{
        pol_monitor_cfg c; pol_monitor m;
        pol_monitor_default(&c);
        c.window = {window}LL * POL_NS_PER_S; c.slices = {slices}; c.threshold = {threshold};
        c.alert = {'POL_MONITOR_ALERT_EVERY' if alert == 'every' else 'POL_MONITOR_ALERT_CROSSING'};
        if (pol_monitor_init(&m, &c, 3)) return 1;
        for (size_t i = 0; i < sizeof ev / sizeof ev[0]; i++) {{
            pol_outcome o = pol_outcome_make((pol_outcome_kind)ev[i][2], (int)ev[i][3]);
            if (ev[i][4]) printf("c %lld\\n", (long long)pol_monitor_count(&m, (size_t)ev[i][1], ev[i][0]));
            else {{
                int a = pol_monitor_record(&m, (size_t)ev[i][1], ev[i][0], &o);
                printf("r %d %llu\\n", a, (unsigned long long)m.alerts);
            }}
        }}
        pol_monitor_free(&m);
    }}""")
        want = _env.run_c(_env.driver([_env.c_table("ev", ev)], "\n".join(body)))
        got = []
        for alert, window, slices, threshold in cfgs:
            m = retrypol.Monitor(3, window=window, slices=slices, threshold=threshold, alert=alert)
            for now_ns, i, k, s, ask in ev:
                if ask:
                    got.append(f"c {m.count(i, seconds(now_ns))}")
                else:
                    got.append(f"r {int(m.record(i, retrypol._lib.OUTCOME_KINDS[k], s, now=seconds(now_ns)))} {m.alerts}")
        _env.assert_lines(self, got, want)
        self.assertGreater(sum(ln.startswith("r 1") for ln in want), 50)
        print(f"\nmonitor: {len(want)} alerts and counts of 2 configurations equal to the C library's")


if __name__ == "__main__":
    unittest.main()
