#!/usr/bin/python3
"""compare.py — `make bench-peers`: retrysim against the same model in SimPy
(bench/peers/simpy_model.py), side by side, at 1k and 10k clients; with
--bare, also against the model written as plain C (bench/peers/bare_model.c:
the floor, what the model alone costs without a simulator's generality).

For each size, the programs run alternately (retrysim, SimPy[, bare],
retrysim, SimPy, ... --reps times), so a change in the machine's load hits
all of them; the figures are ratios of the medians of their wall times for
the simulated 60 s. Before any timing is printed, the models must agree:
requests, attempts and success rate within 2% of SimPy's (their random
streams differ, so the counts agree in distribution only); otherwise the
script exits 1.
Usage: compare.py RETRYSIM [--bare BARE_MODEL] [--reps N] [--sizes 1000,10000]
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


def peer(cmd, clients, seed):
    """simpy_model.py and bare_model print the same line."""
    out = subprocess.run(cmd + [str(clients), "60", str(seed)],
                         check=True, capture_output=True, text=True).stdout.split()
    return int(out[2]), int(out[3]), float(out[4]), float(out[5])


def median_wall(runs):
    return statistics.median(r[3] for r in runs)


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        return 2
    binary, reps, sizes, bare = args[0], 3, [1000, 10000], None
    if "--bare" in args:
        bare = args[args.index("--bare") + 1]
    if "--reps" in args:
        reps = int(args[args.index("--reps") + 1])
    if "--sizes" in args:
        sizes = [int(x) for x in args[args.index("--sizes") + 1].split(",")]
    print(f"{'clients':>8} {'model':>9} {'requests':>10} {'attempts':>10} {'success':>8} {'wall s (median)':>16}")
    failed = 0
    for n in sizes:
        rs, ps, bs = [], [], []
        for k in range(reps):
            rs.append(retrysim(binary, n))
            ps.append(peer(["/usr/bin/python3", f"{HERE}/simpy_model.py"], n, k + 1))
            if bare:
                bs.append(peer([bare], n, k + 1))
        models = [("retrysim", rs), ("simpy", ps)] + ([("bare C", bs)] if bare else [])
        for name, runs in models:
            print(f"{n:>8} {name:>9} {runs[0][0]:>10} {runs[0][1]:>10} {runs[0][2]:>8.4f} "
                  f"{median_wall(runs):>16.4f}")
        for name, runs in models:
            if runs is ps:
                continue
            for i, what in ((0, "requests"), (1, "attempts"), (2, "success rate")):
                a = statistics.mean(r[i] for r in runs)
                b = statistics.mean(r[i] for r in ps)
                if abs(a - b) > 0.02 * abs(b):
                    print(f"bench peers: {n} clients: {name} and SimPy: {what} differ by more than 2% "
                          f"({a:.6g} vs {b:.6g})", file=sys.stderr)
                    failed = 1
        if not failed:
            how = f"ratio of median wall times, {reps} interleaved runs each"
            print(f"{n:>8} retrysim is {median_wall(ps) / median_wall(rs):.1f}x SimPy 2.3.1 ({how})")
            if bare:
                print(f"{n:>8} bare C is {median_wall(ps) / median_wall(bs):.1f}x SimPy 2.3.1; "
                      f"retrysim takes {median_wall(rs) / median_wall(bs):.2f}x bare C's time")
    return failed


if __name__ == "__main__":
    sys.exit(main())
