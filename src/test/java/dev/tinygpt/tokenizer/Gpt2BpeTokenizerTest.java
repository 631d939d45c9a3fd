package dev.tinygpt.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Byte-level BPE on a small vocabulary built here: the 256 byte tokens (id = byte value), the
 * merges in {@link #MERGES} (ids 256… in order) and {@code <|endoftext|>} last. Expected pieces are
 * what Python's {@code regex} module gives for GPT-2's pattern; expected tokens are written as the
 * text they stand for.
 */
class Gpt2BpeTokenizerTest {
    /** encoder.py's bytes_to_unicode, written again as the reference. */
    private static final char[] BYTE_CHARS = new char[256];

    static {
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable =
                    (b >= 0x21 && b <= 0x7E)
                            || (b >= 0xA1 && b <= 0xAC)
                            || (b >= 0xAE && b <= 0xFF);
            BYTE_CHARS[b] = printable ? (char) b : (char) (256 + n++);
        }
    }

    static final List<String> MERGES = merges();
    static final Map<String, Integer> VOCAB = vocab(MERGES);
    private static final Gpt2BpeTokenizer TOK = Gpt2BpeTokenizer.of(VOCAB, MERGES);

    private static List<String> merges() {
        List<String> m = new ArrayList<>();
        m.add("#version: 0.2");
        m.addAll(
                List.of(
                        "Ġ t", "h e", "Ġt he", "Ġ a", "Ġ b", "i n", "Ġ Ġ", "ĠĠ ĠĠ", "Ċ Ċ", "ĉ ĉ",
                        "' t", "' l", "'l l", "o n", "d on", "w e", "e '", "1 2", "12 3", "Ġ 2",
                        "! !", "y z", "x y", "a a", "aa a"));
        m.addAll(wholeWord("你好"));
        m.addAll(wholeWord("👋"));
        m.addAll(wholeWord(" بال"));
        return m;
    }

    /** Merges that join {@code word}'s bytes left to right into one token. */
    private static List<String> wholeWord(String word) {
        String s = byteLevel(word);
        List<String> lines = new ArrayList<>();
        for (int i = 1; i < s.length(); i++) {
            lines.add(s.substring(0, i) + " " + s.charAt(i));
        }
        return lines;
    }

    static Map<String, Integer> vocab(List<String> mergeLines) {
        Map<String, Integer> v = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) {
            v.put(String.valueOf(BYTE_CHARS[b]), b);
        }
        for (String line : mergeLines) {
            if (!line.startsWith("#")) {
                v.putIfAbsent(line.replace(" ", ""), v.size());
            }
        }
        v.put("<|endoftext|>", v.size());
        return v;
    }

    /** The vocabulary string of {@code text}'s UTF-8 bytes. */
    static String byteLevel(String text) {
        StringBuilder sb = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            sb.append(BYTE_CHARS[b & 0xFF]);
        }
        return sb.toString();
    }

    private static int id(String text) {
        Integer id = VOCAB.get(byteLevel(text));
        assertNotNull(id, "test vocabulary has no token for '" + text + "'");
        return id;
    }

    private static void assertTokens(String text, String... tokens) {
        assertArrayEquals(ids(tokens), TOK.encode(text), () -> "encode(\"" + text + "\")");
    }

    private static void assertPieces(String text, String... pieces) {
        List<String> actual = new ArrayList<>();
        Matcher m = Gpt2BpeTokenizer.PIECES.matcher(text);
        while (m.find()) {
            actual.add(m.group());
        }
        assertEquals(List.of(pieces), actual, () -> "pieces of \"" + text + "\"");
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(IntStream::of).toArray();
    }

    @Test
    void byteTableIsGpt2s() {
        assertEquals('Ā', ByteUnicode.toChar(0x00));
        assertEquals('Ċ', ByteUnicode.toChar('\n'));
        assertEquals('Ġ', ByteUnicode.toChar(' '));
        assertEquals('ġ', ByteUnicode.toChar(0x7F));
        assertEquals('Ń', ByteUnicode.toChar(0xAD));
        assertEquals('a', ByteUnicode.toChar('a'));
        assertEquals('ÿ', ByteUnicode.toChar(0xFF));
        for (int b = 0; b < 256; b++) {
            assertEquals(BYTE_CHARS[b], ByteUnicode.toChar(b), "byte " + b);
            assertEquals(b, ByteUnicode.toByte(BYTE_CHARS[b]), "char of byte " + b);
        }
        assertEquals(-1, ByteUnicode.toByte(' '));
        assertEquals(-1, ByteUnicode.toByte('Ņ'));
    }

    @Test
    void exactIdsFollowMergeRank() {
        assertEquals(VOCAB.size(), TOK.vocabSize());
        assertArrayEquals(new int[] {258}, TOK.encode(" the")); // Ġ t -> 256, h e -> 257, Ġt he
        assertArrayEquals(new int[] {'t', 257}, TOK.encode("the"));
        assertArrayEquals(new int[] {'T', 257}, TOK.encode("The"));
        assertTokens("xyz", "x", "yz"); // "y z" outranks "x y" though "x y" is further left
        assertTokens("xy", "xy");
    }

    @Test
    void mergesEveryOccurrenceLeftToRightBeforeLookingAgain() {
        assertTokens("aaaaa", "aa", "aaa"); // a a | a a | a, then aa a on the right
        assertTokens("aaaa", "aa", "aa");
        // "ab a" ranks above "a b": a merge queue would make [aba, b] after the first "a b";
        // encoder.py merges both "a b" first and stops at [ab, ab].
        List<String> merges = List.of("ab a", "a b");
        Map<String, Integer> vocab = vocab(List.of("a b", "ab a"));
        int ab = vocab.get("ab");
        assertArrayEquals(new int[] {ab, ab}, Gpt2BpeTokenizer.of(vocab, merges).encode("abab"));
    }

    @Test
    void leadingSpaceBelongsToTheWord() {
        assertPieces("Hello world", "Hello", " world");
        assertPieces(" Hello", " Hello");
        assertTokens(" the the", " the", " the");
        assertTokens("in the", "in", " the");
    }

    @Test
    void whitespaceRunsLeaveTheLastSpaceToTheNextWord() {
        assertPieces("a   b", "a", "  ", " b");
        assertTokens("a   b", "a", "  ", " b");
        assertPieces("a   ", "a", "   ");
        assertTokens("a   ", "a", "  ", " ");
        assertPieces("   a", "  ", " a");
        assertPieces("Hello  world", "Hello", " ", " world");
        assertPieces("\n\n", "\n\n");
        assertTokens("\n\n", "\n\n");
        assertPieces("a\n\nb", "a", "\n", "\n", "b");
        assertTokens("a\n\nb", "a", "\n", "\n", "b");
        assertPieces("a\tb", "a", "\t", "b");
        assertPieces("a\t\tb", "a", "\t", "\t", "b");
        assertTokens("a\t\tb", "a", "\t", "\t", "b");
        assertPieces("a \tb", "a", " ", "\t", "b");
        assertPieces(" \n b", " \n", " b");
        assertPieces("a  \n", "a", "  \n");
        assertPieces("\r\n", "\r\n");
    }

    @Test
    void whitespaceIsUnicodeWhiteSpaceAsInPythonRegex() {
        // Java's default \s would take NBSP for punctuation and join the two into one piece.
        assertPieces("\u00a0\u00a0a", "\u00a0", "\u00a0", "a");
        assertPieces("a\u3000\u3000b", "a", "\u3000", "\u3000", "b");
        assertPieces("x\u0085\u0085y", "x", "\u0085", "\u0085", "y");
        assertPieces("a\u2028\u2029b", "a", "\u2028", "\u2029", "b");
        // U+001C..U+001F: Python's str.isspace() and Java's Character.isWhitespace say yes,
        // Unicode White_Space and the regex module say no: punctuation.
        assertPieces("a\u001c\u001cb", "a", "\u001c\u001c", "b");
    }

    @Test
    void contractionsAreCaseSensitiveAndNeverMergeAcrossPieces() {
        assertPieces("don't", "don", "'t");
        assertTokens("don't", "don", "'t");
        assertPieces("we'll", "we", "'ll");
        assertTokens("we'll", "we", "'ll"); // the merge "e '" must not cross the piece boundary
        assertPieces("I'M", "I", "'", "M");
        assertPieces("they're", "they", "'re");
        assertPieces("you'd've", "you", "'d", "'ve");
        assertPieces("'sup", "'s", "up");
        assertPieces(" 's", " '", "s");
    }

    @Test
    void digitsStayInOneRun() {
        assertPieces("12345", "12345");
        assertTokens("12345", "123", "4", "5");
        assertPieces(" 2024", " 2024");
        assertTokens(" 2024", " 2", "0", "2", "4");
        assertPieces("3.14", "3", ".", "14");
        assertPieces("abc123", "abc", "123");
    }

    @Test
    void punctuationRuns() {
        assertPieces("Hello!!!", "Hello", "!!!");
        assertTokens("Hi!!!", "H", "i", "!!", "!");
        assertPieces("a ...?!", "a", " ...?!");
        assertPieces("(x)", "(", "x", ")");
    }

    @Test
    void emojiCjkArabicAndMarks() {
        assertPieces("👋🏽", "👋🏽");
        // U+1F3FD shares its first two bytes F0 9F with 👋, whose merge chain starts with them.
        int f09f = VOCAB.get(byteLevel("👋").substring(0, 2));
        assertArrayEquals(concat(ids("👋"), new int[] {f09f, 0x8F, 0xBD}), TOK.encode("👋🏽"));
        assertPieces("Hi 👋🏽!", "Hi", " 👋🏽!");
        assertPieces("你好世界", "你好世界");
        assertArrayEquals(concat(ids("你好"), byteIds("世界")), TOK.encode("你好世界"));
        assertPieces("مرحبا بالعالم", "مرحبا", " بالعالم");
        assertArrayEquals(
                concat(byteIds("مرحبا"), ids(" بال"), byteIds("عالم")),
                TOK.encode("مرحبا بالعالم"));
        // Combining marks are neither letters nor numbers.
        assertPieces("नमस्ते", "नमस", "्", "त", "े");
    }

    @Test
    void specialTokensInTextAreSingleIds() {
        int eos = VOCAB.get("<|endoftext|>");
        assertEquals(eos, TOK.eosTokenId());
        assertArrayEquals(new int[] {'a', eos, 'b'}, TOK.encode("a<|endoftext|>b"));
        assertArrayEquals(new int[] {eos, eos}, TOK.encode("<|endoftext|><|endoftext|>"));
        // The text on each side is tokenized alone: the space before it stays a piece of its own.
        assertArrayEquals(
                concat(ids(" the", " "), new int[] {eos}, ids(" the")),
                TOK.encode(" the <|endoftext|> the"));
        assertArrayEquals(byteIds("<|endoftext|"), TOK.encode("<|endoftext|"));
        assertArrayEquals(byteIds("<|endoftext |>"), TOK.encode("<|endoftext |>"));
    }

    @Test
    void longerSpecialTokenWinsAndNoSpecialsMeansNone() {
        Map<String, Integer> vocab = vocab(List.of());
        vocab.put("<|a|>", vocab.size());
        vocab.put("<|a|>b|>", vocab.size());
        Gpt2BpeTokenizer tok = Gpt2BpeTokenizer.of(vocab, List.of());
        assertArrayEquals(
                concat(new int[] {vocab.get("<|a|>b|>")}, new int[] {vocab.get("<|a|>")}),
                tok.encode("<|a|>b|><|a|>"));

        Map<String, Integer> plain = vocab(List.of());
        plain.remove("<|endoftext|>");
        Gpt2BpeTokenizer noSpecials = Gpt2BpeTokenizer.of(plain, List.of());
        assertEquals(-1, noSpecials.eosTokenId());
        assertArrayEquals(byteIds("<|endoftext|>"), noSpecials.encode("<|endoftext|>"));
    }

    static final List<String> TRICKY =
            List.of(
                    "",
                    " ",
                    "\n",
                    "\r\n",
                    "\u0000\u0001\u007f",
                    "Hello, world!",
                    "  leading and trailing  ",
                    "tabs\t\tand\nnew lines\n\n\n",
                    "don't we'll I'M 'sup DON'T",
                    "12345 3.14 1,000,000 ²³ ⅷ",
                    "👋🏽 👨‍👩‍👧‍👦 🇫🇷 ✔️",
                    "你好世界 こんにちは 안녕하세요",
                    "مرحبا بالعالم",
                    "नमस्ते",
                    "Ünïcödé ñ ß ẞ e\u0301",
                    "\u00a0\u2028\u2029\u3000\u0085\u200b",
                    "\u001c\u001d\u001e\u001f",
                    "<|endoftext|>",
                    "a<|endoftext|>b<|endoftext|",
                    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \uDBFF\uDFFF",
                    "\uFEFFbom \uFFFD \uFFFF",
                    "ĠĠ Ċ Ā ÿ Ń",
                    "'s's's''");

    @Test
    void decodeInvertsEncodeOnTrickyStrings() {
        for (String s : TRICKY) {
            assertEquals(s, TOK.decode(TOK.encode(s)), () -> "round trip of \"" + s + "\"");
        }
    }

    @Test
    void decodeInvertsEncodeOnRandomCodePoints() {
        Random random = new Random(1234);
        for (int n = 0; n < 3000; n++) {
            String s = randomText(random, 40);
            int[] ids = TOK.encode(s);
            assertTrue(IntStream.of(ids).allMatch(id -> id >= 0 && id < TOK.vocabSize()));
            assertEquals(
                    s, TOK.decode(ids), () -> "round trip of " + s.codePoints().boxed().toList());
        }
    }

    /** Code points of every plane but no surrogates, with spaces, "'s" and specials mixed in. */
    static String randomText(Random random, int maxLength) {
        String[] snippets = {" ", "'s", "\n", "<|endoftext|>", "  ", " the"};
        int[] planeLimits = {0x80, 0x800, 0x10000, 0x110000};
        StringBuilder sb = new StringBuilder();
        int length = random.nextInt(maxLength);
        for (int i = 0; i < length; i++) {
            if (random.nextInt(8) == 0) {
                sb.append(snippets[random.nextInt(snippets.length)]);
                continue;
            }
            int cp;
            do {
                cp = random.nextInt(planeLimits[random.nextInt(planeLimits.length)]);
            } while (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE);
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    @Test
    void loneSurrogatesAreRefusedNotReplaced() {
        for (String text : new String[] {"a\uD800b", "\uDC00", "x\uDC00\uD800", "end\uD83D"}) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> TOK.encode(text));
            assertTrue(
                    e.getMessage().startsWith("invalid text: unpaired surrogate U+D"),
                    e::getMessage);
        }
        assertEquals("😀", TOK.decode(TOK.encode("\uD83D\uDE00"))); // a pair is one character
    }

    @Test
    void decodeBytesOfAPrefixEndsMidCharacter() {
        int[] ids = TOK.encode("é👋!");
        assertArrayEquals(new int[] {0xC3, 0xA9, id("👋"), '!'}, ids);
        assertArrayEquals(new byte[] {(byte) 0xC3}, TOK.decodeBytes(new int[] {ids[0]}));
        assertEquals("\uFFFD", TOK.decode(new int[] {ids[0]}));
        byte[] all = "é👋!".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(Arrays.copyOf(all, 6), TOK.decodeBytes(Arrays.copyOf(ids, 3)));
        assertArrayEquals(new byte[0], TOK.decodeBytes(new int[0]));
        int eos = TOK.eosTokenId();
        assertArrayEquals(
                "<|endoftext|>".getBytes(StandardCharsets.UTF_8), TOK.decodeBytes(new int[] {eos}));
    }

    @Test
    void decodeRejectsIdsOutsideTheVocabulary() {
        int n = TOK.vocabSize();
        for (int bad : new int[] {-1, n, Integer.MAX_VALUE}) {
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class, () -> TOK.decode(new int[] {'a', bad}));
            assertTrue(e.getMessage().contains("token id " + bad), e.getMessage());
            assertTrue(e.getMessage().contains("0.." + (n - 1)), e.getMessage());
        }
    }

    @Test
    void cacheStaysBoundedAndAnswersStayTheSame() {
        Gpt2BpeTokenizer tok = Gpt2BpeTokenizer.of(VOCAB, MERGES);
        tok.encode(" " + "x".repeat(300)); // too long a piece to keep
        assertEquals(0, tok.cachedPieces());
        List<String> words = new ArrayList<>();
        for (int i = 0; i < 12_000; i++) {
            words.add(" the" + letters(i));
        }
        List<int[]> first = words.stream().map(tok::encode).toList();
        assertEquals(10_000, tok.cachedPieces());
        for (int i = 0; i < words.size(); i++) {
            assertArrayEquals(first.get(i), tok.encode(words.get(i)), words.get(i));
        }
        assertArrayEquals(concat(ids(" the"), byteIds("bb")), first.get(27)); // 27 = "bb"
    }

    /** {@code i} in base 26 with digits a..z, least significant first. */
    private static String letters(int i) {
        StringBuilder sb = new StringBuilder();
        do {
            sb.append((char) ('a' + i % 26));
            i /= 26;
        } while (i > 0);
        return sb.toString();
    }

    @Test
    void concurrentEncodingAgreesWithSequential() throws Exception {
        Gpt2BpeTokenizer tok = Gpt2BpeTokenizer.of(VOCAB, MERGES);
        List<String> texts = new ArrayList<>(TRICKY);
        for (int i = 0; i < 500; i++) {
            texts.add("word" + i + " the aaaa xyz " + i);
        }
        List<int[]> expected = texts.stream().map(TOK::encode).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<int[]>>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> texts.stream().map(tok::encode).toList()));
            }
            for (Future<List<int[]>> f : futures) {
                List<int[]> got = f.get();
                for (int i = 0; i < texts.size(); i++) {
                    assertArrayEquals(expected.get(i), got.get(i), texts.get(i));
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    private static int[] ids(String... tokens) {
        return Arrays.stream(tokens).mapToInt(Gpt2BpeTokenizerTest::id).toArray();
    }

    /** One byte token per UTF-8 byte: in the test vocabulary, the id of a byte is its value. */
    private static int[] byteIds(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return IntStream.range(0, bytes.length).map(i -> bytes[i] & 0xFF).toArray();
    }
}
