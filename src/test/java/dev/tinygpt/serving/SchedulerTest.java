package dev.tinygpt.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinygpt.TestModels;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.generation.FinishReason;
import dev.tinygpt.generation.GenerationOptions;
import dev.tinygpt.generation.InferenceSession;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.sampling.LogitsProcessor;
import dev.tinygpt.tokenizer.WordTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Continuous batching gives every request what it gets alone: the {@code Generator} (through {@link
 * LanguageModel#generate}) is the oracle for greedy and seeded sampling, a plain loop over one
 * {@link InferenceSession} with plain-Java penalties for what the generator does not have. Rows
 * join and leave mid-flight: more requests than rows, of different lengths.
 */
class SchedulerTest {
    private static final WordTokenizer WORDS = WordTokenizer.exercise();

    /** One request and what it should give. */
    private record Case(List<int[]> prompts, CompletionSettings settings, RecordingListener out) {
        Case(List<int[]> prompts, CompletionSettings settings) {
            this(prompts, settings, new RecordingListener(prompts.size() * settings.n()));
        }
    }

    @Test
    void greedyRowsJoiningAndLeavingEqualTheGeneratorAlone() throws Exception {
        // 10 prompts of 1 … 12 tokens and 3 … 20 new tokens through 3 rows: rows leave at
        // different steps and newcomers join mid-flight, longer and shorter than the batch.
        try (LanguageModel lm = LanguageModel.create(GptConfig.exercise(), 11, WORDS);
                Scheduler scheduler = new Scheduler(lm, 3, 20)) {
            List<Case> cases = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int[] prompt = TestModels.randomIds(1 + (i * 7) % 12, 20, i);
                CompletionSettings settings =
                        CompletionSettings.builder()
                                .temperature(0)
                                .maxTokens(3 + (i * 5) % 18)
                                .logprobs(0)
                                .build();
                cases.add(submit(scheduler, new Case(List.of(prompt), settings)));
            }
            for (Case c : cases) {
                int[] prompt = c.prompts().get(0);
                int maxTokens = c.settings().maxTokens();
                RecordingListener.Record r = c.out().await().get(0);
                int[] alone = lm.generate(prompt, GenerationOptions.greedy(maxTokens)).generated();
                assertArrayEquals(alone, r.ids(), "prompt " + List.of(prompt));
                assertEquals(completion(prompt, alone), r.text.toString());
                assertEquals(FinishReason.LENGTH, r.reason);
                assertEquals(maxTokens, r.completionTokens);
            }
        }
    }

    @Test
    void seededSamplingWithEachRowsOwnSettingsEqualsTheGeneratorAlone() throws Exception {
        // Temperatures, top-k, top-p, repetition penalties and seeds differ row by row; some
        // requests ask for 2 or 3 choices or hold 2 prompts. 4 rows for 13 sequences.
        try (LanguageModel lm = LanguageModel.create(GptConfig.exercise(), 12, WORDS);
                Scheduler scheduler = new Scheduler(lm, 4, 20)) {
            List<Case> cases = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                List<int[]> prompts = new ArrayList<>();
                prompts.add(TestModels.randomIds(1 + (i * 5) % 11, 20, 100 + i));
                if (i == 3) {
                    prompts.add(TestModels.randomIds(4, 20, 200));
                }
                CompletionSettings settings =
                        CompletionSettings.builder()
                                .temperature(new float[] {1f, 0.7f, 1.5f, 0.9f, 1.2f, 0.5f, 1f}[i])
                                .topK(new int[] {0, 5, 0, 8, -1, 0, 3}[i])
                                .topP(new float[] {1f, 1f, 0.8f, 0.9f, 1f, 0.95f, 1f}[i])
                                .repetitionPenalty(i % 3 == 1 ? 1.3f : 1f)
                                .seed(1000L * i)
                                .n(i % 3 == 0 ? 2 : i == 5 ? 3 : 1)
                                .maxTokens(4 + (i * 3) % 15)
                                .logprobs(0)
                                .build();
                cases.add(submit(scheduler, new Case(prompts, settings)));
            }
            for (Case c : cases) {
                Map<Integer, RecordingListener.Record> records = c.out().await();
                int n = c.settings().n();
                for (int p = 0; p < c.prompts().size(); p++) {
                    for (int k = 0; k < n; k++) {
                        int[] alone = aloneSampled(lm, c.prompts().get(p), c.settings(), k);
                        RecordingListener.Record r = records.get(p * n + k);
                        assertArrayEquals(alone, r.ids(), "choice " + (p * n + k));
                        assertEquals(completion(c.prompts().get(p), alone), r.text.toString());
                    }
                }
            }
            // The choices of a request differ (seed + c), or n would be pointless.
            Map<Integer, RecordingListener.Record> threeChoices = cases.get(5).out().await();
            assertNotEquals(
                    threeChoices.get(0).text.toString(), threeChoices.get(1).text.toString());
        }
    }

    @Test
    void penaltiesEqualAPlainJavaReferenceWhileBatchedWithOthers() throws Exception {
        // Greedy, so the penalties alone decide which token wins; strong enough to change it.
        // The last rows combine the repetition penalty with the others: their order matters.
        float[][] penalties = { // presence, frequency, repetition
            {1.5f, 0f, 1f},
            {0f, 1.2f, 1f},
            {0.8f, 0.6f, 1f},
            {-1f, -0.5f, 1f},
            {0.5f, 0.9f, 1.4f},
            {1f, 1f, 2f},
            {-1.5f, 0f, 3f},
            {2f, 2f, 0.5f},
            {-2f, -2f, 0.3f}
        };
        try (LanguageModel lm = LanguageModel.create(GptConfig.exercise(), 13, WORDS);
                Scheduler scheduler = new Scheduler(lm, 3, 20)) {
            List<Case> cases = new ArrayList<>();
            for (int i = 0; i < penalties.length; i++) {
                CompletionSettings settings =
                        CompletionSettings.builder()
                                .temperature(0)
                                .presencePenalty(penalties[i][0])
                                .frequencyPenalty(penalties[i][1])
                                .repetitionPenalty(penalties[i][2])
                                .maxTokens(20)
                                .logprobs(0)
                                .build();
                int[] prompt = TestModels.randomIds(3 + i, 20, 300 + i);
                cases.add(submit(scheduler, new Case(List.of(prompt), settings)));
            }
            boolean anyChanged = false;
            for (Case c : cases) {
                int[] prompt = c.prompts().get(0);
                int[] expected = ReferenceDecoding.penalized(lm, prompt, c.settings(), -1);
                assertArrayEquals(expected, c.out().await().get(0).ids(), c.settings().toString());
                int[] plain = lm.generate(prompt, GenerationOptions.greedy(20)).generated();
                anyChanged |= !Arrays.equals(plain, expected);
            }
            assertTrue(anyChanged, "the penalties never changed a token: the test proves nothing");
        }
    }

    @Test
    void aChoicesPenaltiesRunInVllmsOrderOnLogitsOfAnyScale() {
        // The random model's logits are small, where the order of the repetition penalty and the
        // others rarely changes the argmax: here logits of scale 4 and every value compared.
        Random random = new Random(9);
        for (int trial = 0; trial < 200; trial++) {
            int vocab = 2 + random.nextInt(20);
            int[] prompt = TestModels.randomIds(1 + random.nextInt(6), vocab, trial);
            int[] completion = TestModels.randomIds(random.nextInt(8), vocab, -trial);
            CompletionSettings settings =
                    CompletionSettings.builder()
                            .presencePenalty(random.nextFloat() * 4 - 2)
                            .frequencyPenalty(random.nextFloat() * 4 - 2)
                            .repetitionPenalty(0.2f + random.nextFloat() * 3)
                            .maxTokens(10)
                            .minTokens(random.nextInt(10))
                            .build();
            int eos = random.nextInt(vocab);
            float[] logits = new float[vocab];
            double[] expected = new double[vocab];
            for (int v = 0; v < vocab; v++) {
                logits[v] = (float) (4 * random.nextGaussian());
                expected[v] = logits[v];
            }
            int[] tokens = Arrays.copyOf(prompt, prompt.length + completion.length);
            System.arraycopy(completion, 0, tokens, prompt.length, completion.length);
            for (LogitsProcessor p : Choice.penalties(settings, eos, prompt.length)) {
                p.process(tokens, tokens.length, logits);
            }
            ReferenceDecoding.penalize(expected, prompt, completion, settings, eos);
            for (int v = 0; v < vocab; v++) {
                assertEquals(expected[v], logits[v], 1e-4, "trial " + trial + ", token " + v);
            }
        }
    }

    @Test
    void minTokensHoldsOffTheEndOfSequenceToken() throws Exception {
        int[] prompt = {1, 2, 3};
        int eos;
        try (LanguageModel plain = LanguageModel.create(GptConfig.exercise(), 14, WORDS)) {
            eos = plain.generate(prompt, GenerationOptions.greedy(1)).generated()[0];
        }
        // The same weights with that token as EOS: greedy ends at once unless min_tokens holds.
        GptConfig withEos = GptConfig.exercise().toBuilder().eosTokenId(eos).build();
        try (LanguageModel lm = LanguageModel.create(withEos, 14, WORDS);
                Scheduler scheduler = new Scheduler(lm, 2, 4)) {
            CompletionSettings.Builder greedy =
                    CompletionSettings.builder().temperature(0).maxTokens(12).logprobs(0);
            Case free = submit(scheduler, new Case(List.of(prompt), greedy.build()));
            Case held = submit(scheduler, new Case(List.of(prompt), greedy.minTokens(5).build()));
            RecordingListener.Record f = free.out().await().get(0);
            assertEquals(FinishReason.EOS, f.reason);
            assertEquals(1, f.completionTokens);
            assertEquals("", f.text.toString());
            RecordingListener.Record h = held.out().await().get(0);
            int[] expected = ReferenceDecoding.penalized(lm, prompt, held.settings(), eos);
            assertArrayEquals(expected, h.ids());
            assertTrue(h.completionTokens >= 5, h.completionTokens + " tokens");
            for (int t = 0; t < 5; t++) {
                assertNotEquals(eos, h.ids.get(t), "EOS at token " + t);
            }
        }
    }

    @Test
    void stopStringsEndTheTextBeforeThemEvenAcrossTokenBoundaries() throws Exception {
        int[] prompt = {0, 4, 5};
        try (LanguageModel lm = LanguageModel.create(GptConfig.exercise(), 15, WORDS);
                Scheduler scheduler = new Scheduler(lm, 3, 8)) {
            int[] alone = lm.generate(prompt, GenerationOptions.greedy(20)).generated();
            String full = completion(prompt, alone);
            // " w0 w1 w2 w3 …": a stop from the last letter of word 2 to the first two of word 3.
            int third = nthSpace(full, 3);
            String across = full.substring(third - 1, third + 3);
            String later = full.substring(nthSpace(full, 5), nthSpace(full, 5) + 3);
            String never = "zzz";
            Case[] cases = {
                stopCase(scheduler, prompt, List.of(across)),
                stopCase(scheduler, prompt, List.of(later, never, across)),
                stopCase(scheduler, prompt, List.of(never)),
            };
            for (int i = 0; i < 2; i++) {
                int first =
                        cases[i].settings().stop().stream()
                                .mapToInt(full::indexOf)
                                .filter(at -> at >= 0)
                                .min()
                                .orElseThrow();
                String cut = full.substring(0, first);
                RecordingListener.Record r = cases[i].out().await().get(0);
                assertEquals(cut, r.text.toString(), "stops " + cases[i].settings().stop());
                assertEquals(FinishReason.STOP, r.reason);
                assertTrue(r.completionTokens < 20);
                // streamed pieces never showed text the stop took back
                assertEquals(cut, String.join("", r.pieces));
            }
            RecordingListener.Record none = cases[2].out().await().get(0);
            assertEquals(full, none.text.toString());
            assertEquals(FinishReason.LENGTH, none.reason);
        }
    }

    @Test
    void echoAndLogprobsAreTheModelsLogSoftmaxForPromptAndCompletion() throws Exception {
        int[] prompt = {3, 7, 1, 9, 9, 2};
        try (LanguageModel lm = LanguageModel.create(GptConfig.exercise(), 16, WORDS);
                Scheduler scheduler = new Scheduler(lm, 2, 4);
                InferenceSession reference = lm.newSession()) {
            CompletionSettings settings =
                    CompletionSettings.builder()
                            .temperature(0.8f)
                            .seed(5)
                            .maxTokens(6)
                            .logprobs(3)
                            .echo(true)
                            .build();
            Case c = submit(scheduler, new Case(List.of(prompt), settings));
            RecordingListener.Record r = c.out().await().get(0);
            String promptText = WORDS.decode(prompt);
            assertEquals(promptText, r.promptText);
            assertTrue(r.text.toString().startsWith(promptText));
            assertNull(r.promptLogprobs.get(0).logprob());
            assertEquals(prompt.length, r.promptLogprobs.size());
            int[] all = Arrays.copyOf(prompt, prompt.length + r.ids.size());
            for (int i = 0; i < r.ids.size(); i++) {
                all[prompt.length + i] = r.ids.get(i);
            }
            List<TokenLogprob> scored = new ArrayList<>(r.promptLogprobs.subList(1, prompt.length));
            scored.addAll(r.logprobs);
            for (int t = 1; t < all.length; t++) {
                TokenLogprob lp = scored.get(t - 1);
                double[] expected =
                        ReferenceDecoding.logSoftmax(reference.forward(Arrays.copyOf(all, t)));
                assertEquals(all[t], lp.id());
                assertEquals(expected[all[t]], lp.logprob(), 1e-4, "position " + t);
                assertEquals(3, lp.top().size());
                for (int k = 0; k < 3; k++) {
                    TokenLogprob.Candidate top = lp.top().get(k);
                    assertEquals(ReferenceDecoding.rank(expected, k), top.id(), "rank " + k);
                    assertEquals(expected[top.id()], top.logprob(), 1e-4);
                }
                // where the token's text starts in the echoed text
                String before = WORDS.decode(Arrays.copyOf(all, t));
                assertEquals(before.length(), lp.textOffset(), "text offset at " + t);
            }
            // The same request without echo and logprobs samples the same tokens.
            CompletionSettings quiet =
                    CompletionSettings.builder().temperature(0.8f).seed(5).maxTokens(6).build();
            Case plain = submit(scheduler, new Case(List.of(prompt), quiet));
            assertEquals(
                    r.text.substring(promptText.length()),
                    plain.out().await().get(0).text.toString());
        }
    }

    @Test
    void promptScoresOfALoadedModelEqualItsCreatorsAndLeaveItWhole(@TempDir Path dir)
            throws Exception {
        int[] prompt = {4, 9, 2, 2, 17};
        CompletionSettings score =
                CompletionSettings.builder().maxTokens(0).logprobs(2).echo(true).build();
        List<TokenLogprob> created;
        try (LanguageModel lm = LanguageModel.create(GptConfig.exercise(), 18, WORDS);
                Scheduler scheduler = new Scheduler(lm, 1, 1)) {
            created =
                    submit(scheduler, new Case(List.of(prompt), score))
                            .out()
                            .await()
                            .get(0)
                            .promptLogprobs;
            lm.save(dir);
        }
        try (LanguageModel loaded = LanguageModel.load(dir)) {
            int[] before = loaded.generate(prompt, GenerationOptions.greedy(8)).generated();
            try (Scheduler scheduler = new Scheduler(loaded, 1, 1)) {
                List<TokenLogprob> scored =
                        submit(scheduler, new Case(List.of(prompt), score))
                                .out()
                                .await()
                                .get(0)
                                .promptLogprobs;
                for (int t = 1; t < prompt.length; t++) {
                    assertEquals(created.get(t).logprob(), scored.get(t).logprob(), 1e-6);
                }
            }
            // the scoring block shares the weights; its session closed with the scheduler
            assertArrayEquals(
                    before, loaded.generate(prompt, GenerationOptions.greedy(8)).generated());
        }
    }

    @Test
    void maxTokensZeroWithEchoScoresThePromptOnly() throws Exception {
        int[] prompt = {5, 6, 7};
        try (LanguageModel lm = LanguageModel.create(GptConfig.exercise(), 17, WORDS);
                Scheduler scheduler = new Scheduler(lm, 1, 2)) {
            CompletionSettings settings =
                    CompletionSettings.builder().maxTokens(0).logprobs(1).echo(true).build();
            Case c = submit(scheduler, new Case(List.of(prompt, new int[] {8}), settings));
            Map<Integer, RecordingListener.Record> records = c.out().await();
            assertEquals(WORDS.decode(prompt), records.get(0).text.toString());
            assertEquals(3, records.get(0).promptLogprobs.size());
            assertEquals("on", records.get(1).text.toString());
            for (RecordingListener.Record r : records.values()) {
                assertEquals(FinishReason.LENGTH, r.reason);
                assertEquals(0, r.completionTokens);
            }
        }
    }

    static Case submit(Scheduler scheduler, Case c) {
        scheduler.submit(new Job(c.prompts(), c.settings(), c.out()));
        return c;
    }

    private static Case stopCase(Scheduler scheduler, int[] prompt, List<String> stops) {
        CompletionSettings settings =
                CompletionSettings.builder().temperature(0).maxTokens(20).stop(stops).build();
        return submit(scheduler, new Case(List.of(prompt), settings));
    }

    /** The generator alone for choice {@code c} of these settings (seed + c). */
    private static int[] aloneSampled(
            LanguageModel lm, int[] prompt, CompletionSettings settings, int c) {
        GenerationOptions options =
                GenerationOptions.builder()
                        .maxNewTokens(settings.maxTokens())
                        .sampling(settings.sampling(c))
                        .build();
        return lm.generate(prompt, options).generated();
    }

    /** What a completion's text is: the whole decoded sequence past the decoded prompt. */
    static String completion(int[] prompt, int[] generated) {
        int[] all = Arrays.copyOf(prompt, prompt.length + generated.length);
        System.arraycopy(generated, 0, all, prompt.length, generated.length);
        return WORDS.decode(all).substring(WORDS.decode(prompt).length());
    }

    private static int nthSpace(String text, int n) {
        int at = -1;
        for (int i = 0; i < n; i++) {
            at = text.indexOf(' ', at + 1);
        }
        return at;
    }
}
