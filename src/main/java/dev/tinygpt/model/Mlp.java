package dev.tinygpt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import dev.tinygpt.config.Activation;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.profile.Profile;

/**
 * The position-wise feed-forward network: {@code c_proj(act(c_fc(x)))}, widening C to the hidden
 * size H and back.
 *
 * <p>Shapes: {@code (B, T, C) -> (B, T, H) -> (B, T, C)}.
 */
public final class Mlp extends GptBlock {
    /** 2·√(2/π): GPT-2's tanh GELU written with a sigmoid, as 0.5·(1 + tanh(z)) = σ(2z). */
    private static final float TWO_SQRT_2_OVER_PI = (float) (2 * Math.sqrt(2.0 / Math.PI));

    private final Activation activation;
    private final float dropout;
    private final Projection fc;
    private final Projection proj;

    public Mlp(GptConfig config) {
        this.activation = config.activation();
        this.dropout = config.dropout();
        fc = child("c_fc", new Projection(config.dModel(), config.mlpHidden(), true));
        proj = child("c_proj", new Projection(config.mlpHidden(), config.dModel(), true));
    }

    public NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        NDArray h = activate(fc.apply(ps, x, training)); // (B, T, C) -> (B, T, H)
        return Dropouts.apply(proj.apply(ps, h, training), dropout, training); // -> (B, T, C)
    }

    /** The configured non-linearity, element-wise. */
    NDArray activate(NDArray h) {
        try (Profile.Section s = Profile.section(Profile.Kind.ACTIVATION)) {
            return switch (activation) {
                case RELU -> h.getNDArrayInternal().relu();
                    // Exact GELU, x·Φ(x), as PyTorch's default nn.GELU().
                case GELU -> h.getNDArrayInternal().gelu();
                    // GPT-2's tanh approximation (HF NewGELU), 0.5·x·(1 + tanh(√(2/π)·(x +
                    // 0.044715·x³))) = x·σ(2·√(2/π)·(x + 0.044715·x³)): DJL has no tanh GELU.
                    // In place only on temporaries whose values autograd does not keep.
                case GELU_NEW -> {
                    NDArray inner = h.mul(h).muli(h).muli(0.044715f).addi(h); // x + 0.044715·x³
                    yield h.mul(inner.muli(TWO_SQRT_2_OVER_PI).getNDArrayInternal().sigmoid());
                }
            };
        }
    }
}
