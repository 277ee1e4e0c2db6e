package io.dendrite.core.loss;

import io.dendrite.core.kernel.Activation;
import io.dendrite.core.kernel.Kernel;
import io.dendrite.core.util.Checks;

/**
 * The losses and their factories. Regression losses average over the outputs of an example (as Keras
 * does), so a multi-output regression weighs each example once.
 */
public final class Losses {
    private Losses() {
    }

    /** Mean squared error. */
    public static Loss mse() {
        return new MeanSquaredError();
    }

    /** Mean absolute error; its gradient at a zero residual is taken as zero. */
    public static Loss mae() {
        return new MeanAbsoluteError();
    }

    /** Huber loss with threshold {@code delta} (Huber 1964): quadratic within delta, linear beyond. */
    public static Loss huber(float delta) {
        return new Huber(delta);
    }

    /** Binary (or multi-label) cross-entropy on logits; the output layer's sigmoid is fused into it. */
    public static Loss binaryCrossEntropy() {
        return new BinaryCrossEntropy();
    }

    /** Categorical cross-entropy on logits with the output softmax fused; integer labels or one-hot rows. */
    public static Loss categoricalCrossEntropy() {
        return new CategoricalCrossEntropy();
    }

    /**
     * {@code loss} with a weight per example, read from one extra last target column: each example's loss
     * and gradient are multiplied by its weight (as Keras' {@code sample_weight}; the step still averages
     * over the examples, so doubling an example's weight gives the summed gradient of duplicating it).
     * Weights travel with the targets, through blocks, shuffles and steps, with no plumbing of their own.
     */
    public static Loss weighted(Loss loss) {
        return loss instanceof Weighted ? loss : new Weighted(loss);
    }

    /** A regression loss as a function of one residual {@code r = output − target}. */
    private interface Residual {
        /** The loss of one residual. */
        double value(float r);

        /** Its derivative with respect to the output. */
        float derivative(float r);
    }

    /** Sums per-example means of {@code f} over the outputs and writes each output's gradient. */
    private static double residualLoss(Residual f, int m, int n, float[] output, float[] targets, int tOff,
                                       float[] grad) {
        double loss = 0;
        float scale = 1f / n;
        for (int i = 0; i < m; i++) {
            double row = 0;
            for (int j = 0; j < n; j++) {
                float r = output[i * n + j] - targets[tOff + i * n + j];
                row += f.value(r);
                grad[i * n + j] = scale * f.derivative(r);
            }
            loss += row / n;
        }
        return loss;
    }

    /** Mean squared error. */
    public record MeanSquaredError() implements Loss, Residual {
        @Override
        public String id() {
            return "mse";
        }

        @Override
        public double value(float r) {
            return (double) r * r;
        }

        @Override
        public float derivative(float r) {
            return 2f * r;
        }

        @Override
        public double compute(Kernel kernel, int m, int n, float[] output, float[] targets, int tOff,
                              int targetWidth, float[] grad, long[] correct) {
            return residualLoss(this, m, n, output, targets, tOff, grad);
        }
    }

    /** Mean absolute error. */
    public record MeanAbsoluteError() implements Loss, Residual {
        @Override
        public String id() {
            return "mae";
        }

        @Override
        public double value(float r) {
            return Math.abs(r);
        }

        @Override
        public float derivative(float r) {
            return Math.signum(r);
        }

        @Override
        public double compute(Kernel kernel, int m, int n, float[] output, float[] targets, int tOff,
                              int targetWidth, float[] grad, long[] correct) {
            return residualLoss(this, m, n, output, targets, tOff, grad);
        }
    }

    /** Huber loss. */
    public record Huber(float delta) implements Loss, Residual {
        /** Validates the threshold. */
        public Huber {
            Checks.positive("huber delta", delta);
        }

        @Override
        public String id() {
            return "huber";
        }

        @Override
        public double value(float r) {
            float a = Math.abs(r);
            return a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta);
        }

        @Override
        public float derivative(float r) {
            return Math.abs(r) <= delta ? r : delta * Math.signum(r);
        }

        @Override
        public double compute(Kernel kernel, int m, int n, float[] output, float[] targets, int tOff,
                              int targetWidth, float[] grad, long[] correct) {
            return residualLoss(this, m, n, output, targets, tOff, grad);
        }
    }

    /**
     * Binary cross-entropy on logits, {@code max(z,0) − z·y + log(1 + e^−|z|)}, stable for any logit.
     * An example counts as correct when every output's sign agrees with its target being ≥ 0.5.
     */
    public record BinaryCrossEntropy() implements Loss {
        @Override
        public String id() {
            return "binary_crossentropy";
        }

        @Override
        public boolean fusesOutputActivation() {
            return true;
        }

        @Override
        public boolean isClassification() {
            return true;
        }

        @Override
        public void checkOutput(Activation activation, int units) {
            Checks.checkArgument(activation.kind() == Activation.Kind.SIGMOID || activation.kind() == Activation.Kind.LINEAR,
                    "binary_crossentropy needs a sigmoid (or linear logit) output layer but got %s", activation.id());
        }

        @Override
        public void checkTargets(float[] targets, int rows, int targetWidth, int outputs) {
            Loss.super.checkTargets(targets, rows, targetWidth, outputs);
            for (int i = 0; i < rows * targetWidth; i++) {
                Checks.checkArgument(targets[i] >= 0 && targets[i] <= 1,
                        "binary_crossentropy target at row %s column %s must be in [0, 1] but was %s",
                        i / targetWidth, i % targetWidth, targets[i]);
            }
        }

        @Override
        public double compute(Kernel kernel, int m, int n, float[] output, float[] targets, int tOff,
                              int targetWidth, float[] grad, long[] correct) {
            double loss = 0;
            long right = 0;
            float scale = 1f / n;
            for (int i = 0; i < m; i++) {
                double row = 0;
                boolean allRight = true;
                for (int j = 0; j < n; j++) {
                    float z = output[i * n + j];
                    float y = targets[tOff + i * n + j];
                    row += Math.max(z, 0) - (double) z * y + Math.log1p(Math.exp(-Math.abs(z)));
                    grad[i * n + j] = scale * (Activation.sigmoid(z) - y);
                    allRight &= (z > 0) == (y >= 0.5f);
                }
                loss += row / n;
                if (allRight) {
                    right++;
                }
            }
            if (correct != null) {
                correct[0] += right;
            }
            return loss;
        }
    }

    /** Categorical cross-entropy fused with softmax. */
    public record CategoricalCrossEntropy() implements Loss {
        @Override
        public String id() {
            return "categorical_crossentropy";
        }

        @Override
        public boolean fusesOutputActivation() {
            return true;
        }

        @Override
        public boolean isClassification() {
            return true;
        }

        @Override
        public void checkOutput(Activation activation, int units) {
            Checks.checkArgument(activation.kind() == Activation.Kind.SOFTMAX || activation.kind() == Activation.Kind.LINEAR,
                    "categorical_crossentropy needs a softmax (or linear logit) output layer but got %s", activation.id());
            Checks.checkArgument(units >= 2, "categorical_crossentropy needs >= 2 output units but got %s", units);
        }

        @Override
        public int targetWidth(int outputs) {
            return 1;
        }

        /** Accepts integer labels (width 1) or one-hot / probability rows (width = outputs). */
        @Override
        public void checkTargets(float[] targets, int rows, int targetWidth, int outputs) {
            if (targetWidth == 1) {
                for (int i = 0; i < rows; i++) {
                    float y = targets[i];
                    Checks.checkArgument(y == Math.rint(y) && y >= 0 && y < outputs,
                            "class label at row %s must be an integer in [0, %s) but was %s", i, outputs, y);
                }
                return;
            }
            Checks.checkArgument(targetWidth == outputs,
                    "categorical_crossentropy expects targets of width 1 (class index) or %s (one-hot) but got width %s",
                    outputs, targetWidth);
            for (int i = 0; i < rows; i++) {
                double sum = 0;
                for (int j = 0; j < outputs; j++) {
                    float y = targets[i * outputs + j];
                    Checks.checkArgument(y >= 0 && y <= 1,
                            "one-hot target at row %s column %s must be in [0, 1] but was %s", i, j, y);
                    sum += y;
                }
                Checks.checkArgument(Math.abs(sum - 1) <= 1e-3,
                        "one-hot target row %s must sum to 1 but sums to %s", i, sum);
            }
        }

        @Override
        public double compute(Kernel kernel, int m, int n, float[] output, float[] targets, int tOff,
                              int targetWidth, float[] grad, long[] correct) {
            return kernel.softmaxCrossEntropy(m, n, output, targets, tOff, targetWidth, grad, correct);
        }
    }

    /** A loss with example weights in the last target column ({@link #weighted}). */
    public record Weighted(Loss inner) implements Loss {
        /** Validates. */
        public Weighted {
            Checks.checkArgument(inner != null && !(inner instanceof Weighted), "a weighted loss wraps one plain loss");
        }

        @Override
        public String id() {
            return inner.id();
        }

        @Override
        public Loss unweighted() {
            return inner;
        }

        @Override
        public boolean fusesOutputActivation() {
            return inner.fusesOutputActivation();
        }

        @Override
        public boolean isClassification() {
            return inner.isClassification();
        }

        @Override
        public void checkOutput(Activation activation, int units) {
            inner.checkOutput(activation, units);
        }

        @Override
        public int targetWidth(int outputs) {
            return inner.targetWidth(outputs) + 1;
        }

        @Override
        public void checkTargets(float[] targets, int rows, int targetWidth, int outputs) {
            Checks.checkArgument(targetWidth >= 2, "a weighted %s loss expects its targets then one weight per row "
                    + "but got target width %s", inner.id(), targetWidth);
            int w = targetWidth - 1;
            float[] plain = new float[rows * w];
            for (int i = 0; i < rows; i++) {
                System.arraycopy(targets, i * targetWidth, plain, i * w, w);
                float weight = targets[i * targetWidth + w];
                Checks.checkArgument(Float.isFinite(weight) && weight >= 0,
                        "example weight at row %s must be finite and >= 0 but was %s", i, weight);
            }
            inner.checkTargets(plain, rows, w, outputs);
        }

        /** Row by row through the plain loss, so each row's loss is known to weigh; rows of weight 0 add nothing. */
        @Override
        public double compute(Kernel kernel, int m, int n, float[] output, float[] targets, int tOff, int targetWidth,
                              float[] grad, long[] correct) {
            int w = targetWidth - 1;
            float[] out = new float[n];
            float[] y = new float[w];
            float[] g = new float[n];
            double loss = 0;
            for (int i = 0; i < m; i++) {
                int t = tOff + i * targetWidth;
                float weight = targets[t + w];
                System.arraycopy(output, i * n, out, 0, n);
                System.arraycopy(targets, t, y, 0, w);
                double row = inner.compute(kernel, 1, n, out, y, 0, w, g, correct);
                if (weight == 0) {
                    java.util.Arrays.fill(grad, i * n, i * n + n, 0f);
                    continue;
                }
                loss += weight * row;
                for (int j = 0; j < n; j++) {
                    grad[i * n + j] = weight * g[j];
                }
            }
            return loss;
        }
    }
}
