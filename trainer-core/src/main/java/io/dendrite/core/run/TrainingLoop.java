package io.dendrite.core.run;

import io.dendrite.core.data.FeatureScaler;
import io.dendrite.core.loss.LossStats;
import io.dendrite.core.step.GradientAccumulator;
import io.dendrite.core.step.StepTimes;
import io.dendrite.core.step.Steps;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The training loop, the one both trainers run: epochs of steps from wherever the {@link Run} stands (its start,
 * or the step a resumed run continues at), each step's weights handed to the {@link Steps} and its merged result
 * admitted ({@link Run#admit}) and applied by the {@link MasterWeights}; after each epoch the validation, the
 * epoch's report, the run's callbacks and checkpoints. Where the steps are computed (this JVM, or a Spark step
 * mode) is the {@link Steps}' business; nothing here knows of it.
 */
public final class TrainingLoop {
    private TrainingLoop() {
    }

    /** Evaluates weights on the run's validation data. */
    @FunctionalInterface
    public interface Validation {
        /** The loss statistics of {@code weights} (not kept) on the validation data. */
        LossStats evaluate(float[] weights);
    }

    /**
     * What the loop ran: the step times of each epoch it ran, the examples its applied steps took and the
     * seconds it took.
     */
    public record Outcome(List<StepTimes> epochs, long examples, double seconds) {
        /** Examples per second over the whole loop (0 when it ran no time). */
        public double examplesPerSecond() {
            return seconds > 0 ? examples / seconds : 0;
        }
    }

    /**
     * Runs {@code run}'s remaining epochs of {@code stepsPerEpoch} steps each; {@code validation} may be null.
     * {@code steps} is left open.
     */
    public static Outcome run(Run run, MasterWeights weights, Steps steps, long stepsPerEpoch, FeatureScaler scaler,
                              Validation validation, EpochReport.Listener listener) {
        RunState state = run.state();
        int epochs = run.config().epochs();
        List<StepTimes> epochTimes = new ArrayList<>();
        long started = System.nanoTime();
        long examples = 0;
        for (int epoch = state.epoch(); epoch < epochs; epoch = state.epoch()) {
            long epochStarted = System.nanoTime();
            StepTimes times = new StepTimes();
            long epochExamples = 0;
            boolean any = state.stepInEpoch() < stepsPerEpoch;
            if (any) {
                steps.beginEpoch(epoch);
            }
            for (long s = state.stepInEpoch(); s < stepsPerEpoch; s = state.stepInEpoch()) {
                Steps.Result step = steps.step(epoch, s, weights.step(), weights.weights());
                long received = System.nanoTime();
                GradientAccumulator merged = step.merged();
                GradientAccumulator.Node total = merged.total();
                if (!run.admit(total.stats().lossSum(), total.gradient(), stepsPerEpoch, weights.step())) {
                    continue;
                }
                state.stepApplied(total.stats(), weights.apply(total, state.rateMultiplier()));
                long applied = System.nanoTime();
                epochExamples += total.stats().count();
                times.add(step.publishNanos(), step.waitNanos(), total.computeNanos(),
                        merged.mergeNanos() + merged.transferNanos(), applied - received);
                times.addBytes(step.bytes());
                listener.onStepEnd(weights.step());
                run.afterStep(weights.step(), weights.weights(), weights.optimizer(), scaler);
            }
            if (any) {
                steps.endEpoch();
            }
            Map<String, Double> logs = run.epochLogs(validation == null ? null : validation.evaluate(weights.weights()));
            epochTimes.add(times);
            examples += epochExamples;
            double seconds = (System.nanoTime() - epochStarted) / 1e9;
            listener.onEpochEnd(new EpochReport(epoch + 1, epochs, logs, seconds, epochExamples / seconds, times));
            if (state.endEpoch(logs, weights.scheduledRate(), weights.weights())) {
                break;
            }
            run.afterEpoch(weights.weights(), weights.optimizer(), scaler);
        }
        return new Outcome(epochTimes, examples, (System.nanoTime() - started) / 1e9);
    }
}
