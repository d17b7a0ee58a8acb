"""_lib.py — libretrypol.so and libgsl through ctypes: loading, the version
check, the struct mirrors and the function prototypes.

Every ctypes.Structure below mirrors a struct of policies/*.h field by field,
in order, with the C types' widths (pol_ns is int64_t, an enum is a C int,
unsigned is c_uint). tests/test_layout.py compiles a C program that prints
sizeof and offsetof of every mirrored field with the system's compiler and
compares them with ctypes' view, so a header change that the mirror misses
fails the tests. Constants (enum values, array sizes) are checked the same way.

Where the library is found (first that exists):
  1. $RETRYPOL_LIBRARY, a path to libretrypol.so (or .so.0);
  2. the directory recorded at install time in _install.py (`make install`
     writes LIBDIR = $(PREFIX)/lib);
  3. ctypes.util.find_library("retrypol") (ldconfig's cache, LD_LIBRARY_PATH).
GSL is the libgsl the library itself links (libgsl.so.27 on Debian 12), so
the generators of gsl_rng_alloc(gsl_rng_taus2) here are the ones the C code
draws from.
"""
import ctypes
import ctypes.util
import os

from ctypes import (POINTER, Structure, c_char_p, c_double, c_int, c_int64, c_size_t, c_uint, c_uint8,
                    c_uint16, c_uint32, c_uint64, c_ulong, c_void_p)

# The library version this package was written against (pol_version.h):
# MAJOR * 1000000 + MINOR * 1000 + PATCH, as POL_VERSION_NUMBER.
VERSION = "0.2.0"
VERSION_NUMBER = (lambda M, m, p: M * 1000000 + m * 1000 + p)(*map(int, VERSION.split(".")))

c_ns = c_int64      # pol_ns
c_enum = c_int      # every pol_* enum (GCC: int-sized, values < 2^31)

# ---- constants (pol_*.h), checked against the C compiler by tests/test_layout.py
POL_OK, POL_EINVAL, POL_EPARSE, POL_ERANGE, POL_ENOTFOUND, POL_ENOMEM = 0, -1, -2, -3, -4, -5
POL_OUT__COUNT = 10
POL_STATUS_MIN, POL_STATUS_MAX = 100, 599
POL_RETRY_MAX_RULES = 8
POL_RULE_STATUS_BYTES = (POL_STATUS_MAX - POL_STATUS_MIN) // 8 + 1
POL_LAYERS_MAX = 4
POL_WINDOW_MAX_COUNTERS = 4
POL_FAILMASK_NSTATUS = POL_STATUS_MAX - POL_STATUS_MIN + 1
POL_NS_PER_S = 1000000000
POL_NS_MAX = 2**63 - 1

# enum values, in header order (the *_name / *_parse functions give the names)
OUTCOME_KINDS = ["success", "http", "timeout", "refused", "reset", "context-window", "content-policy",
                 "stream-cut", "stream-error", "stream-timeout"]
ACTIONS = ["done", "retry", "fallback", "give-up"]
CLASSES = ["success", "retry", "fallback", "fail"]
BREAKER_STATES = ["closed", "open", "half-open"]
BREAKER_ANSWERS = ["allow", "reject", "probe"]
THROTTLE_ANSWERS = ["send", "wait", "reject"]
MONITOR_ALERTS = ["crossing", "every"]      # pol_monitor_alert (the library has no name functions for it)


class pol_outcome(Structure):
    _fields_ = [("kind", c_enum), ("status", c_int), ("retry_after", c_ns), ("should_retry", c_int)]


class pol_backoff_cfg(Structure):
    _fields_ = [("kind", c_enum), ("base", c_ns), ("multiplier", c_double), ("step", c_ns), ("cap", c_ns),
                ("floor", c_ns), ("jitter", c_enum), ("jitter_factor", c_double), ("jitter_max", c_ns)]


class pol_backoff_state(Structure):
    _fields_ = [("prev", c_ns), ("v2_prev", c_double)]


class pol_hint_cfg(Structure):
    _fields_ = [("mode", c_enum), ("ceiling", c_ns), ("budget", c_ns), ("jitter", c_ns), ("ignore_zero", c_int),
                ("invalid_now", c_int), ("parse_float", c_int)]


class pol_classify_cfg(Structure):
    _fields_ = [("by_status", c_uint8 * (POL_STATUS_MAX - POL_STATUS_MIN + 1)), ("by_kind", c_uint8 * POL_OUT__COUNT)]


class pol_retry_rule(Structure):
    _fields_ = [("status", c_uint8 * POL_RULE_STATUS_BYTES), ("kinds", c_uint16), ("set", c_uint),
                ("max_attempts", c_int), ("backoff", pol_backoff_cfg), ("hint", pol_hint_cfg),
                ("honor_should_retry", c_int), ("fallback_on_exhaust", c_int)]


class pol_retry_cfg(Structure):
    _fields_ = [("max_attempts", c_int), ("deadline", c_ns), ("attempt_timeout", c_ns),
                ("backoff", pol_backoff_cfg), ("hint", pol_hint_cfg), ("classify", pol_classify_cfg),
                ("honor_should_retry", c_int), ("fallback_on_exhaust", c_int), ("count", c_enum),
                ("nrules", c_int), ("rules", pol_retry_rule * POL_RETRY_MAX_RULES)]


class pol_verdict(Structure):
    _fields_ = [("action", c_enum), ("reason", c_enum), ("delay", c_ns), ("cls", c_enum)]


class pol_retry_state(Structure):
    _fields_ = [("start", c_ns), ("attempts", c_int), ("last_delay", c_ns), ("hinted", c_ns),
                ("bo", pol_backoff_state), ("last_rule", c_int), ("first_rule", c_int),
                ("kind_attempts", c_int * (POL_RETRY_MAX_RULES + 1)), ("rule_bo_live", c_uint),
                ("rule_bo", pol_backoff_state * POL_RETRY_MAX_RULES)]


class pol_layers_cfg(Structure):
    _fields_ = [("n", c_int), ("layer", POINTER(pol_retry_cfg) * POL_LAYERS_MAX)]


class pol_preset_info(Structure):
    _fields_ = [("name", c_char_p), ("summary", c_char_p), ("source", c_char_p)]


class pol_window(Structure):
    _fields_ = [("slice", c_ns), ("n_slices", c_int), ("n_counters", c_int), ("newest", c_int64),
                ("cells", POINTER(c_int64)), ("sum", c_int64 * POL_WINDOW_MAX_COUNTERS)]


class pol_failmask(Structure):
    _fields_ = [("status_bits", c_uint8 * ((POL_FAILMASK_NSTATUS + 7) // 8)), ("kind_bits", c_uint32)]


class pol_breaker_cfg(Structure):
    _fields_ = [("kind", c_enum), ("fail_max", c_int), ("window_kind", c_enum), ("window_size", c_int),
                ("min_calls", c_int), ("failure_rate", c_double), ("slow_rate", c_double),
                ("slow_duration", c_ns), ("failure_ratio", c_double), ("sampling", c_ns),
                ("min_throughput", c_int), ("break_duration", c_ns), ("break_max", c_ns),
                ("half_open_probes", c_int), ("half_open_max_wait", c_ns), ("half_open", c_enum),
                ("fail", pol_failmask)]
    _durations_ = ("slow_duration", "sampling", "break_duration", "break_max", "half_open_max_wait")


class pol_breaker(Structure):
    _fields_ = [("cfg", pol_breaker_cfg), ("state", c_enum), ("open_until", c_ns), ("half_open_at", c_ns),
                ("openings", c_int), ("consecutive", c_int), ("probes_admitted", c_int),
                ("probes_recorded", c_int), ("probe_failures", c_int), ("probe_slow", c_int),
                ("transitions", c_uint64), ("ring", POINTER(c_uint8)), ("ring_head", c_int),
                ("ring_len", c_int), ("ring_fail", c_int), ("ring_slow", c_int), ("win", pol_window),
                ("cells", POINTER(c_int64))]


class pol_bucket_cfg(Structure):
    _fields_ = [("rate", c_double), ("burst", c_double)]


class pol_bucket(Structure):
    _fields_ = [("cfg", pol_bucket_cfg), ("level", c_double), ("at", c_ns)]


class pol_budget_cfg(Structure):
    _fields_ = [("kind", c_enum), ("aws_capacity", c_int), ("aws_retry_cost", c_int), ("aws_timeout_cost", c_int),
                ("aws_no_retry_refund", c_int), ("max_tokens", c_double), ("token_ratio", c_double),
                ("percent", c_double), ("min_per_sec", c_int), ("ttl", c_ns), ("slices", c_int),
                ("budget_percent", c_double), ("min_concurrency", c_int)]
    _durations_ = ("ttl",)


class pol_budget_req(Structure):
    _fields_ = [("retries", c_int), ("last_cost", c_int), ("in_retry", c_int)]


class pol_budget(Structure):
    _fields_ = [("cfg", pol_budget_cfg), ("level", c_int64), ("grpc_max", c_int64), ("grpc_ratio", c_int64),
                ("deposit", c_int64), ("withdrawal", c_int64), ("reserve", c_int64),
                ("attempts_active", c_int), ("retries_active", c_int), ("granted", c_uint64),
                ("denied", c_uint64), ("win", pol_window), ("cells", POINTER(c_int64))]


class pol_lb_target(Structure):
    _fields_ = [("available", c_int), ("weight", c_double), ("cost", c_double), ("rpm_limit", c_double),
                ("tpm_limit", c_double), ("outstanding", c_int), ("ewma", c_double), ("ewma_at", c_ns),
                ("rpm_used", c_double), ("tpm_used", c_double), ("minute", c_int64), ("successes", c_double),
                ("failures", c_double), ("result_at", c_ns)]


class pol_lb_cfg(Structure):
    _fields_ = [("kind", c_enum), ("decay", c_ns), ("usage_relative", c_int), ("success_window", c_ns)]
    _durations_ = ("decay", "success_window")


class pol_lb(Structure):
    _fields_ = [("cfg", pol_lb_cfg), ("rr_next", c_size_t)]


class pol_quota_cfg(Structure):
    _fields_ = [("min_requests", c_int64), ("min_tokens", c_int64), ("jitter", c_ns), ("max_wait", c_ns)]
    _durations_ = ("jitter", "max_wait")


class pol_quota(Structure):
    _fields_ = [("remaining_requests", c_int64), ("remaining_tokens", c_int64),
                ("reset_requests_at", c_ns), ("reset_tokens_at", c_ns)]


class pol_throttle_cfg(Structure):
    _fields_ = [("kind", c_enum), ("k", c_double), ("window", c_ns), ("slices", c_int), ("beta", c_double),
                ("scale_c", c_double), ("min_fill_rate", c_double), ("smoothing", c_double),
                ("rate_bucket", c_ns), ("max_rate_scale", c_double)]
    _durations_ = ("window", "rate_bucket")


class pol_cubic(Structure):
    _fields_ = [("w_max", c_double), ("k", c_double), ("last_fail", c_ns), ("scale_constant", c_double),
                ("beta", c_double)]


class pol_rate_clocker(Structure):
    _fields_ = [("measured", c_double), ("count", c_double), ("last_bucket", c_double), ("smoothing", c_double),
                ("scale", c_double)]


class pol_throttle(Structure):
    _fields_ = [("cfg", pol_throttle_cfg), ("enabled", c_int), ("cubic", pol_cubic), ("clock", pol_rate_clocker),
                ("bucket", pol_bucket), ("win", pol_window), ("cells", POINTER(c_int64))]


class pol_hedge_cfg(Structure):
    _fields_ = [("max_attempts", c_int), ("delay", c_ns), ("max_in_flight", c_int), ("use_quantile", c_int),
                ("quantile", c_double), ("window", c_int), ("min_samples", c_int)]
    _durations_ = ("delay",)


class pol_hedge(Structure):
    _fields_ = [("cfg", pol_hedge_cfg), ("ring", POINTER(c_ns)), ("sorted", POINTER(c_ns)), ("n", c_int),
                ("head", c_int)]


class pol_bulkhead_cfg(Structure):
    _fields_ = [("max_concurrent", c_int)]


class pol_bulkhead(Structure):
    _fields_ = [("cfg", pol_bulkhead_cfg), ("in_flight", c_int), ("acquired", c_uint64), ("rejected", c_uint64)]


class pol_cooldown_cfg(Structure):
    _fields_ = [("kind", c_enum), ("allowed_fails", c_int), ("cooldown_time", c_ns), ("failure_threshold", c_double),
                ("min_requests", c_int), ("hint_sets_cooldown", c_int), ("hint_cap", c_ns),
                ("consecutive_5xx", c_int), ("base_ejection", c_ns), ("max_ejection", c_ns),
                ("max_ejection_percent", c_double), ("interval", c_ns), ("fail", pol_failmask)]
    _durations_ = ("cooldown_time", "hint_cap", "base_ejection", "max_ejection", "interval")


class pol_cooldown_target(Structure):
    _fields_ = [("until", c_ns), ("consecutive", c_int), ("ejections", c_int), ("healthy_since", c_ns),
                ("minute", c_int64), ("fails_minute", c_int), ("successes_minute", c_int), ("fails", c_int),
                ("fails_expire", c_ns), ("cooldowns", c_uint64)]


class pol_cooldown(Structure):
    _fields_ = [("cfg", pol_cooldown_cfg), ("t", POINTER(pol_cooldown_target)), ("n", c_size_t), ("origin", c_ns),
                ("overflows", c_uint64)]


class pol_monitor_cfg(Structure):
    _fields_ = [("window", c_ns), ("slices", c_int), ("threshold", c_int), ("fail", pol_failmask),
                ("alert", c_enum)]
    _durations_ = ("window",)
    _enums_ = {"alert": MONITOR_ALERTS}


class pol_monitor(Structure):
    _fields_ = [("cfg", pol_monitor_cfg), ("n", c_size_t), ("win", POINTER(pol_window)), ("armed", POINTER(c_uint8)),
                ("cells", POINTER(c_int64)), ("alerts", c_uint64)]


class pol_stack_cfg(Structure):
    _fields_ = [("retry", pol_retry_cfg), ("use_breaker", c_int), ("breaker", pol_breaker_cfg),
                ("use_budget", c_int), ("budget", pol_budget_cfg), ("use_throttle", c_int),
                ("throttle", pol_throttle_cfg), ("use_bucket", c_int), ("bucket", pol_bucket_cfg),
                ("use_hedge", c_int), ("hedge", pol_hedge_cfg), ("use_bulkhead", c_int),
                ("bulkhead", pol_bulkhead_cfg), ("use_cooldown", c_int), ("cooldown", pol_cooldown_cfg),
                ("use_lb", c_int), ("lb", pol_lb_cfg), ("use_quota", c_int), ("quota", pol_quota_cfg)]


# Mirrored structs -> their C names (tests/test_layout.py checks each one).
MIRRORED = [pol_outcome, pol_backoff_cfg, pol_backoff_state, pol_hint_cfg, pol_classify_cfg, pol_retry_rule,
            pol_retry_cfg, pol_verdict, pol_retry_state, pol_layers_cfg, pol_preset_info, pol_window,
            pol_failmask, pol_breaker_cfg, pol_breaker, pol_bucket_cfg, pol_bucket, pol_budget_cfg,
            pol_budget_req, pol_budget, pol_lb_target, pol_lb_cfg, pol_lb, pol_quota_cfg, pol_quota,
            pol_throttle_cfg, pol_cubic, pol_rate_clocker, pol_throttle, pol_hedge_cfg, pol_hedge, pol_bulkhead_cfg,
            pol_bulkhead, pol_cooldown_cfg, pol_cooldown_target, pol_cooldown, pol_monitor_cfg, pol_monitor,
            pol_stack_cfg]

# Constants -> their C expressions (checked the same way).
CONSTANTS = {
    "POL_OK": POL_OK, "POL_EINVAL": POL_EINVAL, "POL_EPARSE": POL_EPARSE, "POL_ERANGE": POL_ERANGE,
    "POL_ENOTFOUND": POL_ENOTFOUND, "POL_ENOMEM": POL_ENOMEM, "POL_OUT__COUNT": POL_OUT__COUNT,
    "POL_STATUS_MIN": POL_STATUS_MIN, "POL_STATUS_MAX": POL_STATUS_MAX,
    "POL_RETRY_MAX_RULES": POL_RETRY_MAX_RULES, "POL_RULE_STATUS_BYTES": POL_RULE_STATUS_BYTES,
    "POL_LAYERS_MAX": POL_LAYERS_MAX, "POL_WINDOW_MAX_COUNTERS": POL_WINDOW_MAX_COUNTERS,
    "POL_NS_PER_S": POL_NS_PER_S, "POL_VERSION_NUMBER": VERSION_NUMBER,
    "POL_OUT_SUCCESS": 0, "POL_OUT_HTTP": 1, "POL_OUT_TIMEOUT": 2, "POL_OUT_CONN_REFUSED": 3,
    "POL_OUT_CONN_RESET": 4, "POL_OUT_CONTEXT_WINDOW": 5, "POL_OUT_CONTENT_POLICY": 6,
    "POL_OUT_STREAM_CUT": 7, "POL_OUT_STREAM_ERROR": 8, "POL_OUT_STREAM_TIMEOUT": 9,
    "POL_ACT_DONE": 0, "POL_ACT_RETRY": 1, "POL_ACT_FALLBACK": 2, "POL_ACT_GIVE_UP": 3,
    "POL_CLASS_SUCCESS": 0, "POL_CLASS_RETRY": 1, "POL_CLASS_FALLBACK": 2, "POL_CLASS_FAIL": 3,
    "POL_BREAKER_CLOSED": 0, "POL_BREAKER_OPEN": 1, "POL_BREAKER_HALF_OPEN": 2,
    "POL_BREAKER_ALLOW": 0, "POL_BREAKER_REJECT": 1, "POL_BREAKER_PROBE": 2,
    "POL_BUCKET_GO": 0, "POL_BUCKET_WAIT": 1, "POL_LB_PICKED": 0, "POL_LB_NONE": 1,
    "POL_QUOTA_GO": 0, "POL_QUOTA_WAIT": 1, "POL_HINT_MAX_DELAY": 86400 * POL_NS_PER_S,
    "POL_FAILMASK_NSTATUS": POL_FAILMASK_NSTATUS, "POL_NS_MAX": POL_NS_MAX,
    "POL_THROTTLE_SRE": 0, "POL_THROTTLE_AWS_ADAPTIVE": 1,
    "POL_THROTTLE_SEND": 0, "POL_THROTTLE_WAIT": 1, "POL_THROTTLE_REJECT": 2,
    "POL_BULKHEAD_ACQUIRED": 0, "POL_BULKHEAD_REJECT": 1, "POL_COOLDOWN_LITELLM": 0, "POL_COOLDOWN_ENVOY": 1,
    "POL_MONITOR_ALERT_CROSSING": 0, "POL_MONITOR_ALERT_EVERY": 1,
}


# ---- loading ------------------------------------------------------------------

def _install_libdir():
    try:
        from . import _install                  # written by `make install`
        return getattr(_install, "LIBDIR", None)
    except ImportError:
        return None


def library_path():
    """The path (or name) of the libretrypol this package loads, by the rule
    of the module docstring; raises OSError when none is found."""
    env = os.environ.get("RETRYPOL_LIBRARY")
    if env:
        if not os.path.exists(env):
            raise OSError(f"RETRYPOL_LIBRARY={env}: no such file")
        return env
    libdir = _install_libdir()
    if libdir:
        for name in ("libretrypol.so.%s" % VERSION.split(".")[0], "libretrypol.so"):
            p = os.path.join(libdir, name)
            if os.path.exists(p):
                return p
    found = ctypes.util.find_library("retrypol")
    if found:
        return found
    raise OSError("libretrypol not found: set RETRYPOL_LIBRARY to the path of libretrypol.so "
                  "(e.g. build/libretrypol.so), or install it (make install)")


def _load_gsl():
    for name in ("libgsl.so.27", ctypes.util.find_library("gsl") or "libgsl.so"):
        try:
            return ctypes.CDLL(name, mode=ctypes.RTLD_GLOBAL)
        except OSError:
            continue
    raise OSError("libgsl not found (Debian: apt-get install libgsl27)")


gsl = _load_gsl()
lib = ctypes.CDLL(library_path())
path = lib._name


def _proto(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


P = POINTER
# the version first: a mismatch is reported before any other call
_proto("pol_version", c_char_p)
_proto("pol_version_number", c_int)
_proto("pol_strerror", c_char_p, c_int)
_protos = [
    ("pol_backoff_default", None, P(pol_backoff_cfg)),
    ("pol_backoff_validate", c_int, P(pol_backoff_cfg)),
    ("pol_backoff_reset", None, P(pol_backoff_state)),
    ("pol_backoff_nominal", c_ns, P(pol_backoff_cfg), c_int),
    ("pol_backoff_next", c_ns, P(pol_backoff_cfg), P(pol_backoff_state), c_int, c_void_p),
    ("pol_jitter_name", c_char_p, c_enum),
    ("pol_jitter_parse", c_int, c_char_p, P(c_enum)),
    ("pol_backoff_kind_name", c_char_p, c_enum),
    ("pol_backoff_kind_parse", c_int, c_char_p, P(c_enum)),
    ("pol_hint_parse_retry_after_ms", c_int, c_char_p, P(c_ns)),
    ("pol_hint_parse_retry_after", c_int, c_char_p, c_int64, P(c_ns)),
    ("pol_hint_parse_should_retry", c_int, c_char_p, P(c_int)),
    ("pol_hint_apply_header", c_int, P(pol_outcome), c_char_p, c_char_p, c_int64),
    ("pol_hint_apply_header_as", c_int, P(pol_outcome), c_char_p, c_char_p, c_int64, P(pol_hint_cfg)),
    ("pol_hint_mode_name", c_char_p, c_enum),
    ("pol_hint_mode_parse", c_int, c_char_p, P(c_enum)),
    ("pol_classify_default", None, P(pol_classify_cfg)),
    ("pol_classify_set_status", c_int, P(pol_classify_cfg), c_int, c_enum),
    ("pol_classify_set_kind", c_int, P(pol_classify_cfg), c_enum, c_enum),
    ("pol_classify", c_enum, P(pol_classify_cfg), P(pol_outcome)),
    ("pol_class_name", c_char_p, c_enum),
    ("pol_class_parse", c_int, c_char_p, P(c_enum)),
    ("pol_outcome_kind_name", c_char_p, c_enum),
    ("pol_retry_default", None, P(pol_retry_cfg)),
    ("pol_retry_validate", c_int, P(pol_retry_cfg)),
    ("pol_retry_begin", None, P(pol_retry_state), c_ns),
    ("pol_retry_next", c_int, P(pol_retry_cfg), P(pol_retry_state), P(pol_outcome), c_ns, c_void_p,
     P(pol_verdict)),
    ("pol_retry_rule_init", c_int, P(pol_retry_rule), P(pol_retry_cfg)),
    ("pol_retry_rule_match_parse", c_int, P(pol_retry_rule), c_char_p),
    ("pol_retry_rule_match_status", c_int, P(pol_retry_rule), c_int, c_int),
    ("pol_retry_rule_match_kind", c_int, P(pol_retry_rule), c_enum),
    ("pol_retry_rule_matches", c_int, P(pol_retry_rule), P(pol_outcome)),
    ("pol_retry_add_rule", c_int, P(pol_retry_cfg), P(pol_retry_rule)),
    ("pol_retry_rule_for", c_int, P(pol_retry_cfg), P(pol_outcome)),
    ("pol_count_mode_name", c_char_p, c_enum),
    ("pol_count_mode_parse", c_int, c_char_p, P(c_enum)),
    ("pol_action_name", c_char_p, c_enum),
    ("pol_reason_name", c_char_p, c_enum),
    ("pol_layers_validate", c_int, P(pol_layers_cfg)),
    ("pol_layers_begin", c_int, P(pol_layers_cfg), P(pol_retry_state), c_ns),
    ("pol_layers_next", c_int, P(pol_layers_cfg), P(pol_retry_state), c_int, P(pol_outcome), c_ns, c_void_p,
     P(pol_verdict), P(c_int)),
    ("pol_layers_expiry", c_ns, P(pol_layers_cfg), P(pol_retry_state), c_ns, P(c_int)),
    ("pol_preset_get", c_int, c_char_p, P(pol_retry_cfg)),
    ("pol_preset_list", P(pol_preset_info), P(c_size_t)),
    ("pol_stack_default", None, P(pol_stack_cfg)),
    ("pol_stack_preset", c_int, c_char_p, P(pol_stack_cfg)),
    ("pol_stack_validate", c_int, P(pol_stack_cfg)),
    ("pol_stack_list", P(pol_preset_info), P(c_size_t)),
    ("pol_retry_spec_parse", c_int, c_char_p, P(pol_retry_cfg), c_char_p, c_size_t),
    ("pol_failmask_default", None, P(pol_failmask)),
    ("pol_failmask_none", None, P(pol_failmask)),
    ("pol_failmask_set_status", c_int, P(pol_failmask), c_int, c_int, c_int),
    ("pol_failmask_set_kind", c_int, P(pol_failmask), c_enum, c_int),
    ("pol_failmask_test", c_int, P(pol_failmask), P(pol_outcome)),
    ("pol_breaker_default", None, c_enum, P(pol_breaker_cfg)),
    ("pol_breaker_validate", c_int, P(pol_breaker_cfg)),
    ("pol_breaker_init", c_int, P(pol_breaker), P(pol_breaker_cfg)),
    ("pol_breaker_free", None, P(pol_breaker)),
    ("pol_breaker_reset", None, P(pol_breaker)),
    ("pol_breaker_allow", c_enum, P(pol_breaker), c_ns),
    ("pol_breaker_cancel", None, P(pol_breaker)),
    ("pol_breaker_record", c_int, P(pol_breaker), c_ns, P(pol_outcome), c_ns),
    ("pol_breaker_record_result", c_int, P(pol_breaker), c_ns, c_int, c_ns),
    ("pol_breaker_state_at", c_enum, P(pol_breaker), c_ns),
    ("pol_breaker_transitions", c_uint64, P(pol_breaker)),
    ("pol_breaker_kind_parse", c_int, c_char_p, P(c_enum)),
    ("pol_breaker_kind_name", c_char_p, c_enum),
    ("pol_bucket_per_minute", c_int, P(pol_bucket_cfg), c_double),
    ("pol_bucket_init", c_int, P(pol_bucket), P(pol_bucket_cfg), c_ns),
    ("pol_bucket_reset", None, P(pol_bucket), c_ns),
    ("pol_bucket_take", c_int, P(pol_bucket), c_ns, c_double, P(c_ns)),
    ("pol_bucket_reserve", c_int, P(pol_bucket), c_ns, c_double, P(c_ns)),
    ("pol_bucket_level", c_double, P(pol_bucket), c_ns),
    ("pol_bucket_set_rate", c_int, P(pol_bucket), c_ns, c_double, c_double),
    ("pol_budget_default", None, c_enum, P(pol_budget_cfg)),
    ("pol_budget_validate", c_int, P(pol_budget_cfg)),
    ("pol_budget_init", c_int, P(pol_budget), P(pol_budget_cfg)),
    ("pol_budget_free", None, P(pol_budget)),
    ("pol_budget_reset", None, P(pol_budget)),
    ("pol_budget_on_request", c_int, P(pol_budget), c_ns, P(pol_budget_req)),
    ("pol_budget_can_retry", c_int, P(pol_budget), c_ns, P(pol_budget_req), c_int),
    ("pol_budget_on_result", c_int, P(pol_budget), c_ns, P(pol_budget_req), c_int),
    ("pol_budget_level", c_double, P(pol_budget), c_ns),
    ("pol_budget_kind_parse", c_int, c_char_p, P(c_enum)),
    ("pol_budget_kind_name", c_char_p, c_enum),
    ("pol_lb_default", None, c_enum, P(pol_lb_cfg)),
    ("pol_lb_init", c_int, P(pol_lb), P(pol_lb_cfg)),
    ("pol_lb_reset", None, P(pol_lb)),
    ("pol_lb_target_init", None, P(pol_lb_target)),
    ("pol_lb_pick", c_int, P(pol_lb), P(pol_lb_target), c_size_t, c_ns, c_double, c_void_p, P(c_size_t)),
    ("pol_lb_on_send", None, P(pol_lb_target), c_ns, c_double),
    ("pol_lb_on_done", None, P(pol_lb), P(pol_lb_target), c_ns, c_ns),
    ("pol_lb_on_result", None, P(pol_lb), P(pol_lb_target), c_ns, c_int),
    ("pol_lb_kind_parse", c_int, c_char_p, P(c_enum)),
    ("pol_lb_kind_name", c_char_p, c_enum),
    ("pol_quota_default", None, P(pol_quota_cfg)),
    ("pol_quota_reset", None, P(pol_quota)),
    ("pol_parse_double", c_int, c_char_p, P(c_double)),
    ("pol_parse_int", c_int, c_char_p, P(c_int64)),     # long long: 64 bits on every supported ABI
    ("pol_parse_duration", c_int, c_char_p, P(c_ns)),
    ("pol_quota_parse_duration", c_int, c_char_p, P(c_ns)),
    ("pol_quota_parse_count", c_int, c_char_p, P(c_int64)),
    ("pol_quota_parse_timestamp", c_int, c_char_p, c_int64, P(c_ns)),
    ("pol_quota_apply_header", c_int, P(pol_quota), c_char_p, c_char_p, c_ns, c_int64),
    ("pol_quota_check", c_int, P(pol_quota_cfg), P(pol_quota), c_ns, c_double, c_void_p, P(c_ns)),
    ("pol_quota_on_send", None, P(pol_quota), c_double),
    ("pol_backoff_moments", c_int, P(pol_backoff_cfg), c_int, P(c_double), P(c_ns), P(c_ns)),
    ("pol_breaker_state_name", c_char_p, c_enum),
    ("pol_breaker_answer_name", c_char_p, c_enum),
    ("pol_bucket_set_max_rate", c_int, P(pol_bucket), c_ns, c_double, c_double),
    ("pol_failmask_from_classes", c_int, P(pol_failmask), P(pol_classify_cfg), c_uint),
    ("pol_window_cells", c_size_t, c_int, c_int),
    ("pol_window_init", c_int, P(pol_window), c_ns, c_int, c_int, P(c_int64)),
    ("pol_window_reset", None, P(pol_window)),
    ("pol_window_advance", None, P(pol_window), c_ns),
    ("pol_window_add", None, P(pol_window), c_ns, c_int, c_int64),
    ("pol_window_sum", c_int64, P(pol_window), c_ns, c_int),
    ("pol_window_slice_of", c_int64, c_ns, c_ns),
    ("pol_throttle_default", None, c_enum, P(pol_throttle_cfg)),
    ("pol_throttle_validate", c_int, P(pol_throttle_cfg)),
    ("pol_throttle_init", c_int, P(pol_throttle), P(pol_throttle_cfg), c_ns),
    ("pol_throttle_free", None, P(pol_throttle)),
    ("pol_throttle_reset", None, P(pol_throttle), c_ns),
    ("pol_throttle_before_send", c_int, P(pol_throttle), c_ns, c_void_p, P(c_ns)),
    ("pol_throttle_on_response", c_int, P(pol_throttle), c_ns, c_int),
    ("pol_throttle_level", c_double, P(pol_throttle), c_ns),
    ("pol_throttle_kind_name", c_char_p, c_enum),
    ("pol_throttle_kind_parse", c_int, c_char_p, P(c_enum)),
    ("pol_cubic_init", None, P(pol_cubic), c_double, c_ns, c_double, c_double),
    ("pol_cubic_success", c_double, P(pol_cubic), c_ns),
    ("pol_cubic_error", c_double, P(pol_cubic), c_double, c_ns),
    ("pol_rate_clocker_init", None, P(pol_rate_clocker), c_ns, c_double, c_ns),
    ("pol_rate_clocker_record", c_double, P(pol_rate_clocker), c_ns, c_double),
    ("pol_cooldown_default", None, c_enum, P(pol_cooldown_cfg)),
    ("pol_cooldown_validate", c_int, P(pol_cooldown_cfg)),
    ("pol_cooldown_init", c_int, P(pol_cooldown), P(pol_cooldown_cfg), P(pol_cooldown_target), c_size_t, c_ns),
    ("pol_cooldown_reset", None, P(pol_cooldown), c_ns),
    ("pol_cooldown_record", c_int, P(pol_cooldown), c_size_t, c_ns, P(pol_outcome)),
    ("pol_cooldown_available", c_int, P(pol_cooldown), c_size_t, c_ns),
    ("pol_cooldown_unavailable", c_size_t, P(pol_cooldown), c_ns),
    ("pol_cooldown_kind_name", c_char_p, c_enum),
    ("pol_cooldown_kind_parse", c_int, c_char_p, P(c_enum)),
    ("pol_hedge_default", None, P(pol_hedge_cfg)),
    ("pol_hedge_validate", c_int, P(pol_hedge_cfg)),
    ("pol_hedge_init", c_int, P(pol_hedge), P(pol_hedge_cfg)),
    ("pol_hedge_free", None, P(pol_hedge)),
    ("pol_hedge_reset", None, P(pol_hedge)),
    ("pol_hedge_observe", c_int, P(pol_hedge), c_ns),
    ("pol_hedge_delay", c_ns, P(pol_hedge)),
    ("pol_hedge_next_at", c_ns, P(pol_hedge), c_ns, c_int, c_int),
    ("pol_bulkhead_init", c_int, P(pol_bulkhead), P(pol_bulkhead_cfg)),
    ("pol_bulkhead_reset", None, P(pol_bulkhead)),
    ("pol_bulkhead_acquire", c_enum, P(pol_bulkhead)),
    ("pol_bulkhead_release", c_int, P(pol_bulkhead)),
    ("pol_monitor_default", None, P(pol_monitor_cfg)),
    ("pol_monitor_init", c_int, P(pol_monitor), P(pol_monitor_cfg), c_size_t),
    ("pol_monitor_free", None, P(pol_monitor)),
    ("pol_monitor_reset", None, P(pol_monitor)),
    ("pol_monitor_record", c_int, P(pol_monitor), c_size_t, c_ns, P(pol_outcome)),
    ("pol_monitor_count", c_int64, P(pol_monitor), c_size_t, c_ns),
]

# GSL: the generator and the statistics `retrysim delays` uses (bench/delays.c)
for _n, _r, _a in [("gsl_rng_alloc", c_void_p, [c_void_p]), ("gsl_rng_free", None, [c_void_p]),
                   ("gsl_rng_set", None, [c_void_p, c_ulong]), ("gsl_rng_get", c_ulong, [c_void_p]),
                   ("gsl_rng_uniform", c_double, [c_void_p]),
                   ("gsl_rng_uniform_int", c_ulong, [c_void_p, c_ulong]),
                   ("gsl_sort", None, [P(c_double), c_size_t, c_size_t]),
                   ("gsl_stats_mean", c_double, [P(c_double), c_size_t, c_size_t]),
                   ("gsl_stats_quantile_from_sorted_data", c_double, [P(c_double), c_size_t, c_size_t, c_double])]:
    _f = getattr(gsl, _n)
    _f.restype = _r
    _f.argtypes = _a
gsl_rng_taus2 = c_void_p.in_dll(gsl, "gsl_rng_taus2").value


class VersionMismatch(ImportError):
    pass


def check_version():
    got = lib.pol_version_number()
    if got != VERSION_NUMBER:
        raise VersionMismatch(f"libretrypol {lib.pol_version().decode()} ({got}) at {path}, but this retrypol "
                              f"package is for {VERSION} ({VERSION_NUMBER}): install the matching library, "
                              f"or point RETRYPOL_LIBRARY at it")


check_version()
missing = []
for _n, _r, *_a in _protos:
    try:
        _proto(_n, _r, *_a)
    except AttributeError:
        missing.append(_n)
if missing:
    raise ImportError(f"{path} lacks {', '.join(missing)}: not libretrypol {VERSION}")



def strerror(code):
    return lib.pol_strerror(code).decode()


def name_of(fn, value):
    return fn(value).decode()
