package io.dendrite.core.run;

import io.dendrite.core.util.Checks;

/**
 * Where and how often a run checkpoints: every {@code everySteps} optimiser steps and/or every
 * {@code everyEpochs} epochs, keeping the newest {@code keep}; {@code root} null means never.
 */
public record CheckpointPolicy(String root, long everySteps, int everyEpochs, int keep) {
    /** No checkpoints. */
    public static final CheckpointPolicy NONE = new CheckpointPolicy(null, 0, 0, 1);

    /** Validates. */
    public CheckpointPolicy {
        Checks.checkArgument(everySteps >= 0 && everyEpochs >= 0, "checkpoint intervals must be >= 0");
        Checks.atLeast("checkpoints kept", keep, 1);
        Checks.checkArgument(root == null || everySteps > 0 || everyEpochs > 0,
                "a checkpoint directory needs every_steps or every_epochs > 0");
    }

    /** True when a checkpoint is due after optimiser step number {@code stepsApplied}. */
    public boolean afterStep(long stepsApplied) {
        return root != null && everySteps > 0 && stepsApplied % everySteps == 0;
    }

    /** True when a checkpoint is due after {@code epochsDone} of {@code epochs} epochs (never after the last). */
    public boolean afterEpoch(int epochsDone, int epochs) {
        return root != null && everyEpochs > 0 && epochsDone % everyEpochs == 0 && epochsDone < epochs;
    }
}
