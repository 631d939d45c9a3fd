package dev.tinygpt.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tinygpt.config.GptConfig;
import dev.tinygpt.generation.GenerationOptions;
import dev.tinygpt.generation.GenerationResult;
import dev.tinygpt.generation.InferenceSession;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.tokenizer.WordTokenizer;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void runs() {
        try (LanguageModel lm =
                LanguageModel.create(GptConfig.exercise(), 42, WordTokenizer.exercise())) {
            assertEquals(105_152, lm.block().parameterCount());
            try (InferenceSession s = lm.newSession()) {
                float[] a = s.prefill(new int[] {1, 2, 3});
                System.out.println(java.util.Arrays.toString(a));
            }
            GenerationResult r = lm.generate(new int[] {0, 2, 5, 8}, GenerationOptions.greedy(50));
            GenerationResult r2 =
                    lm.generate(
                            new int[] {0, 2, 5, 8},
                            GenerationOptions.greedy(50).withKvCache(false));
            System.out.println(
                    java.util.Arrays.toString(r.tokens())
                            + " "
                            + r.finishReason()
                            + " "
                            + r.prefillMillis()
                            + " "
                            + r.decodeTokensPerSecond());
            System.out.println(
                    java.util.Arrays.toString(r2.tokens()) + " " + r2.decodeTokensPerSecond());
        }
    }
}
