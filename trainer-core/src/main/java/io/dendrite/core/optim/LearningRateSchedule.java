package io.dendrite.core.optim;

import io.dendrite.core.util.Checks;

/**
 * The learning rate as a function of the base rate and the optimiser step {@code t} (0 for the first
 * update). Stateless, so a resumed run gets the same rates. Reduce-on-plateau, which depends on
 * validation results, is a callback that scales whatever this returns.
 */
public sealed interface LearningRateSchedule {

    /** The rate for step {@code t}. */
    float rate(float base, long t);

    /** A constant rate. */
    static LearningRateSchedule constant() {
        return new Constant();
    }

    /** {@code base · gamma^⌊t / stepSize⌋} (PyTorch {@code StepLR}). */
    static LearningRateSchedule step(long stepSize, float gamma) {
        return new StepDecay(stepSize, gamma);
    }

    /** {@code base · gamma^(t / decaySteps)} (Keras {@code ExponentialDecay}; with 1 step, PyTorch {@code ExponentialLR}). */
    static LearningRateSchedule exponential(float gamma, long decaySteps) {
        return new Exponential(gamma, decaySteps);
    }

    /** {@code min + (base − min)·(1 + cos(π·t/T))/2}, then {@code min} (PyTorch {@code CosineAnnealingLR}, one cycle). */
    static LearningRateSchedule cosine(long totalSteps, float minRate) {
        return new Cosine(totalSteps, minRate);
    }

    /** Linear warm-up from {@code startFactor·base} to {@code base} over {@code steps}, then {@code after} (shifted). */
    static LearningRateSchedule warmup(long steps, float startFactor, LearningRateSchedule after) {
        return new Warmup(steps, startFactor, after);
    }

    /** A constant rate. */
    record Constant() implements LearningRateSchedule {
        @Override
        public float rate(float base, long t) {
            return base;
        }
    }

    /** Step decay. */
    record StepDecay(long stepSize, float gamma) implements LearningRateSchedule {
        /** Validates. */
        public StepDecay {
            Checks.checkArgument(stepSize >= 1, "step decay step size must be >= 1 but was %s", stepSize);
            Checks.positive("step decay gamma", gamma);
        }

        @Override
        public float rate(float base, long t) {
            return (float) (base * Math.pow(gamma, t / stepSize));
        }
    }

    /** Exponential decay. */
    record Exponential(float gamma, long decaySteps) implements LearningRateSchedule {
        /** Validates. */
        public Exponential {
            Checks.positive("exponential decay gamma", gamma);
            Checks.checkArgument(decaySteps >= 1, "exponential decay steps must be >= 1 but was %s", decaySteps);
        }

        @Override
        public float rate(float base, long t) {
            return (float) (base * Math.pow(gamma, (double) t / decaySteps));
        }
    }

    /** Cosine annealing. */
    record Cosine(long totalSteps, float minRate) implements LearningRateSchedule {
        /** Validates. */
        public Cosine {
            Checks.checkArgument(totalSteps >= 1, "cosine total steps must be >= 1 but was %s", totalSteps);
            Checks.nonNegative("cosine minimum rate", minRate);
        }

        @Override
        public float rate(float base, long t) {
            double progress = Math.min(t, totalSteps) / (double) totalSteps;
            return (float) (minRate + (base - minRate) * (1 + Math.cos(Math.PI * progress)) / 2);
        }
    }

    /** Linear warm-up. */
    record Warmup(long steps, float startFactor, LearningRateSchedule after) implements LearningRateSchedule {
        /** Validates. */
        public Warmup {
            Checks.checkArgument(steps >= 1, "warm-up steps must be >= 1 but was %s", steps);
            Checks.checkArgument(startFactor > 0 && startFactor <= 1, "warm-up start factor must be in (0, 1] but was %s",
                    startFactor);
            Checks.checkArgument(after != null, "the schedule after warm-up must not be null");
        }

        @Override
        public float rate(float base, long t) {
            if (t < steps) {
                return (float) (base * (startFactor + (1.0 - startFactor) * t / steps));
            }
            return after.rate(base, t - steps);
        }
    }
}
