package dev.tinygpt.sampling;

/**
 * Greedy choice: the index of the largest logit, the first one on ties, as {@code torch.argmax}.
 * (The softmax is monotonic, so this is the most probable token without computing it.)
 */
public final class Greedy {
    private Greedy() {}

    /**
     * @throws IllegalArgumentException for an empty row or a NaN logit
     */
    public static int pick(float[] logits) {
        if (logits.length == 0) {
            throw new IllegalArgumentException("no logits to choose from");
        }
        int best = 0;
        for (int i = 0; i < logits.length; i++) {
            if (Float.isNaN(logits[i])) {
                throw new IllegalArgumentException("logits contain NaN");
            }
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}
