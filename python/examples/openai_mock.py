#!/usr/bin/python3
"""openai_mock.py — an OpenAI-style client that retries under a retrysim policy.

Calls POST /v1/chat/completions with httpx, wrapped in tenacity driven by a
retrysim policy (retrypol.tenacity): the client sleeps exactly what the policy
you simulated says, Retry-After included. Run it against `retrysim mock`:

    retrysim mock tests/fixtures/python-mock.yaml --port 0 --time-scale 20 &
    #   listening on 127.0.0.1:PORT
    RETRYPOL_LIBRARY=build/libretrypol.so \\
      /usr/bin/python3 python/examples/openai_mock.py http://127.0.0.1:PORT \\
        --policy tests/fixtures/python-mock.yaml:tuned

--policy takes what `retrysim delays` takes: a preset (openai-python), an
inline spec ('exponential:base=50ms,cap=2s,jitter=full,attempts=8'), or
FILE.yaml:NAME (a scenario's policy, e.g. the one `retrysim tune` printed;
needs PyYAML).

With the OpenAI Python client the same adapter applies: turn the SDK's own
retries off so that only the simulated policy retries —

    client = openai.OpenAI(base_url=URL + "/v1", api_key="...", max_retries=0)
    @tenacity.retry(**RetrysimPolicy(policy).kwargs())
    def ask(prompt):
        return client.chat.completions.create(model="gpt-4o-mini", messages=[...])

openai.APIStatusError carries .status_code and .response.headers, and
APITimeoutError / APIConnectionError are recognised by name, so the default
classifier needs no change.

Prints one line per request (attempts, statuses, sleeps) and a last line
`summary: ...` that tests/test_example.py reads. Exit 0 when every request
succeeded, 1 otherwise.
"""
import argparse
import sys
import threading
import time

import httpx
import tenacity

try:
    import retrypol
except ImportError:                             # run from the source tree, not installed
    sys.path.insert(0, __import__("os").path.join(__import__("os").path.dirname(__file__), ".."))
    import retrypol
from retrypol.tenacity import RetrysimPolicy  # noqa: E402


def load_policy(arg):
    if ".yaml:" in arg or ".yml:" in arg:
        path, name = arg.rsplit(":", 1)
        return retrypol.Policy.from_yaml(path, name)
    return retrypol.Policy(arg)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("base_url", help="http://127.0.0.1:PORT of `retrysim mock`")
    ap.add_argument("--policy", default="exponential:base=50ms,cap=2s,jitter=full,attempts=8",
                    help="a preset, an inline spec or FILE.yaml:NAME")
    ap.add_argument("--requests", type=int, default=24)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--seed", type=int, default=None, help="the jitter's seed (default: random)")
    ap.add_argument("--timeout", type=float, default=10.0, help="httpx timeout per attempt, seconds")
    a = ap.parse_args(argv)

    policy = load_policy(a.policy)
    lock = threading.Lock()
    totals = {"requests": 0, "ok": 0, "failed": 0, "attempts": 0, "slept": 0.0, "hinted": 0, "statuses": {}}
    log = []

    def note(retry_state, decision):
        # before_sleep: what the policy decided, and whether a server hint set the delay
        resp = getattr(retry_state.outcome.exception(), "response", None)
        hint = resp.headers.get("retry-after-ms") or resp.headers.get("retry-after") if resp is not None else None
        retry_state.__dict__.setdefault("_log", []).append(f"{resp.status_code if resp is not None else 'error'}"
                                f"->sleep {decision.delay:.6f}s" + (f" (hint {hint})" if hint else ""))
        if hint:
            with lock:
                totals["hinted"] += 1

    rp = RetrysimPolicy(policy, rng=retrypol.Rng(a.seed), before_sleep=note)
    client = httpx.Client(base_url=a.base_url, timeout=a.timeout)
    body = {"model": "gpt-4o-mini", "max_tokens": 20, "messages": [{"role": "user", "content": "Say hello."}]}

    def one(i):
        attempts = []

        def call():
            r = client.post("/v1/chat/completions", json=body)
            attempts.append(r.status_code)
            r.raise_for_status()            # an HTTPStatusError carries the status and the headers
            return r.json()

        t0 = time.monotonic()
        ok = True
        try:
            for attempt in rp.retrying():       # tenacity.Retrying(retry=, stop=, wait=, before_sleep=)
                with attempt:
                    call()
        except httpx.HTTPError:                 # the policy gave up: the last error, as it was raised
            ok = False
        state = attempt.retry_state
        d = rp.decision(state)
        with lock:
            totals["requests"] += 1
            totals["ok" if ok else "failed"] += 1
            totals["attempts"] += len(attempts)
            totals["slept"] += state.idle_for
            for s in attempts:
                totals["statuses"][s] = totals["statuses"].get(s, 0) + 1
            log.append(f"request {i}: {'ok' if ok else 'FAILED'} after {len(attempts)} attempt(s) "
                       f"{attempts} in {time.monotonic() - t0:.3f}s; {'; '.join(getattr(state, '_log', [])) or 'no retry'}"
                       + ("" if ok else f"; policy: {d.action} ({d.reason})"))

    def worker(k):
        for i in range(k, a.requests, a.threads):
            one(i)

    ts = [threading.Thread(target=worker, args=(k,)) for k in range(a.threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    client.close()
    for line in sorted(log, key=lambda s: int(s.split()[1].rstrip(":"))):
        print(line)
    st = ",".join(f"{k}:{v}" for k, v in sorted(totals["statuses"].items()))
    print(f"summary: policy={policy.name} requests={totals['requests']} ok={totals['ok']} "
          f"failed={totals['failed']} attempts={totals['attempts']} statuses={st} "
          f"hinted_sleeps={totals['hinted']} slept_s={totals['slept']:.3f}")
    return 0 if totals["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
