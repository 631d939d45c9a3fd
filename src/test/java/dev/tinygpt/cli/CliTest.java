package dev.tinygpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tinygpt.CliRunner;
import dev.tinygpt.CliRunner.Run;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.tokenizer.WordTokenizer;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    @TempDir static Path models;
    static Path exercise;

    @BeforeAll
    static void makeModel() throws Exception {
        exercise = models.resolve("exercise");
        try (LanguageModel lm =
                LanguageModel.create(GptConfig.exercise(), 1234, WordTokenizer.exercise())) {
            lm.save(exercise);
        }
    }

    static Run run(String... args) {
        return CliRunner.run(args);
    }

    @Test
    void generateJsonHasTheDocumentedShape() {
        Run r =
                run(
                        "generate",
                        "--model",
                        exercise.toString(),
                        "--prompt",
                        "the cat sat on",
                        "--max-new-tokens",
                        "10",
                        "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        JsonObject seq = o.getAsJsonArray("sequences").get(0).getAsJsonObject();
        assertEquals(4, seq.getAsJsonArray("prompt_ids").size());
        assertEquals(0, seq.getAsJsonArray("prompt_ids").get(0).getAsInt()); // "the"
        assertEquals(10, seq.getAsJsonArray("completion_ids").size());
        assertEquals("the cat sat on", seq.get("prompt_text").getAsString());
        assertEquals(10, seq.get("completion_text").getAsString().split(" ").length);
        assertEquals(4, seq.get("prompt_tokens").getAsInt());
        assertEquals(10, seq.get("completion_tokens").getAsInt());
        assertEquals("length", seq.get("finish_reason").getAsString());
        assertEquals(4, o.get("prompt_tokens").getAsInt());
        assertEquals(10, o.get("generated_tokens").getAsInt());
        assertTrue(o.get("prefill_ms").getAsDouble() > 0);
        assertTrue(o.get("decode_tokens_per_second").getAsDouble() > 0);
        double total = o.get("total_ms").getAsDouble();
        double load = o.get("load_ms").getAsDouble();
        assertTrue(total >= o.get("prefill_ms").getAsDouble(), o.toString());
        assertTrue(load > 0 && o.get("process_ms").getAsDouble() >= load + total, o.toString());
        assertTrue(o.get("intra_op_threads").getAsString().contains("1 per step"), o.toString());
    }

    @Test
    void generateWithAndWithoutCacheAgreeAndStopPolicyReportsContextFull() {
        Run cached =
                run(
                        "generate",
                        "--model",
                        exercise.toString(),
                        "--prompt-ids",
                        "1,2,3",
                        "--max-new-tokens",
                        "60",
                        "--json");
        Run uncached =
                run(
                        "generate",
                        "--model",
                        exercise.toString(),
                        "--prompt-ids",
                        "1, 2, 3",
                        "--max-new-tokens",
                        "60",
                        "--json",
                        "--no-kv-cache");
        assertEquals(ids(cached), ids(uncached));
        Run stop =
                run(
                        "generate",
                        "--model",
                        exercise.toString(),
                        "--prompt-ids",
                        "1,2,3",
                        "--max-new-tokens",
                        "60",
                        "--json",
                        "--context-policy",
                        "stop");
        JsonObject seq =
                JsonParser.parseString(stop.out())
                        .getAsJsonObject()
                        .getAsJsonArray("sequences")
                        .get(0)
                        .getAsJsonObject();
        assertEquals("context_full", seq.get("finish_reason").getAsString());
        // 32 positions fed, one more predicted
        assertEquals(
                33,
                seq.getAsJsonArray("prompt_ids").size()
                        + seq.getAsJsonArray("completion_ids").size());
    }

    @Test
    void generateTextModePrintsTextThenTimings() {
        Run r =
                run(
                        "generate",
                        "--model",
                        exercise.toString(),
                        "--prompt",
                        "the dog",
                        "--max-new-tokens",
                        "5");
        assertEquals(0, r.code(), r.err());
        // Only the text on standard output, the timings on standard error.
        assertEquals(1, r.out().lines().count(), r.out());
        assertTrue(r.out().startsWith("the dog "), r.out());
        assertTrue(
                r.err()
                        .strip()
                        .matches(
                                "prompt 2 tokens, generated 5 \\(length\\) \\| prefill .* ms \\| decode .* tokens/s \\| total .* ms \\| KV cache on \\| model loaded in \\d+ ms"),
                r.err());
        Run quiet =
                run(
                        "generate",
                        "--model",
                        exercise.toString(),
                        "--prompt",
                        "the dog",
                        "--max-new-tokens",
                        "5",
                        "--quiet");
        assertEquals(r.out(), quiet.out());
        assertEquals("", quiet.err());
    }

    @Test
    void summaryPrintsTheTable() {
        Run r = run("summary", "--model", exercise.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.out().contains("Total parameters                                  105,152"),
                r.out());
        Run preset = run("summary", "--preset", "gpt2-small");
        assertTrue(preset.out().contains("124,439,808"), preset.out());
    }

    @Test
    void demoGenerates50TokensBothWaysAndTimesThem() {
        Run r = run("demo", "--model", exercise.toString(), "--runs", "3", "--warmup", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Total parameters"), r.out());
        assertTrue(r.out().contains("Identical: yes"), r.out());
        assertTrue(r.out().contains("speed-up:"), r.out());
        String withCache =
                r.out()
                        .lines()
                        .filter(l -> l.startsWith("With KV cache:"))
                        .findFirst()
                        .orElseThrow();
        assertEquals(50, withCache.substring("With KV cache:".length()).strip().split(" ").length);
    }

    @Test
    void badInputIsOneLineAndExitCode2() {
        assertBad(
                run("generate", "--model", exercise.toString(), "--prompt-ids", "1,99"),
                "token id 99 at index 1 is out of range");
        assertBad(
                run("generate", "--model", exercise.toString(), "--prompt-ids", "-1"),
                "token id -1 at index 0 is out of range");
        assertBad(
                run("generate", "--model", exercise.toString(), "--prompt", "   "), "empty prompt");
        assertBad(
                run("generate", "--model", exercise.toString(), "--prompt", "the unicorn"),
                "unknown word 'unicorn'");
        assertBad(
                run("generate", "--model", exercise.toString(), "--prompt-ids", "1,x"),
                "bad --prompt-ids value 'x'");
        assertBad(
                run("generate", "--model", models.resolve("nope").toString(), "--prompt-ids", "1"),
                "model directory not found");
        assertBad(
                run(
                        "generate",
                        "--model",
                        exercise.toString(),
                        "--prompt-ids",
                        "1",
                        "--max-new-tokens",
                        "-3"),
                "--max-new-tokens must be 0 or more");
        assertBad(
                run(
                        "generate",
                        "--model",
                        exercise.toString(),
                        "--prompt-ids",
                        "1",
                        "--context-policy",
                        "wrap"),
                "bad --context-policy 'wrap'");
        assertBad(
                run(
                        "generate",
                        "--model",
                        exercise.toString(),
                        "--prompt-ids",
                        "1",
                        "--temprature",
                        "2"),
                "Unknown options: '--temprature'");
        assertBad(run("generate", "--model", exercise.toString()), "Missing required argument");
        assertBad(
                run(
                        "generate",
                        "--model",
                        exercise.toString(),
                        "--prompt-ids",
                        "1",
                        "--max-new-tokens",
                        "lots"),
                "'lots' is not an int");
        assertBad(run("summary", "--preset", "gpt5"), "unknown preset 'gpt5'");
        assertBad(run("frobnicate"), "Unmatched argument");
    }

    @Test
    void initAndConvertRefuseAFullDirectoryAndReplaceItWithForce() throws Exception {
        Path out = models.resolve("reused");
        java.nio.file.Files.createDirectories(out.resolve("checkpoint"));
        java.nio.file.Files.writeString(out.resolve("training.json"), "{}");
        assertBad(
                run("init", "--preset", "exercise", "--out", out.toString()),
                "--out " + out + " is not empty; give --force");
        assertTrue(java.nio.file.Files.exists(out.resolve("training.json")));

        Run r = run("init", "--preset", "exercise", "--out", out.toString(), "--force");
        assertEquals(0, r.code(), r.err());
        assertFalse(java.nio.file.Files.exists(out.resolve("training.json")));
        assertFalse(java.nio.file.Files.exists(out.resolve("checkpoint")));
        assertTrue(java.nio.file.Files.exists(out.resolve("config.json")));

        assertBad(
                run("convert", "--model", exercise.toString(), "--out", out.toString()),
                "is not empty; give --force");
        r =
                run(
                        "convert",
                        "--model",
                        exercise.toString(),
                        "--out",
                        out.toString(),
                        "--dtype",
                        "f16",
                        "--force");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("(f16)"), r.out());
    }

    private static void assertBad(Run r, String message) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("tinygpt: "), r.err());
        assertTrue(r.err().contains(message), r.err());
    }

    private static String ids(Run r) {
        return JsonParser.parseString(r.out())
                .getAsJsonObject()
                .getAsJsonArray("sequences")
                .get(0)
                .getAsJsonObject()
                .getAsJsonArray("completion_ids")
                .toString();
    }
}
