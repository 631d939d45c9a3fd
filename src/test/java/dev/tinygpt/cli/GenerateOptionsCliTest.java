package dev.tinygpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.tokenizer.WordTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generation flags of issue 3: sampling, stop strings, batches, beams, streaming. */
class GenerateOptionsCliTest {
    @TempDir static Path models;
    static String exercise;

    @BeforeAll
    static void makeModel() throws Exception {
        Path dir = models.resolve("exercise");
        try (LanguageModel lm =
                LanguageModel.create(GptConfig.exercise(), 1234, WordTokenizer.exercise())) {
            lm.save(dir);
        }
        exercise = dir.toString();
    }

    private static JsonObject json(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "generate";
        all[1] = "--model";
        all[2] = exercise;
        System.arraycopy(args, 0, all, 3, args.length);
        String[] withJson = java.util.Arrays.copyOf(all, all.length + 1);
        withJson[all.length] = "--json";
        dev.tinygpt.CliRunner.Run r = CliTest.run(withJson);
        assertEquals(0, r.code(), r.err());
        return JsonParser.parseString(r.out()).getAsJsonObject();
    }

    private static JsonArray sequences(JsonObject o) {
        return o.getAsJsonArray("sequences");
    }

    @Test
    void severalPromptsAndAPromptFileRunAsOneBatch() throws Exception {
        JsonObject o =
                json("--prompt", "the cat", "--prompt", "a big red dog", "--max-new-tokens", "6");
        assertEquals(2, sequences(o).size());
        assertEquals(1, sequences(o).get(1).getAsJsonObject().get("prompt_index").getAsInt());
        assertEquals(6, o.get("prompt_tokens").getAsInt());
        assertEquals(12, o.get("generated_tokens").getAsInt());

        Path file = models.resolve("prompts.txt");
        Files.writeString(file, "the cat\n\na big red dog\nit sang\n");
        JsonObject f = json("--prompt-file", file.toString(), "--max-new-tokens", "6");
        assertEquals(3, sequences(f).size());
        assertEquals(sequences(o).get(1), sequences(f).get(1));
    }

    @Test
    void samplingIsSeededAndReproducible() {
        String[] args = {
            "--prompt",
            "the cat",
            "--temperature",
            "1.2",
            "--top-k",
            "6",
            "--top-p",
            "0.9",
            "--max-new-tokens",
            "20"
        };
        JsonObject a = json(concat(args, "--seed", "7"));
        JsonObject b = json(concat(args, "--seed", "7"));
        JsonObject c = json(concat(args, "--seed", "8"));
        assertEquals(ids(a), ids(b));
        assertNotEquals(ids(a), ids(c));
        JsonObject greedy = json("--prompt", "the cat", "--max-new-tokens", "20");
        JsonObject zero =
                json("--prompt", "the cat", "--max-new-tokens", "20", "--temperature", "0");
        assertEquals(ids(greedy), ids(zero));
        // A sampling option alone samples (at temperature 1), as a user expects.
        assertNotEquals(
                ids(greedy),
                ids(json("--prompt", "the cat", "--max-new-tokens", "20", "--top-k", "20")));
    }

    @Test
    void noRepeatNgramAndStopStrings() {
        JsonObject o =
                json(
                        "--prompt",
                        "the cat",
                        "--max-new-tokens",
                        "25",
                        "--no-repeat-ngram-size",
                        "2");
        JsonObject first = sequences(o).get(0).getAsJsonObject();
        JsonArray ids = first.getAsJsonArray("prompt_ids").deepCopy();
        ids.addAll(first.getAsJsonArray("completion_ids"));
        java.util.Set<String> bigrams = new java.util.HashSet<>();
        for (int i = 0; i + 1 < ids.size(); i++) {
            assertTrue(
                    bigrams.add(ids.get(i) + "," + ids.get(i + 1)),
                    "bigram repeated at " + i + ": " + ids);
        }
        JsonObject stopped = json("--prompt", "the cat", "--max-new-tokens", "40", "--stop", "mat");
        JsonObject seq = sequences(stopped).get(0).getAsJsonObject();
        assertEquals("stop", seq.get("finish_reason").getAsString());
        assertTrue(
                seq.get("completion_text").getAsString().endsWith("mat"),
                seq.get("completion_text").getAsString());
    }

    @Test
    void beamSearchReturnsTheBestSequencesWithScores() {
        JsonObject o =
                json(
                        "--prompt",
                        "the cat",
                        "--prompt",
                        "a dog",
                        "--max-new-tokens",
                        "8",
                        "--num-beams",
                        "3",
                        "--num-return-sequences",
                        "2",
                        "--length-penalty",
                        "1.0");
        JsonArray seqs = sequences(o);
        assertEquals(4, seqs.size());
        for (int i = 0; i < 4; i++) {
            JsonObject seq = seqs.get(i).getAsJsonObject();
            assertEquals(i / 2, seq.get("prompt_index").getAsInt());
            assertTrue(seq.has("score"), seq.toString());
        }
        assertTrue(
                seqs.get(0).getAsJsonObject().get("score").getAsDouble()
                        >= seqs.get(1).getAsJsonObject().get("score").getAsDouble());
        assertEquals(4, o.get("prompt_tokens").getAsInt()); // each prompt counted once
        bad(
                "--num-beams (30) must not exceed the vocabulary size (20)",
                "--prompt",
                "the",
                "--num-beams",
                "30");
    }

    @Test
    void streamPrintsTheSameTextAsTheBatchRun() {
        dev.tinygpt.CliRunner.Run streamed =
                CliTest.run(
                        "generate",
                        "--model",
                        exercise,
                        "--prompt",
                        "the cat",
                        "--max-new-tokens",
                        "12",
                        "--stream");
        dev.tinygpt.CliRunner.Run plain =
                CliTest.run(
                        "generate",
                        "--model",
                        exercise,
                        "--prompt",
                        "the cat",
                        "--max-new-tokens",
                        "12");
        assertEquals(0, streamed.code(), streamed.err());
        assertEquals(
                plain.out().lines().findFirst().orElseThrow(),
                streamed.out().lines().findFirst().orElseThrow());
    }

    @Test
    void badValuesAreOneLineWithExitCode2() {
        bad("temperature must be ≥ 0, got -1.0", "--prompt", "the", "--temperature", "-1");
        bad("--top-p must be in (0, 1], got 1.5", "--prompt", "the", "--top-p", "1.5");
        bad("--top-k must be ≥ 0, got -1", "--prompt", "the", "--top-k", "-1");
        bad(
                "--repetition-penalty must be > 0, got 0.0",
                "--prompt",
                "the",
                "--repetition-penalty",
                "0");
        bad(
                "--no-repeat-ngram-size must be ≥ 0",
                "--prompt",
                "the",
                "--no-repeat-ngram-size",
                "-2");
        bad("--num-beams must be ≥ 1, got 0", "--prompt", "the", "--num-beams", "0");
        bad(
                "--num-return-sequences must be in [1, --num-beams = 2], got 3",
                "--prompt",
                "the",
                "--num-beams",
                "2",
                "--num-return-sequences",
                "3");
        bad(
                "bad --early-stopping 'maybe'",
                "--prompt",
                "the",
                "--num-beams",
                "2",
                "--early-stopping",
                "maybe");
        bad(
                "--length-penalty applies to beam search: give --num-beams N > 1",
                "--prompt",
                "the",
                "--length-penalty",
                "2");
        bad("--seed applies only when sampling", "--prompt", "the", "--seed", "3");
        bad(
                "--top-k 5 needs sampling, but temperature 0 decodes greedily",
                "--prompt",
                "the",
                "--top-k",
                "5",
                "--temperature",
                "0");
        bad(
                "--num-beams 3 searches deterministically; it cannot sample at temperature 0.9",
                "--prompt",
                "the",
                "--num-beams",
                "3",
                "--temperature",
                "0.9");
        bad("--stream takes a single prompt", "--prompt", "the", "--prompt", "a", "--stream");
        bad("a stop string must not be empty", "--prompt", "the", "--stop", "");
        bad("prompt file not found", "--prompt-file", models.resolve("none.txt").toString());
    }

    private static void bad(String message, String... args) {
        dev.tinygpt.CliRunner.Run r =
                CliTest.run(concat(new String[] {"generate", "--model", exercise}, args));
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(message), r.err());
    }

    private static String ids(JsonObject o) {
        return sequences(o).get(0).getAsJsonObject().getAsJsonArray("completion_ids").toString();
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
