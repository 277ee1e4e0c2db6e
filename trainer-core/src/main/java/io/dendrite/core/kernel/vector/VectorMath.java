package io.dendrite.core.kernel.vector;

import static io.dendrite.core.kernel.FloatMath.EXP_MAX;
import static io.dendrite.core.kernel.FloatMath.EXP_MIN;
import static io.dendrite.core.kernel.FloatMath.EXP_P0;
import static io.dendrite.core.kernel.FloatMath.EXP_P1;
import static io.dendrite.core.kernel.FloatMath.EXP_P2;
import static io.dendrite.core.kernel.FloatMath.EXP_P3;
import static io.dendrite.core.kernel.FloatMath.EXP_P4;
import static io.dendrite.core.kernel.FloatMath.EXP_P5;
import static io.dendrite.core.kernel.FloatMath.LN2_HI;
import static io.dendrite.core.kernel.FloatMath.LN2_LO;
import static io.dendrite.core.kernel.FloatMath.LOG2E;
import static io.dendrite.core.kernel.FloatMath.ROUND_MAGIC;
import static io.dendrite.core.kernel.FloatMath.ROUND_MAGIC_BITS;
import static io.dendrite.core.kernel.FloatMath.TANH_P0;
import static io.dendrite.core.kernel.FloatMath.TANH_P1;
import static io.dendrite.core.kernel.FloatMath.TANH_P2;
import static io.dendrite.core.kernel.FloatMath.TANH_P3;
import static io.dendrite.core.kernel.FloatMath.TANH_P4;
import static io.dendrite.core.kernel.FloatMath.TANH_SMALL;

import io.dendrite.core.kernel.FloatMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The element-wise functions of {@link FloatMath}, lane by lane with the same operations in the same
 * order, so every lane gives the bits the scalar function gives, interpreted or compiled. On the JVM's
 * preferred species: element-wise passes are bound by memory, not registers, so they need no per-set
 * blocking.
 */
final class VectorMath {
    /** The JVM's preferred float species, for element-wise passes. */
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Lanes of {@link #S}. */
    static final int V = S.length();
    /**
     * False on x86 without AVX, where the preferred vectors are 128 bits (SSE): HotSpot has no SSE form of the
     * vector float compares, {@code MIN} and {@code MAX}, and the Vector API's fallback boxes every vector
     * they touch. Under {@code -XX:UseAVX=0} on Zen 4 the vector passes that use them ran behind the scalar
     * kernel: on 65,536 floats, sigmoid 820 µs against 631, ReLU 185 against 50; softmax cross-entropy of 256
     * rows of 10, 37 against 20. Those passes run their own scalar loops there instead ({@link FloatMath}'s
     * functions: the same bits), which took 332, 52 and 20 µs (tanh 375, where the boxed vectors took 1,195).
     */
    static final boolean FLOAT_COMPARES = !isX86() || S.vectorBitSize() >= 256;
    private static final int SIGN = 0x80000000;

    private VectorMath() {
    }

    /** e^x per lane, as {@link FloatMath#exp}. */
    static FloatVector exp(FloatVector x) {
        FloatVector c = x.lanewise(VectorOperators.MAX, EXP_MIN).lanewise(VectorOperators.MIN, EXP_MAX);
        FloatVector t = c.mul(LOG2E).add(ROUND_MAGIC);
        FloatVector n = t.sub(ROUND_MAGIC);
        FloatVector r = c.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
        FloatVector p = r.mul(EXP_P0).add(EXP_P1);
        p = p.mul(r).add(EXP_P2);
        p = p.mul(r).add(EXP_P3);
        p = p.mul(r).add(EXP_P4);
        p = p.mul(r).add(EXP_P5);
        FloatVector y = p.mul(r.mul(r)).add(r).add(1f);
        IntVector scale = ((IntVector) t.reinterpretAsInts()).sub(ROUND_MAGIC_BITS - 127)
                .lanewise(VectorOperators.LSHL, 23);
        return y.mul(scale.reinterpretAsFloats());
    }

    /** The logistic function per lane, as {@link FloatMath#sigmoid}. */
    static FloatVector sigmoid(FloatVector x) {
        return FloatVector.broadcast(x.species(), 1f).div(exp(x.neg()).add(1f));
    }

    /** tanh per lane, as {@link FloatMath#tanh}: both branches computed, the right one kept per lane. */
    static FloatVector tanh(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector z = x.mul(x);
        FloatVector p = z.mul(TANH_P0).add(TANH_P1);
        p = p.mul(z).add(TANH_P2);
        p = p.mul(z).add(TANH_P3);
        p = p.mul(z).add(TANH_P4);
        FloatVector small = p.mul(z).mul(x).add(x);
        FloatVector big = FloatVector.broadcast(x.species(), 1f)
                .sub(FloatVector.broadcast(x.species(), 2f).div(exp(ax.add(ax)).add(1f)));
        IntVector sign = ((IntVector) x.reinterpretAsInts()).and(SIGN);
        FloatVector signedBig = ((IntVector) big.reinterpretAsInts()).or(sign).reinterpretAsFloats();
        VectorMask<Float> isSmall = ax.compare(VectorOperators.LT, TANH_SMALL);
        return signedBig.blend(small, isSmall);
    }

    private static boolean isX86() {
        String arch = System.getProperty("os.arch", "");
        return arch.equals("amd64") || arch.equals("x86_64") || arch.equals("x86") || arch.equals("i386");
    }
}
