package dev.tinygpt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.tinygpt.config.GptConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Multi-head causal self-attention from NDArray primitives, as GPT-2: one fused {@code c_attn}
 * projection gives Q, K and V; each head computes {@code softmax(q·kᵀ/√hs + bias)·v}; {@code
 * c_proj} mixes the heads. New keys and values are appended to the past ones, so the layer serves
 * both a whole prompt (prefill) and one token at a time against a KV cache.
 *
 * <p>Legend: B batch, T new positions, P past positions, S = P + T, C width, nh heads, hs = C/nh.
 * NDList: {@code [x (B,T,C), bias (B,1,T,S), pastK (B,nh,P,hs), pastV (B,nh,P,hs)]} (past optional)
 * {@code -> [y (B,T,C), presentK (B,nh,S,hs), presentV (B,nh,S,hs)]}.
 */
public final class CausalSelfAttention extends AbstractBlock {
    private final int nHeads;
    private final int headDim;
    private final float scale;
    private final float dropout;
    private final Projection qkv;
    private final Projection proj;
    private final Scalars constants;

    /** What one attention call returns: the output and the keys/values to cache. */
    public record Output(NDArray y, NDArray key, NDArray value) {}

    public CausalSelfAttention(GptConfig config) {
        this.nHeads = config.heads();
        this.headDim = config.headDim();
        // 1/√hs as in "Attention Is All You Need" and GPT-2; HF's scale_attn_weights = false
        // turns it off.
        this.scale = config.scaleAttnWeights() ? (float) (1.0 / Math.sqrt(headDim)) : 1f;
        this.constants = new Scalars(scale);
        this.dropout = config.dropout();
        int c = config.dModel();
        qkv = addChildBlock("c_attn", new Projection(c, 3 * c, true));
        proj = addChildBlock("c_proj", new Projection(c, c, true));
    }

    /**
     * @param x the new positions {@code (B, T, C)}
     * @param bias additive attention bias {@code (B|1, 1, T, S)}: 0 where a query may look, a large
     *     negative number where it may not (the causal mask and padding); null when every query may
     *     see every key (one new token without padding)
     * @param pastKey cached keys {@code (B, nh, P, hs)}, a preallocated buffer {@code (B, nh, cap,
     *     hs)} whose first P positions are filled, or null
     * @param pastValue cached values, shaped as {@code pastKey}, or null
     * @param past P, the number of cached positions
     */
    public Output apply(
            ParameterStore ps,
            NDArray x,
            NDArray bias,
            NDArray pastKey,
            NDArray pastValue,
            long past,
            boolean training) {
        Shape shape = x.getShape();
        long b = shape.get(0);
        long t = shape.get(1);
        long c = shape.get(2);

        NDArray fused = qkv.apply(ps, x, training); // (B,T,C) -> (B,T,3C)
        NDArray q;
        NDArray k;
        NDArray v;
        if (t == 1) {
            // A decode step: (B,1,3C) is [q | k | v], each nh heads of hs, so one reshape to
            // (B,3·nh,1,hs) and one split give the three (B,nh,1,hs) views: two native calls.
            NDList parts = fused.reshape(b, 3L * nHeads, 1, headDim).split(3, 1);
            q = parts.get(0);
            k = parts.get(1);
            v = parts.get(2);
        } else {
            NDList parts = fused.split(3, 2); // (B,T,3C) -> 3 × (B,T,C)
            q = heads(parts.get(0), b, t); // (B,T,C) -> (B,nh,T,hs)
            k = heads(parts.get(1), b, t);
            v = heads(parts.get(2), b, t);
        }
        NDArray presentKey = k;
        NDArray presentValue = v;
        if (pastKey != null && pastKey.getShape().get(2) > past) {
            // Preallocated buffers: write the T new positions into their slots, read the S filled.
            long capacity = pastKey.getShape().get(2);
            if (past + t > capacity) {
                throw new IllegalArgumentException(
                        (past + t) + " positions exceed the KV cache's capacity of " + capacity);
            }
            NDIndex slots = new NDIndex(":, :, {}:{}", past, past + t);
            pastKey.set(slots, k); // (B,nh,T,hs) -> buffer[:, :, P:S]
            pastValue.set(slots, v);
            NDIndex filled = new NDIndex(":, :, :{}", past + t);
            k = pastKey.get(filled); // (B,nh,cap,hs) -> (B,nh,S,hs), a view
            v = pastValue.get(filled);
            presentKey = pastKey;
            presentValue = pastValue;
        } else if (pastKey != null) {
            k = pastKey.concat(k, 2); // (B,nh,P,hs) ++ (B,nh,T,hs) -> (B,nh,S,hs)
            v = pastValue.concat(v, 2);
            presentKey = k;
            presentValue = v;
        }

        // (B,nh,T,hs) · (B,nh,hs,S) -> (B,nh,T,S); scaling q first touches T·hs, not T·S, values.
        NDArray scaled = scale == 1f ? q : q.mul(constants.in(qkv.weightArray())[0]);
        NDArray scores = scaled.matMul(k.transpose(0, 1, 3, 2));
        if (bias != null) {
            scores = training ? scores.add(bias) : scores.addi(bias);
        }
        NDArray weights = Dropouts.apply(scores.softmax(-1), dropout, training);
        NDArray y = weights.matMul(v); // (B,nh,T,S) · (B,nh,S,hs) -> (B,nh,T,hs)
        // (B,nh,T,hs) -> (B,T,nh,hs) -> (B,T,C); with T = 1 the transpose moves nothing
        y = t == 1 ? y.reshape(b, 1, c) : y.transpose(0, 2, 1, 3).reshape(b, t, c);
        y = Dropouts.apply(proj.apply(ps, y, training), dropout, training);
        return new Output(y, presentKey, presentValue);
    }

    /** Creates the constant 1/√hs in the weights' manager ({@link GptModel#createConstants}). */
    void createConstants() {
        constants.in(qkv.weightArray());
    }

    /** Splits the width into heads: {@code (B,T,C) -> (B,T,nh,hs) -> (B,nh,T,hs)}. */
    private NDArray heads(NDArray x, long b, long t) {
        return x.reshape(b, t, nHeads, headDim).transpose(0, 2, 1, 3);
    }

    public List<NamedParameter> namedParameters(String prefix) {
        List<NamedParameter> list = new ArrayList<>(qkv.namedParameters(prefix + ".c_attn"));
        list.addAll(proj.namedParameters(prefix + ".c_proj"));
        return list;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray pastKey = inputs.size() > 2 ? inputs.get(2) : null;
        NDArray pastValue = inputs.size() > 3 ? inputs.get(3) : null;
        long past = inputs.get(1).getShape().get(3) - inputs.get(0).getShape().get(1);
        Output out = apply(ps, inputs.get(0), inputs.get(1), pastKey, pastValue, past, training);
        return new NDList(out.y(), out.key(), out.value());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape x = inputShapes[0];
        long past = inputShapes.length > 2 ? inputShapes[2].get(2) : 0;
        Shape kv = new Shape(x.get(0), nHeads, past + x.get(1), headDim);
        return new Shape[] {x, kv, kv};
    }
}
