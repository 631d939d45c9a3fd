package dev.tinygpt.training;

import dev.tinygpt.io.TokenFile;
import dev.tinygpt.io.TokenIds;
import dev.tinygpt.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A run's corpus as tokens, nanoGPT's {@code prepare.py} done once per run: a resume memory-maps
 * the {@link TokenFile} the run wrote; otherwise the corpus is tokenized now with the run's
 * tokenizer (text it cannot encode is refused, naming the position) and the file is written once
 * the run stands ({@link #save}).
 */
final class Corpus {
    private final Path out;
    private final TextDataset dataset;
    private final TokenizedCorpus summary;
    private final int[] tokenized; // null when the file was reused
    private final int vocabSize;
    private final String sha256;

    private Corpus(
            Path out,
            TextDataset dataset,
            TokenizedCorpus summary,
            int[] tokenized,
            int vocabSize,
            String sha256) {
        this.out = out;
        this.dataset = dataset;
        this.summary = summary;
        this.tokenized = tokenized;
        this.vocabSize = vocabSize;
        this.sha256 = sha256;
    }

    /**
     * The corpus of the run in {@code out}, split as {@code trainFraction} says and checked to hold
     * windows of {@code context} tokens.
     *
     * @param resume whether the run resumes, and may reuse its token file
     */
    static Corpus of(
            Path out,
            String corpus,
            String sha256,
            Tokenizer tokenizer,
            double trainFraction,
            int context,
            boolean resume)
            throws IOException {
        int vocab = tokenizer.vocabSize();
        Optional<TokenIds> saved = resume ? TokenFile.read(out, vocab, sha256) : Optional.empty();
        long start = System.nanoTime();
        int[] ids = saved.isPresent() ? null : encode(corpus, tokenizer);
        TokenIds tokens = saved.orElseGet(() -> TokenIds.of(ids));
        TokenizedCorpus summary =
                new TokenizedCorpus(
                        tokens.size(),
                        TokenFile.dtype(vocab),
                        saved.isPresent() ? 0 : (System.nanoTime() - start) / 1e9,
                        saved.isPresent());
        TextDataset dataset = new TextDataset(tokens, trainFraction);
        dataset.requireContext(context);
        return new Corpus(out, dataset, summary, ids, vocab, sha256);
    }

    private static int[] encode(String corpus, Tokenizer tokenizer) {
        if (corpus.isEmpty()) {
            throw new IllegalArgumentException("the corpus is empty");
        }
        try {
            return tokenizer.encode(corpus);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "the corpus holds text the model's tokenizer cannot encode: " + e.getMessage(),
                    e);
        }
    }

    TextDataset dataset() {
        return dataset;
    }

    TokenizedCorpus summary() {
        return summary;
    }

    /** Writes the token file of a corpus tokenized now, for the run's resumes. */
    void save() throws IOException {
        if (tokenized != null) {
            TokenFile.write(out, tokenized, vocabSize, sha256);
        }
    }
}
