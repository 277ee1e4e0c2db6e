package io.dendrite.core.optim;

import io.dendrite.core.kernel.Kernel;
import io.dendrite.core.util.Checks;
import java.util.List;

/**
 * Norm penalties and decoupled weight decay on the weight matrices (never the biases), plus gradient
 * clipping by global norm. Penalties follow Keras: {@code l1·Σ|w| + l2·Σw²} is added to the loss, so the
 * gradient gains {@code l1·sign(w) + 2·l2·w}. Decoupled weight decay shrinks weights by
 * {@code 1 − lr·λ} each step whatever the optimiser (Loshchilov and Hutter 2019).
 */
public record Regularization(float l1, float l2, float weightDecay, float clipNorm) {
    /** No regularisation. */
    public static final Regularization NONE = new Regularization(0f, 0f, 0f, 0f);

    /** Validates; {@code clipNorm = 0} means no clipping. */
    public Regularization {
        Checks.nonNegative("l1", l1);
        Checks.nonNegative("l2", l2);
        Checks.nonNegative("weight decay", weightDecay);
        Checks.nonNegative("clip norm", clipNorm);
    }

    /** Adds the penalty gradient to {@code grad} over the weight ranges and returns the penalty. */
    public double addPenaltyGradient(float[] params, float[] grad, List<int[]> weightRanges, Kernel kernel) {
        if (l1 == 0f && l2 == 0f) {
            return 0;
        }
        double penalty = 0;
        for (int[] r : weightRanges) {
            int end = r[0] + r[1];
            for (int i = r[0]; i < end; i++) {
                float w = params[i];
                penalty += l1 * Math.abs(w) + (double) l2 * w * w;
                grad[i] += l1 * Math.signum(w) + 2f * l2 * w;
            }
        }
        return penalty;
    }

    /** Shrinks the weights by {@code 1 − lr·weightDecay}, before the optimiser step. */
    public void decayWeightsInPlace(float[] params, float lr, List<int[]> weightRanges, Kernel kernel) {
        if (weightDecay == 0f) {
            return;
        }
        for (int[] r : weightRanges) {
            kernel.scaleInPlace(r[1], 1f - lr * weightDecay, params, r[0]);
        }
    }

    /**
     * Scales {@code grad} so its global L2 norm is at most {@code clipNorm} (as PyTorch's
     * {@code clip_grad_norm_}) and returns the norm before clipping.
     */
    public double clipInPlace(float[] grad, Kernel kernel) {
        double norm = Math.sqrt(kernel.sumOfSquares(grad.length, grad, 0));
        if (clipNorm > 0 && norm > clipNorm) {
            kernel.scaleInPlace(grad.length, (float) (clipNorm / (norm + 1e-6)), grad, 0);
        }
        return norm;
    }
}
