package io.dendrite.core.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dendrite.core.data.FeatureScaler;
import io.dendrite.core.loss.LossStats;
import io.dendrite.core.model.ModelFormatException;
import io.dendrite.core.model.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFormatTest {
    @TempDir
    Path dir;

    private StateStore store() {
        return StateStore.local(dir);
    }

    private static Checkpoint sample(boolean withBest) {
        Map<String, Double> e0 = new LinkedHashMap<>();
        e0.put("loss", 0.6931471805599453);
        e0.put("accuracy", 0.1 + 0.2);
        e0.put("val_loss", Double.NaN);
        e0.put("lr", 1e-3);
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("network", "NetworkSpec[inputWidth=4, layers=[...]]");
        settings.put("seed", "42");
        RunState.Snapshot run = new RunState.Snapshot(3, 17L, new LossStats(12.3456789, 64, 40), 0.001, 7.5e-4f, 2,
                new EpochCallbacks.State(Double.POSITIVE_INFINITY, -1, 2, 0.123456789012345678, 1, 0, 0.25f,
                        withBest ? new float[] {9, 8, 7, 6} : null), List.of(e0));
        return new Checkpoint("run-1", settings, new DataFingerprint(new long[] {100, 57, 0},
                new long[] {0xfedcba98L, 1, 0}, new long[] {0x12345678L, 2, 0}),
                new float[] {0.1f, -2.5e-8f, Float.MIN_VALUE, 3f}, "adam", 1234L,
                Map.of("m", new float[] {1, 2, 3, 4}, "v", new float[] {5, 6, 7, 8}), run,
                new FeatureScaler(FeatureScaler.Kind.CONSTANT, new float[] {0, 0, 0, 0},
                        new float[] {1 / 255f, 1 / 255f, 1 / 255f, 1 / 255f}));
    }

    @Test
    void roundTripsEveryFieldExactly() throws IOException {
        Checkpoint c = sample(true);
        CheckpointFormat.write(c, store());
        Checkpoint back = CheckpointFormat.read(store());
        assertEquals(c.runId(), back.runId());
        assertEquals(c.settings(), back.settings());
        assertArrayEquals(c.data().rows(), back.data().rows());
        assertArrayEquals(c.data().firstBlock(), back.data().firstBlock());
        assertArrayEquals(c.data().lastBlock(), back.data().lastBlock());
        assertArrayEquals(c.weights(), back.weights());
        assertEquals(c.optimizerId(), back.optimizerId());
        assertEquals(c.iterations(), back.iterations());
        assertArrayEquals(c.optimizerState().get("m"), back.optimizerState().get("m"));
        assertArrayEquals(c.optimizerState().get("v"), back.optimizerState().get("v"));
        RunState.Snapshot r = back.run();
        assertEquals(c.run().epoch(), r.epoch());
        assertEquals(c.run().stepInEpoch(), r.stepInEpoch());
        assertEquals(c.run().skippedSteps(), r.skippedSteps());
        EpochCallbacks.State s = r.callbacks();
        assertEquals(c.run().callbacks().stopBest(), s.stopBest());
        assertEquals(c.run().callbacks().plateauBest(), s.plateauBest());
        assertEquals(c.run().callbacks().plateauMultiplier(), s.plateauMultiplier());
        assertEquals(c.run().callbacks().stopWait(), s.stopWait());
        assertArrayEquals(c.run().callbacks().bestWeights(), s.bestWeights());
        assertEquals(c.run().history(), r.history());
        assertEquals(c.run().epochStats(), r.epochStats());
        assertEquals(c.run().epochPenalty(), r.epochPenalty());
        assertEquals(c.run().lastRate(), r.lastRate());
        assertEquals(c.scaler(), back.scaler());
    }

    @Test
    void noBestWeightsStaysNull() throws IOException {
        CheckpointFormat.write(sample(false), store());
        assertNull(CheckpointFormat.read(store()).run().callbacks().bestWeights());
    }

    @Test
    void arrayFileNamesOutsideTheCheckpointDirectoryAreRefused() throws IOException {
        CheckpointFormat.write(sample(true), store());
        String doc = Files.readString(dir.resolve("checkpoint.json"));
        assertTrue(doc.contains("\"weights.bin\""), doc);
        Files.writeString(dir.resolve("checkpoint.json"), doc.replace("\"weights.bin\"", "\"../weights.bin\""));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> CheckpointFormat.read(store()));
        assertTrue(e.getMessage().contains("must be a plain file name in the same directory but was \"../weights.bin\""),
                e.getMessage());
    }

    @Test
    void damageIsReportedNamingTheFile() throws IOException {
        CheckpointFormat.write(sample(true), store());
        byte[] m = Files.readAllBytes(dir.resolve("optimizer-m.bin"));
        m[20] ^= 1;
        Files.write(dir.resolve("optimizer-m.bin"), m);
        ModelFormatException crc = assertThrows(ModelFormatException.class, () -> CheckpointFormat.read(store()));
        assertTrue(crc.getMessage().contains("optimizer-m.bin") && crc.getMessage().contains("checksum"), crc.getMessage());

        Files.delete(dir.resolve("optimizer-m.bin"));
        ModelFormatException missing = assertThrows(ModelFormatException.class, () -> CheckpointFormat.read(store()));
        assertTrue(missing.getMessage().contains("optimizer-m.bin: named by"), missing.getMessage());

        String doc = Files.readString(dir.resolve("checkpoint.json")).replace("\"format_version\" : 2", "\"format_version\" : 9");
        Files.writeString(dir.resolve("checkpoint.json"), doc);
        ModelFormatException version = assertThrows(ModelFormatException.class, () -> CheckpointFormat.read(store()));
        assertTrue(version.getMessage().contains("format_version 9 is not supported"), version.getMessage());

        Files.delete(dir.resolve("checkpoint.json"));
        ModelFormatException none = assertThrows(ModelFormatException.class, () -> CheckpointFormat.read(store()));
        assertTrue(none.getMessage().contains("no checkpoint document here"), none.getMessage());
    }
}
