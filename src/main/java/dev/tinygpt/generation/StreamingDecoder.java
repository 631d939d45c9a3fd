package dev.tinygpt.generation;

import dev.tinygpt.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns a growing sequence into text increments for streaming, in constant time per token. It
 * decodes a window of the last few tokens (vLLM's and Hugging Face's incremental detokenisation):
 * the window's bytes, less those already released, are the new text, up to the last complete UTF-8
 * character, so a character split across tokens (byte-level BPE does that) is printed whole once
 * its last byte arrives, never as a replacement character. The window keeps {@value #CONTEXT}
 * tokens before the new one, so a tokenizer that puts separators between tokens (the word
 * vocabulary) or merges across them decodes the newest token as it does in the whole text.
 *
 * <p>It assumes what every tokenizer here guarantees: decoding {@code ids + [id]} gives the bytes
 * of decoding {@code ids}, then more.
 */
public final class StreamingDecoder {
    /** Tokens of context the window keeps before the tokens not yet released. */
    static final int CONTEXT = 4;

    private final Tokenizer tokenizer;
    private int start; // first token of the window
    private int released; // bytes of the window's decoding already released

    /**
     * @param prompt the prompt, whose text is not streamed
     */
    public StreamingDecoder(Tokenizer tokenizer, int[] prompt) {
        this.tokenizer = tokenizer;
        this.start = Math.max(0, prompt.length - CONTEXT);
        this.released = decode(prompt, prompt.length).length;
    }

    /** The text that {@code tokens[0..length)} adds to what was released before. */
    public String next(int[] tokens, int length) {
        byte[] bytes = decode(tokens, length);
        int end = completeLength(bytes);
        String text =
                end > released
                        ? new String(bytes, released, end - released, StandardCharsets.UTF_8)
                        : "";
        released = Math.max(released, end);
        if (released == bytes.length && length - start > CONTEXT) {
            // Everything is out: move the window up to the last CONTEXT tokens.
            start = length - CONTEXT;
            released = decode(tokens, length).length;
        }
        return text;
    }

    /**
     * What {@code tokens[0..length)} still owes when the sequence ends: the bytes held back for an
     * incomplete character, decoded as Java does (U+FFFD), so the streamed pieces add up to the
     * decoded sequence.
     */
    public String rest(int[] tokens, int length) {
        byte[] bytes = decode(tokens, length);
        String text =
                bytes.length > released
                        ? new String(
                                bytes, released, bytes.length - released, StandardCharsets.UTF_8)
                        : "";
        released = Math.max(released, bytes.length);
        return text;
    }

    private byte[] decode(int[] tokens, int length) {
        return tokenizer.decodeBytes(Arrays.copyOfRange(tokens, start, length));
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
