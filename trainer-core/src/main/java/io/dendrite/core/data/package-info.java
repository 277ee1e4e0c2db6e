/** Examples held in one JVM as packed row-major blocks, their splits, and fitted feature scaling. */
package io.dendrite.core.data;
