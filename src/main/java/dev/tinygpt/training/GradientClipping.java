package dev.tinygpt.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Global gradient-norm clipping, as PyTorch's {@code clip_grad_norm_}: when the L2 norm over all
 * gradients together exceeds {@code max}, every gradient is scaled by {@code max / norm}, so the
 * direction of the update is kept and only its length capped.
 */
public final class GradientClipping {
    private GradientClipping() {}

    /**
     * Clips in place and returns the norm before clipping.
     *
     * @param scratch the manager for the temporaries
     */
    public static double clipGlobalNorm(List<NDArray> gradients, float max, NDManager scratch) {
        if (!(max > 0)) {
            throw new IllegalArgumentException("the norm limit must be > 0, got " + max);
        }
        NDArray total = scratch.zeros(new Shape());
        for (NDArray g : gradients) {
            try (NDArray squares = g.square();
                    NDArray sum = squares.sum()) {
                total = total.add(sum);
            }
        }
        double norm = Math.sqrt(total.getFloat());
        if (norm > max) {
            float scale = (float) (max / (norm + 1e-6)); // PyTorch's epsilon
            for (NDArray g : gradients) {
                g.muli(scale);
            }
        }
        return norm;
    }
}
