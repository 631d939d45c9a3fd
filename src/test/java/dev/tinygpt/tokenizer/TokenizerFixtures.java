package dev.tinygpt.tokenizer;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The small GPT-2-style byte-level BPE the tokenizer tests share ({@link Gpt2BpeTokenizerTest}'s
 * vocabulary and merges, plus {@code <|endoftext|>}), as plain Java and as a {@code
 * tokenizer.json}.
 */
public final class TokenizerFixtures {
    private TokenizerFixtures() {}

    /** The test vocabulary with {@code <|endoftext|>} as its last id. */
    public static Map<String, Integer> vocabWithEos() {
        Map<String, Integer> vocab = new LinkedHashMap<>(Gpt2BpeTokenizerTest.VOCAB);
        vocab.putIfAbsent(Gpt2BpeTokenizer.END_OF_TEXT, vocab.size());
        return vocab;
    }

    public static List<String> merges() {
        return Gpt2BpeTokenizerTest.MERGES;
    }

    /** The plain-Java tokenizer over the fixture. */
    public static Gpt2BpeTokenizer bpe() {
        return Gpt2BpeTokenizer.of(vocabWithEos(), merges());
    }

    /** Writes the fixture as a {@code tokenizer.json} (merges as pairs) and returns the file. */
    public static Path writeTokenizerJson(Path file) throws Exception {
        writeTokenizerJson(file, vocabWithEos(), merges(), true);
        return file;
    }

    /**
     * Writes a {@code tokenizer.json} as the tokenizers library saves GPT-2's, {@code
     * <|endoftext|>} its one added token, merges as {@code "a b"} strings or (with {@code
     * arrayMerges}) pairs.
     */
    static void writeTokenizerJson(
            Path file, Map<String, Integer> vocab, List<String> merges, boolean arrayMerges)
            throws Exception {
        JsonObject model = new JsonObject();
        model.addProperty("type", "BPE");
        JsonObject v = new JsonObject();
        vocab.forEach(v::addProperty);
        model.add("vocab", v);
        JsonArray m = new JsonArray();
        for (String line : merges) {
            if (line.isBlank() || line.startsWith("#version")) {
                continue; // merges.txt's header is not a merge
            }
            if (arrayMerges) {
                JsonArray pair = new JsonArray();
                for (String part : line.split(" ")) {
                    pair.add(part);
                }
                m.add(pair);
            } else {
                m.add(line);
            }
        }
        model.add("merges", m);
        JsonObject byteLevel = new JsonObject();
        byteLevel.addProperty("type", "ByteLevel");
        byteLevel.addProperty("add_prefix_space", false);
        byteLevel.addProperty("trim_offsets", true);
        byteLevel.addProperty("use_regex", true);
        JsonObject root = new JsonObject();
        root.addProperty("version", "1.0");
        JsonArray added = new JsonArray();
        JsonObject eos = new JsonObject();
        eos.addProperty("id", vocab.get(Gpt2BpeTokenizer.END_OF_TEXT));
        eos.addProperty("content", Gpt2BpeTokenizer.END_OF_TEXT);
        eos.addProperty("single_word", false);
        eos.addProperty("lstrip", false);
        eos.addProperty("rstrip", false);
        eos.addProperty("normalized", true);
        eos.addProperty("special", true);
        added.add(eos);
        root.add("added_tokens", added);
        root.add("pre_tokenizer", byteLevel);
        root.add("decoder", byteLevel);
        root.add("model", model);
        Files.writeString(file, root.toString(), StandardCharsets.UTF_8);
    }
}
