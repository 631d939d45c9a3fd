package dev.tinygpt.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import dev.tinygpt.io.ModelDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product BPE ({@link Gpt2BpeTokenizer}, as a model directory loads it) gives the ids and text
 * of the test oracle ({@link HfTokenizer}, the Rust tokenizers library): on the fixture vocabulary,
 * and on GPT-2's own ({@code models/gpt2-tokenizer}) read from {@code tokenizer.json} and from
 * {@code vocab.json} + {@code merges.txt}, over Tiny Shakespeare, every line and paragraph of the
 * project's Markdown and seeded random text of every Unicode plane.
 */
class Gpt2BpeAgreementTest {
    private static final Path GPT2 = Path.of("models/gpt2-tokenizer");

    @TempDir Path dir;

    @Test
    void fixtureAgreesWithTheRustLibrary() throws Exception {
        Map<String, Integer> vocab = TokenizerFixtures.vocabWithEos();
        for (boolean arrays : new boolean[] {false, true}) {
            Path model = Files.createDirectories(dir.resolve("arrays-" + arrays));
            Path file = model.resolve(TokenizerJson.FILE_NAME);
            TokenizerFixtures.writeTokenizerJson(file, vocab, TokenizerFixtures.merges(), arrays);
            Tokenizer java = ModelDirectory.readTokenizer(model).orElseThrow();
            try (HfTokenizer hf = HfTokenizer.load(file)) {
                assertEquals(hf.vocabSize(), java.vocabSize());
                List<String> texts = new ArrayList<>(Gpt2BpeTokenizerTest.TRICKY);
                // No truncation: a long text keeps every token (DJL's default would cut at 512).
                texts.add("the cat sat on the mat. ".repeat(400));
                assertAgree(hf, texts, java);
            }
        }
    }

    @Test
    void gpt2AgreesWithTheRustLibraryFromEitherLayout() throws Exception {
        Tokenizer fromJson = load("json", TokenizerJson.FILE_NAME);
        Tokenizer fromPair = load("pair", "vocab.json", "merges.txt");
        assertEquals(50257, fromJson.vocabSize());
        // GPT-2's ids as OpenAI's encoder.py gives them: "Hello world", <|endoftext|>.
        assertArrayEquals(
                new int[] {15496, 995, 50256}, fromJson.encode("Hello world<|endoftext|>"));
        List<String> texts = new ArrayList<>(Gpt2BpeTokenizerTest.TRICKY);
        String shakespeare = Files.readString(Path.of("data/tinyshakespeare.txt"));
        assertEquals(338_025, fromJson.encode(shakespeare).length); // as docs/FORMAT.md says
        texts.add(shakespeare);
        try (Stream<Path> files = Files.walk(Path.of("."), 2)) {
            for (Path md : files.filter(p -> p.toString().endsWith(".md")).toList()) {
                String doc = Files.readString(md);
                texts.add(doc);
                texts.addAll(List.of(doc.split("\n\n")));
                texts.addAll(doc.lines().toList());
            }
        }
        Random random = new Random(42);
        for (int i = 0; i < 2000; i++) {
            // Without the code points this JVM's Unicode leaves unassigned: see PIECES on why.
            texts.add(
                    Gpt2BpeTokenizerTest.randomText(random, 60)
                            .codePoints()
                            .filter(cp -> Character.getType(cp) != Character.UNASSIGNED)
                            .collect(
                                    StringBuilder::new,
                                    StringBuilder::appendCodePoint,
                                    StringBuilder::append)
                            .toString());
        }
        assertTrue(texts.size() > 3000, "texts: " + texts.size());
        try (HfTokenizer hf = HfTokenizer.load(GPT2.resolve(TokenizerJson.FILE_NAME))) {
            assertAgree(hf, texts, fromJson, fromPair);
        }
    }

    /** A model directory with {@code names} copied from GPT-2's tokenizer directory, loaded. */
    private Tokenizer load(String name, String... names) throws Exception {
        Path model = Files.createDirectories(dir.resolve(name));
        for (String n : names) {
            Files.copy(GPT2.resolve(n), model.resolve(n));
        }
        return assertInstanceOf(
                Gpt2BpeTokenizer.class, ModelDirectory.readTokenizer(model).orElseThrow());
    }

    private static void assertAgree(Tokenizer oracle, List<String> texts, Tokenizer... javas) {
        for (String text : texts) {
            int[] ids = oracle.encode(text);
            String decoded = oracle.decode(ids);
            for (Tokenizer java : javas) {
                assertArrayEquals(ids, java.encode(text), text);
                assertEquals(text, java.decode(ids), text);
                assertEquals(decoded, java.decode(ids), text);
            }
        }
    }

    @Test
    void aModelDirectoryPicksItsTokenizerByItsFiles() throws Exception {
        Map<String, Integer> vocab = TokenizerFixtures.vocabWithEos();
        assertTrue(ModelDirectory.readTokenizer(dir).isEmpty());

        Files.writeString(dir.resolve("vocab.json"), new Gson().toJson(vocab));
        Files.writeString(
                dir.resolve("merges.txt"), String.join("\n", TokenizerFixtures.merges()) + "\n");
        assertInstanceOf(Gpt2BpeTokenizer.class, ModelDirectory.readTokenizer(dir).orElseThrow());
        // tokenizer.json comes first: a broken one is an error naming it, never skipped.
        Files.writeString(dir.resolve(TokenizerJson.FILE_NAME), "{\"model\": {\"type\": \"BPE\"}}");
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> ModelDirectory.readTokenizer(dir));
        assertTrue(e.getMessage().startsWith(dir.resolve(TokenizerJson.FILE_NAME) + ": "));
        Files.writeString(
                dir.resolve(VocabularyJson.FILE_NAME),
                VocabularyJson.toJson(WordTokenizer.exercise()));
        assertInstanceOf(WordTokenizer.class, ModelDirectory.readTokenizer(dir).orElseThrow());
    }
}
