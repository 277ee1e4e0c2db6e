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
                // Example weights: the targets then one weight per row.
                out.add(Arguments.of(hidden, Activation.TANH, Losses.weighted(Losses.mse()), 3, 4, dropout));
                out.add(Arguments.of(hidden, Activation.LINEAR, Losses.weighted(Losses.mae()), 3, 4, dropout));
                out.add(Arguments.of(hidden, Activation.LINEAR, Losses.weighted(Losses.huber(0.5f)), 3, 4, dropout));
                out.add(Arguments.of(hidden, Activation.SIGMOID, Losses.weighted(Losses.binaryCrossEntropy()), 3, 4,
                        dropout));
                out.add(Arguments.of(hidden, Activation.SOFTMAX, Losses.weighted(Losses.categoricalCrossEntropy()), 3,
                        2, dropout));
                out.add(Arguments.of(hidden, Activation.SOFTMAX, Losses.weighted(Losses.categoricalCrossEntropy()), 3,
                        4, dropout));
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
        if (net.loss().unweighted() instanceof Losses.MeanAbsoluteError) {
            float[] out = ws.outputs[layers.size() - 1];
            int outputs = net.spec().outputWidth();
            for (int i = 0; i < ROWS * outputs; i++) {
                sb.append(out[i] > y[i / outputs * targetWidth + i % outputs] ? '>' : '<');
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
        if (loss instanceof Losses.Weighted w) {
            float[] plain = targets(w.inner(), outputs, targetWidth - 1, rng);
            float[] y = new float[ROWS * targetWidth];
            for (int r = 0; r < ROWS; r++) {
                System.arraycopy(plain, r * (targetWidth - 1), y, r * targetWidth, targetWidth - 1);
                y[r * targetWidth + targetWidth - 1] = 0.25f + 2.5f * rng.nextFloat();
            }
            return y;
        }
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

    /**
     * An example of weight 2 gives the summed gradient and loss of that example twice with weight 1, and
     * weight 1 everywhere gives the unweighted loss's; examples of weight 0 add nothing.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("plainLosses")
    void doublingAWeightEqualsDuplicatingTheExample(Loss loss, int outputs, Activation output) {
        NetworkSpec spec = new NetworkSpec(INPUTS, List.of(new LayerSpec.Dense(6, Activation.TANH, Initializer.GLOROT_UNIFORM),
                new LayerSpec.Dense(outputs, output, Initializer.GLOROT_UNIFORM)));
        Loss weighted = Losses.weighted(loss);
        Network plainNet = new Network(spec, loss, Kernels.get());
        Network weightedNet = new Network(spec, weighted, Kernels.get());
        float[] params = spec.initialParameters(9);
        Rng rng = new Rng(3);
        int tw = loss.targetWidth(outputs);
        float[] y = targets(loss, outputs, tw, rng); // ROWS rows
        float[] x = new float[ROWS * INPUTS];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        // Plain: rows 0, 1, 2 and row 1 again. Weighted: rows 0, 1 (weight 2), 2, plus row 0 again with weight 0.
        int[] dup = {0, 1, 2, 1};
        float[] xd = new float[dup.length * INPUTS];
        float[] yd = new float[dup.length * tw];
        int[] rowsW = {0, 1, 2, 0};
        float[] weights = {1, 2, 1, 0};
        float[] xw = new float[rowsW.length * INPUTS];
        float[] yw = new float[rowsW.length * (tw + 1)];
        for (int i = 0; i < dup.length; i++) {
            System.arraycopy(x, dup[i] * INPUTS, xd, i * INPUTS, INPUTS);
            System.arraycopy(y, dup[i] * tw, yd, i * tw, tw);
            System.arraycopy(x, rowsW[i] * INPUTS, xw, i * INPUTS, INPUTS);
            System.arraycopy(y, rowsW[i] * tw, yw, i * (tw + 1), tw);
            yw[i * (tw + 1) + tw] = weights[i];
        }
        weighted.checkTargets(yw, rowsW.length, tw + 1, outputs);
        float[] gd = new float[params.length];
        float[] gw = new float[params.length];
        LossStats sd = plainNet.accumulateGradient(params, xd, 0, yd, 0, tw, dup.length, gd, plainNet.newWorkspace(), 1);
        LossStats sw = weightedNet.accumulateGradient(params, xw, 0, yw, 0, tw + 1, rowsW.length, gw,
                weightedNet.newWorkspace(), 1);
        assertEquals(sd.lossSum(), sw.lossSum(), 1e-5 * Math.abs(sd.lossSum()), "loss sum");
        for (int i = 0; i < params.length; i++) {
            assertEquals(gd[i], gw[i], 1e-5f * Math.max(1f, Math.abs(gd[i])), "parameter " + i);
        }
    }

    static Stream<Arguments> plainLosses() {
        return Stream.of(Arguments.of(Losses.mse(), 2, Activation.LINEAR), Arguments.of(Losses.mae(), 2, Activation.LINEAR),
                Arguments.of(Losses.huber(1f), 2, Activation.LINEAR),
                Arguments.of(Losses.binaryCrossEntropy(), 1, Activation.SIGMOID),
                Arguments.of(Losses.categoricalCrossEntropy(), 3, Activation.SOFTMAX));
    }

    @Test
    void aNegativeOrMissingWeightIsRefusedNamingTheRow() {
        Loss weighted = Losses.weighted(Losses.mse());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> weighted.checkTargets(new float[] {1, 1, 2, -0.5f}, 2, 2, 1));
        assertEquals("example weight at row 1 must be finite and >= 0 but was -0.5", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> weighted.checkTargets(new float[] {1, 2}, 2, 1, 1));
        assertTrue(e.getMessage().contains("expects its targets then one weight per row but got target width 1"),
                e.getMessage());
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
