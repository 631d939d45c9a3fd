package dev.tinygpt.bench;

import com.google.gson.JsonParser;
import dev.tinygpt.generation.GenerationOptions;
import dev.tinygpt.generation.GenerationResult;
import dev.tinygpt.generation.LanguageModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code bench --suite fresh}: what a CLI user gets against what a warm process gets, on the same
 * prompt and settings. Each round runs {@code tinygpt generate --json} in a new JVM (this one's
 * Java and class path) and reads its {@code decode_tokens_per_second} and {@code prefill_ms}, then
 * generates the same in this warm process; rounds alternate so both see the same machine.
 */
public final class FreshVsWarm {
    /**
     * @param freshTokensPerSecond median decode tokens/s of a fresh process's first generation
     * @param warmTokensPerSecond median decode tokens/s of a warm process
     * @param freshLoadMillis median load_ms of the fresh processes (engine start, read, warm-up)
     * @param freshPrefillMillis median prefill_ms of a fresh process's first generation
     * @param warmPrefillMillis median prefill time of a warm process
     */
    public record Result(
            double freshTokensPerSecond,
            double warmTokensPerSecond,
            double freshLoadMillis,
            double freshPrefillMillis,
            double warmPrefillMillis,
            int rounds) {
        public String markdown(String model) {
            return String.format(
                    Locale.ROOT,
                    "| model | fresh process, decode tokens/s | warm process | fresh / warm |"
                            + " fresh load | fresh prefill | warm prefill |%n"
                            + "|---|---:|---:|---:|---:|---:|---:|%n"
                            + "| %s | %.1f | %.1f | %.0f%% | %,.0f ms | %.1f ms | %.1f ms |%n%n"
                            + "Medians of %d rounds, alternating.%n",
                    model,
                    freshTokensPerSecond,
                    warmTokensPerSecond,
                    100 * freshTokensPerSecond / warmTokensPerSecond,
                    freshLoadMillis,
                    freshPrefillMillis,
                    warmPrefillMillis,
                    rounds);
        }
    }

    private FreshVsWarm() {}

    /** Greedy, {@code tokens} new tokens after a 27-token prompt (the peers' setting). */
    public static Result run(LanguageModel model, Path dir, int tokens, int rounds)
            throws IOException {
        int[] prompt = new Random(1).ints(27, 0, model.config().vocabSize()).toArray();
        GenerationOptions options =
                GenerationOptions.greedy(tokens).toBuilder().stopAtEos(false).build();
        List<Double> fresh = new ArrayList<>();
        List<Double> load = new ArrayList<>();
        List<Double> freshPrefill = new ArrayList<>();
        List<Double> warm = new ArrayList<>();
        List<Double> warmPrefill = new ArrayList<>();
        model.generate(prompt, options); // the warm side's first call is not what it measures
        for (int r = 0; r < rounds; r++) {
            var json = JsonParser.parseString(runFresh(dir, prompt, tokens)).getAsJsonObject();
            fresh.add(json.get("decode_tokens_per_second").getAsDouble());
            load.add(json.get("load_ms").getAsDouble());
            freshPrefill.add(json.get("prefill_ms").getAsDouble());
            GenerationResult w = model.generate(prompt, options);
            warm.add(w.decodeTokensPerSecond());
            warmPrefill.add(w.prefillMillis());
        }
        return new Result(
                Stats.median(fresh),
                Stats.median(warm),
                Stats.median(load),
                Stats.median(freshPrefill),
                Stats.median(warmPrefill),
                rounds);
    }

    /** {@code tinygpt generate --json} in a new JVM; its standard output. */
    private static String runFresh(Path dir, int[] prompt, int tokens) throws IOException {
        List<String> command =
                ChildJvm.command(
                        List.of("-Dai.djl.offline=true"),
                        "dev.tinygpt.cli.Main",
                        "generate",
                        "--model",
                        dir.toString(),
                        "--prompt-ids",
                        Arrays.stream(prompt)
                                .mapToObj(Integer::toString)
                                .collect(Collectors.joining(",")),
                        "--max-new-tokens",
                        Integer.toString(tokens),
                        "--json");
        Process process =
                new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String out =
                    new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IOException("the fresh tinygpt generate failed: " + out);
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            process.destroyForcibly();
        }
    }
}
