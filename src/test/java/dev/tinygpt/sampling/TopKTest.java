package dev.tinygpt.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TopKTest {
    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    @Test
    void keepsTheKLargestAndNothingElse() {
        float[] logits = {0.1f, 3f, -2f, 5f, 1f, 4f};
        new TopK(3).process(new int[0], 0, logits);
        assertArrayEquals(new float[] {NEG_INF, 3f, NEG_INF, 5f, NEG_INF, 4f}, logits, 0f);
    }

    @Test
    void leavesExactlyKFiniteCandidatesWithoutTies() {
        Random rng = new Random(3);
        float[] logits = new float[50];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) rng.nextGaussian() * 3; // distinct with overwhelming odds
        }
        for (int k = 1; k <= logits.length; k++) {
            float[] row = logits.clone();
            new TopK(k).process(new int[0], 0, row);
            assertEquals(k, finiteCount(row), "k=" + k);
        }
    }

    @Test
    void keepsEveryTieWithTheKthValue() {
        // HF: logits < topk(logits, 2)[..., -1] removes only values strictly below 2, so all
        // three tokens tied at the boundary stay: four candidates for k = 2.
        float[] logits = {5f, 2f, 2f, 2f, 0f};
        new TopK(2).process(new int[0], 0, logits);
        assertArrayEquals(new float[] {5f, 2f, 2f, 2f, NEG_INF}, logits, 0f);
    }

    @Test
    void kAboveTheVocabularyKeepsEverything() {
        float[] logits = {1f, -3f, 2f};
        new TopK(10).process(new int[0], 0, logits);
        assertArrayEquals(new float[] {1f, -3f, 2f}, logits, 0f);
    }

    static int finiteCount(float[] row) {
        int n = 0;
        for (float x : row) {
            n += x == NEG_INF ? 0 : 1;
        }
        return n;
    }
}
