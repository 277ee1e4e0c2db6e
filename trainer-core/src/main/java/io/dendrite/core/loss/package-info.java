/** Training objectives and the mergeable loss/accuracy measurement. Pure numerics over float arrays. */
package io.dendrite.core.loss;
