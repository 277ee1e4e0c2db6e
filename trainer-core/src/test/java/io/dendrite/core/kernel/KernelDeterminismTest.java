package io.dendrite.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Same bits, whatever runs the code: every kernel gives the same results interpreted ({@code -Xint}),
 * C1-compiled and C2-compiled after warm-up; the vector sets with FMA agree with one another bit for bit
 * (so a cluster of AVX-512, AVX2 and NEON machines computes the same weights), and the sets without FMA
 * give the scalar kernel's GEMM bits.
 */
class KernelDeterminismTest {
    private static final List<String> GEMM_OPS = List.of("forward-linear", "forward-relu", "backward-linear",
            "backward-relu", "narrow-layer", "tails-layer", "packed-a-layer");

    /** The kernels this JVM can run with vector instructions (scalar first), by name. */
    private static Map<String, Kernel> runnable() {
        Map<String, Kernel> out = new LinkedHashMap<>();
        out.put("scalar", new ScalarKernel());
        for (String set : Kernels.vectorSets()) {
            Kernel k = Kernels.vector(set);
            if (k != null) {
                out.put(k.name(), k);
            } else {
                System.out.println("KernelDeterminismTest: skipped set " + set + ": " + Kernels.whyNotVector(set));
            }
        }
        return out;
    }

    @Test
    void setsWithFmaAgreeAndSetsWithoutGiveTheScalarGemmBits() {
        Map<String, Kernel> kernels = runnable();
        assumeTrue(kernels.size() > 1, "skipped: no vector set runs here (needs --add-modules jdk.incubator.vector)");
        Map<String, Long> scalar = KernelFingerprint.of(kernels.get("scalar"));
        Map<Boolean, Map<String, Long>> firstOfKind = new LinkedHashMap<>();
        for (Map.Entry<String, Kernel> e : kernels.entrySet()) {
            if (e.getKey().equals("scalar")) {
                continue;
            }
            boolean fma = !e.getKey().endsWith("m");
            Map<String, Long> print = KernelFingerprint.of(e.getValue());
            Map<String, Long> first = firstOfKind.putIfAbsent(fma, print);
            if (first != null) {
                assertEquals(first, print, e.getKey() + " against the first set " + (fma ? "with" : "without") + " FMA");
            }
            if (!fma) {
                for (String op : GEMM_OPS) {
                    assertEquals(scalar.get(op), print.get(op), e.getKey() + " " + op + " against the scalar kernel");
                }
            }
        }
    }

    @Test
    void interpretedC1AndC2CodeGiveTheSameBits() throws Exception {
        Map<String, Kernel> kernels = runnable();
        // Warm every kernel until C2 has compiled its hot paths (about a second each on this suite's machines).
        Map<String, Map<String, Long>> warm = new LinkedHashMap<>();
        for (Map.Entry<String, Kernel> e : kernels.entrySet()) {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1200);
            Map<String, Long> print = KernelFingerprint.of(e.getValue());
            while (System.nanoTime() < until) {
                assertEquals(print, KernelFingerprint.of(e.getValue()), e.getKey() + " while warming up");
            }
            warm.put(e.getKey(), KernelFingerprint.of(e.getValue()));
        }
        long functions = KernelFingerprint.functions();
        for (int i = 0; i < 2000; i++) {
            KernelFingerprint.functions();
        }
        assertEquals(functions, KernelFingerprint.functions(), "FloatMath while warming up");
        for (String mode : List.of("-Xint", "-XX:TieredStopAtLevel=1")) {
            List<String> lines = runFresh(mode, new ArrayList<>(kernels.keySet()));
            Map<String, Long> expected = new LinkedHashMap<>();
            warm.forEach((kernel, ops) -> ops.forEach((op, crc) -> expected.put(kernel + " " + op, crc)));
            expected.put("FloatMath functions", KernelFingerprint.functions());
            Map<String, Long> cold = new LinkedHashMap<>();
            for (String line : lines) {
                int cut = line.lastIndexOf(' ');
                cold.put(line.substring(0, cut), Long.parseLong(line.substring(cut + 1)));
            }
            assertEquals(expected, cold, "fingerprints in a fresh JVM with " + mode + " against the warmed test JVM");
        }
    }

    /** Runs {@link KernelFingerprint} in a fresh JVM with {@code mode} and returns its output lines. */
    private static List<String> runFresh(String mode, List<String> kernels) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                mode, "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path")));
        // The same vector limits as this JVM (the build runs this suite under -XX:UseAVX=2 and =0 too).
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-XX:UseAVX") || a.startsWith("-XX:MaxVectorSize")).forEach(cmd::add);
        cmd.add(KernelFingerprint.class.getName());
        cmd.addAll(kernels);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(5, TimeUnit.MINUTES), mode + " fingerprint JVM did not finish");
            assertEquals(0, p.exitValue(), mode + " fingerprint JVM failed: " + out);
            return out.lines().filter(l -> !l.isBlank()).toList();
        } finally {
            p.destroyForcibly();
        }
    }
}
