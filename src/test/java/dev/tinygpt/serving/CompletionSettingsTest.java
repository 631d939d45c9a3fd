package dev.tinygpt.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinygpt.sampling.SamplingConfig;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Each out-of-range field is a 400 that names the field; the sampling part maps as vLLM's. */
class CompletionSettingsTest {

    @Test
    void everyBadValueNamesItsField() {
        bad("max_tokens", b -> b.maxTokens(-1));
        bad("temperature", b -> b.temperature(-0.1f));
        bad("temperature", b -> b.temperature(Float.NaN));
        bad("top_p", b -> b.topP(0f));
        bad("top_p", b -> b.topP(1.5f));
        bad("top_k", b -> b.topK(-2));
        bad("repetition_penalty", b -> b.repetitionPenalty(0f));
        bad("repetition_penalty", b -> b.repetitionPenalty(Float.POSITIVE_INFINITY));
        bad("presence_penalty", b -> b.presencePenalty(2.5f));
        bad("frequency_penalty", b -> b.frequencyPenalty(-3f));
        bad("frequency_penalty", b -> b.frequencyPenalty(Float.NaN));
        bad("min_tokens", b -> b.maxTokens(4).minTokens(5));
        bad("stop", b -> b.stop(List.of("a", "b", "c", "d", "e")));
        bad("stop", b -> b.stop(List.of("")));
        bad("logprobs", b -> b.logprobs(21));
        bad("n", b -> b.n(0));
    }

    @Test
    void theDefaultsAreOpenAis() {
        CompletionSettings s = CompletionSettings.builder().build();
        assertEquals(16, s.maxTokens());
        assertEquals(1f, s.temperature());
        assertEquals(1, s.n());
        assertEquals(false, s.wantsLogprobs());
        assertEquals(false, s.echo());
    }

    @Test
    void samplingIsGreedyAtTemperatureZeroAndSeededPerChoiceOtherwise() {
        CompletionSettings greedy =
                CompletionSettings.builder().temperature(0).topK(5).repetitionPenalty(1.2f).build();
        assertTrue(greedy.sampling(0).isGreedy());
        assertEquals(1.2f, greedy.sampling(0).repetitionPenalty());
        CompletionSettings sampled =
                CompletionSettings.builder().temperature(0.7f).topK(-1).topP(0.9f).seed(40).build();
        SamplingConfig second = sampled.sampling(2);
        assertEquals(42, second.seed());
        assertEquals(0, second.topK()); // -1 and 0 are both off
        assertEquals(0.9f, second.topP());
        assertEquals(0.7f, second.temperature());
    }

    private static void bad(String param, UnaryOperator<CompletionSettings.Builder> change) {
        ServingException e =
                assertThrows(
                        ServingException.class,
                        () -> change.apply(CompletionSettings.builder()).build());
        assertEquals(ServingException.Kind.INVALID, e.kind());
        assertEquals(param, e.param());
        assertTrue(e.getMessage().startsWith(param + " "), e.getMessage());
    }
}
