package dev.tinygpt.cache;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * The past keys and values of every layer, as the NDList {@code k0, v0, k1, v1, …} of the step
 * contract, each {@code (B, nh, P, hs)} — or, for a preallocated cache, {@code (B, nh, capacity,
 * hs)} buffers of which the first P positions are filled. A cache owns a manager of its own; each
 * step's present arrays are handed to {@link #replace}, which keeps them and closes what they
 * supersede, so a cache holds a constant number of arrays however long generation runs.
 *
 * <p>Two kinds: {@link #growing} concatenates each step's keys and values onto the past (a new
 * array per layer per step); {@link #preallocated} writes each step into its slots of buffers sized
 * for the whole context. Both give identical logits.
 *
 * <p>Not thread-safe: one cache belongs to one generation at a time. Closing twice is harmless;
 * using a closed cache is an {@link IllegalStateException}.
 */
public sealed interface KvCache extends AutoCloseable permits BaseKvCache {

    /** A cache whose arrays grow by concatenation, step by step. */
    static KvCache growing(NDManager parent, int layers) {
        return new GrowingKvCache(parent, layers);
    }

    /**
     * A cache of buffers preallocated for {@code capacity} positions (the context length), written
     * in place each step.
     */
    static KvCache preallocated(NDManager parent, int layers, int capacity) {
        return new StaticKvCache(parent, layers, capacity);
    }

    /** Number of cached positions P (0 when empty). */
    int length();

    default boolean isEmpty() {
        return length() == 0;
    }

    /** Rows in the cache (its batch size); 0 when empty. */
    int batchSize();

    /**
     * Bytes the cache's arrays hold now: {@code 2·n_layer·B·nh·P·hs·4} for the growing cache, the
     * whole capacity for a preallocated one.
     */
    long bytes();

    /** The arrays to pass as the past: {@code k0, v0, …}, empty when nothing is cached. */
    NDList arrays();

    /**
     * Takes a step's present keys and values as the new cache content: attaches them to this
     * cache's manager and closes the arrays they supersede.
     *
     * @param presents {@code 2·n_layer} arrays from the step
     * @param length the number of cached positions after the step
     */
    void replace(NDList presents, int length);

    /**
     * Rearranges the rows (beam search): row {@code i} of the result is row {@code rows[i]} of the
     * current cache. Rows may repeat or be dropped.
     */
    void reorder(int[] rows);

    /** Drops every cached position; the cache stays usable. */
    void clear();

    @Override
    void close();
}
