package dev.tinygpt.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tinygpt.CliRunner;
import dev.tinygpt.CliRunner.Run;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.generation.LanguageModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tinygpt tokenize}, and {@code generate} on a byte-level BPE model, from the CLI. */
class TokenizeCliTest {
    @TempDir static Path root;
    static Path tokenizerOnly;
    static Path model;
    static Map<String, Integer> vocab;

    @BeforeAll
    static void makeDirectories() throws Exception {
        vocab = TokenizerFixtures.vocabWithEos();
        tokenizerOnly = Files.createDirectories(root.resolve("tokenizer"));
        TokenizerFixtures.writeTokenizerJson(tokenizerOnly.resolve("tokenizer.json"));

        model = root.resolve("gpt2-like");
        int eos = vocab.get(Gpt2BpeTokenizer.END_OF_TEXT);
        GptConfig config =
                GptConfig.builder()
                        .vocabSize(vocab.size())
                        .contextLength(64)
                        .layers(2)
                        .heads(2)
                        .dModel(32)
                        .mlpHidden(128)
                        .bosTokenId(eos)
                        .eosTokenId(eos)
                        .build();
        try (LanguageModel lm = LanguageModel.create(config, 3, null)) {
            lm.save(model);
        }
        Files.writeString(model.resolve("vocab.json"), new Gson().toJson(vocab));
        Files.writeString(
                model.resolve("merges.txt"), String.join("\n", Gpt2BpeTokenizerTest.MERGES) + "\n");
    }

    static Run run(String... args) {
        return CliRunner.run(args);
    }

    @Test
    void tokenizeWorksOnAFolderWithOnlyTokenizerFiles() {
        String text = "the cat's 2024 👋 <|endoftext|>";
        int[] expected = Gpt2BpeTokenizer.of(vocab, Gpt2BpeTokenizerTest.MERGES).encode(text);
        Run r = run("tokenize", "--model", tokenizerOnly.toString(), "--text", text);
        assertEquals(0, r.code(), r.err());
        String joined =
                java.util.Arrays.stream(expected)
                        .mapToObj(Integer::toString)
                        .collect(java.util.stream.Collectors.joining(","));
        assertEquals(joined, r.out().strip());
        Run json = run("tokenize", "--model", tokenizerOnly.toString(), "--text", text, "--json");
        JsonObject o = JsonParser.parseString(json.out()).getAsJsonObject();
        assertEquals(expected.length, o.get("count").getAsInt());
        assertEquals(text, o.get("text").getAsString());
    }

    @Test
    void generateOnABpeModelPrintsTextThenTimingsAndStreamsTheSameText() {
        Run r =
                run(
                        "generate",
                        "--model",
                        model.toString(),
                        "--prompt",
                        "the cat",
                        "--max-new-tokens",
                        "20",
                        "--temperature",
                        "0.8",
                        "--top-k",
                        "50",
                        "--seed",
                        "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.err()
                        .strip()
                        .matches(
                                "prompt \\d+ tokens, generated \\d+ \\((length|eos)\\) \\| prefill .* ms \\| decode .* \\| total .* ms \\| KV cache on \\| model loaded in \\d+ ms"),
                r.err());
        Run streamed =
                run(
                        "generate",
                        "--model",
                        model.toString(),
                        "--prompt",
                        "the cat",
                        "--max-new-tokens",
                        "20",
                        "--temperature",
                        "0.8",
                        "--top-k",
                        "50",
                        "--seed",
                        "3",
                        "--stream");
        assertEquals(r.out(), streamed.out()); // the same text, streamed or not
    }

    @Test
    void tokenizeReadsAFile() throws Exception {
        String text = "the cat's 2024 👋\nline two";
        Path file = Files.writeString(root.resolve("text.txt"), text);
        Run fromFile =
                run("tokenize", "--model", tokenizerOnly.toString(), "--file", file.toString());
        Run fromText = run("tokenize", "--model", tokenizerOnly.toString(), "--text", text);
        assertEquals(0, fromFile.code(), fromFile.err());
        assertEquals(fromText.out(), fromFile.out());
        Run both =
                run(
                        "tokenize",
                        "--model",
                        tokenizerOnly.toString(),
                        "--text",
                        "x",
                        "--file",
                        file.toString());
        assertEquals(2, both.code());
        assertTrue(both.err().contains("mutually exclusive"), both.err());
    }

    @Test
    void tokenizeErrors() {
        Run none =
                run("tokenize", "--model", root.resolve("nothing-here").toString(), "--text", "x");
        assertEquals(2, none.code());
        assertTrue(none.err().contains("model directory not found"), none.err());
        Run empty = run("tokenize", "--model", root.toString(), "--text", "x");
        assertEquals(2, empty.code());
        assertTrue(empty.err().contains("no tokenizer files in"), empty.err());
    }
}
