package io.dendrite.core.kernel;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Locale;

/**
 * Chooses the kernel once per JVM, in the manner of Lucene's {@code VectorizationProvider}: the Vector
 * API kernel when the {@code jdk.incubator.vector} module is present and vectors are at least 128 bits
 * wide, with the GEMM set for the JVM's preferred vector width, the machine's vector registers and FMA
 * (e.g. {@code vector-256x16 (4x3 blocks)} on AVX2); otherwise the scalar kernel. One log line says which
 * and why. {@code -Ddendrite.kernel=scalar} forces the scalar kernel, {@code -Ddendrite.kernel=vector-256x16}
 * (any set) a set.
 */
public final class Kernels {
    /** The system property that forces a kernel: {@code auto} (the default), {@code scalar} or {@code vector-SET}. */
    public static final String PROPERTY = "dendrite.kernel";
    private static final String VECTOR_CLASS = "io.dendrite.core.kernel.vector.VectorKernel";
    private static final String VECTOR_PREFIX = "vector-";
    private static final int MIN_VECTOR_BITS = 128;
    private static final Kernel CHOSEN = choose();

    private Kernels() {
    }

    /** The kernel this JVM uses. */
    public static Kernel get() {
        return CHOSEN;
    }

    /** The vector kernel this JVM would choose if it can run one, else {@code null}; for tests and benchmarks. */
    public static Kernel vectorOrNull() {
        if (!(CHOSEN instanceof ScalarKernel)) {
            return CHOSEN;
        }
        String set = modulePresent() ? autoSet() : null;
        return set == null ? null : vector(set);
    }

    /**
     * The vector kernel on GEMM set {@code set} (e.g. {@code 256x16}), or {@code null} when this JVM cannot run
     * it with vector instructions: the module is missing or its vectors are narrower than the set's.
     */
    public static Kernel vector(String set) {
        if (!modulePresent()) {
            return null;
        }
        try {
            return (Kernel) vectorMethod("forSet", String.class).invoke(null, set);
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    /** Why this JVM cannot run GEMM set {@code set} with vector instructions, for skip messages and errors. */
    public static String whyNotVector(String set) {
        if (!modulePresent()) {
            return "start the JVM with --add-modules jdk.incubator.vector";
        }
        return "this JVM runs vectors of at most " + maxVectorBits() + " bits"
                + (hasFma() || set.endsWith("m") ? "" : " and the CPU has no FMA (-XX:-UseFMA)");
    }

    /** Every GEMM set's name, widest first; empty without the vector module. */
    @SuppressWarnings("unchecked")
    public static List<String> vectorSets() {
        if (!modulePresent()) {
            return List.of();
        }
        try {
            return (List<String>) vectorMethod("sets").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return List.of();
        }
    }

    /** The widest vectors this JVM runs with vector instructions, in bits, or −1 without the module. */
    public static int maxVectorBits() {
        return intFromVector("maxVectorBits");
    }

    /** True when HotSpot says the CPU has fused multiply-add ({@code -XX:+UseFMA}); assumed elsewhere. */
    public static boolean hasFma() {
        try {
            return !"false".equals(ManagementFactory.getPlatformMXBean(
                    com.sun.management.HotSpotDiagnosticMXBean.class).getVMOption("UseFMA").getValue());
        } catch (RuntimeException | LinkageError e) {
            return true;
        }
    }

    /** Vector registers of this CPU as the JIT uses them: 32 on AArch64 and with AVX-512, else 16. */
    public static int vectorRegisters() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return arch.contains("aarch64") || arch.contains("arm64") || intFromVector("vectorBits") >= 512 ? 32 : 16;
    }

    private static Kernel choose() {
        String forced = System.getProperty(PROPERTY, "auto");
        Kernel chosen;
        String why;
        if ("scalar".equals(forced)) {
            chosen = new ScalarKernel();
            why = "forced by -D" + PROPERTY + "=scalar";
        } else if (forced.startsWith(VECTOR_PREFIX)) {
            String set = forced.substring(VECTOR_PREFIX.length());
            if (!vectorSets().isEmpty() && !vectorSets().contains(set)) {
                throw new IllegalArgumentException("-D" + PROPERTY + " names GEMM set '" + set + "', expected one of "
                        + vectorSets());
            }
            chosen = vector(set);
            if (chosen == null) {
                throw new IllegalStateException("-D" + PROPERTY + "=" + forced + " cannot run here: " + whyNotVector(set));
            }
            why = "forced by -D" + PROPERTY + "=" + forced;
        } else if (!"auto".equals(forced)) {
            throw new IllegalArgumentException("-D" + PROPERTY + " must be 'auto', 'scalar' or 'vector-SET' (SET one of "
                    + "512x32, 256x16, 128x32, 128x16, 128x16m) but was '" + forced + "'");
        } else if (!modulePresent()) {
            chosen = new ScalarKernel();
            why = "module jdk.incubator.vector is not present; start the JVM with --add-modules jdk.incubator.vector";
        } else {
            int bits = intFromVector("vectorBits");
            String set = autoSet();
            Kernel vector = set == null ? null : vector(set);
            if (vector != null) {
                chosen = vector;
                why = "preferred float vectors " + bits + " bits, " + vectorRegisters() + " vector registers, "
                        + (hasFma() ? "FMA" : "no FMA");
            } else {
                chosen = new ScalarKernel();
                why = bits < 0 ? "the vector kernel could not be loaded"
                        : "preferred float vectors are " + bits + " bits, below the " + MIN_VECTOR_BITS + " that pay off";
            }
        }
        System.getLogger(Kernels.class.getName()).log(System.Logger.Level.INFO,
                "Dendrite kernel: " + describe(chosen) + " (" + why + ")");
        return chosen;
    }

    /** The kernel's name with its blocking where it has one, e.g. {@code vector-256x16 (4x3 blocks)}. */
    public static String describe(Kernel kernel) {
        try {
            return (String) kernel.getClass().getMethod("description").invoke(kernel);
        } catch (ReflectiveOperationException | LinkageError e) {
            return kernel.name();
        }
    }

    private static String autoSet() {
        int bits = intFromVector("vectorBits");
        if (bits < MIN_VECTOR_BITS) {
            return null;
        }
        try {
            return (String) vectorMethod("setFor", int.class, int.class, boolean.class)
                    .invoke(null, bits, vectorRegisters(), hasFma());
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    private static boolean modulePresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    private static Method vectorMethod(String name, Class<?>... params) throws ReflectiveOperationException {
        return Class.forName(VECTOR_CLASS).getMethod(name, params);
    }

    private static int intFromVector(String method) {
        if (!modulePresent()) {
            return -1;
        }
        try {
            return (Integer) vectorMethod(method).invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return -1;
        }
    }
}
