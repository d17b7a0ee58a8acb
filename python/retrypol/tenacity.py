"""retrypol.tenacity — make tenacity follow a retrysim policy.

    import tenacity, retrypol
    from retrypol.tenacity import RetrysimPolicy

    rp = RetrysimPolicy("openai-python;on=429:attempts=5")
    @tenacity.retry(**rp.kwargs())            # retry=, stop=, wait=, before_sleep=, reraise=True
    def call():
        r = client.post(...); r.raise_for_status(); return r

Every attempt's outcome (the exception raised, or the value returned) is
turned into a retrypol.Outcome by `classify` — by default: an exception or
response with a status code and headers (httpx, requests, openai's
APIStatusError) is that HTTP status with its Retry-After / retry-after-ms /
x-should-retry headers; timeouts are 'timeout', refused connections
'refused', other transport errors 'reset'; any other exception is not judged
by the policy and propagates at once; a plain return value is a success —
and given to the policy's Request.next, once per attempt. Then:

  retry=  True when the policy retries this outcome, or would have but ran
          out (attempts, deadline, a hint too long): tenacity's "is this a
          failure worth retrying";
  stop=   True when the policy does not retry (give-up or fallback);
  wait=   the policy's delay (Retry-After included, per its hint mode);
  before_sleep= calls your hook(retry_state, decision) before each sleep.

So tenacity sleeps and stops exactly where the C state machine says. The
objects are tenacity's retry_base / stop_base / wait_base, so they compose
(stop=rp.stop | tenacity.stop_after_delay(30)). Per-call state lives on
tenacity's RetryCallState; the adapter is shareable across threads (its
generator is behind a lock). The decision of the last attempt is
rp.decision(retry_state) (e.g. 'fallback': try another deployment).
"""
import threading

import tenacity as _t
from tenacity.retry import retry_base as _retry_base
from tenacity.stop import stop_base as _stop_base
from tenacity.wait import wait_base as _wait_base

from . import Outcome, Policy, Rng

__all__ = ["RetrysimPolicy", "classify"]


def _headers_of(obj):
    h = getattr(obj, "headers", None)
    return h if h is not None else {}


def classify(value=None, exc=None, policy=None):
    """The default classifier: (value returned, exception raised) -> an
    Outcome, or None for an exception the policy does not judge."""
    mk = policy.outcome if policy is not None else Outcome
    if exc is None:
        status = getattr(value, "status_code", None)
        if isinstance(status, int):
            return mk(status=status, headers=_headers_of(value))
        return mk("success", 200)
    resp = getattr(exc, "response", None)
    status = getattr(resp, "status_code", None) if resp is not None else None
    if not isinstance(status, int):
        status = getattr(exc, "status_code", None)
        resp = exc
    if isinstance(status, int):
        return mk(status=status, headers=_headers_of(resp))
    names = [c.__name__ for c in type(exc).__mro__]
    if isinstance(exc, TimeoutError) or any("Timeout" in n for n in names):
        return mk("timeout")
    if isinstance(exc, ConnectionRefusedError) or any(n in ("ConnectError", "APIConnectionError") for n in names):
        return mk("refused")
    if isinstance(exc, ConnectionError) or any(n in ("TransportError", "NetworkError", "RemoteProtocolError",
                                                       "ProtocolError") for n in names):
        return mk("reset")
    return None


_EXHAUSTED = {"max-attempts", "deadline", "hint-too-long"}


class _State:
    __slots__ = ("owner", "request", "attempt", "decision")


class RetrysimPolicy:
    """A retrysim policy as tenacity's retry=, stop=, wait= and before_sleep=.
    policy: a retrypol.Policy or what Policy() takes (a preset, an inline
    spec). rng: a retrypol.Rng (default: a randomly seeded one). classify:
    f(value, exc) -> Outcome or None (see classify). before_sleep:
    f(retry_state, decision), called before each sleep."""

    def __init__(self, policy, rng=None, classify=None, before_sleep=None):
        self.policy = policy if isinstance(policy, Policy) else Policy(policy)
        self._rng = rng or Rng()
        self._lock = threading.Lock()
        self._classify = classify
        self._hook = before_sleep
        self.retry = _Retry(self)
        self.stop = _Stop(self)
        self.wait = _Wait(self)

    def kwargs(self, **extra):
        """retry=, stop=, wait=, before_sleep= and reraise=True (the last
        exception is raised as it is, not wrapped in tenacity.RetryError),
        updated with extra."""
        kw = dict(retry=self.retry, stop=self.stop, wait=self.wait, before_sleep=self.before_sleep, reraise=True)
        kw.update(extra)
        return kw

    def retrying(self, **extra):
        """A tenacity.Retrying over this policy: `for attempt in rp.retrying(): with attempt: ...`."""
        return _t.Retrying(**self.kwargs(**extra))

    def _outcome(self, retry_state):
        fut = retry_state.outcome
        exc = fut.exception() if fut.failed else None
        value = None if fut.failed else fut.result()
        if self._classify is not None:
            return self._classify(value, exc)
        return classify(value, exc, self.policy)

    def decide(self, retry_state):
        """The policy's Decision for retry_state's last attempt (computed once
        per attempt), or None when classify did not judge it."""
        st = getattr(retry_state, "_retrypol", None)
        if st is None or st.owner is not self:
            st = _State()
            st.owner, st.attempt, st.decision = self, 0, None
            with self._lock:
                st.request = self.policy.request(now=retry_state.start_time, rng=self._rng)
            retry_state._retrypol = st
        if st.attempt != retry_state.attempt_number:
            o = self._outcome(retry_state)
            st.attempt = retry_state.attempt_number
            if o is None:
                st.decision = None
            else:
                now = retry_state.outcome_timestamp
                with self._lock:
                    st.decision = st.request.next(o, now=now)
        return st.decision

    def decision(self, retry_state):
        """The last Decision made for this call (None before any)."""
        st = getattr(retry_state, "_retrypol", None)
        return st.decision if st is not None and st.owner is self else None

    def before_sleep(self, retry_state):
        if self._hook is not None:
            self._hook(retry_state, self.decide(retry_state))


class _Retry(_retry_base):
    def __init__(self, owner):
        self.owner = owner

    def __call__(self, retry_state):
        d = self.owner.decide(retry_state)
        return d is not None and (d.retry or (d.action in ("give-up", "fallback") and d.reason in _EXHAUSTED))


class _Stop(_stop_base):
    def __init__(self, owner):
        self.owner = owner

    def __call__(self, retry_state):
        d = self.owner.decide(retry_state)
        return d is None or not d.retry


class _Wait(_wait_base):
    def __init__(self, owner):
        self.owner = owner

    def __call__(self, retry_state):
        d = self.owner.decide(retry_state)
        return d.delay if d is not None and d.retry else 0.0
