package dev.tinygpt.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tinygpt.TestModels;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.generation.FinishReason;
import dev.tinygpt.generation.GenerationOptions;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.tokenizer.WordTokenizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Continuous batching gives every request what the generator gives its prompt alone. */
class SchedulerTest {

    @Test
    void greedyRowsJoiningAndLeavingEqualTheGeneratorAlone() throws Exception {
        // 10 prompts of 1 … 12 tokens and 3 … 20 new tokens through 3 rows: rows leave at
        // different steps and newcomers join mid-flight, longer and shorter than the batch.
        try (LanguageModel lm =
                        LanguageModel.create(GptConfig.exercise(), 11, WordTokenizer.exercise());
                Scheduler scheduler = new Scheduler(lm, 3, 20)) {
            List<int[]> prompts = new ArrayList<>();
            List<RecordingListener> listeners = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int[] prompt = TestModels.randomIds(1 + (i * 7) % 12, 20, i);
                int maxTokens = 3 + (i * 5) % 18;
                prompts.add(prompt);
                RecordingListener listener = new RecordingListener(1);
                listeners.add(listener);
                CompletionSettings settings =
                        CompletionSettings.builder()
                                .temperature(0)
                                .maxTokens(maxTokens)
                                .logprobs(0)
                                .build();
                scheduler.submit(new Job(List.of(prompt), settings, listener));
            }
            for (int i = 0; i < 10; i++) {
                RecordingListener.Record r = listeners.get(i).await().get(0);
                int maxTokens = 3 + (i * 5) % 18;
                int[] alone = lm.generate(prompts.get(i), GenerationOptions.greedy(maxTokens)).generated();
                assertArrayEquals(
                        alone,
                        r.ids.stream().mapToInt(Integer::intValue).toArray(),
                        "prompt " + i);
                assertEquals(FinishReason.LENGTH, r.reason);
                assertEquals(maxTokens, r.completionTokens);
            }
        }
    }
}
