package dev.tinygpt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.tinygpt.config.LoraConfig;
import dev.tinygpt.profile.Profile;

/**
 * An affine map {@code y = x · W + b} with GPT-2's Conv1D layout: {@code W} is {@code [in, out]}
 * (the transpose of {@code nn.Linear}), so checkpoint tensors copy in without a transpose. With a
 * LoRA adapter attached ({@link #adapt}) it adds the low-rank update beside the frozen {@code W}:
 * {@code y = x · W + b + (x · Aᵀ) · Bᵀ · α/r}, its factors the children {@code lora_A} and {@code
 * lora_B}, PEFT's names.
 *
 * <p>Shapes: {@code (..., in) -> (..., out)}.
 */
public final class Projection extends GptBlock {
    private final int in;
    private final int out;
    private final Parameter weight;
    private final Parameter bias;

    /** The adapter, or null: without one the map is the two calls above and nothing more. */
    private LoraUpdate lora;

    /**
     * @param withBias whether to add a bias (every GPT-2 projection has one; the exercise's untied
     *     LM head does not)
     */
    public Projection(int in, int out, boolean withBias) {
        this.in = in;
        this.out = out;
        weight = parameter("weight", Parameter.Type.WEIGHT, new Shape(in, out));
        bias = withBias ? parameter("bias", Parameter.Type.BIAS, new Shape(out)) : null;
    }

    /** Applies the map; the result lives in {@code x}'s manager. */
    public NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        try (Profile.Section s = Profile.section(Profile.Kind.PROJECTION)) {
            NDArray y = x.matMul(ps.getValue(weight, x.getDevice(), training)); // -> (..., out)
            // In place: the product is a temporary, and autograd needs only x and W for it.
            y = bias == null ? y : y.addi(ps.getValue(bias, x.getDevice(), training));
            return lora == null ? y : y.addi(lora.apply(ps, x, training));
        }
    }

    /**
     * Attaches a LoRA adapter of {@code config}'s rank, scale and dropout, before initialisation.
     */
    void adapt(LoraConfig config) {
        if (lora != null) {
            throw new IllegalStateException("this projection has an adapter already");
        }
        int r = config.rank();
        if (r > Math.min(in, out)) {
            // Past the smaller side the update is no longer low-rank, and a corrupt r must not
            // allocate without bound.
            throw new IllegalArgumentException(
                    "r ("
                            + r
                            + ") must be at most "
                            + Math.min(in, out)
                            + ", the smaller side of the ["
                            + in
                            + ", "
                            + out
                            + "] projections it adapts");
        }
        LoraFactor down = child("lora_A", new LoraFactor(r, in)); // [r, in]
        LoraFactor up = child("lora_B", new LoraFactor(out, r)); // [out, r]
        lora = new LoraUpdate(down, up, config.scale(), config.dropout());
    }

    /** Whether a LoRA adapter is attached. */
    boolean adapted() {
        return lora != null;
    }

    /** {@code W + ΔW}, the weight with the adapter merged in, {@code [in, out]}, in {@code m}. */
    NDArray mergedWeight(NDManager m) {
        NDArray w = weight.getArray();
        NDArray delta = lora.delta(m); // [in, out]
        return delta.addi(w);
    }
}
