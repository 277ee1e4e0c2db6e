package io.dendrite.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The launcher refuses a {@code SPARK_HOME} of another Spark line or Scala than the application jar was
 * built for, with one line naming both, before starting anything; the build says which it is built for.
 */
class LauncherTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path SUBMIT = ROOT.resolve("deploy/bin/dendrite-submit");

    @Test
    void aSparkHomeOfAnotherSparkIsRefusedNamingBothVersions() throws Exception {
        String[] built = Files.readString(ROOT.resolve("deploy/target/built-for.txt")).trim().split(" ");
        // An installation of the other major line and Scala than this build's.
        boolean four = built[0].startsWith("4.");
        String other = four ? "spark-core_2.12-3.5.9.jar" : "spark-core_2.13-4.2.0.jar";
        Path home = Files.createTempDirectory("spark-home");
        Files.createDirectories(home.resolve("jars"));
        Files.createFile(home.resolve("jars").resolve(other));
        ProcessBuilder pb = new ProcessBuilder(SUBMIT.toString(), "--master", "local[2]", "inspect", "model");
        pb.environment().put("SPARK_HOME", home.toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher answers at once");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(2, p.exitValue(), out);
        assertEquals(1, out.lines().count(), out);
        assertTrue(out.contains("is built for Spark " + built[0] + " (Scala " + built[1] + ")")
                && out.contains(four ? "is Spark 3.5.9 (Scala 2.12)" : "is Spark 4.2.0 (Scala 2.13)"), out);
        deleteTree(home);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
