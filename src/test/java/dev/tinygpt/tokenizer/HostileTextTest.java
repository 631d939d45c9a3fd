package dev.tinygpt.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinygpt.config.GptConfig;
import dev.tinygpt.generation.ContextPolicy;
import dev.tinygpt.generation.GenerationOptions;
import dev.tinygpt.generation.GenerationResult;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.io.TextFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile text for every tokenizer — the exercise's words, characters with and without {@code
 * <unk>}, GPT-2's BPE in plain Java and through the Rust library: empty input, every control
 * character, invalid UTF-16 (what invalid UTF-8 becomes in a Java string), invalid UTF-8 bytes from
 * files, and a 1 MB prompt. Byte-level tokenizers round-trip everything valid; the others refuse
 * what they cannot express with a one-line error naming it; nothing is dropped or replaced
 * silently, and nothing takes long.
 */
class HostileTextTest {
    private static final int MEGABYTE = 1 << 20;

    @TempDir static Path dir;
    private static HfTokenizer hf;
    private static Gpt2BpeTokenizer bpe;
    private static final CharTokenizer CHARS = CharTokenizer.fromCorpus("hello world\n", false);
    private static final CharTokenizer CHARS_UNK = CharTokenizer.fromCorpus("hello world\n", true);
    private static final WordTokenizer WORDS = WordTokenizer.exercise();

    @BeforeAll
    static void load() throws Exception {
        bpe = TokenizerFixtures.bpe();
        Path file = TokenizerFixtures.writeTokenizerJson(dir.resolve("tokenizer.json"));
        hf = HfTokenizer.load(file);
    }

    @AfterAll
    static void close() {
        hf.close();
    }

    private static List<Tokenizer> all() {
        return List.of(WORDS, CHARS, CHARS_UNK, bpe, hf);
    }

    @Test
    void emptyInputIsNoTokensForEveryTokenizer() {
        for (Tokenizer t : all()) {
            assertArrayEquals(new int[0], t.encode(""), t.getClass().getSimpleName());
            assertEquals("", t.decode(new int[0]));
        }
        assertArrayEquals(new int[0], WORDS.encode(" \t\n\u2028\u3000 "), "whitespace is no word");
    }

    @Test
    void controlAndInvisibleCharacters() {
        StringBuilder sb = new StringBuilder();
        IntStream.range(0, 0x20).forEach(sb::appendCodePoint);
        IntStream.rangeClosed(0x7F, 0x9F).forEach(sb::appendCodePoint);
        sb.append("\u2028\u2029\uFEFF\u200B\u200D\u202E\uFFFE\uFFFF\uDBFF\uDFFF"); // … U+10FFFF
        String controls = sb.toString();
        // Byte-level BPE: every valid string round-trips exactly, and both implementations agree.
        assertEquals(controls, bpe.decode(bpe.encode(controls)));
        assertArrayEquals(bpe.encode(controls), hf.encode(controls));
        assertEquals(controls, hf.decode(hf.encode(controls)));
        // Characters: each unknown one is <unk> when there is one, else an error naming it.
        int[] ids = CHARS_UNK.encode("h\u0007e\u0000");
        int unk = CHARS_UNK.vocabSize() - 1;
        assertArrayEquals(
                new int[] {CHARS_UNK.encode("h")[0], unk, CHARS_UNK.encode("e")[0], unk}, ids);
        assertOneLineError(
                "unknown character '\\u0007' (U+0007) at index 1", () -> CHARS.encode("h\u0007e"));
        assertOneLineError("unknown character '\\r' (U+000D) at index 0", () -> CHARS.encode("\r"));
        // Words: a control character inside a word makes an unknown word, shown escaped.
        assertOneLineError(
                "unknown word 'c\\u0007at' (word 2)", () -> WORDS.encode("the c\u0007at"));
        assertOneLineError("unknown word '\\u202Ecat' (word 1)", () -> WORDS.encode("\u202Ecat"));
        // Every whitespace character separates words, as it does inside the vocabulary's rule.
        assertArrayEquals(new int[] {0, 2}, WORDS.encode("the\u2028cat"));
        assertArrayEquals(new int[] {0, 2}, WORDS.encode("the\u001Ccat"));
    }

    @Test
    void invalidUtf16IsRefusedByEveryTokenizer() {
        for (Tokenizer t : all()) {
            for (String text :
                    new String[] {"the \uD800cat", "\uDC00", "the\uDE00\uD83D", "x\uD83D"}) {
                IllegalArgumentException e =
                        assertThrows(IllegalArgumentException.class, () -> t.encode(text));
                assertTrue(
                        e.getMessage().startsWith("invalid text: unpaired surrogate U+D"),
                        t.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }

    @Test
    void invalidUtf8IsAnErrorWithItsOffsetNeverAReplacement() {
        byte[][] bad = {
            {'a', (byte) 0x80}, // a lone continuation byte
            {'a', 'b', (byte) 0xE2, (byte) 0x82}, // a character cut short
            {(byte) 0xC0, (byte) 0xAF}, // overlong '/'
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // a surrogate encoded in UTF-8
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
            {'x', '\n', 'y', (byte) 0xFF}, // never valid
        };
        int[] offsets = {1, 2, 0, 0, 0, 3};
        int[] lines = {1, 1, 1, 1, 1, 2};
        for (int i = 0; i < bad.length; i++) {
            byte[] bytes = bad[i];
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> TextFiles.decodeUtf8(bytes, "prompt.txt"));
            assertTrue(
                    e.getMessage().startsWith("prompt.txt is not valid UTF-8: bad byte 0x"),
                    e.getMessage());
            assertTrue(
                    e.getMessage().endsWith("at offset " + offsets[i] + " (line " + lines[i] + ")"),
                    e.getMessage());
        }
        String valid = "h\u00e9llo \u4e16\u754c \uD83D\uDE00";
        assertEquals(valid, TextFiles.decodeUtf8(valid.getBytes(StandardCharsets.UTF_8), "ok"));
    }

    @Test
    void aMegabytePromptEncodesQuicklyAndRoundTrips() {
        Random random = new Random(1);
        String words = randomText(random, WordTokenizer.EXERCISE_WORDS, " ");
        String chars =
                randomText(random, List.of("h", "e", "l", "o", " ", "w", "r", "d", "\n"), "");
        String mixed =
                randomText(
                        random,
                        List.of(
                                "the",
                                " cat",
                                "\u00e9t\u00e9",
                                " \u4e16",
                                "\uD83D\uDE00",
                                "\n\n",
                                "  ",
                                "12",
                                "<|endoftext|>",
                                "!?"),
                        "");
        String oneWord = "a".repeat(MEGABYTE); // one pre-tokenizer piece of a million letters
        String spaces = " ".repeat(MEGABYTE) + "x"; // one whitespace run
        assertTimeoutPreemptively(
                Duration.ofSeconds(60),
                () -> {
                    assertEquals(words, WORDS.decode(WORDS.encode(words)));
                    assertEquals(chars, CHARS.decode(CHARS.encode(chars)));
                    for (String text : List.of(mixed, oneWord, spaces)) {
                        int[] ids = bpe.encode(text);
                        assertEquals(text, bpe.decode(ids));
                        assertArrayEquals(ids, hf.encode(text));
                    }
                });
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> WORDS.encode(oneWord));
        assertTrue(e.getMessage().startsWith("unknown word 'aaaa"), e.getMessage());
        assertTrue(e.getMessage().contains("…' (1048576 characters) (word 1)"), e.getMessage());
        assertTrue(e.getMessage().length() < 300, "a short message: " + e.getMessage().length());
    }

    @Test
    void aMegabytePromptGeneratesFromTheEndOfItsWindow() {
        String prompt = randomText(new Random(2), WordTokenizer.EXERCISE_WORDS, " ");
        try (LanguageModel lm =
                LanguageModel.create(GptConfig.exercise(), 1, WordTokenizer.exercise())) {
            int[] ids = lm.tokenizer().orElseThrow().encode(prompt);
            assertTrue(ids.length > 200_000, "a prompt of " + ids.length + " tokens");
            GenerationResult result =
                    assertTimeoutPreemptively(
                            Duration.ofSeconds(60),
                            () -> lm.generate(ids, GenerationOptions.greedy(5)));
            assertEquals(ids.length + 5, result.tokens().length);
            assertArrayEquals(
                    ids, Arrays.copyOf(result.tokens(), ids.length), "the prompt is kept whole");
            // The same continuation as the prompt's last window alone: the model sees only it.
            int keep = 32 - 32 / 2;
            int[] window = Arrays.copyOfRange(ids, ids.length - keep, ids.length);
            GenerationResult alone = lm.generate(window, GenerationOptions.greedy(5));
            assertArrayEquals(
                    Arrays.copyOfRange(alone.tokens(), keep, keep + 5),
                    Arrays.copyOfRange(result.tokens(), ids.length, ids.length + 5));
            assertOneLineError(
                    "prompt has " + ids.length + " tokens but the context holds 32",
                    () ->
                            lm.generate(
                                    ids,
                                    GenerationOptions.greedy(5).toBuilder()
                                            .contextPolicy(ContextPolicy.STOP)
                                            .build()));
        }
    }

    /** About a megabyte of pieces drawn at random, joined by {@code separator}. */
    private static String randomText(Random random, List<String> pieces, String separator) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < MEGABYTE) {
            if (sb.length() > 0) {
                sb.append(separator);
            }
            sb.append(pieces.get(random.nextInt(pieces.size())));
        }
        return sb.toString();
    }

    private static void assertOneLineError(
            String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), () -> "message was: " + e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
}
