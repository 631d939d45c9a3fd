package dev.tinygpt.generation;

/**
 * How to generate. Greedy decoding: each next token is the argmax of the softmax of the last
 * logits.
 *
 * @param maxNewTokens how many tokens to generate at most (≥ 0)
 * @param useKvCache prefill once and then feed one token per step (true), or recompute the whole
 *     window every step (false); both give the same tokens
 * @param contextPolicy what to do past {@code n_positions}
 * @param contextShift how many tokens to drop when the window slides; 0 means {@code n_positions /
 *     2}
 * @param stopAtEos end a sequence at the model's EOS token (if its config has one)
 */
public record GenerationOptions(
        int maxNewTokens,
        boolean useKvCache,
        ContextPolicy contextPolicy,
        int contextShift,
        boolean stopAtEos) {

    public static final int DEFAULT_MAX_NEW_TOKENS = 50;

    public GenerationOptions {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException(
                    "max new tokens must be 0 or more, got " + maxNewTokens);
        }
        if (contextPolicy == null) {
            throw new IllegalArgumentException("a context policy is required");
        }
        if (contextShift < 0) {
            throw new IllegalArgumentException(
                    "context shift must be 0 (default) or positive, got " + contextShift);
        }
    }

    /** Greedy, with the cache, sliding window, stopping at EOS. */
    public static GenerationOptions greedy(int maxNewTokens) {
        return new GenerationOptions(maxNewTokens, true, ContextPolicy.SHIFT, 0, true);
    }

    public GenerationOptions withKvCache(boolean on) {
        return new GenerationOptions(maxNewTokens, on, contextPolicy, contextShift, stopAtEos);
    }

    public GenerationOptions withContextPolicy(ContextPolicy policy) {
        return new GenerationOptions(maxNewTokens, useKvCache, policy, contextShift, stopAtEos);
    }

    public GenerationOptions withContextShift(int shift) {
        return new GenerationOptions(maxNewTokens, useKvCache, contextPolicy, shift, stopAtEos);
    }

    public GenerationOptions withStopAtEos(boolean stop) {
        return new GenerationOptions(maxNewTokens, useKvCache, contextPolicy, contextShift, stop);
    }

    /** The shift in tokens for a context of {@code n} positions. */
    int shiftFor(int n) {
        int shift = contextShift == 0 ? n / 2 : contextShift;
        if (shift < 1 || shift >= n) {
            throw new IllegalArgumentException(
                    "context shift must be in [1, "
                            + (n - 1)
                            + "] for a context of "
                            + n
                            + " positions, got "
                            + shift);
        }
        return shift;
    }
}
