package io.dendrite.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.dendrite.core.TorchReference;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reduce-on-plateau against PyTorch's {@code ReduceLROnPlateau} fed the same metric sequence. */
class PlateauReferenceTest {

    @Test
    void matchesPyTorch() {
        JsonNode ref = null;
        for (JsonNode s : TorchReference.root().get("schedules")) {
            if (s.get("name").asText().equals("plateau")) {
                ref = s;
            }
        }
        JsonNode cfg = ref.get("config");
        ReduceLrOnPlateau.Tracker tracker = new ReduceLrOnPlateau.Tracker(new ReduceLrOnPlateau("val_loss",
                (float) cfg.get("factor").asDouble(), cfg.get("patience").asInt(),
                (float) cfg.get("min_delta").asDouble(), cfg.get("cooldown").asInt(),
                (float) cfg.get("min_lr").asDouble()));
        float[] metrics = TorchReference.floats(ref.get("metrics"));
        float[] rates = TorchReference.floats(ref.get("rates"));
        for (int e = 0; e < metrics.length; e++) {
            tracker.observe(Map.of("val_loss", (double) metrics[e]), 0.1f);
            assertEquals(rates[e], 0.1f * tracker.multiplier(), 1e-7f, "epoch " + e);
        }
    }

    @Test
    void missingMetricIsNamed() {
        ReduceLrOnPlateau.Tracker tracker = new ReduceLrOnPlateau.Tracker(
                new ReduceLrOnPlateau("val_auc", 0.5f, 1, 0f, 0, 0f));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tracker.observe(Map.of("loss", 1.0), 0.1f));
        assertEquals("monitored metric 'val_auc' is not measured; available: [loss]", e.getMessage());
    }
}
