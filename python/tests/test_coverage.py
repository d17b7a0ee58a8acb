"""Every function of libretrypol's API has a ctypes prototype in retrypol._lib:
the POL_API declarations of the headers under test are read, and each must
be prototyped with as many arguments as it declares and a return type exactly
when it returns one (so a function added to the library without its Python
prototype, or a prototype whose arity drifted, fails here)."""
import glob
import os
import re
import unittest

import _env
from retrypol import _lib

DECL = re.compile(r"POL_API\s+([^;{}()]*?)\b(pol_\w+)\s*\(([^()]*)\)\s*;")


def header_api():
    api = {}
    for h in sorted(glob.glob(os.path.join(_env.INCLUDE, "*.h"))):
        with open(h) as f:
            text = f.read()
        text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
        text = "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("#"))
        for ret, name, params in DECL.findall(text):
            params = params.strip()
            n = 0 if params in ("", "void") else params.count(",") + 1
            api[name] = (ret.strip() != "void", n)
    return api


class TestCoverage(unittest.TestCase):
    def test_every_api_function_is_prototyped(self):
        api = header_api()
        self.assertGreater(len(api), 150)
        protos = {n: (r is not None, len(a)) for n, r, *a in _lib._protos}
        protos.update({"pol_version": (True, 0), "pol_version_number": (True, 0), "pol_strerror": (True, 1)})
        missing = sorted(set(api) - set(protos))
        self.assertEqual(missing, [], "POL_API functions with no prototype in retrypol/_lib.py")
        self.assertEqual(sorted(set(protos) - set(api)), [], "prototypes of functions the headers do not declare")
        drift = [f"{n}: header (returns, args) {api[n]}, prototype {protos[n]}" for n in api if api[n] != protos[n]]
        self.assertEqual(drift, [])
        print(f"\ncoverage: {len(api)} POL_API functions, each with a matching ctypes prototype")

    def test_name_tables_are_the_librarys(self):
        L = _lib.lib
        self.assertEqual(_lib.BREAKER_STATES, [L.pol_breaker_state_name(i).decode() for i in range(3)])
        self.assertEqual(_lib.BREAKER_ANSWERS, [L.pol_breaker_answer_name(i).decode() for i in range(3)])
        self.assertEqual(_lib.OUTCOME_KINDS, [L.pol_outcome_kind_name(i).decode() for i in range(_lib.POL_OUT__COUNT)])
        self.assertEqual([L.pol_throttle_kind_name(i).decode() for i in range(2)], ["sre", "aws-adaptive"])
        self.assertEqual([L.pol_cooldown_kind_name(i).decode() for i in range(2)], ["litellm", "envoy"])


if __name__ == "__main__":
    unittest.main()
