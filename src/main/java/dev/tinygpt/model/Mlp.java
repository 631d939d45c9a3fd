package dev.tinygpt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.tinygpt.config.Activation;
import dev.tinygpt.config.GptConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The position-wise feed-forward network: {@code c_proj(act(c_fc(x)))}, widening C to the hidden
 * size H and back.
 *
 * <p>NDList: {@code (B, T, C) -> (B, T, C)}.
 */
public final class Mlp extends AbstractBlock {
    /** sqrt(2/π), the constant of GPT-2's tanh GELU. */
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);

    private final Activation activation;
    private final float dropout;
    private final Projection fc;
    private final Projection proj;
    private final Scalars constants = new Scalars(0.044715f, SQRT_2_OVER_PI, 1f, 0.5f);

    public Mlp(GptConfig config) {
        this.activation = config.activation();
        this.dropout = config.dropout();
        fc = addChildBlock("c_fc", new Projection(config.dModel(), config.mlpHidden(), true));
        proj = addChildBlock("c_proj", new Projection(config.mlpHidden(), config.dModel(), true));
    }

    public NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        NDArray h = fc.apply(ps, x, training); // (B, T, C) -> (B, T, H)
        h = activate(h, training);
        NDArray y = proj.apply(ps, h, training); // (B, T, H) -> (B, T, C)
        return Dropouts.apply(y, dropout, training);
    }

    /**
     * Applies the configured non-linearity element-wise. At inference the tanh GELU updates its
     * temporaries in place (4 fewer allocations) and multiplies by constant arrays; in training
     * autograd needs the temporaries intact.
     */
    NDArray activate(NDArray h, boolean training) {
        return switch (activation) {
            case RELU -> h.getNDArrayInternal().relu();
                // Exact GELU, x·Φ(x), as PyTorch's default nn.GELU().
            case GELU -> h.getNDArrayInternal().gelu();
                // GPT-2's tanh approximation (HF NewGELU): 0.5·x·(1 + tanh(√(2/π)·(x +
                // 0.044715·x³))).
            case GELU_NEW -> {
                if (training) {
                    NDArray inner = h.pow(3f).mul(0.044715f).add(h).mul(SQRT_2_OVER_PI);
                    yield inner.tanh().add(1f).mul(h).mul(0.5f);
                }
                // The constants are arrays made once: a Java float would cost a new array per op.
                NDArray[] c = constants.in(fc.weightArray());
                NDArray inner = h.mul(h).muli(h).muli(c[0]).addi(h).muli(c[1]); // x³ as x·x·x
                yield inner.tanh().addi(c[2]).muli(h).muli(c[3]);
            }
        };
    }

    /**
     * Creates the tanh GELU's constants in the weights' manager ({@link GptModel#createConstants});
     * the other activations use none.
     */
    void createConstants() {
        if (activation == Activation.GELU_NEW) {
            constants.in(fc.weightArray());
        }
    }

    public List<NamedParameter> namedParameters(String prefix) {
        List<NamedParameter> list = new ArrayList<>(fc.namedParameters(prefix + ".c_fc"));
        list.addAll(proj.namedParameters(prefix + ".c_proj"));
        return list;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(apply(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
