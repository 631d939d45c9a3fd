package dev.tinygpt.io;

import dev.tinygpt.tokenizer.Gpt2BpeTokenizer;
import dev.tinygpt.tokenizer.Tokenizer;
import dev.tinygpt.tokenizer.TokenizerJson;
import dev.tinygpt.tokenizer.VocabularyJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model directory's tokenizer and the files it holds for it, so a directory made from a model (a
 * conversion, a fine-tune and its checkpoints) gets the same files byte for byte, whatever other
 * tools read them.
 *
 * <p>Which tokenizer a directory uses, by the files it holds, in this order: {@value
 * VocabularyJson#FILE_NAME} (our word and char vocabularies), {@code tokenizer.json} (Hugging
 * Face's file for GPT-2's BPE), {@code vocab.json} + {@code merges.txt} (GPT-2's own). Every error
 * names the file at fault.
 */
public final class TokenizerFiles {
    private static final String VOCAB = "vocab.json";
    private static final String MERGES = "merges.txt";

    /** Every file name that holds a tokenizer, in the order above. */
    public static final List<String> NAMES =
            List.of(VocabularyJson.FILE_NAME, TokenizerJson.FILE_NAME, VOCAB, MERGES);

    private final Tokenizer tokenizer;
    private final Map<String, byte[]> files;

    private TokenizerFiles(Tokenizer tokenizer, Map<String, byte[]> files) {
        this.tokenizer = tokenizer;
        this.files = Collections.unmodifiableMap(files);
    }

    /** One of our own tokenizers, as its {@value VocabularyJson#FILE_NAME}. */
    public static TokenizerFiles of(Tokenizer ours) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(
                VocabularyJson.FILE_NAME,
                VocabularyJson.toJson(ours).getBytes(StandardCharsets.UTF_8));
        return new TokenizerFiles(ours, files);
    }

    /**
     * The tokenizer a model directory declares, with every tokenizer file it holds, or empty if it
     * has none. Each file is read once, within its limit: the tokenizer is parsed from the bytes
     * kept.
     */
    public static Optional<TokenizerFiles> read(Path dir) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String name : NAMES) {
            Path file = dir.resolve(name);
            if (Files.exists(file)) {
                // One that is not a regular file is refused: skipping it would load another
                // tokenizer, or none, without a word.
                files.put(name, TextFiles.readMetadataBytes(file, TextFiles.MAX_VOCABULARY_BYTES));
            }
        }
        return parse(dir, files).map(tokenizer -> new TokenizerFiles(tokenizer, files));
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** Writes the files into {@code dir}, each atomically. */
    public void writeInto(Path dir) throws IOException {
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            AtomicFiles.write(dir.resolve(file.getKey()), out -> out.write(file.getValue()));
        }
    }

    /** The tokenizer a model directory declares, or empty if it has no tokenizer files. */
    static Optional<Tokenizer> load(Path dir) throws IOException {
        return read(dir).map(TokenizerFiles::tokenizer);
    }

    /** The tokenizer of the files read from {@code dir}, the first kind in {@link #NAMES}. */
    private static Optional<Tokenizer> parse(Path dir, Map<String, byte[]> files) {
        String ours = VocabularyJson.FILE_NAME;
        if (files.containsKey(ours)) {
            return Optional.of(
                    TextFiles.parseJson(dir.resolve(ours), files.get(ours), VocabularyJson::parse));
        }
        String hf = TokenizerJson.FILE_NAME;
        if (files.containsKey(hf)) {
            return Optional.of(
                    TextFiles.parseJson(dir.resolve(hf), files.get(hf), TokenizerJson::parse));
        }
        if (!files.containsKey(VOCAB) && !files.containsKey(MERGES)) {
            return Optional.empty();
        }
        String missing = files.containsKey(VOCAB) ? MERGES : VOCAB;
        if (!files.containsKey(missing)) {
            throw new IllegalArgumentException(dir.resolve(missing) + ": no such file");
        }
        Path vocab = dir.resolve(VOCAB);
        Path merges = dir.resolve(MERGES);
        return Optional.of(
                Gpt2BpeTokenizer.fromGpt2Files(
                        TextFiles.parseJson(vocab, files.get(VOCAB), json -> json),
                        vocab.toString(),
                        TextFiles.text(files.get(MERGES), merges).lines().toList(),
                        merges.toString()));
    }
}
