package dev.tinygpt.tokenizer;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.tinygpt.io.TextFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which tokenizer a model directory uses, by the files it holds, in this order:
 *
 * <ol>
 *   <li>{@value #FILE_NAME}, our own vocabularies: {@code {"type": "word", "tokens": ["the", "a",
 *       …]}} is a {@link WordTokenizer}, id = index; {@code {"type": "char", "tokens": ["a", "b",
 *       …], "unk": "<unk>"}} is a {@link CharTokenizer} ({@code unk} optional);
 *   <li>{@code tokenizer.json}: Hugging Face's format, run by the tokenizers library ({@link
 *       HfTokenizer});
 *   <li>{@code vocab.json} + {@code merges.txt}: GPT-2's byte-level BPE in plain Java ({@link
 *       Gpt2BpeTokenizer}).
 * </ol>
 */
public final class TokenizerFiles {
    public static final String FILE_NAME = "tinygpt-tokenizer.json";

    private TokenizerFiles() {}

    /** The tokenizer a model directory declares, or empty if it has no tokenizer files. */
    public static Optional<Tokenizer> load(Path dir) throws IOException {
        for (String name : List.of(FILE_NAME, HfTokenizer.FILE_NAME, "vocab.json", "merges.txt")) {
            Path p = dir.resolve(name);
            if (Files.exists(p) && !Files.isRegularFile(p)) {
                // Skipping it would load another tokenizer, or none, without a word.
                throw new IllegalArgumentException(p + ": not a regular file");
            }
        }
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            if (Files.isRegularFile(dir.resolve(HfTokenizer.FILE_NAME))) {
                return Optional.of(HfTokenizer.load(dir.resolve(HfTokenizer.FILE_NAME)));
            }
            Path vocab = dir.resolve("vocab.json");
            Path merges = dir.resolve("merges.txt");
            if (Files.isRegularFile(vocab) || Files.isRegularFile(merges)) {
                return Optional.of(Gpt2BpeTokenizer.fromFiles(vocab, merges));
            }
            return Optional.empty();
        }
        JsonElement root = TextFiles.readJson(file, TextFiles.MAX_VOCABULARY_BYTES); // names file
        try {
            if (!root.isJsonObject()) {
                throw new IllegalArgumentException("not a JSON object");
            }
            JsonObject o = root.getAsJsonObject();
            JsonElement typeJson = o.get("type");
            String type =
                    typeJson != null && typeJson.isJsonPrimitive() ? typeJson.getAsString() : "";
            return switch (type) {
                case "word" -> Optional.of(new WordTokenizer(tokens(o)));
                case "char" -> Optional.of(new CharTokenizer(tokens(o), unk(o)));
                default ->
                        throw new IllegalArgumentException("unknown tokenizer type '" + type + "'");
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Writes a tokenizer of ours into a model directory. */
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
