package io.dendrite.ps;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.dendrite.core.fuzz.FuzzCampaign;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The step protocol's bytes under fuzzing: the {@link FuzzTest} replays the regression inputs on every build;
 * the campaign fuzzes for {@code fuzz.seconds} and reports how many inputs it ran.
 */
class FrameFuzzTest {

    @FuzzTest
    void frames(FuzzedDataProvider data) throws Exception {
        FrameFuzz.fuzzerTestOneInput(data);
    }

    @Test
    void campaign() throws Exception {
        int seconds = FuzzCampaign.seconds();
        Assumptions.assumeTrue(seconds > 0, "fuzz.seconds is 0: no campaign in this build");
        FuzzCampaign.Result r = FuzzCampaign.run(FrameFuzz.class, seconds,
                Path.of("src", "test", "resources", "io", "dendrite", "ps", "FrameFuzzTestInputs", "frames"),
                Files.createDirectories(Path.of("target", "fuzz")));
        System.out.println("fuzz campaign: " + r.line());
        FuzzCampaign.requireNoFinding(r);
    }
}
