"""retrypol.tenacity against Debian's python3-tenacity: tenacity's sleeps and
stops are the policy's decisions (Request.next with the same seed), Retry-After
included; non-retryable errors and exceptions the policy does not judge
propagate at once; the pieces compose with tenacity's own."""
import asyncio
import unittest

import _env  # noqa: F401
import retrypol

try:
    import httpx
    import tenacity
    from retrypol.tenacity import RetrysimPolicy, classify
except ImportError as e:             # python.sh installs them; never a silent pass
    raise SystemExit(f"test_tenacity needs python3-tenacity and python3-httpx: {e}")

REQ = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")


def status_error(code, **headers):
    resp = httpx.Response(code, headers=headers, request=REQ)
    return httpx.HTTPStatusError(f"{code}", request=REQ, response=resp)


def run(rp, script, **extra):
    """Calls a function that raises/returns script's items in turn under rp;
    returns (result or exception, sleeps, attempts)."""
    sleeps, calls = [], []
    items = list(script)

    def f():
        calls.append(1)
        it = items.pop(0)
        if isinstance(it, BaseException):
            raise it
        return it

    r = tenacity.Retrying(sleep=sleeps.append, **rp.kwargs(**extra))
    try:
        out = r(f)
    except BaseException as e:       # noqa: B902
        out = e
    return out, sleeps, len(calls)


class TestTenacity(unittest.TestCase):
    def test_sleeps_are_the_policy_decisions(self):
        spec = "exponential:base=100ms,cap=5s,jitter=full,attempts=6;on=429:base=1s"
        script = [status_error(503), status_error(429), httpx.ReadTimeout("slow", request=REQ),
                  status_error(429, **{"retry-after": "2"}), "ok"]
        out, sleeps, n = run(RetrysimPolicy(spec, rng=retrypol.Rng(5)), script)
        self.assertEqual(out, "ok")
        self.assertEqual(n, 5)
        # the same decisions straight from the state machine, same seed
        p = retrypol.Policy(spec)
        rq = p.request(now=0, rng=retrypol.Rng(5))
        want = [rq.next(status=503).delay, rq.next(status=429).delay, rq.next("timeout").delay,
                rq.next(status=429, headers={"retry-after": "2"}).delay]
        self.assertEqual(sleeps, want)
        self.assertEqual(sleeps[3], 2.0)             # Retry-After honored

    def test_retry_after_ms_and_give_up(self):
        rp = RetrysimPolicy("openai-python", rng=retrypol.Rng(1))
        e = [status_error(429, **{"retry-after-ms": "250", "retry-after": "9"}) for _ in range(3)]
        out, sleeps, n = run(rp, e)
        self.assertIs(out, e[2])                     # reraise=True: the last error as raised
        self.assertEqual((n, sleeps), (3, [0.25, 0.25]))

    def test_not_retried(self):
        rp = RetrysimPolicy("openai-python", rng=retrypol.Rng(1))
        for exc in (status_error(400), status_error(503, **{"x-should-retry": "false"}), ValueError("bug")):
            out, sleeps, n = run(rp, [exc, "never"])
            self.assertIs(out, exc)
            self.assertEqual((n, sleeps), (1, []))

    def test_decision_and_hook(self):
        seen = []
        rp = RetrysimPolicy("portkey", rng=retrypol.Rng(1), before_sleep=lambda rs, d: seen.append(d.action))
        r = tenacity.Retrying(sleep=lambda s: None, **rp.kwargs())
        with self.assertRaises(httpx.HTTPStatusError):
            for attempt in r:
                with attempt:
                    raise status_error(502)
        self.assertEqual(seen, ["retry"] * 5)         # portkey: 6 attempts
        d = rp.decision(attempt.retry_state)
        self.assertEqual((d.action, d.reason), ("give-up", "max-attempts"))

    def test_results_not_exceptions(self):
        rp = RetrysimPolicy("exponential:base=10ms,jitter=none,attempts=3", rng=retrypol.Rng(1))
        ok = httpx.Response(200, request=REQ)
        out, sleeps, n = run(rp, [httpx.Response(503, request=REQ), ok])
        self.assertIs(out, ok)
        self.assertEqual(sleeps, [0.01])

    def test_compose(self):
        rp = RetrysimPolicy("exponential:base=10ms,jitter=none,attempts=10", rng=retrypol.Rng(1))
        out, sleeps, n = run(rp, [status_error(503)] * 5, stop=rp.stop | tenacity.stop_after_attempt(2))
        self.assertEqual(n, 2)
        self.assertEqual(sleeps, [0.01])

    def test_async(self):
        rp = RetrysimPolicy("exponential:base=10ms,jitter=none,attempts=3", rng=retrypol.Rng(1))
        calls, tries = [], []

        async def f():
            calls.append(1)
            tries.append(1)
            if len(tries) < 3:
                raise httpx.ConnectError("refused", request=REQ)
            return "ok"

        async def sleep(s):
            calls.append(s)

        r = tenacity.AsyncRetrying(sleep=sleep, **rp.kwargs())
        self.assertEqual(asyncio.run(r(f)), "ok")
        self.assertEqual(calls, [1, 0.01, 1, 0.02, 1])

    def test_classify(self):
        self.assertEqual(classify(exc=httpx.ConnectError("x", request=REQ)).kind, "refused")
        self.assertEqual(classify(exc=httpx.ReadTimeout("x", request=REQ)).kind, "timeout")
        self.assertEqual(classify(exc=httpx.RemoteProtocolError("x", request=REQ)).kind, "reset")
        self.assertEqual(classify(exc=TimeoutError()).kind, "timeout")
        self.assertEqual(classify(exc=ConnectionResetError()).kind, "reset")
        self.assertIsNone(classify(exc=KeyError("x")))
        o = classify(exc=status_error(429, **{"retry-after": "3"}))
        self.assertEqual((o.kind, o.status, o.retry_after), ("http", 429, 3.0))
        self.assertEqual(classify(value=42).kind, "success")


if __name__ == "__main__":
    unittest.main()
