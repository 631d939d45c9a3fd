package dev.tinygpt.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class SamplingConfigTest {
    private static final SamplingConfig BASE = SamplingConfig.sampling(7L);

    @Test
    void rejectsBadValuesNamingTheOptionAndValue() {
        assertMessage("temperature must be ≥ 0, got -0.5", () -> BASE.withTemperature(-0.5f));
        assertMessage("temperature must be ≥ 0, got NaN", () -> BASE.withTemperature(Float.NaN));
        assertMessage(
                "temperature must be finite, got Infinity",
                () -> BASE.withTemperature(Float.POSITIVE_INFINITY));
        assertMessage("top_k must be ≥ 0, got -1", () -> BASE.withTopK(-1));
        assertMessage("top_p must be in (0, 1], got 1.5", () -> BASE.withTopP(1.5f));
        assertMessage("top_p must be in (0, 1], got 0.0", () -> BASE.withTopP(0f));
        assertMessage("top_p must be in (0, 1], got NaN", () -> BASE.withTopP(Float.NaN));
        assertMessage(
                "repetition_penalty must be > 0, got 0.0", () -> BASE.withRepetitionPenalty(0f));
        assertMessage(
                "repetition_penalty must be > 0, got NaN",
                () -> BASE.withRepetitionPenalty(Float.NaN));
        assertMessage(
                "no_repeat_ngram_size must be ≥ 0, got -2", () -> BASE.withNoRepeatNgramSize(-2));
    }

    @Test
    void factoriesAndWithers() {
        SamplingConfig greedy = SamplingConfig.greedy();
        assertTrue(greedy.isGreedy());
        assertEquals(new SamplingConfig(0f, 0, 1f, 1f, 0, 0L), greedy);
        assertFalse(BASE.isGreedy());
        assertEquals(new SamplingConfig(1f, 0, 1f, 1f, 0, 7L), BASE);
        assertEquals(
                new SamplingConfig(0.7f, 40, 0.9f, 1.3f, 3, 11L),
                BASE.withTemperature(0.7f)
                        .withTopK(40)
                        .withTopP(0.9f)
                        .withRepetitionPenalty(1.3f)
                        .withNoRepeatNgramSize(3)
                        .withSeed(11L));
        assertEquals(new Random(7L).nextLong(), BASE.newRandom().nextLong());
    }

    @Test
    void processorsComeInHfOrderAndOffOnesAreSkipped() {
        SamplingConfig all =
                new SamplingConfig(0.7f, 40, 0.9f, 1.3f, 3, 0L); // every option on, sampling
        assertEquals(
                List.of(
                        new RepetitionPenalty(1.3f),
                        new NoRepeatNGram(3),
                        new Temperature(0.7f),
                        new TopK(40),
                        new TopP(0.9f)),
                LogitsProcessors.of(all));
        // Greedy keeps the processors (as HF) and drops the warpers.
        assertEquals(
                List.of(new RepetitionPenalty(1.3f), new NoRepeatNGram(3)),
                LogitsProcessors.of(all.withTemperature(0f)));
        assertEquals(List.of(), LogitsProcessors.of(SamplingConfig.greedy()));
        assertEquals(List.of(), LogitsProcessors.of(SamplingConfig.sampling(1L)));
    }

    private static void assertMessage(String expected, Executable build) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, build).getMessage());
    }
}
