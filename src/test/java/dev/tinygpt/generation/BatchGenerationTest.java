package dev.tinygpt.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinygpt.TestModels;
import dev.tinygpt.config.Activation;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.sampling.SamplingConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A batch of prompts of different lengths gives each row what that prompt gives alone. */
class BatchGenerationTest {
    private static final List<int[]> PROMPTS =
            List.of(new int[] {3}, new int[] {1, 4, 1, 5, 9}, TestModels.randomIds(12, 20, 4));

    @ParameterizedTest(name = "cache {0}")
    @CsvSource({"true", "false"})
    void greedyRowsEqualGeneratingEachPromptAlone(boolean useCache) {
        // 60 new tokens cross the exercise's 32-position context: windows slide inside the batch.
        GenerationOptions options =
                GenerationOptions.greedy(60).toBuilder().kvCache(useCache).build();
        try (LanguageModel lm = LanguageModel.create(GptConfig.exercise(), 17, null)) {
            BatchResult batch = lm.generate(PROMPTS, options, TokenListener.NONE);
            assertEquals(PROMPTS.size(), batch.sequences().size());
            for (int p = 0; p < PROMPTS.size(); p++) {
                GenerationResult alone = lm.generate(PROMPTS.get(p), options);
                SequenceResult row = batch.sequences().get(p);
                assertEquals(p, row.promptIndex());
                assertArrayEquals(alone.tokens(), row.tokens(), "prompt " + p);
                assertEquals(FinishReason.LENGTH, row.finishReason());
            }
            assertEquals(3 * 60, batch.generatedTokens());
        }
    }

    @Test
    void sampledRowsEqualSamplingAloneWithTheRowsSeed() {
        SamplingConfig sampling =
                SamplingConfig.sampling(1000).toBuilder().temperature(0.9f).topK(8).build();
        GenerationOptions options =
                GenerationOptions.greedy(25).toBuilder().sampling(sampling).build();
        GptConfig config = TestModels.small(4, 64, Activation.GELU_NEW, true);
        try (LanguageModel lm = LanguageModel.create(config, 5, null)) {
            BatchResult batch = lm.generate(PROMPTS, options, TokenListener.NONE);
            for (int p = 0; p < PROMPTS.size(); p++) {
                GenerationResult alone =
                        lm.generate(
                                PROMPTS.get(p),
                                options.toBuilder()
                                        .sampling(sampling.toBuilder().seed(1000 + p).build())
                                        .build());
                assertArrayEquals(alone.tokens(), batch.sequences().get(p).tokens(), "prompt " + p);
            }
            // Same seed, same tokens; another seed, other tokens.
            BatchResult again = lm.generate(PROMPTS, options, TokenListener.NONE);
            assertArrayEquals(batch.sequences().get(1).tokens(), again.sequences().get(1).tokens());
            BatchResult other =
                    lm.generate(
                            PROMPTS,
                            options.toBuilder()
                                    .sampling(sampling.toBuilder().seed(7).build())
                                    .build(),
                            TokenListener.NONE);
            assertNotEquals(
                    Arrays.toString(batch.sequences().get(1).tokens()),
                    Arrays.toString(other.sequences().get(1).tokens()));
        }
    }

    @Test
    void oneRowsEosNeverStopsTheOthers() {
        int[] a = PROMPTS.get(1);
        int[] b = PROMPTS.get(2);
        GenerationOptions options = GenerationOptions.greedy(20);
        int[] aloneA;
        int[] aloneB;
        try (LanguageModel lm = LanguageModel.create(GptConfig.exercise(), 23, null)) {
            aloneA = lm.generate(a, options).generated();
            aloneB = lm.generate(b, options).generated();
        }
        // An EOS id that row A produces early and row B never produces.
        int eos = -1;
        int at = -1;
        for (int i = 0; i < aloneA.length && eos < 0; i++) {
            int candidate = aloneA[i];
            if (Arrays.stream(aloneB).noneMatch(t -> t == candidate)) {
                eos = candidate;
                at = i;
            }
        }
        assertTrue(eos >= 0, "fixture: need a token only row A generates");
        GptConfig withEos = GptConfig.exercise().toBuilder().eosTokenId(eos).build();
        try (LanguageModel lm = LanguageModel.create(withEos, 23, null)) {
            BatchResult batch = lm.generate(List.of(a, b), options, TokenListener.NONE);
            SequenceResult rowA = batch.sequences().get(0);
            SequenceResult rowB = batch.sequences().get(1);
            assertEquals(FinishReason.EOS, rowA.finishReason());
            assertArrayEquals(Arrays.copyOf(aloneA, at + 1), rowA.generated());
            assertEquals(FinishReason.LENGTH, rowB.finishReason());
            assertArrayEquals(aloneB, rowB.generated());
        }
    }

    @Test
    void stopStringsEndARowAndStreamingDeliversEveryTokenInOrder() {
        try (LanguageModel lm =
                LanguageModel.create(
                        GptConfig.exercise(),
                        1234,
                        dev.tinygpt.tokenizer.WordTokenizer.exercise())) {
            var tokenizer = lm.tokenizer().orElseThrow();
            int[] prompt = tokenizer.encode("the cat sat on");
            int[] plain = lm.generate(prompt, GenerationOptions.greedy(30)).generated();
            String stop = tokenizer.decode(new int[] {plain[5]});
            int firstHit = -1;
            for (int i = 0; i < plain.length && firstHit < 0; i++) {
                if (plain[i] == plain[5]) {
                    firstHit = i;
                }
            }

            List<Integer> streamedIds = new ArrayList<>();
            StringBuilder streamedText = new StringBuilder();
            BatchResult r =
                    lm.generate(
                            List.of(prompt),
                            GenerationOptions.greedy(30).toBuilder()
                                    .stopStrings(List.of(stop))
                                    .build(),
                            (seq, id, text) -> {
                                assertEquals(0, seq);
                                streamedIds.add(id);
                                streamedText.append(text);
                            });
            SequenceResult s = r.sequences().get(0);
            assertEquals(FinishReason.STOP, s.finishReason());
            assertArrayEquals(Arrays.copyOf(plain, firstHit + 1), s.generated());
            assertEquals(Arrays.stream(s.generated()).boxed().toList(), streamedIds);
            assertEquals(
                    tokenizer.decode(s.tokens()).substring(tokenizer.decode(prompt).length()),
                    streamedText.toString());
        }
    }

    @Test
    void contextStopPolicyEndsRowsSeparately() {
        GenerationOptions options =
                GenerationOptions.greedy(100).toBuilder().contextPolicy(ContextPolicy.STOP).build();
        try (LanguageModel lm = LanguageModel.create(GptConfig.exercise(), 3, null)) {
            BatchResult batch = lm.generate(PROMPTS, options, TokenListener.NONE);
            for (SequenceResult s : batch.sequences()) {
                assertEquals(FinishReason.CONTEXT_FULL, s.finishReason());
                assertEquals(33, s.tokens().length); // 32 positions fed, one more predicted
            }
        }
    }
}
