package io.dendrite.core.nn;

import io.dendrite.core.kernel.Activation;
import io.dendrite.core.util.Checks;

/** An immutable description of one layer; its weights live in the network's one flat array. */
public sealed interface LayerSpec extends java.io.Serializable permits LayerSpec.Dense, LayerSpec.Dropout {

    /** The width this layer produces given the width it receives. */
    int outputWidth(int inputWidth);

    /** How many parameters this layer owns given the width it receives. */
    int parameterCount(int inputWidth);

    /** A fully connected layer with bias: {@code act(x·W + b)}. */
    record Dense(int units, Activation activation, Initializer initializer) implements LayerSpec {
        /** Validates the width and parts. */
        public Dense {
            Checks.checkArgument(units >= 1, "dense layer units must be >= 1 but was %s", units);
            Checks.checkArgument(activation != null, "dense layer activation must not be null");
            Checks.checkArgument(initializer != null, "dense layer initializer must not be null");
        }

        @Override
        public int outputWidth(int inputWidth) {
            return units;
        }

        @Override
        public int parameterCount(int inputWidth) {
            return Math.multiplyExact(inputWidth, units) + units;
        }
    }

    /**
     * Inverted dropout (Srivastava et al. 2014): while training each input is zeroed with probability
     * {@code rate} and the survivors scaled by {@code 1/(1−rate)}; when evaluating or predicting it is the
     * identity.
     */
    record Dropout(float rate) implements LayerSpec {
        /** Validates the rate. */
        public Dropout {
            Checks.checkArgument(rate >= 0 && rate < 1, "dropout rate must be in [0, 1) but was %s", rate);
        }

        @Override
        public int outputWidth(int inputWidth) {
            return inputWidth;
        }

        @Override
        public int parameterCount(int inputWidth) {
            return 0;
        }
    }
}
