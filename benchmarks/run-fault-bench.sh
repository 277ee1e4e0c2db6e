#!/usr/bin/env bash
# What an executor lost mid-epoch costs (issue 16), barrier mode against elastic mode, measured in one run on
# this machine and written to benchmarks/results/fault-<time>/report.md. A standalone cluster of 2 worker JVMs
# on loopback (1 core each); Fashion-MNIST (conf/fashion-mnist.yaml: 784-256-256-10, 2 shards, batch 512,
# 3 epochs). For each mode, alternately: an undisturbed run, and a run in which one executor JVM is killed
# (kill -9) one second into epoch 2 (the standalone master starts a replacement). The time lost is the
# training seconds of the disturbed run less the undisturbed one's; both must end with the same weights.
#   usage: benchmarks/run-fault-bench.sh [rounds, default 2]   (FAULT_MODES="elastic" runs one mode only)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-2}"
source benchmarks/prepare.sh fault
cluster="$out/cluster"
trap 'deploy/bin/dendrite-cluster stop --dir "$cluster"' EXIT
master="$(deploy/bin/dendrite-cluster start 2 --cores 1 --memory 1g --dir "$cluster")"

executors() { # the executor JVMs the workers launched
  local pid _
  for w in 1 2; do
    read -r pid _ < "$cluster/pids/worker-$w.pid"   # pid, start time, cluster directory
    pgrep -P "$pid" -f CoarseGrainedExecutorBackend || true
  done
}

run() { # name mode kill(yes|no)
  local name="$1" mode="$2" kill="$3"
  echo "== $name"
  deploy/bin/dendrite-submit --cluster "$cluster" --conf spark.executor.memory=900m \
    train --job conf/fashion-mnist.yaml --output "$out/$name" training.mode="$mode" training.epochs=3 \
    training.batch_size=512 data.train.partitions=2 output.chart=false \
    > "$out/$name.log" 2> "$out/$name.stderr" &
  local pid=$!
  if [[ "$kill" == yes ]]; then
    until grep -q "Epoch 1/3" "$out/$name.log" 2>/dev/null || ! kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    sleep 1
    local victim
    victim="$(executors | head -1)"
    date -u +%s.%N > "$out/$name.killed"
    kill -9 "$victim"
    echo "killed executor JVM $victim" | tee -a "$out/$name.log"
  fi
  wait "$pid"
  local w
  for w in "$cluster"/work/worker-*; do   # the executors' logs, for where the seconds went
    mkdir -p "$out/$name.executors/${w##*/}"
    mv "$w"/app-* "$out/$name.executors/${w##*/}/"
  done
  find "$out/$name.executors" -type f ! -name stderr -delete   # the application jar each executor fetched
  cat "$out/$name.log"
}

for ((round = 1; round <= rounds; round++)); do
  for mode in ${FAULT_MODES:-barrier elastic}; do
    run "$mode-undisturbed-r$round" "$mode" no
    run "$mode-killed-r$round" "$mode" yes
  done
done
deploy/bin/dendrite-cluster stop --dir "$cluster"
trap - EXIT
python3 benchmarks/fault_report.py "$out" "$master" > "$out/report.md"
rm -rf "$out"/*/model "$cluster/work" "$cluster/pids"
find "$out" -name '.*.crc' -delete
cat "$out/report.md"
