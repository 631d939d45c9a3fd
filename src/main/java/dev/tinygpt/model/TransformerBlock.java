package dev.tinygpt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.tinygpt.config.GptConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * One pre-norm transformer block, GPT-2's {@code h.{i}}: {@code x = x + attn(ln_1(x)); x = x +
 * mlp(ln_2(x))}.
 *
 * <p>NDList: as {@link CausalSelfAttention}, {@code [x, bias, pastK?, pastV?] -> [x', presentK,
 * presentV]}.
 */
public final class TransformerBlock extends AbstractBlock {
    private final GptLayerNorm ln1;
    private final CausalSelfAttention attn;
    private final GptLayerNorm ln2;
    private final Mlp mlp;

    public TransformerBlock(GptConfig config) {
        ln1 = addChildBlock("ln_1", new GptLayerNorm(config.dModel(), config.layerNormEpsilon()));
        attn = addChildBlock("attn", new CausalSelfAttention(config));
        ln2 = addChildBlock("ln_2", new GptLayerNorm(config.dModel(), config.layerNormEpsilon()));
        mlp = addChildBlock("mlp", new Mlp(config));
    }

    public CausalSelfAttention.Output apply(
            ParameterStore ps,
            NDArray x,
            NDArray bias,
            NDArray pastKey,
            NDArray pastValue,
            long past,
            boolean training) {
        CausalSelfAttention.Output a =
                attn.apply(
                        ps, ln1.apply(ps, x, training), bias, pastKey, pastValue, past, training);
        x = residual(x, a.y(), training);
        x = residual(x, mlp.apply(ps, ln2.apply(ps, x, training), training), training);
        return new CausalSelfAttention.Output(x, a.key(), a.value());
    }

    /**
     * {@code x + branch}. At inference the branch's output is a temporary nothing else reads, so
     * the sum is written into it: no new array; in training autograd needs both intact.
     */
    private static NDArray residual(NDArray x, NDArray branch, boolean training) {
        return training ? x.add(branch) : branch.addi(x);
    }

    /**
     * Creates the block's constant arrays beside its weights ({@link GptModel#createConstants}).
     */
    void createConstants() {
        attn.createConstants();
        mlp.createConstants();
    }

    public List<NamedParameter> namedParameters(String prefix) {
        List<NamedParameter> list = new ArrayList<>(ln1.namedParameters(prefix + ".ln_1"));
        list.addAll(attn.namedParameters(prefix + ".attn"));
        list.addAll(ln2.namedParameters(prefix + ".ln_2"));
        list.addAll(mlp.namedParameters(prefix + ".mlp"));
        return list;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray pastKey = inputs.size() > 2 ? inputs.get(2) : null;
        NDArray pastValue = inputs.size() > 3 ? inputs.get(3) : null;
        long past = inputs.get(1).getShape().get(3) - inputs.get(0).getShape().get(1);
        CausalSelfAttention.Output out =
                apply(ps, inputs.get(0), inputs.get(1), pastKey, pastValue, past, training);
        return new NDList(out.y(), out.key(), out.value());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return attn.getOutputShapes(inputShapes);
    }
}
