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
print("| trainer | batch | epochs | train s | examples/s | time to 0.88 test acc | final test acc "
      "| step ms | compute | publish | reduce | update | scheduling |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for batch in (128, 512):
    d = os.path.join(out, f"dendrite-b{batch}")
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
    print(f"| Dendrite | {batch} | {s['epochs_run']} | {s['training_seconds']:.1f} | {s['examples_per_second']:.0f} "
          f"| {reached or 'not reached'} | {s['test']['accuracy']:.4f} | {m['step_ms']:.1f} | {m['compute_ms']:.1f} "
          f"| {m['publish_ms']:.1f} | {m['reduce_ms']:.1f} | {m['update_ms']:.1f} | {m['scheduling_ms']:.1f} |")
mllib = os.path.join(out, "mllib.json")
if os.path.exists(mllib):
    b = json.load(open(mllib))
    print(f"| MLlib MLP ({b['solver']}, up to {b['max_iter']} iterations) | full | - | {b['train_seconds']:.1f} | - | "
          f"{'not reached' if b['test_accuracy'] < 0.88 else 'reached'} | {b['test_accuracy']:.4f} | | | | | | |")
print("\nStep times are means over every step: compute is the slowest partition's gather + forward + backward "
      "measured inside the task; publish the broadcast; reduce the gradient additions and reading task results; "
      "update the driver's optimiser step; scheduling the rest of the job (task launch, closure and result "
      "serialisation, waiting).")
