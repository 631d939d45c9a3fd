package dev.tinygpt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;

/**
 * The low-rank update LoRA adds beside a frozen projection: {@code (dropout(x) · Aᵀ) · Bᵀ · α/r},
 * with {@code A [r, in]} (PEFT's {@code lora_A}) and {@code B [out, r]} ({@code lora_B}). Merged
 * into GPT-2's Conv1D weight {@code [in, out]} it is {@code ΔW = Aᵀ · Bᵀ · α/r}, PEFT's {@code
 * transpose(B·A, fan_in_fan_out) · scaling}.
 *
 * <p>Shapes: {@code (..., in) -> (..., r) -> (..., out)}.
 */
record LoraUpdate(LoraFactor down, LoraFactor up, float scale, float dropout) {

    /** The update for {@code x}; a temporary in {@code x}'s manager. */
    NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        NDArray low = down.apply(ps, Dropouts.apply(x, dropout, training), training); // (..., r)
        // In place: the product is a temporary, and autograd needs only its inputs.
        return up.apply(ps, low, training).muli(scale); // (..., r) -> (..., out)
    }

    /**
     * {@code ΔW = Aᵀ · Bᵀ · α/r}, {@code [in, out]}, in {@code manager}: the factors are lent to it
     * for the product and go back to the model's manager when it closes.
     */
    NDArray delta(NDManager manager) {
        NDArray a = down.array(); // [r, in]
        NDArray b = up.array(); // [out, r]
        a.tempAttach(manager);
        b.tempAttach(manager);
        return a.transpose().matMul(b.transpose()).muli(scale); // [in, r] · [r, out] -> [in, out]
    }
}
