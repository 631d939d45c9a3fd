package dev.tinygpt.tokenizer;

import java.nio.charset.StandardCharsets;

/** Turns text into token ids and back. Implementations are thread-safe. */
public interface Tokenizer {

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

    /**
     * Throws unless {@code text} is well-formed UTF-16: an unpaired surrogate is the one kind of
     * invalid text a Java string can hold (what invalid UTF-8 becomes when it is decoded
     * leniently), and no tokenizer may drop or replace it silently.
     */
    static void requireValidText(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isSurrogate(c)) {
                boolean paired =
                        Character.isHighSurrogate(c)
                                && i + 1 < text.length()
                                && Character.isLowSurrogate(text.charAt(i + 1));
                if (!paired) {
                    throw new IllegalArgumentException(
                            String.format(
                                    "invalid text: unpaired surrogate U+%04X at index %d (not a"
                                            + " Unicode character)",
                                    (int) c, i));
                }
                i++;
            }
        }
    }

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
