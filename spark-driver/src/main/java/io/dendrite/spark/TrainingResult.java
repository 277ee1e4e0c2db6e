package io.dendrite.spark;

import io.dendrite.core.model.Model;
import io.dendrite.core.run.History;
import io.dendrite.core.step.StepTimes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A finished distributed fit: the model, the per-epoch metrics and step times, the partition count, the
 * kernel in use, and the overall training throughput.
 */
public record TrainingResult(Model model, History history, List<StepTimes> epochTimes, int partitions,
                             String kernel, double examplesPerSecond, double seconds) {

    /** The step-time breakdown averaged over every step of the run. */
    public Map<String, Double> meanStepMillis() {
        Map<String, Double> sum = new LinkedHashMap<>();
        long steps = 0;
        for (StepTimes t : epochTimes) {
            long n = t.steps();
            t.meanMillis().forEach((k, v) -> sum.merge(k, v * n, Double::sum));
            steps += n;
        }
        long total = Math.max(1, steps);
        sum.replaceAll((k, v) -> v / total);
        return sum;
    }

    /** The bytes per step averaged over the steps that counted them (empty in job mode). */
    public Map<String, Long> meanStepBytes() {
        Map<String, Long> sum = new LinkedHashMap<>();
        long steps = 0;
        for (StepTimes t : epochTimes) {
            long n = t.steps();
            t.meanBytes().forEach((k, v) -> sum.merge(k, v * n, Long::sum));
            steps += t.meanBytes().isEmpty() ? 0 : n;
        }
        long total = Math.max(1, steps);
        sum.replaceAll((k, v) -> v / total);
        return sum;
    }
}
