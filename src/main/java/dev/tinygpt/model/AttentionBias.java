package dev.tinygpt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * Builds the additive attention bias from primitives: the causal mask, offset by the number of
 * cached positions, combined with the padding mask. A query at absolute position {@code P + i} may
 * look at key {@code j} iff {@code j <= P + i} and key {@code j} is not padding.
 *
 * <p>Allowed entries get 0 and forbidden ones {@value #MASKED}. A finite value (not -inf, as HF's
 * {@code finfo.min} is finite too) keeps a fully padded query row at a uniform softmax instead of
 * NaN; its output is never read.
 */
public final class AttentionBias {
    /** What a forbidden score gets added: exp(-1e9) underflows to exactly 0 in fp32. */
    public static final float MASKED = -1e9f;

    private AttentionBias() {}

    /**
     * @param mask attention mask {@code (B, S)}, 1 for real tokens and 0 for padding
     * @param t number of new (query) positions
     * @param past number of cached positions P, with {@code S = P + T}
     * @return the bias {@code (B, 1, T, S)}, in {@code mask}'s manager
     */
    public static NDArray build(NDArray mask, long t, long past) {
        NDManager m = mask.getManager();
        long b = mask.getShape().get(0);
        long s = past + t;
        NDArray queryPos = m.arange(past, s, 1, DataType.INT64).reshape(t, 1); // (T, 1)
        NDArray keyPos = m.arange(0, s, 1, DataType.INT64).reshape(1, s); // (1, S)
        NDArray causal = keyPos.lte(queryPos); // (T, S): key j visible to query i iff j <= P + i
        NDArray real = mask.reshape(b, 1, 1, s).gt(0); // (B, S) -> (B, 1, 1, S)
        NDArray visible = real.logicalAnd(causal); // broadcast -> (B, 1, T, S)
        // 1 -> 0, 0 -> MASKED
        return visible.toType(DataType.FLOAT32, false).subi(1f).muli(-MASKED);
    }
}
