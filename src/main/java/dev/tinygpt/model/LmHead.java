package dev.tinygpt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.tinygpt.profile.Profile;

/**
 * The untied language-model head, HF's {@code lm_head}: an {@code nn.Linear} without bias, so its
 * weight is {@code [V, C]} (not Conv1D's {@code [in, out]}) and the logits are {@code x · Wᵀ}. A
 * tied model has no such block and multiplies by {@code wte}'s table through {@link #project}.
 *
 * <p>Shapes: {@code (B, T, C) -> (B, T, V)}.
 */
public final class LmHead extends GptBlock {
    private final Parameter weight;

    public LmHead(int vocab, int width) {
        weight = parameter("weight", Parameter.Type.WEIGHT, new Shape(vocab, width));
    }

    public NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        return project(x, ps.getValue(weight, x.getDevice(), training));
    }

    /**
     * {@code (B, T, C) · [V, C]ᵀ -> (B, T, V)} as one fused {@code linear} call, whose result lives
     * in {@code x}'s manager (a {@code table.transpose()} would land in the model's manager).
     */
    public static NDArray project(NDArray x, NDArray table) {
        try (Profile.Section s = Profile.section(Profile.Kind.HEAD)) {
            return x.getNDArrayInternal().linear(x, table, null).singletonOrThrow();
        }
    }
}
