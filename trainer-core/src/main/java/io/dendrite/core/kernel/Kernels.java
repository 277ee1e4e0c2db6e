package io.dendrite.core.kernel;

import java.lang.reflect.Method;

/**
 * Chooses the kernel once per JVM, in the manner of Lucene's {@code VectorizationProvider}: the Vector
 * API kernel when the {@code jdk.incubator.vector} module is present and vectors are at least 256 bits
 * wide, otherwise the scalar kernel. One log line says which and why. {@code -Ddendrite.kernel=scalar}
 * forces the scalar kernel.
 */
public final class Kernels {
    /** The system property that forces a kernel: {@code scalar} or {@code auto} (the default). */
    public static final String PROPERTY = "dendrite.kernel";
    private static final String VECTOR_CLASS = "io.dendrite.core.kernel.vector.VectorKernel";
    private static final int MIN_VECTOR_BITS = 256;
    private static final Kernel CHOSEN = choose();

    private Kernels() {
    }

    /** The kernel this JVM uses. */
    public static Kernel get() {
        return CHOSEN;
    }

    /** The vector kernel if this JVM can run it, else {@code null}; for tests and benchmarks. */
    public static Kernel vectorOrNull() {
        return CHOSEN instanceof ScalarKernel ? loadVector() : CHOSEN;
    }

    private static Kernel choose() {
        String forced = System.getProperty(PROPERTY, "auto");
        Kernel chosen;
        String why;
        if ("scalar".equals(forced)) {
            chosen = new ScalarKernel();
            why = "forced by -D" + PROPERTY + "=scalar";
        } else if (!"auto".equals(forced)) {
            throw new IllegalArgumentException("-D" + PROPERTY + " must be 'auto' or 'scalar' but was '" + forced + "'");
        } else if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            chosen = new ScalarKernel();
            why = "module jdk.incubator.vector is not present; start the JVM with --add-modules jdk.incubator.vector";
        } else {
            int bits = vectorBits();
            Kernel vector = bits >= MIN_VECTOR_BITS ? loadVector() : null;
            if (vector != null) {
                chosen = vector;
                why = "jdk.incubator.vector present, preferred float vectors are " + bits + " bits";
            } else {
                chosen = new ScalarKernel();
                why = bits < 0 ? "the vector kernel could not be loaded"
                        : "preferred float vectors are " + bits + " bits, below the " + MIN_VECTOR_BITS + " that pay off";
            }
        }
        System.getLogger(Kernels.class.getName()).log(System.Logger.Level.INFO,
                "Dendrite kernel: " + chosen.name() + " (" + why + ")");
        return chosen;
    }

    private static int vectorBits() {
        try {
            Method bits = Class.forName(VECTOR_CLASS).getMethod("vectorBits");
            return (Integer) bits.invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return -1;
        }
    }

    private static Kernel loadVector() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return null;
        }
        try {
            return (Kernel) Class.forName(VECTOR_CLASS).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }
}
