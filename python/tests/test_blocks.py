"""The building blocks and the remaining entry points: FailMask against the C
library's pol_failmask_test for every status and kind (the default transient
set, one built from a preset's classes, one built by hand), Window (slices
aligned from 0, expiry, late events, several counters) against a C driver on
a random trace, Policy.moments / nominal / classify against
tests/test_backoff.c's closed forms, and the stack presets' new factories."""
import random
import unittest

import _env
from _env import seconds
import retrypol

KINDS = retrypol._lib.OUTCOME_KINDS


def mask_bits(test):
    """'status...|kind...' of what counts, for 100..599 and every non-success kind."""
    st = [str(s) for s in range(100, 600) if test(1, s)]
    kd = [KINDS[k] for k in range(2, len(KINDS)) if test(k, 400 if k >= 5 else 0)]
    return " ".join(st) + "|" + " ".join(kd)


class TestFailMask(unittest.TestCase):
    def test_equal_to_c(self):
        want = _env.run_c(_env.driver([], """
    pol_failmask m[3]; pol_retry_cfg c;
    pol_failmask_default(&m[0]);
    pol_preset_get("openai-python", &c);
    pol_failmask_from_classes(&m[1], &c.classify, (1u << POL_CLASS_RETRY) | (1u << POL_CLASS_FALLBACK));
    pol_failmask_none(&m[2]);
    pol_failmask_set_status(&m[2], 500, 503, 1);
    pol_failmask_set_status(&m[2], 502, 502, 0);
    pol_failmask_set_kind(&m[2], POL_OUT_TIMEOUT, 1);
    for (int i = 0; i < 3; i++) {
        for (int s = 100; s < 600; s++) {
            pol_outcome o = pol_outcome_make(POL_OUT_HTTP, s);
            if (pol_failmask_test(&m[i], &o)) printf("%d ", s);
        }
        printf("|");
        for (int k = 2; k < POL_OUT__COUNT; k++) {
            pol_outcome o = pol_outcome_make((pol_outcome_kind)k, k >= 5 ? 400 : 0);
            if (pol_failmask_test(&m[i], &o)) printf("%s ", pol_outcome_kind_name((pol_outcome_kind)k));
        }
        printf("\\n");
    }"""))
        want = ["|".join(" ".join(half.split()) for half in ln.split("|")) for ln in want]
        masks = [retrypol.FailMask(),
                 retrypol.FailMask.from_classes(retrypol.Policy("openai-python"), "retry", "fallback"),
                 retrypol.FailMask.none().set_status(500, 503).set_status(502, counts=False).set_kind("timeout")]
        got = [mask_bits(lambda k, s, m=m: m.test(retrypol.Outcome(KINDS[k], s))) for m in masks]
        _env.assert_lines(self, got, want)
        self.assertEqual(got[0], " ".join(["408", "429"] + [str(s) for s in range(500, 600)]) + "|timeout refused reset stream-cut stream-error stream-timeout")
        self.assertEqual(got[2], "500 501 503|timeout")
        self.assertFalse(masks[0].test(status=200))
        self.assertIn(503, masks[0])
        self.assertEqual(retrypol.FailMask(masks[2]), masks[2])
        with self.assertRaises(ValueError):
            retrypol.FailMask().set_kind("success")
        with self.assertRaises(TypeError):
            retrypol.Breaker(fail=3)
        b = retrypol.Breaker("consecutive", fail_max=1, fail=retrypol.FailMask.none().set_status(418))
        b.record(status=503, now=0)
        self.assertEqual(b.state(0), "closed")
        b.record(status=418, now=0)
        self.assertEqual(b.state(0), "open")


class TestWindow(unittest.TestCase):
    def test_known_answers(self):
        w = retrypol.Window(1, 3, n_counters=2)
        for t in (0.5, 1.5, 2.5):
            w.add(t)
        w.add(2.6, counter=1, delta=5)
        self.assertEqual((w.sum(2.9), w.sum(2.9, 1)), (3, 5))
        self.assertEqual(w.sum(3.0), 2)                   # slice 0 left the window
        w.add(1.0)                                        # before the newest slice: counted in it
        self.assertEqual(w.sum(3.0), 3)
        self.assertEqual(w.sum(10), 0)
        w.reset()
        self.assertEqual(w.sum(10, 1), 0)
        self.assertEqual(retrypol.Window.slice_of(-0.5, 1), -1)
        self.assertEqual(retrypol.Window.slice_of("90s", "1m"), 1)
        with self.assertRaises(ValueError):
            retrypol.Window(1, 3, n_counters=5)
        with self.assertRaises(IndexError):
            w.add(0, counter=2)

    def test_trace_equal_to_c(self):
        rnd = random.Random(16)
        ev, t = [], 0
        for _ in range(3000):
            t += rnd.randrange(-50_000_000, 400_000_000)      # time may step back a little
            ev.append((t, rnd.randrange(3), rnd.randrange(-2, 5), rnd.random() < 0.3))
        want = _env.run_c(_env.driver([_env.c_table("ev", ev)], """
    int64_t cells[7 * 3]; pol_window w;
    if (pol_window_init(&w, 250 * POL_NS_PER_MS, 7, 3, cells)) return 1;
    for (size_t i = 0; i < sizeof ev / sizeof ev[0]; i++) {
        if (ev[i][3]) printf("%lld\\n", (long long)pol_window_sum(&w, ev[i][0], (int)ev[i][1]));
        else pol_window_add(&w, ev[i][0], (int)ev[i][1], ev[i][2]);
    }"""))
        w = retrypol.Window("250ms", 7, 3)
        got = []
        for now, c, d, ask in ev:
            if ask:
                got.append(str(w.sum(seconds(now), c)))
            else:
                w.add(seconds(now), c, d)
        _env.assert_lines(self, got, want)
        self.assertGreater(len(set(want)), 5)


class TestBackoffAndStack(unittest.TestCase):
    def test_moments_closed_form(self):
        # cfg_for() of tests/test_backoff.c: exponential 1 s x2, cap 10 s, factor 0.25 (0.2 proportional), J 1 s
        def p(j):
            return retrypol.Policy(f"exponential:base=1s,cap=10s,jitter={j},factor="
                                   f"{0.2 if j == 'proportional' else 0.25},jitter_max=1s")
        for j, n, mean, lo, hi in [("full", 1, 0.5, 0, 1), ("full", 5, 5, 0, 10), ("proportional", 5, 9.5, 8, 10),
                                   ("equal", 2, 1.5, 1, 2), ("additive", 1, 1.5, 1, 2),
                                   ("subtractive", 3, 3.5, 3, 4), ("none", 3, 4, 4, 4)]:
            m = p(j).moments(n)
            self.assertAlmostEqual(m.mean, mean, places=9, msg=(j, n))
            self.assertEqual((m.lo, m.hi), (lo, hi), (j, n))
        for j in ("decorrelated", "decorrelated-v2"):
            with self.assertRaises(retrypol.RetrypolError):
                p(j).moments(1)
        with self.assertRaises(retrypol.RetrypolError):
            p("full").moments(0)
        self.assertEqual([p("full").nominal(n) for n in (1, 2, 3, 4, 5)], [1, 2, 4, 8, 10])
        # the analytic mean is what delays() measures
        row = retrypol.delays(p("full"), seed=1, draws=20000, attempts=6)[2]
        self.assertAlmostEqual(row.mean, p("full").moments(3).mean, delta=0.05)

    def test_classify(self):
        o = retrypol.Policy("openai-python")
        self.assertEqual([o.classify(status=s) for s in (200, 429, 503, 400)], ["success", "retry", "retry", "fail"])
        self.assertEqual(o.classify("timeout"), "retry")

    def test_stack_factories(self):
        s = retrypol.stack("aws-adaptive")
        th = s.throttle(now=0)
        self.assertEqual(th.kind, "aws-adaptive")
        self.assertIsNone(s.cooldown())
        self.assertIsNone(s.hedge())
        self.assertIsNone(s.bulkhead())
        lr = retrypol.stack("litellm-router")
        cd = lr.cooldown(targets=3, now=0)
        self.assertEqual((cd.kind, cd.cfg.cooldown_time), ("litellm", 5 * 10**9))
        self.assertTrue(cd.record(0, status=429, now=1))             # several deployments: at once
        env = retrypol.stack("envoy").cooldown(targets=10, now=0)
        self.assertEqual((env.kind, env.cfg.consecutive_5xx, env.cfg.max_ejection_percent), ("envoy", 5, 10.0))


if __name__ == "__main__":
    unittest.main()
