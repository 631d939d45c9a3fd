package dev.tinygpt.cli;

import dev.tinygpt.cache.CacheKind;
import dev.tinygpt.config.Activation;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.generation.BatchResult;
import dev.tinygpt.generation.GenerationOptions;
import dev.tinygpt.generation.Generator;
import dev.tinygpt.generation.InferenceSession;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.generation.TokenListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tinygpt bench}: generation benchmarks on models built in-process with random weights (no
 * download). {@code --suite cache} compares the growing and the preallocated KV cache; {@code
 * --suite batch} measures batched greedy generation against one prompt at a time. Every figure is a
 * median over repeats after a warm-up; results print as Markdown tables.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmark generation: KV cache kinds and batching (random-weight models).")
final class BenchCommand implements Callable<Integer> {
    @Option(
            names = "--suite",
            defaultValue = "all",
            paramLabel = "NAME",
            description = "cache, batch or all (default: ${DEFAULT-VALUE}).")
    String suite;

    @Option(
            names = "--repeats",
            defaultValue = "5",
            paramLabel = "N",
            description =
                    "Timed repeats per figure; the median is reported (default: ${DEFAULT-VALUE}).")
    int repeats;

    /** The exercise model and a mid-size GPT-2-style model (4 layers, width 256, context 512). */
    static List<Named> models() {
        return List.of(
                new Named("exercise", GptConfig.exercise()),
                new Named(
                        "mid (4×256, ctx 512)",
                        new GptConfig(
                                1000,
                                512,
                                4,
                                4,
                                256,
                                1024,
                                Activation.GELU_NEW,
                                1e-5f,
                                true,
                                0f,
                                -1,
                                -1)));
    }

    record Named(String name, GptConfig config) {}

    @Override
    public Integer call() {
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeats must be ≥ 1");
        }
        boolean cache = suite.equals("cache") || suite.equals("all");
        boolean batch = suite.equals("batch") || suite.equals("all");
        if (!cache && !batch) {
            throw new IllegalArgumentException(
                    "bad --suite '" + suite + "': expected cache, batch or all");
        }
        if (cache) {
            cacheSuite();
        }
        if (batch) {
            batchSuite();
        }
        return 0;
    }

    /** Decode from a 8-token prompt to the end of the context with each cache kind. */
    private void cacheSuite() {
        System.out.println("## KV cache: growing (concatenate) vs static (preallocated)");
        System.out.println();
        System.out.println(
                "| model | tokens decoded | growing tokens/s | static tokens/s | static / growing |");
        System.out.println("|---|---|---|---|---|");
        for (Named m : models()) {
            try (LanguageModel lm = LanguageModel.create(m.config(), 1, null)) {
                int n = m.config().contextLength();
                int[] prompt = ids(8, m.config().vocabSize(), 1);
                GenerationOptions options = GenerationOptions.greedy(n - 8).withStopAtEos(false);
                double[] rates = rates(lm, prompt, options);
                double growing = rates[0];
                double fixed = rates[1];
                System.out.printf(
                        Locale.ROOT,
                        "| %s | %d | %,.0f | %,.0f | %.2f× |%n",
                        m.name(),
                        n - 8,
                        growing,
                        fixed,
                        fixed / growing);
            }
        }
        System.out.println();
    }

    /**
     * Median decode tokens/s of the growing and the static cache: both warmed up for a while, then
     * measured in alternation so drift on a shared machine hits both alike.
     */
    private double[] rates(LanguageModel lm, int[] prompt, GenerationOptions options) {
        try (InferenceSession growing = lm.newSession(CacheKind.GROWING);
                InferenceSession fixed = lm.newSession(CacheKind.STATIC)) {
            warmUp(
                    () -> {
                        Generator.generate(growing, prompt, options);
                        Generator.generate(fixed, prompt, options);
                    });
            double[] g = new double[repeats];
            double[] s = new double[repeats];
            for (int i = 0; i < repeats; i++) {
                g[i] = Generator.generate(growing, prompt, options).decodeTokensPerSecond();
                s[i] = Generator.generate(fixed, prompt, options).decodeTokensPerSecond();
            }
            return new double[] {DemoCommand.median(g), DemoCommand.median(s)};
        }
    }

    /** Runs {@code work} at least twice and for at least two seconds (JIT and libtorch warm-up). */
    private static void warmUp(Runnable work) {
        long end = System.nanoTime() + 2_000_000_000L;
        for (int i = 0; i < 2 || System.nanoTime() < end; i++) {
            work.run();
        }
    }

    /** B prompts of 8–16 tokens, 32 new tokens each: one batch vs one prompt at a time. */
    private void batchSuite() {
        System.out.println(
                "## Batched greedy generation vs one prompt at a time (32 new tokens each)");
        System.out.println();
        System.out.println("| model | batch | one-by-one tokens/s | batched tokens/s | gain |");
        System.out.println("|---|---|---|---|---|");
        for (Named m : models()) {
            try (LanguageModel lm = LanguageModel.create(m.config(), 1, null);
                    InferenceSession session = lm.newSession()) {
                GenerationOptions options = GenerationOptions.greedy(32).withStopAtEos(false);
                for (int b : new int[] {1, 4, 16}) {
                    List<int[]> prompts = new ArrayList<>();
                    Random random = new Random(b);
                    for (int i = 0; i < b; i++) {
                        prompts.add(ids(8 + random.nextInt(9), m.config().vocabSize(), i));
                    }
                    int tokens = b * 32;
                    double[] single = new double[repeats];
                    double[] batched = new double[repeats];
                    warmUp(
                            () -> {
                                oneByOne(session, prompts, options);
                                Generator.generate(
                                        session, prompts, options, null, TokenListener.NONE);
                            });
                    for (int r = 0; r < repeats; r++) {
                        single[r] = tokens / (oneByOne(session, prompts, options) / 1000);
                        BatchResult result =
                                Generator.generate(
                                        session, prompts, options, null, TokenListener.NONE);
                        batched[r] = tokens / (result.totalMillis() / 1000);
                    }
                    double s = DemoCommand.median(single);
                    double t = DemoCommand.median(batched);
                    System.out.printf(
                            Locale.ROOT,
                            "| %s | %d | %,.0f | %,.0f | %.2f× |%n",
                            m.name(),
                            b,
                            s,
                            t,
                            t / s);
                }
            }
        }
        System.out.println();
    }

    private static double oneByOne(
            InferenceSession session, List<int[]> prompts, GenerationOptions options) {
        double total = 0;
        for (int[] prompt : prompts) {
            total += Generator.generate(session, prompt, options).totalMillis();
        }
        return total;
    }

    private static int[] ids(int length, int vocab, long seed) {
        Random r = new Random(seed);
        int[] ids = new int[length];
        Arrays.setAll(ids, i -> r.nextInt(vocab));
        return ids;
    }
}
