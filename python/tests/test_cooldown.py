"""Cooldowns and outlier ejection through retrypol.Cooldown: the known answers
of tests/test_cooldown.c (LiteLLM's current rules, legacy allowed_fails, the
Retry-After length; Envoy's consecutive-5xx ejection, sweep-aligned returns,
growing and capped ejection time, max_ejection_percent), Envoy's percentage
invariant over 30000 outcomes drawn from the C test's GSL stream, and random
traces of both kinds through a C driver and the wrapper: every answer and
every target's state identical."""
import random
import unittest

import _env
from _env import seconds
import retrypol


class TestCooldown(unittest.TestCase):
    def test_defaults(self):
        c = retrypol.Cooldown("litellm", targets=2, now=0).cfg
        self.assertEqual((c.cooldown_time, c.failure_threshold, c.min_requests, c.allowed_fails),
                         (5 * 10**9, 0.5, 5, 0))
        e = retrypol.Cooldown("envoy", targets=2, now=0)
        c = e.cfg
        self.assertEqual((c.consecutive_5xx, c.base_ejection, c.max_ejection, c.max_ejection_percent, c.interval),
                         (5, 30 * 10**9, 300 * 10**9, 10.0, 10 * 10**9))
        self.assertFalse(retrypol.FailMask(c.fail).test(status=429))        # Envoy: 5xx only
        self.assertTrue(retrypol.FailMask(c.fail).test("reset"))
        self.assertEqual(e.kind, "envoy")
        with self.assertRaises(ValueError):
            retrypol.Cooldown("envoy", interval=0)
        with self.assertRaises(IndexError):
            e.record(2, status=500, now=0)

    def test_litellm_rules(self):
        c = retrypol.Cooldown("litellm", targets=2, now=0)
        self.assertTrue(c.record(0, status=429, now=1))                   # 429: at once
        self.assertFalse(c.available(0, 6 - 1e-9))
        self.assertTrue(c.available(0, 6))
        self.assertEqual(c.until(0), 6.0)
        self.assertIsNone(c.until(1))
        self.assertEqual(c.unavailable(2), 1)
        for _ in range(10):
            self.assertFalse(c.record(1, status=400, now=2))              # other 4xx: never
        self.assertTrue(c.record(1, status=401, now=2))                   # not retryable
        c.reset(0)
        c.record(0, status=200, now=1)
        c.record(0, status=200, now=1)
        self.assertEqual([c.record(0, status=500, now=1) for _ in range(3)], [False, False, True])   # 3 of 5 > 50 %
        self.assertEqual(c.targets[0].cooldowns, 1)
        c.record(0, status=500, now=61)                                   # a new minute
        self.assertEqual((c.targets[0].fails_minute, c.targets[0].successes_minute), (1, 0))
        one = retrypol.Cooldown("litellm", targets=1, now=0)
        self.assertFalse(any(one.record(0, status=429, now=1) for _ in range(20)))
        self.assertTrue(one.record(0, status=401, now=1))

    def test_litellm_allowed_fails_and_hint(self):
        c = retrypol.Cooldown("litellm", targets=2, now=0, allowed_fails=3)
        self.assertEqual([c.record(0, status=500, now=1 + i) for i in range(4)], [False, False, False, True])
        self.assertEqual(c.until(0), 9.0)
        for i in range(3):
            c.record(1, status=500, now=1 + 2 * i)
        self.assertFalse(c.record(1, status=500, now=10 + 1e-9))          # the count expired: 5 s after 5 s
        self.assertEqual(c.targets[1].fails, 1)
        h = retrypol.Cooldown("litellm", targets=2, now=0, hint_sets_cooldown=1, hint_cap="60s")
        self.assertTrue(h.record(0, retrypol.Outcome(status=429, headers={"retry-after": "20"}), now=1))
        self.assertEqual(h.until(0), 21.0)
        self.assertTrue(h.record(1, retrypol.Outcome(status=429, headers={"retry-after": "600"}), now=1))
        self.assertEqual(h.until(1), 61.0)                                # capped
        self.assertTrue(h.record(0, status=429, now=30))
        self.assertEqual(h.until(0), 35.0)                                # no hint: cooldown_time

    def test_envoy(self):
        c = retrypol.Cooldown("envoy", targets=10, now=0)
        for _ in range(4):
            self.assertFalse(c.record(0, status=503, now=1))
        c.record(0, status=429, now=1)                                    # not a 5xx: resets the run
        for _ in range(4):
            self.assertFalse(c.record(0, status=503, now=2))
        self.assertTrue(c.record(0, "timeout", now=2))                    # 5th: ejected
        self.assertEqual(c.until(0), 40.0)                                # 2 + 30 -> next sweep at 40
        for _ in range(5):
            c.record(1, status=503, now=3)
        self.assertTrue(c.available(1, 3))                                # 10 % reached
        self.assertEqual(c.overflows, 1)
        for _ in range(5):
            c.record(0, status=503, now=41)
        self.assertEqual((c.until(0), c.targets[0].ejections), (110.0, 2))   # 41 + 60 -> 110
        for _ in range(5):
            c.record(0, status=503, now=1000)
        self.assertEqual((c.until(0), c.targets[0].ejections), (1030.0, 1))  # decayed: base again
        c.record(0, status=200, now=1030)
        self.assertEqual(c.targets[0].consecutive, 0)

    def test_envoy_cap(self):
        c = retrypol.Cooldown("envoy", targets=1, now=0, max_ejection_percent=100, consecutive_5xx=1)
        now, prev = 0.0, 0.0
        for i in range(1, 15):
            self.assertTrue(c.record(0, status=500, now=now))
            length = c.until(0) - now
            want = min(30 * i, 300)
            self.assertTrue(want <= length < want + 10, (i, length))
            self.assertTrue(length >= prev or want == 300)
            prev, now = length, c.until(0)

    def test_envoy_percent_invariant(self):
        # the loop of test_envoy_percent_invariant (seed 9), its first 30000 outcomes
        r = retrypol.Rng(9)
        c = retrypol.Cooldown("envoy", targets=20, now=0, max_ejection_percent=25, consecutive_5xx=2)
        now_ms, bad, ejections = 0, 0, 0
        for _ in range(30000):
            now_ms += r.uniform_int(50)
            status = 502 if r.uniform() < 0.7 else 200
            before = c.unavailable(now_ms / 1e3)
            e = c.record(r.uniform_int(20), status=status, now=now_ms / 1e3)
            ejections += e
            bad += e and 100.0 * before / 20 >= 25
            bad += c.unavailable(now_ms / 1e3) > 5
        self.assertEqual(bad, 0)
        self.assertGreater(ejections, 50)
        self.assertGreater(c.overflows, 50)

    def test_traces_equal_to_c(self):
        rnd = random.Random(16)
        statuses = [200, 200, 200, 429, 500, 502, 503, 401, 404, 400, 408]
        ev, t = [], 0
        for _ in range(3000):
            t += rnd.randrange(0, 400_000_000)
            bad = (t // 30_000_000_000) % 2 == 1                   # every other 30 s: a bad spell
            s = rnd.choice(statuses[3:] if bad and rnd.random() < 0.8 else statuses)
            kind = 1 if s else 0
            if rnd.random() < 0.05:
                s, kind = 0, 2                                     # a timeout
            hint = rnd.choice([-1, -1, 2, 20, 90]) if s == 429 else -1
            ev.append((t, rnd.randrange(4), kind if s != 200 else 0, s, hint))
        cfgs = [("litellm", {}), ("litellm", {"allowed_fails": 2}),
                ("litellm", {"hint_sets_cooldown": 1, "hint_cap": 60}), ("envoy", {"max_ejection_percent": 50, "consecutive_5xx": 3})]
        sets = {"allowed_fails": "c.allowed_fails = 2;", "hint_sets_cooldown": "c.hint_sets_cooldown = 1;",
                "hint_cap": "c.hint_cap = 60 * POL_NS_PER_S;", "max_ejection_percent": "c.max_ejection_percent = 50;",
                "consecutive_5xx": "c.consecutive_5xx = 3;"}
        body = []
        for kind, kw in cfgs:
            body.append(f"""    {{
        pol_cooldown_cfg c; pol_cooldown cd; pol_cooldown_target t[4];
        pol_cooldown_default({'POL_COOLDOWN_LITELLM' if kind == 'litellm' else 'POL_COOLDOWN_ENVOY'}, &c);
        {' '.join(sets[k] for k in kw)}
        if (pol_cooldown_init(&cd, &c, t, 4, 0)) return 1;
        for (size_t i = 0; i < sizeof ev / sizeof ev[0]; i++) {{
            pol_outcome o = pol_outcome_make((pol_outcome_kind)ev[i][2], (int)ev[i][3]);
            o.retry_after = ev[i][4] < 0 ? -1 : ev[i][4] * POL_NS_PER_S;
            int e = pol_cooldown_record(&cd, (size_t)ev[i][1], ev[i][0], &o);
            printf("%d %zu", e, pol_cooldown_unavailable(&cd, ev[i][0]));
            for (int k = 0; k < 4; k++)
                printf(" %d:%lld:%d:%d:%llu", pol_cooldown_available(&cd, (size_t)k, ev[i][0]), (long long)t[k].until,
                       t[k].consecutive, t[k].ejections, (unsigned long long)t[k].cooldowns);
            printf(" %llu\\n", (unsigned long long)cd.overflows);
        }}
    }}""")
        want = _env.run_c(_env.driver([_env.c_table("ev", ev)], "\n".join(body)))
        got = []
        for kind, kw in cfgs:
            cd = retrypol.Cooldown(kind, targets=4, now=0, **kw)
            for now_ns, i, k, s, hint in ev:
                now = seconds(now_ns)
                o = retrypol.Outcome(retrypol._lib.OUTCOME_KINDS[k], s,
                                     headers={"retry-after": str(hint)} if hint >= 0 else None)
                e = cd.record(i, o, now=now)
                line = f"{int(e)} {cd.unavailable(now)}"
                for j, tg in enumerate(cd.targets):
                    line += f" {int(cd.available(j, now))}:{tg.until}:{tg.consecutive}:{tg.ejections}:{tg.cooldowns}"
                got.append(line + f" {cd.overflows}")
        _env.assert_lines(self, got, want)
        starts = [sum(ln.startswith("1 ") for ln in want[j * len(ev):(j + 1) * len(ev)]) for j in range(len(cfgs))]
        self.assertTrue(all(n > 10 for n in starts), starts)
        print(f"\ncooldown: {len(want)} records of 4 configurations equal to the C library's (cooldowns started {starts})")


if __name__ == "__main__":
    unittest.main()
