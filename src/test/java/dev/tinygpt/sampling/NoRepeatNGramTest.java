package dev.tinygpt.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class NoRepeatNGramTest {
    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    @Test
    void bansTokensThatWouldRepeatATrigram() {
        // Prefix = last two tokens (5, 3). Earlier trigrams starting with (5, 3): (5, 3, 7) and
        // (5, 3, 9), so 7 and 9 are banned; (3, 7, 5), (7, 5, 3), (3, 9, 5), (9, 5, 3) are not.
        int[] tokens = {5, 3, 7, 5, 3, 9, 5, 3};
        float[] logits = ramp(10);
        new NoRepeatNGram(3).process(tokens, tokens.length, logits);
        float[] expected = ramp(10);
        expected[7] = NEG_INF;
        expected[9] = NEG_INF;
        assertArrayEquals(expected, logits, 0f);
    }

    @Test
    void bansBigramContinuations() {
        // Prefix (1): earlier bigrams (1, 2) and (1, 3) ban 2 and 3; (2, 1), (3, 1) do not.
        int[] tokens = {1, 2, 1, 3, 1};
        float[] logits = ramp(5);
        new NoRepeatNGram(2).process(tokens, tokens.length, logits);
        assertArrayEquals(new float[] {0f, 1f, NEG_INF, NEG_INF, 4f}, logits, 0f);
    }

    @Test
    void unigramsBanEverySeenToken() {
        float[] logits = ramp(5);
        new NoRepeatNGram(1).process(new int[] {4, 1, 4}, 3, logits);
        assertArrayEquals(new float[] {0f, NEG_INF, 2f, 3f, NEG_INF}, logits, 0f);
    }

    @Test
    void onlyTheFirstLengthTokensCount() {
        // The sequence is (1, 2, 1): only (1, 2) bans 2. The (1, 3) running past length does not.
        int[] tokens = {1, 2, 1, 3, 3};
        float[] logits = ramp(4);
        new NoRepeatNGram(2).process(tokens, 3, logits);
        assertArrayEquals(new float[] {0f, 1f, NEG_INF, 3f}, logits, 0f);
    }

    @Test
    void shortSequencesBanNothing() {
        for (int length = 0; length <= 2; length++) { // length + 1 < 3, or no full trigram yet
            float[] logits = ramp(4);
            new NoRepeatNGram(3).process(new int[] {1, 1}, length, logits);
            assertArrayEquals(ramp(4), logits, 0f, "length=" + length);
        }
    }

    private static float[] ramp(int v) {
        float[] x = new float[v];
        for (int i = 0; i < v; i++) {
            x[i] = i;
        }
        return x;
    }
}
