"""PyTorch inference beside Dendrite's kernel, for the scoring benchmark: Fashion-MNIST's 60,000 training
rows (pixels / 255, float32, in memory) through a 784-<hidden>-10 ReLU network with a softmax, in blocks of
4,096 rows under torch.no_grad(), on a given number of threads. One warm-up pass, then the median rows per
second of five. Prints one JSON line.

    usage: python3 benchmarks/torch_score.py <fashion-mnist dir> <threads> [hidden sizes, default 256,256]
"""
import json
import statistics
import sys
import time

import numpy as np
import torch

from torch_fashion import idx


def main():
    root, threads = sys.argv[1], int(sys.argv[2])
    hidden = [int(h) for h in (sys.argv[3] if len(sys.argv) > 3 else "256,256").split(",")]
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    x = torch.from_numpy(idx(f"{root}/train-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255)
    layers, width = [], 784
    for h in hidden:
        layers += [torch.nn.Linear(width, h), torch.nn.ReLU()]
        width = h
    layers += [torch.nn.Linear(width, 10), torch.nn.Softmax(dim=1)]
    model = torch.nn.Sequential(*layers).eval()
    n = x.shape[0]

    def run():
        with torch.no_grad():
            for s in range(0, n, 4096):
                model(x[s:s + 4096])

    run()
    rates = []
    for _ in range(5):
        started = time.perf_counter()
        run()
        rates.append(n / (time.perf_counter() - started))
    print(json.dumps({"torch": torch.__version__, "threads": threads, "hidden": hidden, "rows": n,
                      "rows_per_second": statistics.median(rates)}))


if __name__ == "__main__":
    main()
