"""The scale benchmark's report (benchmarks/run-scale-bench.sh): reads each run's summary.json and the
PyTorch lines from the result directory and prints markdown tables.

    usage: python3 benchmarks/scale_report.py <result dir> <cluster master> <epochs>
"""
import hashlib
import json
import pathlib
import subprocess
import sys

out, master, epochs = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]


def summary(run):
    return json.loads((out / run / "summary.json").read_text())


def weights(run):
    return hashlib.sha256((out / run / "model" / "weights.bin").read_bytes()).hexdigest()[:12] \
        if (out / run / "model" / "weights.bin").exists() else "-"


def last(run):
    return [json.loads(l) for l in (out / run / "metrics.jsonl").read_text().splitlines()][-1]


def mb(b):
    return f"{b / 1e6:.2f}"


cpu = subprocess.run("grep -o -w -E 'avx512f|avx2' /proc/cpuinfo | sort -u | tr '\\n' ' '", shell=True,
                     capture_output=True, text=True).stdout.strip()
model = subprocess.run("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2", shell=True, capture_output=True,
                       text=True).stdout.strip()
print(f"# Scale benchmark\n\nMachine: {model} ({cpu}), {subprocess.run('nproc', capture_output=True, text=True).stdout.strip()} "
      f"cores, JDK 17. Fashion-MNIST 784-256-256-10 (ReLU, dropout 0.2, Adam), "
      f"{epochs} whole epochs, same run.\n")
print("## local[2]: two 1-core tasks against one 2-core task, and PyTorch on 2 threads\n")
print("Examples/s over the whole run (epoch 1's warm-up and stage starts included) and over the last epoch; "
      "the step breakdown is the mean over every step.\n")
print("| batch | mode | tasks | examples/s (run) | examples/s (last epoch) | step ms | compute ms | fixed ms | publish ms | transport ms | "
      "driver MB/step in/out | test acc | × PyTorch |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for batch in (128, 512):
    torch = json.loads((out / f"torch-b{batch}.json").read_text())
    for mode in ("barrier", "job"):
        for layout, label in (("2x1", "2 × 1 core"), ("1x2", "1 × 2 cores")):
            run = f"local-{mode}-b{batch}-{layout}"
            s = summary(run)
            m = s["mean_step_ms"]
            b = s.get("mean_step_bytes")
            bytes_ = f"{mb(b['driver_in'])} / {mb(b['driver_out'])}" if b else "–"
            print(f"| {batch} | {mode} | {label} | {s['examples_per_second']:,.0f} | {last(run)['examples_per_second']:,.0f} | {m['step_ms']:.2f} | "
                  f"{m['compute_ms']:.2f} | {m['fixed_ms']:.2f} | {m['publish_ms']:.2f} | {m['transport_ms']:.2f} | "
                  f"{bytes_} | {s['test']['accuracy']:.4f} | {s['examples_per_second'] / torch['examples_per_second']:.2f}× |")
    print(f"| {batch} | PyTorch {torch['torch']} | {torch['threads']} threads | {torch['examples_per_second']:,.0f} | | | | | | | "
          f"| {torch['test_accuracy']:.4f} | 1.00× |")
print()
same = all(weights(f"local-{m}-b{b}-2x1") == weights(f"local-{m}-b{b}-1x2") for m in ("barrier", "job")
           for b in (128, 512))
print(f"Weights of two 1-core tasks and one 2-core task identical in every pair: {same} "
      f"(the models are removed after the report, so this is checked here).\n")
print(f"## Cluster: 4 worker JVMs on loopback ({master}), 1 core each; 4 shards, batch 512\n")
print("| mode | executors | examples/s (run) | examples/s (last epoch) | step ms | compute ms | fixed ms | driver bytes/step in / out | "
      "busiest node bytes/step in / out |")
print("|---|---|---|---|---|---|---|---|---|")
for mode in ("barrier", "job"):
    for e in (1, 2, 4):
        run = f"cluster-{mode}-e{e}"
        s = summary(run)
        m = s["mean_step_ms"]
        b = s.get("mean_step_bytes")
        driver = f"{b['driver_in']:,} / {b['driver_out']:,}" if b else "– (Spark's broadcast and task results)"
        node = f"{b['node_in']:,} / {b['node_out']:,}" if b else "–"
        print(f"| {mode} | {e} | {s['examples_per_second']:,.0f} | {last(run)['examples_per_second']:,.0f} | {m['step_ms']:.2f} | {m['compute_ms']:.2f} | "
              f"{m['fixed_ms']:.2f} | {driver} | {node} |")
print()
cluster_same = len({weights(f"cluster-{m}-e{e}") for m in ("barrier", "job") for e in (1, 2, 4)}) == 1
print(f"Weights identical across 1, 2 and 4 executors in both modes (4 shards): {cluster_same}.")
