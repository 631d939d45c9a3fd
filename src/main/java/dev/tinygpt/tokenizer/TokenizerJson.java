package dev.tinygpt.tokenizer;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.tinygpt.io.TextFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the byte-level BPE vocabulary and merges out of a Hugging Face {@code tokenizer.json}
 * ({@code model.type = "BPE"}, a {@code ByteLevel} pre-tokenizer, as GPT-2's), including its added
 * special tokens. Merges come as {@code "a b"} strings (tokenizers < 0.20) or {@code ["a", "b"]}
 * pairs (later versions). Every structural problem is an error naming the file and the key, found
 * here in Java before the native library sees the file.
 */
final class TokenizerJson {
    private TokenizerJson() {}

    static Gpt2BpeTokenizer byteLevelBpe(Path file) throws IOException {
        JsonElement parsed = TextFiles.readJson(file, TextFiles.MAX_VOCABULARY_BYTES);
        if (!parsed.isJsonObject()) {
            throw bad(file, "not a JSON object");
        }
        JsonObject root = parsed.getAsJsonObject();
        JsonObject model = object(root, "model");
        if (model == null || !"BPE".equals(string(model, "type"))) {
            throw bad(file, "not a BPE tokenizer (tinygpt reads GPT-2's byte-level BPE)");
        }
        JsonElement pre = root.get("pre_tokenizer");
        if (pre == null || !pre.isJsonObject() || !pre.toString().contains("ByteLevel")) {
            throw bad(
                    file,
                    "the pre-tokenizer is not ByteLevel (tinygpt reads GPT-2's byte-level BPE)");
        }
        JsonObject vocabJson = object(model, "vocab");
        if (vocabJson == null) {
            throw bad(file, "model.vocab must be an object of token -> id");
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : vocabJson.entrySet()) {
            vocab.put(e.getKey(), id(file, "model.vocab['" + e.getKey() + "']", e.getValue()));
        }
        JsonElement added = root.get("added_tokens");
        if (added != null && !added.isJsonNull()) {
            if (!added.isJsonArray()) {
                throw bad(file, "added_tokens must be an array");
            }
            for (JsonElement t : added.getAsJsonArray()) {
                String content = t.isJsonObject() ? string(t.getAsJsonObject(), "content") : null;
                if (content == null) {
                    throw bad(file, "an added token lacks its \"content\" string: " + t);
                }
                vocab.putIfAbsent(
                        content,
                        id(file, "added token '" + content + "'", t.getAsJsonObject().get("id")));
            }
        }
        JsonElement mergesJson = model.get("merges");
        if (mergesJson == null || !mergesJson.isJsonArray()) {
            throw bad(file, "model.merges must be an array");
        }
        List<String> merges = new ArrayList<>();
        for (JsonElement m : mergesJson.getAsJsonArray()) {
            merges.add(merge(file, m));
        }
        try {
            return Gpt2BpeTokenizer.of(vocab, merges);
        } catch (IllegalArgumentException e) {
            throw bad(file, e.getMessage());
        }
    }

    /** A merge as the {@code "a b"} line of a merges file. */
    private static String merge(Path file, JsonElement m) {
        if (m.isJsonPrimitive() && m.getAsJsonPrimitive().isString()) {
            return m.getAsString();
        }
        if (m.isJsonArray()) {
            JsonArray pair = m.getAsJsonArray();
            if (pair.size() == 2 && isString(pair.get(0)) && isString(pair.get(1))) {
                return pair.get(0).getAsString() + " " + pair.get(1).getAsString();
            }
        }
        throw bad(file, "a merge must be \"a b\" or [\"a\", \"b\"], got " + m);
    }

    private static int id(Path file, String what, JsonElement value) {
        Integer id = Gpt2BpeTokenizer.intOrNull(value);
        if (id == null) {
            throw bad(file, "the id of " + what + " is not an integer: " + value);
        }
        return id;
    }

    private static JsonObject object(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonObject() ? e.getAsJsonObject() : null;
    }

    private static String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return isString(e) ? e.getAsString() : null;
    }

    private static boolean isString(JsonElement e) {
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
    }

    private static IllegalArgumentException bad(Path file, String problem) {
        return new IllegalArgumentException(file + ": " + problem);
    }
}
