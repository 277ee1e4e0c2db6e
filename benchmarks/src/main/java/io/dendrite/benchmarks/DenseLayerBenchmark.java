package io.dendrite.benchmarks;

import dev.ludovic.netlib.blas.BLAS;
import io.dendrite.core.kernel.Activation;
import io.dendrite.core.kernel.Kernel;
import io.dendrite.core.kernel.Kernels;
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
 * One dense ReLU layer's forward and backward (256 × 784 → 256): our fused vector kernel against three
 * OpenBLAS SGEMMs plus the separate Java passes they need (bias + ReLU, derivative, bias gradient).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
public class DenseLayerBenchmark {
    static final int M = 256;
    static final int K = 784;
    static final int N = 256;

    @Param({"vector-fused", "openblas-epilogue"})
    public String variant;

    private Kernel kernel;
    private BLAS blas;
    private float[] x;
    private float[] params;
    private float[] dOut;
    private float[] out;
    private float[] delta;
    private float[] grad;
    private float[] dx;

    @Setup
    public void setUp() {
        Rng rng = new Rng(2);
        x = GemmBenchmark.random(M * K, rng);
        params = GemmBenchmark.random(K * N + N, rng);
        dOut = GemmBenchmark.random(M * N, rng);
        out = new float[M * N];
        delta = new float[M * N];
        grad = new float[K * N + N];
        dx = new float[M * K];
        if (variant.equals("vector-fused")) {
            kernel = Kernels.vectorOrNull();
            if (kernel == null) {
                throw new IllegalStateException("the vector kernel needs --add-modules jdk.incubator.vector");
            }
        } else {
            blas = Blas.openBlas();
        }
    }

    @Benchmark
    public float forwardBackward() {
        System.arraycopy(dOut, 0, delta, 0, M * N);
        if (kernel != null) {
            kernel.denseForward(M, K, N, x, 0, params, 0, K * N, null, out, Activation.RELU);
            kernel.denseBackward(M, K, N, x, 0, params, 0, null, out, Activation.RELU, delta, grad, 0, K * N, dx);
        } else {
            Blas.xw(blas, M, K, N, x, params, out);
            for (int i = 0; i < M; i++) {
                for (int j = 0; j < N; j++) {
                    out[i * N + j] = Math.max(0f, out[i * N + j] + params[K * N + j]);
                }
            }
            for (int i = 0; i < M * N; i++) {
                delta[i] = out[i] > 0 ? delta[i] : 0f;
            }
            for (int i = 0; i < M; i++) {
                for (int j = 0; j < N; j++) {
                    grad[K * N + j] += delta[i * N + j];
                }
            }
            float[] gw = grad; // Xᵀ·dZ accumulates into the first K·N entries
            Blas.xtDz(blas, M, K, N, x, delta, gw);
            Blas.dzWt(blas, M, K, N, delta, params, dx);
        }
        return out[0] + grad[0] + dx[0];
    }
}
