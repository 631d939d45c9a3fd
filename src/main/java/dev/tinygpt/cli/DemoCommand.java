package dev.tinygpt.cli;

import dev.tinygpt.bench.Stats;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.generation.GenerationOptions;
import dev.tinygpt.generation.GenerationResult;
import dev.tinygpt.generation.Generator;
import dev.tinygpt.generation.InferenceSession;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.model.ParameterSummary;
import dev.tinygpt.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tinygpt demo}: the exercise end to end. Prints the config and parameter summary, then
 * generates the same tokens greedily with and without the KV cache, checks they are identical, and
 * times both (median over several runs after warm-up).
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Generate 50 tokens with and without the KV cache, compare and time them.")
final class DemoCommand implements Callable<Integer> {
    @Mixin ThreadsOption threads = new ThreadsOption();

    @Option(
            names = "--model",
            defaultValue = ModelPaths.DEFAULT_MODEL,
            paramLabel = "DIR",
            description = "Model directory (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(
            names = "--prompt",
            defaultValue = "the cat sat on",
            paramLabel = "TEXT",
            description = "Prompt text (default: \"${DEFAULT-VALUE}\").")
    String prompt;

    @Option(
            names = "--max-new-tokens",
            defaultValue = "50",
            paramLabel = "N",
            description = "Tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(
            names = "--runs",
            defaultValue = "15",
            paramLabel = "N",
            description =
                    "Timed runs per path; the median is reported (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(
            names = "--warmup",
            defaultValue = "10",
            paramLabel = "N",
            description = "Untimed warm-up runs per path (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Override
    public Integer call() throws Exception {
        threads.apply();
        if (runs < 1 || warmup < 0) {
            throw new IllegalArgumentException("--runs must be ≥ 1 and --warmup ≥ 0");
        }
        try (LanguageModel lm = LanguageModel.load(ModelPaths.resolve(model));
                InferenceSession session = lm.newSession()) {
            Tokenizer tokenizer =
                    lm.tokenizer()
                            .orElseThrow(
                                    () ->
                                            new IllegalArgumentException(
                                                    "the demo needs a model directory with a tokenizer"));
            int[] ids = tokenizer.encode(prompt);
            if (ids.length == 0) {
                throw new IllegalArgumentException("empty prompt: --prompt must contain text");
            }
            printModel(lm, ids);
            // Greedy runs to the full length: the demo always shows exactly maxNewTokens tokens.
            GenerationOptions cached =
                    GenerationOptions.greedy(maxNewTokens).toBuilder().stopAtEos(false).build();
            GenerationOptions uncached = cached.toBuilder().kvCache(false).build();
            GenerationResult withCache = Generator.generate(session, ids, cached);
            GenerationResult without = Generator.generate(session, ids, uncached);
            System.out.println();
            System.out.println("With KV cache:    " + tokenizer.decode(withCache.generated()));
            System.out.println("Without KV cache: " + tokenizer.decode(without.generated()));
            boolean identical = Arrays.equals(withCache.tokens(), without.tokens());
            System.out.println("Identical: " + (identical ? "yes" : "NO"));
            time(session, ids, cached, uncached);
            return identical ? 0 : 1;
        }
    }

    private void printModel(LanguageModel lm, int[] ids) {
        GptConfig config = lm.config();
        System.out.println("tinygpt demo: " + model);
        System.out.println("Config: " + config.describe());
        System.out.println();
        System.out.print(ParameterSummary.format(lm.block()));
        System.out.println();
        System.out.println("Prompt: \"" + prompt + "\" -> ids " + Arrays.toString(ids));
        System.out.printf(
                Locale.ROOT,
                "Generating %d new tokens greedily (context %d; past it the window keeps the"
                        + " last %d tokens)%n",
                maxNewTokens,
                config.contextLength(),
                config.contextLength() - config.contextLength() / 2);
    }

    /** Medians of {@code runs} timed runs of each path, after {@code warmup} untimed ones. */
    private void time(
            InferenceSession session,
            int[] ids,
            GenerationOptions cached,
            GenerationOptions uncached) {
        for (int i = 0; i < warmup; i++) {
            Generator.generate(session, ids, cached);
            Generator.generate(session, ids, uncached);
        }
        double[] cachedMs = new double[runs];
        double[] uncachedMs = new double[runs];
        for (int i = 0; i < runs; i++) {
            cachedMs[i] = Generator.generate(session, ids, cached).totalMillis();
            uncachedMs[i] = Generator.generate(session, ids, uncached).totalMillis();
        }
        double c = Stats.median(cachedMs);
        double u = Stats.median(uncachedMs);
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "Timing (median of %d runs after %d warm-up runs, %d tokens each):%n",
                runs,
                warmup,
                maxNewTokens);
        String row = "  %-18s%8.2f ms  (%,8.0f tokens/s)%n";
        System.out.printf(Locale.ROOT, row, "with KV cache:", c, maxNewTokens / (c / 1000));
        System.out.printf(Locale.ROOT, row, "without KV cache:", u, maxNewTokens / (u / 1000));
        System.out.printf(Locale.ROOT, "  speed-up:         %8.2fx%n", u / c);
    }
}
