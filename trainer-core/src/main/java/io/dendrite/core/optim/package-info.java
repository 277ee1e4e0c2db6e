/**
 * Optimisers (each owning its state over the flat parameter array), learning-rate schedules, norm
 * penalties, weight decay and gradient clipping. Knows nothing of layers beyond weight ranges.
 */
package io.dendrite.core.optim;
