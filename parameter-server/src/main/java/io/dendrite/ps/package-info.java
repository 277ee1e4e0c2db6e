/**
 * Driver-side training state, free of Spark and Hadoop: the {@link io.dendrite.ps.ParameterAverager}
 * (master weights, optimiser state, step counter, the shared update rule), the mergeable
 * {@link io.dendrite.ps.GradientAccumulator} executors return; and the low-latency transport's
 * two ends, {@link io.dendrite.ps.ParameterServer} (on the driver) and {@link io.dendrite.ps.ParameterClient}
 * (in a long-lived task), over plain TCP with an HMAC challenge on a per-run secret. It never touches Spark
 * or a file system itself; the Spark side of both transports lives in {@code spark-driver}. Of trainer-core
 * it uses the run package ({@code io.dendrite.core.run}: configuration, checkpoints), never the single-JVM
 * trainer's.
 */
package io.dendrite.ps;
