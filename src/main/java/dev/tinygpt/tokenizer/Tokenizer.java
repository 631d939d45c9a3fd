package dev.tinygpt.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * Turns text into token ids and back. Implementations are thread-safe. A tokenizer backed by native
 * code releases it on {@link #close()}; for the others closing does nothing.
 */
public interface Tokenizer extends AutoCloseable {

    /**
     * Encodes text into ids.
     *
     * @throws IllegalArgumentException if the text holds something the vocabulary cannot express,
     *     naming it
     */
    int[] encode(String text);

    /**
     * Decodes ids into text.
     *
     * @throws IllegalArgumentException if an id is outside the vocabulary
     */
    String decode(int[] ids);

    /**
     * Decodes ids into UTF-8 bytes. A byte-level tokenizer overrides this: a prefix of ids may end
     * inside a multi-byte character, which streaming must not print half of.
     */
    default byte[] decodeBytes(int[] ids) {
        return decode(ids).getBytes(StandardCharsets.UTF_8);
    }

    /** Number of ids, {@code 0 … vocabSize()-1}. */
    int vocabSize();

    @Override
    default void close() {}

    /** Throws unless {@code 0 <= id < vocabSize}, naming the id and the valid range. */
    static void requireId(int id, int vocabSize) {
        if (id < 0 || id >= vocabSize) {
            throw new IllegalArgumentException(
                    "token id "
                            + id
                            + " is out of range: the vocabulary has ids 0.."
                            + (vocabSize - 1));
        }
    }
}
