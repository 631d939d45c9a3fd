package dev.tinygpt.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The MLP non-linearity, named as in GPT-2's {@code activation_function} key.
 *
 * <ul>
 *   <li>{@code relu}: max(0, x), the exercise model's choice;
 *   <li>{@code gelu}: exact GELU, x·Φ(x) with the error function (PyTorch's default);
 *   <li>{@code gelu_new}: the tanh approximation GPT-2 was trained with (HF's {@code NewGELU}).
 * </ul>
 */
public enum Activation {
    RELU("relu"),
    GELU("gelu"),
    GELU_NEW("gelu_new");

    private final String gpt2Name;

    Activation(String gpt2Name) {
        this.gpt2Name = gpt2Name;
    }

    /** The value of GPT-2's {@code activation_function} key. */
    public String gpt2Name() {
        return gpt2Name;
    }

    /**
     * Parses a GPT-2 {@code activation_function} value. HF spells the tanh form several ways
     * ({@code gelu_new}, {@code gelu_pytorch_tanh}, {@code gelu_fast} all compute it within float
     * rounding), so all of them map to {@link #GELU_NEW}.
     */
    public static Activation fromGpt2Name(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        return switch (key) {
            case "relu" -> RELU;
            case "gelu" -> GELU;
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> GELU_NEW;
            default ->
                    throw new IllegalArgumentException(
                            "unknown activation_function '"
                                    + name
                                    + "'; expected one of "
                                    + Arrays.stream(values())
                                            .map(Activation::gpt2Name)
                                            .collect(Collectors.joining(", ")));
        };
    }
}
