package dev.tinygpt.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tinygpt.config.GptConfig;
import dev.tinygpt.sampling.SamplingConfig;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The n-gram ban on a small vocabulary runs out of tokens: generation ends there with the tokens it
 * made and the reason {@code no_allowed_token} (as Hugging Face stops), greedy, sampled, batched
 * and with beams, and a beam never takes a banned token.
 */
class ExhaustedBanTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"greedy", "sampled", "beams"})
    void theBanEndsGenerationWithEveryWordUsedOnce(String mode) {
        GenerationOptions.Builder options = GenerationOptions.builder().maxNewTokens(60);
        SamplingConfig.Builder sampling = SamplingConfig.builder().noRepeatNgramSize(1);
        switch (mode) {
            case "sampled" -> sampling.temperature(1.5f).seed(9);
            case "beams" ->
                    options.beams(new BeamOptions(3, 1f, BeamOptions.EarlyStopping.FALSE, 2));
            default -> {}
        }
        GenerationOptions o = options.sampling(sampling.build()).build();
        try (LanguageModel lm = LanguageModel.create(GptConfig.exercise(), 7, null)) {
            List<int[]> prompts = List.of(new int[] {0, 2}, new int[] {5});
            BatchResult result = lm.generate(prompts, o, TokenListener.NONE);
            for (SequenceResult s : result.sequences()) {
                int[] tokens = s.tokens();
                assertEquals(FinishReason.NO_ALLOWED_TOKEN, s.finishReason(), mode);
                // Every one of the 20 words exactly once, the prompt's included.
                assertEquals(20, tokens.length, Arrays.toString(tokens));
                assertEquals(20, Arrays.stream(tokens).distinct().count(), Arrays.toString(tokens));
            }
        }
    }
}
