/**
 * The Vector API kernel. The only package that touches {@code jdk.incubator.vector}; loaded by name
 * from {@code io.dendrite.core.kernel.Kernels}, so trainer-core runs without the module.
 */
package io.dendrite.core.kernel.vector;
