package dev.tinygpt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.tinygpt.profile.Profile;

/**
 * LayerNorm over the last axis: {@code (x - mean) / sqrt(var + eps) * weight + bias}, with the
 * biased variance as in PyTorch and GPT-2. It runs as libtorch's fused {@code layer_norm} kernel,
 * one native call instead of seven element-wise ones; the tests check it against the formula.
 *
 * <p>Shapes: {@code (..., C) -> (..., C)}.
 */
public final class GptLayerNorm extends GptBlock {
    private final float epsilon;
    private final Shape normalizedShape;
    private final Parameter weight;
    private final Parameter bias;

    public GptLayerNorm(int width, float epsilon) {
        this.epsilon = epsilon;
        this.normalizedShape = new Shape(width);
        weight = parameter("weight", Parameter.Type.GAMMA, normalizedShape);
        bias = parameter("bias", Parameter.Type.BETA, normalizedShape);
    }

    /** Normalises {@code x}; the result lives in {@code x}'s manager. */
    public NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        try (Profile.Section s = Profile.section(Profile.Kind.LAYER_NORM)) {
            NDArray gamma = ps.getValue(weight, x.getDevice(), training);
            NDArray beta = ps.getValue(bias, x.getDevice(), training);
            return x.getNDArrayInternal()
                    .layerNorm(x, normalizedShape, gamma, beta, epsilon)
                    .singletonOrThrow();
        }
    }
}
