/**
 * The single-JVM trainer: the Keras-style builder, the mini-batch loop, history, progress, early
 * stopping and reduce-on-plateau. Depends on everything else in trainer-core; nothing depends on it
 * but the jobs.
 */
package io.dendrite.core.train;
