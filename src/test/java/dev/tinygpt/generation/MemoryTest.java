package dev.tinygpt.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tinygpt.TestModels;
import dev.tinygpt.config.Activation;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.sampling.SamplingConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The number of live NDArrays stays flat while decoding: every step cleans up after itself. */
class MemoryTest {

    @Test
    void liveArraysStayFlatOver500DecodeSteps() {
        // Context 1024 so 500 steps are plain decode steps against one cache.
        GptConfig config = TestModels.small(2, 1024, Activation.GELU_NEW, true);
        try (LanguageModel lm = LanguageModel.create(config, 3, null);
                InferenceSession session = lm.newSession()) {
            session.prefill(new int[] {1, 2, 3});
            session.append(4);
            int afterFirstStep = TestModels.liveArrays();
            for (int step = 0; step < 500; step++) {
                session.append(step % config.vocabSize());
                if (step % 100 == 99) {
                    assertEquals(
                            afterFirstStep,
                            TestModels.liveArrays(),
                            "live arrays after step " + step);
                }
            }
            assertEquals(3 + 1 + 500, session.cachedLength());
        }
    }

    @Test
    void liveArraysStayFlatAcrossGenerationsAndWindowShifts() {
        try (LanguageModel lm = LanguageModel.create(GptConfig.exercise(), 3, null)) {
            lm.generate(new int[] {1, 2}, GenerationOptions.greedy(10));
            int baseline = TestModels.liveArrays();
            for (int i = 0; i < 5; i++) {
                // 100 tokens cross the 32-token context several times: re-prefills included.
                lm.generate(new int[] {1, 2}, GenerationOptions.greedy(100));
                lm.generate(
                        new int[] {1, 2},
                        GenerationOptions.greedy(100).toBuilder().kvCache(false).build());
            }
            assertEquals(baseline, TestModels.liveArrays());
        }
    }

    @Test
    void liveArraysStayFlatAcrossBatchesWhoseRowsFinishAtDifferentTimes() {
        // EOS = 2 ("cat") makes some rows stop early and leave the batch.
        GptConfig withEos = GptConfig.exercise().toBuilder().eosTokenId(2).build();
        List<int[]> prompts =
                List.of(new int[] {1}, new int[] {4, 5, 6}, new int[] {7, 8, 9, 10, 11});
        GenerationOptions options =
                GenerationOptions.greedy(70).toBuilder()
                        .sampling(SamplingConfig.sampling(5).toBuilder().temperature(1.5f).build())
                        .build();
        try (LanguageModel lm = LanguageModel.create(withEos, 3, null)) {
            lm.generate(prompts, options, TokenListener.NONE);
            int baseline = TestModels.liveArrays();
            for (int i = 0; i < 5; i++) {
                lm.generate(
                        prompts,
                        options.toBuilder()
                                .sampling(options.sampling().toBuilder().seed(i).build())
                                .build(),
                        TokenListener.NONE);
                lm.generate(
                        prompts,
                        options.toBuilder()
                                .sampling(SamplingConfig.greedy())
                                .beams(new BeamOptions(3, 1f, BeamOptions.EarlyStopping.FALSE, 2))
                                .build(),
                        TokenListener.NONE);
            }
            assertEquals(baseline, TestModels.liveArrays());
        }
    }

    @Test
    void failedStepLeavesTheCacheIntact() {
        try (LanguageModel lm = LanguageModel.create(GptConfig.exercise(), 3, null);
                InferenceSession session = lm.newSession()) {
            float[] first = session.prefill(new int[] {1, 2, 3});
            int live = TestModels.liveArrays();
            assertThrows(IllegalArgumentException.class, () -> session.append(20));
            assertEquals(3, session.cachedLength());
            assertEquals(live, TestModels.liveArrays());
            session.prefill(new int[] {1, 2, 3});
            assertEquals(0f, TestModels.maxAbsDiff(first, session.prefill(new int[] {1, 2, 3})));
        }
    }
}
