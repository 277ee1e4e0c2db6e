package io.dendrite.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    /**
     * A Spark installation of this build's version whose {@code bin/spark-submit} prints the arguments and the
     * authentication secret in its environment it was given, one per line: what the launcher hands to Spark.
     */
    private static Path echoingSparkHome() throws IOException {
        String[] built = Files.readString(ROOT.resolve("deploy/target/built-for.txt")).trim().split(" ");
        Path home = Files.createTempDirectory("spark-home");
        Files.createDirectories(home.resolve("jars"));
        Files.createDirectories(home.resolve("bin"));
        Files.createFile(home.resolve("jars").resolve("spark-core_" + built[1] + "-" + built[0] + ".jar"));
        Path submit = home.resolve("bin/spark-submit");
        Files.writeString(submit, "#!/usr/bin/env bash\nprintf 'arg %s\\n' \"$@\"\necho \"opts ${SPARK_SUBMIT_OPTS:-none}\"\n");
        submit.toFile().setExecutable(true);
        return home;
    }

    private static List<String> launch(Path home, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(SUBMIT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("SPARK_HOME", home.toString());
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        return out.lines().toList();
    }

    /** What follows the application jar: the command and its options. */
    private static List<String> appArgs(List<String> lines) {
        int jar = 0;
        while (!lines.get(jar).endsWith(".jar") || !lines.get(jar).contains("dendrite-app-")) {
            jar++;
        }
        return lines.subList(jar + 1, lines.size() - 1);
    }

    @Test
    void aSparkOptionsValueIsNeverTakenForTheCommand() throws Exception {
        Path home = echoingSparkHome();
        List<String> lines = launch(home, "--name", "train", "--conf", "spark.app.name=score", "--verbose",
                "--queue=export", "inspect", "model");
        assertTrue(lines.containsAll(List.of("arg --name", "arg train", "arg --verbose", "arg --queue=export")),
                lines.toString());
        assertEquals(List.of("arg inspect", "arg model"), appArgs(lines));
        assertEquals("opts none", lines.get(lines.size() - 1));
        deleteTree(home);
    }

    @Test
    void clusterGivesTheMasterAndItsSecretThroughAnArgumentFileNeverOnACommandLine() throws Exception {
        Path home = echoingSparkHome();
        Path cluster = Files.createTempDirectory("cluster").toRealPath();
        Files.writeString(cluster.resolve("master-url"), "spark://127.0.0.1:7077\n");
        Files.writeString(cluster.resolve("driver.jvmargs"), "-Dspark.authenticate=true "
                + "-Dspark.authenticate.secret=c2VjcmV0IG9mIHRoZSB0ZXN0\n");
        List<String> lines = launch(home, "--cluster", cluster.toString(), "train", "--output", "x");
        int master = lines.indexOf("arg --master");
        assertEquals("arg spark://127.0.0.1:7077", lines.get(master + 1), lines.toString());
        assertTrue(lines.contains("arg spark.authenticate=true"), lines.toString());
        assertTrue(lines.stream().filter(l -> l.startsWith("arg ")).noneMatch(l -> l.contains("c2VjcmV0")),
                lines.toString());
        assertEquals("opts @" + cluster.resolve("driver.jvmargs"), lines.get(lines.size() - 1));
        assertEquals(List.of("arg train", "arg --output", "arg x"), appArgs(lines));
        deleteTree(cluster);
        deleteTree(home);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
