package dev.tinygpt.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class TopPTest {
    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    /**
     * Probabilities 0.05, 0.5, 0.15, 0.3 (in id order). Sorted ascending 0.05, 0.15, 0.3, 0.5 the
     * cumulative sums are 0.05, 0.2, 0.5, 1.0, each at least 0.05 away from the cutoffs below.
     */
    private static final float[] LOGITS = {
        (float) Math.log(0.05), (float) Math.log(0.5), (float) Math.log(0.15), (float) Math.log(0.3)
    };

    @Test
    void keepsTheSmallestSetReachingP() {
        // p = 0.75: cutoff 0.25 removes cumulative 0.05 and 0.2; {0.5, 0.3} sums to 0.8 ≥ 0.75.
        assertKept(0.75f, false, true, false, true);
        // p = 0.85: cutoff 0.15 removes only 0.05; {0.5, 0.3, 0.15} sums to 0.95 ≥ 0.85.
        assertKept(0.85f, false, true, true, true);
        // p = 0.4: cutoff 0.6 removes 0.05, 0.2, 0.5; the top token alone (0.5) reaches 0.4.
        assertKept(0.4f, false, true, false, false);
        // p = 0.55: {0.5} is not enough, {0.5, 0.3} is.
        assertKept(0.55f, false, true, false, true);
    }

    @Test
    void alwaysKeepsTheLargestEvenForTinyP() {
        assertKept(1e-6f, false, true, false, false);
    }

    @Test
    void pOfOneKeepsEverythingUnchanged() {
        float[] row = LOGITS.clone();
        new TopP(1f).process(new int[0], 0, row);
        assertArrayEquals(LOGITS, row, 0f);
    }

    @Test
    void alreadyBannedTokensStayBannedAndCountForNothing() {
        // Ban the 0.5 token: the rest renormalise to 0.1, 0.3, 0.6 (ids 0, 2, 3).
        float[] row = LOGITS.clone();
        row[1] = NEG_INF;
        new TopP(0.8f).process(new int[0], 0, row); // cutoff 0.2 removes 0.1 only
        assertArrayEquals(new float[] {NEG_INF, NEG_INF, LOGITS[2], LOGITS[3]}, row, 0f);
    }

    private static void assertKept(float p, boolean... kept) {
        float[] row = LOGITS.clone();
        new TopP(p).process(new int[0], 0, row);
        float[] expected = new float[LOGITS.length];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = kept[i] ? LOGITS[i] : NEG_INF; // survivors keep their logit exactly
        }
        assertArrayEquals(expected, row, 0f, "top_p=" + p);
    }
}
