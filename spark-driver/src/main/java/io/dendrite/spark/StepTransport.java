package io.dendrite.spark;

import io.dendrite.core.util.Checks;

/**
 * How a synchronous step reaches the executors and comes back.
 *
 * <ul>
 *   <li>{@link Mode#JOB}: one Spark job per step (broadcast the weights, {@code treeAggregate} the
 *   gradients). Works on any cluster; costs Spark's per-job latency every step.</li>
 *   <li>{@link Mode#BARRIER}: one barrier stage per epoch whose long-lived tasks, one per task slot over a
 *   contiguous run of shards, form a tree of at most {@code fanOut} children per task; weights come down it
 *   from a parameter server on the driver, which talks to the root only, and the merged gradients go up
 *   it over TCP. Needs a driver port the executors can reach and ports between executors; gives the same
 *   bits.</li>
 *   <li>{@link Mode#ELASTIC}: one ordinary (not barrier) stage per epoch whose long-lived tasks, one per
 *   group of shards, talk to an {@link io.dendrite.ps.ElasticServer} on the driver directly. Each step every
 *   shard goes to one running task (its own, else the least loaded): a lost task costs only its unfinished
 *   shards, tasks may start late or not at all, and dynamic allocation works. The driver moves one frame
 *   each way per task and step (no tree). Gives the same bits.</li>
 * </ul>
 *
 * @param mode          the step mode
 * @param host          the address executors connect to; null means Spark's {@code spark.driver.host}
 * @param bindAddress   the local address to listen on; null means {@code spark.driver.bindAddress}, else the host
 * @param port          the first port to try (0: any free port)
 * @param portRetries   how many following ports to try when one is taken
 * @param connectMillis how long a task may take to connect
 * @param stepMillis    how long a step may make no progress before the run fails
 * @param slotsMillis   how long to wait for a task slot per shard (executors registering) before starting
 *                      with the slots there are
 * @param fanOut        barrier mode: the most children a task passes the step on to
 */
public record StepTransport(Mode mode, String host, String bindAddress, int port, int portRetries,
                            long connectMillis, long stepMillis, long slotsMillis, int fanOut) {
    /** The step modes. */
    public enum Mode {
        /** One Spark job per step. */
        JOB,
        /** Long-lived barrier tasks and a driver-side parameter server. */
        BARRIER,
        /** Long-lived ordinary tasks, each step's shards assigned by a driver-side server. */
        ELASTIC;

        /** Whether steps run in long-lived tasks (barrier or elastic). */
        public boolean longLived() {
            return this != JOB;
        }

        /** The name job files ({@code training.mode}) and Spark ML ({@code stepMode}) give the mode. */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** Every mode's {@link #id}, the default first. */
        public static java.util.List<String> ids() {
            return java.util.List.of(BARRIER.id(), ELASTIC.id(), JOB.id());
        }

        /** The mode of {@code id} (one of {@link #ids}). */
        public static Mode of(String id) {
            for (Mode m : values()) {
                if (m.id().equals(id)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("no step mode '" + id + "'; the modes are " + ids());
        }

        /**
         * Refuses streamed training data in a mode that cannot read it: only barrier tasks read their shards on
         * from step to step. A job per step would re-read each shard from its start every step, and an elastic
         * task taking over another's shards mid-epoch reads them whole.
         */
        public void requireStreams() {
            if (this != BARRIER) {
                throw new IllegalArgumentException("streamed training data (data.stream: true) needs training.mode: "
                        + "barrier, whose tasks read their shards on from step to step; a job per step would re-read "
                        + "each shard from its start every step, and an elastic task taking over another's shards "
                        + "mid-epoch reads them whole");
            }
        }
    }

    /** Barrier mode on Spark's driver address and any free port, with the default timeouts. */
    public static final StepTransport BARRIER = new StepTransport(Mode.BARRIER, null, null, 0, 16, 10_000, 600_000,
            30_000, 2);

    /** One job per step (the server settings are kept but unused). */
    public static final StepTransport JOB = BARRIER.withMode(Mode.JOB);

    /** Elastic mode with the barrier mode's defaults. */
    public static final StepTransport ELASTIC = BARRIER.withMode(Mode.ELASTIC);

    /** These settings under another mode. */
    public StepTransport withMode(Mode m) {
        return new StepTransport(m, host, bindAddress, port, portRetries, connectMillis, stepMillis, slotsMillis,
                fanOut);
    }

    /** Validates. */
    public StepTransport {
        Checks.checkArgument(mode != null, "the step mode must be set");
        Checks.checkArgument(port >= 0 && port <= 65535, "parameter_server.port must be in [0, 65535] but got %s", port);
        Checks.checkArgument(portRetries >= 0, "parameter_server.port_retries must be >= 0 but got %s", portRetries);
        Checks.checkArgument(connectMillis > 0 && stepMillis > 0 && slotsMillis >= 0,
                "parameter_server timeouts must be > 0 but got connect %s ms, step %s ms, slots %s ms", connectMillis,
                stepMillis, slotsMillis);
        Checks.checkArgument(fanOut >= 1 && fanOut <= 64, "parameter_server.fan_out must be in [1, 64] but got %s",
                fanOut);
    }
}
