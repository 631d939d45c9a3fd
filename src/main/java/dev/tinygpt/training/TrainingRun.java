package dev.tinygpt.training;

import dev.tinygpt.config.GptConfig;
import dev.tinygpt.config.TrainingOptions;
import dev.tinygpt.model.GptModel;
import dev.tinygpt.model.WeightInit;
import dev.tinygpt.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One training run of a GPT on a text corpus, from its start (or a resume) to its close: the output
 * directory and its lock, the {@link TrainingStep}s with nanoGPT's {@link LrSchedule}, and every
 * {@code evalInterval} steps (and at the end) a loss estimate and a checkpoint; the best model by
 * validation loss is kept as the output directory's model.
 *
 * <p>A resumed run continues exactly as the uninterrupted run would (the steps are deterministic,
 * see {@link TrainingStep}); a resume may also change the total steps, and with them the schedule.
 */
public final class TrainingRun implements AutoCloseable {
    /** The best model so far, saved in the output directory; {@code iter} 0 if not recorded. */
    public record Best(int iter, double valLoss) {}

    /** Puts weights into a new run's model: initialised, or loaded from its checkpoint. */
    private interface Weights {
        void into(TrainingStep step) throws IOException;
    }

    private final GptConfig config;
    private final Tokenizer tokenizer;
    private final Checkpoints checkpoints;
    private final TrainingStep step;
    private TrainerState state;
    private Optional<TrainerState> lastCheckpoint = Optional.empty();
    private boolean closed;

    private TrainingRun(
            GptConfig config,
            Tokenizer tokenizer,
            TextDataset data,
            Checkpoints checkpoints,
            TrainerState state) {
        this.config = config;
        this.tokenizer = tokenizer;
        this.checkpoints = checkpoints;
        this.state = state;
        this.step = new TrainingStep(config, state.options(), data);
    }

    /**
     * A new run on {@code corpus}: GPT-2 initialisation from the options' seed, output (best model
     * and checkpoints) in {@code out}, which must not hold a run already.
     */
    public static TrainingRun start(
            GptConfig config, Tokenizer tokenizer, String corpus, TrainingOptions options, Path out)
            throws IOException {
        TextDataset data = dataset(corpus, tokenizer, config, options);
        Checkpoints checkpoints = Checkpoints.create(out);
        TrainerState fresh = TrainerState.fresh(options, corpus);
        return open(
                config,
                tokenizer,
                data,
                checkpoints,
                fresh,
                step -> WeightInit.initialize(step.block(), step.manager(), options.seed()));
    }

    /**
     * Continues the run saved in {@code out} (its last checkpoint) on the same corpus, with the
     * saved config, tokenizer, options and optimizer state.
     */
    public static TrainingRun resume(Path out, String corpus) throws IOException {
        Checkpoints checkpoints = Checkpoints.existing(out);
        Checkpoints.Saved saved;
        TextDataset data;
        try {
            saved = checkpoints.readLast(corpus);
            data = dataset(corpus, saved.tokenizer(), saved.config(), saved.state().options());
        } catch (IOException | RuntimeException e) {
            checkpoints.abandon(e);
            throw e;
        }
        TrainerState state = saved.state();
        TrainingRun run =
                open(
                        saved.config(),
                        saved.tokenizer(),
                        data,
                        checkpoints,
                        state,
                        step ->
                                checkpoints.loadLast(
                                        step.block(),
                                        step.manager(),
                                        step.optimizer(),
                                        state.iter()));
        run.lastCheckpoint = Optional.of(state);
        return run;
    }

    /** The run with its weights; if it cannot be made, what it holds is released. */
    private static TrainingRun open(
            GptConfig config,
            Tokenizer tokenizer,
            TextDataset data,
            Checkpoints checkpoints,
            TrainerState state,
            Weights weights)
            throws IOException {
        TrainingRun run = null;
        try {
            run = new TrainingRun(config, tokenizer, data, checkpoints, state);
            weights.into(run.step);
            run.step.requireGradients();
            return run;
        } catch (IOException | RuntimeException e) {
            if (run != null) {
                run.step.close();
            }
            checkpoints.abandon(e);
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
        return tokenizer;
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

    /** The corpus as a run's data, once its batches are known to fit. */
    private static TextDataset dataset(
            String corpus, Tokenizer tokenizer, GptConfig config, TrainingOptions options) {
        TrainingLimits.requireFits(config, options);
        return TextDataset.of(corpus, tokenizer, 1 - options.valFraction(), config.contextLength());
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
