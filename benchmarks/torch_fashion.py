"""PyTorch on one box, for the scale benchmark: Fashion-MNIST in Dendrite's conf/fashion-mnist.yaml model
(784-256-256-10, ReLU, dropout 0.2, softmax cross-entropy, Adam at 1e-3), pixels scaled by 1/255, the
same global batch and epochs, on a given number of threads. Prints one JSON line: examples per second over
the whole training (data already in memory as float32, shuffled every epoch), seconds, test accuracy.

    usage: python3 benchmarks/torch_fashion.py <fashion-mnist dir> <batch> <epochs> <threads>
"""
import gzip
import json
import sys
import time

import numpy as np
import torch


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    root, batch, epochs, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    x = torch.from_numpy(idx(f"{root}/train-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255)
    y = torch.from_numpy(idx(f"{root}/train-labels-idx1-ubyte.gz").astype(np.int64))
    tx = torch.from_numpy(idx(f"{root}/t10k-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255)
    ty = torch.from_numpy(idx(f"{root}/t10k-labels-idx1-ubyte.gz").astype(np.int64))
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Dropout(0.2),
        torch.nn.Linear(256, 256), torch.nn.ReLU(), torch.nn.Dropout(0.2),
        torch.nn.Linear(256, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    n = x.shape[0]
    started = time.perf_counter()
    for _ in range(epochs):
        model.train()
        order = torch.randperm(n)
        for s in range(0, n, batch):
            i = order[s:s + batch]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[i]), y[i])
            loss.backward()
            optimizer.step()
    seconds = time.perf_counter() - started
    model.eval()
    with torch.no_grad():
        accuracy = (model(tx).argmax(1) == ty).float().mean().item()
    print(json.dumps({"torch": torch.__version__, "threads": threads, "batch": batch, "epochs": epochs,
                      "seconds": seconds, "examples_per_second": n * epochs / seconds,
                      "test_accuracy": accuracy}))


if __name__ == "__main__":
    main()
