#!/usr/bin/env bash
# Runs the kernel benchmarks (JMH, single-threaded) and writes benchmarks/results/kernel-<date>.{json,md}:
# our vector and scalar kernels, native OpenBLAS through netlib's JNI, and netlib's Java/Vector BLAS,
# side by side in one run, with GFLOPS and ratios, and the machine and JDK they ran on.
#   usage: benchmarks/run-kernel-bench.sh [extra JMH options, e.g. -wi 2 -i 3 for a quick look]
set -euo pipefail
cd "$(dirname "$0")/.."

if ! ldconfig -p | grep -q 'libopenblas.so.0'; then
  echo "Installing Debian's OpenBLAS (the native reference)..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libopenblas0 >/dev/null
fi
mvn -q -B -DskipTests -pl benchmarks -am package

stamp=$(date -u +%Y%m%d-%H%M%S)
out=benchmarks/results/kernel-$stamp
mkdir -p benchmarks/results
# One thread everywhere: OpenBLAS' own pool is pinned to 1, and JMH runs one benchmark thread.
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar 'GemmBenchmark|DenseLayerBenchmark' \
  -t 1 -rf json -rff "$out.json" "$@" | tee "$out.log"

java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar io.dendrite.benchmarks.KernelReport \
  "$out.json" > "$out.md"
cat "$out.md"
