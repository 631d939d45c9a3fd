package dev.tinygpt.cli;

import dev.tinygpt.config.Activation;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.io.TextFiles;
import dev.tinygpt.tokenizer.CharTokenizer;
import dev.tinygpt.training.TrainingOptions;
import dev.tinygpt.training.TrainingRun;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tinygpt train}: a char-level GPT on any text file, with progress on the terminal (plain
 * log lines when the output is not a terminal), checkpoints, the best model kept, and {@code
 * --resume}.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Train a char-level GPT on a text file. DIR ends up holding the best model by validation"
                    + " loss (a model directory like any other) and checkpoint/ for --resume."
        })
final class TrainCommand implements Callable<Integer> {
    @Option(
            names = "--corpus",
            required = true,
            paramLabel = "FILE",
            description = "UTF-8 text to train on.")
    Path corpus;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Output directory (required unless --resume).")
    Path out;

    @Option(
            names = "--resume",
            paramLabel = "DIR",
            description = "Continue the run in DIR from its last checkpoint (same corpus).")
    Path resume;

    @Option(
            names = "--preset",
            defaultValue = "char-small",
            paramLabel = "NAME",
            description =
                    "char-tiny (seconds, to try it), char-small (default) or shakespeare-char.")
    String preset;

    @Option(
            names = "--layers",
            paramLabel = "N",
            description = "Transformer blocks (overrides the preset).")
    Integer layers;

    @Option(names = "--heads", paramLabel = "N", description = "Attention heads.")
    Integer heads;

    @Option(names = "--d-model", paramLabel = "N", description = "Width of the residual stream.")
    Integer dModel;

    @Option(names = "--context", paramLabel = "N", description = "Context length (n_positions).")
    Integer context;

    @Option(names = "--dropout", paramLabel = "P", description = "Dropout in training.")
    Float dropout;

    @Option(names = "--unk", description = "Add an <unk> token for characters the corpus lacks.")
    boolean unk;

    @Option(names = "--max-iters", paramLabel = "N", description = "Optimizer steps.")
    Integer maxIters;

    @Option(names = "--batch-size", paramLabel = "N", description = "Windows per step.")
    Integer batchSize;

    @Option(names = "--lr", paramLabel = "LR", description = "Peak learning rate.")
    Float lr;

    @Option(names = "--min-lr", paramLabel = "LR", description = "Floor of the cosine decay.")
    Float minLr;

    @Option(names = "--warmup-iters", paramLabel = "N", description = "Linear warm-up steps.")
    Integer warmupIters;

    @Option(
            names = "--weight-decay",
            paramLabel = "X",
            description = "AdamW weight decay (matrices only).")
    Float weightDecay;

    @Option(
            names = "--grad-clip",
            paramLabel = "X",
            description = "Clip the global gradient norm; 0 is off.")
    Float gradClip;

    @Option(
            names = "--eval-interval",
            paramLabel = "N",
            description = "Estimate losses and checkpoint every N steps.")
    Integer evalInterval;

    @Option(names = "--eval-iters", paramLabel = "N", description = "Batches per loss estimate.")
    Integer evalIters;

    @Option(
            names = "--val-fraction",
            paramLabel = "F",
            description = "Share of the corpus held out (its end).")
    Double valFraction;

    @Option(
            names = "--seed",
            paramLabel = "S",
            description = "Seed of the initialisation, batches and dropout.")
    Long seed;

    /** A named model shape and training budget. */
    record Preset(
            int layers,
            int heads,
            int dModel,
            int context,
            float dropout,
            TrainingOptions options) {}

    static Preset preset(String name) {
        return switch (name) {
            case "char-tiny" -> new Preset(2, 2, 64, 32, 0f, TrainingOptions.defaults(200));
            case "char-small" -> new Preset(4, 4, 128, 64, 0.1f, TrainingOptions.defaults(2000));
            case "shakespeare-char" ->
                    new Preset(
                            4,
                            4,
                            192,
                            128,
                            0.1f,
                            new TrainingOptions(
                                    3600, 32, 1e-3f, 1e-4f, 100, 0.1f, 0.9f, 0.99f, 1f, 300, 20,
                                    0.1, 1337));
            default ->
                    throw new IllegalArgumentException(
                            "unknown preset '"
                                    + name
                                    + "'; choose char-tiny, char-small or shakespeare-char");
        };
    }

    @Override
    public Integer call() throws Exception {
        String text = TextFiles.readUtf8(corpus, TextFiles.MAX_TEXT_BYTES);
        PrintStream console = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Progress progress = new Progress(console, System.console() != null);
        if (resume != null) {
            if (out != null && !out.equals(resume)) {
                throw new IllegalArgumentException(
                        "--resume continues in its own directory; drop --out");
            }
            try (TrainingRun run = TrainingRun.resume(resume, text)) {
                console.printf(
                        Locale.ROOT,
                        "resuming %s at step %d of %d%n",
                        resume,
                        run.iteration(),
                        run.options().maxIters());
                run.train(Integer.MAX_VALUE, progress);
            }
            return 0;
        }
        if (out == null) {
            throw new IllegalArgumentException("--out DIR is required (or --resume DIR)");
        }
        Preset p = preset(preset);
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(text, unk);
        GptConfig config =
                new GptConfig(
                        tokenizer.vocabSize(),
                        or(context, p.context()),
                        or(layers, p.layers()),
                        or(heads, p.heads()),
                        or(dModel, p.dModel()),
                        GptConfig.defaultMlpHidden(or(dModel, p.dModel())),
                        Activation.GELU,
                        1e-5f,
                        true,
                        or(dropout, p.dropout()),
                        -1,
                        -1);
        TrainingOptions o = p.options();
        TrainingOptions options =
                new TrainingOptions(
                        or(maxIters, o.maxIters()),
                        or(batchSize, o.batchSize()),
                        or(lr, o.learningRate()),
                        or(minLr, Math.min(o.minLearningRate(), or(lr, o.learningRate()))),
                        or(warmupIters, Math.min(o.warmupIters(), or(maxIters, o.maxIters()))),
                        or(weightDecay, o.weightDecay()),
                        o.beta1(),
                        o.beta2(),
                        or(gradClip, o.gradClip()),
                        or(evalInterval, o.evalInterval()),
                        or(evalIters, o.evalIters()),
                        or(valFraction, o.valFraction()),
                        or(seed, o.seed()));
        try (TrainingRun run = TrainingRun.start(config, tokenizer, text, options, out)) {
            console.println("Config: " + config.describe());
            console.printf(
                    Locale.ROOT,
                    "%,d parameters; %,d characters, vocabulary %d; %d steps of %d × %d tokens%n",
                    run.block().parameterCount(),
                    text.length(),
                    tokenizer.vocabSize(),
                    options.maxIters(),
                    options.batchSize(),
                    config.contextLength());
            console.printf(
                    Locale.ROOT,
                    "initial loss %.4f (ln %d = %.4f)%n",
                    run.initialLoss(),
                    tokenizer.vocabSize(),
                    Math.log(tokenizer.vocabSize()));
            run.train(Integer.MAX_VALUE, progress);
        }
        return 0;
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    /** A progress bar on a terminal, log lines otherwise; evaluations always get a line. */
    static final class Progress implements TrainingRun.Listener {
        private final PrintStream out;
        private final boolean terminal;
        private final long start = System.nanoTime();
        private TrainingRun.Step last;

        Progress(PrintStream out, boolean terminal) {
            this.out = out;
            this.terminal = terminal;
        }

        @Override
        public void onStep(TrainingRun.Step s) {
            last = s;
            String line =
                    String.format(
                            Locale.ROOT,
                            "step %d/%d | loss %.4f | lr %.2e | %,.0f tokens/s | %s",
                            s.iter(),
                            s.maxIters(),
                            s.loss(),
                            s.learningRate(),
                            s.tokensPerSecond(),
                            elapsed());
            if (terminal) {
                int width = 30;
                int done = (int) ((long) width * s.iter() / s.maxIters());
                out.print(
                        "\r[" + "#".repeat(done) + " ".repeat(width - done) + "] " + line + "   ");
                out.flush();
            } else if (s.iter() == 1 || s.iter() % Math.max(1, s.maxIters() / 50) == 0) {
                out.println(line);
            }
        }

        @Override
        public void onEvaluation(TrainingRun.Evaluation e) {
            if (terminal) {
                out.println();
            }
            out.printf(
                    Locale.ROOT,
                    "eval step %d | train loss %.4f | val loss %.4f | lr %.2e | %,.0f tokens/s%s | %s%n",
                    e.iter(),
                    e.trainLoss(),
                    e.valLoss(),
                    last == null ? 0f : last.learningRate(),
                    last == null ? 0.0 : last.tokensPerSecond(),
                    e.best() ? " | best, saved" : "",
                    elapsed());
        }

        private String elapsed() {
            long s = (System.nanoTime() - start) / 1_000_000_000L;
            return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
        }
    }
}
