"""_policy_parts.py — the stateful parts of a scenario file's policy entry
(breaker, budget, throttle, rate_limiter, bulkhead, cooldown, load_balancing,
quota, hedge, monitor, and gateway_size, degraded, context_fallback,
content_fallback) into the library's cfg structs, key for key as
sim/scenario/scenario_stateful.c reads them (docs/scenario-format.md,
"Stateful policies").

One row of PARTS a part, in the loader's order, with the same bindings
(key -> cfg field, type, range), hooks and validation: a part starts from a
stack preset's cfg (preset: aws-adaptive, ...) or the library's defaults for
its kind (pol_*_default), and the file's keys override them. Values are read
with the loader's grammar (durations: _policy_dict.parse_duration; kinds: the
library's pol_*_kind_parse); an unknown key or a value the loader refuses is
a PolicyError naming the key. python/tests/test_policy_parts.py compares the
cfg bytes with the structs the C loader builds for every canonical scenario.
Cost: linear in the entry's keys.
"""
import ctypes
import re

from . import _lib as L
from ._policy_dict import PolicyError, parse_duration, parse_outcome_item, _check_keys, _text

_byref = ctypes.byref
SIM_MAX_TARGETS = 8
SCOPES = ("request", "client", "gateway", "global", "class")       # sim_scope
POLICY_OWN_KEYS = ("name", "preset", "retry", "targets", "inner", "stream")
OTHER_KEYS = ("gateway_size", "degraded", "context_fallback", "content_fallback")
BIG = 1e15

_INT = re.compile(r"\s*[+-]?[0-9]+\s*")
_FLOAT = re.compile(r"\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def _want_scalar(v, key):
    if isinstance(v, (dict, list, tuple)):
        raise PolicyError(f"expected a scalar for '{key}', got {'a map' if isinstance(v, dict) else 'a list'}")
    return _text(v)


def as_int(v, key, lo, hi):
    s = _want_scalar(v, key)
    if isinstance(v, bool) or not _INT.fullmatch(s):
        raise PolicyError(f"expected an integer for '{key}', got '{s}'")
    n = int(s)
    if not lo <= n <= hi:
        raise PolicyError(f"value for '{key}' must be between {lo:.0f} and {hi:.0f}, got '{s}'")
    return n


def _strtod_full(s):
    """strtod(s) consuming all of s (leading blanks allowed, trailing not), or None."""
    m = _FLOAT.match(s)
    if not m or m.end() != len(s):
        return None
    return float(m.group(0))


def as_double(v, key, lo, hi):
    s = _want_scalar(v, key)
    t = s[1:] if s.startswith("$") else s
    x = None if isinstance(v, bool) else _strtod_full(t.rstrip(" \t\n"))
    if x is None or x == float("inf") or x == float("-inf"):
        raise PolicyError(f"expected a number for '{key}', got '{s}'")
    if x < lo or x > hi:
        raise PolicyError(f"value for '{key}' must be between {lo:g} and {hi:g}, got '{s}'")
    return x


def as_percent(v, key):
    s = _want_scalar(v, key)
    t = s[:-1] if s.endswith("%") else s
    x = None if isinstance(v, bool) or len(s) >= 64 else _strtod_full(t)
    if x is None or not 0 <= x <= 100000:
        raise PolicyError(f"'{key}' expects a percentage like 10%, got '{s}'")
    return x


def as_duration(v, key, positive=False):
    s = _want_scalar(v, key)
    ns = parse_duration(s, key)
    if positive and ns <= 0:
        raise PolicyError(f"expected a positive duration like 250ms for '{key}', got '{s}'")
    return ns


def as_bool(v, key):
    if isinstance(v, bool):
        return int(v)
    s = _want_scalar(v, key).lower()
    if s in ("true", "yes", "on"):
        return 1
    if s in ("false", "no", "off"):
        return 0
    raise PolicyError(f"expected true or false for '{key}', got '{_text(v)}'")


def as_enum(v, key, names):
    s = _want_scalar(v, key)
    if s not in names:
        raise PolicyError(f"expected one of {', '.join(names)} for '{key}', got '{s}'")
    return names.index(s)


def as_rate(v, key):
    """A positive rate: 50/s, 4200/min, 3/h, 2/ms, or a plain number per second."""
    s = _want_scalar(v, key)
    x = None
    if "/" in s:
        num, unit = s.split("/", 1)
        per = {"s": 1, "sec": 1, "min": 60, "m": 60, "h": 3600, "ms": 1e-3}.get(unit.strip()) \
            if len(unit.split()) == 1 else None
        n = _strtod_full(num.rstrip(" \t\n"))
        if per is not None and n is not None and n >= 0:
            x = n / per
    if x is None:
        x = _strtod_full(s.rstrip(" \t\n"))
    if isinstance(v, bool) or x is None or x in (float("inf"), float("-inf")) or x <= 0:
        raise PolicyError(f"expected a positive rate like 70/s or 4200/min for '{key}', got '{s}'")
    return x


def as_failmask(v, key):
    if not isinstance(v, (list, tuple)):
        raise PolicyError(f"expected a list for '{key}'")
    fm = L.pol_failmask()
    L.lib.pol_failmask_none(_byref(fm))
    for it in v:
        if isinstance(it, (dict, list, tuple)):
            raise PolicyError(f"expected an HTTP status like 429, a class like 5xx or a kind in '{key}', "
                              f"got a collection")
        lo, hi, kind = parse_outcome_item(it, key)
        if kind >= 0:
            L.lib.pol_failmask_set_kind(_byref(fm), kind, 1)
        else:
            L.lib.pol_failmask_set_status(_byref(fm), lo, hi, 1)
    return fm


# ---- bindings: (key, type, field, lo, hi or names) -----------------------------
def _b(key, typ, field, lo=0, hi=0):
    return (key, typ, field, lo, hi)


HALF_OPEN_MODES = ("probes", "all")
ALERT_MODES = tuple(L.MONITOR_ALERTS)
WINDOW_KINDS = ("count", "time")
HEDGE_MODES = ("hedge", "parallel")
HEDGE_PICKS = ("first-answer", "list-order")

BREAKER_BINDS = (
    _b("fail_max", "int", "fail_max", 1, 1000000), _b("window_size", "int", "window_size", 1, 1000000),
    _b("min_calls", "int", "min_calls", 1, 1000000), _b("failure_rate", "percent", "failure_rate"),
    _b("slow_rate", "percent", "slow_rate"), _b("slow_duration", "duration_pos", "slow_duration"),
    _b("failure_ratio", "double", "failure_ratio", 0, 1), _b("sampling", "duration_pos", "sampling"),
    _b("min_throughput", "int", "min_throughput", 2, 1000000), _b("break", "duration_pos", "break_duration"),
    _b("break_max", "duration", "break_max"), _b("probes", "int", "half_open_probes", 1, 1000000),
    _b("half_open_max_wait", "duration", "half_open_max_wait"),
    _b("half_open", "enum", "half_open", 0, HALF_OPEN_MODES),
    _b("fail_on", "failmask", "fail"))
BUDGET_BINDS = (
    _b("capacity", "int", "aws_capacity", 1, 1000000000), _b("retry_cost", "int", "aws_retry_cost", 0, 1000000),
    _b("timeout_cost", "int", "aws_timeout_cost", 0, 1000000),
    _b("no_retry_refund", "int", "aws_no_retry_refund", 0, 1000000),
    _b("max_tokens", "double", "max_tokens", 0, 1000), _b("token_ratio", "double", "token_ratio", 0, 1000),
    _b("percent", "fraction", "percent"), _b("min_per_sec", "int", "min_per_sec", 0, 1000000),
    _b("ttl", "duration_pos", "ttl"), _b("slices", "int", "slices", 1, 1000),
    _b("budget_percent", "percent", "budget_percent"), _b("min_concurrency", "int", "min_concurrency", 0, 1000000))
THROTTLE_BINDS = (
    _b("k", "double", "k", 0.0001, 1000), _b("window", "duration_pos", "window"),
    _b("slices", "int", "slices", 1, 100000),
    _b("beta", "double", "beta", 0, 1), _b("scale_c", "double", "scale_c", 0, 1000),
    _b("min_fill_rate", "double", "min_fill_rate", 0, 1e9), _b("smoothing", "double", "smoothing", 0, 1),
    _b("rate_bucket", "duration_pos", "rate_bucket"), _b("max_rate_scale", "double", "max_rate_scale", 0, 1000))
COOLDOWN_BINDS = (
    _b("allowed_fails", "int", "allowed_fails", 0, 1000000), _b("cooldown", "duration_pos", "cooldown_time"),
    _b("failure_threshold", "double", "failure_threshold", 0, 1), _b("min_requests", "int", "min_requests", 0, 1000000),
    _b("retry_after_sets", "bool", "hint_sets_cooldown"), _b("retry_after_cap", "duration", "hint_cap"),
    _b("consecutive_5xx", "int", "consecutive_5xx", 1, 1000000), _b("base_ejection", "duration_pos", "base_ejection"),
    _b("max_ejection", "duration_pos", "max_ejection"), _b("max_ejection_percent", "percent", "max_ejection_percent"),
    _b("interval", "duration_pos", "interval"), _b("fail_on", "failmask", "fail"))
LB_BINDS = (_b("decay", "duration_pos", "decay"), _b("usage_relative", "bool", "usage_relative"),
            _b("success_window", "duration", "success_window"))
QUOTA_BINDS = (_b("min_requests", "int", "min_requests", 0, 1000000000),
               _b("min_tokens", "int", "min_tokens", 0, 1000000000000), _b("jitter", "duration", "jitter"),
               _b("max_wait", "duration", "max_wait"))
HEDGE_BINDS = (_b("max_attempts", "int", "max_attempts", 1, 4), _b("max_in_flight", "int", "max_in_flight", 0, 4),
               _b("window", "int", "window", 1, 1000000), _b("min_samples", "int", "min_samples", 1, 1000000))
MONITOR_BINDS = (_b("window", "duration_pos", "window"), _b("slices", "int", "slices", 1, 100000),
                 _b("threshold", "int", "threshold", 1, 1000000000), _b("fail_on", "failmask", "fail"),
                 _b("alert", "enum", "alert", 0, ALERT_MODES))


def _apply_bind(m, bind, cfg):
    key, typ, field, lo, hi = bind
    v = m.get(key)
    if v is None:
        return
    if typ == "int":
        x = as_int(v, key, lo, hi)
    elif typ == "double":
        x = as_double(v, key, lo, hi)
    elif typ == "percent":
        x = as_percent(v, key)
    elif typ == "fraction":
        x = as_percent(v, key) / 100
    elif typ == "duration":
        x = as_duration(v, key)
    elif typ == "duration_pos":
        x = as_duration(v, key, positive=True)
    elif typ == "bool":
        x = as_bool(v, key)
    elif typ == "failmask":
        x = as_failmask(v, key)
    else:
        x = as_enum(v, key, hi)
    setattr(cfg, field, x)


# ---- hooks: (m, spec, cfg, extra, ntargets) ------------------------------------
def _breaker_hook(m, spec, cfg, ex, nt):
    if m.get("window") is not None:
        cfg.window_kind = as_enum(m["window"], "window", WINDOW_KINDS)


def _limiter_hook(m, spec, cfg, ex, nt):
    if m.get("rate") is None:
        raise PolicyError("'rate' needs a value" if "rate" in m else "missing required key 'rate' in rate_limiter")
    cfg.rate = as_rate(m["rate"], "rate")
    cfg.burst = cfg.rate
    if m.get("burst") is not None:
        cfg.burst = as_double(m["burst"], "burst", 1e-9, BIG)
    ex["rate_limiter_tokens"] = as_bool(m["tokens"], "tokens") if m.get("tokens") is not None else 0


def _bulkhead_hook(m, spec, cfg, ex, nt):
    if m.get("max") is None:
        raise PolicyError("'max' needs a value" if "max" in m else "missing required key 'max' in bulkhead")
    cfg.max_concurrent = as_int(m["max"], "max", 1, 100000000)


def _lb_hook(m, spec, cfg, ex, nt):
    weights = [1.0] * SIM_MAX_TARGETS
    ex["lb_tiers"] = []
    ex["lb_sticky"] = as_bool(m["sticky"], "sticky") if m.get("sticky") is not None else 0
    wl, tl = m.get("weights"), m.get("tiers")
    if wl is not None:
        if not isinstance(wl, (list, tuple)):
            raise PolicyError("expected a list for 'weights'")
        if len(wl) != nt:
            raise PolicyError(f"'weights' has {len(wl)} entries for {nt} targets")
        for i, w in enumerate(wl):
            weights[i] = as_double(w, "weight", 0, 1e12)
    ex["lb_weights"] = weights
    if tl is None:
        return
    if not isinstance(tl, (list, tuple)):
        raise PolicyError("expected a list for 'tiers'")
    if not 1 <= len(tl) <= SIM_MAX_TARGETS:
        raise PolicyError(f"'tiers' needs 1 to {SIM_MAX_TARGETS} sizes")
    tiers = [as_int(t, "tier size", 1, SIM_MAX_TARGETS) for t in tl]
    if sum(tiers) != nt:
        raise PolicyError(f"'tiers' sizes add up to {sum(tiers)}, but the policy has {nt} targets")
    ex["lb_tiers"] = tiers


def _hedge_pre(m, spec, cfg, ex, nt):
    mode = as_enum(m["mode"], "mode", HEDGE_MODES) if m.get("mode") is not None else 0
    d = m.get("delay")
    if d is not None and not isinstance(d, (dict, list, tuple)) and re.match(r"p[0-9]", _text(d)):
        q = _strtod_full(_text(d)[1:])
        if q is None or not 0 < q < 100:
            raise PolicyError(f"hedge delay '{_text(d)}': expected a duration or a percentile like p95")
        cfg.use_quantile, cfg.quantile = 1, q / 100
    elif d is not None:
        cfg.delay = as_duration(d, "hedge delay")
        cfg.use_quantile = 0
    if mode == 1:
        cfg.delay, cfg.use_quantile = 0, 0
    ex["hedge_mode"] = HEDGE_MODES[mode]


def _hedge_post(m, spec, cfg, ex, nt):
    mode = HEDGE_MODES.index(ex["hedge_mode"])
    if mode == 0 and not cfg.use_quantile and cfg.delay == 0:
        raise PolicyError("a hedge needs a delay > 0 or a percentile (or mode: parallel)")
    pick = as_enum(m["pick"], "pick", HEDGE_PICKS) if m.get("pick") is not None else 0
    if pick and mode != 1:
        raise PolicyError("'pick' is an option of mode: parallel (a delayed hedge takes the first answer)")
    ex["hedge_list_order"] = pick


class _Part:
    """One row of PARTS: as scenario_stateful.c's part_spec."""

    def __init__(self, key, struct, stack=None, kind=None, kind_required=False, default_kind=None, default=None,
                 always_default=False, binds=(), hook_keys=(), pre=None, post=None, validate=None, scope=1):
        self.key, self.struct, self.stack = key, struct, stack
        self.kind_key = "strategy" if key == "load_balancing" else ("kind" if kind else None)
        self.kind, self.kind_required, self.default_kind = kind, kind_required, default_kind
        self.default, self.always_default = default, always_default
        self.binds, self.hook_keys, self.pre, self.post = binds, hook_keys, pre, post
        self.validate, self.scope = validate, scope

    def allowed(self):
        return (([self.kind_key] if self.kind_key else []) + [b[0] for b in self.binds] + list(self.hook_keys)
                + (["scope"] if self.scope else []))

    def default_kind_value(self):
        """The kind when the key is absent and no preset set one (by its name, as the library numbers it)."""
        if self.default_kind is None:
            return 0
        out = L.c_enum()
        if _lf(f"pol_{self.kind}_kind_parse")(self.default_kind.encode(), _byref(out)) != L.POL_OK:
            raise AssertionError(f"libretrypol has no {self.key} kind '{self.default_kind}'")
        return out.value

    def kind_names(self):
        fn = getattr(L.lib, f"pol_{self.kind}_kind_name")
        out = []
        for k in range(32):
            n = fn(k).decode()
            if n == "?" or n in out:
                break
            out.append(n)
        return out


def _lf(name):
    return getattr(L.lib, name)


PARTS = (
    _Part("breaker", L.pol_breaker_cfg, "breaker", "breaker", default_kind="consecutive", binds=BREAKER_BINDS,
          hook_keys=("window",), pre=_breaker_hook, validate="pol_breaker_validate"),
    _Part("budget", L.pol_budget_cfg, "budget", "budget", default_kind="ratio", binds=BUDGET_BINDS,
          validate="pol_budget_validate"),
    _Part("throttle", L.pol_throttle_cfg, "throttle", "throttle", default_kind="sre", binds=THROTTLE_BINDS,
          validate="pol_throttle_validate"),
    _Part("rate_limiter", L.pol_bucket_cfg, "bucket", hook_keys=("rate", "burst", "tokens"), pre=_limiter_hook),
    _Part("bulkhead", L.pol_bulkhead_cfg, "bulkhead", hook_keys=("max",), pre=_bulkhead_hook),
    _Part("cooldown", L.pol_cooldown_cfg, "cooldown", "cooldown", default_kind="litellm", binds=COOLDOWN_BINDS,
          validate="pol_cooldown_validate"),
    _Part("load_balancing", L.pol_lb_cfg, "lb", "lb", kind_required=True, always_default=True, binds=LB_BINDS,
          hook_keys=("weights", "tiers", "sticky"), post=_lb_hook),
    _Part("quota", L.pol_quota_cfg, "quota", default="pol_quota_default", binds=QUOTA_BINDS),
    _Part("hedge", L.pol_hedge_cfg, "hedge", default="pol_hedge_default", binds=HEDGE_BINDS,
          hook_keys=("delay", "mode", "pick"), pre=_hedge_pre, post=_hedge_post, validate="pol_hedge_validate"),
    _Part("monitor", L.pol_monitor_cfg, None, default="pol_monitor_default", always_default=True,
          binds=MONITOR_BINDS, scope=2),
)
PART_KEYS = tuple(p.key for p in PARTS)
POLICY_KEYS = POLICY_OWN_KEYS + PART_KEYS + OTHER_KEYS


def _read_kind(m, ps, kind):
    v = m.get(ps.kind_key)
    if v is None:
        if ps.kind_required:
            raise PolicyError(f"{ps.key} needs a {ps.kind_key} (one of {', '.join(ps.kind_names())})")
        return kind
    s = _want_scalar(v, ps.kind_key)
    out = L.c_enum()
    if _lf(f"pol_{ps.kind}_kind_parse")(s.encode(), _byref(out)) == L.POL_OK:
        return out.value
    what = (f"unknown load-balancing strategy '{s}'" if ps.key == "load_balancing"
            else f"unknown {ps.key} kind '{s}'")
    raise PolicyError(f"{what} (one of {', '.join(ps.kind_names())})")


def _load_part(entry, ps, nt, st):
    m = entry.get(ps.key)
    if m is None:
        return
    _check_keys(m, ps.allowed(), ps.key)
    used = ps.key in st["use"]
    cfg = st["cfg"].setdefault(ps.key, ps.struct())
    if ps.kind_key:
        kind = cfg.kind if used else ps.default_kind_value()
        kind = _read_kind(m, ps, kind)
        if ps.always_default or not used or cfg.kind != kind:
            _lf(f"pol_{ps.kind}_default")(kind, _byref(cfg))
    elif ps.default and (ps.always_default or not used):
        _lf(ps.default)(_byref(cfg))
    if ps.pre:
        ps.pre(m, ps, cfg, st["extra"], nt)
    for b in ps.binds:
        _apply_bind(m, b, cfg)
    if ps.post:
        ps.post(m, ps, cfg, st["extra"], nt)
    if ps.scope:
        scope = st["scope"].get(ps.key, "global")
        if m.get("scope") is not None:
            scope = SCOPES[as_enum(m["scope"], "scope", SCOPES)]
        if ps.scope == 2 and scope not in ("global", "class"):
            raise PolicyError(f"a {ps.key}'s scope is global (one for every client, the default) or class "
                              f"(one per request class), not {scope}")
        st["scope"][ps.key] = scope
    if ps.validate and _lf(ps.validate)(_byref(cfg)) != L.POL_OK:
        raise PolicyError(f"these {ps.key} settings are not valid (see docs/stateful-policies.md)")
    st["use"].add(ps.key)


def _provider_chain(entry, key, providers):
    v = entry.get(key)
    if v is None:
        return []
    if not isinstance(v, (list, tuple)):
        raise PolicyError(f"expected a list for '{key}'")
    if len(v) > SIM_MAX_TARGETS:
        raise PolicyError(f"'{key}' lists at most {SIM_MAX_TARGETS} providers")
    out = []
    for it in v:
        name = _want_scalar(it, "provider name")
        if providers is not None and name not in providers:
            raise PolicyError(f"'{key}': no provider named '{name}'")
        out.append(name)
    return out


def load_parts(entry, providers=None):
    """The stateful settings of policy entry `entry` (a dict): {'use': set of
    part keys, 'cfg': {key: cfg struct}, 'scope': {key: scope}, 'extra':
    {...}}, as sim_stateful_load fills sim_stateful. providers: the file's
    provider names, to check targets / context_fallback / content_fallback
    (None: not checked)."""
    if not isinstance(entry, dict):
        raise PolicyError("a policy must be a map")
    name = entry.get("name", entry.get("preset", "?"))
    _check_keys(entry, POLICY_KEYS, f"policy '{name}'")
    st = {"use": set(), "cfg": {}, "scope": {}, "extra": {}}
    preset = entry.get("preset")
    stack = L.pol_stack_cfg()
    if preset is not None and L.lib.pol_stack_preset(_text(preset).encode(), _byref(stack)) == L.POL_OK:
        for ps in PARTS:
            if ps.stack is None:
                continue
            st["cfg"][ps.key] = ps.struct.from_buffer_copy(getattr(stack, ps.stack))
            if getattr(stack, "use_" + ps.stack):
                st["use"].add(ps.key)
    targets = entry.get("targets")
    nt = len(targets) if isinstance(targets, (list, tuple)) and targets else 1
    if isinstance(targets, (list, tuple)) and providers is not None:
        for t in targets:
            if _text(t) not in providers:
                raise PolicyError(f"no provider named '{_text(t)}' in targets of policy '{name}'")
    st["targets"] = [_text(t) for t in targets] if isinstance(targets, (list, tuple)) else None
    st["ntargets"] = nt
    for ps in PARTS:
        _load_part(entry, ps, nt, st)
    ex = st["extra"]
    ex.setdefault("rate_limiter_tokens", 0)
    ex.setdefault("lb_weights", [1.0] * SIM_MAX_TARGETS)
    ex.setdefault("lb_tiers", [])
    ex.setdefault("lb_sticky", 0)
    ex.setdefault("hedge_mode", "hedge")
    ex.setdefault("hedge_list_order", 0)
    g = entry.get("gateway_size")
    ex["gateway_size"] = 100 if g is None else as_int(g, "gateway_size", 1, 100000000)
    ex["degraded"] = 0 if entry.get("degraded") is None else as_bool(entry["degraded"], "degraded")
    ex["context_fallback"] = _provider_chain(entry, "context_fallback", providers)
    ex["content_fallback"] = _provider_chain(entry, "content_fallback", providers)
    return st


class Parts:
    """The stateful parts of one policy entry, each as its retrypol class
    (None when the entry leaves it off): breaker, budget, throttle,
    rate_limiter (a TokenBucket), bulkhead, cooldown, load_balancing (also
    .lb), quota, hedge, monitor. breakers / quotas: one per target (breaker /
    quota is the first); per-target state is indexed by the policy's targets
    (the simulator's by the file's providers: docs/python.md). The loader's reading
    stays beside them: uses (the keys on, in the loader's order), cfgs ({key:
    a copy of the cfg struct}), scope ({key: 'request' | 'client' | 'gateway'
    | 'global' | 'class'}: where the simulator keeps the state; a client
    keeps one Parts per scope unit, see new()), targets, rate_limiter_tokens,
    lb_weights, lb_tiers, lb_sticky, hedge_mode, hedge_list_order,
    gateway_size, degraded, context_fallback, content_fallback."""

    def __init__(self, settings, now=None, rng=None):
        self._st = settings
        self.uses = [k for k in PART_KEYS if k in settings["use"]]
        self.cfgs = {k: type(settings["cfg"][k]).from_buffer_copy(settings["cfg"][k]) for k in self.uses}
        self.scope = {k: settings["scope"].get(k, "global") for k in self.uses}
        self.targets = list(settings["targets"]) if settings["targets"] else None
        self.ntargets = settings["ntargets"]
        ex = dict(settings["extra"])
        ex["lb_weights"] = list(ex["lb_weights"][:self.ntargets])
        for k, v in ex.items():
            setattr(self, k, v)
        self._build(now, rng)

    def _build(self, now, rng):
        from . import _stateful as S
        c, n = self.cfgs.get, self.ntargets
        on = set(self.uses)
        self.breakers = [S.Breaker(cfg=c("breaker")) for _ in range(n)] if "breaker" in on else []
        self.breaker = self.breakers[0] if self.breakers else None
        self.budget = S.Budget(cfg=c("budget")) if "budget" in on else None
        self.throttle = S.Throttle(cfg=c("throttle"), now=now, rng=rng) if "throttle" in on else None
        self.rate_limiter = (S.TokenBucket(c("rate_limiter").rate, c("rate_limiter").burst, now)
                             if "rate_limiter" in on else None)
        self.bulkhead = S.Bulkhead(cfg=c("bulkhead")) if "bulkhead" in on else None
        self.cooldown = S.Cooldown(cfg=c("cooldown"), targets=n, now=now) if "cooldown" in on else None
        self.load_balancing = (S.LoadBalancer(cfg=c("load_balancing"), targets=[{"weight": w} for w in self.lb_weights],
                                              rng=rng) if "load_balancing" in on else None)
        self.quotas = [S.Quota(cfg=c("quota"), rng=rng) for _ in range(n)] if "quota" in on else []
        self.quota = self.quotas[0] if self.quotas else None
        self.hedge = S.Hedge(cfg=c("hedge")) if "hedge" in on else None
        self.monitor = S.Monitor(targets=n, cfg=c("monitor")) if "monitor" in on else None

    lb = property(lambda self: self.load_balancing)

    def new(self, now=None, rng=None):
        """Fresh objects from the same settings (the state of a new client,
        gateway instance or request, per scope)."""
        return Parts(self._st, now=now, rng=rng)

    def __getitem__(self, key):
        if key not in PART_KEYS:
            raise KeyError(key)
        return getattr(self, key)

    def __repr__(self):
        return f"Parts({', '.join(f'{k}[{self.scope[k]}]' for k in self.uses) or 'none'})"


def parts_from_dict(entry, providers=None, now=None, rng=None):
    """A policy entry's stateful parts (Parts), read as the scenario loader
    reads them; providers: the file's provider names (checks targets and the
    fallback chains), now / rng: for the parts that take them."""
    return Parts(load_parts(entry, providers), now=now, rng=rng)
