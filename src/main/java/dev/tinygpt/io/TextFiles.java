package dev.tinygpt.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Reads the text files tinygpt takes in — {@code config.json}, shard indexes, tokenizer files,
 * corpora, prompt files — with every failure an {@link IllegalArgumentException} of one line that
 * names the file: missing, a directory, larger than its limit (checked before anything is read),
 * not valid UTF-8 (with the byte offset and line of the first bad byte), or, for JSON, not valid
 * JSON. Bad bytes are an error, never silently replaced.
 */
public final class TextFiles {
    /**
     * The limit for small JSON files: {@code config.json}, shard indexes, trainer state, our own
     * vocabularies (real ones are kilobytes).
     */
    public static final long MAX_CONFIG_BYTES = 16L << 20;

    /**
     * The limit for vocabularies: {@code tokenizer.json}, {@code vocab.json}, {@code merges.txt}
     * (GPT-2's {@code tokenizer.json} is 1.5 MB: room for vocabularies ~80 times larger).
     */
    public static final long MAX_VOCABULARY_BYTES = 128L << 20;

    /** The limit for corpora and prompt files, read whole into a Java string. */
    public static final long MAX_TEXT_BYTES = 1L << 30;

    private TextFiles() {}

    /**
     * A metadata file: it must be a regular file (a FIFO would block the reader forever) of at most
     * {@code maxBytes} ({@link #MAX_CONFIG_BYTES}, {@link #MAX_VOCABULARY_BYTES}), in UTF-8.
     */
    public static String readMetadata(Path file, long maxBytes) throws IOException {
        return text(readMetadataBytes(file, maxBytes), file);
    }

    /** A metadata file's bytes, checked as {@link #readMetadata} checks them, not yet decoded. */
    public static byte[] readMetadataBytes(Path file, long maxBytes) throws IOException {
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": not a regular file");
        }
        return readBytes(file, maxBytes);
    }

    /**
     * A text file of at most {@code maxBytes} in UTF-8; it may be a pipe ({@code --prompt-file
     * <(…)}), which is read up to the limit. A byte order mark at the start (Windows editors write
     * one) is dropped: it is not part of the text.
     */
    public static String readUtf8(Path file, long maxBytes) throws IOException {
        return text(readBytes(file, maxBytes), file);
    }

    /** The bytes of a file read by {@link #readUtf8} (its checks, before decoding). */
    private static byte[] readBytes(Path file, long maxBytes) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(file + ": is a directory, not a file");
        }
        if (Files.isRegularFile(file) && Files.size(file) > maxBytes) {
            throw tooLarge(file, maxBytes);
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(Math.toIntExact(Math.min(maxBytes + 1, Integer.MAX_VALUE - 8)));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("file not found: " + file, e);
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException(file + ": permission denied", e);
        }
        if (bytes.length > maxBytes) {
            throw tooLarge(file, maxBytes);
        }
        return bytes;
    }

    /** The text of {@code file}'s bytes: strict UTF-8, a byte order mark dropped. */
    public static String text(byte[] bytes, Path file) {
        return withoutByteOrderMark(decodeUtf8(bytes, file.toString()));
    }

    /** All of standard input, at most {@code maxBytes}, in UTF-8, as {@link #readUtf8}. */
    public static String readStdin(long maxBytes) throws IOException {
        byte[] bytes =
                System.in.readNBytes(
                        Math.toIntExact(Math.min(maxBytes + 1, Integer.MAX_VALUE - 8)));
        if (bytes.length > maxBytes) {
            throw new IllegalArgumentException(
                    "standard input is larger than " + maxBytes + " bytes");
        }
        return withoutByteOrderMark(decodeUtf8(bytes, "standard input"));
    }

    private static String withoutByteOrderMark(String text) {
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /**
     * Decodes UTF-8 strictly.
     *
     * @param source names the bytes in the error
     * @throws IllegalArgumentException at the first malformed byte, with its offset and line
     */
    public static String decodeUtf8(byte[] bytes, String source) {
        CharsetDecoder decoder =
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length); // UTF-16 needs ≤ 1 char per byte
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int at = in.position();
            int line = 1;
            for (int i = 0; i < at; i++) {
                line += bytes[i] == '\n' ? 1 : 0;
            }
            throw new IllegalArgumentException(
                    String.format(
                            "%s is not valid UTF-8: bad byte 0x%02X at offset %d (line %d)",
                            source, bytes[at] & 0xFF, at, line));
        }
        return out.flip().toString();
    }

    /** A metadata file's JSON, as {@link #readJson(Path, long, Function)}. */
    public static JsonElement readJson(Path file, long maxBytes) throws IOException {
        return readJson(file, maxBytes, json -> json);
    }

    /**
     * A metadata file of at most {@code maxBytes} parsed as JSON (lenient, as Python's {@code json}
     * writes NaN) and handed to {@code parse}; every one-line error ({@link
     * IllegalArgumentException}, or {@link IllegalStateException} from Gson) comes out prefixed
     * with the file.
     */
    public static <T> T readJson(Path file, long maxBytes, Function<JsonElement, T> parse)
            throws IOException {
        return parseJson(file, readMetadataBytes(file, maxBytes), parse);
    }

    /**
     * The bytes of {@code file}, already read, parsed as {@link #readJson(Path, long, Function)}.
     */
    public static <T> T parseJson(Path file, byte[] bytes, Function<JsonElement, T> parse) {
        String text = text(bytes, file);
        try {
            return parse.apply(parseJson(text));
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses JSON text.
     *
     * @throws IllegalArgumentException "not valid JSON: …" in one line
     */
    public static JsonElement parseJson(String text) {
        try {
            return JsonParser.parseString(text);
        } catch (JsonParseException | StackOverflowError e) {
            if (e.getCause() instanceof OutOfMemoryError) {
                // Gson turns running out of memory into a parse error; say what happened.
                throw new IllegalArgumentException(
                        "too large to parse in this JVM's memory (" + text.length() + " chars)", e);
            }
            throw new IllegalArgumentException("not valid JSON: " + jsonProblem(e), e);
        }
    }

    /** Gson's message without its exception class name and its second, troubleshooting line. */
    public static String jsonProblem(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.toString() : root.getMessage();
        return message.lines().findFirst().orElse("").strip();
    }

    private static IllegalArgumentException tooLarge(Path file, long limit) {
        return new IllegalArgumentException(
                String.format(
                        "%s: larger than the %,d bytes tinygpt reads of such a file", file, limit));
    }
}
