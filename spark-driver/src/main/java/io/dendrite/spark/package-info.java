/**
 * The distributed trainer: one Spark job per synchronous step (publish the weights, each cached
 * partition computes its share of the global batch with the kernel, {@code treeAggregate} to the
 * driver, the {@link io.dendrite.ps.ParameterAverager} updates), with the step time split into its
 * parts, validation, callbacks and atomic checkpoints on any Hadoop path. Also the Kryo registrator
 * for everything shipped to executors and model files over Hadoop's FileSystem.
 */
package io.dendrite.spark;
