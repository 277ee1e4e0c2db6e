package io.dendrite.core.run;

import io.dendrite.core.data.FeatureScaler;
import java.util.Map;

/**
 * Everything a resumed run needs to continue exactly as the uninterrupted one would: the weights, the
 * optimiser's state and step count, the {@link RunState} (cursor, epoch statistics, history, callbacks)
 * and the feature scaler; and what the run must match to continue — its settings ({@link RunSettings})
 * and the data its batches were planned over ({@link DataFingerprint}). {@code runId} names the run, so
 * a new run never writes among another run's checkpoints.
 */
public record Checkpoint(String runId, Map<String, String> settings, DataFingerprint data, float[] weights,
                         String optimizerId, long iterations, Map<String, float[]> optimizerState,
                         RunState.Snapshot run, FeatureScaler scaler) {

    /** Copies the maps. */
    public Checkpoint {
        settings = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(settings));
        optimizerState = Map.copyOf(optimizerState);
    }
}
