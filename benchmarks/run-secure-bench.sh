#!/usr/bin/env bash
# What encrypting the barrier mode's steps costs (issue 16), measured in one run on this machine, written to
# benchmarks/results/secure-<time>/report.md: a standalone cluster of 2 worker JVMs on loopback (1 core each)
# that requires Spark authentication; Fashion-MNIST (conf/fashion-mnist.yaml: 784-256-256-10, 2 shards) in
# barrier mode at batch 512 and 128, with spark.network.crypto.enabled=false (steps HMAC-authenticated, in
# the clear) and =true (steps over TLS 1.3), alternating, so both see the same machine.
#   usage: benchmarks/run-secure-bench.sh [epochs, default 2] [rounds, default 2]
set -euo pipefail
cd "$(dirname "$0")/.."
epochs="${1:-2}"
rounds="${2:-2}"
source benchmarks/prepare.sh secure
cluster="$out/cluster"
secret_file="$(mktemp)"
head -c 32 /dev/urandom | base64 > "$secret_file"
trap 'deploy/bin/dendrite-cluster stop --dir "$cluster"; rm -f "$secret_file"' EXIT
master="$(deploy/bin/dendrite-cluster start 2 --cores 1 --memory 1g --dir "$cluster" --secret-file "$secret_file")"
for ((round = 1; round <= rounds; round++)); do
  for batch in 512 128; do
    for crypto in false true; do
      name="b$batch-crypto-$crypto-r$round"
      echo "== $name"
      deploy/bin/dendrite-submit --cluster "$cluster" --conf spark.network.crypto.enabled=$crypto \
        --conf spark.executor.memory=900m \
        train --job conf/fashion-mnist.yaml --output "$out/$name" training.mode=barrier training.epochs="$epochs" \
        training.batch_size="$batch" data.train.partitions=2 output.chart=false 2> "$out/$name.stderr" | tee "$out/$name.log"
    done
  done
done
deploy/bin/dendrite-cluster stop --dir "$cluster"
trap 'rm -f "$secret_file"' EXIT
python3 benchmarks/secure_report.py "$out" "$master" "$epochs" > "$out/report.md"
rm -rf "$out"/*/model "$cluster/work" "$cluster/pids"
find "$out" -name '.*.crc' -delete
cat "$out/report.md"
