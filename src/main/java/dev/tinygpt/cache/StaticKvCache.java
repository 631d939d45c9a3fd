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
final class StaticKvCache extends BaseKvCache {
    private final int capacity;

    StaticKvCache(NDManager parent, int layers, int capacity) {
        super(parent, "static-kv-cache", layers);
        if (capacity <= 0) {
            throw new IllegalArgumentException("cache capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
    }

    @Override
    public NDList arrays() {
        return length() == 0 ? new NDList() : list();
    }

    @Override
    public void replace(NDList presents, int length) {
        requireLayers(presents);
        if (length > capacity) {
            throw new IllegalArgumentException(
                    length + " positions exceed the cache's capacity of " + capacity);
        }
        if (sameArrays(presents)) {
            swap(list(), length); // written in place by the model
            return;
        }
        // First step (or a new batch shape): copy the presents into fresh buffers.
        NDManager manager = manager();
        NDList buffers = new NDList(presents.size());
        for (NDArray present : presents) {
            Shape s = present.getShape(); // (B, nh, P, hs)
            NDArray buffer = manager.zeros(new Shape(s.get(0), s.get(1), capacity, s.get(3)));
            buffer.set(new NDIndex(":, :, :{}", s.get(2)), present);
            buffers.add(buffer);
        }
        presents.close();
        swap(buffers, length);
    }

    private boolean sameArrays(NDList presents) {
        NDList current = list();
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
