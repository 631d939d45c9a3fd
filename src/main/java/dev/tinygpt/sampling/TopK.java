package dev.tinygpt.sampling;

import java.util.Arrays;

/**
 * HF's {@code TopKLogitsWarper} (min_tokens_to_keep 1): with {@code k' = min(k, V)}, every logit
 * strictly below the k'-th largest becomes {@code -inf}. Ties with the k'-th value survive, as HF's
 * {@code logits < topk(logits, k)[..., -1, None]}, so more than k tokens can stay.
 */
public record TopK(int k) implements LogitsProcessor {

    public TopK {
        if (k < 1) {
            throw new IllegalArgumentException("top_k must be ≥ 1, got " + k);
        }
    }

    @Override
    public void process(int[] tokens, int length, float[] logits) {
        int keep = Math.min(k, logits.length);
        float[] sorted = logits.clone();
        Arrays.sort(sorted); // ascending: the k'-th largest sits at V - k'
        float kth = sorted[logits.length - keep];
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] < kth) {
                logits[i] = Float.NEGATIVE_INFINITY;
            }
        }
    }
}
