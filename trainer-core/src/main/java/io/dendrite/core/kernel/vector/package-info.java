/**
 * The Vector API kernel. The only package that touches {@code jdk.incubator.vector}; loaded by name
 * from {@code io.dendrite.core.kernel.Kernels}, so trainer-core runs without the module. GEMM comes in
 * sets generated per vector width and register file ({@code Gemm512x32}, {@code Gemm256x16},
 * {@code Gemm128x32}, {@code Gemm128x16}, {@code Gemm128x16m}; {@code src/build/gen_microkernels.py});
 * element-wise passes run on the JVM's preferred species through {@code VectorMath}, whose functions give
 * the bits of {@code io.dendrite.core.kernel.FloatMath} lane for lane.
 */
package io.dendrite.core.kernel.vector;
