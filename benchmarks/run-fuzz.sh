#!/usr/bin/env bash
# Fuzzes every reader of untrusted bytes longer than the build's campaign does (fuzz.seconds, 10 s a target):
# the model and checkpoint files and ONNX export of what they accept (trainer-core), the step protocol before
# and after the handshake (parameter-server), CSV and LibSVM lines and IDX headers (datasets). Each target runs
# in Jazzer's own driver, coverage-guided, for SECONDS; the report lists the inputs each ran and any finding,
# whose reproducer (under the module's target/fuzz/<target>/) belongs, once fixed, in the target's regression
# inputs (src/test/resources/.../<Test>Inputs/<method>/), which every build replays.
#   usage: benchmarks/run-fuzz.sh [SECONDS, default 300]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"
source benchmarks/prepare.sh fuzz
mvn -q -B -DskipTests install -pl trainer-core,parameter-server,datasets
status=0
# The kernel modes' extra test runs of trainer-core are skipped: the campaign is one run per target.
mvn -B test -pl trainer-core,parameter-server,datasets -DskipKernelModes=true -Dfuzz.seconds="$seconds" \
  -Dtest='ReaderFuzzTest#campaign,FrameFuzzTest#campaign' -Dsurefire.failIfNoSpecifiedTests=false \
  > "$out/run.log" 2>&1 || status=$?
{
  cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "Fuzz campaign, $seconds s a target, $(nproc) cores ($cpu), $(java -version 2>&1 | head -1), at $(git rev-parse --short HEAD)."
  echo
  echo "| target | inputs | seconds | outcome |"
  echo "|---|---:|---:|---|"
  grep -o 'fuzz campaign: .*' "$out/run.log" | sed -E 's/fuzz campaign: ([^:]+): ([0-9,]+) inputs in ([0-9]+) s, (.*)/| \1 | \2 | \3 | \4 |/'
  echo
  echo "Maven exit status: $status (the full log is run.log)."
} > "$out/report.md"
cat "$out/report.md"
exit "$status"
