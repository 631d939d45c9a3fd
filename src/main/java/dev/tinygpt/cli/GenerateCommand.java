package dev.tinygpt.cli;

import dev.tinygpt.generation.BatchResult;
import dev.tinygpt.generation.BeamOptions;
import dev.tinygpt.generation.ContextPolicy;
import dev.tinygpt.generation.GenerationOptions;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.generation.TokenListener;
import dev.tinygpt.io.TextFiles;
import dev.tinygpt.sampling.SamplingConfig;
import dev.tinygpt.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tinygpt generate}: greedy, sampled or beam-search generation for one prompt or a batch,
 * with timings, streaming or JSON output.
 */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Generate text from one prompt or a batch of prompts; print the text, then prefill"
                    + " time, decode tokens/s and total time.",
            "Greedy by default; --temperature > 0 samples (Hugging Face semantics)."
        })
final class GenerateCommand implements Callable<Integer> {
    @Mixin ThreadsOption threads = new ThreadsOption();

    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR",
            description = "Model directory.")
    String model;

    static final class Prompts {
        @Option(
                names = "--prompt",
                paramLabel = "TEXT",
                description = "Prompt text (needs the model's tokenizer). Repeat for a batch.")
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
                description = "A batch of prompts, one per line (empty lines are skipped).")
        Path file;
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
            defaultValue = "0",
            paramLabel = "T",
            description = "Sampling temperature; 0 is greedy (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(
            names = "--top-k",
            defaultValue = "0",
            paramLabel = "K",
            description = "Keep the K most likely tokens; 0 is off (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(
            names = "--top-p",
            defaultValue = "1",
            paramLabel = "P",
            description =
                    "Nucleus sampling: keep the smallest set reaching probability P; 1 is off (default: ${DEFAULT-VALUE}).")
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
            defaultValue = "42",
            paramLabel = "S",
            description =
                    "Sampling seed; prompt i of a batch uses S + i (default: ${DEFAULT-VALUE}).")
    long seed;

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

    @Override
    public Integer call() throws Exception {
        threads.apply();
        GenerationOptions options = options();
        if (stream && (json || options.beams().enabled())) {
            throw new IllegalArgumentException(
                    "--stream cannot be combined with --json or --num-beams");
        }
        long loadStart = System.nanoTime();
        try (LanguageModel lm = LanguageModel.load(ModelPaths.resolve(model))) {
            double loadMillis = (System.nanoTime() - loadStart) / 1e6;
            Tokenizer tokenizer = lm.tokenizer().orElse(null);
            List<int[]> ids = promptIds(tokenizer);
            if (stream && ids.size() > 1) {
                throw new IllegalArgumentException("--stream takes a single prompt");
            }
            PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            TokenListener listener = TokenListener.NONE;
            if (stream) {
                out.print(
                        tokenizer == null
                                ? Arrays.toString(ids.get(0))
                                : tokenizer.decode(ids.get(0)));
                listener = (seq, id, text) -> out.print(tokenizer == null ? " " + id : text);
            }
            BatchResult result = lm.generate(ids, options, listener);
            if (json) {
                out.println(GenerationOutput.toJson(result, tokenizer, loadMillis));
                return 0;
            }
            if (stream) {
                out.println();
            } else {
                GenerationOutput.print(out, result, tokenizer);
            }
            out.println(GenerationOutput.stats(result, !noKvCache, loadMillis));
        }
        return 0;
    }

    private GenerationOptions options() {
        SamplingConfig sampling =
                new SamplingConfig(
                        temperature, topK, topP, repetitionPenalty, noRepeatNgramSize, seed);
        BeamOptions beams =
                new BeamOptions(
                        numBeams, lengthPenalty, earlyStopping(earlyStopping), numReturnSequences);
        return GenerationOptions.greedy(maxNewTokens).toBuilder()
                .kvCache(!noKvCache)
                .contextPolicy(policy(contextPolicy))
                .sampling(sampling)
                .stopStrings(stops)
                .beams(beams)
                .build();
    }

    private List<int[]> promptIds(Tokenizer tokenizer) throws IOException {
        List<int[]> list = new ArrayList<>();
        if (prompts.ids != null) {
            for (String s : prompts.ids) {
                list.add(parseIds(s));
            }
            return list;
        }
        List<String> texts = prompts.texts;
        if (prompts.file != null) {
            if (!Files.exists(prompts.file)) {
                throw new IllegalArgumentException("prompt file not found: " + prompts.file);
            }
            texts =
                    TextFiles.readUtf8(prompts.file, TextFiles.MAX_TEXT_BYTES)
                            .lines()
                            .filter(line -> !line.isBlank())
                            .toList();
            if (texts.isEmpty()) {
                throw new IllegalArgumentException(
                        "prompt file " + prompts.file + " has no prompts");
            }
        }
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
