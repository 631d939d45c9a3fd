package dev.tinygpt.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The test oracle for {@link Gpt2BpeTokenizer}: a Hugging Face {@code tokenizer.json} run by the
 * Rust tokenizers library through DJL's binding (native library bundled in its jar; always given a
 * local file, never a Hub id). Nothing of it is shared with the Java BPE.
 */
final class HfTokenizer implements Tokenizer, AutoCloseable {
    private final HuggingFaceTokenizer tokenizer;
    private final int vocabSize;

    private HfTokenizer(HuggingFaceTokenizer tokenizer, int vocabSize) {
        this.tokenizer = tokenizer;
        this.vocabSize = vocabSize;
    }

    static HfTokenizer load(Path file) throws IOException {
        // No truncation, padding or added BOS/EOS: generation wants the text's ids as they are.
        Map<String, String> options =
                Map.of(
                        "addSpecialTokens", "false",
                        "truncation", "false",
                        "padding", "false",
                        "modelMaxLength", String.valueOf(Integer.MAX_VALUE));
        JsonObject root = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        Set<String> tokens =
                new HashSet<>(root.getAsJsonObject("model").getAsJsonObject("vocab").keySet());
        root.getAsJsonArray("added_tokens")
                .forEach(t -> tokens.add(t.getAsJsonObject().get("content").getAsString()));
        return new HfTokenizer(HuggingFaceTokenizer.newInstance(file, options), tokens.size());
    }

    @Override
    public int[] encode(String text) {
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
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            Tokenizer.requireId(ids[i], vocabSize);
            longs[i] = ids[i];
        }
        return tokenizer.decode(longs, false);
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
