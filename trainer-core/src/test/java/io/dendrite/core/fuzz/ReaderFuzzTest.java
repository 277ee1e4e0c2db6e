package io.dendrite.core.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * trainer-core's readers of untrusted bytes under fuzzing. Each {@link FuzzTest} replays the target's
 * regression inputs (every finding, once fixed, is committed there) on every build; the campaign fuzzes each
 * target for {@code fuzz.seconds} with Jazzer's driver and reports how many inputs it ran.
 */
class ReaderFuzzTest {

    @FuzzTest
    void modelFiles(FuzzedDataProvider data) throws Exception {
        ModelFilesFuzz.fuzzerTestOneInput(data);
    }

    @FuzzTest
    void checkpoint(FuzzedDataProvider data) throws Exception {
        CheckpointFuzz.fuzzerTestOneInput(data);
    }

    @Test
    void campaign() throws Exception {
        int seconds = FuzzCampaign.seconds();
        Assumptions.assumeTrue(seconds > 0, "fuzz.seconds is 0: no campaign in this build");
        Path work = Files.createDirectories(Path.of("target", "fuzz"));
        Path inputs = Path.of("src", "test", "resources", "io", "dendrite", "core", "fuzz", "ReaderFuzzTestInputs");
        for (Object[] t : List.of(new Object[] {ModelFilesFuzz.class, "modelFiles"},
                new Object[] {CheckpointFuzz.class, "checkpoint"})) {
            FuzzCampaign.Result r = FuzzCampaign.run((Class<?>) t[0], seconds, inputs.resolve((String) t[1]), work);
            System.out.println("fuzz campaign: " + r.line());
            FuzzCampaign.requireNoFinding(r);
        }
    }
}
