package dev.tinygpt.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinygpt.TestModels;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.generation.BeamOptions.EarlyStopping;
import dev.tinygpt.sampling.LogitsProcessor;
import dev.tinygpt.sampling.NoRepeatNGram;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Beam search against hand-worked examples on a model whose next-token probabilities are a table (V
 * = 4, EOS = 3, two beams), and on a real model: with and without the KV cache, against the search
 * driven by uncached single-sequence forwards, and against greedy decoding.
 *
 * <p>In the tables a sequence's generated tokens pick the row; ln 0.5 = -0.693147, ln 0.45 =
 * -0.798508, ln 0.4 = -0.916291, ln 0.3 = -1.203973, ln 0.2 = -1.609438, ln 0.1 = -2.302585, ln
 * 0.03 = -3.506558. A finished hypothesis scores sum / generated_len ** length_penalty, its length
 * counting the EOS token (HF ≥ 4.38).
 */
class BeamSearchTest {
    private static final int EOS = 3;
    private static final double TOLERANCE = 1e-6;
    private static final Predicate<int[]> NO_STOP = generated -> false;

    /** After the prompt: 1 (0.5) or EOS (0.45); after "1": 0 (0.4), 1 (0.3), 2 (0.2), EOS (0.1). */
    private static final Map<List<Integer>, double[]> EOS_OR_LONGER =
            Map.of(
                    List.of(), new double[] {0.03, 0.5, 0.02, 0.45},
                    List.of(1), new double[] {0.4, 0.3, 0.2, 0.1});

    private static final double[] FALLBACK = {0.6, 0.25, 0.1, 0.05};

    @Test
    void finishedEosHypothesisBeatsTheLongerBeamAtLengthPenaltyOne() {
        // Step 1, from the prompt (the second copy starts at -1e9): candidates 1 (-0.693147),
        // EOS (-0.798508), 0 (-3.506558), 2 (-3.912023). Rank 0: beam "1"; rank 1 < 2: hypothesis
        // "EOS" scores -0.798508 / 1; rank 2: beam "0".
        // Step 2: "1" continues with 0 (-0.693147 - 0.916291 = -1.609438) and 1 (-1.897120); the
        // beam "0" (-3.506558 + ln 0.6) is far behind. max_new_tokens = 2 ends the search: the
        // beams score -1.609438 / 2 = -0.804719 and -1.897120 / 2 = -0.948560. The best two of
        // the three: "EOS" (-0.798508) then "1 0" (-0.804719).
        List<SequenceResult> best = search(EOS_OR_LONGER, 1f, EarlyStopping.FALSE, 2, 2);
        assertEquals(2, best.size());
        assertSequence(best.get(0), new int[] {EOS}, FinishReason.EOS, -0.798508);
        assertSequence(best.get(1), new int[] {1, 0}, FinishReason.LENGTH, -1.609438 / 2);
    }

    @Test
    void lengthPenaltyTwoLetsTheLongerBeamsWin() {
        // The same search; only the scores of the hypotheses change. "EOS": -0.798508 / 1 ** 2;
        // "1 0": -1.609438 / 2 ** 2 = -0.402359; "1 1": -1.897120 / 4 = -0.474280, which now
        // pushes "EOS" out of the two kept.
        List<SequenceResult> best = search(EOS_OR_LONGER, 2f, EarlyStopping.FALSE, 2, 2);
        assertSequence(best.get(0), new int[] {1, 0}, FinishReason.LENGTH, -1.609438 / 4);
        assertSequence(best.get(1), new int[] {1, 1}, FinishReason.LENGTH, -1.897120 / 4);
    }

    @Test
    void lengthPenaltyZeroRanksByTheRawSum() {
        // "EOS": -0.798508; "1 0": -1.609438 unnormalised.
        List<SequenceResult> best = search(EOS_OR_LONGER, 0f, EarlyStopping.FALSE, 2, 2);
        assertSequence(best.get(0), new int[] {EOS}, FinishReason.EOS, -0.798508);
        assertSequence(best.get(1), new int[] {1, 0}, FinishReason.LENGTH, -1.609438);
    }

    /** After the prompt as above; after "1": 0 (0.5), EOS (0.3); after "1 0": 0 (0.9). */
    private static final Map<List<Integer>, double[]> TWO_EARLY_ENDINGS =
            Map.of(
                    List.of(), new double[] {0.03, 0.5, 0.02, 0.45},
                    List.of(1), new double[] {0.5, 0.12, 0.08, 0.3},
                    List.of(1, 0), new double[] {0.9, 0.05, 0.03, 0.02});

    @ParameterizedTest(name = "early_stopping {0}")
    @CsvSource({"TRUE, 2", "FALSE, 3", "NEVER, 3"})
    void earlyStoppingDecidesWhenTwoFinishedHypothesesAreEnough(
            EarlyStopping earlyStopping, int expectedModelSteps) {
        // Step 1: beam "1" (-0.693147), hypothesis "EOS" (-0.798508), beam "0" (-3.506558).
        // Step 2: "1 0" = -0.693147 - 0.693147 = -1.386294 (rank 0, beam); "1 EOS" = -0.693147 -
        // 1.203973 = -1.897120 (rank 1, hypothesis of length 2: -0.948560). Two hypotheses, worst
        // -0.948560.
        //   TRUE: done. Best: "EOS" (-0.798508), after 2 model steps (prompt, one decode).
        //   FALSE: the best candidate could still reach -1.386294 / 2 = -0.693147 > -0.948560, so
        //   go on. NEVER (length_penalty 1 > 0): -1.386294 / 3 (max_new_tokens) > -0.948560, go
        //   on. Step 3: "1 0 0" = -1.386294 + ln 0.9 (-0.105361) = -1.491655; max_new_tokens 3
        //   ends it: -1.491655 / 3 = -0.497218 beats "EOS".
        Rows model = table(TWO_EARLY_ENDINGS);
        List<SequenceResult> best =
                BeamSearch.search(
                        0,
                        new int[] {2},
                        rules(1f, earlyStopping, 1, 3, List.of(), NO_STOP),
                        model);
        assertEquals(1, best.size());
        if (earlyStopping == EarlyStopping.TRUE) {
            assertSequence(best.get(0), new int[] {EOS}, FinishReason.EOS, -0.798508);
        } else {
            assertSequence(best.get(0), new int[] {1, 0, 0}, FinishReason.LENGTH, -1.491655 / 3);
        }
        assertEquals(expectedModelSteps, model.steps);
    }

    @Test
    void earlyStoppingTrueReturnsBothFinishedHypothesesInScoreOrder() {
        List<SequenceResult> best =
                BeamSearch.search(
                        0,
                        new int[] {2},
                        rules(1f, EarlyStopping.TRUE, 2, 3, List.of(), NO_STOP),
                        table(TWO_EARLY_ENDINGS));
        assertSequence(best.get(0), new int[] {EOS}, FinishReason.EOS, -0.798508);
        assertSequence(best.get(1), new int[] {1, EOS}, FinishReason.EOS, -1.897120 / 2);
    }

    /** After the prompt "0 1": 0 (0.6), 2 (0.3); after "0": 1 (0.7); after "2": 1 (0.7). */
    private static final Map<List<Integer>, double[]> REPEATS =
            Map.of(
                    List.of(), new double[] {0.6, 0.05, 0.3, 0.05},
                    List.of(0), new double[] {0.1, 0.7, 0.15, 0.05},
                    List.of(2), new double[] {0.2, 0.7, 0.05, 0.05});

    @Test
    void withoutTheNGramBanTheBeamRepeatsTheBigram() {
        // Step 1: beams "0" (-0.510826) and "2" (-1.203973). Step 2: "0 1" = -0.510826 - 0.356675
        // = -0.867501, "2 1" = -1.203973 - 0.356675 = -1.560648. At length 2: -0.433750 and
        // -0.780324. "0 1 0 1" repeats the bigram "0 1".
        List<SequenceResult> best =
                BeamSearch.search(
                        0,
                        new int[] {0, 1},
                        rules(1f, EarlyStopping.FALSE, 2, 2, List.of(), NO_STOP),
                        table(REPEATS));
        assertSequence(best.get(0), new int[] {0, 1}, FinishReason.LENGTH, -0.867501 / 2);
        assertSequence(best.get(1), new int[] {2, 1}, FinishReason.LENGTH, -1.560648 / 2);
    }

    @Test
    void noRepeatNGramBansARepeatInsideEachBeamOnly() {
        // no_repeat_ngram_size 2. Beam "0" is the sequence "0 1 0": its last token 0 began the
        // bigram "0 1", so 1 is banned (-inf) there. Beam "2" is "0 1 2": nothing began with 2, 1
        // stays allowed. Step 2 candidates: "2 1" (-1.560648), "0 2" (-0.510826 - 1.897120 =
        // -2.407946), "0 0" (-2.813411). At length 2: -0.780324 and -1.203973.
        List<LogitsProcessor> ban = List.of(new NoRepeatNGram(2));
        List<SequenceResult> best =
                BeamSearch.search(
                        0,
                        new int[] {0, 1},
                        rules(1f, EarlyStopping.FALSE, 2, 2, ban, NO_STOP),
                        table(REPEATS));
        assertSequence(best.get(0), new int[] {2, 1}, FinishReason.LENGTH, -1.560648 / 2);
        assertSequence(best.get(1), new int[] {0, 2}, FinishReason.LENGTH, -2.407946 / 2);
    }

    @Test
    void stopStringFinishesABeamKeepingItsLastToken() {
        // "Stop" when the generated tokens contain 0. Step 1: beam "1", hypothesis "EOS"
        // (-0.798508); "0" (rank 2) would stop but is not among the top 2, so it is dropped;
        // beam "2". Step 2: "1 0" (rank 0, -1.609438) stops: hypothesis of length 2, -0.804719.
        // Two hypotheses, worst -0.804719 >= best candidate -1.609438 / 2: done (FALSE).
        Rows model = table(EOS_OR_LONGER);
        List<SequenceResult> best =
                BeamSearch.search(
                        0,
                        new int[] {2},
                        rules(1f, EarlyStopping.FALSE, 2, 5, List.of(), containsZero()),
                        model);
        assertSequence(best.get(0), new int[] {EOS}, FinishReason.EOS, -0.798508);
        assertSequence(best.get(1), new int[] {1, 0}, FinishReason.STOP, -1.609438 / 2);
        assertEquals(2, model.steps);
    }

    @Test
    void searchEndsWhenEveryCandidateStops() {
        // Every sequence stops at once: the top two candidates finish ("1" and "EOS"), the rest
        // are dropped, and no beam is left to run.
        Rows model = table(EOS_OR_LONGER);
        List<SequenceResult> best =
                BeamSearch.search(
                        0,
                        new int[] {2},
                        rules(1f, EarlyStopping.FALSE, 2, 5, List.of(), generated -> true),
                        model);
        assertSequence(best.get(0), new int[] {1}, FinishReason.STOP, -0.693147);
        assertSequence(best.get(1), new int[] {EOS}, FinishReason.EOS, -0.798508);
        assertEquals(1, model.steps);
    }

    @Test
    void contextLimitEndsTheSearchAsContextFull() {
        // Prompt of 1, limit 2: after 2 tokens the beams hold 3 > 2 and cannot be stepped again.
        // They finish as in EOS_OR_LONGER's step 2, but as CONTEXT_FULL.
        BeamSearch.Rules rules =
                new BeamSearch.Rules(
                        new BeamOptions(2, 1f, EarlyStopping.FALSE, 2),
                        10,
                        EOS,
                        2,
                        List.of(),
                        NO_STOP);
        List<SequenceResult> best =
                BeamSearch.search(0, new int[] {2}, rules, table(EOS_OR_LONGER));
        assertSequence(best.get(0), new int[] {EOS}, FinishReason.EOS, -0.798508);
        assertSequence(best.get(1), new int[] {1, 0}, FinishReason.CONTEXT_FULL, -1.609438 / 2);
    }

    @Test
    void zeroNewTokensGivesThePromptBack() {
        List<SequenceResult> best =
                BeamSearch.search(
                        4,
                        new int[] {2, 1},
                        rules(1f, EarlyStopping.FALSE, 2, 0, List.of(), NO_STOP),
                        table(EOS_OR_LONGER));
        assertEquals(2, best.size());
        assertArrayEquals(new int[] {2, 1}, best.get(0).tokens());
        assertEquals(4, best.get(0).promptIndex());
        assertEquals(0, best.get(0).generatedTokens());
    }

    @Test
    void topKeepsTheLargestWithTiesToTheLowerIndex() {
        double[] values = new double[32]; // zeros but for these
        values[0] = 1;
        values[1] = 3;
        values[2] = 3;
        values[3] = Double.NEGATIVE_INFINITY;
        values[4] = 2;
        values[5] = 3;
        // k = 3 takes the insertion path (8k < 32), k = 32 the full sort: the same order.
        int[] three = BeamSearch.top(values, 3);
        int[] all = BeamSearch.top(values, values.length);
        assertArrayEquals(new int[] {1, 2, 5}, three);
        assertArrayEquals(new int[] {1, 2, 5, 4, 0, 6, 7, 8}, Arrays.copyOf(all, 8));
        assertEquals(3, all[all.length - 1]);
        assertArrayEquals(new int[] {1}, BeamSearch.top(values, 1));
    }

    // ---- the real model ----

    private static GptConfig withEos() {
        // EOS = id 0, so random weights end some beams early.
        return GptConfig.builder()
                .vocabSize(50)
                .contextLength(32)
                .layers(2)
                .heads(2)
                .dModel(32)
                .mlpHidden(64)
                .eosTokenId(0)
                .build();
    }

    private static final List<int[]> PROMPTS =
            List.of(TestModels.randomIds(5, 50, 1), new int[] {7}, TestModels.randomIds(9, 50, 3));

    @ParameterizedTest(name = "{0} beams")
    @CsvSource({"2", "3", "4"})
    void cachedAndUncachedSearchesAgree(int numBeams) {
        GenerationOptions options =
                GenerationOptions.greedy(8).toBuilder()
                        .beams(new BeamOptions(numBeams, 1f, EarlyStopping.FALSE, numBeams))
                        .build();
        try (LanguageModel lm = LanguageModel.create(withEos(), 21, null);
                InferenceSession session = lm.newSession()) {
            BatchResult cached =
                    Generator.generate(session, PROMPTS, options, null, TokenListener.NONE);
            BatchResult uncached =
                    Generator.generate(
                            session,
                            PROMPTS,
                            options.toBuilder().kvCache(false).build(),
                            null,
                            TokenListener.NONE);
            assertEquals(PROMPTS.size() * numBeams, cached.sequences().size());
            assertSameSequences(cached.sequences(), uncached.sequences(), 1e-5);
            for (int i = 0; i < cached.sequences().size(); i++) {
                SequenceResult s = cached.sequences().get(i);
                assertEquals(i / numBeams, s.promptIndex(), "prompt order");
                assertArrayEquals(
                        PROMPTS.get(s.promptIndex()), Arrays.copyOf(s.tokens(), s.promptTokens()));
                if (i % numBeams > 0) {
                    double previous = cached.sequences().get(i - 1).score();
                    assertTrue(s.score() <= previous, "best first");
                }
            }
            assertTrue(cached.prefillMillis() > 0 && cached.decodeTokensPerSecond() > 0);
        }
    }

    @ParameterizedTest(name = "{0} beams")
    @CsvSource({"2", "4"})
    void batchSessionPathAgreesWithTheCoreOnPlainForwards(int numBeams) {
        // The core driven by one uncached forward per sequence (no BatchSession, no cache, no
        // padding) gives what the DJL batch path gives.
        GenerationOptions options =
                GenerationOptions.greedy(6).toBuilder()
                        .beams(new BeamOptions(numBeams, 1.3f, EarlyStopping.NEVER, 2))
                        .build();
        List<int[]> prompts = PROMPTS.subList(0, 2);
        try (LanguageModel lm = LanguageModel.create(withEos(), 8, null);
                InferenceSession session = lm.newSession();
                InferenceSession plain = lm.newSession()) {
            BatchResult viaBatch =
                    Generator.generate(session, prompts, options, null, TokenListener.NONE);
            BeamSearch.Rules rules = BeamGeneration.rules(lm.config(), options, null);
            List<SequenceResult> viaCore = new ArrayList<>();
            for (int p = 0; p < prompts.size(); p++) {
                viaCore.addAll(
                        BeamSearch.search(p, prompts.get(p), rules, forwards(plain::forward)));
            }
            assertSameSequences(viaCore, viaBatch.sequences(), 1e-5);
        }
    }

    @Test
    void reportedScoresAreTheSequencesLengthNormalisedLogProbs() {
        // Recomputed from uncached forwards, independently of the search: the sum of the generated
        // tokens' log-probabilities (EOS included) over generated_len ** 1.3.
        GenerationOptions options =
                GenerationOptions.greedy(8).toBuilder()
                        .beams(new BeamOptions(3, 1.3f, EarlyStopping.FALSE, 3))
                        .build();
        try (LanguageModel lm = LanguageModel.create(withEos(), 4, null);
                InferenceSession session = lm.newSession()) {
            int[] prompt = TestModels.randomIds(4, 50, 6);
            List<SequenceResult> best =
                    Generator.generate(session, List.of(prompt), options, null, TokenListener.NONE)
                            .sequences();
            assertEquals(3, best.size());
            for (SequenceResult s : best) {
                double expected =
                        logProb(session, s.tokens(), prompt.length)
                                / Math.pow(s.generatedTokens(), 1.3);
                assertEquals(expected, s.score(), 1e-5, Arrays.toString(s.generated()));
            }
        }
    }

    @ParameterizedTest(name = "{0} beams, seed {1}")
    @CsvSource({"2, 1", "3, 2", "4, 3"})
    void bestBeamScoresAtLeastGreedyOverTwoTokens(int numBeams, long seed) {
        // Greedy's first token is the top candidate of step 1, so it is a beam, and greedy's
        // second token is that beam's best candidate of step 2: the best beam can only score
        // higher. Over longer runs this is not guaranteed: with seed 2 and 15 tokens greedy's
        // prefix "17 17 32" leaves the 3 beams at step 4 and greedy ends higher (-3.4312 against
        // -3.4405 per token), as beam search is a heuristic.
        GenerationOptions greedy = GenerationOptions.greedy(2).toBuilder().stopAtEos(false).build();
        GenerationOptions beams =
                greedy.toBuilder()
                        .beams(new BeamOptions(numBeams, 1f, EarlyStopping.FALSE, 1))
                        .build();
        try (LanguageModel lm = LanguageModel.create(withEos(), seed, null);
                InferenceSession session = lm.newSession()) {
            int[] prompt = TestModels.randomIds(4, 50, seed);
            GenerationResult g = Generator.generate(session, prompt, greedy);
            SequenceResult b =
                    Generator.generate(session, List.of(prompt), beams, null, TokenListener.NONE)
                            .sequences()
                            .get(0);
            assertEquals(FinishReason.LENGTH, b.finishReason());
            assertEquals(g.tokens().length, b.tokens().length);
            double greedyScore = logProb(session, g.tokens(), prompt.length) / 2;
            assertTrue(
                    b.score() >= greedyScore - 1e-6,
                    "beam " + b.score() + " < greedy " + greedyScore);
        }
    }

    @Test
    void stopPolicyEndsBeamsAsContextFull() {
        // Prompt of 30 in a context of 32: the beams hold 33 tokens after 3 and stop there.
        GenerationOptions options =
                GenerationOptions.greedy(10).toBuilder()
                        .stopAtEos(false)
                        .contextPolicy(ContextPolicy.STOP)
                        .beams(new BeamOptions(2, 1f, EarlyStopping.FALSE, 2))
                        .build();
        try (LanguageModel lm = LanguageModel.create(withEos(), 3, null);
                InferenceSession session = lm.newSession()) {
            List<int[]> prompt = List.of(TestModels.randomIds(30, 50, 5));
            List<SequenceResult> cached =
                    Generator.generate(session, prompt, options, null, TokenListener.NONE)
                            .sequences();
            List<SequenceResult> uncached =
                    Generator.generate(
                                    session,
                                    prompt,
                                    options.toBuilder().kvCache(false).build(),
                                    null,
                                    TokenListener.NONE)
                            .sequences();
            assertSameSequences(cached, uncached, 1e-5);
            for (SequenceResult s : cached) {
                assertEquals(FinishReason.CONTEXT_FULL, s.finishReason());
                assertEquals(33, s.tokens().length);
            }
        }
    }

    @Test
    void moreBeamsThanTokensIsRejected() {
        GenerationOptions options =
                GenerationOptions.greedy(3).toBuilder()
                        .beams(new BeamOptions(21, 1f, EarlyStopping.FALSE, 1))
                        .build();
        try (LanguageModel lm = LanguageModel.create(GptConfig.exercise(), 1, null);
                InferenceSession session = lm.newSession()) {
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> Generator.generate(session, new int[] {1}, options));
            assertTrue(e.getMessage().contains("num_beams (21)"), e.getMessage());
        }
    }

    @Test
    void oneNewTokenHasNoDecodeRate() {
        GenerationOptions options =
                GenerationOptions.greedy(1).toBuilder()
                        .beams(new BeamOptions(2, 1f, EarlyStopping.FALSE, 2))
                        .build();
        try (LanguageModel lm = LanguageModel.create(withEos(), 2, null);
                InferenceSession session = lm.newSession()) {
            BatchResult r = Generator.generate(session, PROMPTS, options, null, TokenListener.NONE);
            assertTrue(Double.isNaN(r.decodeTokensPerSecond()));
            assertEquals(PROMPTS.size() * 2, r.sequences().size());
        }
    }

    // ---- helpers ----

    private static List<SequenceResult> search(
            Map<List<Integer>, double[]> table,
            float lengthPenalty,
            EarlyStopping earlyStopping,
            int numReturn,
            int maxNewTokens) {
        return BeamSearch.search(
                0,
                new int[] {2},
                rules(lengthPenalty, earlyStopping, numReturn, maxNewTokens, List.of(), NO_STOP),
                table(table));
    }

    private static BeamSearch.Rules rules(
            float lengthPenalty,
            EarlyStopping earlyStopping,
            int numReturn,
            int maxNewTokens,
            List<LogitsProcessor> processors,
            Predicate<int[]> stop) {
        return new BeamSearch.Rules(
                new BeamOptions(2, lengthPenalty, earlyStopping, numReturn),
                maxNewTokens,
                EOS,
                Integer.MAX_VALUE,
                processors,
                stop);
    }

    private static Predicate<int[]> containsZero() {
        return generated -> Arrays.stream(generated).anyMatch(t -> t == 0);
    }

    /**
     * A model whose logits are ln p of the table row for the generated tokens ({@link #FALLBACK}
     * for rows not listed).
     */
    private static Rows table(Map<List<Integer>, double[]> table) {
        return new Rows(
                (sequence, promptLength) -> {
                    List<Integer> generated = new ArrayList<>();
                    for (int i = promptLength; i < sequence.length; i++) {
                        generated.add(sequence[i]);
                    }
                    double[] p = table.getOrDefault(generated, FALLBACK);
                    float[] logits = new float[p.length];
                    for (int t = 0; t < p.length; t++) {
                        logits[t] = (float) Math.log(p[t]);
                    }
                    return logits;
                });
    }

    /** A model that runs every sequence alone through {@code forward}. */
    private static Rows forwards(Function<int[], float[]> forward) {
        return new Rows((sequence, promptLength) -> forward.apply(sequence));
    }

    /**
     * The rows of a search, each row's logits a function of its whole sequence (and the prompt's
     * length); {@link #steps} counts the model steps.
     */
    private static final class Rows implements BeamSearch.LogitsSource {
        private final BiFunction<int[], Integer, float[]> logits;
        private int[][] rows;
        private int promptLength;
        int steps;

        Rows(BiFunction<int[], Integer, float[]> logits) {
            this.logits = logits;
        }

        @Override
        public float[] start(int[] prompt) {
            steps++;
            rows = new int[][] {prompt};
            promptLength = prompt.length;
            return logits.apply(prompt, promptLength);
        }

        @Override
        public float[][] advance(int[] from, int[] tokens) {
            steps++;
            int[][] next = new int[from.length][];
            float[][] out = new float[from.length][];
            for (int i = 0; i < from.length; i++) {
                next[i] = Arrays.copyOf(rows[from[i]], rows[from[i]].length + 1);
                next[i][next[i].length - 1] = tokens[i];
                out[i] = logits.apply(next[i], promptLength);
            }
            rows = next;
            return out;
        }
    }

    /** Sum of the generated tokens' log-probabilities under uncached forwards. */
    private static double logProb(InferenceSession session, int[] tokens, int promptLength) {
        double sum = 0;
        for (int i = promptLength; i < tokens.length; i++) {
            float[] logits = session.forward(Arrays.copyOf(tokens, i));
            double max = Double.NEGATIVE_INFINITY;
            for (float x : logits) {
                max = Math.max(max, x);
            }
            double z = 0;
            for (float x : logits) {
                z += Math.exp(x - max);
            }
            sum += logits[tokens[i]] - max - Math.log(z);
        }
        return sum;
    }

    private static void assertSequence(
            SequenceResult s, int[] generated, FinishReason reason, double score) {
        assertArrayEquals(generated, s.generated(), "tokens");
        assertEquals(reason, s.finishReason());
        assertEquals(score, s.score(), TOLERANCE, "score");
    }

    private static void assertSameSequences(
            List<SequenceResult> a, List<SequenceResult> b, double tolerance) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).promptIndex(), b.get(i).promptIndex(), "sequence " + i);
            assertArrayEquals(a.get(i).tokens(), b.get(i).tokens(), "sequence " + i);
            assertEquals(a.get(i).finishReason(), b.get(i).finishReason(), "sequence " + i);
            assertEquals(a.get(i).score(), b.get(i).score(), tolerance, "sequence " + i);
        }
    }
}
