package dev.tinygpt.cli;

import dev.tinygpt.bench.BenchReport;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.config.LoraConfig;
import dev.tinygpt.config.TrainingOptions;
import dev.tinygpt.io.TextFiles;
import dev.tinygpt.io.TokenFile;
import dev.tinygpt.tokenizer.CharTokenizer;
import dev.tinygpt.training.FineTune;
import dev.tinygpt.training.TokenizedCorpus;
import dev.tinygpt.training.TrainingRun;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tinygpt train}: a char-level GPT on any text file, or a fine-tune of any model directory
 * ({@code --init-from}, every weight or LoRA adapters), with progress on standard error (a bar on a
 * terminal, plain log lines otherwise), checkpoints, the best model kept and a closing line on
 * standard output that says where it is; {@code --resume} continues a run, to a new total if given
 * {@code --max-iters}.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        resourceBundle = "dev.tinygpt.cli.TrainDefaults",
        description = {
            "Train a char-level GPT on a text file, or fine-tune a model directory on it"
                    + " (--init-from; with --lora-rank, LoRA adapters only). DIR ends up holding"
                    + " the best model by validation loss (a model directory like any other, or a"
                    + " PEFT adapter directory) and checkpoint/ for --resume."
        })
final class TrainCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

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
            description =
                    "Continue the run in DIR from its last checkpoint (same corpus). Its model and"
                            + " settings are its own: only --max-iters may be given, to extend or"
                            + " shorten it (and --threads).")
    Path resume;

    @Mixin NewRunOptions newRun = new NewRunOptions();

    @Mixin FineTuneOptions fineTune = new FineTuneOptions();

    @Mixin ThreadsOption threads = new ThreadsOption();

    /** Status and progress, on standard error. */
    private PrintStream status;

    /** The closing line alone: where the result is. */
    private PrintStream stdout;

    @Override
    public Integer call() throws Exception {
        status = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        threads.apply();
        String text = TextFiles.readUtf8(corpus, TextFiles.MAX_TEXT_BYTES);
        if (resume != null) {
            resume(text);
        } else {
            start(text);
        }
        return 0;
    }

    private void start(String text) throws IOException {
        if (out == null) {
            throw new IllegalArgumentException("--out DIR is required (or --resume DIR)");
        }
        fineTune.refuseIgnored(spec.commandLine().getParseResult());
        TrainingOptions options = newRun.training();
        if (fineTune.initFrom != null) {
            FineTune from = fineTune.fineTune(newRun.context, newRun.dropout);
            try (TrainingRun run = TrainingRun.fineTune(from, text, options, out)) {
                status.println("Fine-tuning " + from.base() + ": " + run.config().describe());
                describe(run, text);
                status.printf(Locale.ROOT, "initial loss %.4f%n", run.initialLoss());
                train(run, out);
            }
            return;
        }
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(text, newRun.unk);
        GptConfig config = newRun.config(tokenizer.vocabSize());
        try (TrainingRun run = TrainingRun.start(config, tokenizer, text, options, out)) {
            status.println("Config: " + config.describe());
            describe(run, text);
            status.printf(
                    Locale.ROOT,
                    "initial loss %.4f (ln %d = %.4f)%n",
                    run.initialLoss(),
                    tokenizer.vocabSize(),
                    Math.log(tokenizer.vocabSize()));
            train(run, out);
        }
    }

    /** What the run trains, on what: its parameters and the corpus's tokens. */
    private void describe(TrainingRun run, String text) {
        long total = run.block().parameterCount();
        long trainable = run.trainableParameters();
        // PEFT's print_trainable_parameters, then for LoRA what it saves.
        status.printf(
                Locale.ROOT,
                "trainable params: %,d || all params: %,d || trainable%%: %.4f%s%n",
                trainable,
                total,
                100.0 * trainable / total,
                run.lora().map(lora -> loraSaving(lora, trainable, total)).orElse(""));
        tokens(run, text);
        TrainingOptions options = run.options();
        status.printf(
                Locale.ROOT,
                "%d steps of %d × %d tokens%n",
                options.maxIters(),
                options.batchSize(),
                run.config().contextLength());
    }

    /**
     * What training keeps per trainable parameter, its gradient and AdamW's two moments (float32
     * each), for the adapters against a full fine-tune's (every weight but the adapters).
     */
    private static String loraSaving(LoraConfig lora, long trainable, long total) {
        return String.format(
                Locale.ROOT,
                " (LoRA r=%d, α=%s on %s: gradients and AdamW moments take %s instead of %s)",
                lora.rank(),
                lora.alpha(),
                String.join(",", lora.targets()),
                BenchReport.humanBytes(12 * trainable),
                BenchReport.humanBytes(12 * (total - trainable)));
    }

    /** How the corpus became tokens: tokenized now (and how long it took), or reused. */
    private void tokens(TrainingRun run, String text) {
        TokenizedCorpus t = run.tokenized();
        if (t.reused()) {
            status.printf(
                    Locale.ROOT,
                    "corpus: %,d tokens (%s) from the run's %s%n",
                    t.tokens(),
                    t.dtype(),
                    TokenFile.IDS);
        } else {
            status.printf(
                    Locale.ROOT,
                    "corpus: %,d characters tokenized into %,d tokens in %.2f s, kept as %s (%s)"
                            + " for resumes%n",
                    text.codePointCount(0, text.length()),
                    t.tokens(),
                    t.seconds(),
                    TokenFile.IDS,
                    t.dtype());
        }
    }

    private void resume(String text) throws IOException {
        if (out != null && !out.equals(resume)) {
            throw new IllegalArgumentException(
                    "--resume continues in its own directory; drop --out");
        }
        try (TrainingRun run = TrainingRun.resume(resume, text)) {
            TrainSettings.of(run).refuseChangesOnResume(spec.commandLine().getParseResult());
            int total = run.options().maxIters();
            if (newRun.maxIters != null) {
                run.setMaxIters(newRun.maxIters);
            }
            int step = run.iteration();
            if (step == run.options().maxIters()) {
                stdout.printf(
                        Locale.ROOT,
                        "%s is complete at step %d of %d; to train on, resume with --max-iters N"
                                + " (more than %d)%n",
                        resume,
                        step,
                        step,
                        step);
                return;
            }
            status.printf(
                    Locale.ROOT,
                    "resuming %s at step %d of %d%s%n",
                    resume,
                    step,
                    run.options().maxIters(),
                    total == run.options().maxIters() ? "" : " (the total was " + total + ")");
            tokens(run, text);
            train(run, resume);
        }
    }

    /** Trains to the end with progress on standard error, then says what was saved. */
    private void train(TrainingRun run, Path dir) throws IOException {
        boolean terminal = System.console() != null;
        try (TrainProgress progress =
                TrainProgress.of(status, terminal, run.iteration(), run.options().maxIters())) {
            run.train(Integer.MAX_VALUE, progress);
        }
        stdout.println(saved(run, dir));
    }

    /** The closing line: where the best model is, or what was saved when there is none. */
    static String saved(TrainingRun run, Path dir) {
        Optional<TrainingRun.Best> best = run.best();
        if (best.isEmpty()) {
            return String.format(
                    Locale.ROOT,
                    "no evaluation gave a finite validation loss, so no best model was saved;"
                            + " the last state is in %s (step %d)",
                    dir.resolve("checkpoint"),
                    run.iteration());
        }
        TrainingRun.Best b = best.get();
        return String.format(
                Locale.ROOT,
                "saved best %s to %s (%sval loss %.4f)",
                run.lora().isPresent() ? "adapter" : "model",
                dir,
                b.iter() > 0 ? "step " + b.iter() + ", " : "",
                b.valLoss());
    }
}
