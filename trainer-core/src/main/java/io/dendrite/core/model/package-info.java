/**
 * The trained model (predict, evaluate) and its file format: a JSON document plus a checksummed
 * little-endian float32 weight file, read through streams with every field validated.
 */
package io.dendrite.core.model;
