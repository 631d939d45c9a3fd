package dev.tinygpt.training;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.config.TrainingOptions;
import dev.tinygpt.model.GptModel;
import dev.tinygpt.model.NamedParameter;
import dev.tinygpt.model.WeightInit;
import dev.tinygpt.tokenizer.Tokenizer;
import dev.tinygpt.translator.StepInput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * One training run of a GPT on a text corpus, on DJL's training API: the model's forward in
 * training mode (dropout on), cross-entropy over {@code (B·T, V)} with DJL's {@code Loss}, a {@link
 * GradientCollector} backward, global gradient-norm clipping, then {@link AdamWOptimizer} with the
 * {@link LrSchedule}. Every {@code evalInterval} steps (and at the end) it estimates train and
 * validation loss on fixed batches and writes a checkpoint; the best model by validation loss is
 * kept as the output directory's model.
 *
 * <p>Determinism: the batches of step {@code i} and its dropout masks are drawn from {@code seed}
 * and {@code i} alone, so a run resumed from a checkpoint continues exactly as the uninterrupted
 * run would.
 */
public final class TrainingRun implements AutoCloseable {
    /** Tokens in one step's batch at most (nanoGPT's GPT-2 run takes ~0.5 M per step). */
    static final long MAX_TOKENS_PER_STEP = 1L << 20;

    /**
     * Attention scores one layer holds at most, {@code batch × n_head × context²} (1 GiB of
     * float32; GPT-2 small at batch 8 and context 1024 holds 100 M).
     */
    static final long MAX_ATTENTION_SCORES = 1L << 28;

    /** Tokens the fixed evaluation batches hold at most, {@code eval_iters × batch × context}. */
    static final long MAX_EVAL_TOKENS = 1L << 24;

    /** One optimizer step. */
    public record Step(
            int iter, int maxIters, float loss, float learningRate, double tokensPerSecond) {}

    /** One loss estimate. */
    public record Evaluation(int iter, double trainLoss, double valLoss, boolean best) {}

    /** Receives progress. */
    public interface Listener {
        void onStep(Step step);

        void onEvaluation(Evaluation evaluation);
    }

    private final GptConfig config;
    private final Tokenizer tokenizer;
    private final TextDataset data;
    private final TrainingOptions options;
    private final Checkpoints checkpoints;
    private final Model model;
    private final GptModel block;
    private final List<NamedParameter> parameters;
    private final AdamWOptimizer optimizer;
    private final Loss loss = Loss.softmaxCrossEntropyLoss();
    private final List<TextDataset.Batch> trainProbe;
    private final List<TextDataset.Batch> validationProbe;
    private int iter;
    private double bestValidation = Double.POSITIVE_INFINITY;
    private boolean closed;

    private TrainingRun(
            GptConfig config,
            Tokenizer tokenizer,
            TextDataset data,
            TrainingOptions options,
            Checkpoints checkpoints) {
        this.config = config;
        this.tokenizer = tokenizer;
        this.data = data;
        this.options = options;
        this.checkpoints = checkpoints;
        // The evaluation batches first: they are plain Java, and nothing native is held yet if
        // they fail.
        Random probe = new Random(options.seed() + 7);
        this.trainProbe = probes(TextDataset.Split.TRAIN, probe);
        this.validationProbe = probes(TextDataset.Split.VALIDATION, probe);
        this.model = Model.newInstance("tinygpt-train", "PyTorch");
        this.block = new GptModel(config, false);
        this.model.setBlock(block);
        this.parameters = block.namedParameters();
        this.optimizer =
                new AdamWOptimizer(
                        model.getNDManager(),
                        options.beta1(),
                        options.beta2(),
                        1e-8f,
                        options.weightDecay());
    }

    /**
     * A new run on {@code corpus}: GPT-2 initialisation from the options' seed, output (best model
     * and checkpoints) in {@code out}, which must not hold a run already.
     */
    public static TrainingRun start(
            GptConfig config, Tokenizer tokenizer, String corpus, TrainingOptions options, Path out)
            throws IOException {
        requireTrainable(config, options);
        TextDataset data = dataset(corpus, tokenizer, config, options);
        Checkpoints checkpoints = Checkpoints.create(out);
        checkpoints.corpus(sha256(corpus));
        TrainingRun run = construct(config, tokenizer, data, options, checkpoints);
        try {
            WeightInit.initialize(run.block, run.model.getNDManager(), options.seed());
        } catch (RuntimeException e) {
            run.close();
            throw e;
        }
        run.requireGradients();
        return run;
    }

    /**
     * Refuses a run whose batches would not fit: the arrays of a step, its attention scores and the
     * evaluation batches are bounded before anything is allocated, so a mistyped option is an error
     * naming it rather than a native allocation failure.
     */
    static void requireTrainable(GptConfig config, TrainingOptions options) {
        long t = config.contextLength();
        long b = options.batchSize();
        requireAtMost("batch size × context", b * t, "tokens per step", MAX_TOKENS_PER_STEP);
        requireAtMost(
                "batch size × n_head × context²",
                b * config.heads() * t * t,
                "attention scores per layer",
                MAX_ATTENTION_SCORES);
        requireAtMost(
                "eval iterations × batch size × context",
                options.evalIters() * b * t,
                "evaluation tokens",
                MAX_EVAL_TOKENS);
    }

    private static void requireAtMost(String what, long value, String unit, long limit) {
        if (value > limit) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s = %,d %s is more than the %,d tinygpt trains with",
                            what, value, unit, limit));
        }
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
            saved = checkpoints.readLast();
            if (!saved.corpusSha256().equals(sha256(corpus))) {
                saved.tokenizer().close();
                throw new IllegalArgumentException(
                        "the corpus differs from the one the run in " + out + " was trained on");
            }
            requireTrainable(saved.config(), saved.options());
            data = dataset(corpus, saved.tokenizer(), saved.config(), saved.options());
        } catch (IOException | RuntimeException e) {
            checkpoints.close();
            throw e;
        }
        TrainingRun run =
                construct(saved.config(), saved.tokenizer(), data, saved.options(), checkpoints);
        try {
            checkpoints.loadLast(run.block, run.model.getNDManager(), run.optimizer, saved.iter());
        } catch (IOException | RuntimeException e) {
            run.close();
            throw e;
        }
        run.requireGradients();
        run.iter = saved.iter();
        run.bestValidation = saved.bestValidationLoss();
        return run;
    }

    /** A new run; if it cannot be made, the directory's lock is released. */
    private static TrainingRun construct(
            GptConfig config,
            Tokenizer tokenizer,
            TextDataset data,
            TrainingOptions options,
            Checkpoints checkpoints)
            throws IOException {
        try {
            return new TrainingRun(config, tokenizer, data, options, checkpoints);
        } catch (RuntimeException e) {
            checkpoints.close();
            throw e;
        }
    }

    public int iteration() {
        return iter;
    }

    public GptModel block() {
        return block;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public TrainingOptions options() {
        return options;
    }

    /** Trains until {@code maxIters} (or {@code stopAt}, whichever is first). */
    public void train(int stopAt, Listener listener) throws IOException {
        checkOpen();
        int end = Math.min(stopAt, options.maxIters());
        int context = config.contextLength();
        while (iter < end) {
            long start = System.nanoTime();
            float lr = LrSchedule.of(options).lr(iter);
            float value = step(lr);
            iter++;
            double seconds = (System.nanoTime() - start) / 1e9;
            listener.onStep(
                    new Step(
                            iter,
                            options.maxIters(),
                            value,
                            lr,
                            options.batchSize() * context / seconds));
            if (iter % options.evalInterval() == 0 || iter == options.maxIters()) {
                double train = estimate(trainProbe);
                double validation = estimate(validationProbe);
                boolean best = validation < bestValidation;
                if (best) {
                    bestValidation = validation;
                    checkpoints.saveBest(
                            block,
                            tokenizer,
                            new Evaluation(iter, train, validation, true),
                            options);
                }
                checkpoints.saveLast(block, tokenizer, optimizer, options, iter, bestValidation);
                listener.onEvaluation(new Evaluation(iter, train, validation, best));
            }
        }
    }

    /** The mean loss at initialisation (no update), for a quick check: ≈ ln(vocab size). */
    public double initialLoss() {
        checkOpen();
        return estimate(trainProbe);
    }

    /** One optimizer step on the batch of step {@code iter}; returns its loss. */
    private float step(float lr) {
        TextDataset.Batch batch =
                data.sample(
                        TextDataset.Split.TRAIN,
                        options.batchSize(),
                        config.contextLength(),
                        batchRandom(iter));
        Engine.getInstance()
                .setRandomSeed((int) (options.seed() * 31 + iter)); // dropout of this step
        try (NDManager scratch = model.getNDManager().newSubManager()) {
            float value;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray l = forwardLoss(scratch, batch, true);
                value = l.getFloat();
                collector.backward(l);
            }
            clipGradients(scratch);
            optimizer.step(parameters, lr);
            return value;
        }
    }

    /** Loss of one batch: logits (B,T,V) -> (B·T, V) against targets (B·T). */
    private NDArray forwardLoss(NDManager m, TextDataset.Batch batch, boolean training) {
        int b = batch.inputs().length;
        int t = batch.inputs()[0].length;
        NDList inputs = StepInput.rows(batch.inputs()).toArrays(m, config);
        NDArray logits = block.forward(new ParameterStore(m, false), inputs, training).get(0);
        NDArray flat = logits.reshape(b * t, config.vocabSize()); // (B,T,V) -> (B·T, V)
        NDArray labels = m.create(batch.targets()).reshape(b * t).toType(DataType.INT64, false);
        return loss.evaluate(new NDList(labels), new NDList(flat));
    }

    /** Clips the global gradient norm of all parameters to the options' limit. */
    private void clipGradients(NDManager m) {
        if (options.gradClip() <= 0) {
            return;
        }
        // getGradient() hands out a new handle (in the parameter's manager) each call: close them.
        List<NDArray> gradients = new ArrayList<>(parameters.size());
        try {
            for (NamedParameter p : parameters) {
                gradients.add(p.parameter().getArray().getGradient());
            }
            GradientClipping.clipGlobalNorm(gradients, options.gradClip(), m);
        } finally {
            gradients.forEach(NDArray::close);
        }
    }

    /** Logits of the last position of {@code ids} from the model being trained (dropout off). */
    public float[] lastLogits(int[] ids) {
        checkOpen();
        try (NDManager scratch = model.getNDManager().newSubManager()) {
            NDList inputs = StepInput.of(ids, null).toArrays(scratch, config);
            NDArray logits =
                    block.forward(new ParameterStore(scratch, false), inputs, false).get(0);
            return logits.get(new NDIndex("0, -1, :")).toFloatArray(); // (1,T,V) -> (V)
        }
    }

    /** Mean loss over fixed batches, dropout off and no gradients recorded. */
    private double estimate(List<TextDataset.Batch> batches) {
        double sum = 0;
        for (TextDataset.Batch batch : batches) {
            try (NDManager scratch = model.getNDManager().newSubManager()) {
                sum += forwardLoss(scratch, batch, false).getFloat();
            }
        }
        return sum / batches.size();
    }

    private List<TextDataset.Batch> probes(TextDataset.Split split, Random random) {
        List<TextDataset.Batch> list = new ArrayList<>(options.evalIters());
        for (int i = 0; i < options.evalIters(); i++) {
            list.add(data.sample(split, options.batchSize(), config.contextLength(), random));
        }
        return list;
    }

    private static TextDataset dataset(
            String corpus, Tokenizer tokenizer, GptConfig config, TrainingOptions options) {
        TextDataset data = new TextDataset(tokenizer.encode(corpus), 1 - options.valFraction());
        data.requireContext(config.contextLength());
        return data;
    }

    static String sha256(String text) {
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256")
                            .digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    private Random batchRandom(int step) {
        return new Random(options.seed() * 1_000_003L + step);
    }

    private void requireGradients() {
        for (NamedParameter p : parameters) {
            p.parameter().getArray().setRequiresGradient(true);
        }
    }

    /** Releases the arrays and the output directory's lock. Closing twice is harmless. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        optimizer.close();
        model.close();
        tokenizer.close();
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
