package dev.tinygpt.io;

import dev.tinygpt.tokenizer.Gpt2BpeTokenizer;
import dev.tinygpt.tokenizer.Tokenizer;
import dev.tinygpt.tokenizer.TokenizerJson;
import dev.tinygpt.tokenizer.VocabularyJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Which tokenizer a model directory uses, by the files it holds, in this order: {@value
 * VocabularyJson#FILE_NAME} (our word and char vocabularies), {@code tokenizer.json} (Hugging
 * Face's file for GPT-2's BPE), {@code vocab.json} + {@code merges.txt} (GPT-2's own). Every error
 * names the file at fault.
 */
final class TokenizerFiles {
    private TokenizerFiles() {}

    /** The tokenizer a model directory declares, or empty if it has no tokenizer files. */
    static Optional<Tokenizer> load(Path dir) throws IOException {
        Path ours = dir.resolve(VocabularyJson.FILE_NAME);
        Path hf = dir.resolve(TokenizerJson.FILE_NAME);
        Path vocab = dir.resolve("vocab.json");
        Path merges = dir.resolve("merges.txt");
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
