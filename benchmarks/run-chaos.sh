#!/usr/bin/env bash
# The chaos run (issue 28): ROUNDS rounds on the project's own standalone cluster (3 workers of 1 core on
# loopback), each training one job with one fault injected mid-run, the step mode (barrier, elastic, job),
# the dataset (the digits, a Fashion-MNIST slice, a streamed synthetic set) and the fault (kill -9 of an
# executor; kill -9 of a worker and its executor for good; SIGSTOP of an executor for 20-90 s; kill -9 of the
# driver, then --resume; ss -K of every connection to the driver but Spark's RPC, the step server's among
# them (the RPC itself in job mode); every executor killed at once) drawn from SEED.
# Every round must end with the undisturbed run's weights, within its time plus a stated bound, and leave no
# process behind (benchmarks/chaos.py says how each is judged). Writes benchmarks/results/chaos-<time>/report.md;
# exits non-zero if any round did not hold.
#   usage: benchmarks/run-chaos.sh ROUNDS [SEED, default 1]
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 1 && "$1" =~ ^[0-9]+$ ]] || { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
source benchmarks/prepare.sh chaos
python3 benchmarks/chaos.py --rounds "$1" --seed "${2:-1}" --out "$out"
