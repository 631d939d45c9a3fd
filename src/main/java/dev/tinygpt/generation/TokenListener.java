package dev.tinygpt.generation;

/** Receives each token as generation produces it (streaming). Called on the generating thread. */
@FunctionalInterface
public interface TokenListener {
    /**
     * @param sequence which sequence of the batch (its index in the result)
     * @param tokenId the new token
     * @param text the text that became complete with it; empty while a multi-byte character is
     *     still incomplete, or when the model has no tokenizer
     */
    void onToken(int sequence, int tokenId, String text);

    /** Ignores everything. */
    TokenListener NONE = (sequence, tokenId, text) -> {};
}
