#!/usr/bin/env bash
# What authentication and TLS cost on one step connection: LinkBenchmark (JMH) sends a step-sized frame
# (1,077,313 bytes: 269,322 floats and a header) over loopback and gets one of the same size back from an
# echoing peer: raw bytes (plain), HMAC mode's authenticated records (sealed: HMAC-SHA256 per record, not
# encrypted) and TLS 1.3 (the JDK's SSLEngine with the run's certificate), side by side in one run.
# Writes benchmarks/results/link-<time>.md with the JMH JSON beside it.
#   usage: benchmarks/run-link-bench.sh [-- extra JMH options]
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${1:-}" = "--" ] && shift
mvn -q -B -DskipTests package
stamp="$(date -u +%Y%m%d-%H%M%S)"
out="benchmarks/results/link-$stamp"
java_bin="${JAVA:-java}"
"$java_bin" -jar benchmarks/target/benchmarks.jar LinkBenchmark -rf json -rff "$out.json" "$@" | tee "$out.log"
python3 - "$out.json" > "$out.md" <<'PY'
import json, os, subprocess, sys
runs = json.load(open(sys.argv[1]))
flags = subprocess.run(["grep", "-o", "-w", "-E", "avx512f|avx2|aes|vaes|vpclmulqdq", "/proc/cpuinfo"],
                       capture_output=True, text=True).stdout.split()
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
jvm = runs[0]["vmName"] + " " + runs[0]["jdkVersion"]
print("# One step connection: raw, with authenticated records, and over TLS 1.3\n")
print(f"Machine: {cpu}, {os.cpu_count()} cores, flags {' '.join(sorted(set(flags)))}; {jvm}. A frame of "
      f"{runs[0]['params']['bytes']} bytes out over loopback and one back (JMH, average of 5 × 2 s).\n")
print("| link | ms per round trip | ± | MB/s each way | vs plain |")
print("|---|---|---|---|---|")
plain = next(r["primaryMetric"]["score"] for r in runs if r["params"]["link"] == "plain")
for r in runs:
    m = r["primaryMetric"]
    mbs = int(r["params"]["bytes"]) / (m["score"] / 1000) / 1e6
    print(f"| {r['params']['link']} | {m['score']:.3f} | {m['scoreError']:.3f} | {mbs:,.0f} | {m['score'] / plain:.2f}× |")
PY
cat "$out.md"
