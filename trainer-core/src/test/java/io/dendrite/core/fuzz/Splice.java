package io.dendrite.core.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;

/** Structure-aware inputs: a valid file with a few of its bytes replaced by the fuzzer's. */
public final class Splice {
    private Splice() {
    }

    /** {@code base} with up to three edits: at a position the fuzzer picks, some bytes out and its bytes in. */
    public static byte[] of(byte[] base, FuzzedDataProvider data) {
        byte[] out = base;
        int edits = data.consumeInt(1, 3);
        for (int e = 0; e < edits && data.remainingBytes() > 0; e++) {
            int at = data.consumeInt(0, out.length);
            int cut = data.consumeInt(0, Math.min(16, out.length - at));
            byte[] in = data.consumeBytes(data.consumeInt(0, 16));
            byte[] next = new byte[out.length - cut + in.length];
            System.arraycopy(out, 0, next, 0, at);
            System.arraycopy(in, 0, next, at, in.length);
            System.arraycopy(out, at + cut, next, at + in.length, out.length - at - cut);
            out = next;
        }
        return out;
    }

    /** Fails unless {@code e} says, in a message, what is wrong: a refusal a person can act on. */
    public static void requireMessage(Exception e) {
        if (e.getMessage() == null || e.getMessage().isBlank()) {
            throw new IllegalStateException("a refusal without a message", e);
        }
    }
}
