package dev.tinygpt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

/**
 * A learned lookup table {@code weight [rows, C]}: GPT-2's {@code wte} (tokens) and {@code wpe}
 * (absolute positions). The tied LM head reads {@code wte}'s weight as well.
 *
 * <p>Shapes: {@code (B, T) int64 -> (B, T, C)}.
 */
public final class EmbeddingTable extends GptBlock {
    private final Parameter weight;

    public EmbeddingTable(int rows, int width) {
        weight = parameter("weight", Parameter.Type.WEIGHT, new Shape(rows, width));
    }

    /**
     * Looks up rows; the result lives in {@code indices}' manager, so a step's activations never
     * land in the model's manager.
     */
    public NDArray lookup(ParameterStore ps, NDArray indices, boolean training) {
        return indices.getNDArrayInternal()
                .embedding(indices, table(ps, indices, training), SparseFormat.DENSE)
                .singletonOrThrow(); // (B, T) -> (B, T, C)
    }

    /** The table itself, {@code [rows, C]}. */
    public NDArray table(ParameterStore ps, NDArray like, boolean training) {
        return ps.getValue(weight, like.getDevice(), training);
    }
}
