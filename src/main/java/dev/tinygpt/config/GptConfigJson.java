package dev.tinygpt.config;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.function.Function;
import java.util.function.Predicate;

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
        String modelType = string(o, "model_type", "gpt2");
        if (!"gpt2".equals(modelType)) {
            throw new IllegalArgumentException(
                    "unsupported model_type '" + modelType + "'; tinygpt runs 'gpt2' models");
        }
        for (String unsupported :
                new String[] {"scale_attn_by_inverse_layer_idx", "reorder_and_upcast_attn"}) {
            if (bool(o, unsupported, false)) {
                throw new IllegalArgumentException(
                        unsupported + " = true is not supported (GPT-2 checkpoints use false)");
            }
        }
        int dModel = integer(o, "n_embd", null);
        Integer inner = optionalInteger(o, "n_inner");
        Integer positions = optionalInteger(o, "n_positions");
        if (positions == null) {
            positions = integer(o, "n_ctx", null);
        }
        return GptConfig.builder()
                .vocabSize(integer(o, "vocab_size", null))
                .contextLength(positions)
                .layers(integer(o, "n_layer", null))
                .heads(integer(o, "n_head", null))
                .dModel(dModel)
                .mlpHidden(inner == null ? GptConfig.defaultMlpHidden(dModel) : inner)
                .activation(Activation.fromGpt2Name(string(o, "activation_function", "gelu_new")))
                .layerNormEpsilon((float) number(o, "layer_norm_epsilon", 1e-5))
                .tiedHead(bool(o, "tie_word_embeddings", true))
                .dropout((float) number(o, "resid_pdrop", 0.0))
                .bosTokenId(tokenId(o, "bos_token_id"))
                .eosTokenId(tokenId(o, "eos_token_id"))
                .scaleAttnWeights(bool(o, "scale_attn_weights", true))
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

    private static JsonPrimitive primitive(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonPrimitive()) {
            throw new IllegalArgumentException(key + " must be a single value, got " + e);
        }
        return e.getAsJsonPrimitive();
    }

    private static Integer optionalInteger(JsonObject o, String key) {
        JsonPrimitive p = primitive(o, key);
        if (p == null) {
            return null;
        }
        if (!p.isNumber()) {
            throw new IllegalArgumentException(key + " must be an integer, got " + p);
        }
        double d = p.getAsDouble();
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(key + " must be an integer, got " + p);
        }
        return (int) d;
    }

    private static int integer(JsonObject o, String key, Integer fallback) {
        Integer value = optionalInteger(o, key);
        if (value == null) {
            if (fallback == null) {
                throw new IllegalArgumentException("missing required key '" + key + "'");
            }
            return fallback;
        }
        return value;
    }

    private static int tokenId(JsonObject o, String key) {
        Integer value = optionalInteger(o, key);
        return value == null ? -1 : value;
    }

    private static double number(JsonObject o, String key, double fallback) {
        return value(
                o, key, fallback, JsonPrimitive::isNumber, JsonPrimitive::getAsDouble, "a number");
    }

    private static boolean bool(JsonObject o, String key, boolean fallback) {
        return value(
                o,
                key,
                fallback,
                JsonPrimitive::isBoolean,
                JsonPrimitive::getAsBoolean,
                "true or false");
    }

    private static String string(JsonObject o, String key, String fallback) {
        return value(
                o, key, fallback, JsonPrimitive::isString, JsonPrimitive::getAsString, "a string");
    }

    /**
     * {@code o[key]} when it is of the kind {@code is} accepts, the fallback when absent or null.
     */
    private static <T> T value(
            JsonObject o,
            String key,
            T fallback,
            Predicate<JsonPrimitive> is,
            Function<JsonPrimitive, T> get,
            String kind) {
        JsonPrimitive p = primitive(o, key);
        if (p == null) {
            return fallback;
        }
        if (!is.test(p)) {
            throw new IllegalArgumentException(key + " must be " + kind + ", got " + p);
        }
        return get.apply(p);
    }
}
