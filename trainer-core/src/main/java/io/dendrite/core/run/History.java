package io.dendrite.core.run;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Per-epoch metrics of one fit, in order ({@code loss}, {@code accuracy}, {@code val_loss}, {@code lr}, …). */
public final class History {
    private final List<Map<String, Double>> epochs = new ArrayList<>();

    /** Appends one epoch's metrics. */
    public void add(Map<String, Double> logs) {
        epochs.add(Collections.unmodifiableMap(new LinkedHashMap<>(logs)));
    }

    /** How many epochs ran. */
    public int epochs() {
        return epochs.size();
    }

    /** The metrics of epoch {@code i} (0-based). */
    public Map<String, Double> epoch(int i) {
        return epochs.get(i);
    }

    /** One metric across epochs ({@code NaN} where an epoch lacks it). */
    public double[] metric(String name) {
        return epochs.stream().mapToDouble(e -> e.getOrDefault(name, Double.NaN)).toArray();
    }

    /** Metric name → per-epoch values, for the model file's training summary. */
    public Map<String, List<Double>> asMap() {
        Map<String, List<Double>> out = new LinkedHashMap<>();
        for (Map<String, Double> e : epochs) {
            e.forEach((k, v) -> out.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
        }
        return out;
    }
}
