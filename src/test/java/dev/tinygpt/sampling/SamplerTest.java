package dev.tinygpt.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class SamplerTest {
    private static final int[] NO_TOKENS = new int[0];

    /** 0.999 quantile of chi-square with 5 degrees of freedom. */
    private static final double CHI2_5DOF_999 = 20.515;

    @Test
    void temperatureZeroIsGreedyPick() {
        Sampler sampler = new Sampler(SamplingConfig.greedy());
        Random logitSource = new Random(11);
        for (int trial = 0; trial < 200; trial++) {
            float[] logits = new float[37];
            for (int i = 0; i < logits.length; i++) {
                logits[i] = (float) logitSource.nextGaussian() * 4;
            }
            Random rng = new Random(5);
            assertEquals(Greedy.pick(logits), sampler.next(NO_TOKENS, 0, logits, rng));
            // Greedy draws nothing: the generator is left where it was.
            assertEquals(new Random(5).nextLong(), rng.nextLong());
        }
        // Ties: the first index, as Greedy (torch.argmax).
        assertEquals(1, sampler.next(NO_TOKENS, 0, new float[] {0f, 3f, 3f}, new Random(1)));
    }

    @Test
    void aTinyTemperatureAlwaysDrawsTheArgmax() {
        // Gaps of at least 0.05 become 50 at T = 1e-3: exp(-50) ≈ 2e-22 for any other token.
        float[] logits = {0.1f, 0.3f, 0.25f, -1f, 0.2f};
        Sampler sampler =
                new Sampler(SamplingConfig.sampling(0L).toBuilder().temperature(1e-3f).build());
        Random rng = new Random(123);
        for (int draw = 0; draw < 10_000; draw++) {
            assertEquals(1, sampler.next(NO_TOKENS, 0, logits, rng));
        }
    }

    @Test
    void drawsFollowTheSoftmaxByChiSquare() {
        float[] logits = {1.0f, 0.5f, 0f, -0.5f, 2.0f, -1.0f};
        double[] p = referenceSoftmax(logits);
        int n = 60_000;
        long[] counts = new long[logits.length];
        Sampler sampler = new Sampler(SamplingConfig.sampling(0L));
        Random rng = new Random(20240601L);
        for (int draw = 0; draw < n; draw++) {
            counts[sampler.next(NO_TOKENS, 0, logits, rng)]++;
        }
        double fit = chiSquare(counts, p, n);
        assertTrue(fit < CHI2_5DOF_999, "chi2 against softmax = " + fit);

        // The test has power: the same counts reject a uniform and an off-by-one distribution.
        double[] uniform = new double[6];
        Arrays.fill(uniform, 1.0 / 6);
        double[] shifted = new double[6];
        for (int i = 0; i < 6; i++) {
            shifted[(i + 1) % 6] = p[i];
        }
        assertTrue(chiSquare(counts, uniform, n) > 100 * CHI2_5DOF_999);
        assertTrue(chiSquare(counts, shifted, n) > 100 * CHI2_5DOF_999);
    }

    @Test
    void bannedTokensAreNeverDrawn() {
        // top_k 2 leaves ids 1 and 3; everything else must never come out.
        float[] logits = {1f, 2f, 0f, 1.5f, -1f};
        Sampler sampler = new Sampler(SamplingConfig.sampling(0L).toBuilder().topK(2).build());
        Random rng = new Random(9);
        long[] counts = new long[logits.length];
        for (int draw = 0; draw < 5_000; draw++) {
            counts[sampler.next(NO_TOKENS, 0, logits, rng)]++;
        }
        assertEquals(5_000, counts[1] + counts[3]);
        assertTrue(counts[1] > counts[3]);
    }

    @Test
    void sameSeedSameTokensOtherSeedOtherTokens() {
        SamplingConfig config =
                SamplingConfig.sampling(42L).toBuilder()
                        .temperature(0.9f)
                        .topK(8)
                        .topP(0.95f)
                        .build();
        float[] logits = new float[16];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) Math.sin(i) * 0.5f; // flat enough that many ids are live
        }
        int[] a = drawMany(config, logits, new Random(config.seed()));
        int[] b = drawMany(config, logits, config.newRandom());
        int[] c = drawMany(config, logits, new Random(config.seed() + 1));
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
        // java.util.Random's sequence is specified, so these ids hold on every JVM.
        assertArrayEquals(GOLDEN_SEED_42, Arrays.copyOf(a, GOLDEN_SEED_42.length));
    }

    private static final int[] GOLDEN_SEED_42 = {
        13, 13, 7, 7, 13, 15, 7, 7, 8, 14, 15, 8, 14, 7, 2, 9, 2, 14, 2, 9, 14, 9, 9, 14
    };

    @Test
    void neverMutatesTheCallersLogits() {
        float[] logits = {1f, 2f, 3f, -1f};
        float[] copy = logits.clone();
        SamplingConfig all = new SamplingConfig(0.7f, 2, 0.9f, 1.5f, 2, 0L);
        new Sampler(all).next(new int[] {2, 1, 2}, 3, logits, new Random(0));
        new Sampler(all.toBuilder().temperature(0f).topK(0).topP(1f).build())
                .next(new int[] {2, 1, 2}, 3, logits, null);
        assertArrayEquals(copy, logits, 0f);
    }

    @Test
    void unusableLogitsAreRejectedClearly() {
        Sampler sampler = new Sampler(SamplingConfig.sampling(0L));
        float ninf = Float.NEGATIVE_INFINITY;
        assertMessageContains(
                "all -Infinity",
                () -> sampler.next(NO_TOKENS, 0, new float[] {ninf, ninf}, new Random(0)));
        assertMessageContains(
                "NaN at token id 1",
                () -> sampler.next(NO_TOKENS, 0, new float[] {0f, Float.NaN}, new Random(0)));
        assertMessageContains(
                "Infinity at token id 0",
                () ->
                        sampler.next(
                                NO_TOKENS,
                                0,
                                new float[] {Float.POSITIVE_INFINITY, 0f},
                                new Random(0)));
        assertMessageContains(
                "no logits", () -> sampler.next(NO_TOKENS, 0, new float[0], new Random(0)));
        assertMessageContains(
                "length must be in [0, 0], got 1",
                () -> sampler.next(NO_TOKENS, 1, new float[1], new Random(0)));
    }

    @Test
    void processorsThatBanEveryTokenLeaveNothingToPick() {
        // Unlike logits that are all -inf from the model, a ban by the processors is a normal end.
        Sampler greedy =
                new Sampler(SamplingConfig.greedy().toBuilder().noRepeatNgramSize(1).build());
        assertEquals(Sampler.NONE, greedy.next(new int[] {0, 1}, 2, new float[] {1f, 2f}, null));
        Sampler sampled =
                new Sampler(SamplingConfig.sampling(3).toBuilder().noRepeatNgramSize(1).build());
        assertEquals(
                Sampler.NONE,
                sampled.next(new int[] {1, 0}, 2, new float[] {1f, 2f}, new Random(0)));
        assertEquals(1, greedy.next(new int[] {0}, 1, new float[] {1f, 2f}, null));
    }

    @Test
    void inverseCdfSkipsZeroProbabilitiesAndTheRoundingGap() {
        double[] p = {0, 0.25, 0, 0.75, 0};
        assertEquals(1, Sampler.draw(p, 0.0));
        assertEquals(1, Sampler.draw(p, 0.2499));
        assertEquals(3, Sampler.draw(p, 0.25));
        assertEquals(3, Sampler.draw(p, Math.nextDown(1.0)));
        // Sum 0.9999999 < u: the last live id, not the zero-probability id after it.
        assertEquals(2, Sampler.draw(new double[] {0.5, 0, 0.4999999, 0}, 0.99999999));
    }

    private static int[] drawMany(SamplingConfig config, float[] logits, Random rng) {
        Sampler sampler = new Sampler(config);
        int[] ids = new int[200];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = sampler.next(NO_TOKENS, 0, logits, rng);
        }
        return ids;
    }

    /** Softmax written out independently of {@link Greedy#softmax}. */
    private static double[] referenceSoftmax(float[] logits) {
        double[] e = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            e[i] = Math.exp(logits[i]);
            sum += e[i];
        }
        for (int i = 0; i < e.length; i++) {
            e[i] /= sum;
        }
        return e;
    }

    private static double chiSquare(long[] observed, double[] p, int n) {
        double stat = 0;
        for (int i = 0; i < observed.length; i++) {
            double expected = n * p[i];
            stat += (observed[i] - expected) * (observed[i] - expected) / expected;
        }
        return stat;
    }

    private static void assertMessageContains(String part, Executable call) {
        String message = assertThrows(IllegalArgumentException.class, call).getMessage();
        assertTrue(message.contains(part), message);
    }
}
