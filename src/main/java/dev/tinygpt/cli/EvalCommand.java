package dev.tinygpt.cli;

import com.google.gson.JsonObject;
import dev.tinygpt.eval.EvalResult;
import dev.tinygpt.eval.Perplexity;
import dev.tinygpt.eval.StridedWindows;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.io.TextFiles;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tinygpt eval}: the cross-entropy of a text under a model ({@link Perplexity}): tokens
 * scored, negative log-likelihood per token, perplexity and bits per byte on standard output;
 * progress and timing on standard error.
 */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Measure a model on a text: its cross-entropy with the model's own tokenizer, as"
                    + " negative log-likelihood per token (nats), perplexity and bits per byte.",
            "A long text is scored in windows of n_positions tokens that advance by --stride; every"
                    + " token after the first is scored once, with the longest context its window"
                    + " gives."
        })
final class EvalCommand implements Callable<Integer> {
    @Mixin ThreadsOption threads = new ThreadsOption();

    @Mixin ModelOption model = new ModelOption();

    @Mixin AdapterOption adapter = new AdapterOption();

    @Option(
            names = "--file",
            required = true,
            paramLabel = "FILE",
            description = "The UTF-8 text to score.")
    Path file;

    @Option(
            names = "--stride",
            paramLabel = "N",
            description =
                    "How far each window starts after the previous one, in [1, n_positions − 1]"
                            + " (default: n_positions / 2).")
    Integer stride;

    @Option(
            names = "--batch-size",
            defaultValue = "" + Perplexity.DEFAULT_BATCH,
            paramLabel = "B",
            description = "Windows per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
            names = "--json",
            description =
                    "Print one JSON object: tokens_scored, nll_per_token, perplexity,"
                            + " bits_per_byte, and the windows, stride and seconds.")
    boolean json;

    @Option(
            names = {"--quiet", "-q"},
            description = "Print only the result: no status, progress or timing.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        threads.apply();
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be ≥ 1, got " + batchSize);
        }
        String text = TextFiles.readUtf8(file, TextFiles.MAX_TEXT_BYTES);
        Status status = new Status(quiet);
        status.firstStart();
        EvalResult result;
        try (LanguageModel lm = ModelPaths.load(model.dir(), adapter.dir, status)) {
            int context = lm.config().contextLength();
            int s = stride != null ? stride : StridedWindows.defaultStride(context);
            try (Bar bar = new Bar(status)) {
                result = Perplexity.evaluate(lm, text, s, batchSize, bar);
            }
            status.line(
                    "%,d tokens in %,d windows of up to %d (stride %d), %d per batch: %.1f s, %,.0f tokens/s",
                    result.tokens(),
                    result.windows(),
                    context,
                    result.stride(),
                    batchSize,
                    result.seconds(),
                    result.tokensScored() / result.seconds());
        }
        System.out.println(json ? json(result) : text(result));
        return 0;
    }

    /** A progress bar over the tokens scored, made at the first batch, when the total is known. */
    private static final class Bar implements Perplexity.Progress, AutoCloseable {
        private final Status status;
        private Status.Progress bar;
        private int shown;

        Bar(Status status) {
            this.status = status;
        }

        @Override
        public void scored(int done, int total) {
            if (bar == null) {
                bar = status.bar("eval", total, "tokens");
            }
            bar.step(done - shown);
            shown = done;
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
            }
        }
    }

    static String text(EvalResult r) {
        return String.format(
                Locale.ROOT,
                "tokens_scored %d | nll_per_token %.4f nats | perplexity %.4f | bits_per_byte %.4f",
                r.tokensScored(),
                r.nllPerToken(),
                r.perplexity(),
                r.bitsPerByte());
    }

    static String json(EvalResult r) {
        JsonObject o = new JsonObject();
        o.addProperty("tokens_scored", r.tokensScored());
        o.addProperty("nll_per_token", r.nllPerToken());
        o.addProperty("perplexity", r.perplexity());
        o.addProperty("bits_per_byte", r.bitsPerByte());
        o.addProperty("windows", r.windows());
        o.addProperty("stride", r.stride());
        o.addProperty("seconds", r.seconds());
        return o.toString();
    }
}
