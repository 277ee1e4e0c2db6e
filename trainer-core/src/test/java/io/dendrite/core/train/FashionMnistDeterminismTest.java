package io.dendrite.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same Fashion-MNIST slice trained twice, each time in a fresh JVM whose kernel starts cold and is
 * compiled mid-training, writes the same {@code weights.bin} bit for bit (ReLU, dropout, tanh, sigmoid,
 * softmax cross-entropy, gradient clipping and Adam all on the path).
 */
class FashionMnistDeterminismTest {

    @Test
    void twoFreshJvmsWriteTheSameWeights(@TempDir Path dir) throws Exception {
        assumeTrue(Files.exists(FashionSliceRun.DIR.resolve("train-images-idx3-ubyte.gz")),
                "skipped: needs Debian's dataset-fashion-mnist in " + FashionSliceRun.DIR);
        String first = run(dir.resolve("a"));
        String second = run(dir.resolve("b"));
        System.out.println("FashionMnistDeterminismTest: " + first + " | " + second);
        assertEquals(first, second, "weights.bin of two fresh JVMs");
    }

    private static String run(Path out) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Xmx1g", "-cp", System.getProperty("java.class.path")));
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-XX:UseAVX") || a.startsWith("-Ddendrite.kernel")).forEach(cmd::add);
        cmd.addAll(List.of(FashionSliceRun.class.getName(), "3000", out.toString()));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertTrue(p.waitFor(5, TimeUnit.MINUTES), "training JVM did not finish");
            assertEquals(0, p.exitValue(), "training JVM failed: " + text);
            return text;
        } finally {
            p.destroyForcibly();
        }
    }
}
