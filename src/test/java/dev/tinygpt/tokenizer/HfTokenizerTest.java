package dev.tinygpt.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A GPT-2-style {@code tokenizer.json} (built here from the test vocabulary of {@link
 * Gpt2BpeTokenizerTest}) runs through DJL's binding of the Rust tokenizers library and agrees with
 * the plain-Java BPE over the same vocabulary; a model directory picks its tokenizer by its files.
 */
class HfTokenizerTest {
    @TempDir Path dir;

    static void writeTokenizerJson(
            Path file, Map<String, Integer> vocab, List<String> merges, boolean arrayMerges)
            throws Exception {
        JsonObject model = new JsonObject();
        model.addProperty("type", "BPE");
        JsonObject v = new JsonObject();
        vocab.forEach(v::addProperty);
        model.add("vocab", v);
        JsonArray m = new JsonArray();
        for (String line : merges) {
            if (line.isBlank() || line.startsWith("#version")) {
                continue; // merges.txt's header is not a merge
            }
            if (arrayMerges) {
                JsonArray pair = new JsonArray();
                for (String part : line.split(" ")) {
                    pair.add(part);
                }
                m.add(pair);
            } else {
                m.add(line);
            }
        }
        model.add("merges", m);
        JsonObject byteLevel = new JsonObject();
        byteLevel.addProperty("type", "ByteLevel");
        byteLevel.addProperty("add_prefix_space", false);
        byteLevel.addProperty("trim_offsets", true);
        byteLevel.addProperty("use_regex", true);
        JsonObject root = new JsonObject();
        root.addProperty("version", "1.0");
        JsonArray added = new JsonArray();
        JsonObject eos = new JsonObject();
        eos.addProperty("id", vocab.get(Gpt2BpeTokenizer.END_OF_TEXT));
        eos.addProperty("content", Gpt2BpeTokenizer.END_OF_TEXT);
        eos.addProperty("single_word", false);
        eos.addProperty("lstrip", false);
        eos.addProperty("rstrip", false);
        eos.addProperty("normalized", true);
        eos.addProperty("special", true);
        added.add(eos);
        root.add("added_tokens", added);
        root.add("pre_tokenizer", byteLevel);
        root.add("decoder", byteLevel);
        root.add("model", model);
        Files.writeString(file, root.toString(), StandardCharsets.UTF_8);
    }

    @Test
    void rustTokenizerAgreesWithThePlainJavaBpe() throws Exception {
        Map<String, Integer> vocab = TokenizerFixtures.vocabWithEos();
        List<String> merges = Gpt2BpeTokenizerTest.MERGES;
        for (boolean arrays : new boolean[] {false, true}) {
            Path file = dir.resolve("tokenizer-" + arrays + ".json");
            writeTokenizerJson(file, vocab, merges, arrays);
            Gpt2BpeTokenizer java = Gpt2BpeTokenizer.of(vocab, merges);
            try (HfTokenizer hf = HfTokenizer.load(file)) {
                assertEquals(java.vocabSize(), hf.vocabSize());
                assertEquals(vocab.get(Gpt2BpeTokenizer.END_OF_TEXT), hf.eosTokenId());
                for (String text : Gpt2BpeTokenizerTest.TRICKY) {
                    int[] ids = hf.encode(text);
                    assertArrayEquals(java.encode(text), ids, text);
                    assertEquals(text, hf.decode(ids), "round trip of " + text);
                    assertArrayEquals(java.decodeBytes(ids), hf.decodeBytes(ids));
                }
                // No truncation: a long text keeps every token (DJL's default would cut at 512).
                String longText = "the cat sat on the mat. ".repeat(400);
                assertEquals(java.encode(longText).length, hf.encode(longText).length);
                assertThrows(
                        IllegalArgumentException.class, () -> hf.decode(new int[] {vocab.size()}));
            }
        }
    }

    @Test
    void aModelDirectoryPicksItsTokenizerByItsFiles() throws Exception {
        Map<String, Integer> vocab = TokenizerFixtures.vocabWithEos();
        assertTrue(TokenizerFiles.load(dir).isEmpty());

        Files.writeString(dir.resolve("vocab.json"), new com.google.gson.Gson().toJson(vocab));
        Files.writeString(
                dir.resolve("merges.txt"), String.join("\n", Gpt2BpeTokenizerTest.MERGES) + "\n");
        try (Tokenizer t = TokenizerFiles.load(dir).orElseThrow()) {
            assertInstanceOf(Gpt2BpeTokenizer.class, t);
        }
        writeTokenizerJson(dir.resolve("tokenizer.json"), vocab, Gpt2BpeTokenizerTest.MERGES, true);
        try (Tokenizer t = TokenizerFiles.load(dir).orElseThrow()) {
            assertInstanceOf(HfTokenizer.class, t);
        }
        Files.writeString(
                dir.resolve(TokenizerFiles.FILE_NAME),
                TokenizerFiles.toJson(WordTokenizer.exercise()));
        try (Tokenizer t = TokenizerFiles.load(dir).orElseThrow()) {
            assertInstanceOf(WordTokenizer.class, t);
        }
    }

    @Test
    void notByteLevelBpeIsRefusedWithTheFileNamed() throws Exception {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {}}}");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> HfTokenizer.load(file));
        assertTrue(e.getMessage().startsWith(file + ": not a BPE tokenizer"), e.getMessage());
        Files.writeString(file, "{not json");
        e = assertThrows(IllegalArgumentException.class, () -> HfTokenizer.load(file));
        assertTrue(e.getMessage().startsWith(file + ": not valid JSON"), e.getMessage());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> HfTokenizer.load(dir.resolve("none.json")));
        assertTrue(e.getMessage().contains("missing tokenizer file"), e.getMessage());
    }
}
