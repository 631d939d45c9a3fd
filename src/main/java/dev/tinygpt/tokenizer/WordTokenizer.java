package dev.tinygpt.tokenizer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A fixed word-level vocabulary: text splits on whitespace, each word is one token, decoding joins
 * words with single spaces. It carries the exercise model's 20-token dummy vocabulary ({@link
 * #exercise()}).
 */
public final class WordTokenizer implements Tokenizer {
    /** The exercise's 20 words, id = index. */
    public static final List<String> EXERCISE_WORDS =
            List.of(
                    "the", "a", "cat", "dog", "bird", "sat", "ran", "sang", "on", "under", "mat",
                    "tree", "big", "small", "red", "and", "then", "it", "slept", ".");

    private final List<String> words;
    private final Map<String, Integer> ids;

    public WordTokenizer(List<String> words) {
        if (words.isEmpty()) {
            throw new IllegalArgumentException("a word vocabulary needs at least one word");
        }
        this.words = List.copyOf(words);
        this.ids = new HashMap<>();
        for (int i = 0; i < this.words.size(); i++) {
            String w = this.words.get(i);
            if (w.isEmpty() || w.codePoints().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException(
                        "vocabulary word " + i + " ('" + w + "') is empty or contains whitespace");
            }
            if (ids.put(w, i) != null) {
                throw new IllegalArgumentException("vocabulary word '" + w + "' appears twice");
            }
        }
    }

    /** The exercise model's vocabulary. */
    public static WordTokenizer exercise() {
        return new WordTokenizer(EXERCISE_WORDS);
    }

    public List<String> words() {
        return words;
    }

    @Override
    public int[] encode(String text) {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            return new int[0];
        }
        String[] parts = trimmed.split("\\s+");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            Integer id = ids.get(parts[i]);
            if (id == null) {
                throw new IllegalArgumentException(
                        "unknown word '"
                                + parts[i]
                                + "' (word "
                                + (i + 1)
                                + "); the vocabulary is: "
                                + String.join(" ", words));
            }
            out[i] = id;
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            Tokenizer.requireId(id, words.size());
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(words.get(id));
        }
        return sb.toString();
    }

    @Override
    public int vocabSize() {
        return words.size();
    }
}
