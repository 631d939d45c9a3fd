package dev.tinygpt.generation;

/**
 * What generation does when a sequence outgrows the context window ({@code n_positions}). Learned
 * absolute positions cannot slide under a cache, so both policies apply identically with and
 * without the KV cache.
 */
public enum ContextPolicy {
    /**
     * Keep the last {@code n_positions - shift} tokens, re-run them at positions {@code 0…} into a
     * fresh cache, and go on.
     */
    SHIFT,
    /** End the sequence with finish reason {@code context_full}. */
    STOP
}
