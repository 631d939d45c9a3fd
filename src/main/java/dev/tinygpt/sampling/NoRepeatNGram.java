package dev.tinygpt.sampling;

/**
 * HF's {@code NoRepeatNGramLogitsProcessor}: bans every token that would complete an n-gram already
 * in the sequence. With {@code L = length}, the last {@code n - 1} tokens {@code tokens[L-n+1..L)}
 * are the prefix; each earlier n-gram {@code tokens[i..i+n)} whose first {@code n - 1} tokens equal
 * that prefix bans its last token. Nothing is banned while {@code L + 1 < n}. With {@code n = 1}
 * every token already seen is banned.
 */
public record NoRepeatNGram(int n) implements LogitsProcessor {

    public NoRepeatNGram {
        if (n < 1) {
            throw new IllegalArgumentException("no_repeat_ngram_size must be ≥ 1, got " + n);
        }
    }

    @Override
    public void process(int[] tokens, int length, float[] logits) {
        if (length + 1 < n) {
            return;
        }
        int prefixStart = length - n + 1;
        // Every n-gram lying wholly inside tokens[0..length), as HF's _get_ngrams; O(length · n)
        // per step, which HF also pays since it rebuilds its table every step.
        for (int i = 0; i + n <= length; i++) {
            if (matchesPrefix(tokens, i, prefixStart)) {
                int banned = tokens[i + n - 1];
                if (banned < 0 || banned >= logits.length) {
                    throw new IllegalArgumentException(
                            "token id "
                                    + banned
                                    + " is outside the vocabulary [0, "
                                    + logits.length
                                    + ")");
                }
                logits[banned] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    private boolean matchesPrefix(int[] tokens, int start, int prefixStart) {
        for (int j = 0; j < n - 1; j++) {
            if (tokens[start + j] != tokens[prefixStart + j]) {
                return false;
            }
        }
        return true;
    }
}
