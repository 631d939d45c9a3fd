package dev.tinygpt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.config.LoraConfig;
import dev.tinygpt.profile.Profile;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A GPT-2-style decoder: token and position embeddings, {@code n_layer} pre-norm transformer
 * blocks, a final LayerNorm and the LM head (tied to {@code wte} or its own {@code lm_head}).
 *
 * <p>One forward is one step of the step contract, DJL's causal-LM convention with a preallocated
 * cache:
 *
 * <pre>
 * in:  [inputIds (B,T) int64, positionIds (B,T) int64, attentionMask (B,P+T),
 *       k0, v0, ..., k(L-1), v(L-1)]    each a buffer (B, nh, capacity ≥ P+T, hs); absent: no cache
 * out: [logits (B,T,V) (or (B,1,V) with lastPositionOnly), k0, v0, ...]
 * </pre>
 *
 * P, the position where the step writes its keys and values, is the number of past positions the
 * attention mask covers: its width minus T. The step writes positions {@code P…P+T-1} of the
 * buffers in place and returns them; without buffers (P = 0) it returns its new keys and values,
 * {@code (B, nh, T, hs)}.
 *
 * <p>Every array a forward creates lives in the manager of its inputs (the caller's step manager),
 * not in the model's: the model's manager only ever holds parameters.
 *
 * <p>With a {@link LoraConfig}, the projections it targets carry LoRA adapters ({@link
 * Projection}), whose parameters ({@code h.0.attn.c_attn.lora_A.weight}, …) are the model's {@link
 * #adapterParameters}; the rest are its {@link #baseParameters}, what a model directory holds.
 */
public final class GptModel extends GptBlock {
    /**
     * A key of {@code forward}'s parameters: compute logits from this position of the step on (a
     * {@code Long}), as evaluation, which scores only some positions of a window, asks; it wins
     * over {@code lastPositionOnly}.
     */
    public static final String LOGITS_FROM = "logits_from";

    /** What PEFT and Hugging Face call the blocks: {@code transformer.h.0.attn.c_attn}. */
    public static final String MODULE_PREFIX = "transformer.";

    private final GptConfig config;
    private final boolean lastPositionOnly;
    private final LoraConfig lora;
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
        this(config, lastPositionOnly, null);
    }

    /**
     * @param lora the LoRA adapters to attach to the projections it targets, or null for none
     */
    public GptModel(GptConfig config, boolean lastPositionOnly, LoraConfig lora) {
        this.config = config;
        this.lastPositionOnly = lastPositionOnly;
        this.lora = lora;
        wte = child("wte", new EmbeddingTable(config.vocabSize(), config.dModel()));
        wpe = child("wpe", new EmbeddingTable(config.contextLength(), config.dModel()));
        List<TransformerBlock> list = new ArrayList<>(config.layers());
        for (int i = 0; i < config.layers(); i++) {
            list.add(child("h." + i, new TransformerBlock(config)));
        }
        blocks = Collections.unmodifiableList(list);
        lnF = child("ln_f", new GptLayerNorm(config.dModel(), config.layerNormEpsilon()));
        lmHead =
                config.tiedHead()
                        ? null
                        : child("lm_head", new LmHead(config.vocabSize(), config.dModel()));
        if (lora != null) {
            attachAdapters(lora);
        }
    }

    /**
     * PEFT's injection: an adapter on every projection {@code lora} targets. A target that names no
     * projection is refused, as PEFT refuses one that names no module.
     */
    private void attachAdapters(LoraConfig lora) {
        Map<String, Projection> projections = projections();
        for (String target : lora.targets()) {
            if (projections.keySet().stream()
                    .noneMatch(name -> LoraConfig.matches(MODULE_PREFIX + name, target))) {
                throw new IllegalArgumentException(
                        "target_modules: '"
                                + target
                                + "' names no projection of this model (GPT-2's are c_attn,"
                                + " attn.c_proj, c_fc and mlp.c_proj)");
            }
        }
        projections.forEach(
                (name, projection) -> {
                    if (lora.adapts(MODULE_PREFIX + name)) {
                        projection.adapt(lora);
                    }
                });
    }

    /** Every projection by its name in the block tree ({@code h.0.attn.c_attn}), in order. */
    private Map<String, Projection> projections() {
        Map<String, Projection> found = new LinkedHashMap<>();
        for (Map.Entry<String, Block> e : namedBlocks("").entrySet()) {
            if (e.getValue() instanceof Projection p) {
                found.put(e.getKey(), p);
            }
        }
        return found;
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
        return namedParameters("");
    }

    /** The LoRA adapters' settings, when the model has adapters. */
    public Optional<LoraConfig> lora() {
        return Optional.ofNullable(lora);
    }

    /** The parameters a model directory holds: every one but the adapters', in checkpoint order. */
    public List<NamedParameter> baseParameters() {
        return namedParameters().stream().filter(p -> !isAdapter(p)).toList();
    }

    /** The adapters' parameters ({@code h.0.attn.c_attn.lora_A.weight}, …); empty without. */
    public List<NamedParameter> adapterParameters() {
        return namedParameters().stream().filter(GptModel::isAdapter).toList();
    }

    private static boolean isAdapter(NamedParameter p) {
        return p.name().contains(".lora_A.") || p.name().contains(".lora_B.");
    }

    /**
     * The weights as a plain model directory holds them: the base parameters, each adapted
     * projection's weight with its update merged in ({@code W + Aᵀ·Bᵀ·α/r}), PEFT's {@code
     * merge_and_unload}. Without adapters, the parameters' own arrays; merged weights are new
     * arrays in {@code manager}.
     */
    public Map<String, NDArray> plainWeights(NDManager manager) {
        Map<String, NDArray> weights = new LinkedHashMap<>();
        for (NamedParameter p : baseParameters()) {
            weights.put(p.name(), p.parameter().getArray());
        }
        projections()
                .forEach(
                        (name, projection) -> {
                            if (projection.adapted()) {
                                weights.put(name + ".weight", projection.mergedWeight(manager));
                            }
                        });
        return weights;
    }

    /**
     * Whether every parameter holds its array. Arrays come from {@link WeightInit} or a checkpoint,
     * never from DJL's shape inference, so this ignores the input shapes DJL's default checks.
     */
    @Override
    public boolean isInitialized() {
        return namedParameters().stream().allMatch(p -> p.parameter().isInitialized());
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
                            + " key/value buffers or none, got "
                            + inputs.size()
                            + " arrays");
        }
        NDArray ids = inputs.get(0);
        NDArray mask = inputs.get(2);
        long t = ids.getShape().get(1);
        long past = mask.getShape().get(1) - t;
        List<LayerCache> caches = layerCaches(inputs, t, past);

        NDArray x;
        try (Profile.Section s = Profile.section(Profile.Kind.EMBEDDING)) {
            // (B,T) -> (B,T,C), token plus position
            x = wte.lookup(ps, ids, training).addi(wpe.lookup(ps, inputs.get(1), training));
        }
        x = Dropouts.apply(x, config.dropout(), training);
        NDArray bias = needsBias(mask, t) ? AttentionBias.build(mask, t, past) : null;
        for (int i = 0; i < layers; i++) {
            x =
                    training
                            ? blocks.get(i).apply(ps, x, bias, caches.get(i), true)
                            : layer(i, ps, x, bias, caches.get(i));
        }
        if (params != null && params.contains(LOGITS_FROM)) {
            x = x.get(new NDIndex(":, {}:, :", logitsFrom(params, t))); // -> (B,T-from,C)
        } else if (lastPositionOnly && t > 1) {
            x = x.get(new NDIndex(":, -1:, :")); // (B,T,C) -> (B,1,C)
        }
        x = lnF.apply(ps, x, training);
        NDArray logits =
                lmHead == null
                        ? LmHead.project(x, wte.table(ps, x, training)) // tied: x · wteᵀ
                        : lmHead.apply(ps, x, training);
        NDList out = new NDList(1 + 2 * layers);
        out.add(logits);
        for (LayerCache cache : caches) {
            out.add(cache.keys());
            out.add(cache.values());
        }
        return out;
    }

    /** The first position that gets logits, from {@code forward}'s parameters. */
    private static long logitsFrom(PairList<String, Object> params, long t) {
        long from = (Long) params.get(LOGITS_FROM);
        if (from < 0 || from >= t) {
            throw new IllegalArgumentException(
                    LOGITS_FROM + " must be in [0, " + t + "), got " + from);
        }
        return from;
    }

    /** Each layer's cache for the step: the input buffers written at P, or none. */
    private List<LayerCache> layerCaches(NDList inputs, long t, long past) {
        boolean buffered = inputs.size() > 3;
        if (past < 0 || (!buffered && past > 0)) {
            throw new IllegalArgumentException(
                    "the attention mask covers "
                            + (past + t)
                            + " positions but the step has "
                            + t
                            + " new ones and "
                            + (buffered ? "" : "no ")
                            + "KV cache buffers");
        }
        if (buffered && inputs.get(3).getShape().get(2) < past + t) {
            throw new IllegalArgumentException(
                    "the KV cache buffers hold "
                            + inputs.get(3).getShape().get(2)
                            + " positions but the step needs "
                            + (past + t));
        }
        List<LayerCache> caches = new ArrayList<>(blocks.size());
        for (int i = 0; i < blocks.size(); i++) {
            caches.add(
                    buffered
                            ? new LayerCache(inputs.get(3 + 2 * i), inputs.get(4 + 2 * i), past)
                            : new LayerCache(null, null, 0));
        }
        return caches;
    }

    /**
     * Runs block {@code i} at inference with its temporaries in a manager of their own, freed as
     * soon as the block is done: only its output (and new keys and values, without buffers) move to
     * the step's manager. A step therefore holds one layer's temporaries at a time, not every
     * layer's (a 4×1016-token prefill of GPT-2 small would otherwise keep ~8 GB of attention scores
     * and MLP activations alive). In training autograd keeps what backward needs on its own.
     */
    private NDArray layer(int i, ParameterStore ps, NDArray x, NDArray bias, LayerCache cache) {
        NDManager step = x.getManager();
        try (NDManager layer = step.newSubManager()) {
            x.tempAttach(layer); // what the block derives from x lands in `layer`
            NDArray y = blocks.get(i).apply(ps, x, bias, cache, false);
            for (NDArray kept : new NDArray[] {y, cache.keys(), cache.values()}) {
                if (kept.getManager() == layer) {
                    kept.attach(step);
                }
            }
            return y;
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
        Shape[] shapes = new Shape[1 + 2 * blocks.size()];
        shapes[0] = new Shape(b, lastPositionOnly ? 1 : t, config.vocabSize());
        for (int i = 1; i < shapes.length; i++) {
            shapes[i] =
                    inputShapes.length > 3
                            ? inputShapes[2 + i]
                            : new Shape(b, config.heads(), t, config.headDim());
        }
        return shapes;
    }
}
