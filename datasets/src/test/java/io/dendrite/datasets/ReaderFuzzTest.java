package io.dendrite.datasets;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.dendrite.core.fuzz.FuzzCampaign;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The text and IDX readers under fuzzing: each {@link FuzzTest} replays its regression inputs on every build;
 * the campaign fuzzes each target for {@code fuzz.seconds} and reports how many inputs it ran.
 */
class ReaderFuzzTest {

    @FuzzTest
    void textLine(FuzzedDataProvider data) {
        ReaderFuzz.TextLine.fuzzerTestOneInput(data);
    }

    @FuzzTest
    void idxHeader(byte[] bytes) throws Exception {
        ReaderFuzz.IdxHeader.fuzzerTestOneInput(bytes);
    }

    @Test
    void campaign() throws Exception {
        int seconds = FuzzCampaign.seconds();
        Assumptions.assumeTrue(seconds > 0, "fuzz.seconds is 0: no campaign in this build");
        Path inputs = Path.of("src", "test", "resources", "io", "dendrite", "datasets", "ReaderFuzzTestInputs");
        for (Map.Entry<Class<?>, String> t : Map.<Class<?>, String>of(ReaderFuzz.TextLine.class, "textLine",
                ReaderFuzz.IdxHeader.class, "idxHeader").entrySet()) {
            FuzzCampaign.Result r = FuzzCampaign.run(t.getKey(), seconds, inputs.resolve(t.getValue()),
                    Files.createDirectories(Path.of("target", "fuzz")));
            System.out.println("fuzz campaign: " + r.line());
            FuzzCampaign.requireNoFinding(r);
        }
    }
}
