package dev.tinygpt.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.tinygpt.engine.IntraOpThreads;
import dev.tinygpt.generation.BatchResult;
import dev.tinygpt.generation.SequenceResult;
import dev.tinygpt.tokenizer.Tokenizer;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** How {@code generate} prints a result: text and a stats line, or the documented JSON. */
final class GenerationOutput {
    private GenerationOutput() {}

    /**
     * The text of each sequence on {@code out}; when there are several, a header line before each
     * on the status stream.
     */
    static void print(PrintStream out, Status status, BatchResult result, Tokenizer tokenizer) {
        List<SequenceResult> sequences = result.sequences();
        for (int i = 0; i < sequences.size(); i++) {
            SequenceResult s = sequences.get(i);
            if (sequences.size() > 1) {
                status.line(
                        "--- sequence %d (prompt %d, %s%s)",
                        i,
                        s.promptIndex(),
                        s.finishReason().jsonName(),
                        Double.isNaN(s.score())
                                ? ""
                                : String.format(Locale.ROOT, ", score %.4f", s.score()));
            }
            out.println(
                    tokenizer != null ? tokenizer.decode(s.tokens()) : Arrays.toString(s.tokens()));
        }
    }

    private static JsonArray ids(int[] tokens) {
        JsonArray ids = new JsonArray();
        Arrays.stream(tokens).forEach(ids::add);
        return ids;
    }

    /**
     * The text of {@code tokens} (null without a tokenizer). The completion is decoded on its own,
     * as Hugging Face decodes generated ids: a character split between the last prompt token and
     * the first generated one shows as a replacement character in both.
     */
    private static JsonElement text(Tokenizer tokenizer, int[] tokens) {
        return tokenizer == null ? JsonNull.INSTANCE : new JsonPrimitive(tokenizer.decode(tokens));
    }

    /**
     * One line: counts, finish reason, prefill time, decode speed, total time, cache, load time.
     */
    static String stats(BatchResult r, boolean cache, double loadMillis) {
        int promptTokens = r.promptTokens();
        String finish =
                r.sequences().size() == 1
                        ? " (" + r.sequences().get(0).finishReason().jsonName() + ")"
                        : " in " + r.sequences().size() + " sequences";
        return String.format(
                Locale.ROOT,
                "prompt %d tokens, generated %d%s | prefill %.2f ms | decode %s | total %.1f ms"
                        + " | KV cache %s | model loaded in %.0f ms",
                promptTokens,
                r.generatedTokens(),
                finish,
                r.prefillMillis(),
                Double.isNaN(r.decodeTokensPerSecond())
                        ? "n/a"
                        : String.format(Locale.ROOT, "%,.1f tokens/s", r.decodeTokensPerSecond()),
                r.totalMillis(),
                cache ? "on" : "off",
                loadMillis);
    }

    /**
     * The documented JSON shape: one entry per returned sequence plus the run's numbers, the
     * model's load (with its warm-up) and the whole process so far included.
     */
    static JsonObject toJson(BatchResult r, Tokenizer tokenizer, double loadMillis) {
        JsonArray sequences = new JsonArray();
        for (SequenceResult s : r.sequences()) {
            int[] prompt = Arrays.copyOf(s.tokens(), s.promptTokens());
            int[] completion = Arrays.copyOfRange(s.tokens(), s.promptTokens(), s.tokens().length);
            JsonObject sequence = new JsonObject();
            sequence.addProperty("prompt_index", s.promptIndex());
            sequence.add("prompt_ids", ids(prompt));
            sequence.add("completion_ids", ids(completion));
            sequence.add("prompt_text", text(tokenizer, prompt));
            sequence.add("completion_text", text(tokenizer, completion));
            sequence.addProperty("prompt_tokens", prompt.length);
            sequence.addProperty("completion_tokens", completion.length);
            sequence.addProperty("finish_reason", s.finishReason().jsonName());
            if (!Double.isNaN(s.score())) {
                sequence.addProperty("score", s.score());
            }
            sequences.add(sequence);
        }
        JsonObject o = new JsonObject();
        o.add("sequences", sequences);
        o.addProperty("prompt_tokens", r.promptTokens());
        o.addProperty("generated_tokens", r.generatedTokens());
        o.addProperty("prefill_ms", r.prefillMillis());
        double rate = r.decodeTokensPerSecond();
        o.add(
                "decode_tokens_per_second",
                Double.isNaN(rate) ? JsonNull.INSTANCE : new JsonPrimitive(rate));
        o.addProperty("total_ms", r.totalMillis());
        o.addProperty("load_ms", loadMillis);
        o.addProperty(
                "process_ms",
                System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime());
        o.addProperty("intra_op_threads", IntraOpThreads.describe());
        return o;
    }
}
