package dev.tinygpt.tokenizer;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Our own vocabularies, as {@value #FILE_NAME}: {@code {"type": "word", "tokens": ["the", "a", …]}}
 * is a {@link WordTokenizer}, id = index; {@code {"type": "char", "tokens": ["a", "b", …], "unk":
 * "<unk>"}} is a {@link CharTokenizer} ({@code unk} optional).
 */
public final class VocabularyJson {
    public static final String FILE_NAME = "tinygpt-tokenizer.json";

    private VocabularyJson() {}

    public static Tokenizer parse(JsonElement root) {
        if (!root.isJsonObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonObject o = root.getAsJsonObject();
        JsonElement typeJson = o.get("type");
        String type = typeJson != null && typeJson.isJsonPrimitive() ? typeJson.getAsString() : "";
        return switch (type) {
            case "word" -> new WordTokenizer(tokens(o));
            case "char" -> new CharTokenizer(tokens(o), unk(o));
            default -> throw new IllegalArgumentException("unknown tokenizer type '" + type + "'");
        };
    }

    /** The file's text for a tokenizer of ours. */
    public static String toJson(Tokenizer tokenizer) {
        JsonObject o = new JsonObject();
        if (tokenizer instanceof WordTokenizer word) {
            o.addProperty("type", "word");
            JsonArray tokens = new JsonArray();
            word.words().forEach(tokens::add);
            o.add("tokens", tokens);
        } else if (tokenizer instanceof CharTokenizer chars) {
            o.addProperty("type", "char");
            JsonArray tokens = new JsonArray();
            chars.symbols().forEach(tokens::add);
            o.add("tokens", tokens);
            chars.unk().ifPresent(unk -> o.addProperty("unk", unk));
        } else {
            throw new IllegalArgumentException(
                    "cannot save a " + tokenizer.getClass().getSimpleName() + " as " + FILE_NAME);
        }
        return o + "\n";
    }

    private static List<String> tokens(JsonObject o) {
        JsonElement e = o.get("tokens");
        if (e == null || !e.isJsonArray()) {
            throw new IllegalArgumentException("'tokens' must be an array of strings");
        }
        List<String> list = new ArrayList<>();
        for (JsonElement t : e.getAsJsonArray()) {
            if (!t.isJsonPrimitive() || !t.getAsJsonPrimitive().isString()) {
                throw new IllegalArgumentException(
                        "'tokens' entry " + list.size() + " is not a string: " + t);
            }
            list.add(t.getAsString());
        }
        return list;
    }

    private static String unk(JsonObject o) {
        JsonElement e = o.get("unk");
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException("'unk' must be a string");
        }
        return e.getAsString();
    }
}
