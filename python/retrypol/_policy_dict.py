"""_policy_dict.py — a scenario file's policy entry (a dict, as yaml.safe_load
gives it) into pol_retry_cfg layers, key for key as sim/scenario/scenario.c
reads them (docs/scenario-format.md, "policies"): `preset`, `retry` with
every key of the retry block (per-kind rules `on`, `count`, the classification
lists), and `inner` (nested loops: inline `{preset, retry, inner}` maps or
`{policy: NAME}`, resolved against the other policies of the file).

The names are read by the library's own *_parse functions, durations and
numbers by its pol_parse_duration / pol_parse_double (the grammar units.c
and the inline specs read too), so the same text gives the same cfg bytes; tests/test_policy.py checks it against `retrysim delays
FILE.yaml:NAME` for every policy of the canonical scenarios. The stateful parts
of an entry (breaker, budget, ...) are not part of a Policy: _policy_parts.py
reads them (retrypol.parts_from_dict, retrypol.load_policy).
"""
import ctypes
import re

from . import _lib as L

RETRY_KEYS = {"max_attempts", "backoff", "base", "multiplier", "step", "cap", "floor", "jitter", "jitter_factor",
              "jitter_max", "retry_after", "retry_after_ceiling", "retry_after_budget", "retry_after_jitter",
              "timeout", "deadline", "honor_should_retry", "fallback_on_exhaust", "others", "retry_on", "fail_on",
              "fallback_on", "count", "on"}
RULE_KEYS = {"match", "max_attempts", "backoff", "base", "multiplier", "step", "cap", "floor", "jitter",
             "jitter_factor", "jitter_max", "retry_after", "retry_after_ceiling", "retry_after_budget",
             "retry_after_jitter", "honor_should_retry", "fallback_on_exhaust"}
BACKOFF_KEYS = ("backoff", "base", "multiplier", "step", "cap", "floor", "jitter", "jitter_factor", "jitter_max")
HINT_KEYS = ("retry_after", "retry_after_ceiling", "retry_after_budget", "retry_after_jitter")
INNER_KEYS = {"preset", "retry", "policy", "inner"}
MAX_LAYERS = 4



class PolicyError(ValueError):
    """A policy dict the scenario loader would refuse (its message names the key)."""


def _text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def parse_number(v, what):
    """A finite decimal number, read by the library (pol_parse_double: the
    grammar of every retrysim input)."""
    out = ctypes.c_double()
    rc = L.lib.pol_parse_double(_text(v).encode(), ctypes.byref(out))
    if rc == L.POL_ERANGE:
        raise PolicyError(f"'{what}' is out of range: '{v}'")
    if rc != L.POL_OK:
        raise PolicyError(f"expected a number for '{what}', got '{v}'")
    return out.value


def parse_duration(v, what="duration"):
    """A duration in ns, read by the library (pol_parse_duration: a number and
    a suffix ns us ms s m min h, or a bare 0; 1.5s, 250ms, 2m)."""
    s = _text(v)
    out = L.c_ns()
    rc = L.lib.pol_parse_duration(s.encode(), ctypes.byref(out))
    if rc == L.POL_ERANGE:
        if s.strip().startswith("-"):
            raise PolicyError(f"'{what}' must not be negative, got '{v}'")
        raise PolicyError(f"'{what}' is too large: '{v}'")
    if rc != L.POL_OK:
        raise PolicyError(f"expected a duration like 250ms for '{what}', got '{v}'")
    return out.value


def parse_int(v, what, lo=0, hi=2**31 - 1):
    if isinstance(v, bool):
        raise PolicyError(f"expected an integer for '{what}', got '{v}'")
    try:
        n = int(_text(v).strip(), 10)
    except ValueError:
        raise PolicyError(f"expected an integer for '{what}', got '{v}'") from None
    if not lo <= n <= hi:
        raise PolicyError(f"'{what}' must be between {lo} and {hi}, got {n}")
    return n


def parse_bool(v, what):
    if isinstance(v, bool):
        return int(v)
    if _text(v) in ("true", "false"):
        return int(_text(v) == "true")
    raise PolicyError(f"expected true or false for '{what}', got '{v}'")


def _enum(parse, v, what, names=""):
    out = L.c_enum()
    if parse(_text(v).encode(), ctypes.byref(out)) != L.POL_OK:
        raise PolicyError(f"unknown value '{v}' for '{what}'{names}")
    return out.value


def parse_outcome_item(v, what):
    """A status (400..599), a class (4xx, 5xx) or a non-HTTP kind: (lo, hi, kind)."""
    s = _text(v).strip()
    if re.fullmatch(r"[+-]?[0-9]+", s):
        st = int(s)
        if not 400 <= st <= 599:
            raise PolicyError(f"status in '{what}' must be between 400 and 599, got '{v}'")
        return st, st, -1
    if s in ("4xx", "5xx"):
        lo = int(s[0]) * 100
        return lo, lo + 99, -1
    if s in L.OUTCOME_KINDS[2:]:
        return 0, 0, L.OUTCOME_KINDS.index(s)
    raise PolicyError(f"expected an HTTP status like 429, a class like 5xx or one of "
                      f"{', '.join(L.OUTCOME_KINDS[2:])} in '{what}', got '{v}'")


def _as_list(v):
    return list(v) if isinstance(v, (list, tuple)) else [v]


def _check_keys(d, allowed, what):
    if not isinstance(d, dict):
        raise PolicyError(f"{what} must be a map, got {type(d).__name__}")
    for k in d:
        if k not in allowed:
            raise PolicyError(f"unknown key '{k}' in {what}")


def _backoff_keys(r, b, what):
    written = any(k in r for k in BACKOFF_KEYS)
    if "backoff" in r:
        b.kind = _enum(L.lib.pol_backoff_kind_parse, r["backoff"], "backoff")
    if "base" in r:
        b.base = parse_duration(r["base"], "base")
    if "step" in r:
        b.step = parse_duration(r["step"], "step")
    elif "base" in r:
        b.step = b.base
    if "multiplier" in r:
        m = parse_number(r["multiplier"], "multiplier")
        if not 1 <= m <= 1000:
            raise PolicyError(f"'multiplier' must be between 1 and 1000, got {r['multiplier']}")
        b.multiplier = m
    if "cap" in r:
        b.cap = parse_duration(r["cap"], "cap")
    if "floor" in r:
        b.floor = parse_duration(r["floor"], "floor")
    if "jitter" in r:
        b.jitter = _enum(L.lib.pol_jitter_parse, r["jitter"], "jitter")
    if "jitter_factor" in r:
        f = parse_number(r["jitter_factor"], "jitter_factor")
        if not 0 <= f <= 1:
            raise PolicyError(f"'jitter_factor' must be between 0 and 1, got {r['jitter_factor']}")
        b.jitter_factor = f
    if "jitter_max" in r:
        b.jitter_max = parse_duration(r["jitter_max"], "jitter_max")
    if b.cap > 0 and b.floor > b.cap:
        raise PolicyError(f"floor must not exceed cap in {what}")
    return written


def _hint_keys(r, h):
    written = any(k in r for k in HINT_KEYS)
    if "retry_after" in r:
        h.mode = _enum(L.lib.pol_hint_mode_parse, r["retry_after"], "retry_after")
    if "retry_after_ceiling" in r:
        h.ceiling = parse_duration(r["retry_after_ceiling"], "retry_after_ceiling")
    if "retry_after_budget" in r:
        h.budget = parse_duration(r["retry_after_budget"], "retry_after_budget")
    if "retry_after_jitter" in r:
        h.jitter = parse_duration(r["retry_after_jitter"], "retry_after_jitter")
    return written


def _classify(r, c):
    cls = {"retry": 1, "fallback": 2, "fail": 3}
    if "others" in r:
        if r["others"] not in cls:
            raise PolicyError(f"'others' is retry, fallback or fail, got '{r['others']}'")
        o = cls[r["others"]]
        for st in range(300, L.POL_STATUS_MAX + 1):
            L.lib.pol_classify_set_status(ctypes.byref(c), st, o)
        for k in range(2, L.POL_OUT__COUNT):
            L.lib.pol_classify_set_kind(ctypes.byref(c), k, o)
    for key, value in (("retry_on", 1), ("fallback_on", 2), ("fail_on", 3)):
        if key not in r:
            continue
        for it in _as_list(r[key]):
            lo, hi, kind = parse_outcome_item(it, key)
            if kind >= 0:
                L.lib.pol_classify_set_kind(ctypes.byref(c), kind, value)
            else:
                for st in range(lo, hi + 1):
                    L.lib.pol_classify_set_status(ctypes.byref(c), st, value)


_RULE_NOT = {"timeout": "an attempt's timeout is set when it is sent, before its outcome's kind is known; set it in retry:",
             "deadline": "the deadline is shared by every kind; set it in retry:",
             "count": "the counting mode is the policy's; set it in retry:",
             "on": "rules do not nest",
             "retry_on": "whether a kind is retried is the policy's classification; set retry_on in retry:",
             "fail_on": "whether a kind is retried is the policy's classification; set fail_on in retry:",
             "fallback_on": "whether a kind is retried is the policy's classification; set fallback_on in retry:"}


def _rules(r, c):
    if "on" not in r:
        return
    rules = _as_list(r["on"])
    if len(rules) > L.POL_RETRY_MAX_RULES:
        raise PolicyError(f"at most {L.POL_RETRY_MAX_RULES} rules in 'on'")
    c.nrules = 0
    for i, n in enumerate(rules):
        what = f"retry.on[{i}]"
        if not isinstance(n, dict):
            raise PolicyError(f"{what} must be a map")
        for k, why in _RULE_NOT.items():
            if k in n:
                raise PolicyError(f"'{k}' cannot be set per kind in {what}: {why}")
        _check_keys(n, RULE_KEYS, what)
        rule = L.pol_retry_rule()
        L.lib.pol_retry_rule_init(ctypes.byref(rule), ctypes.byref(c))
        if "match" not in n:
            raise PolicyError(f"missing key 'match' in {what}")
        items = _as_list(n["match"])
        if not items:
            raise PolicyError("'match' needs at least one item")
        for it in items:
            lo, hi, kind = parse_outcome_item(it, "match")
            if kind >= 0:
                L.lib.pol_retry_rule_match_kind(ctypes.byref(rule), kind)
            else:
                L.lib.pol_retry_rule_match_status(ctypes.byref(rule), lo, hi)
        if "max_attempts" in n:
            rule.max_attempts = parse_int(n["max_attempts"], "max_attempts")
            rule.set |= 1
        if _backoff_keys(n, rule.backoff, what):
            rule.set |= 2
        if _hint_keys(n, rule.hint):
            rule.set |= 4
        if "honor_should_retry" in n:
            rule.honor_should_retry = parse_bool(n["honor_should_retry"], "honor_should_retry")
            rule.set |= 8
        if "fallback_on_exhaust" in n:
            rule.fallback_on_exhaust = parse_bool(n["fallback_on_exhaust"], "fallback_on_exhaust")
            rule.set |= 16
        if rule.set & 2 and L.lib.pol_backoff_validate(ctypes.byref(rule.backoff)) != L.POL_OK:
            raise PolicyError(f"the backoff of {what} is invalid (see docs/policies.md)")
        L.lib.pol_retry_add_rule(ctypes.byref(c), ctypes.byref(rule))


def _yaml11(r):
    """YAML 1.1 loaders (PyYAML) read the key `on` as the boolean True."""
    if isinstance(r, dict) and True in r and "on" not in r:
        r = {("on" if k is True else k): v for k, v in r.items()}
    return r


def load_retry(r, c):
    """The keys of a retry block (dict r) onto the pol_retry_cfg c."""
    r = _yaml11(r)
    _check_keys(r, RETRY_KEYS, "retry")
    if "max_attempts" in r:
        c.max_attempts = parse_int(r["max_attempts"], "max_attempts")
    _backoff_keys(r, c.backoff, "retry")
    _hint_keys(r, c.hint)
    if "timeout" in r:
        c.attempt_timeout = parse_duration(r["timeout"], "timeout")
    if "deadline" in r:
        c.deadline = parse_duration(r["deadline"], "deadline")
    if "honor_should_retry" in r:
        c.honor_should_retry = parse_bool(r["honor_should_retry"], "honor_should_retry")
    if "fallback_on_exhaust" in r:
        c.fallback_on_exhaust = parse_bool(r["fallback_on_exhaust"], "fallback_on_exhaust")
    if "count" in r:
        c.count = _enum(L.lib.pol_count_mode_parse, r["count"], "count", " (shared, per-kind or first-kind)")
    _classify(r, c.classify)
    _rules(r, c)


def preset_cfg(name):
    """A preset's pol_retry_cfg; a stack preset (aws-adaptive, ...) gives its
    retry part, as the scenario loader does."""
    c = L.pol_retry_cfg()
    if L.lib.pol_preset_get(str(name).encode(), ctypes.byref(c)) == L.POL_OK:
        return c
    st = L.pol_stack_cfg()
    if L.lib.pol_stack_preset(str(name).encode(), ctypes.byref(st)) == L.POL_OK:
        return L.pol_retry_cfg.from_buffer_copy(st.retry)
    raise PolicyError(f"unknown preset '{name}' (retrypol.presets() and retrypol.stack_presets() list them)")


def _validated(c, who):
    rc = L.lib.pol_retry_validate(ctypes.byref(c))
    if rc != L.POL_OK:
        raise PolicyError(f"the retry settings of {who} are invalid: {L.strerror(rc)}")
    return c


def _own_layer(entry, who):
    c = preset_cfg(entry["preset"]) if "preset" in entry else L.pol_retry_cfg()
    if "preset" not in entry:
        L.lib.pol_retry_default(ctypes.byref(c))
    if "retry" in entry and entry["retry"] is not None:
        load_retry(entry["retry"], c)
    return _validated(c, who)


def entry_layers(entry, others=None, _seen=None):
    """The retry loops of one policy entry, outermost first: [pol_retry_cfg].
    others: {name: entry} of the file, for inner: {policy: NAME}."""
    if not isinstance(entry, dict):
        raise PolicyError("a policy must be a map")
    name = entry.get("name", entry.get("preset", "?"))
    who = f"policy '{name}'"
    layers = [_own_layer(entry, who)]
    seen = (_seen or set()) | {name}
    inner = entry.get("inner")
    while inner is not None:
        _check_keys(inner, INNER_KEYS, f"{who} inner")
        if "policy" in inner:
            for k in ("preset", "retry", "inner"):
                if k in inner:
                    raise PolicyError(f"'{k}' cannot be combined with 'policy' in inner")
            ref = inner["policy"]
            if others is None or ref not in others:
                raise PolicyError(f"unknown policy '{ref}' in {who} inner")
            if ref in seen:
                raise PolicyError(f"inner policy '{ref}' wraps itself (a cycle of inner: policy references)")
            layers += entry_layers(others[ref], others, seen)
            break
        if "preset" not in inner and "retry" not in inner:
            raise PolicyError("inner needs 'preset', 'retry' or 'policy'")
        layers.append(_own_layer(inner, f"{who} inner"))
        inner = inner.get("inner")
    if len(layers) > MAX_LAYERS:
        raise PolicyError(f"{who} has more than {MAX_LAYERS} retry layers")
    return layers
