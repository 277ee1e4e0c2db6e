/**
 * The kernel seam: every hot matrix and element-wise operation of training, behind one interface, and
 * the plain-Java implementation. Knows nothing of layers, losses or training loops beyond the shapes
 * they pass.
 */
package io.dendrite.core.kernel;
