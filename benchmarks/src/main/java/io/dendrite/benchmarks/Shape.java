package io.dendrite.benchmarks;

import java.util.Locale;

/**
 * A benchmark GEMM {@code C[M×N] = A[M×K]·B[K×N]} in one of the three forms training needs, named like
 * {@code XW_256x784x256}, and its mapping to a dense layer's batch {@code m}, inputs {@code k} and units
 * {@code n}.
 */
record Shape(Form form, int bigM, int bigK, int bigN) {

    /** Which product of a dense layer's training step. */
    enum Form { XW, XTDZ, DZWT }

    static Shape parse(String name) {
        String[] parts = name.split("_");
        String[] dims = parts[1].split("x");
        return new Shape(Form.valueOf(parts[0].toUpperCase(Locale.ROOT)), Integer.parseInt(dims[0]),
                Integer.parseInt(dims[1]), Integer.parseInt(dims[2]));
    }

    /** Batch rows. */
    int m() {
        return switch (form) {
            case XW, DZWT -> bigM;
            case XTDZ -> bigK;
        };
    }

    /** Layer inputs. */
    int k() {
        return switch (form) {
            case XW -> bigK;
            case XTDZ -> bigM;
            case DZWT -> bigN;
        };
    }

    /** Layer units. */
    int n() {
        return switch (form) {
            case XW, XTDZ -> bigN;
            case DZWT -> bigK;
        };
    }

    /** Floating-point operations of one product. */
    double flops() {
        return 2.0 * bigM * bigK * bigN;
    }
}
