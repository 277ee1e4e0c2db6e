package io.dendrite.core.train;

import io.dendrite.core.data.Dataset;
import io.dendrite.core.util.Rng;

/** Small synthetic problems for trainer tests: Gaussian blobs per class, and a linear regression. */
final class Blobs {
    private Blobs() {
    }

    /** {@code rows} points in {@code width} dimensions around {@code classes} well-separated centres. */
    static Dataset classes(int rows, int width, int classes, long seed) {
        Rng rng = new Rng(seed);
        float[] x = new float[rows * width];
        float[] y = new float[rows];
        for (int r = 0; r < rows; r++) {
            int c = r % classes;
            y[r] = c;
            for (int j = 0; j < width; j++) {
                float centre = (j % classes == c) ? 3f : 0f;
                x[r * width + j] = centre + (float) rng.nextGaussian();
            }
        }
        return Dataset.of(x, width, y, 1);
    }

    /** Two outputs, {@code x0 + 2·x1} and {@code x0 − x2}, plus a little noise. */
    static Dataset linearTwoOutputs(int rows, long seed) {
        Rng rng = new Rng(seed);
        float[] x = new float[rows * 3];
        float[] y = new float[rows * 2];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < 3; j++) {
                x[r * 3 + j] = (float) rng.nextGaussian();
            }
            y[r * 2] = x[r * 3] + 2 * x[r * 3 + 1] + 0.01f * (float) rng.nextGaussian();
            y[r * 2 + 1] = x[r * 3] - x[r * 3 + 2] + 0.01f * (float) rng.nextGaussian();
        }
        return Dataset.of(x, 3, y, 2);
    }
}
