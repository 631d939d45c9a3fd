package dev.tinygpt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.profile.Profile;

/**
 * Multi-head causal self-attention from NDArray primitives, as GPT-2: one fused {@code c_attn}
 * projection gives Q, K and V; the new keys and values join the layer's KV cache; each head
 * computes {@code softmax(q·kᵀ/√hs + bias)·v} over every cached and new position; {@code c_proj}
 * mixes the heads. The same code runs a whole prompt (prefill) and one token against the cache.
 *
 * <p>Legend: B batch, T new positions, S = P + T positions attended (P cached), C width, nh heads,
 * hs = C/nh. Shapes: {@code (B, T, C) -> (B, T, C)}.
 */
public final class CausalSelfAttention extends GptBlock {
    private final int nHeads;
    private final int headDim;
    private final float scale;
    private final float dropout;
    private final Projection qkv;
    private final Projection proj;

    public CausalSelfAttention(GptConfig config) {
        this.nHeads = config.heads();
        this.headDim = config.headDim();
        // 1/√hs as in "Attention Is All You Need" and GPT-2; HF's scale_attn_weights = false
        // turns it off.
        this.scale = config.scaleAttnWeights() ? (float) (1.0 / Math.sqrt(headDim)) : 1f;
        this.dropout = config.dropout();
        int c = config.dModel();
        qkv = child("c_attn", new Projection(c, 3 * c, true));
        proj = child("c_proj", new Projection(c, c, true));
    }

    /**
     * @param x the new positions {@code (B, T, C)}
     * @param bias additive attention bias {@code (B|1, 1, T, S)}: 0 where a query may look, a large
     *     negative number where it may not (the causal mask and padding); null when every query may
     *     see every key (one new token without padding)
     * @param cache the layer's KV cache, which takes the new keys and values
     */
    public NDArray apply(
            ParameterStore ps, NDArray x, NDArray bias, LayerCache cache, boolean training) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        NDList qkvHeads = splitHeads(qkv.apply(ps, x, training), b, t); // 3 × (B,nh,T,hs)
        NDArray[] kv = cache.append(qkvHeads.get(1), qkvHeads.get(2)); // 2 × (B,nh,S,hs)
        NDArray y = attend(qkvHeads.get(0), kv[0], kv[1], bias, training); // (B,nh,T,hs)
        return Dropouts.apply(proj.apply(ps, mergeHeads(y, b, t), training), dropout, training);
    }

    /** {@code softmax(q·kᵀ·scale + bias)·v}, each part a profile section of its own. */
    private NDArray attend(NDArray q, NDArray k, NDArray v, NDArray bias, boolean training) {
        NDArray scores;
        try (Profile.Section s = Profile.section(Profile.Kind.SCORES)) {
            // (B,nh,T,hs) · (B,nh,hs,S) -> (B,nh,T,S)
            scores = q.matMul(k.transpose(0, 1, 3, 2));
            scores = scale == 1f ? scores : scores.muli(scale);
            scores = bias == null ? scores : scores.addi(bias);
        }
        NDArray weights;
        try (Profile.Section s = Profile.section(Profile.Kind.SOFTMAX)) {
            weights = Dropouts.apply(scores.softmax(-1), dropout, training);
        }
        try (Profile.Section s = Profile.section(Profile.Kind.VALUES)) {
            return weights.matMul(v); // (B,nh,T,S) · (B,nh,S,hs) -> (B,nh,T,hs)
        }
    }

    /** {@code (B,T,3C) -> (B,T,3·nh,hs) -> (B,3·nh,T,hs) -> q, k, v}, each {@code (B,nh,T,hs)}. */
    private NDList splitHeads(NDArray fused, long b, long t) {
        try (Profile.Section s = Profile.section(Profile.Kind.HEADS)) {
            if (t == 1) {
                return splitOnePosition(fused, b);
            }
            return fused.reshape(b, t, 3L * nHeads, headDim).transpose(0, 2, 1, 3).split(3, 1);
        }
    }

    /**
     * Speed, one decode position: {@code (B,1,3C)} is already laid out as {@code (B,3·nh,1,hs)}, so
     * the transpose goes: two native calls instead of three (6.8 against 9.5 µs per layer,
     * measured; the exercise model's decode step is bound by such calls).
     */
    private NDList splitOnePosition(NDArray fused, long b) {
        return fused.reshape(b, 3L * nHeads, 1, headDim).split(3, 1);
    }

    /** {@code (B,nh,T,hs) -> (B,T,nh,hs) -> (B,T,C)}; with T = 1 the transpose moves nothing. */
    private NDArray mergeHeads(NDArray y, long b, long t) {
        try (Profile.Section s = Profile.section(Profile.Kind.HEADS)) {
            NDArray positionsFirst = t == 1 ? y : y.transpose(0, 2, 1, 3);
            return positionsFirst.reshape(b, t, (long) nHeads * headDim);
        }
    }
}
