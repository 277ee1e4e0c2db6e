package io.dendrite.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vector kernel's GEMM sets ({@code Gemm*.java}) are written by {@code src/build/gen_microkernels.py}, not by
 * hand: regenerated here, every file must match the committed one byte for byte, and no committed set may be
 * left that the generator no longer writes. An edit to a generated file, or to the generator without
 * regenerating, fails here; so does a machine without {@code python3}, the generator's interpreter.
 */
class GeneratedSourcesTest {
    private static final Path GENERATOR = Path.of("src/build/gen_microkernels.py");
    private static final Path COMMITTED = Path.of("src/main/java/io/dendrite/core/kernel/vector");

    @Test
    void gemmSetsAreWhatTheGeneratorWrites(@TempDir Path out) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("python3", GENERATOR.toString(), out.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("cannot run python3 (" + e.getMessage() + "), which this check needs to "
                    + "regenerate the kernels with " + GENERATOR + "; install python3 (Debian: apt-get install python3)", e);
        }
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the generator did not finish within 60 s");
        assertEquals(0, p.exitValue(), GENERATOR + " failed: " + said);
        List<String> generated = names(out);
        assertTrue(!generated.isEmpty(), GENERATOR + " wrote nothing");
        List<String> committed = names(COMMITTED);
        committed.removeIf(n -> !n.matches("Gemm\\d+x\\d+\\w*\\.java"));
        assertEquals(generated, committed, "the GEMM sets committed under " + COMMITTED + " are not those " + GENERATOR
                + " writes");
        List<String> differing = new ArrayList<>();
        for (String n : generated) {
            if (Files.mismatch(out.resolve(n), COMMITTED.resolve(n)) != -1) {
                differing.add(n);
            }
        }
        assertEquals(List.of(), differing, "these committed files differ from what " + GENERATOR + " writes now: "
                + "regenerate them (python3 " + GENERATOR + " " + COMMITTED + ") rather than edit them by hand");
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return new ArrayList<>(files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".java")).sorted()
                    .toList());
        }
    }
}
