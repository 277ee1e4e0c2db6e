/**
 * Network topology (immutable layer specs, activations, initialisers) and the compiled network that
 * runs forward and backward over one flat parameter array through the kernel. No training loop, no I/O.
 */
package io.dendrite.core.nn;
