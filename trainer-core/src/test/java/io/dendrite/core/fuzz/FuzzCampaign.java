package io.dendrite.core.fuzz;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs fuzz targets (classes with {@code fuzzerTestOneInput}) with Jazzer's own driver, coverage-guided, each
 * in a JVM of its own for a bounded time, and says how many inputs each ran. A finding (an exception the
 * target does not allow, a hang, memory out of bounds) leaves Jazzer's reproducer, which
 * {@link #requireNoFinding} names; committed under the target's regression inputs, the JUnit fuzz test then
 * replays it on every build.
 */
public final class FuzzCampaign {
    private static final Pattern DONE = Pattern.compile("Done (\\d+) runs in (\\d+) second");

    private FuzzCampaign() {
    }

    /** What one target's run did. */
    public record Result(String target, long inputs, long seconds, int exitCode, List<Path> findings, String log) {
        /** One line for the report. */
        public String line() {
            return String.format("%s: %,d inputs in %d s, %s", target, inputs, seconds,
                    findings.isEmpty() && exitCode == 0 ? "no finding" : "findings " + findings + " (exit " + exitCode + ")");
        }
    }

    /** The build's campaign length per target: the {@code fuzz.seconds} property (0: no campaign). */
    public static int seconds() {
        return Integer.getInteger("fuzz.seconds", 0);
    }

    /**
     * Fuzzes {@code target} for {@code seconds} in a fresh JVM on this JVM's class path, starting from the
     * inputs in {@code seeds} (if it exists); the corpus and any reproducer go under {@code work}.
     */
    public static Result run(Class<?> target, int seconds, Path seeds, Path work) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(work.resolve(target.getSimpleName()));
        Path corpus = Files.createDirectories(dir.resolve("corpus"));
        if (seeds != null && Files.isDirectory(seeds)) {
            try (var files = Files.list(seeds)) {
                for (Path f : files.toList()) {
                    Files.copy(f, corpus.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-") || a.startsWith("-Djdk.")).forEach(cmd::add);
        cmd.addAll(List.of("-Xmx1g", "-cp", System.getProperty("java.class.path"),
                "com.code_intelligence.jazzer.Jazzer", "--target_class=" + target.getName(),
                "--instrumentation_includes=io.dendrite.**", "-max_total_time=" + seconds, "-timeout=20",
                "--reproducer_path=" + dir, "-rss_limit_mb=3072", "-artifact_prefix=" + dir + "/", corpus.toString()));
        Path log = dir.resolve("jazzer.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(seconds + 180L, TimeUnit.SECONDS)) {
                throw new IllegalStateException(target.getSimpleName() + ": Jazzer did not end within " + (seconds + 180)
                        + " s; see " + log);
            }
        } finally {
            p.destroyForcibly();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Matcher m = DONE.matcher(out);
        long inputs = 0;
        long took = 0;
        while (m.find()) {
            inputs = Long.parseLong(m.group(1));
            took = Long.parseLong(m.group(2));
        }
        List<Path> findings = new ArrayList<>();
        try (var files = Files.list(dir)) {
            files.filter(f -> f.getFileName().toString().matches("(crash|timeout|oom|leak|slow-unit)-.*"))
                    .forEach(findings::add);
        }
        return new Result(target.getSimpleName(), inputs, took, p.exitValue(), findings, out);
    }

    /** Fails naming the reproducers and the end of Jazzer's report, unless the run found nothing. */
    public static void requireNoFinding(Result r) {
        if (!r.findings().isEmpty() || r.exitCode() != 0 || r.inputs() == 0) {
            String log = r.log();
            throw new AssertionError(r.line() + "; copy each reproducer under the target's regression inputs:\n"
                    + log.substring(Math.max(0, log.length() - 6000)));
        }
    }

    /** A resource's bytes (a seed file). */
    static byte[] resource(Class<?> near, String name) {
        try (InputStream in = near.getResourceAsStream(name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
