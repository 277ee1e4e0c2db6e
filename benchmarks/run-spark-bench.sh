#!/usr/bin/env bash
# End-to-end benchmark of distributed training in Spark local mode, written to
# benchmarks/results/spark-<time>/ with a report.md:
#   Dendrite on Fashion-MNIST (784-256-256-10, ReLU, dropout, Adam; conf/fashion-mnist.yaml) at global
#   batch 128 and 512, in both step modes (job: one Spark job per step; barrier: long-lived tasks and the
#   driver's parameter server): examples per second, time to 0.88 test accuracy (the test set is
#   evaluated after every epoch for this, as validation data; nothing is selected on it), final test
#   accuracy and the mean step-time breakdown with the fixed cost (step minus compute); then Spark MLlib's
#   MultilayerPerceptronClassifier on the same data and hidden sizes with its defaults, for time and
#   accuracy (MLLIB=0 skips it). Same machine, same run.
#   usage: benchmarks/run-spark-bench.sh [master, default local[2]] [epochs, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
master="${1:-local[2]}"
epochs="${2:-10}"
source benchmarks/prepare.sh spark
test_source=(data.validation.format=idx "data.validation.path=file://$data/t10k-images-idx3-ubyte.gz"
  "data.validation.labels=file://$data/t10k-labels-idx1-ubyte.gz" data.validation.classes=10
  data.validation.storage=uint8)
for batch in 128 512; do
  for mode in job barrier; do
    run="dendrite-$mode-b$batch"
    echo "== Dendrite, $mode mode, global batch $batch, $master"
    /usr/bin/time -v deploy/bin/dendrite-submit --master "$master" train --job conf/fashion-mnist.yaml \
      --output "$out/$run" training.mode=$mode training.batch_size=$batch training.epochs=$epochs output.chart=true \
      "${test_source[@]}" 2> >(grep -v ' WARN \|^WARNING' > "$out/$run.stderr") | tee "$out/$run.log"
  done
done

if [ "${MLLIB:-1}" != 0 ]; then
  echo "== Spark MLlib MultilayerPerceptronClassifier, $master"
  flags="$(cat deploy/target/jvm-flags.txt)"  # the parent pom's dendrite.jvm.flags, as the launcher uses
  java $flags -Xmx6g -Dlog4j.configurationFile=conf/log4j2.properties \
    -cp "conf:$(cat deploy/target/spark-classpath.txt)" org.apache.spark.deploy.SparkSubmit --master "$master" \
    --class io.dendrite.benchmarks.MllibMlpBaseline benchmarks/target/benchmarks.jar "$data" "$out/mllib.json" \
    2> >(grep -v ' WARN \|^WARNING' > "$out/mllib.stderr") | tee "$out/mllib.log"
fi

# The models themselves are not kept with the results, nor Hadoop's .crc sidecar files.
rm -rf "$out"/dendrite-*/model
find "$out" -name '.*.crc' -delete
python3 benchmarks/spark_report.py "$out" "$master" > "$out/report.md"
cat "$out/report.md"
