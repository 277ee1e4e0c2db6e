/**
 * Training data: the bundled small datasets and their strict loader. Turns files into trainer-core
 * {@code Dataset}s; never trains anything itself.
 */
package io.dendrite.datasets;
