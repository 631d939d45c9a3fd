package dev.tinygpt.tokenizer;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the byte-level BPE vocabulary and merges out of a Hugging Face {@code tokenizer.json}
 * ({@code model.type = "BPE"}, a {@code ByteLevel} pre-tokenizer, as GPT-2's), including its added
 * special tokens. Merges come as {@code "a b"} strings (tokenizers < 0.20) or {@code ["a", "b"]}
 * pairs (later versions).
 */
final class TokenizerJson {
    private TokenizerJson() {}

    static Gpt2BpeTokenizer byteLevelBpe(Path file) throws IOException {
        JsonObject root;
        try {
            JsonElement e = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) {
                throw new IllegalArgumentException(file + ": not a JSON object");
            }
            root = e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(file + ": invalid JSON: " + e.getMessage(), e);
        }
        JsonObject model =
                root.has("model") && root.get("model").isJsonObject()
                        ? root.getAsJsonObject("model")
                        : null;
        if (model == null || !"BPE".equals(string(model, "type"))) {
            throw new IllegalArgumentException(
                    file + ": not a BPE tokenizer (tinygpt reads GPT-2's byte-level BPE)");
        }
        JsonElement pre = root.get("pre_tokenizer");
        if (pre == null || !pre.isJsonObject() || !pre.toString().contains("ByteLevel")) {
            throw new IllegalArgumentException(
                    file
                            + ": the pre-tokenizer is not ByteLevel (tinygpt reads GPT-2's byte-level BPE)");
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : model.getAsJsonObject("vocab").entrySet()) {
            vocab.put(e.getKey(), e.getValue().getAsInt());
        }
        JsonElement added = root.get("added_tokens");
        if (added != null && added.isJsonArray()) {
            for (JsonElement t : added.getAsJsonArray()) {
                JsonObject token = t.getAsJsonObject();
                vocab.putIfAbsent(token.get("content").getAsString(), token.get("id").getAsInt());
            }
        }
        List<String> merges = new ArrayList<>();
        for (JsonElement m : model.getAsJsonArray("merges")) {
            if (m.isJsonArray()) {
                JsonArray pair = m.getAsJsonArray();
                merges.add(pair.get(0).getAsString() + " " + pair.get(1).getAsString());
            } else {
                merges.add(m.getAsString());
            }
        }
        try {
            return Gpt2BpeTokenizer.of(vocab, merges);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
    }
}
