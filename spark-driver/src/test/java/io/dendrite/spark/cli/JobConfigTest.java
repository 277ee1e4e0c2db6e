package io.dendrite.spark.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.Test;

/** Job files as text: what the YAML reader would accept but a job must not. */
public class JobConfigTest {

    private static JobConfig parse(String yaml) {
        return JobConfig.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "job.yaml", List.of());
    }

    private static String refusal(String yaml) {
        return assertThrows(JobConfigException.class, () -> parse(yaml)).getMessage();
    }

    private static final String LAYERS = "model:\n  layers:\n    - dense: 10\n      activation: softmax\n"
            + "  loss: categorical_crossentropy\n";

    @Test
    public void aKeyGivenTwiceIsRefusedNamingBothLines() {
        assertEquals("job.yaml: 'training' is given twice, on line 6 and on line 8; keep one",
                refusal(LAYERS + "training:\n  epochs: 3\ntraining:\n  batch_size: 64\n"));
        assertEquals("job.yaml: 'optimizer.learning_rate' is given twice, on line 8 and on line 10; keep one",
                refusal(LAYERS + "optimizer:\n  name: adam\n  learning_rate: 0.01\n  beta1: 0.9\n  learning_rate: 0.1\n"));
        assertEquals("job.yaml: 'model.layers.1.activation' is given twice, on line 5 and on line 6; keep one",
                refusal("model:\n  layers:\n    - dense: 16\n    - dense: 10\n      activation: softmax\n"
                        + "      activation: relu\n"));
    }

    @Test
    public void theSameKeyInDifferentMappingsIsFine() {
        JobConfig job = parse(LAYERS.replace("    - dense: 10\n", "    - dense: 16\n      activation: relu\n    - dense: 10\n")
                + "data:\n  train: {format: bundled, name: digits}\n  test: {format: bundled, name: digits}\ntraining:\n  epochs: 3\n");
        assertEquals(3, job.epochs());
    }
}
