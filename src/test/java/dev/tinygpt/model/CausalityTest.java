package dev.tinygpt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.modality.nlp.generate.CausalLMOutput;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.ZooModel;
import dev.tinygpt.TestModels;
import dev.tinygpt.config.Activation;
import dev.tinygpt.config.GptConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Changing token t never changes the logits at positions before t, and does change t's own. */
class CausalityTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void laterTokensNeverChangeEarlierLogits(int heads) {
        GptConfig config =
                heads == 1
                        ? GptConfig.exercise()
                        : TestModels.small(heads, 16, Activation.GELU_NEW, true);
        try (ZooModel<NDList, CausalLMOutput> model = TestModels.fullLogitsModel(config, 7)) {
            int[] ids = TestModels.randomIds(12, config.vocabSize(), 3);
            float[][] base = TestModels.allLogits(model, ids);
            for (int t : new int[] {0, 5, 11}) {
                int[] changed = ids.clone();
                changed[t] = (ids[t] + 1) % config.vocabSize();
                float[][] after = TestModels.allLogits(model, changed);
                for (int p = 0; p < t; p++) {
                    // Exactly equal: the earlier rows never see the changed token.
                    assertArrayEquals(
                            base[p], after[p], 0f, "position " + p + " changed with token " + t);
                }
                assertTrue(
                        TestModels.maxAbsDiff(base[t], after[t]) > 1e-4,
                        "position " + t + " must depend on its own token");
            }
        }
    }
}
