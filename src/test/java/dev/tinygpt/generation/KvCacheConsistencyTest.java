package dev.tinygpt.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinygpt.TestModels;
import dev.tinygpt.cache.CacheKind;
import dev.tinygpt.config.Activation;
import dev.tinygpt.config.GptConfig;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Cached and uncached logits agree at every step: prefill a prompt, then feed one token per step
 * against the cache, and compare with a full recompute of the same window. The sequence crosses the
 * context length, so the window slides (re-prefill) on the way, as the generator does.
 */
class KvCacheConsistencyTest {
    private static final float TOLERANCE = 1e-5f;

    @ParameterizedTest(name = "heads {0}, prompt {1}, {2} cache")
    @CsvSource({
        "1, 1, GROWING",
        "1, 5, GROWING",
        "2, 3, GROWING",
        "2, 16, GROWING",
        "4, 1, GROWING",
        "4, 9, GROWING",
        "1, 5, STATIC",
        "2, 16, STATIC",
        "4, 1, STATIC"
    })
    void cachedLogitsMatchRecomputeAtEveryStep(int heads, int promptLength, CacheKind kind) {
        int context = 16;
        int shift = 5;
        GptConfig config =
                new GptConfig(
                        50,
                        context,
                        2,
                        heads,
                        32,
                        64,
                        Activation.GELU_NEW,
                        1e-5f,
                        heads != 2,
                        0f,
                        -1,
                        -1);
        int[] tokens =
                TestModels.randomIds(
                        promptLength + 40, config.vocabSize(), heads * 31L + promptLength);
        try (LanguageModel lm = LanguageModel.create(config, 11, null);
                InferenceSession cached = lm.newSession(kind);
                InferenceSession uncached = lm.newSession()) {
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

    @org.junit.jupiter.api.Test
    void defaultCacheKindFollowsTheMeasurement() {
        assertEquals(CacheKind.GROWING, CacheKind.fastestFor(GptConfig.exercise()));
        assertEquals(CacheKind.STATIC, CacheKind.fastestFor(GptConfig.gpt2Small()));
        assertEquals(null, CacheKind.parse("auto"));
        assertEquals(CacheKind.STATIC, CacheKind.parse("Static"));
    }

    @ParameterizedTest(name = "heads {0}")
    @CsvSource({"1", "2", "4"})
    void staticAndGrowingCachesGiveIdenticalLogits(int heads) {
        GptConfig config = TestModels.small(heads, 24, Activation.GELU_NEW, true);
        int[] tokens = TestModels.randomIds(24, config.vocabSize(), heads);
        try (LanguageModel lm = LanguageModel.create(config, 2, null);
                InferenceSession growing = lm.newSession(CacheKind.GROWING);
                InferenceSession preallocated = lm.newSession(CacheKind.STATIC)) {
            int[] prompt = Arrays.copyOf(tokens, 4);
            assertArrayEquals(growing.prefill(prompt), preallocated.prefill(prompt), 0f);
            for (int i = 4; i < tokens.length; i++) {
                float[] a = growing.append(tokens[i]);
                float[] b = preallocated.append(tokens[i]);
                assertTrue(TestModels.maxAbsDiff(a, b) <= 1e-6f, "position " + i);
            }
            assertEquals(24, preallocated.cachedLength());
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
            GenerationResult without = lm.generate(prompt, options.withKvCache(false));
            assertEquals(prompt.length + 3 * config.contextLength(), withCache.tokens().length);
            assertArrayEquals(withCache.tokens(), without.tokens());
            assertEquals(FinishReason.LENGTH, withCache.finishReason());
        }
    }
}
