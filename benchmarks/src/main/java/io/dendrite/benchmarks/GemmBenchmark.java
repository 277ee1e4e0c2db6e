package io.dendrite.benchmarks;

import dev.ludovic.netlib.blas.BLAS;
import io.dendrite.core.kernel.Kernel;
import io.dendrite.core.kernel.Kernels;
import io.dendrite.core.kernel.ScalarKernel;
import io.dendrite.core.util.Rng;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One GEMM of a training shape, single-threaded, by each implementation in the same run: our vector and
 * scalar kernels, native OpenBLAS (through netlib's JNI) and netlib's Java/Vector BLAS.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
public class GemmBenchmark {
    /**
     * The shapes of the earlier runs, then the other GEMMs of one 784-256-256-10 training step at 256 rows
     * per task (layer 1's forward and weight gradient are the first two; layer 1 needs no input gradient).
     */
    @Param({"XW_256x784x256", "XTDZ_784x256x256", "DZWT_256x256x784", "XW_32x784x256", "XW_1024x256x16",
        "XW_256x256x256", "XTDZ_256x256x256", "DZWT_256x256x256", "XW_256x256x10", "XTDZ_256x256x10",
        "DZWT_256x10x256"})
    public String shape;

    @Param({"vector", "scalar", "openblas", "netlib-java"})
    public String impl;

    private Shape s;
    private Kernel kernel;
    private BLAS blas;
    private float[] x;
    private float[] w;
    private float[] dz;
    private float[] out;
    private float[] g;
    private float[] dx;

    @Setup
    public void setUp() {
        s = Shape.parse(shape);
        Rng rng = new Rng(1);
        x = random(s.m() * s.k(), rng);
        w = random(s.k() * s.n(), rng);
        dz = random(s.m() * s.n(), rng);
        out = new float[s.m() * s.n()];
        g = new float[s.k() * s.n()];
        dx = new float[s.m() * s.k()];
        switch (impl) {
            case "vector" -> {
                kernel = Kernels.vectorOrNull();
                if (kernel == null) {
                    throw new IllegalStateException("the vector kernel needs --add-modules jdk.incubator.vector");
                }
                System.err.println("vector kernel: " + Kernels.describe(kernel));
            }
            case "scalar" -> kernel = new ScalarKernel();
            case "openblas" -> blas = Blas.openBlas();
            case "netlib-java" -> blas = Blas.javaBlas();
            default -> throw new IllegalArgumentException(impl);
        }
    }

    static float[] random(int len, Rng rng) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) {
            a[i] = (float) rng.nextGaussian();
        }
        return a;
    }

    @Benchmark
    public float gemm() {
        int m = s.m();
        int k = s.k();
        int n = s.n();
        if (kernel != null) {
            switch (s.form()) {
                case XW -> kernel.gemmXW(m, k, n, x, 0, w, 0, out);
                case XTDZ -> kernel.gemmXtDzAccumulate(m, k, n, x, 0, dz, g, 0);
                case DZWT -> kernel.gemmDzWt(m, k, n, dz, w, 0, dx);
            }
        } else {
            switch (s.form()) {
                case XW -> Blas.xw(blas, m, k, n, x, w, out);
                case XTDZ -> Blas.xtDz(blas, m, k, n, x, dz, g);
                case DZWT -> Blas.dzWt(blas, m, k, n, dz, w, dx);
            }
        }
        return out[0] + g[0] + dx[0];
    }
}
