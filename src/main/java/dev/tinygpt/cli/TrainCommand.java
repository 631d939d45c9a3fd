package dev.tinygpt.cli;

import dev.tinygpt.config.GptConfig;
import dev.tinygpt.config.Preset;
import dev.tinygpt.config.Presets;
import dev.tinygpt.config.TrainingOptions;
import dev.tinygpt.io.TextFiles;
import dev.tinygpt.tokenizer.CharTokenizer;
import dev.tinygpt.training.TrainingListener;
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
            completionCandidates = Presets.Names.class,
            description =
                    "A char preset: char-tiny, char-small or shakespeare-char (default: ${DEFAULT-VALUE}).")
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
        Preset p = Presets.byName(preset);
        TrainingOptions o =
                p.training()
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "--preset "
                                                        + preset
                                                        + " has no training settings; train takes"
                                                        + " a char model: "
                                                        + charPresets()));
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(text, unk);
        GptConfig shape = p.config();
        int width = or(dModel, shape.dModel());
        GptConfig config =
                shape.toBuilder()
                        .vocabSize(tokenizer.vocabSize())
                        .contextLength(or(context, shape.contextLength()))
                        .layers(or(layers, shape.layers()))
                        .heads(or(heads, shape.heads()))
                        .dModel(width)
                        .mlpHidden(GptConfig.defaultMlpHidden(width))
                        .dropout(or(dropout, shape.dropout()))
                        .build();
        float peak = or(lr, o.learningRate());
        int steps = or(maxIters, o.maxIters());
        TrainingOptions options =
                o.toBuilder()
                        .maxIters(steps)
                        .batchSize(or(batchSize, o.batchSize()))
                        .learningRate(peak)
                        .minLearningRate(or(minLr, Math.min(o.minLearningRate(), peak)))
                        .warmupIters(or(warmupIters, Math.min(o.warmupIters(), steps)))
                        .weightDecay(or(weightDecay, o.weightDecay()))
                        .gradClip(or(gradClip, o.gradClip()))
                        .evalInterval(or(evalInterval, o.evalInterval()))
                        .evalIters(or(evalIters, o.evalIters()))
                        .valFraction(or(valFraction, o.valFraction()))
                        .seed(or(seed, o.seed()))
                        .build();
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

    private static String charPresets() {
        return String.join(
                ", ", Presets.all().stream().filter(Preset::charLevel).map(Preset::name).toList());
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    /** A progress bar on a terminal, log lines otherwise; evaluations always get a line. */
    static final class Progress implements TrainingListener {
        private final PrintStream out;
        private final boolean terminal;
        private final long start = System.nanoTime();
        private TrainingListener.Step last;

        Progress(PrintStream out, boolean terminal) {
            this.out = out;
            this.terminal = terminal;
        }

        @Override
        public void onStep(TrainingListener.Step s) {
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
        public void onEvaluation(TrainingListener.Evaluation e) {
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
