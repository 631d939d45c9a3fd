package dev.tinygpt.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RepetitionPenaltyTest {

    @Test
    void dividesPositiveAndMultipliesNegativeLogitsOfSeenTokensOnce() {
        float[] logits = {2f, -2f, 1f, -1f, 0f};
        // Token 0 occurs twice but is penalised once (HF gathers then scatters); 2 and 3 unseen.
        int[] tokens = {0, 1, 0, 4, 3};
        new RepetitionPenalty(2f).process(tokens, 4, logits);
        assertArrayEquals(new float[] {1f, -4f, 1f, -1f, 0f}, logits, 1e-6f);
    }

    @Test
    void aPenaltyBelowOneFavoursSeenTokens() {
        float[] logits = {2f, -2f, 1f};
        new RepetitionPenalty(0.5f).process(new int[] {0, 1}, 2, logits);
        assertArrayEquals(new float[] {4f, -1f, 1f}, logits, 1e-6f);
    }

    @Test
    void rejectsIdsOutsideTheVocabulary() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new RepetitionPenalty(1.2f).process(new int[] {3}, 1, new float[3]));
    }
}
