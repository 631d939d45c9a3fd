package dev.tinygpt.cli;

import dev.tinygpt.generation.BatchResult;
import dev.tinygpt.generation.BeamOptions;
import dev.tinygpt.generation.ContextPolicy;
import dev.tinygpt.generation.GenerationOptions;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.generation.TokenListener;
import dev.tinygpt.sampling.SamplingConfig;
import dev.tinygpt.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tinygpt generate}: greedy, sampled or beam-search generation for one prompt or a batch,
 * with timings, streaming or JSON output.
 */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Generate text from one prompt or a batch of prompts: the text on standard output;"
                    + " status, prefill time, decode tokens/s and total time on standard error.",
            "Greedy by default; --temperature > 0 samples (Hugging Face semantics)."
        })
final class GenerateCommand implements Callable<Integer> {
    @Mixin ThreadsOption threads = new ThreadsOption();

    @Mixin ModelOption model = new ModelOption();

    @Mixin AdapterOption adapter = new AdapterOption();

    static final class Prompts {
        @Option(
                names = "--prompt",
                paramLabel = "TEXT",
                description =
                        "Prompt text (needs the model's tokenizer); - reads it from standard input."
                                + " Repeat for a batch.")
        List<String> texts;

        @Option(
                names = "--prompt-ids",
                paramLabel = "IDS",
                description =
                        "Prompt as comma-separated token ids, e.g. 1,2,3. Repeat for a batch.")
        List<String> ids;

        @Option(
                names = "--prompt-file",
                paramLabel = "FILE",
                description =
                        "A batch of prompts: one per line (empty lines skipped), or in a .jsonl file"
                                + " one {\"prompt\": …} object per line (prompts may span lines);"
                                + " - reads the lines from standard input.")
        String file;
    }

    @ArgGroup(multiplicity = "1")
    Prompts prompts;

    @Option(
            names = "--max-new-tokens",
            defaultValue = "50",
            paramLabel = "N",
            description = "Tokens to generate at most per sequence (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(
            names = "--temperature",
            paramLabel = "T",
            description =
                    "Sampling temperature; 0 is greedy (default: 0, or 1 when --top-k or --top-p"
                            + " is given).")
    Float temperature;

    @Option(
            names = "--top-k",
            defaultValue = "0",
            paramLabel = "K",
            description =
                    "Sample from the K most likely tokens; 0 is off (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(
            names = "--top-p",
            defaultValue = "1",
            paramLabel = "P",
            description =
                    "Nucleus sampling: from the smallest set reaching probability P; 1 is off"
                            + " (default: ${DEFAULT-VALUE}).")
    float topP;

    @Option(
            names = "--repetition-penalty",
            defaultValue = "1",
            paramLabel = "X",
            description =
                    "Penalise tokens already in the sequence; 1 is off (default: ${DEFAULT-VALUE}).")
    float repetitionPenalty;

    @Option(
            names = "--no-repeat-ngram-size",
            defaultValue = "0",
            paramLabel = "N",
            description =
                    "Never repeat an n-gram of this size; 0 is off (default: ${DEFAULT-VALUE}).")
    int noRepeatNgramSize;

    @Option(
            names = "--seed",
            paramLabel = "S",
            description =
                    "Sampling seed; prompt i of a batch uses S + i (default: 42; sampling only).")
    Long seed;

    @Option(
            names = "--stop",
            paramLabel = "TEXT",
            description = "Stop a sequence once its generated text contains TEXT. Repeatable.")
    List<String> stops = new ArrayList<>();

    @Option(
            names = "--num-beams",
            defaultValue = "1",
            paramLabel = "N",
            description = "Beam search with N beams; 1 is off (default: ${DEFAULT-VALUE}).")
    int numBeams;

    @Option(
            names = "--length-penalty",
            defaultValue = "1",
            paramLabel = "X",
            description = "Beam search: divide scores by length^X (default: ${DEFAULT-VALUE}).")
    float lengthPenalty;

    @Option(
            names = "--early-stopping",
            defaultValue = "false",
            paramLabel = "WHEN",
            description = "Beam search: true, false or never (default: ${DEFAULT-VALUE}).")
    String earlyStopping;

    @Option(
            names = "--num-return-sequences",
            defaultValue = "1",
            paramLabel = "N",
            description =
                    "Beam search: how many best beams to return per prompt (default: ${DEFAULT-VALUE}).")
    int numReturnSequences;

    @Option(names = "--no-kv-cache", description = "Recompute the whole window every step.")
    boolean noKvCache;

    @Option(
            names = "--context-policy",
            defaultValue = "shift",
            paramLabel = "POLICY",
            description =
                    "Past the context window: shift (keep the last half and go on) or stop (default: ${DEFAULT-VALUE}).")
    String contextPolicy;

    @Option(
            names = "--stream",
            description = "Print the text as it is generated (one prompt, no beams).")
    boolean stream;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Option(
            names = {"--quiet", "-q"},
            description = "Print only the text (or JSON): no status, progress or timings.")
    boolean quiet;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        threads.apply();
        GenerationOptions options = options();
        if (stream && (json || options.beams().enabled())) {
            throw new IllegalArgumentException(
                    "--stream cannot be combined with --json or --num-beams");
        }
        Status status = new Status(quiet);
        status.firstStart();
        long loadStart = System.nanoTime();
        try (LanguageModel lm = ModelPaths.load(model.dir(), adapter.dir, status)) {
            double loadMillis = (System.nanoTime() - loadStart) / 1e6;
            Tokenizer tokenizer = lm.tokenizer().orElse(null);
            List<int[]> ids = promptIds(tokenizer);
            if (stream && ids.size() > 1) {
                throw new IllegalArgumentException("--stream takes a single prompt");
            }
            PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            BatchResult result;
            try (Status.Progress progress = progress(status, ids, options)) {
                result = lm.generate(ids, options, listener(out, tokenizer, ids, progress));
            }
            if (json) {
                out.println(GenerationOutput.toJson(result, tokenizer, loadMillis));
            } else if (stream) {
                out.println();
            } else {
                GenerationOutput.print(out, status, result, tokenizer);
            }
            status.line(GenerationOutput.stats(result, !noKvCache, loadMillis));
        }
        return 0;
    }

    /** A bar of the tokens to generate, on a terminal when the text is not streamed. */
    private Status.Progress progress(Status status, List<int[]> ids, GenerationOptions options) {
        if (stream) {
            return Status.Progress.NONE;
        }
        long rows = (long) ids.size() * Math.max(1, options.beams().numBeams());
        return status.bar("generating", rows * options.maxNewTokens(), "tokens");
    }

    /** Streams text to standard output with --stream; counts tokens for the bar. */
    private TokenListener listener(
            PrintStream out, Tokenizer tokenizer, List<int[]> ids, Status.Progress progress) {
        if (!stream) {
            return (seq, id, text) -> progress.step(1);
        }
        out.print(tokenizer == null ? Arrays.toString(ids.get(0)) : tokenizer.decode(ids.get(0)));
        return (seq, id, text) -> out.print(tokenizer == null ? " " + id : text);
    }

    private GenerationOptions options() {
        boolean beams = numBeams > 1;
        for (String beamOption : List.of("--length-penalty", "--early-stopping")) {
            if (!beams && given(beamOption)) {
                throw new IllegalArgumentException(
                        beamOption + " applies to beam search: give --num-beams N > 1");
            }
        }
        SamplingConfig.Builder sampling =
                SamplingConfig.builder()
                        .topK(topK)
                        .topP(topP)
                        .repetitionPenalty(repetitionPenalty)
                        .noRepeatNgramSize(noRepeatNgramSize)
                        .seed(seed != null ? seed : 42);
        if (temperature != null) {
            sampling.temperature(temperature);
        }
        SamplingConfig config = sampling.build();
        if (seed != null && config.isGreedy()) {
            throw new IllegalArgumentException(
                    "--seed applies only when sampling: give --temperature > 0, --top-k or"
                            + " --top-p");
        }
        return GenerationOptions.builder()
                .maxNewTokens(maxNewTokens)
                .kvCache(!noKvCache)
                .contextPolicy(policy(contextPolicy))
                .sampling(config)
                .stopStrings(stops)
                .beams(
                        new BeamOptions(
                                numBeams,
                                lengthPenalty,
                                earlyStopping(earlyStopping),
                                numReturnSequences))
                .build();
    }

    /** Whether the user typed {@code option} (its default may not have been). */
    private boolean given(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    private List<int[]> promptIds(Tokenizer tokenizer) throws IOException {
        List<int[]> list = new ArrayList<>();
        if (prompts.ids != null) {
            for (String s : prompts.ids) {
                list.add(parseIds(s));
            }
            return list;
        }
        List<String> texts = prompts.file != null ? PromptFiles.read(prompts.file) : texts();
        if (tokenizer == null) {
            throw new IllegalArgumentException(
                    "this model directory has no tokenizer; give --prompt-ids instead");
        }
        for (String text : texts) {
            int[] ids = tokenizer.encode(text);
            if (ids.length == 0) {
                throw new IllegalArgumentException("empty prompt: every prompt must contain text");
            }
            list.add(ids);
        }
        return list;
    }

    /** The --prompt values, a "-" read from standard input (once). */
    private List<String> texts() throws IOException {
        List<String> texts = new ArrayList<>();
        for (String text : prompts.texts) {
            texts.add(text.equals("-") ? PromptFiles.stdin() : text);
        }
        return texts;
    }

    static int[] parseIds(String list) {
        String trimmed = list.strip();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("empty prompt: --prompt-ids has no ids");
        }
        String[] parts = trimmed.split(",");
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Integer.parseInt(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "bad --prompt-ids value '"
                                + parts[i].strip()
                                + "': expected comma-separated integers like 1,2,3");
            }
        }
        return ids;
    }

    static ContextPolicy policy(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "shift" -> ContextPolicy.SHIFT;
            case "stop" -> ContextPolicy.STOP;
            default ->
                    throw new IllegalArgumentException(
                            "bad --context-policy '" + name + "': expected shift or stop");
        };
    }

    static BeamOptions.EarlyStopping earlyStopping(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "true" -> BeamOptions.EarlyStopping.TRUE;
            case "false" -> BeamOptions.EarlyStopping.FALSE;
            case "never" -> BeamOptions.EarlyStopping.NEVER;
            default ->
                    throw new IllegalArgumentException(
                            "bad --early-stopping '" + name + "': expected true, false or never");
        };
    }
}
