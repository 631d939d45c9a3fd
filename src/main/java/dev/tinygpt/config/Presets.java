package dev.tinygpt.config;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/** Every named model shape and training budget, for every command's {@code --preset}. */
public final class Presets {
    private static final List<Preset> ALL =
            List.of(
                    new Preset(
                            "exercise",
                            "the exercise: 20 words, 3 blocks of width 64, one head, ReLU",
                            GptConfig.exercise(),
                            Optional.empty()),
                    new Preset(
                            "gpt2-small",
                            "GPT-2 small (124M), the shape of Hugging Face's gpt2",
                            GptConfig.gpt2Small(),
                            Optional.empty()),
                    charModel(
                            "char-tiny",
                            "a char model trained in seconds, to try training",
                            2,
                            2,
                            64,
                            32,
                            0f,
                            TrainingOptions.defaults(200)),
                    charModel(
                            "char-small",
                            "a char model trained in minutes",
                            4,
                            4,
                            128,
                            64,
                            0.1f,
                            TrainingOptions.defaults(2000)),
                    charModel(
                            "shakespeare-char",
                            "the shipped Shakespeare model's shape and budget (42 min here)",
                            4,
                            4,
                            192,
                            128,
                            0.1f,
                            TrainingOptions.builder().maxIters(3600).evalInterval(300).build()));

    private Presets() {}

    public static List<Preset> all() {
        return ALL;
    }

    /** The preset called {@code name}; the error lists every name. */
    public static Preset byName(String name) {
        for (Preset p : ALL) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException(
                "unknown preset '" + name + "'; choose one of " + String.join(", ", names()));
    }

    /** The names, in order (picocli's completion candidates for {@code --preset}). */
    public static List<String> names() {
        List<String> names = new ArrayList<>();
        ALL.forEach(p -> names.add(p.name()));
        return names;
    }

    /**
     * {@link #names()} as picocli wants it: an {@code Iterable} class with a no-arg constructor.
     */
    public static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return names().iterator();
        }
    }

    /** A char model: pre-norm, exact GELU, tied head, its vocabulary from the corpus. */
    private static Preset charModel(
            String name,
            String description,
            int layers,
            int heads,
            int width,
            int context,
            float dropout,
            TrainingOptions training) {
        GptConfig config =
                GptConfig.builder()
                        .vocabSize(Preset.CHAR_VOCABULARY)
                        .contextLength(context)
                        .layers(layers)
                        .heads(heads)
                        .dModel(width)
                        .activation(Activation.GELU)
                        .dropout(dropout)
                        .build();
        return new Preset(name, description, config, Optional.of(training));
    }
}
