# Sourced by the end-to-end benchmark scripts (from the repository root): makes sure Debian's Fashion-MNIST
# is installed (sets $data), builds the packaged application, and creates the run's result directory
# benchmarks/results/$1-<UTC time> (sets $out).
data=/usr/share/datasets/fashion-mnist
if [ ! -f "$data/train-images-idx3-ubyte.gz" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null
fi
mvn -q -B -DskipTests package
out="benchmarks/results/$1-$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$out"
