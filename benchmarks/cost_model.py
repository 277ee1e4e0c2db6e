"""A cost model of one synchronous step's fixed cost (step minus compute), from constants measured by
benchmarks/run-scale-bench.sh in the same result directory, projected to 10, 100 and 1,000 executors,
1M, 10M and 100M-parameter models and 10 and 25 Gbit/s links: barrier mode's tree (fan-out k) against the
flat star it replaced (every task talking to the driver) and job mode. Prints markdown.

Measured constants (loopback, this machine):
  u  driver update time per parameter: update_ms / parameters, barrier mode, local[2], batch 512
  h  cost of one more tree level: (fixed ms on 4 executors - on 1) / (levels on 4 - on 1), barrier, cluster;
     it includes carrying the 0.9 MB model through loopback once more each way, so it overstates latency
  j  job mode's Spark job cost at one task: its fixed ms on 1 executor
  t  job mode's cost per additional task: (fixed on 4 executors - on 1) / 3
Model, per step, with M = 4 × parameters bytes, B the link's bytes/s, E executors, d tree levels below the root:
  tree:  u·P + (d + 1)·h + k·M/B (weights down, passed on in 64 KiB pieces: one transfer, not d)
         + (d + 1)·k·M/B (sums up: each level receives k children's sums, store and forward)
  star:  u·P + h + 2·E·M/B (the driver sends the weights to and receives a sum from every executor)
  job:   u·P + j + (E - 1)·t + M/B·log2(E + 1) (torrent broadcast) + E·M/B (results at the driver, depth 1)

    usage: python3 benchmarks/cost_model.py <result dir>
"""
import json
import math
import pathlib
import sys

out = pathlib.Path(sys.argv[1])


def summary(run):
    return json.loads((out / run / "summary.json").read_text())


def levels(executors, k):
    """Tree levels below the root for `executors` tasks in a heap of fan-out k."""
    d, size, width = 0, 1, 1
    while size < executors:
        width *= k
        size += width
        d += 1
    return d


k = 2
local = summary("local-barrier-b512-2x1")
params = local["parameters"]
u = local["mean_step_ms"]["update_ms"] / 1e3 / params
fixed = {(m, e): summary(f"cluster-{m}-e{e}")["mean_step_ms"]["fixed_ms"] / 1e3 for m in ("barrier", "job")
         for e in (1, 2, 4)}
h = (fixed[("barrier", 4)] - fixed[("barrier", 1)]) / max(1, levels(4, k) - levels(1, k))
h = max(h, fixed[("barrier", 1)] / 2)  # at least half the one-level round trip
j = fixed[("job", 1)]
t = max(0.0, (fixed[("job", 4)] - fixed[("job", 1)]) / 3)

print("# Cost model of a step's fixed cost\n")
print(f"Constants measured in this run ({params:,} parameters, fan-out k = {k}): driver update u = "
      f"{u * 1e9:.2f} ns/parameter; one tree level h = {h * 1e3:.2f} ms; job mode's job j = {j * 1e3:.2f} ms "
      f"and t = {t * 1e3:.2f} ms per further task. Link speeds are the projection's, not measured.\n")
print("| executors | parameters | link | tree ms | flat star ms | job ms | driver update ms | "
      "tree's share that is the driver's update |")
print("|---|---|---|---|---|---|---|---|")
for gbit in (10, 25):
    bw = gbit * 1e9 / 8
    for e in (10, 100, 1000):
        for p in (1_000_000, 10_000_000, 100_000_000):
            m = 4 * p
            d = levels(e, k)
            update = u * p
            tree = update + (d + 1) * h + k * m / bw + (d + 1) * k * m / bw
            star = update + h + 2 * e * m / bw
            job = update + j + (e - 1) * t + m / bw * math.log2(e + 1) + e * m / bw
            print(f"| {e:,} | {p / 1e6:.0f}M | {gbit} Gbit/s | {tree * 1e3:,.1f} | {star * 1e3:,.1f} | "
                  f"{job * 1e3:,.1f} | {update * 1e3:,.1f} | {update / tree:.0%} |")
print()
comm_per_param = 4 * k / (10e9 / 8)
print(f"Per parameter, the tree's transfers cost about (1 + (d + 1))·k·4 bytes / B — at 10 Gbit/s "
      f"{comm_per_param * 1e9:.1f} ns per level crossed — against the driver's update of {u * 1e9:.2f} ns. "
      "The update is the same for every executor count, so it dominates only where the links are much faster "
      "than that or the tree is shallow; the flat star's driver traffic grows with the executors and passes the "
      "update at a handful of them. What would lift the driver's share: sharding the optimiser state across "
      "executors (each applies the update to its slice of the weights and passes on the new slice down the "
      "tree), which divides u·P by the executor count and removes the driver from the data path.")
