package dev.tinygpt.sampling;

/**
 * vLLM's {@code min_tokens}: bans the end-of-sequence token until the completion, the tokens from
 * {@code promptLength} on, holds {@code min} tokens, so a sequence cannot end early.
 *
 * @param eosTokenId the token banned meanwhile
 * @param min how many tokens the completion must hold before it may end
 * @param promptLength where the completion starts in the sequence
 */
public record MinNewTokens(int eosTokenId, int min, int promptLength) implements LogitsProcessor {

    public MinNewTokens {
        if (eosTokenId < 0 || min < 0 || promptLength < 0) {
            throw new IllegalArgumentException(
                    "eos token id, min_tokens and prompt length must be ≥ 0, got "
                            + eosTokenId
                            + ", "
                            + min
                            + ", "
                            + promptLength);
        }
    }

    @Override
    public void process(int[] tokens, int length, float[] logits) {
        if (length - promptLength < min && eosTokenId < logits.length) {
            logits[eosTokenId] = Float.NEGATIVE_INFINITY;
        }
    }
}
