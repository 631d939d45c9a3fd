package dev.tinygpt.tokenizer;

import com.google.gson.JsonElement;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * GPT-2's byte-level BPE tokenizer, from GPT-2's {@code vocab.json} and {@code merges.txt} or from
 * a Hugging Face {@code tokenizer.json} ({@link TokenizerJson}); it encodes exactly as OpenAI's
 * encoder.py and HF's GPT2Tokenizer do:
 *
 * <ol>
 *   <li>split the text on special tokens ({@code <|endoftext|>} and any other {@code <|…|>} in the
 *       vocabulary, or a {@code tokenizer.json}'s added tokens), each becoming its own id, as HF
 *       does for added tokens (encoder.py has none);
 *   <li>cut the rest into pieces with GPT-2's regex {@link #PIECES};
 *   <li>UTF-8 encode each piece, one byte-level token per byte ({@link ByteUnicode});
 *   <li>merge adjacent tokens, lowest merge rank first, as encoder.py's {@code bpe()} does ({@link
 *       Gpt2BpeMerges}).
 * </ol>
 *
 * {@code decode(encode(s)).equals(s)} for every valid Unicode string; the only text it refuses is
 * invalid UTF-16, a lone surrogate (which Python cannot even encode), rather than encode it as the
 * {@code '?'} that {@link String#getBytes} would make of it. Immutable and thread-safe.
 */
public final class Gpt2BpeTokenizer implements Tokenizer {
    public static final String END_OF_TEXT = "<|endoftext|>";

    /**
     * GPT-2's pre-tokenizer regex (encoder.py). It ran on Python's {@code regex} module, whose
     * {@code \s} is Unicode White_Space (NBSP, U+0085, U+3000, … but not U+001C..U+001F):
     * UNICODE_CHARACTER_CLASS gives Java's {@code \s} the same set (without it, {@code \s} is ASCII
     * only). {@code \p{L}} and {@code \p{N}} follow the JVM's Unicode tables (13.0 in Java 17): the
     * 9,917 letters and digits of Unicode 14–16, which the tokenizers library (Oniguruma, Unicode
     * 16) knows, count as punctuation here. Against that library, on every one of them in 11
     * contexts, this changed GPT-2's ids only right before a contraction: in {@code "\u0870't"} the
     * {@code '} joins the letter's piece instead of starting {@code 't}.
     */
    static final Pattern PIECES =
            Pattern.compile(
                    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
                    Pattern.UNICODE_CHARACTER_CLASS);

    /** Pieces cached, and the longest piece cached, in chars: HF tokenizers' BPE cache sizes. */
    private static final int CACHE_CAPACITY = 10_000;

    private static final int CACHE_MAX_PIECE = 256;

    private final String[] tokens; // id -> vocabulary string
    private final byte[][] tokenBytes; // id -> the bytes it decodes to
    private final int[] byteIds; // byte 0..255 -> id of its one-byte token
    private final Gpt2BpeMerges merges;
    private final Map<String, Integer> specialIds;
    private final Pattern specials; // null when the vocabulary has none
    private final Map<String, int[]> cache = new ConcurrentHashMap<>(); // piece -> ids

    private Gpt2BpeTokenizer(String[] tokens, Gpt2BpeMerges merges, Predicate<String> special) {
        this.tokens = tokens;
        this.merges = merges;
        this.tokenBytes = new byte[tokens.length][];
        this.byteIds = new int[256];
        this.specialIds = new HashMap<>();
        for (int id = 0; id < tokens.length; id++) {
            String t = tokens[id];
            byte[] bytes = ByteUnicode.toBytes(t);
            // A token outside the byte alphabet decodes to its own UTF-8, as in HF's decoder.
            tokenBytes[id] = bytes != null ? bytes : t.getBytes(StandardCharsets.UTF_8);
            if (t.length() == 1 && bytes != null) {
                byteIds[bytes[0] & 0xFF] = id;
            }
            if (special.test(t)) {
                specialIds.put(t, id);
            }
        }
        // Longest first, so of two specials starting at one place the longer wins (HF's rule).
        this.specials =
                specialIds.isEmpty()
                        ? null
                        : Pattern.compile(
                                specialIds.keySet().stream()
                                        .sorted(Comparator.comparingInt(String::length).reversed())
                                        .map(Pattern::quote)
                                        .collect(Collectors.joining("|")));
    }

    /**
     * A tokenizer from a vocabulary (ids {@code 0..n-1}, holding all 256 byte-level tokens) and the
     * lines of a merges file: an optional {@code #version} first line, then one {@code "a b"} merge
     * per line, highest priority first; empty lines are skipped. Every {@code <|…|>} token is
     * special.
     *
     * @throws IllegalArgumentException naming the vocabulary entry or merge line at fault
     */
    public static Gpt2BpeTokenizer of(Map<String, Integer> vocab, List<String> mergeLines) {
        return of(vocab, "vocabulary", mergeLines, "merges", Gpt2BpeTokenizer::looksSpecial);
    }

    /**
     * GPT-2's {@code vocab.json} (a JSON object of token -> id) and the lines of its {@code
     * merges.txt}, as {@link #of(Map, List)}.
     *
     * @throws IllegalArgumentException starting with {@code vocabName} or {@code mergesName}, for
     *     the one at fault
     */
    public static Gpt2BpeTokenizer fromGpt2Files(
            JsonElement vocabJson, String vocabName, List<String> mergeLines, String mergesName) {
        Map<String, Integer> vocab = named(vocabName, () -> vocab(vocabJson));
        return of(vocab, vocabName, mergeLines, mergesName, Gpt2BpeTokenizer::looksSpecial);
    }

    /** {@link #of(Map, List)} with the given special tokens, errors prefixed with the names. */
    static Gpt2BpeTokenizer of(
            Map<String, Integer> vocab,
            String vocabName,
            List<String> mergeLines,
            String mergesName,
            Predicate<String> special) {
        String[] tokens = named(vocabName, () -> tokensById(vocab));
        Gpt2BpeMerges merges = named(mergesName, () -> Gpt2BpeMerges.parse(mergeLines, vocab));
        return new Gpt2BpeTokenizer(tokens, merges, special);
    }

    private static boolean looksSpecial(String token) {
        return token.length() > 4 && token.startsWith("<|") && token.endsWith("|>");
    }

    /** The id of {@code <|endoftext|>}, or -1 if the vocabulary has none. */
    public int eosTokenId() {
        return specialIds.getOrDefault(END_OF_TEXT, -1);
    }

    @Override
    public int vocabSize() {
        return tokens.length;
    }

    /**
     * Every valid string is bytes, and every byte has a token.
     *
     * @throws IllegalArgumentException for an unpaired surrogate ({@link
     *     Tokenizer#requireValidText})
     */
    @Override
    public int[] encode(String text) {
        Tokenizer.requireValidText(text);
        IntStream.Builder ids = IntStream.builder();
        int start = 0;
        if (specials != null) {
            Matcher m = specials.matcher(text);
            while (m.find()) {
                encodeOrdinary(text.substring(start, m.start()), ids);
                ids.add(specialIds.get(m.group()));
                start = m.end();
            }
        }
        encodeOrdinary(text.substring(start), ids);
        return ids.build().toArray();
    }

    private void encodeOrdinary(String text, IntStream.Builder ids) {
        Matcher m = PIECES.matcher(text);
        while (m.find()) {
            for (int id : bpe(m.group())) {
                ids.add(id);
            }
        }
    }

    /** The ids of one piece; the returned array may be shared through the cache: never mutate. */
    private int[] bpe(String piece) {
        int[] cached = cache.get(piece);
        if (cached != null) {
            return cached;
        }
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        int[] symbols = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            symbols[i] = byteIds[bytes[i] & 0xFF];
        }
        int[] ids = merges.apply(symbols);
        // HF's bound: stop adding when full rather than evict, and skip long pieces.
        if (piece.length() < CACHE_MAX_PIECE && cache.size() < CACHE_CAPACITY) {
            cache.putIfAbsent(piece, ids);
        }
        return ids;
    }

    /** Malformed UTF-8 (e.g. a prefix cut inside a character) decodes to U+FFFD, as HF's does. */
    @Override
    public String decode(int[] ids) {
        return new String(decodeBytes(ids), StandardCharsets.UTF_8);
    }

    /** The raw bytes of the tokens, which may end inside a multi-byte character. */
    @Override
    public byte[] decodeBytes(int[] ids) {
        int length = 0;
        for (int id : ids) {
            Tokenizer.requireId(id, tokens.length);
            length += tokenBytes[id].length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (int id : ids) {
            System.arraycopy(tokenBytes[id], 0, out, at, tokenBytes[id].length);
            at += tokenBytes[id].length;
        }
        return out;
    }

    /** How many pieces the cache holds (for tests of its bound). */
    int cachedPieces() {
        return cache.size();
    }

    // ---- loading and validation ----

    private static String[] tokensById(Map<String, Integer> vocab) {
        String[] tokens = new String[vocab.size()];
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            int id = e.getValue();
            if (id < 0 || id >= tokens.length) {
                throw new IllegalArgumentException(
                        "token '"
                                + e.getKey()
                                + "' has id "
                                + id
                                + "; the ids of "
                                + tokens.length
                                + " tokens must be 0.."
                                + (tokens.length - 1));
            }
            if (tokens[id] != null) {
                throw new IllegalArgumentException(
                        "tokens '" + tokens[id] + "' and '" + e.getKey() + "' share id " + id);
            }
            tokens[id] = e.getKey();
        }
        for (int b = 0; b < 256; b++) {
            String t = String.valueOf(ByteUnicode.toChar(b));
            if (!vocab.containsKey(t)) {
                throw new IllegalArgumentException(
                        "no token '" + t + "' for byte " + b + "; byte-level BPE needs all 256");
            }
        }
        return tokens;
    }

    private static Map<String, Integer> vocab(JsonElement root) {
        if (!root.isJsonObject()) {
            throw new IllegalArgumentException("expected a JSON object of token -> id");
        }
        Map<String, Integer> vocab = new HashMap<>();
        for (Map.Entry<String, JsonElement> e : root.getAsJsonObject().entrySet()) {
            Integer id = intOrNull(e.getValue());
            if (id == null) {
                throw new IllegalArgumentException(
                        "the id of token '" + e.getKey() + "' is not an integer: " + e.getValue());
            }
            vocab.put(e.getKey(), id);
        }
        return vocab;
    }

    /** The value as an int, or null if it is not an integer JSON number in int range. */
    static Integer intOrNull(JsonElement v) {
        if (v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) {
            return null;
        }
        try {
            return v.getAsBigDecimal().intValueExact();
        } catch (ArithmeticException | NumberFormatException e) {
            return null;
        }
    }

    /** Runs a validation step, prefixing its error with the source it read. */
    private static <T> T named(String source, Supplier<T> step) {
        try {
            return step.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }
}
