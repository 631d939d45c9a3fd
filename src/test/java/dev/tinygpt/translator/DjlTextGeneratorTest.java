package dev.tinygpt.translator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.inference.Predictor;
import ai.djl.modality.nlp.generate.CausalLMOutput;
import ai.djl.modality.nlp.generate.SearchConfig;
import ai.djl.modality.nlp.generate.TextGenerator;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.ZooModel;
import dev.tinygpt.TestModels;
import dev.tinygpt.config.Activation;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.generation.GenerationOptions;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.io.GptCriteria;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DJL's own {@link TextGenerator} drives our model through the step contract (NDList in, {@link
 * CausalLMOutput} out, the KV cache as an NDList between steps) and picks the same tokens as our
 * generator.
 */
class DjlTextGeneratorTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void djlGreedySearchMatchesOurGenerator(int heads, @TempDir Path dir) throws Exception {
        GptConfig config =
                heads == 1
                        ? GptConfig.exercise()
                        : TestModels.small(heads, 32, Activation.GELU_NEW, true);
        int[] prompt = {3, 7, 1, 9, 4};
        int newTokens = 20;
        int[] ours;
        try (LanguageModel lm = LanguageModel.create(config, 8, null)) {
            ours = lm.generate(prompt, GenerationOptions.greedy(newTokens)).tokens();
            lm.save(dir);
        }

        SearchConfig search = new SearchConfig();
        search.setMaxSeqLength(prompt.length + newTokens);
        search.setPadTokenId(-1); // no padding in this batch of one
        try (ZooModel<NDList, CausalLMOutput> model = GptCriteria.causalLm(dir, false).loadModel();
                Predictor<NDList, CausalLMOutput> predictor = model.newPredictor();
                NDManager manager = NDManager.newBaseManager()) {
            TextGenerator generator = new TextGenerator(predictor, "greedy", search);
            NDArray input =
                    manager.create(Arrays.stream(prompt).asLongStream().toArray()).reshape(1, -1);
            long[] djl = generator.greedySearch(input).toLongArray();
            assertArrayEquals(Arrays.stream(ours).asLongStream().toArray(), djl);
        }
    }
}
