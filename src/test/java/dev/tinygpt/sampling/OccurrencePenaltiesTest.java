package dev.tinygpt.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** OpenAI's presence and frequency penalties, vLLM's min_tokens and log-probabilities. */
class OccurrencePenaltiesTest {

    @Test
    void subtractsFrequencyPerOccurrenceAndPresenceOnceForCompletionTokensOnly() {
        float[] logits = {1f, 1f, 1f, 1f, 1f};
        // prompt {4, 4}, completion {0, 2, 0, 0}: token 4 is the prompt's only, not penalised
        int[] tokens = {4, 4, 0, 2, 0, 0, 3};
        new OccurrencePenalties(0.5f, 0.25f, 2).process(tokens, 6, logits);
        assertArrayEquals(
                new float[] {1f - 3 * 0.25f - 0.5f, 1f, 1f - 0.25f - 0.5f, 1f, 1f}, logits, 1e-6f);
    }

    @Test
    void equalsOpenAisFormulaOnRandomSequences() {
        Random random = new Random(7);
        for (int trial = 0; trial < 50; trial++) {
            int vocab = 1 + random.nextInt(30);
            int length = random.nextInt(40);
            int prompt = random.nextInt(length + 1);
            int[] tokens = new int[length];
            for (int i = 0; i < length; i++) {
                tokens[i] = random.nextInt(vocab);
            }
            float presence = random.nextFloat() * 4 - 2;
            float frequency = random.nextFloat() * 4 - 2;
            float[] logits = new float[vocab];
            for (int v = 0; v < vocab; v++) {
                logits[v] = (float) random.nextGaussian();
            }
            float[] expected = logits.clone();
            for (int v = 0; v < vocab; v++) { // mu[j] - c[j]·α_frequency - 1[c[j] > 0]·α_presence
                int c = 0;
                for (int i = prompt; i < length; i++) {
                    c += tokens[i] == v ? 1 : 0;
                }
                expected[v] =
                        (float) (expected[v] - c * (double) frequency - (c > 0 ? presence : 0));
            }
            new OccurrencePenalties(presence, frequency, prompt).process(tokens, length, logits);
            assertArrayEquals(expected, logits, 1e-5f, "trial " + trial);
        }
    }

    @Test
    void refusesNonFiniteValuesAndIdsOutsideTheVocabulary() {
        assertThrows(
                IllegalArgumentException.class, () -> new OccurrencePenalties(Float.NaN, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new OccurrencePenalties(0, 0, -1));
        assertThrows(
                IllegalArgumentException.class,
                () -> new OccurrencePenalties(1, 1, 0).process(new int[] {5}, 1, new float[3]));
    }

    @Test
    void minNewTokensBansEosUntilTheCompletionHoldsMin() {
        MinNewTokens min = new MinNewTokens(1, 2, 3);
        int[] tokens = {0, 0, 0, 2, 2};
        float[] logits = {0f, 5f, 0f};
        min.process(tokens, 4, logits); // one generated: banned
        assertEquals(Float.NEGATIVE_INFINITY, logits[1]);
        float[] later = {0f, 5f, 0f};
        min.process(tokens, 5, later); // two generated: free
        assertEquals(5f, later[1]);
    }

    @Test
    void logProbabilitiesAreLogSoftmaxWithTheMostLikelyFirst() {
        float[] values = {9f, 1f, 3f, 2f, 3f, -1f}; // row [1, 6) of a batch
        LogProbabilities lp = new LogProbabilities(values, 1, 5);
        double sum = Math.exp(1) + Math.exp(3) + Math.exp(2) + Math.exp(3) + Math.exp(-1);
        assertEquals(3 - Math.log(sum), lp.of(1), 1e-9);
        assertEquals(-1 - Math.log(sum), lp.of(4), 1e-9);
        assertArrayEquals(new int[] {1, 3, 2}, lp.top(3)); // ties: the lower id first
        assertArrayEquals(new int[0], lp.top(0));
        assertEquals(5, lp.top(10).length);
        assertThrows(IllegalArgumentException.class, () -> lp.of(5));
        double total = 0;
        for (int id = 0; id < 5; id++) {
            total += Math.exp(lp.of(id));
        }
        assertEquals(1.0, total, 1e-12);
    }
}
