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
 * <p>A server's running batch also lets rows {@link #join} and {@link #leave} between steps
 * (continuous batching). Its rows are right-aligned: row {@code r}'s {@code n_r} positions are the
 * last {@code n_r} of the shared {@link #length} P, the columns before them are padding (zeros,
 * masked out), and every step appends one column to all rows. The buffers may hold more rows
 * (slots) than run: a step sees the first {@link #batchSize} rows, a view of each buffer.
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
    private NDList buffers = new NDList(); // k0, v0, k1, v1, …: (slots, nh, capacity, hs) each
    private NDList active = buffers; // the first `rows` rows of each buffer: what a step sees
    private int rows;
    private int slots; // rows the buffers hold, >= rows
    private int capacity;
    private int expected;
    private int expectedRows;
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

    /** Bytes the buffers hold: {@code 2·n_layer·slots·nh·capacity·hs·4}. */
    public long bytes() {
        checkOpen();
        return 2L * layers * slots * heads * capacity * headDim * Float.BYTES;
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
     * Says how many rows a running batch will reach, so the first {@link #join} allocates that many
     * slots at once, and no more, instead of doubling them (more rows joining still grow them). 0
     * (the default) doubles.
     */
    public void expectRows(int rows) {
        checkOpen();
        expectedRows = Math.max(rows, 0);
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
        if (rows != this.rows) {
            resize(rows, rows, (int) target);
        } else if (target != capacity) {
            resize(slots, rows, (int) target);
        }
        return active;
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
            replaceBuffers(reordered, rows.length, rows.length, capacity);
        }
    }

    /**
     * Adds the one row of {@code row} (a prefilled sequence of {@code n} positions) as the last row
     * of this batch, right-aligned: it fills the last n of the P columns and the columns before are
     * zeroed padding. When n exceeds P every row first moves right by {@code n - P} (P becomes n).
     * The rows must then be stepped with a mask of zeros on that padding.
     *
     * @return the new row's index, the former {@link #batchSize}
     * @throws IllegalArgumentException unless {@code row} holds one row of a model of this shape
     */
    public int join(KvCache row) {
        checkOpen();
        row.checkOpen();
        if (row.rows != 1 || row.length == 0) {
            throw new IllegalArgumentException(
                    "a joining cache must hold one filled row, got "
                            + row.rows
                            + " rows of "
                            + row.length
                            + " positions");
        }
        if (row.layers != layers || row.heads != heads || row.headDim != headDim) {
            throw new IllegalArgumentException("the joining cache belongs to another model");
        }
        if (rows == 0) {
            length = 0;
        }
        int n = row.length;
        int p = Math.max(length, n);
        if (rows == slots || capacity < p) {
            int room =
                    rows < slots
                            ? slots
                            : Math.max(rows + 1, expectedRows > 0 ? expectedRows : 2 * slots);
            // Only what ran out grows: new slots alone keep the positions' capacity.
            long positions = capacity >= p ? capacity : Math.max(p, 2L * capacity);
            resize(room, rows, (int) Math.min(maxCapacity, positions));
        }
        inScratch(
                () -> {
                    if (n > length) {
                        shiftRight(n - length);
                    }
                    copyIn(row, n);
                });
        setRows(rows + 1);
        return rows - 1;
    }

    /** Copies {@code row}'s n positions into row {@link #rows}, right-aligned after padding. */
    private void copyIn(KvCache row, int n) {
        for (int i = 0; i < 2 * layers; i++) {
            NDArray buffer = buffers.get(i);
            if (length > n) {
                buffer.set(columns(rows, rows + 1, 0, length - n), 0f); // padding
            }
            try (NDArray filled = row.buffers.get(i).get(columns(0, 1, 0, n))) {
                buffer.set(columns(rows, rows + 1, length - n, length), filled);
            }
        }
    }

    /**
     * Runs an in-place edit of the buffers with them lent to a scratch manager, as a step lends
     * them to its own: what the edit derives ({@code get}'s views, {@code set}'s scalar and index
     * arrays, which DJL puts in the buffer's manager) dies with it, and the buffers come back.
     */
    private void inScratch(Runnable edit) {
        try (NDManager scratch = manager.newSubManager()) {
            buffers.tempAttach(scratch);
            edit.run();
        }
    }

    /**
     * Removes row {@code r}: the last row moves into its place, so the rows stay {@code 0 …
     * batchSize-1} (a caller renumbers its own rows the same way). The slot is reused by the next
     * {@link #join}.
     */
    public void leave(int r) {
        checkOpen();
        if (r < 0 || r >= rows) {
            throw new IllegalArgumentException(
                    "row " + r + " is not in a cache of " + rows + " rows");
        }
        int last = rows - 1;
        if (r != last && length > 0) {
            inScratch(
                    () -> {
                        for (NDArray buffer : buffers) {
                            // (1, nh, P, hs) from the last row; other rows: no overlap
                            NDArray moved = buffer.get(columns(last, last + 1, 0, length));
                            buffer.set(columns(r, r + 1, 0, length), moved);
                        }
                    });
        }
        setRows(last);
        if (rows == 0) {
            length = 0;
        }
    }

    /**
     * Drops the first {@code n} positions of every row, which must be padding in all of them (the
     * longest row left), and moves the rest to the front: P shrinks by n and attention stops paying
     * for columns no row reads.
     */
    public void dropFront(int n) {
        checkOpen();
        if (n < 0 || n > length) {
            throw new IllegalArgumentException(
                    "cannot drop " + n + " of " + length + " cached positions");
        }
        if (n == 0) {
            return;
        }
        inScratch(
                () -> {
                    for (NDArray buffer : buffers) {
                        // (B, nh, P-n, hs): copied out first, as source and target overlap
                        NDArray kept = buffer.get(columns(0, rows, n, length)).duplicate();
                        buffer.set(columns(0, rows, 0, length - n), kept);
                    }
                });
        length -= n;
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
            active = buffers;
            manager.close();
        }
    }

    /**
     * Every row moves {@code n} positions right; the columns it leaves are zeroed padding. Runs
     * {@link #inScratch}.
     */
    private void shiftRight(int n) {
        for (NDArray buffer : buffers) {
            if (rows > 0) {
                // (B, nh, P, hs) -> columns n … n+P, copied out first as they overlap
                NDArray copy = buffer.get(columns(0, rows, 0, length)).duplicate();
                buffer.set(columns(0, rows, n, n + length), copy);
                buffer.set(columns(0, rows, 0, n), 0f);
            }
        }
        length += n;
    }

    /** Rows {@code [fromRow, toRow)}, every head, positions {@code [from, to)}. */
    private static NDIndex columns(int fromRow, int toRow, int from, int to) {
        return new NDIndex().addSliceDim(fromRow, toRow).addAllDim().addSliceDim(from, to);
    }

    /**
     * New buffers of {@code slots × capacity} of which {@code rows} run, keeping the filled prefix
     * of the running rows.
     */
    private void resize(int slots, int rows, int capacity) {
        NDList next = new NDList(2 * layers);
        Shape shape = new Shape(slots, heads, capacity, headDim);
        int kept = Math.min(rows, this.rows);
        for (int i = 0; i < 2 * layers; i++) {
            NDArray buffer = manager.create(shape); // unfilled slots are never read
            if (length > 0 && kept > 0) {
                NDIndex filled = columns(0, kept, 0, length);
                try (NDArray past = buffers.get(i).get(filled)) {
                    buffer.set(filled, past);
                }
            }
            next.add(buffer);
        }
        replaceBuffers(next, slots, rows, capacity);
    }

    private void replaceBuffers(NDList next, int slots, int rows, int capacity) {
        next.attach(manager);
        if (active != buffers) {
            active.close();
        }
        buffers.close();
        buffers = next;
        active = next;
        this.slots = slots;
        this.rows = slots;
        this.capacity = capacity;
        setRows(rows);
    }

    /** Sets the running rows and the views a step sees: the buffers, or their first rows. */
    private void setRows(int rows) {
        if (rows == this.rows) {
            return;
        }
        if (active != buffers) {
            active.close();
        }
        this.rows = rows;
        if (rows == slots) {
            active = buffers;
        } else if (rows == 0) {
            active = new NDList();
        } else {
            active = new NDList(buffers.size());
            for (NDArray buffer : buffers) {
                active.add(buffer.get(new NDIndex().addSliceDim(0, rows))); // a view
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this KV cache is closed");
        }
    }
}
