"""retrypol — the retry policies of retrysim (libretrypol) for Python clients.

The policy you simulate with `retrysim` is the code you run: this package
calls libretrypol.so through ctypes (no compiler at install time), with
struct mirrors that tests/test_layout.py checks against the C compiler, and
draws its jitter from the same GSL generator (gsl_rng_taus2), so
`retrypol.delays(Policy(SPEC), seed=S)` prints exactly what
`retrysim delays SPEC --seed S --csv` prints.

    import retrypol
    policy = retrypol.Policy("openai-python;on=429:attempts=5")    # a preset, an inline spec
    req = policy.request()                                          # one logical request
    while True:
        resp = send()
        d = req.next(status=resp.status_code, headers=resp.headers)
        if not d.retry:
            break                                                   # d.action: done, give-up, fallback
        time.sleep(d.delay)

Times are seconds (floats, time.monotonic() by default); the C library's
nanoseconds are kept exactly in the *_ns attributes. docs/python.md has the
whole API; docs/policies.md the semantics of every decision.

Threads: a Policy is read-only and may be shared; a Request belongs to one
request (one thread at a time); an Rng and every stateful part (Breaker,
Budget, TokenBucket, LoadBalancer, Quota, Throttle, Cooldown, Hedge,
Bulkhead, Monitor, ...) are not thread-safe: one per thread, or a lock
around each (docs/policies.md §9).
"""
import ctypes
import os
import time
from collections import namedtuple

from . import _lib
from . import _policy_dict
from ._lib import VersionMismatch, library_path  # noqa: F401
from ._policy_dict import PolicyError, parse_duration  # noqa: F401
from ._policy_parts import Parts, parts_from_dict  # noqa: F401

__version__ = _lib.VERSION
__all__ = ["Policy", "Request", "Decision", "Outcome", "Rng", "RetrypolError", "PolicyError", "VersionMismatch",
           "presets", "preset", "stack_presets", "stack", "Stack", "delays", "delays_csv", "library_version", "library_path",
           "parse_retry_after", "parse_retry_after_ms", "parse_should_retry", "parse_duration",
           "parse_quota_duration", "parse_quota_count", "parse_quota_timestamp",
           "Breaker", "Budget", "TokenBucket", "LoadBalancer", "Quota", "Throttle", "ThrottleAnswer", "Cubic",
           "RateClocker", "Cooldown", "Hedge", "Bulkhead", "BulkheadFull", "Monitor", "FailMask", "Window",
           "Moments", "Parts", "parts_from_dict", "load_policy"]

_L = _lib.lib
_byref = ctypes.byref
NS = _lib.POL_NS_PER_S


class RetrypolError(ValueError):
    """A libretrypol call refused its input: .code is the POL_E* code, the
    message pol_strerror's (or the spec parser's)."""

    def __init__(self, code, message=None):
        self.code = code
        super().__init__(message or _lib.strerror(code))


def library_version():
    """The running libretrypol's version string (pol_version())."""
    return _L.pol_version().decode()


def _ns(t):
    """seconds (float or int) -> ns; a str is a duration ('250ms')."""
    if isinstance(t, str):
        return parse_duration(t)
    return int(round(t * NS))


def _now_ns(now):
    return time.monotonic_ns() if now is None else _ns(now)


# ---- randomness -----------------------------------------------------------------

class Rng:
    """A GSL generator (gsl_rng_taus2, as the simulator and `retrysim delays`).
    seed None: 32 random bits from os.urandom — what a production client wants,
    since clients seeded alike would jitter alike (a thundering herd); a fixed
    seed reproduces the simulator's draws."""

    def __init__(self, seed=None):
        if seed is None:
            seed = int.from_bytes(os.urandom(4), "little")
        self.seed = seed
        self._p = _lib.gsl.gsl_rng_alloc(_lib.gsl_rng_taus2)
        if not self._p:
            raise MemoryError("gsl_rng_alloc")
        _lib.gsl.gsl_rng_set(self._p, seed)

    def uniform(self):
        return _lib.gsl.gsl_rng_uniform(self._p)

    def uniform_int(self, n):
        """gsl_rng_uniform_int: an integer in [0, n)."""
        return _lib.gsl.gsl_rng_uniform_int(self._p, n)

    @property
    def pointer(self):
        return self._p

    def __del__(self):
        p, self._p = getattr(self, "_p", None), None
        if p:
            _lib.gsl.gsl_rng_free(p)


_default_rng = None


def _rng(rng):
    global _default_rng
    if rng is not None:
        return rng
    if _default_rng is None:
        _default_rng = Rng()
    return _default_rng


# ---- hints --------------------------------------------------------------------

def _check(rc):
    if rc < 0:
        raise RetrypolError(rc)
    return rc


def parse_retry_after_ms(value):
    """retry-after-ms -> seconds (float). RetrypolError (POL_EPARSE, POL_ERANGE) otherwise."""
    out = _lib.c_ns()
    _check(_L.pol_hint_parse_retry_after_ms(_b(value), _byref(out)))
    return out.value / NS


def parse_retry_after(value, wall_now=None):
    """Retry-After (delta-seconds or an HTTP-date, against wall_now: Unix
    seconds, default time.time()) -> seconds (float)."""
    out = _lib.c_ns()
    _check(_L.pol_hint_parse_retry_after(_b(value), _wall_ns(wall_now), _byref(out)))
    return out.value / NS


def parse_should_retry(value):
    """x-should-retry: 'true' -> True, 'false' -> False."""
    out = ctypes.c_int()
    _check(_L.pol_hint_parse_should_retry(_b(value), _byref(out)))
    return bool(out.value)


def parse_quota_duration(value):
    """An OpenAI reset duration ('6m0s', '250ms') -> seconds."""
    out = _lib.c_ns()
    _check(_L.pol_quota_parse_duration(_b(value), _byref(out)))
    return out.value / NS


def parse_quota_count(value):
    out = ctypes.c_int64()
    _check(_L.pol_quota_parse_count(_b(value), _byref(out)))
    return out.value


def parse_quota_timestamp(value, wall_now=None):
    """An RFC 3339 reset time -> seconds from wall_now (past: 0)."""
    out = _lib.c_ns()
    _check(_L.pol_quota_parse_timestamp(_b(value), _wall_ns(wall_now), _byref(out)))
    return out.value / NS


def _b(s):
    if s is None:
        return None
    return s if isinstance(s, bytes) else str(s).encode()


def _wall_ns(wall_now):
    return time.time_ns() if wall_now is None else int(round(wall_now * NS))


def _header_items(headers):
    if headers is None:
        return []
    if hasattr(headers, "multi_items"):          # httpx.Headers: every value of a repeated name
        return list(headers.multi_items())
    if hasattr(headers, "items"):
        return list(headers.items())
    return list(headers)


def _default_status(kind):
    """The status an outcome kind carries when none is given."""
    if kind in ("context-window", "content-policy"):
        return 400
    return 200 if kind.startswith("stream-") else 0


class Outcome:
    """What one attempt ended with (pol_outcome): kind 'success', 'http',
    'timeout', 'refused', 'reset', 'context-window', 'content-policy', or a
    stream that failed after its first byte: 'stream-cut', 'stream-error',
    'stream-timeout' (status 200), the HTTP status, the server's hint (retry_after, seconds, or None) and
    x-should-retry (None, True, False)."""

    def __init__(self, kind=None, status=None, headers=None, wall_now=None, hint=None):
        if isinstance(kind, int) and status is None:
            kind, status = None, kind
        if kind is None:
            if status is None:
                raise ValueError("an outcome needs a kind or a status")
            kind = "success" if 200 <= status < 300 else "http"
        if kind not in _lib.OUTCOME_KINDS:
            raise ValueError(f"unknown outcome kind '{kind}' (one of {', '.join(_lib.OUTCOME_KINDS)})")
        k = _lib.OUTCOME_KINDS.index(kind)
        if status is None:
            status = _default_status(kind)
        self._o = _lib.pol_outcome(k, status, -1, -1)
        wall = _wall_ns(wall_now)
        hp = _byref(hint) if hint is not None else None
        for name, value in _header_items(headers):
            # a malformed value leaves the outcome as it was (the SDKs ignore it too)
            _L.pol_hint_apply_header_as(_byref(self._o), _b(name), _b(value), wall, hp)

    kind = property(lambda self: _lib.OUTCOME_KINDS[self._o.kind])
    status = property(lambda self: self._o.status)
    retry_after_ns = property(lambda self: None if self._o.retry_after < 0 else self._o.retry_after)
    retry_after = property(lambda self: None if self._o.retry_after < 0 else self._o.retry_after / NS)
    should_retry = property(lambda self: None if self._o.should_retry < 0 else bool(self._o.should_retry))

    def __repr__(self):
        return (f"Outcome({self.kind!r}, status={self.status}, retry_after={self.retry_after}, "
                f"should_retry={self.should_retry})")


# ---- presets and policies -----------------------------------------------------------

PresetInfo = namedtuple("PresetInfo", "name summary source")
Moments = namedtuple("Moments", "mean lo hi")


def presets():
    """Every preset of the library, in its order: [PresetInfo(name, summary, source)]."""
    n = ctypes.c_size_t()
    p = _L.pol_preset_list(_byref(n))
    return [PresetInfo(p[i].name.decode(), p[i].summary.decode(), p[i].source.decode()) for i in range(n.value)]


def stack_presets():
    """The stack presets (a client's retry loop with its client-wide parts,
    e.g. aws-adaptive): [PresetInfo]. stack(name) builds one."""
    n = ctypes.c_size_t()
    p = _L.pol_stack_list(_byref(n))
    return [PresetInfo(p[i].name.decode(), p[i].summary.decode(), p[i].source.decode()) for i in range(n.value)]


class Stack:
    """A stack preset (pol_stack_preset): .policy (its retry loop), .cfg (the
    pol_stack_cfg) and one factory per part it turns on — breaker(),
    budget(), throttle(), bucket(), hedge(), bulkhead(), cooldown(targets),
    lb(targets), quota() — each None when the preset does not use that
    part."""

    def __init__(self, name):
        self.cfg = _lib.pol_stack_cfg()
        if _L.pol_stack_preset(_b(name), _byref(self.cfg)) != _lib.POL_OK:
            raise PolicyError(f"unknown stack preset '{name}' (retrypol.stack_presets() lists them)")
        self.name = name
        self.policy = Policy(layers=[self.cfg.retry], name=name)

    def uses(self):
        """The parts the preset turns on: ['budget', 'throttle', ...]."""
        return [f[0][4:] for f in self.cfg._fields_ if f[0].startswith("use_") and getattr(self.cfg, f[0])]

    def breaker(self):
        return Breaker(cfg=self.cfg.breaker) if self.cfg.use_breaker else None

    def budget(self):
        return Budget(cfg=self.cfg.budget) if self.cfg.use_budget else None

    def bucket(self, now=None):
        return TokenBucket(self.cfg.bucket.rate, self.cfg.bucket.burst, now) if self.cfg.use_bucket else None

    def throttle(self, now=None, rng=None):
        return Throttle(cfg=self.cfg.throttle, now=now, rng=rng) if self.cfg.use_throttle else None

    def hedge(self):
        return Hedge(cfg=self.cfg.hedge) if self.cfg.use_hedge else None

    def bulkhead(self):
        return Bulkhead(cfg=self.cfg.bulkhead) if self.cfg.use_bulkhead else None

    def cooldown(self, targets=1, now=None):
        return Cooldown(cfg=self.cfg.cooldown, targets=targets, now=now) if self.cfg.use_cooldown else None

    def lb(self, targets=1, rng=None):
        return LoadBalancer(cfg=self.cfg.lb, targets=targets, rng=rng) if self.cfg.use_lb else None

    def quota(self, rng=None):
        return Quota(cfg=self.cfg.quota, rng=rng) if self.cfg.use_quota else None


def stack(name):
    return Stack(name)


def preset(name):
    """The Policy of a preset (pol_preset_get): Policy(name) for a preset name."""
    return Policy(layers=[_policy_dict.preset_cfg(name)], name=name)


class Policy:
    """A retry policy: one pol_retry_cfg, or up to 4 nested loops (outermost
    first). Policy(SPEC) takes what `retrysim delays` takes inline: a preset
    name, or KIND:key=value,...[;on=MATCH:key=value,...]...[;count=MODE]
    (pol_retry_spec_parse). Policy.from_dict and Policy.from_yaml take a
    scenario file's policy entries. Read-only once built: share it freely."""

    def __init__(self, spec=None, *, layers=None, name=None):
        if (spec is None) == (layers is None):
            raise TypeError("Policy(spec) or Policy(layers=[...])")
        if spec is not None:
            c = _lib.pol_retry_cfg()
            err = ctypes.create_string_buffer(1024)
            rc = _L.pol_retry_spec_parse(_b(spec), _byref(c), err, len(err))
            if rc != _lib.POL_OK:
                raise PolicyError(err.value.decode())
            layers = [c]
            name = spec if name is None else name
        if not 1 <= len(layers) <= _lib.POL_LAYERS_MAX:
            raise PolicyError(f"a policy has 1..{_lib.POL_LAYERS_MAX} retry loops, got {len(layers)}")
        self._layers = [_lib.pol_retry_cfg.from_buffer_copy(c) for c in layers]
        self._lc = _lib.pol_layers_cfg(len(self._layers))
        for i, c in enumerate(self._layers):
            self._lc.layer[i] = ctypes.pointer(c)
        rc = _L.pol_layers_validate(_byref(self._lc))
        if rc != _lib.POL_OK:
            raise PolicyError(f"invalid retry settings: {_lib.strerror(rc)}")
        self.name = name or "policy"

    @classmethod
    def from_dict(cls, entry, others=None, name=None):
        """A policy entry of a scenario file — {preset, retry: {...}, inner: {...}}
        with the keys of docs/scenario-format.md — or a bare retry block
        ({max_attempts: 5, base: 1s, ...}). others: {name: entry} of the other
        policies, for inner: {policy: NAME}."""
        if isinstance(entry, dict) and not ({"preset", "retry", "inner", "name"} & set(entry)):
            entry = {"retry": entry}
        layers = _policy_dict.entry_layers(entry, others)
        return cls(layers=layers, name=name or entry.get("name") or entry.get("preset"))

    @classmethod
    def from_yaml(cls, path, name=None):
        """The policy NAME of a scenario file (its first policy when name is
        None), named PATH:NAME as `retrysim delays PATH:NAME` names it. Needs a
        YAML parser: PyYAML (Debian: python3-yaml), which the standard library
        lacks; without it load the file yourself and call from_dict. Policies
        made by `import:` entries are not read here."""
        entries = _yaml_policies(path)
        if name is None:
            name = next(iter(entries))
        if name not in entries:
            raise PolicyError(f"{path} has no policy '{name}'")
        return cls.from_dict(entries[name], entries, name=f"{path}:{name}")

    @classmethod
    def all_from_yaml(cls, path):
        entries = _yaml_policies(path)
        return [cls.from_dict(e, entries, name=f"{path}:{n}") for n, e in entries.items()]

    @property
    def layers(self):
        """Copies of the loops' pol_retry_cfg (ctypes structs), outermost first."""
        return [_lib.pol_retry_cfg.from_buffer_copy(c) for c in self._layers]

    cfg = property(lambda self: self._layers[0], doc="the outermost loop's pol_retry_cfg (read it, do not write it)")
    max_attempts = property(lambda self: self._layers[0].max_attempts)
    attempt_timeout = property(lambda self: self._layers[-1].attempt_timeout / NS or None)
    deadline = property(lambda self: self._layers[0].deadline / NS or None)

    def request(self, now=None, rng=None):
        """A new logical request starting at now (seconds; default time.monotonic())."""
        return Request(self, now=now, rng=rng)

    def moments(self, retry, layer=0):
        """pol_backoff_moments: the analytic mean and bounds (seconds) of the
        delay before retry number `retry` (>= 1) of a loop's backoff, for a
        fresh request. RetrypolError (POL_EINVAL) for the decorrelated
        jitters, whose delays depend on the path."""
        mean, lo, hi = ctypes.c_double(), _lib.c_ns(), _lib.c_ns()
        _check(_L.pol_backoff_moments(_byref(self._layers[layer].backoff), retry, _byref(mean), _byref(lo),
                                      _byref(hi)))
        return Moments(mean.value / NS, lo.value / NS, hi.value / NS)

    def nominal(self, retry, layer=0):
        """pol_backoff_nominal: the un-jittered, clamped delay before retry `retry` (seconds)."""
        return _L.pol_backoff_nominal(_byref(self._layers[layer].backoff), retry) / NS

    def classify(self, outcome=None, status=None):
        """pol_classify: the class of an outcome under the innermost loop's
        classification: 'success', 'retry', 'fallback' or 'fail'."""
        if not isinstance(outcome, Outcome):
            outcome = Outcome(outcome, status)
        return _lib.name_of(_L.pol_class_name, _L.pol_classify(_byref(self._layers[-1].classify),
                                                               _byref(outcome._o)))

    def outcome(self, kind=None, status=None, headers=None, wall_now=None):
        """An Outcome with the headers read as this policy's client reads them
        (its innermost loop's hint cfg: pol_hint_apply_header_as)."""
        return Outcome(kind, status, headers, wall_now, hint=self._layers[-1].hint)

    def __repr__(self):
        return f"Policy({self.name!r}, {len(self._layers)} loop{'s' if len(self._layers) > 1 else ''})"


def _yaml_doc(path):
    try:
        import yaml
    except ImportError:
        raise PolicyError("Policy.from_yaml needs PyYAML (Debian: apt-get install python3-yaml); "
                          "or load the file yourself and pass its policy entry to Policy.from_dict") from None
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


def _yaml_policies(path, doc=None):
    doc = _yaml_doc(path) if doc is None else doc
    pols = doc.get("policies") or []
    out = {}
    for e in pols:
        n = e.get("name") or e.get("preset")
        out[n] = e
    if not out:
        raise PolicyError(f"{path} has no policies")
    return out


def load_policy(path, name=None, now=None, rng=None):
    """(Policy, Parts) of the policy NAME of a scenario file (its first when
    name is None): the retry loops as Policy.from_yaml reads them, and the
    stateful parts (breaker, budget, throttle, ...) as retrysim's loader
    reads them, checked against the file's providers. Needs PyYAML."""
    doc = _yaml_doc(path)
    entries = _yaml_policies(path, doc)
    if name is None:
        name = next(iter(entries))
    if name not in entries:
        raise PolicyError(f"{path} has no policy '{name}'")
    providers = [p.get("name") for p in doc.get("providers") or [] if isinstance(p, dict)]
    policy = Policy.from_dict(entries[name], entries, name=f"{path}:{name}")
    parts = parts_from_dict(entries[name], providers=providers or None, now=now, rng=rng)
    if parts.targets is None and providers:
        parts.targets = providers[:1]
    return policy, parts


class Decision:
    """pol_verdict: action 'done' | 'retry' | 'fallback' | 'give-up', the
    reason ('none', 'not-retryable', 'max-attempts', 'deadline',
    'hint-too-long', 'server-said-no', 'fallback-class'), the delay to sleep
    before the next attempt (seconds; delay_ns exact), the outcome's class and
    the loop that decided (0 = outermost)."""

    __slots__ = ("action", "reason", "delay_ns", "cls", "layer")

    def __init__(self, v, layer):
        self.action = _lib.name_of(_L.pol_action_name, v.action)
        self.reason = _lib.name_of(_L.pol_reason_name, v.reason)
        self.delay_ns = v.delay
        self.cls = _lib.name_of(_L.pol_class_name, v.cls)
        self.layer = layer

    delay = property(lambda self: self.delay_ns / NS)
    retry = property(lambda self: self.action == "retry")
    done = property(lambda self: self.action == "done")
    give_up = property(lambda self: self.action == "give-up")
    fallback = property(lambda self: self.action == "fallback")

    def __repr__(self):
        extra = f", delay={self.delay}" if self.retry else f", reason={self.reason!r}"
        return f"Decision({self.action!r}{extra}, cls={self.cls!r}, layer={self.layer})"


class Request:
    """One logical request's retry state (pol_retry_state per loop): call
    next() after every attempt. One thread at a time."""

    def __init__(self, policy, now=None, rng=None):
        self.policy = policy
        self._rng = _rng(rng)
        self._s = (_lib.pol_retry_state * policy._lc.n)()
        self._v = _lib.pol_verdict()
        self._who = ctypes.c_int()
        self.begin(now)

    def begin(self, now=None):
        """Starts the request again (a new target after a fallback)."""
        _L.pol_layers_begin(_byref(self.policy._lc), self._s, _now_ns(now))

    def next(self, outcome=None, status=None, headers=None, now=None, wall_now=None, layer=None):
        """The attempt just ended: outcome is an Outcome, a kind name
        ('timeout', ...), an HTTP status, or None with status=; headers (a
        mapping or pairs) carry Retry-After / retry-after-ms / x-should-retry.
        now: seconds (default time.monotonic()). layer: a loop whose own
        timeout fired (pol_layers_expiry), default the innermost. Returns a
        Decision, decided exactly as pol_layers_next (pol_retry_next for one
        loop) decides it."""
        if not isinstance(outcome, Outcome):
            outcome = self.policy.outcome(outcome, status, headers, wall_now)
        lc = self.policy._lc
        k = lc.n - 1 if layer is None else layer
        rc = _L.pol_layers_next(_byref(lc), self._s, k, _byref(outcome._o), _now_ns(now), self._rng.pointer,
                                _byref(self._v), _byref(self._who))
        if rc != _lib.POL_OK:
            raise RetrypolError(rc)
        return Decision(self._v, self._who.value)

    def expiry(self, sent=None):
        """When what runs now must be abandoned (pol_layers_expiry): (time in
        seconds, layer), or (None, -1). sent: when the attempt in flight was
        sent, None while sleeping."""
        who = ctypes.c_int()
        t = _L.pol_layers_expiry(_byref(self.policy._lc), self._s, -1 if sent is None else _ns(sent), _byref(who))
        return (None, -1) if t == 2**63 - 1 else (t / NS, who.value)

    @property
    def attempts(self):
        """HTTP attempts made (the innermost loop's count since it last began;
        for one loop, every attempt)."""
        return self._s[self.policy._lc.n - 1].attempts

    @property
    def state(self):
        """The pol_retry_state of every loop (read-only fields: attempts,
        last_delay, hinted, last_rule, first_rule, kind_attempts)."""
        return list(self._s)


# ---- `retrysim delays` -------------------------------------------------------------

DelayRow = namedtuple("DelayRow", "policy retry draws min mean p50 p99 max cum_mean")
MAX_ATTEMPTS, UNLIMITED, MAX_KINDS = 64, 6, 16


def _kinds(kinds):
    out = []
    if isinstance(kinds, str):
        kinds = kinds.split(",")
    for t in kinds:
        t = str(t)
        if t in _lib.OUTCOME_KINDS[2:]:
            k = _lib.OUTCOME_KINDS.index(t)
            out.append(_lib.pol_outcome(k, _default_status(t), -1, -1))
        elif t.strip().lstrip("+-").isdigit() and 400 <= int(t) <= 599:
            out.append(_lib.pol_outcome(1, int(t), -1, -1))
        else:
            raise ValueError(f"--kind: '{t}' is not a status 400..599 or timeout, refused, reset, "
                             "context-window, content-policy, stream-cut, stream-error, stream-timeout")
    if not out or len(out) > MAX_KINDS:
        raise ValueError(f"kinds: 1..{MAX_KINDS} outcomes")
    return out


def delays(policy, seed=1, draws=10000, attempts=None, kinds=None):
    """What `retrysim delays POLICY --seed S --draws N [--attempts A] [--kind K,...]`
    computes, from the same generator and the same GSL statistics: one
    DelayRow per retry (seconds). policy: a Policy or what Policy() takes."""
    if not isinstance(policy, Policy):
        policy = Policy(policy)
    out = _kinds(kinds) if kinds else []
    c0 = policy._layers[0]
    a = attempts or (MAX_ATTEMPTS if out else (c0.max_attempts or UNLIMITED))
    retries = min(a, MAX_ATTEMPTS) - 1
    if retries < 1:
        return []
    n = int(draws)
    x = [(ctypes.c_double * n)() for _ in range(retries)]
    cum = [(ctypes.c_double * n)() for _ in range(retries)]
    rng = Rng(seed)
    r = rng.pointer
    made = retries
    if not out:
        nxt = _L.pol_backoff_next
        bo = _byref(c0.backoff)
        st = _lib.pol_backoff_state()
        stp = _byref(st)
        for d in range(n):
            _L.pol_backoff_reset(stp)
            total = 0.0
            for k in range(retries):
                s = nxt(bo, stp, k + 1, r) / NS
                total += s
                x[k][d] = s
                cum[k][d] = total
    else:
        layers = [_lib.pol_retry_cfg.from_buffer_copy(c) for c in policy._layers]
        lc = _lib.pol_layers_cfg(len(layers))
        for i, c in enumerate(layers):
            c.deadline = 0
            c.attempt_timeout = 0
            lc.layer[i] = ctypes.pointer(c)
        ls = (_lib.pol_retry_state * len(layers))()
        v = _lib.pol_verdict()
        lcp, vp, inner = _byref(lc), _byref(v), lc.n - 1
        outs = [_byref(o) for o in out]
        for d in range(n):
            _L.pol_layers_begin(lcp, ls, 0)
            total = 0.0
            k = 0
            while k < retries:
                _L.pol_layers_next(lcp, ls, inner, outs[min(k, len(outs) - 1)], 0, r, vp, None)
                if v.action != 1:
                    break
                s = v.delay / NS
                total += s
                x[k][d] = s
                cum[k][d] = total
                k += 1
            made = min(made, k)
    g = _lib.gsl
    rows = []
    for k in range(made):
        xs = x[k]
        g.gsl_sort(xs, 1, n)
        rows.append(DelayRow(policy.name, k + 1, n, xs[0], g.gsl_stats_mean(xs, 1, n),
                             g.gsl_stats_quantile_from_sorted_data(xs, 1, n, 0.5),
                             g.gsl_stats_quantile_from_sorted_data(xs, 1, n, 0.99), xs[n - 1],
                             g.gsl_stats_mean(cum[k], 1, n)))
    return rows


def _csv_field(s):
    return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\r\n') else s


def delays_csv(policies, seed=1, draws=10000, attempts=None, kinds=None):
    """The text `retrysim delays POLICY... --csv` prints, byte for byte."""
    if isinstance(policies, (str, Policy)):
        policies = [policies]
    lines = ["policy,retry,draws,min_s,mean_s,p50_s,p99_s,max_s,cum_mean_s"]
    for p in policies:
        for r in delays(p, seed=seed, draws=draws, attempts=attempts, kinds=kinds):
            lines.append("%s,%d,%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f" % (
                _csv_field(r.policy), r.retry, r.draws, r.min, r.mean, r.p50, r.p99, r.max, r.cum_mean))
    return "\n".join(lines) + "\n"


from ._stateful import (Breaker, Budget, Bulkhead, BulkheadFull, Cooldown, Cubic, FailMask, Hedge,  # noqa: E402,F401
                        LoadBalancer, Monitor, Quota, RateClocker, Throttle, ThrottleAnswer, TokenBucket, Window)
