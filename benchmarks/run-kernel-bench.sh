#!/usr/bin/env bash
# Runs the kernel benchmarks (JMH, single-threaded) for each vector set asked for and writes
# benchmarks/results/kernel-<date>.md (one section per set) with the JMH JSON and log of each set beside it:
# our vector kernel on that set, our scalar kernel, native OpenBLAS in the matching mode (through netlib's
# JNI) and netlib's Java BLAS, side by side in one run, with GFLOPS and ratios, the CPU, its flags, the JDK
# and the JVM flags used, and the bytes the vector kernel allocates per GEMM (JMH's gc profiler: C2 boxing
# vectors shows there first).
#
#   usage: benchmarks/run-kernel-bench.sh [SET ...] [-- extra JMH options, e.g. -- -wi 1 -i 2 for a quick look]
#   SET: 512x32  AVX-512, 32 registers           JVM as is            OpenBLAS as it detects the CPU
#        256x16  AVX2, 16 registers              -XX:UseAVX=2         OPENBLAS_CORETYPE=Haswell
#        128x16m SSE, 16 registers, no FMA       -XX:UseAVX=0         OPENBLAS_CORETYPE=Nehalem (SSE4.2)
#        128x16  AVX without 256-bit floats, FMA -XX:UseAVX=1         OPENBLAS_CORETYPE=Sandybridge (AVX)
#        128x32  NEON's shape: 128 bits, 32 registers, FMA (forced on the full JVM)  OPENBLAS_CORETYPE=Nehalem
#   Default: every set this CPU runs natively (512x32 with AVX-512, 256x16 with AVX2, and 128x16m).
#   JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java runs it on another JDK.
set -euo pipefail
cd "$(dirname "$0")/.."

sets=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do sets+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
flags=$(grep -o -w -E 'avx512f|avx2|fma|avx|sse4_2' /proc/cpuinfo | sort -u | tr '\n' ' ')
if [ ${#sets[@]} -eq 0 ]; then
  case " $flags " in *" avx512f "*) sets+=(512x32) ;; esac
  case " $flags " in *" avx2 "*) sets+=(256x16) ;; esac
  sets+=(128x16m)
fi
java_bin="${JAVA:-java}"

if ! ldconfig -p | grep -q 'libopenblas.so.0'; then
  echo "Installing Debian's OpenBLAS (the native reference)..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libopenblas0 >/dev/null
fi
mvn -q -B -DskipTests -pl benchmarks -am package

stamp=$(date -u +%Y%m%d-%H%M%S)
out=benchmarks/results/kernel-$stamp
mkdir -p benchmarks/results
# One thread everywhere: OpenBLAS' own pool is pinned to 1, and JMH runs one benchmark thread.
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 OPENBLAS_VERBOSE=2
: > "$out.md"
for set in "${sets[@]}"; do
  case "$set" in
    512x32) jvm=""; core="" ;;
    256x16) jvm="-XX:UseAVX=2"; core=Haswell ;;
    128x16m) jvm="-XX:UseAVX=0"; core=Nehalem ;;
    128x16) jvm="-XX:UseAVX=1"; core=Sandybridge ;;
    128x32) jvm=""; core=Nehalem ;;
    *) echo "unknown set '$set': expected 512x32, 256x16, 128x16m, 128x16 or 128x32" >&2; exit 2 ;;
  esac
  jvm_all="$jvm -Ddendrite.kernel=vector-$set"
  impls=()
  if [ "$set" = 128x16m ]; then
    # Without FMA hardware netlib's Java BLAS computes each Math.fma in BigDecimal: one XW_256x784x256 product
    # took 71 s here, so it is left out of this set.
    impls=(-p impl=vector,scalar,openblas)
  fi
  echo "== set $set: JVM flags '$jvm_all', OPENBLAS_CORETYPE='${core:-auto}', $("$java_bin" -version 2>&1 | head -1)"
  (
    if [ -n "$core" ]; then export OPENBLAS_CORETYPE="$core"; else unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE; fi
    "$java_bin" --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar \
      'GemmBenchmark|DenseLayerBenchmark' -t 1 -prof gc -jvmArgsAppend "$jvm_all" "${impls[@]}" -rf json \
      -rff "$out-$set.json" "$@"
  ) 2>&1 | tee "$out-$set.log"
  # OpenBLAS names the core it chose (OPENBLAS_VERBOSE=2) in each fork's output.
  chosen=$(grep -o -m1 'Core: [A-Za-z0-9]*' "$out-$set.log" | cut -d' ' -f2 || true)
  "$java_bin" --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
    io.dendrite.benchmarks.KernelReport "$out-$set.json" "$set" "$jvm_all" "${chosen:-${core:-auto}}" "$flags" >> "$out.md"
done
cat "$out.md"
