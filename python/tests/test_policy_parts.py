"""Policies from scenario files: the stateful parts of a policy entry
(retrypol.parts_from_dict, retrypol.load_policy) against the simulator's own
loader. A C driver compiled here against build/libretrysim.a loads every
canonical scenario with sim_scenario_load and prints, for every policy, each
part it turns on (sim_stateful.use) with its scope and the bytes of its cfg
struct, and the policy-level settings (limiter tokens, lb weights, tiers,
sticky, hedge pick, gateway_size, degraded, fallback chains, targets); the
Python side prints the same from PyYAML + parts_from_dict, and the lines must
be identical (bytes compared on the fields' ranges, from the ctypes mirrors
that test_layout checks: padding is not data). Entries written to exercise
every key, kind, stack preset and hook go through both sides too; and
refused entries (unknown keys, negative durations, bad enums, ...) must be
refused by both, the Python error naming the key."""
import ctypes
import glob
import os
import subprocess
import tempfile
import unittest

import _env
import retrypol
from retrypol import _policy_parts as PP

try:
    import yaml
except ImportError:       # tests/e2e/python.sh fails before running without it
    yaml = None

DRIVER = r"""
#include <stdio.h>
#include "scenario.h"
static void hex(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) printf("%02x", b[i]);
}
static void chain(const sim_scenario *s, const char *tag, const int *t, int n)
{
    printf(" %s=", tag);
    for (int i = 0; i < n; i++) printf("%s%s", i ? "," : "", s->providers[t[i]].name);
}
int main(int argc, char **argv)
{
    static const char *const SCOPES[] = { "request", "client", "gateway", "global", "class" };
    for (int a = 1; a < argc; a++) {
        sim_scenario s;
        sim_err err;
        if (sim_scenario_load(argv[a], NULL, 0, &s, &err) < 0) { printf("error %s\n", err.msg); continue; }
        for (int i = 0; i < s.npolicies; i++) {
            const sim_policy *p = &s.policies[i];
            const sim_stateful *st = &p->st;
            printf("policy %s\n", p->name);
#define X(ID, f, key, T) if (st->use[SIM_PART_##ID]) { \
                printf("part %s %s %zu ", key, SCOPES[st->scope[SIM_PART_##ID]], sizeof st->f); \
                hex(&st->f, sizeof st->f); printf("\n"); }
            SIM_PARTS(X)
#undef X
            printf("extra");
            if (st->use[SIM_PART_LIMITER]) printf(" tokens=%d", st->limiter_tokens);
            if (st->use[SIM_PART_LB]) {
                printf(" weights=");
                for (int k = 0; k < p->ntargets; k++) printf("%s%.17g", k ? "," : "", st->lb_weights[k]);
                printf(" tiers=");
                for (int k = 0; k < st->nlb_tiers; k++) printf("%s%d", k ? "," : "", st->lb_tiers[k]);
                printf(" sticky=%d", st->lb_sticky);
            }
            if (st->use[SIM_PART_HEDGE]) printf(" list_order=%d", st->hedge_list_order);
            printf(" gateway_size=%d degraded=%d", st->gateway_size, st->degraded);
            chain(&s, "context", st->ctx_targets, st->nctx);
            chain(&s, "content", st->content_targets, st->ncontent);
            chain(&s, "targets", p->targets, p->ntargets);
            printf("\n");
        }
        sim_scenario_free(&s);
    }
    return 0;
}
"""

_exe = None
_tmp = None


def c_loader():
    """The driver, compiled once against the build's static libraries."""
    global _exe, _tmp
    if _exe is None:
        _tmp = tempfile.TemporaryDirectory()
        build = os.path.join(_env.ROOT, _env.BUILD)
        src = os.path.join(_tmp.name, "parts.c")
        _exe = os.path.join(_tmp.name, "parts")
        with open(src, "w") as f:
            f.write(DRIVER)
        san = ["-fsanitize=" + os.environ["SANITIZE"]] if os.environ.get("SANITIZE") else []
        inc = [f"-I{os.path.join(_env.ROOT, d)}" for d in ("sim/scenario", "sim/util", "policies")]
        cmd = [_env.CC, "-std=c11", "-D_POSIX_C_SOURCE=200809L", "-D_DEFAULT_SOURCE", "-Wall", "-Werror", *san, *inc,
               src, "-o", _exe, os.path.join(build, "libretrysim.a"), os.path.join(build, "libretrypol.a"),
               "-lyaml", "-lcsv", "-lcurl", "-lmicrohttpd", "-ljansson", "-lgsl", "-lgslcblas", "-lm"]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} failed:\n{r.stderr}")
    return _exe


def c_lines(paths):
    r = subprocess.run([c_loader(), *paths], capture_output=True, text=True, check=True)
    return r.stdout.splitlines()


def _ranges(struct, base=0):
    """(offset, size) of every leaf field of a ctypes Structure (arrays whole)."""
    out = []
    for name, typ in struct._fields_:
        f = getattr(struct, name)
        if isinstance(typ, type) and issubclass(typ, ctypes.Structure):
            out += _ranges(typ, base + f.offset)
        else:
            out.append((base + f.offset, f.size))
    return out


def field_bytes(hexstr, struct):
    """The bytes of hexstr (a whole struct) that are fields of struct, as hex."""
    raw = bytes.fromhex(hexstr)
    return "".join(raw[o:o + n].hex() for o, n in _ranges(struct))


def py_lines(entries, providers):
    """The driver's lines for PyYAML policy entries, from parts_from_dict."""
    out = []
    for e in entries:
        name = e.get("name") or e.get("preset")
        p = retrypol.parts_from_dict(e, providers=providers, now=0, rng=retrypol.Rng(1))
        out.append(f"policy {name}")
        for k in p.uses:
            c = p.cfgs[k]
            out.append(f"part {k} {p.scope[k]} {ctypes.sizeof(c)} {field_bytes(bytes(c).hex(), type(c))}")
        x = "extra"
        if "rate_limiter" in p.uses:
            x += f" tokens={p.rate_limiter_tokens}"
        if "load_balancing" in p.uses:
            x += " weights=" + ",".join(_env.G % w for w in p.lb_weights)
            x += " tiers=" + ",".join(str(t) for t in p.lb_tiers) + f" sticky={p.lb_sticky}"
        if "hedge" in p.uses:
            x += f" list_order={p.hedge_list_order}"
        x += f" gateway_size={p.gateway_size} degraded={p.degraded}"
        x += " context=" + ",".join(p.context_fallback) + " content=" + ",".join(p.content_fallback)
        x += " targets=" + ",".join(p.targets or providers[:1])
        out.append(x)
    return out


def c_masked(lines):
    """C lines with each part's bytes cut to its fields (the Python mirror's ranges)."""
    structs = {p.key: p.struct for p in PP.PARTS}
    out = []
    for ln in lines:
        if ln.startswith("part "):
            _, k, scope, size, hx = ln.split(" ")
            ln = f"part {k} {scope} {size} {field_bytes(hx, structs[k])}"
        out.append(ln)
    return out


def blocks(lines):
    """Lines cut into one list per 'policy NAME' line."""
    out = []
    for ln in lines:
        if ln.startswith("policy "):
            out.append([])
        out[-1].append(ln)
    return out


def load_doc(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def doc_entries(doc):
    return [e for e in doc.get("policies") or [] if "import" not in e]


def providers_of(doc):
    return [p["name"] for p in doc.get("providers") or []]


BASE = """scenario: parts
duration: 1m
seed: 1
providers:
  - { name: a, rate_limit: { rpm: 600 } }
  - { name: b, rate_limit: { rpm: 600 } }
  - { name: c, rate_limit: { rpm: 600 } }
workload: { clients: 2 }
policies:
"""

# entries written to reach every key, kind, hook and stack preset
EXTRA = """
  - name: breaker-rate
    breaker: { kind: rate, window: time, window_size: 30, min_calls: 5, failure_rate: 40%, slow_rate: 80,
               slow_duration: 2.5s, break: 10s, break_max: 2m, probes: 3, half_open: all,
               half_open_max_wait: 1s, fail_on: [429, 5xx, timeout, refused], scope: client }
  - name: breaker-ratio
    breaker: { kind: ratio, failure_ratio: 0.25, sampling: 30s, min_throughput: 10, break: 500ms, scope: gateway }
    gateway_size: 7
  - name: budgets-aws
    budget: { kind: aws, capacity: 50, retry_cost: 5, timeout_cost: 10, no_retry_refund: 1, scope: request }
  - name: budget-grpc
    budget: { kind: grpc, max_tokens: 10, token_ratio: 0.1 }
  - name: budget-envoy
    budget: { kind: envoy, budget_percent: 20%, min_concurrency: 3 }
  - name: budget-ratio
    budget: { percent: 12.5%, min_per_sec: 2, ttl: 15s, slices: 15 }
  - name: throttles
    throttle: { kind: sre, k: 1.5, window: 1m, slices: 60, scope: class }
  - name: throttle-aws
    throttle: { kind: aws-adaptive, beta: 0.6, scale_c: 0.5, min_fill_rate: 0.25, smoothing: 0.7,
                rate_bucket: 250ms, max_rate_scale: 3 }
  - name: limiters
    rate_limiter: { rate: 4200/min, burst: 12.5, tokens: yes }
    bulkhead: { max: 9, scope: client }
  - name: limiter-plain
    rate_limiter: { rate: 3.5 }
  - name: cooldown-litellm
    targets: [a, b, c]
    cooldown: { allowed_fails: 2, cooldown: 7s, failure_threshold: 0.4, min_requests: 3, retry_after_sets: true,
                retry_after_cap: 45s, fail_on: [429, 503] }
    load_balancing: { strategy: weighted-random, weights: [1, 0, 2.5], tiers: [2, 1], sticky: true }
    monitor: { window: 10m, slices: 60, threshold: 4, alert: every, fail_on: [5xx], scope: class }
    context_fallback: [b, c]
    content_fallback: [c]
    degraded: true
  - name: cooldown-envoy
    targets: [a, b]
    cooldown: { kind: envoy, consecutive_5xx: 3, base_ejection: 20s, max_ejection: 2m, max_ejection_percent: 50,
                interval: 5s }
    load_balancing: { strategy: ewma, decay: 5s }
  - name: lb-usage
    targets: [a, b]
    load_balancing: { strategy: lowest-usage, usage_relative: on }
  - name: lb-success
    targets: [b, c]
    load_balancing: { strategy: highest-success-rate, success_window: 30s }
  - name: quota-all
    quota: { min_requests: 2, min_tokens: 1000, jitter: 50ms, max_wait: 30s, scope: client }
  - name: hedge-delay
    hedge: { delay: 750ms, max_attempts: 3, max_in_flight: 2, window: 500, min_samples: 20 }
  - name: hedge-quantile
    hedge: { delay: p99.5, max_attempts: 2 }
  - name: hedge-parallel
    targets: [a, b]
    hedge: { mode: parallel, max_attempts: 2, pick: list-order }
  - name: over-aws-adaptive
    preset: aws-adaptive
    throttle: { beta: 0.5 }
    budget: { kind: ratio }
  - name: over-litellm-router
    preset: litellm-router
    targets: [a, b]
    cooldown: { cooldown: 9s }
    load_balancing: { strategy: least-outstanding }
  - preset: envoy
    targets: [a, b, c]
    hedge: { delay: 1s }
  - preset: grpc
  - preset: aws-standard
    budget: { capacity: 100 }
"""


def _write(tmp, name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path


@unittest.skipIf(yaml is None, "PyYAML missing")
class TestPartsEqualToLoader(unittest.TestCase):
    def test_canonical_scenarios(self):
        paths = sorted(glob.glob(os.path.join(_env.ROOT, "scenarios", "*.yaml")))
        self.assertGreaterEqual(len(paths), 20)
        cmp_c, cmp_py = [], []
        for path in paths:
            doc = load_doc(path)
            py_blocks = blocks(py_lines(doc_entries(doc), providers_of(doc)))
            c_out = c_masked(c_lines([path]))
            self.assertFalse([ln for ln in c_out if ln.startswith("error")], f"the C loader refused {path}")
            c_blocks = {b[0]: b for b in blocks(c_out)}
            for b in py_blocks:                 # the file's own entries (import: ones are the C side's alone)
                self.assertIn(b[0], c_blocks, f"{path}: the C loader has no {b[0]}")
                cmp_c.append(c_blocks[b[0]])
            cmp_py += py_blocks
        npol = nparts = 0
        flat_c = [ln for blk in cmp_c for ln in blk]
        flat_py = [ln for blk in cmp_py for ln in blk]
        _env.assert_lines(self, flat_py, flat_c)
        for blk in cmp_py:
            k = sum(ln.startswith("part ") for ln in blk)
            if k:
                npol += 1
                nparts += k
        self.assertGreaterEqual(npol, 50)
        print(f"\npolicy_parts: {npol} policies of {len(paths)} canonical scenarios with {nparts} stateful parts, "
              f"{len(cmp_py)} policies compared with sim_scenario_load", end=" ")

    def test_every_key(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = _write(tmp, "parts.yaml", BASE + EXTRA)
            want = c_masked(c_lines([path]))
            self.assertFalse([ln for ln in want if ln.startswith("error")], want[:1])
            doc = load_doc(path)
            got = py_lines(doc_entries(doc), providers_of(doc))
        _env.assert_lines(self, got, want)
        parts = [ln.split()[1] for ln in got if ln.startswith("part ")]
        self.assertEqual(set(parts), set(PP.PART_KEYS))          # every part reached
        self.assertGreaterEqual(len(parts), 30)

    def test_load_policy(self):
        path = os.path.join(_env.ROOT, "scenarios", "load-balancing.yaml")
        policy, parts = retrypol.load_policy(path, "round-robin-envoy-ejection", now=0, rng=retrypol.Rng(3))
        self.assertIsInstance(policy, retrypol.Policy)
        self.assertEqual(parts.uses, ["cooldown", "load_balancing", "monitor"])
        self.assertIsInstance(parts.cooldown, retrypol.Cooldown)
        self.assertIsInstance(parts.lb, retrypol.LoadBalancer)
        self.assertIsInstance(parts.monitor, retrypol.Monitor)
        self.assertIsNone(parts.breaker)
        self.assertEqual(parts.cooldown.kind, "envoy")
        self.assertEqual(len(parts.lb.targets), parts.ntargets)
        self.assertIn(parts.lb.pick(now=0), range(parts.ntargets))
        self.assertEqual(parts["cooldown"], parts.cooldown)
        fresh = parts.new(now=0)
        self.assertIsNot(fresh.cooldown, parts.cooldown)
        _, ad = retrypol.load_policy(os.path.join(_env.ROOT, "scenarios", "adaptive-collapse.yaml"),
                                     "aws-adaptive-per-client", now=0)
        self.assertEqual(ad.uses, ["budget", "throttle"])        # the stack preset's parts
        self.assertEqual((ad.scope["throttle"], ad.scope["budget"]), ("client", "global"))
        self.assertEqual(ad.throttle.kind, "aws-adaptive")
        st = retrypol.stack("aws-adaptive")
        self.assertEqual(bytes(ad.cfgs["budget"]), bytes(st.cfg.budget))
        _, rl = retrypol.load_policy(os.path.join(_env.ROOT, "scenarios", "client-pacing.yaml"), "client-rate-limiter",
                                     now=0)
        self.assertIsInstance(rl.rate_limiter, retrypol.TokenBucket)
        self.assertGreater(rl.rate_limiter.rate, 0)
        with self.assertRaises(retrypol.PolicyError):
            retrypol.load_policy(path, "no-such-policy")


# (entry text, what the Python message must name); the C loader must refuse each too
BAD = [
    ("breaker: { fail_maxx: 3 }", "fail_maxx"),
    ("budget: { kind: ratio, percent: 10%, bogus: 1 }", "bogus"),
    ("sideways: 1", "sideways"),
    ("breaker: { break: -5s }", "break"),
    ("cooldown: { cooldown: -1s }", "cooldown"),
    ("quota: { max_wait: -250ms }", "max_wait"),
    ("hedge: { delay: -1s }", "hedge delay"),
    ("breaker: { kind: sliding }", "sliding"),
    ("breaker: { half_open: some }", "half_open"),
    ("monitor: { alert: always }", "alert"),
    ("load_balancing: { strategy: fastest }", "fastest"),
    ("throttle: { kind: aws-adaptive, scope: everywhere }", "scope"),
    ("monitor: { scope: client }", "client"),
    ("load_balancing: { sticky: true }", "strategy"),
    ("rate_limiter: { burst: 3 }", "rate"),
    ("rate_limiter: { rate: 0/s }", "rate"),
    ("bulkhead: { max: 0 }", "max"),
    ("breaker: { fail_max: 2.5 }", "fail_max"),
    ("breaker: { failure_ratio: 1.5 }", "failure_ratio"),
    ("budget: { percent: lots }", "percent"),
    ("breaker: { fail_on: 429 }", "fail_on"),
    ("breaker: { fail_on: [200] }", "fail_on"),
    ("hedge: { delay: 0 }", "delay"),
    ("hedge: { delay: p100 }", "p100"),
    ("hedge: { delay: 1s, pick: list-order }", "pick"),
    ("hedge: { delay: 1s, max_attempts: 5 }", "max_attempts"),
    ("throttle: { k: 0 }", "'k'"),
    ("breaker: { sampling: 0 }", "sampling"),
    ("cooldown: { retry_after_sets: maybe }", "retry_after_sets"),
    ("gateway_size: 0", "gateway_size"),
    ("degraded: sometimes", "degraded"),
    ("context_fallback: [nowhere]", "nowhere"),
    ("targets: [a, b]\n    load_balancing: { strategy: p2c, weights: [1] }", "weights"),
    ("targets: [a, b]\n    load_balancing: { strategy: p2c, tiers: [1, 2] }", "tiers"),
    ("breaker: [1, 2]", "breaker"),
    ("budget: { kind: aws, capacity: 0 }", "capacity"),
]


@unittest.skipIf(yaml is None, "PyYAML missing")
class TestPartsRefused(unittest.TestCase):
    def test_refused_by_both(self):
        with tempfile.TemporaryDirectory() as tmp:
            paths = [_write(tmp, f"bad{i}.yaml", BASE + f"  - name: bad\n    {text}\n") for i, (text, _) in
                     enumerate(BAD)]
            c = [ln for ln in c_lines(paths) if ln.startswith(("error", "policy"))]
            for (text, key), path in zip(BAD, paths):
                doc = load_doc(path)
                with self.subTest(entry=text):
                    with self.assertRaises(retrypol.PolicyError) as cm:
                        retrypol.parts_from_dict(doc["policies"][0], providers=providers_of(doc))
                    self.assertIn(key, str(cm.exception))
        self.assertEqual(len(c), len(BAD))
        refused = [ln for ln in c if ln.startswith("error")]
        self.assertEqual(len(refused), len(BAD), [t for (t, _), ln in zip(BAD, c) if not ln.startswith("error")])

    def test_good_twins_accepted(self):
        """The same keys with good values pass: the refusals above are the values'."""
        good = {"breaker": {"break": "5s", "kind": "rate", "half_open": "all"}, "monitor": {"alert": "every"},
                "quota": {"max_wait": "250ms"}, "hedge": {"delay": "p95"}, "rate_limiter": {"rate": "1/s"},
                "bulkhead": {"max": 1}, "throttle": {"kind": "aws-adaptive", "scope": "client"}}
        p = retrypol.parts_from_dict(dict(good, name="ok"), now=0)
        self.assertEqual(p.uses, ["breaker", "throttle", "rate_limiter", "bulkhead", "quota", "hedge", "monitor"])
        self.assertEqual(p.cfgs["breaker"].break_duration, 5 * 10**9)
        self.assertEqual(p.cfgs["breaker"].half_open, 1)
        self.assertEqual(p.cfgs["hedge"].use_quantile, 1)
        self.assertAlmostEqual(p.cfgs["hedge"].quantile, 0.95)
        self.assertEqual(p.scope["throttle"], "client")
        self.assertEqual(retrypol.parts_from_dict({"name": "none"}).uses, [])
        self.assertEqual(retrypol.parts_from_dict({"name": "n", "breaker": None}).uses, [])   # null = absent


if __name__ == "__main__":
    unittest.main()
