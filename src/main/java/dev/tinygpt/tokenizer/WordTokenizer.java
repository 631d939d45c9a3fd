package dev.tinygpt.tokenizer;

import java.util.ArrayList;
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

    /**
     * Splits on whitespace ({@link Character#isWhitespace}, the rule the vocabulary's words obey)
     * and looks every word up.
     *
     * @throws IllegalArgumentException for a word outside the vocabulary, naming it (escaped, cut
     *     to a readable length)
     */
    @Override
    public int[] encode(String text) {
        Tokenizer.requireValidText(text);
        List<String> parts = words(text);
        int[] out = new int[parts.size()];
        for (int i = 0; i < out.length; i++) {
            Integer id = ids.get(parts.get(i));
            if (id == null) {
                throw new IllegalArgumentException(
                        "unknown word "
                                + TextSnippet.quote(parts.get(i))
                                + " (word "
                                + (i + 1)
                                + "); "
                                + vocabularyHint());
            }
            out[i] = id;
        }
        return out;
    }

    /** The vocabulary for an error message, its first words when it is long. */
    private String vocabularyHint() {
        int shown = 40;
        return words.size() <= shown
                ? "the vocabulary is: " + String.join(" ", words)
                : "the vocabulary has "
                        + words.size()
                        + " words: "
                        + String.join(" ", words.subList(0, shown))
                        + " …";
    }

    private static List<String> words(String text) {
        List<String> parts = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            boolean space = Character.isWhitespace(cp);
            if (space && start >= 0) {
                parts.add(text.substring(start, i));
                start = -1;
            } else if (!space && start < 0) {
                start = i;
            }
            i += Character.charCount(cp);
        }
        if (start >= 0) {
            parts.add(text.substring(start));
        }
        return parts;
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
