/**
 * The distributed trainer: trainer-core's one training loop ({@link io.dendrite.core.run.TrainingLoop}) with
 * its steps computed on Spark, each step mode a {@link io.dendrite.core.step.Steps} (each cached partition
 * computes its share of the global batch with the kernel; the shares merge along the fixed tree and reach the
 * driver's {@link io.dendrite.core.run.MasterWeights}): one Spark job per step, long-lived barrier tasks with
 * the driver's parameter server and task tree, or elastic tasks. Also validation and atomic checkpoints on any
 * Hadoop path, the Kryo registrator for everything shipped to executors, and model files over Hadoop's
 * FileSystem.
 */
package io.dendrite.spark;
