package dev.tinygpt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

/**
 * One factor of a LoRA update, PEFT's {@code lora_A} or {@code lora_B}: an {@code nn.Linear}
 * without bias, so its weight is {@code [out, in]} and it computes {@code x · Wᵀ}.
 *
 * <p>Shapes: {@code (..., in) -> (..., out)}.
 */
final class LoraFactor extends GptBlock {
    private final Parameter weight;

    LoraFactor(int out, int in) {
        weight = parameter("weight", Parameter.Type.WEIGHT, new Shape(out, in));
    }

    /** {@code x · Wᵀ} as one fused {@code linear} call; the result lives in {@code x}'s manager. */
    NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        return x.getNDArrayInternal().linear(x, w, null).singletonOrThrow();
    }

    /** The weight's array, {@code [out, in]}. */
    NDArray array() {
        return weight.getArray();
    }
}
