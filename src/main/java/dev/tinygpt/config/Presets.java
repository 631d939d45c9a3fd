package dev.tinygpt.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** Named configs for the CLI's {@code --preset}. */
public final class Presets {
    private static final Map<String, Supplier<GptConfig>> PRESETS = new LinkedHashMap<>();

    static {
        PRESETS.put("exercise", GptConfig::exercise);
        PRESETS.put("gpt2-small", GptConfig::gpt2Small);
    }

    private Presets() {}

    public static GptConfig byName(String name) {
        Supplier<GptConfig> preset = PRESETS.get(name);
        if (preset == null) {
            throw new IllegalArgumentException(
                    "unknown preset '" + name + "'; choose one of " + String.join(", ", names()));
        }
        return preset.get();
    }

    public static Iterable<String> names() {
        return PRESETS.keySet();
    }
}
