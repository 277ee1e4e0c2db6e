package io.dendrite.core.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.dendrite.core.TorchReference;
import org.junit.jupiter.api.Test;

/** Learning-rate schedules against PyTorch's schedulers, tick by tick, from a base rate of 0.1. */
class ScheduleReferenceTest {
    private static final float BASE = 0.1f;

    private static JsonNode schedule(String name) {
        for (JsonNode s : TorchReference.root().get("schedules")) {
            if (s.get("name").asText().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException(name);
    }

    private static void assertRates(String name, LearningRateSchedule schedule) {
        float[] expected = TorchReference.floats(schedule(name).get("rates"));
        for (int t = 0; t < expected.length; t++) {
            assertEquals(expected[t], schedule.rate(BASE, t), 1e-6f, name + " at step " + t);
        }
    }

    @Test
    void stepDecay() {
        assertRates("step", LearningRateSchedule.step(3, 0.5f));
    }

    @Test
    void exponentialDecay() {
        assertRates("exponential", LearningRateSchedule.exponential(0.9f, 1));
    }

    @Test
    void cosineAnnealing() {
        assertRates("cosine", LearningRateSchedule.cosine(10, 0.01f));
        assertEquals(0.01f, LearningRateSchedule.cosine(10, 0.01f).rate(BASE, 25), 1e-7f, "holds the minimum after T");
    }

    @Test
    void linearWarmup() {
        assertRates("warmup", LearningRateSchedule.warmup(4, 0.25f, LearningRateSchedule.constant()));
    }

    @Test
    void warmupHandsOverToTheShiftedSchedule() {
        LearningRateSchedule s = LearningRateSchedule.warmup(2, 0.5f, LearningRateSchedule.step(1, 0.5f));
        assertEquals(0.05f, s.rate(BASE, 0), 1e-7f);
        assertEquals(0.075f, s.rate(BASE, 1), 1e-7f);
        assertEquals(0.1f, s.rate(BASE, 2), 1e-7f);
        assertEquals(0.05f, s.rate(BASE, 3), 1e-7f);
    }

    @Test
    void constantIsConstant() {
        assertEquals(BASE, LearningRateSchedule.constant().rate(BASE, 12345));
    }

    @Test
    void rejectsBadConfiguration() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.step(0, 0.5f));
        assertEquals("step decay step size must be >= 1 but was 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LearningRateSchedule.warmup(3, 0f, LearningRateSchedule.constant()));
        assertEquals("warm-up start factor must be in (0, 1] but was 0.0", e.getMessage());
    }
}
