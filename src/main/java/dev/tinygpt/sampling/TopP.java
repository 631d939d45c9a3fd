package dev.tinygpt.sampling;

import java.util.Arrays;

/**
 * Nucleus filtering (Holtzman et al. 2019) as HF's {@code TopPLogitsWarper} (min_tokens_to_keep 1):
 * sort the logits ascending, take the cumulative softmax, and set to {@code -inf} every token whose
 * cumulative probability is {@code <= 1 - top_p}, always keeping the largest. What survives is the
 * smallest set of most likely tokens whose probability reaches {@code top_p}.
 *
 * <p>Without a sort of the whole row: the tokens go into buckets by their distance below the
 * largest logit ({@value #BUCKETS_PER_UNIT} per logit unit), the buckets are walked from the least
 * likely up, whole buckets are dropped while the cumulative probability stays under the cut, and
 * only the bucket the cut falls in is sorted. Tokens more than {@value #RANGE} units below the
 * largest (probability under e⁻⁶⁴ ≈ 1.6·10⁻²⁸ each) share the last bucket: even all 50,257 of them
 * weigh less than the smallest cut a float top_p allows (2⁻²⁴), so they always go.
 *
 * <p>Deviations, all at exact boundaries only: the softmax and the cumulative sum are in double
 * (HF: the logits' dtype, usually float32) and summed bucket by bucket; equal logits are ordered by
 * token id (torch.sort leaves their order unspecified), so of tied tokens straddling the cut the
 * lower ids go first.
 */
public record TopP(float topP) implements LogitsProcessor {
    static final int BUCKETS_PER_UNIT = 64;
    static final int RANGE = 64;
    private static final int BUCKETS = BUCKETS_PER_UNIT * RANGE; // the last one: RANGE and beyond

    public TopP {
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
    }

    @Override
    public void process(int[] tokens, int length, float[] logits) {
        int v = logits.length;
        float max = Float.NEGATIVE_INFINITY;
        for (float x : logits) {
            max = Math.max(max, x);
        }
        if (max == Float.NEGATIVE_INFINITY) {
            return; // nothing left to filter; the sampler reports the empty row
        }
        // e_i = exp(x_i - max); each bucket's count and unnormalised mass
        int[] count = new int[BUCKETS + 1];
        double[] mass = new double[BUCKETS + 1];
        double sum = 0;
        for (int i = 0; i < v; i++) {
            if (logits[i] != Float.NEGATIVE_INFINITY) { // banned already: weighs nothing
                int b = bucket(max, logits[i]);
                double e = Softmax.exp((double) logits[i] - max);
                count[b]++;
                mass[b] += e;
                sum += e;
            }
        }
        double cutoff = 1.0 - topP;
        double cumulative = 0;
        int cut = 0; // the bucket the cut falls in; every bucket past it goes whole
        for (int b = BUCKETS; b > 0; b--) {
            if (count[b] > 0) {
                if (cumulative + mass[b] / sum > cutoff) {
                    cut = b;
                    break;
                }
                cumulative += mass[b] / sum;
            }
        }
        // The cut's bucket in ascending (logit, id) order: one primitive sort of packed longs.
        long[] order = new long[count[cut]];
        int n = 0;
        for (int i = 0; i < v; i++) {
            if (logits[i] == Float.NEGATIVE_INFINITY) {
                continue;
            }
            int b = bucket(max, logits[i]);
            if (b > cut) {
                logits[i] = Float.NEGATIVE_INFINITY;
            } else if (b == cut) {
                order[n++] = ((long) sortableBits(logits[i]) << 32) | i;
            }
        }
        Arrays.sort(order);
        int last = cut == 0 ? order.length - 1 : order.length; // the largest token always stays
        for (int j = 0; j < last; j++) {
            int id = (int) order[j];
            cumulative += Softmax.exp((double) logits[id] - max) / sum;
            if (cumulative > cutoff) {
                break; // cumulative only grows, so every later token stays
            }
            logits[id] = Float.NEGATIVE_INFINITY;
        }
    }

    /** The bucket of {@code x}: its distance below {@code max} in steps of 1/64, capped. */
    private static int bucket(float max, float x) {
        double below = (double) max - x;
        return below >= RANGE ? BUCKETS : (int) (below * BUCKETS_PER_UNIT);
    }

    /** An int whose signed order is the float's numeric order (NaN is rejected before this). */
    private static int sortableBits(float x) {
        int bits = Float.floatToIntBits(x);
        return bits >= 0 ? bits : bits ^ Integer.MAX_VALUE;
    }
}
