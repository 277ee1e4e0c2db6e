package io.dendrite.datasets;

/** How cached features are stored. */
public enum Storage {
    /** float32, 4 bytes per value. */
    FLOAT32,
    /** Unsigned bytes, 1 byte per value, for pixel data in [0, 255]; widened to float when read. */
    UINT8
}
