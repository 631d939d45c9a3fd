package dev.tinygpt.cli;

import dev.tinygpt.bench.Contention;
import dev.tinygpt.bench.DecodeProfile;
import dev.tinygpt.bench.FreshVsWarm;
import dev.tinygpt.bench.MachineSuite;
import dev.tinygpt.bench.Soak;
import dev.tinygpt.bench.Stats;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.config.Presets;
import dev.tinygpt.generation.BatchResult;
import dev.tinygpt.generation.GenerationOptions;
import dev.tinygpt.generation.Generator;
import dev.tinygpt.generation.InferenceSession;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.generation.TokenListener;
import dev.tinygpt.tokenizer.WordTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tinygpt bench}: benchmarks on models built in-process with random weights (no download).
 *
 * <ul>
 *   <li>{@code --suite grid} (the default): prefill and decode, with and without the KV cache,
 *       across sequence lengths and batch sizes, for the exercise model and a GPT-2-small-shaped
 *       one, each against the machine's limits measured in the same run; writes {@code bench.csv},
 *       {@code bench.md} and the KV-cache figure {@code bench.png} to {@code --out}.
 *   <li>{@code --suite soak}: 10,000 tokens in one call and 1,000 short calls on the exercise model
 *       with its tokenizer, watching live NDArrays, RSS and the Java heap.
 *   <li>{@code --suite batch}: batched generation against one prompt at a time.
 * </ul>
 *
 * Every figure is a median over repeats after warm-up.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description =
                "Benchmark prefill, decode, the KV cache and batching (random-weight models).")
final class BenchCommand implements Callable<Integer> {
    @Mixin ThreadsOption threads = new ThreadsOption();

    @Spec CommandSpec spec;

    @Option(
            names = "--suite",
            defaultValue = "grid",
            paramLabel = "NAME",
            description = "grid, machine, profile, soak, batch or all (default: ${DEFAULT-VALUE}).")
    String suite;

    @Option(
            names = "--model",
            paramLabel = "DIR",
            description = "The model directory the profile, contention and fresh suites run.")
    Path model;

    @Option(
            names = "--prompt-tokens",
            defaultValue = "16",
            paramLabel = "N",
            description = "Profile: prompt length in tokens (default: ${DEFAULT-VALUE}).")
    int promptTokens;

    @Option(
            names = "--batch",
            defaultValue = "1",
            paramLabel = "B",
            description = "Profile: rows generated together (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--decode-steps",
            defaultValue = "64",
            paramLabel = "N",
            description =
                    "Profile, contention and fresh: decode steps per generation (default:"
                            + " ${DEFAULT-VALUE}).")
    int decodeSteps;

    @Option(
            names = "--json",
            description = "Machine and profile suites: print one JSON object instead of tables.")
    boolean json;

    @Option(
            names = "--models",
            defaultValue = "exercise,gpt2-small",
            split = ",",
            paramLabel = "NAME",
            description = "Models for the grid: exercise, gpt2-small (default: ${DEFAULT-VALUE}).")
    List<String> models;

    @Option(
            names = "--batches",
            defaultValue = "1,4,16",
            split = ",",
            paramLabel = "B",
            description = "Batch sizes for the grid (default: ${DEFAULT-VALUE}).")
    List<Integer> batches;

    @Option(
            names = "--max-tokens",
            defaultValue = "4096",
            paramLabel = "N",
            description =
                    "Skip grid cells whose prefill exceeds N tokens (batch × length), to bound the"
                            + " run time (default: ${DEFAULT-VALUE}).")
    long maxTokens;

    @Option(
            names = "--repeats",
            defaultValue = "5",
            paramLabel = "N",
            description =
                    "Timed repeats per figure; the median is reported (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(
            names = "--warmup",
            defaultValue = "1",
            paramLabel = "N",
            description = "Untimed runs before each grid cell (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(
            names = "--out",
            defaultValue = "bench-results",
            paramLabel = "DIR",
            description =
                    "Where the grid writes bench.csv, bench.md and bench.png (default:"
                            + " ${DEFAULT-VALUE}).")
    Path out;

    @Option(
            names = "--soak-tokens",
            defaultValue = "10000",
            paramLabel = "N",
            description = "Tokens of the soak's long call (default: ${DEFAULT-VALUE}).")
    int soakTokens;

    @Option(
            names = "--soak-calls",
            defaultValue = "1000",
            paramLabel = "N",
            description = "Short calls of the soak (default: ${DEFAULT-VALUE}).")
    int soakCalls;

    /** The grid's models, by preset name: {@code exercise} and {@code gpt2-small}. */
    static Named gridModel(String name) {
        if (!List.of("exercise", "gpt2-small").contains(name)) {
            throw new IllegalArgumentException(
                    "unknown model '" + name + "' for --models: expected exercise or gpt2-small");
        }
        return new Named(name, Presets.byName(name).config());
    }

    /** The batch suite's models: the exercise model and GPT-2 small's shape. */
    static List<Named> models() {
        return List.of(gridModel("exercise"), gridModel("gpt2-small"));
    }

    record Named(String name, GptConfig config) {}

    @Override
    public Integer call() throws IOException {
        threads.apply();
        requireAtLeast("--repeats", repeats, 1);
        requireAtLeast("--warmup", warmup, 0);
        requireAtLeast("--max-tokens", maxTokens, 1);
        requireAtLeast("--soak-tokens", soakTokens, 1);
        requireAtLeast("--soak-calls", soakCalls, 1);
        for (int b : batches) {
            requireAtLeast("--batches", b, 1);
        }
        List<Named> grid = models.stream().map(BenchCommand::gridModel).toList();
        boolean all = suite.equals("all");
        List<String> suites =
                List.of("grid", "machine", "profile", "contention", "fresh", "soak", "batch");
        if (!all && !suites.contains(suite)) {
            throw new IllegalArgumentException(
                    "bad --suite '"
                            + suite
                            + "': expected "
                            + String.join(", ", suites)
                            + " or all");
        }
        requireSuite(List.of("profile", "contention", "fresh"), "--model", "--decode-steps");
        requireSuite("profile", "--prompt-tokens", "--batch");
        requireSuite(List.of("machine", "profile"), "--json");
        if (suite.equals("machine")) {
            MachineSuite.Result limits = MachineSuite.run(repeats);
            System.out.println(json ? limits.json() : limits.markdown());
            return 0;
        }
        if (suite.equals("profile")) {
            profileSuite();
            return 0;
        }
        if (suite.equals("fresh")) {
            try (LanguageModel lm = LanguageModel.load(requireModel())) {
                System.out.println(
                        FreshVsWarm.run(lm, model, decodeSteps, repeats)
                                .markdown(model.getFileName().toString()));
            }
            return 0;
        }
        if (suite.equals("contention")) {
            try (LanguageModel lm = LanguageModel.load(requireModel())) {
                System.out.println(
                        Contention.run(lm, decodeSteps, repeats)
                                .markdown(model.getFileName().toString()));
            }
            return 0;
        }
        if (all || suite.equals("grid")) {
            new GridSuite(grid, batches, repeats, warmup, maxTokens, out).run();
        }
        if (all || suite.equals("soak")) {
            soakSuite();
        }
        if (all || suite.equals("batch")) {
            batchSuite();
        }
        return 0;
    }

    /** Refuses {@code options} given on the command line for a suite that does not use them. */
    private void requireSuite(String suiteName, String... options) {
        requireSuite(List.of(suiteName), options);
    }

    private void requireSuite(List<String> suites, String... options) {
        for (String option : options) {
            if (spec.commandLine().getParseResult().hasMatchedOption(option)
                    && !suites.contains(suite)) {
                throw new IllegalArgumentException(
                        option
                                + " applies to --suite "
                                + String.join(" and ", suites)
                                + ", not to "
                                + suite);
            }
        }
    }

    private Path requireModel() {
        if (model == null) {
            throw new IllegalArgumentException("--suite " + suite + " needs --model DIR");
        }
        requireAtLeast("--decode-steps", decodeSteps, 1);
        return model;
    }

    /** Where a decode step of {@code --model} goes, kind by kind. */
    private void profileSuite() throws IOException {
        requireModel();
        requireAtLeast("--prompt-tokens", promptTokens, 1);
        requireAtLeast("--decode-steps", decodeSteps, 1);
        requireAtLeast("--batch", batch, 1);
        try (LanguageModel lm = LanguageModel.load(model)) {
            DecodeProfile profile = new DecodeProfile(lm, promptTokens, decodeSteps, batch);
            DecodeProfile.Result r = profile.run(repeats);
            System.out.println(
                    json ? r.json() : profile.title(model, repeats) + "\n\n" + r.markdown());
        }
    }

    private static void requireAtLeast(String option, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(option + " must be ≥ " + min + ", got " + value);
        }
    }

    /** The leak check on the exercise model (context 32: the long call slides many times). */
    private void soakSuite() {
        System.out.println(Soak.markdownHeader());
        try (LanguageModel lm =
                LanguageModel.create(GptConfig.exercise(), 1, WordTokenizer.exercise())) {
            new Soak(lm).run(soakTokens, soakCalls, s -> System.out.println(Soak.markdownRow(s)));
        }
        System.out.println();
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
                GenerationOptions options =
                        GenerationOptions.greedy(32).toBuilder().stopAtEos(false).build();
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
                    double s = Stats.median(single);
                    double t = Stats.median(batched);
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
