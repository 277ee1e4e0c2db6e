package io.dendrite.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a JMH JSON result of {@link GemmBenchmark} and {@link DenseLayerBenchmark} for one vector set into a
 * Markdown section: GFLOPS (from the median of the measured iterations) and ratios, headed by the set, the
 * machine, its CPU flags, the JDK, the JVM flags and the OpenBLAS core type.
 */
public final class KernelReport {
    private KernelReport() {
    }

    /**
     * {@code args}: the JMH JSON result file, then optionally the set, the JVM flags, the OpenBLAS core type
     * and the CPU flags. Writes Markdown to standard output.
     */
    public static void main(String[] args) throws IOException {
        JsonNode runs = new ObjectMapper().readTree(Files.readString(Path.of(args[0])));
        Map<String, Map<String, Double>> gemm = new LinkedHashMap<>();
        Map<String, Double> vectorBytes = new LinkedHashMap<>();
        Map<String, Double> layer = new TreeMap<>();
        String jdk = "";
        for (JsonNode run : runs) {
            jdk = run.get("jdkVersion").asText() + " (" + run.get("vmName").asText() + ")";
            double medianUs = median(run.get("primaryMetric").get("rawData"));
            JsonNode p = run.get("params");
            if (run.get("benchmark").asText().endsWith("GemmBenchmark.gemm")) {
                Shape s = Shape.parse(p.get("shape").asText());
                gemm.computeIfAbsent(p.get("shape").asText(), k -> new LinkedHashMap<>())
                        .put(p.get("impl").asText(), s.flops() / medianUs / 1e3);
                if ("vector".equals(p.get("impl").asText())) {
                    vectorBytes.put(p.get("shape").asText(), bytesPerOp(run));
                }
            } else {
                double flops = 3 * 2.0 * DenseLayerBenchmark.M * DenseLayerBenchmark.K * DenseLayerBenchmark.N;
                layer.put(p.get("variant").asText(), flops / medianUs / 1e3);
            }
        }
        StringBuilder md = new StringBuilder();
        String set = args.length > 1 ? args[1] : "as chosen";
        md.append("# Kernel benchmark: set ").append(set).append("\n\n");
        md.append("- CPU: ").append(cpu()).append(args.length > 4 ? "; flags: " + args[4].trim() : "").append('\n');
        md.append("- JDK: ").append(jdk).append('\n');
        if (args.length > 3) {
            md.append("- JVM flags: `").append(args[2].trim()).append("`; OpenBLAS core: ").append(args[3]).append('\n');
        }
        md.append("- Single thread (JMH -t 1, OPENBLAS_NUM_THREADS=1); GFLOPS from the median iteration; ")
                .append("OpenBLAS = Debian libopenblas0 through dev.ludovic.netlib JNI; netlib-java = ")
                .append("dev.ludovic.netlib JavaBLAS (what Spark MLlib uses). vector B/op: bytes the vector kernel ")
                .append("allocated per GEMM (JMH's gc profiler); more than a few means C2 boxed vectors.\n\n");
        md.append("| shape (M×K×N) | vector | scalar | OpenBLAS | netlib-java | vector / OpenBLAS | vector / netlib-java "
                + "| vector / scalar | vector B/op |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, Map<String, Double>> e : gemm.entrySet()) {
            Map<String, Double> g = e.getValue();
            double v = g.getOrDefault("vector", Double.NaN);
            md.append("| ").append(e.getKey()).append(" | ").append(num(v)).append(" | ")
                    .append(num(g.getOrDefault("scalar", Double.NaN))).append(" | ")
                    .append(num(g.getOrDefault("openblas", Double.NaN))).append(" | ")
                    .append(num(g.getOrDefault("netlib-java", Double.NaN))).append(" | **")
                    .append(ratio(v, g.get("openblas"))).append("** | **").append(ratio(v, g.get("netlib-java")))
                    .append("** | ").append(ratio(v, g.get("scalar"))).append(" | ")
                    .append(bytes(vectorBytes.getOrDefault(e.getKey(), Double.NaN))).append(" |\n");
        }
        if (!layer.isEmpty()) {
            md.append("\nDense ReLU layer 256×784→256, forward + backward (3 GEMMs and their epilogues):\n\n");
            md.append("| implementation | GFLOPS |\n|---|---:|\n");
            layer.forEach((k, v) -> md.append(String.format(Locale.ROOT, "| %s | %.1f |%n", k, v)));
            md.append(String.format(Locale.ROOT, "\nFused vector layer / OpenBLAS + epilogue: **%.2f×**%n",
                    layer.getOrDefault("vector-fused", Double.NaN) / layer.getOrDefault("openblas-epilogue", Double.NaN)));
        }
        md.append('\n');
        System.out.print(md);
    }

    /** Bytes allocated per operation from JMH's gc profiler, or NaN when it did not run. */
    private static double bytesPerOp(JsonNode run) {
        JsonNode secondary = run.get("secondaryMetrics");
        if (secondary != null) {
            for (Map.Entry<String, JsonNode> metric : secondary.properties()) {
                if (metric.getKey().endsWith("gc.alloc.rate.norm")) {
                    return metric.getValue().get("score").asDouble();
                }
            }
        }
        return Double.NaN;
    }

    private static String bytes(double perOp) {
        return Double.isNaN(perOp) ? "–" : String.format(Locale.ROOT, "%.0f", perOp);
    }

    private static String num(double gflops) {
        return Double.isNaN(gflops) ? "–" : String.format(Locale.ROOT, "%.1f", gflops);
    }

    /** {@code a / b} as {@code 1.23×}, or a dash where either was not measured. */
    private static String ratio(double a, Double b) {
        return b == null || Double.isNaN(a) ? "–" : String.format(Locale.ROOT, "%.2f×", a / b);
    }

    private static double median(JsonNode rawData) {
        double[] v = new double[0];
        for (JsonNode fork : rawData) {
            for (JsonNode x : fork) {
                v = java.util.Arrays.copyOf(v, v.length + 1);
                v[v.length - 1] = x.asDouble();
            }
        }
        java.util.Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String cpu() throws IOException {
        Path info = Path.of("/proc/cpuinfo");
        String model = "unknown";
        if (Files.exists(info)) {
            for (String line : Files.readAllLines(info)) {
                if (line.startsWith("model name")) {
                    model = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        }
        return model + ", " + Runtime.getRuntime().availableProcessors() + " cores, os " + System.getProperty("os.name")
                + " " + System.getProperty("os.version");
    }
}
