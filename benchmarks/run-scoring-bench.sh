#!/usr/bin/env bash
# Batch scoring of Fashion-MNIST's 60,000 rows, written to benchmarks/results/scoring-<time>/ with a
# report.md, side by side in one run on this machine (ScoringBenchmark, through spark-submit):
#   DendriteClassificationModel.transform and MLlib's MultilayerPerceptronClassificationModel.transform on
#   the same cached DataFrame and hidden sizes (784-256-256-10), each to Spark's no-op sink; the CLI score
#   job on the same rows from Parquet; the kernel alone (Model.predictProba in blocks of 4,096) on 1 and
#   2 threads; then PyTorch inference (Debian's python3-torch) on the same network shape on 2 threads.
#   usage: benchmarks/run-scoring-bench.sh [master, default local[2]]
set -euo pipefail
cd "$(dirname "$0")/.."
master="${1:-local[2]}"
source benchmarks/prepare.sh scoring
# Debian's python3-torch is for Debian's python (another python3 may come first in PATH).
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch >/dev/null
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
grep -o -w -E 'avx512f|avx2' /proc/cpuinfo | sort -u | tr '\n' ' ' > "$out/cpu.txt"
grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- >> "$out/cpu.txt"
flags="$(cat deploy/target/jvm-flags.txt)"
java $flags -Xmx8g -Dlog4j.configurationFile=conf/log4j2.properties \
  -cp "conf:$(cat deploy/target/spark-classpath.txt)" org.apache.spark.deploy.SparkSubmit --master "$master" \
  --driver-memory 8g --conf spark.driver.maxResultSize=2g \
  --class io.dendrite.benchmarks.ScoringBenchmark benchmarks/target/benchmarks.jar \
  /usr/share/datasets/fashion-mnist "$out/jvm.json" "$work" \
  2> >(grep -v ' WARN \|^WARNING' > "$out/jvm.stderr") | grep -v '^scored ' | tee "$out/jvm.log"
/usr/bin/python3 benchmarks/torch_score.py /usr/share/datasets/fashion-mnist 2 | tee "$out/torch.json"
python3 benchmarks/scoring_report.py "$out" > "$out/report.md"
cat "$out/report.md"
