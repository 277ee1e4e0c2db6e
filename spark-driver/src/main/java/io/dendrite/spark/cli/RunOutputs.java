package io.dendrite.spark.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.dendrite.core.metrics.ConfusionMatrix;
import io.dendrite.core.model.Evaluation;
import io.dendrite.core.run.History;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The files a run leaves in its output directory, on any Hadoop path: {@code metrics.jsonl} (one JSON
 * record per epoch, rewritten whole after each epoch through a rename, so it is never half written; a
 * resumed run keeps the epochs before the resume), {@code summary.json}
 * and {@code learning-curve.png} (loss and accuracy per epoch, drawn with XChart).
 */
final class RunOutputs {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper LINE = new ObjectMapper();
    private static final String METRICS = "metrics.jsonl";

    private final Configuration conf;
    private final Path dir;
    private final List<String> lines = new ArrayList<>();

    RunOutputs(Configuration conf, Path dir) throws IOException {
        this.conf = conf;
        this.dir = dir;
        dir.getFileSystem(conf).mkdirs(dir);
    }

    Path dir() {
        return dir;
    }

    /**
     * Starts {@code metrics.jsonl} with the epochs a resumed run has behind it: the records already in this
     * directory's file for those epochs (with their timings), else the checkpoint's history of them.
     */
    void resumeAfter(List<Map<String, Double>> history) throws IOException {
        Map<Integer, String> kept = new LinkedHashMap<>();
        Path file = new Path(dir, METRICS);
        FileSystem fs = dir.getFileSystem(conf);
        if (fs.exists(file)) {
            try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(fs.open(file),
                    StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (!line.isBlank()) {
                        kept.put(LINE.readTree(line).path("epoch").asInt(), line);
                    }
                }
            }
        }
        lines.clear();
        for (int e = 1; e <= history.size(); e++) {
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("epoch", e);
            record.putAll(history.get(e - 1));
            lines.add(kept.containsKey(e) ? kept.get(e) : LINE.writeValueAsString(finite(record)));
        }
        writeAtomically(METRICS, (String.join("\n", lines) + (lines.isEmpty() ? "" : "\n"))
                .getBytes(StandardCharsets.UTF_8));
    }

    /** Appends one epoch's record and rewrites {@code metrics.jsonl}. */
    void epoch(Map<String, Object> record) throws IOException {
        lines.add(LINE.writeValueAsString(finite(record)));
        writeAtomically(METRICS, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    void summary(Map<String, Object> summary) throws IOException {
        write("summary.json", JSON.writeValueAsBytes(finite(summary)));
    }

    /** Draws loss (and accuracy, for classifiers) per epoch, training and validation, side by side. */
    void learningCurve(History history, String title) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<BufferedImage> panels = new ArrayList<>();
        panels.add(chart(history, title + " - loss", "loss", List.of("loss", "val_loss"),
                org.knowm.xchart.style.Styler.LegendPosition.InsideNE));
        if (!Double.isNaN(history.metric("accuracy")[0])) {
            panels.add(chart(history, title + " - accuracy", "accuracy", List.of("accuracy", "val_accuracy"),
                    org.knowm.xchart.style.Styler.LegendPosition.InsideSE));
        }
        int w = panels.get(0).getWidth();
        int h = panels.get(0).getHeight();
        BufferedImage all = new BufferedImage(w * panels.size(), h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = all.createGraphics();
        for (int i = 0; i < panels.size(); i++) {
            g.drawImage(panels.get(i), i * w, 0, null);
        }
        g.dispose();
        try (OutputStream out = create("learning-curve.png")) {
            ImageIO.write(all, "png", out);
        }
    }

    private static BufferedImage chart(History history, String title, String axis, List<String> metrics,
                                       org.knowm.xchart.style.Styler.LegendPosition legend) {
        XYChart chart = new XYChartBuilder().width(640).height(420).title(title).xAxisTitle("epoch").yAxisTitle(axis)
                .build();
        chart.getStyler().setLegendPosition(legend);
        double[] epochs = new double[history.epochs()];
        for (int i = 0; i < epochs.length; i++) {
            epochs[i] = i + 1;
        }
        for (String m : metrics) {
            double[] v = history.metric(m);
            if (v.length > 0 && !Double.isNaN(v[0])) {
                chart.addSeries(m, epochs, v).setMarker(SeriesMarkers.CIRCLE);
            }
        }
        return BitmapEncoder.getBufferedImage(chart);
    }

    private void write(String name, byte[] bytes) throws IOException {
        try (OutputStream out = create(name)) {
            out.write(bytes);
        }
    }

    /** Writes a hidden temporary file, then renames it over {@code name}: a reader sees the old or the new. */
    private void writeAtomically(String name, byte[] bytes) throws IOException {
        Path tmp = new Path(dir, "." + name + ".tmp");
        write(tmp.getName(), bytes);
        org.apache.hadoop.fs.FileContext.getFileContext(dir.toUri(), conf)
                .rename(tmp, new Path(dir, name), org.apache.hadoop.fs.Options.Rename.OVERWRITE);
    }

    private OutputStream create(String name) throws IOException {
        FileSystem fs = dir.getFileSystem(conf);
        return fs.create(new Path(dir, name), true);
    }

    /** An evaluation as the metrics that apply, by name. */
    static Map<String, Object> evaluation(Evaluation e, List<String> labels) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("examples", e.examples());
        m.put("loss", e.loss());
        m.put("accuracy", e.accuracy());
        m.put("log_loss", e.logLoss());
        m.put("roc_auc", e.rocAuc());
        ConfusionMatrix c = e.confusion();
        if (c != null) {
            m.put("macro_f1", c.macroF1());
            List<Map<String, Object>> perClass = new ArrayList<>();
            List<List<Long>> matrix = new ArrayList<>();
            for (int k = 0; k < c.classes(); k++) {
                Map<String, Object> pc = new LinkedHashMap<>();
                pc.put("class", k < labels.size() ? labels.get(k) : String.valueOf(k));
                pc.put("precision", c.precision(k));
                pc.put("recall", c.recall(k));
                pc.put("f1", c.f1(k));
                perClass.add(pc);
                List<Long> row = new ArrayList<>();
                for (int j = 0; j < c.classes(); j++) {
                    row.add(c.count(k, j));
                }
                matrix.add(row);
            }
            m.put("per_class", perClass);
            m.put("confusion_matrix", matrix);
        }
        if (e.regression() != null) {
            m.put("mse", e.regression().mse());
            m.put("rmse", e.regression().rmse());
            m.put("mae", e.regression().mae());
            m.put("r2", e.regression().r2());
        }
        return finite(m);
    }

    /** Drops values that are not finite numbers (metrics that do not apply), recursively through maps. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> finite(Map<String, ?> in) {
        Map<String, Object> out = new LinkedHashMap<>();
        in.forEach((k, v) -> {
            if (v instanceof Double d && !Double.isFinite(d)) {
                return;
            }
            out.put(k, v instanceof Map<?, ?> m ? finite((Map<String, ?>) m) : v);
        });
        return out;
    }
}
