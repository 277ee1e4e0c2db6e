/**
 * The step's transport, free of Spark and Hadoop: the long-lived modes' two ends on the driver
 * ({@link io.dendrite.ps.ParameterServer} for barrier tasks and their task tree,
 * {@link io.dendrite.ps.ElasticServer} for elastic tasks) and in the tasks ({@link io.dendrite.ps.ParameterClient},
 * {@link io.dendrite.ps.ElasticClient}, {@link io.dendrite.ps.TreeNode}), over TCP with a handshake on the
 * run's secret and every record authenticated (or TLS 1.3). What travels is trainer-core's: the weights out,
 * the {@link io.dendrite.core.step.GradientAccumulator} of each task back; the update itself is trainer-core's
 * {@link io.dendrite.core.run.MasterWeights}. It never touches Spark or a file system itself; the Spark side
 * lives in {@code spark-driver}. Of trainer-core it uses the step and run packages, never the single-JVM
 * trainer's.
 */
package io.dendrite.ps;
