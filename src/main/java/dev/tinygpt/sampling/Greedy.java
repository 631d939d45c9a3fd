package dev.tinygpt.sampling;

/**
 * Greedy choice: the softmax of the logits, then the index of the largest probability (the first
 * one on ties, as {@code torch.argmax}).
 */
public final class Greedy {
    private Greedy() {}

    public static int pick(float[] logits) {
        return argMax(softmax(logits));
    }

    /** Numerically stable softmax in double precision: {@code exp(x - max) / Σ exp(x - max)}. */
    public static double[] softmax(float[] logits) {
        if (logits.length == 0) {
            throw new IllegalArgumentException("no logits to choose from");
        }
        float max = Float.NEGATIVE_INFINITY;
        for (float v : logits) {
            if (Float.isNaN(v)) {
                throw new IllegalArgumentException("logits contain NaN");
            }
            max = Math.max(max, v);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp((double) logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    public static int argMax(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
