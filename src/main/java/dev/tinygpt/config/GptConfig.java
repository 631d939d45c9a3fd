package dev.tinygpt.config;

import java.util.Locale;

/**
 * The shape of a GPT-style model, with GPT-2's semantics. Each field maps to a GPT-2 {@code
 * config.json} key:
 *
 * <pre>
 * vocabSize          vocab_size            size of the token vocabulary
 * contextLength      n_positions           longest sequence the position table covers
 * layers             n_layer               transformer blocks
 * heads              n_head                attention heads per block
 * dModel             n_embd                residual stream width
 * mlpHidden          n_inner               MLP hidden width (null in GPT-2 means 4·n_embd)
 * activation         activation_function   relu | gelu | gelu_new
 * layerNormEpsilon   layer_norm_epsilon    LayerNorm's epsilon (GPT-2: 1e-5)
 * tiedHead           tie_word_embeddings   LM head shares wte's weights
 * dropout            resid/embd/attn_pdrop one dropout rate, used in training only
 * bosTokenId         bos_token_id          -1 when the vocabulary has none
 * eosTokenId         eos_token_id          -1 when the vocabulary has none
 * scaleAttnWeights   scale_attn_weights    scale attention scores by 1/√head_dim (GPT-2: true)
 * </pre>
 *
 * Every model is pre-norm (LayerNorm before attention and MLP, one more before the head), has
 * learned absolute positions and biases in every projection, as GPT-2.
 */
public record GptConfig(
        int vocabSize,
        int contextLength,
        int layers,
        int heads,
        int dModel,
        int mlpHidden,
        Activation activation,
        float layerNormEpsilon,
        boolean tiedHead,
        float dropout,
        int bosTokenId,
        int eosTokenId,
        boolean scaleAttnWeights) {

    /** The most transformer blocks a config may have (GPT-2 XL has 48). */
    public static final int MAX_LAYERS = 1024;

    /** The most float32 values in one tensor: one Java {@code ByteBuffer} of at most 2 GiB. */
    public static final long MAX_TENSOR_VALUES = Integer.MAX_VALUE / 4;

    public GptConfig {
        requirePositive("vocab_size", vocabSize);
        requirePositive("n_positions", contextLength);
        requirePositive("n_layer", layers);
        requirePositive("n_head", heads);
        requirePositive("n_embd", dModel);
        requirePositive("n_inner", mlpHidden);
        if (layers > MAX_LAYERS) {
            // Each block is a few dozen Java objects before any weight is read: a corrupt
            // n_layer must not build millions of them.
            throw new IllegalArgumentException(
                    "n_layer must be at most " + MAX_LAYERS + ", got " + layers);
        }
        requireTensorSize("wte (vocab_size × n_embd)", (long) vocabSize * dModel);
        requireTensorSize("wpe (n_positions × n_embd)", (long) contextLength * dModel);
        requireTensorSize("c_attn (n_embd × 3·n_embd)", 3L * dModel * dModel);
        requireTensorSize("c_fc (n_embd × n_inner)", (long) dModel * mlpHidden);
        if (dModel % heads != 0) {
            throw new IllegalArgumentException(
                    "n_embd ("
                            + dModel
                            + ") must be divisible by n_head ("
                            + heads
                            + ") so every head gets the same width");
        }
        if (activation == null) {
            throw new IllegalArgumentException("activation_function must be set");
        }
        if (!(layerNormEpsilon > 0) || !Float.isFinite(layerNormEpsilon)) {
            throw new IllegalArgumentException(
                    "layer_norm_epsilon must be a positive number, got " + layerNormEpsilon);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        requireTokenId("bos_token_id", bosTokenId, vocabSize);
        requireTokenId("eos_token_id", eosTokenId, vocabSize);
    }

    /**
     * GPT-2's MLP width when {@code n_inner} is not given: {@code 4 · n_embd}.
     *
     * @throws IllegalArgumentException when that does not fit an int
     */
    public static int defaultMlpHidden(int dModel) {
        if (dModel > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException(
                    "n_embd must be at most " + Integer.MAX_VALUE / 4 + ", got " + dModel);
        }
        return 4 * dModel;
    }

    /** Width of one attention head: {@code n_embd / n_head}. */
    public int headDim() {
        return dModel / heads;
    }

    /**
     * FLOPs of the matrix products of one step of {@code rows} × {@code newPositions} tokens after
     * {@code past} cached positions, with logits for each row's last position (as generation
     * computes them): the four projections per layer, attention's scores and weighting (each new
     * position against all P+T, the causal mask applied after), and the head.
     */
    public double stepFlops(int rows, int newPositions, int past) {
        double d = dModel;
        double tokens = (double) rows * newPositions;
        double attended = past + newPositions; // every score is computed, then masked
        double projections = 2 * tokens * (d * 3 * d + d * d + 2 * d * mlpHidden);
        double attention = 2 * 2 * tokens * attended * d;
        return layers * (projections + attention) + 2.0 * rows * d * vocabSize;
    }

    /**
     * The exercise model: vocabulary 20, d_model 64, context 32, one head, a ReLU MLP of 128, three
     * blocks, an untied head and no special tokens (its 20 words are all plain words). 105,152
     * parameters.
     */
    public static GptConfig exercise() {
        return builder()
                .vocabSize(20)
                .contextLength(32)
                .layers(3)
                .heads(1)
                .dModel(64)
                .mlpHidden(128)
                .activation(Activation.RELU)
                .tiedHead(false)
                .build();
    }

    /** GPT-2 small (124M): the shape of Hugging Face's {@code gpt2} checkpoint. */
    public static GptConfig gpt2Small() {
        return builder()
                .vocabSize(50257)
                .contextLength(1024)
                .layers(12)
                .heads(12)
                .dModel(768)
                .dropout(0.1f)
                .bosTokenId(50256)
                .eosTokenId(50256)
                .build();
    }

    /** A one-line description with GPT-2's key names. */
    public String describe() {
        return String.format(
                Locale.ROOT,
                "vocab_size %d, n_positions %d, n_layer %d, n_head %d (head_dim %d), n_embd %d,"
                        + " n_inner %d (%s), %s head, layer_norm_epsilon %s, dropout %s%s",
                vocabSize,
                contextLength,
                layers,
                heads,
                headDim(),
                dModel,
                mlpHidden,
                activation.gpt2Name(),
                tiedHead ? "tied" : "untied",
                layerNormEpsilon,
                dropout,
                scaleAttnWeights ? "" : ", unscaled attention");
    }

    /** A builder with GPT-2's defaults for everything but the five sizes, which are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's values, to change some. */
    public Builder toBuilder() {
        return builder()
                .vocabSize(vocabSize)
                .contextLength(contextLength)
                .layers(layers)
                .heads(heads)
                .dModel(dModel)
                .mlpHidden(mlpHidden)
                .activation(activation)
                .layerNormEpsilon(layerNormEpsilon)
                .tiedHead(tiedHead)
                .dropout(dropout)
                .bosTokenId(bosTokenId)
                .eosTokenId(eosTokenId)
                .scaleAttnWeights(scaleAttnWeights);
    }

    /**
     * Builds a {@link GptConfig}: vocabulary, context, layers, heads and width must be set; the
     * rest defaults to GPT-2's (an MLP of 4·n_embd with the tanh GELU, epsilon 1e-5, a tied head,
     * scaled attention), no dropout and no special tokens. The config validates itself when built.
     */
    public static final class Builder {
        private int vocabSize;
        private int contextLength;
        private int layers;
        private int heads;
        private int dModel;
        private Integer mlpHidden;
        private Activation activation = Activation.GELU_NEW;
        private float layerNormEpsilon = 1e-5f;
        private boolean tiedHead = true;
        private float dropout;
        private int bosTokenId = -1;
        private int eosTokenId = -1;
        private boolean scaleAttnWeights = true;

        private Builder() {}

        public Builder vocabSize(int v) {
            vocabSize = v;
            return this;
        }

        public Builder contextLength(int n) {
            contextLength = n;
            return this;
        }

        public Builder layers(int n) {
            layers = n;
            return this;
        }

        public Builder heads(int n) {
            heads = n;
            return this;
        }

        public Builder dModel(int c) {
            dModel = c;
            return this;
        }

        /** The MLP's width; {@code 4 · n_embd} when not set. */
        public Builder mlpHidden(int h) {
            mlpHidden = h;
            return this;
        }

        public Builder activation(Activation a) {
            activation = a;
            return this;
        }

        public Builder layerNormEpsilon(float eps) {
            layerNormEpsilon = eps;
            return this;
        }

        public Builder tiedHead(boolean tied) {
            tiedHead = tied;
            return this;
        }

        public Builder dropout(float rate) {
            dropout = rate;
            return this;
        }

        public Builder bosTokenId(int id) {
            bosTokenId = id;
            return this;
        }

        public Builder eosTokenId(int id) {
            eosTokenId = id;
            return this;
        }

        public Builder scaleAttnWeights(boolean scale) {
            scaleAttnWeights = scale;
            return this;
        }

        public GptConfig build() {
            return new GptConfig(
                    vocabSize,
                    contextLength,
                    layers,
                    heads,
                    dModel,
                    mlpHidden != null ? mlpHidden : defaultMlpHidden(dModel),
                    activation,
                    layerNormEpsilon,
                    tiedHead,
                    dropout,
                    bosTokenId,
                    eosTokenId,
                    scaleAttnWeights);
        }
    }

    /** Whether the vocabulary has an end-of-sequence token. */
    public boolean hasEos() {
        return eosTokenId >= 0;
    }

    /** Largest tensor, in float32 values, that one Java buffer (and so one tensor) can hold. */
    private static void requireTensorSize(String tensor, long values) {
        if (values > MAX_TENSOR_VALUES) {
            throw new IllegalArgumentException(
                    String.format(
                            Locale.ROOT,
                            "%s would hold %,d values; tinygpt holds at most %,d per tensor",
                            tensor,
                            values,
                            MAX_TENSOR_VALUES));
        }
    }

    private static void requirePositive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive, got " + value);
        }
    }

    private static void requireTokenId(String key, int id, int vocabSize) {
        if (id < -1 || id >= vocabSize) {
            throw new IllegalArgumentException(
                    key + " must be -1 (none) or in [0, " + vocabSize + "), got " + id);
        }
    }
}
