#!/usr/bin/env bash
# How a step scales (issue 15), measured in one run on this machine, written to
# benchmarks/results/scale-<time>/ with report.md and cost-model.md:
#   1. local[2], Fashion-MNIST (conf/fashion-mnist.yaml: 784-256-256-10, ReLU, dropout, Adam; 2 shards) for
#      3 epochs at global batch 128 and 512, in both step modes, with two 1-core tasks (spark.task.cpus=1)
#      and with one 2-core task (spark.task.cpus=2); beside PyTorch on 2 threads (Debian python3-torch,
#      the same model, batch and epochs; benchmarks/torch_fashion.py).
#   2. A standalone cluster of 4 worker JVMs on loopback (1 core each): the same job with 4 shards at batch
#      512 on 1, 2 and 4 executors (spark.cores.max), barrier mode then job mode: per-step fixed cost and
#      the bytes the driver and the busiest node move per step.
#   3. The cost model (benchmarks/cost_model.py) from those measured constants.
#   usage: benchmarks/run-scale-bench.sh [epochs, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
epochs="${1:-3}"
source benchmarks/prepare.sh scale
# Debian's python3-torch installs into the system Python, which need not be the first python3 on PATH.
torch_python=/usr/bin/python3
if ! "$torch_python" -c 'import torch' 2>/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch >/dev/null
fi

train() { # name master [overrides...] -- runs the Fashion-MNIST job, output and log under $out/<name>
  local name="$1" on="$2"
  shift 2
  local conf=()
  while [[ $# -gt 0 && "$1" == --conf ]]; do conf+=("$1" "$2"); shift 2; done
  echo "== $name on $on ${conf[*]:-} $*"
  local target=(--master "$on")
  [[ "$on" == spark://* ]] && target=(--cluster "$cluster")   # its master URL and secret
  deploy/bin/dendrite-submit "${target[@]}" "${conf[@]}" train --job conf/fashion-mnist.yaml --output "$out/$name" \
    training.epochs="$epochs" output.chart=false "$@" 2> "$out/$name.stderr" | tee "$out/$name.log"
}

for batch in 128 512; do
  for mode in barrier job; do
    train "local-$mode-b$batch-2x1" "local[2]" training.mode=$mode training.batch_size=$batch
    train "local-$mode-b$batch-1x2" "local[2]" --conf spark.task.cpus=2 training.mode=$mode training.batch_size=$batch
  done
  echo "== PyTorch, 2 threads, batch $batch"
  "$torch_python" benchmarks/torch_fashion.py /usr/share/datasets/fashion-mnist "$batch" "$epochs" 2 | tee "$out/torch-b$batch.json"
done

cluster="$out/cluster"
trap 'deploy/bin/dendrite-cluster stop --dir "$cluster"' EXIT
master="$(deploy/bin/dendrite-cluster start 4 --cores 1 --memory 1g --dir "$cluster")"
for executors in 1 2 4; do
  for mode in barrier job; do
    train "cluster-$mode-e$executors" "$master" --conf spark.cores.max=$executors --conf spark.executor.memory=900m \
      training.mode=$mode training.batch_size=512 data.train.partitions=4
  done
done
deploy/bin/dendrite-cluster stop --dir "$cluster"
trap - EXIT

python3 benchmarks/scale_report.py "$out" "$master" "$epochs" > "$out/report.md"
python3 benchmarks/cost_model.py "$out" > "$out/cost-model.md"
rm -rf "$out"/*/model "$cluster/work" "$cluster/pids"
find "$out" -name '.*.crc' -delete
cat "$out/report.md" "$out/cost-model.md"
