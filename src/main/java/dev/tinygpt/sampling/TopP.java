package dev.tinygpt.sampling;

import java.util.Arrays;

/**
 * Nucleus filtering (Holtzman et al. 2019) as HF's {@code TopPLogitsWarper} (min_tokens_to_keep 1):
 * sort the logits ascending, take the cumulative softmax, and set to {@code -inf} every token whose
 * cumulative probability is {@code <= 1 - top_p}, always keeping the largest. What survives is the
 * smallest set of most likely tokens whose probability reaches {@code top_p}.
 *
 * <p>Two deviations, both only at exact boundaries: the softmax and its running sum are computed in
 * double (HF: the logits' dtype, usually float32), and equal logits are ordered by token id
 * (torch.sort leaves their order unspecified), so of tied tokens straddling the cutoff the lower
 * ids go first.
 */
public record TopP(float topP) implements LogitsProcessor {

    public TopP {
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
    }

    @Override
    public void process(int[] tokens, int length, float[] logits) {
        int v = logits.length;
        // One primitive sort of (logit, id) packed into a long: ascending by logit, then by id.
        long[] order = new long[v];
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < v; i++) {
            order[i] = ((long) sortableBits(logits[i]) << 32) | i;
            max = Math.max(max, logits[i]);
        }
        if (max == Float.NEGATIVE_INFINITY) {
            return; // nothing left to filter; the sampler reports the empty row
        }
        Arrays.sort(order);
        double sum = 0;
        for (float x : logits) {
            sum += Math.exp((double) x - max);
        }
        double cutoff = 1.0 - topP;
        double cumulative = 0;
        for (int j = 0; j < v - 1; j++) { // j = v - 1, the largest, is always kept
            int id = (int) order[j];
            cumulative += Math.exp((double) logits[id] - max) / sum;
            if (cumulative > cutoff) {
                break; // cumulative only grows, so every later token stays
            }
            logits[id] = Float.NEGATIVE_INFINITY;
        }
    }

    /** An int whose signed order is the float's numeric order (NaN is rejected before this). */
    private static int sortableBits(float x) {
        int bits = Float.floatToIntBits(x);
        return bits >= 0 ? bits : bits ^ Integer.MAX_VALUE;
    }
}
