#!/usr/bin/env bash
# A streamed scale run (conf/synthetic-billion.yaml: one epoch over generated rows, 16 features, 16-32-32-2,
# batch 65536, 8 shards, data.stream) on a standalone cluster of two worker JVMs on loopback (1 core and 2g
# each), the driver in a JVM of its own capped at DRIVER_MEMORY (default 512m; Spark refuses a driver under 450 MiB): rows per second and the
# driver's peak heap (summary.json's driver_heap_peak_bytes: the heap pools' peaks summed). Writes
# benchmarks/results/stream-<time>/ with report.md.
#   usage: benchmarks/run-stream-bench.sh [rows, default 1000000000]
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000000}"
driver_memory="${DRIVER_MEMORY:-512m}"
source benchmarks/prepare.sh stream
cluster="$out/cluster"
trap 'deploy/bin/dendrite-cluster stop --dir "$cluster"' EXIT
master="$(deploy/bin/dendrite-cluster start 2 --cores 1 --memory 2g --dir "$cluster")"
started=$(date +%s)
DENDRITE_DRIVER_MEMORY="$driver_memory" deploy/bin/dendrite-submit --cluster "$cluster" --executor-memory 1g \
  train --job conf/synthetic-billion.yaml --output "$out/run" data.train.rows="$rows" \
  2> "$out/run.stderr" | tee "$out/run.log"
wall=$(( $(date +%s) - started ))
deploy/bin/dendrite-cluster stop --dir "$cluster"
trap - EXIT

python3 - "$out" "$master" "$rows" "$driver_memory" "$wall" > "$out/report.md" <<'PY'
import json, sys
out, master, rows, driver_memory, wall = sys.argv[1:]
s = json.load(open(f"{out}/run/summary.json"))
m = [json.loads(l) for l in open(f"{out}/run/metrics.jsonl")][-1]
steps = s["mean_step_ms"]
cpu = open("/proc/cpuinfo").read()
isa = "avx512f" if " avx512f" in cpu else ("avx2" if " avx2" in cpu else "neither avx2 nor avx512f")
print(f"Streamed synthetic run: {int(rows):,} rows x 16 features, one epoch, 8 shards, shuffle window 8192, "
      f"batch 65536, 16-32-32-2 (Adam); cluster {master} (2 worker JVMs, 1 core and an executor of 1g each), "
      f"driver JVM -Xmx{driver_memory}. CPU flags: {isa}.\n")
print("| rows | training s | rows/s | submit-to-exit s | mean step ms | compute ms | fixed ms | final loss | accuracy | driver peak heap MiB |")
print("|---|---|---|---|---|---|---|---|---|---|")
print(f"| {int(rows):,} | {s['training_seconds']:.1f} | {s['examples_per_second']:,.0f} | {wall} | "
      f"{steps['step_ms']:.2f} | {steps['compute_ms']:.2f} | {steps['fixed_ms']:.2f} | {m['loss']:.4f} | "
      f"{m.get('accuracy', float('nan')):.4f} | {s['driver_heap_peak_bytes'] / 2**20:.1f} |")
PY
rm -rf "$out"/run/model "$cluster/work" "$cluster/pids"
cat "$out/report.md"
