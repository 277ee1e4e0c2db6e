"""The scoring benchmark's report (benchmarks/run-scoring-bench.sh): one table of rows per second from
jvm.json and torch.json in the run's directory, with the ratios the targets are stated in.

    usage: python3 benchmarks/scoring_report.py <result dir>
"""
import json
import pathlib
import sys


def main():
    out = pathlib.Path(sys.argv[1])
    jvm = json.loads((out / "jvm.json").read_text())
    torch = json.loads((out / "torch.json").read_text())
    cpu = (out / "cpu.txt").read_text().strip()
    mllib = jvm["mllib_transform_rows_per_s"]
    rows = [
        ("DendriteClassificationModel.transform (no-op sink)", jvm["dendrite_transform_rows_per_s"], mllib, "MLlib"),
        ("MLlib MultilayerPerceptronClassificationModel.transform (no-op sink)", mllib, mllib, "MLlib"),
        ("cached rows to the no-op sink, unscored (the floor under both transforms)",
         jvm["cached_rows_to_noop_rows_per_s"], mllib, "MLlib"),
        ("CLI score job (Parquet in, Parquet out)", jvm["cli_score_rows_per_s"], mllib, "MLlib"),
        ("kernel alone, Model.predictProba, 1 thread", jvm["kernel_1_thread_rows_per_s"], torch["rows_per_second"],
         "PyTorch"),
        ("kernel alone, Model.predictProba, 2 threads", jvm["kernel_2_threads_rows_per_s"], torch["rows_per_second"],
         "PyTorch"),
        (f"PyTorch {torch['torch']} inference, {torch['threads']} threads", torch["rows_per_second"],
         torch["rows_per_second"], "PyTorch"),
    ]
    print(f"# Batch scoring, Fashion-MNIST {jvm['rows']} rows, {jvm['network']}")
    print()
    print(f"Machine: {cpu}; Spark master {jvm['master']}, {jvm['partitions']} partitions; kernel {jvm['kernel']}.")
    print("Median of 5 timed runs after a warm-up, all in one run.")
    print()
    print("| what | rows/s | ratio |")
    print("|---|---:|---:|")
    for name, rate, base, base_name in rows:
        print(f"| {name} | {rate:,.0f} | {rate / base:.2f}x {base_name} |")


if __name__ == "__main__":
    main()
