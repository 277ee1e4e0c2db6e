/**
 * Driver-side training state, free of Spark and Hadoop: the {@link io.dendrite.ps.ParameterAverager}
 * (master weights, optimiser state, step counter, the shared update rule), the mergeable
 * {@link io.dendrite.ps.GradientAccumulator} executors return, and {@link io.dendrite.ps.TrainingCheckpoint}
 * with its file format over any {@link io.dendrite.core.model.StateStore}. Transports (Spark jobs, long-lived
 * tasks) live elsewhere and feed this module; it never touches Spark or a file system itself.
 */
package io.dendrite.ps;
