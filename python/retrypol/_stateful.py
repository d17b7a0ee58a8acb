"""_stateful.py — the client-wide parts of libretrypol: circuit breakers,
retry budgets, the token bucket, load balancers, quota awareness, adaptive
throttling (SRE, botocore's adaptive mode with its CUBIC calculator and rate
clocker), cooldowns and outlier ejection, hedging, the bulkhead, the failure
monitor, and their building blocks (fail masks, sliding windows).

Each class owns one C object (the struct mirrored in _lib, allocated by
ctypes, initialised by the library's _init; the ones that allocate are freed
by close() or when collected; arrays the C object points into are kept alive
by the Python object). Configuration keywords are the C cfg's field names
(docs/stateful-policies.md); a duration field (pol_ns, listed in the mirror's
_durations_) takes seconds or a duration string ('30s'), an enum field of
_enums_ its name, `fail` a FailMask. Times are seconds (default
time.monotonic()). Not thread-safe: one lock around each object in a
threaded client (docs/policies.md §9).
"""
import ctypes
from collections import namedtuple

from . import _lib
from ._policy_dict import parse_duration

_L = _lib.lib
NS = _lib.POL_NS_PER_S
_byref = ctypes.byref


def _ns(t):
    if isinstance(t, str):
        return parse_duration(t)
    return int(round(t * NS))


def _now(now):
    import time
    return time.monotonic_ns() if now is None else _ns(now)


def _kind(parse, name, what):
    out = _lib.c_enum()
    if parse(str(name).encode(), _byref(out)) != _lib.POL_OK:
        raise ValueError(f"unknown {what} kind '{name}'")
    return out.value


def _apply(cfg, kw, what):
    names = {f[0] for f in cfg._fields_}
    durations = getattr(cfg, "_durations_", ())
    enums = getattr(cfg, "_enums_", {})
    for k, v in kw.items():
        if k not in names or k == "kind":
            raise TypeError(f"{what} has no setting '{k}' (settings: {', '.join(sorted(names - {'kind'}))})")
        if k == "fail":
            v = v.mask if isinstance(v, FailMask) else v
            if not isinstance(v, _lib.pol_failmask):
                raise TypeError(f"{what}: fail is a retrypol.FailMask")
        elif k in enums:
            if v not in enums[k]:
                raise ValueError(f"{what}: {k} is one of {', '.join(enums[k])}, got '{v}'")
            v = enums[k].index(v)
        elif k in durations:
            v = _ns(v)
        setattr(cfg, k, v)


def _check(rc, what):
    if rc < 0:
        raise ValueError(f"{what}: {_lib.strerror(rc)}")
    return rc


def _outcome(outcome, status):
    from . import Outcome
    return outcome if isinstance(outcome, Outcome) else Outcome(outcome, status)


def _cfg(struct, default, cfg, settings, what):
    """A copy of cfg, or the library's defaults (default(out)), with settings applied."""
    if cfg is not None:
        c = struct.from_buffer_copy(cfg)
    else:
        c = struct()
        default(_byref(c))
    _apply(c, settings, what)
    return c


class _Owner:
    """A C object that allocates (its _init may return POL_ENOMEM): close(),
    or collection, frees it once with the library's _FREE function; the
    struct is the attribute named _OBJ. _live is set once _init succeeded."""
    _FREE = _OBJ = None

    def close(self):
        if getattr(self, "_live", False):
            self._live = False
            getattr(_L, self._FREE)(_byref(getattr(self, self._OBJ)))

    __del__ = close


class Breaker(_Owner):
    """A circuit breaker (pol_breaker): kind 'consecutive' (pybreaker),
    'rate' (Resilience4j) or 'ratio' (Polly v8), the kind's defaults plus
    the keyword settings (fail_max=5, break_duration='30s', ...)."""

    _FREE, _OBJ = "pol_breaker_free", "_b"

    def __init__(self, kind="consecutive", cfg=None, **settings):
        k = None if cfg is not None else _kind(_L.pol_breaker_kind_parse, kind, "breaker")
        self.cfg = _cfg(_lib.pol_breaker_cfg, lambda p: _L.pol_breaker_default(k, p), cfg, settings, "Breaker")
        self._b = _lib.pol_breaker()
        _check(_L.pol_breaker_init(_byref(self._b), _byref(self.cfg)), "Breaker")
        self._live = True

    def allow(self, now=None):
        """'allow', 'reject' or 'probe' (a half-open trial: record its result)."""
        return _lib.BREAKER_ANSWERS[_L.pol_breaker_allow(_byref(self._b), _now(now))]

    def cancel(self):
        """Gives back an unused probe permit."""
        _L.pol_breaker_cancel(_byref(self._b))

    def record(self, outcome=None, status=None, now=None, duration=0.0):
        """An admitted call's outcome (an Outcome, a kind, or status=), classified by the breaker's fail mask."""
        o = _outcome(outcome, status)
        _check(_L.pol_breaker_record(_byref(self._b), _now(now), _byref(o._o), _ns(duration)), "Breaker.record")

    def record_result(self, failed, now=None, duration=0.0):
        _check(_L.pol_breaker_record_result(_byref(self._b), _now(now), int(bool(failed)), _ns(duration)),
               "Breaker.record_result")

    def state(self, now=None):
        """'closed', 'open' or 'half-open', as the next allow() would see it."""
        return _lib.BREAKER_STATES[_L.pol_breaker_state_at(_byref(self._b), _now(now))]

    @property
    def transitions(self):
        return _L.pol_breaker_transitions(_byref(self._b))

    def reset(self):
        _L.pol_breaker_reset(_byref(self._b))


class Budget(_Owner):
    """A retry budget (pol_budget): kind 'ratio' (Finagle), 'aws', 'grpc' or
    'envoy', with the kind's defaults plus keyword settings."""

    _FREE, _OBJ = "pol_budget_free", "_b"

    def __init__(self, kind="ratio", cfg=None, **settings):
        k = None if cfg is not None else _kind(_L.pol_budget_kind_parse, kind, "budget")
        self.cfg = _cfg(_lib.pol_budget_cfg, lambda p: _L.pol_budget_default(k, p), cfg, settings, "Budget")
        self._b = _lib.pol_budget()
        _check(_L.pol_budget_init(_byref(self._b), _byref(self.cfg)), "Budget")
        self._live = True

    def request(self, now=None):
        """Counts a new request; returns its pol_budget_req (pass it to can_retry / on_result)."""
        rq = _lib.pol_budget_req()
        _check(_L.pol_budget_on_request(_byref(self._b), _now(now), _byref(rq)), "Budget.request")
        return rq

    def can_retry(self, rq, now=None, is_timeout=False):
        """True: the retry is allowed (and charged); False: denied."""
        return bool(_check(_L.pol_budget_can_retry(_byref(self._b), _now(now), _byref(rq), int(is_timeout)),
                           "Budget.can_retry"))

    def on_result(self, rq, ok, now=None):
        _check(_L.pol_budget_on_result(_byref(self._b), _now(now), _byref(rq), int(bool(ok))), "Budget.on_result")

    def level(self, now=None):
        return _L.pol_budget_level(_byref(self._b), _now(now))

    granted = property(lambda self: self._b.granted)
    denied = property(lambda self: self._b.denied)

    def reset(self):
        _L.pol_budget_reset(_byref(self._b))


class TokenBucket:
    """A client-side token bucket (pol_bucket): rate tokens per second, burst
    tokens of capacity; starts full. TokenBucket.per_minute(limit) for an RPM
    or TPM limit."""

    def __init__(self, rate, burst, now=None):
        self.cfg = _lib.pol_bucket_cfg(rate, burst)
        self._b = _lib.pol_bucket()
        _check(_L.pol_bucket_init(_byref(self._b), _byref(self.cfg), _now(now)), "TokenBucket")

    @classmethod
    def per_minute(cls, limit, now=None):
        c = _lib.pol_bucket_cfg()
        _check(_L.pol_bucket_per_minute(_byref(c), float(limit)), "TokenBucket.per_minute")
        return cls(c.rate, c.burst, now)

    def take(self, amount=1.0, now=None):
        """0.0 when the tokens were taken now, else the seconds to wait before trying again."""
        w = _lib.c_ns()
        _check(_L.pol_bucket_take(_byref(self._b), _now(now), float(amount), _byref(w)), "TokenBucket.take")
        return w.value / NS

    def reserve(self, amount=1.0, now=None):
        """Takes the tokens now, possibly into debt: the seconds to wait before using them."""
        w = _lib.c_ns()
        _check(_L.pol_bucket_reserve(_byref(self._b), _now(now), float(amount), _byref(w)), "TokenBucket.reserve")
        return w.value / NS

    def level(self, now=None):
        return _L.pol_bucket_level(_byref(self._b), _now(now))

    def set_rate(self, rate, burst, now=None):
        _check(_L.pol_bucket_set_rate(_byref(self._b), _now(now), float(rate), float(burst)), "TokenBucket.set_rate")

    def set_max_rate(self, value, min_rate, now=None):
        """botocore's TokenBucket.max_rate = value: refill at the old rate,
        fill rate max(value, min_rate), capacity max(value, 1)."""
        _check(_L.pol_bucket_set_max_rate(_byref(self._b), _now(now), float(value), float(min_rate)),
               "TokenBucket.set_max_rate")

    def reset(self, now=None):
        """Full again."""
        _L.pol_bucket_reset(_byref(self._b), _now(now))

    rate = property(lambda self: self._b.cfg.rate)
    burst = property(lambda self: self._b.cfg.burst)


class LoadBalancer:
    """Load balancing across targets (pol_lb): kind 'weighted-random',
    'round-robin', 'least-outstanding', 'p2c', 'ewma', 'lowest-usage',
    'lowest-cost' or 'highest-success-rate'. targets: a number, or a list of
    dicts of pol_lb_target's public fields (weight, cost, rpm_limit,
    tpm_limit, available); .targets are the C structs (read their counters)."""

    def __init__(self, kind="weighted-random", targets=1, rng=None, cfg=None, **settings):
        from . import _rng
        k = None if cfg is not None else _kind(_L.pol_lb_kind_parse, kind, "load-balancing")
        self.cfg = _cfg(_lib.pol_lb_cfg, lambda p: _L.pol_lb_default(k, p), cfg, settings, "LoadBalancer")
        self._lb = _lib.pol_lb()
        _check(_L.pol_lb_init(_byref(self._lb), _byref(self.cfg)), "LoadBalancer")
        specs = [{}] * targets if isinstance(targets, int) else list(targets)
        self.targets = (_lib.pol_lb_target * len(specs))()
        for t, spec in zip(self.targets, specs):
            _L.pol_lb_target_init(_byref(t))
            for k, v in spec.items():
                if k not in ("available", "weight", "cost", "rpm_limit", "tpm_limit"):
                    raise TypeError(f"a target has no setting '{k}'")
                setattr(t, k, v)
        self._rng = _rng(rng)

    def pick(self, now=None, tokens=0.0):
        """The index of the target to send to, or None when none is available."""
        i = ctypes.c_size_t()
        rc = _check(_L.pol_lb_pick(_byref(self._lb), self.targets, len(self.targets), _now(now), float(tokens),
                                   self._rng.pointer, _byref(i)), "LoadBalancer.pick")
        return i.value if rc == 0 else None

    def on_send(self, i, now=None, tokens=0.0):
        _L.pol_lb_on_send(_byref(self.targets[i]), _now(now), float(tokens))

    def on_done(self, i, latency, now=None):
        _L.pol_lb_on_done(_byref(self._lb), _byref(self.targets[i]), _now(now), _ns(latency))

    def on_result(self, i, ok, now=None):
        _L.pol_lb_on_result(_byref(self._lb), _byref(self.targets[i]), _now(now), int(bool(ok)))

    def reset(self):
        """The balancer's own state (round-robin position); the targets' counters stay."""
        _L.pol_lb_reset(_byref(self._lb))


class Quota:
    """Quota awareness (pol_quota): fold x-ratelimit-* headers in, ask
    check() before sending. Settings: min_requests, min_tokens, jitter,
    max_wait."""

    def __init__(self, rng=None, cfg=None, **settings):
        from . import _rng
        self.cfg = _cfg(_lib.pol_quota_cfg, _L.pol_quota_default, cfg, settings, "Quota")
        self.q = _lib.pol_quota()
        _L.pol_quota_reset(_byref(self.q))
        self._rng = _rng(rng)

    def apply_header(self, name, value, now=None, wall_now=None):
        from . import _b, _wall_ns
        return _L.pol_quota_apply_header(_byref(self.q), _b(name), _b(value), _now(now), _wall_ns(wall_now))

    def apply_headers(self, headers, now=None, wall_now=None):
        from . import _header_items
        t = _now(now)
        for name, value in _header_items(headers):
            self.apply_header(name, value, now=t / NS, wall_now=wall_now)

    def check(self, now=None, tokens=0.0):
        """0.0: send now; else the seconds to wait first."""
        w = _lib.c_ns()
        _check(_L.pol_quota_check(_byref(self.cfg), _byref(self.q), _now(now), float(tokens), self._rng.pointer,
                                  _byref(w)), "Quota.check")
        return w.value / NS

    def on_send(self, tokens=0.0):
        _L.pol_quota_on_send(_byref(self.q), float(tokens))

    remaining_requests = property(lambda self: self.q.remaining_requests)
    remaining_tokens = property(lambda self: self.q.remaining_tokens)


# ---- building blocks ---------------------------------------------------------------

class FailMask:
    """Which outcomes count as failures (pol_failmask), for the fail setting
    of Breaker, Cooldown and Monitor: a bit per HTTP status (100..599) and
    per transport kind. FailMask() is the library's default transient set
    (408, 429, 5xx, timeout, refused, reset, and the three mid-stream failures
    stream-cut, stream-error, stream-timeout); FailMask.none() counts nothing;
    set_status / set_kind change it (and return it, to chain);
    FailMask.from_classes(policy, 'retry', ...) takes every status and kind a
    policy classifies so. A success never counts."""

    def __init__(self, mask=None):
        self.mask = _lib.pol_failmask()
        if mask is not None:
            ctypes.memmove(_byref(self.mask), _byref(mask.mask if isinstance(mask, FailMask) else mask),
                           ctypes.sizeof(self.mask))
        else:
            _L.pol_failmask_default(_byref(self.mask))

    @classmethod
    def none(cls):
        m = cls()
        _L.pol_failmask_none(_byref(m.mask))
        return m

    @classmethod
    def from_classes(cls, policy, *classes):
        """Every status and non-HTTP kind whose class under policy (a Policy:
        its innermost loop's classification, or a pol_classify_cfg) is one of
        classes ('success', 'retry', 'fallback', 'fail'); default 'retry'."""
        c = policy._layers[-1].classify if hasattr(policy, "_layers") else policy
        bits = 0
        for name in classes or ("retry",):
            bits |= 1 << _kind(_L.pol_class_parse, name, "outcome class")
        m = cls()
        _check(_L.pol_failmask_from_classes(_byref(m.mask), _byref(c), bits), "FailMask.from_classes")
        return m

    def set_status(self, lo, hi=None, counts=True):
        _check(_L.pol_failmask_set_status(_byref(self.mask), lo, lo if hi is None else hi, int(bool(counts))),
               "FailMask.set_status")
        return self

    def set_kind(self, kind, counts=True):
        if kind not in _lib.OUTCOME_KINDS[2:]:
            raise ValueError(f"a fail mask's kinds are {', '.join(_lib.OUTCOME_KINDS[2:])}, got '{kind}'")
        _check(_L.pol_failmask_set_kind(_byref(self.mask), _lib.OUTCOME_KINDS.index(kind), int(bool(counts))),
               "FailMask.set_kind")
        return self

    def test(self, outcome=None, status=None):
        """True when the outcome (an Outcome, a kind, or status=) counts as a failure."""
        return bool(_L.pol_failmask_test(_byref(self.mask), _byref(_outcome(outcome, status)._o)))

    __contains__ = test

    def __eq__(self, other):
        return isinstance(other, FailMask) and bytes(self.mask) == bytes(other.mask)


class Window:
    """A sliding time window of up to 4 counters (pol_window): n_slices
    slices of `slice` (seconds or '1s'), aligned to multiples of the slice
    from time 0; sum(now) covers the last n_slices - 1 slices and the
    current one. The cells are owned here."""

    def __init__(self, slice, n_slices, n_counters=1):
        n = _L.pol_window_cells(n_slices, n_counters)
        if n == 0:
            raise ValueError(f"Window: 1..{_lib.POL_WINDOW_MAX_COUNTERS} counters and at least one slice")
        self._cells = (ctypes.c_int64 * n)()
        self.w = _lib.pol_window()
        _check(_L.pol_window_init(_byref(self.w), _ns(slice), n_slices, n_counters, self._cells), "Window")

    def _counter(self, counter):
        if not 0 <= counter < self.w.n_counters:
            raise IndexError(f"Window has counters 0..{self.w.n_counters - 1}")
        return counter

    def add(self, now=None, counter=0, delta=1):
        _L.pol_window_add(_byref(self.w), _now(now), self._counter(counter), delta)

    def sum(self, now=None, counter=0):
        return _L.pol_window_sum(_byref(self.w), _now(now), self._counter(counter))

    def advance(self, now=None):
        _L.pol_window_advance(_byref(self.w), _now(now))

    def reset(self):
        _L.pol_window_reset(_byref(self.w))

    @staticmethod
    def slice_of(t, slice):
        """floor(t / slice): the absolute index of the slice holding t."""
        return _L.pol_window_slice_of(_ns(t), _ns(slice))


# ---- adaptive throttling -----------------------------------------------------------

class ThrottleAnswer(namedtuple("ThrottleAnswer", "answer wait_ns")):
    """Throttle.before_send's answer: 'send', 'wait' (ask again after .wait
    seconds; nothing was taken) or 'reject' (fail the attempt locally)."""
    __slots__ = ()
    wait = property(lambda self: self.wait_ns / NS)


class Throttle(_Owner):
    """Adaptive client-side throttling (pol_throttle): kind 'sre' (Google SRE
    client throttling: reject locally with p = max(0, (requests - k accepts)
    / (requests + 1)) over a 2-minute window, one draw from rng per request)
    or 'aws-adaptive' (botocore's adaptive mode: a token bucket engaged by the
    first throttle, its rate following CUBIC). Settings: k, window, slices;
    beta, scale_c, min_fill_rate, smoothing, rate_bucket, max_rate_scale.
    now: the creation time (botocore's CUBIC and rate-clocker origin)."""

    _FREE, _OBJ = "pol_throttle_free", "_t"

    def __init__(self, kind="sre", now=None, rng=None, cfg=None, **settings):
        from . import _rng
        k = None if cfg is not None else _kind(_L.pol_throttle_kind_parse, kind, "throttle")
        self.cfg = _cfg(_lib.pol_throttle_cfg, lambda p: _L.pol_throttle_default(k, p), cfg, settings, "Throttle")
        self._t = _lib.pol_throttle()
        _check(_L.pol_throttle_init(_byref(self._t), _byref(self.cfg), _now(now)), "Throttle")
        self._live = True
        self._rng = _rng(rng)

    kind = property(lambda self: _L.pol_throttle_kind_name(self.cfg.kind).decode())

    def before_send(self, now=None):
        """Before each attempt: a ThrottleAnswer. SRE draws one uniform from
        the rng each call (and counts the request); AWS takes a token once
        engaged, or answers 'wait' with the time to the next one."""
        w = _lib.c_ns()
        a = _check(_L.pol_throttle_before_send(_byref(self._t), _now(now), self._rng.pointer, _byref(w)),
                   "Throttle.before_send")
        return ThrottleAnswer(_lib.THROTTLE_ANSWERS[a], w.value)

    def acquire(self, clock=None, sleep=None):
        """botocore's blocking acquire: before_send, sleeping each 'wait' and
        asking again. True: send now; False: rejected (SRE). clock: seconds
        (default time.monotonic), sleep(seconds) (default time.sleep)."""
        import time
        clock = clock or time.monotonic
        sleep = sleep or time.sleep
        while True:
            a = self.before_send(clock())
            if a.answer != "wait":
                return a.answer == "send"
            sleep(a.wait)

    def on_response(self, throttled, now=None):
        """After each response: throttled = the server pushed back."""
        _check(_L.pol_throttle_on_response(_byref(self._t), _now(now), int(bool(throttled))), "Throttle.on_response")

    def throttled(self, outcome=None, status=None):
        """Whether an outcome counts as pushed back, as the simulator counts it
        (sim/model/guards.c): aws-adaptive a 429 (botocore's throttling
        errors); sre anything but a success (an accept is a 2xx)."""
        o = _outcome(outcome, status)
        if self.kind == "aws-adaptive":
            return o.kind == "http" and o.status == 429
        return o.kind != "success"

    def record(self, outcome=None, status=None, now=None):
        """on_response(throttled(outcome)): what the simulator reports."""
        self.on_response(self.throttled(outcome, status), now)

    def level(self, now=None):
        """SRE: the rejection probability now; AWS: the bucket's rate (0 until engaged)."""
        return _L.pol_throttle_level(_byref(self._t), _now(now))

    enabled = property(lambda self: bool(self._t.enabled), doc="AWS: engaged by a throttle")
    measured_rate = property(lambda self: self._t.clock.measured, doc="AWS: the rate clocker's measured rate, per s")
    rate = property(lambda self: self._t.bucket.cfg.rate, doc="AWS: the bucket's fill rate, per s")
    state = property(lambda self: self._t, doc="the pol_throttle (read-only: enabled, cubic, clock, bucket)")

    def reset(self, now=None):
        _L.pol_throttle_reset(_byref(self._t), _now(now))


class Cubic:
    """botocore's CubicCalculator (pol_cubic): success(t) = scale_constant
    (t - last_fail - k)^3 + w_max; error(rate, t) remembers the rate and
    returns rate x beta. Times in seconds."""

    def __init__(self, starting_max_rate=0.0, start_time=None, scale_constant=0.4, beta=0.7):
        self.c = _lib.pol_cubic()
        _L.pol_cubic_init(_byref(self.c), float(starting_max_rate), _now(start_time), float(scale_constant),
                          float(beta))

    def success(self, t=None):
        return _L.pol_cubic_success(_byref(self.c), _now(t))

    def error(self, current_rate, t=None):
        return _L.pol_cubic_error(_byref(self.c), float(current_rate), _now(t))

    w_max = property(lambda self: self.c.w_max)
    k = property(lambda self: self.c.k)
    last_fail = property(lambda self: self.c.last_fail / NS)


class RateClocker:
    """botocore's RateClocker (pol_rate_clocker): record() counts, and each
    time the bucket (bucket_range, 0.5 s) moves on, measured = smoothing x
    rate + (1 - smoothing) x measured."""

    def __init__(self, start=None, smoothing=0.8, bucket_range=0.5):
        self.r = _lib.pol_rate_clocker()
        _L.pol_rate_clocker_init(_byref(self.r), _now(start), float(smoothing), _ns(bucket_range))

    def record(self, now=None, amount=1.0):
        """Returns the measured rate after it (per second)."""
        return _L.pol_rate_clocker_record(_byref(self.r), _now(now), float(amount))

    measured = property(lambda self: self.r.measured)


# ---- cooldowns, hedging, bulkhead, failure monitor --------------------------------------

def _index(i, n, what):
    if not 0 <= i < n:
        raise IndexError(f"{what}: target {i} of {n}")
    return i


class Cooldown:
    """Taking failing targets out of rotation (pol_cooldown): kind 'litellm'
    (LiteLLM Router cooldowns) or 'envoy' (Envoy consecutive-5xx outlier
    ejection), over `targets` targets. Settings: allowed_fails,
    cooldown_time, failure_threshold, min_requests, hint_sets_cooldown,
    hint_cap; consecutive_5xx, base_ejection, max_ejection,
    max_ejection_percent, interval; fail. .targets are the C structs
    (read-only: until, consecutive, ejections, cooldowns)."""

    def __init__(self, kind="litellm", targets=1, now=None, cfg=None, **settings):
        k = None if cfg is not None else _kind(_L.pol_cooldown_kind_parse, kind, "cooldown")
        self.cfg = _cfg(_lib.pol_cooldown_cfg, lambda p: _L.pol_cooldown_default(k, p), cfg, settings, "Cooldown")
        self.targets = (_lib.pol_cooldown_target * targets)()
        self._c = _lib.pol_cooldown()
        _check(_L.pol_cooldown_init(_byref(self._c), _byref(self.cfg), self.targets, targets, _now(now)), "Cooldown")

    kind = property(lambda self: _L.pol_cooldown_kind_name(self.cfg.kind).decode())

    def record(self, i, outcome=None, status=None, now=None):
        """Target i's attempt ended with outcome (an Outcome: a 429's
        Retry-After sets the length with hint_sets_cooldown; a kind; or
        status=). True when it started a cooldown / ejection now."""
        o = _outcome(outcome, status)
        return _check(_L.pol_cooldown_record(_byref(self._c), _index(i, self._c.n, "Cooldown"), _now(now),
                                             _byref(o._o)), "Cooldown.record") == 1

    def available(self, i, now=None):
        return bool(_L.pol_cooldown_available(_byref(self._c), _index(i, self._c.n, "Cooldown"), _now(now)))

    def unavailable(self, now=None):
        """How many targets are out now."""
        return _L.pol_cooldown_unavailable(_byref(self._c), _now(now))

    def until(self, i):
        """When target i is back (seconds), or None when it never was out."""
        u = self.targets[_index(i, self._c.n, "Cooldown")].until
        return None if u == -2**63 else u / NS

    overflows = property(lambda self: self._c.overflows, doc="envoy: ejections refused by max_ejection_percent")

    def reset(self, now=None):
        _L.pol_cooldown_reset(_byref(self._c), _now(now))


class Hedge(_Owner):
    """Hedged requests (pol_hedge): when to send another copy while earlier
    ones are in flight. Settings: max_attempts (original included), delay
    (0 = parallel), max_in_flight, use_quantile, quantile, window,
    min_samples (default: 2 attempts, 500 ms)."""

    _FREE, _OBJ = "pol_hedge_free", "_h"

    def __init__(self, cfg=None, **settings):
        self.cfg = _cfg(_lib.pol_hedge_cfg, _L.pol_hedge_default, cfg, settings, "Hedge")
        self._h = _lib.pol_hedge()
        _check(_L.pol_hedge_init(_byref(self._h), _byref(self.cfg)), "Hedge")
        self._live = True

    def observe(self, latency):
        """A finished attempt's latency (seconds), for the quantile delay."""
        _check(_L.pol_hedge_observe(_byref(self._h), _ns(latency)), "Hedge.observe")

    delay_ns = property(lambda self: _L.pol_hedge_delay(_byref(self._h)))
    delay = property(lambda self: self.delay_ns / NS, doc="the hedging delay now (the quantile after min_samples)")
    samples = property(lambda self: self._h.n, doc="latencies in the window")

    def next_at(self, started_at, sent, in_flight):
        """When attempt number sent + 1 should go out (seconds), or None: no
        more hedges now (ask again when an attempt ends)."""
        t = _L.pol_hedge_next_at(_byref(self._h), _ns(started_at), sent, in_flight)
        return None if t == _lib.POL_NS_MAX else t / NS

    def reset(self):
        _L.pol_hedge_reset(_byref(self._h))


class BulkheadFull(RuntimeError):
    """`with bulkhead:` found max_concurrent requests in flight."""


class Bulkhead:
    """A cap on requests in flight (pol_bulkhead): acquire() -> True (pair it
    with release()) or False (reject the request). `with bulkhead:` acquires
    or raises BulkheadFull, and releases at the end."""

    def __init__(self, max_concurrent=None, cfg=None):
        if (max_concurrent is None) == (cfg is None):
            raise TypeError("Bulkhead(max_concurrent) or Bulkhead(cfg=...)")
        self.cfg = (_lib.pol_bulkhead_cfg.from_buffer_copy(cfg) if cfg is not None
                    else _lib.pol_bulkhead_cfg(max_concurrent))
        self._b = _lib.pol_bulkhead()
        _check(_L.pol_bulkhead_init(_byref(self._b), _byref(self.cfg)), "Bulkhead")

    def acquire(self):
        return _L.pol_bulkhead_acquire(_byref(self._b)) == 0

    def release(self):
        """ValueError for a release without an acquire (nothing changes)."""
        _check(_L.pol_bulkhead_release(_byref(self._b)), "Bulkhead.release")

    def __enter__(self):
        if not self.acquire():
            raise BulkheadFull(f"{self.cfg.max_concurrent} requests in flight")
        return self

    def __exit__(self, *exc):
        self.release()
        return False

    in_flight = property(lambda self: self._b.in_flight)
    acquired = property(lambda self: self._b.acquired)
    rejected = property(lambda self: self._b.rejected)

    def reset(self):
        _L.pol_bulkhead_reset(_byref(self._b))


class Monitor(_Owner):
    """A failure monitor (pol_monitor): per-target failures (per fail) in a
    sliding window, with an alert when the count reaches threshold — once
    per crossing (alert='crossing'), or every failure at or above it
    (alert='every'). Settings: window, slices, threshold, fail, alert."""

    _FREE, _OBJ = "pol_monitor_free", "_m"

    def __init__(self, targets=1, cfg=None, **settings):
        self.cfg = _cfg(_lib.pol_monitor_cfg, _L.pol_monitor_default, cfg, settings, "Monitor")
        self._m = _lib.pol_monitor()
        _check(_L.pol_monitor_init(_byref(self._m), _byref(self.cfg), targets), "Monitor")
        self._live = True

    def record(self, i, outcome=None, status=None, now=None):
        """Target i's outcome (an Outcome, a kind, or status=): True when it fires an alert."""
        o = _outcome(outcome, status)
        return _check(_L.pol_monitor_record(_byref(self._m), _index(i, self._m.n, "Monitor"), _now(now),
                                            _byref(o._o)), "Monitor.record") == 1

    def count(self, i, now=None):
        """Failures of target i in the window now (re-arms the alert when below the threshold)."""
        return _check(_L.pol_monitor_count(_byref(self._m), _index(i, self._m.n, "Monitor"), _now(now)),
                      "Monitor.count")

    alerts = property(lambda self: self._m.alerts, doc="alerts fired")

    def reset(self):
        _L.pol_monitor_reset(_byref(self._m))
