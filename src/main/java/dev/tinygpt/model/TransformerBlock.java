package dev.tinygpt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.profile.Profile;

/**
 * One pre-norm transformer block, GPT-2's {@code h.{i}}: {@code x = x + attn(ln_1(x)); x = x +
 * mlp(ln_2(x))}.
 *
 * <p>Shapes: {@code (B, T, C) -> (B, T, C)}.
 */
public final class TransformerBlock extends GptBlock {
    private final GptLayerNorm ln1;
    private final CausalSelfAttention attn;
    private final GptLayerNorm ln2;
    private final Mlp mlp;

    public TransformerBlock(GptConfig config) {
        ln1 = child("ln_1", new GptLayerNorm(config.dModel(), config.layerNormEpsilon()));
        attn = child("attn", new CausalSelfAttention(config));
        ln2 = child("ln_2", new GptLayerNorm(config.dModel(), config.layerNormEpsilon()));
        mlp = child("mlp", new Mlp(config));
    }

    /**
     * @param bias the step's attention bias (see {@link CausalSelfAttention#apply})
     * @param cache this layer's part of the KV cache
     */
    public NDArray apply(
            ParameterStore ps, NDArray x, NDArray bias, LayerCache cache, boolean training) {
        x = residual(x, attn.apply(ps, ln1.apply(ps, x, training), bias, cache, training));
        return residual(x, mlp.apply(ps, ln2.apply(ps, x, training), training));
    }

    /**
     * {@code x + branch}, written into the branch: it is a temporary nothing else reads, and
     * autograd keeps none of its values.
     */
    private static NDArray residual(NDArray x, NDArray branch) {
        try (Profile.Section s = Profile.section(Profile.Kind.RESIDUAL)) {
            return branch.addi(x);
        }
    }
}
