package dev.tinygpt.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json} run by the Rust tokenizers library through DJL's binding
 * (native library bundled in its jar; always given a local file, never a Hub id). Encoding and
 * decoding are the library's; {@link #decodeBytes} comes from a plain-Java {@link Gpt2BpeTokenizer}
 * over the same vocabulary, because the library only decodes to whole strings and streaming must
 * see the raw bytes of a character split across tokens.
 */
public final class HfTokenizer implements Tokenizer {
    public static final String FILE_NAME = "tokenizer.json";

    private final HuggingFaceTokenizer tokenizer;
    private final Gpt2BpeTokenizer bytes;
    private boolean closed;

    private HfTokenizer(HuggingFaceTokenizer tokenizer, Gpt2BpeTokenizer bytes) {
        this.tokenizer = tokenizer;
        this.bytes = bytes;
    }

    /** Loads {@code tokenizer.json}; it must be a byte-level BPE (GPT-2 family) tokenizer. */
    public static HfTokenizer load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("missing tokenizer file: " + file);
        }
        Gpt2BpeTokenizer bytes = TokenizerJson.byteLevelBpe(file);
        // No truncation, padding or added BOS/EOS: generation wants the text's ids as they are.
        Map<String, String> options =
                Map.of(
                        "addSpecialTokens", "false",
                        "truncation", "false",
                        "padding", "false",
                        "modelMaxLength", String.valueOf(Integer.MAX_VALUE));
        try {
            return new HfTokenizer(HuggingFaceTokenizer.newInstance(file, options), bytes);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    file + ": the tokenizers library refused it: " + e.getMessage(), e);
        }
    }

    @Override
    public int[] encode(String text) {
        checkOpen();
        Tokenizer.requireValidText(text); // the native library would see modified UTF-8 instead
        long[] ids = tokenizer.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        checkOpen();
        checkIds(ids);
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longs[i] = ids[i];
        }
        return tokenizer.decode(longs, false);
    }

    @Override
    public byte[] decodeBytes(int[] ids) {
        checkOpen();
        return bytes.decodeBytes(ids);
    }

    @Override
    public int vocabSize() {
        return bytes.vocabSize();
    }

    /** The id of {@code <|endoftext|>}, or -1. */
    public int eosTokenId() {
        return bytes.eosTokenId();
    }

    /** Releases the native tokenizer. Closing twice is harmless. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            tokenizer.close();
        }
    }

    private void checkIds(int[] ids) {
        for (int id : ids) {
            Tokenizer.requireId(id, vocabSize());
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this tokenizer is closed");
        }
    }
}
