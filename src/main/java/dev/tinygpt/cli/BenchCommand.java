package dev.tinygpt.cli;

import dev.tinygpt.bench.BatchSuite;
import dev.tinygpt.bench.Contention;
import dev.tinygpt.bench.DecodeProfile;
import dev.tinygpt.bench.FreshVsWarm;
import dev.tinygpt.bench.GridSuite;
import dev.tinygpt.bench.MachineSuite;
import dev.tinygpt.bench.ServeReport;
import dev.tinygpt.bench.ServeSuite;
import dev.tinygpt.bench.Soak;
import dev.tinygpt.config.Preset;
import dev.tinygpt.config.Presets;
import dev.tinygpt.generation.LanguageModel;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tinygpt bench}: its options checked, then one suite of {@code dev.tinygpt.bench} run
 * (grid, soak and batch build random-weight models in-process from presets; machine measures the
 * machine; profile, contention and fresh run {@code --model}; serve serves {@code --model} from
 * this JVM, or takes the server at {@code --url}, and loads it over HTTP). Every figure of the
 * in-process suites is a median over repeats after warm-up.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmark prefill, decode, the KV cache, batching and the HTTP server.")
final class BenchCommand implements Callable<Integer> {
    private static final List<String> SUITES =
            List.of("grid", "machine", "profile", "contention", "fresh", "soak", "batch", "serve");

    @Option(
            names = "--suite",
            defaultValue = "grid",
            paramLabel = "NAME",
            description =
                    "grid, machine, profile, contention, fresh, soak, batch, serve, or all (grid,"
                            + " soak and batch) (default: ${DEFAULT-VALUE}).")
    String suite;

    @Option(
            names = "--model",
            paramLabel = "DIR",
            description =
                    "The model directory the profile, contention, fresh and serve suites run (no"
                            + " default: they need it; serve takes --url instead).")
    Path model;

    @Option(
            names = "--url",
            paramLabel = "URL",
            description =
                    "Serve: measure the server already running at this http:// address instead of"
                            + " starting one on --model (default: none, start one).")
    URI url;

    @Option(
            names = "--clients",
            defaultValue = "1,4,16",
            split = ",",
            paramLabel = "N",
            description =
                    "Serve: concurrent streaming clients, one run per count (default:"
                            + " ${DEFAULT-VALUE}).")
    int[] clients;

    @Option(
            names = "--requests",
            defaultValue = "8",
            paramLabel = "N",
            description =
                    "Serve: requests each client sends, one after another, per run (default:"
                            + " ${DEFAULT-VALUE}).")
    int requests;

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
                    "Profile, contention and fresh: decode steps per generation; serve: each"
                            + " request's max_tokens (default: ${DEFAULT-VALUE}).")
    int decodeSteps;

    @Option(
            names = "--json",
            description =
                    "Machine, profile and serve suites: print one JSON object instead of tables"
                            + " (default: tables).")
    boolean json;

    @Option(
            names = "--models",
            defaultValue = "exercise,gpt2-small",
            split = ",",
            paramLabel = "NAME",
            completionCandidates = Presets.Names.class,
            description =
                    "Presets the grid builds: ${COMPLETION-CANDIDATES} (default:"
                            + " ${DEFAULT-VALUE}).")
    List<String> models;

    @Option(
            names = "--batches",
            defaultValue = "1,4,16",
            split = ",",
            paramLabel = "B",
            description = "Batch sizes for the grid (default: ${DEFAULT-VALUE}).")
    int[] batches;

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
            description =
                    "Short calls of the soak; serve: short requests after the runs, to show live"
                            + " NDArrays and RSS flat (default: ${DEFAULT-VALUE}).")
    int soakCalls;

    @Mixin ThreadsOption threads = new ThreadsOption();

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        threads.apply();
        requireAtLeast("--repeats", repeats, 1);
        requireAtLeast("--warmup", warmup, 0);
        requireAtLeast("--max-tokens", maxTokens, 1);
        requireAtLeast("--soak-tokens", soakTokens, 1);
        requireAtLeast("--soak-calls", soakCalls, 1);
        for (int b : batches) {
            requireAtLeast("--batches", b, 1);
        }
        List<Preset> grid = models.stream().map(Presets::byName).toList();
        requireKnownSuite();
        switch (suite) {
            case "machine" -> {
                MachineSuite.Result limits = MachineSuite.run(repeats);
                System.out.println(json ? limits.json() : limits.markdown());
            }
            case "profile" ->
                    onModel(
                            (lm, name) ->
                                    new DecodeProfile(lm, promptTokens, decodeSteps, batch)
                                            .report(name, repeats, json));
            case "fresh" ->
                    onModel(
                            (lm, name) ->
                                    FreshVsWarm.run(lm, model, decodeSteps, repeats)
                                            .markdown(name));
            case "contention" ->
                    onModel((lm, name) -> Contention.run(lm, decodeSteps, repeats).markdown(name));
            case "serve" -> serve();
            default -> {
                boolean all = suite.equals("all");
                if (all || suite.equals("grid")) {
                    new GridSuite(grid, batches, repeats, warmup, maxTokens, out).run();
                }
                if (all || suite.equals("soak")) {
                    Soak.runOnExercise(soakTokens, soakCalls);
                }
                if (all || suite.equals("batch")) {
                    BatchSuite.run(repeats);
                }
            }
        }
        return 0;
    }

    /** A known {@code --suite}, given no option that only another suite uses. */
    private void requireKnownSuite() {
        if (!suite.equals("all") && !SUITES.contains(suite)) {
            throw new IllegalArgumentException(
                    "bad --suite '"
                            + suite
                            + "': expected "
                            + String.join(", ", SUITES)
                            + " or all");
        }
        requireSuite(
                List.of("profile", "contention", "fresh", "serve"), "--model", "--decode-steps");
        requireSuite(List.of("profile"), "--prompt-tokens", "--batch");
        requireSuite(List.of("machine", "profile", "serve"), "--json");
        requireSuite(List.of("serve"), "--url", "--clients", "--requests");
        requireSuite(
                List.of("grid", "all"),
                "--models",
                "--batches",
                "--max-tokens",
                "--warmup",
                "--out");
        requireSuite(List.of("soak", "all"), "--soak-tokens");
        requireSuite(List.of("soak", "serve", "all"), "--soak-calls");
        requireSuite(
                List.of("machine", "profile", "contention", "fresh", "grid", "batch", "all"),
                "--repeats");
    }

    /** Refuses {@code options} given on the command line for a suite that does not use them. */
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

    /**
     * {@code --suite serve}: on {@code --model} (served from this JVM, with this command's {@code
     * --threads}) or on the server at {@code --url}.
     */
    private void serve() throws IOException, InterruptedException {
        if ((model == null) == (url == null)) {
            throw new IllegalArgumentException(
                    "--suite serve needs --model DIR (a server to start) or --url URL, one of them");
        }
        if (url != null && !"http".equals(url.getScheme())) {
            throw new IllegalArgumentException(
                    "bad --url '" + url + "': expected http://HOST:PORT");
        }
        for (int c : clients) {
            requireAtLeast("--clients", c, 1);
        }
        requireAtLeast("--requests", requests, 1);
        requireAtLeast("--decode-steps", decodeSteps, 1);
        ServeSuite suite = new ServeSuite(requests, decodeSteps);
        ServeSuite.Result r =
                url != null
                        ? suite.runAt(url, clients, soakCalls)
                        : suite.runOn(model, clients, soakCalls);
        System.out.println(json ? ServeReport.json(r) : ServeReport.markdown(r));
    }

    /** A suite run on {@code --model} (named by its directory): what it prints. */
    private interface ModelSuite {
        String run(LanguageModel lm, String name) throws IOException;
    }

    /** Loads {@code --model}, its suite's numbers checked first, and prints what {@code s} says. */
    private void onModel(ModelSuite s) throws IOException {
        if (model == null) {
            throw new IllegalArgumentException("--suite " + suite + " needs --model DIR");
        }
        requireAtLeast("--decode-steps", decodeSteps, 1);
        requireAtLeast("--prompt-tokens", promptTokens, 1); // given only to the profile
        requireAtLeast("--batch", batch, 1);
        try (LanguageModel lm = LanguageModel.load(model)) {
            System.out.println(s.run(lm, model.getFileName().toString()));
        }
    }

    private static void requireAtLeast(String option, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(option + " must be ≥ " + min + ", got " + value);
        }
    }
}
