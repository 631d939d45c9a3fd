package dev.tinygpt.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.tinygpt.generation.ContextPolicy;
import dev.tinygpt.generation.GenerationOptions;
import dev.tinygpt.generation.GenerationResult;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tinygpt generate}: greedy generation from a prompt, with timings or as JSON. */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description =
                "Generate text from a prompt (greedy), printing prefill time and decode speed.")
final class GenerateCommand implements Callable<Integer> {
    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR",
            description = "Model directory.")
    String model;

    static final class Prompt {
        @Option(
                names = "--prompt",
                paramLabel = "TEXT",
                description = "Prompt text (needs the model's tokenizer).")
        String text;

        @Option(
                names = "--prompt-ids",
                paramLabel = "IDS",
                description = "Prompt as comma-separated token ids, e.g. 1,2,3.")
        String ids;
    }

    @ArgGroup(multiplicity = "1")
    Prompt prompt;

    @Option(
            names = "--max-new-tokens",
            defaultValue = "50",
            paramLabel = "N",
            description = "Tokens to generate at most (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--no-kv-cache", description = "Recompute the whole window every step.")
    boolean noKvCache;

    @Option(
            names = "--context-policy",
            defaultValue = "shift",
            paramLabel = "POLICY",
            description =
                    "Past the context window: shift (keep the last half and go on) or stop (default: ${DEFAULT-VALUE}).")
    String contextPolicy;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        GenerationOptions options =
                GenerationOptions.greedy(maxNewTokens)
                        .withKvCache(!noKvCache)
                        .withContextPolicy(policy(contextPolicy));
        try (LanguageModel lm = LanguageModel.load(ModelPaths.resolve(model))) {
            Tokenizer tokenizer = lm.tokenizer().orElse(null);
            int[] ids = promptIds(tokenizer);
            GenerationResult result = lm.generate(ids, options);
            String text = tokenizer == null ? null : tokenizer.decode(result.tokens());
            if (json) {
                System.out.println(toJson(result, text));
            } else {
                System.out.println(text != null ? text : Arrays.toString(result.tokens()));
                System.out.println(stats(result, !noKvCache));
            }
        }
        return 0;
    }

    private int[] promptIds(Tokenizer tokenizer) {
        if (prompt.ids != null) {
            return parseIds(prompt.ids);
        }
        if (tokenizer == null) {
            throw new IllegalArgumentException(
                    "this model directory has no tokenizer; give --prompt-ids instead");
        }
        int[] ids = tokenizer.encode(prompt.text);
        if (ids.length == 0) {
            throw new IllegalArgumentException("empty prompt: --prompt must contain text");
        }
        return ids;
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

    static String stats(GenerationResult r, boolean cache) {
        return String.format(
                Locale.ROOT,
                "prompt %d tokens, generated %d (%s) | prefill %.2f ms | decode %s | total %.1f ms"
                        + " | KV cache %s",
                r.promptTokens(),
                r.generatedTokens(),
                r.finishReason().jsonName(),
                r.prefillMillis(),
                Double.isNaN(r.decodeTokensPerSecond())
                        ? "n/a"
                        : String.format(Locale.ROOT, "%,.1f tokens/s", r.decodeTokensPerSecond()),
                r.totalMillis(),
                cache ? "on" : "off");
    }

    /** The documented JSON shape: one entry per returned sequence plus the run's numbers. */
    static JsonObject toJson(GenerationResult r, String text) {
        JsonObject sequence = new JsonObject();
        JsonArray ids = new JsonArray();
        Arrays.stream(r.tokens()).forEach(ids::add);
        sequence.add("ids", ids);
        sequence.add("text", text == null ? JsonNull.INSTANCE : new JsonPrimitive(text));
        sequence.addProperty("finish_reason", r.finishReason().jsonName());
        JsonArray sequences = new JsonArray();
        sequences.add(sequence);
        JsonObject o = new JsonObject();
        o.add("sequences", sequences);
        o.addProperty("prompt_tokens", r.promptTokens());
        o.addProperty("generated_tokens", r.generatedTokens());
        o.addProperty("prefill_ms", r.prefillMillis());
        double rate = r.decodeTokensPerSecond();
        o.add(
                "decode_tokens_per_second",
                Double.isNaN(rate) ? JsonNull.INSTANCE : new JsonPrimitive(rate));
        return o;
    }
}
