package dev.tinygpt.cache;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * The preallocated ("static") cache: per layer a key and a value buffer {@code (B, nh, capacity,
 * hs)}, allocated once when the first step's presents arrive (which fixes B). The model sees that a
 * past array is longer than the attention mask says and writes the new positions into their slots
 * in place, attending over the filled prefix; no array is allocated per step.
 */
final class StaticKvCache implements KvCache {
    private final CacheArrays arrays;
    private final int capacity;

    StaticKvCache(NDManager parent, int layers, int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("cache capacity must be positive, got " + capacity);
        }
        this.arrays = new CacheArrays(parent, "static-kv-cache", layers);
        this.capacity = capacity;
    }

    @Override
    public int length() {
        return arrays.length();
    }

    @Override
    public int batchSize() {
        return arrays.batchSize();
    }

    @Override
    public NDList arrays() {
        return arrays.length() == 0 ? new NDList() : arrays.list();
    }

    @Override
    public void replace(NDList presents, int length) {
        arrays.requireLayers(presents);
        if (length > capacity) {
            throw new IllegalArgumentException(
                    length + " positions exceed the cache's capacity of " + capacity);
        }
        if (sameArrays(presents)) {
            arrays.swap(arrays.list(), length); // written in place by the model
            return;
        }
        // First step (or a new batch shape): copy the presents into fresh buffers.
        NDManager manager = arrays.manager();
        NDList buffers = new NDList(presents.size());
        for (NDArray present : presents) {
            Shape s = present.getShape(); // (B, nh, P, hs)
            NDArray buffer = manager.zeros(new Shape(s.get(0), s.get(1), capacity, s.get(3)));
            buffer.set(new NDIndex(":, :, :{}", s.get(2)), present);
            buffers.add(buffer);
        }
        presents.close();
        arrays.swap(buffers, length);
    }

    @Override
    public void reorder(int[] rows) {
        arrays.reorder(rows);
    }

    @Override
    public void clear() {
        // Keeps nothing: the next prefill may have another batch size.
        arrays.clear();
    }

    @Override
    public void close() {
        arrays.close();
    }

    private boolean sameArrays(NDList presents) {
        NDList current = arrays.list();
        if (current.size() != presents.size()) {
            return false;
        }
        for (int i = 0; i < current.size(); i++) {
            if (current.get(i) != presents.get(i)) {
                return false;
            }
        }
        return true;
    }
}
