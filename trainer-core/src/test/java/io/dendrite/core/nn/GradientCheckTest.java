package io.dendrite.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dendrite.core.kernel.Activation;
import io.dendrite.core.kernel.Kernel;
import io.dendrite.core.kernel.Kernels;
import io.dendrite.core.kernel.ScalarKernel;
import io.dendrite.core.loss.Loss;
import io.dendrite.core.loss.LossStats;
import io.dendrite.core.loss.Losses;
import io.dendrite.core.util.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Backpropagation against central finite differences for every hidden activation × output activation ×
 * loss, with and without dropout, on a network with two hidden layers (so gradients flow through a
 * hidden-to-hidden layer and a dropout mask).
 *
 * <p>The network computes in float32, so differences are taken with a step of 3e-3 on the actual
 * (float-rounded) perturbation and compared in double with relative error and an absolute floor:
 * {@code |analytic − numeric| ≤ 2e-3 + 1e-2·max(|analytic|, |numeric|)}. Where the loss is not
 * differentiable (a ReLU or leaky-ReLU unit, or an MAE residual, changes sign between {@code p − ε} and
 * {@code p + ε}) finite differences are meaningless, so such parameters are skipped; the test fails if
 * more than a tenth of them would be.
 */
class GradientCheckTest {
    private static final double EPS = 3e-3;
    private static final double ABS_FLOOR = 2e-3;
    private static final double REL_TOL = 1e-2;
    private static final int ROWS = 3;
    private static final int INPUTS = 4;

    private static final List<Activation> HIDDEN = List.of(Activation.LINEAR, Activation.SIGMOID, Activation.TANH,
            Activation.RELU, Activation.leakyRelu(0.1f), Activation.elu(1.0f), Activation.GELU);

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Activation hidden : HIDDEN) {
            for (boolean dropout : new boolean[] {false, true}) {
                if (!dropout && hidden.kind() != Activation.Kind.LINEAR) {
                    // The chosen kernel (vector where the JVM can run it) on the same grid, without dropout.
                    for (Activation output : HIDDEN) {
                        out.add(Arguments.of(hidden, output, Losses.mse(), 3, 3, KernelChoice.DEFAULT));
                    }
                    out.add(Arguments.of(hidden, Activation.SOFTMAX, Losses.categoricalCrossEntropy(), 3, 1,
                            KernelChoice.DEFAULT));
                }
                for (Activation output : HIDDEN) {
                    out.add(Arguments.of(hidden, output, Losses.mse(), 3, 3, dropout));
                    out.add(Arguments.of(hidden, output, Losses.mae(), 3, 3, dropout));
                    out.add(Arguments.of(hidden, output, Losses.huber(0.5f), 3, 3, dropout));
                }
                out.add(Arguments.of(hidden, Activation.SIGMOID, Losses.binaryCrossEntropy(), 1, 1, dropout));
                out.add(Arguments.of(hidden, Activation.SIGMOID, Losses.binaryCrossEntropy(), 3, 3, dropout));
                out.add(Arguments.of(hidden, Activation.SOFTMAX, Losses.categoricalCrossEntropy(), 3, 1, dropout));
                out.add(Arguments.of(hidden, Activation.SOFTMAX, Losses.categoricalCrossEntropy(), 3, 3, dropout));
            }
        }
        return out.stream();
    }

    /** A case run on the kernel {@link Kernels#get()} chose, without dropout. */
    enum KernelChoice { DEFAULT }

    @ParameterizedTest(name = "hidden {0}, output {1}, {2}, {3} outputs, target width {4}, {5}")
    @MethodSource("cases")
    void backpropMatchesFiniteDifferences(Activation hidden, Activation output, Loss loss, int outputs,
                                          int targetWidth, Object variant) {
        boolean dropout = Boolean.TRUE.equals(variant);
        Kernel kernel = variant == KernelChoice.DEFAULT ? Kernels.get() : new ScalarKernel();
        List<LayerSpec> layers = new ArrayList<>();
        layers.add(new LayerSpec.Dense(5, hidden, Initializer.normal(0.6f)));
        if (dropout) {
            layers.add(new LayerSpec.Dropout(0.3f));
        }
        layers.add(new LayerSpec.Dense(4, hidden, Initializer.normal(0.6f)));
        layers.add(new LayerSpec.Dense(outputs, output, Initializer.normal(0.6f)));
        NetworkSpec spec = new NetworkSpec(INPUTS, layers);
        Network net = new Network(spec, loss, kernel);
        Rng rng = new Rng(11);
        float[] params = spec.initialParameters(5);
        for (int i = 0; i < params.length; i++) {
            params[i] += 0.1f * (float) rng.nextGaussian(); // non-zero biases too
        }
        float[] x = new float[ROWS * INPUTS];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        float[] y = targets(loss, outputs, targetWidth, rng);
        long seed = 77;

        Workspace ws = net.newWorkspace();
        float[] analytic = new float[params.length];
        net.accumulateGradient(params, x, 0, y, 0, targetWidth, ROWS, analytic, ws, seed);

        String pattern = kinkPattern(net, params, x, y, targetWidth, ws, seed);
        int checked = 0;
        for (int i = 0; i < params.length; i++) {
            float original = params[i];
            params[i] = (float) (original + EPS);
            float up = params[i];
            double lossUp = lossAt(net, params, x, y, targetWidth, ws, seed);
            String patternUp = kinkPattern(net, params, x, y, targetWidth, ws, seed);
            params[i] = (float) (original - EPS);
            float down = params[i];
            double lossDown = lossAt(net, params, x, y, targetWidth, ws, seed);
            String patternDown = kinkPattern(net, params, x, y, targetWidth, ws, seed);
            params[i] = original;
            if (!pattern.equals(patternUp) || !pattern.equals(patternDown)) {
                continue;
            }
            double numeric = (lossUp - lossDown) / ((double) up - down);
            double a = analytic[i];
            double err = Math.abs(a - numeric);
            int index = i;
            assertTrue(err <= ABS_FLOOR + REL_TOL * Math.max(Math.abs(a), Math.abs(numeric)),
                    () -> String.format("parameter %d: analytic %.6g vs numeric %.6g", index, a, numeric));
            checked++;
        }
        assertTrue(checked >= 0.9 * params.length,
                "only " + checked + " of " + params.length + " parameters were away from a kink");
    }

    /** Which side of its kink every ReLU-family unit and MAE residual is on, after a forward pass. */
    private static String kinkPattern(Network net, float[] params, float[] x, float[] y, int targetWidth,
                                      Workspace ws, long seed) {
        lossAt(net, params, x, y, targetWidth, ws, seed);
        StringBuilder sb = new StringBuilder();
        List<LayerSpec> layers = net.spec().layers();
        for (int l = 0; l < layers.size(); l++) {
            if (layers.get(l) instanceof LayerSpec.Dense d && (d.activation().kind() == Activation.Kind.RELU
                    || d.activation().kind() == Activation.Kind.LEAKY_RELU)) {
                for (int i = 0; i < ROWS * d.units(); i++) {
                    sb.append(ws.outputs[l][i] > 0 ? '+' : '-');
                }
            }
        }
        if (net.loss() instanceof Losses.MeanAbsoluteError) {
            float[] out = ws.outputs[layers.size() - 1];
            for (int i = 0; i < y.length; i++) {
                sb.append(out[i] > y[i] ? '>' : '<');
            }
        }
        return sb.toString();
    }

    private static double lossAt(Network net, float[] params, float[] x, float[] y, int targetWidth, Workspace ws,
                                 long seed) {
        float[] scratch = new float[params.length];
        LossStats s = net.accumulateGradient(params, x, 0, y, 0, targetWidth, ROWS, scratch, ws, seed);
        return s.lossSum();
    }

    private static float[] targets(Loss loss, int outputs, int targetWidth, Rng rng) {
        float[] y = new float[ROWS * targetWidth];
        for (int r = 0; r < ROWS; r++) {
            if (loss instanceof Losses.CategoricalCrossEntropy && targetWidth == 1) {
                y[r] = rng.nextInt(outputs);
            } else if (loss instanceof Losses.CategoricalCrossEntropy) {
                double sum = 0;
                for (int c = 0; c < outputs; c++) {
                    y[r * outputs + c] = 0.1f + rng.nextFloat();
                    sum += y[r * outputs + c];
                }
                for (int c = 0; c < outputs; c++) {
                    y[r * outputs + c] /= (float) sum;
                }
            } else if (loss instanceof Losses.BinaryCrossEntropy) {
                for (int c = 0; c < outputs; c++) {
                    y[r * outputs + c] = rng.nextInt(2);
                }
            } else {
                for (int c = 0; c < outputs; c++) {
                    // Away from any output (|residual| > 0.5 for MAE's kink): outputs of this net are small.
                    y[r * outputs + c] = (rng.nextInt(2) == 0 ? -1 : 1) * (2.5f + rng.nextFloat());
                }
            }
        }
        return y;
    }

    @Test
    void gradientIsZeroedNowhereAndAccumulatedAcrossCalls() {
        NetworkSpec spec = new NetworkSpec(INPUTS, List.of(new LayerSpec.Dense(3, Activation.TANH, Initializer.GLOROT_UNIFORM),
                new LayerSpec.Dense(2, Activation.LINEAR, Initializer.GLOROT_UNIFORM)));
        Network net = new Network(spec, Losses.mse(), new ScalarKernel());
        float[] params = spec.initialParameters(3);
        float[] x = {1, 2, 3, 4};
        float[] y = {0.5f, -0.5f};
        float[] once = new float[params.length];
        net.accumulateGradient(params, x, 0, y, 0, 2, 1, once, net.newWorkspace(), 1);
        float[] twice = new float[params.length];
        net.accumulateGradient(params, x, 0, y, 0, 2, 1, twice, net.newWorkspace(), 1);
        net.accumulateGradient(params, x, 0, y, 0, 2, 1, twice, net.newWorkspace(), 1);
        for (int i = 0; i < params.length; i++) {
            assertEquals(2 * once[i], twice[i], 1e-6f * Math.max(1f, Math.abs(twice[i])), "parameter " + i);
        }
    }
}
