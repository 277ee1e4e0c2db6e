/**
 * The distributed trainer: synchronous steps (publish the weights, each cached partition computes its
 * share of the global batch with the kernel, the merged shares reach the driver, the
 * {@link io.dendrite.ps.ParameterAverager} updates), travelling either as one Spark job per step or
 * through long-lived barrier tasks and the driver's parameter server, with the step time split into its
 * parts, validation, callbacks and atomic checkpoints on any Hadoop path. Also the Kryo registrator
 * for everything shipped to executors and model files over Hadoop's FileSystem.
 */
package io.dendrite.spark;
