#!/usr/bin/python3
"""compare.py — `make bench-peers`: retrysim against the same model in SimPy
(bench/peers/simpy_model.py), side by side, at 1k and 10k clients.

For each size, the two programs run alternately (retrysim, SimPy, retrysim,
SimPy, ... --reps times), so a change in the machine's load hits both; the
figure is the ratio of the medians of their wall times for the simulated
60 s. Before any timing is printed, the two models must agree: requests,
attempts and success rate within 2% (their random streams differ, so the
counts agree in distribution only); otherwise the script exits 1.
Usage: compare.py RETRYSIM [--reps N] [--sizes 1000,10000]
"""
import statistics
import subprocess
import sys

HERE = __file__.rsplit("/", 1)[0]


def retrysim(binary, clients):
    out = subprocess.run([binary, "bench", "model", "--clients", str(clients)],
                         check=True, capture_output=True, text=True).stdout.splitlines()
    row = out[-1].split()
    # clients, sim time, requests, attempts, success, wall s, ...
    return int(row[2]), int(row[3]), float(row[4]), float(row[5])


def simpy(clients, seed):
    out = subprocess.run(["/usr/bin/python3", f"{HERE}/simpy_model.py", str(clients), "60", str(seed)],
                         check=True, capture_output=True, text=True).stdout.split()
    return int(out[2]), int(out[3]), float(out[4]), float(out[5])


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        return 2
    binary, reps, sizes = args[0], 3, [1000, 10000]
    if "--reps" in args:
        reps = int(args[args.index("--reps") + 1])
    if "--sizes" in args:
        sizes = [int(x) for x in args[args.index("--sizes") + 1].split(",")]
    print(f"{'clients':>8} {'model':>9} {'requests':>10} {'attempts':>10} {'success':>8} {'wall s (median)':>16}")
    failed = 0
    for n in sizes:
        rs, ps = [], []
        for k in range(reps):
            rs.append(retrysim(binary, n))
            ps.append(simpy(n, k + 1))
        for name, runs in (("retrysim", rs), ("simpy", ps)):
            print(f"{n:>8} {name:>9} {runs[0][0]:>10} {runs[0][1]:>10} {runs[0][2]:>8.4f} "
                  f"{statistics.median(r[3] for r in runs):>16.3f}")
        for i, what in ((0, "requests"), (1, "attempts"), (2, "success rate")):
            a = statistics.mean(r[i] for r in rs)
            b = statistics.mean(r[i] for r in ps)
            if abs(a - b) > 0.02 * abs(b):
                print(f"bench peers: {n} clients: {what} differ by more than 2% ({a:.6g} vs {b:.6g})", file=sys.stderr)
                failed = 1
        if not failed:
            ratio = statistics.median(r[3] for r in ps) / statistics.median(r[3] for r in rs)
            print(f"{n:>8} retrysim is {ratio:.1f}x SimPy 2.3.1 (ratio of median wall times, {reps} interleaved runs each)")
    return failed


if __name__ == "__main__":
    sys.exit(main())
