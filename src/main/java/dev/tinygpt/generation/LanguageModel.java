package dev.tinygpt.generation;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.io.GptCriteria;
import dev.tinygpt.io.ModelDirectory;
import dev.tinygpt.io.TokenizerFiles;
import dev.tinygpt.model.GptModel;
import dev.tinygpt.model.NamedParameter;
import dev.tinygpt.model.WeightInit;
import dev.tinygpt.tokenizer.Tokenizer;
import dev.tinygpt.translator.StepInput;
import dev.tinygpt.translator.StepOutput;
import dev.tinygpt.translator.StepTranslator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A loaded model with its tokenizer: the DJL {@link ZooModel} of the step API plus what generation
 * needs.
 *
 * <p>Thread-safe: the weights and constants are complete and read-only once the model is loaded, so
 * any number of threads may call {@link #generate} and {@link #newSession} at once; each call or
 * session has its own Predictor and KV cache, and a thread gets exactly the tokens it gets alone
 * (tested with 8 threads). An {@link InferenceSession}, a DJL {@code Predictor} and a {@code
 * KvCache} belong to one thread at a time. Close the model after the work that uses it; its
 * sessions are closed with it and then say so when used.
 */
public final class LanguageModel implements AutoCloseable {
    private final ZooModel<StepInput, StepOutput> zoo;
    private final GptConfig config;
    private final TokenizerFiles tokenizerFiles;
    private final Tokenizer tokenizer;
    private ZooModel<StepInput, StepOutput> scoring; // every position's logits; made when asked
    private volatile boolean closed;

    private LanguageModel(
            ZooModel<StepInput, StepOutput> zoo, GptConfig config, TokenizerFiles tokenizer) {
        this.zoo = zoo;
        this.config = config;
        this.tokenizerFiles = tokenizer;
        this.tokenizer = tokenizer == null ? null : tokenizer.tokenizer();
    }

    /**
     * Loads a model directory through DJL's {@code Criteria} ({@link GptCriteria#steps}), then
     * warms it up: a short prefill and two decode steps, so what makes a process's first generation
     * slow (libtorch's first kernels and thread pool, the JIT compiling the loop) is paid here, not
     * by the first tokens. For GPT-2 small that is ~0.2 s of a ~2 s load.
     */
    public static LanguageModel load(Path dir) throws IOException {
        return load(dir, null);
    }

    /**
     * {@link #load(Path)} with the LoRA adapter in {@code adapter} (a PEFT adapter directory)
     * applied to the model's projections unmerged, or none when {@code adapter} is null. An adapter
     * made for another base model is refused, naming the tensor that does not fit.
     */
    public static LanguageModel load(Path dir, Path adapter) throws IOException {
        TokenizerFiles tokenizer = ModelDirectory.readTokenizerFiles(dir).orElse(null);
        ZooModel<StepInput, StepOutput> zoo;
        try {
            zoo = GptCriteria.steps(dir, adapter).loadModel();
        } catch (ModelNotFoundException | MalformedModelException e) {
            throw new IllegalArgumentException(
                    "cannot load model " + dir + ": " + e.getMessage(), e);
        }
        LanguageModel lm = new LanguageModel(zoo, ((GptModel) zoo.getBlock()).config(), tokenizer);
        try {
            lm.warmUp();
        } catch (RuntimeException | Error e) {
            lm.close();
            throw e;
        }
        return lm;
    }

    /** A prefill of up to 8 tokens and two decode steps, in a session thrown away after. */
    private void warmUp() {
        int prompt = Math.min(8, config.contextLength() - 2);
        if (prompt < 1) {
            return; // a context of 2 or less: nothing worth warming
        }
        try (InferenceSession session = newSession()) {
            session.prefill(new int[prompt]);
            session.append(0);
            session.append(0);
        }
    }

    /** A new model with GPT-2's initialisation drawn from {@code seed}, held in memory. */
    public static LanguageModel create(GptConfig config, long seed, Tokenizer tokenizer) {
        Model djl = Model.newInstance("tinygpt", "PyTorch");
        GptModel block = new GptModel(config, true);
        WeightInit.initialize(block, djl.getNDManager(), seed);
        djl.setBlock(block);
        return new LanguageModel(
                new ZooModel<>(djl, new StepTranslator(config)),
                config,
                tokenizer == null ? null : TokenizerFiles.of(tokenizer));
    }

    /**
     * Saves the model (and its tokenizer's files) as a model directory, with an adapter merged into
     * the weights.
     */
    public void save(Path dir) throws IOException {
        save(dir, false);
    }

    /** {@link #save(Path)}, the weights stored as F16 when {@code half}. */
    public void save(Path dir, boolean half) throws IOException {
        checkOpen();
        ModelDirectory.save(dir, block(), tokenizerFiles, half);
    }

    /** A new session: its own Predictor and KV cache. Close it when done. */
    public InferenceSession newSession() {
        checkOpen();
        return new InferenceSession(zoo, config);
    }

    /**
     * A new session whose steps return the logits of every position, {@code (B, T, V)}, instead of
     * the last one only: for scoring a prompt (a server's {@code echo} with {@code logprobs}). It
     * runs a second {@link GptModel} block that shares this model's weights, so it costs no memory
     * beyond its own steps.
     */
    public InferenceSession newScoringSession() {
        checkOpen();
        synchronized (this) {
            if (scoring == null) {
                GptModel all = new GptModel(config, false, block().lora().orElse(null));
                List<NamedParameter> mine = block().namedParameters();
                List<NamedParameter> theirs = all.namedParameters();
                for (int i = 0; i < mine.size(); i++) {
                    theirs.get(i).set(mine.get(i).parameter().getArray());
                }
                Model djl = Model.newInstance("tinygpt-scoring", "PyTorch");
                djl.setBlock(all);
                scoring = new ZooModel<>(djl, new StepTranslator(config));
            }
            return new InferenceSession(scoring, config);
        }
    }

    /** Generates from one prompt in a session of its own. */
    public GenerationResult generate(int[] prompt, GenerationOptions options) {
        try (InferenceSession session = newSession()) {
            return Generator.generate(session, prompt, options);
        }
    }

    /**
     * Generates for several prompts as one batch in a session of its own, streaming each token to
     * {@code listener}; stop strings and streamed text use the model's tokenizer.
     */
    public BatchResult generate(
            List<int[]> prompts, GenerationOptions options, TokenListener listener) {
        try (InferenceSession session = newSession()) {
            return Generator.generate(session, prompts, options, tokenizer, listener);
        }
    }

    public GptConfig config() {
        return config;
    }

    /** The tokenizer from the model directory, if it has one. */
    public Optional<Tokenizer> tokenizer() {
        return Optional.ofNullable(tokenizer);
    }

    /** The DJL model, for the Predictor API. */
    public ZooModel<StepInput, StepOutput> zooModel() {
        checkOpen();
        return zoo;
    }

    public GptModel block() {
        checkOpen();
        return (GptModel) zoo.getBlock();
    }

    /** Closes the model and every array it owns. Closing twice is harmless. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            synchronized (this) {
                if (scoring != null) {
                    scoring.close(); // its own manager only: the weights are the model's
                }
            }
            zoo.close();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this LanguageModel is closed");
        }
    }
}
