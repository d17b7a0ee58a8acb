"""The package itself: its version against the library's and pyproject's,
where it finds the library, the spec and dict errors, presets."""
import os
import re
import subprocess
import sys
import unittest

import _env
import retrypol
import retrypol._lib as L


def read(*path):
    with open(os.path.join(_env.ROOT, *path)) as f:
        return f.read()


class TestPackage(unittest.TestCase):
    def test_versions(self):
        hdr = read("policies", "pol_version.h")
        v = [re.search(rf"#define POL_VERSION_{k} +(\d+)", hdr).group(1) for k in ("MAJOR", "MINOR", "PATCH")]
        self.assertEqual(retrypol.__version__, ".".join(v))
        self.assertEqual(retrypol._lib.VERSION_NUMBER, int(v[0]) * 1000000 + int(v[1]) * 1000 + int(v[2]))
        pyproject = read("python", "pyproject.toml")
        self.assertIn(f'version = "{retrypol.__version__}"', pyproject)
        self.assertEqual(retrypol.library_version(), retrypol.__version__)

    def run_py(self, code, **env):
        e = dict(os.environ, **env)
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=e,
                              cwd=os.path.join(_env.ROOT, "python"))

    def test_version_mismatch_refused_at_import(self):
        # a library that says another version: the import fails with both versions named
        r = self.run_py("import retrypol._lib as L\n"
                        "L.VERSION_NUMBER = 2003\n"
                        "try:\n    L.check_version()\nexcept ImportError as e:\n    print('refused:', e)\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("refused: libretrypol %s (%d)" % (L.VERSION, L.VERSION_NUMBER), r.stdout)
        self.assertIn("package is for", r.stdout)

    def test_library_lookup(self):
        r = self.run_py("import retrypol", RETRYPOL_LIBRARY="/nonexistent/libretrypol.so")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("RETRYPOL_LIBRARY=/nonexistent/libretrypol.so: no such file", r.stderr)
        self.assertTrue(retrypol.library_path().endswith("libretrypol.so"))

    def test_presets(self):
        names = [p.name for p in retrypol.presets()]
        self.assertEqual(names[0], "openai-python")
        self.assertIn("portkey", names)
        for n in names:
            self.assertEqual(retrypol.preset(n).max_attempts, retrypol.Policy(n).max_attempts)

    def test_spec_errors(self):
        for spec, msg in (("nope", "unknown policy 'nope'"), ("exponential:bsae=1s", "unknown key 'bsae'"),
                          ("exponential:base=soon", "bad value 'soon' for base"),
                          ("constant;on=200:attempts=2", "bad match '200'")):
            with self.assertRaises(retrypol.PolicyError) as cm:
                retrypol.Policy(spec)
            self.assertIn(msg, str(cm.exception))

    def test_dict_policies(self):
        p = retrypol.Policy.from_dict({"preset": "openai-python",
                                       "retry": {"max_attempts": 5, True: [{"match": 429, "base": "2s"}]}})
        self.assertEqual(p.max_attempts, 5)
        self.assertEqual(p.cfg.nrules, 1)
        self.assertEqual(p.cfg.rules[0].backoff.base, 2 * 10**9)
        self.assertEqual(retrypol.Policy.from_dict({"base": "1.5s"}).cfg.backoff.step, 1500000000)
        for bad, msg in (({"retry": {"bsae": "1s"}}, "unknown key 'bsae'"),
                         ({"retry": {"base": "soon"}}, "expected a duration"),
                         ({"retry": {"retry_on": [200]}}, "between 400 and 599"),
                         ({"preset": "nope"}, "unknown preset 'nope'"),
                         ({"retry": {"on": [{"match": 429, "deadline": "1s"}]}}, "cannot be set per kind"),
                         ({"retry": {"multiplier": 0.5}}, "between 1 and 1000")):
            with self.assertRaises(retrypol.PolicyError) as cm:
                retrypol.Policy.from_dict(bad)
            self.assertIn(msg, str(cm.exception))
        self.assertEqual(retrypol.parse_duration("1.5s"), 1500000000)
        self.assertEqual(retrypol.parse_duration("2m"), 120 * 10**9)


if __name__ == "__main__":
    unittest.main()
