/** Models as ONNX graphs, for scoring outside the JVM (ONNX Runtime and others). */
package io.dendrite.core.onnx;
