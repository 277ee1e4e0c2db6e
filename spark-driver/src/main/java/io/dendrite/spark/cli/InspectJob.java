package io.dendrite.spark.cli;

import io.dendrite.core.model.Model;
import io.dendrite.core.model.ModelFormat;
import io.dendrite.core.run.Checkpoint;
import io.dendrite.core.run.Checkpoints;
import io.dendrite.spark.HadoopModels;
import io.dendrite.spark.HadoopStateStore;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/** The {@code inspect} job: describes a model directory or a checkpoint (or the latest under a root) as JSON. */
final class InspectJob {
    private InspectJob() {
    }

    static Map<String, Object> run(Configuration conf, String pathText) throws IOException {
        Path path = new Path(pathText);
        Map<String, Object> out = new LinkedHashMap<>();
        if (path.getFileSystem(conf).exists(new Path(path, ModelFormat.MODEL_FILE))) {
            Model m = HadoopModels.load(conf, path);
            out.put("kind", "model");
            out.put("path", path.toString());
            out.put("network", m.spec().describe());
            out.put("input_width", m.spec().inputWidth());
            out.put("outputs", m.spec().outputWidth());
            out.put("parameters", m.spec().parameterCount());
            out.put("loss", m.loss().id());
            out.put("scaling", m.scaler().id());
            out.put("labels", m.labels());
            out.put("training", m.summary());
            return out;
        }
        Checkpoints.Found found = Checkpoints.latest(HadoopStateStore.at(conf, path));
        Checkpoint c = found.checkpoint();
        out.put("kind", "checkpoint");
        out.put("path", found.where());
        if (!found.skipped().isEmpty()) {
            out.put("passed_over", found.skipped());
        }
        out.put("run_id", c.runId());
        out.put("settings", c.settings());
        out.put("step", c.iterations());
        out.put("epoch", c.run().epoch() + 1);
        out.put("step_in_epoch", c.run().stepInEpoch());
        out.put("skipped_steps", c.run().skippedSteps());
        out.put("partition_rows", c.data().rows());
        out.put("parameters", c.weights().length);
        out.put("optimizer", c.optimizerId());
        out.put("optimizer_state", c.optimizerState().keySet());
        out.put("epochs_completed", c.run().history().size());
        if (!c.run().history().isEmpty()) {
            out.put("last_epoch", c.run().history().get(c.run().history().size() - 1));
        }
        return out;
    }
}
