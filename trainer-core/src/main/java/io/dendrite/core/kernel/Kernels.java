package io.dendrite.core.kernel;

/**
 * Chooses the kernel once per JVM. Only the plain-Java kernel exists today; the vectorised one plugs in
 * here, loaded by name, with this class still deciding once and saying why.
 */
public final class Kernels {
    private static final Kernel DEFAULT = new ScalarKernel();

    private Kernels() {
    }

    /** The kernel this JVM uses. */
    public static Kernel get() {
        return DEFAULT;
    }
}
