package dev.tinygpt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.tinygpt.profile.Profile;

/**
 * An affine map {@code y = x · W + b} with GPT-2's Conv1D layout: {@code W} is {@code [in, out]}
 * (the transpose of {@code nn.Linear}), so checkpoint tensors copy in without a transpose.
 *
 * <p>Shapes: {@code (..., in) -> (..., out)}.
 */
public final class Projection extends GptBlock {
    private final Parameter weight;
    private final Parameter bias;

    /**
     * @param withBias whether to add a bias (every GPT-2 projection has one; the exercise's untied
     *     LM head does not)
     */
    public Projection(int in, int out, boolean withBias) {
        weight = parameter("weight", Parameter.Type.WEIGHT, new Shape(in, out));
        bias = withBias ? parameter("bias", Parameter.Type.BIAS, new Shape(out)) : null;
    }

    /** Applies the map; the result lives in {@code x}'s manager. */
    public NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        try (Profile.Section s = Profile.section(Profile.Kind.PROJECTION)) {
            NDArray y = x.matMul(ps.getValue(weight, x.getDevice(), training)); // -> (..., out)
            // In place: the product is a temporary, and autograd needs only x and W for it.
            return bias == null ? y : y.addi(ps.getValue(bias, x.getDevice(), training));
        }
    }
}
