#!/usr/bin/env python3
"""Turns one run of benchmarks/run-spark-bench.sh into report.md (reads the run's output directory)."""
import json
import os
import platform
import subprocess
import sys

out, master = sys.argv[1], sys.argv[2]


def cpu():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
print(f"# Distributed training benchmark, {os.path.basename(out)}\n")
print(f"Machine: {cpu()}, {os.cpu_count()} cores; {java}; master `{master}`.\n")
print("Fashion-MNIST 60k train / 10k test, 784-256-256-10. Dendrite: ReLU, dropout 0.2, Adam 1e-3, "
      "uint8 cache scaled per batch, `conf/fashion-mnist.yaml`; the test set is evaluated after every epoch "
      "(as validation data) to time 0.88. MLlib: its defaults (sigmoid, L-BFGS, 100 iterations, block 128).\n")
print("| trainer | step mode | batch | epochs | train s | examples/s | time to 0.88 test acc | final test acc "
      "| step ms | compute | fixed (step − compute) | publish | reduce | update | transport "
      "| compute epoch 1 / epoch 3 |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
runs = sorted((int(n.rsplit("-b", 1)[1]), n.rsplit("-b", 1)[0].replace("dendrite", "").lstrip("-") or "job", n)
              for n in os.listdir(out) if n.startswith("dendrite-") and os.path.isdir(os.path.join(out, n)))
for batch, mode, name in sorted(runs, key=lambda r: (r[0], r[1] != "job")):
    d = os.path.join(out, name)
    if not os.path.exists(os.path.join(d, "summary.json")):
        continue
    s = json.load(open(os.path.join(d, "summary.json")))
    epochs = [json.loads(l) for l in open(os.path.join(d, "metrics.jsonl"))]
    elapsed, reached = 0.0, None
    for e in epochs:
        elapsed += e["seconds"]
        if reached is None and e.get("val_accuracy", 0) >= 0.88:
            reached = f"{elapsed:.1f} s (epoch {e['epoch']})"
    m = s["mean_step_ms"]
    warm = (f"{epochs[0]['compute_ms']:.2f} / {epochs[2]['compute_ms']:.2f} = "
            f"{epochs[0]['compute_ms'] / epochs[2]['compute_ms']:.2f}×") if len(epochs) >= 3 else "-"
    print(f"| Dendrite | {s.get('step_mode', mode)} | {batch} | {s['epochs_run']} | {s['training_seconds']:.1f} "
          f"| {s['examples_per_second']:.0f} | {reached or 'not reached'} | {s['test']['accuracy']:.4f} "
          f"| {m['step_ms']:.2f} | {m['compute_ms']:.2f} | {m['fixed_ms']:.2f} | {m['publish_ms']:.2f} "
          f"| {m['reduce_ms']:.2f} | {m['update_ms']:.2f} | {m['transport_ms']:.2f} | {warm} |")
mllib = os.path.join(out, "mllib.json")
if os.path.exists(mllib):
    b = json.load(open(mllib))
    print(f"| MLlib MLP ({b['solver']}, up to {b['max_iter']} iterations) | - | full | - | {b['train_seconds']:.1f} | - | "
          f"{'not reached' if b['test_accuracy'] < 0.88 else 'reached'} | {b['test_accuracy']:.4f} | | | | | | | | |")
print("\nStep times are means in ms over every step. compute: the slowest partition's gather + forward + "
      "backward, measured inside the task. fixed: the step minus compute, i.e. publish + reduce + update + transport. "
      "publish: the broadcast (job mode) or encoding and queueing the weights to the tasks (barrier mode). reduce: "
      "the gradient additions (and, in job mode, reading task results). update: the driver's optimiser step. "
      "transport: the rest of the wait; in job mode Spark's per-step job (task launch, closure and result "
      "serialisation, scheduling), in barrier mode the TCP round trip and decoding (step 0's also waits for the "
      "tasks' kernel warm-up, which runs before their first step). compute epoch 1 / epoch 3: the mean step "
      "compute of the first epoch against the third's, which shows what JIT warm-up is left in the first steps.")
