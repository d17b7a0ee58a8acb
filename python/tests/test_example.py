"""python/examples/openai_mock.py against `retrysim mock`: the mock is started
on 127.0.0.1 port 0 (its "listening on 127.0.0.1:PORT" line gives the port, as
tests/e2e/live-lib.bash reads it), the example runs its requests through httpx
under the scenario's tuned policy, and must succeed with the 429s' Retry-After
honored."""
import os
import re
import signal
import subprocess
import sys
import time
import unittest

import _env

SCENARIO = os.path.join(_env.ROOT, "tests", "fixtures", "python-mock.yaml")
EXAMPLE = os.path.join(_env.ROOT, "python", "examples", "openai_mock.py")


class TestExample(unittest.TestCase):
    def setUp(self):
        self.mock = subprocess.Popen([_env.RETRYSIM, "mock", SCENARIO, "--port", "0", "--time-scale", "20"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = ""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.mock.stdout.readline()
            if line.startswith("listening on ") or not line:
                break
        m = re.fullmatch(r"listening on (127\.0\.0\.1:\d+)\n", line)
        if not m:
            self.mock.kill()
            self.fail(f"retrysim mock did not print 'listening on 127.0.0.1:PORT': {line!r} {self.mock.stderr.read()}")
        self.url = "http://" + m.group(1)

    def tearDown(self):
        self.mock.send_signal(signal.SIGINT)
        rc = self.mock.wait(timeout=30)
        self.mock.stdout.close()
        self.mock.stderr.close()
        self.assertEqual(rc, 0, "retrysim mock exited non-zero after SIGINT")

    def test_example_under_the_tuned_policy(self):
        env = dict(os.environ)
        env.setdefault("PYTHONPATH", os.path.join(_env.ROOT, "python"))
        r = subprocess.run([sys.executable, EXAMPLE, self.url, "--policy", SCENARIO + ":tuned", "--seed", "3"],
                           capture_output=True, text=True, env=env, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        summary = r.stdout.splitlines()[-1]
        f = dict(kv.split("=", 1) for kv in summary.split()[1:])
        self.assertEqual(f["ok"], f["requests"])
        statuses = dict(s.split(":") for s in f["statuses"].split(","))
        self.assertGreater(int(statuses.get("429", 0)), 0, summary)       # the storm happened ...
        self.assertGreater(int(f["attempts"]), int(f["requests"]))        # ... and was retried
        self.assertGreater(int(f["hinted_sleeps"]), 0)
        # retry_after: max -> every sleep after a hinted 429 is at least the hint (retry-after-ms)
        for m in re.finditer(r"429->sleep ([0-9.]+)s \(hint ([0-9.]+)\)", r.stdout):
            self.assertGreaterEqual(float(m.group(1)) + 1e-9, float(m.group(2)) / 1000)
        print(f"\nexample: {summary}")


if __name__ == "__main__":
    unittest.main()
