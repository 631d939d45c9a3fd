package dev.tinygpt.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import dev.tinygpt.io.ModelDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Reading GPT-2's vocab.json + merges.txt, and the errors that name what is wrong. */
class Gpt2BpeLoadingTest {
    @TempDir Path dir;

    private Path vocabFile;
    private Path mergesFile;

    private void write(Map<String, Integer> vocab, List<String> merges) throws IOException {
        vocabFile = dir.resolve("vocab.json");
        mergesFile = dir.resolve("merges.txt");
        Files.writeString(vocabFile, new Gson().toJson(vocab), StandardCharsets.UTF_8);
        Files.writeString(mergesFile, String.join("\n", merges) + "\n", StandardCharsets.UTF_8);
    }

    private static Map<String, Integer> vocab() {
        return new LinkedHashMap<>(Gpt2BpeTokenizerTest.VOCAB);
    }

    private static List<String> merges() {
        return new ArrayList<>(Gpt2BpeTokenizerTest.MERGES);
    }

    private static void assertFails(Executable load, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, load);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + e.getMessage() + "' lacks '" + f + "'");
        }
    }

    private void assertFileFails(String... fragments) {
        assertFails(() -> ModelDirectory.readTokenizer(dir), fragments);
    }

    @Test
    void filesEncodeAsTheInMemoryVocabulary() throws IOException {
        write(vocab(), merges());
        Gpt2BpeTokenizer fromFiles =
                (Gpt2BpeTokenizer) ModelDirectory.readTokenizer(dir).orElseThrow();
        Gpt2BpeTokenizer inMemory =
                Gpt2BpeTokenizer.of(Gpt2BpeTokenizerTest.VOCAB, Gpt2BpeTokenizerTest.MERGES);
        assertEquals(inMemory.vocabSize(), fromFiles.vocabSize());
        assertEquals(inMemory.eosTokenId(), fromFiles.eosTokenId());
        for (String s : Gpt2BpeTokenizerTest.TRICKY) {
            assertArrayEquals(inMemory.encode(s), fromFiles.encode(s), s);
        }
        assertArrayEquals(new int[] {258}, fromFiles.encode(" the"));
    }

    @Test
    void missingFilesAreNamed() throws IOException {
        write(vocab(), merges());
        Files.delete(vocabFile);
        assertFileFails("vocab.json: no such file");
        write(vocab(), merges());
        Files.delete(mergesFile);
        assertFileFails("merges.txt: no such file");
    }

    @Test
    void malformedVocabularyNamesTheFile() throws IOException {
        write(vocab(), merges());
        Files.writeString(vocabFile, "{\"a\": 0,");
        assertFileFails("vocab.json", "not valid JSON");
        Files.writeString(vocabFile, "[\"a\"]");
        assertFileFails("vocab.json", "JSON object");
        Files.writeString(vocabFile, "{\"a\": 1.5}");
        assertFileFails("vocab.json", "'a'", "not an integer");
        Files.writeString(vocabFile, "{\"a\": \"0\"}");
        assertFileFails("vocab.json", "'a'", "not an integer");
        Files.write(vocabFile, new byte[] {'{', '"', (byte) 0xFF, '"', ':', '0', '}'});
        assertFileFails("vocab.json", "UTF-8");
    }

    @Test
    void vocabularyMustBeDenseAndHoldEveryByte() throws IOException {
        Map<String, Integer> gap = vocab();
        gap.put("zz", gap.size() + 1);
        write(gap, merges());
        assertFileFails("vocab.json", "'zz'", "0.." + (gap.size() - 1));

        Map<String, Integer> shared = vocab();
        shared.put("zz", 5);
        assertFails(() -> Gpt2BpeTokenizer.of(shared, List.of()), "vocabulary", "share id 5");

        Map<String, Integer> noNewline = vocab(); // drop 'Ċ' (byte 0x0A), renumber the rest
        noNewline.remove("Ċ");
        Map<String, Integer> dense = new LinkedHashMap<>();
        noNewline.keySet().forEach(t -> dense.put(t, dense.size()));
        assertFails(() -> Gpt2BpeTokenizer.of(dense, List.of()), "'Ċ'", "byte 10", "256");
    }

    @Test
    void badMergeLinesAreNamedByNumber() throws IOException {
        // Line 1 is "#version: 0.2"; line 2 is the first merge.
        for (String bad : new String[] {"Ġt", "Ġ t h", "Ġ  t", " Ġt"}) {
            List<String> m = merges();
            m.set(2, bad);
            write(vocab(), m);
            assertFileFails("merges.txt", "line 3", "two tokens");
        }
        List<String> unknownPart = merges();
        unknownPart.add("Ġ Ω");
        write(vocab(), unknownPart);
        assertFileFails("merges.txt", "line " + unknownPart.size(), "'Ω' is not in the");

        List<String> unknownResult = merges();
        unknownResult.add("Ġ z");
        write(vocab(), unknownResult);
        assertFileFails("merges.txt", "line " + unknownResult.size(), "result 'Ġz'");

        List<String> repeated = merges();
        repeated.add("h e");
        write(vocab(), repeated);
        assertFileFails("merges.txt", "line " + repeated.size(), "repeats line 3");

        assertFails(
                () -> Gpt2BpeTokenizer.of(vocab(), List.of("a b c")), "merges: line 1", "a b c");
    }

    @Test
    void versionHeaderAndEmptyLinesAreOptional() {
        List<String> bare = merges().subList(1, merges().size());
        List<String> spaced = new ArrayList<>(bare);
        spaced.add(3, "");
        Gpt2BpeTokenizer reference = Gpt2BpeTokenizer.of(vocab(), merges());
        for (List<String> m : List.of(bare, spaced)) {
            Gpt2BpeTokenizer tok = Gpt2BpeTokenizer.of(vocab(), m);
            for (String s : Gpt2BpeTokenizerTest.TRICKY) {
                assertArrayEquals(reference.encode(s), tok.encode(s), s);
            }
        }
    }
}
