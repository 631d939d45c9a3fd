package dev.tinygpt.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import dev.tinygpt.io.ModelDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class GptConfigTest {

    @Test
    void exercisePresetHasTheExerciseShape() {
        GptConfig c = GptConfig.exercise();
        assertEquals(20, c.vocabSize());
        assertEquals(64, c.dModel());
        assertEquals(32, c.contextLength());
        assertEquals(1, c.heads());
        assertEquals(128, c.mlpHidden());
        assertEquals(Activation.RELU, c.activation());
        assertEquals(3, c.layers());
        assertEquals(64, c.headDim());
    }

    @Test
    void headDimIsDerived() {
        assertEquals(64, GptConfig.gpt2Small().headDim());
        assertEquals(8, small().heads(4).activation(Activation.GELU).build().headDim());
    }

    @Test
    void rejectsWidthNotDivisibleByHeads() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> small().heads(3).build());
        assertTrue(
                e.getMessage().contains("n_embd (32) must be divisible by n_head (3)"),
                e.getMessage());
    }

    @Test
    void rejectsNonPositiveSizesNamingTheKey() {
        assertMessage("vocab_size must be positive, got 0", () -> small().vocabSize(0).build());
        assertMessage(
                "n_positions must be positive, got -1", () -> small().contextLength(-1).build());
        assertMessage("n_layer must be positive", () -> small().layers(0).build());
        assertMessage("n_head must be positive", () -> small().heads(0).build());
        assertMessage("n_inner must be positive", () -> small().mlpHidden(0).build());
    }

    @Test
    void rejectsDropoutOutsideUnitInterval() {
        assertMessage("dropout must be in [0, 1), got 1.0", () -> small().dropout(1f).build());
        assertMessage("dropout must be in [0, 1), got -0.1", () -> small().dropout(-0.1f).build());
    }

    @Test
    void rejectsBadEpsilonAndTokenIds() {
        assertMessage(
                "layer_norm_epsilon must be a positive number",
                () -> small().layerNormEpsilon(0f).build());
        assertMessage(
                "eos_token_id must be -1 (none) or in [0, 10), got 10",
                () -> small().eosTokenId(10).build());
    }

    @Test
    void jsonRoundTrip() {
        GptConfig c = GptConfig.exercise();
        assertEquals(c, parse(GptConfigJson.toJson(c)));
        GptConfig g = GptConfig.gpt2Small();
        assertEquals(g, parse(GptConfigJson.toJson(g)));
    }

    @Test
    void readsHuggingFaceGpt2ConfigWithDefaults() {
        String hf =
                """
                {"activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"],
                 "attn_pdrop": 0.1, "bos_token_id": 50256, "embd_pdrop": 0.1, "eos_token_id": 50256,
                 "initializer_range": 0.02, "layer_norm_epsilon": 1e-05, "model_type": "gpt2",
                 "n_ctx": 1024, "n_embd": 768, "n_head": 12, "n_layer": 12, "n_positions": 1024,
                 "resid_pdrop": 0.1, "summary_activation": null, "vocab_size": 50257}
                """;
        GptConfig c = parse(hf);
        assertEquals(GptConfig.gpt2Small(), c);
        assertEquals(3072, c.mlpHidden()); // n_inner absent: 4 · n_embd
        assertTrue(c.tiedHead()); // tie_word_embeddings defaults to true
    }

    @Test
    void rejectsUnknownModelTypeAndMissingKeys() {
        assertMessage(
                "unsupported model_type 'llama'",
                () -> parse("{\"model_type\":\"llama\",\"n_embd\":8}"));
        assertMessage(
                "missing required key 'vocab_size'",
                () -> parse("{\"n_embd\":8,\"n_positions\":4,\"n_layer\":1,\"n_head\":1}"));
        assertMessage(
                "n_layer must be an integer, got \"two\"",
                () ->
                        parse(
                                "{\"vocab_size\":5,\"n_embd\":8,\"n_positions\":4,\"n_layer\":\"two\",\"n_head\":1}"));
        assertMessage(
                "unknown activation_function 'swish'",
                () ->
                        parse(
                                "{\"vocab_size\":5,\"n_embd\":8,\"n_positions\":4,\"n_layer\":1,\"n_head\":1,\"activation_function\":\"swish\"}"));
    }

    @Test
    void readNamesTheFileOnErrors(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        assertMessage("missing config.json", () -> ModelDirectory.readConfig(dir));
        Files.writeString(dir.resolve("config.json"), "{not json");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ModelDirectory.readConfig(dir));
        assertTrue(
                e.getMessage().startsWith(dir.resolve("config.json").toString()), e.getMessage());
    }

    private static GptConfig parse(String json) {
        return GptConfigJson.parse(JsonParser.parseString(json));
    }

    /** A valid one-layer config, for tests that change one value of it. */
    private static GptConfig.Builder small() {
        return GptConfig.builder()
                .vocabSize(10)
                .contextLength(8)
                .layers(1)
                .heads(1)
                .dModel(32)
                .mlpHidden(64)
                .activation(Activation.RELU);
    }

    private static void assertMessage(
            String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), () -> "message was: " + e.getMessage());
    }
}
