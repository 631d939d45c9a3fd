package dev.tinygpt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;

/**
 * LayerNorm over the last axis: {@code (x - mean) / sqrt(var + eps) * weight + bias}, with the
 * biased variance as in PyTorch and GPT-2. It runs as libtorch's fused {@code layer_norm} kernel,
 * one native call instead of seven element-wise ones; the tests check it against the formula.
 *
 * <p>NDList: {@code (..., C) -> (..., C)}.
 */
public final class GptLayerNorm extends AbstractBlock {
    private final int width;
    private final float epsilon;
    private final Shape normalizedShape;
    private final Parameter weight;
    private final Parameter bias;

    public GptLayerNorm(int width, float epsilon) {
        this.width = width;
        this.epsilon = epsilon;
        this.normalizedShape = new Shape(width);
        weight =
                addParameter(
                        Parameter.builder()
                                .setName("weight")
                                .setType(Parameter.Type.GAMMA)
                                .build());
        bias =
                addParameter(
                        Parameter.builder().setName("bias").setType(Parameter.Type.BETA).build());
    }

    /** Normalises {@code x}; the result lives in {@code x}'s manager. */
    public NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        NDArray gamma = ps.getValue(weight, x.getDevice(), training);
        NDArray beta = ps.getValue(bias, x.getDevice(), training);
        return x.getNDArrayInternal()
                .layerNorm(x, normalizedShape, gamma, beta, epsilon)
                .singletonOrThrow();
    }

    /** The parameters under {@code prefix} ({@code h.0.ln_1}). */
    public List<NamedParameter> namedParameters(String prefix) {
        return List.of(
                new NamedParameter(prefix + ".weight", weight, new Shape(width)),
                new NamedParameter(prefix + ".bias", bias, new Shape(width)));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(apply(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
