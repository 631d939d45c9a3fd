package dev.tinygpt.config;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes a {@link LoraConfig} as PEFT's {@code adapter_config.json}, so an adapter
 * tinygpt trains loads in PEFT ({@code PeftModel.from_pretrained}) and one PEFT trains loads here.
 *
 * <p>PEFT settings tinygpt does not compute are refused by name when set, rather than ignored: a
 * {@code peft_type} other than LORA, trained biases, DoRA, rank-stabilised scaling, per-layer ranks
 * or alphas, extra trained modules, a subset of layers, and {@code target_modules} written as a
 * regular expression (a string) instead of a list of names. {@code fan_in_fan_out} is accepted
 * either way: the tensors' layout does not depend on it, and PEFT sets it for GPT-2's Conv1D.
 */
public final class LoraConfigJson {
    public static final String FILE_NAME = "adapter_config.json";

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    /** Settings that must keep PEFT's default, and that default. */
    private static final Map<String, Object> DEFAULTS_REQUIRED =
            Map.of(
                    "bias", "none",
                    "use_dora", false,
                    "use_rslora", false,
                    "lora_bias", false);

    /** Settings that must be absent, null or empty. */
    private static final List<String> EMPTY_REQUIRED =
            List.of(
                    "rank_pattern",
                    "alpha_pattern",
                    "modules_to_save",
                    "layers_to_transform",
                    "layers_pattern");

    private LoraConfigJson() {}

    /** Parses an {@code adapter_config.json}. */
    public static LoraConfig parse(JsonElement root) {
        if (!root.isJsonObject()) {
            throw new IllegalArgumentException("adapter config is not a JSON object");
        }
        JsonObject o = root.getAsJsonObject();
        String type = JsonFields.string(o, "peft_type", null);
        if (!"LORA".equals(type)) {
            throw new IllegalArgumentException(
                    "peft_type must be \"LORA\", got "
                            + (type == null ? "none" : "\"" + type + "\""));
        }
        refuseUnsupported(o);
        int rank = JsonFields.integer(o, "r", 8);
        return new LoraConfig(
                rank,
                (float) JsonFields.number(o, "lora_alpha", 8),
                (float) JsonFields.number(o, "lora_dropout", 0),
                targets(o.get("target_modules")),
                JsonFields.string(o, "base_model_name_or_path", ""));
    }

    /** The {@code adapter_config.json} text, with the keys PEFT writes for GPT-2. */
    public static String toJson(LoraConfig c) {
        JsonObject o = new JsonObject();
        o.addProperty("peft_type", "LORA");
        o.addProperty("task_type", "CAUSAL_LM");
        o.addProperty("base_model_name_or_path", c.baseModel());
        o.addProperty("r", c.rank());
        o.addProperty("lora_alpha", c.alpha());
        o.addProperty("lora_dropout", c.dropout());
        JsonArray targets = new JsonArray();
        c.targets().forEach(targets::add);
        o.add("target_modules", targets);
        o.addProperty("fan_in_fan_out", true); // GPT-2's Conv1D stores W as [in, out]
        o.addProperty("bias", "none");
        o.addProperty("inference_mode", true);
        o.addProperty("init_lora_weights", true);
        o.addProperty("use_rslora", false);
        o.addProperty("use_dora", false);
        o.add("modules_to_save", JsonNull.INSTANCE);
        o.add("rank_pattern", new JsonObject());
        o.add("alpha_pattern", new JsonObject());
        return GSON.toJson(o) + "\n";
    }

    private static void refuseUnsupported(JsonObject o) {
        for (Map.Entry<String, Object> e : DEFAULTS_REQUIRED.entrySet()) {
            JsonElement value = o.get(e.getKey());
            boolean isDefault =
                    value == null
                            || value.isJsonNull()
                            || (value.isJsonPrimitive()
                                    && e.getValue().toString().equals(value.getAsString()));
            if (!isDefault) {
                throw new IllegalArgumentException(
                        e.getKey()
                                + " = "
                                + value
                                + " is not supported (tinygpt computes "
                                + e.getKey()
                                + " = "
                                + e.getValue()
                                + ")");
            }
        }
        for (String key : EMPTY_REQUIRED) {
            JsonElement value = o.get(key);
            boolean empty =
                    value == null
                            || value.isJsonNull()
                            || (value.isJsonObject() && value.getAsJsonObject().isEmpty())
                            || (value.isJsonArray() && value.getAsJsonArray().isEmpty());
            if (!empty) {
                throw new IllegalArgumentException(
                        key
                                + " = "
                                + value
                                + " is not supported (tinygpt adapts every layer alike)");
            }
        }
    }

    private static List<String> targets(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return LoraConfig.DEFAULT_TARGETS; // PEFT's default for GPT-2
        }
        if (!e.isJsonArray()) {
            throw new IllegalArgumentException(
                    "target_modules must be a list of module names, got "
                            + e
                            + " (a regular expression is not supported)");
        }
        List<String> names = new ArrayList<>();
        for (JsonElement t : e.getAsJsonArray()) {
            if (!t.isJsonPrimitive() || !t.getAsJsonPrimitive().isString()) {
                throw new IllegalArgumentException("target_modules entry is not a string: " + t);
            }
            names.add(t.getAsString());
        }
        return names;
    }
}
