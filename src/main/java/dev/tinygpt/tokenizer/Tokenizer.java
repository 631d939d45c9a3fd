package dev.tinygpt.tokenizer;

/** Turns text into token ids and back. Implementations are immutable and thread-safe. */
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

    /** Number of ids, {@code 0 … vocabSize()-1}. */
    int vocabSize();
}
