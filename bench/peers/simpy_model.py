#!/usr/bin/python3
"""simpy_model.py — `retrysim bench model`'s standard scenario written in
SimPy 2.3.1 (Debian's python3-simpy), for the side-by-side benchmark
`make bench-peers` (bench/peers/compare.py).

The same model as bench/bench_model.c's MODEL_YAML scaled to N clients
(model_overrides there), as retrysim runs it:
  - N closed-loop clients, staggered starts U(0, 1 s), think Exp(1 s),
    prompt 1000 and output 100 tokens;
  - one provider: an RPM token bucket of N*60/min (depth: one second of
    rate, starting full, refilled continuously), 429 with Retry-After
    "until-reset" (the time until one token is back, rounded up to a ms);
    N requests in service at once and no waiting room (503 beyond);
    service = (lognormal(median 400 ms, sigma 0.3) + 100 x 5 ms)
              x lognormal(0, 0.2) (noise);
  - the timeline: from duration/3, for duration/4, the limit is 6000/min;
  - the policy full-jitter: 5 attempts, exponential backoff base 1 s x2,
    cap 30 s, full jitter (U(0, min(30 s, 2^(n-1) s)) before retry n), a
    Retry-After honored as the delay, a 30 s attempt timeout (the provider
    keeps serving an attempt its client stopped waiting for).
Prints one line: clients, duration, requests, attempts, success rate, wall
seconds. Random streams differ from retrysim's, so the counts agree in
distribution, not to the request.
"""
import math
import random
import sys
import time

from SimPy.Simulation import Process, activate, hold, initialize, now, simulate


class Provider:
    def __init__(self, rpm, concurrency):
        self.rate = rpm / 60.0
        self.tokens = self.rate          # depth = rate x 1 s, starts full
        self.at = 0.0
        self.in_service = 0
        self.concurrency = concurrency

    def depth(self):
        return self.rate

    def refill(self, t):
        dt = t - self.at
        self.at = t
        if dt > 0:
            self.tokens = min(self.depth(), self.tokens + self.rate * dt)

    def set_rpm(self, t, rpm):
        self.refill(t)
        self.rate = rpm / 60.0
        self.tokens = min(self.tokens, self.depth())


class Release(Process):
    """The provider finishes serving an attempt its client no longer waits for."""
    def run(self, prov, left):
        yield hold, self, left
        prov.in_service -= 1


class Timeline(Process):
    def run(self, prov, at, dur, rpm, base):
        yield hold, self, at
        prov.set_rpm(now(), rpm)
        yield hold, self, dur
        prov.set_rpm(now(), base)


class Client(Process):
    def run(self, m, rng):
        yield hold, self, rng.uniform(0, 1.0)
        while True:
            m.requests += 1
            attempt, ok = 0, False
            while True:
                attempt += 1
                m.attempts += 1
                prov, t = m.prov, now()
                prov.refill(t)
                status, hint = 200, None
                if prov.tokens < 1:
                    status = 429
                    hint = math.ceil((1 - prov.tokens) / prov.rate * 1e3) / 1e3
                else:
                    prov.tokens -= 1
                    if prov.in_service >= prov.concurrency:
                        status = 503
                if status == 200:
                    prov.in_service += 1
                    service = (rng.lognormvariate(math.log(0.4), 0.3) + 100 * 0.005) * rng.lognormvariate(0.0, 0.2)
                    if service <= 30.0:
                        yield hold, self, service
                        prov.in_service -= 1
                        ok = True
                        break
                    rel = Release()
                    activate(rel, rel.run(prov, service - 30.0), delay=30.0)
                    yield hold, self, 30.0                      # the client's timeout
                if attempt >= 5:
                    break
                if hint is not None:
                    delay = hint                                # Retry-After honored
                else:
                    delay = rng.uniform(0, min(30.0, 2.0 ** (attempt - 1)))
                yield hold, self, delay
            if ok:
                m.successes += 1
            else:
                m.give_ups += 1
            yield hold, self, rng.expovariate(1.0)


class Model:
    pass


def run(clients, duration, seed):
    rng = random.Random(seed)
    initialize()
    m = Model()
    m.requests = m.attempts = m.successes = m.give_ups = 0
    m.prov = Provider(clients * 60, clients)
    tl = Timeline()
    activate(tl, tl.run(m.prov, duration / 3, duration / 4, 6000, clients * 60))
    for _ in range(clients):
        c = Client()
        activate(c, c.run(m, rng))
    t0 = time.perf_counter()
    simulate(until=duration)
    wall = time.perf_counter() - t0
    fin = m.successes + m.give_ups
    return m.requests, m.attempts, (m.successes / fin if fin else float("nan")), wall


if __name__ == "__main__":
    clients = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    duration = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    req, att, sr, wall = run(clients, duration, seed)
    print(f"{clients} {duration:g} {req} {att} {sr:.6f} {wall:.3f}")
