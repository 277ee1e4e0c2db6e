#!/usr/bin/env bash
# The Fashion-MNIST training benchmark on both builds, side by side in one run, written to
# benchmarks/results/builds-<time>/ with a report.md: Dendrite built for Spark 3.5 / Scala 2.12 (the
# default) and for Spark 4.2 / Scala 2.13 (-Dspark4), each training conf/fashion-mnist.yaml (784-256-256-10,
# barrier mode, global batch 512, 10 epochs) in local mode through deploy/bin/dendrite-submit; examples per
# second and test accuracy from each run's summary.json. Each build starts from clean (classes compiled
# against the other Scala would otherwise stay); the tree is built for the default again at the end.
#   usage: benchmarks/run-builds-bench.sh [master, default local[2]] [epochs, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
master="${1:-local[2]}"
epochs="${2:-10}"
source benchmarks/prepare.sh builds
trap 'mvn -q -B -DskipTests clean package' EXIT   # leave the tree built for the default Spark
for build in spark3 spark4; do
  flag=()
  [[ $build == spark4 ]] && flag=(-Dspark4)
  mvn -q -B -DskipTests "${flag[@]}" clean package
  cp deploy/target/built-for.txt "$out/$build-built-for.txt"
  echo "== Dendrite built for $(cat deploy/target/built-for.txt), barrier mode, batch 512, $master"
  deploy/bin/dendrite-submit --master "$master" train --job conf/fashion-mnist.yaml --output "$out/$build" \
    training.mode=barrier training.batch_size=512 training.epochs="$epochs" output.chart=false \
    2> >(grep -v ' WARN \|^WARNING' > "$out/$build.stderr") | tee "$out/$build.log"
  rm -rf "$out/$build/model"
done
find "$out" -name '.*.crc' -delete
python3 - "$out" "$master" > "$out/report.md" <<'PY'
import json, os, sys
out, master = sys.argv[1], sys.argv[2]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
flags = sorted({w for l in open("/proc/cpuinfo") if l.startswith("flags") for w in l.split() if w in ("avx2", "avx512f")})
print(f"# Fashion-MNIST on both builds, {os.path.basename(out)}\n")
print(f"Machine: {cpu} ({' '.join(flags)}), {os.cpu_count()} cores; master `{master}`; conf/fashion-mnist.yaml, "
      "barrier mode, global batch 512.\n")
print("| built for (Spark, Scala) | epochs | train s | examples/s | test accuracy | kernel |")
print("|---|---|---|---|---|---|")
for build in ("spark3", "spark4"):
    s = json.load(open(os.path.join(out, build, "summary.json")))
    spark, scala = open(os.path.join(out, f"{build}-built-for.txt")).read().split()
    print(f"| {spark}, {scala} | {s['epochs_run']} | {s['training_seconds']:.1f} | {s['examples_per_second']:,.0f} "
          f"| {s['test']['accuracy']:.4f} | {s.get('kernel', '')} |")
PY
cat "$out/report.md"
