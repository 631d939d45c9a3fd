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
     * has none.
     */
    public static Optional<TokenizerFiles> read(Path dir) throws IOException {
        Optional<Tokenizer> tokenizer = load(dir);
        if (tokenizer.isEmpty()) {
            return Optional.empty();
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String name : NAMES) {
            Path file = dir.resolve(name);
            if (Files.isRegularFile(file)) {
                files.put(name, Files.readAllBytes(file)); // each within its limit: load read it
            }
        }
        return Optional.of(new TokenizerFiles(tokenizer.get(), files));
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
        Path ours = dir.resolve(VocabularyJson.FILE_NAME);
        Path hf = dir.resolve(TokenizerJson.FILE_NAME);
        Path vocab = dir.resolve(VOCAB);
        Path merges = dir.resolve(MERGES);
        for (Path p : List.of(ours, hf, vocab, merges)) {
            if (Files.exists(p) && !Files.isRegularFile(p)) {
                // Skipping it would load another tokenizer, or none, without a word.
                throw new IllegalArgumentException(p + ": not a regular file");
            }
        }
        long limit = TextFiles.MAX_VOCABULARY_BYTES;
        if (Files.exists(ours)) {
            return Optional.of(TextFiles.readJson(ours, limit, VocabularyJson::parse));
        }
        if (Files.exists(hf)) {
            return Optional.of(TextFiles.readJson(hf, limit, TokenizerJson::parse));
        }
        if (!Files.exists(vocab) && !Files.exists(merges)) {
            return Optional.empty();
        }
        Path other = Files.exists(vocab) ? merges : vocab;
        if (!Files.exists(other)) {
            throw new IllegalArgumentException(other + ": no such file");
        }
        return Optional.of(
                Gpt2BpeTokenizer.fromGpt2Files(
                        TextFiles.readJson(vocab, limit),
                        vocab.toString(),
                        TextFiles.readMetadata(merges, limit).lines().toList(),
                        merges.toString()));
    }
}
