"""retrypol.delays against `retrysim delays ... --csv`, byte for byte: presets,
inline specs with per-kind rules, every policy of the canonical scenario files
(read with PyYAML and Policy.from_dict, the C side with FILE.yaml:NAME), with
and without --kind, several seeds."""
import glob
import os
import subprocess
import unittest

import _env
import retrypol


def cli(args):
    r = subprocess.run([_env.RETRYSIM, "delays"] + args + ["--csv"], capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError(f"retrysim delays {' '.join(args)}: exit {r.returncode}: {r.stderr}")
    return r.stdout


SPECS = [
    "openai-python", "anthropic-python", "aws-standard", "polly-v8-exponential-jitter", "envoy", "portkey",
    "exponential:base=1s,cap=60s,jitter=full,attempts=5",
    "exponential:base=1s,cap=60s,jitter=full,attempts=5;on=429:base=2s",
    "exponential:base=500ms,cap=20s,jitter=decorrelated,attempts=7",
    "linear:base=250ms,step=1s,jitter=proportional,factor=0.3,attempts=4",
    "constant:base=2s,jitter=additive,jitter_max=1s,attempts=3",
    "exponential:base=1s,jitter=full,attempts=6;on=429:base=2s,attempts=5;on=5xx|529:jitter=none,attempts=3;count=per-kind",
    "openai-python;on=429:attempts=5",
]


class TestDelaysEqual(unittest.TestCase):
    compared = 0

    def same(self, policies, args, **kw):
        want = cli([p if isinstance(p, str) else p.name for p in policies] + args)
        got = retrypol.delays_csv(policies, **kw)
        self.assertEqual(got, want, f"retrypol.delays_csv differs from retrysim delays {args}")
        TestDelaysEqual.compared += 1
        return want

    def test_specs(self):
        for seed in (1, 42):
            out = self.same(SPECS, ["--seed", str(seed), "--draws", "2000"], seed=seed, draws=2000)
            self.assertGreater(len(out.splitlines()), 40)

    def test_specs_default_draws(self):
        # the command's defaults: 10000 draws, seed 1
        self.same(SPECS[:3] + SPECS[7:8], [])

    def test_kinds_and_attempts(self):
        for kinds in ("429", "429,503", "timeout,500,429", "400", "context-window"):
            self.same(SPECS, ["--seed", "9", "--draws", "500", "--kind", kinds], seed=9, draws=500, kinds=kinds)
        self.same(SPECS, ["--seed", "3", "--draws", "500", "--attempts", "9"], seed=3, draws=500, attempts=9)

    def test_scenario_policies(self):
        try:
            import yaml  # noqa: F401
        except ImportError:
            self.fail("PyYAML (python3-yaml) is needed by this test: make deps installs it")
        files = sorted(glob.glob(os.path.join(_env.ROOT, "scenarios", "*.yaml")))
        self.assertGreater(len(files), 10)
        n = 0
        for f in files:
            rel = os.path.relpath(f, _env.ROOT)
            cwd = os.getcwd()
            os.chdir(_env.ROOT)
            try:
                pols = retrypol.Policy.all_from_yaml(rel)
                for kinds in (None, "429,503"):
                    args = ["--seed", "7", "--draws", "300"] + (["--kind", kinds] if kinds else [])
                    self.same(pols, args, seed=7, draws=300, kinds=kinds)
                n += len(pols)
            finally:
                os.chdir(cwd)
        self.assertGreater(n, 40)

    @classmethod
    def tearDownClass(cls):
        print(f"\ndelays: {cls.compared} retrysim delays outputs reproduced byte for byte")


if __name__ == "__main__":
    unittest.main()
