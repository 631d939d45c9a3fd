package dev.tinygpt.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinygpt.TestModels;
import dev.tinygpt.cache.KvCache;
import dev.tinygpt.config.Activation;
import dev.tinygpt.config.GptConfig;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Cached and uncached logits agree at every step: prefill a prompt, then feed one token per step
 * against the cache, and compare with a full recompute of the same window. The sequence crosses the
 * context length, so the window slides (re-prefill) on the way, as the generator does.
 */
class KvCacheConsistencyTest {
    private static final float TOLERANCE = 1e-5f;

    @ParameterizedTest(name = "heads {0}, prompt {1}, expected length {2}")
    @CsvSource({"1, 1, 0", "1, 5, 16", "2, 3, 0", "2, 16, 16", "4, 1, 4", "4, 9, 0"})
    void cachedLogitsMatchRecomputeAtEveryStep(int heads, int promptLength, int expected) {
        int context = 16;
        int shift = 5;
        GptConfig config =
                GptConfig.builder()
                        .vocabSize(50)
                        .contextLength(context)
                        .layers(2)
                        .heads(heads)
                        .dModel(32)
                        .mlpHidden(64)
                        .tiedHead(heads != 2)
                        .build();
        int[] tokens =
                TestModels.randomIds(
                        promptLength + 40, config.vocabSize(), heads * 31L + promptLength);
        try (LanguageModel lm = LanguageModel.create(config, 11, null);
                InferenceSession cached = lm.newSession();
                InferenceSession uncached = lm.newSession()) {
            cached.cache().expect(expected); // 0: the buffers grow by doubling as the cache fills
            int windowStart = 0;
            boolean valid = false;
            int slides = 0;
            for (int length = promptLength; length <= tokens.length; length++) {
                if (length - windowStart > context) {
                    windowStart = length - (context - shift);
                    valid = false;
                    slides++;
                }
                int[] window = Arrays.copyOfRange(tokens, windowStart, length);
                float[] viaCache;
                if (!valid) {
                    viaCache = cached.prefill(window);
                    valid = true;
                } else {
                    viaCache = cached.append(tokens[length - 1]);
                }
                assertEquals(length - windowStart, cached.cachedLength());
                float[] recomputed = uncached.forward(window);
                float diff = TestModels.maxAbsDiff(viaCache, recomputed);
                assertTrue(diff <= TOLERANCE, "step at length " + length + ": max |diff| " + diff);
            }
            assertTrue(slides >= 2, "the run must cross the context window");
        }
    }

    @Test
    void buffersAreSizedAsExpectedGrowByDoublingAndStopAtTheContext() {
        GptConfig config = TestModels.small(2, 24, Activation.GELU_NEW, true);
        int[] tokens = TestModels.randomIds(24, config.vocabSize(), 3);
        try (LanguageModel lm = LanguageModel.create(config, 2, null);
                InferenceSession growing = lm.newSession();
                InferenceSession sized = lm.newSession()) {
            sized.cache().expect(100); // more than the context: held to n_positions
            int[] prompt = Arrays.copyOf(tokens, 3);
            assertArrayEquals(growing.prefill(prompt), sized.prefill(prompt), 0f);
            assertEquals(3, growing.cache().capacity());
            assertEquals(24, sized.cache().capacity());
            int[] capacities = new int[tokens.length];
            for (int i = 3; i < tokens.length; i++) {
                float[] a = growing.append(tokens[i]);
                float[] b = sized.append(tokens[i]);
                assertTrue(TestModels.maxAbsDiff(a, b) <= 1e-6f, "position " + i);
                capacities[i] = growing.cache().capacity();
            }
            assertEquals(6, capacities[3], "3 full: doubled for the 4th position");
            assertEquals(12, capacities[6]);
            assertEquals(24, capacities[12]);
            assertEquals(24, capacities[23]);
            assertEquals(24, sized.cache().capacity(), "sized once, never grown");
            long perPosition = 2L * config.layers() * config.dModel() * Float.BYTES;
            assertEquals(24 * perPosition, sized.cache().bytes());
            IllegalArgumentException full =
                    assertThrows(IllegalArgumentException.class, () -> growing.append(1));
            assertEquals(
                    "position 24 is outside the context window: the model has positions 0..23"
                            + " (n_positions = 24)",
                    full.getMessage());
            assertEquals(24, growing.cachedLength(), "a refused step leaves the cache as it was");
        }
    }

    @Test
    void reorderedRowsContinueAsTheRowsTheyCopy() {
        GptConfig config = TestModels.small(2, 32, Activation.GELU_NEW, false);
        try (LanguageModel lm = LanguageModel.create(config, 4, null);
                InferenceSession batch = lm.newSession();
                InferenceSession alone = lm.newSession()) {
            int[][] rows = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}};
            batch.step(dev.tinygpt.translator.StepInput.rows(rows, batch.cache()));
            batch.cache().reorder(new int[] {2, 2, 0});
            assertEquals(3, batch.cache().batchSize());
            float[][] next =
                    lastOfEach(
                            batch.step(
                                    dev.tinygpt.translator.StepInput.rows(
                                            new int[][] {{10}, {11}, {12}}, batch.cache())));
            int[] sources = {2, 2, 0};
            int[] added = {10, 11, 12};
            for (int r = 0; r < 3; r++) {
                alone.prefill(rows[sources[r]]);
                float[] expected = alone.append(added[r]);
                assertTrue(TestModels.maxAbsDiff(expected, next[r]) <= 1e-5f, "row " + r);
            }
            assertThrows(
                    IllegalArgumentException.class, () -> batch.cache().reorder(new int[] {3}));
        }
    }

    @Test
    void aCacheRefusesAStepOnAnotherNumberOfRows() {
        try (LanguageModel lm = LanguageModel.create(GptConfig.exercise(), 1, null);
                KvCache cache = new KvCache(lm.zooModel().getNDManager(), lm.config())) {
            cache.reserve(2, 3);
            cache.advance(3);
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> cache.reserve(1, 1));
            assertEquals("the cache holds 2 rows, the step has 1", e.getMessage());
            cache.clear();
            assertEquals(1, cache.reserve(1, 1).get(0).getShape().get(0));
        }
    }

    @ParameterizedTest(name = "heads {0}")
    @CsvSource({"1", "2", "4"})
    void generatorGivesIdenticalTokensWithAndWithoutCacheAcrossTheContext(int heads) {
        GptConfig config =
                heads == 1
                        ? GptConfig.exercise()
                        : TestModels.small(heads, 16, Activation.RELU, false);
        try (LanguageModel lm = LanguageModel.create(config, 5, null)) {
            int[] prompt = TestModels.randomIds(7, config.vocabSize(), 9);
            GenerationOptions options = GenerationOptions.greedy(3 * config.contextLength());
            GenerationResult withCache = lm.generate(prompt, options);
            GenerationResult without =
                    lm.generate(prompt, options.toBuilder().kvCache(false).build());
            assertEquals(prompt.length + 3 * config.contextLength(), withCache.tokens().length);
            assertArrayEquals(withCache.tokens(), without.tokens());
            assertEquals(FinishReason.LENGTH, withCache.finishReason());
        }
    }

    private static float[][] lastOfEach(dev.tinygpt.translator.StepOutput out) {
        float[][] rows = new float[out.batchSize()][];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = out.last(r);
        }
        return rows;
    }
}
