"""The report of benchmarks/run-fault-bench.sh: per mode, the training seconds of undisturbed runs and of runs
with an executor killed in epoch 2, the time lost, and what was recomputed."""
import glob
import json
import os
import re
import struct
import subprocess
import sys

out, master = sys.argv[1], sys.argv[2]


def summary(run):
    with open(os.path.join(run, "summary.json")) as f:
        return json.load(f)


def after_first_epoch(run):
    """Training seconds of epochs 2 on: from the epoch the fault falls in. Epoch 1 (the data read, the JIT's
    warm-up) happens before any fault and is as noisy on this machine as the loss itself."""
    with open(os.path.join(run, "metrics.jsonl")) as f:
        epochs = [json.loads(l) for l in f if l.strip()]
    return sum(e["seconds"] for e in epochs if e["epoch"] >= 2)


def weights_digest(run):
    # The model's parameters file, as bytes: equal runs give equal files.
    for name in ("weights.bin", "parameters.bin"):
        p = os.path.join(run, "model", name)
        if os.path.exists(p):
            with open(p, "rb") as f:
                return f.read()
    return None


def stage_restarts(run):
    """Stages run again whole: Spark's retries of a stage, and the barrier mode's restart over the slots left."""
    retried = set()
    restarts = 0
    with open(run + ".stderr", errors="replace") as f:
        for l in f:
            m = re.search(r"in stage (\d+)\.[1-9]", l)
            if m:
                retried.add(m.group(1))
            if "continuing at step" in l:
                restarts += 1
    return len(retried) + restarts


flags = subprocess.run(["grep", "-o", "-w", "-E", "avx512f|avx2", "/proc/cpuinfo"], capture_output=True,
                       text=True).stdout.split()
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print("# An executor killed mid-epoch: barrier mode against elastic mode\n")
print(f"Machine: {cpu}, {os.cpu_count()} cores, flags {' '.join(sorted(set(flags)))}. Cluster: {master}, 2 worker "
      "JVMs with 1 core each. Fashion-MNIST 784-256-256-10, 2 shards, batch 512, 3 epochs; one executor JVM killed "
      "(kill -9) one second into epoch 2, the master starting a replacement.\n")
print("Time lost: the training seconds of the killed run less the undisturbed one's; 'from epoch 2' counts only "
      "the epochs from the one the kill falls in (epoch 1, the data read and the JIT's warm-up, is before any "
      "fault and varies by seconds between undisturbed runs alone).\n")
print("| mode | round | undisturbed s | killed s | time lost s | from epoch 2: undisturbed s | killed s | time lost s "
      "| stages run again whole | recomputed shard-steps | same weights |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
lost = {}
for run in sorted(glob.glob(os.path.join(out, "*-killed-r*"))):
    if not os.path.isdir(run) or "." in os.path.basename(run):
        continue
    m = re.match(r"(\w+)-killed-r(\d+)", os.path.basename(run))
    mode, rnd = m.group(1), m.group(2)
    calm = os.path.join(out, f"{mode}-undisturbed-r{rnd}")
    a, b = summary(calm), summary(run)
    t0, t1 = a["training_seconds"], b["training_seconds"]
    e0, e1 = after_first_epoch(calm), after_first_epoch(run)
    lost.setdefault(mode, []).append((t1 - t0, e1 - e0))
    same = weights_digest(calm) is not None and weights_digest(calm) == weights_digest(run)
    print(f"| {mode} | {rnd} | {t0:.2f} | {t1:.2f} | {t1 - t0:.2f} | {e0:.2f} | {e1:.2f} | {e1 - e0:.2f} | "
          f"{stage_restarts(run)} | "
          f"{b.get('recomputed_shard_steps', '—')} | {'yes' if same else 'NO'} |")
print()
for mode, xs in lost.items():
    print(f"- {mode}: mean time lost {sum(x[0] for x in xs) / len(xs):.2f} s ({sum(x[1] for x in xs) / len(xs):.2f} s "
          f"from epoch 2) over {len(xs)} run(s)")
if "barrier" in lost and "elastic" in lost:
    pairs = list(zip(lost["barrier"], lost["elastic"]))
    print(f"- elastic's time lost from epoch 2 as a share of barrier's, round by round: "
          + ", ".join(f"{e[1] / b[1]:.2f}" if b[1] > 0 else "n/a" for b, e in pairs))
