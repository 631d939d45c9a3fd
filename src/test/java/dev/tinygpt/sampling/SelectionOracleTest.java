package dev.tinygpt.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Top-k and top-p without a whole-row sort give exactly what the sort-based definitions give (kept
 * here as oracles: a full ascending sort of (logit, id), as HF's warpers sort), on rows shaped like
 * real logits: GPT-2's vocabulary, near-uniform (a random-weight model) and peaked (a trained one),
 * with ties, banned tokens and extreme spreads.
 */
class SelectionOracleTest {
    private static final int V = 50_257;

    @Test
    void topKMatchesTheSortOnEveryRowShape() {
        Random random = new Random(1);
        for (int row = 0; row < 60; row++) {
            float[] logits = row(random, row);
            for (int k : new int[] {1, 2, 50, 1000, V - 1, V, V + 5}) {
                float[] fast = logits.clone();
                new TopK(k).process(new int[0], 0, fast);
                assertArrayEquals(topKBySort(logits, k), fast, 0f, "row " + row + ", k " + k);
            }
        }
    }

    @Test
    void topPMatchesTheSortOnEveryRowShape() {
        Random random = new Random(2);
        for (int row = 0; row < 60; row++) {
            float[] logits = row(random, row);
            for (float p : new float[] {1e-6f, 0.1f, 0.5f, 0.9f, 0.95f, 0.999f, 0.9999999f}) {
                float[] fast = logits.clone();
                new TopP(p).process(new int[0], 0, fast);
                assertArrayEquals(topPBySort(logits, p), fast, 0f, "row " + row + ", p " + p);
            }
        }
    }

    @Test
    void smallRowsAndAllButOneBannedAgreeToo() {
        float[] one = {Float.NEGATIVE_INFINITY, 3f, Float.NEGATIVE_INFINITY};
        float[] kept = one.clone();
        new TopP(0.5f).process(new int[0], 0, kept);
        assertArrayEquals(one, kept, 0f);
        float[] ties = {1f, 1f, 1f, 1f};
        float[] fast = ties.clone();
        new TopP(0.6f).process(new int[0], 0, fast); // ids 0 and 1 go: lower ids first on ties
        assertArrayEquals(topPBySort(ties, 0.6f), fast, 0f);
        assertEquals(Float.NEGATIVE_INFINITY, fast[0]);
        assertEquals(1f, fast[3]);
    }

    /** Row shapes: near-uniform, peaked, ties, banned tokens, wide and very wide spreads. */
    private static float[] row(Random random, int kind) {
        float[] x = new float[V];
        for (int i = 0; i < V; i++) {
            x[i] =
                    switch (kind % 6) {
                        case 0 -> (float) (random.nextGaussian() * 0.3); // near-uniform
                        case 1 -> (float) (random.nextGaussian() * 3 - 100); // GPT-2-like scale
                        case 2 -> random.nextInt(7); // many ties
                        case 3 -> random.nextInt(10) == 0 ? Float.NEGATIVE_INFINITY : i % 97;
                        case 4 -> (float) (random.nextGaussian() * 40); // spans the range
                        default -> (float) (random.nextGaussian() * 2e4); // beyond it
                    };
        }
        if (kind % 3 == 1) {
            x[random.nextInt(V)] += 15; // one token far ahead: a peaked distribution
        }
        return x;
    }

    static float[] topKBySort(float[] logits, int k) {
        float[] sorted = logits.clone();
        Arrays.sort(sorted);
        float kth = sorted[logits.length - Math.min(k, logits.length)];
        float[] out = logits.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] < kth) {
                out[i] = Float.NEGATIVE_INFINITY;
            }
        }
        return out;
    }

    /** The definition: ascending (logit, id), cumulative softmax, drop while ≤ 1 - p. */
    static float[] topPBySort(float[] logits, float p) {
        int v = logits.length;
        Integer[] order = new Integer[v];
        for (int i = 0; i < v; i++) {
            order[i] = i;
        }
        Arrays.sort(
                order,
                (a, b) -> logits[a] != logits[b] ? Float.compare(logits[a], logits[b]) : a - b);
        float max = logits[order[v - 1]];
        double sum = 0;
        for (float x : logits) {
            sum += x == Float.NEGATIVE_INFINITY ? 0 : StrictMath.exp((double) x - max);
        }
        float[] out = logits.clone();
        double cumulative = 0;
        for (int j = 0; j < v - 1; j++) {
            int id = order[j];
            if (logits[id] != Float.NEGATIVE_INFINITY) {
                cumulative += StrictMath.exp((double) logits[id] - max) / sum;
            }
            if (cumulative > 1.0 - p) {
                break;
            }
            out[id] = Float.NEGATIVE_INFINITY;
        }
        return out;
    }
}
