package dev.tinygpt.generation;

import dev.tinygpt.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns a growing sequence into text increments for streaming. Each call decodes the whole sequence
 * to bytes and releases the new bytes up to the last complete UTF-8 character, so a character split
 * across tokens (byte-level BPE does that) is printed whole once its last byte arrives, never as a
 * replacement character.
 */
public final class StreamingDecoder {
    private final Tokenizer tokenizer;
    private int emitted; // bytes of the decoded sequence already released (the prompt's included)

    /**
     * @param prompt the prompt, whose text is not streamed
     */
    public StreamingDecoder(Tokenizer tokenizer, int[] prompt) {
        this.tokenizer = tokenizer;
        this.emitted = tokenizer.decodeBytes(prompt).length;
    }

    /** The text that {@code tokens[0..length)} adds to what was released before. */
    public String next(int[] tokens, int length) {
        byte[] bytes = tokenizer.decodeBytes(Arrays.copyOf(tokens, length));
        int end = completeLength(bytes);
        if (end <= emitted) {
            return "";
        }
        String text = new String(bytes, emitted, end - emitted, StandardCharsets.UTF_8);
        emitted = end;
        return text;
    }

    /** The length of {@code bytes} without a trailing incomplete UTF-8 sequence. */
    static int completeLength(byte[] bytes) {
        int n = bytes.length;
        // A UTF-8 character is at most 4 bytes: look back at most 3 for its lead byte.
        for (int back = 1; back <= Math.min(3, n); back++) {
            int b = bytes[n - back] & 0xFF;
            if ((b & 0xC0) == 0x80) {
                continue; // continuation byte
            }
            int need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return back < need ? n - back : n;
        }
        return n; // only continuation bytes seen: invalid anyway, let the decoder replace them
    }
}
