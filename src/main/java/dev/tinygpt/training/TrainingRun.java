package dev.tinygpt.training;

import dev.tinygpt.config.GptConfig;
import dev.tinygpt.config.LoraConfig;
import dev.tinygpt.config.TrainingOptions;
import dev.tinygpt.engine.IntraOpThreads;
import dev.tinygpt.io.ModelDirectory;
import dev.tinygpt.io.TokenFile;
import dev.tinygpt.io.TokenizerFiles;
import dev.tinygpt.model.GptModel;
import dev.tinygpt.model.NamedParameter;
import dev.tinygpt.model.WeightInit;
import dev.tinygpt.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One training run of a GPT on a text corpus, from its start (or a resume) to its close: the output
 * directory and its lock, the corpus's tokens (a {@link TokenFile} beside the run, tokenized once),
 * the {@link TrainingStep}s with nanoGPT's {@link LrSchedule}, and every {@code evalInterval} steps
 * (and at the end) a loss estimate and a checkpoint; the best model by validation loss is kept as
 * the output directory's model. A run starts from GPT-2's initialisation ({@link #start}) or from a
 * model directory's weights ({@link #fineTune}), every weight training or LoRA adapters only.
 *
 * <p>A resumed run continues exactly as the uninterrupted run would (the steps are deterministic,
 * see {@link TrainingStep}); a resume may also change the total steps, and with them the schedule.
 */
public final class TrainingRun implements AutoCloseable {
    /** The best model so far, saved in the output directory; {@code iter} 0 if not recorded. */
    public record Best(int iter, double valLoss) {}

    /** Puts weights into a new run's model: initialised, or loaded from files. */
    private interface Weights {
        void into(TrainingStep step) throws IOException;
    }

    /** What a run is made of before its weights are in. */
    private record Parts(
            GptConfig config,
            LoraConfig lora,
            TokenizerFiles tokenizer,
            Checkpoints checkpoints,
            TrainerState state) {}

    private final GptConfig config;
    private final TokenizerFiles tokenizer;
    private final Checkpoints checkpoints;
    private final TrainingStep step;
    private final TokenizedCorpus tokenized;
    private TrainerState state;
    private Optional<TrainerState> lastCheckpoint = Optional.empty();
    private boolean closed;

    private TrainingRun(Parts parts, TextDataset data, TokenizedCorpus tokenized) {
        this.config = parts.config();
        this.tokenizer = parts.tokenizer();
        this.checkpoints = parts.checkpoints();
        this.state = parts.state();
        this.tokenized = tokenized;
        this.step = new TrainingStep(config, parts.lora(), state.options(), data);
    }

    /**
     * A new run on {@code corpus}: GPT-2 initialisation from the options' seed, output (best model
     * and checkpoints) in {@code out}, which must not hold a run already.
     */
    public static TrainingRun start(
            GptConfig config, Tokenizer tokenizer, String corpus, TrainingOptions options, Path out)
            throws IOException {
        return fresh(
                config,
                null,
                TokenizerFiles.of(tokenizer),
                corpus,
                options,
                out,
                step -> WeightInit.initialize(step.block(), step.manager(), options.seed()));
    }

    /**
     * A new run on {@code corpus} from a model directory's weights, config and tokenizer (the
     * corpus is tokenized with that tokenizer), every weight training or LoRA adapters only; output
     * in {@code out} as for {@link #start}: a model directory, or a LoRA run's adapter directory.
     */
    public static TrainingRun fineTune(
            FineTune from, String corpus, TrainingOptions options, Path out) throws IOException {
        GptConfig config = from.config(ModelDirectory.readConfig(from.base()));
        TokenizerFiles tokenizer =
                ModelDirectory.readTokenizerFiles(from.base())
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                from.base()
                                                        + " has no tokenizer to read the corpus"
                                                        + " with"));
        return fresh(
                config,
                from.adapters(),
                tokenizer,
                corpus,
                options,
                out,
                step -> {
                    ModelDirectory.loadWeights(step.block(), from.base(), step.manager(), true);
                    WeightInit.initializeAdapters(step.block(), step.manager(), options.seed());
                });
    }

    /** A new run in {@code out}, which must not hold one, its weights from {@code weights}. */
    private static TrainingRun fresh(
            GptConfig config,
            LoraConfig lora,
            TokenizerFiles tokenizer,
            String corpus,
            TrainingOptions options,
            Path out,
            Weights weights)
            throws IOException {
        TrainerState state = TrainerState.fresh(options, corpus);
        Parts parts = new Parts(config, lora, tokenizer, Checkpoints.create(out), state);
        return open(parts, out, corpus, false, weights);
    }

    /**
     * Continues the run saved in {@code out} (its last checkpoint) on the same corpus, with the
     * saved config, tokenizer, options and optimizer state.
     */
    public static TrainingRun resume(Path out, String corpus) throws IOException {
        Checkpoints checkpoints = Checkpoints.existing(out);
        Checkpoints.Saved saved;
        try {
            saved = checkpoints.readLast(corpus);
        } catch (IOException | RuntimeException e) {
            checkpoints.abandon(e);
            throw e;
        }
        TrainerState state = saved.state();
        Parts parts =
                new Parts(saved.config(), saved.lora(), saved.tokenizer(), checkpoints, state);
        TrainingRun run =
                open(
                        parts,
                        out,
                        corpus,
                        true,
                        step ->
                                checkpoints.loadLast(
                                        step.block(),
                                        step.manager(),
                                        step.optimizer(),
                                        step.trainable(),
                                        state.iter()));
        run.lastCheckpoint = Optional.of(state);
        return run;
    }

    /**
     * The run with its data and weights; if it cannot be made, what it holds is released. A new
     * run's token file is written once the run stands, so a refused run leaves none.
     */
    private static TrainingRun open(
            Parts parts, Path out, String corpus, boolean resume, Weights weights)
            throws IOException {
        TrainingRun run = null;
        try {
            TrainingOptions options = parts.state().options();
            TrainingLimits.requireFits(parts.config(), options);
            Corpus tokens =
                    Corpus.of(
                            out,
                            corpus,
                            parts.state().corpusSha256(),
                            parts.tokenizer().tokenizer(),
                            1 - options.valFraction(),
                            parts.config().contextLength(),
                            resume);
            run = new TrainingRun(parts, tokens.dataset(), tokens.summary());
            weights.into(run.step);
            run.step.requireGradients();
            tokens.save();
            return run;
        } catch (IOException | RuntimeException e) {
            if (run != null) {
                run.step.close();
            }
            parts.checkpoints().abandon(e);
            throw e;
        }
    }

    /**
     * Changes the run's total steps to {@code maxIters}, at least the steps taken, as nanoGPT does
     * when a resumed run is given another {@code max_iters}: the learning-rate schedule from here
     * on is the one for the new total (its cosine stretched or shrunk), and the last checkpoint
     * records the total, so a later resume keeps it.
     */
    public void setMaxIters(int maxIters) throws IOException {
        checkOpen();
        if (maxIters < state.iter()) {
            throw new IllegalArgumentException(
                    "max_iters must be at least the run's current step "
                            + state.iter()
                            + ", got "
                            + maxIters);
        }
        if (maxIters == state.options().maxIters()) {
            return;
        }
        state = state.withOptions(state.options().toBuilder().maxIters(maxIters).build());
        if (lastCheckpoint.isPresent()) {
            lastCheckpoint = Optional.of(lastCheckpoint.get().withOptions(state.options()));
            checkpoints.rewriteState(lastCheckpoint.get());
        }
    }

    public int iteration() {
        return state.iter();
    }

    public GptConfig config() {
        return config;
    }

    public GptModel block() {
        return step.block();
    }

    public Tokenizer tokenizer() {
        return tokenizer.tokenizer();
    }

    /** How the run got its corpus's tokens: tokenized now, or its token file reused. */
    public TokenizedCorpus tokenized() {
        return tokenized;
    }

    /** The LoRA adapters the run trains, if it trains adapters only. */
    public Optional<LoraConfig> lora() {
        return step.block().lora();
    }

    /** The number of scalars that train: every parameter's, or the adapters'. */
    public long trainableParameters() {
        return step.trainable().stream().mapToLong(NamedParameter::size).sum();
    }

    public TrainingOptions options() {
        return state.options();
    }

    /** The best model so far, if an evaluation has given one. */
    public Optional<Best> best() {
        return Double.isInfinite(state.bestValLoss())
                ? Optional.empty()
                : Optional.of(new Best(state.bestIter(), state.bestValLoss()));
    }

    /** Trains until {@code maxIters} (or {@code stopAt}, whichever is first). */
    public void train(int stopAt, TrainingListener listener) throws IOException {
        checkOpen();
        TrainingOptions options = state.options();
        LrSchedule schedule = LrSchedule.of(options);
        int end = Math.min(stopAt, options.maxIters());
        int iter = state.iter();
        // A training step is far above the one-thread threshold: every core, unless pinned.
        IntraOpThreads.useFor(Double.POSITIVE_INFINITY);
        while (iter < end) {
            long start = System.nanoTime();
            float lr = schedule.lr(iter);
            float value = step.run(iter, lr);
            iter++;
            double seconds = (System.nanoTime() - start) / 1e9;
            listener.onStep(
                    new TrainingListener.Step(
                            iter, options.maxIters(), value, lr, step.tokensPerStep() / seconds));
            state = state.withIter(iter);
            if (iter % options.evalInterval() == 0 || iter == options.maxIters()) {
                listener.onEvaluation(evaluate());
            }
        }
    }

    /** Estimates both losses, keeps the model if it is the best so far, and checkpoints. */
    private TrainingListener.Evaluation evaluate() throws IOException {
        int iter = state.iter();
        double train = step.estimate(TextDataset.Split.TRAIN);
        double validation = step.estimate(TextDataset.Split.VALIDATION);
        boolean best = validation < state.bestValLoss();
        TrainingListener.Evaluation evaluation =
                new TrainingListener.Evaluation(iter, train, validation, best);
        if (best) {
            state = state.withBest(validation);
            checkpoints.saveBest(step.block(), tokenizer, evaluation, state.options());
        }
        checkpoints.saveLast(step.block(), tokenizer, step.optimizer(), state);
        lastCheckpoint = Optional.of(state);
        return evaluation;
    }

    /** The mean loss at initialisation (no update), for a quick check: ≈ ln(vocab size). */
    public double initialLoss() {
        checkOpen();
        return step.estimate(TextDataset.Split.TRAIN);
    }

    /** Logits of the last position of {@code ids} from the model being trained (dropout off). */
    public float[] lastLogits(int[] ids) {
        checkOpen();
        return step.lastLogits(ids);
    }

    /** Releases the arrays and the output directory's lock. Closing twice is harmless. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        step.close();
        try {
            checkpoints.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release the lock of the training run", e);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this TrainingRun is closed");
        }
    }
}
