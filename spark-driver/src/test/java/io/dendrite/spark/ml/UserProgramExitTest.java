package io.dendrite.spark.ml;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.dendrite.core.data.Dataset;
import io.dendrite.datasets.BundledDatasets;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.Test;

/**
 * A user's own program, as a user writes it: a {@code main} that fits a {@link DendriteClassifier} on
 * {@code local[*]} in barrier mode (the default), prints the result, stops Spark and returns. Run in a fresh
 * JVM, which must then exit by itself: no thread the fit started may keep it alive.
 */
public class UserProgramExitTest {

    /** The user's program. */
    public static final class UserMain {
        public static void main(String[] args) {
            SparkSession spark = SparkSession.builder().master("local[*]").appName("user-main")
                    .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
            Dataset d = BundledDatasets.load("digits").data();
            List<Row> rows = new ArrayList<>();
            int w = d.featureWidth();
            for (int r = 0; r < d.rows(); r++) {
                double[] v = new double[w];
                for (int c = 0; c < w; c++) {
                    v[c] = d.features()[r * w + c];
                }
                rows.add(RowFactory.create((double) d.targets()[r], Vectors.dense(v)));
            }
            StructType schema = new StructType()
                    .add("label", DataTypes.DoubleType).add("features", SQLDataTypes.VectorType());
            DendriteClassificationModel model = new DendriteClassifier().setHiddenLayers(16).setMaxEpochs(2)
                    .setSeed(1).fit(spark.createDataFrame(rows, schema));
            System.out.println("fitted " + model.uid() + " in " + model.getStepMode() + " mode");
            spark.stop();
        }
    }

    @Test
    public void aUserMainThatFitsInBarrierModeExitsByItself() throws IOException, InterruptedException {
        Path log = Files.createTempFile("dendrite-user-main", ".log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // The module flags Spark needs on JDK 17, as the build gives this JVM.
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-") || a.startsWith("-Djdk.")).forEach(cmd::add);
        cmd.addAll(List.of("-Xmx1g", "-cp", System.getProperty("java.class.path"), UserMain.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            // The fit takes seconds; then main returns, and the JVM has a minute to exit. One kept alive by a
            // non-daemon thread would wait for ever.
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
            while (System.nanoTime() < deadline && p.isAlive()
                    && !Files.readString(log, StandardCharsets.UTF_8).contains("fitted ")) {
                p.waitFor(1, TimeUnit.SECONDS);
            }
            boolean exited = p.waitFor(1, TimeUnit.MINUTES);
            String out = Files.readString(log, StandardCharsets.UTF_8);
            assertTrue("the fit did not finish:\n" + out, out.contains("fitted "));
            assertTrue("the user's JVM printed its result, stopped Spark and returned from main, but did not exit:\n"
                    + tail(out), exited);
            assertEquals(tail(out), 0, p.exitValue());
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }

    private static String tail(String out) {
        return out.length() > 4000 ? out.substring(out.length() - 4000) : out;
    }
}
