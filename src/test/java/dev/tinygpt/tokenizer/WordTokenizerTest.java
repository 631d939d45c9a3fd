package dev.tinygpt.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinygpt.io.ModelDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WordTokenizerTest {
    private final WordTokenizer tokenizer = WordTokenizer.exercise();

    @Test
    void exerciseVocabularyHas20UniqueWords() {
        assertEquals(20, tokenizer.vocabSize());
        assertEquals(20, Set.copyOf(WordTokenizer.EXERCISE_WORDS).size());
    }

    @Test
    void encodesAndDecodes() {
        assertArrayEquals(
                new int[] {0, 2, 5, 8, 0, 10, 19}, tokenizer.encode("the cat sat on the mat ."));
        assertArrayEquals(new int[] {0, 2}, tokenizer.encode("  the \t cat\n"));
        assertArrayEquals(new int[0], tokenizer.encode("   "));
        assertEquals(
                "the cat sat on the mat .",
                tokenizer.decode(tokenizer.encode("the cat sat on the mat .")));
    }

    @Test
    void unknownWordsAndIdsAreNamed() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> tokenizer.encode("the cow"));
        assertTrue(
                e.getMessage()
                        .startsWith("unknown word 'cow' (word 2); the vocabulary is: the a cat"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(new int[] {3, 20}));
        assertEquals("token id 20 is out of range: the vocabulary has ids 0..19", e.getMessage());
    }

    @Test
    void rejectsBadVocabularies() {
        assertThrows(IllegalArgumentException.class, () -> new WordTokenizer(List.of()));
        assertThrows(IllegalArgumentException.class, () -> new WordTokenizer(List.of("a", "a")));
        assertThrows(IllegalArgumentException.class, () -> new WordTokenizer(List.of("a b")));
    }

    @Test
    void savesAndLoadsFromAModelDirectory(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(VocabularyJson.FILE_NAME), VocabularyJson.toJson(tokenizer));
        WordTokenizer loaded = (WordTokenizer) ModelDirectory.readTokenizer(dir).orElseThrow();
        assertEquals(tokenizer.words(), loaded.words());
        Files.writeString(dir.resolve(VocabularyJson.FILE_NAME), "{\"type\":\"bpe9\"}");
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> ModelDirectory.readTokenizer(dir));
        assertTrue(e.getMessage().contains("unknown tokenizer type 'bpe9'"), e.getMessage());
        Files.delete(dir.resolve(VocabularyJson.FILE_NAME));
        assertTrue(ModelDirectory.readTokenizer(dir).isEmpty());
    }
}
