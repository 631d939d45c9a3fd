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
        assertMessage(
                "temperature must be ≥ 0, got -0.5",
                () -> BASE.toBuilder().temperature(-0.5f).build());
        assertMessage(
                "temperature must be ≥ 0, got NaN",
                () -> BASE.toBuilder().temperature(Float.NaN).build());
        assertMessage(
                "temperature must be finite, got Infinity",
                () -> BASE.toBuilder().temperature(Float.POSITIVE_INFINITY).build());
        assertMessage("top_k must be ≥ 0, got -1", () -> BASE.toBuilder().topK(-1).build());
        assertMessage(
                "top_p must be in (0, 1], got 1.5", () -> BASE.toBuilder().topP(1.5f).build());
        assertMessage("top_p must be in (0, 1], got 0.0", () -> BASE.toBuilder().topP(0f).build());
        assertMessage(
                "top_p must be in (0, 1], got NaN", () -> BASE.toBuilder().topP(Float.NaN).build());
        assertMessage(
                "repetition_penalty must be > 0, got 0.0",
                () -> BASE.toBuilder().repetitionPenalty(0f).build());
        assertMessage(
                "repetition_penalty must be > 0, got NaN",
                () -> BASE.toBuilder().repetitionPenalty(Float.NaN).build());
        assertMessage(
                "no_repeat_ngram_size must be ≥ 0, got -2",
                () -> BASE.toBuilder().noRepeatNgramSize(-2).build());
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
                BASE.toBuilder()
                        .temperature(0.7f)
                        .topK(40)
                        .topP(0.9f)
                        .repetitionPenalty(1.3f)
                        .noRepeatNgramSize(3)
                        .seed(11L)
                        .build());
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
        // Greedy keeps the processors (as HF); the warpers need sampling.
        assertEquals(
                List.of(new RepetitionPenalty(1.3f), new NoRepeatNGram(3)),
                LogitsProcessors.of(all.toBuilder().temperature(0f).topK(0).topP(1f).build()));
        assertEquals(List.of(), LogitsProcessors.of(SamplingConfig.greedy()));
        assertEquals(List.of(), LogitsProcessors.of(SamplingConfig.sampling(1L)));
    }

    @Test
    void topKAndTopPTurnSamplingOnOrAreRefusedWithTemperatureZero() {
        assertEquals(1f, SamplingConfig.builder().topK(5).build().temperature());
        assertEquals(1f, SamplingConfig.builder().topP(0.9f).build().temperature());
        assertEquals(0f, SamplingConfig.builder().repetitionPenalty(1.2f).build().temperature());
        assertEquals(
                0.5f, SamplingConfig.builder().topK(5).temperature(0.5f).build().temperature());
        assertMessage(
                "top_k 5 needs sampling, but temperature 0 decodes greedily",
                () -> SamplingConfig.builder().temperature(0f).topK(5).build());
        assertMessage(
                "top_p 0.9 needs sampling, but temperature 0 decodes greedily",
                () -> new SamplingConfig(0f, 0, 0.9f, 1f, 0, 0L));
    }

    private static void assertMessage(String expected, Executable build) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, build).getMessage());
    }
}
