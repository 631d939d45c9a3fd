package dev.tinygpt.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinygpt.io.ModelDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CharTokenizerTest {
    private static final String CORPUS = "First Citizen:\nBefore we proceed, café 😀 ünd 你好.\n";

    @Test
    void roundTripsTheCorpusIncludingSupplementaryCodePoints() {
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(CORPUS, false);
        int[] ids = tokenizer.encode(CORPUS);
        assertEquals(CORPUS.codePointCount(0, CORPUS.length()), ids.length);
        assertEquals(CORPUS, tokenizer.decode(ids));
        assertEquals("😀", tokenizer.decode(tokenizer.encode("😀")));
        assertEquals(1, tokenizer.encode("😀").length);
    }

    @Test
    void vocabularyIsTheSortedUniqueCodePoints() {
        CharTokenizer tokenizer = CharTokenizer.fromCorpus("banana😀é", false);
        // a < b < n < é (U+00E9) < 😀 (U+1F600), by code point, not by UTF-16 unit
        assertEquals(List.of("a", "b", "n", "é", "😀"), tokenizer.symbols());
        assertEquals(5, tokenizer.vocabSize());
        assertEquals(Optional.empty(), tokenizer.unk());
        assertArrayEquals(new int[] {1, 0, 2, 0, 2, 0, 4, 3}, tokenizer.encode("banana😀é"));
    }

    @Test
    void unknownCharactersAreNamed() {
        CharTokenizer tokenizer = CharTokenizer.fromCorpus("abc", false);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> tokenizer.encode("abcé"));
        assertEquals(
                "unknown character 'é' (U+00E9) at index 3; the vocabulary has 3 characters",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> tokenizer.encode("a\nb"));
        assertEquals(
                "unknown character '\\n' (U+000A) at index 1; the vocabulary has 3 characters",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> tokenizer.encode("a\u0007"));
        assertEquals(
                "unknown character '\\u0007' (U+0007) at index 1; the vocabulary has 3 characters",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> tokenizer.encode("😀"));
        assertEquals(
                "unknown character '😀' (U+1F600) at index 0; the vocabulary has 3 characters",
                e.getMessage());
        // the index counts code points: each emoji is one position though two UTF-16 units
        CharTokenizer withEmoji = CharTokenizer.fromCorpus("a😀", false);
        e = assertThrows(IllegalArgumentException.class, () -> withEmoji.encode("😀😀é"));
        assertEquals(
                "unknown character 'é' (U+00E9) at index 2; the vocabulary has 2 characters",
                e.getMessage());
    }

    @Test
    void unkStandsInForUnknownCharactersAndDecodesToTheReplacementCharacter() {
        CharTokenizer tokenizer = CharTokenizer.fromCorpus("abc", true);
        assertEquals(4, tokenizer.vocabSize());
        assertEquals(Optional.of("<unk>"), tokenizer.unk());
        assertEquals(List.of("a", "b", "c"), tokenizer.symbols());
        assertArrayEquals(new int[] {0, 3, 2, 3}, tokenizer.encode("aéc😀"));
        assertEquals("a\uFFFDc\uFFFD", tokenizer.decode(new int[] {0, 3, 2, 3}));
    }

    @Test
    void outOfRangeIdsAreNamed() {
        CharTokenizer tokenizer = CharTokenizer.fromCorpus("abc", true);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(new int[] {4}));
        assertEquals("token id 4 is out of range: the vocabulary has ids 0..3", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(new int[] {-1}));
        assertEquals("token id -1 is out of range: the vocabulary has ids 0..3", e.getMessage());
    }

    @Test
    void rejectsBadVocabularies() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> CharTokenizer.fromCorpus("", false));
        assertEquals("empty corpus", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CharTokenizer(List.of(), null));
        assertThrows(
                IllegalArgumentException.class, () -> new CharTokenizer(List.of("a", "a"), null));
        assertThrows(IllegalArgumentException.class, () -> new CharTokenizer(List.of("ab"), null));
        assertThrows(IllegalArgumentException.class, () -> new CharTokenizer(List.of(""), null));
        assertThrows(IllegalArgumentException.class, () -> new CharTokenizer(List.of("a"), "a"));
    }

    @Test
    void savesAndLoadsFromAModelDirectory(@TempDir Path dir) throws Exception {
        for (boolean withUnk : new boolean[] {false, true}) {
            CharTokenizer tokenizer = CharTokenizer.fromCorpus(CORPUS, withUnk);
            Files.writeString(
                    dir.resolve(VocabularyJson.FILE_NAME), VocabularyJson.toJson(tokenizer));
            CharTokenizer loaded = (CharTokenizer) ModelDirectory.readTokenizer(dir).orElseThrow();
            assertEquals(tokenizer.symbols(), loaded.symbols());
            assertEquals(tokenizer.unk(), loaded.unk());
            assertArrayEquals(tokenizer.encode(CORPUS), loaded.encode(CORPUS));
            assertEquals(CORPUS, loaded.decode(loaded.encode(CORPUS)));
        }
    }

    @Test
    void loadsTheDocumentedShape(@TempDir Path dir) throws Exception {
        Files.writeString(
                dir.resolve(VocabularyJson.FILE_NAME),
                "{\"type\": \"char\", \"tokens\": [\"\\n\", \"a\", \"b\"], \"unk\": \"<unk>\"}");
        CharTokenizer loaded = (CharTokenizer) ModelDirectory.readTokenizer(dir).orElseThrow();
        assertEquals(List.of("\n", "a", "b"), loaded.symbols());
        assertEquals(Optional.of("<unk>"), loaded.unk());
        Files.writeString(
                dir.resolve(VocabularyJson.FILE_NAME),
                "{\"type\": \"char\", \"tokens\": [\"ab\"]}");
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> ModelDirectory.readTokenizer(dir));
        assertTrue(e.getMessage().contains("is not a single character"), e.getMessage());
    }
}
