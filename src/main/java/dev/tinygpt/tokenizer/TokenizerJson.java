package dev.tinygpt.tokenizer;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Hugging Face {@code tokenizer.json} of GPT-2's kind ({@code model.type = "BPE"}, a plain {@code
 * ByteLevel} pre-tokenizer without prefix space) as a {@link Gpt2BpeTokenizer}, its added tokens
 * the special ones. Merges come as {@code "a b"} strings (tokenizers < 0.20) or {@code ["a", "b"]}
 * pairs (later versions). What the tokenizers library would encode differently from GPT-2's
 * encoder.py (a normalizer, a prefix space, BPE dropout, stripping added tokens) is refused, not
 * ignored. Every error names the key at fault.
 */
public final class TokenizerJson {
    public static final String FILE_NAME = "tokenizer.json";

    private static final String GPT2_ONLY = " (tinygpt reads GPT-2's byte-level BPE)";

    private TokenizerJson() {}

    public static Gpt2BpeTokenizer parse(JsonElement parsed) {
        if (!parsed.isJsonObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonObject root = parsed.getAsJsonObject();
        JsonObject model = object(root, "model");
        if (model == null || !"BPE".equals(string(model, "type"))) {
            throw new IllegalArgumentException("not a BPE tokenizer" + GPT2_ONLY);
        }
        JsonObject pre = object(root, "pre_tokenizer");
        if (pre == null || !"ByteLevel".equals(string(pre, "type"))) {
            throw new IllegalArgumentException("the pre-tokenizer is not ByteLevel" + GPT2_ONLY);
        }
        requireUnset(root, "", "normalizer");
        requireUnset(pre, "pre_tokenizer.", "add_prefix_space");
        if (isFalse(pre.get("use_regex"))) {
            throw new IllegalArgumentException(
                    "pre_tokenizer.use_regex = false is not supported" + GPT2_ONLY);
        }
        requireUnset(
                model,
                "model.",
                "dropout",
                "continuing_subword_prefix",
                "end_of_word_suffix",
                "ignore_merges");
        JsonObject vocabJson = object(model, "vocab");
        if (vocabJson == null) {
            throw new IllegalArgumentException("model.vocab must be an object of token -> id");
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : vocabJson.entrySet()) {
            vocab.put(e.getKey(), id("model.vocab['" + e.getKey() + "']", e.getValue()));
        }
        Set<String> added = new HashSet<>();
        JsonElement addedJson = root.get("added_tokens");
        if (addedJson != null && !addedJson.isJsonNull()) {
            if (!addedJson.isJsonArray()) {
                throw new IllegalArgumentException("added_tokens must be an array");
            }
            for (JsonElement t : addedJson.getAsJsonArray()) {
                String content = t.isJsonObject() ? string(t.getAsJsonObject(), "content") : null;
                if (content == null) {
                    throw new IllegalArgumentException(
                            "an added token lacks its \"content\" string: " + t);
                }
                String what = "added token '" + content + "'";
                requireUnset(t.getAsJsonObject(), what + ": ", "lstrip", "rstrip", "single_word");
                vocab.putIfAbsent(content, id(what, t.getAsJsonObject().get("id")));
                added.add(content);
            }
        }
        JsonElement mergesJson = model.get("merges");
        if (mergesJson == null || !mergesJson.isJsonArray()) {
            throw new IllegalArgumentException("model.merges must be an array");
        }
        List<String> merges = new ArrayList<>();
        for (JsonElement m : mergesJson.getAsJsonArray()) {
            merges.add(merge(m));
        }
        return Gpt2BpeTokenizer.of(vocab, "model.vocab", merges, "model.merges", added::contains);
    }

    /** A merge as the {@code "a b"} line of a merges file. */
    private static String merge(JsonElement m) {
        if (isString(m)) {
            return m.getAsString();
        }
        if (m.isJsonArray()) {
            JsonArray pair = m.getAsJsonArray();
            if (pair.size() == 2 && isString(pair.get(0)) && isString(pair.get(1))) {
                return pair.get(0).getAsString() + " " + pair.get(1).getAsString();
            }
        }
        throw new IllegalArgumentException("a merge must be \"a b\" or [\"a\", \"b\"], got " + m);
    }

    private static int id(String what, JsonElement value) {
        Integer id = Gpt2BpeTokenizer.intOrNull(value);
        if (id == null) {
            throw new IllegalArgumentException(
                    "the id of " + what + " is not an integer: " + value);
        }
        return id;
    }

    /**
     * Throws unless each {@code o.key} is absent, null, false or "": a setting GPT-2's file lacks.
     */
    private static void requireUnset(JsonObject o, String where, String... keys) {
        for (String key : keys) {
            JsonElement e = o.get(key);
            if (e != null && !e.isJsonNull() && !isFalse(e) && !e.equals(new JsonPrimitive(""))) {
                throw new IllegalArgumentException(
                        where + key + " = " + e + " is not supported" + GPT2_ONLY);
            }
        }
    }

    private static boolean isFalse(JsonElement e) {
        return e != null
                && e.isJsonPrimitive()
                && e.getAsJsonPrimitive().isBoolean()
                && !e.getAsBoolean();
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
}
