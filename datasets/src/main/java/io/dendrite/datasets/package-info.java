/**
 * Training data: readers (IDX, CSV, LibSVM, Parquet, any DataFrame) over Hadoop paths that turn files
 * into {@code ShardedDataset}s of packed {@code ExampleBlock}s, input validation with an explicit
 * bad-row policy, seeded splits, distributed scaler fitting, synthetic teacher data, and the bundled
 * small datasets. Never trains anything itself; Spark and Hadoop are provided by the cluster.
 */
package io.dendrite.datasets;
