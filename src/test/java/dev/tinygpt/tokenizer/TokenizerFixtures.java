package dev.tinygpt.tokenizer;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The small GPT-2-style byte-level BPE the tokenizer tests share ({@link Gpt2BpeTokenizerTest}'s
 * vocabulary and merges, plus {@code <|endoftext|>}), as plain Java and as a {@code tokenizer.json}
 * for the Rust library.
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
        HfTokenizerTest.writeTokenizerJson(file, vocabWithEos(), merges(), true);
        return file;
    }
}
