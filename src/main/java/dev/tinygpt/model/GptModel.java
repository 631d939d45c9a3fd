package dev.tinygpt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.tinygpt.config.GptConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A GPT-2-style decoder: token and position embeddings, {@code n_layer} pre-norm transformer
 * blocks, a final LayerNorm and the LM head (tied to {@code wte} or its own {@code lm_head}).
 *
 * <p>One forward is one step of the step contract (DJL's causal-LM convention):
 *
 * <pre>
 * in:  [inputIds (B,T) int64, positionIds (B,T) int64, attentionMask (B,P+T),
 *       k0, v0, ..., k(L-1), v(L-1)]     each past (B, nh, P, hs); absent on the first step
 * out: [logits (B,T,V) (or (B,1,V) with lastPositionOnly), k0', v0', ...]   each (B, nh, P+T, hs)
 * </pre>
 *
 * P is the attention mask's width minus T. Past arrays longer than P are preallocated buffers (see
 * {@link CausalSelfAttention}); they are filled in place and returned as the presents.
 *
 * <p>Every array a forward creates lives in the manager of its inputs (the caller's step manager),
 * not in the model's: the model's manager only ever holds parameters.
 */
public final class GptModel extends AbstractBlock {
    private final GptConfig config;
    private final boolean lastPositionOnly;
    private final EmbeddingTable wte;
    private final EmbeddingTable wpe;
    private final List<TransformerBlock> blocks;
    private final GptLayerNorm lnF;
    private final LmHead lmHead;

    /** A model whose forward returns logits for every position. */
    public GptModel(GptConfig config) {
        this(config, false);
    }

    /**
     * @param lastPositionOnly compute logits for the last position only: generation needs nothing
     *     else, and the head is the widest matmul of a step
     */
    public GptModel(GptConfig config, boolean lastPositionOnly) {
        this.config = config;
        this.lastPositionOnly = lastPositionOnly;
        wte = addChildBlock("wte", new EmbeddingTable(config.vocabSize(), config.dModel()));
        wpe = addChildBlock("wpe", new EmbeddingTable(config.contextLength(), config.dModel()));
        List<TransformerBlock> list = new ArrayList<>(config.layers());
        for (int i = 0; i < config.layers(); i++) {
            list.add(addChildBlock("h." + i, new TransformerBlock(config)));
        }
        blocks = Collections.unmodifiableList(list);
        lnF = addChildBlock("ln_f", new GptLayerNorm(config.dModel(), config.layerNormEpsilon()));
        lmHead =
                config.tiedHead()
                        ? null
                        : addChildBlock("lm_head", new LmHead(config.vocabSize(), config.dModel()));
    }

    public GptConfig config() {
        return config;
    }

    public boolean lastPositionOnly() {
        return lastPositionOnly;
    }

    /**
     * Every parameter under its GPT-2 checkpoint name, in checkpoint order: {@code wte}, {@code
     * wpe}, {@code h.0.*} … {@code h.(L-1).*}, {@code ln_f}, and {@code lm_head} when untied.
     */
    public List<NamedParameter> namedParameters() {
        List<NamedParameter> list = new ArrayList<>(wte.namedParameters("wte"));
        list.addAll(wpe.namedParameters("wpe"));
        for (int i = 0; i < blocks.size(); i++) {
            list.addAll(blocks.get(i).namedParameters("h." + i));
        }
        list.addAll(lnF.namedParameters("ln_f"));
        if (lmHead != null) {
            list.addAll(lmHead.namedParameters("lm_head"));
        }
        return list;
    }

    /**
     * Whether every parameter holds its array. Arrays come from {@link WeightInit} or a checkpoint,
     * never from DJL's shape inference, so this ignores the input shapes DJL's default checks.
     */
    @Override
    public boolean isInitialized() {
        for (NamedParameter p : namedParameters()) {
            if (!p.parameter().isInitialized()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Creates the model's constant arrays (1/√hs, GELU's coefficients) in the weights' manager. The
     * code that sets the weights calls it ({@link WeightInit}, {@code ModelDirectory}), so a
     * forward never adds an array to the model: once loaded, the model is read-only, and any number
     * of predictors may share it.
     */
    public void createConstants() {
        blocks.forEach(TransformerBlock::createConstants);
    }

    /** Total number of scalars in the parameters (a tied head counts once). */
    public long parameterCount() {
        return namedParameters().stream().mapToLong(NamedParameter::size).sum();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        int layers = blocks.size();
        if (inputs.size() != 3 && inputs.size() != 3 + 2 * layers) {
            throw new IllegalArgumentException(
                    "expected [inputIds, positionIds, attentionMask] and "
                            + (2 * layers)
                            + " past key/value arrays or none, got "
                            + inputs.size()
                            + " arrays");
        }
        NDArray ids = inputs.get(0);
        NDArray positions = inputs.get(1);
        NDArray mask = inputs.get(2);
        long t = ids.getShape().get(1);
        long past = mask.getShape().get(1) - t;
        long pastArrays = inputs.size() > 3 ? inputs.get(3).getShape().get(2) : 0;
        if (past < 0 || pastArrays < past) {
            throw new IllegalArgumentException(
                    "the attention mask covers "
                            + mask.getShape().get(1)
                            + " positions but the step has "
                            + t
                            + " new and "
                            + pastArrays
                            + " cached ones");
        }

        // (B,T) -> (B,T,C), token plus position
        NDArray x = wte.lookup(ps, ids, training).addi(wpe.lookup(ps, positions, training));
        x = Dropouts.apply(x, config.dropout(), training);
        NDArray bias = needsBias(mask, t) ? AttentionBias.build(mask, t, past) : null;

        NDList out = new NDList(1 + 2 * layers);
        out.add(null); // the logits' slot, filled below
        for (int i = 0; i < layers; i++) {
            NDArray pastKey = inputs.size() > 3 ? inputs.get(3 + 2 * i) : null;
            NDArray pastValue = inputs.size() > 3 ? inputs.get(4 + 2 * i) : null;
            CausalSelfAttention.Output o =
                    training
                            ? blocks.get(i).apply(ps, x, bias, pastKey, pastValue, past, true)
                            : applyScoped(blocks.get(i), ps, x, bias, pastKey, pastValue, past);
            x = o.y();
            out.add(o.key());
            out.add(o.value());
        }
        if (lastPositionOnly && t > 1) {
            x = x.get(new NDIndex(":, -1:, :")); // (B,T,C) -> (B,1,C)
        }
        x = lnF.apply(ps, x, training);
        NDArray logits =
                lmHead == null
                        ? LmHead.project(x, wte.table(ps, x, training)) // tied: x · wteᵀ
                        : lmHead.apply(ps, x, training);
        out.set(0, logits);
        return out;
    }

    /**
     * Runs a block at inference with its temporaries in a manager of their own, freed as soon as
     * the block is done: only its output and presents move to the step's manager. A step therefore
     * holds one layer's temporaries at a time, not every layer's (a 4×1016-token prefill of GPT-2
     * small would otherwise keep ~8 GB of attention scores and MLP activations alive). In training
     * autograd keeps what backward needs on its own, but the arrays stay for simplicity.
     */
    private static CausalSelfAttention.Output applyScoped(
            TransformerBlock block,
            ParameterStore ps,
            NDArray x,
            NDArray bias,
            NDArray pastKey,
            NDArray pastValue,
            long past) {
        NDManager step = x.getManager();
        try (NDManager layer = step.newSubManager()) {
            x.tempAttach(layer); // what the block derives from x lands in `layer`
            CausalSelfAttention.Output o =
                    block.apply(ps, x, bias, pastKey, pastValue, past, false);
            keep(o.y(), layer, step);
            keep(o.key(), layer, step);
            keep(o.value(), layer, step);
            return o;
        }
    }

    /**
     * Moves {@code array} out of the closing layer manager if it was made there. Presents
     * concatenated onto a past live in the past's manager (the caller's, as the step contract says)
     * and stay there.
     */
    private static void keep(NDArray array, NDManager layer, NDManager step) {
        if (array.getManager() == layer) {
            array.attach(step);
        }
    }

    /**
     * Whether attention needs a bias at all: several new positions need the causal mask; a single
     * new position sees every key unless some key is padding.
     */
    private static boolean needsBias(NDArray mask, long t) {
        return t > 1 || !mask.all().getBoolean();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape ids = inputShapes[0];
        long b = ids.get(0);
        long t = ids.get(1);
        long past = inputShapes.length > 3 ? inputShapes[3].get(2) : 0;
        Shape[] shapes = new Shape[1 + 2 * blocks.size()];
        shapes[0] = new Shape(b, lastPositionOnly ? 1 : t, config.vocabSize());
        Shape kv = new Shape(b, config.heads(), past + t, config.headDim());
        for (int i = 1; i < shapes.length; i++) {
            shapes[i] = kv;
        }
        return shapes;
    }
}
