/** Small shared helpers of trainer-core: the reproducible RNG and argument checks. Nothing numeric lives here. */
package io.dendrite.core.util;
