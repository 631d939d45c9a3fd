package dev.tinygpt.config;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

/**
 * Reads and writes a {@link GptConfig} as a Hugging Face GPT-2 {@code config.json}. Missing keys
 * take HF's GPT-2 defaults ({@code n_inner} null means 4·{@code n_embd}, {@code
 * tie_word_embeddings} true, {@code activation_function} gelu_new, epsilon 1e-5, {@code
 * scale_attn_weights} true); unknown keys are ignored, as transformers does. The two attention
 * variants tinygpt does not implement ({@code scale_attn_by_inverse_layer_idx}, {@code
 * reorder_and_upcast_attn}) are refused when true rather than silently computed differently.
 */
public final class GptConfigJson {
    public static final String FILE_NAME = "config.json";

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    private GptConfigJson() {}

    /** Parses a {@code config.json}. */
    public static GptConfig parse(JsonElement root) {
        if (!root.isJsonObject()) {
            throw new IllegalArgumentException("config is not a JSON object");
        }
        JsonObject o = root.getAsJsonObject();
        String modelType = JsonFields.string(o, "model_type", "gpt2");
        if (!"gpt2".equals(modelType)) {
            throw new IllegalArgumentException(
                    "unsupported model_type '" + modelType + "'; tinygpt runs 'gpt2' models");
        }
        for (String unsupported :
                new String[] {"scale_attn_by_inverse_layer_idx", "reorder_and_upcast_attn"}) {
            if (JsonFields.bool(o, unsupported, false)) {
                throw new IllegalArgumentException(
                        unsupported + " = true is not supported (GPT-2 checkpoints use false)");
            }
        }
        int dModel = JsonFields.integer(o, "n_embd", null);
        Integer inner = JsonFields.optionalInteger(o, "n_inner");
        Integer positions = JsonFields.optionalInteger(o, "n_positions");
        if (positions == null) {
            positions = JsonFields.integer(o, "n_ctx", null);
        }
        return GptConfig.builder()
                .vocabSize(JsonFields.integer(o, "vocab_size", null))
                .contextLength(positions)
                .layers(JsonFields.integer(o, "n_layer", null))
                .heads(JsonFields.integer(o, "n_head", null))
                .dModel(dModel)
                .mlpHidden(inner == null ? GptConfig.defaultMlpHidden(dModel) : inner)
                .activation(
                        Activation.fromGpt2Name(
                                JsonFields.string(o, "activation_function", "gelu_new")))
                .layerNormEpsilon((float) JsonFields.number(o, "layer_norm_epsilon", 1e-5))
                .tiedHead(JsonFields.bool(o, "tie_word_embeddings", true))
                .dropout((float) JsonFields.number(o, "resid_pdrop", 0.0))
                .bosTokenId(tokenId(o, "bos_token_id"))
                .eosTokenId(tokenId(o, "eos_token_id"))
                .scaleAttnWeights(JsonFields.bool(o, "scale_attn_weights", true))
                .build();
    }

    /** The {@code config.json} text for a config, with the keys transformers expects. */
    public static String toJson(GptConfig c) {
        JsonObject o = new JsonObject();
        JsonArray architectures = new JsonArray();
        architectures.add("GPT2LMHeadModel");
        o.add("architectures", architectures);
        o.addProperty("model_type", "gpt2");
        o.addProperty("vocab_size", c.vocabSize());
        o.addProperty("n_positions", c.contextLength());
        o.addProperty("n_ctx", c.contextLength());
        o.addProperty("n_embd", c.dModel());
        o.addProperty("n_layer", c.layers());
        o.addProperty("n_head", c.heads());
        o.addProperty("n_inner", c.mlpHidden());
        o.addProperty("activation_function", c.activation().gpt2Name());
        o.addProperty("layer_norm_epsilon", c.layerNormEpsilon());
        o.addProperty("tie_word_embeddings", c.tiedHead());
        o.addProperty("resid_pdrop", c.dropout());
        o.addProperty("embd_pdrop", c.dropout());
        o.addProperty("attn_pdrop", c.dropout());
        o.add("bos_token_id", idOrNull(c.bosTokenId()));
        o.add("eos_token_id", idOrNull(c.eosTokenId()));
        o.addProperty("scale_attn_weights", c.scaleAttnWeights());
        o.addProperty("torch_dtype", "float32");
        return GSON.toJson(o) + "\n";
    }

    private static JsonElement idOrNull(int id) {
        return id < 0 ? JsonNull.INSTANCE : new JsonPrimitive(id);
    }

    private static int tokenId(JsonObject o, String key) {
        Integer value = JsonFields.optionalInteger(o, key);
        return value == null ? -1 : value;
    }
}
