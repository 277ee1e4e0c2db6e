package io.dendrite.core.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.dendrite.core.data.FeatureScaler;
import io.dendrite.core.kernel.Activation;
import io.dendrite.core.loss.Loss;
import io.dendrite.core.loss.Losses;
import io.dendrite.core.model.Model;
import io.dendrite.core.nn.Initializer;
import io.dendrite.core.nn.LayerSpec;
import io.dendrite.core.nn.NetworkSpec;
import io.dendrite.core.util.Rng;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Exported graphs run in ONNX Runtime (its Java package, native library included) give what the model
 * gives: on 1,000 rows, every hidden activation, with standard feature scaling and a dropout layer, for
 * a softmax classifier, a single-sigmoid classifier (two probability columns), a multi-label one and a
 * two-output regression; to 1e-5 (the graph sums the products in another order than the kernel).
 */
class OnnxExportTest {
    private static final int ROWS = 1000;
    private static final int INPUTS = 12;
    private static final List<Activation> HIDDEN = List.of(Activation.LINEAR, Activation.SIGMOID, Activation.TANH,
            Activation.RELU, Activation.leakyRelu(0.2f), Activation.elu(0.7f), Activation.GELU);

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Activation hidden : HIDDEN) {
            out.add(Arguments.of(hidden, Activation.SOFTMAX, Losses.categoricalCrossEntropy(), 4));
            out.add(Arguments.of(hidden, Activation.SIGMOID, Losses.binaryCrossEntropy(), 1));
            out.add(Arguments.of(hidden, Activation.SIGMOID, Losses.binaryCrossEntropy(), 3));
            out.add(Arguments.of(hidden, Activation.LINEAR, Losses.mse(), 2));
            out.add(Arguments.of(hidden, hidden, Losses.huber(1f), 1)); // the activation on the output layer too
        }
        return out.stream();
    }

    @ParameterizedTest(name = "hidden {0}, output {1}, {2}, {3} outputs")
    @MethodSource("cases")
    void onnxRuntimeGivesWhatTheModelGives(Activation hidden, Activation output, Loss loss, int outputs)
            throws IOException, OrtException {
        NetworkSpec spec = new NetworkSpec(INPUTS, List.of(new LayerSpec.Dense(16, hidden, Initializer.GLOROT_UNIFORM),
                new LayerSpec.Dropout(0.2f), new LayerSpec.Dense(8, hidden, Initializer.GLOROT_UNIFORM),
                new LayerSpec.Dense(outputs, output, Initializer.GLOROT_UNIFORM)));
        Rng rng = new Rng(41);
        float[] params = spec.initialParameters(7);
        for (int i = 0; i < params.length; i++) {
            params[i] += 0.05f * (float) rng.nextGaussian();
        }
        float[] shift = new float[INPUTS];
        float[] scale = new float[INPUTS];
        for (int c = 0; c < INPUTS; c++) {
            shift[c] = 3f * (float) rng.nextGaussian();
            scale[c] = 0.2f + rng.nextFloat();
        }
        Model model = new Model(spec, loss, params, new FeatureScaler(FeatureScaler.Kind.STANDARD, shift, scale),
                List.of(), Map.of());
        float[] x = new float[ROWS * INPUTS];
        for (int i = 0; i < x.length; i++) {
            x[i] = shift[i % INPUTS] + 2f * (float) rng.nextGaussian() / scale[i % INPUTS];
        }
        float[] expected = loss.isClassification() ? model.predictProba(x, ROWS) : model.predictOutputs(x, ROWS);

        ByteArrayOutputStream file = new ByteArrayOutputStream();
        OnnxExport.write(model, file);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[][] got;
        try (OrtSession session = env.createSession(file.toByteArray(), new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {ROWS, INPUTS});
             OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT, in))) {
            assertEquals(loss.isClassification() ? OnnxExport.PROBABILITIES : OnnxExport.OUTPUTS,
                    session.getOutputNames().iterator().next());
            got = (float[][]) result.get(0).getValue();
        }
        int per = expected.length / ROWS;
        assertEquals(ROWS, got.length);
        for (int r = 0; r < ROWS; r++) {
            assertEquals(per, got[r].length, "columns of row " + r);
            for (int c = 0; c < per; c++) {
                float e = expected[r * per + c];
                double err = Math.abs(got[r][c] - e) / Math.max(1, Math.abs(e));
                int row = r;
                int col = c;
                assertTrue(err <= 1e-5, () -> "row " + row + " column " + col + ": model " + e + ", ONNX Runtime "
                        + got[row][col]);
            }
        }
    }
}
