#!/usr/bin/env bash
# Fashion-MNIST (conf/fashion-mnist.yaml: 784-256-256-10, Adam, 2 partitions) on a standalone cluster of two
# worker JVMs on loopback (deploy/bin/dendrite-cluster, 1 core and 2g each) beside the same jobs on local[2],
# in both step modes: examples per second, seconds per epoch, test accuracy and whether the weights are the same
# bits. Same machine, same run. Writes benchmarks/results/cluster-<time>/ with report.md.
#   usage: benchmarks/run-cluster-bench.sh [epochs, default 3] [global batch, default 512]
set -euo pipefail
cd "$(dirname "$0")/.."
epochs="${1:-3}"
batch="${2:-512}"
source benchmarks/prepare.sh cluster
cluster="$out/cluster"
trap 'deploy/bin/dendrite-cluster stop --dir "$cluster"' EXIT
master="$(deploy/bin/dendrite-cluster start 2 --cores 1 --memory 2g --dir "$cluster")"

for mode in barrier job; do
  for where in cluster local; do
    on="$master"
    target=(--cluster "$cluster")   # its master URL and secret
    [[ "$where" == local ]] && on="local[2]" && target=(--master "$on")
    run="$where-$mode"
    echo "== $mode mode on $on"
    deploy/bin/dendrite-submit "${target[@]}" train --job conf/fashion-mnist.yaml --output "$out/$run" \
      training.mode="$mode" training.batch_size="$batch" training.epochs="$epochs" output.chart=false \
      2> "$out/$run.stderr" | tee "$out/$run.log"
  done
done
deploy/bin/dendrite-cluster stop --dir "$cluster"
trap - EXIT

python3 - "$out" "$master" "$epochs" "$batch" > "$out/report.md" <<'EOF'
import json, sys, hashlib, pathlib
out, master, epochs, batch = sys.argv[1:]
def weights(run):
    return hashlib.sha256((pathlib.Path(out) / run / "model" / "weights.bin").read_bytes()).hexdigest()[:16]
print(f"Fashion-MNIST, {epochs} epochs, global batch {batch}, 2 partitions; cluster: {master} "
      f"(2 worker JVMs, 1 core each) beside local[2], same machine, same run.\n")
print("| mode | where | examples/s | mean step ms | seconds per epoch (last) | test accuracy | weights sha256 |")
print("|---|---|---|---|---|---|---|")
for mode in ("barrier", "job"):
    for where in ("cluster", "local"):
        run = f"{where}-{mode}"
        s = json.load(open(f"{out}/{run}/summary.json"))
        last = [json.loads(l) for l in open(f"{out}/{run}/metrics.jsonl")][-1]
        print(f"| {mode} | {where} | {s['examples_per_second']:.0f} | {s['mean_step_ms']['step_ms']:.2f} | "
              f"{last['seconds']:.2f} | {s['test']['accuracy']:.4f} | {weights(run)} |")
EOF
rm -rf "$out"/*/model "$cluster/work" "$cluster/pids"
cat "$out/report.md"
