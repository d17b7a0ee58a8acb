"""The ctypes mirrors against the C compiler's view: for every mirrored struct,
sizeof and alignment, and for every field its offset and size; every mirrored
constant's value. A tiny C program prints them (compiled with cc against the
headers of the library under test), so a header change the mirror misses fails
here instead of corrupting memory at run time."""
import ctypes
import subprocess
import tempfile
import unittest

import _env
from retrypol import _lib


def c_program():
    lines = ['#include <stdio.h>', '#include <stddef.h>', '#include "retrypol.h"', 'int main(void) {']
    for s in _lib.MIRRORED:
        t = s.__name__
        lines.append(f'    printf("{t} %zu %zu\\n", sizeof({t}), _Alignof({t}));')
        for f in s._fields_:
            n = f[0]
            lines.append(f'    printf("{t}.{n} %zu %zu\\n", offsetof({t}, {n}), sizeof((({t} *)0)->{n}));')
    for name in _lib.CONSTANTS:
        lines.append(f'    printf("{name} %lld\\n", (long long)({name}));')
    lines += ['    return 0;', '}']
    return "\n".join(lines) + "\n"


def python_view():
    out = {}
    for s in _lib.MIRRORED:
        t = s.__name__
        out[t] = (ctypes.sizeof(s), ctypes.alignment(s))
        for f in s._fields_:
            d = getattr(s, f[0])
            out[f"{t}.{f[0]}"] = (d.offset, d.size)
    for name, v in _lib.CONSTANTS.items():
        out[name] = (v,)
    return out


class TestLayout(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        exe = _env.compile_c(c_program(), cls.tmp.name, "layout")
        text = subprocess.run([exe], capture_output=True, text=True, check=True).stdout
        cls.c = {ln.split()[0]: tuple(int(x) for x in ln.split()[1:]) for ln in text.splitlines()}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_every_struct_and_field(self):
        py = python_view()
        diffs = [f"{k}: C {self.c.get(k)} ctypes {v}" for k, v in py.items() if self.c.get(k) != v]
        self.assertEqual(diffs, [], "ctypes mirrors differ from the C layout:\n" + "\n".join(diffs))
        n_structs = len(_lib.MIRRORED)
        n_fields = sum(len(s._fields_) for s in _lib.MIRRORED)
        self.assertGreaterEqual(n_structs, 39)
        print(f"\nlayout: {n_structs} structs, {n_fields} fields, {len(_lib.CONSTANTS)} constants match the C compiler")

    def test_duration_settings_are_the_pol_ns_fields(self):
        # the keyword settings that take durations (_durations_ of a cfg mirror) are exactly its pol_ns fields
        import glob
        import os
        import re
        text = ""
        for h in glob.glob(os.path.join(_env.INCLUDE, "*.h")):
            with open(h) as f:
                text += re.sub(r"/\*.*?\*/", " ", f.read(), flags=re.S)
        structs = dict((name, body) for body, name in re.findall(r"typedef struct\s*\{([^{}]*)\}\s*(\w+)\s*;", text))
        checked = 0
        for s in (_lib.pol_breaker_cfg, _lib.pol_budget_cfg, _lib.pol_bucket_cfg, _lib.pol_lb_cfg, _lib.pol_quota_cfg,
                  _lib.pol_throttle_cfg, _lib.pol_hedge_cfg, _lib.pol_bulkhead_cfg, _lib.pol_cooldown_cfg,
                  _lib.pol_monitor_cfg):       # the cfgs of the stateful classes' keyword settings
            decls = [d.split(None, 1) for d in structs[s.__name__].split(";") if d.strip()]
            ns = {n.strip() for t, names in decls if t == "pol_ns" for n in names.split(",")}
            self.assertEqual(set(getattr(s, "_durations_", ())), ns, s.__name__)
            checked += 1
        self.assertEqual(checked, 10)

    def test_public_structs_are_all_mirrored(self):
        # every struct type the public API passes by pointer to a function this package calls
        names = {s.__name__ for s in _lib.MIRRORED}
        for needed in ("pol_retry_cfg", "pol_retry_state", "pol_layers_cfg", "pol_verdict", "pol_outcome",
                       "pol_breaker", "pol_budget", "pol_bucket", "pol_lb", "pol_lb_target", "pol_quota",
                       "pol_stack_cfg", "pol_window", "pol_failmask", "pol_throttle", "pol_cubic", "pol_rate_clocker",
                       "pol_cooldown", "pol_cooldown_target", "pol_hedge", "pol_bulkhead", "pol_monitor",
                       "pol_monitor_cfg"):
            self.assertIn(needed, names)


if __name__ == "__main__":
    unittest.main()
