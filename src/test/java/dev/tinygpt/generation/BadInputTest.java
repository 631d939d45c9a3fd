package dev.tinygpt.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinygpt.config.GptConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad input is an IllegalArgumentException that names the problem, never a libtorch error. */
class BadInputTest {
    static LanguageModel lm;

    @BeforeAll
    static void load() {
        lm = LanguageModel.create(GptConfig.exercise(), 1, null);
    }

    @AfterAll
    static void close() {
        lm.close();
    }

    @Test
    void tokenIdsOutOfRangeOrNegative() {
        try (InferenceSession s = lm.newSession()) {
            assertMessage(
                    "token id 20 at index 2 is out of range: the vocabulary has ids 0..19",
                    () -> s.prefill(new int[] {1, 2, 20}));
            assertMessage(
                    "token id -1 at index 0 is out of range", () -> s.forward(new int[] {-1}));
            s.prefill(new int[] {1});
            assertMessage("token id 1000 at index 0 is out of range", () -> s.append(1000));
        }
        assertMessage(
                "prompt token id 25 at index 1 is out of range",
                () -> lm.generate(new int[] {1, 25}, GenerationOptions.greedy(3)));
    }

    @Test
    void theLargestMaxNewTokensRunsUntilEosWithoutReservingItsRoom() {
        // "Generate until EOS": a sequence's buffer starts small and grows, so Integer.MAX_VALUE
        // neither overflows nor asks for an 8 GB array up front.
        try (LanguageModel withEos =
                LanguageModel.create(
                        GptConfig.exercise().toBuilder().eosTokenId(2).build(), 1, null)) {
            GenerationOptions untilEos =
                    GenerationOptions.greedy(Integer.MAX_VALUE).toBuilder()
                            .sampling(
                                    dev.tinygpt.sampling.SamplingConfig.sampling(3).toBuilder()
                                            .temperature(2f)
                                            .build())
                            .build();
            GenerationResult result = withEos.generate(new int[] {1, 2, 3}, untilEos);
            assertEquals(FinishReason.EOS, result.finishReason());
            assertEquals(2, result.tokens()[result.tokens().length - 1]);
        }
    }

    @Test
    void emptyPrompt() {
        try (InferenceSession s = lm.newSession()) {
            assertMessage("empty input", () -> s.prefill(new int[0]));
            assertMessage("empty input", () -> s.append());
        }
        assertMessage("empty prompt", () -> lm.generate(new int[0], GenerationOptions.greedy(3)));
    }

    @Test
    void positionsPastTheContextWindow() {
        try (InferenceSession s = lm.newSession()) {
            s.prefill(new int[32]);
            assertMessage(
                    "position 32 is outside the context window: the model has positions 0..31",
                    () -> s.append(1));
            assertMessage("position 32 is outside", () -> s.forward(new int[33]));
        }
        assertMessage(
                "prompt has 40 tokens but the context holds 32",
                () ->
                        lm.generate(
                                new int[40],
                                GenerationOptions.greedy(3).toBuilder()
                                        .contextPolicy(ContextPolicy.STOP)
                                        .build()));
        // The shift policy keeps the prompt's end instead.
        assertEquals(43, lm.generate(new int[40], GenerationOptions.greedy(3)).tokens().length);
    }

    @Test
    void badOptions() {
        assertMessage(
                "max_new_tokens must be 0 or more, got -1", () -> GenerationOptions.greedy(-1));
        assertMessage(
                "context_shift must be in [1, 31]",
                () ->
                        lm.generate(
                                new int[] {1},
                                GenerationOptions.greedy(40).toBuilder().contextShift(32).build()));
        assertEquals(0, lm.generate(new int[] {1}, GenerationOptions.greedy(0)).generatedTokens());
    }

    private static void assertMessage(String expected, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), () -> "message was: " + e.getMessage());
    }
}
