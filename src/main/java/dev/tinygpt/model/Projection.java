package dev.tinygpt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * An affine map {@code y = x · W + b} with GPT-2's Conv1D layout: {@code W} is {@code [in, out]}
 * (the transpose of {@code nn.Linear}), so checkpoint tensors copy in without a transpose.
 *
 * <p>NDList: {@code (..., in) -> (..., out)}.
 */
public final class Projection extends AbstractBlock {
    private final int in;
    private final int out;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * @param in input width
     * @param out output width
     * @param withBias whether to add a bias (every GPT-2 projection has one; the exercise's untied
     *     LM head does not)
     */
    public Projection(int in, int out, boolean withBias) {
        this.in = in;
        this.out = out;
        weight =
                addParameter(
                        Parameter.builder()
                                .setName("weight")
                                .setType(Parameter.Type.WEIGHT)
                                .build());
        bias =
                withBias
                        ? addParameter(
                                Parameter.builder()
                                        .setName("bias")
                                        .setType(Parameter.Type.BIAS)
                                        .build())
                        : null;
    }

    /** Applies the map; the result lives in {@code x}'s manager. */
    public NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        NDArray y = x.matMul(w); // (..., in) · (in, out) -> (..., out)
        if (bias == null) {
            return y;
        }
        NDArray b = ps.getValue(bias, x.getDevice(), training);
        // In-place when no gradient is recorded: one temporary fewer per projection.
        return training ? y.add(b) : y.addi(b);
    }

    /** The weight's array (for constants that must live beside it, in the model's manager). */
    NDArray weightArray() {
        return weight.getArray();
    }

    /** The parameters under {@code prefix} ({@code h.0.attn.c_attn}). */
    public List<NamedParameter> namedParameters(String prefix) {
        List<NamedParameter> list = new ArrayList<>(2);
        list.add(new NamedParameter(prefix + ".weight", weight, new Shape(in, out)));
        if (bias != null) {
            list.add(new NamedParameter(prefix + ".bias", bias, new Shape(out)));
        }
        return list;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(apply(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {s.slice(0, s.dimension() - 1).add(out)};
    }
}
