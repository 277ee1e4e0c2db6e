package io.dendrite.ps;

import io.dendrite.core.data.FeatureScaler;
import io.dendrite.core.loss.LossStats;
import io.dendrite.core.train.EpochCallbacks;
import java.util.List;
import java.util.Map;

/**
 * Everything a resumed run needs to continue exactly as the uninterrupted one would: the weights, the
 * optimiser's state and step count, where in which epoch training stands, the partitioning the batches
 * were planned over, the seed, the callbacks' state, the history so far, the statistics of the epoch in
 * progress, and the feature scaler. {@code fingerprint} names the configuration, so a checkpoint is
 * never resumed under another model or batch size.
 *
 * @param epoch the epoch in progress (0-based)
 * @param stepInEpoch the next step of that epoch to run
 * @param epochStats the training statistics of the steps of this epoch already run
 * @param epochPenalty the summed norm penalty of those steps
 * @param lastRate the learning rate of the last step run
 */
public record TrainingCheckpoint(String fingerprint, long seed, int epoch, long stepInEpoch, long[] partitionRows,
                                 float[] weights, String optimizerId, long iterations,
                                 Map<String, float[]> optimizerState, EpochCallbacks.State callbacks,
                                 List<Map<String, Double>> history, LossStats epochStats, double epochPenalty,
                                 float lastRate, FeatureScaler scaler) {

    /** Copies the collections. */
    public TrainingCheckpoint {
        partitionRows = partitionRows.clone();
        optimizerState = Map.copyOf(optimizerState);
        history = List.copyOf(history);
    }
}
