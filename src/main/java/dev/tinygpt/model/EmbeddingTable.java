package dev.tinygpt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;

/**
 * A learned lookup table {@code weight [rows, C]}: GPT-2's {@code wte} (tokens) and {@code wpe}
 * (absolute positions). The tied LM head reads {@code wte}'s weight as well.
 *
 * <p>NDList: {@code (B, T) int64 -> (B, T, C)}.
 */
public final class EmbeddingTable extends AbstractBlock {
    private final int rows;
    private final int width;
    private final Parameter weight;

    public EmbeddingTable(int rows, int width) {
        this.rows = rows;
        this.width = width;
        weight =
                addParameter(
                        Parameter.builder()
                                .setName("weight")
                                .setType(Parameter.Type.WEIGHT)
                                .build());
    }

    /**
     * Looks up rows; the result lives in {@code indices}' manager, so a step's activations never
     * land in the model's manager.
     */
    public NDArray lookup(ParameterStore ps, NDArray indices, boolean training) {
        NDArray table = table(ps, indices, training);
        // (B, T) -> (B, T, C)
        return indices.getNDArrayInternal()
                .embedding(indices, table, SparseFormat.DENSE)
                .singletonOrThrow();
    }

    /** The table itself, {@code [rows, C]}. */
    public NDArray table(ParameterStore ps, NDArray like, boolean training) {
        return ps.getValue(weight, like.getDevice(), training);
    }

    /** The parameter under {@code prefix} ({@code wte}). */
    public List<NamedParameter> namedParameters(String prefix) {
        return List.of(new NamedParameter(prefix + ".weight", weight, new Shape(rows, width)));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(lookup(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(width)};
    }
}
