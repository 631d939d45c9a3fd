package dev.tinygpt.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinygpt.Mutations;
import dev.tinygpt.Mutations.Mutant;
import dev.tinygpt.io.ModelDirectory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged tokenizer files — ours ({@code tinygpt-tokenizer.json}, word and char), Hugging Face's
 * {@code tokenizer.json}, GPT-2's {@code vocab.json} + {@code merges.txt} — each either loads into
 * a tokenizer that works, or is an {@link IllegalArgumentException} of one line naming the file.
 * Seeded random mutations of valid files, plus the structural cases a fuzzer finds by luck only.
 */
class HostileTokenizerFilesTest {
    private static final int CASES = 150;

    @TempDir Path root;
    private int counter;

    @Test
    void damagedWordAndCharVocabularies() throws Exception {
        String word = VocabularyJson.toJson(WordTokenizer.exercise());
        String chars = VocabularyJson.toJson(CharTokenizer.fromCorpus("hello world\n", true));
        Random random = new Random(11);
        for (String good : new String[] {word, chars}) {
            byte[] bytes = good.getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < CASES; i++) {
                Mutant m = Mutations.mutate(bytes, 0, bytes.length, random);
                Path dir = dirWith(VocabularyJson.FILE_NAME, m.bytes());
                loadsOrFailsNaming(dir, dir.resolve(VocabularyJson.FILE_NAME), m.description());
            }
        }
        String[][] cases = {
            {"{\"type\": \"word\"}", "'tokens' must be an array of strings"},
            {
                "{\"type\": \"word\", \"tokens\": [\"a\", {\"b\": 1}]}",
                "'tokens' entry 1 is not a string"
            },
            {"{\"type\": \"word\", \"tokens\": [\"a\", \"a\"]}", "appears twice"},
            {"{\"type\": \"word\", \"tokens\": [\"a b\"]}", "contains whitespace"},
            {"{\"type\": \"word\", \"tokens\": []}", "at least one word"},
            {"{\"type\": \"char\", \"tokens\": [\"ab\"]}", "is not a single character"},
            {"{\"type\": \"char\", \"tokens\": [\"a\"], \"unk\": 5}", "'unk' must be a string"},
            {"{\"type\": [1]}", "unknown tokenizer type ''"},
            {
                "{\"type\": \"sentencepiece\", \"tokens\": []}",
                "unknown tokenizer type 'sentencepiece'"
            },
            {"[]", "not a JSON object"},
            {"{\"type\":" + "[".repeat(50_000), "not valid JSON"},
        };
        for (String[] c : cases) {
            Path dir = dirWith(VocabularyJson.FILE_NAME, c[0].getBytes(StandardCharsets.UTF_8));
            assertError(dir, dir.resolve(VocabularyJson.FILE_NAME), c[1]);
        }
    }

    @Test
    void damagedHuggingFaceTokenizerJson() throws Exception {
        Path good = root.resolve("good-tokenizer.json");
        TokenizerFixtures.writeTokenizerJson(good);
        byte[] bytes = Files.readAllBytes(good);
        Random random = new Random(12);
        for (int i = 0; i < CASES; i++) {
            Mutant m = Mutations.mutate(bytes, 0, bytes.length, random);
            Path dir = dirWith(TokenizerJson.FILE_NAME, m.bytes());
            loadsOrFailsNaming(dir, dir.resolve(TokenizerJson.FILE_NAME), m.description());
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        String[][] cases = {
            {text.replace("\"vocab\":", "\"vocabulary\":"), "model.vocab must be an object"},
            {text.replace("\"merges\":", "\"mergers\":"), "model.merges must be an array"},
            {text.replace("\"merges\":[", "\"merges\":[5,"), "a merge must be"},
            {text.replace("\"merges\":[", "\"merges\":[[\"a\"],"), "a merge must be"},
            {
                text.replace("\"added_tokens\":[{", "\"added_tokens\":[{\"x\":1},{"),
                "lacks its \"content\""
            },
            {
                text.replace("\"added_tokens\":[", "\"added_tokens\":5,\"x\":["),
                "added_tokens must be an array"
            },
            {text.replace("\"id\":", "\"id\":\"x\",\"i\":"), "is not an integer"},
            {text.replace("\"type\":\"BPE\"", "\"type\":\"WordPiece\""), "not a BPE tokenizer"},
            {text.replace("ByteLevel", "Whitespace"), "not ByteLevel"},
            // What the tokenizers library would encode otherwise than GPT-2's encoder.py.
            {
                text.replace("\"version\":\"1.0\"", "\"normalizer\":{\"type\":\"NFC\"}"),
                "normalizer = {\"type\":\"NFC\"} is not supported"
            },
            {
                text.replace("\"add_prefix_space\":false", "\"add_prefix_space\":true"),
                "pre_tokenizer.add_prefix_space = true is not supported"
            },
            {
                text.replace("\"use_regex\":true", "\"use_regex\":false"),
                "pre_tokenizer.use_regex = false"
            },
            {
                text.replace("\"type\":\"BPE\"", "\"type\":\"BPE\",\"dropout\":0.1"),
                "model.dropout = 0.1 is not supported"
            },
            {
                text.replace("\"lstrip\":false", "\"lstrip\":true"),
                "added token '<|endoftext|>': lstrip = true is not supported"
            },
        };
        for (String[] c : cases) {
            Path dir = dirWith(TokenizerJson.FILE_NAME, c[0].getBytes(StandardCharsets.UTF_8));
            assertError(dir, dir.resolve(TokenizerJson.FILE_NAME), c[1]);
        }
    }

    @Test
    void damagedGpt2VocabAndMerges() throws Exception {
        com.google.gson.JsonObject vocab = new com.google.gson.JsonObject();
        TokenizerFixtures.vocabWithEos().forEach(vocab::addProperty);
        byte[] vocabBytes = vocab.toString().getBytes(StandardCharsets.UTF_8);
        byte[] mergeBytes =
                String.join("\n", Gpt2BpeTokenizerTest.MERGES).getBytes(StandardCharsets.UTF_8);
        Random random = new Random(13);
        for (int i = 0; i < CASES; i++) {
            boolean damageVocab = i % 2 == 0;
            byte[] target = damageVocab ? vocabBytes : mergeBytes;
            Mutant m = Mutations.mutate(target, 0, target.length, random);
            Path dir = dirWith("vocab.json", damageVocab ? m.bytes() : vocabBytes);
            Files.write(dir.resolve("merges.txt"), damageVocab ? mergeBytes : m.bytes());
            loadsOrFailsNaming(dir, dir, m.description());
        }
        Path onlyVocab = dirWith("vocab.json", vocabBytes);
        assertError(onlyVocab, onlyVocab.resolve("merges.txt"), "no such file");
        Path badId = dirWith("vocab.json", "{\"a\": 1.5}".getBytes(StandardCharsets.UTF_8));
        Files.write(badId.resolve("merges.txt"), mergeBytes);
        assertError(badId, badId.resolve("vocab.json"), "is not an integer");
    }

    @Test
    void aTokenizerFileThatIsNotARegularFileIsNamedNotSkipped() throws Exception {
        for (String name :
                new String[] {VocabularyJson.FILE_NAME, TokenizerJson.FILE_NAME, "vocab.json"}) {
            Path dir = Files.createDirectories(root.resolve("t" + counter++));
            Files.createDirectory(dir.resolve(name));
            assertError(dir, dir.resolve(name), "not a regular file");
        }
    }

    private Path dirWith(String name, byte[] bytes) throws Exception {
        Path dir = Files.createDirectories(root.resolve("t" + counter++));
        Files.write(dir.resolve(name), bytes);
        return dir;
    }

    private static void assertError(Path dir, Path file, String problem) {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> ModelDirectory.readTokenizer(dir));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    /** Loads and round-trips a text, or expects a one-line error naming {@code culprit}. */
    private static void loadsOrFailsNaming(Path dir, Path culprit, String what) {
        assertTimeoutPreemptively(
                Duration.ofSeconds(10),
                () -> {
                    Optional<Tokenizer> loaded;
                    try {
                        loaded = ModelDirectory.readTokenizer(dir);
                    } catch (IllegalArgumentException e) {
                        assertTrue(
                                e.getMessage().startsWith(culprit.toString()),
                                () -> what + ": " + e.getMessage());
                        assertEquals(
                                1,
                                e.getMessage().lines().count(),
                                () -> what + ": " + e.getMessage());
                        return;
                    } catch (Throwable t) {
                        throw new AssertionError(what + " in " + dir + ": " + t, t);
                    }
                    Tokenizer t = loaded.orElseThrow();
                    assertEquals("", t.decode(t.encode("")));
                    if (t.vocabSize() > 0) {
                        t.decode(new int[] {0, t.vocabSize() - 1});
                    }
                },
                () -> what + " in " + dir + " did not finish");
    }
}
