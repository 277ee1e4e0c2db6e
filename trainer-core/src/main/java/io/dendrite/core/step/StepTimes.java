package io.dendrite.core.step;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where the time of synchronous steps goes, summed over an epoch: publishing the weights (a broadcast in
 * job mode, encoding and queueing them to the tasks in barrier mode), executor compute (the slowest
 * partition's gather, forward and backward, measured inside the task), reduce (adding gradients
 * together, plus reading task results in job mode), the driver's update, and the transport remainder of
 * the wait: in job mode Spark's job (task launch, closure and result serialisation, scheduling), in
 * barrier mode the network round trip and decoding. Everything but compute is the step's fixed cost, the
 * number that decides how small a global batch can train efficiently. In barrier mode it also sums the
 * bytes the driver and the busiest task node moved per step (counted, not timed).
 */
public final class StepTimes {
    private long steps;
    private long publish;
    private long job;
    private long compute;
    private long reduce;
    private long update;
    private long bytesSteps;
    private long driverIn;
    private long driverOut;
    private long nodeIn;
    private long nodeOut;

    /** Records one step's parts, in nanoseconds. */
    public void add(long publishNanos, long jobNanos, long computeNanos, long reduceNanos, long updateNanos) {
        steps++;
        publish += publishNanos;
        job += jobNanos;
        compute += computeNanos;
        reduce += reduceNanos;
        update += updateNanos;
    }

    /** Records one step's bytes (steps without a count are left out of the byte means). */
    public void addBytes(StepBytes b) {
        if (b != StepBytes.NONE) {
            bytesSteps++;
            driverIn += b.driverIn();
            driverOut += b.driverOut();
            nodeIn += b.nodeIn();
            nodeOut += b.nodeOut();
        }
    }

    /**
     * Mean bytes per step: {@code driver_in}, {@code driver_out}, {@code node_in}, {@code node_out} (the
     * busiest task node's); empty where the step mode does not count them.
     */
    public Map<String, Long> meanBytes() {
        Map<String, Long> m = new LinkedHashMap<>();
        if (bytesSteps > 0) {
            m.put("driver_in", driverIn / bytesSteps);
            m.put("driver_out", driverOut / bytesSteps);
            m.put("node_in", nodeIn / bytesSteps);
            m.put("node_out", nodeOut / bytesSteps);
        }
        return m;
    }

    /** Steps recorded. */
    public long steps() {
        return steps;
    }

    /** Mean milliseconds per step of each part, {@code step_ms} first. */
    public Map<String, Double> meanMillis() {
        Map<String, Double> m = new LinkedHashMap<>();
        double n = Math.max(1, steps) * 1e6;
        m.put("step_ms", (publish + job + update) / n);
        m.put("compute_ms", compute / n);
        m.put("fixed_ms", Math.max(0, publish + job + update - compute) / n);
        m.put("publish_ms", publish / n);
        m.put("reduce_ms", reduce / n);
        m.put("update_ms", update / n);
        m.put("transport_ms", Math.max(0, job - compute - reduce) / n);
        return m;
    }

    /** {@code step 26.1 ms (compute 8.2, fixed 17.9: publish 1.1, reduce 0.9, update 0.6, transport 15.3)}. */
    public String describe() {
        Map<String, Double> m = meanMillis();
        String times = String.format(Locale.ROOT, "step %.1f ms (compute %.1f, fixed %.1f: publish %.1f, reduce %.1f, "
                        + "update %.1f, transport %.1f)", m.get("step_ms"), m.get("compute_ms"), m.get("fixed_ms"),
                m.get("publish_ms"), m.get("reduce_ms"), m.get("update_ms"), m.get("transport_ms"));
        Map<String, Long> b = meanBytes();
        return b.isEmpty() ? times : times + String.format(Locale.ROOT, " - bytes/step driver %s in, %s out; busiest "
                + "node %s in, %s out", mb(b.get("driver_in")), mb(b.get("driver_out")), mb(b.get("node_in")),
                mb(b.get("node_out")));
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.2f MB", bytes / 1e6);
    }
}
