package dev.tinygpt.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.modality.nlp.generate.CausalLMOutput;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.ZooModel;
import dev.tinygpt.TestModels;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.generation.InferenceSession;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.io.GptCriteria;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A GPT-2 checkpoint as transformers writes it (HF config, {@code transformer.} names, Conv1D
 * weights, tied head, tanh GELU, old attention buffers; F32, F16, BF16; one file or shards) loads,
 * and the DJL model agrees with the independent plain-Java reference within 1e-4, with the KV cache
 * and without.
 */
class Gpt2CheckpointTest {
    private static final double TOLERANCE = 1e-4;

    /** GPT-2's shape in miniature: tied head, gelu_new, n_inner = 4·n_embd, EOS = last id. */
    static final GptConfig CONFIG =
            GptConfig.builder()
                    .vocabSize(64)
                    .contextLength(24)
                    .layers(3)
                    .heads(4)
                    .dModel(32)
                    .mlpHidden(128)
                    .bosTokenId(63)
                    .eosTokenId(63)
                    .build();

    @TempDir Path dir;

    @ParameterizedTest(name = "{0}, {1} shard(s)")
    @CsvSource({"F32, 1", "F16, 1", "BF16, 1", "F32, 3"})
    void loadsAndMatchesTheReferenceWithAndWithoutCache(HfCheckpoint.Dtype dtype, int shards)
            throws Exception {
        Map<String, float[]> weights = HfCheckpoint.write(dir, CONFIG, dtype, shards, 7);
        ReferenceGpt reference = new ReferenceGpt(CONFIG, weights);
        int[] ids = {5, 17, 63, 2, 40, 40, 11, 0, 31, 9, 58, 23, 7, 1, 44, 12};

        double[][] expected = reference.logits(ids);
        float[][] actual = allLogits(dir, ids);
        for (int t = 0; t < ids.length; t++) {
            assertClose(expected[t], actual[t], "position " + t);
        }
        try (LanguageModel lm = LanguageModel.load(dir);
                InferenceSession session = lm.newSession()) {
            assertEquals(
                    CONFIG.toBuilder().dropout(0.1f).build(),
                    lm.config()); // resid_pdrop 0.1, training only
            assertClose(expected[5], session.prefill(Arrays.copyOf(ids, 6)), "prefill");
            for (int t = 6; t < ids.length; t++) {
                assertClose(expected[t], session.append(ids[t]), "cached step " + t);
            }
            assertClose(expected[ids.length - 1], session.forward(ids), "uncached");
        }
    }

    @Test
    void unscaledAttentionIsHonoured() throws Exception {
        GptConfig scaled = CONFIG.toBuilder().layers(2).build();
        GptConfig unscaled = scaled.toBuilder().scaleAttnWeights(false).build();
        Map<String, float[]> weights =
                HfCheckpoint.write(dir, unscaled, HfCheckpoint.Dtype.F32, 1, 3);
        int[] ids = {1, 2, 3, 4, 5, 6};
        float[][] actual = allLogits(dir, ids);
        double[][] expected = new ReferenceGpt(unscaled, weights).logits(ids);
        double[][] wrong = new ReferenceGpt(scaled, weights).logits(ids);
        assertClose(expected[5], actual[5], "unscaled");
        double gap = 0;
        for (int v = 0; v < 64; v++) {
            gap = Math.max(gap, Math.abs(wrong[5][v] - actual[5][v]));
        }
        assertTrue(gap > 100 * TOLERANCE, "scaling must matter for this test, gap " + gap);
    }

    @Test
    void shardErrorsNameTheIndexAndTheProblem() throws Exception {
        HfCheckpoint.write(dir, CONFIG, HfCheckpoint.Dtype.F32, 2, 7);
        Path index = dir.resolve("model.safetensors.index.json");
        String original = Files.readString(index);

        Files.writeString(
                index, original.replaceFirst("model-00002-of-00002", "model-00003-of-00002"));
        assertProblem(dir.resolve("model-00003-of-00002.safetensors") + ": missing weights file");

        Files.writeString(
                index,
                original.replace(
                        "\"transformer.wte.weight\":\"model-00001-of-00002.safetensors\"",
                        "\"transformer.wte.weight\":\"model-00002-of-00002.safetensors\""));
        assertProblem(
                "lists tensor 'transformer.wte.weight' in model-00002-of-00002.safetensors, which does not hold it");

        Files.writeString(index, original.replaceFirst("model-00002-of-00002", "../elsewhere"));
        assertProblem("is outside the model directory");

        Files.writeString(index, "{\"weight_map\": 3}");
        assertProblem("has no \"weight_map\" object");

        Files.delete(index);
        assertProblem(dir.resolve("model.safetensors") + ": missing weights file");
    }

    @Test
    void unsupportedAttentionVariantsAreRefused() throws Exception {
        HfCheckpoint.write(dir, CONFIG, HfCheckpoint.Dtype.F32, 1, 7);
        String config = Files.readString(dir.resolve("config.json"));
        Files.writeString(
                dir.resolve("config.json"),
                config.replace(
                        "\"use_cache\": true",
                        "\"use_cache\": true, \"reorder_and_upcast_attn\": true"));
        assertProblem("reorder_and_upcast_attn = true is not supported");
        Files.writeString(
                dir.resolve("config.json"),
                config.replace("\"model_type\": \"gpt2\"", "\"model_type\": \"gpt_neox\""));
        assertProblem("unsupported model_type 'gpt_neox'");
    }

    private void assertProblem(String problem) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> LanguageModel.load(dir).close());
        assertTrue(e.getMessage().contains(problem), () -> "message was: " + e.getMessage());
    }

    private static float[][] allLogits(Path dir, int[] ids) throws Exception {
        try (ZooModel<NDList, CausalLMOutput> model =
                GptCriteria.causalLm(dir, false).loadModel()) {
            return TestModels.allLogits(model, ids);
        }
    }

    private static void assertClose(double[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(max <= TOLERANCE, what + ": max |reference - DJL| = " + max);
    }
}
