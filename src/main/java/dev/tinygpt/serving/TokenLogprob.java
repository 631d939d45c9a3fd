package dev.tinygpt.serving;

import dev.tinygpt.sampling.LogProbabilities;
import dev.tinygpt.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * One token's log-probability under the model, with the most likely alternatives at its position.
 *
 * @param bytes the token's UTF-8 bytes (a byte-level token may hold part of a character), or null
 *     for a model without a tokenizer
 * @param id the token id
 * @param logprob its log-probability, or null for a prompt's first token (nothing predicts it)
 * @param top the most likely tokens at its position, most likely first; null with {@code logprob}
 * @param textOffset where the token's text starts in the choice's text (characters)
 */
public record TokenLogprob(
        int id, byte[] bytes, Double logprob, List<Candidate> top, int textOffset) {

    /** An alternative at a position: a token and its log-probability. */
    public record Candidate(int id, byte[] bytes, double logprob) {}

    /** Token {@code id} and the {@code n} most likely tokens of a position's log-probabilities. */
    static TokenLogprob of(
            LogProbabilities lp, int id, int n, Tokenizer tokenizer, int textOffset) {
        List<Candidate> top = new ArrayList<>(n);
        for (int candidate : lp.top(n)) {
            top.add(new Candidate(candidate, bytes(tokenizer, candidate), lp.of(candidate)));
        }
        return new TokenLogprob(id, bytes(tokenizer, id), lp.of(id), top, textOffset);
    }

    /** A token's bytes, or null without a tokenizer. */
    static byte[] bytes(Tokenizer tokenizer, int id) {
        return tokenizer == null ? null : tokenizer.decodeBytes(new int[] {id});
    }
}
