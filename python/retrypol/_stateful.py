"""_stateful.py — the client-wide parts of libretrypol: circuit breakers,
retry budgets, the token bucket, load balancers and quota awareness.

Each class owns one C object (the struct mirrored in _lib, allocated by
ctypes, initialised by the library's _init; the ones that allocate are freed
by close() or when collected). Configuration keywords are the C cfg's field
names (docs/stateful-policies.md); a duration field (pol_ns) takes seconds or
a duration string ('30s'). Times are seconds (default time.monotonic()).
Not thread-safe: one lock around each object in a threaded client
(docs/policies.md §9).
"""
import ctypes

from . import _lib
from ._policy_dict import parse_duration

_L = _lib.lib
NS = _lib.POL_NS_PER_S
_byref = ctypes.byref

# pol_ns fields of the cfg structs, which take seconds or a duration string
_DURATIONS = {"slow_duration", "sampling", "break_duration", "break_max", "half_open_max_wait", "ttl", "decay",
              "success_window", "jitter", "max_wait"}


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
    for k, v in kw.items():
        if k not in names or k == "kind":
            raise TypeError(f"{what} has no setting '{k}' (settings: {', '.join(sorted(names - {'kind', 'fail'}))})")
        setattr(cfg, k, _ns(v) if k in _DURATIONS else v)


def _check(rc, what):
    if rc < 0:
        raise ValueError(f"{what}: {_lib.strerror(rc)}")
    return rc


def _outcome(outcome, status):
    from . import Outcome
    return outcome if isinstance(outcome, Outcome) else Outcome(outcome, status)


class Breaker:
    """A circuit breaker (pol_breaker): kind 'consecutive' (pybreaker),
    'rate' (Resilience4j) or 'ratio' (Polly v8), the kind's defaults plus
    the keyword settings (fail_max=5, break_duration='30s', ...)."""

    def __init__(self, kind="consecutive", cfg=None, **settings):
        if cfg is not None:
            self.cfg = _lib.pol_breaker_cfg.from_buffer_copy(cfg)
        else:
            self.cfg = _lib.pol_breaker_cfg()
            _L.pol_breaker_default(_kind(_L.pol_breaker_kind_parse, kind, "breaker"), _byref(self.cfg))
        _apply(self.cfg, settings, "Breaker")
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

    def close(self):
        if getattr(self, "_live", False):
            self._live = False
            _L.pol_breaker_free(_byref(self._b))

    __del__ = close


class Budget:
    """A retry budget (pol_budget): kind 'ratio' (Finagle), 'aws', 'grpc' or
    'envoy', with the kind's defaults plus keyword settings."""

    def __init__(self, kind="ratio", cfg=None, **settings):
        if cfg is not None:
            self.cfg = _lib.pol_budget_cfg.from_buffer_copy(cfg)
        else:
            self.cfg = _lib.pol_budget_cfg()
            _L.pol_budget_default(_kind(_L.pol_budget_kind_parse, kind, "budget"), _byref(self.cfg))
        _apply(self.cfg, settings, "Budget")
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

    def close(self):
        if getattr(self, "_live", False):
            self._live = False
            _L.pol_budget_free(_byref(self._b))

    __del__ = close


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


class LoadBalancer:
    """Load balancing across targets (pol_lb): kind 'weighted-random',
    'round-robin', 'least-outstanding', 'p2c', 'ewma', 'lowest-usage',
    'lowest-cost' or 'highest-success-rate'. targets: a number, or a list of
    dicts of pol_lb_target's public fields (weight, cost, rpm_limit,
    tpm_limit, available); .targets are the C structs (read their counters)."""

    def __init__(self, kind="weighted-random", targets=1, rng=None, cfg=None, **settings):
        from . import _rng
        if cfg is not None:
            self.cfg = _lib.pol_lb_cfg.from_buffer_copy(cfg)
        else:
            self.cfg = _lib.pol_lb_cfg()
            _L.pol_lb_default(_kind(_L.pol_lb_kind_parse, kind, "load-balancing"), _byref(self.cfg))
        _apply(self.cfg, settings, "LoadBalancer")
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


class Quota:
    """Quota awareness (pol_quota): fold x-ratelimit-* headers in, ask
    check() before sending. Settings: min_requests, min_tokens, jitter,
    max_wait."""

    def __init__(self, rng=None, cfg=None, **settings):
        from . import _rng
        if cfg is not None:
            self.cfg = _lib.pol_quota_cfg.from_buffer_copy(cfg)
        else:
            self.cfg = _lib.pol_quota_cfg()
            _L.pol_quota_default(_byref(self.cfg))
        _apply(self.cfg, settings, "Quota")
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
