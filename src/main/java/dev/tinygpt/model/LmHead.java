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
 * The untied language-model head, HF's {@code lm_head}: an {@code nn.Linear} without bias, so its
 * weight is {@code [V, C]} (not Conv1D's {@code [in, out]}) and the logits are {@code x · Wᵀ}. A
 * tied model has no such block and multiplies by {@code wte}'s table through {@link #project}.
 *
 * <p>NDList: {@code (B, T, C) -> (B, T, V)}.
 */
public final class LmHead extends AbstractBlock {
    private final int vocab;
    private final int width;
    private final Parameter weight;

    public LmHead(int vocab, int width) {
        this.vocab = vocab;
        this.width = width;
        weight =
                addParameter(
                        Parameter.builder()
                                .setName("weight")
                                .setType(Parameter.Type.WEIGHT)
                                .build());
    }

    public NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        return project(x, ps.getValue(weight, x.getDevice(), training));
    }

    /**
     * {@code (B, T, C) · [V, C]ᵀ -> (B, T, V)} as one fused {@code linear} call, whose result lives
     * in {@code x}'s manager (a {@code table.transpose()} would land in the model's manager).
     */
    public static NDArray project(NDArray x, NDArray table) {
        return x.getNDArrayInternal().linear(x, table, null).singletonOrThrow();
    }

    public List<NamedParameter> namedParameters(String prefix) {
        return List.of(new NamedParameter(prefix + ".weight", weight, new Shape(vocab, width)));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(apply(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {s.slice(0, s.dimension() - 1).add(vocab)};
    }
}
