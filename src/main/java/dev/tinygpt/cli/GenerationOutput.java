package dev.tinygpt.cli;

import com.google.gson.JsonArray;
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

    /** The text of each sequence, with a header line per sequence when there are several. */
    static void print(PrintStream out, BatchResult result, Tokenizer tokenizer) {
        List<SequenceResult> sequences = result.sequences();
        for (int i = 0; i < sequences.size(); i++) {
            SequenceResult s = sequences.get(i);
            if (sequences.size() > 1) {
                out.printf(
                        Locale.ROOT,
                        "--- sequence %d (prompt %d, %s%s)%n",
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
            JsonObject sequence = new JsonObject();
            sequence.addProperty("prompt_index", s.promptIndex());
            JsonArray ids = new JsonArray();
            Arrays.stream(s.tokens()).forEach(ids::add);
            sequence.add("ids", ids);
            sequence.add(
                    "text",
                    tokenizer == null
                            ? JsonNull.INSTANCE
                            : new JsonPrimitive(tokenizer.decode(s.tokens())));
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
