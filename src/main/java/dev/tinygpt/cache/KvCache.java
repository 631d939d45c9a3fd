package dev.tinygpt.cache;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.tinygpt.config.GptConfig;

/**
 * The past keys and values of every layer, llama2.c's {@code key_cache}: per layer a key and a
 * value buffer {@code (B, nh, capacity, hs)} whose first {@link #length} positions are filled. A
 * step writes its new positions in place at the cache's length (the step contract of {@code
 * GptModel}), and {@link #advance} then counts them; nothing is allocated per step.
 *
 * <p>Buffers are allocated when a step first needs them, for the capacity the caller {@link #expect
 * expects} (or the step's length), and grow by doubling up to {@code n_positions} if a sequence
 * outgrows them. The cache owns a manager of its own that holds exactly its {@code 2·n_layer}
 * buffers, so however long generation runs the cache holds a constant number of arrays.
 *
 * <p>Not thread-safe: one cache belongs to one generation at a time. Closing twice is harmless;
 * using a closed cache is an {@link IllegalStateException}.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final int layers;
    private final int heads;
    private final int headDim;
    private final int maxCapacity;
    private NDList buffers = new NDList(); // k0, v0, k1, v1, …: (B, nh, capacity, hs) each
    private int rows;
    private int capacity;
    private int expected;
    private int length;
    private boolean closed;

    /**
     * An empty cache for a model of this config, its buffers in a sub-manager of {@code parent}.
     */
    public KvCache(NDManager parent, GptConfig config) {
        this.manager = parent.newSubManager();
        this.manager.setName("kv-cache");
        this.layers = config.layers();
        this.heads = config.heads();
        this.headDim = config.headDim();
        this.maxCapacity = config.contextLength();
    }

    /** Number of cached positions P (0 when empty). */
    public int length() {
        checkOpen();
        return length;
    }

    public boolean isEmpty() {
        return length() == 0;
    }

    /** Rows in the cache (its batch size); 0 before the first step. */
    public int batchSize() {
        checkOpen();
        return rows;
    }

    /** Positions the buffers hold, filled or not (0 before the first step). */
    public int capacity() {
        checkOpen();
        return capacity;
    }

    /** Bytes the buffers hold: {@code 2·n_layer·B·nh·capacity·hs·4}. */
    public long bytes() {
        checkOpen();
        return 2L * layers * rows * heads * capacity * headDim * Float.BYTES;
    }

    /**
     * Says how many positions the coming sequences will reach, so the buffers are allocated once at
     * that size (at most {@code n_positions}) instead of growing: a step on an empty cache sizes
     * them so. 0 (the default) sizes them for the first step and lets them grow.
     */
    public void expect(int positions) {
        checkOpen();
        expected = Math.min(Math.max(positions, 0), maxCapacity);
    }

    /**
     * The buffers {@code [k0, v0, …]} for a step of {@code newPositions} on {@code rows} rows,
     * allocated or grown to hold them; the step writes at {@link #length}.
     *
     * @throws IllegalArgumentException if the step would pass {@code n_positions}, or changes the
     *     number of rows of a non-empty cache (use {@link #reorder})
     */
    public NDList reserve(int rows, int newPositions) {
        checkOpen();
        long needed = (long) length + newPositions;
        if (needed > maxCapacity) {
            throw new IllegalArgumentException(
                    needed
                            + " positions exceed the KV cache's limit, n_positions = "
                            + maxCapacity);
        }
        if (rows != this.rows && length > 0) {
            throw new IllegalArgumentException(
                    "the cache holds " + this.rows + " rows, the step has " + rows);
        }
        long target;
        if (length == 0 && expected > 0) {
            target = Math.max(needed, expected); // a new sequence: as long as announced
        } else {
            target = needed > capacity ? Math.max(needed, 2L * capacity) : capacity;
        }
        target = Math.min(target, maxCapacity);
        if (rows != this.rows || target != capacity) {
            resize(rows, (int) target);
        }
        return buffers;
    }

    /** Counts the {@code newPositions} a step wrote at the end of the cache. */
    public void advance(int newPositions) {
        checkOpen();
        if (newPositions < 0 || (long) length + newPositions > capacity) {
            throw new IllegalArgumentException(
                    "cannot advance "
                            + length
                            + " cached positions by "
                            + newPositions
                            + " in a capacity of "
                            + capacity);
        }
        length += newPositions;
    }

    /**
     * Rearranges the rows (beam search, finished rows leaving a batch): row {@code i} of the result
     * is row {@code rows[i]} of the current cache. Rows may repeat or be dropped.
     */
    public void reorder(int[] rows) {
        checkOpen();
        if (buffers.isEmpty()) {
            return;
        }
        for (int row : rows) {
            if (row < 0 || row >= this.rows) {
                throw new IllegalArgumentException(
                        "row " + row + " is not in a cache of " + this.rows + " rows");
            }
        }
        try (NDArray index = manager.create(rows)) {
            NDList reordered = new NDList(buffers.size());
            for (NDArray buffer : buffers) {
                reordered.add(buffer.get(new NDIndex("{}", index))); // (B,…) -> (B',…)
            }
            replaceBuffers(reordered, rows.length, capacity);
        }
    }

    /** Drops every cached position; the buffers stay for the next sequence. */
    public void clear() {
        checkOpen();
        length = 0;
    }

    /** Frees the buffers. Closing twice is harmless. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            buffers = new NDList();
            manager.close();
        }
    }

    /** New buffers for {@code rows × capacity}, keeping the filled prefix of the old ones. */
    private void resize(int rows, int capacity) {
        NDList next = new NDList(2 * layers);
        Shape shape = new Shape(rows, heads, capacity, headDim);
        NDIndex filled = new NDIndex().addAllDim().addAllDim().addSliceDim(0, length);
        for (int i = 0; i < 2 * layers; i++) {
            NDArray buffer = manager.create(shape); // unfilled slots are never read
            if (length > 0) {
                try (NDArray past = buffers.get(i).get(filled)) {
                    buffer.set(filled, past);
                }
            }
            next.add(buffer);
        }
        replaceBuffers(next, rows, capacity);
    }

    private void replaceBuffers(NDList next, int rows, int capacity) {
        next.attach(manager);
        buffers.close();
        buffers = next;
        this.rows = rows;
        this.capacity = capacity;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this KV cache is closed");
        }
    }
}
